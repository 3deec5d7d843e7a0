"""GDPR: the data export (a registry other capabilities add to) and erasure — by the person,
or by a merchant for one of its customers."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from livehouse.core.runtime import Runtime
from livehouse.identity import gdpr
from livehouse.identity.models import Account
from tests.identity.flows import account_row, field_of, mail_text, me
from tests.identity.issuer import Issuer
from tests.support.auth import (
    PASSWORD,
    Person,
    create_app,
    create_org,
    login,
    register,
    signed_up,
    token,
)
from tests.support.messages import Mailbox


async def text_field(
    client: httpx.AsyncClient, owner: Person, org: dict[str, Any], name: str
) -> None:
    """Declare a custom registration field, so customers may answer it."""
    response = await client.post(
        f"/v1/orgs/{org['id']}/registration-fields",
        headers=owner.headers,
        json={"name": name, "label": name.title(), "type": "text"},
    )
    assert response.status_code == 201, response.text


async def export(client: httpx.AsyncClient, person: Person, password: str = PASSWORD) -> Any:
    return await client.post("/v1/me/export", headers=person.headers, json={"password": password})


async def test_export_is_a_download_of_everything_about_me(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox, issuer: Issuer
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, "Shop")
    app = await create_app(client, owner, org["id"])
    await text_field(client, owner, org, "size")
    person = await login(
        client, await register(client, client_id=app["client_id"], fields={"size": "M"})
    )
    await client.post(
        "/v1/me/social/acme", headers=person.headers, json={"token": issuer.id_token("exp-1")}
    )

    wrong = await export(client, person, "not my password")
    assert field_of(wrong) == "password"

    response = await export(client, person)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment;")
    archive = response.json()
    assert archive["format"] == "livehouse-export/1"
    assert archive["account"]["email"] == person.email and archive["account"]["id"] == person.id
    assert [(i["provider"], i["subject"]) for i in archive["social_identities"]] == [
        ("acme", "exp-1")
    ]
    assert len(archive["sessions"]) == 1
    customers = archive["organisations"]["customer_records"]
    assert [(c["organisation"]["name"], c["fields"]) for c in customers] == [
        ("Shop", {"size": "M"})
    ]
    assert archive["organisations"]["memberships"] == []
    assert {e["action"] for e in archive["audit_events"]} == {"social.connected"}
    assert "downloaded" in await mail_text(mailbox, runtime, person.email, "Your data was exported")
    owner_archive = (await export(client, owner)).json()
    assert [m["role"] for m in owner_archive["organisations"]["memberships"]] == ["owner"]


async def test_other_capabilities_add_their_part(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    erased: list[tuple[str, int | None]] = []

    async def notes(session: Any, account: Account) -> list[str]:
        return [f"note about {account.email}"]

    async def forget_notes(session: Any, account: Account, org_id: int | None) -> None:
        erased.append((str(account.public_id), org_id))

    monkeypatch.setitem(gdpr._exporters, "notes", notes)
    monkeypatch.setitem(gdpr._erasers, "notes", forget_notes)
    person = await signed_up(client)
    assert (await export(client, person)).json()["notes"] == [f"note about {person.email}"]
    erase = await client.post("/v1/me/erase", headers=person.headers, json={"password": PASSWORD})
    assert erase.status_code == 200, erase.text
    assert erased == [(person.id, None)]
    with pytest.raises(ValueError, match="reserved"):
        gdpr.register_exporter("account", notes)


async def test_erase_removes_personal_data_and_frees_the_email(
    client: httpx.AsyncClient, runtime: Runtime, mailbox: Mailbox, issuer: Issuer
) -> None:
    person = await signed_up(client, username="erase_me", phone="+4915112345678")
    await client.post(
        "/v1/me/social/acme", headers=person.headers, json={"token": issuer.id_token("er-1")}
    )
    wrong = await client.post(
        "/v1/me/erase", headers=person.headers, json={"password": "not my password"}
    )
    assert field_of(wrong) == "password"
    assert (await me(client, person.headers))["status"] == "active"

    done = await client.post("/v1/me/erase", headers=person.headers, json={"password": PASSWORD})
    assert done.status_code == 200, done.text
    row = await account_row(runtime, person.id)
    assert row.status == "erased" and row.erased_at is not None
    assert (row.email, row.email_normalized, row.username, row.phone) == (None, None, None, None)
    assert (row.full_name, row.date_of_birth, row.password_hash) == (None, None, None)

    assert (await client.get("/v1/me", headers=person.headers)).status_code == 401
    refreshed = await client.post(
        "/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": person.refresh_token},
    )
    assert refreshed.status_code == 400
    assert (await token(client, person.email, PASSWORD)).status_code == 400
    assert "erased" in await mail_text(mailbox, runtime, person.email, "has been erased")

    # The address and the social identity are free for a new account.
    again = await register(client, person.email, username="erase_me")
    assert again.id != person.id
    social = await client.post("/v1/social/acme/sign-in", json={"token": issuer.id_token("er-1")})
    assert social.status_code == 404


async def test_the_last_owner_of_an_organisation_cannot_erase_themselves(
    client: httpx.AsyncClient,
) -> None:
    owner = await signed_up(client, "owner")
    await create_org(client, owner, "Mine")
    refused = await client.post("/v1/me/erase", headers=owner.headers, json={"password": PASSWORD})
    assert refused.status_code == 409 and "last owner" in refused.json()["detail"]
    assert (await me(client, owner.headers))["status"] == "active"


async def test_a_merchant_erases_a_customer_who_deals_only_with_them(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    app = await create_app(client, owner, org["id"])
    customer = await login(client, await register(client, client_id=app["client_id"]))
    url = f"/v1/orgs/{org['id']}/customer-erasures"

    wrong = await client.post(
        url, headers=owner.headers, json={"account_id": customer.id, "password": "nope nope"}
    )
    assert field_of(wrong) == "password"
    stranger = await register(client)
    unknown = await client.post(
        url, headers=owner.headers, json={"account_id": stranger.id, "password": PASSWORD}
    )
    assert unknown.status_code == 404

    done = await client.post(
        url, headers=owner.headers, json={"account_id": customer.id, "password": PASSWORD}
    )
    assert done.status_code == 200 and done.json() == {"scope": "account"}
    assert (await account_row(runtime, customer.id)).status == "erased"
    assert (await client.get("/v1/me", headers=customer.headers)).status_code == 401
    log = (await client.get(f"/v1/orgs/{org['id']}/audit-events", headers=owner.headers)).json()
    assert [e["action"] for e in log["items"]] == ["account.erased"]


async def become_customer(runtime: Runtime, org_id: str, person: Person) -> None:
    """Make `person` a customer of another organisation too (e.g. a purchase there)."""
    from livehouse.core.db import unit_of_work
    from livehouse.identity.service import get_account
    from livehouse.orgs import service as orgs

    async with unit_of_work(runtime.database) as session:
        org = await orgs.get_org(session, uuid.UUID(org_id))
        account = await get_account(session, uuid.UUID(person.id))
        await orgs.register_customer(session, org.id, account.id, {"a": "2"}, source="purchase")


async def test_a_customer_of_several_organisations_is_only_forgotten_by_one(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    shops = []
    for name in ("One", "Two"):
        owner = await signed_up(client, "owner")
        org = await create_org(client, owner, name)
        shops.append((owner, org, await create_app(client, owner, org["id"])))
        await text_field(client, owner, org, "a")
    customer = await login(
        client, await register(client, client_id=shops[0][2]["client_id"], fields={"a": "1"})
    )
    await become_customer(runtime, shops[1][1]["id"], customer)

    owner, org, _ = shops[0]
    done = await client.post(
        f"/v1/orgs/{org['id']}/customer-erasures",
        headers=owner.headers,
        json={"account_id": customer.id, "password": PASSWORD},
    )
    assert done.status_code == 200 and done.json() == {"scope": "organisation"}
    account = await me(client, customer.headers)
    assert account["status"] == "active" and account["email"] == customer.email
    records = (await export(client, customer)).json()["organisations"]["customer_records"]
    assert [(r["organisation"]["name"], r["fields"]) for r in records] == [("Two", {"a": "2"})]
    again = await client.post(
        f"/v1/orgs/{org['id']}/customer-erasures",
        headers=owner.headers,
        json={"account_id": customer.id, "password": PASSWORD},
    )
    assert again.status_code == 404, "no longer this organisation's customer"
