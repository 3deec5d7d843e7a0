"""Speakers: invited by e-mail, bound to an account when they accept.

- Adding a speaker sends an invitation whose link carries a random token, stored only as a keyed
  hash. A resend replaces the token (the old link dies) and restarts the expiry; resends are
  rate-limited per speaker, wrong tokens per speaker and IP (SecretGuard).
- Accepting needs that token and a signed-in account whose e-mail is the invited address (the
  token proves the mailbox; the address keeps a forwarded link from binding someone else). The
  token is single use.
- The public sees accepted speakers only (name, title, bio, image); organisers see everyone with
  their e-mail and status.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import clock
from livehouse.core.errors import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from livehouse.core.pagination import OrderKey, PageParams, paginate
from livehouse.core.ratelimit import SecretGuard
from livehouse.core.runtime import current
from livehouse.core.security import constant_time_equals, keyed_hash, random_token
from livehouse.core.validators import email_key
from livehouse.events import lifecycle
from livehouse.events.models import Event, Speaker
from livehouse.identity.auth import Principal
from livehouse.identity.models import Account
from livehouse.notify import delivery

HASH_PURPOSE = "event-speaker"


def _guard() -> SecretGuard:
    runtime = current()
    return SecretGuard(
        runtime.limiter,
        "event-speaker",
        runtime.settings.secret_rate_per_account,
        runtime.settings.login_rate_per_ip,
    )


def status_of(speaker: Speaker) -> str:
    expires = speaker.invite_expires_at
    if speaker.status == "invited" and expires is not None and expires <= clock.now():
        return "expired"
    return speaker.status


async def _send(session: AsyncSession, event: Event, speaker: Speaker) -> None:
    """New token, new expiry, e-mail queued in this transaction (sent after commit)."""
    settings = current().settings
    token = random_token(32)
    speaker.token_hash = keyed_hash(token, HASH_PURPOSE)
    speaker.invite_expires_at = clock.now() + timedelta(
        seconds=settings.events_speaker_invite_ttl_seconds
    )
    speaker.invited_at = clock.now()
    await session.flush()  # the link names the speaker's id
    link = settings.events_speaker_invitation_url.format(
        base_url=settings.base_url.rstrip("/"),
        event_id=event.public_id,
        speaker_id=speaker.public_id,
        token=token,
    )
    delivery.email(
        session,
        to=speaker.email,
        subject=f"You are invited to speak at {event.name}",
        text=(
            f"Hello {speaker.name},\n\nYou are invited to speak at {event.name}.\n\n"
            f"Accept the invitation: {link}\n\n"
            f"Sign in (or sign up) with this address, {speaker.email}, to accept. The link works "
            f"once and expires on {speaker.invite_expires_at:%Y-%m-%d %H:%M} UTC.\n\n"
            "If you were not expecting this, you can ignore this e-mail.\n"
        ),
    )


async def add(session: AsyncSession, event: Event, fields: dict[str, Any]) -> Speaker:
    lifecycle.ensure_editable(event)
    speaker = Speaker(
        event_id=event.id,
        email_normalized=email_key(fields["email"]),
        status="invited",
        sent_count=1,
        **fields,
    )
    try:
        async with session.begin_nested():
            session.add(speaker)
    except IntegrityError as exc:
        raise Conflict(
            "This address is already a speaker of this event",
            extra={"errors": [{"field": "email", "message": "Already a speaker"}]},
        ) from exc
    await _send(session, event, speaker)
    return speaker


async def get(
    session: AsyncSession, event: Event, public_id: uuid.UUID, *, everyone: bool = True
) -> Speaker:
    """`everyone=False` (the public): accepted speakers only."""
    speaker = await session.scalar(
        select(Speaker).where(Speaker.event_id == event.id, Speaker.public_id == public_id)
    )
    if speaker is None or (not everyone and speaker.status != "accepted"):
        raise NotFound("No such speaker")
    return speaker


async def update(event: Event, speaker: Speaker, changes: dict[str, Any]) -> Speaker:
    lifecycle.ensure_editable(event)
    if "name" in changes and changes["name"] is None:
        raise ValidationFailed.field("name", "Cannot be empty")
    for name in ("name", "title", "bio", "image"):
        if name in changes:
            setattr(speaker, name, changes[name])
    return speaker


async def resend(session: AsyncSession, event: Event, speaker: Speaker) -> Speaker:
    lifecycle.ensure_editable(event)
    if speaker.status == "accepted":
        raise Conflict("This speaker has already accepted")
    await current().limiter.hit(
        current().settings.events_speaker_resend_rate,
        "event-speaker-resend",
        str(speaker.id),
        detail="This invitation was resent too often; try again later",
    )
    speaker.sent_count += 1
    await _send(session, event, speaker)
    return speaker


async def accept(
    session: AsyncSession,
    principal: Principal,
    event: Event,
    public_id: uuid.UUID,
    token: str,
    ip: str,
) -> Speaker:
    guard = _guard()
    subject = str(public_id)
    await guard.before(subject, ip)
    speaker = await session.scalar(
        select(Speaker).where(Speaker.event_id == event.id, Speaker.public_id == public_id)
    )
    if speaker is None:
        await guard.failed(subject)
        raise NotFound("No such speaker invitation")
    if speaker.token_hash is None or not constant_time_equals(
        speaker.token_hash, keyed_hash(token, HASH_PURPOSE)
    ):
        await guard.failed(subject)
        raise ValidationFailed.field(
            "token", "This invitation link is not valid: it was used or replaced by a newer one"
        )
    if status_of(speaker) == "expired":
        raise Gone("This invitation has expired; ask the organiser to send it again")
    account = await session.get(Account, principal.account_id)
    if account is None or account.email_normalized != speaker.email_normalized:
        raise Forbidden("This invitation was sent to another e-mail address; sign in with that one")
    speaker.account_id = account.id
    speaker.status = "accepted"
    speaker.accepted_at = clock.now()
    speaker.token_hash = None  # single use
    return speaker


async def remove(session: AsyncSession, event: Event, speaker: Speaker) -> None:
    lifecycle.ensure_editable(event)
    await session.delete(speaker)


async def list_page(
    session: AsyncSession, event: Event, page: PageParams, *, everyone: bool
) -> tuple[list[Speaker], str | None]:
    statement = select(Speaker).where(Speaker.event_id == event.id)
    if not everyone:
        statement = statement.where(Speaker.status == "accepted")
    return await paginate(session, statement, [OrderKey(Speaker.id)], page)


async def to_notify(session: AsyncSession, event_id: int) -> list[tuple[str, str]]:
    """(e-mail, name) of every speaker, invited or accepted — told when the event is cancelled."""
    rows = await session.execute(
        select(Speaker.email, Speaker.name).where(Speaker.event_id == event_id)
    )
    return [(row.email, row.name) for row in rows]
