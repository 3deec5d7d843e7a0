"""Comments of a show and their moderation.

- Anyone who may see the event reads its chat: the history and the public channels
  (`comment`, `event.{id}`), as in the seed. Tickets buy the video and the right to speak;
  hidden comments are left out for everyone but moderators.
- Posting needs the commenting perk (`audience.Viewer.may_comment`), no ban, the per-person
  rate limit (`live_comment_rate`), at most `live_comment_max_length` characters, and in slow
  mode at least `slow_mode_seconds` since the person's last comment in this chat — one
  conditional UPDATE of their chatter row, so concurrent comments cannot slip through. Hosts
  and moderators are exempt from slow mode.
- The author edits (not while banned); the author or a moderator deletes; moderators hide and
  unhide, ban and unban, and set slow mode. Changes are announced so clients update their list.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import insert_ignore
from livehouse.core.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.events.models import Event
from livehouse.identity.models import Account
from livehouse.live import channels
from livehouse.live.audience import Viewer, display_name
from livehouse.live.models import ChatSettings, Chatter, Comment, LiveSession


def comment_data(
    comment: Comment, event: Event, author_public_id: uuid.UUID, show_public_id: uuid.UUID | None
) -> dict[str, Any]:
    """A comment as the API and the channels show it."""
    return {
        "id": str(comment.public_id),
        "event_id": str(event.public_id),
        "live_session_id": str(show_public_id) if show_public_id else None,
        "user_id": str(author_public_id),
        "user_name": comment.user_name,
        "category_name": comment.category_name,
        "message": comment.message,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "hidden": comment.hidden_at is not None,
    }


def _announce(
    session: AsyncSession, event: Event, name: str, data: dict[str, Any], durable: bool = False
) -> None:
    channels.send(
        session, [channels.COMMENT, channels.show(event.public_id)], name, data, durable=durable
    )


def _check_length(message: str) -> None:
    limit = current().settings.live_comment_max_length
    if len(message) > limit:
        raise ValidationFailed.field("message", f"At most {limit} characters")


async def chat_settings(session: AsyncSession, event: Event) -> ChatSettings:
    found = await session.get(ChatSettings, event.id)
    return found if found is not None else ChatSettings(event_id=event.id, slow_mode_seconds=0)


async def set_slow_mode(session: AsyncSession, event: Event, seconds: int) -> ChatSettings:
    await session.execute(insert_ignore(session, ChatSettings, [{"event_id": event.id}]))
    found = await session.get(ChatSettings, event.id, populate_existing=True)
    assert found is not None
    found.slow_mode_seconds = seconds
    channels.send(
        session,
        [channels.show(event.public_id)],
        "chatSettings",
        {"event_id": str(event.public_id), "slow_mode_seconds": seconds},
        durable=True,
    )
    return found


async def _chatter(session: AsyncSession, event_id: int, account_id: int) -> Chatter | None:
    return await session.scalar(
        select(Chatter).where(Chatter.event_id == event_id, Chatter.account_id == account_id)
    )


async def _ensure_chatter(session: AsyncSession, event_id: int, account_id: int) -> Chatter:
    await session.execute(
        insert_ignore(session, Chatter, [{"event_id": event_id, "account_id": account_id}])
    )
    found = await _chatter(session, event_id, account_id)
    assert found is not None
    return found


async def banned(session: AsyncSession, event_id: int, account_id: int | None) -> bool:
    if account_id is None:
        return False
    chatter = await _chatter(session, event_id, account_id)
    return chatter is not None and chatter.banned_at is not None


async def _refuse_banned(session: AsyncSession, event_id: int, account_id: int) -> None:
    if await banned(session, event_id, account_id):
        raise Forbidden("You are banned from this chat")


async def _slow_mode(session: AsyncSession, event: Event, account_id: int) -> None:
    seconds = (await chat_settings(session, event)).slow_mode_seconds
    if seconds <= 0:
        return
    now = clock.now()
    chatter = await _ensure_chatter(session, event.id, account_id)
    claimed = await session.execute(
        update(Chatter)
        .where(
            Chatter.id == chatter.id,
            or_(
                Chatter.last_comment_at.is_(None),
                Chatter.last_comment_at <= now - timedelta(seconds=seconds),
            ),
        )
        .values(last_comment_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(chatter)
        last = chatter.last_comment_at or now
        wait = math.ceil((last + timedelta(seconds=seconds) - now).total_seconds())
        raise TooManyRequests(wait, f"Slow mode: one comment every {seconds} seconds")


async def post(session: AsyncSession, viewer: Viewer, account: Account, message: str) -> Comment:
    _check_length(message)
    if not viewer.may_comment:
        raise Forbidden("Commenting is not among the perks of your ticket for this show")
    event = viewer.event
    await _refuse_banned(session, event.id, account.id)
    settings = current().settings
    await current().limiter.hit(
        settings.live_comment_rate,
        "live-comment",
        str(account.id),
        detail="You are commenting too fast; wait a moment",
    )
    if not (viewer.host or viewer.moderator):
        await _slow_mode(session, event, account.id)
    comment = Comment(
        event_id=event.id,
        live_session_id=viewer.show.id if viewer.show is not None else None,
        account_id=account.id,
        user_name=display_name(account),
        category_name=viewer.label,
        message=message,
        created_at=clock.now(),
    )
    session.add(comment)
    await session.flush()
    show_id = viewer.show.public_id if viewer.show is not None else None
    _announce(session, event, "comment", comment_data(comment, event, account.public_id, show_id))
    return comment


async def get(session: AsyncSession, event: Event, public_id: uuid.UUID) -> Comment:
    found = await session.scalar(
        select(Comment).where(Comment.event_id == event.id, Comment.public_id == public_id)
    )
    if found is None:
        raise NotFound("No such comment")
    return found


async def edit(
    session: AsyncSession, event: Event, comment: Comment, account: Account, message: str
) -> Comment:
    if comment.account_id != account.id:
        raise Forbidden("Only its author edits a comment")
    _check_length(message)
    await _refuse_banned(session, event.id, account.id)
    comment.message, comment.edited_at = message, clock.now()
    show_id = await _show_public_id(session, comment.live_session_id)
    data = comment_data(comment, event, account.public_id, show_id)
    _announce(session, event, "commentUpdated", data)
    return comment


async def _show_public_id(session: AsyncSession, show_id: int | None) -> uuid.UUID | None:
    if show_id is None:
        return None
    return await session.scalar(select(LiveSession.public_id).where(LiveSession.id == show_id))


def may_delete(comment: Comment, account_id: int | None, moderator: bool) -> None:
    if not moderator and comment.account_id != account_id:
        raise Forbidden("Only its author or a moderator deletes a comment")


async def delete(session: AsyncSession, event: Event, comment: Comment) -> None:
    await session.delete(comment)
    _announce(
        session,
        event,
        "commentDeleted",
        {"id": str(comment.public_id), "event_id": str(event.public_id)},
        durable=True,
    )


def hide(
    session: AsyncSession, event: Event, comment: Comment, by: int | None, hidden: bool
) -> None:
    if hidden == (comment.hidden_at is not None):
        raise Conflict("This comment is already " + ("hidden" if hidden else "shown"))
    comment.hidden_at = clock.now() if hidden else None
    comment.hidden_by_account_id = by if hidden else None
    _announce(
        session,
        event,
        "commentHidden",
        {"id": str(comment.public_id), "event_id": str(event.public_id), "hidden": hidden},
        durable=True,
    )


async def history(
    session: AsyncSession,
    event: Event,
    page: PageParams,
    *,
    author_id: int | None = None,
    include_hidden: bool = False,
) -> tuple[list[Comment], str | None]:
    """The newest first; the cursor goes back in time."""
    statement = select(Comment).where(Comment.event_id == event.id)
    if not include_hidden:
        statement = statement.where(Comment.hidden_at.is_(None))
    if author_id is not None:
        statement = statement.where(Comment.account_id == author_id)
    return await paginate(session, statement, [OrderKey(Comment.id, True)], page)


async def ban(
    session: AsyncSession, event: Event, account: Account, by: int | None, reason: str | None
) -> Chatter:
    if by is not None and by == account.id:
        raise ValidationFailed.field("user_id", "You cannot ban yourself")
    chatter = await _ensure_chatter(session, event.id, account.id)
    if chatter.banned_at is not None:
        raise Conflict("This person is already banned from this chat")
    chatter.banned_at, chatter.banned_by_account_id = clock.now(), by
    chatter.ban_reason = reason
    _ban_notice(session, event, account, True)
    return chatter


async def unban(session: AsyncSession, event: Event, account: Account) -> None:
    chatter = await _chatter(session, event.id, account.id)
    if chatter is None or chatter.banned_at is None:
        raise NotFound("This person is not banned from this chat")
    chatter.banned_at = chatter.banned_by_account_id = chatter.ban_reason = None
    _ban_notice(session, event, account, False)


def _ban_notice(session: AsyncSession, event: Event, account: Account, banned: bool) -> None:
    channels.send(
        session,
        [channels.studio(event.public_id), channels.user(account.public_id)],
        "chatBan",
        {"event_id": str(event.public_id), "user_id": str(account.public_id), "banned": banned},
        durable=True,
    )


async def bans_page(
    session: AsyncSession, event: Event, page: PageParams
) -> tuple[list[Chatter], str | None]:
    statement = select(Chatter).where(Chatter.event_id == event.id, Chatter.banned_at.is_not(None))
    return await paginate(session, statement, [OrderKey(Chatter.id, True)], page)
