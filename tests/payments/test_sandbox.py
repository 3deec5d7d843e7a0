"""The sandbox provider: test cards, the OTP challenge through the outbox, declines, bad input."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.payments import service
from livehouse.payments.models import Payment
from tests.support.auth import signed_up
from tests.support.messages import Mailbox, SmsGateway, code_in, text_of
from tests.support.payments import new_payment

CARD = {"exp_month": 12, "exp_year": 2030, "cvc": "123"}


def card(number: str, **changes: object) -> dict:
    return {"card": {"number": number, **CARD, **changes}}


async def test_frictionless_card(client: httpx.AsyncClient, runtime: Runtime) -> None:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer)
    paid = await client.post(
        f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card("4242 4242 4242 4242")
    )
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["status"] == "succeeded" and body["card_last4"] == "4242"
    assert body["card_brand"] == "visa" and body["challenge"] is None
    async with unit_of_work(runtime.database, write=False) as s:
        row = await s.scalar(select(Payment))
        stored = " ".join(str(getattr(row, c.key)) for c in Payment.__table__.columns)
    assert "4242424242424242" not in stored, "the card number is never stored"
    again = await client.post(
        f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card("4242424242424242")
    )
    assert again.status_code == 409, "a paid payment cannot be paid twice"


async def test_otp_challenge_flow(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox, sms_inbox: SmsGateway
) -> None:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer, phone="+2348031234885")
    started = await client.post(
        f"/v1/payments/{payment_id}/card",
        headers=payer.headers,
        json=card("4000000000003220", pin="1225"),
    )
    body = started.json()
    assert body["status"] == "requires_action"
    local = payer.email.split("@")[0][:3]
    assert body["challenge"]["sent_to"] == f"********885 and {local}***@example.com"
    message = await mailbox.wait_for(runtime, to=payer.email, subject="payment code")
    code = code_in(text_of(message))
    assert code in (await sms_inbox.wait_for(runtime, to="+2348031234885"))["text"]

    wrong = "000000" if code != "000000" else "111111"
    rejected = await client.post(
        f"/v1/payments/{payment_id}/challenge", headers=payer.headers, json={"code": wrong}
    )
    assert rejected.status_code == 422 and rejected.json()["errors"][0]["field"] == "code"
    async with unit_of_work(runtime.database, write=False) as s:
        assert (await s.scalar(select(Payment.challenge_attempts))) == 1, "the attempt stuck"
    ok = await client.post(
        f"/v1/payments/{payment_id}/challenge", headers=payer.headers, json={"code": code}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "succeeded"
    replay = await client.post(
        f"/v1/payments/{payment_id}/challenge", headers=payer.headers, json={"code": code}
    )
    assert replay.status_code == 409, "a code works once"


async def test_challenge_expiry_resend_and_guessing(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer)
    await client.post(
        f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card("5399412033332003")
    )  # any other valid card: challenged
    first = code_in(text_of(await mailbox.wait_for(runtime, to=payer.email, subject="code")))
    later = clock.OffsetClock()
    later.advance(minutes=11)
    with clock.use(later):
        expired = await client.post(
            f"/v1/payments/{payment_id}/challenge", headers=payer.headers, json={"code": first}
        )
        assert expired.status_code == 422 and "expired" in expired.json()["detail"]
        resent = await client.post(
            f"/v1/payments/{payment_id}/challenge/resend", headers=payer.headers
        )
        assert resent.status_code == 200
        second = code_in(
            text_of(await mailbox.wait_for(runtime, to=payer.email, subject="code", count=2))
        )
    statuses = []
    for guess in ("000001", "000002", "000003", "000004", "000005", "000006"):
        if guess == second:
            continue
        statuses.append(
            (
                await client.post(
                    f"/v1/payments/{payment_id}/challenge",
                    headers=payer.headers,
                    json={"code": guess},
                )
            ).status_code
        )
    assert statuses[:5] == [422] * 5 and statuses[5:] and statuses[5] == 429
    locked = await client.post(
        f"/v1/payments/{payment_id}/challenge", headers=payer.headers, json={"code": second}
    )
    assert locked.status_code == 429, "guessing locks the challenge for a while"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
        ("4000000000000127", "incorrect_cvc"),
        ("4000000000000119", "processing_error"),
    ],
)
async def test_declines_leave_the_payment_open(
    client: httpx.AsyncClient, runtime: Runtime, number: str, code: str
) -> None:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer)
    declined = await client.post(
        f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card(number)
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "requires_payment_method"
    assert declined.json()["failure_code"] == code
    retried = await client.post(
        f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card("4242424242424242")
    )
    assert retried.json()["status"] == "succeeded" and retried.json()["failure_code"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "4242424242424241"}, "card.number"),
        ({"number": "42424242"}, "card.number"),
        ({"exp_month": 13}, "card.exp_month"),
        ({"exp_year": 2020}, "card.exp_year"),
        ({"cvc": "12a"}, "card.cvc"),
        ({"pin": "12"}, "card.pin"),
    ],
)
async def test_bad_card_details(
    client: httpx.AsyncClient, runtime: Runtime, changes: dict, field: str
) -> None:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer)
    body = {"card": {"number": "4242424242424242", **CARD, **changes}}
    response = await client.post(
        f"/v1/payments/{payment_id}/card", headers=payer.headers, json=body
    )
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}
    state = await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)
    assert state.json()["status"] == "requires_payment_method"


async def test_only_the_payer_sees_a_payment(client: httpx.AsyncClient, runtime: Runtime) -> None:
    payer, other = await signed_up(client), await signed_up(client)
    payment_id = await new_payment(runtime, payer)
    assert (
        await client.get(f"/v1/payments/{payment_id}", headers=other.headers)
    ).status_code == 404
    assert (
        await client.post(
            f"/v1/payments/{payment_id}/card", headers=other.headers, json=card("4242424242424242")
        )
    ).status_code == 404
    assert (await client.get(f"/v1/payments/{payment_id}")).status_code == 401
    mine = await client.get("/v1/me/payments", headers=payer.headers)
    assert [p["id"] for p in mine.json()["items"]] == [payment_id]
    assert (await client.get("/v1/me/payments", headers=other.headers)).json()["items"] == []


async def test_free_payments_succeed_without_a_provider(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    payer = await signed_up(client)
    payment_id = await new_payment(runtime, payer, amount=0)
    state = (await client.get(f"/v1/payments/{payment_id}", headers=payer.headers)).json()
    assert state["status"] == "succeeded" and state["provider"] is None


async def test_status_hooks_run_in_the_same_transaction(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seen: list[tuple[str, str]] = []

    async def record(session, payment, old):
        seen.append((old, payment.status))

    service.on_status("hooked", record)
    try:
        payer = await signed_up(client)
        payment_id = await new_payment(runtime, payer, purpose="hooked")
        await client.post(
            f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card("4000000000000002")
        )
        await client.post(
            f"/v1/payments/{payment_id}/card", headers=payer.headers, json=card("4242424242424242")
        )
    finally:
        service._handlers.pop("hooked")
    assert seen == [("requires_payment_method", "succeeded")], "a decline is not a change"
