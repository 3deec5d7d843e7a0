"""Public ids: time-ordered UUIDv7 (the native API never shows internal integer keys)."""

from __future__ import annotations

import uuid

import uuid_utils


def new_public_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


def parse_public_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None
