"""Social sign-in against a real local identity provider: OIDC id_tokens checked against its
JWKS (signature, issuer, audience, expiry, nonce), and token introspection for providers
without OIDC."""

from __future__ import annotations

import uuid

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.identity.models import Account, SocialIdentity
from tests.identity.flows import field_of, mail_text, me
from tests.identity.issuer import Issuer, SigningKey
from tests.support.auth import create_app, create_org, register, signed_up, unique_email
from tests.support.messages import Mailbox


def subject() -> str:
    return f"acme-{uuid.uuid4().hex[:12]}"


def bearer(response: httpx.Response) -> dict[str, str]:
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def counts(runtime: Runtime) -> tuple[int, int]:
    async with unit_of_work(runtime.database, write=False) as s:
        accounts = await s.scalar(select(func.count()).select_from(Account))
        identities = await s.scalar(select(func.count()).select_from(SocialIdentity))
        return int(accounts or 0), int(identities or 0)


async def test_sign_up_then_sign_in_with_an_id_token(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    sub, email = subject(), unique_email("social")
    signed = await client.post(
        "/v1/social/acme/sign-up",
        json={"token": issuer.id_token(sub, email=email, name="Sam Social")},
    )
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"].startswith("lhr_")
    assert signed.headers["cache-control"] == "no-store"
    account = await me(client, bearer(signed))
    assert account["email"] == email and account["email_verified"] is True
    assert account["full_name"] == "Sam Social"
    linked = await client.get("/v1/me/social", headers=bearer(signed))
    assert [(i["provider"], i["subject"]) for i in linked.json()] == [("acme", sub)]

    again = await client.post("/v1/social/acme/sign-up", json={"token": issuer.id_token(sub)})
    assert again.status_code == 409
    signed_in = await client.post("/v1/social/acme/sign-in", json={"token": issuer.id_token(sub)})
    assert signed_in.status_code == 200, signed_in.text
    assert (await me(client, bearer(signed_in)))["id"] == account["id"]
    unknown = await client.post(
        "/v1/social/acme/sign-in", json={"token": issuer.id_token(subject())}
    )
    assert unknown.status_code == 404
    assert issuer.jwks_fetches == 1, "the provider's keys are cached"


async def test_a_verified_email_joins_the_existing_account_an_unverified_one_does_not(
    client: httpx.AsyncClient, runtime: Runtime, issuer: Issuer
) -> None:
    person = await register(client)
    unverified = issuer.id_token(subject(), email=person.email, email_verified=False)
    refused = await client.post("/v1/social/acme/sign-up", json={"token": unverified})
    assert refused.status_code == 409
    assert refused.json()["errors"] == [{"field": "email", "message": "Already taken"}]
    no_sign_in = await client.post("/v1/social/acme/sign-in", json={"token": unverified})
    assert no_sign_in.status_code == 404
    assert await counts(runtime) == (1, 0)

    verified = issuer.id_token(subject(), email=person.email.upper())
    joined = await client.post("/v1/social/acme/sign-up", json={"token": verified})
    assert joined.status_code == 200, joined.text
    assert (await me(client, bearer(joined)))["id"] == person.id
    assert await counts(runtime) == (1, 1)


async def test_sign_in_by_verified_email_links_the_identity(
    client: httpx.AsyncClient, runtime: Runtime, issuer: Issuer
) -> None:
    person = await register(client)
    sub = subject()
    first = await client.post(
        "/v1/social/acme/sign-in", json={"token": issuer.id_token(sub, email=person.email)}
    )
    assert first.status_code == 200, first.text
    # From now on the identity alone is enough, whatever e-mail the provider sends.
    second = await client.post("/v1/social/acme/sign-in", json={"token": issuer.id_token(sub)})
    assert (await me(client, bearer(second)))["id"] == person.id


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("bad signature", "signature"),
        ("wrong audience", "not issued for this application"),
        ("expired", "expired"),
        ("wrong issuer", "not issued by this provider"),
        ("unknown key", "does not publish"),
        ("not a jwt", "Not a JWT"),
        ("symmetric algorithm", "algorithm"),
    ],
)
async def test_invalid_id_tokens_are_refused_and_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime, issuer: Issuer, case: str, message: str
) -> None:
    sub, email = subject(), unique_email()
    forger = SigningKey()
    token = {
        # same key id, another key: only the signature gives it away
        "bad signature": lambda: issuer.id_token(sub, email=email, key=forger, kid=issuer.key.kid),
        "wrong audience": lambda: issuer.id_token(sub, email=email, audience="someone-else"),
        "expired": lambda: issuer.id_token(sub, email=email, expires_in=-120),
        "wrong issuer": lambda: issuer.id_token(sub, email=email, issuer="https://evil.example"),
        "unknown key": lambda: issuer.id_token(sub, email=email, key=forger),
        "not a jwt": lambda: "definitely-not-a-jwt",
        "symmetric algorithm": lambda: jwt.encode(
            {"sub": sub, "iss": issuer.url, "aud": "livehouse-web"}, "secret" * 8
        ),
    }[case]()
    for path in ("/v1/social/acme/sign-up", "/v1/social/acme/sign-in"):
        response = await client.post(path, json={"token": token})
        assert field_of(response) == "token", response.text
        assert message in response.json()["errors"][0]["message"]
    assert await counts(runtime) == (0, 0)


