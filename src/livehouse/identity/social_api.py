"""Social sign-in routes (rules in social.py, token checks in providers.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse

from livehouse.core.deps import DbSession
from livehouse.core.ratelimit import rate_limit
from livehouse.identity import apps, providers, social
from livehouse.identity.auth import Principal, in_person, user_scoped
from livehouse.identity.flow_schemas import (
    ProviderOut,
    SocialIdentityOut,
    SocialSignIn,
    SocialSignUp,
    SocialToken,
    token_response,
)
from livehouse.identity.schemas import TokenResponse
from livehouse.identity.service import signed_in_account

router = APIRouter(tags=["social sign-in"])
ProviderName = Annotated[str, Path(max_length=50, description="A configured provider's name")]
sign_in_limit = Depends(rate_limit("30/minute", "social-sign-in"))


@router.get(
    "/v1/social/providers",
    response_model=list[ProviderOut],
    summary="The identity providers people can sign in with",
)
async def list_providers() -> list[ProviderOut]:
    return [ProviderOut(name=n, kind=c.kind) for n, c in providers.configured().items()]


@router.post(
    "/v1/social/{provider}/sign-up",
    status_code=201,
    response_model=TokenResponse,
    summary="Sign up with a provider's token (200: joined the account of its verified e-mail)",
    dependencies=[sign_in_limit],
)
async def sign_up(
    provider: ProviderName, payload: SocialSignUp, request: Request, db: DbSession
) -> JSONResponse:
    app = await apps.find_active_app(db, payload.client_id) if payload.client_id else None
    grant, created = await social.sign_up(
        db,
        provider,
        payload.token,
        nonce=payload.nonce,
        email=payload.email,
        full_name=payload.full_name,
        app=app,
        user_agent=request.headers.get("user-agent"),
    )
    return token_response(grant, 201 if created else 200)


@router.post(
    "/v1/social/{provider}/sign-in",
    response_model=TokenResponse,
    summary="Sign in with a provider's token; answers like /v1/oauth/token",
    dependencies=[sign_in_limit],
)
async def sign_in(
    provider: ProviderName, payload: SocialSignIn, request: Request, db: DbSession
) -> JSONResponse:
    app = await apps.find_active_app(db, payload.client_id) if payload.client_id else None
    grant = await social.sign_in(
        db,
        provider,
        payload.token,
        nonce=payload.nonce,
        app=app,
        user_agent=request.headers.get("user-agent"),
    )
    return token_response(grant)


@router.get(
    "/v1/me/social",
    response_model=list[SocialIdentityOut],
    summary="The providers my account is connected to",
)
async def my_identities(
    db: DbSession, principal: Annotated[Principal, Depends(user_scoped("me.read"))]
) -> list[SocialIdentityOut]:
    assert principal.account_id is not None
    return [
        SocialIdentityOut.model_validate(i)
        for i in await social.identities_of(db, principal.account_id)
    ]


@router.post(
    "/v1/me/social/{provider}",
    status_code=201,
    response_model=SocialIdentityOut,
    summary="Connect my account to a provider",
)
async def connect(
    provider: ProviderName,
    payload: SocialToken,
    db: DbSession,
    principal: Annotated[Principal, Depends(in_person("me.write"))],
) -> SocialIdentityOut:
    account = await signed_in_account(db, principal)
    identity = await social.connect(db, account, provider, payload.token, payload.nonce)
    await db.flush()
    return SocialIdentityOut.model_validate(identity)


@router.delete(
    "/v1/me/social/{provider}",
    status_code=204,
    summary="Disconnect my account from a provider (refused if it is my only way in)",
)
async def disconnect(
    provider: ProviderName,
    db: DbSession,
    principal: Annotated[Principal, Depends(in_person("me.write"))],
) -> Response:
    await social.disconnect(db, await signed_in_account(db, principal), provider)
    return Response(status_code=204)
