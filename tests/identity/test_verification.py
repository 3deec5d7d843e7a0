"""E-mail verification (account activation): by code or by link, sent on registration and on
request; single use, expiring, brute-force limited."""

from __future__ import annotations

import httpx

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.identity.flows import (
    code_mailed,
    field_of,
    mail_text,
    me,
    nothing_mailed_to,
    token_in,
)
from tests.support.auth import signed_up, unique_email
from tests.support.messages import Mailbox, code_in

SUBJECT = "Confirm your e-mail address"


async def test_registration_sends_a_code_and_a_link_and_the_code_verifies(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    text = await mail_text(mailbox, runtime, person.email, SUBJECT)
    code, token = code_in(text), token_in(text)
    assert (await me(client, person.headers))["email_verified"] is False

    verified = await client.post("/v1/me/email/verify", headers=person.headers, json={"code": code})
    assert verified.status_code == 200, verified.text
    assert verified.json()["email_verified"] is True

    # Using the code retired the link sent with it, and the code itself is spent.
    link = await client.post("/v1/accounts/verify-email", json={"token": token})
    assert field_of(link) == "token" and "already used" in link.json()["errors"][0]["message"]
    again = await client.post("/v1/me/email/verify", headers=person.headers, json={"code": code})
    assert field_of(again) == "code"


async def test_the_link_token_verifies_once(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    text = await mail_text(mailbox, runtime, person.email, SUBJECT)
    token = token_in(text)
    assert f"{runtime.settings.base_url}/verify-email?token={token}" in text

    ok = await client.post("/v1/accounts/verify-email", json={"token": token})
    assert ok.status_code == 200, ok.text
    assert (await me(client, person.headers))["email_verified"] is True
    reused = await client.post("/v1/accounts/verify-email", json={"token": token})
    assert field_of(reused) == "token"
    forged = await client.post("/v1/accounts/verify-email", json={"token": "x" * 43})
    assert field_of(forged) == "token"


async def test_email_and_code_verify_without_signing_in(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    code = await code_mailed(mailbox, runtime, person.email, SUBJECT)
    nobody = await client.post(
        "/v1/accounts/verify-email", json={"email": unique_email(), "code": code}
    )
    wrong = await client.post(
        "/v1/accounts/verify-email",
        json={"email": person.email, "code": "000000" if code != "000000" else "111111"},
    )
    # An unknown address and a wrong code look the same: no account enumeration.
    assert nobody.json()["errors"] == wrong.json()["errors"]
    assert field_of(wrong) == "code"
    assert (await me(client, person.headers))["email_verified"] is False

    ok = await client.post(
        "/v1/accounts/verify-email", json={"email": person.email.upper(), "code": code}
    )
    assert ok.status_code == 200, ok.text
    assert (await me(client, person.headers))["email_verified"] is True


async def test_verify_needs_token_or_email_and_code(client: httpx.AsyncClient) -> None:
    assert field_of(await client.post("/v1/accounts/verify-email", json={})) == "email"
    only_email = await client.post("/v1/accounts/verify-email", json={"email": unique_email()})
    assert field_of(only_email) == "code"
    both = await client.post(
        "/v1/accounts/verify-email", json={"token": "abc", "email": unique_email(), "code": "1"}
    )
    assert field_of(both) == "token"


async def test_an_expired_code_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    code = await code_mailed(mailbox, runtime, person.email, SUBJECT)
    later = clock.OffsetClock()
    later.advance(seconds=runtime.settings.otp_ttl_seconds + 5)
    with clock.use(later):
        late = await client.post("/v1/me/email/verify", headers=person.headers, json={"code": code})
    assert field_of(late) == "code" and "expired" in late.json()["errors"][0]["message"]
    assert (await me(client, person.headers))["email_verified"] is False


async def test_wrong_codes_are_limited_and_answer_429_with_retry_after(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    code = await code_mailed(mailbox, runtime, person.email, SUBJECT)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):  # secret_rate_per_account: 5/minute
        response = await client.post(
            "/v1/me/email/verify", headers=person.headers, json={"code": wrong}
        )
        assert field_of(response) == "code"
    blocked = await client.post("/v1/me/email/verify", headers=person.headers, json={"code": code})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    assert (await me(client, person.headers))["email_verified"] is False


async def test_a_code_burns_after_five_wrong_tries(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    before = runtime.settings.secret_rate_per_account
    runtime.settings.secret_rate_per_account = "100/minute"  # isolate the per-code limit
    try:
        person = await signed_up(client)
        code = await code_mailed(mailbox, runtime, person.email, SUBJECT)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            await client.post("/v1/me/email/verify", headers=person.headers, json={"code": wrong})
        burnt = await client.post(
            "/v1/me/email/verify", headers=person.headers, json={"code": code}
        )
        assert field_of(burnt) == "code"
        assert (await me(client, person.headers))["email_verified"] is False
    finally:
        runtime.settings.secret_rate_per_account = before


async def test_resend_replaces_the_code_is_rate_limited_and_stops_once_verified(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    first = await code_mailed(mailbox, runtime, person.email, SUBJECT)
    resent = await client.post("/v1/me/email/verification", headers=person.headers)
    assert resent.status_code == 202, resent.text
    second = await code_mailed(mailbox, runtime, person.email, SUBJECT, count=2)
    if first != second:
        old = await client.post("/v1/me/email/verify", headers=person.headers, json={"code": first})
        assert field_of(old) == "code", "a new code replaces the old one"
    for _ in range(2):
        assert (
            await client.post("/v1/me/email/verification", headers=person.headers)
        ).status_code == 202
    limited = await client.post("/v1/me/email/verification", headers=person.headers)
    assert limited.status_code == 429 and "retry-after" in limited.headers

    latest = await code_mailed(mailbox, runtime, person.email, SUBJECT, count=4)
    ok = await client.post("/v1/me/email/verify", headers=person.headers, json={"code": latest})
    assert ok.status_code == 200, ok.text
    await runtime.limiter.reset()
    done = await client.post("/v1/me/email/verification", headers=person.headers)
    assert done.status_code == 409


async def test_anonymous_activation_request_never_reveals_accounts(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await signed_up(client)
    stranger = unique_email()
    unknown = await client.post("/v1/accounts/email-verification", json={"email": stranger})
    known = await client.post("/v1/accounts/email-verification", json={"email": person.email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert await nothing_mailed_to(mailbox, runtime, stranger)
    code = await code_mailed(mailbox, runtime, person.email, SUBJECT, count=2)
    ok = await client.post("/v1/accounts/verify-email", json={"email": person.email, "code": code})
    assert ok.status_code == 200, ok.text
    bad = await client.post("/v1/accounts/email-verification", json={"email": "nope"})
    assert field_of(bad) == "email"
