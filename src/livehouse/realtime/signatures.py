"""Pusher's HMAC-SHA256 signatures: channel authorisation (`/broadcasting/auth` signs, the socket
checks) and the HTTP API's request signature. Comparisons are constant time; neither secrets nor
signatures are ever logged or echoed back."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Mapping

from livehouse.core.errors import NotFound, Unauthorized
from livehouse.core.settings import Settings

SOCKET_ID_RE = re.compile(r"^\d{1,20}\.\d{1,20}$")
MAX_CLOCK_SKEW_SECONDS = 600  # as Pusher: a signed request is refused after ten minutes


def new_socket_id() -> str:
    """Pusher's shape, `<digits>.<digits>`; random, so unique across nodes in practice."""
    return f"{secrets.randbelow(10**9)}.{secrets.randbelow(10**9)}"


def _hex(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def channel_auth(
    key: str, secret: str, socket_id: str, channel: str, channel_data: str | None = None
) -> str:
    """`key:HMAC_SHA256_hex(secret, socket_id:channel[:channel_data])`"""
    message = f"{socket_id}:{channel}" + (f":{channel_data}" if channel_data is not None else "")
    return f"{key}:{_hex(secret, message)}"


def valid_channel_auth(
    key: str,
    secret: str,
    socket_id: str,
    channel: str,
    auth: object,
    channel_data: str | None = None,
) -> bool:
    if not isinstance(auth, str):
        return False
    expected = channel_auth(key, secret, socket_id, channel, channel_data)
    return hmac.compare_digest(expected.encode(), auth.encode())


def request_signature(secret: str, method: str, path: str, params: Mapping[str, str]) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "auth_signature")
    return _hex(secret, f"{method}\n{path}\n{query}")


def verify_request(
    settings: Settings,
    app_id: str,
    method: str,
    path: str,
    params: Mapping[str, str],
    body: bytes,
    now: float | None = None,
) -> None:
    """Check an HTTP API call signed the Pusher way; raise a problem (401/404) if it is not."""
    if app_id != settings.pusher_app_id:
        raise NotFound("No such app")
    refused = Unauthorized(
        "The request is not signed with this app's key and secret",
        headers={"WWW-Authenticate": "Pusher"},
    )
    lowered = {k.lower(): v for k, v in params.items()}
    signature = lowered.get("auth_signature", "")
    if lowered.get("auth_key") != settings.pusher_key or lowered.get("auth_version") != "1.0":
        raise refused
    try:
        timestamp = int(lowered.get("auth_timestamp", ""))
    except ValueError:
        raise refused from None
    if abs((time.time() if now is None else now) - timestamp) > MAX_CLOCK_SKEW_SECONDS:
        raise Unauthorized(
            "The request's auth_timestamp is too far from the server's clock",
            headers={"WWW-Authenticate": "Pusher"},
        )
    if body and not hmac.compare_digest(
        lowered.get("body_md5", "").encode(),
        hashlib.md5(body, usedforsecurity=False).hexdigest().encode(),
    ):
        raise refused
    expected = request_signature(settings.pusher_secret, method, path, lowered)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise refused
