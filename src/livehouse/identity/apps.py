"""An organisation's OAuth apps and API keys.

Secrets are returned once, at creation or rotation, and stored only as keyed hashes. The
organisation-level scopes an app or key receives can never exceed those of the member who
creates it — otherwise anyone allowed to manage apps could mint a key above their own rank.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import NotFound, ValidationFailed
from livehouse.core.security import keyed_hash, random_token
from livehouse.identity import scopes as scope_catalogue
from livehouse.identity.auth import API_KEY_PREFIX, Principal
from livehouse.identity.models import ApiKey, OAuthApp
from livehouse.identity.oauth import GRANT_TYPES

SECRET_PREFIX = "lhs_"  # noqa: S105 (a prefix, not a secret)


async def grantable_scopes(
    session: AsyncSession, principal: Principal, org_id: int
) -> frozenset[str]:
    """The organisation scopes `principal` could hand to an app or key of `org_id`: what it
    holds there (directly, or through a master organisation's relation — orgs decides), within
    its token's scopes."""
    from livehouse.orgs.service import held_scopes, is_platform_admin

    org_level = frozenset(n for n, s in scope_catalogue.catalogue().items() if not s.personal)
    held = await held_scopes(session, principal, org_id)
    if held is None:
        if principal.is_user and await is_platform_admin(session, principal.account_id or 0):
            return org_level & principal.scopes
        return frozenset()
    return held & principal.scopes & org_level


async def _check_scopes(
    session: AsyncSession,
    principal: Principal,
    org_id: int,
    wanted: list[str],
    *,
    allow_personal: bool,
) -> list[str]:
    unknown = scope_catalogue.unknown(set(wanted))
    if unknown:
        raise ValidationFailed.field("scopes", f"Unknown scopes: {', '.join(unknown)}")
    catalogue = scope_catalogue.catalogue()
    personal = {s for s in wanted if catalogue[s].personal}
    if personal and not allow_personal:
        raise ValidationFailed.field(
            "scopes",
            f"An API key acts for the organisation, not a person: {', '.join(sorted(personal))}",
        )
    above = sorted(set(wanted) - personal - await grantable_scopes(session, principal, org_id))
    if above:
        raise ValidationFailed.field(
            "scopes", f"You cannot grant scopes you do not hold: {', '.join(above)}"
        )
    return sorted(set(wanted))


def _check_grants(grant_types: list[str]) -> list[str]:
    bad = sorted(set(grant_types) - set(GRANT_TYPES))
    if bad or not grant_types:
        raise ValidationFailed.field(
            "grant_types",
            f"Choose from {', '.join(GRANT_TYPES)}" + (f" (not {', '.join(bad)})" if bad else ""),
        )
    return sorted(set(grant_types))


def _new_secret() -> str:
    return SECRET_PREFIX + random_token(32)


async def create_app(
    session: AsyncSession,
    principal: Principal,
    org_id: int,
    *,
    name: str,
    grant_types: list[str],
    redirect_uris: list[str],
    scopes: list[str] | None,
    confidential: bool = True,
    is_default: bool = False,
    sso: bool = False,
) -> tuple[OAuthApp, str | None]:
    if scopes is None:  # default: whatever the creator may grant, plus the personal scopes
        scopes = sorted(
            await grantable_scopes(session, principal, org_id)
            | {n for n, s in scope_catalogue.catalogue().items() if s.personal}
        )
    checked = await _check_scopes(session, principal, org_id, scopes, allow_personal=True)
    grants = _check_grants(grant_types)
    if "client_credentials" in grants and not confidential:
        raise ValidationFailed.field("grant_types", "client_credentials needs a confidential app")
    secret = _new_secret() if confidential else None
    app = OAuthApp(
        org_id=org_id,
        name=name,
        client_id=str(uuid.uuid4()),
        grant_types=grants,
        redirect_uris=redirect_uris,
        scopes=checked,
        active=True,
        is_default=is_default,
        sso=sso,
        secret_hash=keyed_hash(secret, "client-secret") if secret else None,
        secret_hint=secret[-4:] if secret else None,
        created_by_account_id=principal.account_id,
    )
    session.add(app)
    await session.flush()
    return app, secret


async def list_apps(session: AsyncSession, org_id: int) -> Sequence[OAuthApp]:
    return (
        await session.scalars(
            select(OAuthApp).where(OAuthApp.org_id == org_id).order_by(OAuthApp.id)
        )
    ).all()


async def find_active_app(
    session: AsyncSession, client_id: str, field: str = "client_id"
) -> OAuthApp:
    """The active app a client names when it signs people up or in (422 naming `field`)."""
    app = await session.scalar(
        select(OAuthApp).where(OAuthApp.client_id == client_id, OAuthApp.active)
    )
    if app is None:
        raise ValidationFailed.field(field, "No active app with this client_id")
    return app


async def get_app(session: AsyncSession, org_id: int, public_id: uuid.UUID) -> OAuthApp:
    app = await session.scalar(
        select(OAuthApp).where(OAuthApp.org_id == org_id, OAuthApp.public_id == public_id)
    )
    if app is None:
        raise NotFound("No such app")
    return app


async def update_app(
    session: AsyncSession, principal: Principal, app: OAuthApp, changes: dict[str, object]
) -> OAuthApp:
    if "scopes" in changes and changes["scopes"] is not None:
        app.scopes = await _check_scopes(
            session, principal, app.org_id, list(changes["scopes"]), allow_personal=True
        )  # type: ignore[arg-type]
    if "grant_types" in changes and changes["grant_types"] is not None:
        grants = _check_grants(list(changes["grant_types"]))  # type: ignore[arg-type]
        if "client_credentials" in grants and app.secret_hash is None:
            raise ValidationFailed.field(
                "grant_types", "client_credentials needs a confidential app"
            )
        app.grant_types = grants
    for field in ("name", "redirect_uris", "active", "sso", "is_default"):
        if field in changes and changes[field] is not None:
            setattr(app, field, changes[field])
    return app


async def rotate_secret(app: OAuthApp) -> str:
    secret = _new_secret()
    app.secret_hash = keyed_hash(secret, "client-secret")
    app.secret_hint = secret[-4:]
    app.secret_rotated_at = clock.now()
    return secret


async def delete_app(session: AsyncSession, app: OAuthApp) -> None:
    await session.delete(app)  # its refresh tokens go with it (ON DELETE CASCADE)


async def create_api_key(
    session: AsyncSession,
    principal: Principal,
    org_id: int,
    *,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    checked = await _check_scopes(session, principal, org_id, scopes, allow_personal=False)
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationFailed.field("expires_at", "Must be in the future")
    prefix = secrets.token_hex(4)
    raw = f"{API_KEY_PREFIX}{prefix}_{random_token(32)}"
    key = ApiKey(
        org_id=org_id,
        name=name,
        prefix=prefix,
        key_hash=keyed_hash(raw, "api-key"),
        scopes=checked,
        expires_at=expires_at,
        created_by_account_id=principal.account_id,
    )
    session.add(key)
    await session.flush()
    return key, raw


async def list_api_keys(session: AsyncSession, org_id: int) -> Sequence[ApiKey]:
    return (
        await session.scalars(select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.id))
    ).all()


async def revoke_api_key(session: AsyncSession, org_id: int, public_id: uuid.UUID) -> ApiKey:
    key = await session.scalar(
        select(ApiKey).where(ApiKey.org_id == org_id, ApiKey.public_id == public_id)
    )
    if key is None:
        raise NotFound("No such API key")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
    return key
