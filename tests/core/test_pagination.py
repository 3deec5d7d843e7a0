"""Cursor pagination: complete, duplicate-free and stable while rows are being inserted."""

from __future__ import annotations

import asyncio

import httpx


async def make_notes(client: httpx.AsyncClient, n: int, prefix: str) -> set[str]:
    ids = set()
    for i in range(n):
        response = await client.post("/_test/notes", json={"title": f"{prefix}{i}"})
        ids.add(response.json()["id"])
    return ids


async def test_pages_cover_everything_once_despite_concurrent_inserts(
    live_client: httpx.AsyncClient,
) -> None:
    original = await make_notes(live_client, 25, "old")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        page, _ = await asyncio.gather(
            live_client.get("/_test/notes", params=params),
            make_notes(live_client, 2, f"new{pages}-"),  # inserts racing the read
        )
        assert page.status_code == 200
        body = page.json()
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert pages < 20
    assert len(seen) == len(set(seen)), "no row is listed twice"
    assert original <= set(seen), "no row that existed before the walk is skipped"


async def test_last_page_has_no_cursor(client: httpx.AsyncClient) -> None:
    await make_notes(client, 3, "n")
    body = (await client.get("/_test/notes", params={"limit": 3})).json()
    assert len(body["items"]) == 3
    assert body["next_cursor"] is None


async def test_newest_first_order(client: httpx.AsyncClient) -> None:
    await make_notes(client, 3, "n")
    titles = [i["title"] for i in (await client.get("/_test/notes")).json()["items"]]
    assert titles == ["n2", "n1", "n0"]


async def test_bad_cursor_and_limit_are_422(client: httpx.AsyncClient) -> None:
    bad = await client.get("/_test/notes", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"
    forged = await client.get("/_test/notes", params={"cursor": "WyJ4IiwgMV0"})  # ["x", 1]
    assert forged.status_code == 422
    too_many = await client.get("/_test/notes", params={"limit": 101})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"
