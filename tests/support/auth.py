"""Helpers that drive identity and orgs through the HTTP API, as a client app would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


def unique_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


@dataclass
class Person:
    email: str
    password: str
    id: str
    access_token: str = ""
    refresh_token: str = ""
    orgs: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def register(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD, **extra: Any
) -> Person:
    email = email or unique_email()
    response = await client.post(
        "/v1/accounts", json={"email": email, "password": password, **extra}
    )
    assert response.status_code == 201, response.text
    return Person(email=email, password=password, id=response.json()["id"])


async def token(
    client: httpx.AsyncClient, username: str, password: str, **form: str
) -> httpx.Response:
    return await client.post(
        "/v1/oauth/token",
        data={"grant_type": "password", "username": username, "password": password, **form},
    )


async def login(client: httpx.AsyncClient, person: Person, **form: str) -> Person:
    response = await token(client, person.email, person.password, **form)
    assert response.status_code == 200, response.text
    body = response.json()
    person.access_token, person.refresh_token = body["access_token"], body["refresh_token"]
    return person


async def signed_up(client: httpx.AsyncClient, tag: str = "user", **extra: Any) -> Person:
    return await login(client, await register(client, unique_email(tag), **extra))


async def create_org(
    client: httpx.AsyncClient, owner: Person, name: str = "Acme Live", **fields: Any
) -> dict[str, Any]:
    response = await client.post("/v1/orgs", json={"name": name, **fields}, headers=owner.headers)
    assert response.status_code == 201, response.text
    org = response.json()
    owner.orgs[name] = org["id"]
    return org


async def create_app(
    client: httpx.AsyncClient, owner: Person, org_id: str, **fields: Any
) -> dict[str, Any]:
    body = {
        "name": "App",
        "grant_types": ["password", "refresh_token", "client_credentials"],
        **fields,
    }
    response = await client.post(f"/v1/orgs/{org_id}/apps", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_member(
    runtime: Any, org_id: str, person: Person, role: str, scopes: list[str] | None = None
) -> None:
    """Put `person` on the team directly (the invitation flow is tested on its own)."""
    from livehouse.core.db import unit_of_work
    from livehouse.identity.service import get_account
    from livehouse.orgs import service as orgs

    async with unit_of_work(runtime.database) as session:
        org = await orgs.get_org(session, uuid.UUID(org_id))
        account = await get_account(session, uuid.UUID(person.id))
        await orgs.add_member(session, org, account.id, role, scopes)


async def make_platform_admin(runtime: Any, person: Person) -> None:
    """No API makes platform administrators (the CLI does): set the flag directly."""
    from sqlalchemy import update

    from livehouse.core.db import unit_of_work
    from livehouse.identity.models import Account

    async with unit_of_work(runtime.database) as session:
        await session.execute(
            update(Account)
            .where(Account.public_id == uuid.UUID(person.id))
            .values(is_platform_admin=True)
        )
