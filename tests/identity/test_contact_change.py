"""Changing e-mail (code to the new address, notice to the old) and phone (code by SMS)."""

from __future__ import annotations

import httpx

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.identity.flows import PATIENCE, code_mailed, field_of, mail_text, me
from tests.support.auth import PASSWORD, register, signed_up, token, unique_email
from tests.support.messages import Mailbox, code_in
from tests.support.outbox import drain_outbox

NEW_EMAIL = "Confirm your new e-mail address"


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_email_change_is_confirmed_by_a_code_sent_to_the_new_address(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    new = unique_email("new")
    asked = await client.post("/v1/me/email", headers=person.headers, json={"email": new})
    assert asked.status_code == 202, asked.text
    code = await code_mailed(mailbox, runtime, new, NEW_EMAIL)
    notice = await mail_text(mailbox, runtime, person.email, "is being changed")
    assert code not in notice, "the old address gets a notice, never the code"

    wrong = await client.post(
        "/v1/me/email/confirm",
        headers=person.headers,
        json={"email": new, "code": other_than(code)},
    )
    elsewhere = await client.post(
        "/v1/me/email/confirm",
        headers=person.headers,
        json={"email": unique_email("other"), "code": code},
    )
    assert field_of(wrong) == "code" and field_of(elsewhere) == "code"
    assert (await me(client, person.headers))["email"] == person.email

    done = await client.post(
        "/v1/me/email/confirm", headers=person.headers, json={"email": new, "code": code}
    )
    assert done.status_code == 200, done.text
    assert done.json()["email"] == new and done.json()["email_verified"] is True
    assert (await token(client, new, PASSWORD)).status_code == 200
    assert (await token(client, person.email, PASSWORD)).status_code == 400
    free = await client.get("/v1/accounts/email-availability", params={"email": person.email})
    assert free.json()["available"] is True
    reused = await client.post(
        "/v1/me/email/confirm", headers=person.headers, json={"email": new, "code": code}
    )
    assert field_of(reused) == "code"


async def test_email_change_refuses_a_taken_or_unchanged_address(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    other = await register(client)
    taken = await client.post(
        "/v1/me/email", headers=person.headers, json={"email": other.email.upper()}
    )
    assert taken.status_code == 409
    assert taken.json()["errors"] == [{"field": "email", "message": "Already taken"}]
    same = await client.post("/v1/me/email", headers=person.headers, json={"email": person.email})
    assert field_of(same) == "email"
    bad = await client.post("/v1/me/email", headers=person.headers, json={"email": "nope"})
    assert field_of(bad) == "email"
    await drain_outbox(runtime)
    assert not [m for m in mailbox.to(person.email) if "being changed" in str(m["Subject"])]


async def test_an_address_taken_meanwhile_cannot_be_confirmed(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    new = unique_email("race")
    await client.post("/v1/me/email", headers=person.headers, json={"email": new})
    code = await code_mailed(mailbox, runtime, new, NEW_EMAIL)
    await register(client, new)  # someone registers the address before the code comes back
    late = await client.post(
        "/v1/me/email/confirm", headers=person.headers, json={"email": new, "code": code}
    )
    assert late.status_code == 409
    assert (await me(client, person.headers))["email"] == person.email


async def test_phone_change_is_confirmed_by_sms(
    client: httpx.AsyncClient, runtime: Runtime, sms_inbox: object
) -> None:
    person = await signed_up(client)
    phone = "+4915112345678"
    asked = await client.post(
        "/v1/me/phone", headers=person.headers, json={"phone": "+49 151 1234 5678"}
    )
    assert asked.status_code == 202, asked.text
    sms = await sms_inbox.wait_for(runtime, to=phone, timeout=PATIENCE)  # type: ignore[attr-defined]
    code = code_in(sms["text"])

    wrong = await client.post(
        "/v1/me/phone/confirm",
        headers=person.headers,
        json={"phone": phone, "code": other_than(code)},
    )
    assert field_of(wrong) == "code"
    assert (await me(client, person.headers))["phone"] is None

    done = await client.post(
        "/v1/me/phone/confirm", headers=person.headers, json={"phone": phone, "code": code}
    )
    assert done.status_code == 200, done.text
    assert done.json()["phone"] == phone and done.json()["phone_verified"] is True


async def test_bad_and_expired_phone_changes(
    client: httpx.AsyncClient, runtime: Runtime, sms_inbox: object
) -> None:
    person = await signed_up(client)
    bad = await client.post("/v1/me/phone", headers=person.headers, json={"phone": "12345"})
    assert field_of(bad) == "phone"
    phone = "+14155550123"
    await client.post("/v1/me/phone", headers=person.headers, json={"phone": phone})
    sms = await sms_inbox.wait_for(runtime, to=phone, timeout=PATIENCE)  # type: ignore[attr-defined]
    code = code_in(sms["text"])
    later = clock.OffsetClock()
    later.advance(seconds=runtime.settings.otp_ttl_seconds + 5)
    with clock.use(later):
        expired = await client.post(
            "/v1/me/phone/confirm", headers=person.headers, json={"phone": phone, "code": code}
        )
    assert field_of(expired) == "code" and "expired" in expired.json()["errors"][0]["message"]
    assert (await me(client, person.headers))["phone"] is None


async def test_my_account_flows_need_a_person(client: httpx.AsyncClient) -> None:
    routes = [
        "/v1/me/email/verification",
        "/v1/me/email/verify",
        "/v1/me/email",
        "/v1/me/email/confirm",
        "/v1/me/phone",
        "/v1/me/phone/confirm",
        "/v1/me/deactivate",
        "/v1/me/export",
        "/v1/me/erase",
    ]
    for path in routes:
        assert (await client.post(path, json={})).status_code == 401, path
