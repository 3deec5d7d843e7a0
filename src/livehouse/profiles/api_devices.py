"""My devices and their push tokens: the routes (rules in devices.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from livehouse.core.deps import DbSession
from livehouse.identity.auth import Principal, user_scoped
from livehouse.profiles import devices
from livehouse.profiles.schemas import DeviceIn, DeviceOut, DeviceUpdate

router = APIRouter(tags=["devices"])
Reader = Annotated[Principal, Depends(user_scoped("profile.read"))]
Writer = Annotated[Principal, Depends(user_scoped("profile.write"))]


@router.get("/v1/me/devices", response_model=list[DeviceOut], summary="My devices")
async def list_devices(db: DbSession, principal: Reader) -> list[DeviceOut]:
    return [DeviceOut.of(d) for d in await devices.list_devices(db, principal.account_id or 0)]


@router.post(
    "/v1/me/devices",
    response_model=DeviceOut,
    summary="Register a device and its push token (again: updates it; 201 the first time)",
    responses={201: {"description": "Registered"}},
)
async def register_device(
    payload: DeviceIn, response: Response, db: DbSession, principal: Writer
) -> DeviceOut:
    device, created = await devices.register(
        db, principal.account_id or 0, payload.device_id, payload.push_token, payload.platform
    )
    response.status_code = 201 if created else 200
    return DeviceOut.of(device)


@router.get("/v1/me/devices/{device_id}", response_model=DeviceOut, summary="One of my devices")
async def read_device(device_id: uuid.UUID, db: DbSession, principal: Reader) -> DeviceOut:
    return DeviceOut.of(await devices.get_device(db, principal.account_id or 0, device_id))


@router.patch(
    "/v1/me/devices/{device_id}",
    response_model=DeviceOut,
    summary="Change a device's push token or platform",
)
async def update_device(
    device_id: uuid.UUID, payload: DeviceUpdate, db: DbSession, principal: Writer
) -> DeviceOut:
    device = await devices.get_device(db, principal.account_id or 0, device_id)
    return DeviceOut.of(await devices.update(db, device, payload.model_dump(exclude_unset=True)))


@router.delete(
    "/v1/me/devices/{device_id}", status_code=204, summary="Forget a device (no more pushes)"
)
async def delete_device(device_id: uuid.UUID, db: DbSession, principal: Writer) -> Response:
    await devices.remove(db, await devices.get_device(db, principal.account_id or 0, device_id))
    return Response(status_code=204)
