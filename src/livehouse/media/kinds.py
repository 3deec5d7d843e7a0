"""Which files livehouse accepts, decided from their first bytes (the `filetype` library) — never
from the file name or the content type the client declares, both of which are the client's word.

Each accepted type maps to a kind (image, audio, video, document); the kind sets the size limit
(settings `media_<kind>_max_bytes`) and, for images, the Pillow checks and re-encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype

from livehouse.core.settings import Settings

SNIFF_BYTES = 8192  # what filetype inspects


@dataclass(frozen=True, slots=True)
class FileType:
    kind: str
    content_type: str
    extension: str
    label: str


_TYPES = [
    FileType("image", "image/jpeg", "jpg", "JPEG"),
    FileType("image", "image/png", "png", "PNG"),
    FileType("image", "image/gif", "gif", "GIF"),
    FileType("image", "image/webp", "webp", "WebP"),
    FileType("image", "image/bmp", "bmp", "BMP"),
    FileType("image", "image/tiff", "tif", "TIFF"),
    FileType("audio", "audio/mpeg", "mp3", "MP3"),
    FileType("audio", "audio/mp4", "m4a", "M4A"),
    FileType("audio", "audio/aac", "aac", "AAC"),
    FileType("audio", "audio/ogg", "ogg", "Ogg"),
    FileType("audio", "audio/x-wav", "wav", "WAV"),
    FileType("audio", "audio/x-flac", "flac", "FLAC"),
    FileType("video", "video/mp4", "mp4", "MP4"),
    FileType("video", "video/x-m4v", "m4v", "M4V"),
    FileType("video", "video/quicktime", "mov", "QuickTime"),
    FileType("video", "video/webm", "webm", "WebM"),
    FileType("video", "video/x-matroska", "mkv", "Matroska"),
    FileType("video", "video/3gpp", "3gp", "3GP"),
    FileType("document", "application/pdf", "pdf", "PDF"),
]
ACCEPTED: dict[str, FileType] = {t.content_type: t for t in _TYPES}
KINDS = ("image", "audio", "video", "document")


def sniff(head: bytes) -> FileType | None:
    """The accepted type these first bytes belong to, or None."""
    guess = filetype.guess(head)
    return ACCEPTED.get(guess.mime) if guess is not None else None


def accepted_summary() -> str:
    return ", ".join(t.label for t in _TYPES)


def max_bytes(settings: Settings, kind: str) -> int:
    return int(getattr(settings, f"media_{kind}_max_bytes"))


def largest_limit(settings: Settings) -> int:
    return max(max_bytes(settings, kind) for kind in KINDS)
