"""Pure-ASGI middleware (no BaseHTTPMiddleware: it would run the app in another task and break
the per-request transaction).

Order, outermost first (see app.py):
  RequestContextMiddleware  request id, access log, metrics, last-resort problem responses
  TrustedHost               Starlette's own
  WebSocketRoutesMiddleware WebSocket routes served here, below them none of the HTTP layers
  CORS                      Starlette's own
  BodyLimitMiddleware       413 problem once a body passes its route's limit
  UnitOfWorkMiddleware      one transaction per request + Idempotency-Key replay

Why our own body limit: Starlette's (FastAPI `max_body_size`) answers a declared oversize
Content-Length with a hard-coded text/plain 413, replacing our problem response.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livehouse.core import idempotency, metrics
from livehouse.core.db import Database, UnitOfWork
from livehouse.core.errors import (
    Conflict,
    FieldError,
    Problem,
    ValidationFailed,
    database_unavailable,
    problem_response,
)
from livehouse.core.logging import request_id_var

log = logging.getLogger("livehouse.http")
access_log = logging.getLogger("livehouse.access")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _state(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("state", {})  # type: ignore[no-any-return]


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value  # type: ignore[no-any-return]
    return None


async def _send_problem(send: Send, scope: Scope, problem: Problem) -> None:
    response = problem_response(problem, _state(scope).get("request_id"))
    await response(scope, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        supplied = (_header(scope, b"x-request-id") or b"").decode("latin-1")
        request_id = supplied if _REQUEST_ID_RE.match(supplied) else uuid.uuid4().hex
        _state(scope)["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            # A socket's frames skip the wrapper: it only touches HTTP responses, and a fan-out
            # to thousands of sockets pays for every layer's `send` on every frame.
            await self.app(scope, receive, send_wrapper if scope["type"] == "http" else send)
        except StarletteHTTPException as exc:  # e.g. the body limit, raised outside the router
            if response_started or scope["type"] != "http":
                return
            status = exc.status_code
            await _send_problem(
                send_wrapper,
                scope,
                Problem(
                    exc.detail if isinstance(exc.detail, str) else None,
                    status=exc.status_code,
                    slug="http-error",
                    headers=dict(exc.headers or {}),
                ),
            )
        except Exception:
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if response_started or scope["type"] != "http":
                return  # the client already has part of an answer; nothing better to send
            status = 500
            await _send_problem(
                send_wrapper,
                scope,
                Problem(
                    "An unexpected error occurred; quote the request id when reporting it",
                    status=500,
                    slug="internal-error",
                ),
            )
        finally:
            if scope["type"] == "http":
                elapsed = time.perf_counter() - started
                route = scope.get("route")
                template = getattr(route, "path_format", None) or "<unmatched>"
                metrics.observe_request(scope["method"], template, status, elapsed)
                access_log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope.get("path"),
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)


class WebSocketRoutesMiddleware:
    """Serves the app's WebSocket routes in front of the HTTP-only layers (CORS, body limit,
    unit of work, FastAPI's exception and exit-stack middleware): a socket lives for hours,
    holds each layer's frames in memory and pays for each layer's `send` on every message of
    a fan-out (docs/benchmarks.md#fanout). Other scopes, and sockets no route here takes, go
    on down the stack."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            for route in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    await route.handle({**scope, **child_scope}, receive, send)
                    return
        await self.app(scope, receive, send)


MAX_BODY_KEY = "x-max-body-bytes"


def body_limit(max_bytes: int) -> dict[str, int]:
    """Route option raising (or lowering) the body limit for one route, shown in OpenAPI:
    `@router.post("/media", openapi_extra=body_limit(600 * 2**20))`."""
    return {MAX_BODY_KEY: max_bytes}


class BodyTooLarge(StarletteHTTPException):
    # An HTTPException, so FastAPI's body parsing lets it through instead of answering 400.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds the limit of {limit} bytes")


class BodyLimitMiddleware:
    """Refuses bodies over the limit — from Content-Length before reading, or as soon as the
    streamed bytes pass it. The limit is looked up at the first read, after routing, so a route
    can carry its own (see `body_limit`)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _limit(self, scope: Scope) -> int:
        extra = getattr(scope.get("route"), "openapi_extra", None) or {}
        return int(extra.get(MAX_BODY_KEY, self.max_bytes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            limit = self._limit(scope)
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


class _BufferedResponse:
    def __init__(self) -> None:
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def status(self) -> int:
        return int(self.start["status"]) if self.start else 500

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return list(self.start.get("headers", [])) if self.start else []

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def replay(self, send: Send) -> None:
        assert self.start is not None
        await send(self.start)
        await send({"type": "http.response.body", "body": self.body})


def _commit_problem(exc: Exception) -> Problem:
    if isinstance(exc, Problem):  # raised by a before-commit step (e.g. sold out at the end)
        return exc
    if isinstance(exc, IntegrityError):
        return Conflict("The change conflicts with existing data; reload and try again")
    unavailable = database_unavailable(exc, at_commit=True)
    if unavailable is not None:
        return unavailable
    raise exc


class UnitOfWorkMiddleware:
    """Runs each HTTP request in one transaction and answers only after it is durable.

    The app's response is held until the transaction ends: committed when the status is below
    400, rolled back otherwise — a client error changes nothing, unless the code asked for that
    with `commit_even_if_rejected` (security bookkeeping). If the commit fails, the client
    gets a problem instead of a success that never happened. With an `Idempotency-Key`, the
    response is recorded in the same transaction (see core/idempotency.py).
    """

    def __init__(self, app: ASGIApp, database: Database, store: idempotency.IdempotencyStore):
        self.app = app
        self.database = database
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        uow = UnitOfWork(self.database, write=method not in SAFE_METHODS)
        _state(scope)["uow"] = uow
        raw_key = _header(scope, idempotency.HEADER.encode())
        try:
            if raw_key is not None and method not in SAFE_METHODS:
                await self._idempotent(scope, receive, send, uow, raw_key)
            else:
                await self._plain(scope, receive, send, uow)
        finally:
            await uow.close()

    async def _plain(self, scope: Scope, receive: Receive, send: Send, uow: UnitOfWork) -> None:
        buffered = _BufferedResponse()
        streaming = False

        async def send_through(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                # Finish the transaction before the first byte leaves: if it fails, the client
                # still gets an honest answer. Bodies then stream (downloads, event streams).
                buffered.start = message
                if not await self._finish(uow, buffered.status, send, scope):
                    raise _Answered
                streaming = True
                await send(message)
            elif streaming:
                await send(message)

        try:
            await self.app(scope, receive, send_through)
        except _Answered:
            return
        except BaseException:
            await uow.rollback()
            raise

    async def _finish(self, uow: UnitOfWork, status: int, send: Send, scope: Scope) -> bool:
        """Commit or roll back by status; on a failed commit, answer with a problem."""
        if status >= 400 and not (uow.commit_on_error and status < 500):
            await uow.rollback()
            return True
        try:
            await uow.commit()
        except Exception as exc:
            await uow.rollback()
            await _send_problem(send, scope, _commit_problem(exc))
            return False
        return True

    async def _idempotent(
        self, scope: Scope, receive: Receive, send: Send, uow: UnitOfWork, raw_key: bytes
    ) -> None:
        key = raw_key.decode("latin-1")
        if not idempotency.KEY_PATTERN.match(key):
            await _send_problem(
                send,
                scope,
                ValidationFailed.field(
                    "header.Idempotency-Key", "Must be 1-255 visible ASCII characters"
                ),
            )
            return
        principal = await idempotency.resolve_principal(scope)
        claim = await self.store.claim(principal, key, scope["method"], scope["path"])
        if claim.outcome == "in_flight":
            await _send_problem(
                send,
                scope,
                Conflict(
                    "A request with this Idempotency-Key is still being processed; retry later",
                    headers={"Retry-After": "1"},
                ),
            )
            return

        body_hash = hashlib.sha256()

        async def hashing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body_hash.update(message.get("body", b""))
            return message

        if claim.outcome == "replay":
            assert claim.record is not None
            while True:  # hash the whole body to tell a true retry from a reused key
                message = await hashing_receive()
                if message["type"] != "http.request" or not message.get("more_body"):
                    break
            request_fp = idempotency.fingerprint(
                scope["method"],
                scope["path"],
                scope.get("query_string", b""),
                body_hash.hexdigest(),
            )
            if request_fp != claim.record.fingerprint:
                await _send_problem(
                    send,
                    scope,
                    ValidationFailed(
                        "This Idempotency-Key was already used with a different request",
                        errors=[
                            FieldError(
                                "header.Idempotency-Key", "Already used with a different request"
                            )
                        ],
                    ),
                )
                return
            await _replay(send, claim.record)
            return

        buffered = _BufferedResponse()
        try:
            await self.app(scope, hashing_receive, buffered.send)
        except BaseException:
            await uow.rollback()
            await self.store.release(claim)
            raise
        request_fp = idempotency.fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b""), body_hash.hexdigest()
        )
        status = buffered.status
        if status >= 500 or status == 429:
            await uow.rollback()
            await self.store.release(claim)
            await buffered.replay(send)
            return
        if status >= 400 and not uow.commit_on_error:
            await uow.rollback()
            await self.store.complete(claim, request_fp, status, buffered.headers, buffered.body)
            await buffered.replay(send)
            return
        try:
            recorded = await self.store.complete_in(
                uow.session, claim, request_fp, status, buffered.headers, buffered.body
            )
            if not recorded:
                raise _LostClaim
            await uow.commit()
        except _LostClaim:
            await uow.rollback()
            await _send_problem(
                send,
                scope,
                Conflict(
                    "This Idempotency-Key was taken over by a newer request; nothing was changed"
                ),
            )
            return
        except Exception as exc:
            await uow.rollback()
            await self.store.release(claim)
            await _send_problem(send, scope, _commit_problem(exc))
            return
        await buffered.replay(send)


async def _replay(send: Send, record: Any) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.response_headers]
    headers.append((b"idempotent-replayed", b"true"))
    headers.append((b"content-length", str(len(record.response_body or b"")).encode()))
    await send(
        {"type": "http.response.start", "status": record.response_status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": record.response_body or b""})


class _Answered(Exception):
    """The middleware already answered (a failed commit); stop the app's response."""


class _LostClaim(Exception):
    pass
