"""Files for upload tests, made here (Pillow for images, the formats' own magic for the rest),
and helpers that upload them through the HTTP API as a client app would."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from PIL import Image

from tests.support.auth import Person

MIB = 1024 * 1024


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (40, 20), colour: str = "red", **save: Any
) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    Image.new(mode, size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_exif(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG a phone might send: camera make, GPS position, and an orientation to apply."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "secret-firmware"  # Software
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 0.0)})
    return image_bytes("JPEG", size, exif=exif.tobytes(), comment=b"where I live")


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG header claiming huge dimensions, with almost no data: a decompression bomb's
    opening move."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def mp4_bytes(total: int = 4096) -> bytes:
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    filler = bytes(range(256)) * (total // 256 + 1)
    return header + filler[: total - len(header)]


def mp3_bytes(total: int = 4096) -> bytes:
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * ((total - 10) // 4)


def pdf_bytes(total: int = 2048) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    return body + b"%" * (total - len(body) - 6) + b"\n%%EOF"


async def upload(
    client: httpx.AsyncClient,
    person: Person,
    content: bytes,
    filename: str = "upload.bin",
    content_type: str = "application/octet-stream",
    org_id: str | None = None,
    **request: Any,
) -> httpx.Response:
    path = f"/v1/orgs/{org_id}/media" if org_id else "/v1/media"
    return await client.post(
        path,
        files={"file": (filename, content, content_type)},
        headers={**person.headers, **request.pop("headers", {})},
        **request,
    )


async def uploaded(client: httpx.AsyncClient, person: Person, content: bytes, **kw: Any) -> dict:
    response = await upload(client, person, content, **kw)
    assert response.status_code == 201, response.text
    return response.json()


def multipart_body(parts: list[tuple[str, str | None, bytes]], boundary: str = "XyZ") -> bytes:
    """A multipart/form-data body by hand (name, filename or None, content), closing boundary
    included — tests drop or alter pieces of it."""
    out = bytearray()
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


async def trickle(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


def stored_files(runtime: Any) -> set[str]:
    """Every object under media/ in the local storage (compare before and after a refusal)."""
    root = runtime.storage.root / "media"
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


async def media_count(runtime: Any) -> int:
    from sqlalchemy import func, select

    from livehouse.core.db import unit_of_work
    from livehouse.media.models import Media

    async with unit_of_work(runtime.database, write=False) as session:
        return int(await session.scalar(select(func.count()).select_from(Media)) or 0)
