"""Custom registration fields: managed by the team, listed publicly, and enforced at sign-up
(POST /v1/accounts with the organisation's client_id) together with age verification. A
refused sign-up creates nothing: no account, no customer."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from livehouse.core.runtime import Runtime
from tests.support.auth import PASSWORD, add_member, create_app, create_org, signed_up, unique_email
from tests.support.auth import token as password_token

FIELDS = [
    {"name": "gender", "label": "Gender", "type": "select", "required": True,
     "options": [{"value": "f", "label": "Female"}, {"value": "m", "label": "Male"},
                 {"value": "x", "label": "Other"}]},
    {"name": "shoe_size", "label": "Shoe size", "type": "number"},
    {"name": "newsletter", "label": "Newsletter", "type": "checkbox", "default_value": "true"},
    {"name": "terms", "label": "I accept the terms", "type": "checkbox", "required": True},
    {"name": "anniversary", "label": "Anniversary", "type": "date"},
    {"name": "work_email", "label": "Work e-mail", "type": "email"},
    {"name": "mobile", "label": "Mobile", "type": "phone", "placeholder": "+61…"},
    {"name": "nickname", "label": "Nickname", "type": "text"},
]  # fmt: skip


async def organisation_with_fields(client: httpx.AsyncClient, **org_fields) -> tuple:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, **org_fields)
    for position, field in enumerate(FIELDS):
        created = await client.post(
            f"/v1/orgs/{org['id']}/registration-fields",
            headers=owner.headers,
            json={**field, "position": position},
        )
        assert created.status_code == 201, created.text
    app = await create_app(client, owner, org["id"])
    return owner, org, app


async def sign_up(client: httpx.AsyncClient, app: dict, email: str, **body) -> httpx.Response:
    return await client.post(
        "/v1/accounts",
        json={"email": email, "password": PASSWORD, "client_id": app["client_id"], **body},
    )


async def nothing_created(client: httpx.AsyncClient, owner, org: dict, email: str) -> None:
    available = await client.get("/v1/accounts/email-availability", params={"email": email})
    assert available.json()["available"] is True
    assert (await password_token(client, email, PASSWORD)).status_code == 400
    customers = await client.get(f"/v1/orgs/{org['id']}/customers", headers=owner.headers)
    assert customers.json()["items"] == []


async def test_fields_are_managed_and_listed_publicly(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, org, _ = await organisation_with_fields(client)
    url = f"/v1/orgs/{org['id']}/registration-fields"
    listed = (await client.get(url)).json()  # anonymous: sign-up forms need them
    assert [f["name"] for f in listed] == [f["name"] for f in FIELDS]
    gender = listed[0]
    assert gender["options"][1] == {"value": "m", "label": "Male"} and gender["required"]

    changed = await client.patch(
        f"{url}/{gender['id']}", headers=owner.headers, json={"label": "Gender identity"}
    )
    assert changed.status_code == 200 and changed.json()["label"] == "Gender identity"
    member = await signed_up(client, "member")
    await add_member(runtime, org["id"], member, "member")
    refused = await client.post(
        url, headers=member.headers, json={"name": "x", "label": "X", "type": "text"}
    )
    assert refused.status_code == 403
    deleted = await client.delete(f"{url}/{listed[-1]['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    assert len((await client.get(url)).json()) == len(FIELDS) - 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "Bad Name", "label": "x", "type": "text"}, 422, "name"),
        ({"name": "colour", "label": "x", "type": "colour"}, 422, "type"),
        ({"name": "colour", "label": "x", "type": "select"}, 422, "options"),
        (
            {"name": "colour", "label": "x", "type": "text",
             "options": [{"value": "a", "label": "A"}]},
            422,
            "options",
        ),
        (
            {"name": "colour", "label": "x", "type": "select",
             "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]},
            422,
            "options",
        ),
        (
            {"name": "colour", "label": "x", "type": "select", "default_value": "b",
             "options": [{"value": "a", "label": "A"}]},
            422,
            "default_value",
        ),
        (
            {"name": "age", "label": "Age", "type": "number", "default_value": "old"},
            422,
            "default_value",
        ),
        ({"name": "gender", "label": "again", "type": "text"}, 409, "name"),
        ({"name": "colour", "label": "x", "type": "text", "size": 3}, 422, "size"),
    ],
)  # fmt: skip
async def test_bad_field_definitions_change_nothing(
    client: httpx.AsyncClient, body: dict, status: int, field: str
) -> None:
    owner, org, _ = await organisation_with_fields(client)
    url = f"/v1/orgs/{org['id']}/registration-fields"
    response = await client.post(url, headers=owner.headers, json=body)
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field
    assert len((await client.get(url)).json()) == len(FIELDS)


async def test_a_field_change_is_checked_as_a_whole(client: httpx.AsyncClient) -> None:
    owner, org, _ = await organisation_with_fields(client)
    url = f"/v1/orgs/{org['id']}/registration-fields"
    nickname = next(f for f in (await client.get(url)).json() if f["name"] == "nickname")
    to_select = await client.patch(
        f"{url}/{nickname['id']}", headers=owner.headers, json={"type": "select"}
    )
    assert to_select.status_code == 422 and to_select.json()["errors"][0]["field"] == "options"
    renamed = await client.patch(
        f"{url}/{nickname['id']}", headers=owner.headers, json={"name": "nick"}
    )
    assert renamed.status_code == 422 and renamed.json()["errors"][0]["field"] == "name"
    after = next(f for f in (await client.get(url)).json() if f["id"] == nickname["id"])
    assert after == nickname


async def test_sign_up_answers_are_checked_and_stored(client: httpx.AsyncClient) -> None:
    owner, org, app = await organisation_with_fields(client)
    email = unique_email("fan")
    answers = {
        "gender": "f",
        "shoe_size": "38.5",
        "newsletter": "false",
        "terms": True,
        "anniversary": "2020-02-29",
        "work_email": "Fan@Example.COM",
        "mobile": "+61 3 9123 4567",
        "nickname": "  Fanny ",
    }
    created = await sign_up(client, app, email, fields=answers)
    assert created.status_code == 201, created.text
    customers = (await client.get(f"/v1/orgs/{org['id']}/customers", headers=owner.headers)).json()
    assert len(customers["items"]) == 1
    stored = customers["items"][0]
    assert stored["email"] == email and stored["source"] == "register"
    assert stored["fields"] == {
        "gender": "f",
        "shoe_size": 38.5,
        "newsletter": False,
        "terms": True,
        "anniversary": "2020-02-29",
        "work_email": "Fan@example.com",
        "mobile": "+61391234567",
        "nickname": "Fanny",
    }


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"gender": "f", "terms": True, "favourite": "x"}, {"fields.favourite": "Unknown field"}),
        ({"terms": True}, {"fields.gender": "required"}),
        ({"gender": "f"}, {"fields.terms": "Must be checked"}),
        ({"gender": "f", "terms": False}, {"fields.terms": "Must be checked"}),
        ({"gender": "q", "terms": True}, {"fields.gender": "one of f, m, x"}),
        ({"gender": "f", "terms": True, "shoe_size": "big"}, {"fields.shoe_size": "number"}),
        ({"gender": "f", "terms": True, "shoe_size": True}, {"fields.shoe_size": "number"}),
        (
            {"gender": "f", "terms": True, "anniversary": "29/02/2020"},
            {"fields.anniversary": "date"},
        ),
        ({"gender": "f", "terms": True, "work_email": "nope"}, {"fields.work_email": "e-mail"}),
        ({"gender": "f", "terms": True, "mobile": "12"}, {"fields.mobile": "phone"}),
        ({"gender": "f", "terms": "maybe"}, {"fields.terms": "true or false"}),
        ({"gender": "f", "terms": True, "nickname": ["a"]}, {"fields.nickname": "text"}),
        ({"gender": "f", "terms": True, "nickname": "x" * 1001}, {"fields.nickname": "1000"}),
        (
            {"shoe_size": "big", "extra": 1},
            {"fields.shoe_size": "number", "fields.extra": "Unknown", "fields.gender": "required",
             "fields.terms": "Must be checked"},
        ),
        (None, {"fields.gender": "required", "fields.terms": "Must be checked"}),
    ],
)  # fmt: skip
async def test_bad_answers_create_nothing(
    client: httpx.AsyncClient, answers: dict | None, errors: dict[str, str]
) -> None:
    owner, org, app = await organisation_with_fields(client)
    email = unique_email("fan")
    response = await sign_up(client, app, email, **({"fields": answers} if answers else {}))
    assert response.status_code == 422, response.text
    got = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(got) == set(errors)
    for field, fragment in errors.items():
        assert fragment in got[field], (field, got[field])
    await nothing_created(client, owner, org, email)


async def test_age_verification(client: httpx.AsyncClient) -> None:
    owner = await signed_up(client, "owner")
    org = await create_org(client, owner, age_verification_min_age=18)
    app = await create_app(client, owner, org["id"])
    today = date.today()
    too_young = date(today.year - 17, today.month, 1).isoformat()

    for extra, fragment in [({}, "Required"), ({"date_of_birth": too_young}, "at least 18")]:
        email = unique_email("teen")
        refused = await sign_up(client, app, email, **extra)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "date_of_birth"
        assert fragment in refused.json()["errors"][0]["message"]
        await nothing_created(client, owner, org, email)

    adult = await sign_up(
        client, app, unique_email("adult"), date_of_birth=date(today.year - 30, 1, 1).isoformat()
    )
    assert adult.status_code == 201, adult.text
    # Without an organisation's app there is no organisation rule to apply.
    assert (
        await client.post("/v1/accounts", json={"email": unique_email(), "password": PASSWORD})
    ).status_code == 201
