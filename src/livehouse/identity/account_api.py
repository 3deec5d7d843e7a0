"""Self-service routes: e-mail verification, e-mail and phone change, password reset,
deactivation and reactivation, data export and erasure. Rules live in verification.py,
recovery.py and gdpr.py; this module parses, authorises and shapes."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request, Response

from livehouse.core.deps import DbSession
from livehouse.core.ratelimit import client_ip, rate_limit
from livehouse.core.schemas import Message
from livehouse.identity import gdpr, recovery, service, verification
from livehouse.identity.auth import Principal, in_person, user_scoped
from livehouse.identity.flow_schemas import (
    NO_STORE,
    Accepted,
    CodeIn,
    EmailConfirm,
    EmailIn,
    EmailVerify,
    PasswordConfirm,
    PasswordReset,
    PasswordResetRequest,
    PhoneConfirm,
    PhoneIn,
    Reactivate,
)
from livehouse.identity.schemas import AccountOut

router = APIRouter()

Me = Annotated[Principal, Depends(user_scoped("me.write"))]
MeInPerson = Annotated[Principal, Depends(in_person("me.write"))]
anonymous_limit = Depends(rate_limit("20/minute", "account-flows"))
ACCEPTED = {
    202: {"description": "Accepted: if the address has an account, a message is on its way"}
}


# ---- e-mail verification ----------------------------------------------------------------------


@router.post(
    "/v1/me/email/verification",
    tags=["me"],
    status_code=202,
    response_model=Accepted,
    summary="Send me the verification e-mail again (not once verified; rate limited)",
)
async def resend_my_verification(db: DbSession, principal: Me) -> Accepted:
    await verification.resend_email_verification(db, await service.signed_in_account(db, principal))
    return Accepted(message="A verification e-mail is on its way")


@router.post(
    "/v1/me/email/verify",
    tags=["me"],
    response_model=AccountOut,
    summary="Verify my e-mail address with the code from the e-mail",
)
async def verify_my_email(
    payload: CodeIn, request: Request, db: DbSession, principal: Me
) -> AccountOut:
    account = await service.signed_in_account(db, principal)
    await verification.verify_email_code(db, account, payload.code, client_ip(request))
    return AccountOut.of(account)


@router.post(
    "/v1/accounts/email-verification",
    tags=["accounts"],
    status_code=202,
    response_model=Accepted,
    responses=ACCEPTED,
    summary="Send the verification (activation) e-mail to this address",
    dependencies=[anonymous_limit],
)
async def request_verification(payload: EmailIn, db: DbSession) -> Accepted:
    await verification.request_email_verification(db, payload.email)
    return Accepted(message="If this address has an unverified account, an e-mail is on its way")


@router.post(
    "/v1/accounts/verify-email",
    tags=["accounts"],
    response_model=Message,
    summary="Verify an e-mail address with the link's token, or with e-mail and code",
    dependencies=[anonymous_limit],
)
async def verify_email(payload: EmailVerify, request: Request, db: DbSession) -> Message:
    ip = client_ip(request)
    if payload.uses_token():
        await verification.verify_email_token(db, payload.token or "", ip)
    else:
        await verification.verify_email_with_address(
            db, payload.email or "", payload.code or "", ip
        )
    return Message(message="Your e-mail address is verified")


# ---- e-mail and phone change ------------------------------------------------------------------


@router.post(
    "/v1/me/email",
    tags=["me"],
    status_code=202,
    response_model=Accepted,
    summary="Change my e-mail address: a code goes to the new address",
)
async def change_my_email(payload: EmailIn, db: DbSession, principal: MeInPerson) -> Accepted:
    await verification.request_email_change(
        db, await service.signed_in_account(db, principal), payload.email
    )
    return Accepted(message="A code has been sent to your new address; confirm it with the code")


@router.post(
    "/v1/me/email/confirm",
    tags=["me"],
    response_model=AccountOut,
    summary="Confirm my new e-mail address with the code",
)
async def confirm_my_email(
    payload: EmailConfirm, request: Request, db: DbSession, principal: MeInPerson
) -> AccountOut:
    account = await service.signed_in_account(db, principal)
    await verification.confirm_email_change(
        db, account, payload.email, payload.code, client_ip(request)
    )
    return AccountOut.of(account)


@router.post(
    "/v1/me/phone",
    tags=["me"],
    status_code=202,
    response_model=Accepted,
    summary="Change my phone number: a code goes to it by SMS",
)
async def change_my_phone(payload: PhoneIn, db: DbSession, principal: MeInPerson) -> Accepted:
    await verification.request_phone_change(
        db, await service.signed_in_account(db, principal), payload.phone
    )
    return Accepted(message="A code has been sent to your new number; confirm it with the code")


@router.post(
    "/v1/me/phone/confirm",
    tags=["me"],
    response_model=AccountOut,
    summary="Confirm my new phone number with the code",
)
async def confirm_my_phone(
    payload: PhoneConfirm, request: Request, db: DbSession, principal: MeInPerson
) -> AccountOut:
    account = await service.signed_in_account(db, principal)
    await verification.confirm_phone_change(
        db, account, payload.phone, payload.code, client_ip(request)
    )
    return AccountOut.of(account)


# ---- forgotten password -----------------------------------------------------------------------


@router.post(
    "/v1/accounts/password-reset",
    tags=["accounts"],
    status_code=202,
    response_model=Accepted,
    responses=ACCEPTED,
    summary="Forgot my password: send a reset link or code",
    dependencies=[anonymous_limit],
)
async def request_password_reset(payload: PasswordResetRequest, db: DbSession) -> Accepted:
    await recovery.request_password_reset(db, payload.email, payload.method)
    return Accepted(message="If this address has an account, a message is on its way")


@router.post(
    "/v1/accounts/password-reset/confirm",
    tags=["accounts"],
    response_model=Message,
    summary="Set a new password with the link's token, or with e-mail and code",
    dependencies=[anonymous_limit],
)
async def reset_password(payload: PasswordReset, request: Request, db: DbSession) -> Message:
    ip = client_ip(request)
    if payload.uses_token():
        await recovery.reset_with_token(db, payload.token or "", payload.password, ip)
    else:
        await recovery.reset_with_code(
            db, payload.email or "", payload.code or "", payload.password, ip
        )
    return Message(message="Your password has been changed; sign in with it")


# ---- deactivate and reactivate ----------------------------------------------------------------


@router.post(
    "/v1/me/deactivate",
    tags=["me"],
    response_model=Message,
    summary="Deactivate my account (needs my password; ends every session)",
)
async def deactivate_me(
    payload: PasswordConfirm, request: Request, db: DbSession, principal: MeInPerson
) -> Message:
    account = await service.signed_in_account(db, principal)
    await recovery.deactivate(db, account, payload.password, client_ip(request))
    return Message(message="Your account is deactivated; reactivate it with your password")


@router.post(
    "/v1/accounts/reactivate",
    tags=["accounts"],
    response_model=Message,
    summary="Reactivate a deactivated account with its e-mail and password",
)
async def reactivate(payload: Reactivate, request: Request, db: DbSession) -> Message:
    await recovery.reactivate(db, payload.email, payload.password, client_ip(request))
    return Message(message="Your account is active; sign in")


# ---- GDPR -------------------------------------------------------------------------------------


@router.post(
    "/v1/me/export",
    tags=["me"],
    summary="Download everything about my account as JSON (needs my password)",
    responses={200: {"content": {"application/json": {}}, "description": "The archive"}},
)
async def export_me(
    payload: PasswordConfirm,
    request: Request,
    db: DbSession,
    principal: Annotated[Principal, Depends(in_person("me.read"))],
) -> Response:
    account = await service.signed_in_account(db, principal)
    archive = await gdpr.export_own(db, account, payload.password, client_ip(request))
    return Response(
        orjson.dumps(archive, default=str, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="livehouse-{account.public_id}.json"',
        },
    )


@router.post(
    "/v1/me/erase",
    tags=["me"],
    response_model=Message,
    summary="Erase my account and personal data for good (needs my password)",
)
async def erase_me(
    payload: PasswordConfirm, request: Request, db: DbSession, principal: MeInPerson
) -> Message:
    account = await service.signed_in_account(db, principal)
    await gdpr.erase_own(db, account, payload.password, client_ip(request))
    return Message(message="Your account has been erased")
