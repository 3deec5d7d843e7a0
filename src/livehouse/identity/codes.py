"""One-time secrets sent to people: 6-digit codes (typed) and link tokens (clicked).

Every flow that proves control of an address (verification, e-mail/phone change, password reset)
goes through here, so the rules are the same everywhere:
- stored only as keyed hashes; a new secret for the same purpose replaces the earlier one;
- single use, expiring (`otp_ttl_seconds`, or the caller's ttl for links);
- at most `otp_max_attempts` wrong tries per code, then it is burnt;
- brute-force limited per subject and per client IP (`SecretGuard`): 429 with Retry-After;
- a spent attempt is kept although the request fails (`commit_even_if_rejected`), so redeem
  before writing anything else in the request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.db import commit_even_if_rejected
from livehouse.core.errors import ValidationFailed
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash, random_code, random_token
from livehouse.identity.models import OneTimeCode

VERIFY_EMAIL = "verify_email"
CHANGE_EMAIL = "change_email"
CHANGE_PHONE = "change_phone"
RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a secret)

CODE, LINK = "code", "link"
_NO_MATCH = keyed_hash("no code issued", "otp:none")  # compared against when there is no row


def _stored_purpose(purpose: str, kind: str) -> str:
    # Codes and links of one purpose live side by side (one e-mail may carry both).
    return purpose if kind == CODE else f"{purpose}:link"


def _hash(secret: str, purpose: str, kind: str) -> str:
    return keyed_hash(secret.strip(), f"otp:{_stored_purpose(purpose, kind)}")


def guard() -> SecretGuard:
    runtime = current()
    return SecretGuard(
        runtime.limiter,
        "otp",
        runtime.settings.secret_rate_per_account,
        runtime.settings.secret_rate_per_ip,
    )


async def limit_sending(subject: str) -> None:
    """Refuse (429) once `subject` has been sent `otp_send_rate` codes: e-mail and SMS cost
    money and annoy people."""
    runtime = current()
    await runtime.limiter.hit(
        runtime.settings.otp_send_rate,
        "otp-send",
        subject,
        detail="Too many codes requested; wait before asking for another",
    )


async def issue(
    session: AsyncSession,
    account_id: int,
    purpose: str,
    *,
    kind: str = CODE,
    target: str | None = None,
    ttl_seconds: int | None = None,
) -> str:
    """A new secret for `purpose`; earlier unused ones of the same kind stop working."""
    now = clock.now()
    stored = _stored_purpose(purpose, kind)
    await retire(session, account_id, purpose, kinds=(kind,))
    while True:
        secret = random_code(6) if kind == CODE else random_token(32)
        digest = _hash(secret, purpose, kind)
        # Active codes are unique per purpose, so a code alone can name its account
        # (a seed API resets passwords with the code only).
        clash = await session.scalar(
            select(OneTimeCode.id).where(
                OneTimeCode.code_hash == digest,
                OneTimeCode.purpose == stored,
                OneTimeCode.consumed_at.is_(None),
                OneTimeCode.expires_at > now,
            )
        )
        if clash is None:
            break
    ttl = ttl_seconds or current().settings.otp_ttl_seconds
    session.add(
        OneTimeCode(
            account_id=account_id,
            purpose=stored,
            target=target,
            code_hash=digest,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    return secret


async def retire(
    session: AsyncSession, account_id: int, purpose: str, kinds: tuple[str, ...] = (CODE, LINK)
) -> None:
    """End every unused secret of `purpose` (after success, or when a new one replaces it)."""
    await session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.account_id == account_id,
            OneTimeCode.purpose.in_([_stored_purpose(purpose, k) for k in kinds]),
            OneTimeCode.consumed_at.is_(None),
        )
        .values(consumed_at=clock.now())
    )


def _same_target(row: OneTimeCode, target: str | None) -> bool:
    if target is None:
        return True
    return constant_time_equals((row.target or "").casefold(), target.casefold())


async def _refuse(
    session: AsyncSession, guard_: SecretGuard, subject: str, field: str, message: str
) -> NoReturn:
    commit_even_if_rejected(session)  # the spent attempt must stick
    await guard_.failed(subject)
    raise ValidationFailed.field(field, message)


async def redeem_code(
    session: AsyncSession,
    purpose: str,
    code: str,
    *,
    account_id: int | None,
    subject: str,
    ip: str,
    target: str | None = None,
    field: str = "code",
) -> OneTimeCode:
    """Spend the account's current code for `purpose`. `account_id=None` (an e-mail that names
    no account) fails exactly like a wrong code. `target` must match what the code was sent
    for (the new e-mail or phone)."""
    g = guard()
    await g.before(subject, ip)
    now = clock.now()
    row = None
    if account_id is not None:
        row = await session.scalar(
            select(OneTimeCode)
            .where(
                OneTimeCode.account_id == account_id,
                OneTimeCode.purpose == _stored_purpose(purpose, CODE),
                OneTimeCode.consumed_at.is_(None),
            )
            .order_by(OneTimeCode.id.desc())
            .limit(1)
        )
    matches = constant_time_equals(row.code_hash if row else _NO_MATCH, _hash(code, purpose, CODE))
    if row is None or not matches or not _same_target(row, target):
        if row is not None:
            row.attempts += 1
            if row.attempts >= current().settings.otp_max_attempts:
                row.consumed_at = now  # burnt: ask for a new one
        await _refuse(session, g, subject, field, "This code is wrong or was already used")
    if row.expires_at <= now:
        raise ValidationFailed.field(field, "This code has expired; ask for a new one")
    row.consumed_at = now
    return row


async def redeem_code_alone(
    session: AsyncSession, purpose: str, code: str, *, ip: str, field: str = "code"
) -> OneTimeCode:
    """Spend a code that arrives without saying whose it is (a seed API's password reset).
    One brute-force budget for all such tries: slow for an attacker, and only failures count."""
    g = guard()
    subject = f"any:{purpose}"
    await g.before(subject, ip)
    now = clock.now()
    row = await session.scalar(
        select(OneTimeCode).where(
            OneTimeCode.code_hash == _hash(code, purpose, CODE),
            OneTimeCode.purpose == _stored_purpose(purpose, CODE),
            OneTimeCode.consumed_at.is_(None),
        )
    )
    if row is None:
        await _refuse(session, g, subject, field, "This code is wrong or was already used")
    if row.expires_at <= now:
        raise ValidationFailed.field(field, "This code has expired; ask for a new one")
    row.consumed_at = now
    return row


async def redeem_link(
    session: AsyncSession, purpose: str, token: str, *, ip: str, field: str = "token"
) -> OneTimeCode:
    """Spend a link token. Unknown tokens count against the caller's IP."""
    g = guard()
    subject = f"link:{ip}"
    await g.before(subject, ip)
    row = await session.scalar(
        select(OneTimeCode).where(
            OneTimeCode.code_hash == _hash(token, purpose, LINK),
            OneTimeCode.purpose == _stored_purpose(purpose, LINK),
        )
    )
    if row is None:
        await _refuse(session, g, subject, field, "This link is not valid")
    if row.consumed_at is not None:
        raise ValidationFailed.field(field, "This link was already used or replaced by a newer one")
    if row.expires_at <= clock.now():
        raise ValidationFailed.field(field, "This link has expired; ask for a new one")
    row.consumed_at = clock.now()
    return row
