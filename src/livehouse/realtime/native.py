"""The native protocol at `/v1/realtime`: JSON text frames, one object each, with a `type`.

Client → server (any frame may carry a `ref`, echoed in the answer):
  {"type": "subscribe", "channel": "c", "token": "<access token or API key>", "since": "<id>"}
      `token` only for private-/presence- channels; `since` resumes after that message id
  {"type": "unsubscribe", "channel": "c"}
  {"type": "publish", "channel": "private-…", "event": "client-…", "data": …}
      client events, on private and presence channels only, rate limited
  {"type": "ping"}   and   {"type": "pong"} (the answer to a server ping)

Server → client:
  {"type": "welcome", "connection_id", "heartbeat", "max_frame_bytes"}
  {"type": "subscribed", "channel", "last_id"?, "recovered"?, "presence"?: {"me", "count",
   "members": {id: info}}}
  {"type": "message", "channel", "event", "data", "id"?, "user_id"?}
  {"type": "member_added" | "member_removed", "channel", "member": {"id", "info"?}}
  {"type": "unsubscribed", "channel", "reason"?}
  {"type": "ping"} / {"type": "pong"}
  {"type": "error", "code", "message", "channel"?}

Close codes: 1008 flooding, 1009 frame too large, 1013 too slow a reader, 4408 no answer to a
heartbeat, 1001 server going away. Authorisation re-checks that fail end the subscription with
`unsubscribed` and `reason: "unauthorized"`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import Send
from starlette.websockets import WebSocket

from livehouse.core.db import unit_of_work
from livehouse.core.errors import Problem
from livehouse.core.runtime import current
from livehouse.identity.auth import API_KEY_PREFIX, optional_principal
from livehouse.realtime import service
from livehouse.realtime.backend import Envelope
from livehouse.realtime.connection import Connection, Frame, Wire, text_frame
from livehouse.realtime.hub import Hub, Subscription
from livehouse.realtime.service import ChannelError, Grant, GrantRecord
from livehouse.realtime.signatures import new_socket_id


def _dump(body: dict[str, Any]) -> Frame:
    return text_frame(orjson.dumps(body).decode())


def _data(envelope: Envelope) -> Any:
    if envelope.raw and isinstance(envelope.data, str):
        try:  # data published through the Pusher API is a string, usually JSON
            return orjson.loads(envelope.data)
        except orjson.JSONDecodeError:
            return envelope.data
    return envelope.data


class NativeWire(Wire):
    name = "native"
    tells_last_id = True

    def frame(self, envelope: Envelope) -> Frame:
        kind = envelope.kind
        if kind in ("member_added", "member_removed"):
            member: dict[str, Any] = {"id": envelope.user_id}
            if kind == "member_added":
                member["info"] = envelope.info or {}
            return _dump({"type": kind, "channel": envelope.channel, "member": member})
        body = {
            "type": "message",
            "channel": envelope.channel,
            "event": envelope.event,
            "data": _data(envelope),
        }
        if envelope.id:
            body["id"] = envelope.id
        if envelope.user_id:
            body["user_id"] = envelope.user_id
        return _dump(body)

    def ping(self) -> Frame:
        return _dump({"type": "ping"})

    def subscribed(
        self, sub: Subscription, members: dict[str, Any] | None, info: dict[str, Any] | None
    ) -> Frame:
        body: dict[str, Any] = {"type": "subscribed", "channel": sub.channel}
        for key, value in (info or {}).items():
            if value is not None or key == "last_id":
                body[key] = value
        if members is not None and sub.member is not None:
            body["presence"] = {"me": sub.member.id, "count": len(members), "members": members}
        return _dump(body)

    def refused(self, channel: str, error: ChannelError, ref: Any = None) -> Frame:
        return error_frame(error.code, error.message, channel=channel, ref=ref)

    async def revoke(self, hub: Hub, conn: Connection, channel: str) -> None:
        if await hub.unsubscribe_socket(conn, channel):
            conn.push(_dump({"type": "unsubscribed", "channel": channel, "reason": "unauthorized"}))


def error_frame(code: str, message: str, *, channel: str | None = None, ref: Any = None) -> Frame:
    body: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if channel is not None:
        body["channel"] = channel
    if ref is not None:
        body["ref"] = ref
    return _dump(body)


def _request_for(ws: WebSocket) -> Request:
    """identity's resolver wants a request (its cache, and method and path for its audit
    trail); we hand it one that names this socket."""
    return Request(
        {
            "type": "http",
            "method": "WEBSOCKET",
            "path": ws.url.path,
            "headers": [],
            "query_string": b"",
            "state": {},
        }
    )


async def grant_for(ws: WebSocket, channel: str, token: object) -> tuple[Grant, GrantRecord | None]:
    kind = service.check_name(channel)
    if kind == "public":
        return Grant(channel, kind), None
    if not isinstance(token, str) or not token:
        raise ChannelError("unauthorized", f"Subscribing to a {kind} channel needs a token")
    request = _request_for(ws)
    api_key = token if token.startswith(API_KEY_PREFIX) else None
    bearer = None if api_key else token
    async with unit_of_work(current().database, write=False) as session:
        try:
            principal = await optional_principal(request, session, bearer, api_key)
        except Problem as exc:
            raise ChannelError("unauthorized", "The token is invalid or expired") from exc
        grant = await service.authorize(session, principal, channel)
    assert principal is not None
    return grant, GrantRecord.of(principal)


async def serve(ws: WebSocket, send: Send, hub: Hub) -> None:
    await ws.accept()
    wire = hub.wire(NativeWire)
    conn = hub.attach(ws, send, wire, new_socket_id())
    conn.push(
        _dump(
            {
                "type": "welcome",
                "connection_id": conn.socket_id,
                "heartbeat": wire.heartbeat,
                "max_frame_bytes": conn.limits.max_frame_bytes,
            }
        )
    )
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if not conn.closed:
                await _handle(hub, ws, conn, message)
    finally:
        conn.close_soon(None)


async def _handle(hub: Hub, ws: WebSocket, conn: Connection, message: dict[str, Any]) -> None:
    text = conn.admit(message)
    if text is None:
        return
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        frame = None
    if not isinstance(frame, dict):
        conn.push(error_frame("invalid_frame", "Frames are JSON objects (text)"))
        return
    ref = frame.get("ref")
    kind = frame.get("type")
    channel = frame.get("channel")
    try:
        if kind == "ping":
            conn.push(_dump({"type": "pong", "ref": ref} if ref is not None else {"type": "pong"}))
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            since = frame.get("since")
            grant, record = await grant_for(ws, channel, frame.get("token"))  # type: ignore[arg-type]
            await hub.subscribe_socket(
                conn, grant, record, since=since if isinstance(since, str) else None, ref=ref
            )
        elif kind == "unsubscribe":
            service.check_name(channel)
            await hub.unsubscribe_socket(conn, channel)  # type: ignore[arg-type]
            body = {"type": "unsubscribed", "channel": channel}
            conn.push(_dump(body | ({"ref": ref} if ref is not None else {})))
        elif kind == "publish":
            await _client_event(hub, conn, frame)
        else:
            conn.push(error_frame("unknown_type", f"Unknown frame type {kind!r}"[:200], ref=ref))
    except ChannelError as error:
        conn.push(
            error_frame(
                error.code,
                error.message,
                channel=channel if isinstance(channel, str) else None,
                ref=ref,
            )
        )


async def _client_event(hub: Hub, conn: Connection, frame: dict[str, Any]) -> None:
    channel, event = frame.get("channel"), frame.get("event")
    service.check_name(channel)
    if not isinstance(event, str) or not event.startswith("client-") or len(event) > 200:
        raise ChannelError("forbidden", "Clients may only send events named client-…")
    data = frame.get("data")
    if len(orjson.dumps(data)) > conn.limits.max_event_bytes:
        raise ChannelError("too_large", f"Event data is limited to {conn.limits.max_event_bytes}")
    if not conn.client_events.allow():
        raise ChannelError("rate_limited", "Too many client events; slow down")
    await hub.client_event(conn, channel, event, data)  # type: ignore[arg-type]
