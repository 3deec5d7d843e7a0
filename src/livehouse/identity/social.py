"""Social sign-in: sign up, sign in, connect and disconnect an identity provider account
(`providers` verifies the provider's token; this module holds the account rules).

- A provider identity (provider + subject) belongs to at most one account, and an account has at
  most one identity per provider.
- An existing account is joined to a provider identity by e-mail only when the provider says
  the address is verified (otherwise anyone could claim an account by typing its e-mail at a
  provider that does not check). Sign-up and sign-in share that rule.
- Sign-up creates an account without a password; its e-mail counts as verified when the
  provider says so, otherwise the usual verification e-mail goes out.
- Disconnecting never locks the person out: refused when it is the last way in (no password and
  no other identity).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from livehouse.core.validators import email_key, normalize_email
from livehouse.identity import audit, oauth, service
from livehouse.identity.models import Account, OAuthApp, SocialIdentity
from livehouse.identity.providers import ProviderIdentity, verify


async def identities_of(session: AsyncSession, account_id: int) -> Sequence[SocialIdentity]:
    return (
        await session.scalars(
            select(SocialIdentity)
            .where(SocialIdentity.account_id == account_id)
            .order_by(SocialIdentity.id)
        )
    ).all()


async def _linked(session: AsyncSession, who: ProviderIdentity) -> SocialIdentity | None:
    return await session.scalar(
        select(SocialIdentity).where(
            SocialIdentity.provider == who.provider, SocialIdentity.subject == who.subject
        )
    )


def _provider_email(who: ProviderIdentity) -> str | None:
    if not who.email:
        return None
    try:
        return normalize_email(who.email)
    except ValueError:
        return None  # a provider's odd address is not worth failing the sign-in for


async def _link(session: AsyncSession, account: Account, who: ProviderIdentity) -> SocialIdentity:
    taken = await session.scalar(
        select(SocialIdentity.id).where(
            SocialIdentity.account_id == account.id, SocialIdentity.provider == who.provider
        )
    )
    if taken is not None:
        raise Conflict(f"This account is already connected to another {who.provider} identity")
    identity = SocialIdentity(
        account_id=account.id,
        provider=who.provider,
        subject=who.subject,
        email=_provider_email(who),
    )
    session.add(identity)
    email = _provider_email(who)
    if who.email_verified and email and email_key(email) == account.email_normalized:
        account.email_verified_at = account.email_verified_at or clock.now()
    audit.record(
        session,
        "social.connected",
        actor_id=account.id,
        subject_id=account.id,
        detail={"provider": who.provider},
    )
    return identity


async def _account_by_verified_email(
    session: AsyncSession, who: ProviderIdentity
) -> Account | None:
    email = _provider_email(who)
    if email is None or not who.email_verified:
        return None
    return await service.find_by_email(session, email)


def _ensure_may_sign_in(account: Account) -> None:
    if account.status == "deactivated":
        raise Forbidden("This account is deactivated; reactivate it first")
    if account.status != "active":
        raise NotFound("No such account")


async def _tokens(
    session: AsyncSession, account: Account, app: OAuthApp | None, user_agent: str | None
) -> oauth.TokenGrant:
    _ensure_may_sign_in(account)
    account.last_login_at = clock.now()
    scopes = sorted(oauth.user_scope_ceiling(app))
    return await oauth.issue_user_tokens(session, account, scopes, app=app, user_agent=user_agent)


async def sign_up(
    session: AsyncSession,
    provider: str,
    token: str,
    *,
    nonce: str | None = None,
    email: str | None = None,
    full_name: str | None = None,
    app: OAuthApp | None = None,
    user_agent: str | None = None,
) -> tuple[oauth.TokenGrant, bool]:
    """Tokens for a new account (True), or for the existing account the provider's verified
    e-mail names (False). `email` is used only when the provider shares none."""
    who = await verify(provider, token, nonce)
    if await _linked(session, who) is not None:
        raise Conflict("This identity has already signed up; sign in instead")
    existing = await _account_by_verified_email(session, who)
    created = existing is None
    if existing is not None:
        account = existing
    else:
        address = _provider_email(who) or email
        if address is None:
            raise ValidationFailed.field("email", "The provider shares no e-mail address; give one")
        if await service.find_by_email(session, address) is not None:
            raise Conflict(
                "An account with this e-mail already exists; sign in to it and connect "
                f"{provider} there",
                extra={"errors": [{"field": "email", "message": "Already taken"}]},
            )
        account = await service.register(
            session,
            email=address,
            password=None,
            full_name=full_name or who.name,
            email_verified=who.email_verified and address == _provider_email(who),
        )
    await _link(session, account, who)
    if app is not None:
        from livehouse.orgs.service import register_customer  # orgs depends on identity

        await register_customer(session, app.org_id, account.id, source="register")
    return await _tokens(session, account, app, user_agent), created


async def sign_in(
    session: AsyncSession,
    provider: str,
    token: str,
    *,
    nonce: str | None = None,
    app: OAuthApp | None = None,
    user_agent: str | None = None,
) -> oauth.TokenGrant:
    who = await verify(provider, token, nonce)
    linked = await _linked(session, who)
    if linked is not None:
        account = await session.get(Account, linked.account_id)
        assert account is not None
    else:
        found = await _account_by_verified_email(session, who)
        if found is None:
            raise NotFound(f"No account uses this {provider} identity; sign up first")
        account = found
        await _link(session, account, who)
    return await _tokens(session, account, app, user_agent)  # refuses deactivated accounts


async def connect(
    session: AsyncSession, account: Account, provider: str, token: str, nonce: str | None = None
) -> SocialIdentity:
    """Idempotent for the identity already connected to this account."""
    who = await verify(provider, token, nonce)
    linked = await _linked(session, who)
    if linked is not None:
        if linked.account_id == account.id:
            return linked
        raise Conflict(f"This {provider} identity is connected to another account")
    return await _link(session, account, who)


async def disconnect(session: AsyncSession, account: Account, provider: str) -> None:
    identity = await session.scalar(
        select(SocialIdentity).where(
            SocialIdentity.account_id == account.id, SocialIdentity.provider == provider
        )
    )
    if identity is None:
        raise NotFound(f"Your account is not connected to {provider}")
    others = await session.scalar(
        select(func.count())
        .select_from(SocialIdentity)
        .where(SocialIdentity.account_id == account.id, SocialIdentity.id != identity.id)
    )
    if account.password_hash is None and not others:
        raise Conflict(
            f"{provider} is your only way to sign in; set a password (password reset) or "
            "connect another provider first"
        )
    await session.delete(identity)
    audit.record(
        session,
        "social.disconnected",
        actor_id=account.id,
        subject_id=account.id,
        detail={"provider": provider},
    )
