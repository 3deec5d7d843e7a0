"""Problem details everywhere: 404/405/413/422/500, and bad input never changes anything."""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from livehouse.app import create_app
from livehouse.core.runtime import Runtime, install
from tests.conftest import make_settings
from tests.support.databases import asyncpg_dsn, is_postgres

PROBLEM = "application/problem+json"


async def note_count(client: httpx.AsyncClient) -> int:
    return (await client.get("/_test/notes/count")).json()["count"]


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://livehouse.dev/problems/")
    assert body["title"]
    return body


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/no-such-thing"), 404)
    assert "/v1/no-such-thing" in body["detail"]


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/healthz"), 405)


@pytest.mark.parametrize(
    ("payload", "field", "message_part"),
    [
        ({}, "title", "required"),
        ({"title": ""}, "title", "at least 1"),
        ({"title": "x" * 51}, "title", "at most 50"),
        ({"title": "ok", "count": "many"}, "count", "integer"),
        ({"title": "ok", "colour": "red"}, "colour", "Unknown field"),
    ],
)
async def test_invalid_fields_are_named_in_a_422(
    client: httpx.AsyncClient, payload: dict, field: str, message_part: str
) -> None:
    body = assert_problem(await client.post("/_test/notes", json=payload), 422)
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert field in fields, body
    assert message_part.lower() in fields[field].lower()
    assert await note_count(client) == 0


async def test_malformed_json_is_a_422_and_changes_nothing(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/_test/notes", content=b'{"title": "x",', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["message"] == "The body is not valid JSON"
    assert await note_count(client) == 0


async def test_oversized_body_is_a_413_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/_test/small-body", json={"k": "v" * 100})
    assert_problem(response, 413)
    ok = await client.post("/_test/small-body", json={"k": "v"})
    assert ok.status_code == 200


async def test_app_wide_body_limit(client: httpx.AsyncClient, settings) -> None:
    big = "x" * (settings.max_body_bytes + 10)
    assert_problem(await client.post("/_test/notes", json={"title": big}), 413)
    assert await note_count(client) == 0


@pytest.mark.parametrize("fail", ["crash", "bad-sql"])
async def test_unexpected_error_is_a_500_without_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, fail: str
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.post(
            f"/_test/notes?fail={fail}", json={"title": "t"}, headers={"X-Request-ID": "req-123"}
        )
    body = assert_problem(response, 500)
    assert body["request_id"] == "req-123"
    assert response.headers["x-request-id"] == "req-123"
    assert "secret-internal-detail" not in response.text
    assert "Traceback" not in response.text
    assert await note_count(client) == 0, "the write before the crash was rolled back"
    logged = [r for r in caplog.records if r.name == "livehouse.http"]
    assert logged and logged[0].exc_info, "the error is logged with its exception"


def test_logged_exceptions_carry_no_stack_trace() -> None:
    from livehouse.core.logging import CompactJsonFormatter

    try:
        raise ValueError("bad thing")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = CompactJsonFormatter("%(message)s").format(record)
    assert "Traceback" not in line
    assert "ValueError: bad thing" in line
    assert "test_errors.py" in line  # where it happened, not how we got there


async def test_problem_after_writing_rolls_back(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/_test/notes?fail=problem", json={"title": "t"}), 409)
    assert await note_count(client) == 0


async def test_success_commits(client: httpx.AsyncClient) -> None:
    response = await client.post("/_test/notes", json={"title": "kept"})
    assert response.status_code == 201
    assert await note_count(client) == 1


async def test_commit_failure_is_reported_not_hidden(client: httpx.AsyncClient) -> None:
    first = await client.post("/_test/notes", json={"title": "a", "slug": "same"})
    assert first.status_code == 201
    # The duplicate only reaches the database at commit, after the route said 201:
    # the client must get the conflict, not the success.
    second = await client.post("/_test/notes/unflushed", json={"title": "b", "slug": "same"})
    assert_problem(second, 409)
    assert await note_count(client) == 1


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    mine = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\n"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


async def test_a_before_commit_refusal_replaces_the_answer(client: httpx.AsyncClient) -> None:
    refused = await client.post("/_test/notes/last-check", json={"title": "no thanks"})
    assert_problem(refused, 409)
    assert refused.json()["detail"] == "refused at the very end"
    assert await note_count(client) == 0, "everything the request wrote rolled back"
    kept = await client.post("/_test/notes/last-check", json={"title": "yes please"})
    assert kept.status_code == 201 and await note_count(client) == 1
    replay_key = {"Idempotency-Key": "late-refusal"}
    first = await client.post("/_test/notes/last-check", json={"title": "no"}, headers=replay_key)
    assert first.status_code == 409 and await note_count(client) == 1


async def test_a_lost_database_connection_fails_one_request_with_a_503(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    # Pooled connections are not pinged before use; a dead one must cost one retryable answer,
    # not a 500, and the pool must heal by itself.
    url = runtime.settings.database_url
    if not is_postgres(url):
        pytest.skip("an SQLite connection is a file handle: it cannot be lost to the server")
    await runtime.outbox.stop()  # the test's request, not the dispatcher, meets the dead pool
    try:
        assert (await client.get("/_test/notes/count")).status_code == 200
        admin = await asyncpg.connect(asyncpg_dsn(url))
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        finally:
            await admin.close()
        assert killed >= 1
        body = assert_problem(await client.get("/_test/notes/count"), 503)
        assert "connection was lost" in body["detail"]
        assert (await client.get("/_test/notes/count")).status_code == 200
    finally:
        runtime.outbox.start()


async def test_waiting_too_long_for_a_connection_is_a_503_not_a_500(
    runtime: Runtime, database_url: str, tmp_root: Path
) -> None:
    # Overload is not an internal error: a request that cannot get a connection in time says so.
    # A second app with a one-connection pool; creating it installs its runtime, so the suite's
    # is put back at once (no lifespan: it serves these requests without background work).
    tight = create_app(
        make_settings(
            database_url,
            tmp_root,
            database_pool_size=1,
            database_max_overflow=0,
            database_pool_timeout=0.2,
        ),
        configure_logs=False,
    )
    install(runtime)
    database = tight.state.runtime.database
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=tight), base_url="http://t"
        ) as http:
            assert (await http.get("/v1/events")).status_code == 200
            async with database.engine.connect() as held:
                await held.execute(text("SELECT 1"))  # the pool's only connection, taken
                response = await http.get("/v1/events")
            body = assert_problem(response, 503)
            assert response.headers["retry-after"] == "1"
            assert "busy" in body["detail"]
            assert (await http.get("/v1/events")).status_code == 200
    finally:
        await database.dispose()
