"""The publish interface services use to announce changes on realtime channels.

Services call `publish(session, channel, event, data)`: the message leaves only after the
transaction commits (never for a rollback). With `durable=True` it goes through the outbox, so it
is delivered even if the process dies right after the commit. The runtime's `Publisher` does the
actual fan-out (the realtime hub). Services that take a grant away (sessions, memberships, master
relations, tickets) call `recheck_after_commit` so open subscriptions are re-authorised at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import after_commit


@dataclass(frozen=True, slots=True)
class Message:
    channel: str
    event: str
    data: Any
    at: str = field(default_factory=lambda: clock.now().isoformat())


class Publisher(Protocol):
    async def publish(self, channel: str, event: str, data: Any) -> None: ...


class LocalPublisher:
    """Fan-out inside this process: each subscription gets a bounded queue."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[Message]]] = defaultdict(set)
        self._queue_size = queue_size

    async def publish(self, channel: str, event: str, data: Any) -> None:
        message = Message(channel, event, data)
        for queue in list(self._subscribers.get(channel, ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stuck reader loses messages, not us
                queue.put_nowait(message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[Message]]:
        queue: asyncio.Queue[Message] = asyncio.Queue(self._queue_size)
        self._subscribers[channel].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[channel].discard(queue)
            if not self._subscribers[channel]:
                del self._subscribers[channel]


REALTIME_TOPIC = "realtime.publish"


def publish(
    session: AsyncSession, channel: str, event: str, data: Any, *, durable: bool = False
) -> None:
    """Announce `event` on `channel` once `session`'s transaction has committed."""
    if durable:
        from livehouse.core import outbox

        outbox.enqueue(session, REALTIME_TOPIC, {"channel": channel, "event": event, "data": data})
        return

    async def send() -> None:
        from livehouse.core.runtime import current

        await current().publisher.publish(channel, event, data)

    after_commit(session, send)


def recheck_after_commit(
    session: AsyncSession,
    *,
    accounts: Iterable[uuid.UUID] | None = None,
    channel: str | None = None,
) -> None:
    """A revocation signal: once this transaction commits, every node re-checks the private and
    presence subscriptions of those accounts and/or on channels starting with `channel` (e.g. a
    member removed from a team, sessions ended). Without arguments, every such subscription.
    Missing a signal is not a hole, only slower: subscriptions are re-checked periodically too."""
    who = None if accounts is None else sorted({str(a) for a in accounts})
    if who == []:
        return  # nobody to re-check

    async def signal() -> None:
        from livehouse.core.runtime import current

        await current().hub.recheck(accounts=who, channel=channel)

    after_commit(session, signal)
