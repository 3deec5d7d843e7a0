"""Native API models of events: the event itself, its occurrence rule, occurrences, sessions.

Shapes only (lengths, formats, enums). Rules that combine fields (a weekly rule needs an end, a
venue event has no stream link, a session lies within an occurrence) are in the services, which
name the offending field in their 422s.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field

from livehouse.core.money import Currency
from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Address, CountryCode, Links, TimeZone
from livehouse.events.models import Event, EventSession, Occurrence

MAX_DURATION_MINUTES = 31 * 24 * 60
EventType = Literal["venue", "online", "hybrid"]
Terminology = Literal["ticket", "registration", "booking", "rsvp"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _http_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or "." not in parsed.hostname:
        raise ValueError("Use a full http(s) URL")
    return value


_UPLOAD_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def _media_ref(value: str) -> str:
    """An http(s) URL, or the key of a stored upload ("uploads/orgs/…/x.jpg")."""
    if "://" in value:
        return _http_url(value)
    if not _UPLOAD_KEY.match(value) or ".." in value:
        raise ValueError("Use an http(s) URL or the key of an upload")
    return value


HttpUrl = Annotated[str, Field(max_length=2048), AfterValidator(_http_url)]
MediaRef = Annotated[str, Field(max_length=1024), AfterValidator(_media_ref)]


# ---- the occurrence rule ---------------------------------------------------------------------


def _exclusion(value: Any) -> Any:
    # "2026-04-03" means that whole local day; anything longer is one local start time.
    if isinstance(value, str) and len(value.strip()) == 10:
        return date.fromisoformat(value.strip())
    if isinstance(value, str):
        return datetime.fromisoformat(value.strip())
    return value


Exclusion = Annotated[datetime | date, BeforeValidator(_exclusion)]


class RuleEnds(Input):
    on: date | None = Field(None, description="Last local date an occurrence may start on")
    after: int | None = Field(None, ge=1, description="Number of occurrences (before exclusions)")


class ScheduleEntry(Input):
    starts_on: datetime = Field(description="Local time in the event's zone")
    duration_minutes: int = Field(ge=1, le=MAX_DURATION_MINUTES)


class OccurrenceRule(Input):
    """When the event takes place. Times are wall-clock times in the event's time zone (an
    offset, if given, is converted to that zone); a 20:00 show stays 20:00 across DST."""

    type: Literal["single", "daily", "weekly", "monthly", "schedule"]
    starts_on: datetime | None = Field(None, description="First start (local)")
    duration_minutes: int | None = Field(None, ge=1, le=MAX_DURATION_MINUTES)
    interval: int = Field(1, ge=1, le=99, description="Every n days/weeks/months")
    days: list[Weekday] | None = Field(None, min_length=1, max_length=7, description="weekly")
    monthly_by: Literal["day_number", "weekday"] | None = Field(
        None, description="monthly: the same day number, or e.g. the second Tuesday"
    )
    day_of_month: int | None = Field(None, ge=-1, le=31, description="1-31, or -1 for the last")
    week_of_month: int | None = Field(None, ge=-1, le=5, description="1-5, or -1 for the last")
    weekday: Weekday | None = None
    ends: RuleEnds | None = None
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=500)
    schedule: list[ScheduleEntry] | None = Field(None, min_length=1, max_length=500)


# ---- parts of an event -----------------------------------------------------------------------


class Banner(Input):
    name: str = Field("", max_length=100)
    image: MediaRef
    primary: bool = False


class Resource(Input):
    id: uuid.UUID | None = None
    order: int = Field(1, ge=0, le=10_000)
    type: Literal["video", "image", "text"]
    content: str = Field(min_length=1, max_length=20_000)


class NameValue(Input):
    name: str = Field(min_length=1, max_length=100)
    value: str = Field("", max_length=1000)


class TrackingCode(Input):
    type: str = Field(min_length=1, max_length=50, description="e.g. google_analytics")
    value: str = Field(min_length=1, max_length=2000)


class Tax(Input):
    code: str = Field(min_length=1, max_length=20)
    rate_basis_points: int = Field(ge=0, le=10_000, description="1000 = 10 %")


class Venue(Input):
    name: str = Field(min_length=1, max_length=200)
    address: Address
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    image: MediaRef | None = None
    url: HttpUrl | None = None


class Online(Input):
    stream_url: HttpUrl = Field(description="Shown to organisers only (attendees via access)")
    platform: str | None = Field(None, max_length=50)
    instructions: str | None = Field(None, max_length=2500)


Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=20_000)]
Category = Annotated[str, Field(min_length=1, max_length=100)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]


class EventCreate(Input):
    name: Name
    display_name: str | None = Field(None, max_length=200)
    description: Description | None = None
    event_type: EventType
    category: Category | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    timezone: TimeZone | None = Field(None, description="Default: the organisation's")
    currency: Currency | None = Field(None, description="Default: the organisation's")
    country: CountryCode | None = Field(None, description="Default: the venue's, else the org's")
    tax: Tax | None = None
    terminology: Terminology = "ticket"
    capacity: int | None = Field(None, ge=1, le=10_000_000)
    listed: bool = True
    banners: list[Banner] = Field(default_factory=list, max_length=20)
    resources: list[Resource] = Field(default_factory=list, max_length=50)
    links: Links = Field(default_factory=list)
    custom_attributes: list[NameValue] = Field(default_factory=list, max_length=50)
    tracking_codes: list[TrackingCode] = Field(default_factory=list, max_length=20)
    venue: Venue | None = None
    online: Online | None = None
    occurrence: OccurrenceRule


class EventUpdate(Input):
    """Only the fields sent change; `null` clears an optional field."""

    name: Name | None = None
    display_name: str | None = Field(None, max_length=200)
    description: Description | None = None
    event_type: EventType | None = None
    category: Category | None = None
    tags: list[Tag] | None = Field(None, max_length=20)
    timezone: TimeZone | None = None
    currency: Currency | None = None
    country: CountryCode | None = None
    tax: Tax | None = None
    terminology: Terminology | None = None
    capacity: int | None = Field(None, ge=1, le=10_000_000)
    listed: bool | None = None
    banners: list[Banner] | None = Field(None, max_length=20)
    resources: list[Resource] | None = Field(None, max_length=50)
    links: Links | None = None
    custom_attributes: list[NameValue] | None = Field(None, max_length=50)
    tracking_codes: list[TrackingCode] | None = Field(None, max_length=20)
    venue: Venue | None = None
    online: Online | None = None
    occurrence: OccurrenceRule | None = None


class DuplicateIn(Input):
    name: Name | None = Field(None, description="Default: the original's name + ' (copy)'")


class ReasonIn(Input):
    reason: str | None = Field(None, max_length=2500)


# ---- responses -------------------------------------------------------------------------------


class When(Output):
    local: datetime = Field(description="Wall-clock time in the event's zone, with its offset")
    utc: datetime


def when(instant: datetime, zone: str) -> When:
    return When(local=instant.astimezone(ZoneInfo(zone)), utc=instant.astimezone(UTC))


class OccurrenceOut(Output):
    id: uuid.UUID
    starts: When
    ends: When
    capacity: int | None

    @classmethod
    def of(cls, occurrence: Occurrence, zone: str) -> OccurrenceOut:
        return cls(
            id=occurrence.public_id,
            starts=when(occurrence.starts_at, zone),
            ends=when(occurrence.ends_at, zone),
            capacity=occurrence.capacity,
        )


class EventMetrics(Output):
    saved_count: int = 0
    shared_count: int = 0
    review_count: int | None = Field(0, description="null when the organisation hides reviews")
    review_rating_average: float | None = None


class EventOut(Output):
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    display_name: str | None
    description: str | None
    event_type: str
    category: str | None
    tags: list[str]
    timezone: str
    currency: str
    country: str | None
    tax: Tax | None
    terminology: str
    capacity: int | None
    banners: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    links: list[dict[str, str]]
    custom_attributes: list[dict[str, str]]
    tracking_codes: list[dict[str, str]]
    venue: dict[str, Any] | None
    online: dict[str, Any] | None = Field(description="stream_url only for organisers")
    occurrence: dict[str, Any]
    starts: When = Field(description="Start of the first occurrence")
    ends: When = Field(description="End of the last occurrence")
    next_occurrence: OccurrenceOut | None
    status: str = Field(description="draft|published|unpublished|live|ended|cancelled|suspended")
    publishing: str
    listed: bool
    live: bool
    ended: bool
    cancelled: bool
    suspended: bool
    cancel_reason: str | None
    published_at: datetime | None
    metrics: EventMetrics
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls,
        event: Event,
        *,
        org_public_id: uuid.UUID,
        status: str,
        ended: bool,
        metrics: EventMetrics,
        next_occurrence: Occurrence | None,
        private: bool,
    ) -> EventOut:
        online = dict(event.online) if event.online else None
        if online is not None and not private:
            online.pop("stream_url", None)
        tax = None
        if event.tax_code is not None and event.tax_rate_bp is not None:
            tax = Tax(code=event.tax_code, rate_basis_points=event.tax_rate_bp)
        zone = event.timezone
        return cls(
            id=event.public_id,
            org_id=org_public_id,
            name=event.name,
            display_name=event.display_name,
            description=event.description,
            event_type=event.event_type,
            category=event.category,
            tags=event.tags or [],
            timezone=zone,
            currency=event.currency,
            country=event.country,
            tax=tax,
            terminology=event.terminology,
            capacity=event.capacity,
            banners=event.banners or [],
            resources=event.resources or [],
            links=event.links or [],
            custom_attributes=event.custom_attributes or [],
            tracking_codes=event.tracking_codes or [],
            venue=event.venue,
            online=online,
            occurrence=event.occurrence_rule,
            starts=when(event.starts_at, zone),
            ends=when(event.ends_at, zone),
            next_occurrence=OccurrenceOut.of(next_occurrence, zone) if next_occurrence else None,
            status=status,
            publishing=event.publishing,
            listed=event.listed,
            live=event.live_since is not None,
            ended=ended,
            cancelled=event.cancelled_at is not None,
            suspended=event.suspended_at is not None,
            cancel_reason=event.cancel_reason,
            published_at=event.published_at,
            metrics=metrics,
            created_at=event.created_at,
            updated_at=event.updated_at,
        )


# ---- sessions --------------------------------------------------------------------------------


class SessionCreate(Input):
    name: str = Field(min_length=1, max_length=75)
    description: str | None = Field(None, max_length=2500)
    image: MediaRef | None = None
    starts_on: datetime = Field(description="Local time in the event's zone")
    ends_on: datetime = Field(description="Local time in the event's zone")
    sold_individually: bool = False


class SessionUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=75)
    description: str | None = Field(None, max_length=2500)
    image: MediaRef | None = None
    starts_on: datetime | None = None
    ends_on: datetime | None = None
    sold_individually: bool | None = None


class SessionOut(Output):
    id: uuid.UUID
    occurrence_id: uuid.UUID
    name: str
    description: str | None
    image: str | None
    starts: When
    ends: When
    sold_individually: bool
    created_at: datetime

    @classmethod
    def of(cls, item: EventSession, occurrence_public_id: uuid.UUID, zone: str) -> SessionOut:
        return cls(
            id=item.public_id,
            occurrence_id=occurrence_public_id,
            name=item.name,
            description=item.description,
            image=item.image,
            starts=when(item.starts_at, zone),
            ends=when(item.ends_at, zone),
            sold_individually=item.sold_individually,
            created_at=item.created_at,
        )


# ---- listing ---------------------------------------------------------------------------------

Status = Literal["draft", "published", "unpublished", "live", "ended", "cancelled", "suspended"]
TimeFilter = Literal[
    "today",
    "tomorrow",
    "this_week",
    "this_weekend",
    "next_week",
    "next_weekend",
    "this_month",
    "next_month",
    "this_year",
    "next_year",
]
Order = Literal["created_asc", "created_desc", "starting", "name_asc", "name_desc"]
Mine = Literal["all", "organised", "speaking", "attending"]
