"""Uploads: images, audio, video and documents in the runtime's storage."""

from livehouse.identity.scopes import ALL, register

register("media.own", "Upload, list and delete your own media", personal=True)
register("media.read", "Read an organisation's media library", roles=ALL)
register("media.write", "Upload to and delete from an organisation's media library", roles=ALL)
