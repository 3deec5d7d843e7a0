"""Identity providers for social sign-in, configured in `LIVEHOUSE_SOCIAL_PROVIDERS` (JSON):

    {"google": {"kind": "oidc", "issuer": "https://accounts.google.com",
                "audiences": ["<your client id>"]},
     "vk": {"kind": "introspection", "introspection_url": "https://…/introspect",
            "client_id": "…", "client_secret": "…", "audiences": ["<app id>"]}}

- `oidc`: the client sends the provider's id_token. PyJWT verifies signature (keys from the
  provider's JWKS, found through its discovery document unless `jwks_uri` is given), issuer,
  audience (`audiences`: your client ids; `azp` too when there are several), expiry, and the
  nonce when the client gives one. Only asymmetric algorithms (`algorithms`, default RS256).
- `introspection`: for providers without OIDC, the client sends the provider's access token and
  we ask the provider's RFC 7662 endpoint (`active`, `sub` — or `subject_claim` —, `client_id` or
  `aud`, `exp`, `email`, `email_verified`).

The JWKS and discovery documents are cached (`social_jwks_cache_seconds`); a token naming an
unknown key refreshes them, at most every REFRESH_INTERVAL seconds, so forged key ids cannot make
us hammer the provider. (PyJWKClient would block the event loop and refresh on every miss.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from livehouse.core import clock
from livehouse.core.errors import NotFound, ServiceUnavailable, ValidationFailed
from livehouse.core.security import constant_time_equals
from livehouse.core.settings import get_settings

REFRESH_INTERVAL = 30.0
LEEWAY_SECONDS = 30
ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"}


class ProviderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["oidc", "introspection"] = "oidc"
    issuer: str | None = None
    discovery_url: str | None = None
    jwks_uri: str | None = None
    audiences: list[str] = Field(default_factory=list)
    algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    introspection_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    subject_claim: str = "sub"

    @model_validator(mode="after")
    def _complete(self) -> ProviderConfig:
        if self.kind == "oidc":
            if not self.issuer or not self.audiences:
                raise ValueError("an oidc provider needs issuer and audiences")
            if not set(self.algorithms) <= ASYMMETRIC:
                raise ValueError("only asymmetric signature algorithms are accepted")
        elif not self.introspection_url:
            raise ValueError("an introspection provider needs introspection_url")
        return self


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """Who the provider says the person is."""

    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def configured() -> dict[str, ProviderConfig]:
    providers = {}
    for name, raw in get_settings().social_providers.items():
        try:
            providers[name] = ProviderConfig.model_validate(raw)
        except ValidationError as exc:
            raise RuntimeError(f"LIVEHOUSE_SOCIAL_PROVIDERS[{name!r}] is invalid: {exc}") from exc
    return providers


def provider(name: str) -> ProviderConfig:
    found = configured().get(name)
    if found is None:
        raise NotFound(f"No identity provider named {name!r}")
    return found


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed.field("token", message)


def _unreachable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The identity provider cannot be reached; try again shortly",
        headers={"Retry-After": "5"},
    )


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=get_settings().social_http_timeout_seconds) as http:
            response = await http.get(url)
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unreachable() from exc
    if not isinstance(body, dict):
        raise _unreachable()
    return body


@dataclass
class _Keys:
    keys: jwt.PyJWKSet
    fetched_at: float


_key_cache: dict[tuple[str, str], _Keys] = {}


def clear_cache() -> None:
    _key_cache.clear()


async def _jwks_uri(config: ProviderConfig) -> str:
    if config.jwks_uri:
        return config.jwks_uri
    assert config.issuer is not None
    url = config.discovery_url or config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    document = await _get_json(url)
    # OIDC Discovery §4.3: the document must name the issuer we expect.
    if document.get("issuer") != config.issuer or not isinstance(document.get("jwks_uri"), str):
        raise _unreachable()
    return str(document["jwks_uri"])


async def _signing_key(name: str, config: ProviderConfig, kid: str | None) -> jwt.PyJWK:
    assert config.issuer is not None
    cache_key = (name, config.issuer)
    cached = _key_cache.get(cache_key)
    now = time.monotonic()
    if cached is not None and now - cached.fetched_at < get_settings().social_jwks_cache_seconds:
        found = _find_key(cached.keys, kid)
        if found is not None:
            return found
        if now - cached.fetched_at < REFRESH_INTERVAL:
            raise _invalid("The token is signed with a key the provider does not publish")
    try:
        keys = jwt.PyJWKSet.from_dict(await _get_json(await _jwks_uri(config)))
    except jwt.PyJWKSetError as exc:
        raise _unreachable() from exc
    _key_cache[cache_key] = _Keys(keys, now)
    found = _find_key(keys, kid)
    if found is None:
        raise _invalid("The token is signed with a key the provider does not publish")
    return found


def _find_key(keys: jwt.PyJWKSet, kid: str | None) -> jwt.PyJWK | None:
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((k for k in keys.keys if k.key_id == kid), None)


def _email_verified(value: object) -> bool:
    # Some providers send the string "true".
    return value is True or (isinstance(value, str) and value.lower() == "true")


async def _verify_id_token(
    name: str, config: ProviderConfig, token: str, nonce: str | None
) -> ProviderIdentity:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _invalid("Not a JWT id_token") from exc
    algorithm = header.get("alg")
    if algorithm not in config.algorithms:
        raise _invalid(f"Unexpected signature algorithm {algorithm!r}")
    key = await _signing_key(name, config, header.get("kid"))
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=config.audiences,
            issuer=config.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as exc:
        raise _invalid("The token has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise _invalid("The token was not issued for this application") from exc
    except jwt.InvalidIssuerError as exc:
        raise _invalid("The token was not issued by this provider") from exc
    except jwt.InvalidSignatureError as exc:
        raise _invalid("The token's signature does not verify") from exc
    except jwt.PyJWTError as exc:
        raise _invalid(f"The token is not valid: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") not in config.audiences:
        raise _invalid("The token was not issued for this application")  # OIDC Core §3.1.3.7
    if nonce is not None and not constant_time_equals(str(claims.get("nonce", "")), nonce):
        raise ValidationFailed.field("nonce", "Does not match the token's nonce")
    return ProviderIdentity(
        provider=name,
        subject=str(claims["sub"]),
        email=claims.get("email") or None,
        email_verified=_email_verified(claims.get("email_verified")),
        name=claims.get("name") or None,
    )


async def _introspect(name: str, config: ProviderConfig, token: str) -> ProviderIdentity:
    assert config.introspection_url is not None
    auth = (config.client_id, config.client_secret or "") if config.client_id else None
    try:
        async with httpx.AsyncClient(timeout=get_settings().social_http_timeout_seconds) as http:
            response = await http.post(
                config.introspection_url,
                data={"token": token, "token_type_hint": "access_token"},
                auth=auth,
                headers={"Accept": "application/json"},
            )
            response.raise_for_status()
            info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unreachable() from exc
    if not isinstance(info, dict) or info.get("active") is not True:
        raise _invalid("The provider says this token is not active")
    subject = info.get(config.subject_claim)
    if subject in (None, ""):
        raise _invalid("The provider did not say whose token this is")
    if config.audiences:
        issued_to = info.get("client_id") or info.get("aud") or []
        issued_to = issued_to if isinstance(issued_to, list) else [issued_to]
        if not set(map(str, issued_to)) & set(config.audiences):
            raise _invalid("The token was not issued for this application")
    exp = info.get("exp")
    if isinstance(exp, int | float) and exp + LEEWAY_SECONDS < clock.now().timestamp():
        raise _invalid("The token has expired")
    return ProviderIdentity(
        provider=name,
        subject=str(subject),
        email=info.get("email") or None,
        email_verified=_email_verified(info.get("email_verified")),
        name=info.get("name") or None,
    )


async def verify(name: str, token: str, nonce: str | None = None) -> ProviderIdentity:
    """The identity behind a provider's token, or a 422 naming `token` (404: unknown provider,
    503: provider unreachable)."""
    config = provider(name)
    if config.kind == "oidc":
        return await _verify_id_token(name, config, token, nonce)
    return await _introspect(name, config, token)
