"""Tenancy classification of the live shows' routes (the RTC token routes are classified in
tests/realtime/tenancy.py)."""

from __future__ import annotations

from typing import Any

from tests.support.tenancy import World, rule

ZERO = "00000000-0000-0000-0000-000000000000"


async def show_of_a(world: World) -> dict[str, str]:
    """Tenant A's live show with everything in it: a fan holding a ticket whose category has
    every perk, a comment, a live banner, a brand, a special request, a pending video chat and
    a banned person."""
    if "show" not in world.a.extra:
        from tests.support.auth import signed_up
        from tests.support.events import published_event
        from tests.support.ticketing import Shop, add_ticket_type, bought

        client, owner = world.client, world.a.owner
        event = await published_event(client, owner, world.a.org["id"])
        ticket_type = await add_ticket_type(client, owner, event["id"])
        shop = Shop(owner, world.a.org, event, ticket_type)
        fan, _ = await bought(client, shop, 1)
        base = f"/v1/events/{event['id']}"

        async def post(path: str, body: dict[str, Any], who: Any = owner) -> dict[str, Any]:
            response = await client.post(base + path, json=body, headers=who.headers)
            assert response.status_code in (200, 201), response.text
            return response.json()  # type: ignore[no-any-return]

        category = await post(
            "/guest-categories",
            {
                "name": "all in",
                "commenting": True,
                "video_chat": True,
                "special_requests": True,
                "special_request_limit": 5,
                "ticket_type_ids": [ticket_type["id"]],
            },
        )
        show = await post("/live-sessions", {})
        comment = await post("/comments", {"message": "welcome"})
        banner = await post("/banners", {"title": "tonight", "status": "live"})
        brand = await client.put(base + "/brand", json={"colour": "#ff6347"}, headers=owner.headers)
        assert brand.status_code == 201, brand.text
        request = await post("/special-requests", {"message": "an encore"}, fan)
        chat = await post("/video-chats", {}, fan)
        banned = await signed_up(client, "banned")
        await post("/chat/bans", {"user_id": banned.id})
        world.a.extra["show"] = {
            "event_id": event["id"],
            "live_session_id": show["id"],
            "category_id": category["id"],
            "comment_id": comment["id"],
            "banner_id": banner["id"],
            "request_id": request["id"],
            "video_chat_id": chat["id"],
            "user_id": banned.id,
            "fan_id": fan.id,
        }
    return dict(world.a.extra["show"])


async def fan_of_a(world: World) -> dict[str, str]:
    ids = await show_of_a(world)
    return {**ids, "user_id": ids["fan_id"]}


def upgrade_body(world: World) -> dict[str, Any]:
    return {"category_id": world.a.extra["show"]["category_id"]}


def ban_body(world: World) -> dict[str, Any]:
    return {"user_id": world.a.extra["show"]["fan_id"]}


def invite_body(world: World) -> dict[str, Any]:
    return {"user_id": world.a.extra["show"]["fan_id"]}


E = "/v1/events/{event_id}"

# Live sessions.
rule("POST", E + "/live-sessions", "tenant", params=show_of_a, body={})
rule("POST", "/v1/live-sessions/{live_session_id}/stop", "tenant", params=show_of_a)
rule("GET", "/v1/live-sessions", "public", why="what is live now (public events only)")
rule("GET", "/v1/live-sessions/{live_session_id}", "public", why="whoever may see the event")
rule("GET", E + "/live-sessions", "public", why="whoever may see the event")

# The viewer's own side.
rule("GET", E + "/live/me", "self", why="the caller's own perks")
rule("POST", E + "/live/entry", "self", why="the caller enters")
rule("POST", E + "/special-requests", "self", why="the caller's own request, by their ticket")
rule("POST", E + "/video-chats", "self", why="the caller asks, by their ticket")
rule("GET", "/v1/me/video-chats", "self")
rule("POST", "/v1/video-chats/{video_chat_id}/accept", "self", why="only the invited person")

# The hosts'.
rule(
    "POST",
    E + "/live/guests/{user_id}/upgrade",
    "tenant",
    params=fan_of_a,
    body=upgrade_body,
)
rule("GET", E + "/special-requests", "tenant", params=show_of_a)
rule(
    "PATCH",
    E + "/special-requests/{request_id}",
    "tenant",
    params=show_of_a,
    body={"status": "accepted"},
)
rule("GET", E + "/guest-categories", "public", why="the perks each tier buys")
rule("POST", E + "/guest-categories", "tenant", params=show_of_a, body={"name": "intruders"})
rule(
    "PATCH",
    E + "/guest-categories/{category_id}",
    "tenant",
    params=show_of_a,
    body={"commenting": False},
)
rule("DELETE", E + "/guest-categories/{category_id}", "tenant", params=show_of_a)
rule("GET", E + "/banners", "public", why="live banners; drafts only for hosts")
rule("GET", E + "/banners/{banner_id}", "public", why="live banners; drafts only for hosts")
rule("POST", E + "/banners", "tenant", params=show_of_a, body={"title": "pwned"})
rule("PATCH", E + "/banners/{banner_id}", "tenant", params=show_of_a, body={"title": "pwned"})
rule("DELETE", E + "/banners/{banner_id}", "tenant", params=show_of_a)
rule("GET", E + "/brand", "public", why="the show's look")
rule("PUT", E + "/brand", "tenant", params=show_of_a, body={"colour": "#000"})
rule("PATCH", E + "/brand", "tenant", params=show_of_a, body={"colour": "#000"})
rule("DELETE", E + "/brand", "tenant", params=show_of_a)

# Chat: reading is public; writing needs the perk (or the team), moderation the team.
rule("GET", E + "/comments", "public", why="the show's chat is public, like the seed's channel")
rule("POST", E + "/comments", "tenant", params=show_of_a, body={"message": "hi"})
rule(
    "PATCH",
    E + "/comments/{comment_id}",
    "tenant",
    params=show_of_a,
    body={"message": "pwned"},
)
rule("DELETE", E + "/comments/{comment_id}", "tenant", params=show_of_a)
rule("POST", E + "/comments/{comment_id}/hide", "tenant", params=show_of_a)
rule("POST", E + "/comments/{comment_id}/unhide", "tenant", params=show_of_a)
rule("GET", E + "/chat/settings", "public", why="slow mode and limits, for the chat box")
rule("PATCH", E + "/chat/settings", "tenant", params=show_of_a, body={"slow_mode_seconds": 5})
rule("GET", E + "/chat/bans", "tenant", params=show_of_a)
rule("POST", E + "/chat/bans", "tenant", params=show_of_a, body=ban_body)
rule("DELETE", E + "/chat/bans/{user_id}", "tenant", params=show_of_a)

# Video chats.
rule("POST", E + "/video-chats/invitations", "tenant", params=show_of_a, body=invite_body)
rule("GET", E + "/video-chats", "tenant", params=show_of_a)
rule("GET", "/v1/video-chats/{video_chat_id}", "tenant", params=show_of_a)
for action in ("invite", "decline", "live", "end"):
    rule("POST", f"/v1/video-chats/{{video_chat_id}}/{action}", "tenant", params=show_of_a)
