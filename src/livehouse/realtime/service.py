"""Channels and who may join them — the one place realtime's rules live.

Names follow Pusher: `[-a-zA-Z0-9_=@,.;]`, at most 200 characters. The prefix decides the kind:
`presence-…` (authorised, with a member list), `private-…` (authorised), anything else public
(anyone may listen; the seeds' `comment`, `banner`, `brand`, `liveEvents`, `tipping_<event>`).

Private and presence channels are refused unless a capability registered a pattern for them:

    @channels.register("presence-show.{show_id}")
    async def show_audience(session, principal, params) -> Member | bool: ...

The authoriser gets the session, the principal (from a Bearer token or API key) and the pattern's
parameters; it returns True (or, for presence, the `Member` to show) to allow, False to refuse,
or raises a Problem (refused as well). Built in:

- `private-user.{account_id}` — only that person;
- `private-org.{org_id}` and `presence-org.{org_id}` — the organisation's enabled team members
  (`orgs.service.authorize(…, "org.read")`), e.g. a dashboard's live feed and who is online.

A grant is re-checked later (`still_authorized`): every `realtime_auth_recheck_seconds`, and at
once on a revocation signal (`core.realtime.recheck_after_commit`, sent by identity when sessions
end, by orgs when a membership or a master relation changes and by ticketing when tickets are
voided). The record
kept for that says who was let in and when, never the credential: a person must still be
active, must not have ended their sessions since (`tokens_valid_after`), and the channel's rule
must still say yes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import NotFound, Problem
from livehouse.identity import service as identity
from livehouse.identity.auth import Principal
from livehouse.orgs import service as orgs

Kind = Literal["public", "private", "presence"]
CHANNEL_RE = re.compile(r"^[-a-zA-Z0-9_=@,.;]{1,200}$")
_PARAM_RE = re.compile(r"\{([a-z_]+)\}")


class ChannelError(Exception):
    """A refused subscription. `code` is stable (protocols map it to their own errors)."""

    STATUS = {
        "invalid_channel": 400,
        "unsupported": 400,
        "unauthorized": 401,
        "forbidden": 403,
        "unknown_channel": 403,
        "not_subscribed": 400,
        "too_many_channels": 400,
        "presence_full": 403,
        "too_large": 413,
        "rate_limited": 429,
    }

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 400)


def kind_of(channel: str) -> Kind:
    if channel.startswith("presence-"):
        return "presence"
    if channel.startswith("private-"):
        return "private"
    return "public"


def check_name(channel: object) -> Kind:
    if not isinstance(channel, str) or not CHANNEL_RE.match(channel):
        raise ChannelError(
            "invalid_channel", "Channel names are 1-200 characters of [-a-zA-Z0-9_=@,.;]"
        )
    if channel.startswith("private-encrypted-"):
        raise ChannelError("unsupported", "End-to-end encrypted channels are not supported")
    return kind_of(channel)


@dataclass(frozen=True, slots=True)
class Member:
    """Someone on a presence channel, as the other members see them."""

    id: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Grant:
    channel: str
    kind: Kind
    member: Member | None = None


Authoriser = Callable[[AsyncSession, Principal, dict[str, str]], Awaitable["Member | bool | None"]]


@dataclass(frozen=True)
class Rule:
    pattern: str
    regex: re.Pattern[str]
    authoriser: Authoriser


_rules: dict[str, Rule] = {}


def register(pattern: str) -> Callable[[Authoriser], Authoriser]:
    """Declare who may join the private or presence channels matching `pattern`, where `{name}`
    stands for one segment without dots (e.g. `private-show.{show_id}`)."""
    if kind_of(pattern) == "public":
        raise ValueError("only private- and presence- channels need an authoriser")
    regex = re.compile(
        "^"
        + _PARAM_RE.sub(
            lambda m: f"(?P<{m.group(1)}>[-a-zA-Z0-9_=@,;]+)",
            re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}"),
        )
        + "$"
    )

    def add(authoriser: Authoriser) -> Authoriser:
        _rules[pattern] = Rule(pattern, regex, authoriser)
        return authoriser

    return add


def unregister(pattern: str) -> None:
    _rules.pop(pattern, None)


def find_rule(channel: str) -> tuple[Rule, dict[str, str]] | None:
    for rule in _rules.values():
        match = rule.regex.match(channel)
        if match:
            return rule, match.groupdict()
    return None


def default_member(principal: Principal) -> Member:
    return Member(str(principal.account_public_id or principal.key))


async def authorize(session: AsyncSession, principal: Principal | None, channel: str) -> Grant:
    """May `principal` join `channel`? Returns the grant or raises ChannelError."""
    kind = check_name(channel)
    if kind == "public":
        return Grant(channel, kind)
    if principal is None:
        raise ChannelError("unauthorized", f"{kind.capitalize()} channels need an access token")
    found = find_rule(channel)
    if found is None:
        raise ChannelError("unknown_channel", f"No {kind} channel is called {channel}")
    rule, params = found
    try:
        verdict = await rule.authoriser(session, principal, params)
    except Problem as exc:
        raise ChannelError("forbidden", f"You may not join {channel}") from exc
    if not verdict:
        raise ChannelError("forbidden", f"You may not join {channel}")
    if kind == "presence":
        member = verdict if isinstance(verdict, Member) else default_member(principal)
        return Grant(channel, kind, member)
    return Grant(channel, kind)


# --- built-in channels -----------------------------------------------------------------------


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound("No such channel") from exc


@register("private-user.{account_id}")
async def _own(session: AsyncSession, principal: Principal, params: dict[str, str]) -> bool:
    return principal.is_user and principal.account_public_id == _uuid(params["account_id"])


@register("private-org.{org_id}")
async def _team(session: AsyncSession, principal: Principal, params: dict[str, str]) -> bool:
    await orgs.authorized_org(session, principal, _uuid(params["org_id"]), "org.read")
    return True


@register("presence-org.{org_id}")
async def _team_online(
    session: AsyncSession, principal: Principal, params: dict[str, str]
) -> Member | bool:
    await orgs.authorized_org(session, principal, _uuid(params["org_id"]), "org.read")
    if not principal.is_user or principal.account_id is None:
        return False  # presence is about people; an app acting for the org is nobody
    account = await identity.signed_in_account(session, principal)
    return Member(str(account.public_id), {"name": account.full_name or account.username or ""})


# --- re-checking grants ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """Who was let into a channel, and when — enough to ask again later (no credential)."""

    kind: str
    scopes: tuple[str, ...]
    granted_at: float
    account_id: int | None = None
    account_public_id: str | None = None
    org_id: int | None = None
    org_public_id: str | None = None
    client_id: str | None = None
    api_key_id: int | None = None

    @classmethod
    def of(cls, principal: Principal, granted_at: float | None = None) -> GrantRecord:
        return cls(
            kind=principal.kind,
            scopes=tuple(sorted(principal.scopes)),
            granted_at=clock.now().timestamp() if granted_at is None else granted_at,
            account_id=principal.account_id,
            account_public_id=str(principal.account_public_id)
            if principal.account_public_id
            else None,
            org_id=principal.org_id,
            org_public_id=str(principal.org_public_id) if principal.org_public_id else None,
            client_id=principal.client_id,
            api_key_id=principal.api_key_id,
        )

    def principal(self) -> Principal:
        return Principal(
            kind=self.kind,  # type: ignore[arg-type]
            scopes=frozenset(self.scopes),
            account_id=self.account_id,
            account_public_id=uuid.UUID(self.account_public_id) if self.account_public_id else None,
            org_id=self.org_id,
            org_public_id=uuid.UUID(self.org_public_id) if self.org_public_id else None,
            client_id=self.client_id,
            api_key_id=self.api_key_id,
        )

    def dumps(self) -> bytes:
        return orjson.dumps(
            {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]
        )

    @classmethod
    def loads(cls, raw: bytes | str) -> GrantRecord:
        values = orjson.loads(raw)
        values["scopes"] = tuple(values["scopes"])
        return cls(**values)


async def still_authorized(session: AsyncSession, record: GrantRecord, channel: str) -> bool:
    principal = record.principal()
    if principal.is_user and principal.account_public_id is not None:
        try:
            account = await identity.get_account(session, principal.account_public_id)
        except NotFound:
            return False
        ended = account.tokens_valid_after
        if not account.is_active or (ended is not None and ended.timestamp() > record.granted_at):
            return False
    try:
        await authorize(session, principal, channel)
    except ChannelError:
        return False
    return True
