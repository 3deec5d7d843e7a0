"""Custom registration fields: the questions an organisation asks at sign-up, and the checks on
the answers (`check_answers`, `check_age`), which `service.register_customer` runs.

A field's `name` is the key of its answer in `Customer.fields` and never changes (renaming would
orphan the answers given so far). Changing a field's type or options affects new answers only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from livehouse.core.validators import normalize_email, normalize_phone
from livehouse.identity.models import Account
from livehouse.identity.service import age_on
from livehouse.orgs.models import Organisation, RegistrationField

TYPES = ("text", "number", "date", "select", "checkbox", "email", "phone")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_FIELDS = 50
MAX_TEXT = 1000


def clean_answer(kind: str, options: Sequence[dict[str, str]], value: Any) -> Any:
    """One answer in its stored form; ValueError with a message for people if it is wrong."""
    if kind == "checkbox":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")  # form posts send strings
        raise ValueError("Must be true or false")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"Must be a {kind}")
    if kind == "number":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError("Must be a number") from exc
        if not number.is_finite():
            raise ValueError("Must be a number")
        return int(number) if number == number.to_integral_value() else float(number)
    text = str(value).strip()
    if kind == "text":
        if len(text) > MAX_TEXT:
            raise ValueError(f"At most {MAX_TEXT} characters")
        return text
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise ValueError("Must be a date (YYYY-MM-DD)") from exc
    if kind == "select":
        allowed = [o["value"] for o in options]
        if text not in allowed:
            raise ValueError(f"Must be one of {', '.join(allowed)}")
        return text
    if kind == "email":
        return normalize_email(text)
    if kind == "phone":
        return normalize_phone(text)
    raise ValueError(f"Unknown field type {kind}")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


async def fields_of(session: AsyncSession, org_id: int) -> Sequence[RegistrationField]:
    return (
        await session.scalars(
            select(RegistrationField)
            .where(RegistrationField.org_id == org_id)
            .order_by(RegistrationField.position, RegistrationField.id)
        )
    ).all()


async def check_answers(
    session: AsyncSession, org_id: int, answers: dict[str, Any], *, complete: bool
) -> dict[str, Any]:
    """The answers in stored form. Unknown names and wrong values are refused; with `complete`
    (a sign-up) every required field must be answered (a required checkbox must be ticked).
    All problems are reported at once, each as `fields.<name>`."""
    defined = {f.name: f for f in await fields_of(session, org_id)}
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for name, value in answers.items():
        field = defined.get(name)
        if field is None:
            errors.append(FieldError(f"fields.{name}", "Unknown field"))
        elif not _blank(value):
            try:
                cleaned[name] = clean_answer(field.type, field.options, value)
            except ValueError as exc:
                errors.append(FieldError(f"fields.{name}", str(exc)))
    if complete:
        for name, field in defined.items():
            answered = name in cleaned and not (field.type == "checkbox" and not cleaned[name])
            reported = any(e.field == f"fields.{name}" for e in errors)
            if field.required and not answered and not reported:
                tick = field.type == "checkbox"
                errors.append(
                    FieldError(
                        f"fields.{name}", "Must be checked" if tick else "This field is required"
                    )
                )
    if errors:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        raise ValidationFailed(summary, errors=errors)
    return cleaned


async def check_age(session: AsyncSession, org_id: int, account_id: int) -> None:
    """The organisation's age verification: a date of birth, and old enough today."""
    minimum = await session.scalar(
        select(Organisation.age_verification_min_age).where(Organisation.id == org_id)
    )
    if not minimum:
        return
    born = await session.scalar(select(Account.date_of_birth).where(Account.id == account_id))
    if born is None:
        raise ValidationFailed.field(
            "date_of_birth", f"Required: this organisation only admits people aged {minimum}+"
        )
    if age_on(born, clock.now().date()) < minimum:
        raise ValidationFailed.field(
            "date_of_birth", f"You must be at least {minimum} to register here"
        )


# ---- managing the fields -----------------------------------------------------------------------


def _check_definition(field: RegistrationField) -> None:
    if field.type not in TYPES:
        raise ValidationFailed.field("type", f"Must be one of {', '.join(TYPES)}")
    values = [o["value"] for o in field.options]
    if field.type == "select" and not values:
        raise ValidationFailed.field("options", "A select field needs at least one option")
    if field.type != "select" and values:
        raise ValidationFailed.field("options", "Only select fields have options")
    if len(values) != len(set(values)):
        raise ValidationFailed.field("options", "Option values must be unique")
    if field.default_value not in (None, ""):
        try:
            clean_answer(field.type, field.options, field.default_value)
        except ValueError as exc:
            raise ValidationFailed.field("default_value", str(exc)) from exc


async def create_field(
    session: AsyncSession, org_id: int, values: dict[str, Any]
) -> RegistrationField:
    if not NAME.match(values["name"]):
        raise ValidationFailed.field(
            "name", "Use 1-50 lowercase letters, digits and '_', starting with a letter"
        )
    count = await session.scalar(
        select(func.count())
        .select_from(RegistrationField)
        .where(RegistrationField.org_id == org_id)
    )
    if (count or 0) >= MAX_FIELDS:
        raise Conflict(f"An organisation may have at most {MAX_FIELDS} registration fields")
    field = RegistrationField(org_id=org_id, **values)
    _check_definition(field)
    try:
        async with session.begin_nested():
            session.add(field)
    except IntegrityError as exc:
        raise Conflict(
            "A registration field with this name exists",
            extra={"errors": [{"field": "name", "message": "Already taken"}]},
        ) from exc
    return field


async def get_field(session: AsyncSession, org_id: int, public_id: uuid.UUID) -> RegistrationField:
    field = await session.scalar(
        select(RegistrationField).where(
            RegistrationField.org_id == org_id, RegistrationField.public_id == public_id
        )
    )
    if field is None:
        raise NotFound("No such registration field")
    return field


async def update_field(field: RegistrationField, changes: dict[str, Any]) -> RegistrationField:
    for name in ("label", "type", "required", "options", "position"):
        if name in changes and changes[name] is None:
            raise ValidationFailed.field(name, "Cannot be empty")
    for name, value in changes.items():
        setattr(field, name, value)
    _check_definition(field)
    return field
