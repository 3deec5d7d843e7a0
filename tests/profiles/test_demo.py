"""The demo data gives the demo performer a performer page."""

from __future__ import annotations

import re

import httpx

from livehouse import demo
from livehouse.core.runtime import Runtime
from livehouse.identity.demo import ACCOUNTS
from tests.support.auth import Person, login


async def test_the_demo_performer_has_a_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ctx = await demo.load(runtime, force=True)
    line = ctx["credentials"]["performer page"]
    code = re.search(r"invite code ([A-Za-z0-9]{8})", line).group(1)  # type: ignore[union-attr]
    page = (await client.get(f"/v1/performers/by-invite/{code}")).json()
    assert page["stage_name"] == "Pat Live"
    assert {c["slug"] for c in page["categories"]} == {"streamer", "comedian"}
    assert page["price"] == {"amount": 1500, "currency": "EUR"}
    email, password, _, _ = ACCOUNTS["performer"]
    performer = await login(client, Person(email=email, password=password, id=""))
    me = (await client.get("/v1/me/profile", headers=performer.headers)).json()
    assert me["role"] == "performer" and me["metrics"]["followers"] == 1
    again = await demo.load(runtime, force=True)  # loading twice changes nothing
    assert again["credentials"]["performer page"] == line
