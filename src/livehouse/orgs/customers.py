"""An organisation's registered users (InPlayer registered-users) and customer accounts created
by the organisation (InPlayer v2 accounts/customers).

Erased accounts are not listed (GDPR). A customer created by the organisation gets an account
like any other, without a password unless one is given (they set it through password reset),
and an e-mail telling them so. Registration-field answers are checked as at sign-up, except that
required fields and the age check are the organisation's responsibility here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import NotFound
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.identity import service as identity
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.orgs import service
from livehouse.orgs.models import Customer, Organisation


async def list_page(
    session: AsyncSession, org_id: int, q: str | None, active: bool | None, page: PageParams
) -> tuple[list[tuple[Customer, Account]], str | None]:
    statement = (
        select(Customer)
        .join(Account, Account.id == Customer.account_id)
        .where(Customer.org_id == org_id, Account.status != "erased")
    )
    if q:
        pattern = service.like_pattern(q)
        statement = statement.where(
            or_(
                Account.email_normalized.like(pattern, escape="\\"),
                Account.username_normalized.like(pattern, escape="\\"),
                func.lower(Account.full_name).like(pattern, escape="\\"),
            )
        )
    if active is not None:
        statement = statement.where(
            Account.status == "active" if active else Account.status != "active"
        )
    rows, cursor = await paginate(
        session, statement, [OrderKey(Customer.id, descending=True)], page
    )
    return await _with_accounts(session, rows), cursor


async def _with_accounts(
    session: AsyncSession, customers: Sequence[Customer]
) -> list[tuple[Customer, Account]]:
    ids = [c.account_id for c in customers]
    accounts = {a.id: a for a in await session.scalars(select(Account).where(Account.id.in_(ids)))}
    return [(c, accounts[c.account_id]) for c in customers]


async def get(session: AsyncSession, org_id: int, public_id: uuid.UUID) -> tuple[Customer, Account]:
    row = (
        await session.execute(
            select(Customer, Account)
            .join(Account, Account.id == Customer.account_id)
            .where(
                Customer.org_id == org_id,
                Customer.public_id == public_id,
                Account.status != "erased",
            )
        )
    ).first()
    if row is None:
        raise NotFound("No such customer")
    return row[0], row[1]


async def create(
    session: AsyncSession,
    org: Organisation,
    *,
    email: str,
    full_name: str | None,
    password: str | None,
    fields: dict[str, Any] | None,
) -> tuple[Customer, Account]:
    account = await identity.register(session, email=email, password=password, full_name=full_name)
    customer = await service.register_customer(
        session, org.id, account.id, fields, source="merchant"
    )
    how = (
        "Sign in with the password you were given."
        if password
        else 'Choose a password with "forgot password" on the sign-in page to sign in.'
    )
    delivery.email(
        session,
        to=email,
        subject=f"{org.name} created an account for you",
        text=f"{org.name} created an account for you with this e-mail address.\n\n{how}\n",
    )
    return customer, account
