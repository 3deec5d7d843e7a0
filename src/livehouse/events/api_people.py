"""Routes of an event's sessions and speakers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from livehouse.core.deps import DbSession
from livehouse.core.pagination import Page, PageParams, page_params
from livehouse.core.ratelimit import client_ip
from livehouse.events import access, occurrences, sessions, speakers
from livehouse.events.engagement import accounts_by_id
from livehouse.events.engagement_schemas import (
    SpeakerAccept,
    SpeakerCreate,
    SpeakerOut,
    SpeakerUpdate,
)
from livehouse.events.models import Event, EventSession, Speaker
from livehouse.events.schemas import SessionCreate, SessionOut, SessionUpdate
from livehouse.identity.auth import Authenticated, MaybeAuthenticated, Principal, user_scoped

router = APIRouter()
Pages = Annotated[PageParams, Depends(page_params)]
Engaged = Annotated[Principal, Depends(user_scoped("event.engage"))]


# ---- sessions --------------------------------------------------------------------------------


async def _sessions_out(db: DbSession, event: Event, items: list[EventSession]) -> list[SessionOut]:
    ids = await sessions.occurrence_ids(db, items)
    return [SessionOut.of(item, ids[item.occurrence_id], event.timezone) for item in items]


@router.get(
    "/v1/events/{event_id}/sessions",
    tags=["sessions"],
    response_model=Page[SessionOut],
    summary="An event's sessions, in time order",
)
async def list_sessions(
    event_id: uuid.UUID,
    db: DbSession,
    principal: MaybeAuthenticated,
    page: Pages,
    occurrence_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[SessionOut]:
    event, _ = await access.readable_event(db, principal, event_id)
    occurrence = await occurrences.get(db, event, occurrence_id) if occurrence_id else None
    items, cursor = await sessions.list_page(db, event, page, occurrence)
    return Page(items=await _sessions_out(db, event, items), next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/sessions",
    tags=["sessions"],
    status_code=201,
    response_model=SessionOut,
    summary="Add a session (within one occurrence)",
)
async def create_session(
    event_id: uuid.UUID, payload: SessionCreate, db: DbSession, principal: Authenticated
) -> SessionOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    item = await sessions.create(db, event, payload)
    return (await _sessions_out(db, event, [item]))[0]


@router.get(
    "/v1/events/{event_id}/sessions/{session_id}",
    tags=["sessions"],
    response_model=SessionOut,
    summary="A session",
)
async def read_session(
    event_id: uuid.UUID, session_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> SessionOut:
    event, _ = await access.readable_event(db, principal, event_id)
    return (await _sessions_out(db, event, [await sessions.get(db, event, session_id)]))[0]


@router.patch(
    "/v1/events/{event_id}/sessions/{session_id}",
    tags=["sessions"],
    response_model=SessionOut,
    summary="Change a session",
)
async def update_session(
    event_id: uuid.UUID,
    session_id: uuid.UUID,
    payload: SessionUpdate,
    db: DbSession,
    principal: Authenticated,
) -> SessionOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    item = await sessions.update(db, event, await sessions.get(db, event, session_id), payload)
    return (await _sessions_out(db, event, [item]))[0]


@router.delete(
    "/v1/events/{event_id}/sessions/{session_id}",
    tags=["sessions"],
    status_code=204,
    summary="Delete a session",
)
async def delete_session(
    event_id: uuid.UUID, session_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await access.managed_event(db, principal, event_id, "event.write")
    await sessions.delete(db, event, await sessions.get(db, event, session_id))
    return Response(status_code=204)


# ---- speakers --------------------------------------------------------------------------------


async def _speakers_out(db: DbSession, items: list[Speaker], private: bool) -> list[SpeakerOut]:
    people = await accounts_by_id(db, {s.account_id for s in items if s.account_id})
    return [
        SpeakerOut.of(
            s,
            speakers.status_of(s),
            people[s.account_id]["id"] if s.account_id in people else None,
            private,
        )
        for s in items
    ]


@router.get(
    "/v1/events/{event_id}/speakers",
    tags=["speakers"],
    response_model=Page[SpeakerOut],
    summary="An event's speakers (the public sees those who accepted)",
)
async def list_speakers(
    event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated, page: Pages
) -> Page[SpeakerOut]:
    event, private = await access.readable_event(db, principal, event_id)
    items, cursor = await speakers.list_page(db, event, page, everyone=private)
    return Page(items=await _speakers_out(db, items, private), next_cursor=cursor)


@router.post(
    "/v1/events/{event_id}/speakers",
    tags=["speakers"],
    status_code=201,
    response_model=SpeakerOut,
    summary="Add a speaker (an invitation is e-mailed)",
)
async def add_speaker(
    event_id: uuid.UUID, payload: SpeakerCreate, db: DbSession, principal: Authenticated
) -> SpeakerOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    speaker = await speakers.add(db, event, payload.model_dump())
    return (await _speakers_out(db, [speaker], True))[0]


@router.get(
    "/v1/events/{event_id}/speakers/{speaker_id}",
    tags=["speakers"],
    response_model=SpeakerOut,
    summary="A speaker",
)
async def read_speaker(
    event_id: uuid.UUID, speaker_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> SpeakerOut:
    event, private = await access.readable_event(db, principal, event_id)
    speaker = await speakers.get(db, event, speaker_id, everyone=private)
    return (await _speakers_out(db, [speaker], private))[0]


@router.patch(
    "/v1/events/{event_id}/speakers/{speaker_id}",
    tags=["speakers"],
    response_model=SpeakerOut,
    summary="Change a speaker's details",
)
async def update_speaker(
    event_id: uuid.UUID,
    speaker_id: uuid.UUID,
    payload: SpeakerUpdate,
    db: DbSession,
    principal: Authenticated,
) -> SpeakerOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    speaker = await speakers.get(db, event, speaker_id)
    await speakers.update(event, speaker, payload.model_dump(exclude_unset=True))
    await db.flush()
    return (await _speakers_out(db, [speaker], True))[0]


@router.post(
    "/v1/events/{event_id}/speakers/{speaker_id}/resend-invite",
    tags=["speakers"],
    response_model=SpeakerOut,
    summary="Send the invitation again (the previous link stops working)",
)
async def resend_speaker_invite(
    event_id: uuid.UUID, speaker_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> SpeakerOut:
    event = await access.managed_event(db, principal, event_id, "event.write")
    speaker = await speakers.resend(db, event, await speakers.get(db, event, speaker_id))
    return (await _speakers_out(db, [speaker], True))[0]


@router.post(
    "/v1/events/{event_id}/speakers/{speaker_id}/accept",
    tags=["speakers"],
    response_model=SpeakerOut,
    summary="Accept an invitation to speak (with the token from the e-mail)",
)
async def accept_speaker_invite(
    event_id: uuid.UUID,
    speaker_id: uuid.UUID,
    payload: SpeakerAccept,
    request: Request,
    db: DbSession,
    principal: Engaged,
) -> SpeakerOut:
    # No visibility check: speakers are often invited while the event is still a draft.
    event = await access.get_event(db, event_id)
    speaker = await speakers.accept(
        db, principal, event, speaker_id, payload.token, client_ip(request)
    )
    await db.flush()
    return (await _speakers_out(db, [speaker], True))[0]


@router.delete(
    "/v1/events/{event_id}/speakers/{speaker_id}",
    tags=["speakers"],
    status_code=204,
    summary="Remove a speaker",
)
async def remove_speaker(
    event_id: uuid.UUID, speaker_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await access.managed_event(db, principal, event_id, "event.write")
    await speakers.remove(db, event, await speakers.get(db, event, speaker_id))
    return Response(status_code=204)
