"""Accounts: registration, validation, `me`, password changes and hashing."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.identity.models import Account
from tests.support.auth import (
    PASSWORD,
    Person,
    login,
    register,
    signed_up,
    token,
    unique_email,
)
from tests.support.sql import statements


async def account_count(runtime: Runtime) -> int:
    async with unit_of_work(runtime.database, write=False) as s:
        return int(await s.scalar(select(func.count()).select_from(Account)) or 0)


async def test_register_returns_the_account_without_secrets(client: httpx.AsyncClient) -> None:
    email = unique_email()
    response = await client.post(
        "/v1/accounts",
        json={
            "email": email.upper(),
            "password": PASSWORD,
            "full_name": "Ada Lovelace",
            "username": "ada_l",
            "phone": "+4915112345678",
            "date_of_birth": "1990-12-10",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == email.upper().split("@")[0] + "@" + email.split("@")[1]
    assert body["username"] == "ada_l" and body["phone"] == "+4915112345678"
    assert body["email_verified"] is False and body["status"] == "active"
    assert "password" not in response.text and "hash" not in response.text


async def test_email_is_unique_case_insensitively(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    email = unique_email()
    await register(client, email)
    again = await client.post("/v1/accounts", json={"email": email.upper(), "password": PASSWORD})
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "email", "message": "Already taken"}]
    assert await account_count(runtime) == 1


async def test_username_is_unique(client: httpx.AsyncClient) -> None:
    await register(client, username="StageName")
    again = await client.post(
        "/v1/accounts",
        json={"email": unique_email(), "password": PASSWORD, "username": "stagename"},
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "username"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+1 555 0100"}, "phone"),
        ({"password": "password"}, "password"),
        ({"password": "short"}, "password"),
        ({"username": "a b"}, "username"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"shoe_size": 44}, "shoe_size"),
    ],
)
async def test_bad_registration_names_the_field_and_creates_nothing(
    client: httpx.AsyncClient, runtime: Runtime, change: dict, field: str
) -> None:
    body = {"email": unique_email(), "password": PASSWORD, **change}
    response = await client.post("/v1/accounts", json=body)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await account_count(runtime) == 0


async def test_password_must_not_echo_the_person(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/accounts",
        json={"email": "marvellous.maria@example.com", "password": "marvellous.maria"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"


async def test_email_availability(client: httpx.AsyncClient) -> None:
    person = await register(client)
    taken = await client.get("/v1/accounts/email-availability", params={"email": person.email})
    free = await client.get("/v1/accounts/email-availability", params={"email": unique_email()})
    assert taken.json()["available"] is False and free.json()["available"] is True
    bad = await client.get("/v1/accounts/email-availability", params={"email": "nope"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"


async def test_me_read_and_update(client: httpx.AsyncClient, runtime: Runtime) -> None:
    person = await signed_up(client)
    with statements(runtime) as sent:
        me = await client.get("/v1/me", headers=person.headers)
    assert me.status_code == 200 and me.json()["email"] == person.email
    reads = [s for s in sent if "FROM accounts" in s]
    assert len(reads) == 1, "the account authentication loaded is the one shown"
    changed = await client.patch(
        "/v1/me",
        headers=person.headers,
        json={"full_name": "New Name", "metadata": {"team": "blue"}, "username": "newname"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["full_name"] == "New Name"
    assert changed.json()["metadata"] == {"team": "blue"}
    other = await signed_up(client)
    clash = await client.patch("/v1/me", headers=other.headers, json={"username": "NEWNAME"})
    assert clash.status_code == 409
    cannot = await client.patch("/v1/me", headers=other.headers, json={"email": "x@example.com"})
    assert cannot.status_code == 422  # e-mail changes go through the confirmed flow


async def test_me_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    forged = await client.get("/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert forged.status_code == 401


async def test_change_password_ends_other_sessions(client: httpx.AsyncClient) -> None:
    person = await register(client)
    earlier = clock.OffsetClock()
    earlier.advance(seconds=-10)
    with clock.use(earlier):  # a session opened a little while ago, on another device
        other_device = await login(client, Person(person.email, person.password, person.id))
    await login(client, person)

    wrong = await client.post(
        "/v1/me/password",
        headers=person.headers,
        json={"old_password": "not my password", "password": "another long passphrase 42"},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "old_password"
    weak = await client.post(
        "/v1/me/password",
        headers=person.headers,
        json={"old_password": PASSWORD, "password": "12345678"},
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"

    ok = await client.post(
        "/v1/me/password",
        headers=person.headers,
        json={"old_password": PASSWORD, "password": "another long passphrase 42"},
    )
    assert ok.status_code == 200, ok.text
    assert (await client.get("/v1/me", headers=other_device.headers)).status_code == 401
    refreshed = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": other_device.refresh_token},
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    assert (await token(client, person.email, PASSWORD)).status_code == 400
    person.password = "another long passphrase 42"
    await login(client, person)
    assert (await client.get("/v1/me", headers=person.headers)).status_code == 200


async def test_passwords_are_argon2id_and_rehashed_when_parameters_change(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    person = await register(client)

    async def stored_hash() -> str:
        async with unit_of_work(runtime.database, write=False) as s:
            return str(
                await s.scalar(
                    select(Account.password_hash).where(Account.email_normalized == person.email)
                )
            )

    first = await stored_hash()
    assert first.startswith("$argon2id$") and "t=1" in first
    settings = runtime.settings
    settings.argon2_time_cost = 2
    try:
        await login(client, person)
    finally:
        settings.argon2_time_cost = 1
    upgraded = await stored_hash()
    assert upgraded != first and "t=2" in upgraded
