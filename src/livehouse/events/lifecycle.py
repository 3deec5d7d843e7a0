"""An event's life: draft → published ⇄ unpublished; live; ended; cancelled; suspended.

State is a few independent facts on the row: `publishing` (draft|published|unpublished),
`listed`, `live_since`, `ended_at`, `cancelled_at`, `suspended_at`. An event has also ended once
its last occurrence is over (no job needed). The one-word `status` is, in this order of
precedence: cancelled, suspended, ended, live, then the publishing state.

Who may do what (the api checks the scope, this module the state):
- event.publish: publish, unpublish, go live, stop live, end early (leaving live, here or by
  suspension, runs `hooks.on_left_live` in the same transaction: live ends the show);
- event.cancel: cancel a published (or unpublished) event — an outbox job then notifies people
  and runs ticketing's refunds (`hooks.on_cancelled`);
- event.delete: delete a draft (never-published) event;
- platform administrators: suspend and unsuspend (organisers cannot lift a suspension).
Transitions that make no sense in the current state are 409 with the reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, outbox, realtime
from livehouse.core.errors import Conflict, Forbidden, ValidationFailed
from livehouse.events import hooks
from livehouse.events.access import get_event
from livehouse.events.models import Event
from livehouse.identity.auth import Principal
from livehouse.orgs import service as orgs

CANCELLED_TOPIC = "events.cancelled"


def has_ended(event: Event, now: datetime | None = None) -> bool:
    return event.ended_at is not None or event.ends_at <= (now or clock.now())


def status_of(event: Event, now: datetime | None = None) -> str:
    if event.cancelled_at is not None:
        return "cancelled"
    if event.suspended_at is not None:
        return "suspended"
    if has_ended(event, now):
        return "ended"
    if event.live_since is not None:
        return "live"
    return event.publishing


def status_condition(status: str, now: datetime) -> ColumnElement[bool]:
    """SQL for "the one-word status is `status`" — the same precedence as `status_of`."""
    cancelled = Event.cancelled_at.is_not(None)
    suspended = Event.suspended_at.is_not(None)
    ended = or_(Event.ended_at.is_not(None), Event.ends_at <= now)
    live = Event.live_since.is_not(None)
    conditions: dict[str, list[Any]] = {
        "cancelled": [cancelled],
        "suspended": [~cancelled, suspended],
        "ended": [~cancelled, ~suspended, ended],
        "live": [~cancelled, ~suspended, ~ended, live],
    }
    if status in conditions:
        return and_(*conditions[status])
    if status in ("draft", "published", "unpublished"):
        return and_(~cancelled, ~suspended, ~ended, ~live, Event.publishing == status)
    return false()


def publicly_listed() -> ColumnElement[bool]:
    return and_(
        Event.publishing == "published", Event.listed.is_(true()), Event.suspended_at.is_(None)
    )


def ensure_editable(event: Event) -> None:
    if event.cancelled_at is not None:
        raise Conflict("This event was cancelled and can no longer be changed; duplicate it")


def _announce(session: AsyncSession, event: Event, what: str) -> None:
    realtime.publish(
        session,
        f"event.{event.public_id}",
        "event.status",
        {"event_id": str(event.public_id), "change": what, "status": status_of(event)},
    )


async def _leave_live(session: AsyncSession, event: Event) -> None:
    """The event is not live any more; if it was, `hooks.on_left_live` runs (live: the show
    ends with it)."""
    if event.live_since is None:
        return
    event.live_since = None
    for fn in hooks.on_left_live:
        await fn(session, event)


def check_complete(event: Event) -> None:
    """What a published event must have (a draft may still lack it)."""
    if event.event_type in ("venue", "hybrid") and not event.venue:
        raise ValidationFailed.field("venue", f"A published {event.event_type} event needs a venue")
    if event.event_type in ("online", "hybrid") and not event.online:
        raise ValidationFailed.field(
            "online", f"A published {event.event_type} event needs its online configuration"
        )


async def publish(session: AsyncSession, event: Event) -> None:
    ensure_editable(event)
    if event.suspended_at is not None:
        raise Conflict("This event is suspended by the platform and cannot be published")
    if event.publishing == "published":
        raise Conflict("This event is already published")
    if has_ended(event):
        raise Conflict("This event has ended; duplicate it to run it again")
    check_complete(event)
    event.publishing = "published"
    event.published_at = clock.now()
    _announce(session, event, "published")


async def unpublish(session: AsyncSession, event: Event) -> None:
    ensure_editable(event)
    if event.publishing != "published":
        raise Conflict(f"This event is not published (it is {event.publishing})")
    if event.live_since is not None:
        raise Conflict("This event is live; stop the live show before unpublishing")
    event.publishing = "unpublished"
    _announce(session, event, "unpublished")


async def start_live(session: AsyncSession, event: Event) -> None:
    ensure_editable(event)
    if event.suspended_at is not None:
        raise Conflict("This event is suspended by the platform")
    if event.publishing != "published":
        raise Conflict("Only a published event can go live")
    if has_ended(event):
        raise Conflict("This event has ended")
    if event.live_since is not None:
        raise Conflict("This event is already live")
    event.live_since = clock.now()
    _announce(session, event, "live")


async def stop_live(session: AsyncSession, event: Event) -> None:
    if event.live_since is None:
        raise Conflict("This event is not live")
    await _leave_live(session, event)
    _announce(session, event, "live_stopped")


async def end(session: AsyncSession, event: Event) -> None:
    ensure_editable(event)
    if event.publishing != "published":
        raise Conflict("Only a published event can be ended")
    if has_ended(event):
        raise Conflict("This event has already ended")
    event.ended_at = clock.now()
    await _leave_live(session, event)
    _announce(session, event, "ended")


def cancel(session: AsyncSession, event: Event, reason: str | None) -> None:
    if event.cancelled_at is not None:
        raise Conflict("This event is already cancelled")
    if event.publishing == "draft":
        raise Conflict("A draft has nobody to tell; delete it instead of cancelling")
    if has_ended(event):
        raise Conflict("This event has already ended and cannot be cancelled")
    event.cancelled_at = clock.now()
    event.cancel_reason = reason
    event.live_since = None
    outbox.enqueue(session, CANCELLED_TOPIC, {"event_id": event.id})
    _announce(session, event, "cancelled")


def ensure_deletable(event: Event) -> None:
    if event.publishing != "draft":
        raise Conflict(
            "Only drafts can be deleted; this event was published — unpublish or cancel it"
        )


async def _platform_admin(session: AsyncSession, principal: Principal) -> None:
    if principal.account_id is None or not await orgs.is_platform_admin(
        session, principal.account_id
    ):
        raise Forbidden("Only platform administrators suspend events")


async def suspend(
    session: AsyncSession, principal: Principal, public_id: uuid.UUID, reason: str | None
) -> Event:
    await _platform_admin(session, principal)  # before the lookup: no probing for drafts
    event = await get_event(session, public_id, for_update=True)
    if event.suspended_at is not None:
        raise Conflict("This event is already suspended")
    event.suspended_at = clock.now()
    event.suspend_reason = reason
    await _leave_live(session, event)
    _announce(session, event, "suspended")
    return event


async def unsuspend(session: AsyncSession, principal: Principal, public_id: uuid.UUID) -> Event:
    await _platform_admin(session, principal)
    event = await get_event(session, public_id, for_update=True)
    if event.suspended_at is None:
        raise Conflict("This event is not suspended")
    event.suspended_at = None
    event.suspend_reason = None
    _announce(session, event, "unsuspended")
    return event
