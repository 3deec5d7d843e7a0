"""Helpers for the identity flow tests: reading codes and links out of what was sent."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import select

from livehouse.core.db import unit_of_work
from livehouse.identity.models import Account
from tests.support.messages import Mailbox, code_in, text_of
from tests.support.outbox import drain_outbox

# The machine running the suite may be busy; waiting longer only delays a failure report.
PATIENCE = 30.0


def token_in(text: str) -> str:
    match = re.search(r"token=([A-Za-z0-9_\-]+)", text)
    assert match, f"no link token in: {text!r}"
    return match.group(1)


async def mail_text(mailbox: Mailbox, runtime: Any, to: str, subject: str, count: int = 1) -> str:
    message = await mailbox.wait_for(runtime, to=to, subject=subject, count=count, timeout=PATIENCE)
    return text_of(message)


async def code_mailed(mailbox: Mailbox, runtime: Any, to: str, subject: str, count: int = 1) -> str:
    return code_in(await mail_text(mailbox, runtime, to, subject, count))


async def nothing_mailed_to(mailbox: Mailbox, runtime: Any, to: str) -> bool:
    await drain_outbox(runtime)
    return mailbox.to(to) == []


async def account_row(runtime: Any, account_id: str) -> Account:
    async with unit_of_work(runtime.database, write=False) as session:
        account = await session.scalar(
            select(Account).where(Account.public_id == uuid.UUID(account_id))
        )
        assert account is not None
        return account


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def field_of(response: httpx.Response) -> str:
    """The field a 422 names."""
    assert response.status_code == 422, response.text
    return str(response.json()["errors"][0]["field"])
