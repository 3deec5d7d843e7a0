"""Live's part of a person's data export and erasure (see identity/gdpr.py): their comments,
special requests and video chats. An organisation erasing its customer removes what the person
said and asked in that organisation's shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.events.models import Event
from livehouse.identity.gdpr import register_eraser, register_exporter
from livehouse.identity.models import Account
from livehouse.live.models import Comment, SpecialRequest, VideoChat


async def export(session: AsyncSession, account: Account) -> dict[str, Any]:
    comments = await session.execute(
        select(Comment, Event.public_id)
        .join(Event, Event.id == Comment.event_id)
        .where(Comment.account_id == account.id)
        .order_by(Comment.id)
    )
    requests = await session.execute(
        select(SpecialRequest, Event.public_id)
        .join(Event, Event.id == SpecialRequest.event_id)
        .where(SpecialRequest.account_id == account.id)
        .order_by(SpecialRequest.id)
    )
    chats = await session.execute(
        select(VideoChat, Event.public_id)
        .join(Event, Event.id == VideoChat.event_id)
        .where(VideoChat.guest_account_id == account.id)
        .order_by(VideoChat.id)
    )
    return {
        "comments": [
            {
                "id": str(c.public_id),
                "event_id": str(event_id),
                "message": c.message,
                "created_at": c.created_at.isoformat(),
            }
            for c, event_id in comments
        ],
        "special_requests": [
            {
                "id": str(r.public_id),
                "event_id": str(event_id),
                "message": r.message,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r, event_id in requests
        ],
        "video_chats": [
            {
                "id": str(v.public_id),
                "event_id": str(event_id),
                "status": v.status,
                "created_at": v.created_at.isoformat(),
            }
            for v, event_id in chats
        ],
    }


async def erase(session: AsyncSession, account: Account, org_id: int | None) -> None:
    for model, column in (
        (Comment, Comment.account_id),
        (SpecialRequest, SpecialRequest.account_id),
        (VideoChat, VideoChat.guest_account_id),
    ):
        statement = delete(model).where(column == account.id)
        if org_id is not None:
            events = select(Event.id).where(Event.org_id == org_id)
            statement = statement.where(model.event_id.in_(events))  # type: ignore[attr-defined]
        await session.execute(statement)


register_exporter("live", export)
register_eraser("live", erase)
