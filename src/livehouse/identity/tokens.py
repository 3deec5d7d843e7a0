"""Access tokens: short-lived JWTs (RFC 9068 profile) signed RS256 with a key named by `kid`.

Private keys live encrypted in `signing_keys`; every node loads them into memory. Anyone can
verify a token with the public keys at /.well-known/jwks.json. A retired key stays published for
as long as tokens it signed may live.

Claims: iss, aud ("livehouse"), sub (account public id, or "client:<client_id>" for an app acting
as itself), exp, iat, nbf, jti, scope (space-separated), client_id, org (organisation public id),
kind (user|client), act ({"sub": …} when an admin acts as someone else).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from cachetools import TLRUCache
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, security
from livehouse.core.settings import get_settings
from livehouse.identity.models import SigningKey

ALGORITHM = "RS256"
AUDIENCE = "livehouse"
RELOAD_INTERVAL = 5.0  # seconds between reloads triggered by unknown kids
LEEWAY = 5  # seconds of clock skew allowed on exp/nbf/iat


@dataclass(slots=True)
class LoadedKey:
    kid: str
    encrypted_private: str
    public_key: Any
    public_jwk: dict[str, Any]
    retired: bool
    _private: Any = None

    @property
    def private_key(self) -> Any:
        """Decrypted and parsed on first signing only: verifying needs just the public half."""
        if self._private is None:
            self._private = serialization.load_pem_private_key(
                security.decrypt(self.encrypted_private).encode(), password=None
            )
        return self._private


class KeyRing:
    """The signing keys in memory. Reloaded when a token names a kid we have not seen (another
    node rotated), at most every RELOAD_INTERVAL seconds so forged kids cannot flood the DB."""

    def __init__(self) -> None:
        self.keys: dict[str, LoadedKey] = {}
        self.active: LoadedKey | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    def clear(self) -> None:
        self.keys, self.active, self._loaded_at = {}, None, 0.0

    async def load(self, session: AsyncSession) -> None:
        rows = (await session.scalars(select(SigningKey).order_by(SigningKey.created_at))).all()
        keys: dict[str, LoadedKey] = {}
        active: LoadedKey | None = None
        previous = self.keys
        for row in rows:
            if row.kid in previous:  # keep what we parsed (and maybe decrypted) already
                loaded = previous[row.kid]
                loaded.retired = row.retired_at is not None
            else:
                loaded = LoadedKey(
                    row.kid,
                    row.private_key_encrypted,
                    RSAAlgorithm.from_jwk(json.dumps(row.public_jwk)),
                    row.public_jwk,
                    row.retired_at is not None,
                )
            keys[row.kid] = loaded
            if not loaded.retired:
                active = loaded
        self.keys, self.active, self._loaded_at = keys, active, time.monotonic()

    async def ensure_active(self, session: AsyncSession) -> LoadedKey:
        if self.active is not None:
            return self.active
        async with self._lock:
            if self.active is None:
                await self.load(session)
            if self.active is None:
                await create_key(session)
                await session.flush()
                await self.load(session)
        assert self.active is not None
        return self.active

    async def find(self, session: AsyncSession | None, kid: str) -> LoadedKey | None:
        if kid in self.keys:
            return self.keys[kid]
        if session is None or time.monotonic() - self._loaded_at < RELOAD_INTERVAL:
            return None
        async with self._lock:
            # Many requests may have queued here for the same new kid: one load serves them all.
            if kid not in self.keys and time.monotonic() - self._loaded_at >= RELOAD_INTERVAL:
                await self.load(session)
        return self.keys.get(kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk for k in self.keys.values()]}


keyring = KeyRing()


async def create_key(session: AsyncSession) -> SigningKey:
    """Generate a new RSA key; it becomes the active one (earlier ones are retired)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    now = clock.now()
    for older in (
        await session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None)))
    ).all():
        older.retired_at = now
    row = SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        private_key_encrypted=security.encrypt(pem),
        public_jwk=jwk,
        created_at=now,
    )
    session.add(row)
    return row


def issuer() -> str:
    return get_settings().base_url.rstrip("/")


async def issue_access_token(
    session: AsyncSession,
    *,
    subject: str,
    kind: str,
    scopes: list[str],
    client_id: str | None = None,
    org: str | None = None,
    actor: str | None = None,
    ttl: int | None = None,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    key = await keyring.ensure_active(session)
    lifetime = ttl or get_settings().access_token_ttl_seconds
    now = clock.now()
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": AUDIENCE,
        "sub": subject,
        "kind": kind,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime)).timestamp()),
        "jti": uuid.uuid4().hex,
        "scope": " ".join(sorted(scopes)),
    }
    if client_id:
        claims["client_id"] = client_id
    if org:
        claims["org"] = org
    if actor:
        claims["act"] = {"sub": actor}
    token = jwt.encode(
        claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"}
    )
    return token, lifetime


class InvalidAccessToken(Exception):
    pass


# Tokens already verified, by their text, until they expire. A client presents the same token on
# every request of its life, and parsing it and checking its RS256 signature again was the
# largest part of authenticating a request. Only fully verified claims are kept, and keys are
# never dropped from the ring (only retired), so a signature that verified stays verified.
# Revocation (sessions ended, account deactivated) is the caller's database check, every time.
# Expiry is wall-clock time, as PyJWT checks it (not core.clock, which tests move for events).
def _wall() -> float:
    return time.time()


_verified: TLRUCache[tuple[str, str], dict[str, Any]] = TLRUCache(
    maxsize=10_000, ttu=lambda _key, claims, _now: claims["exp"] + LEEWAY, timer=lambda: _wall()
)


async def decode_access_token(token: str, session: AsyncSession | None = None) -> dict[str, Any]:
    """Verify signature, issuer, audience and times; raises InvalidAccessToken."""
    key = (issuer(), token)
    claims = _verified.get(key)
    if claims is None:
        claims = await _verify(token, session)
        _verified[key] = claims
    if claims["exp"] + LEEWAY <= _wall():  # the cache's own expiry is not the only guard
        raise InvalidAccessToken("the token has expired")
    return dict(claims)


async def _verify(token: str, session: AsyncSession | None) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken("malformed token") from exc
    if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
        raise InvalidAccessToken("unexpected token algorithm")
    key = await keyring.find(session, header["kid"])
    if key is None:
        raise InvalidAccessToken("unknown signing key")
    try:
        return jwt.decode(
            token,
            key.public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer(),
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            leeway=LEEWAY,
        )
    except jwt.PyJWTError as exc:
        raise InvalidAccessToken(str(exc)) from exc
