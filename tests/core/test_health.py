"""Operations endpoints: /healthz, /readyz, /metrics."""

from __future__ import annotations

import gc

import httpx
from fastapi import FastAPI


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_when_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations_at_head": True}


async def test_readyz_is_503_when_schema_is_behind(client: httpx.AsyncClient, app: FastAPI) -> None:
    real = app.state.expected_heads
    app.state.expected_heads = real | {"some_future_revision"}
    try:
        response = await client.get("/readyz")
    finally:
        app.state.expected_heads = real
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "some_future_revision" in response.json()["expected"]


async def test_metrics_count_requests_by_route_and_status(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/_test/notes/count")
    await client.get("/definitely/missing")
    text = (await client.get("/metrics")).text
    assert 'livehouse_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="/_test/notes/count",status="200"' in text
    assert 'route="<unmatched>",status="404"' in text
    assert "livehouse_http_request_duration_seconds_bucket" in text
    assert 'livehouse_db_pool_connections{state="checkedout"}' in text


async def test_openapi_and_docs_are_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/healthz" in spec["paths"]
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_what_startup_made_is_frozen_out_of_the_collector(app: FastAPI) -> None:
    # The running app's startup objects are out of the collector's sight, so a full collection
    # scans only what requests made (docs/benchmarks.md: ~250 ms pauses under load before).
    assert gc.get_freeze_count() > 10_000
