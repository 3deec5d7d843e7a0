"""Follows, mutes and contact between people and organisations, with their privacy rules.

- Follow a person: refused when their profile is locked or they do not accept followers;
  an organisation: when `orgs.privacy.allows(…, "follow")` says no. Following is idempotent.
  A person who asked to hear about new followers gets an e-mail.
- Who someone follows, and who follows them, is visible to others only if their profile is not
  locked and they allow it; an organisation's followers unless its profile is locked.
- Mute: hides the muted person or organisation from my searches and stops their messages.
- Contact: the message is relayed by e-mail (the recipient's address is never shown; theirs
  is the sender's reply-to). Rate limited per sender; refused by privacy or a mute, with one
  answer for both so a mute is not revealed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import Forbidden, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.runtime import current
from livehouse.identity.models import Account
from livehouse.notify import delivery
from livehouse.orgs import privacy as org_privacy
from livehouse.orgs import service as orgs
from livehouse.orgs.models import Organisation
from livehouse.profiles import privacy, service
from livehouse.profiles.models import Connection


@dataclass(frozen=True, slots=True)
class Target:
    kind: Literal["user", "org"]
    id: int
    public_id: uuid.UUID

    def where(self) -> object:
        if self.kind == "user":
            return Connection.target_account_id == self.id
        return Connection.target_org_id == self.id


async def user_target(session: AsyncSession, public_id: uuid.UUID) -> Target:
    account = await service.active_account(session, public_id)
    return Target("user", account.id, account.public_id)


async def org_target(session: AsyncSession, public_id: uuid.UUID) -> Target:
    org = await orgs.get_org(session, public_id)
    return Target("org", org.id, org.public_id)


async def any_target(session: AsyncSession, public_id: uuid.UUID) -> Target:
    """A person or an organisation by public id (mutes take either, as EventBookings' do)."""
    try:
        return await user_target(session, public_id)
    except NotFound:
        pass
    try:
        return await org_target(session, public_id)
    except NotFound as exc:
        raise NotFound("No such user or organisation") from exc


async def _connection(
    session: AsyncSession, kind: str, account_id: int, target: Target
) -> Connection | None:
    return await session.scalar(
        select(Connection).where(
            Connection.kind == kind, Connection.account_id == account_id, target.where()
        )
    )


async def _connect(
    session: AsyncSession, kind: str, account_id: int, target: Target
) -> tuple[Connection, bool]:
    existing = await _connection(session, kind, account_id, target)
    if existing is not None:
        return existing, False
    row = Connection(
        kind=kind,
        account_id=account_id,
        target_account_id=target.id if target.kind == "user" else None,
        target_org_id=target.id if target.kind == "org" else None,
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same request, twice at once: the other one won
        found = await _connection(session, kind, account_id, target)
        assert found is not None
        return found, False
    return row, True


async def _disconnect(session: AsyncSession, kind: str, account_id: int, target: Target) -> None:
    await session.execute(
        delete(Connection).where(
            Connection.kind == kind, Connection.account_id == account_id, target.where()
        )
    )


def _not_yourself(account_id: int, target: Target, action: str) -> None:
    if target.kind == "user" and target.id == account_id:
        raise ValidationFailed.field("account_id", f"You cannot {action} yourself")


# ---- follows ---------------------------------------------------------------------------------


async def follow(
    session: AsyncSession, follower: Account, target: Target
) -> tuple[Connection, bool]:
    _not_yourself(follower.id, target, "follow")
    if target.kind == "user":
        settings = await service.privacy_of(session, target.id)
        if settings[privacy.LOCK] or not settings[privacy.ALLOW_FOLLOW]:
            raise Forbidden("This person does not accept followers")
    elif not await org_privacy.allows(session, target.id, "follow"):
        raise Forbidden("This organisation does not accept followers")
    row, created = await _connect(session, "follow", follower.id, target)
    if created and target.kind == "user":
        await _tell_about_follower(session, follower, target.id)
    return row, created


async def _tell_about_follower(session: AsyncSession, follower: Account, account_id: int) -> None:
    profile = await service.profile_of(session, account_id)
    if not service.settings(profile, "email_preferences")[privacy.NOTIFY_FOLLOWS]:
        return
    followed = await session.get(Account, account_id)
    if followed is None or not followed.email:
        return
    name = await display_name(session, follower)
    delivery.email(
        session,
        to=followed.email,
        subject=f"{name} is now following you",
        text=f"{name} started following you.\n\n"
        "You get this e-mail because you asked to hear about new followers; "
        "turn it off in your e-mail preferences.",
    )


async def unfollow(session: AsyncSession, follower_id: int, target: Target) -> None:
    await _disconnect(session, "follow", follower_id, target)


async def may_see_follows(session: AsyncSession, viewer_id: int | None, account_id: int) -> bool:
    if viewer_id == account_id:
        return True
    settings = await service.privacy_of(session, account_id)
    if not settings[privacy.LOCK] and settings[privacy.SHOW_FOLLOWINGS]:
        return True
    return viewer_id is not None and await orgs.is_platform_admin(session, viewer_id)


async def _require_visible_follows(
    session: AsyncSession, viewer_id: int | None, account_id: int
) -> None:
    if not await may_see_follows(session, viewer_id, account_id):
        raise Forbidden("This person keeps who they follow, and who follows them, private")


_ORDER = [
    OrderKey(Connection.created_at, descending=True),
    OrderKey(Connection.id, descending=True),
]


async def following(
    session: AsyncSession, viewer_id: int | None, account_id: int, page: PageParams
) -> tuple[list[Connection], str | None]:
    """The people and organisations `account_id` follows."""
    await _require_visible_follows(session, viewer_id, account_id)
    statement = select(Connection).where(
        Connection.kind == "follow", Connection.account_id == account_id
    )
    return await paginate(session, statement, _ORDER, page)


async def followers(
    session: AsyncSession, viewer_id: int | None, target: Target, page: PageParams
) -> tuple[list[Connection], str | None]:
    """Who follows the person or organisation `target`."""
    if target.kind == "user":
        await _require_visible_follows(session, viewer_id, target.id)
    elif not await org_privacy.allows(session, target.id, "profile"):
        on_team = viewer_id is not None and (
            await orgs.membership_of(session, target.id, viewer_id) is not None
            or await orgs.is_platform_admin(session, viewer_id)
        )
        if not on_team:
            raise Forbidden("This organisation keeps its followers private")
    statement = select(Connection).where(Connection.kind == "follow", target.where())
    return await paginate(session, statement, _ORDER, page)


async def counts(session: AsyncSession, account_id: int) -> tuple[int, int]:
    """(how many follow this person, how many people and organisations they follow)."""
    followed_by = await session.scalar(
        select(func.count()).where(
            Connection.kind == "follow", Connection.target_account_id == account_id
        )
    )
    follows = await session.scalar(
        select(func.count()).where(Connection.kind == "follow", Connection.account_id == account_id)
    )
    return int(followed_by or 0), int(follows or 0)


async def relation(session: AsyncSession, viewer_id: int, target: Target) -> dict[str, bool]:
    """How the viewer and the target stand: following, followed by, muted."""
    follows_me = False
    if target.kind == "user":
        me = Target("user", viewer_id, uuid.UUID(int=0))
        follows_me = await _connection(session, "follow", target.id, me) is not None
    return {
        "following": await _connection(session, "follow", viewer_id, target) is not None,
        "follows_me": follows_me,
        "muted": await _connection(session, "mute", viewer_id, target) is not None,
    }


# ---- mutes -----------------------------------------------------------------------------------


async def mute(session: AsyncSession, account_id: int, target: Target) -> tuple[Connection, bool]:
    _not_yourself(account_id, target, "mute")
    return await _connect(session, "mute", account_id, target)


async def unmute(session: AsyncSession, account_id: int, target: Target) -> None:
    await _disconnect(session, "mute", account_id, target)


async def mutes(
    session: AsyncSession, account_id: int, page: PageParams
) -> tuple[list[Connection], str | None]:
    statement = select(Connection).where(
        Connection.kind == "mute", Connection.account_id == account_id
    )
    return await paginate(session, statement, _ORDER, page)


async def muted_account_ids(session: AsyncSession, account_id: int) -> set[int]:
    """The people this account muted — for other capabilities to hide (chat, comments)."""
    rows = await session.scalars(
        select(Connection.target_account_id).where(
            Connection.kind == "mute",
            Connection.account_id == account_id,
            Connection.target_account_id.is_not(None),
        )
    )
    return {row for row in rows if row is not None}


# ---- contact ---------------------------------------------------------------------------------


async def display_name(session: AsyncSession, account: Account) -> str:
    profile = await service.profile_of(session, account.id)
    return (
        (profile.display_name if profile else None)
        or account.full_name
        or account.username
        or "A livehouse user"
    )


def _message_text(sender_name: str, message: str, recipient: str) -> str:
    return (
        f"{sender_name} sent {recipient} this message through livehouse:\n\n{message}\n\n"
        "Reply to this e-mail to answer them. Your own address stays private until you do."
    )


async def _count_attempt(sender: Account) -> None:
    runtime = current()
    await runtime.limiter.hit(
        runtime.settings.profiles_contact_rate,
        "contact",
        f"acct:{sender.id}",
        detail="You have sent too many messages; wait before sending more",
    )


async def contact_user(
    session: AsyncSession, sender: Account, target: Target, subject: str, message: str
) -> None:
    await _count_attempt(sender)
    _not_yourself(sender.id, target, "contact")
    recipient = await session.get(Account, target.id)
    settings = await service.privacy_of(session, target.id)
    muted = await _connection(
        session, "mute", target.id, Target("user", sender.id, sender.public_id)
    )
    if (
        recipient is None
        or not recipient.email
        or settings[privacy.LOCK]
        or not settings[privacy.ALLOW_CONTACT]
        or muted is not None
    ):
        raise Forbidden("This person does not accept messages")
    name = await display_name(session, sender)
    delivery.email(
        session,
        to=recipient.email,
        subject=f"{name}: {subject}",
        text=_message_text(name, message, "you"),
        reply_to=sender.email,
    )


async def contact_org(
    session: AsyncSession, sender: Account, target: Target, subject: str, message: str
) -> None:
    await _count_attempt(sender)
    if not await org_privacy.allows(session, target.id, "contact"):
        raise Forbidden("This organisation does not accept messages")
    org = await session.get(Organisation, target.id)
    assert org is not None
    recipients = [org.email] if org.email else await _owner_addresses(session, org.id)
    if not recipients:
        raise Forbidden("This organisation does not accept messages")
    name = await display_name(session, sender)
    for address in recipients:
        delivery.email(
            session,
            to=address,
            subject=f"{name} to {org.name}: {subject}",
            text=_message_text(name, message, org.name),
            reply_to=sender.email,
        )


async def _owner_addresses(session: AsyncSession, org_id: int) -> Sequence[str]:
    return [
        account.email
        for membership, account in await orgs.members(session, org_id)
        if membership.role == "owner" and membership.enabled and account.email
    ]
