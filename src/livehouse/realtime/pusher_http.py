"""The Pusher HTTP API, what a server (Laravel's Pusher broadcaster, the `pusher` SDKs) calls,
each request signed with the app secret (`signatures.verify_request`):

- `POST /apps/{id}/events` and `/batch_events` publish. With `info` (`subscription_count`,
  `user_count`) the answer tells, for each channel published to, how many sockets and (presence
  channels) distinct users it has — counted after publishing, as Pusher does.
- `GET /apps/{id}/channels[?filter_by_prefix=&info=]` lists the occupied channels;
  `GET /apps/{id}/channels/{name}[?info=]` says whether one is occupied and its counts;
  `GET /apps/{id}/channels/{name}/users` lists a presence channel's users.

Counts span every node (`Hub.subscription_count(s)`); another node's are as of its last share, a
moment after they change. Asking for `user_count` where no presence channel can answer is a 400,
as Pusher answers it.
"""

from __future__ import annotations

from typing import Any

from livehouse.core.errors import BadRequest, FieldError, PayloadTooLarge
from livehouse.core.settings import Settings
from livehouse.realtime import service
from livehouse.realtime.hub import Hub
from livehouse.realtime.service import ChannelError

RESERVED_PREFIXES = ("pusher:", "pusher_internal:")
ATTRIBUTES = ("subscription_count", "user_count")


def _bad(field: str, message: str) -> BadRequest:
    return BadRequest(message, errors=[FieldError(field, message)])


def check_event(settings: Settings, name: str, channels: list[str], data: str) -> None:
    if name.startswith(RESERVED_PREFIXES):
        raise BadRequest("Event names starting with pusher: are reserved")
    for channel in channels:
        _check_channel(channel, "channels")
    if len(data.encode()) > settings.realtime_max_event_bytes:
        raise PayloadTooLarge(f"Event data is limited to {settings.realtime_max_event_bytes} bytes")


def _check_channel(channel: str, field: str) -> service.Kind:
    try:
        return service.check_name(channel)
    except ChannelError as bad:
        raise _bad(field, bad.message) from None


def attributes(info: str | None) -> list[str]:
    """The attributes an `info` parameter asks for (comma-separated)."""
    wanted = [name.strip() for name in (info or "").split(",") if name.strip()]
    for name in wanted:
        if name not in ATTRIBUTES:
            raise _bad("info", f"Unknown attribute {name!r}: ask for {' or '.join(ATTRIBUTES)}")
    return wanted


async def _described(
    hub: Hub, channel: str, wanted: list[str], subscriptions: int | None = None
) -> dict[str, int]:
    """`channel`'s asked-for counts; `user_count` only for presence channels."""
    found: dict[str, int] = {}
    if "user_count" in wanted and service.kind_of(channel) == "presence":
        found["user_count"] = len(await hub.members(channel))
    if "subscription_count" in wanted:
        found["subscription_count"] = (
            subscriptions if subscriptions is not None else await hub.subscription_count(channel)
        )
    return found


async def trigger(
    hub: Hub,
    name: str,
    channels: list[str],
    data: str,
    socket_id: str | None,
    info: list[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Publish; with `info`, each channel's counts afterwards."""
    for channel in channels:
        await hub.publish(channel, name, data, exclude=socket_id, raw=True)
    if not info:
        return {}
    return {channel: await _described(hub, channel, info) for channel in dict.fromkeys(channels)}


async def channels(hub: Hub, prefix: str, info: str | None) -> dict[str, Any]:
    """`GET /apps/{id}/channels`: the occupied channels starting with `prefix`."""
    wanted = attributes(info)
    if "user_count" in wanted and service.kind_of(prefix) != "presence":
        raise _bad("info", "user_count is for presence channels: filter_by_prefix=presence-")
    occupied = await hub.subscription_counts(prefix)
    return {
        "channels": {
            channel: await _described(hub, channel, wanted, occupied[channel])
            for channel in sorted(occupied)
        }
    }


async def channel(hub: Hub, name: str, info: str | None) -> dict[str, Any]:
    """`GET /apps/{id}/channels/{name}`: occupied or not, and the asked-for counts."""
    kind = _check_channel(name, "channel_name")
    wanted = attributes(info)
    if "user_count" in wanted and kind != "presence":
        raise _bad("info", "user_count is for presence channels")
    subscriptions = await hub.subscription_count(name)
    return {"occupied": subscriptions > 0} | await _described(hub, name, wanted, subscriptions)


async def users(hub: Hub, name: str) -> dict[str, Any]:
    """`GET /apps/{id}/channels/{name}/users`: a presence channel's users, by id."""
    if _check_channel(name, "channel_name") != "presence":
        raise _bad("channel_name", "Only presence channels have users")
    return {"users": [{"id": user_id} for user_id in await hub.members(name)]}
