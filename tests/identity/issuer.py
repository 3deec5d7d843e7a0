"""A real identity provider for the tests, on loopback: OIDC discovery, a JWKS with its own RSA
keys, id_tokens it signs, and an RFC 7662 introspection endpoint for opaque access tokens."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

WEB_CLIENT = "livehouse-web"
INTROSPECTION_CLIENT = ("livehouse", "introspection-secret")


class SigningKey:
    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex

    def jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


class Issuer:
    def __init__(self) -> None:
        self.key = SigningKey()
        self.published: list[SigningKey] = [self.key]
        self.opaque: dict[str, dict[str, Any]] = {}  # access token → introspection answer
        self.jwks_fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body: object, status: int = 200) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json({"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks"})
                elif self.path == "/jwks":
                    issuer.jwks_fetches += 1
                    self._json({"keys": [k.jwk() for k in issuer.published]})
                else:
                    self._json({"error": "not found"}, 404)

            def do_POST(self) -> None:
                if self.path != "/introspect":
                    self._json({"error": "not found"}, 404)
                    return
                expected = base64.b64encode(":".join(INTROSPECTION_CLIENT).encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self._json({"error": "invalid_client"}, 401)
                    return
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                token = form.get("token", [""])[0]
                self._json(issuer.opaque.get(token, {"active": False}))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()

    def id_token(
        self,
        subject: str,
        *,
        email: str | None = None,
        email_verified: bool = True,
        audience: str | list[str] = WEB_CLIENT,
        expires_in: int = 300,
        issuer: str | None = None,
        key: SigningKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": issuer or self.url,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "exp": now + expires_in,
            **claims,
        }
        if email is not None:
            body |= {"email": email, "email_verified": email_verified}
        signer = key or self.key
        return jwt.encode(
            body, signer.private, algorithm="RS256", headers={"kid": kid or signer.kid}
        )

    def access_token(
        self,
        user_id: str,
        *,
        client_id: str = "vk-app",
        email: str | None = None,
        active: bool = True,
        expires_in: int = 300,
    ) -> str:
        token = "vk1.a." + secrets.token_urlsafe(24)
        answer: dict[str, Any] = {
            "active": active,
            "user_id": user_id,
            "client_id": client_id,
            "exp": int(time.time()) + expires_in,
        }
        if email:
            answer |= {"email": email, "email_verified": True}
        self.opaque[token] = answer
        return token

    def providers(self) -> dict[str, dict[str, object]]:
        """LIVEHOUSE_SOCIAL_PROVIDERS pointing at this issuer."""
        return {
            "acme": {"kind": "oidc", "issuer": self.url, "audiences": [WEB_CLIENT]},
            "vk": {
                "kind": "introspection",
                "introspection_url": f"{self.url}/introspect",
                "client_id": INTROSPECTION_CLIENT[0],
                "client_secret": INTROSPECTION_CLIENT[1],
                "audiences": ["vk-app"],
                "subject_claim": "user_id",
            },
        }
