"""Pusher protocol 7 at `/app/{key}` (pusher-js and Laravel Echo connect unmodified) and channel
authorisation for them at `/broadcasting/auth`. The Pusher HTTP API is in pusher_http.py.

The socket: `pusher:connection_established` (its data a JSON string with the socket id and the
activity timeout), `pusher:ping`/`pusher:pong`, `pusher:subscribe` (private and presence channels
carry `auth = key:HMAC(secret, socket_id:channel[:channel_data])`), `pusher:unsubscribe`,
`client-*` events on private and presence channels (rate limited; presence ones carry the
sender's `user_id`), `pusher_internal:subscription_succeeded` / `member_added` /
`member_removed`. A refused subscription gets `pusher:subscription_error` on its channel
(`{"type": "AuthError", "error", "status"}`), which pusher-js and Echo hand to the channel's
error callbacks. Connection-level problems use Pusher's error codes, as `pusher:error` and/or
the close code:

  4001 unknown app key · 4005 wrong path · 4006/4007/4008 bad, unsupported or missing protocol
  version · 4100 over capacity: too slow a reader (reconnect after a back-off) · 4200 reconnect
  now (server shutting down, or authorisation changed: subscribing again re-authorises) ·
  4201 no pong to the server's ping · 4301 client event over the rate limit (an error, not a
  close) or flooding (closed) · 1009 frame too large.

A subscription authorised by our `/broadcasting/auth` is re-checked later (the grant remembers
who asked); one signed elsewhere with the app secret is trusted for the socket's life.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Send
from starlette.websockets import WebSocket

from livehouse.core.errors import BadRequest, FieldError, Problem
from livehouse.core.settings import Settings
from livehouse.identity.auth import Principal
from livehouse.realtime import service, signatures
from livehouse.realtime.backend import Envelope
from livehouse.realtime.connection import Connection, Frame, Wire, text_frame
from livehouse.realtime.hub import Hub, Subscription
from livehouse.realtime.service import ChannelError, Grant, Member

SUPPORTED_VERSIONS = {5, 6, 7}


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _event(event: str, data: Any, channel: str | None = None, **extra: Any) -> Frame:
    body: dict[str, Any] = {"event": event}
    if channel is not None:
        body["channel"] = channel
    body["data"] = data
    body.update(extra)
    return text_frame(_dumps(body))


def error(code: int | None, message: str) -> Frame:
    return _event("pusher:error", {"code": code, "message": message})


class PusherWire(Wire):
    name = "pusher"
    SLOW = (4100, "Over capacity: the client reads too slowly")
    IDLE = (4201, "Pong reply not received")
    FLOOD = (4301, "Too many messages")
    TOO_BIG = (1009, "Message too large")
    SHUTDOWN = (4200, "Server restarting; reconnect")
    REVOKED = (4200, "Authorisation changed; reconnect and subscribe again")

    def __init__(self, settings: Settings) -> None:
        self.heartbeat = settings.pusher_activity_timeout_seconds

    def frame(self, envelope: Envelope) -> Frame:
        kind = envelope.kind
        if kind == "member_added":
            member = {"user_id": envelope.user_id, "user_info": envelope.info or {}}
            return _event("pusher_internal:member_added", _dumps(member), envelope.channel)
        if kind == "member_removed":
            data = _dumps({"user_id": envelope.user_id})
            return _event("pusher_internal:member_removed", data, envelope.channel)
        data = envelope.data if isinstance(envelope.data, str) else _dumps(envelope.data)
        if kind == "client" and envelope.user_id is not None:
            return _event(envelope.event, data, envelope.channel, user_id=envelope.user_id)
        return _event(envelope.event, data, envelope.channel)

    def ping(self) -> Frame:
        return _event("pusher:ping", "{}")

    def subscribed(
        self, sub: Subscription, members: dict[str, Any] | None, info: dict[str, Any] | None
    ) -> Frame:
        data = "{}"
        if members is not None:
            presence = {"ids": list(members), "hash": members, "count": len(members)}
            data = _dumps({"presence": presence})
        return _event("pusher_internal:subscription_succeeded", data, sub.channel)

    def refused(self, channel: str, error: ChannelError, ref: Any = None) -> Frame:
        kind = (
            "LimitReached" if error.code in ("presence_full", "too_many_channels") else "AuthError"
        )
        data = {"type": kind, "error": error.message, "status": error.status}
        return _event("pusher:subscription_error", _dumps(data), channel)

    async def revoke(self, hub: Hub, conn: Connection, channel: str) -> None:
        # Pusher has no "you were unsubscribed" message: make the client reconnect, which
        # re-authorises every private channel through /broadcasting/auth.
        conn.close_soon(*self.REVOKED)


# --- the socket ------------------------------------------------------------------------------


async def serve(ws: WebSocket, send: Send, hub: Hub, key: str) -> None:
    settings = hub.settings
    await ws.accept()
    refusal = _refusal(settings, key, ws.query_params.get("protocol"))
    if refusal is not None:
        await _refuse(ws, *refusal)
        return
    wire = hub.wire(PusherWire)
    conn = hub.attach(ws, send, wire, signatures.new_socket_id())
    established = {"socket_id": conn.socket_id, "activity_timeout": int(wire.heartbeat)}
    conn.push(_event("pusher:connection_established", _dumps(established)))
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if not conn.closed:
                await _handle(hub, conn, message)
    finally:
        conn.close_soon(None)


async def wrong_path(ws: WebSocket, send: Send, hub: Hub) -> None:
    """A socket opened anywhere else under /app: Pusher's 4005 (clients do not retry it)."""
    await ws.accept()
    await _refuse(ws, 4005, "Path not found")


