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
for path in (
    "/apps/{app_id}/channels",
    "/apps/{app_id}/channels/{channel_name}",
    "/apps/{app_id}/channels/{channel_name}/users",
):
    rule(
        "GET",
        path,
        "anonymous",
        why="server to server: signed with the Pusher app secret (no principal); see "
        "tests/realtime/test_pusher_channels.py",
    )


async def rtc_keys(world: World) -> dict[str, str]:
    """The suite's settings carry no media-server keys (the routes would answer 503): give the
    running app test keys, so that the owner of A gets through and refusals mean tenancy."""
    settings = world.runtime.settings
    settings.agora_app_id = "970CA35de60c44645bbae8a215061b33"
    settings.agora_app_certificate = "5CFd2fd1755d40ecb72977518be15d3b"
    settings.livekit_api_key = "APItenancy"
    settings.livekit_api_secret = "tenancy-livekit-secret-0123456789abcdef"
    return {}


def host_in_a(world: World) -> dict[str, Any]:
    return {"org_id": world.a.org["id"], "room": "stage", "role": "host"}


rule("POST", "/v1/rtc/agora-token", "tenant", params=rtc_keys, body=host_in_a)
rule("POST", "/v1/rtc/livekit-token", "tenant", params=rtc_keys, body=host_in_a)
