"""The Pusher HTTP API's channel queries, asked with the `pusher` package (Pusher's own server
SDK): which channels are occupied, one channel's counts, a presence channel's users — and what
publishing with `info` answers. Across nodes: tests/realtime/test_multinode.py."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pusher
import pytest
from pusher.errors import PusherBadAuth, PusherBadRequest

from livehouse.core.runtime import Runtime
from tests.realtime.clients import Native, RawPusher, pusher_client, signed_query, until
from tests.support.auth import add_member, create_org, signed_up


async def ask(call: Callable[..., Any], *args: Any) -> Any:
    """The `pusher` package is synchronous: call it off the event loop the server runs on."""
    return await asyncio.to_thread(call, *args)


async def test_occupied_channels_and_their_subscription_counts(
    base: str, runtime: Runtime, pusher_api: pusher.Pusher
) -> None:
    tag = f"t{uuid.uuid4().hex[:8]}"
    news, sports = f"{tag}-news", f"{tag}-sports"
    assert await ask(pusher_api.channel_info, news) == {"occupied": False}
    assert await ask(pusher_api.channels_info, tag) == {"channels": {}}

    readers = [await Native.connect(base) for _ in range(2)]
    for reader in readers:
        await reader.subscribe(news)
    fan = await RawPusher.connect(base, runtime.settings.pusher_key)
    await fan.established()
    await fan.send("pusher:subscribe", {"channel": sports})
    await fan.expect("pusher_internal:subscription_succeeded", sports)

    counted = ["subscription_count"]
    assert await ask(pusher_api.channel_info, news) == {"occupied": True}
    assert await ask(pusher_api.channel_info, news, counted) == {
        "occupied": True,
        "subscription_count": 2,
    }
    assert await ask(pusher_api.channels_info, tag) == {"channels": {news: {}, sports: {}}}
    assert await ask(pusher_api.channels_info, tag, counted) == {
        "channels": {news: {"subscription_count": 2}, sports: {"subscription_count": 1}}
    }
    assert await ask(pusher_api.channels_info, f"{tag}-sp") == {"channels": {sports: {}}}

    await readers[0].close()
    await until(
        lambda: ask(pusher_api.channel_info, news, counted),
        {
            "occupied": True,
            "subscription_count": 1,
        },
    )
    await readers[1].close()
    await fan.send("pusher:unsubscribe", {"channel": sports})
    await until(lambda: ask(pusher_api.channels_info, tag), {"channels": {}})
    assert await ask(pusher_api.channel_info, sports) == {"occupied": False}
    await fan.ws.close()


async def test_presence_channels_count_people_and_list_them(
    base: str, http: httpx.AsyncClient, runtime: Runtime, pusher_api: pusher.Pusher
) -> None:
    owner, member = await signed_up(http, "own"), await signed_up(http, "mem")
    org = await create_org(http, owner, "Counting Hall")
    await add_member(runtime, org["id"], member, "member")
    channel = f"presence-org.{org['id']}"
    sockets = [await Native.connect(base) for _ in range(3)]
    for socket, person in zip(sockets, (owner, owner, member), strict=True):
        assert (await socket.subscribe(channel, token=person.access_token))["type"] == "subscribed"

    # The owner on two sockets is one user and two subscriptions.
    assert await ask(pusher_api.channel_info, channel, ["user_count", "subscription_count"]) == {
        "occupied": True,
        "user_count": 2,
        "subscription_count": 3,
    }
    listed = await ask(pusher_api.channels_info, "presence-org.", ["user_count"])
    assert listed["channels"][channel] == {"user_count": 2}
    users = (await ask(pusher_api.users_info, channel))["users"]
    assert sorted(users, key=lambda u: u["id"]) == sorted(
        [{"id": owner.id}, {"id": member.id}], key=lambda u: u["id"]
    )
    for socket in sockets:
        await socket.close()


async def test_questions_pusher_refuses_are_refused(
    base: str, runtime: Runtime, pusher_api: pusher.Pusher
) -> None:
    for call, args in (
        # user_count is for presence channels: a list not limited to them, a public channel
        (pusher_api.channels_info, (None, ["user_count"])),
        (pusher_api.channels_info, ("private-", ["user_count"])),
        (pusher_api.channel_info, ("news", ["user_count"])),
        (pusher_api.channel_info, ("news", ["members"])),  # no such attribute
        (pusher_api.users_info, ("private-org.1",)),  # only presence channels have users
    ):
        with pytest.raises(PusherBadRequest):
            await ask(call, *args)
    wrong = pusher_client(base, runtime.settings, secret="not-the-secret")
    for call, args in (
        (wrong.channels_info, ()),
        (wrong.channel_info, ("news",)),
        (wrong.users_info, ("presence-org.1",)),
    ):
        with pytest.raises(PusherBadAuth):
            await ask(call, *args)


async def test_publishing_with_info_answers_each_channels_counts(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner = await signed_up(http, "own")
    org = await create_org(http, owner, "Info Hall")
    news, room = f"t{uuid.uuid4().hex[:8]}-news", f"presence-org.{org['id']}"
    reader, member = await Native.connect(base), await Native.connect(base)
    await reader.subscribe(news)
    assert (await member.subscribe(room, token=owner.access_token))["type"] == "subscribed"
    app_id = runtime.settings.pusher_app_id
    headers = {"content-type": "application/json"}

    async def call(path: str, payload: dict[str, Any]) -> httpx.Response:
        body = json.dumps(payload).encode()
        return await http.post(
            path, content=body, params=signed_query(runtime, path, body), headers=headers
        )

    answer = await call(
        f"/apps/{app_id}/events",
        {
            "name": "note",
            "channels": [news, room],
            "data": "{}",
            "info": "subscription_count,user_count",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "channels": {
            news: {"subscription_count": 1},  # no user_count: not a presence channel
            room: {"user_count": 1, "subscription_count": 1},
        }
    }
    assert (await reader.expect(type="message"))["event"] == "note"  # published all the same

    batch = await call(
        f"/apps/{app_id}/batch_events",
        {
            "batch": [
                {"name": "a", "channel": news, "data": "{}", "info": "subscription_count"},
                {"name": "b", "channel": news, "data": "{}"},
            ]
        },
    )
    assert batch.status_code == 200, batch.text
    assert batch.json() == {"batch": [{"subscription_count": 1}, {}]}

    plain = await call(f"/apps/{app_id}/events", {"name": "c", "channel": news, "data": "{}"})
    assert plain.json() == {}
    unknown = await call(
        f"/apps/{app_id}/events", {"name": "d", "channel": news, "data": "{}", "info": "size"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "info"
    seen = [(await reader.expect(type="message"))["event"] for _ in range(3)]
    assert seen == ["a", "b", "c"], "the refused event was not published"
    await reader.close()
    await member.close()
