"""Idempotency-Key: replay, mismatch (422), in flight (409), principal scope, expiry — with real
concurrent requests against a real server."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.support import routes


def key() -> str:
    return f"key-{uuid.uuid4()}"


async def count(client: httpx.AsyncClient) -> int:
    return (await client.get("/_test/notes/count")).json()["count"]


async def test_retry_replays_the_first_response_and_does_nothing_twice(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": key()}
    first = await client.post("/_test/notes", json={"title": "once"}, headers=headers)
    second = await client.post("/_test/notes", json={"title": "once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert second.headers["content-type"] == first.headers["content-type"]
    assert "idempotent-replayed" not in first.headers
    assert await count(client) == 1


async def test_same_key_different_body_is_a_422(client: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": key()}
    assert (
        await client.post("/_test/notes", json={"title": "a"}, headers=headers)
    ).status_code == 201
    reused = await client.post("/_test/notes", json={"title": "b"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["field"] == "header.Idempotency-Key"
    other_path = await client.post("/_test/notes/unflushed", json={"title": "a"}, headers=headers)
    assert other_path.status_code == 422
    assert await count(client) == 1


async def test_keys_are_scoped_to_the_principal(client: httpx.AsyncClient) -> None:
    shared = key()
    for credential in ("Bearer alice-token", "Bearer bob-token"):
        response = await client.post(
            "/_test/notes",
            json={"title": "t"},
            headers={"Idempotency-Key": shared, "Authorization": credential},
        )
        assert response.status_code == 201
        assert "idempotent-replayed" not in response.headers
    assert await count(client) == 2


async def test_client_errors_are_replayed_and_server_errors_released(
    client: httpx.AsyncClient,
) -> None:
    conflict_key = {"Idempotency-Key": key()}
    first = await client.post(
        "/_test/notes?fail=problem", json={"title": "t"}, headers=conflict_key
    )
    again = await client.post(
        "/_test/notes?fail=problem", json={"title": "t"}, headers=conflict_key
    )
    assert first.status_code == again.status_code == 409
    assert again.headers["idempotent-replayed"] == "true"

    server_key = {"Idempotency-Key": key()}
    failed = await client.post(
        "/_test/notes?fail=server-error", json={"title": "t"}, headers=server_key
    )
    assert failed.status_code == 502
    retried = await client.post(
        "/_test/notes?fail=server-error", json={"title": "t"}, headers=server_key
    )
    assert retried.status_code == 502
    assert "idempotent-replayed" not in retried.headers, "a server error is not cached"
    assert await count(client) == 0


async def test_invalid_key_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/_test/notes", json={"title": "t"}, headers={"Idempotency-Key": "x" * 256}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await count(client) == 0


async def test_keys_expire_after_the_ttl(client: httpx.AsyncClient, runtime: Runtime) -> None:
    headers = {"Idempotency-Key": key()}
    await client.post("/_test/notes", json={"title": "t"}, headers=headers)
    later = clock.OffsetClock()
    later.advance(seconds=runtime.settings.idempotency_ttl_seconds + 1)
    with clock.use(later):
        fresh = await client.post("/_test/notes", json={"title": "t"}, headers=headers)
    assert fresh.status_code == 201
    assert "idempotent-replayed" not in fresh.headers
    assert await count(client) == 2


async def test_concurrent_duplicate_is_a_409_while_the_first_is_in_flight(
    live_client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": key()}
    routes.gates["slow"] = asyncio.Event()
    first = asyncio.create_task(
        live_client.post("/_test/notes?gate=slow", json={"title": "t"}, headers=headers)
    )
    await asyncio.wait_for(routes.entered.setdefault("slow", asyncio.Event()).wait(), 10)

    duplicate = await live_client.post(
        "/_test/notes?gate=slow", json={"title": "t"}, headers=headers
    )
    assert duplicate.status_code == 409
    assert duplicate.headers["retry-after"] == "1"

    routes.gates["slow"].set()
    assert (await first).status_code == 201
    replay = await live_client.post("/_test/notes?gate=slow", json={"title": "t"}, headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert await count(live_client) == 1


async def test_a_burst_of_retries_runs_the_change_exactly_once(
    live_client: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": key()}
    responses = await asyncio.gather(
        *[
            live_client.post("/_test/notes", json={"title": "burst"}, headers=headers)
            for _ in range(20)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    assert sum("idempotent-replayed" not in r.headers for r in created) == 1
    assert len({r.json()["id"] for r in created}) == 1
    assert await count(live_client) == 1


async def test_an_abandoned_claim_can_be_taken_over(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    idem_key = key()
    stale = await runtime.idempotency.claim("anonymous", idem_key, "POST", "/_test/notes")
    assert stale.outcome == "new"  # a process claimed the key, then died
    blocked = await client.post(
        "/_test/notes", json={"title": "t"}, headers={"Idempotency-Key": idem_key}
    )
    assert blocked.status_code == 409
    later = clock.OffsetClock()
    later.advance(seconds=runtime.settings.idempotency_lease_seconds + 1)
    with clock.use(later):
        taken = await client.post(
            "/_test/notes", json={"title": "t"}, headers={"Idempotency-Key": idem_key}
        )
    assert taken.status_code == 201
    # The dead owner can no longer complete the key.
    assert not await runtime.idempotency.complete(stale, "fp", 201, [], b"{}")
    assert await count(client) == 1
