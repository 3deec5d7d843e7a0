"""Events: what an organisation puts on — occurrences, sessions, speakers, publishing, listing,
search, saves, shares, reviews. See docs/capabilities/events.md."""

from livehouse.identity import scopes as _scopes

_ALL, _MANAGERS = ("owner", "admin", "member"), ("owner", "admin")

_scopes.register("event.read", "Read an organisation's events, drafts and private data", roles=_ALL)
_scopes.register(
    "event.write", "Create, change and duplicate events; sessions, speakers", roles=_ALL
)
_scopes.register("event.publish", "Publish, unpublish, go live and end events", roles=_MANAGERS)
_scopes.register(
    "event.cancel", "Cancel published events (attendees are refunded)", roles=_MANAGERS
)
_scopes.register("event.delete", "Delete draft events", roles=_MANAGERS)
_scopes.register(
    "event.engage", "Save, share and review events; accept speaker invitations", personal=True
)
