"""Security primitives: keyed hashes for high-entropy secrets, encryption at rest, random
tokens and codes, constant-time comparison.

- Passwords (low entropy, chosen by people) are hashed with argon2id by identity — not here.
- Tokens we generate (refresh tokens, API keys, client secrets, reset links, OTPs) are stored as
  HMAC-SHA256 under a key derived from LIVEHOUSE_SECRET_KEY: a stolen table is useless without the
  key, and lookups stay indexed.
- Data we must read back (payout details, signing keys, webhook secrets) is encrypted with Fernet
  (AES-128-CBC + HMAC) under a derived key; older secret keys listed in
  LIVEHOUSE_SECRET_KEY_FALLBACKS still decrypt, so the key can be rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from livehouse.core.settings import get_settings

__all__ = ["InvalidToken", "constant_time_equals", "decrypt", "encrypt", "keyed_hash"]


def _derive(secret: str, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"livehouse", info=purpose.encode()
    ).derive(secret.encode())


@lru_cache(maxsize=64)
def _key(secret: str, purpose: str) -> bytes:
    return _derive(secret, purpose)


def _secret() -> str:
    return get_settings().resolved_secret_key()


def keyed_hash(value: str, purpose: str = "token") -> str:
    """HMAC-SHA256 of a high-entropy secret, hex: deterministic, so usable as a lookup key."""
    return hmac.new(_key(_secret(), f"hash:{purpose}"), value.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _fernet(secret: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    keys = [secret, *fallbacks]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(key, "encrypt"))) for key in keys])


def _cipher() -> MultiFernet:
    settings = get_settings()
    return _fernet(settings.resolved_secret_key(), tuple(settings.secret_key_fallbacks))


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Raises InvalidToken if the data was not encrypted under a current or fallback key."""
    return _cipher().decrypt(ciphertext.encode()).decode()


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    left = a.encode() if isinstance(a, str) else a
    right = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(left, right)


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def random_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"
