"""pusher-js and Laravel Echo (from npm, unmodified) against our Pusher protocol 7 endpoint, with
private and presence channels authorised at /broadcasting/auth by our Bearer tokens, and the
`pusher` Python package publishing through our HTTP API."""

from __future__ import annotations

import asyncio

import httpx
import pusher

from livehouse.core.runtime import Runtime
from tests.realtime.clients import matches
from tests.realtime.conftest import StartJs
from tests.support.auth import add_member, create_org, signed_up


async def trigger(api: pusher.Pusher, channels: str | list[str], event: str, data: object) -> None:
    await asyncio.to_thread(api.trigger, channels, event, data)


async def test_pusher_js_receives_what_the_pusher_package_publishes(
    start_js: StartJs, pusher_api: pusher.Pusher
) -> None:
    client = await start_js(lib="pusher")
    connected = await client.expect(type="connected")
    assert connected["socket_id"].count(".") == 1
    await client.send(op="subscribe", channel="comment")
    await client.expect(type="subscribed", channel="comment")

    await trigger(pusher_api, "comment", "comment.created", {"message": "hello world"})
    event = await client.expect(type="event")
    assert event == {
        "type": "event",
        "channel": "comment",
        "event": "comment.created",
        "data": {"message": "hello world"},
    }
    await asyncio.to_thread(
        pusher_api.trigger_batch,
        [
            {"channel": "comment", "name": "comment.updated", "data": {"n": 1}},
            {"channel": "banner", "name": "banner.created", "data": {"n": 2}},
            {"channel": "comment", "name": "comment.deleted", "data": {"n": 3}},
        ],
    )
    first = await client.expect(type="event")
    second = await client.expect(type="event")
    assert [first["event"], second["event"]] == ["comment.updated", "comment.deleted"]


async def test_echo_listens_on_public_channels_for_service_events(
    start_js: StartJs, http: httpx.AsyncClient
) -> None:
    echo = await start_js()
    await echo.send(op="channel", channel="liveEvents")
    await echo.send(op="listen", channel="liveEvents", event=".note.created")
    await echo.expect(type="subscribed", channel="liveEvents")
    response = await http.post("/_test/notes?publish=liveEvents", json={"title": "doors open"})
    assert response.status_code == 201
    event = await echo.expect(type="event")
    assert event["data"] == {"title": "doors open"}


async def test_echo_private_channel_authorised_with_a_bearer_token(
    start_js: StartJs, http: httpx.AsyncClient, pusher_api: pusher.Pusher
) -> None:
    ada, bob = await signed_up(http, "ada"), await signed_up(http, "bob")
    mine = await start_js(token=ada.access_token)
    await mine.send(op="private", channel=f"user.{ada.id}")
    await mine.send(op="listen", channel=f"user.{ada.id}", event=".wallet.credited")
    await mine.expect(type="subscribed", channel=f"private-user.{ada.id}")

    intruder = await start_js(token=bob.access_token)
    await intruder.send(op="private", channel=f"user.{ada.id}")
    refused = await intruder.expect(type="subscription_error")
    assert refused["error"]["status"] == 403

    anonymous = await start_js()
    await anonymous.send(op="private", channel=f"user.{ada.id}")
    assert (await anonymous.expect(type="subscription_error"))["error"]["status"] == 401

    await trigger(pusher_api, f"private-user.{ada.id}", "wallet.credited", {"amount": 500})
    assert (await mine.expect(type="event"))["data"] == {"amount": 500}


async def test_echo_whispers_between_clients_on_a_private_channel(
    start_js: StartJs, http: httpx.AsyncClient
) -> None:
    ada = await signed_up(http, "ada")
    channel = f"user.{ada.id}"
    phone, laptop = await start_js(token=ada.access_token), await start_js(token=ada.access_token)
    for client in (phone, laptop):
        await client.send(op="private", channel=channel)
        await client.expect(type="subscribed")
    await laptop.send(op="listenForWhisper", channel=channel, event="typing")
    await laptop.expect(type="listening")
    await phone.send(op="whisper", channel=channel, event="typing", data={"typing": True})
    whisper = await laptop.expect(type="whisper")
    assert whisper["data"] == {"typing": True}


async def test_echo_presence_here_joining_leaving(
    start_js: StartJs, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(http, "own", full_name="Olga Owner")
    member = await signed_up(http, "mem", full_name="Max Member")
    org = await create_org(http, owner, "Echo Hall")
    await add_member(runtime, org["id"], member, "member")
    channel = f"org.{org['id']}"

    first = await start_js(token=owner.access_token)
    await first.send(op="join", channel=channel)
    here = await first.expect(type="here")
    assert here["members"] == [{"name": "Olga Owner"}]

    second = await start_js(token=member.access_token)
    await second.send(op="join", channel=channel)
    others = await second.expect(type="here")
    assert sorted(m["name"] for m in others["members"]) == ["Max Member", "Olga Owner"]
    joining = await first.expect(type="joining")
    assert joining["member"] == {"name": "Max Member"}

    # Whispers on presence channels carry who sent them; Echo hands over the data.
    await first.send(op="listenForWhisper", channel=channel, event="wave")
    await first.expect(type="listening")
    await second.send(op="whisper", channel=channel, event="wave", data={"hi": 1})
    assert (await first.expect(type="whisper"))["data"] == {"hi": 1}

    await second.stop()
    leaving = await first.expect(type="leaving")
    assert leaving["member"] == {"name": "Max Member"}


async def test_pusher_js_presence_members_and_client_event_user_id(
    start_js: StartJs, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner, member = await signed_up(http, "own"), await signed_up(http, "mem")
    org = await create_org(http, owner, "Raw Hall")
    await add_member(runtime, org["id"], member, "member")
    channel = f"presence-org.{org['id']}"
    a, b = (
        await start_js(lib="pusher", token=owner.access_token),
        await start_js(lib="pusher", token=member.access_token),
    )
    await a.send(op="subscribe", channel=channel)
    assert (await a.expect(type="subscribed"))["me"] == owner.id
    await b.send(op="subscribe", channel=channel)
    subscribed = await b.expect(type="subscribed")
    assert set(subscribed["members"]) == {owner.id, member.id}
    await a.send(op="bind", channel=channel, event="client-cheer")
    await a.expect(type="binding")
    await b.send(op="trigger", channel=channel, event="client-cheer", data={"loud": True})
    assert (await b.expect(type="triggered"))["ok"] is True
    cheer = await a.expect(matches(type="bound", event="client-cheer"))
    assert cheer["data"] == {"loud": True}
    assert cheer["metadata"] == {"user_id": member.id}, "presence client events say who sent them"
