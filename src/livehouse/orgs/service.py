"""Organisations: creation and lookup, team membership, customers — and `authorize`, the one
place that decides whether a principal may act on an organisation's data.

Tenant rule: an app's credentials (client token, API key) reach only their own organisation; a
user reaches an organisation only as an enabled team member whose role (or custom scopes) allow
the action, and only with a token whose scopes allow it too. A user token issued through one
organisation's app is confined to that organisation. Outsiders get 404, not 403, so the
existence of another tenant's data is not revealed.

Master/follower: where organisation M is the active master of F, M's team and M's credentials
also reach F, holding there what they hold in M intersected with the relation's scopes (and
still bounded by their token). One hop only: a master is never itself a follower.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from slugify import slugify
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import realtime
from livehouse.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from livehouse.identity import scopes as scope_catalogue
from livehouse.identity.auth import Principal, require_scopes
from livehouse.identity.models import Account
from livehouse.orgs.models import Customer, Membership, Organisation, Relation


async def org_public_id(session: AsyncSession, org_id: int) -> uuid.UUID | None:
    return await session.scalar(select(Organisation.public_id).where(Organisation.id == org_id))


async def org_public_ids(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, uuid.UUID]:
    """Public ids of several organisations, one query (those that exist)."""
    wanted = set(org_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Organisation.id, Organisation.public_id).where(Organisation.id.in_(wanted))
    )
    return {org_id: public_id for org_id, public_id in rows}


async def org_internal_id(session: AsyncSession, public_id: uuid.UUID) -> int | None:
    return await session.scalar(select(Organisation.id).where(Organisation.public_id == public_id))


async def get_org(session: AsyncSession, public_id: uuid.UUID) -> Organisation:
    org = await session.scalar(select(Organisation).where(Organisation.public_id == public_id))
    if org is None:
        raise NotFound("No such organisation")
    return org


async def _unique_slug(session: AsyncSession, wanted: str) -> str:
    base = slugify(wanted, max_length=90) or "org"
    taken = set(
        (
            await session.scalars(
                select(Organisation.slug).where(Organisation.slug.like(f"{base}%"))
            )
        ).all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def create_org(
    session: AsyncSession,
    owner_account_id: int | None,
    *,
    name: str,
    slug: str | None = None,
    **fields: Any,
) -> Organisation:
    if slug is not None:
        clean = slugify(slug, max_length=90)
        if clean != slug:
            raise ValidationFailed.field("slug", "Use lowercase letters, digits and hyphens")
        if await session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
            raise Conflict("That slug is taken", extra={"field": "slug"})
    org = Organisation(name=name, slug=slug or await _unique_slug(session, name), **fields)
    session.add(org)
    await session.flush()
    if owner_account_id is not None:  # None: a master's app creates it; an invited owner joins
        session.add(Membership(org_id=org.id, account_id=owner_account_id, role="owner"))
        await session.flush()
    return org


def effective_scopes(membership: Membership) -> frozenset[str]:
    role_scopes = scope_catalogue.role_scopes(membership.role)
    if membership.role == "owner" or membership.scopes is None:
        return role_scopes  # owners cannot be narrowed: someone must be able to fix things
    return frozenset(membership.scopes)


async def membership_of(session: AsyncSession, org_id: int, account_id: int) -> Membership | None:
    return await session.scalar(
        select(Membership).where(Membership.org_id == org_id, Membership.account_id == account_id)
    )


async def is_platform_admin(session: AsyncSession, account_id: int) -> bool:
    return bool(
        await session.scalar(select(Account.is_platform_admin).where(Account.id == account_id))
    )


scope_catalogue.register(
    "org.relations",
    "Link master and follower organisations and agree to what a master may do",
    roles=("owner",),
)


async def active_master(session: AsyncSession, follower_org_id: int) -> Relation | None:
    return await session.scalar(
        select(Relation).where(
            Relation.follower_org_id == follower_org_id, Relation.status == "active"
        )
    )


async def held_scopes(
    session: AsyncSession, principal: Principal, org_id: int, wanted: str | None = None
) -> frozenset[str] | None:
    """The organisation scopes `principal` holds on `org_id` (before its token's scopes are
    applied), or None when it has no standing there at all. With `wanted`, stops looking once
    a direct right already includes it."""
    if principal.kind in ("client", "api_key"):
        if principal.org_id is None:
            return None
        if principal.org_id == org_id:
            return principal.scopes
        relation = await active_master(session, org_id)
        if relation is not None and relation.master_org_id == principal.org_id:
            return principal.scopes & frozenset(relation.scopes)
        return None
    assert principal.account_id is not None
    held: frozenset[str] | None = None
    if principal.org_id in (None, org_id):  # an app's user token stays in its org…
        direct = await membership_of(session, org_id, principal.account_id)
        if direct is not None and direct.enabled:
            held = effective_scopes(direct)
            if wanted is not None and wanted in held:
                return held
    relation = await active_master(session, org_id)
    if relation is not None and principal.org_id in (None, relation.master_org_id):
        # …or reaches its org's followers
        upstream = await membership_of(session, relation.master_org_id, principal.account_id)
        if upstream is not None and upstream.enabled:
            inherited = effective_scopes(upstream) & frozenset(relation.scopes)
            held = inherited if held is None else held | inherited
            if wanted is not None and wanted in held:
                return held
    if principal.org_id in (None, org_id) and await is_platform_admin(
        session, principal.account_id
    ):
        held = scope_catalogue.all_scopes()
    return held


async def authorize(
    session: AsyncSession, principal: Principal, org: Organisation | int, scope: str
) -> None:
    """Raise unless `principal` may perform `scope` on organisation `org` (see module doc)."""
    org_id = org if isinstance(org, int) else org.id
    held = await held_scopes(session, principal, org_id, scope)
    if held is None:
        raise NotFound("No such organisation")
    require_scopes(principal, scope)
    if scope not in held:
        raise Forbidden(f"Your role in this organisation does not allow {scope}")


async def is_insider(session: AsyncSession, principal: Principal | None, org_id: int) -> bool:
    """May `principal` see the organisation's private side (team, masters, platform admins)?"""
    if principal is None:
        return False
    held = await held_scopes(session, principal, org_id, "org.read")
    return held is not None and "org.read" in held


