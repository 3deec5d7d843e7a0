"""Live routes. For now only the media-server tokens (rtc.py holds the rule); the live package
proper (shows, stages, who hosts) comes later and may tighten the role rule."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from livehouse.core.deps import DbSession
from livehouse.core.runtime import current
from livehouse.identity.auth import User
from livehouse.live import rtc

router = APIRouter(prefix="/v1/rtc", tags=["live"])


class RtcTokenRequest(BaseModel):
    org_id: uuid.UUID = Field(description="The organisation whose room this is")
    room: str = Field(pattern=r"^[A-Za-z0-9_-]{1,31}$", examples=["main-stage"])
    role: Literal["viewer", "host"] = Field(
        "viewer", description="viewer: join and watch; host: also publish (team members only)"
    )


class RtcToken(BaseModel):
    provider: Literal["agora", "livekit"]
    token: str
    channel: str = Field(description="The media server's channel / room name to join")
    identity: str = Field(description="Agora user account / LiveKit identity: your account id")
    role: Literal["viewer", "host"]
    expires_at: datetime
    app_id: str | None = Field(None, description="Agora app id")
    url: str | None = Field(None, description="LiveKit server URL")


async def _issue(
    provider: Literal["agora", "livekit"], body: RtcTokenRequest, principal: User, db: DbSession
) -> rtc.IssuedToken:
    return await rtc.token_for(
        db, current().settings, principal, provider, body.org_id, body.room, body.role
    )


@router.post(
    "/agora-token",
    response_model=RtcToken,
    response_model_exclude_none=True,
    summary="An Agora AccessToken2 for an organisation's live room",
)
async def agora_token(body: RtcTokenRequest, principal: User, db: DbSession) -> rtc.IssuedToken:
    return await _issue("agora", body, principal, db)


@router.post(
    "/livekit-token",
    response_model=RtcToken,
    response_model_exclude_none=True,
    summary="A LiveKit access token for an organisation's live room",
)
async def livekit_token(body: RtcTokenRequest, principal: User, db: DbSession) -> rtc.IssuedToken:
    return await _issue("livekit", body, principal, db)


# The live shows' own routes live outside /v1/rtc, so they join this router's routes as they
# are (include_router would put them under its prefix).
from livehouse.live import api_chat, api_shows, api_studio, api_videochat  # noqa: E402

router.routes.extend(api_shows.router.routes)
router.routes.extend(api_studio.router.routes)
router.routes.extend(api_chat.router.routes)
router.routes.extend(api_videochat.router.routes)
