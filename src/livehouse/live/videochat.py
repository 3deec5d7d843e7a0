"""Video chats between a fan and the entertainer (Imprxx videorequest / inviterequest /
acceptrequest, and the stage's guestinvite).

    request (fan, video-chat perk)   → pending
    invite  (host)     pending       → invited      (or a direct invitation → invited)
    accept  (fan)      invited       → accepted
    decline (fan)      invited       → declined
    decline (host)     pending       → declined
    live    (host)     accepted      → live         (the fan is on stage: `guestinvite`)
    end     (either)   pending | invited | accepted | live → ended
Anything else is a 409. The host side is the chat's entertainer or any host of the event
(`live.host`). One open chat per fan and event (`open_key`, unique). Every change goes to the
entertainer's and the fan's `private-user` channels and the event's studio channel, durably.
Accepted and on-stage guests may publish in the show's RTC room (rooms.py). Stopping a live
session ends the chats on stage (`end_open_stage`).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.events.models import Event
from livehouse.identity import service as identity
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account
from livehouse.live import access, channels
from livehouse.live.audience import Viewer, display_name
from livehouse.live.models import VideoChat

OPEN = ("pending", "invited", "accepted", "live")
ON_STAGE = ("accepted", "live")
# action → (who, statuses it applies to, the new status)
MOVES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "invite": ("host", ("pending",), "invited"),
    "accept": ("guest", ("invited",), "accepted"),
    "decline_guest": ("guest", ("invited",), "declined"),
    "decline_host": ("host", ("pending",), "declined"),
    "live": ("host", ("accepted",), "live"),
    "end": ("either", OPEN, "ended"),
}


def _open_key(event_id: int, guest_id: int) -> str:
    return f"{event_id}:{guest_id}"


async def _accounts(session: AsyncSession, chat: VideoChat) -> tuple[Account, Account]:
    host = await session.get(Account, chat.host_account_id)
    guest = await session.get(Account, chat.guest_account_id)
    assert host is not None and guest is not None
    return host, guest


async def chat_data(session: AsyncSession, chat: VideoChat, event: Event) -> dict[str, Any]:
    host, guest = await _accounts(session, chat)
    return {
        "id": str(chat.public_id),
        "event_id": str(event.public_id),
        "host_id": str(host.public_id),
        "host_name": display_name(host),
        "guest_id": str(guest.public_id),
        "guest_name": display_name(guest),
        "status": chat.status,
        "requested_by": chat.requested_by,
        "created_at": chat.created_at.isoformat(),
        "updated_at": chat.updated_at.isoformat(),
    }


async def _announce(session: AsyncSession, chat: VideoChat, event: Event) -> None:
    await session.flush()
    data = await chat_data(session, chat, event)
    host, guest = await _accounts(session, chat)
    targets = [
        channels.user(host.public_id),
        channels.user(guest.public_id),
        channels.studio(event.public_id),
    ]
    channels.send(session, targets, "videoChat", data, durable=True)
    if chat.status == "live":
        channels.send(
            session,
            [channels.show(event.public_id)],
            "guestinvite",
            {
                "event_id": str(event.public_id),
                "user_id": str(guest.public_id),
                "user_name": display_name(guest),
                "video_chat_id": str(chat.public_id),
                "status": "live",
            },
            durable=True,
        )


async def _open(
    session: AsyncSession, event: Event, host: Account, guest: Account, requested_by: str
) -> VideoChat:
    """A new open chat: a fan's request (pending) or a host's invitation (invited)."""
    chat = VideoChat(
        event_id=event.id,
        host_account_id=host.id,
        guest_account_id=guest.id,
        status="pending" if requested_by == "guest" else "invited",
        requested_by=requested_by,
        open_key=_open_key(event.id, guest.id),
    )
    try:
        async with session.begin_nested():
            session.add(chat)
    except IntegrityError as exc:
        raise Conflict("This person already has an open video chat for this event") from exc
    await _announce(session, chat, event)
    return chat


async def request(
    session: AsyncSession, viewer: Viewer, guest: Account, host_public_id: uuid.UUID | None
) -> VideoChat:
    """A fan asks the entertainer (given, else the live session's host) for a video chat."""
    if not viewer.perk("video_chat"):
        raise Forbidden("Video chat is not among the perks of your ticket for this show")
    event = viewer.event
    if host_public_id is None:
        if viewer.show is None or viewer.show.host_account_id is None:
            raise ValidationFailed.field("host_id", "Name the entertainer: the event is not live")
        host = await session.get(Account, viewer.show.host_account_id)
    else:
        try:
            host = await identity.get_account(session, host_public_id)
        except NotFound:
            host = None
        if host is None or not await access.account_hosts(session, host, event.org_id):
            raise ValidationFailed.field("host_id", "Not an entertainer of this event")
    assert host is not None
    if host.id == guest.id:
        raise ValidationFailed.field("host_id", "You cannot ask yourself for a video chat")
    await current().limiter.hit(
        current().settings.live_video_chat_request_rate,
        "live-video-chat",
        str(guest.id),
        detail="Too many video chat requests; wait a moment",
    )
    return await _open(session, event, host, guest, "guest")


async def invite(
    session: AsyncSession, event: Event, host: Account, guest_public_id: uuid.UUID
) -> tuple[VideoChat, bool]:
    """A host invites a person: their pending request becomes an invitation, or a new one is
    made. True when it was made."""
    try:
        guest = await identity.get_account(session, guest_public_id)
    except NotFound as exc:
        raise ValidationFailed.field("user_id", "No such person") from exc
    if guest.id == host.id:
        raise ValidationFailed.field("user_id", "You cannot invite yourself")
    existing = await session.scalar(
        select(VideoChat).where(VideoChat.open_key == _open_key(event.id, guest.id))
    )
    if existing is not None:
        if existing.status != "pending":
            raise Conflict(f"This person already has a video chat that is {existing.status}")
        existing.host_account_id = host.id  # whoever invites takes the call
        return await move(session, event, existing, "invite"), False
    return await _open(session, event, host, guest, "host"), True


async def side_of(
    session: AsyncSession, chat: VideoChat, principal: Principal, org_id: int
) -> set[str]:
    """Which sides of the chat the caller is on: "guest", "host" (its entertainer or any host
    of the event)."""
    sides = set()
    if principal.account_id == chat.guest_account_id:
        sides.add("guest")
    if principal.account_id == chat.host_account_id or await access.may(
        session, principal, org_id, access.HOST
    ):
        sides.add("host")
    return sides


async def move(session: AsyncSession, event: Event, chat: VideoChat, action: str) -> VideoChat:
    _, sources, target = MOVES[action]
    if chat.status not in sources:
        raise Conflict(f"A video chat that is {chat.status} cannot be {target}")
    chat.status = target
    if target in ("declined", "ended"):
        chat.open_key = None
        chat.ended_at = clock.now()
    await _announce(session, chat, event)
    return chat


def check_side(action: str, sides: set[str]) -> None:
    who = MOVES[action][0]
    if who == "either" and sides:
        return
    if who not in sides:
        names = {"host": "the entertainer", "guest": "the invited person"}
        raise Forbidden(f"Only {names.get(who, who)} can do this")


async def get(session: AsyncSession, public_id: uuid.UUID) -> VideoChat:
    found = await session.scalar(select(VideoChat).where(VideoChat.public_id == public_id))
    if found is None:
        raise NotFound("No such video chat")
    return found


async def event_page(
    session: AsyncSession, event: Event, page: PageParams, status: str | None
) -> tuple[list[VideoChat], str | None]:
    statement = select(VideoChat).where(VideoChat.event_id == event.id)
    if status is not None:
        statement = statement.where(VideoChat.status == status)
    return await paginate(session, statement, [OrderKey(VideoChat.id, True)], page)


async def mine_page(
    session: AsyncSession, account_id: int, page: PageParams, event_id: int | None
) -> tuple[list[VideoChat], str | None]:
    statement = select(VideoChat).where(
        or_(VideoChat.guest_account_id == account_id, VideoChat.host_account_id == account_id)
    )
    if event_id is not None:
        statement = statement.where(VideoChat.event_id == event_id)
    return await paginate(session, statement, [OrderKey(VideoChat.id, True)], page)


async def on_stage(session: AsyncSession, event_id: int, account_id: int) -> bool:
    found = await session.scalar(
        select(VideoChat.id).where(
            VideoChat.open_key == _open_key(event_id, account_id),
            VideoChat.status.in_(ON_STAGE),
        )
    )
    return found is not None


async def end_open_stage(session: AsyncSession, event: Event) -> None:
    rows = await session.scalars(
        select(VideoChat).where(VideoChat.event_id == event.id, VideoChat.status.in_(ON_STAGE))
    )
    for chat in rows.all():
        await move(session, event, chat, "end")
