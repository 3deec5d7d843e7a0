"""Keyset (cursor) pagination: `?limit=&cursor=` in, `next_cursor` out.

The cursor holds the sort values of the last row returned, so a page is "rows after this one" —
rows inserted meanwhile never shift a page and nothing is seen twice or skipped. Every ordering
must end in a unique column (the integer key) so the order is total.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from livehouse.core.errors import ValidationFailed

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page")
    ] = None,
) -> PageParams:
    return PageParams(limit, cursor)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class OrderKey:
    column: InstrumentedAttribute[Any]
    descending: bool = False


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode_value(raw: Any, column: InstrumentedAttribute[Any]) -> Any:
    column_type = getattr(column.type, "impl", column.type)  # see through TypeDecorators
    python_type = column_type.python_type
    if raw is None:
        return None
    if python_type is datetime:
        return datetime.fromisoformat(raw)
    if python_type is uuid.UUID:
        return uuid.UUID(raw)
    if python_type in (int, str, float, bool) and not isinstance(raw, python_type):
        raise TypeError("cursor value has the wrong type")
    return raw


def encode_cursor(values: Sequence[Any]) -> str:
    raw = orjson.dumps([_encode_value(v) for v in values])
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, order: Sequence[OrderKey]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(order):
            raise ValueError("wrong shape")
        return [_decode_value(v, key.column) for v, key in zip(values, order, strict=True)]
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise ValidationFailed.field("cursor", "Not a cursor returned by this list") from exc


def _after(order: Sequence[OrderKey], values: Sequence[Any]) -> Any:
    """Rows strictly after `values` in `order`: (a > x) OR (a = x AND b > y) OR …"""
    clauses = []
    for i, key in enumerate(order):
        equal_prefix = [order[j].column == values[j] for j in range(i)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        clauses.append(and_(*equal_prefix, beyond))
    return or_(*clauses)


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    order: Sequence[OrderKey],
    params: PageParams,
) -> tuple[list[Any], str | None]:
    """Run `statement` (selecting one ORM entity) one page at a time.

    Returns the page's rows and the cursor of the next page (None on the last page).
    """
    if params.cursor:
        statement = statement.where(_after(order, decode_cursor(params.cursor, order)))
    statement = statement.order_by(
        *[key.column.desc() if key.descending else key.column.asc() for key in order]
    ).limit(params.limit + 1)
    rows = list((await session.scalars(statement)).all())
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, key.column.key) for key in order])
