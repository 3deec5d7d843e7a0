"""Order-form routes: anyone who may see an event reads its questions; organisers
(`ticket.manage`) add, change and remove them. Answers are given at checkout."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.deps import DbSession
from livehouse.events.access import managed_event, readable_event
from livehouse.identity.auth import Authenticated, MaybeAuthenticated
from livehouse.ticketing import forms
from livehouse.ticketing.models import OrderFormField
from livehouse.ticketing.schemas_extra import FormFieldCreate, FormFieldFields, FormFieldOut

router = APIRouter(tags=["tickets (organisers)"])


async def _views(session: AsyncSession, rows: Sequence[OrderFormField]) -> list[FormFieldOut]:
    public = await forms.public_type_ids(session, rows)
    return [
        FormFieldOut(
            id=f.public_id,
            name=f.name,
            label=f.label,
            type=f.type,
            source=f.source,
            mandatory=f.mandatory,
            min_length=f.min_length,
            max_length=f.max_length,
            options=f.options,
            ticket_type_ids=[public[i] for i in f.ticket_type_ids if i in public],
            placeholder=f.placeholder,
            instruction=f.instruction,
            display_order=f.display_order,
        )
        for f in rows
    ]


@router.get(
    "/v1/events/{event_id}/order-form",
    response_model=list[FormFieldOut],
    summary="The questions buyers (and each attendee) answer at checkout",
)
async def read_order_form(
    event_id: uuid.UUID, db: DbSession, principal: MaybeAuthenticated
) -> list[FormFieldOut]:
    event, _ = await readable_event(db, principal, event_id)
    return await _views(db, await forms.fields_of(db, event.id))


@router.post(
    "/v1/events/{event_id}/order-form/fields",
    status_code=201,
    response_model=FormFieldOut,
    summary="Add a question to the order form",
)
async def create_form_field(
    event_id: uuid.UUID, payload: FormFieldCreate, db: DbSession, principal: Authenticated
) -> FormFieldOut:
    event = await managed_event(db, principal, event_id, "ticket.manage")
    values = payload.model_dump(exclude_none=True)
    [out] = await _views(db, [await forms.create(db, event, values)])
    return out


@router.patch(
    "/v1/events/{event_id}/order-form/fields/{field_id}",
    response_model=FormFieldOut,
    summary="Change a question (answers already given keep their old key)",
)
async def update_form_field(
    event_id: uuid.UUID,
    field_id: uuid.UUID,
    payload: FormFieldFields,
    db: DbSession,
    principal: Authenticated,
) -> FormFieldOut:
    event = await managed_event(db, principal, event_id, "ticket.manage")
    field = await forms.get(db, event, field_id)
    await forms.update(db, event, field, payload.model_dump(exclude_unset=True))
    [out] = await _views(db, [field])
    return out


@router.delete(
    "/v1/events/{event_id}/order-form/fields/{field_id}",
    status_code=204,
    summary="Remove a question (answers already given stay on their orders)",
)
async def delete_form_field(
    event_id: uuid.UUID, field_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    event = await managed_event(db, principal, event_id, "ticket.manage")
    await forms.delete(db, await forms.get(db, event, field_id))
    return Response(status_code=204)
