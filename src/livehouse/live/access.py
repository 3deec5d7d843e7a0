"""Who runs a show: the live scopes and the team checks. Organisation rights come only from
`orgs.service.authorize` (through `events.access`).

- **Hosts** are the event organisation's team members (or its apps and API keys, for the
  studio routes) holding `live.host`: they start and stop shows, set up guest categories,
  banners and brand, answer video chats and special requests, upgrade guests, and get RTC
  publisher tokens for the show's room. Accepted speakers of an event are not hosts by being
  speakers: put the performer on the team (the demo does).
- **Moderators** hold `live.moderate`: hide comments, delete others' comments, ban and unban,
  slow mode.
- **Viewers** are people with a valid ticket for the show (see `audience.py`); `live.join` is
  the personal scope apps need to comment, request and enter for them.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Forbidden, NotFound
from livehouse.events import access as event_access
from livehouse.events.models import Event
from livehouse.identity import scopes
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account

HOST, MODERATE, JOIN = "live.host", "live.moderate", "live.join"

scopes.register(
    HOST,
    "Run live shows: start and stop them, studio guest categories, banners, brand, video chats",
    roles=scopes.ALL,
)
scopes.register(
    MODERATE, "Moderate live chats: hide and delete comments, ban, slow mode", roles=scopes.ALL
)
scopes.register(
    JOIN, "Take part in live shows: comment, enter, ask for video chats and requests", personal=True
)


async def may(session: AsyncSession, principal: Principal | None, org_id: int, scope: str) -> bool:
    return await event_access.may(session, principal, org_id, scope)


async def hosted_event(
    session: AsyncSession, principal: Principal, event_public_id: uuid.UUID, *, lock: bool = False
) -> Event:
    """The event, if `principal` is one of its hosts (404 to outsiders, 403 to the team
    without the scope)."""
    return await event_access.managed_event(session, principal, event_public_id, HOST, lock=lock)


async def moderated_event(
    session: AsyncSession, principal: Principal, event_public_id: uuid.UUID
) -> Event:
    return await event_access.managed_event(
        session, principal, event_public_id, MODERATE, lock=False
    )


def as_person(account: Account) -> Principal:
    """The account as if it asked itself (its role decides, not a token): for questions about
    someone else, e.g. "may the entertainer a fan names host this event?"."""
    return Principal(
        kind="user",
        scopes=scopes.all_scopes(),
        account_id=account.id,
        account_public_id=account.public_id,
    )


async def account_hosts(session: AsyncSession, account: Account, org_id: int) -> bool:
    return await may(session, as_person(account), org_id, HOST)


def require_person(principal: Principal) -> int:
    """The account id of a person (apps and API keys do not watch, comment or request)."""
    if not principal.is_user or principal.account_id is None:
        raise Forbidden("This acts for a person; use a user's access token")
    return principal.account_id


def not_found(what: str) -> NotFound:
    return NotFound(f"No such {what}")
