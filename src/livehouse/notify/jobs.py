"""Outbox handlers delivering queued messages (at least once; Message-ID / Idempotency-Key
derived from the job let receivers drop duplicates)."""

from __future__ import annotations

from livehouse.core import outbox
from livehouse.notify import transports
from livehouse.notify.delivery import EMAIL_TOPIC, SMS_TOPIC


@outbox.handler(EMAIL_TOPIC)
async def deliver_email(job: outbox.Job) -> None:
    settings = job.runtime.settings
    await transports.send_email(settings, transports.build_email(settings, job.payload, job.id))


@outbox.handler(SMS_TOPIC)
async def deliver_sms(job: outbox.Job) -> None:
    await transports.send_sms(job.runtime.settings, job.payload["to"], job.payload["text"], job.id)