async def check_can_grant(
    session: AsyncSession,
    principal: Principal,
    org_id: int,
    role: str,
    scopes: list[str] | None,
) -> None:
    """Nobody hands out more than they hold: only owners make owners (or change them), and
    everyone else grants only a role (or custom scopes) they hold themselves."""
    if role not in scope_catalogue.ROLES:
        raise ValidationFailed.field("role", f"Must be one of {', '.join(scope_catalogue.ROLES)}")
    check_member_scopes(role, scopes)
    if principal.account_id is not None and principal.kind == "user":
        acting = await membership_of(session, org_id, principal.account_id)
        if acting is not None and acting.enabled and acting.role == "owner":
            return
    if role == "owner":
        raise Forbidden("Only an owner can change an owner or make one")
    granted = frozenset(scopes) if scopes is not None else scope_catalogue.role_scopes(role)
    above = sorted(granted - (await held_scopes(session, principal, org_id) or frozenset()))
    if above:
        raise ValidationFailed.field(
            "scopes" if scopes is not None else "role",
            f"You cannot grant scopes you do not hold: {', '.join(above)}",
        )


async def authorized_org(
    session: AsyncSession, principal: Principal, public_id: uuid.UUID, scope: str
) -> Organisation:
    org = await get_org(session, public_id)
    await authorize(session, principal, org, scope)
    return org


async def orgs_of(
    session: AsyncSession, account_id: int
) -> Sequence[tuple[Organisation, Membership]]:
    rows = await session.execute(
        select(Organisation, Membership)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Membership.account_id == account_id)
        .order_by(Organisation.id)
    )
    return [(org, membership) for org, membership in rows]


async def add_member(
    session: AsyncSession,
    org: Organisation,
    account_id: int,
    role: str,
    scopes: list[str] | None = None,
) -> Membership:
    if role not in scope_catalogue.ROLES:
        raise ValidationFailed.field("role", f"Must be one of {', '.join(scope_catalogue.ROLES)}")
    check_member_scopes(role, scopes)
    membership = Membership(org_id=org.id, account_id=account_id, role=role, scopes=scopes)
    try:
        async with session.begin_nested():
            session.add(membership)
    except IntegrityError as exc:
        raise Conflict("That account is already on the team") from exc
    return membership


def check_member_scopes(role: str, scopes: list[str] | None) -> None:
    if scopes is None:
        return
    unknown = scope_catalogue.unknown(set(scopes))
    if unknown:
        raise ValidationFailed.field("scopes", f"Unknown scopes: {', '.join(unknown)}")
    ceiling = scope_catalogue.role_scopes(role)
    above = sorted(set(scopes) - ceiling)
    if above:
        raise ValidationFailed.field("scopes", f"A {role} cannot hold {', '.join(above)}")


async def owner_count(session: AsyncSession, org_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.org_id == org_id, Membership.role == "owner", Membership.enabled)
        )
        or 0
    )


