"""Banners (text, image, video; draft and live) and the event's brand over HTTP."""

from __future__ import annotations

import httpx

from livehouse.core.runtime import Runtime
from tests.support.live import fan, stage
from tests.support.media import image_bytes, mp4_bytes, upload


async def _library(client: httpx.AsyncClient, built: object, content: bytes, name: str) -> str:
    response = await upload(
        client,
        built.owner,
        content,
        name,
        org_id=built.shop.org["id"],  # type: ignore[attr-defined]
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_text_banners_drafts_stay_with_the_hosts(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    url = built.url("/banners")
    draft = await client.post(
        url,
        json={"title": "i love imprxx", "scrollable": True, "position": "top"},
        headers=built.performer.headers,
    )
    assert draft.status_code == 201, draft.text
    banner = draft.json()
    assert (banner["kind"], banner["status"], banner["scrollable"]) == ("text", "draft", True)
    assert (await client.get(url)).json() == [], "the public sees live banners only"
    assert (await client.get(f"{url}/{banner['id']}")).status_code == 404
    assert [b["id"] for b in (await client.get(url, headers=built.owner.headers)).json()] == [
        banner["id"]
    ]

    live = await client.patch(
        f"{url}/{banner['id']}",
        json={"status": "live", "title": "k1 de ultimate show"},
        headers=built.owner.headers,
    )
    assert live.status_code == 200 and live.json()["title"] == "k1 de ultimate show"
    public = (await client.get(url)).json()
    assert [b["title"] for b in public] == ["k1 de ultimate show"]
    assert (
        await client.delete(f"{url}/{banner['id']}", headers=built.owner.headers)
    ).status_code == 204
    assert (await client.get(url)).json() == []


async def test_media_banners_take_the_organisations_files(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    built = await stage(client, runtime)
    other = await stage(client, runtime)
    image = await _library(client, built, image_bytes(), "banner.png")
    video = await _library(client, built, mp4_bytes(), "clip.mp4")
    foreign = await _library(client, other, image_bytes(), "theirs.png")
    personal = await upload(client, built.owner, image_bytes(), "mine.png")
    url, headers = built.url("/banners"), built.owner.headers
    refused = [
        {"kind": "image"},  # no file
        {"kind": "image", "media_id": video},  # a video is not an image
        {"kind": "video", "media_id": image},
        {"kind": "image", "media_id": foreign},  # another organisation's file
        {"kind": "image", "media_id": personal.json()["id"]},  # not in the library
        {"kind": "text"},  # no title
        {"kind": "text", "title": "t", "media_id": image},
        {"kind": "gif", "media_id": image},
        {"title": "t", "position": "sideways"},
    ]
    for body in refused:
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
    assert (await client.get(url, headers=headers)).json() == [], "nothing was made"

    made = await client.post(
        url, json={"kind": "image", "media_id": image, "status": "live"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["media"]["id"] == image and made.json()["media"]["url"]
    clip = await client.post(
        url, json={"kind": "video", "media_id": video, "status": "live"}, headers=headers
    )
    assert clip.status_code == 201
    only_video = (await client.get(url, params={"kind": "video"})).json()
    assert [b["id"] for b in only_video] == [clip.json()["id"]]
    swap = await client.patch(
        f"{url}/{made.json()['id']}", json={"media_id": video}, headers=headers
    )
    assert swap.status_code == 422, "an image banner stays an image"


async def test_banners_and_brand_are_the_hosts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    vip = await fan(client, built, "vvip")
    for method, path, body in (
        ("POST", "/banners", {"title": "x"}),
        ("PUT", "/brand", {"colour": "#ff6347"}),
    ):
        response = await client.request(method, built.url(path), json=body, headers=vip.headers)
        assert response.status_code == 404, (path, response.text)


async def test_brand_put_patch_delete(client: httpx.AsyncClient, runtime: Runtime) -> None:
    built = await stage(client, runtime)
    url, headers = built.url("/brand"), built.owner.headers
    assert (await client.get(url)).status_code == 404
    assert (await client.patch(url, json={"colour": "#fff"}, headers=headers)).status_code == 404
    logo = await _library(client, built, image_bytes(), "logo.png")
    video = await _library(client, built, mp4_bytes(), "clip.mp4")
    for body in (
        {"colour": "not a colour!"},
        {"colour": "#ff63"},
        {"colour": "#ff6347", "logo_id": video},
        {"overlay": "gray"},
    ):
        assert (await client.put(url, json=body, headers=headers)).status_code == 422, body
    assert (await client.get(url)).status_code == 404, "nothing was made"

    created = await client.put(
        url,
        json={"colour": "#ff6347", "logo_id": logo, "overlay": "gray", "background": "#ff6347"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["logo"]["id"] == logo
    changed = await client.patch(
        url, json={"colour": "#ffffee", "overlay": "purple"}, headers=built.performer.headers
    )
    assert changed.status_code == 200
    brand = (await client.get(url)).json()
    assert (brand["colour"], brand["overlay"], brand["background"]) == (
        "#ffffee",
        "purple",
        "#ff6347",
    )
    assert brand["logo"]["id"] == logo and brand["id"] == created.json()["id"]
    replaced = await client.put(url, json={"colour": "green"}, headers=headers)
    assert replaced.status_code == 200 and replaced.json()["logo"] is None
    assert (await client.patch(url, json={"colour": None}, headers=headers)).status_code == 422
    assert (await client.delete(url, headers=headers)).status_code == 204
    assert (await client.delete(url, headers=headers)).status_code == 404
