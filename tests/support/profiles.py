"""Helpers that drive profiles through the HTTP API, as a client app would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.auth import Person


async def patch_profile(client: httpx.AsyncClient, person: Person, **fields: Any) -> dict:
    response = await client.patch("/v1/me/profile", json=fields, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def set_privacy(client: httpx.AsyncClient, person: Person, **settings: bool) -> dict:
    return await patch_profile(client, person, privacy=settings)


async def become_performer(client: httpx.AsyncClient, person: Person, **fields: Any) -> dict:
    response = await client.put(
        "/v1/me/performer", json={"stage_name": "Stage Name", **fields}, headers=person.headers
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


async def create_category(
    client: httpx.AsyncClient, admin: Person, name: str, slug: str | None = None
) -> dict:
    body = {"name": name, **({"slug": slug} if slug else {})}
    response = await client.post("/v1/categories", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def follow(client: httpx.AsyncClient, person: Person, account_id: str) -> httpx.Response:
    return await client.post(f"/v1/users/{account_id}/follow", headers=person.headers)
