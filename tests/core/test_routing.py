"""Route lookup behind the per-capability path guards (core/routing.py): every route is still
reached, the guards' patterns cover exactly their routes, and FastAPI's answers for a wrong
method, an unknown path and a trailing slash are unchanged."""

from __future__ import annotations

import re
import uuid

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from livehouse.core.routing import PathGuard, unguarded

_PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_SAMPLES = {None: "x1", "str": "x1", "int": "7", "uuid": str(uuid.uuid4()), "path": "a/b.png"}


def _example(path: str) -> str:
    """A concrete path the route's pattern accepts: each parameter filled for its converter."""
    return _PARAMETER.sub(lambda m: _SAMPLES[m.group(2)], path)


def test_every_capability_router_sits_behind_its_guard(app: FastAPI) -> None:
    guards = [route for route in app.router.routes if isinstance(route, PathGuard)]
    assert len(guards) >= 10  # health + one per capability with an API
    for guard in guards:
        contexts = list(iter_route_contexts([guard.route]))
        assert contexts
        for context in contexts:
            example = _example(context.path)
            assert context.path_regex.match(example), example  # the example is a real one
            assert guard.paths.match(example), f"{example} is not let through by its guard"
        # Nothing else: a path no route serves is turned away at the guard.
        assert guard.paths.match("/v1/no-such-capability/x1") is None


def test_the_documented_operations_are_every_route_behind_the_guards(app: FastAPI) -> None:
    routes = {
        context.path_format
        for context in iter_route_contexts(unguarded(app.router.routes))
        if isinstance(context.original_route, APIRoute) and context.original_route.include_in_schema
    }
    assert set(app.openapi()["paths"]) == routes
    assert "/v1/events/{event_id}/orders" in routes and "/v1/live-sessions" in routes


async def test_routes_of_the_last_capability_are_reached(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/live-sessions")
    assert response.status_code == 200 and response.json()["items"] == []


async def test_wrong_method_unknown_path_and_trailing_slash(client: httpx.AsyncClient) -> None:
    wrong_method = await client.delete("/v1/live-sessions")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET"
    assert wrong_method.json()["type"].endswith("/method-not-allowed")

    unknown = await client.get("/v1/live-sessions/x/y/z")
    assert unknown.status_code == 404 and unknown.json()["type"].endswith("/not-found")

    slash = await client.get("/v1/live-sessions/", follow_redirects=False)
    assert slash.status_code == 307
    assert slash.headers["location"].endswith("/v1/live-sessions")

    bad_parameter = await client.get("/v1/live-sessions/not-a-uuid")
    assert bad_parameter.status_code == 422
