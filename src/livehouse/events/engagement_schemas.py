"""Native API models of speakers, saves, shares, reviews, organisation metrics and activities."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Email
from livehouse.events.models import Review, Save, Share, Speaker
from livehouse.events.schemas import EventOut, MediaRef

ShareChannel = Literal[
    "link",
    "email",
    "facebook",
    "x",
    "twitter",
    "linkedin",
    "whatsapp",
    "telegram",
    "instagram",
    "other",
]


class Person(Output):
    id: uuid.UUID | None = Field(description="Account id (null once the account is erased)")
    name: str | None


# ---- speakers --------------------------------------------------------------------------------


class SpeakerCreate(Input):
    email: Email
    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200)
    bio: str | None = Field(None, max_length=2500)
    image: MediaRef | None = None


class SpeakerUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200)
    bio: str | None = Field(None, max_length=2500)
    image: MediaRef | None = None


class SpeakerAccept(Input):
    token: str = Field(min_length=10, max_length=200)


class SpeakerOut(Output):
    id: uuid.UUID
    name: str
    title: str | None
    bio: str | None
    image: str | None
    status: str | None = Field(description="invited|accepted|expired (organisers only)")
    email: str | None = Field(description="Organisers only")
    account_id: uuid.UUID | None = Field(description="Set once accepted (organisers only)")
    invited_at: datetime | None = None
    accepted_at: datetime | None = None

    @classmethod
    def of(
        cls, speaker: Speaker, status: str, account_id: uuid.UUID | None, private: bool
    ) -> SpeakerOut:
        return cls(
            id=speaker.public_id,
            name=speaker.name,
            title=speaker.title,
            bio=speaker.bio,
            image=speaker.image,
            status=status if private else None,
            email=speaker.email if private else None,
            account_id=account_id if private else None,
            invited_at=speaker.invited_at if private else None,
            accepted_at=speaker.accepted_at,
        )


# ---- saves, shares, reviews ------------------------------------------------------------------


class SaveOut(Output):
    id: uuid.UUID
    event_id: uuid.UUID
    created_at: datetime

    @classmethod
    def of(cls, save: Save, event_public_id: uuid.UUID) -> SaveOut:
        return cls(id=save.public_id, event_id=event_public_id, created_at=save.created_at)


class SaverOut(Output):
    id: uuid.UUID
    account: Person
    created_at: datetime


class MySaveOut(Output):
    id: uuid.UUID
    created_at: datetime
    event: EventOut


class ShareCreate(Input):
    channel: ShareChannel = "link"


class ShareOut(Output):
    id: uuid.UUID
    event_id: uuid.UUID
    channel: str
    account: Person | None = None
    created_at: datetime

    @classmethod
    def of(
        cls, share: Share, event_public_id: uuid.UUID, account: dict[str, Any] | None = None
    ) -> ShareOut:
        return cls(
            id=share.public_id,
            event_id=event_public_id,
            channel=share.channel,
            account=Person(**account) if account else None,
            created_at=share.created_at,
        )


class ReviewCreate(Input):
    rating: int = Field(ge=1, le=5)
    text: str | None = Field(None, max_length=5000)


class ReviewUpdate(Input):
    rating: int | None = Field(None, ge=1, le=5)
    text: str | None = Field(None, max_length=5000)


class ReviewOut(Output):
    id: uuid.UUID
    event_id: uuid.UUID
    account: Person
    rating: int
    text: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, review: Review, event_public_id: uuid.UUID, account: dict[str, Any]) -> ReviewOut:
        return cls(
            id=review.public_id,
            event_id=event_public_id,
            account=Person(**account),
            rating=review.rating,
            text=review.text,
            created_at=review.created_at,
            updated_at=review.updated_at,
        )


class InterestedPerson(Output):
    account: Person
    score: int = Field(description="How many of the organisation's events they engaged with")


# ---- organisation metrics and activities -----------------------------------------------------


class OrgMetricsOut(Output):
    org_id: uuid.UUID
    metrics: dict[str, Any] = Field(
        description="review_count, review_rating_average, and what other capabilities add"
    )


class SeriesPoint(Output):
    start: date
    end: date
    value: int


class EventActivity(Output):
    event_id: uuid.UUID
    value: int
    series: list[SeriesPoint] | None


class Activity(Output):
    name: str
    value: int | None = Field(description="null: not counted yet (its capability is missing)")
    series: list[SeriesPoint] | None
    by_event: list[EventActivity] | None


class EventRef(Output):
    id: uuid.UUID
    name: str


class ActivitiesOut(Output):
    org_id: uuid.UUID
    start_date: date
    end_date: date
    timezone: str
    interval: str | None
    events: list[EventRef]
    activities: list[Activity]
