"""Banners and brand: what a show lays over its video (Imprxx banner, image/video banner, brand).

- A banner is text (title, scrollable) or an image or a video from the organisation's media
  library (`assets.org_media` checks the file and its kind). Drafts are the hosts' alone: the
  audience sees live banners, and hears of a banner when it is live after a change or was live
  before it (a live banner put back to draft is announced with its new status, so clients take
  it down). Events follow the seed: `banner` (text), `bannerImage`, `bannerVideo`, and
  `bannerDeleted`, on `banner` and the event's channel.
- One brand per event (colour, logo image, overlay, background), announced as `brand` /
  `brandDeleted` on `brand` and the event's channel.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.events.models import Event
from livehouse.live import assets, channels
from livehouse.live.models import Banner, Brand
from livehouse.media import service as media_service
from livehouse.media.models import Media
from livehouse.media.schemas import MediaRef

EVENT_OF_KIND = {"text": "banner", "image": "bannerImage", "video": "bannerVideo"}


async def media_of(session: AsyncSession, media_id: int | None) -> Media | None:
    return (await media_service.by_ids(session, [media_id])).get(media_id) if media_id else None


def banner_data(banner: Banner, event: Event, media: Media | None) -> dict[str, Any]:
    return {
        "id": str(banner.public_id),
        "event_id": str(event.public_id),
        "kind": banner.kind,
        "title": banner.title,
        "scrollable": banner.scrollable,
        "position": banner.position,
        "media": MediaRef.of(media).model_dump(mode="json") if media is not None else None,
        "status": banner.status,
        "created_at": banner.created_at.isoformat(),
        "updated_at": banner.updated_at.isoformat(),
    }


def brand_data(brand: Brand, event: Event, logo: Media | None) -> dict[str, Any]:
    return {
        "id": str(brand.public_id),
        "event_id": str(event.public_id),
        "colour": brand.colour,
        "logo": MediaRef.of(logo).model_dump(mode="json") if logo is not None else None,
        "overlay": brand.overlay,
        "background": brand.background,
        "updated_at": brand.updated_at.isoformat(),
    }


def _overlay_channels(event: Event, seed_channel: str) -> list[str]:
    return [seed_channel, channels.show(event.public_id)]


# --- banners ---------------------------------------------------------------------------------


async def _check(session: AsyncSession, event: Event, banner: Banner, media_id: Any) -> None:
    if banner.kind == "text":
        if not banner.title:
            raise ValidationFailed.field("title", "A text banner needs a title")
        if media_id is not None:
            raise ValidationFailed.field("media_id", "A text banner has no media")
        return
    if media_id is not None:
        found = await assets.org_media(session, event.org_id, media_id, (banner.kind,), "media_id")
        banner.media_id = found.id
    if banner.media_id is None:
        raise ValidationFailed.field("media_id", f"An {banner.kind} banner needs a media file")


async def _announce_banner(
    session: AsyncSession, event: Event, banner: Banner, was_live: bool
) -> None:
    if banner.status != "live" and not was_live:
        return  # a draft nobody saw
    await session.flush()
    data = banner_data(banner, event, await media_of(session, banner.media_id))
    channels.send(
        session,
        _overlay_channels(event, channels.BANNER),
        EVENT_OF_KIND[banner.kind],
        data,
        durable=True,
    )


async def create_banner(
    session: AsyncSession, event: Event, by: int | None, fields: dict[str, Any]
) -> Banner:
    media_id = fields.pop("media_id", None)
    banner = Banner(event_id=event.id, created_by_account_id=by, **fields)
    await _check(session, event, banner, media_id)
    session.add(banner)
    await session.flush()
    await _announce_banner(session, event, banner, was_live=False)
    return banner


async def update_banner(
    session: AsyncSession, event: Event, banner: Banner, changes: dict[str, Any]
) -> Banner:
    was_live = banner.status == "live"
    media_id = changes.pop("media_id", None)
    for name, value in changes.items():
        if value is None and name in ("scrollable", "status"):
            raise ValidationFailed.field(name, "Cannot be empty")
        setattr(banner, name, value)
    await _check(session, event, banner, media_id)
    await _announce_banner(session, event, banner, was_live)
    return banner


async def get_banner(
    session: AsyncSession, event: Event, public_id: uuid.UUID, *, drafts: bool
) -> Banner:
    found = await session.scalar(
        select(Banner).where(Banner.event_id == event.id, Banner.public_id == public_id)
    )
    if found is None or (found.status != "live" and not drafts):
        raise NotFound("No such banner")
    return found


async def delete_banner(session: AsyncSession, event: Event, banner: Banner) -> None:
    was_live = banner.status == "live"
    await session.delete(banner)
    if was_live:
        channels.send(
            session,
            _overlay_channels(event, channels.BANNER),
            "bannerDeleted",
            {"id": str(banner.public_id), "event_id": str(event.public_id), "kind": banner.kind},
            durable=True,
        )


async def banners(
    session: AsyncSession, event: Event, *, drafts: bool, kind: str | None = None
) -> list[Banner]:
    statement = select(Banner).where(Banner.event_id == event.id)
    if not drafts:
        statement = statement.where(Banner.status == "live")
    if kind is not None:
        statement = statement.where(Banner.kind == kind)
    return list(await session.scalars(statement.order_by(Banner.id)))


# --- brand -----------------------------------------------------------------------------------


async def brand_of(session: AsyncSession, event: Event) -> Brand | None:
    return await session.scalar(select(Brand).where(Brand.event_id == event.id))


async def _announce_brand(session: AsyncSession, event: Event, brand: Brand) -> None:
    await session.flush()
    data = brand_data(brand, event, await media_of(session, brand.logo_media_id))
    channels.send(session, _overlay_channels(event, channels.BRAND), "brand", data, durable=True)


async def put_brand(
    session: AsyncSession, event: Event, by: int | None, fields: dict[str, Any], *, partial: bool
) -> tuple[Brand, bool]:
    """Create or change the event's brand; True when it was created. A partial change needs
    an existing brand."""
    brand = await brand_of(session, event)
    created = brand is None
    if brand is None:
        if partial:
            raise NotFound("This event has no brand yet; PUT one")
        brand = Brand(event_id=event.id, created_by_account_id=by)
    elif not partial:  # a full replacement: what is not given is cleared
        fields = {"logo_id": None, "overlay": None, "background": None, **fields}
    logo_given = "logo_id" in fields
    logo_id = fields.pop("logo_id", None)
    for name, value in fields.items():
        if value is None and name == "colour":
            raise ValidationFailed.field(name, "Cannot be empty")
        setattr(brand, name, value)
    if logo_given:
        brand.logo_media_id = (
            (await assets.org_media(session, event.org_id, logo_id, ("image",), "logo_id")).id
            if logo_id is not None
            else None
        )
    if created:
        try:
            async with session.begin_nested():
                session.add(brand)
        except IntegrityError as exc:
            raise Conflict("This event's brand was just created; try again") from exc
    await _announce_brand(session, event, brand)
    return brand, created


async def delete_brand(session: AsyncSession, event: Event) -> None:
    brand = await brand_of(session, event)
    if brand is None:
        raise NotFound("This event has no brand")
    await session.delete(brand)
    channels.send(
        session,
        _overlay_channels(event, channels.BRAND),
        "brandDeleted",
        {"id": str(brand.public_id), "event_id": str(event.public_id)},
        durable=True,
    )
