"""Devices and their push tokens, kept for push notifications (notify sends them later).

A push token reaches one device: when another account registers a token already on file (the
phone changed hands, or someone else signed in), it moves — the previous holder no longer gets
pushes meant for the new one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import NotFound
from livehouse.profiles.models import Device


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _take_token(session: AsyncSession, token: str | None, keep: int | None) -> None:
    if token is None:
        return
    statement = delete(Device).where(Device.push_token_hash == _hash(token))
    if keep is not None:
        statement = statement.where(Device.id != keep)
    await session.execute(statement)


async def register(
    session: AsyncSession,
    account_id: int,
    device_id: str,
    push_token: str | None,
    platform: str | None,
) -> tuple[Device, bool]:
    """Add the device, or update it if this account has it already. Returns (device, created)."""
    device = await session.scalar(
        select(Device).where(Device.account_id == account_id, Device.device_id == device_id)
    )
    created = device is None
    await _take_token(session, push_token, None if device is None else device.id)
    if device is None:
        device = Device(account_id=account_id, device_id=device_id)
        session.add(device)
    device.push_token = push_token
    device.push_token_hash = _hash(push_token) if push_token else None
    if platform is not None:
        device.platform = platform
    await session.flush()
    return device, created


async def list_devices(session: AsyncSession, account_id: int) -> Sequence[Device]:
    return (
        await session.scalars(
            select(Device).where(Device.account_id == account_id).order_by(Device.id)
        )
    ).all()


async def get_device(session: AsyncSession, account_id: int, public_id: uuid.UUID) -> Device:
    device = await session.scalar(
        select(Device).where(Device.account_id == account_id, Device.public_id == public_id)
    )
    if device is None:
        raise NotFound("No such device")
    return device


async def update(session: AsyncSession, device: Device, changes: dict[str, str | None]) -> Device:
    if "push_token" in changes:
        token = changes["push_token"]
        await _take_token(session, token, device.id)
        device.push_token = token
        device.push_token_hash = _hash(token) if token else None
    if "platform" in changes:
        device.platform = changes["platform"]
    await session.flush()
    return device


async def remove(session: AsyncSession, device: Device) -> None:
    await session.delete(device)
    await session.flush()


async def push_tokens(session: AsyncSession, account_id: int) -> list[str]:
    """Where to push a notification for this account."""
    rows = await session.scalars(
        select(Device.push_token).where(
            Device.account_id == account_id, Device.push_token.is_not(None)
        )
    )
    return [token for token in rows if token]
