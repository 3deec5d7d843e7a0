"""`Idempotency-Key` records: claim a key, then complete it in the request's own transaction.

Life of a key (scoped to the principal that sent it, kept `idempotency_ttl_seconds`):
  claim     — inserted as `in_flight` with a lock token and a lease, in its own short transaction,
              so a concurrent duplicate sees it at once and gets 409.
  complete  — for a successful request, written in the *same* transaction as the business change:
              either both are durable or neither is, so a retry never runs the change twice.
              Client errors (4xx) are recorded too (in a separate transaction, since nothing else
              was written) and replayed like successes.
  release   — server errors and 429s delete the claim: nothing happened, the client may retry.
A claim whose lease ran out (its process died) may be taken over; completion is conditional on the
lock token, so a straggler that finishes late cannot overwrite the new owner's record.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import Database, unit_of_work
from livehouse.core.models import IdempotencyRecord

HEADER = "idempotency-key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, like Stripe's keys
# Response headers worth replaying; the rest (date, server, request id) belong to each answer.
REPLAYED_HEADERS = frozenset({"content-type", "location", "etag", "link", "cache-control"})

Scope = dict[str, object]
PrincipalResolver = Callable[[Scope], Awaitable[str]]


async def _default_principal(scope: Scope) -> str:
    """Until an auth capability registers a better resolver: whoever holds these credentials."""
    headers = dict(scope.get("headers", []))  # type: ignore[arg-type]
    credential = headers.get(b"authorization") or headers.get(b"x-api-key")
    if not credential:
        return "anonymous"
    return "cred:" + hashlib.sha256(credential).hexdigest()[:40]


_principal_resolver: PrincipalResolver = _default_principal


def set_principal_resolver(resolver: PrincipalResolver) -> None:
    """Auth registers how a request maps to a stable principal (e.g. the account, not the
    token, so a retry after a token refresh still finds its key)."""
    global _principal_resolver
    _principal_resolver = resolver


async def resolve_principal(scope: Scope) -> str:
    return await _principal_resolver(scope)


def fingerprint(method: str, path: str, query: bytes, body_sha256: str) -> str:
    material = f"{method}\n{path}\n{query.decode('latin-1')}\n{body_sha256}"
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(slots=True)
class Claim:
    outcome: Literal["new", "replay", "in_flight"]
    record_id: int | None = None
    lock_token: str | None = None
    record: IdempotencyRecord | None = None


class IdempotencyStore:
    def __init__(self, database: Database, ttl_seconds: int, lease_seconds: int) -> None:
        self.database = database
        self.ttl = timedelta(seconds=ttl_seconds)
        self.lease = timedelta(seconds=lease_seconds)

    async def _find(self, principal: str, key: str) -> IdempotencyRecord | None:
        # Read-only first: on SQLite a duplicate must not queue behind the writer it duplicates.
        async with unit_of_work(self.database, write=False) as session:
            return await session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
                )
            )

    async def claim(self, principal: str, key: str, method: str, path: str) -> Claim:
        token = secrets.token_hex(16)
        for _ in range(3):  # a concurrent insert or expiry can race us; look again
            now = clock.now()
            existing = await self._find(principal, key)
            if existing is not None and existing.expires_at > now:
                if existing.state == "completed":
                    return Claim("replay", existing.id, record=existing)
                if existing.locked_until and existing.locked_until > now:
                    return Claim("in_flight", existing.id)
            async with unit_of_work(self.database) as session:
                if existing is None:
                    try:
                        async with session.begin_nested():
                            record = IdempotencyRecord(
                                principal=principal,
                                key=key,
                                method=method,
                                path=path,
                                state="in_flight",
                                lock_token=token,
                                locked_until=now + self.lease,
                                expires_at=now + self.ttl,
                            )
                            session.add(record)
                    except IntegrityError:
                        continue
                    return Claim("new", record.id, token)
                if existing.expires_at <= now:
                    await session.execute(
                        delete(IdempotencyRecord).where(
                            IdempotencyRecord.id == existing.id,
                            IdempotencyRecord.expires_at <= now,
                        )
                    )
                    continue
                # The owner's lease ran out without completing: its transaction never committed.
                taken = await session.execute(
                    update(IdempotencyRecord)
                    .where(
                        IdempotencyRecord.id == existing.id,
                        IdempotencyRecord.state == "in_flight",
                        IdempotencyRecord.lock_token == existing.lock_token,
                    )
                    .values(
                        lock_token=token, locked_until=now + self.lease, method=method, path=path
                    )
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    return Claim("new", existing.id, token)
        return Claim("in_flight")

    @staticmethod
    async def complete_in(
        session: AsyncSession,
        claim: Claim,
        request_fingerprint: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> bool:
        """Record the response inside `session`'s transaction; False if the claim was lost."""
        kept = [
            [name.decode("latin-1"), value.decode("latin-1")]
            for name, value in headers
            if name.decode("latin-1").lower() in REPLAYED_HEADERS
        ]
        result = await session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == claim.record_id,
                IdempotencyRecord.lock_token == claim.lock_token,
            )
            .values(
                state="completed",
                fingerprint=request_fingerprint,
                response_status=status,
                response_headers=kept,
                response_body=body,
                lock_token=None,
                locked_until=None,
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def complete(self, claim: Claim, *args: object) -> bool:
        async with unit_of_work(self.database) as session:
            return await self.complete_in(session, claim, *args)  # type: ignore[arg-type]

    async def release(self, claim: Claim) -> None:
        async with unit_of_work(self.database) as session:
            await session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.id == claim.record_id,
                    IdempotencyRecord.lock_token == claim.lock_token,
                )
            )

    async def purge_expired(self) -> int:
        async with unit_of_work(self.database) as session:
            result = await session.execute(
                delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= clock.now())
            )
            return int(result.rowcount)  # type: ignore[attr-defined]
