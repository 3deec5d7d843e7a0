"""Queueing messages in the caller's transaction, for the outbox to deliver after commit.

    notify.delivery.email(session, to="a@b.c", subject="…", text="…")
    notify.delivery.sms(session, to="+4915…", text="…")

Nothing is sent for a transaction that rolls back; delivery is retried with backoff. Bodies may
carry one-time codes, so they are never logged.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core import outbox

EMAIL_TOPIC = "email.send"
SMS_TOPIC = "sms.send"


def email(
    session: AsyncSession,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    dedupe_key: str | None = None,
) -> None:
    outbox.enqueue(
        session,
        EMAIL_TOPIC,
        {"to": to, "subject": subject, "text": text, "html": html, "reply_to": reply_to},
        dedupe_key=dedupe_key,
    )


def sms(session: AsyncSession, *, to: str, text: str, dedupe_key: str | None = None) -> None:
    outbox.enqueue(session, SMS_TOPIC, {"to": to, "text": text}, dedupe_key=dedupe_key)
