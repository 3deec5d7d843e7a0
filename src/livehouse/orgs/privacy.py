"""Privacy settings of an organisation (EventBookings' privacy_settings) and the rule every
read of its public profile follows.

Other capabilities ask `allows(session, org_id, action)`:

| action | true when |
| --- | --- |
| `profile` | the profile is not locked |
| `address` | not locked and addresses are not hidden |
| `reviews` | not locked and reviews are not hidden (events shows reviews) |
| `review_interactions` | reviews shown and their interactions not hidden from the public |
| `contact` | not locked and people may contact the organisation (profiles) |
| `follow` | not locked and people may follow the organisation (profiles) |

The team (and a master's team, and platform admins) always sees the whole profile:
`hidden_parts` is empty for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.identity.auth import Principal
from livehouse.orgs import service
from livehouse.orgs.models import Organisation, OrgSettings

LOCK = "lock_my_organisation_profile"
HIDE_ADDRESS = "hide_address_on_my_organisation_profile"
HIDE_REVIEWS = "hide_reviews_on_my_organisation_profile"
HIDE_REVIEW_INTERACTIONS = "hide_review_interactions_from_public"
ALLOW_CONTACT = "allow_people_to_contact_my_organisation"
ALLOW_FOLLOW = "allow_people_to_follow_my_organisation"

DEFAULTS: dict[str, bool] = {
    LOCK: False,
    HIDE_ADDRESS: False,
    HIDE_REVIEWS: False,
    HIDE_REVIEW_INTERACTIONS: False,
    ALLOW_CONTACT: True,
    ALLOW_FOLLOW: True,
}

Settings = dict[str, bool]
ACTIONS: dict[str, Callable[[Settings], bool]] = {
    "profile": lambda s: not s[LOCK],
    "address": lambda s: not s[LOCK] and not s[HIDE_ADDRESS],
    "reviews": lambda s: not s[LOCK] and not s[HIDE_REVIEWS],
    "review_interactions": lambda s: (
        not s[LOCK] and not s[HIDE_REVIEWS] and not s[HIDE_REVIEW_INTERACTIONS]
    ),
    "contact": lambda s: not s[LOCK] and s[ALLOW_CONTACT],
    "follow": lambda s: not s[LOCK] and s[ALLOW_FOLLOW],
}
ALIASES = {ALLOW_CONTACT: "contact", ALLOW_FOLLOW: "follow"}

# What a locked profile keeps from strangers: everything but who it is (name, image, slug) and
# what a buyer needs (currency, time zone, age limit).
LOCKED_PARTS = frozenset({"info", "email", "phone", "country", "links", "addresses"})


async def settings_row(session: AsyncSession, org_id: int, *, create: bool) -> OrgSettings | None:
    """The organisation's settings row, read once per unit of work — found or not (most
    organisations never write one, and a page asks several questions of it). Every read and
    write of the row goes through here, so the memo cannot go stale."""
    memo = _memo(session)
    if org_id in memo and (memo[org_id] is not None or not create):
        return memo[org_id]
    row = await session.get(OrgSettings, org_id)
    if row is None and create:
        try:
            async with session.begin_nested():
                row = OrgSettings(org_id=org_id, privacy={})
                session.add(row)
        except IntegrityError:  # created concurrently
            row = await session.get(OrgSettings, org_id, populate_existing=True)
    memo[org_id] = row
    return row


def _memo(session: AsyncSession) -> dict[int, OrgSettings | None]:
    memo: dict[int, OrgSettings | None] = session.info.setdefault("orgs.settings_rows", {})
    return memo


async def settings_rows(
    session: AsyncSession, org_ids: Iterable[int]
) -> dict[int, OrgSettings | None]:
    """Several organisations' settings rows in one query (a page of events from many
    organisations), into the memo `settings_row` reads: later questions about them are free."""
    memo = _memo(session)
    wanted = set(org_ids)
    missing = sorted(wanted - memo.keys())
    if missing:
        found = {
            row.org_id: row
            for row in await session.scalars(
                select(OrgSettings).where(OrgSettings.org_id.in_(missing))
            )
        }
        for org_id in missing:
            memo[org_id] = found.get(org_id)
    return {org_id: memo[org_id] for org_id in wanted}


async def settings_of(session: AsyncSession, org_id: int) -> Settings:
    row = await settings_row(session, org_id, create=False)
    stored = row.privacy if row is not None else {}
    return {name: bool(stored.get(name, default)) for name, default in DEFAULTS.items()}


async def update(session: AsyncSession, org_id: int, changes: Settings) -> Settings:
    row = await settings_row(session, org_id, create=True)
    assert row is not None
    row.privacy = {**row.privacy, **{k: bool(v) for k, v in changes.items() if k in DEFAULTS}}
    return await settings_of(session, org_id)


async def allows(session: AsyncSession, org_id: int | uuid.UUID, action: str) -> bool:
    """May the public do `action` with this organisation (see the module doc for actions)?"""
    check = ACTIONS.get(ALIASES.get(action, action))
    if check is None:
        raise ValueError(f"unknown privacy action {action!r}; one of {sorted(ACTIONS)}")
    if isinstance(org_id, uuid.UUID):
        internal = await service.org_internal_id(session, org_id)
        if internal is None:
            return False
        org_id = internal
    return check(await settings_of(session, org_id))


async def hidden_parts(
    session: AsyncSession, org: Organisation, viewer: Principal | None
) -> frozenset[str]:
    """Which parts of `org`'s profile `viewer` may not see."""
    if await service.is_insider(session, viewer, org.id):
        return frozenset()
    settings = await settings_of(session, org.id)
    if not ACTIONS["profile"](settings):
        return LOCKED_PARTS
    return frozenset() if ACTIONS["address"](settings) else frozenset({"addresses"})


# ---- extended status (platform moderation flags, kept on the same row) -------------------------

STATUS_FLAGS = ("muted", "locked", "verified", "transaction_on_hold")


async def extended_status(session: AsyncSession, org_ids: list[int]) -> dict[int, dict[str, bool]]:
    rows = await settings_rows(session, org_ids)
    return {
        org_id: {flag: bool(getattr(rows[org_id], flag, False)) for flag in STATUS_FLAGS}
        for org_id in org_ids
    }


async def set_extended_status(
    session: AsyncSession, org_id: int, changes: dict[str, bool]
) -> dict[str, bool]:
    row = await settings_row(session, org_id, create=True)
    assert row is not None
    for flag in STATUS_FLAGS:
        if changes.get(flag) is not None:
            setattr(row, flag, changes[flag])
    return (await extended_status(session, [org_id]))[org_id]
