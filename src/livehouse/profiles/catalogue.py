"""Shared lists: categories (platform-wide, managed by platform admins) and tags (platform-wide,
or an organisation's own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from livehouse.identity.auth import Principal, require_scopes
from livehouse.orgs.service import is_platform_admin
from livehouse.profiles.models import Category, Tag

# What Privet calls categories 1 and 2; the demo and fresh installations start with these.
DEFAULT_CATEGORIES = (("Streamer", "streamer"), ("Comedian", "comedian"))


async def require_platform_admin(session: AsyncSession, principal: Principal) -> None:
    require_scopes(principal, "catalogue.write")
    if not principal.is_user or not await is_platform_admin(session, principal.account_id or 0):
        raise Forbidden("Only platform administrators manage platform-wide lists")


def _slug(name: str, field: str) -> str:
    slug = slugify(name, max_length=60)
    if not slug:
        raise ValidationFailed.field(field, "Needs at least one letter or digit")
    return slug


# ---- categories ------------------------------------------------------------------------------


async def list_categories(session: AsyncSession) -> Sequence[Category]:
    return (await session.scalars(select(Category).order_by(Category.name, Category.id))).all()


async def get_category(session: AsyncSession, public_id: uuid.UUID) -> Category:
    category = await session.scalar(select(Category).where(Category.public_id == public_id))
    if category is None:
        raise NotFound("No such category")
    return category


async def _save_category(session: AsyncSession, category: Category) -> Category:
    try:
        async with session.begin_nested():
            session.add(category)
    except IntegrityError as exc:
        raise Conflict(
            "A category with this slug exists",
            extra={"errors": [{"field": "slug", "message": "Already taken"}]},
        ) from exc
    return category


async def create_category(session: AsyncSession, name: str, slug: str | None) -> Category:
    return await _save_category(session, Category(name=name, slug=slug or _slug(name, "name")))


async def update_category(
    session: AsyncSession, category: Category, name: str | None, slug: str | None
) -> Category:
    if name is not None:
        category.name = name
    if slug is not None:
        category.slug = slug
    return await _save_category(session, category)


async def delete_category(session: AsyncSession, category: Category) -> None:
    await session.delete(category)
    await session.flush()


async def ensure_default_categories(session: AsyncSession) -> None:
    for name, slug in DEFAULT_CATEGORIES:
        if await session.scalar(select(Category.id).where(Category.slug == slug)) is None:
            session.add(Category(name=name, slug=slug))
    await session.flush()


async def categories_by_reference(
    session: AsyncSession, references: Iterable[str], field: str = "categories"
) -> list[Category]:
    """Categories named by public id or slug; an unknown one is a 422 naming `field`."""
    found: list[Category] = []
    for index, reference in enumerate(dict.fromkeys(references)):
        as_id = _uuid(reference)
        condition = Category.public_id == as_id if as_id else Category.slug == reference
        category = await session.scalar(select(Category).where(condition))
        if category is None:
            raise ValidationFailed.field(f"{field}.{index}", f"No category {reference!r}")
        found.append(category)
    return found


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


# ---- tags ------------------------------------------------------------------------------------


async def list_tags(
    session: AsyncSession, org_id: int | None, query: str | None = None
) -> Sequence[Tag]:
    statement = select(Tag).where(Tag.org_id.is_(None) if org_id is None else Tag.org_id == org_id)
    if query:
        statement = statement.where(Tag.slug.contains(slugify(query), autoescape=True))
    return (await session.scalars(statement.order_by(Tag.slug, Tag.id).limit(500))).all()


async def create_tag(session: AsyncSession, org_id: int | None, name: str) -> Tag:
    slug = _slug(name, "name")
    # A null org_id does not take part in the unique constraint: check platform tags here.
    existing = await session.scalar(
        select(Tag.id).where(
            Tag.slug == slug, Tag.org_id.is_(None) if org_id is None else Tag.org_id == org_id
        )
    )
    if existing is not None:
        raise _tag_taken()
    tag = Tag(org_id=org_id, name=name, slug=slug)
    try:
        async with session.begin_nested():
            session.add(tag)
    except IntegrityError as exc:  # created concurrently
        raise _tag_taken() from exc
    return tag


def _tag_taken() -> Conflict:
    return Conflict(
        "That tag exists", extra={"errors": [{"field": "name", "message": "Already taken"}]}
    )


async def get_tag(session: AsyncSession, org_id: int | None, public_id: uuid.UUID) -> Tag:
    tag = await session.scalar(
        select(Tag).where(
            Tag.public_id == public_id,
            Tag.org_id.is_(None) if org_id is None else Tag.org_id == org_id,
        )
    )
    if tag is None:
        raise NotFound("No such tag")
    return tag


async def delete_tag(session: AsyncSession, tag: Tag) -> None:
    await session.delete(tag)
    await session.flush()


async def tags_for(session: AsyncSession, org_id: int, names: Iterable[str]) -> list[Tag]:
    """The organisation's tags with these names, made where missing (for events to attach)."""
    by_slug: dict[str, Tag] = {}
    for name in (n.strip() for n in names if n.strip()):
        slug = _slug(name, "tags")
        if slug in by_slug:
            continue
        tag = await session.scalar(select(Tag).where(Tag.org_id == org_id, Tag.slug == slug))
        by_slug[slug] = tag or await create_tag(session, org_id, name)
    return list(by_slug.values())
