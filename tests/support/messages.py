"""Real receivers for outgoing messages: an SMTP server (aiosmtpd) and an HTTP SMS gateway.

Tests read what livehouse sent: `await mailbox.wait_for(runtime, to=email)` drains the outbox
and returns the message; `code_in(message)` pulls a 6-digit code out of its text.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def queued_order(message: EmailMessage) -> int:
    """The outbox job that sent `message` (named in its Message-ID): jobs are numbered as they
    are queued, and the dispatcher and a test's `run_pending` may deliver two out of order."""
    match = re.search(r"\.job(\d+)@", str(message["Message-ID"]))
    assert match, f"no outbox job in Message-ID {message['Message-ID']!r}"
    return int(match.group(1))


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages to `address`, in the order they were queued (not delivered)."""
        with self._lock:
            found = [m for m in self.messages if address.lower() in str(m["To"]).lower()]
        return sorted(found, key=queued_order)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    async def wait_for(
        self, runtime: Any, *, to: str, subject: str = "", count: int = 1, timeout: float = 10.0
    ) -> EmailMessage:
        """The `count`-th message queued for `to` whose subject contains `subject`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await runtime.outbox.run_pending()
            found = [m for m in self.to(to) if subject.lower() in str(m["Subject"]).lower()]
            if len(found) >= count:
                return found[count - 1]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"no e-mail to {to} about {subject!r}; "
                    f"got {[str(m['Subject']) for m in self.to(to)]}"
                )
            await asyncio.sleep(0.02)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def code_in(text: str) -> str:
    match = re.search(r"\b(\d{6})\b", text)
    assert match, f"no 6-digit code in: {text!r}"
    return match.group(1)


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        with socket.socket() as probe:  # aiosmtpd's start-up check cannot use port 0
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> str:
        self.controller.start()
        return f"smtp://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.controller.stop()


class SmsGateway:
    """Accepts POST {"to", "text"} like a real SMS provider's API and keeps what it got."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                body["authorization"] = self.headers.get("Authorization")
                # livehouse-sms-<outbox job>: the order it was queued in (see queued_order)
                body["job"] = int(self.headers.get("Idempotency-Key", "-0").rsplit("-", 1)[1])
                gateway.messages.append(body)
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> str:
        self.thread.start()
        return f"http://gateway-token@127.0.0.1:{self.server.server_address[1]}/send"

    def stop(self) -> None:
        self.server.shutdown()

    async def wait_for(
        self, runtime: Any, *, to: str, count: int = 1, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The `count`-th text queued for `to`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await runtime.outbox.run_pending()
            found = sorted((m for m in self.messages if m["to"] == to), key=lambda m: m["job"])
            if len(found) >= count:
                return found[count - 1]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no SMS to {to}")
            await asyncio.sleep(0.02)