async def register_customer(
    session: AsyncSession,
    org_id: int,
    account_id: int,
    fields: dict[str, Any] | None = None,
    source: str = "register",
) -> Customer:
    """Make `account` a registered user of `org` (idempotent), checking the answers to the
    organisation's registration fields. A sign-up (`source="register"`) must also answer the
    required ones and pass the organisation's age check; a 422 names `fields.<name>` or
    `date_of_birth`, and the caller's transaction rolls back, so nothing is created."""
    from livehouse.orgs import registration

    existing = await customer_of(session, org_id, account_id)
    signing_up = source == "register" and existing is None
    answers = await registration.check_answers(session, org_id, fields or {}, complete=signing_up)
    if signing_up:
        await registration.check_age(session, org_id, account_id)
    if existing is not None:
        if answers:
            existing.fields = {**existing.fields, **answers}
        return existing
    customer = Customer(org_id=org_id, account_id=account_id, fields=answers, source=source)
    session.add(customer)
    await session.flush()
    return customer


def like_pattern(text: str) -> str:
    """`%text%` for a case-insensitive LIKE on lower-cased columns (use with escape="\\")."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def customer_of(session: AsyncSession, org_id: int, account_id: int) -> Customer | None:
    """`account`'s customer record with `org`, if it is one of the organisation's customers."""
    return await session.scalar(
        select(Customer).where(Customer.org_id == org_id, Customer.account_id == account_id)
    )


async def customers_of_account(
    session: AsyncSession, account_id: int
) -> Sequence[tuple[Organisation, Customer]]:
    """Every organisation the account is a customer of, with the record."""
    rows = await session.execute(
        select(Organisation, Customer)
        .join(Customer, Customer.org_id == Organisation.id)
        .where(Customer.account_id == account_id)
        .order_by(Customer.id)
    )
    return [(org, customer) for org, customer in rows]


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Schema objects → the JSON kept in the row (links and addresses as plain dicts)."""
    out = dict(fields)
    for key in ("links", "addresses"):
        if out.get(key) is not None:
            out[key] = [
                item.model_dump(exclude_none=True) if hasattr(item, "model_dump") else item
                for item in out[key]
            ]
    return out


async def update_org(org: Organisation, changes: dict[str, Any]) -> Organisation:
    for field, value in clean_fields(changes).items():
        if field in {"name", "currency", "timezone"} and value is None:
            raise ValidationFailed.field(field, "Cannot be empty")
        setattr(org, field, value)
    return org


async def members(session: AsyncSession, org_id: int) -> Sequence[tuple[Membership, Account]]:
    rows = await session.execute(
        select(Membership, Account)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.org_id == org_id)
        .order_by(Membership.id)
    )
    return list(rows)


async def get_member(
    session: AsyncSession, org_id: int, public_id: uuid.UUID
) -> tuple[Membership, Account]:
    row = (
        await session.execute(
            select(Membership, Account)
            .join(Account, Account.id == Membership.account_id)
            .where(Membership.org_id == org_id, Membership.public_id == public_id)
        )
    ).first()
    if row is None:
        raise NotFound("No such team member")
    return row


async def change_member(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    membership: Membership,
    changes: dict[str, Any],
) -> Membership:
    """Role, scopes, enabled. Only owners make or unmake owners; the last owner stays; nobody
    grants more than they hold (`check_can_grant`)."""
    new_role = changes.get("role") or membership.role
    if "owner" in (membership.role, new_role):
        await check_can_grant(session, principal, org.id, "owner", None)
    demoting = new_role != "owner" or changes.get("enabled") is False
    if membership.role == "owner" and demoting and await owner_count(session, org.id) <= 1:
        raise Conflict("The organisation's last owner cannot be demoted or disabled")
    if ("role" in changes and changes["role"] is not None) or "scopes" in changes:
        new_scopes = changes.get("scopes", membership.scopes)
        await check_can_grant(session, principal, org.id, new_role, new_scopes)
        membership.role, membership.scopes = new_role, new_scopes
    if changes.get("enabled") is not None:
        membership.enabled = changes["enabled"]
    await _recheck_member_channels(session, membership)
    return membership


async def remove_member(
    session: AsyncSession, principal: Principal, org: Organisation, membership: Membership
) -> None:
    if membership.role == "owner":
        await change_member(session, principal, org, membership, {"enabled": False})
    await session.delete(membership)
    await _recheck_member_channels(session, membership)


async def _recheck_member_channels(session: AsyncSession, membership: Membership) -> None:
    """What a member may subscribe to follows their role and scopes: after a change, their open
    private and presence subscriptions are re-authorised at once, on every node."""
    account = await session.get(Account, membership.account_id)
    if account is not None:
        realtime.recheck_after_commit(session, accounts=[account.public_id])
