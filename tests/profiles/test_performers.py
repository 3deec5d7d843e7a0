"""Performer pages: stage name, slides, price, categories, invite codes, the performer role."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.auth import Person, make_platform_admin, signed_up
from tests.support.media import image_bytes, pdf_bytes, uploaded
from tests.support.profiles import (
    become_performer,
    create_category,
    set_privacy,
)


@pytest.fixture
async def categories(client: httpx.AsyncClient, runtime) -> dict[str, dict]:
    admin = await signed_up(client, "admin")
    await make_platform_admin(runtime, admin)
    return {
        slug: await create_category(client, admin, name, slug)
        for name, slug in (("Streamer", "streamer"), ("Comedian", "comedian"))
    }


@pytest.fixture
async def person(client: httpx.AsyncClient) -> Person:
    return await signed_up(client, "performer")


async def test_a_performer_page_is_created_and_shown(
    client: httpx.AsyncClient, person: Person, categories: dict[str, dict]
) -> None:
    slides = [await uploaded(client, person, image_bytes(size=(10 + i, 10))) for i in range(3)]
    stage = await uploaded(client, person, image_bytes())
    response = await client.put(
        "/v1/me/performer",
        headers=person.headers,
        json={
            "stage_name": "davido",
            "biography": "davido is a hip hop artiste",
            "industry": "music",
            "genre": "apala",
            "links": [
                {"name": "facebook", "value": "https://facebook.com/davido"},
                {"name": "youtube", "value": "https://youtube.com/davido"},
            ],
            "image_id": stage["id"],
            "slides": [slides[2]["id"], slides[0]["id"], slides[1]["id"]],
            "price": {"amount": 299, "currency": "usd"},
            "categories": ["comedian", categories["streamer"]["id"]],
        },
    )
    assert response.status_code == 201, response.text
    page = response.json()
    assert re.fullmatch(r"[A-Za-z0-9]{8}", page["invite_code"])
    assert [s["id"] for s in page["slides"]] == [slides[2]["id"], slides[0]["id"], slides[1]["id"]]
    assert page["price"] == {"amount": 299, "currency": "USD"}
    assert {c["slug"] for c in page["categories"]} == {"streamer", "comedian"}
    assert page["image"]["id"] == stage["id"] and page["active"] is True
    public = await client.get(f"/v1/performers/{person.id}")
    assert public.status_code == 200 and public.json() == page
    me = (await client.get("/v1/me/profile", headers=person.headers)).json()
    assert me["role"] == "performer"
    by_invite = await client.get(f"/v1/performers/by-invite/{page['invite_code']}")
    assert by_invite.json()["account_id"] == person.id


async def test_put_replaces_and_patch_changes(client: httpx.AsyncClient, person: Person) -> None:
    first = await become_performer(client, person, biography="old", genre="jazz")
    again = await client.put("/v1/me/performer", json={"stage_name": "New"}, headers=person.headers)
    assert again.status_code == 200
    assert again.json()["biography"] is None and again.json()["genre"] is None
    assert again.json()["invite_code"] == first["invite_code"]
    patched = await client.patch("/v1/me/performer", json={"genre": "funk"}, headers=person.headers)
    assert patched.json()["genre"] == "funk" and patched.json()["stage_name"] == "New"


async def test_patch_needs_a_page(client: httpx.AsyncClient, person: Person) -> None:
    response = await client.patch("/v1/me/performer", json={"genre": "x"}, headers=person.headers)
    assert response.status_code == 404
    assert (await client.get("/v1/me/performer", headers=person.headers)).status_code == 404


async def test_a_new_invite_code_retires_the_old_one(
    client: httpx.AsyncClient, person: Person
) -> None:
    old = (await become_performer(client, person))["invite_code"]
    response = await client.post("/v1/me/performer/invite-code", headers=person.headers)
    new = response.json()["invite_code"]
    assert new != old and re.fullmatch(r"[A-Za-z0-9]{8}", new)
    assert (await client.get(f"/v1/performers/by-invite/{old}")).status_code == 404
    assert (await client.get(f"/v1/performers/by-invite/{new}")).status_code == 200
    assert (await client.get("/v1/performers/by-invite/short")).status_code == 422


async def test_invite_codes_differ(client: httpx.AsyncClient) -> None:
    codes = {
        (await become_performer(client, await signed_up(client)))["invite_code"] for _ in range(5)
    }
    assert len(codes) == 5


async def test_stepping_back_makes_a_client_again(
    client: httpx.AsyncClient, person: Person
) -> None:
    page = await become_performer(client, person)
    response = await client.patch(
        "/v1/me/performer", json={"active": False}, headers=person.headers
    )
    assert response.json()["active"] is False
    assert (await client.get(f"/v1/performers/{person.id}")).status_code == 404
    assert (await client.get(f"/v1/performers/by-invite/{page['invite_code']}")).status_code == 404
    me = (await client.get("/v1/me/profile", headers=person.headers)).json()
    assert me["role"] == "client"
    back = await client.put("/v1/me/performer", json={"stage_name": "Back"}, headers=person.headers)
    assert back.json()["active"] is True and back.json()["invite_code"] == page["invite_code"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": {"amount": 100, "currency": "ZZZ"}}, "price.currency"),
        ({"price": {"amount": -1, "currency": "EUR"}}, "price.amount"),
        ({"categories": ["juggler"]}, "categories.0"),
        ({"links": [{"name": "instagram", "value": "https://facebook.com/x"}]}, "links.0"),
        ({"stage_name": ""}, "stage_name"),
        ({"slides": ["00000000-0000-7000-8000-000000000000"]}, "slides.0"),
        ({"invite_code": "AAAAAAAA"}, "invite_code"),
    ],
)
async def test_bad_pages_name_the_field_and_create_nothing(
    client: httpx.AsyncClient, person: Person, categories: dict, change: dict, field: str
) -> None:
    response = await client.put(
        "/v1/me/performer", json={"stage_name": "X", **change}, headers=person.headers
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await client.get("/v1/me/performer", headers=person.headers)).status_code == 404


async def test_slides_are_my_own_images(client: httpx.AsyncClient, person: Person) -> None:
    other = await signed_up(client, "other")
    theirs = await uploaded(client, other, image_bytes())
    document = await uploaded(client, person, pdf_bytes())
    mine = await uploaded(client, person, image_bytes())
    for slides, field in (
        ([mine["id"], theirs["id"]], "slides.1"),
        ([document["id"]], "slides.0"),
        ([mine["id"], mine["id"]], "slides"),
    ):
        response = await client.put(
            "/v1/me/performer", json={"slides": slides}, headers=person.headers
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    page = await become_performer(client, person, slides=[mine["id"]])
    await client.delete(f"/v1/media/{mine['id']}", headers=person.headers)
    assert (await client.get("/v1/me/performer", headers=person.headers)).json()["slides"] == []
    assert page["slides"][0]["id"] == mine["id"]


async def test_a_locked_performer_shows_a_card(client: httpx.AsyncClient, person: Person) -> None:
    await become_performer(
        client, person, biography="secret", price={"amount": 1, "currency": "EUR"}
    )
    await set_privacy(client, person, lock_my_user_profile=True)
    page = (await client.get(f"/v1/performers/{person.id}")).json()
    assert page["locked"] is True and page["stage_name"] == "Stage Name"
    assert page["biography"] is None and page["price"] is None
    own = (await client.get("/v1/me/performer", headers=person.headers)).json()
    assert own["biography"] == "secret"
