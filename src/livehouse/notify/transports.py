"""Where messages go, chosen by URL settings.

LIVEHOUSE_MAIL_URL
  smtp://user:pass@host:587        STARTTLS when the server offers it (aiosmtplib)
  smtps://user:pass@host:465       implicit TLS
  file:///path/to/dir              writes .eml files (development: read your codes there)
LIVEHOUSE_SMS_URL
  https://token@gateway.example/send   POSTs {"to", "text"} as JSON (Bearer token from the URL)
  file:///path/to/dir                  writes .txt files
"""

from __future__ import annotations

import json
import uuid
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import aiosmtplib
import httpx
from anyio import to_thread

from livehouse.core.security import keyed_hash
from livehouse.core.settings import Settings


def _spool(directory: str, suffix: str, content: bytes) -> None:
    spool = Path(unquote(directory))
    spool.mkdir(parents=True, exist_ok=True)
    (spool / f"{uuid.uuid4().hex}.{suffix}").write_bytes(content)


def build_email(settings: Settings, payload: dict[str, Any], job_id: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(localtime=False)
    # Stable per job, so a retried delivery carries the same id and receivers drop the copy
    # (email.utils.make_msgid adds the time and a random number: a new id on every try); the
    # keyed part keeps two installations' job 42 apart.
    domain = settings.mail_from.rsplit("@", 1)[-1].rstrip(">") or "livehouse.local"
    install = keyed_hash(f"email-job-{job_id}", "message-id")[:24]
    message["Message-ID"] = f"<{install}.job{job_id}@{domain}>"
    if payload.get("reply_to"):
        message["Reply-To"] = payload["reply_to"]
    message.set_content(payload["text"])
    if payload.get("html"):
        message.add_alternative(payload["html"], subtype="html")
    return message


async def send_email(settings: Settings, message: EmailMessage) -> None:
    url = urlparse(settings.mail_url)
    if url.scheme == "file":
        await to_thread.run_sync(_spool, url.path, "eml", message.as_bytes())
        return
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"unsupported mail URL scheme {url.scheme!r}")
    query = parse_qs(url.query)
    await aiosmtplib.send(
        message,
        hostname=url.hostname or "localhost",
        port=url.port or (465 if url.scheme == "smtps" else 587),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        start_tls=None if url.scheme == "smtp" else False,  # None: upgrade when offered
        validate_certs=query.get("verify", ["true"])[0] != "false",
        timeout=30,
    )


async def send_sms(settings: Settings, to: str, text: str, job_id: int) -> None:
    url = urlparse(settings.sms_url)
    if url.scheme == "file":
        await to_thread.run_sync(
            _spool, url.path, "txt", json.dumps({"to": to, "text": text}).encode()
        )
        return
    if url.scheme not in ("http", "https"):
        raise ValueError(f"unsupported SMS URL scheme {url.scheme!r}")
    endpoint = url._replace(netloc=url.hostname + (f":{url.port}" if url.port else "")).geturl()
    headers = {"Idempotency-Key": f"livehouse-sms-{job_id}"}
    if url.username:
        headers["Authorization"] = f"Bearer {unquote(url.username)}"
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(endpoint, json={"to": to, "text": text}, headers=headers)
    response.raise_for_status()
