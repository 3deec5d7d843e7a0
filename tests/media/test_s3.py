"""Uploads on S3-compatible storage (moto's server). The session's app stores locally, so these
tests swap the runtime's storage for an S3 one: every upload, read and delete below goes
through the real routes and the real S3 protocol."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
from PIL import Image

from livehouse.core.runtime import Runtime
from livehouse.core.storage import S3Storage
from tests.support.auth import signed_up
from tests.support.media import MIB, jpeg_with_exif, mp4_bytes, pdf_bytes, upload, uploaded


@pytest.fixture
def on_s3(runtime: Runtime, s3_storage: S3Storage, monkeypatch: pytest.MonkeyPatch) -> S3Storage:
    monkeypatch.setattr(runtime, "storage", s3_storage)
    return s3_storage


def keys(storage: S3Storage) -> set[str]:
    listed = storage.client.list_objects_v2(Bucket=storage.bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


async def test_an_image_is_cleaned_and_stored_on_s3(
    client: httpx.AsyncClient, on_s3: S3Storage
) -> None:
    person = await signed_up(client)
    body = await uploaded(client, person, jpeg_with_exif())
    assert "Signature" in body["url"]  # no public_url configured: presigned reads
    async with httpx.AsyncClient() as http:
        stored = (await http.get(body["url"])).content
        preview = (await http.get(body["preview_url"])).content
    assert b"SpyCam" not in stored and hashlib.sha256(stored).hexdigest() == body["sha256"]
    assert Image.open(io.BytesIO(preview)).format == "WEBP"
    assert len(keys(on_s3)) == 2


async def test_a_large_video_goes_up_in_parts_and_is_deleted(
    client: httpx.AsyncClient, on_s3: S3Storage
) -> None:
    person = await signed_up(client)
    content = mp4_bytes(17 * MIB)  # three multipart parts of 8 MiB
    body = await uploaded(client, person, content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    (key,) = keys(on_s3)
    assert on_s3.client.head_object(Bucket=on_s3.bucket, Key=key)["ContentLength"] == len(content)
    deleted = await client.delete(f"/v1/media/{body['id']}", headers=person.headers)
    assert deleted.status_code == 204
    assert keys(on_s3) == set()


async def test_a_refused_upload_leaves_nothing_on_s3(
    client: httpx.AsyncClient, runtime: Runtime, on_s3: S3Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings, "media_document_max_bytes", 9 * MIB)
    person = await signed_up(client)
    too_big = pdf_bytes(10 * MIB)  # passes one 8 MiB part before the limit stops it
    response = await upload(client, person, too_big)
    assert response.status_code == 413, response.text
    assert keys(on_s3) == set()
    uploads = on_s3.client.list_multipart_uploads(Bucket=on_s3.bucket)
    assert uploads.get("Uploads", []) == []
