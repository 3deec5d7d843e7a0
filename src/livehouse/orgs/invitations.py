"""Team invitations by e-mail — the way people join a team.

- Only holders of `org.members` invite, and never above themselves (`service.check_can_grant`:
  only owners invite owners; custom scopes only from what the inviter holds). A resend re-checks
  this for whoever resends.
- The link carries a random token stored as a keyed hash; a resend replaces it (the old link
  dies) and restarts the expiry. Accepting needs that token *and* a signed-in account whose e-mail
  equals the invited address (case-insensitive, verified or not: the token proves the mailbox).
  It is single use: the hash is cleared on acceptance.
- New invitations are rate-limited per organisation, resends per invitation, wrong tokens per
  invitation (SecretGuard).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash, random_token
from livehouse.core.validators import email_key
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.orgs import service
from livehouse.orgs.models import Invitation, Membership, Organisation

HASH_PURPOSE = "org-invitation"
STATUSES = ("pending", "accepted", "expired")


def status_of(invitation: Invitation) -> str:
    if invitation.status == "pending" and invitation.expires_at <= clock.now():
        return "expired"
    return invitation.status


def _guard() -> SecretGuard:
    runtime = current()
    return SecretGuard(
        runtime.limiter,
        "org-invitation",
        runtime.settings.secret_rate_per_account,
        runtime.settings.login_rate_per_ip,
    )


def _link(org: Organisation, invitation: Invitation, token: str) -> str:
    settings = current().settings
    return settings.org_invitation_url.format(
        base_url=settings.base_url.rstrip("/"),
        org_id=org.public_id,
        invitation_id=invitation.public_id,
        token=token,
    )


async def _inviter_name(session: AsyncSession, principal: Principal, org: Organisation) -> str:
    if principal.account_id is not None:
        account = await session.get(Account, principal.account_id)
        if account is not None:
            return account.full_name or account.email or org.name
    return org.name


async def _send(
    session: AsyncSession, principal: Principal, org: Organisation, invitation: Invitation
) -> None:
    """New token, new expiry, e-mail queued in this transaction (sent after commit)."""
    token = random_token(32)
    invitation.token_hash = keyed_hash(token, HASH_PURPOSE)
    invitation.expires_at = clock.now() + timedelta(
        seconds=current().settings.org_invitation_ttl_seconds
    )
    invitation.last_sent_at = clock.now()
    await session.flush()  # the link names the invitation's id
    who = await _inviter_name(session, principal, org)
    hello = f"Hello {invitation.first_name}," if invitation.first_name else "Hello,"
    delivery.email(
        session,
        to=invitation.email,
        subject=f"You are invited to join {org.name}",
        text=(
            f"{hello}\n\n{who} invited you to join the team of {org.name} as {invitation.role}.\n\n"
            f"Accept the invitation: {_link(org, invitation, token)}\n\n"
            f"Sign in (or sign up) with this address, {invitation.email}, to accept. The link "
            f"works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC.\n\n"
            "If you were not expecting this, you can ignore this e-mail.\n"
        ),
    )


async def invite(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    *,
    email: str,
    role: str,
    scopes: list[str] | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    check_grant: bool = True,
) -> Invitation:
    """`check_grant=False` only for an organisation's creator naming its first owner."""
    if check_grant:
        await service.check_can_grant(session, principal, org.id, role, scopes)
    else:
        service.check_member_scopes(role, scopes)
    key = email_key(email)
    on_team = await session.scalar(
        select(Membership.id)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.org_id == org.id, Account.email_normalized == key)
    )
    if on_team is not None:
        raise Conflict(
            "That person is already on the team",
            extra={"errors": [{"field": "email", "message": "Already on the team"}]},
        )
    pending = await session.scalar(
        select(Invitation).where(
            Invitation.org_id == org.id,
            Invitation.email_normalized == key,
            Invitation.status == "pending",
            Invitation.expires_at > clock.now(),
        )
    )
    if pending is not None:
        raise Conflict(
            "This address already has a pending invitation; resend that one instead",
            extra={"invitation_id": str(pending.public_id)},
        )
    settings = current().settings
    await current().limiter.hit(
        settings.org_invitation_rate_per_org,
        "org-invitation-send",
        str(org.id),
        detail="This organisation has sent too many invitations; try again later",
    )
    invitation = Invitation(
        org_id=org.id,
        email=email,
        email_normalized=key,
        first_name=first_name,
        last_name=last_name,
        role=role,
        scopes=scopes,
        invited_by_account_id=principal.account_id,
        sent_count=1,
        expires_at=clock.now(),  # set by _send
    )
    session.add(invitation)
    await _send(session, principal, org, invitation)
    return invitation


