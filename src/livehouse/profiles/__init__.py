"""Personal and performer profiles, categories and tags, follows, mutes, contact, search."""
