"""Native API models of identity."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from livehouse.core.schemas import Input, Output
from livehouse.core.validators import Email, Phone, Username
from livehouse.identity.models import Account


class AccountCreate(Input):
    email: Email
    password: str = Field(min_length=1, max_length=256)
    full_name: str | None = Field(None, max_length=200)
    username: Username | None = None
    phone: Phone | None = None
    date_of_birth: date | None = None
    locale: str | None = Field(None, max_length=16)
    metadata: dict[str, Any] | None = None
    client_id: str | None = Field(
        None,
        max_length=64,
        description="Register through this organisation's app: the account becomes one of its "
        "registered users and answers its custom registration fields",
    )
    fields: dict[str, Any] | None = Field(None, description="Custom registration field answers")


class AccountUpdate(Input):
    full_name: str | None = Field(None, max_length=200)
    username: Username | None = None
    date_of_birth: date | None = None
    locale: str | None = Field(None, max_length=16)
    metadata: dict[str, Any] | None = None


class PasswordChange(Input):
    old_password: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=256)


class AccountOut(Output):
    id: uuid.UUID
    email: str | None
    email_verified: bool
    username: str | None
    phone: str | None
    phone_verified: bool
    full_name: str | None
    date_of_birth: date | None
    status: str
    locale: str | None
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            id=account.public_id,
            email=account.email,
            email_verified=account.email_verified_at is not None,
            username=account.username,
            phone=account.phone,
            phone_verified=account.phone_verified_at is not None,
            full_name=account.full_name,
            date_of_birth=account.date_of_birth,
            status=account.status,
            locale=account.locale,
            metadata=account.metadata_ or {},
            created_at=account.created_at,
            updated_at=account.updated_at,
        )


class EmailAvailability(Output):
    email: str
    available: bool


class TokenResponse(Output):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int
    refresh_token: str | None = None
    scope: str


class ScopeOut(Output):
    name: str
    description: str
    roles: list[str]
    personal: bool


class AppCreate(Input):
    name: str = Field(min_length=1, max_length=50)
    grant_types: list[str] = Field(default_factory=lambda: ["password", "refresh_token"])
    redirect_uris: list[str] = Field(default_factory=list, max_length=20)
    scopes: list[str] | None = None
    confidential: bool = Field(
        True, description="Has a secret (server apps); false for browser and mobile apps"
    )
    is_default: bool = False
    sso: bool = False


class AppUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=50)
    grant_types: list[str] | None = None
    redirect_uris: list[str] | None = Field(None, max_length=20)
    scopes: list[str] | None = None
    active: bool | None = None
    is_default: bool | None = None
    sso: bool | None = None


class AppOut(Output):
    id: uuid.UUID
    name: str
    client_id: str
    confidential: bool
    secret_hint: str | None
    grant_types: list[str]
    redirect_uris: list[str]
    scopes: list[str]
    active: bool
    is_default: bool
    sso: bool
    created_at: datetime

    @classmethod
    def of(cls, app: Any) -> AppOut:
        return cls(
            id=app.public_id,
            name=app.name,
            client_id=app.client_id,
            confidential=app.secret_hash is not None,
            secret_hint=app.secret_hint,
            grant_types=app.grant_types,
            redirect_uris=app.redirect_uris,
            scopes=app.scopes,
            active=app.active,
            is_default=app.is_default,
            sso=app.sso,
            created_at=app.created_at,
        )


class AppWithSecret(AppOut):
    client_secret: str | None = Field(description="Shown only now; store it safely")


class SecretOut(Output):
    client_id: str
    client_secret: str


class ApiKeyCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1)
    expires_at: datetime | None = None


class ApiKeyOut(Output):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: Any) -> ApiKeyOut:
        return cls(
            id=key.public_id,
            name=key.name,
            prefix=key.prefix,
            scopes=key.scopes,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyWithSecret(ApiKeyOut):
    key: str = Field(description="Shown only now; send it as the X-API-Key header")
