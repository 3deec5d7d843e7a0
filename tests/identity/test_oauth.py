"""The token endpoint with real clients: authlib fetches and refreshes tokens; PyJWT verifies
them from /.well-known/jwks.json alone. Rotation, reuse detection, revocation, brute force."""

from __future__ import annotations

import base64
import time

import httpx
import jwt
import pytest
from anyio import to_thread
from authlib.integrations.httpx_client import AsyncOAuth2Client

from livehouse.core import clock
from livehouse.identity import tokens
from tests.support.auth import PASSWORD, create_app, create_org, login, register, signed_up


async def test_authlib_obtains_and_refreshes_tokens(
    live_client: httpx.AsyncClient, live_server: str
) -> None:
    owner = await signed_up(live_client, "owner")
    org = await create_org(live_client, owner)
    mobile = await create_app(
        live_client, owner, org["id"], confidential=False, grant_types=["password", "refresh_token"]
    )
    person = await register(live_client)
    async with AsyncOAuth2Client(
        client_id=mobile["client_id"],
        token_endpoint=f"{live_server}/v1/oauth/token",
        token_endpoint_auth_method="none",
    ) as oauth:
        first = await oauth.fetch_token(
            username=person.email, password=PASSWORD, grant_type="password"
        )
        assert first["token_type"] == "Bearer" and first["expires_in"] == 900
        assert "me.read" in first["scope"].split()
        me = await oauth.get(f"{live_server}/v1/me")
        assert me.status_code == 200 and me.json()["email"] == person.email

        second = await oauth.refresh_token(
            f"{live_server}/v1/oauth/token", refresh_token=first["refresh_token"]
        )
        assert second["access_token"] != first["access_token"]
        assert second["refresh_token"] != first["refresh_token"]
        assert (await oauth.get(f"{live_server}/v1/me")).status_code == 200


async def test_pyjwt_verifies_access_tokens_from_the_jwks_alone(
    live_client: httpx.AsyncClient, live_server: str
) -> None:
    person = await login(live_client, await register(live_client))
    jwks_client = jwt.PyJWKClient(f"{live_server}/.well-known/jwks.json")
    signing_key = await to_thread.run_sync(
        jwks_client.get_signing_key_from_jwt, person.access_token
    )
    claims = jwt.decode(
        person.access_token,
        signing_key.key,
        algorithms=["RS256"],
        audience="livehouse",
        issuer="http://testserver",
    )
    assert claims["sub"] == person.id and claims["kind"] == "user"
    assert jwt.get_unverified_header(person.access_token)["typ"] == "at+jwt"
    tampered = person.access_token[:-4] + (
        "AAAA" if not person.access_token.endswith("AAAA") else "BBBB"
    )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, signing_key.key, algorithms=["RS256"], audience="livehouse")
    assert (
        await live_client.get("/v1/me", headers={"Authorization": f"Bearer {tampered}"})
    ).status_code == 401


