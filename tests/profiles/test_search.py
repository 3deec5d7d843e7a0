"""Finding people: text, category, role, pages; locked and muted people stay out."""

from __future__ import annotations

import httpx
import pytest

from tests.support.auth import Person, make_platform_admin, signed_up
from tests.support.profiles import (
    become_performer,
    create_category,
    patch_profile,
    set_privacy,
)


@pytest.fixture
async def viewer(client: httpx.AsyncClient) -> Person:
    return await signed_up(client, "viewer", full_name="Vera Viewer")


async def search(client: httpx.AsyncClient, viewer: Person, query: str) -> list[str]:
    response = await client.get(f"/v1/users?{query}", headers=viewer.headers)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_search_by_text_category_and_role(
    client: httpx.AsyncClient, runtime, viewer: Person
) -> None:
    admin = await signed_up(client, "admin", full_name="Adam Admin")
    await make_platform_admin(runtime, admin)
    comedian = await create_category(client, admin, "Comedian", "comedian")
    await create_category(client, admin, "Streamer", "streamer")
    joker = await signed_up(client, "joker", full_name="Jo Kerr", username="jo_kerr")
    await become_performer(client, joker, stage_name="The Funny One", categories=["comedian"])
    gamer = await signed_up(client, "gamer", full_name="Gail Gamer")
    await become_performer(client, gamer, stage_name="GG Live", categories=["streamer"])
    fan = await signed_up(client, "fan", full_name="Fanny Fan")
    await patch_profile(client, fan, display_name="Funny Fan")

    assert await search(client, viewer, "q=funny") == ["Funny Fan", "Jo Kerr"]
    assert await search(client, viewer, "q=FUNNY&role=performer") == ["Jo Kerr"]
    assert await search(client, viewer, "q=funny&role=client") == ["Funny Fan"]
    assert await search(client, viewer, f"category={comedian['id']}") == ["Jo Kerr"]
    assert await search(client, viewer, "category=streamer") == ["Gail Gamer"]
    # % and _ are matched literally, not as wildcards
    assert await search(client, viewer, "q=%25") == []
    assert await search(client, viewer, "q=_") == ["Jo Kerr"]
    assert len(await search(client, viewer, "")) == 5
    summary = (await client.get("/v1/users?q=gg", headers=viewer.headers)).json()["items"][0]
    assert summary["role"] == "performer" and summary["stage_name"] == "GG Live"
    assert [c["slug"] for c in summary["categories"]] == ["streamer"]


async def test_search_pages_newest_first(client: httpx.AsyncClient, viewer: Person) -> None:
    names = [f"Page Person {i}" for i in range(5)]
    for name in names:
        await signed_up(client, "p", full_name=name)
    first = (await client.get("/v1/users?q=page&limit=3", headers=viewer.headers)).json()
    rest = (
        await client.get(
            f"/v1/users?q=page&limit=3&cursor={first['next_cursor']}", headers=viewer.headers
        )
    ).json()
    assert [i["name"] for i in first["items"] + rest["items"]] == names[::-1]
    assert rest["next_cursor"] is None


async def test_locked_and_muted_people_are_left_out(
    client: httpx.AsyncClient, viewer: Person
) -> None:
    hidden = await signed_up(client, "hidden", full_name="Sam Hidden")
    noisy = await signed_up(client, "noisy", full_name="Sam Noisy")
    await signed_up(client, "plain", full_name="Sam Plain")
    await set_privacy(client, hidden, lock_my_user_profile=True)
    await client.post("/v1/me/mutes", json={"target_id": noisy.id}, headers=viewer.headers)
    assert await search(client, viewer, "q=sam") == ["Sam Plain"]
    other = await signed_up(client, "other")
    assert await search(client, other, "q=sam") == ["Sam Plain", "Sam Noisy"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("category=juggler", "category.0"), ("role=admin", "role"), ("limit=1000", "limit")],
)
async def test_bad_searches_name_the_parameter(
    client: httpx.AsyncClient, viewer: Person, query: str, field: str
) -> None:
    response = await client.get(f"/v1/users?{query}", headers=viewer.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_search_needs_a_caller(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/users?q=x")).status_code == 401
