"""Profiles' part of a person's data export and erasure (see identity/gdpr.py): profile,
preferences, performer page, follows and mutes (both ways), devices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.identity.gdpr import register_eraser, register_exporter
from livehouse.identity.models import Account
from livehouse.profiles import devices, performers, views
from livehouse.profiles.models import Connection, Device, PerformerProfile, Profile
from livehouse.profiles.schemas import DeviceOut


async def export(session: AsyncSession, account: Account) -> dict[str, Any]:
    performer = await performers.of_account(session, account.id)
    rows = list(
        await session.scalars(
            select(Connection).where(Connection.account_id == account.id).order_by(Connection.id)
        )
    )
    return {
        "profile": (await views.my_profile(session, account)).model_dump(mode="json"),
        "performer": (
            (await views.performer_page(session, performer, account.id)).model_dump(mode="json")
            if performer
            else None
        ),
        "following": [
            c.model_dump(mode="json")
            for c in await views.connections(
                session, [r for r in rows if r.kind == "follow"], show="target"
            )
        ],
        "mutes": [
            c.model_dump(mode="json")
            for c in await views.connections(
                session, [r for r in rows if r.kind == "mute"], show="target"
            )
        ],
        "devices": [
            DeviceOut.of(d).model_dump(mode="json")
            for d in await devices.list_devices(session, account.id)
        ],
    }


async def erase(session: AsyncSession, account: Account, org_id: int | None) -> None:
    if org_id is not None:
        return  # nothing here belongs to one organisation
    await session.execute(
        delete(Connection).where(
            or_(Connection.account_id == account.id, Connection.target_account_id == account.id)
        )
    )
    for table in (Device, PerformerProfile, Profile):
        await session.execute(delete(table).where(table.account_id == account.id))


register_exporter("profiles", export)
register_eraser("profiles", erase)
