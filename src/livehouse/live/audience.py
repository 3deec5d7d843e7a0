"""The audience of a show: who may watch, which perks they have, and what they do with them
(cheerful entry, special requests, upgrades) — and who may join the show's private and
presence channels.

- **Watching** needs a valid ticket (ticketing's `holdings`) for the live session's date, or —
  when no session is live or it has no date — for a date of the event still to come; the
  organisation's team (`event.read`) watches without one.
- **Perks** come from the guest category of the ticket's tier (`categories.of_tiers`), or from
  the category a host upgraded the viewer to for this live session. Hosts and moderators
  comment without a ticket; every other perk is a guest's.
- **Cheerful entry**: the first time a viewer enters a live session (`enter`), viewers whose
  category has it are announced on the audience channel (`cheerfulEntry`). Presence members
  carry `cheerful_entry` too, so clients can celebrate joins they see.
- **Special requests** count per viewer and live session with one conditional UPDATE
  (`special_requests_used < limit`), so concurrent requests stop exactly at the limit.
- **Guest upgrade**: a host moves a viewer whose category allows it (`guest_upgrade`) to another
  category of the event, for this live session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import insert_ignore
from livehouse.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.events import access as event_access
from livehouse.events.models import Event
from livehouse.identity import service as identity
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account
from livehouse.live import access, categories, channels, shows
from livehouse.live.models import GuestCategory, LiveGuest, LiveSession, SpecialRequest
from livehouse.realtime import service as realtime_channels
from livehouse.ticketing import holdings

_UNSET: Any = object()


@dataclass
class Viewer:
    """What one caller is to one event's show."""

    event: Event
    show: LiveSession | None
    account_id: int | None  # None: an app or API key
    host: bool
    moderator: bool
    team: bool
    ticket: bool
    category: GuestCategory | None
    upgraded: bool
    guest: LiveGuest | None

    @property
    def may_watch(self) -> bool:
        return self.team or self.ticket

    def perk(self, name: str) -> bool:
        return self.category is not None and bool(getattr(self.category, name))

    @property
    def may_comment(self) -> bool:
        return self.host or self.moderator or self.perk("commenting")

    @property
    def special_requests_left(self) -> int:
        if not self.perk("special_requests"):
            return 0
        assert self.category is not None
        used = self.guest.special_requests_used if self.guest is not None else 0
        return max(0, self.category.special_request_limit - used)

    @property
    def label(self) -> str:
        """The category name shown with their comments (Imprxx catName)."""
        if self.host:
            return "host"
        if self.moderator:
            return "moderator"
        return self.category.name if self.category is not None else "guest"


async def _guest(session: AsyncSession, show_id: int, account_id: int) -> LiveGuest | None:
    return await session.scalar(
        select(LiveGuest).where(
            LiveGuest.live_session_id == show_id, LiveGuest.account_id == account_id
        )
    )


async def tiers_held(
    session: AsyncSession, event: Event, show: LiveSession | None, account_id: int
) -> set[int | None]:
    if show is not None and show.occurrence_id is not None:
        return await holdings.held_tiers(
            session, event.id, account_id, occurrence_id=show.occurrence_id
        )
    return await holdings.held_tiers(session, event.id, account_id, not_ended_at=clock.now())


async def resolve(
    session: AsyncSession, principal: Principal, event: Event, show: Any = _UNSET
) -> Viewer:
    if show is _UNSET:
        show = await shows.current(session, event.id)
    host = await access.may(session, principal, event.org_id, access.HOST)
    moderator = await access.may(session, principal, event.org_id, access.MODERATE)
    team = host or moderator or await access.may(session, principal, event.org_id, "event.read")
    if not principal.is_user or principal.account_id is None:
        return Viewer(event, show, None, host, moderator, team, False, None, False, None)
    account_id = principal.account_id
    held = await tiers_held(session, event, show, account_id)
    guest = await _guest(session, show.id, account_id) if show is not None else None
    category, upgraded = None, False
    if guest is not None and guest.category_id is not None:
        category, upgraded = await session.get(GuestCategory, guest.category_id), True
    elif held:
        category = await categories.of_tiers(session, event.id, {t for t in held if t is not None})
    return Viewer(
        event, show, account_id, host, moderator, team, bool(held), category, upgraded, guest
    )


