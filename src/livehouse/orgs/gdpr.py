"""Organisations' part of a person's data export and erasure (see identity/gdpr.py): team
memberships and customer records with the answers to custom registration fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Conflict
from livehouse.identity.gdpr import register_eraser, register_exporter
from livehouse.identity.models import Account
from livehouse.orgs import service
from livehouse.orgs.models import Customer, Membership


async def export(session: AsyncSession, account: Account) -> dict[str, Any]:
    return {
        "memberships": [
            {
                "organisation": {"id": org.public_id, "name": org.name},
                "role": m.role,
                "enabled": m.enabled,
                "since": m.created_at,
            }
            for org, m in await service.orgs_of(session, account.id)
        ],
        "customer_records": [
            {
                "organisation": {"id": org.public_id, "name": org.name},
                "fields": c.fields,
                "source": c.source,
                "since": c.created_at,
            }
            for org, c in await service.customers_of_account(session, account.id)
        ],
    }


async def erase(session: AsyncSession, account: Account, org_id: int | None) -> None:
    if org_id is not None:  # one organisation forgets its customer
        await session.execute(
            delete(Customer).where(Customer.org_id == org_id, Customer.account_id == account.id)
        )
        return
    for org, m in await service.orgs_of(session, account.id):
        if m.role == "owner" and m.enabled and await service.owner_count(session, org.id) <= 1:
            raise Conflict(
                f"You are the last owner of {org.name}; make someone else an owner first"
            )
    await session.execute(delete(Membership).where(Membership.account_id == account.id))
    # Customer rows stay (orders and tickets point at the relation), their answers do not.
    for _, customer in await service.customers_of_account(session, account.id):
        customer.fields = {}


register_exporter("organisations", export)
register_eraser("organisations", erase)
