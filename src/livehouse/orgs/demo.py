"""Demo organisation, owned by the demo owner, with a public app for browser clients."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.identity.models import OAuthApp
from livehouse.identity.scopes import all_scopes
from livehouse.orgs import service
from livehouse.orgs.models import Organisation

SLUG = "demo-live-house"
CLIENT_ID = "demo-web-app"


async def load(session: AsyncSession, ctx: dict[str, Any]) -> None:
    org = await session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if org is None:
        org = await service.create_org(
            session,
            ctx["accounts"]["owner"].id,
            name="Demo Live House",
            slug=SLUG,
            info="A small venue that streams every show.",
            currency="EUR",
            timezone="Europe/Berlin",
            country="DE",
            email="hello@demo.livehouse.dev",
            links=[{"name": "website", "value": "https://demo.livehouse.dev/"}],
        )
    if await session.scalar(select(OAuthApp).where(OAuthApp.client_id == CLIENT_ID)) is None:
        session.add(
            OAuthApp(
                org_id=org.id,
                name="Demo web app",
                client_id=CLIENT_ID,
                grant_types=["password", "refresh_token"],
                redirect_uris=[],
                scopes=sorted(all_scopes()),
                active=True,
                is_default=True,
            )
        )
    ctx["org"] = org
    await describe(session, ctx)


async def describe(session: AsyncSession, ctx: dict[str, Any]) -> None:
    org = await session.scalar(select(Organisation).where(Organisation.slug == SLUG))
    if org is not None:
        ctx["credentials"]["organisation"] = f"{org.name} (id {org.public_id})"
        ctx["credentials"]["client_id"] = f"{CLIENT_ID} (public app, password grant)"