def require_live(viewer: Viewer) -> LiveSession:
    if viewer.show is None:
        raise Conflict("This event is not live right now")
    return viewer.show


async def _ensure_guest(session: AsyncSession, show: LiveSession, account_id: int) -> LiveGuest:
    await session.execute(
        insert_ignore(session, LiveGuest, [{"live_session_id": show.id, "account_id": account_id}])
    )
    guest = await _guest(session, show.id, account_id)
    assert guest is not None
    return guest


async def enter(session: AsyncSession, viewer: Viewer, account: Account) -> bool:
    """The viewer enters the live show; True when their cheerful entry was announced."""
    show = require_live(viewer)
    if not viewer.may_watch:
        raise Forbidden("A ticket for this show is needed to enter it")
    guest = await _ensure_guest(session, show, account.id)
    first = await session.execute(
        update(LiveGuest)
        .where(LiveGuest.id == guest.id, LiveGuest.entered_at.is_(None))
        .values(entered_at=clock.now())
    )
    await session.refresh(guest)
    viewer.guest = guest
    if first.rowcount != 1 or not viewer.perk("cheerful_entry"):  # type: ignore[attr-defined]
        return False
    assert viewer.category is not None
    channels.send(
        session,
        [channels.audience(viewer.event.public_id)],
        "cheerfulEntry",
        {
            "event_id": str(viewer.event.public_id),
            "user_id": str(account.public_id),
            "user_name": display_name(account),
            "category": viewer.category.name,
        },
    )
    return True


def display_name(account: Account) -> str:
    return account.username or account.full_name or "guest"


async def upgrade(
    session: AsyncSession,
    host_principal: Principal,
    event: Event,
    account_public_id: uuid.UUID,
    category_public_id: uuid.UUID,
) -> tuple[Account, GuestCategory]:
    """Move a viewer to another guest category for the live session (a host's act)."""
    show = await shows.current(session, event.id)
    if show is None:
        raise Conflict("This event is not live right now; upgrades are per live session")
    try:
        target = await categories.get(session, event, category_public_id)
    except NotFound as exc:
        raise ValidationFailed.field("category_id", "No such guest category of this event") from exc
    try:
        account = await identity.get_account(session, account_public_id)
    except NotFound as exc:
        raise NotFound("No such viewer") from exc
    them = await resolve(session, access.as_person(account), event, show)
    if not them.ticket:
        raise NotFound("No such viewer: they hold no ticket for this show")
    if them.category is None or not them.category.guest_upgrade:
        raise Conflict("This viewer's guest category cannot be upgraded")
    if them.category.id == target.id:
        raise Conflict(f"This viewer is already in {target.name}")
    guest = await _ensure_guest(session, show, account.id)
    guest.category_id, guest.upgraded_at = target.id, clock.now()
    data = {
        "event_id": str(event.public_id),
        "user_id": str(account.public_id),
        "user_name": display_name(account),
        "from_category": them.category.name,
        "category": target.name,
        "category_id": str(target.public_id),
    }
    channels.send(
        session,
        [channels.user(account.public_id), channels.audience(event.public_id)],
        "guestUpgrade",
        data,
        durable=True,
    )
    return account, target


async def special_request(
    session: AsyncSession, viewer: Viewer, account: Account, message: str
) -> SpecialRequest:
    show = require_live(viewer)
    limit = current().settings.live_special_request_max_length
    if len(message) > limit:
        raise ValidationFailed.field("message", f"At most {limit} characters")
    if not viewer.perk("special_requests"):
        raise Forbidden("Your guest category does not include special requests")
    assert viewer.category is not None
    guest = await _ensure_guest(session, show, account.id)
    counted = await session.execute(
        update(LiveGuest)
        .where(
            LiveGuest.id == guest.id,
            LiveGuest.special_requests_used < viewer.category.special_request_limit,
        )
        .values(special_requests_used=LiveGuest.special_requests_used + 1)
    )
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"You have made your {viewer.category.special_request_limit} special requests "
            "for this show"
        )
    await session.refresh(guest)
    viewer.guest = guest
    request = SpecialRequest(
        event_id=viewer.event.id, live_session_id=show.id, account_id=account.id, message=message
    )
    session.add(request)
    await session.flush()
    targets = [channels.studio(viewer.event.public_id)]
    if show.host_account_id is not None:
        host = await session.get(Account, show.host_account_id)
        if host is not None:
            targets.append(channels.user(host.public_id))
    data = request_data(request, viewer.event, show, account)
    channels.send(session, targets, "specialRequest", data, durable=True)
    return request


