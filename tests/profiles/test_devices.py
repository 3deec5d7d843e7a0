"""Devices and push tokens (Privet's device_id + firebase_token)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from livehouse.core.db import unit_of_work
from livehouse.identity.service import get_account
from livehouse.profiles import devices
from tests.support.auth import Person, signed_up


@pytest.fixture
async def person(client: httpx.AsyncClient) -> Person:
    return await signed_up(client)


async def register(client: httpx.AsyncClient, person: Person, **body) -> httpx.Response:
    return await client.post("/v1/me/devices", json=body, headers=person.headers)


async def tokens_of(runtime, person: Person) -> list[str]:
    async with unit_of_work(runtime.database, write=False) as session:
        account = await get_account(session, uuid.UUID(person.id))
        return await devices.push_tokens(session, account.id)


async def test_a_device_is_registered_updated_and_forgotten(
    client: httpx.AsyncClient, runtime, person: Person
) -> None:
    first = await register(
        client, person, device_id="ABCDEF12-3456", push_token="tok-1", platform="ios"
    )
    assert first.status_code == 201, first.text
    again = await register(client, person, device_id="ABCDEF12-3456", push_token="tok-2")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["push_token"] == "tok-2" and again.json()["platform"] == "ios"
    assert await tokens_of(runtime, person) == ["tok-2"]
    path = f"/v1/me/devices/{first.json()['id']}"
    patched = await client.patch(path, json={"platform": "android"}, headers=person.headers)
    assert patched.json()["platform"] == "android" and patched.json()["push_token"] == "tok-2"
    listed = (await client.get("/v1/me/devices", headers=person.headers)).json()
    assert [d["device_id"] for d in listed] == ["ABCDEF12-3456"]
    assert (await client.delete(path, headers=person.headers)).status_code == 204
    assert (await client.get(path, headers=person.headers)).status_code == 404
    assert await tokens_of(runtime, person) == []


async def test_a_token_moves_to_whoever_registers_it_last(
    client: httpx.AsyncClient, runtime, person: Person
) -> None:
    other = await signed_up(client, "other")
    await register(client, person, device_id="phone", push_token="shared-token")
    await register(client, other, device_id="phone", push_token="shared-token")
    assert await tokens_of(runtime, person) == []
    assert await tokens_of(runtime, other) == ["shared-token"]


async def test_devices_are_private(client: httpx.AsyncClient, person: Person) -> None:
    device = (await register(client, person, device_id="d1", push_token="t")).json()
    other = await signed_up(client, "other")
    path = f"/v1/me/devices/{device['id']}"
    assert (await client.get(path, headers=other.headers)).status_code == 404
    assert (await client.delete(path, headers=other.headers)).status_code == 404
    assert (await client.get("/v1/me/devices", headers=other.headers)).json() == []
    assert (await client.get("/v1/me/devices")).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"push_token": "t"}, "device_id"),
        ({"device_id": "", "push_token": "t"}, "device_id"),
        ({"device_id": "d", "platform": "windows-phone"}, "platform"),
        ({"device_id": "d", "push_token": "x" * 4097}, "push_token"),
        ({"device_id": "d", "firebase": "t"}, "firebase"),
    ],
)
async def test_bad_devices_are_refused(
    client: httpx.AsyncClient, person: Person, body: dict, field: str
) -> None:
    response = await register(client, person, **body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get("/v1/me/devices", headers=person.headers)).json() == []
