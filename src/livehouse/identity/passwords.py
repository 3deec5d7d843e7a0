"""Password hashing (argon2id via argon2-cffi) and the password policy.

Hashing is CPU-heavy by design; it runs in a worker thread so the event loop keeps serving.
A hash made with older parameters is upgraded on the next successful login.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from livehouse.core.errors import ValidationFailed
from livehouse.core.settings import get_settings

MAX_LENGTH = 256  # argon2 takes any length; this bounds the work an attacker can ask for


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    s = get_settings()
    return _hasher(s.argon2_time_cost, s.argon2_memory_cost_kib, s.argon2_parallelism)


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(hasher().hash, password)


# Verifying against this when an account does not exist takes as long as a real check,
# so response time does not tell which e-mail addresses have accounts.
_DUMMY: dict[tuple[int, int, int], str] = {}


async def _dummy_hash() -> str:
    s = get_settings()
    key = (s.argon2_time_cost, s.argon2_memory_cost_kib, s.argon2_parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = await hash_password("not-a-real-password-0000")
    return _DUMMY[key]


async def verify_password(password_hash: str | None, password: str) -> bool:
    candidate = password_hash or await _dummy_hash()

    def check() -> bool:
        try:
            return hasher().verify(candidate, password[:MAX_LENGTH])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await to_thread.run_sync(check) and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def _personal_words(values: tuple[str, ...]) -> list[str]:
    """The person's details as zxcvbn dictionary words: each whole, an e-mail's local part, and
    their pieces ("marvellous.maria@x.com" → also "marvellous.maria", "marvellous", "maria")."""
    words: set[str] = set()
    for value in filter(None, (v.strip().lower() for v in values)):
        local = value.split("@", 1)[0]
        words.update({value, local})
        words.update(w for w in re.split(r"[^a-z0-9]+", local) if len(w) >= 3)
    return sorted(words)


def check_policy(password: str, *, field: str = "password", personal: tuple[str, ...] = ()) -> None:
    """Refuse short, overlong and guessable passwords (zxcvbn, with the person's own details
    as known words). Raises a 422 naming `field`."""
    settings = get_settings()
    if len(password) < settings.password_min_length:
        raise ValidationFailed.field(
            field, f"Must be at least {settings.password_min_length} characters"
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed.field(field, f"Must be at most {MAX_LENGTH} characters")
    result = zxcvbn(password[:100], user_inputs=_personal_words(personal))
    if result["score"] < settings.password_min_strength:
        hint = (result.get("feedback") or {}).get("warning") or "Too easy to guess"
        raise ValidationFailed.field(field, f"Too weak: {hint.rstrip('.')}. Use a longer phrase")
