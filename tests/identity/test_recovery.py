"""Forgotten passwords (link token or code), deactivation and reactivation."""

from __future__ import annotations

import httpx

from livehouse.core import clock
from livehouse.core.runtime import Runtime
from tests.identity.flows import code_mailed, field_of, mail_text, me, nothing_mailed_to, token_in
from tests.support.auth import PASSWORD, Person, login, register, token, unique_email
from tests.support.messages import Mailbox

SUBJECT = "Reset your password"
NEW_PASSWORD = "a brand new passphrase 77"


async def forgot(client: httpx.AsyncClient, email: str, method: str = "link") -> httpx.Response:
    return await client.post("/v1/accounts/password-reset", json={"email": email, "method": method})


async def test_forgot_password_never_reveals_whether_an_account_exists(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await register(client)
    stranger = unique_email()
    unknown, known = await forgot(client, stranger), await forgot(client, person.email)
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    assert await nothing_mailed_to(mailbox, runtime, stranger)
    assert "token=" in await mail_text(mailbox, runtime, person.email, SUBJECT)
    bad = await client.post(
        "/v1/accounts/password-reset", json={"email": person.email, "method": "sms"}
    )
    assert field_of(bad) == "method"


async def test_reset_by_link_sets_the_password_once_and_ends_every_session(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await register(client)
    earlier = clock.OffsetClock()
    earlier.advance(seconds=-10)
    with clock.use(earlier):  # a session opened before the reset
        await login(client, person)
    assert (await forgot(client, person.email)).status_code == 202
    reset_token = token_in(await mail_text(mailbox, runtime, person.email, SUBJECT))

    weak = await client.post(
        "/v1/accounts/password-reset/confirm", json={"token": reset_token, "password": "1234"}
    )
    assert field_of(weak) == "password"  # and the token is still good:
    done = await client.post(
        "/v1/accounts/password-reset/confirm",
        json={"token": reset_token, "password": NEW_PASSWORD},
    )
    assert done.status_code == 200, done.text

    assert (await client.get("/v1/me", headers=person.headers)).status_code == 401
    refreshed = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": person.refresh_token},
    )
    assert refreshed.status_code == 400
    assert (await token(client, person.email, PASSWORD)).status_code == 400
    assert (await token(client, person.email, NEW_PASSWORD)).status_code == 200

    reused = await client.post(
        "/v1/accounts/password-reset/confirm",
        json={"token": reset_token, "password": "yet another passphrase 12"},
    )
    assert field_of(reused) == "token"
    assert (await token(client, person.email, NEW_PASSWORD)).status_code == 200


async def test_reset_by_code_with_email(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await login(client, await register(client))
    await forgot(client, person.email, "code")
    code = await code_mailed(mailbox, runtime, person.email, SUBJECT)
    wrong = await client.post(
        "/v1/accounts/password-reset/confirm",
        json={
            "email": person.email,
            "code": "000000" if code != "000000" else "111111",
            "password": NEW_PASSWORD,
        },
    )
    assert field_of(wrong) == "code"
    assert (await token(client, person.email, PASSWORD)).status_code == 200, "unchanged"

    done = await client.post(
        "/v1/accounts/password-reset/confirm",
        json={"email": person.email, "code": code, "password": NEW_PASSWORD},
    )
    assert done.status_code == 200, done.text
    assert (await token(client, person.email, NEW_PASSWORD)).status_code == 200
    # Receiving the code proved the address.
    fresh = await login(client, Person(person.email, NEW_PASSWORD, person.id))
    assert (await me(client, fresh.headers))["email_verified"] is True


async def test_expired_reset_link_and_code(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    person = await register(client)
    await forgot(client, person.email, "link")
    reset_token = token_in(await mail_text(mailbox, runtime, person.email, SUBJECT))
    await forgot(client, person.email, "code")
    code = await code_mailed(mailbox, runtime, person.email, SUBJECT, count=2)
    later = clock.OffsetClock()
    later.advance(seconds=runtime.settings.reset_link_ttl_seconds + 5)
    with clock.use(later):
        by_link = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"token": reset_token, "password": NEW_PASSWORD},
        )
        by_code = await client.post(
            "/v1/accounts/password-reset/confirm",
            json={"email": person.email, "code": code, "password": NEW_PASSWORD},
        )
    assert field_of(by_link) == "token" and "expired" in by_link.json()["detail"]
    assert field_of(by_code) == "code" and "expired" in by_code.json()["detail"]
    assert (await token(client, person.email, PASSWORD)).status_code == 200


async def test_guessing_reset_codes_is_limited_for_unknown_addresses_too(
    client: httpx.AsyncClient,
) -> None:
    for email in (unique_email(), (await register(client)).email):
        answers = [
            await client.post(
                "/v1/accounts/password-reset/confirm",
                json={"email": email, "code": "123456", "password": NEW_PASSWORD},
            )
            for _ in range(6)
        ]
        assert [a.status_code for a in answers] == [422] * 5 + [429]
        assert int(answers[-1].headers["retry-after"]) >= 1


async def test_reset_tokens_are_limited_per_ip(client: httpx.AsyncClient) -> None:
    statuses = [
        (
            await client.post(
                "/v1/accounts/password-reset/confirm",
                json={"token": f"guess-{n}", "password": NEW_PASSWORD},
            )
        ).status_code
        for n in range(6)
    ]
    assert statuses == [422] * 5 + [429]


async def test_sending_resets_is_rate_limited(client: httpx.AsyncClient) -> None:
    email = unique_email()
    statuses = [(await forgot(client, email)).status_code for _ in range(4)]
    assert statuses == [202, 202, 202, 429]


async def test_deactivate_and_reactivate(client: httpx.AsyncClient) -> None:
    person = await register(client)
    earlier = clock.OffsetClock()
    earlier.advance(seconds=-10)
    with clock.use(earlier):  # token `iat` is whole seconds: open the session a bit earlier
        await login(client, person)
    wrong = await client.post(
        "/v1/me/deactivate", headers=person.headers, json={"password": "not my password"}
    )
    assert field_of(wrong) == "password"
    assert (await me(client, person.headers))["status"] == "active"

    off = await client.post(
        "/v1/me/deactivate", headers=person.headers, json={"password": PASSWORD}
    )
    assert off.status_code == 200, off.text
    assert (await client.get("/v1/me", headers=person.headers)).status_code == 401
    refused = await token(client, person.email, PASSWORD)
    assert refused.status_code == 400 and "deactivated" in refused.json()["error_description"]
    refreshed = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": person.refresh_token},
    )
    assert refreshed.status_code == 400

    bad = await client.post(
        "/v1/accounts/reactivate", json={"email": person.email, "password": "wrong password!"}
    )
    assert field_of(bad) == "password"
    assert (await token(client, person.email, PASSWORD)).status_code == 400

    back = await client.post(
        "/v1/accounts/reactivate", json={"email": person.email, "password": PASSWORD}
    )
    assert back.status_code == 200, back.text
    again = await login(client, Person(person.email, PASSWORD, person.id))
    assert (await me(client, again.headers))["status"] == "active"
    # Tokens from before the deactivation stay dead.
    assert (await client.get("/v1/me", headers=person.headers)).status_code == 401
