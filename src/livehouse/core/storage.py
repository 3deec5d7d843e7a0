"""Blob storage behind one interface: a local directory by default, S3-compatible by URL.

Writes are streamed: at most one chunk (local) or one multipart part (S3, 8 MiB) is held in memory,
and an upload larger than `max_bytes` is stopped and removed mid-stream.

URLs (`LIVEHOUSE_STORAGE_URL`):
  file:///abs/path                      local directory, served by the app at /media/<key>
  s3://bucket/prefix?endpoint_url=…&region=…&public_url=…
                                        credentials from the usual AWS variables or the URL's
                                        user:password; without public_url, reads are presigned.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse

import anyio
from anyio import to_thread

from livehouse.core.errors import PayloadTooLarge

CHUNK = 64 * 1024
S3_PART = 8 * 1024 * 1024
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$")


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    sha256: str
    content_type: str


def check_key(key: str) -> str:
    if not _KEY_RE.match(key) or ".." in key or "//" in key:
        raise ValueError(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    async def save(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str,
        max_bytes: int | None = None,
    ) -> StoredObject: ...

    def open(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...

    def url(self, key: str) -> str: ...


class _Meter:
    """Counts and hashes bytes as they pass, refusing more than the limit."""

    def __init__(self, max_bytes: int | None) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.digest = hashlib.sha256()

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise PayloadTooLarge(f"The upload exceeds the limit of {self.max_bytes} bytes")
        self.digest.update(chunk)


class LocalStorage:
    def __init__(self, root: Path, public_base: str) -> None:
        self.root = root
        self.public_base = public_base.rstrip("/")
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def save(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str,
        max_bytes: int | None = None,
    ) -> StoredObject:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        meter = _Meter(max_bytes)
        try:
            async with await anyio.open_file(partial, "wb") as out:
                async for chunk in chunks:
                    meter.feed(chunk)
                    await out.write(chunk)
            os.replace(partial, target)  # readers never see half a file
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredObject(key, meter.size, meter.digest.hexdigest(), content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as source:
            while chunk := await source.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    async def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def url(self, key: str) -> str:
        return f"{self.public_base}/media/{check_key(key)}"


class S3Storage:
    def __init__(self, url: str) -> None:
        import boto3

        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        self.bucket = parsed.hostname or ""
        self.prefix = parsed.path.strip("/")
        self.public_url = query.get("public_url", "").rstrip("/")
        kwargs: dict[str, Any] = {
            "endpoint_url": query.get("endpoint_url"),
            "region_name": query.get("region", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
        }
        if parsed.username:
            kwargs["aws_access_key_id"] = unquote(parsed.username)
            kwargs["aws_secret_access_key"] = unquote(parsed.password or "")
        self.client = boto3.client("s3", **kwargs)

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def save(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str,
        max_bytes: int | None = None,
    ) -> StoredObject:
        full_key = self._key(key)
        meter = _Meter(max_bytes)
        upload = await to_thread.run_sync(
            lambda: self.client.create_multipart_upload(
                Bucket=self.bucket, Key=full_key, ContentType=content_type
            )
        )
        upload_id = upload["UploadId"]
        parts: list[dict[str, Any]] = []
        buffer = bytearray()

        async def flush() -> None:
            number = len(parts) + 1
            body = bytes(buffer)
            result = await to_thread.run_sync(
                lambda: self.client.upload_part(
                    Bucket=self.bucket,
                    Key=full_key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=body,
                )
            )
            parts.append({"ETag": result["ETag"], "PartNumber": number})
            buffer.clear()

        try:
            async for chunk in chunks:
                meter.feed(chunk)
                buffer.extend(chunk)
                if len(buffer) >= S3_PART:
                    await flush()
            if buffer or not parts:
                await flush()
            await to_thread.run_sync(
                lambda: self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=full_key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
            )
        except BaseException:
            await to_thread.run_sync(
                lambda: self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=full_key, UploadId=upload_id
                )
            )
            raise
        return StoredObject(key, meter.size, meter.digest.hexdigest(), content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        full_key = self._key(key)
        response = await to_thread.run_sync(
            lambda: self.client.get_object(Bucket=self.bucket, Key=full_key)
        )
        body = response["Body"]
        try:
            while chunk := await to_thread.run_sync(body.read, CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        full_key = self._key(key)
        await to_thread.run_sync(
            lambda: self.client.delete_object(Bucket=self.bucket, Key=full_key)
        )

    async def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        full_key = self._key(key)
        try:
            await to_thread.run_sync(
                lambda: self.client.head_object(Bucket=self.bucket, Key=full_key)
            )
        except ClientError:
            return False
        return True

    def url(self, key: str) -> str:
        full_key = self._key(key)
        if self.public_url:
            return f"{self.public_url}/{full_key}"
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": full_key}, ExpiresIn=3600
            )
        )


def storage_from_url(url: str, public_base: str) -> Storage:
    scheme = urlparse(url).scheme
    if scheme == "file":
        return LocalStorage(Path(unquote(urlparse(url).path)), public_base)
    if scheme == "s3":
        return S3Storage(url)
    raise ValueError(f"unsupported storage URL scheme {scheme!r} (use file:// or s3://)")
