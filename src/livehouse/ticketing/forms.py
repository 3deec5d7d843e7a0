"""Order forms (EventBookings `order_form`): an event's questions for its buyers, and the
checking of their answers at checkout.

A field is asked of the buyer once (`source: buyer`) or of each attendee (`attendee`); it may
apply only to some ticket types (then: the buyer when the basket holds one of them; the
attendees holding one). Types and their answers:

    text      a string (min_length / max_length, counted after trimming)
    number    a JSON number
    date      "YYYY-MM-DD"
    select    one of `options`
    checkbox  without options: true/false (mandatory = must be ticked, e.g. terms);
              with options: a list of some of them (mandatory = at least one)

`check_answers` (called by `orders.checkout`) refuses unknown fields, missing mandatory ones
and wrong values, all at once, each error naming `answers.<name>` or
`attendees.<i>.answers.<name>`; attendee i is the i-th place of the hold (its tickets are
issued in that order). Mandatory attendee questions need an attendee entry for every place.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from livehouse.events.models import Event
from livehouse.ticketing import salecache
from livehouse.ticketing.models import Hold, OrderFormField, TicketType

TYPES = ("text", "number", "date", "select", "checkbox")
SOURCES = ("buyer", "attendee")
TEXT_LIMIT = 2000  # longest text answer, whatever a field allows


async def fields_of(session: AsyncSession, event_id: int) -> list[OrderFormField]:
    return list(
        (
            await session.scalars(
                select(OrderFormField)
                .where(OrderFormField.event_id == event_id)
                .order_by(OrderFormField.display_order, OrderFormField.id)
            )
        ).all()
    )


async def get(session: AsyncSession, event: Event, public_id: uuid.UUID) -> OrderFormField:
    found = await session.scalar(
        select(OrderFormField).where(
            OrderFormField.event_id == event.id, OrderFormField.public_id == public_id
        )
    )
    if found is None:
        raise NotFound("No such order form field")
    return found


def _check_definition(values: dict[str, Any]) -> None:
    kind, options = values["type"], values.get("options") or []
    if kind == "select" and not options:
        raise ValidationFailed.field("options", "A select field needs options")
    if kind not in ("select", "checkbox") and options:
        raise ValidationFailed.field("options", "Only select and checkbox fields have options")
    if len(set(options)) != len(options) or any(not o for o in options):
        raise ValidationFailed.field("options", "Options must be distinct and not empty")
    low, high = values.get("min_length"), values.get("max_length")
    if (low is not None or high is not None) and kind != "text":
        raise ValidationFailed.field("min_length", "Lengths apply to text fields")
    if low is not None and high is not None and low > high:
        raise ValidationFailed.field("max_length", "Must be at least min_length")


async def _type_ids(session: AsyncSession, event: Event, public_ids: list[uuid.UUID]) -> list[int]:
    rows = (
        await session.scalars(
            select(TicketType).where(
                TicketType.event_id == event.id, TicketType.public_id.in_(public_ids or [])
            )
        )
    ).all()
    if len(rows) != len(set(public_ids)):
        raise ValidationFailed.field("ticket_type_ids", "Not all of these are this event's")
    return sorted(t.id for t in rows)


async def create(session: AsyncSession, event: Event, values: dict[str, Any]) -> OrderFormField:
    _check_definition(values)
    values["ticket_type_ids"] = await _type_ids(session, event, values.get("ticket_type_ids") or [])
    field = OrderFormField(event_id=event.id, **values)
    await _save(session, field)
    return field


async def update(
    session: AsyncSession, event: Event, field: OrderFormField, changes: dict[str, Any]
) -> OrderFormField:
    for key in ("name", "label", "type", "source", "mandatory", "display_order"):
        if key in changes and changes[key] is None:
            raise ValidationFailed.field(key, "Cannot be null")
    merged = {c.key: getattr(field, c.key) for c in OrderFormField.__table__.columns} | changes
    merged["options"] = merged["options"] or []
    _check_definition(merged)
    if "ticket_type_ids" in changes:
        changes["ticket_type_ids"] = await _type_ids(
            session, event, changes["ticket_type_ids"] or []
        )
    changes["options"] = merged["options"]
    await _save(session, field, changes)
    return field


async def _save(
    session: AsyncSession, field: OrderFormField, changes: dict[str, Any] | None = None
) -> None:
    """Add `field` or apply `changes` to it in a savepoint: a duplicate name is a 409."""
    try:
        async with session.begin_nested():
            session.add(field)
            for key, value in (changes or {}).items():
                setattr(field, key, value)
    except IntegrityError as exc:
        raise Conflict(
            "This event's order form already has a field with that name",
            extra={"errors": [{"field": "name", "message": "Already used"}]},
        ) from exc


async def delete(session: AsyncSession, field: OrderFormField) -> None:
    await session.delete(field)  # answers already given stay on their orders


async def public_type_ids(
    session: AsyncSession, fields: Sequence[OrderFormField]
) -> dict[int, Any]:
    ids = {i for f in fields for i in f.ticket_type_ids}
    rows = await session.execute(
        select(TicketType.id, TicketType.public_id).where(TicketType.id.in_(ids or [-1]))
    )
    return dict(rows.all())


# ---- answers ---------------------------------------------------------------------------------


def _applies(field: OrderFormField, types: set[int]) -> bool:
    return not field.ticket_type_ids or bool(types & set(field.ticket_type_ids))


def _missing(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _value(field: OrderFormField, value: Any) -> tuple[Any, str | None]:
    """(clean value, None) or (None, what is wrong)."""
    kind = field.type
    if kind == "text":
        if not isinstance(value, str):
            return None, "Must be text"
        value = value.strip()
        if len(value) > min(field.max_length or TEXT_LIMIT, TEXT_LIMIT):
            return None, f"At most {min(field.max_length or TEXT_LIMIT, TEXT_LIMIT)} characters"
        if field.min_length and len(value) < field.min_length:
            return None, f"At least {field.min_length} characters"
        return value, None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "Must be a number"
        return value, None
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat(), None  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None, "Must be a date (YYYY-MM-DD)"
    if kind == "select":
        if value not in field.options:
            return None, f"Must be one of: {', '.join(field.options)}"
        return value, None
    if not field.options:  # a single checkbox
        if not isinstance(value, bool):
            return None, "Must be true or false"
        if field.mandatory and not value:
            return None, "Must be ticked"
        return value, None
    if not isinstance(value, list) or any(v not in field.options for v in value):
        return None, f"Must be a list of some of: {', '.join(field.options)}"
    return sorted(set(value), key=field.options.index), None


def _check_set(
    fields: dict[str, OrderFormField],
    answers: dict[str, Any],
    prefix: str,
    errors: list[FieldError],
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in answers:
        if name not in fields:
            errors.append(FieldError(f"{prefix}.{name}", "Unknown field"))
    for name, field in fields.items():
        value = answers.get(name)
        if _missing(value):
            if field.mandatory:
                errors.append(FieldError(f"{prefix}.{name}", "This field is required"))
            continue
        cleaned, problem = _value(field, value)
        if problem:
            errors.append(FieldError(f"{prefix}.{name}", problem))
        else:
            clean[name] = cleaned
    return clean


def _places(hold: Hold) -> list[int]:
    """The ticket type of each place of the hold, in the order tickets are issued."""
    return [
        line["ticket_type_id"]
        for line in hold.lines
        if line["kind"] in ("ticket", "donation")
        for _ in range(line["seats"])
    ]


async def check_answers(
    session: AsyncSession,
    hold: Hold,
    answers: dict[str, Any],
    attendees: list[dict[str, Any]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The buyer's and attendees' answers, checked and cleaned — or one 422 listing every
    problem."""
    fields = await salecache.cached(
        session, hold.event_id, "form", lambda: fields_of(session, hold.event_id)
    )
    places = _places(hold)
    errors: list[FieldError] = []
    buyer = {f.name: f for f in fields if f.source == "buyer" and _applies(f, set(places))}
    clean_answers = _check_set(buyer, answers, "answers", errors)
    per_attendee = [f for f in fields if f.source == "attendee"]
    asked = [
        i
        for i, t in enumerate(places)
        if any(f.mandatory and _applies(f, {t}) for f in per_attendee)
    ]
    if asked and len(attendees) <= asked[-1]:
        errors.append(
            FieldError("attendees", f"Give the details of the first {asked[-1] + 1} attendees")
        )
    clean_attendees = []
    for i, who in enumerate(attendees):
        types = {places[i]} if i < len(places) else set()
        own = {f.name: f for f in per_attendee if _applies(f, types)}
        given = who.get("answers") or {}
        clean_attendees.append(
            {**who, "answers": _check_set(own, given, f"attendees.{i}.answers", errors)}
        )
    if errors:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        raise ValidationFailed(summary, errors=errors)
    return clean_answers, clean_attendees
