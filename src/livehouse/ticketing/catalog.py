"""What an event sells: its ticket settings, ticket types with their variations, coupons, and
the organisation's merchandise. Changes here never touch the stock counters (inventory does):
capacities live on their owners and the counters read them at sale time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import insert_ignore, keep
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.security import keyed_hash
from livehouse.events.models import Event, EventSession, Occurrence
from livehouse.orgs.models import Organisation
from livehouse.ticketing import salecache
from livehouse.ticketing.models import (
    Coupon,
    OrderLine,
    Product,
    TicketSettings,
    TicketStock,
    TicketType,
    TicketVariation,
)

CATEGORIES = ("ticket", "donation", "table")

# Built once: every sale runs it, and building it cost ~4 % of a purchase's CPU.
_EVENT_FOR_SALE = (
    select(Event, TicketSettings, Organisation)
    .join(Organisation, Organisation.id == Event.org_id)
    .outerjoin(TicketSettings, TicketSettings.event_id == Event.id)
    .where(Event.public_id == bindparam("public_id"))
)


async def event_for_sale(session: AsyncSession, public_id: uuid.UUID) -> Event:
    """The event with the rows every sale reads next — its ticket settings (`settings_of`) and
    its organisation (the pass signer's) — in one round trip, kept in the session."""
    row = (await session.execute(_EVENT_FOR_SALE, {"public_id": public_id})).one_or_none()
    if row is None:
        raise NotFound("No such event")
    keep(session, *(found for found in row if found is not None))
    return row[0]  # type: ignore[no-any-return]


async def settings_of(session: AsyncSession, event: Event) -> TicketSettings:
    found = await session.get(TicketSettings, event.id)
    if found is None:  # concurrent first buyers may race to create it: insert-if-missing
        await session.execute(
            insert_ignore(
                session,
                TicketSettings,
                [{"event_id": event.id, "refund_policy": {}, "restrictions": []}],
            )
        )
        found = await session.get(TicketSettings, event.id)
    assert found is not None
    return found


def check_window(starts: datetime | None, ends: datetime | None, prefix: str) -> None:
    if starts and ends and starts >= ends:
        raise ValidationFailed.field(f"{prefix}booking_ends_at", "Must be after booking_starts_at")


def check_discount_rule(rule: dict[str, Any] | None, field: str) -> dict[str, Any] | None:
    """An early-bird rule: {type: percentage|fixed, value, starts_at?, ends_at?} (ISO strings)."""
    if rule is None:
        return None
    if rule.get("type") not in ("percentage", "fixed"):
        raise ValidationFailed.field(f"{field}.type", "Must be percentage or fixed")
    value = rule.get("value")
    if not isinstance(value, int) or value <= 0:
        raise ValidationFailed.field(f"{field}.value", "Must be a positive whole number")
    if rule["type"] == "percentage" and value > 10_000:
        raise ValidationFailed.field(f"{field}.value", "A percentage is at most 10000 (100 %)")
    if rule.get("starts_at") and rule.get("ends_at") and rule["starts_at"] >= rule["ends_at"]:
        raise ValidationFailed.field(f"{field}.ends_at", "Must be after starts_at")
    return rule


def check_restrictions(items: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """Normalise restrictions; invitation codes are stored as keyed hashes, never in clear."""
    out = []
    for i, item in enumerate(items):
        kind = item.get("type")
        where = f"{field}.{i}"
        if kind == "age":
            low, high = item.get("min"), item.get("max")
            if low is None and high is None:
                raise ValidationFailed.field(f"{where}.min", "Give min, max or both")
            if low is not None and high is not None and low > high:
                raise ValidationFailed.field(f"{where}.max", "Must be at least min")
            out.append({"type": "age", "min": low, "max": high})
        elif kind == "invitation_code":
            if "code_hash" in item:  # already stored form (an update that keeps it)
                out.append({"type": kind, "code_hash": item["code_hash"]})
                continue
            code = str(item.get("code") or "").strip()
            if not 3 <= len(code) <= 64:
                raise ValidationFailed.field(f"{where}.code", "3-64 characters")
            out.append({"type": kind, "code_hash": keyed_hash(code.casefold(), "invitation")})
        elif kind == "email_list":
            emails = sorted({str(e).strip().casefold() for e in item.get("emails") or []})
            if not emails:
                raise ValidationFailed.field(f"{where}.emails", "List at least one address")
            out.append({"type": kind, "emails": emails})
        elif kind == "invitation_link":
            out.append({"type": kind})
        else:
            raise ValidationFailed.field(
                f"{where}.type", "Must be age, invitation_code, invitation_link or email_list"
            )
    return out


async def update_settings(
    session: AsyncSession, event: Event, changes: dict[str, Any]
) -> TicketSettings:
    current = await settings_of(session, event)
    if "early_bird" in changes:
        changes["early_bird"] = check_discount_rule(changes["early_bird"], "early_bird")
    if "restrictions" in changes:
        changes["restrictions"] = check_restrictions(changes["restrictions"] or [], "restrictions")
    if "refund_policy" in changes:
        changes["refund_policy"] = check_refund_policy(changes["refund_policy"] or {})
    for key, value in changes.items():
        setattr(current, key, value)
    check_window(current.booking_starts_at, current.booking_ends_at, "")
    return current


def check_refund_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """{available, automatic, days_before (cancel before the event starts), type percentage|fixed,
    value} — e.g. 100 % up to 7 days before, automatically."""
    if not policy.get("available"):
        return {"available": False}
    kind = policy.get("type", "percentage")
    value = policy.get("value", 10_000)
    if kind not in ("percentage", "fixed"):
        raise ValidationFailed.field("refund_policy.type", "Must be percentage or fixed")
    if not isinstance(value, int) or value < 0 or (kind == "percentage" and value > 10_000):
        raise ValidationFailed.field(
            "refund_policy.value", "Must be 0-10000 for a percentage, or a non-negative amount"
        )
    days = policy.get("days_before", 0)
    if not isinstance(days, int) or days < 0:
        raise ValidationFailed.field("refund_policy.days_before", "Must be 0 or more")
    return {
        "available": True,
        "automatic": bool(policy.get("automatic", True)),
        "days_before": days,
        "type": kind,
        "value": value,
    }


async def list_types(
    session: AsyncSession, event: Event, *, include_inactive: bool = False
) -> Sequence[TicketType]:
    query = select(TicketType).where(TicketType.event_id == event.id)
    if not include_inactive:
        query = query.where(TicketType.active)
    return (await session.scalars(query.order_by(TicketType.display_order, TicketType.id))).all()


async def variations_of(
    session: AsyncSession, type_ids: list[int]
) -> dict[int, list[TicketVariation]]:
    rows = (
        await session.scalars(
            select(TicketVariation)
            .where(TicketVariation.ticket_type_id.in_(type_ids or [-1]), TicketVariation.active)
            .order_by(TicketVariation.display_order, TicketVariation.id)
        )
    ).all()
    out: dict[int, list[TicketVariation]] = {t: [] for t in type_ids}
    for row in rows:
        out[row.ticket_type_id].append(row)
    return out


async def types_on_sale(
    session: AsyncSession, event: Event, public_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, TicketType], dict[int, list[TicketVariation]]]:
    """The active ticket types of `event` among `public_ids` (by public id) and their active
    variations in display order (by type id) — what a basket names: one round trip, or none
    while the sale cache holds the event's types."""
    every_type, every_variation = await salecache.cached(
        session, event.id, "types", lambda: _active_types(session, event)
    )
    types = {p: every_type[p] for p in public_ids if p in every_type}
    return types, {t.id: every_variation[t.id] for t in types.values()}


async def _active_types(
    session: AsyncSession, event: Event
) -> tuple[dict[uuid.UUID, TicketType], dict[int, list[TicketVariation]]]:
    rows = await session.execute(
        select(TicketType, TicketVariation)
        .outerjoin(
            TicketVariation,
            and_(TicketVariation.ticket_type_id == TicketType.id, TicketVariation.active),
        )
        .where(TicketType.event_id == event.id, TicketType.active)
        .order_by(TicketType.id, TicketVariation.display_order, TicketVariation.id)
    )
    types: dict[uuid.UUID, TicketType] = {}
    variations: dict[int, list[TicketVariation]] = {}
    for ticket_type, variation in rows:
        types[ticket_type.public_id] = ticket_type
        options = variations.setdefault(ticket_type.id, [])
        if variation is not None:
            options.append(variation)
    return types, variations


async def get_type(session: AsyncSession, event: Event, public_id: uuid.UUID) -> TicketType:
    found = await session.scalar(
        select(TicketType).where(TicketType.event_id == event.id, TicketType.public_id == public_id)
    )
    if found is None:
        raise NotFound("No such ticket type")
    return found


async def _resolve_scope(session: AsyncSession, event: Event, fields: dict[str, Any]) -> None:
    """occurrence/session public ids → internal ids, checked to belong to this event."""
    for key, model in (("occurrence_id", Occurrence), ("session_id", EventSession)):
        value = fields.pop(key.replace("_id", ""), None)
        if value is None:
            fields[key] = None
            continue
        row = await session.scalar(
            select(model).where(model.public_id == value, model.event_id == event.id)
        )
        if row is None:
            raise ValidationFailed.field(key.replace("_id", ""), "Not part of this event")
        if model is EventSession and not row.sold_individually:
            raise ValidationFailed.field("session", "This session is not sold individually")
        fields[key] = row.id


def _check_type_fields(fields: dict[str, Any]) -> None:
    category = fields.get("category", "ticket")
    if category not in CATEGORIES:
        raise ValidationFailed.field("category", f"Must be one of {', '.join(CATEGORIES)}")
    if category == "donation" and fields.get("donation_minimum") is None:
        fields["donation_minimum"] = 0
    if category == "table" and not fields.get("section"):
        raise ValidationFailed.field("section", "A sectional tier needs a section name (e.g. VVIP)")
    if fields.get("reduction_bp") is not None and not 0 <= fields["reduction_bp"] <= 10_000:
        raise ValidationFailed.field("reduction_bp", "Must be 0-10000")
    check_window(fields.get("booking_starts_at"), fields.get("booking_ends_at"), "")
    fields["early_bird"] = check_discount_rule(fields.get("early_bird"), "early_bird")
    fields["restrictions"] = check_restrictions(fields.get("restrictions") or [], "restrictions")


def _variations(items: list[dict[str, Any]], category: str) -> list[dict[str, Any]]:
    if category == "donation":
        return [{"name": "", "price": 0, "quantity_included": 1, "display_order": 0}]
    if not items:
        raise ValidationFailed.field("variations", "Give at least one price")
    names = [v.get("name", "") for v in items]
    if len(names) != len(set(names)):
        raise ValidationFailed.field("variations", "Variation names must differ")
    return [
        {
            "name": v.get("name", ""),
            "price": v["price"],
            "quantity_included": v.get("quantity_included", 1),
            "display_order": i,
        }
        for i, v in enumerate(items)
    ]


async def create_type(session: AsyncSession, event: Event, fields: dict[str, Any]) -> TicketType:
    variations = _variations(fields.pop("variations", []), fields.get("category", "ticket"))
    _check_type_fields(fields)
    await _resolve_scope(session, event, fields)
    ticket_type = TicketType(event_id=event.id, **fields)
    session.add(ticket_type)
    await session.flush()
    from livehouse.ticketing.passes import ensure_key

    await ensure_key(session, event.org_id)  # so scanners can fetch it before the first sale
    for v in variations:
        session.add(TicketVariation(ticket_type_id=ticket_type.id, **v))
    await session.flush()
    return ticket_type


async def sold_seats(session: AsyncSession, ticket_type: TicketType) -> int:
    return int(
        await session.scalar(
            select(func.coalesce(func.sum(TicketStock.taken), 0)).where(
                TicketStock.ticket_type_id == ticket_type.id
            )
        )
        or 0
    )


async def update_type(
    session: AsyncSession, event: Event, ticket_type: TicketType, changes: dict[str, Any]
) -> TicketType:
    recategorised = "category" in changes and changes["category"] != ticket_type.category
    if recategorised and await sold_seats(session, ticket_type):
        raise Conflict("The category of a ticket type with sales cannot change")
    variations = changes.pop("variations", None)
    merged = {c.key: getattr(ticket_type, c.key) for c in TicketType.__table__.columns}
    merged.update(changes)
    _check_type_fields(merged)
    for key in ("early_bird", "restrictions"):
        if key in changes:
            changes[key] = merged[key]
    for key, value in changes.items():
        setattr(ticket_type, key, value)
    if variations is not None:
        await _replace_variations(session, ticket_type, variations)
    return ticket_type


async def _replace_variations(
    session: AsyncSession, ticket_type: TicketType, items: list[dict[str, Any]]
) -> None:
    """Prices already sold keep their history: sold variations are deactivated, not deleted."""
    wanted = _variations(items, ticket_type.category)
    existing = (
        await session.scalars(
            select(TicketVariation).where(TicketVariation.ticket_type_id == ticket_type.id)
        )
    ).all()
    by_name = {v.name: v for v in existing}
    keep = set()
    for v in wanted:
        row = by_name.get(v["name"])
        if row is None:
            session.add(TicketVariation(ticket_type_id=ticket_type.id, **v))
        else:
            row.price, row.quantity_included = v["price"], v["quantity_included"]
            row.display_order, row.active = v["display_order"], True
            keep.add(row.id)
    for row in existing:
        if row.id not in keep:
            row.active = False
    await session.flush()


async def delete_type(session: AsyncSession, ticket_type: TicketType) -> None:
    """A type with sales or holds is deactivated (kept for its orders); otherwise deleted."""
    used = await session.scalar(
        select(OrderLine.id).where(OrderLine.ticket_type_id == ticket_type.id).limit(1)
    )
    if used is not None or await sold_seats(session, ticket_type):
        ticket_type.active = False
        return
    await session.delete(ticket_type)


# ---- coupons ---------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    return code.strip().casefold()


async def create_coupon(session: AsyncSession, event: Event, fields: dict[str, Any]) -> Coupon:
    _check_coupon(fields)
    coupon = Coupon(event_id=event.id, code_normalized=normalize_code(fields["code"]), **fields)
    try:
        async with session.begin_nested():
            session.add(coupon)
    except IntegrityError as exc:
        raise Conflict(
            "This event already has a coupon with that code",
            extra={"errors": [{"field": "code", "message": "Already used"}]},
        ) from exc
    return coupon


def _check_coupon(fields: dict[str, Any]) -> None:
    if fields.get("discount_type") not in ("percentage", "fixed"):
        raise ValidationFailed.field("discount_type", "Must be percentage or fixed")
    value = fields.get("discount_value", 0)
    if value <= 0 or (fields["discount_type"] == "percentage" and value > 10_000):
        raise ValidationFailed.field(
            "discount_value", "1-10000 basis points for a percentage, > 0 for fixed"
        )
    if (
        fields.get("starts_at")
        and fields.get("ends_at")
        and fields["starts_at"] >= fields["ends_at"]
    ):
        raise ValidationFailed.field("ends_at", "Must be after starts_at")


async def update_coupon(coupon: Coupon, changes: dict[str, Any]) -> Coupon:
    merged = {c.key: getattr(coupon, c.key) for c in Coupon.__table__.columns} | changes
    _check_coupon(merged)
    if "code" in changes:
        changes["code_normalized"] = normalize_code(changes["code"])
    for key, value in changes.items():
        setattr(coupon, key, value)
    return coupon


async def find_coupon(session: AsyncSession, event: Event, code: str) -> Coupon:
    """A usable coupon by code, or a 422 naming coupon_code (unknown, inactive, out of dates)."""
    coupon = await session.scalar(
        select(Coupon).where(
            Coupon.event_id == event.id, Coupon.code_normalized == normalize_code(code)
        )
    )
    now = clock.now()
    if coupon is None or not coupon.active:
        raise ValidationFailed.field("coupon_code", "Unknown coupon")
    if coupon.starts_at and now < coupon.starts_at:
        raise ValidationFailed.field("coupon_code", "This coupon is not valid yet")
    if coupon.ends_at and now >= coupon.ends_at:
        raise ValidationFailed.field("coupon_code", "This coupon has expired")
    if coupon.uses_per_coupon is not None and coupon.used >= coupon.uses_per_coupon:
        raise ValidationFailed.field("coupon_code", "This coupon has been used up")
    return coupon


async def get_coupon(session: AsyncSession, event: Event, public_id: uuid.UUID) -> Coupon:
    found = await session.scalar(
        select(Coupon).where(Coupon.event_id == event.id, Coupon.public_id == public_id)
    )
    if found is None:
        raise NotFound("No such coupon")
    return found


# ---- merchandise -----------------------------------------------------------------------------


async def create_product(session: AsyncSession, org_id: int, fields: dict[str, Any]) -> Product:
    _check_product(fields)
    product = Product(org_id=org_id, **fields)
    try:
        async with session.begin_nested():
            session.add(product)
    except IntegrityError as exc:
        raise Conflict(
            "A product with this code exists",
            extra={"errors": [{"field": "code", "message": "Already used"}]},
        ) from exc
    return product


def _check_product(fields: dict[str, Any]) -> None:
    low, high = fields.get("min_per_order", 1), fields.get("max_per_order")
    if high is not None and low > high:
        raise ValidationFailed.field("max_per_order", "Must be at least min_per_order")


async def update_product(product: Product, changes: dict[str, Any]) -> Product:
    merged = {c.key: getattr(product, c.key) for c in Product.__table__.columns} | changes
    _check_product(merged)
    for key, value in changes.items():
        setattr(product, key, value)
    return product


async def get_product(session: AsyncSession, org_id: int, public_id: uuid.UUID) -> Product:
    found = await session.scalar(
        select(Product).where(Product.org_id == org_id, Product.public_id == public_id)
    )
    if found is None:
        raise NotFound("No such product")
    return found
