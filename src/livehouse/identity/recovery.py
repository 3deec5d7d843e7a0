"""Getting into (and out of) an account: forgotten passwords, deactivation, reactivation.

- Forgot password: a single-use, expiring link token or 6-digit code (the client chooses) goes
  to the address. The answer never tells whether the address has an account.
- Reset: the token, or the e-mail + code (or, for a seed API, the code alone) sets a new
  password; `service.set_password` ends every session. Receiving the secret proves the address,
  so it also counts as e-mail verification.
- Deactivate: the signed-in person, with their password; sessions end, sign-in is refused.
- Reactivate: e-mail + password make the account active again.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import ValidationFailed
from livehouse.core.runtime import current
from livehouse.core.validators import email_key
from livehouse.identity import audit, codes, service
from livehouse.identity.models import Account
from livehouse.identity.verification import link
from livehouse.notify import delivery

ResetMethod = Literal["link", "code"]


async def request_password_reset(
    session: AsyncSession, email: str, method: ResetMethod = "link"
) -> None:
    await codes.limit_sending(f"reset:{email_key(email)}")
    account = await service.find_by_email(session, email)
    if account is None:
        return
    settings = current().settings
    if method == "link":
        token = await codes.issue(
            session,
            account.id,
            codes.RESET_PASSWORD,
            kind=codes.LINK,
            ttl_seconds=settings.reset_link_ttl_seconds,
        )
        minutes = settings.reset_link_ttl_seconds // 60
        body = (
            f"Open this link within {minutes} minutes to choose a new password:\n"
            f"{link(settings.password_reset_link, token)}"
        )
    else:
        code = await codes.issue(session, account.id, codes.RESET_PASSWORD)
        minutes = settings.otp_ttl_seconds // 60
        body = f"Your password reset code is {code} (valid for {minutes} minutes)."
    delivery.email(
        session,
        to=account.email or email,
        subject="Reset your password",
        text=body + "\n\nIf you did not ask for this, ignore this message: nothing changes.",
    )


async def _finish_reset(session: AsyncSession, account: Account | None, password: str) -> None:
    if account is None or account.status == "erased":
        raise ValidationFailed.field("token", "This link is not valid")
    await service.set_password(session, account, password)
    account.email_verified_at = account.email_verified_at or clock.now()
    await codes.retire(session, account.id, codes.RESET_PASSWORD)
    audit.record(session, "account.password_reset", actor_id=account.id, subject_id=account.id)


async def reset_with_token(session: AsyncSession, token: str, password: str, ip: str) -> None:
    row = await codes.redeem_link(session, codes.RESET_PASSWORD, token, ip=ip)
    await _finish_reset(session, await session.get(Account, row.account_id), password)


async def reset_with_code(
    session: AsyncSession, email: str, code: str, password: str, ip: str
) -> None:
    account = await service.find_by_email(session, email)
    await codes.redeem_code(
        session,
        codes.RESET_PASSWORD,
        code,
        account_id=account.id if account else None,
        subject=f"reset:{email_key(email)}",
        ip=ip,
    )
    await _finish_reset(session, account, password)


async def reset_with_code_alone(session: AsyncSession, code: str, password: str, ip: str) -> None:
    """For the seed API whose reset carries only the code (see `codes.redeem_code_alone`)."""
    row = await codes.redeem_code_alone(session, codes.RESET_PASSWORD, code, ip=ip)
    await _finish_reset(session, await session.get(Account, row.account_id), password)


async def deactivate(session: AsyncSession, account: Account, password: str, ip: str) -> None:
    await service.confirm_password(session, account, password, ip)
    account.status = "deactivated"
    account.deactivated_at = clock.now()
    await service.end_sessions(session, account)
    audit.record(session, "account.deactivated", actor_id=account.id, subject_id=account.id)


async def reactivate(session: AsyncSession, email: str, password: str, ip: str) -> Account:
    """Idempotent: an active account stays active."""
    try:
        account = await service.check_credentials(session, email, password, ip)
    except service.SignInFailed as exc:
        raise ValidationFailed.field("password", exc.reason) from exc
    if account.status == "deactivated":
        account.status = "active"
        account.deactivated_at = None
        audit.record(session, "account.reactivated", actor_id=account.id, subject_id=account.id)
    return account
