"""GDPR: export everything about an account; erase it.

Each capability contributes its part through a registry, in a `gdpr.py` module of its package
(found through `capabilities.load_gdpr`):

    register_exporter("orders", export_orders)   # async (session, account) -> JSON-able
    register_eraser("orders", erase_orders)      # async (session, account, org_id) -> None

An eraser removes or pseudonymises the capability's personal data about the account (financial
records stay, pointing at the pseudonymous account). `org_id=None` means the whole account is
being erased; an organisation id means only that organisation's data about the person (a merchant
erasing a customer who also deals with others). An eraser may refuse by raising a Problem (e.g.
the last owner of an organisation): the whole erasure then changes nothing.

Identity's own part: the account row is kept (ids stay valid for ledgers) with every personal
field cleared, status "erased" and no e-mail (the address can register again); social
identities, codes and sessions are deleted and every token revoked.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Forbidden, NotFound
from livehouse.identity import audit, service
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account, OneTimeCode, RefreshToken, SocialIdentity
from livehouse.notify import delivery
from livehouse.orgs import service as orgs
from livehouse.orgs.models import Organisation

Exporter = Callable[[AsyncSession, Account], Awaitable[Any]]
Eraser = Callable[[AsyncSession, Account, int | None], Awaitable[None]]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}
_loaded = False
ARCHIVE_FORMAT = "livehouse-export/1"
RESERVED = frozenset({"format", "exported_at", "account", "social_identities", "sessions"})


def register_exporter(name: str, fn: Exporter) -> None:
    """`fn(session, account)` returns this capability's data about the account (JSON-able);
    it appears in the archive under `name`."""
    if name in RESERVED:
        raise ValueError(f"{name!r} is a reserved section of the archive")
    _exporters[name] = fn


def register_eraser(name: str, fn: Eraser) -> None:
    _erasers[name] = fn


def _contributors() -> None:
    global _loaded
    if not _loaded:
        from livehouse import capabilities

        capabilities.load_gdpr()
        _loaded = True


# ---- export -----------------------------------------------------------------------------------


def _account_data(account: Account) -> dict[str, Any]:
    return {
        "id": account.public_id,
        "email": account.email,
        "email_verified_at": account.email_verified_at,
        "username": account.username,
        "phone": account.phone,
        "phone_verified_at": account.phone_verified_at,
        "full_name": account.full_name,
        "date_of_birth": account.date_of_birth,
        "locale": account.locale,
        "metadata": account.metadata_ or {},
        "status": account.status,
        "has_password": account.password_hash is not None,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
        "last_login_at": account.last_login_at,
        "deactivated_at": account.deactivated_at,
    }


async def _identity_sections(session: AsyncSession, account: Account) -> dict[str, Any]:
    identities = await session.scalars(
        select(SocialIdentity).where(SocialIdentity.account_id == account.id)
    )
    sessions = await session.scalars(
        select(RefreshToken).where(RefreshToken.account_id == account.id).order_by(RefreshToken.id)
    )
    events = await audit.about_account(session, account.id)
    ids = await audit.people_in(session, events)
    org_ids = {e.org_id for e in events if e.org_id is not None}
    orgs_by_id = await orgs.org_public_ids(session, org_ids)
    return {
        "account": _account_data(account),
        "social_identities": [
            {"provider": i.provider, "subject": i.subject, "email": i.email, "since": i.created_at}
            for i in identities
        ],
        "sessions": [
            {
                "issued_at": t.issued_at,
                "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
                "user_agent": t.user_agent,
                "impersonated": t.actor_account_id is not None,
            }
            for t in sessions
        ],
        "audit_events": [
            {
                "at": e.at,
                "action": e.action,
                "actor": ids.get(e.actor_account_id) if e.actor_account_id else None,
                "subject": ids.get(e.subject_account_id) if e.subject_account_id else None,
                "organisation": orgs_by_id.get(e.org_id) if e.org_id else None,
                "request_id": e.request_id,
                "detail": e.detail,
            }
            for e in events
        ],
    }


async def export(session: AsyncSession, account: Account) -> dict[str, Any]:
    """The whole archive: identity's sections, then every registered capability's."""
    _contributors()
    archive: dict[str, Any] = {"format": ARCHIVE_FORMAT, "exported_at": clock.now()}
    archive |= await _identity_sections(session, account)
    for name, fn in _exporters.items():
        archive[name] = await fn(session, account)
    return archive


async def export_own(
    session: AsyncSession, account: Account, password: str, ip: str
) -> dict[str, Any]:
    """The signed-in person's archive (password confirmed); they are told by e-mail."""
    await service.confirm_password(session, account, password, ip)
    archive = await export(session, account)
    audit.record(session, "account.exported", actor_id=account.id, subject_id=account.id)
    if account.email:
        delivery.email(
            session,
            to=account.email,
            subject="Your data was exported",
            text=(
                "A copy of everything we hold about your account was just downloaded. "
                "If this was not you, change your password now."
            ),
        )
    return archive