async def _refuse(ws: WebSocket, code: int, message: str) -> None:
    await ws.send_text(error(code, message)["text"])
    await ws.close(code, message)


def _refusal(settings: Settings, key: str, version: str | None) -> tuple[int, str] | None:
    if key != settings.pusher_key:
        return 4001, f"App key {key[:64]} does not exist"
    if not version:
        return 4008, "No protocol version supplied"
    if not version.isdigit():
        return 4006, "Invalid version string format"
    if int(version) not in SUPPORTED_VERSIONS:
        return 4007, f"Unsupported protocol version {version[:8]}"
    return None


async def _handle(hub: Hub, conn: Connection, message: dict[str, Any]) -> None:
    text = conn.admit(message)
    if text is None:
        return
    try:
        frame = orjson.loads(text)
    except orjson.JSONDecodeError:
        frame = None
    if not isinstance(frame, dict) or not isinstance(frame.get("event"), str):
        conn.push(error(None, "Messages are JSON objects with an event"))
        return
    event, data = frame["event"], frame.get("data")
    if event == "pusher:ping":
        conn.push(_event("pusher:pong", "{}"))
    elif event == "pusher:pong":
        pass
    elif event == "pusher:subscribe":
        await _subscribe(hub, conn, data if isinstance(data, dict) else {})
    elif event == "pusher:unsubscribe":
        channel = data.get("channel") if isinstance(data, dict) else None
        if isinstance(channel, str):
            await hub.unsubscribe_socket(conn, channel)
    elif event.startswith("client-"):
        await _client_event(hub, conn, event, frame.get("channel"), data)
    else:
        conn.push(error(None, f"Unsupported event {event[:64]}"))


async def _subscribe(hub: Hub, conn: Connection, data: dict[str, Any]) -> None:
    channel = data.get("channel")
    if not isinstance(channel, str):
        conn.push(error(None, "pusher:subscribe needs a channel"))
        return
    try:
        kind = service.check_name(channel)
        record = None
        if kind == "public":
            grant = Grant(channel, kind)
        else:
            grant = _verify(hub.settings, conn.socket_id, channel, kind, data)
            record = await hub.claim_grant(conn.socket_id, channel)
        await hub.subscribe_socket(conn, grant, record)
    except ChannelError as refused:
        conn.push(conn.wire.refused(channel, refused))


def _verify(
    settings: Settings, socket_id: str, channel: str, kind: str, data: dict[str, Any]
) -> Grant:
    channel_data = data.get("channel_data") if kind == "presence" else None
    if kind == "presence" and not isinstance(channel_data, str):
        raise ChannelError("unauthorized", "Presence subscriptions need channel_data")
    if not signatures.valid_channel_auth(
        settings.pusher_key,
        settings.pusher_secret,
        socket_id,
        channel,
        data.get("auth"),
        channel_data,
    ):
        raise ChannelError("unauthorized", "Invalid signature for this socket and channel")
    if kind == "private":
        return Grant(channel, "private")
    try:
        member = orjson.loads(channel_data)  # type: ignore[arg-type]
        user_id = member["user_id"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise ChannelError("unauthorized", "channel_data needs a user_id") from None
    if not isinstance(user_id, str | int) or isinstance(user_id, bool):
        raise ChannelError("unauthorized", "channel_data's user_id is a string or a number")
    info = member.get("user_info")
    return Grant(channel, "presence", Member(str(user_id), info if isinstance(info, dict) else {}))


async def _client_event(hub: Hub, conn: Connection, event: str, channel: object, data: Any) -> None:
    if not isinstance(channel, str):
        conn.push(error(None, "Client events need a channel"))
        return
    if not conn.client_events.allow():
        conn.push(error(4301, "Client event rejected due to rate limit"))
        return
    payload = data if isinstance(data, str) else _dumps(data)
    if len(payload) > conn.limits.max_event_bytes or len(event) > 200:
        conn.push(error(None, f"Client events are limited to {conn.limits.max_event_bytes} bytes"))
        return
    try:
        await hub.client_event(conn, channel, event, payload)
    except ChannelError as refused:
        conn.push(error(None, refused.message))


# --- /broadcasting/auth ----------------------------------------------------------------------


async def authorize_socket(
    hub: Hub, session: AsyncSession, principal: Principal, socket_id: str, channel: str
) -> dict[str, str]:
    """Sign `socket_id`'s subscription to `channel` for pusher-js / Echo, if the channel's rule
    allows `principal` — and remember who asked, so the subscription can be re-checked."""
    settings = hub.settings
    try:
        grant = await service.authorize(session, principal, channel)
    except ChannelError as refused:
        raise _problem(refused) from None
    if grant.kind == "public":
        raise BadRequest("Public channels need no authorisation")
    channel_data = None
    if grant.member is not None:
        channel_data = _dumps({"user_id": grant.member.id, "user_info": grant.member.info})
    await hub.remember_grant(socket_id, channel, service.GrantRecord.of(principal))
    auth = signatures.channel_auth(
        settings.pusher_key, settings.pusher_secret, socket_id, channel, channel_data
    )
    return {"auth": auth} | ({"channel_data": channel_data} if channel_data else {})


def _problem(refused: ChannelError) -> Problem:
    if refused.status == 400:
        return BadRequest(refused.message, errors=[FieldError("channel_name", refused.message)])
    slug = {401: "unauthorized", 403: "forbidden"}.get(refused.status, "bad-request")
    return Problem(refused.message, status=refused.status, slug=slug)
