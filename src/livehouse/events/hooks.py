"""Extension points other capabilities fill in (ticketing, profiles). Events never imports them:
they register here when imported, and events calls whatever is registered.

    from livehouse.events import hooks

    @hooks.on_cancelled
    async def refund(session, cancelled): ...

Each hook keeps a list of functions; `hook.use(fn)` adds one for a `with` block, `hook.only(…)`
replaces them all for one (tests).
What each hook means, and what events does while nothing is registered, is written next to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from livehouse.events.models import Event

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._fns: list[F] = []

    def __call__(self, fn: F) -> F:
        """Register `fn` (usable as a decorator)."""
        if fn not in self._fns:
            self._fns.append(fn)
        return fn

    def remove(self, fn: F) -> None:
        if fn in self._fns:
            self._fns.remove(fn)

    @contextmanager
    def use(self, fn: F) -> Iterator[F]:
        self(fn)
        try:
            yield fn
        finally:
            self.remove(fn)

    @contextmanager
    def only(self, *fns: F) -> Iterator[None]:
        """Exactly these functions for a `with` block (tests of what happens with none)."""
        saved, self._fns = self._fns, list(fns)
        try:
            yield
        finally:
            self._fns = saved

    def __iter__(self) -> Iterator[F]:
        return iter(list(self._fns))

    def __bool__(self) -> bool:
        return bool(self._fns)


@dataclass(frozen=True, slots=True)
class Cancelled:
    """What `on_cancelled` functions receive. `job_id` is the outbox job running them: use it as
    the idempotency key of refunds (the job runs at least once)."""

    job_id: int
    event_id: int
    event_public_id: uuid.UUID
    org_id: int
    name: str
    reason: str | None
    cancelled_at: datetime


# An event was cancelled (runs in the `events.cancelled` outbox job, after the cancellation
# committed). Ticketing: refund by the event's policy and tell every attendee. Events itself
# e-mails invited/accepted speakers and the people who saved the event. A failing function
# makes the job retry (so every function must be idempotent).
on_cancelled: Hook[Callable[[AsyncSession, Cancelled], Awaitable[None]]] = Hook("on_cancelled")

# An event stopped being live through one of events' own transitions — stop live, end early,
# suspension (a cancellation has `on_cancelled`) — called in that transaction, after the event
# row changed. Live: the event's live show ends, its stage empties, `liveEvents` hears it.
# Nothing registered: only the event's own state changes.
on_left_live: Hook[Callable[[AsyncSession, Event], Awaitable[None]]] = Hook("on_left_live")

# Of these occurrence ids (internal), which have sales, holds or reservations? A rule edit never
# removes such an occurrence (409 instead). Nothing registered: no occurrence has sales.
occurrences_with_sales: Hook[Callable[[AsyncSession, list[int]], Awaitable[set[int]]]] = Hook(
    "occurrences_with_sales"
)

# Of these session ids (internal), which have sales? Such a session is never deleted or moved
# to another occurrence (409). Nothing registered: no session has sales.
sessions_with_sales: Hook[Callable[[AsyncSession, list[int]], Awaitable[set[int]]]] = Hook(
    "sessions_with_sales"
)

# May this account review this event (internal ids)? Ticketing answers "did they attend".
# Any registered checker saying True allows it. Nothing registered: nobody may review — unless
# LIVEHOUSE_EVENTS_REVIEWS_WITHOUT_CHECKER is set (then any signed-in non-organiser may).
review_eligibility: Hook[Callable[[AsyncSession, int, int], Awaitable[bool]]] = Hook(
    "review_eligibility"
)

# The event ids (internal) an account attends — for `my=attending`. Nothing registered: none.
attending_events: Hook[Callable[[AsyncSession, int], Awaitable[set[int]]]] = Hook(
    "attending_events"
)

# Extra organisation metrics, e.g. profiles' followers: fn(session, org_id, viewer_account_id)
# returns {"follows_me": …, "followed_by_me": …}. Nothing registered: those metrics are absent.
org_metrics: Hook[Callable[[AsyncSession, int, int | None], Awaitable[dict[str, Any]]]] = Hook(
    "org_metrics"
)

ActivityCounter = Callable[[AsyncSession, list[int], datetime, datetime], Awaitable[dict[int, int]]]


class ActivityCounters:
    """Organisation activities counted elsewhere: fn(session, event_ids, start, end) returns
    {event_id: value} for [start, end). Ticketing fills `tickets_sold`, `orders_received` and
    `revenue_earned` (minor units of the organisation's currency). Unregistered: reported null."""

    NAMES = ("tickets_sold", "orders_received", "revenue_earned", "pages_viewed")

    def __init__(self) -> None:
        self._fns: dict[str, ActivityCounter] = {}

    def register(self, name: str) -> Callable[[ActivityCounter], ActivityCounter]:
        if name not in self.NAMES:
            raise ValueError(f"unknown activity {name!r}; one of {', '.join(self.NAMES)}")

        def decorate(fn: ActivityCounter) -> ActivityCounter:
            self._fns[name] = fn
            return fn

        return decorate

    def remove(self, name: str) -> None:
        self._fns.pop(name, None)

    def get(self, name: str) -> ActivityCounter | None:
        return self._fns.get(name)


activity_counters = ActivityCounters()