async def get(session: AsyncSession, org_id: int, public_id: uuid.UUID) -> Invitation:
    invitation = await session.scalar(
        select(Invitation).where(Invitation.org_id == org_id, Invitation.public_id == public_id)
    )
    if invitation is None:
        raise NotFound("No such invitation")
    return invitation


async def resend(
    session: AsyncSession, principal: Principal, org: Organisation, invitation: Invitation
) -> Invitation:
    if invitation.status == "accepted":
        raise Conflict("This invitation has already been accepted")
    await service.check_can_grant(session, principal, org.id, invitation.role, invitation.scopes)
    await current().limiter.hit(
        current().settings.org_invitation_resend_rate,
        "org-invitation-resend",
        str(invitation.id),
        detail="This invitation was resent too often; try again later",
    )
    invitation.sent_count += 1
    await _send(session, principal, org, invitation)
    return invitation


async def accept(
    session: AsyncSession,
    principal: Principal,
    org_public_id: uuid.UUID,
    invitation_public_id: uuid.UUID,
    token: str,
    ip: str,
) -> tuple[Invitation, Membership, Account]:
    guard = _guard()
    subject = str(invitation_public_id)
    await guard.before(subject, ip)
    invitation = await session.scalar(
        select(Invitation)
        .join(Organisation, Organisation.id == Invitation.org_id)
        .where(
            Organisation.public_id == org_public_id,
            Invitation.public_id == invitation_public_id,
        )
    )
    if invitation is None:
        await guard.failed(subject)
        raise NotFound("No such invitation")
    if invitation.token_hash is None or not constant_time_equals(
        invitation.token_hash, keyed_hash(token, HASH_PURPOSE)
    ):
        await guard.failed(subject)
        raise ValidationFailed.field(
            "token", "This invitation link is not valid: it was used or replaced by a newer one"
        )
    if status_of(invitation) == "expired":
        raise Gone("This invitation has expired; ask the organisation to send it again")
    account = await session.get(Account, principal.account_id)
    if account is None or account.email_normalized != invitation.email_normalized:
        raise Forbidden(
            "This invitation was sent to another e-mail address; sign in with that address"
        )
    org = await session.get(Organisation, invitation.org_id)
    assert org is not None
    membership = await service.add_member(
        session, org, account.id, invitation.role, invitation.scopes
    )
    await session.flush()
    invitation.status = "accepted"
    invitation.token_hash = None  # single use
    invitation.accepted_at = clock.now()
    invitation.accepted_by_account_id = account.id
    invitation.membership_id = membership.id
    return invitation, membership, account


def _filtered(org_id: int, status: str | None, q: str | None) -> Select[tuple[Invitation]]:
    statement = select(Invitation).where(Invitation.org_id == org_id)
    now = clock.now()
    if status == "pending":
        statement = statement.where(Invitation.status == "pending", Invitation.expires_at > now)
    elif status == "expired":
        statement = statement.where(Invitation.status == "pending", Invitation.expires_at <= now)
    elif status == "accepted":
        statement = statement.where(Invitation.status == "accepted")
    if q:
        pattern = service.like_pattern(q)
        statement = statement.where(
            or_(
                Invitation.email_normalized.like(pattern, escape="\\"),
                func.lower(Invitation.first_name).like(pattern, escape="\\"),
                func.lower(Invitation.last_name).like(pattern, escape="\\"),
            )
        )
    return statement


async def list_page(
    session: AsyncSession, org_id: int, status: str | None, q: str | None, page: PageParams
) -> tuple[list[Invitation], str | None]:
    return await paginate(
        session, _filtered(org_id, status, q), [OrderKey(Invitation.id, descending=True)], page
    )


async def member_ids(
    session: AsyncSession, invitations: Sequence[Invitation]
) -> dict[int, uuid.UUID]:
    """Public ids of the memberships accepted invitations created (for the responses)."""
    ids = [i.membership_id for i in invitations if i.membership_id is not None]
    if not ids:
        return {}
    rows = await session.execute(
        select(Membership.id, Membership.public_id).where(Membership.id.in_(ids))
    )
    return {row.id: row.public_id for row in rows}


async def delete(session: AsyncSession, invitation: Invitation) -> None:
    await session.delete(invitation)
