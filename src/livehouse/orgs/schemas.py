"""Native API models of organisations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, StrictBool

from livehouse.core.money import Currency
from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Address, CountryCode, Email, Links, Phone, TimeZone
from livehouse.orgs import invitations as invitation_rules
from livehouse.orgs.models import (
    BillingInformation,
    Invitation,
    Membership,
    Organisation,
    RegistrationField,
    Relation,
)


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


class ExtendedStatus(Output):
    muted: bool = False
    locked: bool = False
    verified: bool = False
    transaction_on_hold: bool = False


class ExtendedStatusUpdate(Input):
    muted: StrictBool | None = None
    locked: StrictBool | None = None
    verified: StrictBool | None = None
    transaction_on_hold: StrictBool | None = None


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
    extended_status: ExtendedStatusUpdate | None = Field(
        None, description="Platform moderation flags; only platform administrators set them"
    )


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
    extended_status: ExtendedStatus = Field(default_factory=ExtendedStatus)
    limited: bool = Field(
        False, description="Parts of the profile are hidden from you by its privacy settings"
    )
    created_at: datetime

    @classmethod
    def of(
        cls,
        org: Organisation,
        *,
        hidden: frozenset[str] = frozenset(),
        status: dict[str, bool] | None = None,
    ) -> OrgOut:
        def part(name: str, value: Any, empty: Any = None) -> Any:
            return empty if name in hidden else value

        return cls(
            id=org.public_id,
            name=org.name,
            slug=org.slug,
            info=part("info", org.info),
            image_url=org.image_url,
            email=part("email", org.email),
            phone=part("phone", org.phone),
            currency=org.currency,
            timezone=org.timezone,
            country=part("country", org.country),
            links=part("links", org.links or [], []),
            addresses=part("addresses", org.addresses or [], []),
            status=org.status,
            age_verification_min_age=org.age_verification_min_age,
            extended_status=ExtendedStatus(**(status or {})),
            limited=bool(hidden),
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


# ---- invitations --------------------------------------------------------------------------------


class InvitationCreate(Input):
    email: Email
    first_name: str | None = Field(None, max_length=40)
    last_name: str | None = Field(None, max_length=40)
    role: str = "member"
    scopes: list[str] | None = Field(None, description="Narrow the role's scopes; null = defaults")


class InvitationAccept(Input):
    token: str = Field(min_length=1, max_length=200, description="The token from the e-mail link")


class InvitationOut(Output):
    id: uuid.UUID
    email: str
    first_name: str | None
    last_name: str | None
    role: str
    scopes: list[str] | None
    status: str = Field(description="pending | accepted | expired")
    member_id: uuid.UUID | None = Field(description="The team membership it created")
    sent_count: int
    last_sent_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, invitation: Invitation, member_id: uuid.UUID | None = None) -> InvitationOut:
        return cls(
            id=invitation.public_id,
            email=invitation.email,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            role=invitation.role,
            scopes=invitation.scopes,
            status=invitation_rules.status_of(invitation),
            member_id=member_id,
            sent_count=invitation.sent_count,
            last_sent_at=invitation.last_sent_at,
            expires_at=invitation.expires_at,
            accepted_at=invitation.accepted_at,
            created_at=invitation.created_at,
        )


# ---- master / follower --------------------------------------------------------------------------

PaymentMethods = dict[str, StrictBool]


class FollowerCreate(Input):
    organisation: OrgCreate
    owner_email: Email | None = Field(
        None, description="Invite this address as the follower's owner (required for apps/keys)"
    )
    scopes: list[str] = Field(default_factory=list, description="What the master may do there")
    payment_methods: PaymentMethods = Field(default_factory=dict, max_length=50)


class FollowerLink(Input):
    follower_id: uuid.UUID
    scopes: list[str] = Field(default_factory=list)
    payment_methods: PaymentMethods = Field(default_factory=dict, max_length=50)


class RelationUpdate(Input):
    scopes: list[str] | None = None
    payment_methods: PaymentMethods | None = Field(None, max_length=50)


class OrgBrief(Output):
    id: uuid.UUID
    name: str
    slug: str
    image_url: str | None


class RelationOut(Output):
    master: OrgBrief
    follower: OrgBrief
    origin: str = Field(description="created (by the master) | linked (an existing organisation)")
    status: str = Field(description="pending (waits for the follower's owner) | active")
    scopes: list[str] = Field(description="What the master's team may do on the follower now")
    proposed_scopes: list[str] | None = Field(description="Waiting for the follower's owner")
    payment_methods: PaymentMethods
    created_at: datetime
    accepted_at: datetime | None

    @classmethod
    def of(cls, relation: Relation, master: Organisation, follower: Organisation) -> RelationOut:
        def brief(org: Organisation) -> OrgBrief:
            return OrgBrief(id=org.public_id, name=org.name, slug=org.slug, image_url=org.image_url)

        return cls(
            master=brief(master),
            follower=brief(follower),
            origin=relation.origin,
            status=relation.status,
            scopes=relation.scopes,
            proposed_scopes=relation.proposed_scopes,
            payment_methods=relation.payment_methods or {},
            created_at=relation.created_at,
            accepted_at=relation.accepted_at,
        )


class FollowerCreated(RelationOut):
    owner_invitation_id: uuid.UUID | None = None


# ---- privacy ------------------------------------------------------------------------------------


class PrivacySettings(Output):
    lock_my_organisation_profile: bool
    hide_address_on_my_organisation_profile: bool
    hide_reviews_on_my_organisation_profile: bool
    hide_review_interactions_from_public: bool
    allow_people_to_contact_my_organisation: bool
    allow_people_to_follow_my_organisation: bool


class PrivacySettingsUpdate(Input):
    lock_my_organisation_profile: StrictBool | None = None
    hide_address_on_my_organisation_profile: StrictBool | None = None
    hide_reviews_on_my_organisation_profile: StrictBool | None = None
    hide_review_interactions_from_public: StrictBool | None = None
    allow_people_to_contact_my_organisation: StrictBool | None = None
    allow_people_to_follow_my_organisation: StrictBool | None = None


# ---- billing and payout -------------------------------------------------------------------------


class BillingIn(Input):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    company_name: str | None = Field(None, max_length=200)
    tax_id: str | None = Field(None, max_length=50)
    email: Email | None = None
    phone: Phone | None = None
    address: Address


class BillingOut(Output):
    first_name: str | None
    last_name: str | None
    company_name: str | None
    tax_id: str | None
    email: str | None
    phone: str | None
    address: dict[str, Any]
    updated_at: datetime

    @classmethod
    def of(cls, row: BillingInformation) -> BillingOut:
        return cls(
            first_name=row.first_name,
            last_name=row.last_name,
            company_name=row.company_name,
            tax_id=row.tax_id,
            email=row.email,
            phone=row.phone,
            address=row.address,
            updated_at=row.updated_at,
        )


class PayoutIn(Input):
    account_name: str = Field(max_length=200)
    bank_name: str = Field(max_length=200)
    account_number: str | None = Field(None, max_length=40)
    iban: str | None = Field(None, max_length=50)
    bsb_code: str | None = Field(None, max_length=10)
    aba_routing: str | None = Field(None, max_length=20)
    swift_or_bic_code: str | None = Field(None, max_length=20)
    country: CountryCode | None = None


class PayoutOut(Output):
    account_name: str | None
    bank_name: str | None
    account_number: str | None = Field(description="Masked: only the last four characters")
    iban: str | None = Field(description="Masked: only the last four characters")
    bsb_code: str | None
    aba_routing: str | None
    swift_or_bic_code: str | None
    country: str | None


# ---- registration fields and customers ----------------------------------------------------------


class FieldOption(Input):
    value: str = Field(min_length=1, max_length=100)
    label: str = Field(min_length=1, max_length=200)


class RegistrationFieldCreate(Input):
    name: str = Field(min_length=1, max_length=50, description="The answer's key in `fields`")
    label: str = Field(min_length=1, max_length=200)
    type: str = Field(description="text | number | date | select | checkbox | email | phone")
    default_value: str | None = Field(None, max_length=1000)
    placeholder: str | None = Field(None, max_length=200)
    required: bool = False
    options: list[FieldOption] = Field(default_factory=list, max_length=100)
    position: int = Field(0, ge=0, le=10_000)


class RegistrationFieldUpdate(Input):
    label: str | None = Field(None, min_length=1, max_length=200)
    type: str | None = None
    default_value: str | None = Field(None, max_length=1000)
    placeholder: str | None = Field(None, max_length=200)
    required: bool | None = None
    options: list[FieldOption] | None = Field(None, max_length=100)
    position: int | None = Field(None, ge=0, le=10_000)


class RegistrationFieldOut(Output):
    id: uuid.UUID
    name: str
    label: str
    type: str
    default_value: str | None
    placeholder: str | None
    required: bool
    options: list[dict[str, str]]
    position: int

    @classmethod
    def of(cls, field: RegistrationField) -> RegistrationFieldOut:
        return cls(
            id=field.public_id,
            name=field.name,
            label=field.label,
            type=field.type,
            default_value=field.default_value,
            placeholder=field.placeholder,
            required=field.required,
            options=field.options or [],
            position=field.position,
        )


class CustomerCreate(Input):
    email: Email
    full_name: str | None = Field(None, max_length=200)
    password: str | None = Field(None, min_length=1, max_length=256)
    fields: dict[str, Any] | None = Field(None, description="Registration field answers")


class CustomerOut(Output):
    id: uuid.UUID
    account_id: uuid.UUID
    email: str | None
    full_name: str | None
    username: str | None
    active: bool
    fields: dict[str, Any]
    source: str | None
    registered_at: datetime

    @classmethod
    def of(cls, customer: Any, account: Any) -> CustomerOut:
        return cls(
            id=customer.public_id,
            account_id=account.public_id,
            email=account.email,
            full_name=account.full_name,
            username=account.username,
            active=account.status == "active",
            fields=customer.fields or {},
            source=customer.source,
            registered_at=customer.created_at,
        )
