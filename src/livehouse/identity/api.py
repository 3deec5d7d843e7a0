"""Identity's native routes: OAuth token endpoint, JWKS, accounts and `me`, apps and API keys."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from livehouse.core.deps import DbSession
from livehouse.core.errors import ValidationFailed
from livehouse.core.ratelimit import client_ip, rate_limit
from livehouse.core.schemas import Message
from livehouse.core.validators import Email
from livehouse.identity import account_api, admin_api, apps, oauth, service, social_api, tokens
from livehouse.identity import scopes as scope_catalogue
from livehouse.identity.auth import Authenticated, Principal, in_person, user_scoped
from livehouse.identity.flow_schemas import NO_STORE, token_response
from livehouse.identity.models import OAuthApp
from livehouse.identity.schemas import (
    AccountCreate,
    AccountOut,
    AccountUpdate,
    ApiKeyCreate,
    ApiKeyOut,
    ApiKeyWithSecret,
    AppCreate,
    AppOut,
    AppUpdate,
    AppWithSecret,
    EmailAvailability,
    PasswordChange,
    ScopeOut,
    SecretOut,
    TokenResponse,
)
from livehouse.identity.service import signed_in_account
from livehouse.orgs import service as orgs

router = APIRouter()


# ---- OAuth 2.0 -------------------------------------------------------------------------------


def _basic_credentials(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header[:6].lower() != "basic ":
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1 form-encodes both


def oauth_error(exc: oauth.OAuthError) -> JSONResponse:
    body = {
        "error": exc.error,
        "error_description": exc.description,
        "type": f"https://livehouse.dev/problems/oauth-{exc.error.replace('_', '-')}",
        "title": exc.error.replace("_", " ").capitalize(),
        "status": exc.status,
        "detail": exc.description,
    }
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="livehouse"'
    return JSONResponse(body, status_code=exc.status, headers=headers)


@router.post(
    "/v1/oauth/token",
    tags=["oauth"],
    response_model=TokenResponse,
    summary="Get an access token (RFC 6749)",
    responses={400: {"description": "OAuth error (`error`, `error_description`)"}},
)
async def token(
    request: Request,
    db: DbSession,
    grant_type: Annotated[str, Form()],
    username: Annotated[str | None, Form(max_length=320)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str | None, Form(max_length=2000)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    basic_id, basic_secret = _basic_credentials(request)
    client_id, client_secret = basic_id or client_id, basic_secret or client_secret
    agent = request.headers.get("user-agent")
    try:
        if grant_type not in oauth.GRANT_TYPES:
            raise oauth.OAuthError(
                "unsupported_grant_type",
                f"grant_type must be one of {', '.join(oauth.GRANT_TYPES)}",
            )
        app = await oauth.authenticate_client(db, client_id, client_secret, grant_type)
        if grant_type == "password":
            grant = await oauth.password_grant(
                db, app, username, password, scope, client_ip(request), agent
            )
        elif grant_type == "client_credentials":
            assert app is not None
            grant = await oauth.client_credentials_grant(db, app, scope)
        else:
            grant = await oauth.refresh_grant(db, app, refresh_token, scope, agent)
    except oauth.OAuthError as exc:
        return oauth_error(exc)
    return token_response(grant)


@router.post(
    "/v1/oauth/revoke", tags=["oauth"], status_code=200, summary="Revoke a refresh token (RFC 7009)"
)
async def revoke(
    request: Request,
    db: DbSession,
    token: Annotated[str, Form(max_length=200)],
    token_type_hint: Annotated[str | None, Form(max_length=32)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    basic_id, basic_secret = _basic_credentials(request)
    try:
        app = await oauth.authenticate_client(
            db, basic_id or client_id, basic_secret or client_secret, "refresh_token"
        )
    except oauth.OAuthError as exc:
        if exc.error != "unauthorized_client":
            return oauth_error(exc)
        app = await db.scalar(select(OAuthApp).where(OAuthApp.client_id == (basic_id or client_id)))
    await oauth.revoke(db, app, token)
    return Response(status_code=200, headers=NO_STORE)


@router.get("/.well-known/jwks.json", tags=["oauth"], summary="Public keys of access tokens")
async def jwks(db: DbSession) -> JSONResponse:
    await tokens.keyring.ensure_active(db)
    return JSONResponse(tokens.keyring.jwks(), headers={"Cache-Control": "public, max-age=300"})


@router.get(
    "/.well-known/oauth-authorization-server",
    tags=["oauth"],
    summary="Authorization server metadata (RFC 8414)",
)
async def metadata() -> dict[str, object]:
    issuer = tokens.issuer()
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/v1/oauth/token",
        "revocation_endpoint": f"{issuer}/v1/oauth/revoke",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "grant_types_supported": list(oauth.GRANT_TYPES),
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        "scopes_supported": sorted(scope_catalogue.all_scopes()),
        "response_types_supported": [],
    }


@router.get(
    "/v1/scopes",
    tags=["oauth"],
    response_model=list[ScopeOut],
    summary="Every scope, what it allows and which team roles hold it",
)
async def list_scopes() -> list[ScopeOut]:
    return [
        ScopeOut(name=s.name, description=s.description, roles=sorted(s.roles), personal=s.personal)
        for s in scope_catalogue.catalogue().values()
    ]


# ---- accounts --------------------------------------------------------------------------------


@router.post(
    "/v1/accounts",
    tags=["accounts"],
    status_code=201,
    response_model=AccountOut,
    summary="Register an account",
    dependencies=[Depends(rate_limit("20/minute", "register"))],
)
async def register(payload: AccountCreate, db: DbSession) -> AccountOut:
    app = await apps.find_active_app(db, payload.client_id) if payload.client_id else None
    account = await service.register(
        db,
        email=payload.email,
        password=payload.password,
        full_name=payload.full_name,
        username=payload.username,
        phone=payload.phone,
        date_of_birth=payload.date_of_birth,
        locale=payload.locale,
        metadata=payload.metadata,
    )
    if app is not None:
        await orgs.register_customer(db, app.org_id, account.id, payload.fields)
    return AccountOut.of(account)


@router.get(
    "/v1/accounts/email-availability",
    tags=["accounts"],
    response_model=EmailAvailability,
    summary="Is this e-mail free to register?",
    dependencies=[Depends(rate_limit("30/minute", "email-availability"))],
)
async def email_availability(db: DbSession, email: Annotated[Email, Query()]) -> EmailAvailability:
    return EmailAvailability(email=email, available=await service.email_available(db, email))


@router.get("/v1/me", tags=["me"], response_model=AccountOut, summary="My account")
async def read_me(
    db: DbSession, principal: Annotated[Principal, Depends(user_scoped("me.read"))]
) -> AccountOut:
    return AccountOut.of(await signed_in_account(db, principal))


@router.patch("/v1/me", tags=["me"], response_model=AccountOut, summary="Change my account")
async def update_me(
    payload: AccountUpdate,
    db: DbSession,
    principal: Annotated[Principal, Depends(user_scoped("me.write"))],
) -> AccountOut:
    account = await signed_in_account(db, principal)
    await service.update_account(db, account, payload.model_dump(exclude_unset=True))
    await db.flush()
    return AccountOut.of(account)


@router.post(
    "/v1/me/password",
    tags=["me"],
    response_model=Message,
    summary="Change my password (ends my other sessions)",
)
async def change_my_password(
    payload: PasswordChange,
    request: Request,
    db: DbSession,
    principal: Annotated[Principal, Depends(in_person("me.write"))],
) -> Message:
    account = await signed_in_account(db, principal)
    await service.change_password(
        db, account, payload.old_password, payload.password, client_ip(request)
    )
    return Message(message="Password changed; sign in again on your other devices")


# ---- OAuth apps and API keys of an organisation ---------------------------------------------


@router.get(
    "/v1/orgs/{org_id}/apps",
    tags=["apps"],
    response_model=list[AppOut],
    summary="An organisation's OAuth apps",
)
async def list_org_apps(org_id: uuid.UUID, db: DbSession, principal: Authenticated) -> list[AppOut]:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    return [AppOut.of(a) for a in await apps.list_apps(db, org.id)]


@router.post(
    "/v1/orgs/{org_id}/apps",
    tags=["apps"],
    status_code=201,
    response_model=AppWithSecret,
    summary="Create an OAuth app (the secret is shown once)",
)
async def create_org_app(
    org_id: uuid.UUID, payload: AppCreate, db: DbSession, principal: Authenticated
) -> AppWithSecret:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    app, secret = await apps.create_app(
        db,
        principal,
        org.id,
        name=payload.name,
        grant_types=payload.grant_types,
        redirect_uris=payload.redirect_uris,
        scopes=payload.scopes,
        confidential=payload.confidential,
        is_default=payload.is_default,
        sso=payload.sso,
    )
    return AppWithSecret(**AppOut.of(app).model_dump(), client_secret=secret)


@router.get(
    "/v1/orgs/{org_id}/apps/{app_id}", tags=["apps"], response_model=AppOut, summary="One OAuth app"
)
async def read_org_app(
    org_id: uuid.UUID, app_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> AppOut:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    return AppOut.of(await apps.get_app(db, org.id, app_id))


@router.patch(
    "/v1/orgs/{org_id}/apps/{app_id}",
    tags=["apps"],
    response_model=AppOut,
    summary="Change an OAuth app",
)
async def update_org_app(
    org_id: uuid.UUID,
    app_id: uuid.UUID,
    payload: AppUpdate,
    db: DbSession,
    principal: Authenticated,
) -> AppOut:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    app = await apps.get_app(db, org.id, app_id)
    await apps.update_app(db, principal, app, payload.model_dump(exclude_unset=True))
    await db.flush()
    return AppOut.of(app)


@router.post(
    "/v1/orgs/{org_id}/apps/{app_id}/secret",
    tags=["apps"],
    response_model=SecretOut,
    summary="Rotate an app's secret (the old one stops working at once)",
)
async def rotate_org_app_secret(
    org_id: uuid.UUID, app_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> SecretOut:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    app = await apps.get_app(db, org.id, app_id)
    if app.secret_hash is None:
        raise ValidationFailed("A public app has no secret to rotate")
    return SecretOut(client_id=app.client_id, client_secret=await apps.rotate_secret(app))


@router.delete(
    "/v1/orgs/{org_id}/apps/{app_id}",
    tags=["apps"],
    status_code=204,
    summary="Delete an OAuth app and end the sessions it issued",
)
async def delete_org_app(
    org_id: uuid.UUID, app_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> Response:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    await apps.delete_app(db, await apps.get_app(db, org.id, app_id))
    return Response(status_code=204)


@router.get(
    "/v1/orgs/{org_id}/api-keys",
    tags=["apps"],
    response_model=list[ApiKeyOut],
    summary="An organisation's API keys (without their secrets)",
)
async def list_org_api_keys(
    org_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> list[ApiKeyOut]:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    return [ApiKeyOut.of(k) for k in await apps.list_api_keys(db, org.id)]


@router.post(
    "/v1/orgs/{org_id}/api-keys",
    tags=["apps"],
    status_code=201,
    response_model=ApiKeyWithSecret,
    summary="Create an API key (shown once)",
)
async def create_org_api_key(
    org_id: uuid.UUID, payload: ApiKeyCreate, db: DbSession, principal: Authenticated
) -> ApiKeyWithSecret:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    key, raw = await apps.create_api_key(
        db,
        principal,
        org.id,
        name=payload.name,
        scopes=payload.scopes,
        expires_at=payload.expires_at,
    )
    return ApiKeyWithSecret(**ApiKeyOut.of(key).model_dump(), key=raw)


@router.delete(
    "/v1/orgs/{org_id}/api-keys/{key_id}",
    tags=["apps"],
    response_model=ApiKeyOut,
    summary="Revoke an API key",
)
async def revoke_org_api_key(
    org_id: uuid.UUID, key_id: uuid.UUID, db: DbSession, principal: Authenticated
) -> ApiKeyOut:
    org = await orgs.authorized_org(db, principal, org_id, "org.apps")
    return ApiKeyOut.of(await apps.revoke_api_key(db, org.id, key_id))


# Verification, contact changes, recovery, GDPR, social sign-in, impersonation.
for extra in (account_api, social_api, admin_api):
    router.include_router(extra.router)
