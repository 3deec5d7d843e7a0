"""Uploads that succeed: type from content, images cleaned and previewed, files served."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid

import httpx
import pytest
from PIL import Image

from livehouse.core.db import unit_of_work
from livehouse.identity.service import get_account
from livehouse.media import service
from tests.support.auth import signed_up
from tests.support.media import (
    MIB,
    image_bytes,
    jpeg_with_exif,
    media_count,
    mp3_bytes,
    mp4_bytes,
    multipart_body,
    pdf_bytes,
    stored_files,
    uploaded,
)


async def fetch(client: httpx.AsyncClient, url: str) -> bytes:
    response = await client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, url
    return response.content


async def test_png_is_stored_with_a_preview_and_served(client: httpx.AsyncClient) -> None:
    person = await signed_up(client)
    body = await uploaded(client, person, image_bytes("PNG", (900, 300)), filename="me.png")
    assert body["kind"] == "image" and body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (900, 300)
    assert body["filename"] == "me.png"
    stored = await fetch(client, body["url"])
    assert hashlib.sha256(stored).hexdigest() == body["sha256"] and len(stored) == body["size"]
    preview = Image.open(io.BytesIO(await fetch(client, body["preview_url"])))
    assert preview.format == "WEBP" and max(preview.size) == 480  # the configured preview size
    assert preview.size == (480, 160)  # aspect kept


async def test_jpeg_metadata_is_stripped_and_orientation_applied(
    client: httpx.AsyncClient,
) -> None:
    person = await signed_up(client)
    original = jpeg_with_exif(size=(40, 20), orientation=6)  # "rotate 90°": shown 20 x 40
    assert b"SpyCam" in original and b"where I live" in original
    body = await uploaded(client, person, original, filename="IMG_0001.JPG")
    assert (body["width"], body["height"]) == (20, 40)
    stored = await fetch(client, body["url"])
    for secret in (b"SpyCam", b"secret-firmware", b"where I live", b"Exif"):
        assert secret not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (20, 40)
    assert not image.getexif() and "comment" not in image.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "GIF"])
async def test_other_image_formats_lose_their_metadata_too(
    client: httpx.AsyncClient, fmt: str
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    person = await signed_up(client)
    body = await uploaded(client, person, image_bytes(fmt, (30, 30), exif=exif.tobytes()))
    stored = await fetch(client, body["url"])
    assert b"SpyCam" not in stored
    assert Image.open(io.BytesIO(stored)).format == fmt


async def test_bmp_is_stored_as_png(client: httpx.AsyncClient) -> None:
    person = await signed_up(client)
    body = await uploaded(client, person, image_bytes("BMP", (12, 10)), filename="old.bmp")
    assert body["content_type"] == "image/png" and body["url"].endswith(".png")
    assert Image.open(io.BytesIO(await fetch(client, body["url"]))).size == (12, 10)


async def test_animated_gif_keeps_its_frames(client: httpx.AsyncClient) -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    person = await signed_up(client)
    body = await uploaded(client, person, out.getvalue())
    stored = Image.open(io.BytesIO(await fetch(client, body["url"])))
    assert getattr(stored, "n_frames", 1) == 3


@pytest.mark.parametrize(
    ("content", "kind", "content_type"),
    [
        (mp4_bytes(), "video", "video/mp4"),
        (mp3_bytes(), "audio", "audio/mpeg"),
        (pdf_bytes(), "document", "application/pdf"),
    ],
)
async def test_audio_video_and_documents_are_stored_as_sent(
    client: httpx.AsyncClient, content: bytes, kind: str, content_type: str
) -> None:
    person = await signed_up(client)
    # The declared type and name lie; the content decides.
    body = await uploaded(client, person, content, filename="x.png", content_type="image/png")
    assert (body["kind"], body["content_type"]) == (kind, content_type)
    assert body["preview_url"] is None and body["width"] is None
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert await fetch(client, body["url"]) == content


async def test_an_image_named_like_a_program_is_still_an_image(client: httpx.AsyncClient) -> None:
    person = await signed_up(client)
    body = await uploaded(
        client, person, image_bytes(), filename="setup.exe", content_type="application/x-msdos"
    )
    assert body["kind"] == "image" and body["url"].endswith(".png")


async def test_a_large_video_streams_through(client: httpx.AsyncClient) -> None:
    person = await signed_up(client)
    content = mp4_bytes(12 * MIB + 7)
    body = await uploaded(client, person, content)
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()


async def test_an_upload_in_progress_does_not_block_other_writers(
    client: httpx.AsyncClient,
) -> None:
    """On SQLite a writer's transaction holds the database lock: an upload must not keep one
    open while its body trickles in."""
    person = await signed_up(client)
    halfway = asyncio.Event()
    release = asyncio.Event()
    body = multipart_body([("file", "v.mp4", mp4_bytes(64 * 1024))])

    async def slow_body():
        yield body[: len(body) // 2]
        halfway.set()
        await release.wait()
        yield body[len(body) // 2 :]

    pending = asyncio.create_task(
        client.post(
            "/v1/media",
            content=slow_body(),
            headers={**person.headers, "Content-Type": "multipart/form-data; boundary=XyZ"},
        )
    )
    await asyncio.wait_for(halfway.wait(), 10)
    other = await asyncio.wait_for(signed_up(client, "meanwhile"), 20)
    assert other.id
    release.set()
    response = await asyncio.wait_for(pending, 20)
    assert response.status_code == 201, response.text


async def test_a_rolled_back_upload_leaves_no_stored_objects(
    client: httpx.AsyncClient, runtime
) -> None:
    person = await signed_up(client)
    before = stored_files(runtime)

    async def chunks():
        yield image_bytes("PNG", (64, 64))

    with pytest.raises(RuntimeError, match="later failure"):
        async with unit_of_work(runtime.database) as session:
            account = await get_account(session, uuid.UUID(person.id))
            media = await service.upload(session, chunks(), owner_account_id=account.id)
            assert await runtime.storage.exists(media.storage_key)
            assert await runtime.storage.exists(media.preview_key)
            raise RuntimeError("later failure")
    assert stored_files(runtime) == before
    assert await media_count(runtime) == 0


async def test_idempotent_retry_stores_once(client: httpx.AsyncClient, runtime) -> None:
    person = await signed_up(client)
    headers = {
        **person.headers,
        "Idempotency-Key": "upload-1",
        "Content-Type": "multipart/form-data; boundary=XyZ",
    }
    body = multipart_body([("file", "a.pdf", pdf_bytes())])  # the same bytes, boundary and all
    first = await client.post("/v1/media", content=body, headers=headers)
    again = await client.post("/v1/media", content=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await media_count(runtime) == 1
