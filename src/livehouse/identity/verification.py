"""Proving control of an address: e-mail verification (account activation), e-mail change and
phone change. Secrets come from `codes` (single use, expiring, brute-force limited).

- Verification: after registration (and on request) one e-mail carries both a 6-digit code and a
  link token; either sets `email_verified_at`, and using one retires the other.
- E-mail change: a code goes to the *new* address and a notice (no code) to the old one; the
  address changes, verified, only when the code comes back.
- Phone change: the same, by SMS to the new number (E.164).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, ValidationFailed
from livehouse.core.runtime import current
from livehouse.core.validators import email_key
from livehouse.identity import audit, codes, service
from livehouse.identity.models import Account
from livehouse.notify import delivery


def link(template: str, token: str) -> str:
    settings = current().settings
    return template.format(base_url=settings.base_url.rstrip("/"), token=token)


# ---- e-mail verification ----------------------------------------------------------------------


async def send_email_verification(session: AsyncSession, account: Account) -> None:
    """Queue the verification e-mail (code + link) for the account's current address."""
    if account.email is None:
        return
    settings = current().settings
    code = await codes.issue(session, account.id, codes.VERIFY_EMAIL, target=account.email)
    token = await codes.issue(
        session,
        account.id,
        codes.VERIFY_EMAIL,
        kind=codes.LINK,
        target=account.email,
        ttl_seconds=settings.email_verification_ttl_seconds,
    )
    minutes = settings.otp_ttl_seconds // 60
    delivery.email(
        session,
        to=account.email,
        subject="Confirm your e-mail address",
        text=(
            f"Your confirmation code is {code} (valid for {minutes} minutes).\n\n"
            f"Or open this link to confirm your address:\n"
            f"{link(settings.email_verification_link, token)}\n\n"
            "If you did not create an account, ignore this message."
        ),
    )


async def resend_email_verification(session: AsyncSession, account: Account) -> None:
    """For the signed-in person: refused once verified, and rate limited."""
    if account.email_verified_at is not None:
        raise Conflict("Your e-mail address is already verified")
    await codes.limit_sending(f"verify:{account.id}")
    await send_email_verification(session, account)


async def request_email_verification(session: AsyncSession, email: str) -> None:
    """Anonymous resend ("activate"): the answer never tells whether the address has an
    account, so it is the same whatever happens here."""
    await codes.limit_sending(f"verify:{email_key(email)}")
    account = await service.find_by_email(session, email)
    if account is not None and account.email_verified_at is None and account.is_active:
        await send_email_verification(session, account)


def _mark_verified(account: Account, address: str | None) -> None:
    if address is None or email_key(address) != account.email_normalized:
        raise ValidationFailed.field("code", "This code was sent to an earlier e-mail address")
    account.email_verified_at = account.email_verified_at or clock.now()


async def verify_email_code(session: AsyncSession, account: Account, code: str, ip: str) -> None:
    row = await codes.redeem_code(
        session,
        codes.VERIFY_EMAIL,
        code,
        account_id=account.id,
        subject=f"verify:{account.id}",
        ip=ip,
    )
    _mark_verified(account, row.target)
    await codes.retire(session, account.id, codes.VERIFY_EMAIL)


async def verify_email_with_address(
    session: AsyncSession, email: str, code: str, ip: str
) -> Account:
    """E-mail + code, for someone not signed in. An unknown address fails like a wrong code."""
    account = await service.find_by_email(session, email)
    row = await codes.redeem_code(
        session,
        codes.VERIFY_EMAIL,
        code,
        account_id=account.id if account else None,
        subject=f"verify:{account.id if account else email_key(email)}",
        ip=ip,
    )
    assert account is not None
    _mark_verified(account, row.target)
    await codes.retire(session, account.id, codes.VERIFY_EMAIL)
    return account


async def verify_email_token(session: AsyncSession, token: str, ip: str) -> Account:
    row = await codes.redeem_link(session, codes.VERIFY_EMAIL, token, ip=ip)
    account = await session.get(Account, row.account_id)
    if account is None or account.status == "erased":
        raise ValidationFailed.field("token", "This link is not valid")
    if row.target is None or email_key(row.target) != account.email_normalized:
        raise ValidationFailed.field("token", "This link was sent to an earlier e-mail address")
    account.email_verified_at = account.email_verified_at or clock.now()
    await codes.retire(session, account.id, codes.VERIFY_EMAIL)
    return account


# ---- e-mail change ----------------------------------------------------------------------------


async def _ensure_email_free(session: AsyncSession, account: Account, email: str) -> None:
    if email_key(email) == account.email_normalized:
        raise ValidationFailed.field("email", "This is already your e-mail address")
    other = await service.find_by_email(session, email)
    if other is not None and other.id != account.id:
        raise Conflict(
            "Another account uses this e-mail address",
            extra={"errors": [{"field": "email", "message": "Already taken"}]},
        )


async def request_email_change(session: AsyncSession, account: Account, new_email: str) -> None:
    await _ensure_email_free(session, account, new_email)
    await codes.limit_sending(f"change-email:{account.id}")
    code = await codes.issue(session, account.id, codes.CHANGE_EMAIL, target=new_email)
    minutes = current().settings.otp_ttl_seconds // 60
    delivery.email(
        session,
        to=new_email,
        subject="Confirm your new e-mail address",
        text=(
            f"Your confirmation code is {code} (valid for {minutes} minutes).\n\n"
            "Enter it to make this your account's e-mail address. "
            "If you did not ask for this, ignore this message."
        ),
    )
    if account.email:
        delivery.email(
            session,
            to=account.email,
            subject="Your e-mail address is being changed",
            text=(
                "Someone signed in to your account asked to change its e-mail address. "
                "If this was not you, change your password now."
            ),
        )


async def confirm_email_change(
    session: AsyncSession, account: Account, new_email: str, code: str, ip: str
) -> None:
    await codes.redeem_code(
        session,
        codes.CHANGE_EMAIL,
        code,
        account_id=account.id,
        subject=f"change-email:{account.id}",
        ip=ip,
        target=new_email,
    )
    await _ensure_email_free(session, account, new_email)  # taken meanwhile?
    account.email = new_email
    account.email_normalized = email_key(new_email)
    account.email_verified_at = clock.now()
    await codes.retire(session, account.id, codes.VERIFY_EMAIL)
    audit.record(session, "account.email_changed", actor_id=account.id, subject_id=account.id)


# ---- phone change -----------------------------------------------------------------------------


async def request_phone_change(session: AsyncSession, account: Account, new_phone: str) -> None:
    if new_phone == account.phone and account.phone_verified_at is not None:
        raise ValidationFailed.field("phone", "This is already your verified phone number")
    await codes.limit_sending(f"change-phone:{account.id}")
    code = await codes.issue(session, account.id, codes.CHANGE_PHONE, target=new_phone)
    delivery.sms(session, to=new_phone, text=f"Your livehouse code is {code}")


async def confirm_phone_change(
    session: AsyncSession, account: Account, new_phone: str, code: str, ip: str
) -> None:
    await codes.redeem_code(
        session,
        codes.CHANGE_PHONE,
        code,
        account_id=account.id,
        subject=f"change-phone:{account.id}",
        ip=ip,
        target=new_phone,
    )
    account.phone = new_phone
    account.phone_verified_at = clock.now()
    audit.record(session, "account.phone_changed", actor_id=account.id, subject_id=account.id)
