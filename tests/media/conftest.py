"""An S3-compatible server (moto's server mode) for the media tests that store on S3."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from livehouse.core.storage import S3Storage


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint: str) -> S3Storage:
    """A fresh bucket per test, behind livehouse's own S3 storage class."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return S3Storage(f"s3://{bucket}/uploads?endpoint_url={s3_endpoint}&region=us-east-1")
