"""Registered users of an organisation (search, active filter, pages) and customer accounts
the organisation creates."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.auth import (
    PASSWORD,
    Person,
    add_member,
    create_app,
    create_org,
    signed_up,
    unique_email,
)
from tests.support.auth import token as password_token
from tests.support.messages import Mailbox
from tests.support.orgs import api_key, set_account


async def test_registered_users_search_filter_and_pages(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"])
    people = {}
    for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper"):
        email = unique_email(name.split()[0].lower())
        created = await client.post(
            "/v1/accounts",
            json={
                "email": email,
                "password": PASSWORD,
                "full_name": name,
                "client_id": app["client_id"],
            },
        )
        assert created.status_code == 201, created.text
        people[name] = Person(email=email, password=PASSWORD, id=created.json()["id"])
    await signed_up(client, "not-a-customer")  # registered without the app: not listed
    url = f"/v1/orgs/{org['id']}/customers"

    first = (await client.get(url, params={"limit": 2}, headers=owner.headers)).json()
    assert [c["full_name"] for c in first["items"]] == ["Grace Hopper", "Alan Turing"]
    rest = (
        await client.get(
            url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=owner.headers
        )
    ).json()
    assert [c["full_name"] for c in rest["items"]] == ["Ada Lovelace"] and rest[
        "next_cursor"
    ] is None

    found = await client.get(url, params={"q": "TURING"}, headers=owner.headers)
    assert [c["full_name"] for c in found.json()["items"]] == ["Alan Turing"]
    by_email = await client.get(
        url, params={"q": people["Ada Lovelace"].email[:8]}, headers=owner.headers
    )
    assert [c["full_name"] for c in by_email.json()["items"]] == ["Ada Lovelace"]

    await set_account(runtime, people["Grace Hopper"], status="deactivated")
    active = await client.get(url, params={"active": "true"}, headers=owner.headers)
    assert {c["full_name"] for c in active.json()["items"]} == {"Ada Lovelace", "Alan Turing"}
    inactive = await client.get(url, params={"active": "false"}, headers=owner.headers)
    assert [c["full_name"] for c in inactive.json()["items"]] == ["Grace Hopper"]
    assert inactive.json()["items"][0]["active"] is False
    await set_account(runtime, people["Alan Turing"], status="erased", email=None)
    remaining = await client.get(url, headers=owner.headers)
    assert {c["full_name"] for c in remaining.json()["items"]} == {"Ada Lovelace", "Grace Hopper"}

    one = first["items"][0]
    read = await client.get(f"{url}/{one['id']}", headers=owner.headers)
    assert read.status_code == 200 and read.json()["account_id"] == people["Grace Hopper"].id
    bad_cursor = await client.get(url, params={"cursor": "nonsense"}, headers=owner.headers)
    assert bad_cursor.status_code == 422 and bad_cursor.json()["errors"][0]["field"] == "cursor"


async def test_who_sees_customers(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    url = f"/v1/orgs/{org['id']}/customers"
    assert (await client.get(url, headers=member.headers)).status_code == 403
    key = await api_key(client, owner, org["id"], ["org.customers"])
    assert (await client.get(url, headers=key)).status_code == 200


async def test_the_organisation_creates_a_customer(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, "Paywall Co")
    await client.post(
        f"/v1/orgs/{org['id']}/registration-fields",
        headers=owner.headers,
        json={"name": "club", "label": "Club", "type": "text", "required": True},
    )
    url = f"/v1/orgs/{org['id']}/customers"
    key = await api_key(client, owner, org["id"], ["org.customers"])

    email = unique_email("buyer")
    unknown = await client.post(url, headers=key, json={"email": email, "fields": {"team": "x"}})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "fields.team"
    weak = await client.post(url, headers=key, json={"email": email, "password": "password"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    available = await client.get("/v1/accounts/email-availability", params={"email": email})
    assert available.json()["available"] is True

    # Required fields are the organisation's business here: it may not know the answers.
    created = await client.post(url, headers=key, json={"email": email, "full_name": "B. Uyer"})
    assert created.status_code == 201, created.text
    assert created.json()["source"] == "merchant" and created.json()["fields"] == {}
    notice = await mailbox.wait_for(runtime, to=email, subject="created an account")
    assert "forgot password" in str(notice.get_body())
    assert (await password_token(client, email, PASSWORD)).status_code == 400  # no password yet

    with_password = unique_email("buyer2")
    created = await client.post(
        url,
        headers=owner.headers,
        json={"email": with_password, "password": PASSWORD, "fields": {"club": "Jazz"}},
    )
    assert created.status_code == 201 and created.json()["fields"] == {"club": "Jazz"}
    assert (await password_token(client, with_password, PASSWORD)).status_code == 200
    taken = await client.post(url, headers=key, json={"email": with_password})
    assert taken.status_code == 409
    listed = await client.get(url, headers=owner.headers)
    assert {c["email"] for c in listed.json()["items"]} == {email, with_password}
