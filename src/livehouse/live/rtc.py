"""Tokens for the real-time media servers live rooms run on: Agora (AccessToken2, the "007"
tokens) and LiveKit (JWTs built by `livekit-api`).

Agora publishes no Python package, so the AccessToken2 builder is ours; it reproduces Agora's
known-answer vectors byte for byte (tests/live/test_rtc.py). Layout, all little-endian:

    signing key  k = HMAC(u32(issue_ts), app_certificate); k = HMAC(u32(salt), k)
    info         string(app_id) u32(issue_ts) u32(expire) u32(salt) u16(n) services…
    service      u16(type) map(privilege → expire) fields
    token        "007" + base64(zlib(string(HMAC(k, info)) + info))

Who gets which role (the rule, until the live package decides per show):
- a viewer token (join and subscribe only) for any signed-in person;
- a host token (may publish) for enabled team members of the room's organisation, checked with
  `orgs.service.authorize(…, "org.read")`.
Rooms named `show-…` are live shows' rooms: live/rooms.py decides their roles (hosts and guests
on stage publish, ticket holders watch).
Rooms are named inside their organisation, so a token for one organisation's room never opens
another's: the media-server channel is `<org id hex>.<room>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from livekit import api as livekit
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import ServiceUnavailable
from livehouse.core.settings import Settings
from livehouse.identity import service as identity
from livehouse.identity.auth import Principal
from livehouse.live import rooms
from livehouse.orgs import service as orgs

VERSION = "007"

# Service types and their privileges (Agora's numbering).
RTC, RTM, FPA, CHAT, EDUCATION = 1, 2, 4, 5, 7
JOIN_CHANNEL, PUBLISH_AUDIO, PUBLISH_VIDEO, PUBLISH_DATA = 1, 2, 3, 4
RTM_LOGIN = 1
FPA_LOGIN = 1
CHAT_USER, CHAT_APP = 1, 2
EDUCATION_ROOM_USER, EDUCATION_USER, EDUCATION_APP = 1, 2, 3


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _string(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return _u16(len(raw)) + raw


@dataclass
class Service:
    """One service of a token: its type, privileges (privilege → relative expiry in seconds)
    and the fields that follow them."""

    type: int
    privileges: dict[int, int] = field(default_factory=dict)

    def add_privilege(self, privilege: int, expire: int) -> Service:
        self.privileges[privilege] = expire
        return self

    def fields(self) -> bytes:
        return b""

    def pack(self) -> bytes:
        packed = _u16(self.type) + _u16(len(self.privileges))
        for privilege in sorted(self.privileges):
            packed += _u16(privilege) + _u32(self.privileges[privilege])
        return packed + self.fields()


@dataclass
class RtcService(Service):
    type: int = RTC
    channel: str = ""
    uid: int | str = 0  # a numeric uid, or a user account string

    def fields(self) -> bytes:
        uid = "" if self.uid in (0, "0", "") else str(self.uid)
        return _string(self.channel) + _string(uid)


@dataclass
class RtmService(Service):
    type: int = RTM
    user: str = ""

    def fields(self) -> bytes:
        return _string(self.user)


@dataclass
class FpaService(Service):
    type: int = FPA


@dataclass
class ChatService(Service):
    type: int = CHAT
    user: str = ""

    def fields(self) -> bytes:
        return _string(self.user)


@dataclass
class EducationService(Service):
    type: int = EDUCATION
    room: str = ""
    user: str = ""
    role: int = -1

    def fields(self) -> bytes:
        return _string(self.room) + _string(self.user) + struct.pack("<h", self.role)


@dataclass
class AccessToken2:
    app_id: str
    app_certificate: str
    expire: int = 900  # relative seconds
    issue_ts: int = field(default_factory=lambda: int(time.time()))
    salt: int = field(default_factory=lambda: secrets.randbelow(99_999_999) + 1)
    services: dict[int, Service] = field(default_factory=dict)

    def add_service(self, service: Service) -> AccessToken2:
        self.services[service.type] = service
        return self

    def _signing_key(self) -> bytes:
        key = hmac.new(_u32(self.issue_ts), self.app_certificate.encode(), hashlib.sha256).digest()
        return hmac.new(_u32(self.salt), key, hashlib.sha256).digest()

    def build(self) -> str:
        info = (
            _string(self.app_id)
            + _u32(self.issue_ts)
            + _u32(self.expire)
            + _u32(self.salt)
            + _u16(len(self.services))
        )
        for kind in sorted(self.services):
            info += self.services[kind].pack()
        signature = hmac.new(self._signing_key(), info, hashlib.sha256).digest()
        return VERSION + base64.b64encode(zlib.compress(_string(signature) + info)).decode()


Role = Literal["viewer", "host"]


def agora_rtc_token(
    app_id: str, app_certificate: str, channel: str, uid: int | str, role: Role, ttl: int
) -> str:
    """Agora's role rule: everyone joins; only hosts publish audio, video and data."""
    rtc = RtcService(channel=channel, uid=uid).add_privilege(JOIN_CHANNEL, ttl)
    if role == "host":
        for privilege in (PUBLISH_AUDIO, PUBLISH_VIDEO, PUBLISH_DATA):
            rtc.add_privilege(privilege, ttl)
    return AccessToken2(app_id, app_certificate, expire=ttl).add_service(rtc).build()


