"""Private and presence subscriptions are re-checked: at once on a revocation signal (orgs sends
one when a membership or a master relation changes, identity when sessions end) and
periodically. A native socket loses just that channel; a Pusher socket is told to reconnect, and
its client's re-authorisation at /broadcasting/auth is refused."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest

from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.runtime import Runtime
from livehouse.identity import service as identity
from livehouse.realtime import service
from tests.realtime.clients import Native, RawPusher
from tests.realtime.conftest import StartJs
from tests.support.auth import Person, add_member, create_org, signed_up


async def team(http: httpx.AsyncClient, runtime: Runtime) -> tuple[Person, Person, dict]:
    owner, member = await signed_up(http, "own"), await signed_up(http, "mem")
    org = await create_org(http, owner, "Recheck Rooms")
    await add_member(runtime, org["id"], member, "member")
    return owner, member, org


async def remove_from_team(http: httpx.AsyncClient, owner: Person, org: dict, who: Person) -> None:
    members = (await http.get(f"/v1/orgs/{org['id']}/members", headers=owner.headers)).json()
    member_id = next(m["id"] for m in members if m["email"] == who.email)
    response = await http.delete(f"/v1/orgs/{org['id']}/members/{member_id}", headers=owner.headers)
    assert response.status_code < 300, response.text


async def test_removal_from_the_team_ends_a_native_subscription_at_once(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, member, org = await team(http, runtime)
    channel = f"private-org.{org['id']}"
    theirs, mine = await Native.connect(base), await Native.connect(base)
    assert (await theirs.subscribe(channel, token=member.access_token))["type"] == "subscribed"
    assert (await mine.subscribe(channel, token=owner.access_token))["type"] == "subscribed"
    await theirs.subscribe("comment")

    await remove_from_team(http, owner, org, member)  # no periodic check runs in this test

    assert await theirs.expect(type="unsubscribed") == {
        "type": "unsubscribed",
        "channel": channel,
        "reason": "unauthorized",
    }
    await runtime.publisher.publish(channel, "team.note", {"n": 1})
    await runtime.publisher.publish("comment", "c", {"n": 2})
    assert (await theirs.expect(type="message"))["channel"] == "comment", "public ones stay"
    assert (await mine.expect(type="message"))["data"] == {"n": 1}, "the owner is still in"
    refused = await theirs.subscribe(channel, token=member.access_token)
    assert refused["code"] == "forbidden"
    await theirs.close()
    await mine.close()


async def test_ending_or_narrowing_a_master_relation_ends_inherited_subscriptions_at_once(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    # A master's team reads its followers (org.read passed on): their private channels too.
    owner, member, master = await team(http, runtime)
    followers = []
    for name in ("Ended", "Narrowed"):
        created = await http.post(
            f"/v1/orgs/{master['id']}/followers",
            headers=owner.headers,
            json={"organisation": {"name": name}, "scopes": ["org.read", "org.write"]},
        )
        assert created.status_code == 201, created.text
        followers.append(created.json()["follower"]["id"])
    ended, narrowed = (f"private-org.{f}" for f in followers)
    socket = await Native.connect(base)
    for channel in (ended, narrowed):
        subscribed = await socket.subscribe(channel, token=member.access_token)
        assert subscribed["type"] == "subscribed", subscribed

    # No periodic check runs in this test: only the relations' signals can end these.
    gone = await http.delete(
        f"/v1/orgs/{master['id']}/followers/{followers[0]}", headers=owner.headers
    )
    assert gone.status_code == 204
    assert await socket.expect(type="unsubscribed") == {
        "type": "unsubscribed",
        "channel": ended,
        "reason": "unauthorized",
    }
    kept = await http.patch(
        f"/v1/orgs/{master['id']}/followers/{followers[1]}",
        headers=owner.headers,
        json={"scopes": ["org.write"]},  # org.read no longer passed on
    )
    assert kept.status_code == 200, kept.text
    assert (await socket.expect(type="unsubscribed"))["channel"] == narrowed
    assert (await socket.subscribe(narrowed, token=member.access_token))["code"] == "forbidden"
    await socket.close()


async def test_changing_the_password_ends_subscriptions_at_once(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    ada = await signed_up(http, "ada")
    channel = f"private-user.{ada.id}"
    socket = await Native.connect(base)
    await socket.subscribe(channel, token=ada.access_token)
    # A little later: ending sessions counts in whole seconds (a grant from the same second
    # stays valid, as a token issued in it does).
    with clock.use(clock.OffsetClock()) as later:
        later.advance(seconds=2)  # type: ignore[attr-defined]
        changed = await http.post(
            "/v1/me/password",
            json={"old_password": ada.password, "password": "another-long-secret-2026"},
            headers=ada.headers,
        )
        assert changed.status_code == 200, changed.text
        assert (await socket.expect(type="unsubscribed"))["reason"] == "unauthorized"
    await socket.close()


async def test_a_change_nobody_announced_is_caught_by_the_periodic_check(
    base: str, http: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = await signed_up(http, "ada")
    channel = f"private-user.{ada.id}"
    socket = await Native.connect(base)
    await socket.subscribe(channel, token=ada.access_token)

    monkeypatch.setattr(runtime.settings, "realtime_auth_recheck_seconds", 0)
    await runtime.hub.recheck_due()
    await socket.send(type="ping")
    assert (await socket.expect(type="pong"))["type"] == "pong", "still allowed: nothing changed"

    # Sessions ended by a write that sent no signal (e.g. a node that died before its commit's
    # callbacks ran): only the periodic check can notice.
    async with unit_of_work(runtime.database) as session:
        account = await identity.get_account(session, uuid.UUID(ada.id))
        account.tokens_valid_after = clock.now().replace(microsecond=0) + timedelta(seconds=2)
    await runtime.hub.recheck_due()
    assert (await socket.expect(type="unsubscribed"))["reason"] == "unauthorized"
    await socket.close()


async def test_revoked_pusher_socket_is_told_to_reconnect(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, member, org = await team(http, runtime)
    channel = f"private-org.{org['id']}"
    socket = await RawPusher.connect(base, runtime.settings.pusher_key)
    socket_id = await socket.established()
    signed = await http.post(
        "/broadcasting/auth",
        data={"socket_id": socket_id, "channel_name": channel},
        headers=member.headers,
    )
    assert signed.status_code == 200
    await socket.send("pusher:subscribe", {"channel": channel, **signed.json()})
    await socket.expect("pusher_internal:subscription_succeeded", channel)

    await remove_from_team(http, owner, org, member)
    assert (await socket.closed())[0] == 4200


async def test_echo_loses_the_channel_after_revocation(
    start_js: StartJs, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, member, org = await team(http, runtime)
    echo = await start_js(token=member.access_token)
    await echo.send(op="private", channel=f"org.{org['id']}")
    await echo.send(op="channel", channel="comment")
    await echo.send(op="listen", channel="comment", event=".c")
    await echo.expect(type="subscribed", channel=f"private-org.{org['id']}")

    await remove_from_team(http, owner, org, member)
    # pusher-js reconnects by itself and subscribes again: the private channel is refused now.
    refused = await echo.expect(type="subscription_error")
    assert refused["channel"] == f"private-org.{org['id']}" and refused["error"]["status"] == 403
    assert [e["channel"] for e in echo.events if e["type"] == "subscribed"][-1] == "comment"
    await runtime.publisher.publish("comment", "c", {"still": "here"})
    assert (await echo.expect(type="event"))["data"] == {"still": "here"}


def test_grant_records_round_trip() -> None:
    record = service.GrantRecord(
        kind="user", scopes=("org.read",), granted_at=1.5, account_id=3, account_public_id="x"
    )
    assert service.GrantRecord.loads(record.dumps()) == record
    assert json.loads(record.dumps())["scopes"] == ["org.read"]
