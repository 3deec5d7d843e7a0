"""Native API models of waiting lists, invitations to book and order forms."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Email

# ---- waiting lists ---------------------------------------------------------------------------


class WaitlistJoin(Input):
    ticket_type_id: uuid.UUID
    variation_id: uuid.UUID | None = Field(None, description="Needed when the type has several")
    occurrence_id: uuid.UUID | None = Field(
        None, description="Needed when the event has several upcoming dates"
    )
    quantity: int = Field(1, ge=1, le=100)


class WaitlistOffer(Output):
    hold_id: uuid.UUID = Field(description="Check out this hold to book the places")
    expires_at: datetime


class WaitlistEntryOut(Output):
    id: uuid.UUID
    event_id: uuid.UUID
    occurrence_id: uuid.UUID
    ticket_type_id: uuid.UUID
    ticket_type: str
    variation_id: uuid.UUID | None
    quantity: int
    status: Literal["waiting", "offered", "purchased", "lapsed", "left", "ineligible"]
    position: int | None = Field(None, description="Place in line while waiting (1 = next)")
    joined_at: datetime
    offer: WaitlistOffer | None = None
    note: str | None = None
    email: str | None = Field(None, description="Organisers only")
    name: str | None = Field(None, description="Organisers only")


class OfferNow(Input):
    ticket_type_id: uuid.UUID
    occurrence_id: uuid.UUID | None = None


class OfferNowOut(Output):
    offers: int = Field(description="Offers made now (each e-mailed)")


# ---- invitations to book ---------------------------------------------------------------------


class Invitee(Input):
    email: Email
    name: str | None = Field(None, max_length=200)


class InviteToBook(Input):
    invitees: list[Invitee] = Field(min_length=1, max_length=100)
    ticket_type_id: uuid.UUID | None = Field(
        None, description="Invite to this ticket type only (default: the whole event)"
    )
    message: str | None = Field(None, max_length=2000)


class InvitationOut(Output):
    id: uuid.UUID
    event_id: uuid.UUID
    ticket_type_id: uuid.UUID | None
    email: str
    name: str | None
    message: str | None
    status: Literal["active", "expired"]
    booked: bool = Field(description="The address has a paid order for the event")
    sent_count: int
    expires_at: datetime
    created_at: datetime


# ---- order forms -----------------------------------------------------------------------------

FieldType = Literal["text", "number", "date", "select", "checkbox"]


class FormFieldFields(Input):
    name: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9_]{0,49}$", description="The key of the answer"
    )
    label: str | None = Field(None, min_length=1, max_length=200)
    type: FieldType | None = None
    source: Literal["buyer", "attendee"] | None = Field(
        None, description="Asked of the buyer once, or of each attendee"
    )
    mandatory: bool | None = None
    min_length: int | None = Field(None, ge=0, le=2000)
    max_length: int | None = Field(None, ge=1, le=2000)
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        None, max_length=100
    )
    ticket_type_ids: list[uuid.UUID] | None = Field(
        None, max_length=50, description="Only for these tickets (default: every ticket)"
    )
    placeholder: str | None = Field(None, max_length=200)
    instruction: str | None = Field(None, max_length=2000)
    display_order: int | None = None


class FormFieldCreate(FormFieldFields):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,49}$", description="The key of the answer")
    label: str = Field(min_length=1, max_length=200)
    type: FieldType
    source: Literal["buyer", "attendee"] = "buyer"
    mandatory: bool = False


class FormFieldOut(Output):
    id: uuid.UUID
    name: str
    label: str
    type: str
    source: str
    mandatory: bool
    min_length: int | None
    max_length: int | None
    options: list[str]
    ticket_type_ids: list[uuid.UUID]
    placeholder: str | None
    instruction: str | None
    display_order: int
