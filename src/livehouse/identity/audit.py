"""The security audit log (AuditEvent): who did what to whose account, in which organisation,
in which request. Rows hold internal ids and non-personal details only, so they can outlive an
erased account without keeping its personal data.

Written in the request's own transaction: an event is recorded exactly when its change commits.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.logging import request_id_var
from livehouse.identity.models import Account, AuditEvent

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None = None,
    subject_id: int | None = None,
    org_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_account_id=actor_id,
        subject_account_id=subject_id,
        org_id=org_id,
        request_id=request_id_var.get(),
        detail=detail or {},
    )
    session.add(event)
    return event


def record_acting_request(
    session: AsyncSession,
    *,
    actor_id: int,
    subject_id: int,
    org_id: int | None,
    method: str,
    path: str,
) -> None:
    """Every unsafe request made with an impersonation (`act`) token leaves a trace."""
    if method.upper() in SAFE_METHODS:
        return
    record(
        session,
        "impersonation.request",
        actor_id=actor_id,
        subject_id=subject_id,
        org_id=org_id,
        detail={"method": method.upper(), "path": path},
    )


async def people_in(session: AsyncSession, events: list[AuditEvent]) -> dict[int, uuid.UUID]:
    """Public ids of the accounts named by `events` (actor or subject), by internal id."""
    ids = {i for e in events for i in (e.actor_account_id, e.subject_account_id) if i is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Account.id, Account.public_id).where(Account.id.in_(ids)))
    return {row.id: row.public_id for row in rows}


async def about_account(session: AsyncSession, account_id: int) -> list[AuditEvent]:
    """Events where the account acted or was acted upon (for its data export)."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.subject_account_id == account_id,
                AuditEvent.actor_account_id == account_id,
            )
        )
        .order_by(AuditEvent.id)
    )
    return list(rows)
