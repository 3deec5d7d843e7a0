"""Billing and payout information: complete addresses, bank details checked with python-stdnum,
encrypted at rest and masked in every response; only org.billing holders touch them."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.orgs import billing
from livehouse.orgs.models import Organisation, PayoutInformation
from tests.support.auth import add_member, create_org, signed_up

ADDRESS = {
    "address_line1": "Suite 910",
    "address_line2": "9 Yarra St",
    "city": "South Yarra",
    "state": "VIC",
    "post_code": "3141",
    "country": "Australia",
}
GERMAN = {
    "account_name": "Blue Note GmbH",
    "bank_name": "Commerzbank",
    "iban": "de89 3704 0044 0532 0130 00",
    "swift_or_bic_code": "COBADEFFXXX",
    "country": "DE",
}


async def test_billing_information_lifecycle(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}/billing-information"
    assert (await client.get(url, headers=owner.headers)).status_code == 404
    body = {
        "first_name": "Masumul",
        "last_name": "Hassan",
        "email": "bill@x.example",
        "address": ADDRESS,
    }
    created = await client.post(url, headers=owner.headers, json=body)
    assert created.status_code == 201, created.text
    assert (
        created.json()["address"]["country"] == "AU" and created.json()["first_name"] == "Masumul"
    )
    assert (await client.post(url, headers=owner.headers, json=body)).status_code == 409
    replaced = await client.put(
        url, headers=owner.headers, json={**body, "company_name": "Web Mascot Pty Ltd"}
    )
    assert replaced.status_code == 200 and replaced.json()["company_name"] == "Web Mascot Pty Ltd"
    assert (await client.get(url, headers=owner.headers)).json()[
        "company_name"
    ] == "Web Mascot Pty Ltd"
    assert (await client.delete(url, headers=owner.headers)).status_code == 204
    assert (await client.get(url, headers=owner.headers)).status_code == 404
    assert (await client.delete(url, headers=owner.headers)).status_code == 404
    upserted = await client.put(url, headers=owner.headers, json=body)
    assert upserted.status_code == 201


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({**ADDRESS, "city": None}, "address.city"),
        ({**ADDRESS, "address_line1": None, "address_line2": None}, "address.address_line1"),
        ({**ADDRESS, "post_code": "99999"}, "address"),
        ({**ADDRESS, "country": "Atlantis"}, "address.country"),
        ({**ADDRESS, "address_line1": "x" * 76}, "address.address_line1"),
    ],
)
async def test_bad_billing_changes_nothing(
    client: httpx.AsyncClient, address: dict, field: str
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}/billing-information"
    await client.put(url, headers=owner.headers, json={"first_name": "Before", "address": ADDRESS})
    response = await client.put(
        url, headers=owner.headers, json={"first_name": "After", "address": address}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get(url, headers=owner.headers)).json()["first_name"] == "Before"


async def test_payout_details_are_encrypted_and_masked(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}/payout-information"
    created = await client.post(url, headers=owner.headers, json=GERMAN)
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["iban"] == "****3000" and shown["account_number"] is None
    assert shown["swift_or_bic_code"] == "COBADEFFXXX" and shown["account_name"] == "Blue Note GmbH"
    assert "370400440532" not in (await client.get(url, headers=owner.headers)).text
    assert (await client.post(url, headers=owner.headers, json=GERMAN)).status_code == 409

    async with unit_of_work(runtime.database, write=False) as session:
        org_id = await session.scalar(
            select(Organisation.id).where(Organisation.public_id == uuid.UUID(org["id"]))
        )
        stored = await session.get(PayoutInformation, org_id)
        assert stored is not None and "DE89" not in stored.details_encrypted
        details = await billing.payout_details(session, org_id)
    assert details is not None and details["iban"] == "DE89370400440532013000"

    us = {
        "account_name": "Blue Note LLC",
        "bank_name": "Chase",
        "account_number": "0001234567",
        "aba_routing": "111000025",
        "country": "US",
    }
    replaced = await client.put(url, headers=owner.headers, json=us)
    assert replaced.status_code == 200 and replaced.json()["account_number"] == "****4567"
    assert replaced.json()["iban"] is None and replaced.json()["aba_routing"] == "111000025"
    assert (await client.delete(url, headers=owner.headers)).status_code == 204
    assert (await client.get(url, headers=owner.headers)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"iban": "DE89 3704 0044 0532 0130 01"}, "iban"),  # checksum
        ({"iban": "GB82 WEST 1234 5698 7654 32"}, "iban"),  # valid, but not German
        ({"swift_or_bic_code": "COBA"}, "swift_or_bic_code"),
        ({"iban": None}, "account_number"),
        ({"account_name": None}, "account_name"),
        ({"bank_name": "x" * 201}, "bank_name"),
        ({"country": "US", "iban": None, "account_number": "12345678"}, "aba_routing"),
        (
            {"country": "US", "iban": None, "account_number": "1234", "aba_routing": "111000026"},
            "aba_routing",
        ),
        ({"country": "AU", "iban": None, "account_number": "12345678"}, "bsb_code"),
        (
            {"country": "AU", "iban": None, "account_number": "123", "bsb_code": "062-000"},
            "account_number",
        ),
        (
            {"country": "AU", "iban": None, "account_number": "12345678", "bsb_code": "62000"},
            "bsb_code",
        ),
        ({"pin": "1234"}, "pin"),
    ],
)
async def test_bad_payout_details_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime, change: dict, field: str
) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    url = f"/v1/orgs/{org['id']}/payout-information"
    await client.put(url, headers=owner.headers, json=GERMAN)
    body = {k: v for k, v in {**GERMAN, **change}.items() if v is not None}
    response = await client.put(url, headers=owner.headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get(url, headers=owner.headers)).json()["iban"] == "****3000"


async def test_australian_details_normalised(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    response = await client.put(
        f"/v1/orgs/{org['id']}/payout-information",
        headers=owner.headers,
        json={
            "account_name": "Web Mascot",
            "bank_name": "CBA",
            "account_number": "1234 5678",
            "bsb_code": "062000",
            "country": "AU",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["bsb_code"] == "062-000"
    assert response.json()["account_number"] == "****5678"


async def test_only_billing_holders(client: httpx.AsyncClient, runtime: Runtime) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner)
    admin = await signed_up(client, "admin")
    await add_member(runtime, org["id"], admin, "admin")  # admins do not hold org.billing
    for path, body in (
        ("billing-information", {"address": ADDRESS}),
        ("payout-information", GERMAN),
    ):
        url = f"/v1/orgs/{org['id']}/{path}"
        assert (await client.get(url, headers=admin.headers)).status_code == 403
        assert (await client.put(url, headers=admin.headers, json=body)).status_code == 403
        assert (await client.put(url, headers=owner.headers, json=body)).status_code == 201