def request_data(
    request: SpecialRequest, event: Event, show: LiveSession, account: Account
) -> dict[str, Any]:
    return {
        "id": str(request.public_id),
        "event_id": str(event.public_id),
        "live_session_id": str(show.public_id),
        "user_id": str(account.public_id),
        "user_name": display_name(account),
        "message": request.message,
        "status": request.status,
        "created_at": request.created_at.isoformat(),
    }


async def get_request(session: AsyncSession, event: Event, public_id: uuid.UUID) -> SpecialRequest:
    found = await session.scalar(
        select(SpecialRequest).where(
            SpecialRequest.event_id == event.id, SpecialRequest.public_id == public_id
        )
    )
    if found is None:
        raise NotFound("No such special request")
    return found


ANSWERS = {"pending": ("accepted", "declined"), "accepted": ("done", "declined")}


async def answer(
    session: AsyncSession, event: Event, request: SpecialRequest, status: str
) -> SpecialRequest:
    if status not in ANSWERS.get(request.status, ()):
        raise Conflict(f"A {request.status} special request cannot become {status}")
    request.status = status
    await session.flush()
    show = await session.get(LiveSession, request.live_session_id)
    account = await session.get(Account, request.account_id)
    assert show is not None and account is not None
    channels.send(
        session,
        [channels.studio(event.public_id), channels.user(account.public_id)],
        "specialRequest",
        request_data(request, event, show, account),
        durable=True,
    )
    return request


async def requests_page(
    session: AsyncSession, event: Event, page: PageParams, status: str | None
) -> tuple[list[SpecialRequest], str | None]:
    statement = select(SpecialRequest).where(SpecialRequest.event_id == event.id)
    if status is not None:
        statement = statement.where(SpecialRequest.status == status)
    return await paginate(session, statement, [OrderKey(SpecialRequest.id, True)], page)


# --- channels --------------------------------------------------------------------------------


def _event_id(params: dict[str, str]) -> uuid.UUID:
    try:
        return uuid.UUID(params["event_id"])
    except ValueError as exc:
        raise NotFound("No such channel") from exc


async def _watcher(session: AsyncSession, principal: Principal, params: dict[str, str]) -> Viewer:
    event, _ = await event_access.readable_event(session, principal, _event_id(params))
    return await resolve(session, principal, event)


@realtime_channels.register("private-event.{event_id}")
async def _audience(session: AsyncSession, principal: Principal, params: dict[str, str]) -> bool:
    return (await _watcher(session, principal, params)).may_watch


@realtime_channels.register("presence-event.{event_id}")
async def _presence(
    session: AsyncSession, principal: Principal, params: dict[str, str]
) -> realtime_channels.Member | bool:
    viewer = await _watcher(session, principal, params)
    if not viewer.may_watch or principal.account_id is None:
        return False  # people only: an app is not in the audience
    account = await identity.signed_in_account(session, principal)
    info = {
        "name": display_name(account),
        "category": viewer.label,
        "cheerful_entry": viewer.perk("cheerful_entry"),
    }
    return realtime_channels.Member(str(account.public_id), info)


@realtime_channels.register("private-studio.{event_id}")
async def _studio(session: AsyncSession, principal: Principal, params: dict[str, str]) -> bool:
    event = await event_access.get_event(session, _event_id(params))
    return await access.may(session, principal, event.org_id, access.HOST) or await access.may(
        session, principal, event.org_id, access.MODERATE
    )