# ---- erase ------------------------------------------------------------------------------------


async def _erase_identity(session: AsyncSession, account: Account) -> None:
    for table in (SocialIdentity, OneTimeCode):
        await session.execute(delete(table).where(table.account_id == account.id))
    await service.end_sessions(session, account)
    await session.execute(delete(RefreshToken).where(RefreshToken.account_id == account.id))
    for field in (
        "email",
        "email_normalized",
        "email_verified_at",
        "username",
        "username_normalized",
        "phone",
        "phone_verified_at",
        "full_name",
        "date_of_birth",
        "password_hash",
        "locale",
        "last_login_at",
        "deactivated_at",
    ):
        setattr(account, field, None)
    account.metadata_ = {}
    account.status = "erased"
    account.erased_at = clock.now()


async def erase(
    session: AsyncSession, account: Account, *, actor_id: int, org_id: int | None = None
) -> None:
    """Erase the whole account: every capability's eraser, then identity's own data."""
    _contributors()
    for fn in _erasers.values():
        await fn(session, account, None)
    address = account.email
    await _erase_identity(session, account)
    audit.record(session, "account.erased", actor_id=actor_id, subject_id=account.id, org_id=org_id)
    if address:
        delivery.email(
            session,
            to=address,
            subject="Your account has been erased",
            text="Your account and the personal data in it have been erased, as requested.",
        )


async def erase_own(session: AsyncSession, account: Account, password: str, ip: str) -> None:
    await service.confirm_password(session, account, password, ip)
    await erase(session, account, actor_id=account.id)


async def erase_customer(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    account_id: uuid.UUID,
    password: str,
    ip: str,
) -> str:
    """A merchant erases a customer (InPlayer): the whole account when the person deals with
    this organisation only ("account"), otherwise only this organisation's data about them
    ("organisation") — an account is the person's, shared by every organisation they use."""
    if principal.account_id is None:
        raise Forbidden("Erasing a customer needs a person's token (and their password)")
    admin = await session.get(Account, principal.account_id)
    assert admin is not None
    await service.confirm_password(session, admin, password, ip)
    try:
        subject = await service.get_account(session, account_id)
    except NotFound as exc:
        raise NotFound("No such customer") from exc
    if await orgs.customer_of(session, org.id, subject.id) is None:
        raise NotFound("No such customer")
    if subject.id == admin.id:
        raise Forbidden("Erase your own account from your account settings")
    elsewhere = [
        o for o, _ in await orgs.customers_of_account(session, subject.id) if o.id != org.id
    ]
    teams = await orgs.orgs_of(session, subject.id)
    if not elsewhere and not teams and not subject.is_platform_admin:
        await erase(session, subject, actor_id=admin.id, org_id=org.id)
        return "account"
    _contributors()
    for fn in _erasers.values():
        await fn(session, subject, org.id)
    audit.record(
        session, "customer.erased", actor_id=admin.id, subject_id=subject.id, org_id=org.id
    )
    return "organisation"
