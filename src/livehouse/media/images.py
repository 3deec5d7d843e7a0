"""Image checks and re-encoding with Pillow (run in a worker thread: it is CPU work).

An uploaded image is never stored as sent. It must decode completely (a fake or truncated file is
refused), stay under the pixel budget (decompression bombs are refused before decoding), and is
then re-encoded from its pixels: EXIF (GPS position, camera serial), XMP and comments are dropped,
the EXIF orientation is applied to the pixels first. A small WebP preview is made alongside.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import IO

from PIL import Image, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

from livehouse.core.errors import FieldError, ValidationFailed

# What each accepted input format is stored as (BMP and TIFF become PNG: smaller, universal).
OUTPUT = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WEBP", "BMP": "PNG", "TIFF": "PNG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Kept because the pixels need them (animation timing, palette transparency, colour profile).
_KEEP_INFO = ("duration", "loop", "transparency", "background", "disposal", "icc_profile")
SPOOL_BYTES = 1024 * 1024


@dataclass(slots=True)
class CleanImage:
    data: IO[bytes]  # the re-encoded image, positioned at 0
    content_type: str
    extension: str
    width: int
    height: int
    preview: bytes  # WebP


def invalid(message: str) -> ValidationFailed:
    return ValidationFailed(f"file: {message}", errors=[FieldError("file", message)])


def clean(source: IO[bytes], *, max_pixels: int, preview_size: int) -> CleanImage:
    """Verify, re-encode and preview the image in `source` (a seekable file)."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # pragma: no cover - someone changed a global
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        with warnings.catch_warnings():
            # Pillow warns (then errors) on huge images; ours is the stricter budget below.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _clean(source, max_pixels, preview_size)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise invalid("The image has too many pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise invalid("Not a valid image (damaged, truncated or disguised)") from exc


def _clean(source: IO[bytes], max_pixels: int, preview_size: int) -> CleanImage:
    with Image.open(source) as probe:
        fmt = probe.format or ""
        if fmt not in OUTPUT:
            raise invalid(f"Unsupported image format {fmt or 'unknown'}")
        frames = getattr(probe, "n_frames", 1)
        if probe.width * probe.height * frames > max_pixels:
            raise invalid(f"The image has too many pixels (at most {max_pixels:,})")
        probe.verify()  # structure and checksums, before spending time decoding
    source.seek(0)
    with Image.open(source) as image:
        out_format = OUTPUT[fmt]
        animated = frames > 1 and out_format in ("GIF", "WEBP", "PNG")
        if animated:
            pictures = [frame.copy() for frame in ImageSequence.Iterator(image)]
            first = pictures[0]
        else:
            image.load()  # raises on truncated data
            first = ImageOps.exif_transpose(image) or image
            pictures = [first]
        info = {k: image.info[k] for k in _KEEP_INFO if k in image.info}
    pictures = [_mode_for(picture, out_format) for picture in pictures]
    for picture in pictures:
        picture.info = {}  # some encoders copy comments, XMP or EXIF from here; keep none
    data = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (handed to the caller)
    try:
        options: dict[str, object] = {"format": out_format, "exif": b""}
        if "icc_profile" in info:
            options["icc_profile"] = info["icc_profile"]
        if out_format == "JPEG":
            options.update(quality=90, optimize=True)
        elif out_format == "WEBP":
            options.update(quality=90)
        if animated:
            options.update(save_all=True, append_images=pictures[1:])
            options.update({k: info[k] for k in ("duration", "loop", "disposal") if k in info})
        if "transparency" in info and pictures[0].mode == "P":
            options["transparency"] = info["transparency"]
        pictures[0].save(data, **options)
        data.seek(0)
        preview = _preview(first, preview_size)
    except BaseException:
        data.close()
        raise
    return CleanImage(
        data, CONTENT_TYPES[out_format], EXTENSIONS[out_format], first.width, first.height, preview
    )


def _mode_for(picture: Image.Image, out_format: str) -> Image.Image:
    if out_format == "JPEG" and picture.mode not in ("RGB", "L"):
        return picture.convert("RGB")
    if out_format == "GIF" and picture.mode not in ("P", "L"):
        return picture.convert("P")
    if out_format in ("PNG", "WEBP") and picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        return picture.convert("RGBA")
    return picture


def _preview(first: Image.Image, size: int) -> bytes:
    thumb = first.convert("RGBA" if _has_alpha(first) else "RGB")
    thumb.thumbnail((size, size))
    out = io.BytesIO()
    thumb.save(out, format="WEBP", quality=80)
    return out.getvalue()


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
