"""Response shapes of the live routes (presentation only: no rules)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.db import rows_by_id
from livehouse.core.runtime import current
from livehouse.events import access as event_access
from livehouse.events.models import Event, Occurrence
from livehouse.identity.models import Account
from livehouse.live import categories, channels, chat, rooms
from livehouse.live.audience import Viewer, display_name
from livehouse.live.models import Chatter, Comment, GuestCategory, LiveSession, SpecialRequest
from livehouse.live.schemas import (
    BanOut,
    CategoryOut,
    CategoryRef,
    CommentOut,
    LiveSessionOut,
    Perks,
    Rtc,
    ShowChannels,
    SpecialRequestOut,
    TierRef,
    ViewerOut,
)
from livehouse.media import service as media_service
from livehouse.media.schemas import MediaRef
from livehouse.orgs import service as orgs


async def public_ids(
    session: AsyncSession, model: type, ids: Iterable[int | None]
) -> dict[int, uuid.UUID]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(model.id, model.public_id).where(model.id.in_(wanted))  # type: ignore[attr-defined]
    )
    return {row[0]: row[1] for row in rows}


async def events_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Event]:
    return await rows_by_id(session, Event, ids)


def rtc_of(event: Event, org_public_id: uuid.UUID) -> Rtc:
    return Rtc(org_id=org_public_id, room=rooms.room_of(event.public_id))


async def shows_out(
    session: AsyncSession, shows: Sequence[LiveSession], *, public_only: bool = False
) -> list[LiveSessionOut]:
    """`public_only`: leave out shows whose event the public no longer sees (suspended)."""
    events = await events_by_id(session, {s.event_id for s in shows})
    accounts = await public_ids(session, Account, {s.host_account_id for s in shows})
    occurrences = await public_ids(session, Occurrence, {s.occurrence_id for s in shows})
    media = await media_service.by_ids(session, {s.profile_image_media_id for s in shows})
    out = []
    for show in shows:
        event = events[show.event_id]
        if public_only and not event_access.is_public(event):
            continue
        org_id = await orgs.org_public_id(session, event.org_id)
        assert org_id is not None
        # Events' own routes may have taken the event out of live: the show is over then.
        live = show.ended_at is None and event.live_since is not None
        image = media.get(show.profile_image_media_id) if show.profile_image_media_id else None
        out.append(
            LiveSessionOut(
                id=show.public_id,
                event_id=event.public_id,
                org_id=org_id,
                occurrence_id=occurrences.get(show.occurrence_id) if show.occurrence_id else None,
                host_id=accounts.get(show.host_account_id) if show.host_account_id else None,
                name=show.name,
                stage_name=show.stage_name,
                event_link=show.event_link,
                profile_image=MediaRef.of(image) if image is not None else None,
                is_live=live,
                started_at=show.started_at,
                ended_at=show.ended_at,
                viewers=await channels.viewer_count(event.public_id) if live else None,
                watching=await channels.watching_count(event.public_id) if live else None,
                channels=ShowChannels(**channels.names(event.public_id)),
                rtc=rtc_of(event, org_id),
            )
        )
    return out


async def show_out(session: AsyncSession, show: LiveSession) -> LiveSessionOut:
    return (await shows_out(session, [show]))[0]


async def categories_out(
    session: AsyncSession, event: Event, rows: Sequence[GuestCategory]
) -> list[CategoryOut]:
    tiers = await categories.tiers_of(session, rows)
    return [
        CategoryOut(
            id=c.public_id,
            event_id=event.public_id,
            name=c.name,
            commenting=c.commenting,
            live_tipping=c.live_tipping,
            video_chat=c.video_chat,
            special_requests=c.special_requests,
            special_request_limit=c.special_request_limit,
            cheerful_entry=c.cheerful_entry,
            guest_upgrade=c.guest_upgrade,
            rank=c.rank,
            ticket_types=[TierRef(id=t.public_id, name=t.name) for t in tiers[c.id]],
        )
        for c in rows
    ]


async def viewer_out(
    session: AsyncSession, viewer: Viewer, *, banned: bool, announced: bool | None = None
) -> ViewerOut:
    event = viewer.event
    org_id = await orgs.org_public_id(session, event.org_id)
    assert org_id is not None
    category = viewer.category
    return ViewerOut(
        event_id=event.public_id,
        live_session_id=viewer.show.public_id if viewer.show is not None else None,
        may_watch=viewer.may_watch,
        ticket=viewer.ticket,
        host=viewer.host,
        moderator=viewer.moderator,
        banned=banned,
        category=CategoryRef(id=category.public_id, name=category.name) if category else None,
        upgraded=viewer.upgraded,
        perks=Perks(
            commenting=viewer.may_comment and not banned,
            live_tipping=viewer.perk("live_tipping"),
            video_chat=viewer.perk("video_chat"),
            special_requests=viewer.perk("special_requests"),
            special_requests_left=viewer.special_requests_left,
            cheerful_entry=viewer.perk("cheerful_entry"),
            guest_upgrade=viewer.perk("guest_upgrade"),
        ),
        channels=ShowChannels(**channels.names(event.public_id)),
        rtc=rtc_of(event, org_id),
        announced=announced,
    )


async def comments_out(
    session: AsyncSession, event: Event, rows: Sequence[Comment]
) -> list[CommentOut]:
    authors = await public_ids(session, Account, {c.account_id for c in rows})
    shows = await public_ids(session, LiveSession, {c.live_session_id for c in rows})
    return [
        CommentOut.model_validate(
            chat.comment_data(
                c,
                event,
                authors[c.account_id],
                shows.get(c.live_session_id) if c.live_session_id else None,
            )
        )
        for c in rows
    ]


async def _accounts(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Account]:
    wanted = {i for i in ids if i is not None}
    rows = await session.scalars(select(Account).where(Account.id.in_(wanted or {-1})))
    return {a.id: a for a in rows}


async def special_requests_out(
    session: AsyncSession,
    event: Event,
    rows: Sequence[SpecialRequest],
    requests_left: int | None = None,
) -> list[SpecialRequestOut]:
    people = await _accounts(session, {r.account_id for r in rows})
    shows = await public_ids(session, LiveSession, {r.live_session_id for r in rows})
    return [
        SpecialRequestOut(
            id=r.public_id,
            event_id=event.public_id,
            live_session_id=shows[r.live_session_id],
            user_id=people[r.account_id].public_id,
            user_name=display_name(people[r.account_id]),
            message=r.message,
            status=r.status,
            created_at=r.created_at,
            requests_left=requests_left,
        )
        for r in rows
    ]


async def bans_out(session: AsyncSession, rows: Sequence[Chatter]) -> list[BanOut]:
    people = await _accounts(
        session, {r.account_id for r in rows} | {r.banned_by_account_id for r in rows}
    )
    out = []
    for row in rows:
        assert row.banned_at is not None
        by = people.get(row.banned_by_account_id) if row.banned_by_account_id else None
        out.append(
            BanOut(
                user_id=people[row.account_id].public_id,
                user_name=display_name(people[row.account_id]),
                reason=row.ban_reason,
                banned_at=row.banned_at,
                banned_by=by.public_id if by is not None else None,
            )
        )
    return out


def max_length() -> int:
    return current().settings.live_comment_max_length
