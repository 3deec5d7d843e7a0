"""OAuth 2.0 (RFC 6749) grants: password, client_credentials, refresh_token; revocation (RFC 7009).

Clients authenticate with HTTP Basic or `client_id`/`client_secret` in the form. The secret is
required for client_credentials; for the password and refresh grants an app's `client_id` alone is
accepted (browser and mobile apps cannot keep secrets), but a secret that is sent must be right.
Without any client, the password grant issues a first-party token with every scope.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import commit_even_if_rejected
from livehouse.core.security import constant_time_equals, keyed_hash, random_token
from livehouse.core.settings import get_settings
from livehouse.identity import scopes as scope_catalogue
from livehouse.identity import service, tokens
from livehouse.identity.models import Account, OAuthApp, RefreshToken

GRANT_TYPES = ("password", "client_credentials", "refresh_token")
REFRESH_PREFIX = "lhr_"


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(slots=True)
class TokenGrant:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None
    token_type: str = "Bearer"  # noqa: S105
    account: Account | None = None


def _secret_matches(app: OAuthApp, secret: str) -> bool:
    return app.secret_hash is not None and constant_time_equals(
        app.secret_hash, keyed_hash(secret, "client-secret")
    )


async def authenticate_client(
    session: AsyncSession, client_id: str | None, client_secret: str | None, grant_type: str
) -> OAuthApp | None:
    if not client_id:
        if grant_type == "client_credentials":
            raise OAuthError("invalid_client", "client_id and client_secret are required", 401)
        return None
    app = await session.scalar(select(OAuthApp).where(OAuthApp.client_id == client_id))
    if app is None or not app.active:
        raise OAuthError("invalid_client", "Unknown or inactive client", 401)
    if client_secret is not None and not _secret_matches(app, client_secret):
        raise OAuthError("invalid_client", "Client authentication failed", 401)
    if grant_type == "client_credentials" and client_secret is None:
        raise OAuthError("invalid_client", "client_credentials needs the client secret", 401)
    if grant_type not in app.grant_types:
        raise OAuthError("unauthorized_client", f"This client may not use {grant_type}")
    return app


def grant_scopes(requested: str | None, allowed: frozenset[str]) -> list[str]:
    if not requested:
        return sorted(allowed)
    wanted = set(requested.split())
    unknown = scope_catalogue.unknown(wanted)
    if unknown:
        raise OAuthError("invalid_scope", f"Unknown scopes: {' '.join(unknown)}")
    beyond = sorted(wanted - allowed)
    if beyond:
        raise OAuthError("invalid_scope", f"Scopes not allowed for this client: {' '.join(beyond)}")
    return sorted(wanted)


def user_scope_ceiling(app: OAuthApp | None) -> frozenset[str]:
    return frozenset(app.scopes) if app is not None else scope_catalogue.all_scopes()


async def _org_uuid(session: AsyncSession, org_id: int | None) -> str | None:
    if org_id is None:
        return None
    from livehouse.orgs.service import org_public_id

    value = await org_public_id(session, org_id)
    return str(value) if value else None


async def issue_user_tokens(
    session: AsyncSession,
    account: Account,
    scopes: list[str],
    *,
    app: OAuthApp | None = None,
    family_id: uuid.UUID | None = None,
    actor: Account | None = None,
    user_agent: str | None = None,
) -> TokenGrant:
    """An access token and a refresh token (a new family unless `family_id` continues one)."""
    org_id = app.org_id if app is not None else None
    access, lifetime = await tokens.issue_access_token(
        session,
        subject=str(account.public_id),
        kind="user",
        scopes=scopes,
        client_id=app.client_id if app else None,
        org=await _org_uuid(session, org_id),
        actor=str(actor.public_id) if actor else None,
    )
    refresh = REFRESH_PREFIX + random_token(32)
    session.add(
        RefreshToken(
            family_id=family_id or uuid.uuid4(),
            token_hash=keyed_hash(refresh, "refresh"),
            account_id=account.id,
            app_id=app.id if app else None,
            org_id=org_id,
            actor_account_id=actor.id if actor else None,
            scopes=scopes,
            expires_at=clock.now() + timedelta(seconds=get_settings().refresh_token_ttl_seconds),
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    return TokenGrant(access, lifetime, " ".join(scopes), refresh, account=account)


async def password_grant(
    session: AsyncSession,
    app: OAuthApp | None,
    username: str | None,
    password: str | None,
    scope: str | None,
    ip: str,
    user_agent: str | None = None,
) -> TokenGrant:
    if not username or password is None:
        raise OAuthError("invalid_request", "username and password are required")
    granted = grant_scopes(scope, user_scope_ceiling(app))
    try:
        account = await service.sign_in_with_password(session, username, password, ip)
    except service.SignInFailed as exc:
        raise OAuthError("invalid_grant", exc.reason) from exc
    return await issue_user_tokens(session, account, granted, app=app, user_agent=user_agent)


async def client_credentials_grant(
    session: AsyncSession, app: OAuthApp, scope: str | None
) -> TokenGrant:
    org_only = (
        frozenset(s for s in app.scopes if not scope_catalogue.catalogue()[s].personal)
        if app.scopes
        else frozenset()
    )
    granted = grant_scopes(scope, org_only)
    access, lifetime = await tokens.issue_access_token(
        session,
        subject=f"client:{app.client_id}",
        kind="client",
        scopes=granted,
        client_id=app.client_id,
        org=await _org_uuid(session, app.org_id),
    )
    return TokenGrant(access, lifetime, " ".join(granted))


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


async def refresh_grant(
    session: AsyncSession,
    app: OAuthApp | None,
    refresh_token: str | None,
    scope: str | None,
    user_agent: str | None = None,
) -> TokenGrant:
    if not refresh_token:
        raise OAuthError("invalid_request", "refresh_token is required")
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == keyed_hash(refresh_token, "refresh"))
    )
    if row is None:
        raise OAuthError("invalid_grant", "Unknown refresh token")
    if (app.id if app else None) != row.app_id:
        raise OAuthError("invalid_grant", "This refresh token was issued to another client")
    now = clock.now()
    if row.revoked_at is not None:
        raise OAuthError("invalid_grant", "This refresh token has been revoked")
    if row.rotated_at is not None:
        await _reuse_detected(session, row.family_id)
    if row.expires_at <= now:
        raise OAuthError("invalid_grant", "This refresh token has expired")
    rotated = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == row.id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now)
    )
    if rotated.rowcount != 1:  # type: ignore[attr-defined]  # a concurrent use got there first
        await _reuse_detected(session, row.family_id)
    account = await session.get(Account, row.account_id)
    if account is None or not account.is_active:
        raise OAuthError("invalid_grant", "The account is not active")
    granted = grant_scopes(scope, frozenset(row.scopes)) if scope else list(row.scopes)
    actor = await session.get(Account, row.actor_account_id) if row.actor_account_id else None
    return await issue_user_tokens(
        session,
        account,
        granted,
        app=app,
        family_id=row.family_id,
        actor=actor,
        user_agent=user_agent,
    )


async def _reuse_detected(session: AsyncSession, family_id: uuid.UUID) -> None:
    """A rotated token came back: someone holds a copy. End the whole family, and make that
    stick although the request fails."""
    await _revoke_family(session, family_id)
    commit_even_if_rejected(session)
    raise OAuthError(
        "invalid_grant",
        "This refresh token was already used; the session has been ended for safety. Sign in again",
    )


async def revoke(session: AsyncSession, app: OAuthApp | None, token: str) -> None:
    """RFC 7009: revoke a refresh token (its whole family). Unknown tokens are not an error."""
    row = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == keyed_hash(token, "refresh"))
    )
    if row is None or (app.id if app else None) != row.app_id:
        return
    await _revoke_family(session, row.family_id)


async def revoke_account_tokens(session: AsyncSession, account_id: int) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
