"""Realtime routes: the two WebSocket protocols, Pusher channel authorisation, the Pusher HTTP
API (publishing and channel queries). Parsing and shaping only; the rules are in service.py, the
protocols in native.py, pusher.py and pusher_http.py, fan-out and counts in hub.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Query, Request, WebSocket
from pydantic import BaseModel, ValidationError
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send

from livehouse.core.deps import DbSession
from livehouse.core.errors import BadRequest, validation_problem
from livehouse.core.runtime import current
from livehouse.identity.auth import Authenticated
from livehouse.realtime import native, pusher, pusher_http, signatures
from livehouse.realtime.hub import Hub
from livehouse.realtime.schemas import (
    BatchEvents,
    ChannelAuthRequest,
    ChannelAuthResponse,
    TriggerEvent,
)

router = APIRouter(tags=["realtime"])
Model = TypeVar("Model", bound=BaseModel)


class _Socket:
    """A WebSocket route as a bare ASGI app: FastAPI's dependency machinery and Starlette's
    session wrapper, which these need none of, would stay alive with every open socket (some
    6 KB apiece). The protocol gets the `WebSocket` and its ASGI `send` (for data frames)."""

    def __init__(self, serve: Callable[[WebSocket, Send, Hub], Awaitable[None]]) -> None:
        self.serve = serve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.serve(WebSocket(scope, receive, send), send, current().hub)


async def _pusher(websocket: WebSocket, send: Send, hub: Hub) -> None:
    await pusher.serve(websocket, send, hub, websocket.path_params["key"])


router.routes.append(WebSocketRoute("/v1/realtime", _Socket(native.serve)))
router.routes.append(WebSocketRoute("/app/{key}", _Socket(_pusher)))
router.routes.append(WebSocketRoute("/app{rest:path}", _Socket(pusher.wrong_path)))


def _body_doc(model: type[BaseModel], *content_types: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "content": {kind: {"schema": schema} for kind in content_types},
        }
    }


def _parse(model: type[Model], raw: Any) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_problem(exc.errors()) from None


@router.post(
    "/broadcasting/auth",
    response_model=ChannelAuthResponse,
    response_model_exclude_none=True,
    summary="Authorise a pusher-js / Laravel Echo socket for a private or presence channel",
    openapi_extra=_body_doc(
        ChannelAuthRequest, "application/x-www-form-urlencoded", "application/json"
    ),
)
async def broadcasting_auth(
    request: Request, principal: Authenticated, db: DbSession
) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            raw: Any = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise BadRequest("The body is not valid JSON") from None
    else:
        raw = dict(await request.form())
    body = _parse(ChannelAuthRequest, raw)
    return await pusher.authorize_socket(
        current().hub, db, principal, body.socket_id, body.channel_name
    )


async def _signed_body(request: Request, app_id: str) -> bytes:
    body = await request.body()
    signatures.verify_request(
        current().settings, app_id, "POST", request.url.path, dict(request.query_params), body
    )
    return body


def _signed_query(request: Request, app_id: str) -> None:
    signatures.verify_request(
        current().settings, app_id, "GET", request.url.path, dict(request.query_params), b""
    )


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("The body is not valid JSON") from None


@router.post(
    "/apps/{app_id}/events",
    summary="Pusher HTTP API: trigger an event on channels (signed with the app secret)",
    openapi_extra=_body_doc(TriggerEvent, "application/json"),
)
async def pusher_events(app_id: str, request: Request) -> dict[str, Any]:
    event = _parse(TriggerEvent, _json(await _signed_body(request, app_id)))
    hub = current().hub
    pusher_http.check_event(hub.settings, event.name, event.targets, event.data)
    info = pusher_http.attributes(event.info)
    counts = await pusher_http.trigger(
        hub, event.name, event.targets, event.data, event.socket_id, info
    )
    return {"channels": counts} if info else {}


@router.post(
    "/apps/{app_id}/batch_events",
    summary="Pusher HTTP API: trigger up to 10 events (signed with the app secret)",
    openapi_extra=_body_doc(BatchEvents, "application/json"),
)
async def pusher_batch_events(app_id: str, request: Request) -> dict[str, Any]:
    batch = _parse(BatchEvents, _json(await _signed_body(request, app_id))).batch
    hub = current().hub
    infos = []
    for event in batch:  # all checked before any is sent
        pusher_http.check_event(hub.settings, event.name, [event.channel], event.data)
        infos.append(pusher_http.attributes(event.info))
    answers = []
    for event, info in zip(batch, infos, strict=True):
        counts = await pusher_http.trigger(
            hub, event.name, [event.channel], event.data, event.socket_id, info
        )
        answers.append(counts.get(event.channel, {}))
    return {"batch": answers} if any(infos) else {}


Info = Annotated[
    str | None,
    Query(description="Comma-separated: subscription_count, user_count (presence channels)"),
]


@router.get(
    "/apps/{app_id}/channels",
    summary="Pusher HTTP API: the occupied channels (signed with the app secret)",
)
async def pusher_channels(
    app_id: str,
    request: Request,
    info: Info = None,
    filter_by_prefix: Annotated[str, Query(description="Only channels starting with this")] = "",
) -> dict[str, Any]:
    _signed_query(request, app_id)
    return await pusher_http.channels(current().hub, filter_by_prefix, info)


@router.get(
    "/apps/{app_id}/channels/{channel_name}",
    summary="Pusher HTTP API: whether a channel is occupied, and its counts (signed)",
)
async def pusher_channel(
    app_id: str, channel_name: str, request: Request, info: Info = None
) -> dict[str, Any]:
    _signed_query(request, app_id)
    return await pusher_http.channel(current().hub, channel_name, info)


@router.get(
    "/apps/{app_id}/channels/{channel_name}/users",
    summary="Pusher HTTP API: a presence channel's users (signed with the app secret)",
)
async def pusher_channel_users(app_id: str, channel_name: str, request: Request) -> dict[str, Any]:
    _signed_query(request, app_id)
    return await pusher_http.users(current().hub, channel_name)
