"""Accounts: registration, lookup, password sign-in, profile changes, password change."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock, realtime
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.validators import email_key
from livehouse.identity import passwords
from livehouse.identity.models import Account

if TYPE_CHECKING:
    from livehouse.identity.auth import Principal


def login_guard() -> SecretGuard:
    runtime = current()
    return SecretGuard(
        runtime.limiter,
        "login",
        runtime.settings.login_rate_per_account,
        runtime.settings.login_rate_per_ip,
    )


def check_birth_date(value: date | None, field: str = "date_of_birth") -> None:
    if value is None:
        return
    today = clock.now().date()
    if value > today:
        raise ValidationFailed.field(field, "Cannot be in the future")
    if value.year < today.year - 130:
        raise ValidationFailed.field(field, "Is not a plausible date of birth")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


async def _ensure_unique(
    session: AsyncSession,
    *,
    email: str | None = None,
    username: str | None = None,
    exclude_id: int | None = None,
) -> None:
    checks = []
    if email is not None:
        checks.append(("email", Account.email_normalized == email_key(email)))
    if username is not None:
        checks.append(("username", Account.username_normalized == username.casefold()))
    for field, condition in checks:
        query = select(Account.id).where(condition)
        if exclude_id is not None:
            query = query.where(Account.id != exclude_id)
        if await session.scalar(query) is not None:
            raise Conflict(
                f"An account with this {field} already exists",
                extra={"errors": [{"field": field, "message": "Already taken"}]},
            )


async def email_available(session: AsyncSession, email: str) -> bool:
    return (
        await session.scalar(select(Account.id).where(Account.email_normalized == email_key(email)))
        is None
    )


async def register(
    session: AsyncSession,
    *,
    email: str,
    password: str | None,
    full_name: str | None = None,
    username: str | None = None,
    phone: str | None = None,
    date_of_birth: date | None = None,
    locale: str | None = None,
    metadata: dict[str, Any] | None = None,
    email_verified: bool = False,
) -> Account:
    """Create an account. `password=None` only for accounts created by social sign-in or by an
    organisation on a customer's behalf (they set a password through the reset flow).
    Unless the e-mail is already known to be verified, a verification e-mail goes out."""
    await _ensure_unique(session, email=email, username=username)
    check_birth_date(date_of_birth)
    password_hash = None
    if password is not None:
        passwords.check_policy(password, personal=(email, username or "", full_name or ""))
        password_hash = await passwords.hash_password(password)
    account = Account(
        email=email,
        email_normalized=email_key(email),
        username=username,
        username_normalized=username.casefold() if username else None,
        phone=phone,
        full_name=full_name,
        date_of_birth=date_of_birth,
        locale=locale,
        metadata_=metadata or {},
        password_hash=password_hash,
    )
    try:
        async with session.begin_nested():
            session.add(account)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise Conflict("An account with this email or username already exists") from exc
    if email_verified:
        account.email_verified_at = clock.now()
    else:
        from livehouse.identity.verification import send_email_verification

        await send_email_verification(session, account)
    return account


async def get_account(session: AsyncSession, public_id: uuid.UUID) -> Account:
    return _present(await session.scalar(select(Account).where(Account.public_id == public_id)))


async def get_account_by_id(session: AsyncSession, account_id: int) -> Account:
    """By internal id: the session's identity map answers when this request has the row
    already (authentication loads the signed-in account), no query."""
    return _present(await session.get(Account, account_id))


async def signed_in_account(session: AsyncSession, principal: Principal) -> Account:
    """The signed-in person's account. Authentication loaded it into this session, so the
    identity map answers without a query."""
    assert principal.account_id is not None, "a person's principal"
    return await get_account_by_id(session, principal.account_id)


def _present(account: Account | None) -> Account:
    if account is None or account.status == "erased":
        raise NotFound("No such account")
    return account


async def find_by_login(session: AsyncSession, login: str) -> Account | None:
    """An account by e-mail or username (case-insensitive); erased accounts are gone."""
    key = login.strip().casefold()
    return await session.scalar(
        select(Account).where(
            or_(Account.email_normalized == key, Account.username_normalized == key),
            Account.status != "erased",
        )
    )


async def find_by_email(session: AsyncSession, email: str) -> Account | None:
    """The account using this e-mail address (case-insensitive); erased accounts have none."""
    return await session.scalar(select(Account).where(Account.email_normalized == email_key(email)))


class SignInFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def check_credentials(session: AsyncSession, login: str, password: str, ip: str) -> Account:
    """The account behind these credentials (whatever its status), or SignInFailed.
    Brute-force limited per account and per IP (429 before the password is even checked once
    the limit is reached)."""
    guard = login_guard()
    subject = login.strip().casefold()[:320]
    await guard.before(subject, ip)
    account = await find_by_login(session, login)
    valid = await passwords.verify_password(account.password_hash if account else None, password)
    if account is None or not valid:
        await guard.failed(subject)
        raise SignInFailed("The e-mail/username or password is wrong")
    return account


async def sign_in_with_password(
    session: AsyncSession, login: str, password: str, ip: str
) -> Account:
    """The active account behind these credentials, or SignInFailed."""
    account = await check_credentials(session, login, password, ip)
    if account.status == "deactivated":
        raise SignInFailed("This account is deactivated; reactivate it first")
    if account.password_hash and passwords.needs_rehash(account.password_hash):
        account.password_hash = await passwords.hash_password(password)
    account.last_login_at = clock.now()
    return account


async def update_account(
    session: AsyncSession, account: Account, changes: dict[str, Any]
) -> Account:
    """Apply profile changes. E-mail and phone change through their OTP flows, not here."""
    if "username" in changes and changes["username"] != account.username:
        username = changes["username"]
        if username is not None:
            await _ensure_unique(session, username=username, exclude_id=account.id)
        account.username = username
        account.username_normalized = username.casefold() if username else None
    if "date_of_birth" in changes:
        check_birth_date(changes["date_of_birth"])
        account.date_of_birth = changes["date_of_birth"]
    for field in ("full_name", "locale"):
        if field in changes:
            setattr(account, field, changes[field])
    if "metadata" in changes:
        account.metadata_ = {**account.metadata_, **(changes["metadata"] or {})}
    return account


async def change_password(
    session: AsyncSession, account: Account, old: str, new: str, ip: str
) -> None:
    """Needs the current password (brute-force limited like sign-in). Other sessions end."""
    await confirm_password(session, account, old, ip, field="old_password")
    await set_password(session, account, new)


async def confirm_password(
    session: AsyncSession, account: Account, password: str, ip: str, field: str = "password"
) -> None:
    """A signed-in person re-enters their password before something serious (brute-force
    limited like sign-in). Accounts without a password set one through the reset flow first."""
    guard = login_guard()
    subject = f"acct:{account.id}"
    await guard.before(subject, ip)
    if account.password_hash is None:
        raise ValidationFailed.field(
            field, "This account has no password yet; set one with the password-reset flow"
        )
    if not await passwords.verify_password(account.password_hash, password):
        await guard.failed(subject)
        raise ValidationFailed.field(field, "Is not your current password")


async def set_password(
    session: AsyncSession, account: Account, new: str, field: str = "password"
) -> None:
    passwords.check_policy(
        new,
        field=field,
        personal=(account.email or "", account.username or "", account.full_name or ""),
    )
    account.password_hash = await passwords.hash_password(new)
    await end_sessions(session, account)


async def end_sessions(session: AsyncSession, account: Account) -> None:
    """Revoke every refresh token and refuse every access token issued until now."""
    from livehouse.identity.oauth import revoke_account_tokens

    # Whole seconds: token `iat` claims are whole seconds, and a token issued right after this
    # (in the same second) must stay valid.
    account.tokens_valid_after = clock.now().replace(microsecond=0)
    await revoke_account_tokens(session, account.id)
    realtime.recheck_after_commit(session, accounts=[account.public_id])
