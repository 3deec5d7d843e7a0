"""Video-chat routes: a fan requests, the entertainer invites, the fan accepts or declines, the
entertainer puts them on stage, either ends it (the rules: videochat.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.deps import DbSession
from livehouse.core.errors import Conflict, NotFound
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.events.access import readable_event
from livehouse.events.models import Event
from livehouse.identity import service as identity
from livehouse.identity.auth import Authenticated, Principal, User, user_scoped
from livehouse.live import access, audience, videochat, views
from livehouse.live.models import VideoChat
from livehouse.live.schemas import VideoChatInvite, VideoChatOut, VideoChatRequest

router = APIRouter(tags=["live video chats"])
Joiner = Annotated[Principal, Depends(user_scoped(access.JOIN))]
Paging = Annotated[PageParams, Depends(page_params)]
Status = Literal["pending", "invited", "accepted", "live", "declined", "ended"]


async def _out(db: AsyncSession, chats: list[VideoChat]) -> list[VideoChatOut]:
    events = await views.events_by_id(db, {c.event_id for c in chats})
    return [
        VideoChatOut.model_validate(await videochat.chat_data(db, c, events[c.event_id]))
        for c in chats
    ]


async def _chat(
    db: AsyncSession, principal: Principal, chat_id: uuid.UUID
) -> tuple[VideoChat, Event, set[str]]:
    """The chat and the caller's sides of it; 404 for everyone else."""
    chat = await videochat.get(db, chat_id)
    event = (await views.events_by_id(db, [chat.event_id]))[chat.event_id]
    sides = await videochat.side_of(db, chat, principal, event.org_id)
    if not sides:
        raise NotFound("No such video chat")
    return chat, event, sides


@router.post(
    "/v1/events/{event_id}/video-chats",
    status_code=201,
    response_model=VideoChatOut,
    summary="Ask the entertainer for a video chat (needs the video-chat perk) → pending",
)
async def request_chat(
    event_id: uuid.UUID, payload: VideoChatRequest, db: DbSession, principal: Joiner
) -> VideoChatOut:
    event, _ = await readable_event(db, principal, event_id)
    viewer = await audience.resolve(db, principal, event)
    me = await identity.signed_in_account(db, principal)
    chat = await videochat.request(db, viewer, me, payload.host_id)
    return (await _out(db, [chat]))[0]


@router.post(
    "/v1/events/{event_id}/video-chats/invitations",
    status_code=201,
    response_model=VideoChatOut,
    responses={200: {"model": VideoChatOut, "description": "Their pending request, now invited"}},
    summary="Invite a person to a video chat (hosts) → invited",
)
async def invite_person(
    event_id: uuid.UUID,
    payload: VideoChatInvite,
    db: DbSession,
    principal: User,
    response: Response,
) -> VideoChatOut:
    event = await access.hosted_event(db, principal, event_id)
    host = await identity.signed_in_account(db, principal)
    chat, created = await videochat.invite(db, event, host, payload.user_id)
    response.status_code = 201 if created else 200
    return (await _out(db, [chat]))[0]


@router.get(
    "/v1/events/{event_id}/video-chats",
    response_model=Page[VideoChatOut],
    summary="The event's video chats, newest first (hosts)",
)
async def event_chats(
    event_id: uuid.UUID,
    db: DbSession,
    principal: Authenticated,
    page: Paging,
    status: Annotated[Status | None, Query()] = None,
) -> Page[VideoChatOut]:
    event = await access.hosted_event(db, principal, event_id)
    rows, cursor = await videochat.event_page(db, event, page, status)
    return Page(items=await _out(db, rows), next_cursor=cursor)


@router.get(
    "/v1/me/video-chats",
    response_model=Page[VideoChatOut],
    summary="My video chats, as the fan or the entertainer, newest first",
)
async def my_chats(
    db: DbSession,
    principal: User,
    page: Paging,
    event_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[VideoChatOut]:
    assert principal.account_id is not None
    internal = None
    if event_id is not None:
        event, _ = await readable_event(db, principal, event_id)
        internal = event.id
    rows, cursor = await videochat.mine_page(db, principal.account_id, page, internal)
    return Page(items=await _out(db, rows), next_cursor=cursor)


@router.get("/v1/video-chats/{video_chat_id}", response_model=VideoChatOut)
async def get_chat(
    video_chat_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> VideoChatOut:
    chat, _, _ = await _chat(db, principal, video_chat_id)
    return (await _out(db, [chat]))[0]


async def _act(
    db: AsyncSession, principal: Principal, chat_id: uuid.UUID, action: str
) -> VideoChatOut:
    chat, event, sides = await _chat(db, principal, chat_id)
    if action == "decline":
        if chat.status == "invited" and "guest" in sides:
            action = "decline_guest"
        elif chat.status == "pending" and "host" in sides:
            action = "decline_host"
        else:
            raise Conflict(f"You cannot decline a video chat that is {chat.status}")
    videochat.check_side(action, sides)
    if action == "invite" and principal.is_user and principal.account_id is not None:
        chat.host_account_id = principal.account_id  # whoever invites takes the call
    await videochat.move(db, event, chat, action)
    return (await _out(db, [chat]))[0]


@router.post(
    "/v1/video-chats/{video_chat_id}/invite",
    response_model=VideoChatOut,
    summary="Invite the fan who asked (host): pending → invited",
)
async def invite_chat(
    video_chat_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> VideoChatOut:
    return await _act(db, principal, video_chat_id, "invite")


@router.post(
    "/v1/video-chats/{video_chat_id}/accept",
    response_model=VideoChatOut,
    summary="Accept the entertainer's invitation (the fan): invited → accepted",
)
async def accept_chat(video_chat_id: uuid.UUID, db: DbSession, principal: User) -> VideoChatOut:
    return await _act(db, principal, video_chat_id, "accept")


@router.post(
    "/v1/video-chats/{video_chat_id}/decline",
    response_model=VideoChatOut,
    summary="Decline: the fan an invitation, the entertainer a request",
)
async def decline_chat(
    video_chat_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> VideoChatOut:
    return await _act(db, principal, video_chat_id, "decline")


@router.post(
    "/v1/video-chats/{video_chat_id}/live",
    response_model=VideoChatOut,
    summary="Put the fan on stage (host): accepted → live; the audience hears guestinvite",
)
async def stage_chat(
    video_chat_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> VideoChatOut:
    return await _act(db, principal, video_chat_id, "live")


@router.post(
    "/v1/video-chats/{video_chat_id}/end",
    response_model=VideoChatOut,
    summary="End the video chat (either side)",
)
async def end_chat(
    video_chat_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> VideoChatOut:
    return await _act(db, principal, video_chat_id, "end")
