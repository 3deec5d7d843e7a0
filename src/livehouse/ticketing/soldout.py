"""Sold-out answers without the work of a sale.

A sale learns that a ticket type (or a date's event-wide capacity) has no place left only at its
very end: the stock counters are its last statements, so that the hot counter row stays locked
for as short a time as possible (see `orders.purchase`). Until then it has priced the basket,
made the payment and written the order — all rolled back. When an event sells out, every buyer
still in the queue pays that whole price for a 409, and more (13 to 17 ms of CPU against ~11
for a sale): with 1,000 buyers in flight, 1,000 purchases' worth of CPU at the end
(docs/benchmarks.md, eighth session).

So when a sale finds a type or a date with no place left at all, this process remembers it for
`REMEMBER_SECONDS`, and in that time further sales of it are refused right after pricing
(`holds.price_hold`), with the same answer. A remembered answer can only refuse, never sell:
it cannot oversell anything. It ends as soon as places given back in this process are
committed (`inventory.give_back`: an expired hold, a refund, a cancelled order) or when the
event's sale catalogue changes (its `sale_version`, e.g. a type's quantity raised, on any
node); places given back on another node are seen within `REMEMBER_SECONDS`. Waiting-list
offers never consult it (they are made because places came back).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.ticketing import salecache

REMEMBER_SECONDS = 1.0
_MAX_ENTRIES = 4096

EVENT_WIDE = None  # the type id of an entry for a date's event-wide capacity


@dataclass(frozen=True)
class _Known:
    public_id: uuid.UUID  # internal ids restart (tests, a restore): the event's public id guards
    version: int
    until: float
    message: str
    extra: dict[str, Any] | None


# (event id, occurrence id, ticket type id or EVENT_WIDE) → what a sale found
_known: dict[tuple[int, int, int | None], _Known] = {}


def remember(
    session: AsyncSession,
    event_id: int,
    occurrence_id: int,
    type_id: int | None,
    message: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """A sale in `session` found no place left for `type_id` (or event-wide) at the date."""
    found = salecache.version_of(session, event_id)
    if found is None:
        return  # no sale version read in this unit of work: nothing to check it against
    if len(_known) >= _MAX_ENTRIES:
        _known.clear()  # many sold-out types at once: forgetting only costs the full check
    public_id, version = found
    until = time.monotonic() + REMEMBER_SECONDS
    _known[(event_id, occurrence_id, type_id)] = _Known(public_id, version, until, message, extra)


def refusal(
    session: AsyncSession, event_id: int, occurrence_id: int, type_ids: Iterable[int]
) -> _Known | None:
    """What a recent sale found for one of `type_ids` (or the date as a whole) if it still
    holds: the caller refuses with its message."""
    if not _known:
        return None
    found = salecache.version_of(session, event_id)
    if found is None:
        return None
    public_id, version = found
    now = time.monotonic()
    for type_id in (EVENT_WIDE, *type_ids):
        known = _known.get((event_id, occurrence_id, type_id))
        if known is None:
            continue
        if known.public_id == public_id and known.version == version and now < known.until:
            return known
        del _known[(event_id, occurrence_id, type_id)]
    return None


def forget(event_id: int, occurrence_id: int) -> None:
    """Places of the date came back (or may have): sell again at once."""
    for key in [key for key in _known if key[:2] == (event_id, occurrence_id)]:
        del _known[key]
