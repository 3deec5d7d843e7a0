"""My profile: the Imprxx personal profile and EventBookings' `me`, read and changed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.auth import Person, signed_up
from tests.support.media import image_bytes, pdf_bytes, uploaded
from tests.support.profiles import patch_profile


@pytest.fixture
async def person(client: httpx.AsyncClient) -> Person:
    return await signed_up(client, full_name="Dav Prince")


async def test_a_new_profile_shows_the_account_and_the_defaults(
    client: httpx.AsyncClient, person: Person
) -> None:
    response = await client.get("/v1/me/profile", headers=person.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == person.id and body["email"] == person.email
    assert body["full_name"] == "Dav Prince" and body["role"] == "client"
    assert body["privacy"]["lock_my_user_profile"] is False
    assert body["privacy"]["allow_people_to_follow_me"] is True
    preferences = {p["name"]: p for p in body["email_preferences"]}
    assert preferences["receive_order_confirmation"] == {
        "name": "receive_order_confirmation",
        "value": True,
        "read_only": True,
    }
    assert preferences["receive_newsletters_with_general_and_other_information"]["value"] is False
    assert body["metrics"] == {"followers": 0, "following": 0}


async def test_the_personal_profile_round_trips(client: httpx.AsyncClient, person: Person) -> None:
    image = await uploaded(client, person, image_bytes())
    body = await patch_profile(
        client,
        person,
        full_name="David Adeniyi",
        date_of_birth="1990-01-18",
        gender="male",
        wedding_date="2023-12-10",
        business_name="hcomfort",
        first_name="David",
        last_name="Adeniyi",
        display_name="Davido",
        bio="Hip hop artiste",
        timezone="Africa/Lagos",
        currency="ngn",
        image_id=image["id"],
        addresses=[{"address_line1": "9 Yarra St", "city": "South Yarra", "country": "AU"}],
        links=[{"name": "website", "value": "https://davido.example.com/"}],
        social=[
            {"network": "instagram", "handle": "instagram.com/davido", "followers": "1000"},
            {"network": "x", "handle": "@davido", "followers": 10000},
            {"network": "tiktok", "handle": "https://www.tiktok.com/@davido"},
        ],
        privacy={"allow_people_to_see_my_join_date": True},
        email_preferences={"receive_newsletters_with_general_and_other_information": True},
    )
    assert body["full_name"] == "David Adeniyi" and body["date_of_birth"] == "1990-01-18"
    assert body["wedding_date"] == "2023-12-10" and body["currency"] == "NGN"
    assert body["image"]["id"] == image["id"] and body["image"]["preview_url"]
    assert body["addresses"][0]["country"] == "AU"
    assert body["social"] == [
        {"network": "instagram", "handle": "https://instagram.com/davido", "followers": 1000},
        {"network": "x", "handle": "@davido", "followers": 10000},
        {"network": "tiktok", "handle": "https://www.tiktok.com/@davido", "followers": None},
    ]
    assert body["privacy"]["allow_people_to_see_my_join_date"] is True
    again = (await client.get("/v1/me/profile", headers=person.headers)).json()
    assert again == body
    # The name and birth date live on the account (identity), not twice.
    account = (await client.get("/v1/me", headers=person.headers)).json()
    assert account["full_name"] == "David Adeniyi" and account["date_of_birth"] == "1990-01-18"


async def test_first_and_last_name_fill_the_full_name(
    client: httpx.AsyncClient, person: Person
) -> None:
    body = await patch_profile(client, person, first_name="John", last_name="Doe")
    assert body["full_name"] == "John Doe"
    body = await patch_profile(client, person, last_name="Smith")
    assert body["full_name"] == "John Smith"
    body = await patch_profile(client, person, first_name="Jo", full_name="Jo the Great")
    assert body["full_name"] == "Jo the Great"


async def test_settings_go_back_to_their_defaults_with_null(
    client: httpx.AsyncClient, person: Person
) -> None:
    await patch_profile(client, person, privacy={"allow_people_to_follow_me": False})
    body = await patch_profile(client, person, privacy={"allow_people_to_follow_me": None})
    assert body["privacy"]["allow_people_to_follow_me"] is True


BAD: list[tuple[dict[str, Any], str]] = [
    ({"links": [{"name": "facebook", "value": "https://evil.example.com/x"}]}, "links.0"),
    ({"links": [{"name": "website", "value": "javascript:alert(1)"}]}, "links.0"),
    ({"social": [{"network": "myspace", "handle": "tom"}]}, "social.0.network"),
    ({"social": [{"network": "x", "handle": "facebook.com/someone"}]}, "social.0.handle"),
    ({"social": [{"network": "x", "handle": "a b c"}]}, "social.0.handle"),
    ({"social": [{"network": "x"}, {"network": "x"}]}, "social.1.network"),
    ({"social": [{"network": "x", "followers": -1}]}, "social.0.followers"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"currency": "XXY"}, "currency"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"wedding_date": "1500-06-01"}, "wedding_date"),
    ({"first_name": "x" * 41}, "first_name"),
    ({"bio": "x" * 2501}, "bio"),
    ({"privacy": {"show_my_secrets": True}}, "privacy.show_my_secrets"),
    ({"privacy": {"lock_my_user_profile": "maybe"}}, "privacy.lock_my_user_profile"),
    (
        {"email_preferences": {"receive_order_confirmation": False}},
        "email_preferences.receive_order_confirmation",
    ),
    ({"addresses": [{"country": "AU", "post_code": "not-a-postcode"}]}, "addresses.0"),
    ({"phone": "+4915112345678"}, "phone"),
    ({"image_id": "00000000-0000-7000-8000-000000000000"}, "image_id"),
]


@pytest.mark.parametrize(("change", "field"), BAD, ids=[f for _, f in BAD])
async def test_bad_changes_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, person: Person, change: dict[str, Any], field: str
) -> None:
    before = (await client.get("/v1/me/profile", headers=person.headers)).json()
    response = await client.patch(
        "/v1/me/profile", json={"display_name": "Changed", **change}, headers=person.headers
    )
    assert response.status_code == 422, response.text
    fields = [e["field"] for e in response.json()["errors"]]
    assert any(f == field or f.startswith(field + ".") for f in fields), fields
    assert (await client.get("/v1/me/profile", headers=person.headers)).json() == before


async def test_the_image_must_be_one_of_my_own_images(
    client: httpx.AsyncClient, person: Person
) -> None:
    other = await signed_up(client, "other")
    theirs = await uploaded(client, other, image_bytes())
    document = await uploaded(client, person, pdf_bytes())
    for media_id, message in (
        (theirs["id"], "No such image"),
        (document["id"], "Must be an image"),
    ):
        response = await client.patch(
            "/v1/me/profile", json={"image_id": media_id}, headers=person.headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["message"].startswith(message)


async def test_a_deleted_image_leaves_the_profile_without_one(
    client: httpx.AsyncClient, person: Person
) -> None:
    image = await uploaded(client, person, image_bytes())
    await patch_profile(client, person, image_id=image["id"])
    await client.delete(f"/v1/media/{image['id']}", headers=person.headers)
    assert (await client.get("/v1/me/profile", headers=person.headers)).json()["image"] is None


async def test_a_taken_username_is_a_conflict(client: httpx.AsyncClient, person: Person) -> None:
    await signed_up(client, "other", username="taken_name")
    response = await client.patch(
        "/v1/me/profile", json={"username": "Taken_Name"}, headers=person.headers
    )
    assert response.status_code == 409


async def test_only_people_have_a_profile(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/me/profile")).status_code == 401
