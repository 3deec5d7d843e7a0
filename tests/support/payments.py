"""Payment helpers for tests, and a local stand-in for Stripe's HTTP API (the real SDK talks to
it through `stripe_api_base`): PaymentIntents and Refunds, recording what the SDK sent."""

from __future__ import annotations

import secrets
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import orjson

from livehouse.core.db import unit_of_work
from livehouse.core.money import Money
from livehouse.identity.service import get_account
from livehouse.payments import service
from tests.support.auth import Person


async def new_payment(
    runtime: Any,
    payer: Person | None,
    amount: int = 2500,
    currency: str = "EUR",
    *,
    org_id: str | None = None,
    purpose: str = "test",
    provider: str | None = None,
    phone: str | None = None,
) -> str:
    async with unit_of_work(runtime.database) as session:
        account = await get_account(session, uuid.UUID(payer.id)) if payer else None
        org = None
        if org_id:
            from livehouse.orgs.service import get_org

            org = await get_org(session, uuid.UUID(org_id))
        payment = await service.create(
            session,
            amount=Money(amount, currency),
            purpose=purpose,
            reference="ref-1",
            org_id=org.id if org else None,
            account_id=account.id if account else None,
            description="Two tickets",
            payer_email=payer.email if payer else None,
            payer_phone=phone,
            provider=provider,
        )
        return str(payment.public_id)


class FakeStripe:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(
                    {
                        "path": self.path,
                        "form": form,
                        "idempotency_key": self.headers.get("Idempotency-Key"),
                        "auth": self.headers.get("Authorization"),
                    }
                )
                if self.path == "/v1/payment_intents":
                    ident = f"pi_{secrets.token_hex(8)}"
                    body = {
                        "id": ident,
                        "object": "payment_intent",
                        "amount": int(form["amount"]),
                        "currency": form["currency"],
                        "status": "requires_payment_method",
                        "client_secret": f"{ident}_secret_{secrets.token_hex(6)}",
                        "last_payment_error": None,
                        "metadata": {},
                    }
                elif self.path == "/v1/refunds":
                    body = {
                        "id": f"re_{secrets.token_hex(8)}",
                        "object": "refund",
                        "status": "succeeded",
                        "amount": int(form["amount"]),
                    }
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                payload = orjson.dumps(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
