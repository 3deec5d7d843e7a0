"""Helpers for waiting lists, invitations to book, order forms and guest orders — through the
HTTP API, as a client app would."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from livehouse.core.db import unit_of_work
from livehouse.ticketing import jobs
from livehouse.ticketing.models import EventStock, Hold, Ticket, TicketStock
from tests.support.auth import Person
from tests.support.messages import Mailbox, text_of
from tests.support.ticketing import Shop, hold

GUEST = "guest-buyer@example.com"


async def join(
    client: httpx.AsyncClient, person: Person, shop: Shop, quantity: int = 1, **extra: Any
) -> httpx.Response:
    body = {"ticket_type_id": shop.ticket_type["id"], "quantity": quantity, **extra}
    return await client.post(
        f"/v1/events/{shop.event_id}/waiting-list", json=body, headers=person.headers
    )


async def held(client: httpx.AsyncClient, person: Person, shop: Shop, n: int = 1) -> str:
    """Hold `n` places for `person`; the hold's id."""
    response = await hold(client, person, shop, shop.item(n))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def my_entries(client: httpx.AsyncClient, person: Person) -> list[dict[str, Any]]:
    response = await client.get("/v1/me/waiting-list", headers=person.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def sweep(runtime: Any) -> int:
    """Run the hold sweeper once (what every node does each second)."""
    return int(await jobs.release_expired_holds(runtime))


async def offer_in_mail(mailbox: Mailbox, runtime: Any, person: Person, count: int = 1) -> str:
    """The hold id of the `count`-th waiting-list offer e-mailed to `person`."""
    message = await mailbox.wait_for(
        runtime, to=person.email, subject="are waiting for you", count=count
    )
    match = re.search(r"Your hold: ([0-9a-f-]{36})", text_of(message))
    assert match, text_of(message)
    return match.group(1)


async def invite(
    client: httpx.AsyncClient, shop: Shop, *emails: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/events/{shop.event_id}/invitations",
        json={"invitees": [{"email": e} for e in emails], **extra},
        headers=shop.owner.headers,
    )


async def invitation_token(mailbox: Mailbox, runtime: Any, email: str, count: int = 1) -> str:
    message = await mailbox.wait_for(runtime, to=email, subject="invited to book", count=count)
    match = re.search(r"invitation=([A-Za-z0-9_-]+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


async def add_field(client: httpx.AsyncClient, shop: Shop, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        f"/v1/events/{shop.event_id}/order-form/fields", json=fields, headers=shop.owner.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def checkout(
    client: httpx.AsyncClient, person: Person | None, hold_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/holds/{hold_id}/checkout", json=body, headers=person.headers if person else {}
    )


async def stock(runtime: Any, shop: Shop) -> dict[str, int]:
    """Seats taken by the counters, by active holds and by valid tickets of the shop's type."""
    type_id = uuid.UUID(shop.ticket_type["id"])
    async with unit_of_work(runtime.database, write=False) as s:
        from livehouse.ticketing.models import TicketType

        internal = await s.scalar(select(TicketType.id).where(TicketType.public_id == type_id))
        taken = await s.scalar(
            select(func.coalesce(func.sum(TicketStock.taken), 0)).where(
                TicketStock.ticket_type_id == internal
            )
        )
        event_taken = await s.scalar(select(func.coalesce(func.sum(EventStock.taken), 0)))
        active = (await s.scalars(select(Hold).where(Hold.status == "active"))).all()
        held_seats = sum(
            line["seats"]
            for h in active
            for line in h.lines
            if line.get("ticket_type_id") == internal
        )
        tickets = await s.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.ticket_type_id == internal, Ticket.status == "valid")
        )
        offers = await s.scalar(
            select(func.count()).select_from(Hold).where(Hold.waitlist_entry_id.is_not(None))
        )
    return {
        "taken": int(taken or 0),
        "event_taken": int(event_taken or 0),
        "held": held_seats,
        "tickets": int(tickets or 0),
        "offers": int(offers or 0),
    }
