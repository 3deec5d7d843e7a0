"""Uploads that are refused: each names the field, and nothing is recorded or left in storage."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from livehouse.core.runtime import Runtime
from tests.support.auth import Person, signed_up
from tests.support.media import (
    image_bytes,
    media_count,
    mp4_bytes,
    multipart_body,
    pdf_bytes,
    png_header_only,
    stored_files,
    trickle,
    upload,
)


@pytest.fixture
async def person(client: httpx.AsyncClient) -> Person:
    return await signed_up(client)


@pytest.fixture
def unchanged(runtime: Runtime):
    """Asserts, after the test's refusals, that no row and no stored object appeared."""
    before = stored_files(runtime)

    async def check() -> None:
        assert stored_files(runtime) == before
        assert await media_count(runtime) == 0

    return check


def field_errors(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg"),
        (b"MZ\x90\x00" + b"\x00" * 200, "song.mp3"),
        (zip_bytes(), "doc.pdf"),
        (b"just some text, nothing more", "notes.txt"),
    ],
)
async def test_unsupported_types_are_refused_whatever_their_name(
    client: httpx.AsyncClient, person: Person, unchanged, content: bytes, filename: str
) -> None:
    response = await upload(client, person, content, filename=filename, content_type="image/jpeg")
    assert response.status_code == 415, response.text
    assert "Unsupported file type" in field_errors(response)["file"]
    await unchanged()


async def test_fake_and_truncated_images_are_refused(
    client: httpx.AsyncClient, person: Person, unchanged
) -> None:
    real = image_bytes("PNG", (200, 200), "blue")
    fakes = {
        "jpeg magic, garbage after": b"\xff\xd8\xff\xe0" + b"\x13\x37" * 500,
        "truncated png": real[: len(real) // 2],
        "truncated jpeg": image_bytes("JPEG", (300, 300), "green")[:400],
        "gif magic only": b"GIF89a" + b"\x00" * 30,
    }
    for label, content in fakes.items():
        response = await upload(client, person, content)
        assert response.status_code == 422, f"{label}: {response.text}"
        assert "Not a valid image" in field_errors(response)["file"], label
    await unchanged()


@pytest.mark.parametrize(("width", "height"), [(7000, 7000), (30000, 30000)])
async def test_decompression_bombs_are_refused_before_decoding(
    client: httpx.AsyncClient, person: Person, unchanged, width: int, height: int
) -> None:
    response = await upload(client, person, png_header_only(width, height))
    assert response.status_code == 422, response.text
    assert "too many pixels" in field_errors(response)["file"]
    await unchanged()


@pytest.mark.parametrize(
    ("kind", "content"),
    [("document", pdf_bytes(5000)), ("video", mp4_bytes(5000)), ("image", image_bytes())],
)
async def test_each_kind_has_its_own_size_limit(
    client: httpx.AsyncClient,
    person: Person,
    runtime: Runtime,
    unchanged,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    content: bytes,
) -> None:
    monkeypatch.setattr(runtime.settings, f"media_{kind}_max_bytes", len(content) - 1)
    response = await upload(client, person, content)
    assert response.status_code == 413, response.text
    assert f"A {kind} file may be at most" in field_errors(response)["file"]
    monkeypatch.setattr(runtime.settings, f"media_{kind}_max_bytes", len(content))
    assert (await upload(client, person, content)).status_code == 201


async def test_a_declared_oversize_body_is_refused_before_it_is_read(
    client: httpx.AsyncClient, person: Person, unchanged
) -> None:
    read = []

    async def body() -> AsyncIterator[bytes]:
        read.append(1)
        yield b"x"

    response = await client.post(
        "/v1/media",
        content=body(),
        headers={
            **person.headers,
            "Content-Type": "multipart/form-data; boundary=XyZ",
            "Content-Length": str(10 * 1024**3),
        },
    )
    assert response.status_code == 413, response.text
    assert read == []
    await unchanged()


async def test_an_empty_file_is_refused(
    client: httpx.AsyncClient, person: Person, unchanged
) -> None:
    response = await upload(client, person, b"")
    assert response.status_code == 422
    assert field_errors(response) == {"file": "The file is empty"}
    await unchanged()


def raw(person: Person, body: bytes | AsyncIterator[bytes], boundary: str = "XyZ") -> dict:
    return {
        "content": body,
        "headers": {**person.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    }


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        ([("title", None, b"hello")], "title", "Unknown field"),
        ([("other", "a.pdf", pdf_bytes())], "other", "Unknown field"),
        ([], "file", "This field is required (a file)"),
        ([("file", None, b"not a file part")], "file", "Unknown field"),
        ([("file", "a.pdf", pdf_bytes()), ("file", "b.pdf", pdf_bytes())], "file", "Only one"),
        ([("file", "a.pdf", pdf_bytes()), ("title", None, b"late")], "title", "Unknown field"),
    ],
)
async def test_malformed_forms_name_the_field(
    client: httpx.AsyncClient,
    person: Person,
    unchanged,
    parts: list[tuple[str, Any, bytes]],
    field: str,
    message: str,
) -> None:
    response = await client.post("/v1/media", **raw(person, multipart_body(parts)))
    assert response.status_code == 422, response.text
    assert field_errors(response)[field].startswith(message)
    await unchanged()


async def test_a_body_cut_short_is_not_stored_as_a_shorter_file(
    client: httpx.AsyncClient, person: Person, unchanged
) -> None:
    body = multipart_body([("file", "v.mp4", mp4_bytes(200_000))])
    cut = body[: len(body) - 50_000]  # no closing boundary: the client went away mid-file
    response = await client.post("/v1/media", **raw(person, trickle(cut)))
    assert response.status_code == 422, response.text
    assert "body" in field_errors(response)
    await unchanged()


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"Content-Type": "multipart/form-data"},  # no boundary
        {"Content-Type": "application/x-www-form-urlencoded"},
    ],
)
async def test_other_content_types_are_refused(
    client: httpx.AsyncClient, person: Person, unchanged, headers: dict[str, str]
) -> None:
    response = await client.post(
        "/v1/media", content=b'{"file": "x"}', headers={**person.headers, **headers}
    )
    assert response.status_code == 415, response.text
    assert "body" in field_errors(response)
    await unchanged()


async def test_garbage_multipart_is_refused(
    client: httpx.AsyncClient, person: Person, unchanged
) -> None:
    response = await client.post("/v1/media", **raw(person, b"--XyZ\r\nno headers end"))
    assert response.status_code == 422, response.text
    await unchanged()


async def test_anonymous_and_app_callers_cannot_upload_personal_files(
    client: httpx.AsyncClient, unchanged
) -> None:
    anonymous = await client.post("/v1/media", files={"file": ("a.pdf", pdf_bytes())})
    assert anonymous.status_code == 401
    await unchanged()
