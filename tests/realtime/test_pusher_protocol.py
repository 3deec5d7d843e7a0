"""The Pusher protocol where real clients never go: the known-answer signature vectors, the
handshake's error codes, bad signatures, and the HTTP API's request signing."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pusher
import pytest
import websockets
from pusher.errors import PusherBadAuth, PusherBadRequest, PusherBadStatus

from livehouse.core.runtime import Runtime
from livehouse.realtime import signatures
from tests.realtime.clients import WAIT, RawPusher, pusher_client, signed_query, ws_url
from tests.support.auth import signed_up

VECTOR_KEY, VECTOR_SECRET = "278d425bdf160c739803", "7ad3773142a6692b25b8"


@pytest.mark.parametrize(
    ("channel", "channel_data", "signature"),
    [
        (
            "private-foobar",
            None,
            "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
        ),
        (
            "presence-foobar",
            '{"user_id":10,"user_info":{"name":"Mr. Channels"}}',
            "31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80",
        ),
    ],
)
def test_channel_auth_vectors(channel: str, channel_data: str | None, signature: str) -> None:
    auth = signatures.channel_auth(VECTOR_KEY, VECTOR_SECRET, "1234.1234", channel, channel_data)
    assert auth == f"{VECTOR_KEY}:{signature}"
    assert signatures.valid_channel_auth(
        VECTOR_KEY, VECTOR_SECRET, "1234.1234", channel, auth, channel_data
    )
    assert not signatures.valid_channel_auth(
        VECTOR_KEY, VECTOR_SECRET, "1234.1235", channel, auth, channel_data
    )
    # The pusher package (Pusher's own server library) signs the same way.
    client = pusher.Pusher(app_id="1", key=VECTOR_KEY, secret=VECTOR_SECRET)
    custom = json.loads(channel_data) if channel_data else None
    theirs = client.authenticate(channel=channel, socket_id="1234.1234", custom_data=custom)
    mine = signatures.channel_auth(
        VECTOR_KEY, VECTOR_SECRET, "1234.1234", channel, theirs.get("channel_data")
    )
    assert mine == theirs["auth"]


async def test_handshake(base: str, runtime: Runtime) -> None:
    socket = await RawPusher.connect(base, runtime.settings.pusher_key)
    frame = await socket.recv()
    assert frame["event"] == "pusher:connection_established"
    assert isinstance(frame["data"], str), "data is a JSON string"
    data = json.loads(frame["data"])
    assert data["activity_timeout"] == runtime.settings.pusher_activity_timeout_seconds
    assert signatures.SOCKET_ID_RE.match(data["socket_id"])
    await socket.send("pusher:ping")
    assert (await socket.expect("pusher:pong"))["event"] == "pusher:pong"
    await socket.ws.close()


@pytest.mark.parametrize(
    ("key", "query", "code"),
    [
        ("no-such-key", "?protocol=7", 4001),
        (None, "", 4008),
        (None, "?protocol=seven", 4006),
        (None, "?protocol=3", 4007),
    ],
)
async def test_handshake_refusals(
    base: str, runtime: Runtime, key: str | None, query: str, code: int
) -> None:
    socket = await RawPusher.connect(base, key or runtime.settings.pusher_key, query)
    error = await socket.recv()
    assert error["event"] == "pusher:error" and error["data"]["code"] == code
    assert (await socket.closed())[0] == code


@pytest.mark.parametrize("path", ["/app/livehouse-demo-key/extra", "/app/", "/app"])
async def test_other_paths_under_app_get_4005(base: str, path: str) -> None:
    connection = await websockets.connect(ws_url(base, path + "?protocol=7"), open_timeout=WAIT)
    socket = RawPusher(connection)
    error = await socket.recv()
    assert error["event"] == "pusher:error" and error["data"]["code"] == 4005
    assert (await socket.closed())[0] == 4005


async def test_bad_signatures_are_refused_per_channel(base: str, runtime: Runtime) -> None:
    settings = runtime.settings
    socket = await RawPusher.connect(base, settings.pusher_key)
    socket_id = await socket.established()
    other_socket = "1.2"
    tries: list[dict[str, Any]] = [
        {"channel": "private-user.x"},  # no auth at all
        {"channel": "private-user.x", "auth": "nonsense"},
        {  # signed for another socket
            "channel": "private-user.x",
            "auth": signatures.channel_auth(
                settings.pusher_key, settings.pusher_secret, other_socket, "private-user.x"
            ),
        },
        {  # signed with another secret
            "channel": "private-user.x",
            "auth": signatures.channel_auth(
                settings.pusher_key, "guess", socket_id, "private-user.x"
            ),
        },
        {  # presence data changed after signing
            "channel": "presence-org.x",
            "auth": signatures.channel_auth(
                settings.pusher_key,
                settings.pusher_secret,
                socket_id,
                "presence-org.x",
                '{"user_id":"a"}',
            ),
            "channel_data": '{"user_id":"admin"}',
        },
    ]
    for data in tries:
        await socket.send("pusher:subscribe", data)
        refused = await socket.expect("pusher:subscription_error", data["channel"])
        assert json.loads(refused["data"])["status"] == 401, data
    # A correct signature from the app's secret holder is accepted (Pusher's trust model).
    good = signatures.channel_auth(
        settings.pusher_key, settings.pusher_secret, socket_id, "private-user.x"
    )
    await socket.send("pusher:subscribe", {"channel": "private-user.x", "auth": good})
    await socket.expect("pusher_internal:subscription_succeeded", "private-user.x")
    await socket.ws.close()


async def test_client_events_only_on_private_and_presence(base: str, runtime: Runtime) -> None:
    socket = await RawPusher.connect(base, runtime.settings.pusher_key)
    await socket.established()
    await socket.send("pusher:subscribe", {"channel": "comment"})
    await socket.expect("pusher_internal:subscription_succeeded", "comment")
    await socket.send("client-hello", {"x": 1}, channel="comment")
    assert (await socket.expect("pusher:error"))["data"]["message"]
    await socket.send("client-hello", {"x": 1}, channel="private-not-subscribed")
    assert (await socket.expect("pusher:error"))["data"]["message"]
    await socket.ws.close()


async def test_broadcasting_auth(base: str, http: httpx.AsyncClient, runtime: Runtime) -> None:
    ada = await signed_up(http, "ada")
    settings = runtime.settings
    channel = f"private-user.{ada.id}"
    form = {"socket_id": "123.456", "channel_name": channel}
    response = await http.post("/broadcasting/auth", data=form, headers=ada.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "auth": signatures.channel_auth(
            settings.pusher_key, settings.pusher_secret, "123.456", channel
        )
    }
    as_json = await http.post("/broadcasting/auth", json=form, headers=ada.headers)
    assert as_json.json() == response.json()

    anonymous = await http.post("/broadcasting/auth", data=form)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    for bad in (
        {"socket_id": "123", "channel_name": channel},
        {"socket_id": "1.2", "channel_name": "has spaces"},
        {"socket_id": "1.2"},
    ):
        refused = await http.post("/broadcasting/auth", data=bad, headers=ada.headers)
        assert refused.status_code in (400, 422), bad
        assert refused.headers["content-type"] == "application/problem+json"
    public = await http.post(
        "/broadcasting/auth", data={**form, "channel_name": "comment"}, headers=ada.headers
    )
    assert public.status_code == 400
    unknown = await http.post(
        "/broadcasting/auth", data={**form, "channel_name": "private-x"}, headers=ada.headers
    )
    assert unknown.status_code == 403


async def test_http_api_checks_its_signature(
    base: str, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    app_id = runtime.settings.pusher_app_id
    path = f"/apps/{app_id}/events"
    body = json.dumps({"name": "e", "channels": ["comment"], "data": "{}"}).encode()
    headers = {"content-type": "application/json"}

    ok = await http.post(
        path, content=body, params=signed_query(runtime, path, body), headers=headers
    )
    assert ok.status_code == 200 and ok.json() == {}

    def tampered(**override: str) -> dict[str, str]:
        params = signed_query(runtime, path, body)
        params.update(override)
        return params

    stale = signed_query(runtime, path, body, auth_timestamp=str(int(time.time()) - 3600))
    cases = {
        "wrong signature": tampered(auth_signature="0" * 64),
        "wrong key": signed_query(runtime, path, body, auth_key="other"),
        "stale timestamp": stale,
        "wrong body md5": signed_query(runtime, path, body, body_md5="0" * 32),
        "other version": signed_query(runtime, path, body, auth_version="2.0"),
        "no signature": {k: v for k, v in tampered().items() if k != "auth_signature"},
    }
    for what, params in cases.items():
        refused = await http.post(path, content=body, params=params, headers=headers)
        assert refused.status_code == 401, what
        assert refused.headers["content-type"] == "application/problem+json", what
        assert (
            "auth_signature" not in refused.text
            and params.get("auth_signature", "-") not in refused.text
        )

    other_app = "/apps/999/events"
    missing = await http.post(
        other_app, content=body, params=signed_query(runtime, other_app, body), headers=headers
    )
    assert missing.status_code == 404


async def test_http_api_refuses_bad_events(
    base: str, runtime: Runtime, pusher_api: pusher.Pusher
) -> None:
    with pytest.raises(PusherBadRequest):
        await asyncio.to_thread(pusher_api.trigger, "comment", "pusher:internal", {})
    with pytest.raises(PusherBadStatus, match=r"^413"):  # as Pusher: data over the limit
        await asyncio.to_thread(pusher_api.trigger, "comment", "x", "y" * 20_000)
    wrong = pusher_client(base, runtime.settings, secret="not-the-secret")
    with pytest.raises(PusherBadAuth):
        await asyncio.to_thread(wrong.trigger, "comment", "x", {})
