"""Uploads: streamed to storage, type decided by content, images re-encoded with previews."""