async def test_oauth_errors_follow_rfc_6749(client: httpx.AsyncClient) -> None:
    person = await register(client)
    wrong = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "password", "username": person.email, "password": "wrong password!"},
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert wrong.headers["cache-control"] == "no-store"
    unknown = await client.post("/v1/oauth/token", data={"grant_type": "magic"})
    assert unknown.json()["error"] == "unsupported_grant_type"
    missing = await client.post("/v1/oauth/token", data={"grant_type": "password"})
    assert missing.json()["error"] == "invalid_request"
    scope = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "password",
            "username": person.email,
            "password": PASSWORD,
            "scope": "me.read time.travel",
        },
    )
    assert scope.json()["error"] == "invalid_scope"
    narrow = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "password",
            "username": person.email,
            "password": PASSWORD,
            "scope": "me.read",
        },
    )
    assert narrow.json()["scope"] == "me.read"
    token = narrow.json()["access_token"]
    denied = await client.patch(
        "/v1/me", json={"full_name": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert denied.status_code == 403 and denied.json()["missing_scopes"] == ["me.write"]


async def test_reusing_a_rotated_refresh_token_revokes_the_family(
    client: httpx.AsyncClient,
) -> None:
    person = await login(client, await register(client))
    stolen = person.refresh_token
    rotated = await client.post(
        "/v1/oauth/token", data={"grant_type": "refresh_token", "refresh_token": stolen}
    )
    assert rotated.status_code == 200
    legitimate_next = rotated.json()["refresh_token"]

    replay = await client.post(
        "/v1/oauth/token", data={"grant_type": "refresh_token", "refresh_token": stolen}
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert "already used" in replay.json()["error_description"]
    # The whole family is gone, including the token the legitimate client holds now.
    after = await client.post(
        "/v1/oauth/token", data={"grant_type": "refresh_token", "refresh_token": legitimate_next}
    )
    assert after.status_code == 400
    # A separate sign-in (another family) is unaffected.
    await login(client, person)


async def test_revocation_ends_the_session(client: httpx.AsyncClient) -> None:
    person = await login(client, await register(client))
    revoked = await client.post("/v1/oauth/revoke", data={"token": person.refresh_token})
    assert revoked.status_code == 200
    again = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": person.refresh_token},
    )
    assert again.status_code == 400
    unknown = await client.post("/v1/oauth/revoke", data={"token": "lhr_nothing"})
    assert unknown.status_code == 200  # RFC 7009: unknown tokens are not an error


async def test_expired_access_tokens_are_refused(client: httpx.AsyncClient) -> None:
    person = await register(client)
    long_ago = clock.OffsetClock()
    long_ago.advance(hours=-2)
    with clock.use(long_ago):
        await login(client, person)
    response = await client.get("/v1/me", headers=person.headers)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_an_accepted_token_is_refused_once_it_expires(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Verified tokens are remembered until they expire: the memory must not outlive the token.
    person = await signed_up(client, "expiring")
    assert (await client.get("/v1/me", headers=person.headers)).status_code == 200
    with monkeypatch.context() as later:
        later.setattr(tokens, "_wall", lambda: time.time() + 3 * 3600)
        response = await client.get("/v1/me", headers=person.headers)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    again = await client.get("/v1/me", headers=person.headers)
    assert again.status_code == 200, again.text


async def test_client_credentials_act_for_the_organisation(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"])
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    response = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "refresh_token" not in body
    assert "me.read" not in body["scope"].split(), "an app acting as itself has no person"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["kind"] == "client" and claims["org"] == org["id"]
    apps = await client.get(
        f"/v1/orgs/{org['id']}/apps", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert apps.status_code == 200
    assert (
        await client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    ).status_code == 403

    bad = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": "lhs_wrong",
        },
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    no_secret = await client.post(
        "/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": app["client_id"]}
    )
    assert no_secret.status_code == 401


async def test_user_tokens_through_an_app_carry_its_organisation(
    client: httpx.AsyncClient,
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(
        client,
        owner,
        org["id"],
        confidential=False,
        grant_types=["password", "refresh_token"],
        scopes=["me.read"],
    )
    assert app["client_secret"] is None
    fan = await register(client)
    response = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "password",
            "username": fan.email,
            "password": PASSWORD,
            "client_id": app["client_id"],
        },
    )
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["org"] == org["id"] and claims["client_id"] == app["client_id"]
    assert claims["scope"] == "me.read"
    wider = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "password",
            "username": fan.email,
            "password": PASSWORD,
            "client_id": app["client_id"],
            "scope": "me.write",
        },
    )
    assert wider.json()["error"] == "invalid_scope"
    not_allowed = await client.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": "x",
        },
    )
    assert not_allowed.status_code in (400, 401)
    refresh_elsewhere = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": response.json()["refresh_token"]},
    )
    assert refresh_elsewhere.json()["error"] == "invalid_grant"  # bound to its client


async def test_password_guessing_is_stopped(client: httpx.AsyncClient) -> None:
    person = await register(client)
    for _ in range(10):
        wrong = await client.post(
            "/v1/oauth/token",
            data={
                "grant_type": "password",
                "username": person.email,
                "password": "guess guess guess",
            },
        )
        assert wrong.status_code == 400
    locked = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "password", "username": person.email, "password": PASSWORD},
    )
    assert locked.status_code == 429, "locked even with the right password"
    assert int(locked.headers["retry-after"]) >= 1
    other = await register(client)
    assert (
        await client.post(
            "/v1/oauth/token",
            data={"grant_type": "password", "username": other.email, "password": PASSWORD},
        )
    ).status_code == 200, "other accounts are not affected"


async def test_discovery_documents(client: httpx.AsyncClient) -> None:
    meta = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert meta["token_endpoint"] == "http://testserver/v1/oauth/token"
    assert "client_credentials" in meta["grant_types_supported"]
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in keys)
    scopes = {s["name"] for s in (await client.get("/v1/scopes")).json()}
    assert {"me.read", "org.apps"} <= scopes
