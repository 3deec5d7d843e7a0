"""Performer profiles: the stage page (Imprxx), price, categories and invite code (Privet).

A person is a performer while their performer profile exists and is active ("role" in Privet:
client 1, performer 2). The invite code is 8 letters and digits from `secrets`, unique, and
finds the performer (`by_invite`); it can be replaced, after which the old one finds nobody.
"""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.media import service as media
from livehouse.media.models import Media
from livehouse.profiles import catalogue
from livehouse.profiles.models import Category, PerformerCategory, PerformerProfile, PerformerSlide

INVITE_ALPHABET = string.ascii_letters + string.digits
INVITE_LENGTH = 8
MAX_SLIDES = 20


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


async def of_account(session: AsyncSession, account_id: int) -> PerformerProfile | None:
    return await session.scalar(
        select(PerformerProfile).where(PerformerProfile.account_id == account_id)
    )


async def mine(session: AsyncSession, account_id: int) -> PerformerProfile:
    performer = await of_account(session, account_id)
    if performer is None:
        raise NotFound("You have no performer profile")
    return performer


async def active_of(session: AsyncSession, account_id: int) -> PerformerProfile:
    performer = await of_account(session, account_id)
    if performer is None or not performer.active:
        raise NotFound("No such performer")
    return performer


async def by_invite(session: AsyncSession, code: str) -> PerformerProfile:
    """Invite codes are case-sensitive, like the seed's ("JQSs1P0e")."""
    performer = await session.scalar(
        select(PerformerProfile).where(
            PerformerProfile.invite_code == code, PerformerProfile.active
        )
    )
    if performer is None:
        raise NotFound("No performer has this invite code")
    return performer


async def _with_fresh_code(session: AsyncSession, performer: PerformerProfile) -> None:
    """Assign a new unique code; 62^8 codes make a clash rare, the savepoint makes it safe."""
    for _ in range(5):
        performer.invite_code = new_invite_code()
        try:
            async with session.begin_nested():
                session.add(performer)
            return
        except IntegrityError:
            continue
    raise Conflict("Could not find a free invite code; try again")


async def save(
    session: AsyncSession, account_id: int, changes: dict[str, Any], *, replace: bool
) -> tuple[PerformerProfile, bool]:
    """Create the performer profile or change it (`replace`: fields left out are cleared).
    Returns (profile, created)."""
    performer = await of_account(session, account_id)
    created = performer is None
    if performer is None:
        performer = PerformerProfile(account_id=account_id, active=True, links=[])
        await _with_fresh_code(session, performer)
    if replace:
        for field in ("stage_name", "biography", "industry", "genre", "image_id", "price"):
            changes.setdefault(field, None)
        changes.setdefault("links", [])
        changes.setdefault("slides", [])
        changes.setdefault("categories", [])
    if "image_id" in changes:
        image_id = changes.pop("image_id")
        performer.image_media_id = (
            (await media.own_image(session, account_id, image_id, "image_id")).id
            if image_id
            else None
        )
    if "price" in changes:
        price = changes.pop("price")
        performer.price_amount = price["amount"] if price else None
        performer.price_currency = price["currency"] if price else None
    slides = changes.pop("slides", None)
    categories = changes.pop("categories", None)
    for field, value in changes.items():
        setattr(performer, field, value if field != "links" else (value or []))
    await session.flush()
    if slides is not None:
        await set_slides(session, performer, slides)
    if categories is not None:
        await set_categories(session, performer, categories)
    return performer, created


async def set_slides(
    session: AsyncSession, performer: PerformerProfile, media_ids: list[uuid.UUID]
) -> None:
    if len(media_ids) > MAX_SLIDES:
        raise ValidationFailed.field("slides", f"At most {MAX_SLIDES} slides")
    if len(set(media_ids)) != len(media_ids):
        raise ValidationFailed.field("slides", "Each image may appear once")
    images = [
        await media.own_image(session, performer.account_id, media_id, f"slides.{index}")
        for index, media_id in enumerate(media_ids)
    ]
    await session.execute(delete(PerformerSlide).where(PerformerSlide.performer_id == performer.id))
    for position, image in enumerate(images):
        session.add(PerformerSlide(performer_id=performer.id, position=position, media_id=image.id))
    await session.flush()


async def set_categories(
    session: AsyncSession, performer: PerformerProfile, references: list[str]
) -> None:
    found = await catalogue.categories_by_reference(session, references)
    await session.execute(
        delete(PerformerCategory).where(PerformerCategory.performer_id == performer.id)
    )
    for category in found:
        session.add(PerformerCategory(performer_id=performer.id, category_id=category.id))
    await session.flush()


async def new_code(session: AsyncSession, performer: PerformerProfile) -> PerformerProfile:
    await _with_fresh_code(session, performer)
    await session.flush()
    return performer


async def slides_of(session: AsyncSession, performer_id: int) -> list[Media]:
    rows = await session.execute(
        select(Media)
        .join(PerformerSlide, PerformerSlide.media_id == Media.id)
        .where(PerformerSlide.performer_id == performer_id)
        .order_by(PerformerSlide.position)
    )
    return list(rows.scalars())


async def categories_of(
    session: AsyncSession, performer_ids: Sequence[int]
) -> dict[int, list[Category]]:
    result: dict[int, list[Category]] = {pid: [] for pid in performer_ids}
    if not performer_ids:
        return result
    rows = await session.execute(
        select(PerformerCategory.performer_id, Category)
        .join(Category, Category.id == PerformerCategory.category_id)
        .where(PerformerCategory.performer_id.in_(performer_ids))
        .order_by(Category.name)
    )
    for performer_id, category in rows:
        result[performer_id].append(category)
    return result


async def performers_of(
    session: AsyncSession, account_ids: Sequence[int]
) -> dict[int, PerformerProfile]:
    if not account_ids:
        return {}
    rows = await session.scalars(
        select(PerformerProfile).where(
            PerformerProfile.account_id.in_(account_ids), PerformerProfile.active
        )
    )
    return {p.account_id: p for p in rows}
