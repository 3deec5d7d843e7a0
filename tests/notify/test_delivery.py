"""E-mail and SMS leave only after commit, through real receivers, and are retried."""

from __future__ import annotations

from pathlib import Path

import pytest

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.core.settings import Settings
from livehouse.notify import delivery, transports
from tests.support.messages import Mailbox, SmsGateway, text_of
from tests.support.outbox import drain_outbox


async def test_email_goes_out_through_smtp_after_commit(runtime: Runtime, mailbox: Mailbox) -> None:
    async with unit_of_work(runtime.database) as session:
        delivery.email(
            session,
            to="ada@example.com",
            subject="Your code",
            text="Your code is 123456",
            html="<p>Your code is <b>123456</b></p>",
        )
    message = await mailbox.wait_for(runtime, to="ada@example.com", subject="Your code")
    assert text_of(message).strip() == "Your code is 123456"
    assert message["From"] == runtime.settings.mail_from
    assert message["Message-ID"].startswith("<") and "job" in message["Message-ID"]
    assert message.get_body(preferencelist=("html",)) is not None


def test_a_jobs_message_id_is_the_same_on_every_try(runtime: Runtime) -> None:
    payload = {"to": "ada@example.com", "subject": "S", "text": "body"}

    def message_id(job: int) -> str:
        return str(transports.build_email(runtime.settings, payload, job)["Message-ID"])

    assert message_id(41) == message_id(41)  # a retry: receivers can drop the copy
    assert message_id(41) != message_id(42)
    assert message_id(41).startswith("<") and message_id(41).endswith(".job41@livehouse.local>")


async def test_the_mailbox_reads_messages_in_the_order_they_were_queued(
    runtime: Runtime, mailbox: Mailbox
) -> None:
    # The background dispatcher and a test's run_pending can deliver two jobs out of order;
    # tests asking for the n-th message mean the n-th queued (e.g. the second code sent).
    for job in (9002, 9001):
        payload = {"to": "order@example.com", "subject": "Code", "text": f"job {job}"}
        await transports.send_email(
            runtime.settings, transports.build_email(runtime.settings, payload, job)
        )
    first = await mailbox.wait_for(runtime, to="order@example.com", subject="Code", count=1)
    second = await mailbox.wait_for(runtime, to="order@example.com", subject="Code", count=2)
    assert (text_of(first).strip(), text_of(second).strip()) == ("job 9001", "job 9002")


async def test_nothing_is_sent_for_a_rolled_back_transaction(
    runtime: Runtime, mailbox: Mailbox
) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(runtime.database) as session:
            delivery.email(session, to="ghost@example.com", subject="Never", text="x")
            raise RuntimeError("rolled back")
    await drain_outbox(runtime)
    assert mailbox.to("ghost@example.com") == []


async def test_sms_goes_to_the_gateway(runtime: Runtime, sms_inbox: SmsGateway) -> None:
    async with unit_of_work(runtime.database) as session:
        delivery.sms(session, to="+4915112345678", text="Code 654321")
    sent = await sms_inbox.wait_for(runtime, to="+4915112345678")
    assert sent["text"] == "Code 654321"
    assert sent["authorization"] == "Bearer gateway-token"


async def test_file_transports_for_development(tmp_path: Path) -> None:
    settings = Settings(
        mail_url=f"file://{tmp_path}/mail", sms_url=f"file://{tmp_path}/sms", secret_key="x"
    )
    message = transports.build_email(
        settings, {"to": "a@example.com", "subject": "S", "text": "body"}, 7
    )
    await transports.send_email(settings, message)
    await transports.send_sms(settings, "+4915112345678", "hi", 7)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    assert "hi" in next((tmp_path / "sms").glob("*.txt")).read_text()


async def test_unreachable_smtp_is_retried(runtime: Runtime) -> None:
    settings = Settings(mail_url="smtp://127.0.0.1:1", secret_key="x")
    message = transports.build_email(
        settings, {"to": "a@example.com", "subject": "S", "text": "t"}, 1
    )
    with pytest.raises(OSError):  # the outbox turns this into a retry with backoff
        await transports.send_email(settings, message)
