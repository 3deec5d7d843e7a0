"""Tenancy classification of realtime's (and live's RTC token) routes. The WebSocket routes do
not appear in OpenAPI; their authorisation is tested in test_native.py and test_pusher_*.py."""

from __future__ import annotations

from typing import Any

from tests.support.tenancy import World, rule


def team_channel_of_a(world: World) -> dict[str, Any]:
    return {"socket_id": "123.456", "channel_name": f"private-org.{world.a.org['id']}"}


rule("POST", "/broadcasting/auth", "tenant", body=team_channel_of_a)
rule(
    "POST",
    "/apps/{app_id}/events",
    "anonymous",
    why="server to server: signed with the Pusher app secret (no principal); see "
    "tests/realtime/test_pusher_protocol.py",
)
rule(
    "POST",
    "/apps/{app_id}/batch_events",
    "anonymous",
    why="server to server: signed with the Pusher app secret (no principal)",
)
