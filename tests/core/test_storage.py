"""Storage: streamed writes with a size cap, locally and on an S3-compatible server (moto)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from livehouse.core.errors import PayloadTooLarge
from livehouse.core.storage import LocalStorage, S3Storage, Storage, storage_from_url

MIB = 1024 * 1024


async def chunks(total: int, size: int = 256 * 1024, seed: bytes = b"x") -> AsyncIterator[bytes]:
    sent = 0
    block = hashlib.sha256(seed).digest() * (size // 32)
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def expected_digest(total: int, size: int = 256 * 1024, seed: bytes = b"x") -> str:
    digest, sent = hashlib.sha256(), 0
    block = hashlib.sha256(seed).digest() * (size // 32)
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        digest.update(piece)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="media")
    yield f"s3://media/uploads?endpoint_url={endpoint}&region=us-east-1"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return storage_from_url(f"file://{tmp_path}/media", "http://testserver")
    return storage_from_url(request.getfixturevalue("s3_url"), "http://testserver")


async def read_all(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key)])


async def test_streamed_write_and_read_back(storage: Storage) -> None:
    total = 9 * MIB + 123  # more than one S3 multipart part
    stored = await storage.save("video/a.mp4", chunks(total), "video/mp4", max_bytes=10 * MIB)
    assert stored.size == total
    assert stored.sha256 == expected_digest(total)
    assert await storage.exists("video/a.mp4")
    assert hashlib.sha256(await read_all(storage, "video/a.mp4")).hexdigest() == stored.sha256
    await storage.delete("video/a.mp4")
    assert not await storage.exists("video/a.mp4")


async def test_oversized_upload_is_stopped_and_leaves_nothing(storage: Storage) -> None:
    with pytest.raises(PayloadTooLarge):
        await storage.save(
            "big.bin", chunks(3 * MIB), "application/octet-stream", max_bytes=2 * MIB
        )
    assert not await storage.exists("big.bin")


async def test_local_storage_leaves_no_partial_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path, "http://testserver")
    with pytest.raises(PayloadTooLarge):
        await storage.save("a/b.bin", chunks(2 * MIB), "application/octet-stream", max_bytes=MIB)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "", "a/../b", ".hidden"])
async def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path, "http://testserver")
    with pytest.raises(ValueError):
        await storage.save(key, chunks(10), "text/plain")


async def test_s3_urls(s3_url: str) -> None:
    storage = storage_from_url(s3_url, "http://testserver")
    assert isinstance(storage, S3Storage)
    await storage.save("doc.txt", chunks(100), "text/plain")
    presigned = storage.url("doc.txt")
    assert "uploads/doc.txt" in presigned and "Signature" in presigned
    async with httpx.AsyncClient() as http:
        fetched = await http.get(presigned)
    assert fetched.status_code == 200 and len(fetched.content) == 100
    public = storage_from_url(s3_url + "&public_url=https://cdn.example.com", "")
    assert public.url("doc.txt") == "https://cdn.example.com/uploads/doc.txt"


async def test_local_media_is_served_by_the_app(client: httpx.AsyncClient, runtime) -> None:
    await runtime.storage.save("served/hello.txt", chunks(64), "text/plain")
    url = runtime.storage.url("served/hello.txt")
    assert url == "http://testserver/media/served/hello.txt"
    response = await client.get("/media/served/hello.txt")
    assert response.status_code == 200 and len(response.content) == 64
