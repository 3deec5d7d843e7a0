"""Digital passes: verifiable offline with the organisation's published keys; check-in answers
valid / already checked in (with the time) / wrong event / void / invalid."""

from __future__ import annotations

import io
import json

import httpx
import jwt
from jwt.algorithms import OKPAlgorithm
from PIL import Image

from livehouse.core.runtime import Runtime
from tests.support.auth import add_member, signed_up
from tests.support.events import published_event
from tests.support.ticketing import add_ticket_type, bought, open_shop


async def test_passes_verify_offline(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    buyer, order = await bought(client, shop)
    [ticket] = order["tickets"]
    keys = (await client.get(f"/v1/orgs/{shop.org['id']}/pass-keys")).json()["keys"]
    header = jwt.get_unverified_header(ticket["pass_code"])
    [jwk] = [k for k in keys if k["kid"] == header["kid"]]
    claims = jwt.decode(
        ticket["pass_code"], OKPAlgorithm.from_jwk(json.dumps(jwk)), algorithms=["EdDSA"]
    )
    assert claims["tkt"] == ticket["id"] and claims["evt"] == shop.event_id
    assert "d" not in jwk, "no private key material is published"
    svg = await client.get(f"/v1/me/tickets/{ticket['id']}/qr", headers=buyer.headers)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    png = await client.get(
        f"/v1/me/tickets/{ticket['id']}/qr", params={"format": "png"}, headers=buyer.headers
    )
    assert Image.open(io.BytesIO(png.content)).size[0] > 100
    again = (await client.get(f"/v1/me/tickets/{ticket['id']}", headers=buyer.headers)).json()
    assert again["pass_code"] == ticket["pass_code"], "the same pass every time"


async def test_check_in(client: httpx.AsyncClient, runtime: Runtime) -> None:
    shop = await open_shop(client)
    _, order = await bought(client, shop, 2)
    first, second = order["tickets"]
    doorman = await signed_up(client, "door")
    await add_member(runtime, shop.org["id"], doorman, "member")
    url = f"/v1/events/{shop.event_id}/check-ins"
    valid = (
        await client.post(url, headers=doorman.headers, json={"code": first["pass_code"]})
    ).json()
    assert valid["result"] == "valid" and valid["ticket"]["id"] == first["id"]
    twice = (
        await client.post(url, headers=doorman.headers, json={"code": first["pass_code"]})
    ).json()
    assert twice["result"] == "already_checked_in"
    assert twice["checked_in_at"] == valid["checked_in_at"]
    forged = first["pass_code"][:-6] + "AAAAAA"
    assert (await client.post(url, headers=doorman.headers, json={"code": forged})).json()[
        "result"
    ] == "invalid"
    garbage = await client.post(url, headers=doorman.headers, json={"code": "not a pass at all"})
    assert garbage.json()["result"] == "invalid"

    other_event = await published_event(client, shop.owner, shop.org["id"], name="Other night")
    await add_ticket_type(client, shop.owner, other_event["id"])
    wrong = await client.post(
        f"/v1/events/{other_event['id']}/check-ins",
        headers=doorman.headers,
        json={"code": second["pass_code"]},
    )
    assert wrong.json()["result"] == "wrong_event"

    attendees = (
        await client.get(f"/v1/events/{shop.event_id}/attendees", headers=doorman.headers)
    ).json()["items"]
    state = {a["id"]: a["checked_in_at"] for a in attendees}
    assert state[first["id"]] is not None and state[second["id"]] is None
    waiting = (
        await client.get(
            f"/v1/events/{shop.event_id}/attendees",
            params={"checked_in": "false"},
            headers=doorman.headers,
        )
    ).json()
    assert [a["id"] for a in waiting["items"]] == [second["id"]]

    await client.post(
        f"/v1/events/{shop.event_id}/orders/{order['id']}/refunds",
        headers=shop.owner.headers,
        json={},
    )
    void = await client.post(url, headers=doorman.headers, json={"code": second["pass_code"]})
    assert void.json()["result"] == "void"


async def test_outsiders_cannot_check_in(client: httpx.AsyncClient) -> None:
    shop = await open_shop(client)
    _, order = await bought(client, shop)
    stranger = await signed_up(client, "stranger")
    response = await client.post(
        f"/v1/events/{shop.event_id}/check-ins",
        headers=stranger.headers,
        json={"code": order["tickets"][0]["pass_code"]},
    )
    assert response.status_code == 404
