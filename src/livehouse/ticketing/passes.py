"""Digital passes and check-in.

A pass is a compact JWS (EdDSA/Ed25519) signed with the organisation's pass key, naming the
ticket, event, occurrence and organisation. Door scanners can verify it offline with the public
keys at GET /v1/orgs/{org_id}/pass-keys; check-in online records the first scan and answers every
later one with "already checked in" and when. Ed25519 signatures are deterministic, so a ticket's
pass (and its QR code) is the same every time it is shown.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import jwt
import segno
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, security
from livehouse.core.db import keep
from livehouse.events.models import Event, Occurrence
from livehouse.orgs.models import Organisation
from livehouse.ticketing.models import PassKey, Ticket

ALGORITHM = "EdDSA"


@dataclass(frozen=True, slots=True)
class _Signer:
    kid: str
    encrypted: str
    org_public_id: uuid.UUID


# An organisation's current pass key, per process, by the organisation's public id (internal
# ids of deleted rows can be reused on SQLite; public ids never are). Keys are never deleted;
# a retirement (rotation) is picked up within the cache's lifetime.
_signers: dict[uuid.UUID, tuple[float, _Signer]] = {}
_SIGNER_SECONDS = 60.0


async def _current(session: AsyncSession, org_id: int) -> PassKey | None:
    return await session.scalar(
        select(PassKey)
        .where(PassKey.org_id == org_id, PassKey.retired_at.is_(None))
        .order_by(PassKey.created_at.desc())
        .limit(1)
    )


async def _org_public_id(session: AsyncSession, org_id: int) -> uuid.UUID:
    org = await session.get(Organisation, org_id)  # usually already in the identity map
    assert org is not None
    keep(session, org)
    return org.public_id


async def _signer(session: AsyncSession, org_id: int) -> _Signer:
    org_public = await _org_public_id(session, org_id)
    cached = _signers.get(org_public)
    if cached is not None and time.monotonic() - cached[0] < _SIGNER_SECONDS:
        return cached[1]
    key = await _current(session, org_id)
    assert key is not None, "tickets are issued after ensure_key"
    signer = _Signer(key.kid, key.private_key_encrypted, org_public)
    _signers[org_public] = (time.monotonic(), signer)
    return signer


async def ensure_key(session: AsyncSession, org_id: int) -> PassKey | None:
    """The organisation's signing key, created on first need. Call it on write paths only
    (ticket types created, tickets issued): a read must never have to write."""
    if await _org_public_id(session, org_id) in _signers:  # exists (keys are never deleted)
        return None
    key = await _current(session, org_id)
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    kid = uuid.uuid4().hex
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = PassKey(
        kid=kid, org_id=org_id, private_key_encrypted=security.encrypt(pem), public_jwk=jwk
    )
    session.add(key)
    await session.flush()
    return key


async def public_keys(session: AsyncSession, org_id: int) -> dict[str, Any]:
    keys = (await session.scalars(select(PassKey).where(PassKey.org_id == org_id))).all()
    return {"keys": [k.public_jwk for k in keys]}


async def pass_code(session: AsyncSession, ticket: Ticket) -> str:
    event = await session.get(Event, ticket.event_id)
    occurrence = await session.get(Occurrence, ticket.occurrence_id)
    assert event is not None and occurrence is not None
    signer = await _signer(session, event.org_id)
    claims = {
        "tkt": str(ticket.public_id),
        "evt": str(event.public_id),
        "occ": str(occurrence.public_id),
        "org": str(signer.org_public_id),
        "iat": int(ticket.created_at.timestamp()),
    }
    private = _private_key(signer.kid, signer.encrypted)
    return jwt.encode(claims, private, algorithm=ALGORITHM, headers={"kid": signer.kid})


@lru_cache(maxsize=256)
def _private_key(kid: str, encrypted: str) -> Any:
    """Decrypting and parsing a key costs more than signing with it: keep them, by kid."""
    return serialization.load_pem_private_key(security.decrypt(encrypted).encode(), password=None)


def qr(code: str, kind: str = "svg", scale: int = 5) -> tuple[bytes, str]:
    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind=kind, scale=scale, border=2)
    return out.getvalue(), "image/svg+xml" if kind == "svg" else "image/png"


@dataclass(frozen=True, slots=True)
class CheckIn:
    result: str  # valid | already_checked_in | wrong_event | void | invalid
    ticket: Ticket | None = None
    checked_in_at: datetime | None = None


async def verify(session: AsyncSession, org_id: int, code: str) -> dict[str, Any] | None:
    """The pass's claims if this organisation signed it, else None."""
    try:
        kid = jwt.get_unverified_header(code).get("kid")
    except jwt.PyJWTError:
        return None
    key = await session.scalar(select(PassKey).where(PassKey.kid == kid, PassKey.org_id == org_id))
    if key is None:
        return None
    try:
        public = OKPAlgorithm.from_jwk(json.dumps(key.public_jwk))
        return jwt.decode(
            code,
            public,
            algorithms=[ALGORITHM],  # type: ignore[arg-type]
            options={"verify_iat": False},
        )
    except jwt.PyJWTError:
        return None


async def check_in(
    session: AsyncSession, event: Event, code: str, by_account_id: int | None
) -> CheckIn:
    claims = await verify(session, event.org_id, code.strip())
    if claims is None:
        return CheckIn("invalid")
    if claims.get("evt") != str(event.public_id):
        return CheckIn("wrong_event")
    ticket = await session.scalar(
        select(Ticket).where(
            Ticket.public_id == uuid.UUID(claims["tkt"]), Ticket.event_id == event.id
        )
    )
    if ticket is None:
        return CheckIn("invalid")
    if ticket.status != "valid":
        return CheckIn("void", ticket)
    now = clock.now()
    first = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by_account_id=by_account_id)
    )
    if first.rowcount == 1:  # type: ignore[attr-defined]
        ticket.checked_in_at = now
        return CheckIn("valid", ticket, now)
    await session.refresh(ticket)
    return CheckIn("already_checked_in", ticket, ticket.checked_in_at)
