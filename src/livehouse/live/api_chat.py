"""Chat routes: comments (history, post, edit, delete) and moderation (hide, bans, slow mode)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.deps import DbSession
from livehouse.core.errors import Forbidden, NotFound, ValidationFailed
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.events.access import readable_event
from livehouse.identity import service as identity
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, Principal, user_scoped
from livehouse.identity.models import Account
from livehouse.live import access, audience, chat, views
from livehouse.live.schemas import (
    BanIn,
    BanOut,
    ChatSettingsIn,
    ChatSettingsOut,
    CommentIn,
    CommentOut,
)

router = APIRouter(tags=["live chat"])
Joiner = Annotated[Principal, Depends(user_scoped(access.JOIN))]
Paging = Annotated[PageParams, Depends(page_params)]


async def _person(db: AsyncSession, public_id: uuid.UUID, field: str) -> Account:
    try:
        return await identity.get_account(db, public_id)
    except NotFound as exc:
        raise ValidationFailed.field(field, "No such person") from exc


@router.get(
    "/v1/events/{event_id}/comments",
    response_model=Page[CommentOut],
    summary="The event's chat, newest first (moderators may include hidden comments)",
)
async def list_comments(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    page: Paging,
    user_id: Annotated[uuid.UUID | None, Query(description="Only this person's")] = None,
    include_hidden: bool = False,
) -> Page[CommentOut]:
    event, _ = await readable_event(db, principal, event_id)
    if include_hidden and not await access.may(db, principal, event.org_id, access.MODERATE):
        raise Forbidden("Only moderators see hidden comments")
    author = None
    if user_id is not None:
        try:
            author = (await identity.get_account(db, user_id)).id
        except NotFound:
            return Page(items=[], next_cursor=None)
    rows, cursor = await chat.history(
        db, event, page, author_id=author, include_hidden=include_hidden
    )
    return Page(items=await views.comments_out(db, event, rows), next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/comments",
    status_code=201,
    response_model=CommentOut,
    summary="Comment (needs the commenting perk of your ticket; hosts and moderators may)",
)
async def post_comment(
    event_id: uuid.UUID, payload: CommentIn, db: DbSession, principal: Joiner
) -> CommentOut:
    event, _ = await readable_event(db, principal, event_id)
    viewer = await audience.resolve(db, principal, event)
    comment = await chat.post(
        db, viewer, await identity.signed_in_account(db, principal), payload.message
    )
    return (await views.comments_out(db, event, [comment]))[0]


@router.patch("/v1/events/{event_id}/comments/{comment_id}", response_model=CommentOut)
async def edit_comment(
    event_id: uuid.UUID, comment_id: uuid.UUID, payload: CommentIn, db: DbSession, principal: Joiner
) -> CommentOut:
    event, _ = await readable_event(db, principal, event_id)
    comment = await chat.get(db, event, comment_id)
    await chat.edit(
        db, event, comment, await identity.signed_in_account(db, principal), payload.message
    )
    return (await views.comments_out(db, event, [comment]))[0]


@router.delete("/v1/events/{event_id}/comments/{comment_id}", status_code=204)
async def delete_comment(
    event_id: uuid.UUID, comment_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event, _ = await readable_event(db, principal, event_id)
    comment = await chat.get(db, event, comment_id)
    moderator = await access.may(db, principal, event.org_id, access.MODERATE)
    chat.may_delete(comment, principal.account_id if principal.is_user else None, moderator)
    await chat.delete(db, event, comment)
    return Response(status_code=204)


async def _hide(
    db: AsyncSession, principal: Principal, event_id: uuid.UUID, comment_id: uuid.UUID, hidden: bool
) -> CommentOut:
    event = await access.moderated_event(db, principal, event_id)
    comment = await chat.get(db, event, comment_id)
    chat.hide(db, event, comment, principal.account_id, hidden)
    await db.flush()
    return (await views.comments_out(db, event, [comment]))[0]


@router.post(
    "/v1/events/{event_id}/comments/{comment_id}/hide",
    response_model=CommentOut,
    summary="Hide a comment from everyone (moderators: live.moderate)",
)
async def hide_comment(
    event_id: uuid.UUID, comment_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> CommentOut:
    return await _hide(db, principal, event_id, comment_id, True)


@router.post("/v1/events/{event_id}/comments/{comment_id}/unhide", response_model=CommentOut)
async def unhide_comment(
    event_id: uuid.UUID, comment_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> CommentOut:
    return await _hide(db, principal, event_id, comment_id, False)


def _settings_out(event_id: uuid.UUID, slow: int) -> ChatSettingsOut:
    from livehouse.core.runtime import current

    settings = current().settings
    return ChatSettingsOut(
        event_id=event_id,
        slow_mode_seconds=slow,
        max_length=settings.live_comment_max_length,
        rate=settings.live_comment_rate,
    )


@router.get("/v1/events/{event_id}/chat/settings", response_model=ChatSettingsOut)
async def get_chat_settings(
    event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> ChatSettingsOut:
    event, _ = await readable_event(db, principal, event_id)
    return _settings_out(event.public_id, (await chat.chat_settings(db, event)).slow_mode_seconds)


@router.patch(
    "/v1/events/{event_id}/chat/settings",
    response_model=ChatSettingsOut,
    summary="Slow mode: the least seconds between one person's comments (moderators)",
)
async def set_chat_settings(
    event_id: uuid.UUID, payload: ChatSettingsIn, db: DbSession, principal: Authenticated
) -> ChatSettingsOut:
    event = await access.moderated_event(db, principal, event_id)
    found = await chat.set_slow_mode(db, event, payload.slow_mode_seconds)
    return _settings_out(event.public_id, found.slow_mode_seconds)


@router.get("/v1/events/{event_id}/chat/bans", response_model=Page[BanOut])
async def list_bans(
    event_id: uuid.UUID, db: DbSession, principal: Authenticated, page: Paging
) -> Page[BanOut]:
    event = await access.moderated_event(db, principal, event_id)
    rows, cursor = await chat.bans_page(db, event, page)
    return Page(items=await views.bans_out(db, rows), next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/chat/bans",
    status_code=201,
    response_model=BanOut,
    summary="Ban a person from the event's chat (moderators)",
)
async def ban(
    event_id: uuid.UUID, payload: BanIn, db: DbSession, principal: Authenticated
) -> BanOut:
    event = await access.moderated_event(db, principal, event_id)
    person = await _person(db, payload.user_id, "user_id")
    banned = await chat.ban(db, event, person, principal.account_id, payload.reason)
    await db.flush()
    return (await views.bans_out(db, [banned]))[0]


@router.delete("/v1/events/{event_id}/chat/bans/{user_id}", status_code=204)
async def unban(
    event_id: uuid.UUID, user_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await access.moderated_event(db, principal, event_id)
    try:
        person = await identity.get_account(db, user_id)
    except NotFound as exc:
        raise NotFound("This person is not banned from this chat") from exc
    await chat.unban(db, event, person)
    return Response(status_code=204)
