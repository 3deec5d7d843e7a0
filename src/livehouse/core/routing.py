"""Route lookup: one compiled pattern per capability in front of FastAPI's linear scan.

FastAPI finds a request's route by trying every route in declaration order, and a route inside
an included router is tried twice (once to pick the router, again to pick the route in it). A
purchase, served by the eighth capability, was tried against 194 routes per request: ~1 ms of
CPU, and the cost grows with every route any capability adds. `guard_routes` puts in front of
each included router one regular expression made of all its paths, so a request passes over a
capability that cannot serve it in one match done in C. Within a capability that can, FastAPI
matches as before, so its rules (first declared route wins, a known path with another method is
a 405, redirect of a trailing slash) are unchanged.

Guards hide the included routers from FastAPI's OpenAPI generation, which only recognises its
own types, so `openapi_schema` builds the schema from the guarded routes (FastAPI's documented
way to take over `app.openapi`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match, Mount, Route, WebSocketRoute, get_route_path
from starlette.types import Receive, Scope, Send

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


class PathGuard(BaseRoute):
    """An included router behind one pattern of every path it serves."""

    def __init__(self, route: BaseRoute, paths: re.Pattern[str]) -> None:
        self.route = route
        self.paths = paths

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.paths.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return self.route.matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.route.handle(scope, receive, send)


def _paths_of(route: BaseRoute) -> re.Pattern[str] | None:
    """One anchored pattern matching exactly the paths the route's routes match, or None when
    one of them has no path pattern (then the router cannot be guarded)."""
    patterns = []
    for context in iter_route_contexts([route]):
        regex = getattr(context, "path_regex", None)
        if regex is None:
            return None
        # The parameters' names repeat across routes; a pattern needs each name once.
        patterns.append(f"(?:{_NAMED_GROUP.sub('(?:', regex.pattern)})")
    if not patterns:
        return None
    return re.compile("|".join(patterns))


def guard_routes(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """The routes with every included router behind a `PathGuard` (plain routes match on
    their own pattern already)."""
    guarded: list[BaseRoute] = []
    for route in routes:
        paths = None if isinstance(route, Route | WebSocketRoute | Mount) else _paths_of(route)
        guarded.append(route if paths is None else PathGuard(route, paths))
    return guarded


def unguarded(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    return [route.route if isinstance(route, PathGuard) else route for route in routes]


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """What `FastAPI.openapi` builds, from the routes behind the guards; built once."""
    if not app.openapi_schema:
        app.openapi_schema = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            summary=app.summary,
            description=app.description,
            terms_of_service=app.terms_of_service,
            contact=app.contact,
            license_info=app.license_info,
            routes=unguarded(app.routes),
            webhooks=app.webhooks.routes,
            tags=app.openapi_tags,
            servers=app.servers,
            separate_input_output_schemas=app.separate_input_output_schemas,
            external_docs=app.openapi_external_docs,
        )
    return app.openapi_schema