async def test_nonce_and_unknown_provider(
    client: httpx.AsyncClient, runtime: Runtime, issuer: Issuer
) -> None:
    sub = subject()
    token = issuer.id_token(sub, email=unique_email(), nonce="n-0S6_WzA2Mj")
    mismatch = await client.post(
        "/v1/social/acme/sign-up", json={"token": token, "nonce": "something-else"}
    )
    assert field_of(mismatch) == "nonce"
    unknown = await client.post("/v1/social/nowhere/sign-up", json={"token": token})
    assert unknown.status_code == 404
    assert await counts(runtime) == (0, 0)
    ok = await client.post(
        "/v1/social/acme/sign-up", json={"token": token, "nonce": "n-0S6_WzA2Mj"}
    )
    assert ok.status_code == 201, ok.text
    providers = (await client.get("/v1/social/providers")).json()
    assert providers == [{"name": "acme", "kind": "oidc"}, {"name": "vk", "kind": "introspection"}]


async def test_connect_and_disconnect_never_lock_anyone_out(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    person = await signed_up(client)
    sub = subject()
    connected = await client.post(
        "/v1/me/social/acme", headers=person.headers, json={"token": issuer.id_token(sub)}
    )
    assert connected.status_code == 201, connected.text
    assert connected.json()["provider"] == "acme" and connected.json()["subject"] == sub
    idempotent = await client.post(
        "/v1/me/social/acme", headers=person.headers, json={"token": issuer.id_token(sub)}
    )
    assert idempotent.status_code == 201
    second = await client.post(
        "/v1/me/social/acme", headers=person.headers, json={"token": issuer.id_token(subject())}
    )
    assert second.status_code == 409, "one identity per provider"
    other = await signed_up(client)
    stolen = await client.post(
        "/v1/me/social/acme", headers=other.headers, json={"token": issuer.id_token(sub)}
    )
    assert stolen.status_code == 409

    signed_in = await client.post("/v1/social/acme/sign-in", json={"token": issuer.id_token(sub)})
    assert (await me(client, bearer(signed_in)))["id"] == person.id
    assert (await client.delete("/v1/me/social/acme", headers=person.headers)).status_code == 204
    assert (await client.delete("/v1/me/social/acme", headers=person.headers)).status_code == 404

    # A social-only account keeps its last way in.
    lonely = await client.post(
        "/v1/social/acme/sign-up", json={"token": issuer.id_token(subject(), email=unique_email())}
    )
    refused = await client.delete("/v1/me/social/acme", headers=bearer(lonely))
    assert refused.status_code == 409
    assert len((await client.get("/v1/me/social", headers=bearer(lonely))).json()) == 1


async def test_introspection_provider_without_email_uses_the_given_one_unverified(
    client: httpx.AsyncClient, runtime: Runtime, issuer: Issuer, mailbox: Mailbox
) -> None:
    vk_token = issuer.access_token("4242")
    missing = await client.post("/v1/social/vk/sign-up", json={"token": vk_token})
    assert field_of(missing) == "email"
    email = unique_email("vk")
    signed = await client.post("/v1/social/vk/sign-up", json={"token": vk_token, "email": email})
    assert signed.status_code == 201, signed.text
    account = await me(client, bearer(signed))
    assert account["email"] == email and account["email_verified"] is False
    assert "code" in await mail_text(mailbox, runtime, email, "Confirm your e-mail address")
    back = await client.post("/v1/social/vk/sign-in", json={"token": issuer.access_token("4242")})
    assert (await me(client, bearer(back)))["id"] == account["id"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda i: i.access_token("1", active=False), "not active"),
        (lambda i: i.access_token("1", client_id="another-app"), "not issued for"),
        (lambda i: i.access_token("1", expires_in=-300), "expired"),
        (lambda i: "vk1.a.never-issued", "not active"),
    ],
)
async def test_introspection_refusals(
    client: httpx.AsyncClient, runtime: Runtime, issuer: Issuer, make: object, message: str
) -> None:
    token = make(issuer)  # type: ignore[operator]
    response = await client.post(
        "/v1/social/vk/sign-up", json={"token": token, "email": unique_email()}
    )
    assert field_of(response) == "token" and message in response.json()["detail"]
    assert await counts(runtime) == (0, 0)


async def test_sign_up_through_an_app_confines_tokens_to_its_organisation(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"])
    signed = await client.post(
        "/v1/social/acme/sign-up",
        json={
            "token": issuer.id_token(subject(), email=unique_email()),
            "client_id": app["client_id"],
        },
    )
    assert signed.status_code == 201, signed.text
    claims = jwt.decode(signed.json()["access_token"], options={"verify_signature": False})
    assert claims["org"] == org["id"] and claims["client_id"] == app["client_id"]
    bad = await client.post(
        "/v1/social/acme/sign-in",
        json={"token": issuer.id_token(subject()), "client_id": "no-such-app"},
    )
    assert field_of(bad) == "client_id"


async def test_deactivated_accounts_cannot_sign_in_socially(
    client: httpx.AsyncClient, issuer: Issuer
) -> None:
    person = await signed_up(client)
    sub = subject()
    await client.post(
        "/v1/me/social/acme", headers=person.headers, json={"token": issuer.id_token(sub)}
    )
    await client.post(
        "/v1/me/deactivate", headers=person.headers, json={"password": person.password}
    )
    refused = await client.post("/v1/social/acme/sign-in", json={"token": issuer.id_token(sub)})
    assert refused.status_code == 403 and "deactivated" in refused.json()["detail"]
