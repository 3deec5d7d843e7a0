"""Native API models of profiles."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field, create_model, field_validator

from livehouse.core import clock
from livehouse.core.money import Currency, MoneyModel
from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Address, Links, TimeZone, Username
from livehouse.media.schemas import MediaRef
from livehouse.profiles import privacy
from livehouse.profiles.service import SOCIAL_NETWORKS

Network = Literal["facebook", "instagram", "tiktok", "x", "youtube", "snapchat"]
assert set(SOCIAL_NETWORKS) == set(Network.__args__)  # type: ignore[attr-defined]
Role = Literal["client", "performer"]


def _switches(name: str, catalogue: dict[str, Any]) -> type[Input]:
    """A model with one optional boolean per setting: unknown names are refused by name."""
    fields: dict[str, Any] = {key: (bool | None, None) for key in catalogue}
    return create_model(name, __base__=Input, **fields)


PrivacyIn = _switches("PrivacyIn", privacy.PRIVACY)
EmailPreferencesIn = _switches("EmailPreferencesIn", privacy.EMAIL_PREFERENCES)
PhonePreferencesIn = _switches("PhonePreferencesIn", privacy.PHONE_PREFERENCES)


class SocialHandle(Input):
    network: Network
    handle: str | None = Field(
        None, max_length=300, description="A handle (`@name`) or a link to the profile"
    )
    followers: int | None = Field(None, ge=0, le=10**12)


class SocialOut(Output):
    network: str
    handle: str | None
    followers: int | None


class ProfileUpdate(Input):
    # kept on the account (identity)
    full_name: str | None = Field(None, max_length=200)
    date_of_birth: date | None = None
    username: Username | None = None
    locale: str | None = Field(None, max_length=16)
    # kept on the profile
    first_name: str | None = Field(None, max_length=40)
    last_name: str | None = Field(None, max_length=40)
    display_name: str | None = Field(None, max_length=80)
    bio: str | None = Field(None, max_length=2500)
    gender: str | None = Field(None, max_length=40)
    wedding_date: date | None = None
    business_name: str | None = Field(None, max_length=200)
    timezone: TimeZone | None = None
    currency: Currency | None = None
    image_id: uuid.UUID | None = Field(None, description="One of your uploaded images")
    addresses: list[Address] | None = Field(None, max_length=10)
    links: Links | None = None
    social: list[SocialHandle] | None = Field(None, max_length=len(SOCIAL_NETWORKS))
    privacy: PrivacyIn | None = None  # type: ignore[valid-type]
    email_preferences: EmailPreferencesIn | None = None  # type: ignore[valid-type]
    phone_preferences: PhonePreferencesIn | None = None  # type: ignore[valid-type]

    @field_validator("wedding_date")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        if value is not None and not (1900 <= value.year <= clock.now().year + 10):
            raise ValueError("Is not a plausible wedding date")
        return value


class PreferenceOut(Output):
    name: str
    value: bool
    read_only: bool


class Metrics(Output):
    followers: int
    following: int


class Relation(Output):
    following: bool = Field(description="You follow them")
    follows_me: bool = Field(description="They follow you")
    muted: bool = Field(description="You muted them")


class Accepts(Output):
    follow: bool
    contact: bool


class CategoryOut(Output):
    id: uuid.UUID
    name: str
    slug: str

    @classmethod
    def of(cls, category: Any) -> CategoryOut:
        return cls(id=category.public_id, name=category.name, slug=category.slug)


class MyProfileOut(Output):
    id: uuid.UUID
    email: str | None
    email_verified: bool
    phone: str | None = Field(description="Changes through identity's phone verification")
    phone_verified: bool
    username: str | None
    full_name: str | None
    date_of_birth: date | None
    locale: str | None
    first_name: str | None
    last_name: str | None
    display_name: str | None
    bio: str | None
    gender: str | None
    wedding_date: date | None
    business_name: str | None
    timezone: str | None
    currency: str | None
    image: MediaRef | None
    addresses: list[dict[str, Any]]
    links: list[dict[str, str]]
    social: list[SocialOut]
    role: Role
    privacy: dict[str, bool]
    email_preferences: list[PreferenceOut]
    phone_preferences: list[PreferenceOut]
    metrics: Metrics
    joined_at: datetime


class PerformerSummary(Output):
    stage_name: str | None
    categories: list[CategoryOut]
    price: MoneyModel | None


class PublicProfileOut(Output):
    id: uuid.UUID
    locked: bool = Field(description="The person locked their profile: details are hidden")
    display_name: str | None
    first_name: str | None
    last_name: str | None
    username: str | None
    image: MediaRef | None
    bio: str | None
    timezone: str | None
    links: list[dict[str, str]]
    social: list[SocialOut]
    role: Role
    performer: PerformerSummary | None
    metrics: Metrics | None
    joined_at: datetime | None
    accepts: Accepts
    relation: Relation | None = Field(description="Only when you are signed in as a person")


class UserSummary(Output):
    id: uuid.UUID
    name: str | None
    username: str | None
    image: MediaRef | None
    role: Role
    stage_name: str | None
    categories: list[CategoryOut]
    price: MoneyModel | None


class PerformerIn(Input):
    stage_name: str | None = Field(None, min_length=1, max_length=100)
    biography: str | None = Field(None, max_length=5000)
    industry: str | None = Field(None, max_length=100)
    genre: str | None = Field(None, max_length=100)
    links: Links | None = None
    image_id: uuid.UUID | None = Field(None, description="One of your uploaded images")
    slides: list[uuid.UUID] | None = Field(None, description="Your uploaded images, in order")
    price: MoneyModel | None = None
    categories: list[str] | None = Field(None, max_length=20, description="Ids or slugs")


class PerformerUpdate(PerformerIn):
    active: bool | None = Field(None, description="false: back to being a client")


class PerformerOut(Output):
    account_id: uuid.UUID
    active: bool
    locked: bool
    stage_name: str | None
    biography: str | None
    industry: str | None
    genre: str | None
    links: list[dict[str, str]]
    image: MediaRef | None
    slides: list[MediaRef]
    price: MoneyModel | None
    categories: list[CategoryOut]
    invite_code: str
    created_at: datetime
    updated_at: datetime


class EntityOut(Output):
    type: Literal["user", "org"]
    id: uuid.UUID
    name: str | None
    username: str | None = None
    slug: str | None = None
    image: str | None = Field(None, description="Image URL")


class ConnectionOut(Output):
    id: uuid.UUID
    created_at: datetime
    entity: EntityOut


class MuteIn(Input):
    target_id: uuid.UUID = Field(description="A person's or an organisation's id")


class ContactIn(Input):
    subject: str = Field(min_length=1, max_length=2500)
    message: str = Field(min_length=1, max_length=10000)


class CategoryIn(Input):
    name: str = Field(min_length=1, max_length=100)
    slug: str | None = Field(
        None, min_length=1, max_length=100, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"
    )


class CategoryUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=100)
    slug: str | None = Field(
        None, min_length=1, max_length=100, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"
    )


class TagIn(Input):
    name: str = Field(min_length=1, max_length=50)


class TagOut(Output):
    id: uuid.UUID
    name: str
    slug: str


class DeviceIn(Input):
    device_id: str = Field(min_length=1, max_length=255)
    push_token: str | None = Field(None, min_length=1, max_length=4096)
    platform: Literal["ios", "android", "web"] | None = None


class DeviceUpdate(Input):
    push_token: str | None = Field(None, min_length=1, max_length=4096)
    platform: Literal["ios", "android", "web"] | None = None


class DeviceOut(Output):
    id: uuid.UUID
    device_id: str
    platform: str | None
    push_token: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, device: Any) -> DeviceOut:
        return cls(
            id=device.public_id,
            device_id=device.device_id,
            platform=device.platform,
            push_token=device.push_token,
            created_at=device.created_at,
            updated_at=device.updated_at,
        )
