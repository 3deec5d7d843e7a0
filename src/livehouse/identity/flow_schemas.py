"""Native API models of identity's self-service flows: verification, contact changes, password
reset, deactivation, GDPR, social sign-in and impersonation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi.responses import JSONResponse
from pydantic import Field

from livehouse.core.errors import ValidationFailed
from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Email, Phone
from livehouse.identity.oauth import TokenGrant
from livehouse.identity.schemas import TokenResponse

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
CODE_DOC = "The 6-digit code from the message"
TOKEN_DOC = "The token from the link"  # noqa: S105 (a description)


class EmailIn(Input):
    email: Email


class CodeIn(Input):
    code: str = Field(min_length=1, max_length=12, description=CODE_DOC)


class TokenOrEmailCode(Input):
    """Either `token` (from the link), or `email` and `code`."""

    token: str | None = Field(None, min_length=1, max_length=200, description=TOKEN_DOC)
    email: Email | None = None
    code: str | None = Field(None, min_length=1, max_length=12, description=CODE_DOC)

    def uses_token(self) -> bool:
        """True for the link token, False for e-mail + code; 422 naming the field otherwise."""
        if self.token is not None:
            if self.email is not None or self.code is not None:
                raise ValidationFailed.field("token", "Give token, or email and code, not both")
            return True
        if self.email is None:
            raise ValidationFailed.field("email", "Give token, or email and code")
        if self.code is None:
            raise ValidationFailed.field("code", "Give token, or email and code")
        return False


class EmailVerify(TokenOrEmailCode):
    pass


class EmailConfirm(Input):
    email: Email
    code: str = Field(min_length=1, max_length=12, description=CODE_DOC)


class PhoneIn(Input):
    phone: Phone


class PhoneConfirm(Input):
    phone: Phone
    code: str = Field(min_length=1, max_length=12, description=CODE_DOC)


class PasswordResetRequest(Input):
    email: Email
    method: Literal["link", "code"] = Field(
        "link", description="Send a link (token) or a 6-digit code"
    )


class PasswordReset(TokenOrEmailCode):
    """Either `token` (from the link), or `email` and `code`; and the new `password`."""

    password: str = Field(min_length=1, max_length=256)


class PasswordConfirm(Input):
    password: str = Field(min_length=1, max_length=256, description="Your current password")


class Reactivate(Input):
    email: Email
    password: str = Field(min_length=1, max_length=256)


class Accepted(Output):
    message: str


class ErasureOut(Output):
    scope: Literal["account", "organisation"] = Field(
        description="account: the whole account was erased; organisation: only this "
        "organisation's data about the person (they also deal with others)"
    )


class CustomerErase(Input):
    account_id: uuid.UUID
    password: str = Field(min_length=1, max_length=256, description="Your own password")


class SocialToken(Input):
    token: str = Field(
        min_length=1,
        max_length=8192,
        description="The provider's OIDC id_token (or, for introspection providers, its "
        "access token)",
    )
    nonce: str | None = Field(None, max_length=256, description="The nonce you sent, if any")


class SocialSignIn(SocialToken):
    client_id: str | None = Field(
        None, max_length=64, description="Sign in through this organisation's app"
    )


class SocialSignUp(SocialSignIn):
    email: Email | None = Field(
        None, description="Used only when the provider shares no e-mail address"
    )
    full_name: str | None = Field(None, max_length=200)


class ProviderOut(Output):
    name: str
    kind: str


class SocialIdentityOut(Output):
    provider: str
    subject: str
    email: str | None
    created_at: datetime


class Impersonate(Input):
    account_id: uuid.UUID = Field(description="The customer to act as")
    password: str = Field(min_length=1, max_length=256, description="Your own password")


class AuditEventOut(Output):
    id: uuid.UUID
    at: datetime
    action: str
    actor_id: uuid.UUID | None
    subject_id: uuid.UUID | None
    request_id: str | None
    detail: dict[str, object]


def token_response(grant: TokenGrant, status_code: int = 200) -> JSONResponse:
    """Tokens in the shape of /v1/oauth/token (RFC 6749 §5.1), never cached."""
    body = TokenResponse(
        access_token=grant.access_token,
        expires_in=grant.expires_in,
        refresh_token=grant.refresh_token,
        scope=grant.scope,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status_code, headers=NO_STORE
    )
