"""Impersonation: an organisation's admin acts as one of its customers (support, "see what the
customer sees").

Rules, all in `ensure_may_impersonate` (the one place that decides):
- the caller is a person (not an app or API key), not already acting as someone, holding
  `org.impersonate` in the organisation (`orgs.service.authorize`), and re-enters their password;
- the subject is an active customer of that organisation (orgs.models.Customer);
- never a platform admin, never themselves, and never a team member of any organisation — acting
  as a team member would reach that organisation's data. The one exception is a master
  organisation acting for its followers' team members, when every team they are on is such a
  follower and the relations pass on `org.impersonate` (`master_may_act_for_follower`).

The token: an access token for the subject with an `act` claim naming the admin, confined to the
organisation (`org` claim), carrying only personal scopes, without a refresh token (it ends when
it expires; starting again needs the password again). Every start and every unsafe request made
with it is written to the audit log; sensitive self-service routes refuse it
(`auth.in_person`).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Forbidden, NotFound
from livehouse.identity import audit, service, tokens
from livehouse.identity import scopes as scope_catalogue
from livehouse.identity.auth import Principal, refuse_acting
from livehouse.identity.models import Account
from livehouse.identity.oauth import TokenGrant
from livehouse.orgs import service as orgs
from livehouse.orgs.models import Organisation


async def master_may_act_for_follower(
    session: AsyncSession, org: Organisation, subject: Account
) -> bool:
    """Whether `org` is the master of every organisation `subject` is on the team of, with each
    relation passing on `org.impersonate` (orgs decides: relations.master_may_act_for)."""
    from livehouse.orgs.relations import master_may_act_for

    return await master_may_act_for(session, org.id, subject.id)


async def ensure_may_impersonate(
    session: AsyncSession, principal: Principal, org: Organisation, subject: Account
) -> None:
    if not principal.is_user:
        raise Forbidden("Only a person can act as someone else")
    refuse_acting(principal)
    await orgs.authorize(session, principal, org, "org.impersonate")
    if subject.id == principal.account_id:
        raise Forbidden("You cannot impersonate yourself")
    if subject.is_platform_admin:
        raise Forbidden("Platform administrators cannot be impersonated")
    if not subject.is_active:
        raise Forbidden("This account is not active")
    if await orgs.orgs_of(session, subject.id):
        if await master_may_act_for_follower(session, org, subject):
            return
        raise Forbidden("Team members cannot be impersonated")
    if await orgs.customer_of(session, org.id, subject.id) is None:
        raise NotFound("No such customer")


async def impersonate(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    subject_id: uuid.UUID,
    password: str,
    ip: str,
) -> TokenGrant:
    admin = await session.get(Account, principal.account_id)
    if admin is None:
        raise NotFound("No such account")
    await service.confirm_password(session, admin, password, ip)
    try:
        subject = await service.get_account(session, subject_id)
    except NotFound as exc:
        raise NotFound("No such customer") from exc
    await ensure_may_impersonate(session, principal, org, subject)
    personal = {name for name, s in scope_catalogue.catalogue().items() if s.personal}
    scopes = sorted(personal & principal.scopes)
    access, lifetime = await tokens.issue_access_token(
        session,
        subject=str(subject.public_id),
        kind="user",
        scopes=scopes,
        org=str(org.public_id),
        actor=str(admin.public_id),
    )
    audit.record(
        session,
        "impersonation.started",
        actor_id=admin.id,
        subject_id=subject.id,
        org_id=org.id,
        detail={"scopes": scopes, "expires_in": lifetime},
    )
    return TokenGrant(access, lifetime, " ".join(scopes), account=subject)
