"""Native API models of organisations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from livehouse.core.money import Currency
from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Address, CountryCode, Email, Links, Phone, TimeZone
from livehouse.orgs.models import Membership, Organisation


class OrgCreate(Input):
    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, min_length=2, max_length=90)
    info: str | None = Field(None, max_length=2500)
    image_url: str | None = Field(None, max_length=1024)
    email: Email | None = None
    phone: Phone | None = None
    currency: Currency = "USD"
    timezone: TimeZone = "UTC"
    country: CountryCode | None = None
    links: Links = Field(default_factory=list)
    addresses: list[Address] = Field(default_factory=list, max_length=10)
    age_verification_min_age: int | None = Field(None, ge=1, le=120)


class OrgUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    info: str | None = Field(None, max_length=2500)
    image_url: str | None = Field(None, max_length=1024)
    email: Email | None = None
    phone: Phone | None = None
    currency: Currency | None = None
    timezone: TimeZone | None = None
    country: CountryCode | None = None
    links: Links | None = None
    addresses: list[Address] | None = Field(None, max_length=10)
    age_verification_min_age: int | None = Field(None, ge=1, le=120)


class OrgOut(Output):
    id: uuid.UUID
    name: str
    slug: str
    info: str | None
    image_url: str | None
    email: str | None
    phone: str | None
    currency: str
    timezone: str
    country: str | None
    links: list[dict[str, str]]
    addresses: list[dict[str, Any]]
    status: str
    age_verification_min_age: int | None
    created_at: datetime

    @classmethod
    def of(cls, org: Organisation) -> OrgOut:
        return cls(
            id=org.public_id,
            name=org.name,
            slug=org.slug,
            info=org.info,
            image_url=org.image_url,
            email=org.email,
            phone=org.phone,
            currency=org.currency,
            timezone=org.timezone,
            country=org.country,
            links=org.links or [],
            addresses=org.addresses or [],
            status=org.status,
            age_verification_min_age=org.age_verification_min_age,
            created_at=org.created_at,
        )


class MyOrgOut(Output):
    organisation: OrgOut
    role: str
    scopes: list[str]
    enabled: bool


class MemberOut(Output):
    id: uuid.UUID
    account_id: uuid.UUID
    email: str | None
    full_name: str | None
    role: str
    scopes: list[str]
    custom_scopes: bool
    enabled: bool
    created_at: datetime


class MemberUpdate(Input):
    role: str | None = None
    scopes: list[str] | None = Field(None, description="Narrow the role's scopes; null = defaults")
    enabled: bool | None = None


def member_out(membership: Membership, account: Any, scopes: frozenset[str]) -> MemberOut:
    return MemberOut(
        id=membership.public_id,
        account_id=account.public_id,
        email=account.email,
        full_name=account.full_name,
        role=membership.role,
        scopes=sorted(scopes),
        custom_scopes=membership.scopes is not None,
        enabled=membership.enabled,
        created_at=membership.created_at,
    )
