"""Personal and performer profiles, categories and tags, follows, mutes, contact, search."""

from livehouse.identity.scopes import ALL, register

register("profile.read", "Read your own profile, preferences, mutes and devices", personal=True)
register(
    "profile.write", "Change your profile, performer page, preferences and devices", personal=True
)
register(
    "profile.social", "Follow, unfollow, mute and contact people and organisations", personal=True
)
register(
    "catalogue.write",
    "Manage platform-wide categories and tags (platform administrators only)",
    personal=True,
)
register("tag.write", "Create and delete an organisation's tags", roles=ALL)
