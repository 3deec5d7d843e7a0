"""The realtime channels of live shows and what is announced on them. Who may join the private
and presence ones is decided in `audience.py` (registered with `realtime.service`).

- `liveEvents` (public, seed): `live` — a show started or stopped.
- `comment` (public, seed): `comment`, `commentUpdated`, `commentDeleted`, `commentHidden`.
- `banner`, `brand` (public, seed): `banner`, `bannerImage`, `bannerVideo`, `bannerDeleted`;
  `brand`, `brandDeleted`.
- `event.{event_id}` (public; events' lifecycle speaks here too): all of the above for that
  event, `chatSettings`, `guestinvite` (a fan goes on stage).
- `private-event.{event_id}`: ticket holders and the team — `cheerfulEntry`, `guestUpgrade`.
- `presence-event.{event_id}`: ticket holders and the team (people only) — the audience;
  its members are the show's viewer count (`viewers`; the sockets on `event.{event_id}` are
  `watching`).
- `private-studio.{event_id}`: the team with `live.host` or `live.moderate` — `videoChat`,
  `specialRequest`, `chatBan`.
- `private-user.{account_id}` (realtime's): that person — `videoChat`, `specialRequest`
  (answers to the fan, new ones to the entertainer), `guestUpgrade`, `chatBan`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import realtime

LIVE_EVENTS = "liveEvents"
COMMENT = "comment"
BANNER = "banner"
BRAND = "brand"


def show(event_public_id: uuid.UUID) -> str:
    return f"event.{event_public_id}"


def audience(event_public_id: uuid.UUID) -> str:
    return f"private-event.{event_public_id}"


def presence(event_public_id: uuid.UUID) -> str:
    return f"presence-event.{event_public_id}"


def studio(event_public_id: uuid.UUID) -> str:
    return f"private-studio.{event_public_id}"


def user(account_public_id: uuid.UUID) -> str:
    return f"private-user.{account_public_id}"


def names(event_public_id: uuid.UUID) -> dict[str, str]:
    """What a client subscribes to for one show."""
    return {
        "show": show(event_public_id),
        "audience": audience(event_public_id),
        "presence": presence(event_public_id),
        "studio": studio(event_public_id),
    }


def send(
    session: AsyncSession,
    channels: list[str],
    event: str,
    data: Any,
    *,
    durable: bool = False,
) -> None:
    """Announce `event` on each channel once the transaction commits."""
    for channel in channels:
        realtime.publish(session, channel, event, data, durable=durable)


async def viewer_count(event_public_id: uuid.UUID) -> int:
    """People on the show's presence channel, on every node (realtime's presence members)."""
    from livehouse.core.runtime import current

    return len(await current().hub.members(presence(event_public_id)))


async def watching_count(event_public_id: uuid.UUID) -> int:
    """Sockets following the show's public channel on every node: anyone watching, signed in
    or not, and not bounded by the presence channel's member limit."""
    from livehouse.core.runtime import current

    return await current().hub.subscription_count(show(event_public_id))
