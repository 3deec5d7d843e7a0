"""Master and follower organisations (InPlayer's master/follower merchants).

A master's team (and its apps and API keys) may act on a follower within the relation's
inherited scopes; `service.held_scopes` applies this, so every route guarded by `authorize`
honours it. The rules here:

- One level deep: a master is never a follower and a follower never a master, and a follower
  has one master. So `authorize` looks one hop up and no chain can form.
- A master may create a follower (active at once: the master made it), or link an existing
  organisation, which stays `pending` until one of the follower's owners accepts. Widening the
  scopes of a linked follower is only a proposal until accepted; narrowing applies at once.
- `org.relations` (owners by default) manages relations on both sides and is never inherited,
  nor is `org.delete`: a master cannot accept, widen or end a relation for its follower.
- Payment-method flags are the master's decision (payments reads them with `payment_methods`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from livehouse.core import clock, realtime
from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.identity import scopes as scope_catalogue
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.orgs import invitations, service
from livehouse.orgs.models import Invitation, Membership, Organisation, Relation

NOT_INHERITABLE = frozenset({"org.relations", "org.delete"})
METHOD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_scopes(scopes: list[str]) -> list[str]:
    unknown = scope_catalogue.unknown(set(scopes))
    if unknown:
        raise ValidationFailed.field("scopes", f"Unknown scopes: {', '.join(unknown)}")
    catalogue = scope_catalogue.catalogue()
    refused = sorted(s for s in scopes if catalogue[s].personal or s in NOT_INHERITABLE)
    if refused:
        raise ValidationFailed.field(
            "scopes", f"A master cannot inherit {', '.join(refused)} (personal or self-governing)"
        )
    return sorted(set(scopes))


def check_methods(methods: dict[str, bool]) -> dict[str, bool]:
    bad = sorted(name for name in methods if not METHOD_NAME.match(name))
    if bad:
        raise ValidationFailed.field(
            "payment_methods", f"Method names are lowercase words with '_': not {', '.join(bad)}"
        )
    return dict(sorted(methods.items()))


async def _check_shape(session: AsyncSession, master_id: int, follower_id: int | None) -> None:
    """One level, one master (see module doc)."""
    if master_id == follower_id:
        raise ValidationFailed.field("follower_id", "An organisation cannot follow itself")
    if await session.scalar(select(Relation.id).where(Relation.follower_org_id == master_id)):
        raise Conflict("This organisation follows a master; a follower cannot have followers")
    if follower_id is None:
        return
    if await session.scalar(select(Relation.id).where(Relation.master_org_id == follower_id)):
        raise Conflict("That organisation is a master; a master cannot follow another")
    if await session.scalar(select(Relation.id).where(Relation.follower_org_id == follower_id)):
        raise Conflict("That organisation already has a master")


async def create_follower(
    session: AsyncSession,
    principal: Principal,
    master: Organisation,
    *,
    org_fields: dict[str, Any],
    owner_email: str | None,
    scopes: list[str],
    payment_methods: dict[str, bool],
) -> tuple[Relation, Organisation, Invitation | None]:
    """A new organisation following `master`. A person creating it becomes its owner; an app or
    key must name an owner, who is invited (`owner_email`, also allowed for people)."""
    inherited, methods = check_scopes(scopes), check_methods(payment_methods)
    owner_id = principal.account_id if principal.is_user else None
    if owner_id is None and owner_email is None:
        raise ValidationFailed.field(
            "owner_email", "Required when an app or API key creates the organisation"
        )
    await _check_shape(session, master.id, None)
    fields = dict(org_fields)
    follower = await service.create_org(
        session, owner_id, name=fields.pop("name"), slug=fields.pop("slug", None), **fields
    )
    relation = Relation(
        master_org_id=master.id,
        follower_org_id=follower.id,
        origin="created",
        status="active",
        scopes=inherited,
        payment_methods=methods,
        created_by_account_id=principal.account_id,
        accepted_at=clock.now(),
    )
    session.add(relation)
    await session.flush()
    invitation = None
    if owner_email is not None:
        invitation = await invitations.invite(
            session, principal, follower, email=owner_email, role="owner", check_grant=False
        )
    return relation, follower, invitation


async def link_follower(
    session: AsyncSession,
    principal: Principal,
    master: Organisation,
    follower_public_id: uuid.UUID,
    *,
    scopes: list[str],
    payment_methods: dict[str, bool],
) -> tuple[Relation, Organisation]:
    """Propose that an existing organisation follows `master`; its owners are told by e-mail."""
    inherited, methods = check_scopes(scopes), check_methods(payment_methods)
    follower = await session.scalar(
        select(Organisation).where(Organisation.public_id == follower_public_id)
    )
    if follower is None:
        raise ValidationFailed.field("follower_id", "No such organisation")
    await _check_shape(session, master.id, follower.id)
    relation = Relation(
        master_org_id=master.id,
        follower_org_id=follower.id,
        origin="linked",
        status="pending",
        scopes=[],
        proposed_scopes=inherited,
        payment_methods=methods,
        created_by_account_id=principal.account_id,
    )
    session.add(relation)
    await session.flush()
    await _tell_owners(session, master, follower, inherited)
    return relation, follower


async def _tell_owners(
    session: AsyncSession, master: Organisation, follower: Organisation, scopes: list[str]
) -> None:
    owners = await session.scalars(
        select(Account.email)
        .join(Membership, Membership.account_id == Account.id)
        .where(
            Membership.org_id == follower.id,
            Membership.role == "owner",
            Membership.enabled,
            Account.email.is_not(None),
        )
    )
    for email in owners:
        delivery.email(
            session,
            to=email,
            subject=f"{master.name} asks to become the master of {follower.name}",
            text=(
                f"{master.name} asks to become the master organisation of {follower.name}.\n\n"
                f"Its team would be able to: {', '.join(scopes) or 'nothing yet'}.\n\n"
                "Nothing changes unless an owner of your organisation accepts "
                f"(POST /v1/orgs/{follower.public_id}/master/accept).\n"
            ),
        )


async def update(session: AsyncSession, relation: Relation, changes: dict[str, Any]) -> Relation:
    """Narrowing applies at once; widening a linked follower waits for its owner (module doc)."""
    if changes.get("payment_methods") is not None:
        relation.payment_methods = check_methods(changes["payment_methods"])
    if changes.get("scopes") is None:
        return relation
    wanted = check_scopes(changes["scopes"])
    before = set(relation.scopes)
    if relation.origin == "created":
        relation.scopes, relation.proposed_scopes = wanted, None
    elif relation.status == "pending":
        relation.proposed_scopes = wanted
    else:
        relation.scopes = sorted(set(relation.scopes) & set(wanted))
        relation.proposed_scopes = None if set(wanted) <= set(relation.scopes) else wanted
    if relation.status == "active" and not before <= set(relation.scopes):
        await _recheck_inherited(session, relation)
    return relation


async def accept(session: AsyncSession, relation: Relation) -> Relation:
    if relation.proposed_scopes is None:
        raise Conflict("There is nothing to accept: no proposal is waiting")
    if relation.status == "pending":
        # The shape may have changed since the proposal (the master took a master meanwhile).
        if await session.scalar(
            select(Relation.id).where(
                or_(
                    Relation.follower_org_id == relation.master_org_id,
                    Relation.master_org_id == relation.follower_org_id,
                )
            )
        ):
            raise Conflict("Accepting would chain masters; relations are one level deep")
        relation.status = "active"
    relation.scopes = check_scopes(relation.proposed_scopes)
    relation.proposed_scopes = None
    relation.accepted_at = clock.now()
    return relation


async def remove(session: AsyncSession, relation: Relation) -> None:
    if relation.status == "active":
        await _recheck_inherited(session, relation)
    await session.delete(relation)


async def _recheck_inherited(session: AsyncSession, relation: Relation) -> None:
    """What the master's team and credentials reached on the follower through the relation ends
    or narrows: their open private and presence subscriptions, and every one on the follower's
    own channels (apps and keys hold no account), are re-checked once this commits."""
    realtime.recheck_after_commit(
        session,
        accounts=await session.scalars(
            select(Account.public_id)
            .join(Membership, Membership.account_id == Account.id)
            .where(Membership.org_id == relation.master_org_id)
        ),
    )
    follower = await session.get(Organisation, relation.follower_org_id)
    assert follower is not None
    for kind in ("private-org.", "presence-org."):
        realtime.recheck_after_commit(session, channel=f"{kind}{follower.public_id}")


Master = aliased(Organisation)
Follower = aliased(Organisation)


async def _with_orgs(
    session: AsyncSession, *conditions: Any
) -> list[tuple[Relation, Organisation, Organisation]]:
    rows = await session.execute(
        select(Relation, Master, Follower)
        .join(Master, Master.id == Relation.master_org_id)
        .join(Follower, Follower.id == Relation.follower_org_id)
        .where(*conditions)
        .order_by(Relation.id)
    )
    return [(r, m, f) for r, m, f in rows]


async def followers(
    session: AsyncSession, master_id: int
) -> Sequence[tuple[Relation, Organisation, Organisation]]:
    return await _with_orgs(session, Relation.master_org_id == master_id)


async def of_follower(
    session: AsyncSession, master_id: int, follower_public_id: uuid.UUID
) -> tuple[Relation, Organisation, Organisation]:
    rows = await _with_orgs(
        session, Relation.master_org_id == master_id, Follower.public_id == follower_public_id
    )
    if not rows:
        raise NotFound("That organisation is not a follower of this one")
    return rows[0]


async def master_of(
    session: AsyncSession, follower_id: int
) -> tuple[Relation, Organisation, Organisation]:
    rows = await _with_orgs(session, Relation.follower_org_id == follower_id)
    if not rows:
        raise NotFound("This organisation has no master")
    return rows[0]


async def payment_methods(session: AsyncSession, follower_id: int) -> dict[str, bool] | None:
    """The master's payment-method decisions for an active follower (None: no master)."""
    relation = await service.active_master(session, follower_id)
    return dict(relation.payment_methods) if relation is not None else None


async def master_may_act_for(session: AsyncSession, master_org_id: int, account_id: int) -> bool:
    """For identity's impersonation of team members: only when every team the account is on
    belongs to an active follower of this master whose relation passes on `org.impersonate`
    (acting as them must reach nothing the master was not given)."""
    teams = set(
        await session.scalars(select(Membership.org_id).where(Membership.account_id == account_id))
    )
    if not teams:
        return False
    granting = await session.scalars(
        select(Relation).where(
            Relation.master_org_id == master_org_id,
            Relation.status == "active",
            Relation.follower_org_id.in_(teams),
        )
    )
    return {r.follower_org_id for r in granting if "org.impersonate" in r.scopes} == teams
