"""Who is calling: the `Principal` behind a request, and the route dependencies that demand one.

Credentials accepted:
- `Authorization: Bearer <access token>` — a JWT from /v1/oauth/token (a user, or an app acting
  as its organisation);
- `X-API-Key: lh_…` — an organisation's API key (server to server).

A user token is checked against the account on every request (status and `tokens_valid_after`),
so deactivation, erasure and "log out everywhere" take effect at once, not when tokens expire.

Routes use `Authenticated` (any principal), `user_principal` (a person), or
`Depends(scoped("area.action"))`. Organisation permission is `orgs.service.authorize`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, idempotency
from livehouse.core.db import after_commit, keep, unit_of_work
from livehouse.core.deps import DbSession
from livehouse.core.errors import Forbidden, Unauthorized
from livehouse.core.security import keyed_hash
from livehouse.identity import audit, tokens
from livehouse.identity.models import Account, ApiKey

API_KEY_PREFIX = "lh_"

# Built once: every authenticated request runs it, and building it cost ~3 % of a purchase.
_ACCOUNT_BY_PUBLIC_ID = select(Account).where(Account.public_id == bindparam("public_id"))

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/v1/oauth/token", auto_error=False, scheme_name="OAuth2"
)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey")


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Literal["user", "client", "api_key"]
    scopes: frozenset[str]
    account_id: int | None = None
    account_public_id: uuid.UUID | None = None
    org_public_id: uuid.UUID | None = None  # clients and keys act for this organisation
    org_id: int | None = None
    client_id: str | None = None
    api_key_id: int | None = None
    actor_account_id: int | None = None  # set when someone is acting as this user
    token_id: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def key(self) -> str:
        """A stable name for rate limits and idempotency scopes."""
        if self.kind == "user":
            return f"acct:{self.account_public_id}"
        if self.kind == "client":
            return f"client:{self.client_id}"
        return f"key:{self.api_key_id}"


def parse_api_key(raw: str) -> str | None:
    """`lh_<prefix>_<secret>` → its keyed hash, or None if it is not shaped like our keys."""
    if not raw.startswith(API_KEY_PREFIX) or raw.count("_") < 2 or len(raw) > 200:
        return None
    return keyed_hash(raw, "api-key")


async def _from_api_key(session: AsyncSession, raw: str) -> Principal:
    digest = parse_api_key(raw)
    key = digest and await session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    now = clock.now()
    if not key or key.revoked_at or (key.expires_at and key.expires_at <= now):
        raise Unauthorized("The API key is not valid", headers={"WWW-Authenticate": "ApiKey"})
    _note_key_use(session, key.id, key.last_used_at)
    from livehouse.orgs.service import org_public_id  # orgs depends on identity, not vice versa

    return Principal(
        kind="api_key",
        scopes=frozenset(key.scopes),
        org_id=key.org_id,
        org_public_id=await org_public_id(session, key.org_id),
        api_key_id=key.id,
    )


_last_noted: dict[int, float] = {}


def _note_key_use(session: AsyncSession, key_id: int, last: datetime | None) -> None:
    """Record `last_used_at` at most every five minutes, after the request's commit, in its own
    transaction (a GET must not turn into a write)."""
    if time.monotonic() - _last_noted.get(key_id, 0.0) < 300:
        return
    _last_noted[key_id] = time.monotonic()

    async def note() -> None:
        from livehouse.core.runtime import current

        async with unit_of_work(current().database) as s:
            await s.execute(
                update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=clock.now())
            )

    after_commit(session, note)


async def _from_token(session: AsyncSession, token: str) -> Principal:
    try:
        claims = await tokens.decode_access_token(token, session)
    except tokens.InvalidAccessToken as exc:
        raise Unauthorized(
            "The access token is invalid or expired",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from exc
    scopes = frozenset(str(claims.get("scope", "")).split())
    org = claims.get("org")
    org_uuid = uuid.UUID(org) if org else None
    org_id = None
    if org_uuid is not None:
        from livehouse.orgs.service import org_internal_id

        org_id = await org_internal_id(session, org_uuid)
    if claims.get("kind") == "client":
        return Principal(
            kind="client",
            scopes=scopes,
            org_id=org_id,
            org_public_id=org_uuid,
            client_id=claims.get("client_id"),
            token_id=claims.get("jti"),
        )
    try:
        account_uuid = uuid.UUID(claims["sub"])
    except ValueError as exc:
        raise Unauthorized("The access token is invalid or expired") from exc
    # The whole row (one query either way): later uses of the account in this request then
    # come from the session's identity map instead of another round trip.
    row = await session.scalar(_ACCOUNT_BY_PUBLIC_ID, {"public_id": account_uuid})
    if row is not None:
        keep(session, row)
    issued = datetime.fromtimestamp(int(claims["iat"]), UTC)
    if (
        row is None
        or row.status != "active"
        or (row.tokens_valid_after and issued < row.tokens_valid_after)
    ):
        raise Unauthorized(
            "The access token has been revoked",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    actor = claims.get("act") or {}
    actor_id = None
    if actor.get("sub"):
        # The acting admin must still be active, and ending their sessions ends this one too.
        acting = (
            await session.execute(
                select(Account.id, Account.status, Account.tokens_valid_after).where(
                    Account.public_id == uuid.UUID(actor["sub"])
                )
            )
        ).one_or_none()
        if (
            acting is None
            or acting.status != "active"
            or (acting.tokens_valid_after and issued < acting.tokens_valid_after)
        ):
            raise Unauthorized(
                "The access token has been revoked",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        actor_id = acting.id
    return Principal(
        kind="user",
        scopes=scopes,
        account_id=row.id,
        account_public_id=account_uuid,
        org_id=org_id,
        org_public_id=org_uuid,
        client_id=claims.get("client_id"),
        actor_account_id=actor_id,
        token_id=claims.get("jti"),
    )


async def optional_principal(
    request: Request,
    db: DbSession,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if api_key:
        principal = await _from_api_key(db, api_key)
    elif bearer:
        principal = await _from_token(db, bearer)
    else:
        return None
    if principal.actor_account_id is not None and principal.account_id is not None:
        audit.record_acting_request(
            db,
            actor_id=principal.actor_account_id,
            subject_id=principal.account_id,
            org_id=principal.org_id,
            method=request.method,
            path=request.url.path,
        )
    request.state.principal = principal
    return principal


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized()
    return principal


Authenticated = Annotated[Principal, Depends(require_principal)]
MaybeAuthenticated = Annotated[Principal | None, Depends(optional_principal)]


def require_scopes(principal: Principal, *needed: str) -> None:
    missing = [s for s in needed if s not in principal.scopes]
    if missing:
        raise Forbidden(
            f"This token lacks the scope{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            extra={"missing_scopes": missing},
        )


def scoped(*needed: str):
    """`principal: Annotated[Principal, Depends(scoped("event.write"))]`"""

    async def dependency(principal: Authenticated) -> Principal:
        require_scopes(principal, *needed)
        return principal

    return dependency


async def user_principal(principal: Authenticated) -> Principal:
    if not principal.is_user:
        raise Forbidden("This endpoint acts for a person; use a user's access token")
    return principal


User = Annotated[Principal, Depends(user_principal)]


def user_scoped(*needed: str):
    async def dependency(principal: User) -> Principal:
        require_scopes(principal, *needed)
        return principal

    return dependency


def refuse_acting(principal: Principal) -> None:
    """Things only the person themselves may do (password, e-mail, erasure, …), never someone
    acting as them with an impersonation token."""
    if principal.actor_account_id is not None:
        raise Forbidden("Not allowed while acting as someone else")


def in_person(*needed: str):
    """`user_scoped`, and refused to impersonation (`act`) tokens."""

    async def dependency(principal: User) -> Principal:
        require_scopes(principal, *needed)
        refuse_acting(principal)
        return principal

    return dependency


async def idempotency_principal(scope: idempotency.Scope) -> str:
    """Idempotency keys belong to the account (or app, or key), not to one access token: a retry
    after a token refresh must find its key. Signature checked, nothing else (no database)."""
    headers = dict(scope.get("headers", []))  # type: ignore[arg-type]
    raw_key = headers.get(b"x-api-key")
    if raw_key:
        digest = parse_api_key(raw_key.decode("latin-1"))
        return f"apikey:{digest}" if digest else "anonymous"
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if auth[:7].lower() == "bearer ":
        try:
            claims = await tokens.decode_access_token(auth[7:].strip())
        except tokens.InvalidAccessToken:
            return "invalid:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
        return f"{claims.get('kind', 'user')}:{claims['sub']}"
    return "anonymous"


idempotency.set_principal_resolver(idempotency_principal)
