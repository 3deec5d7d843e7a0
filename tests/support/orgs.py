"""Helpers for organisation tests: invitations through the real e-mail, API keys, direct
database touches for what has no API (platform admins, account status)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import update

from livehouse.core.db import unit_of_work
from livehouse.identity.models import Account
from tests.support.auth import Person
from tests.support.messages import Mailbox, text_of

LINK = re.compile(r"/invitations/([0-9a-f-]{36})\?org=([0-9a-f-]{36})&token=([A-Za-z0-9_-]+)")


async def invite(
    client: httpx.AsyncClient,
    inviter: Person | dict[str, str],
    org_id: str,
    email: str,
    **extra: Any,
) -> httpx.Response:
    headers = inviter.headers if isinstance(inviter, Person) else inviter
    return await client.post(
        f"/v1/orgs/{org_id}/invitations", json={"email": email, **extra}, headers=headers
    )


async def invitation_link(
    mailbox: Mailbox, runtime: Any, email: str, count: int = 1
) -> tuple[str, str, str]:
    """(invitation id, organisation id, token) from the `count`-th invitation e-mail to `email`."""
    message = await mailbox.wait_for(runtime, to=email, subject="invited to join", count=count)
    match = LINK.search(text_of(message))
    assert match, text_of(message)
    return match[1], match[2], match[3]


async def accept(
    client: httpx.AsyncClient, person: Person, org_id: str, invitation_id: str, token: str
) -> httpx.Response:
    return await client.post(
        f"/v1/orgs/{org_id}/invitations/{invitation_id}/accept",
        json={"token": token},
        headers=person.headers,
    )


async def join(
    client: httpx.AsyncClient,
    runtime: Any,
    mailbox: Mailbox,
    inviter: Person,
    org_id: str,
    person: Person,
    role: str = "member",
    scopes: list[str] | None = None,
) -> dict[str, Any]:
    """Invite `person` and accept as them; returns the new team member."""
    sent = await invite(client, inviter, org_id, person.email, role=role, scopes=scopes)
    assert sent.status_code == 201, sent.text
    invitation_id, _, token = await invitation_link(mailbox, runtime, person.email)
    accepted = await accept(client, person, org_id, invitation_id, token)
    assert accepted.status_code == 200, accepted.text
    return accepted.json()  # type: ignore[no-any-return]


async def api_key(
    client: httpx.AsyncClient, owner: Person, org_id: str, scopes: list[str]
) -> dict[str, str]:
    created = await client.post(
        f"/v1/orgs/{org_id}/api-keys", headers=owner.headers, json={"name": "k", "scopes": scopes}
    )
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


async def client_token(client: httpx.AsyncClient, app: dict[str, Any]) -> dict[str, str]:
    response = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def set_account(runtime: Any, person: Person, **values: Any) -> None:
    """Change an account where no API does (platform admin flag, status)."""
    async with unit_of_work(runtime.database) as session:
        await session.execute(
            update(Account).where(Account.public_id == uuid.UUID(person.id)).values(**values)
        )