def livekit_token(
    api_key: str, api_secret: str, room: str, identity: str, name: str, role: Role, ttl: int
) -> str:
    host = role == "host"
    grants = livekit.VideoGrants(
        room_join=True,
        room=room,
        can_subscribe=True,
        can_publish=host,
        can_publish_data=host,
    )
    return (
        livekit.AccessToken(api_key, api_secret)
        .with_identity(identity)
        .with_name(name)
        .with_grants(grants)
        .with_ttl(timedelta(seconds=ttl))
        .to_jwt()
    )


def room_channel(org_public_id: uuid.UUID, room: str) -> str:
    return f"{org_public_id.hex}.{room}"


async def check_role(
    session: AsyncSession, principal: Principal, org_public_id: uuid.UUID, role: Role
) -> None:
    """Raise unless `principal` may take `role` in the organisation's rooms (see module doc)."""
    org = await orgs.get_org(session, org_public_id)  # 404 for an unknown organisation
    if role == "host":
        await orgs.authorize(session, principal, org, "org.read")


@dataclass(frozen=True)
class IssuedToken:
    provider: Literal["agora", "livekit"]
    token: str
    channel: str
    identity: str
    role: Role
    expires_at: datetime
    app_id: str | None = None
    url: str | None = None


async def token_for(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    provider: Literal["agora", "livekit"],
    org_public_id: uuid.UUID,
    room: str,
    role: Role,
) -> IssuedToken:
    """A media-server token for a signed-in person, in the role the rule gives them."""
    assert principal.account_public_id is not None
    if not await rooms.checked(session, principal, org_public_id, room, role):  # a show's room?
        await check_role(session, principal, org_public_id, role)
    account = await identity.signed_in_account(session, principal)
    name = account.full_name or account.username or ""
    channel = room_channel(org_public_id, room)
    return issue(settings, provider, channel, str(account.public_id), name, role)


def issue(
    settings: Settings,
    provider: Literal["agora", "livekit"],
    channel: str,
    identity: str,
    name: str,
    role: Role,
) -> IssuedToken:
    ttl = settings.rtc_token_ttl_seconds
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl)
    if provider == "agora":
        if not (settings.agora_app_id and settings.agora_app_certificate):
            raise ServiceUnavailable("Agora is not configured on this server")
        token = agora_rtc_token(
            settings.agora_app_id, settings.agora_app_certificate, channel, identity, role, ttl
        )
        return IssuedToken(
            "agora", token, channel, identity, role, expires_at, app_id=settings.agora_app_id
        )
    if not (settings.livekit_api_key and settings.livekit_api_secret):
        raise ServiceUnavailable("LiveKit is not configured on this server")
    token = livekit_token(
        settings.livekit_api_key, settings.livekit_api_secret, channel, identity, name, role, ttl
    )
    return IssuedToken(
        "livekit", token, channel, identity, role, expires_at, url=settings.livekit_url or None
    )
