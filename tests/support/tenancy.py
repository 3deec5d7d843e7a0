"""Registry for the cross-tenant test (tests/test_tenancy.py).

Every route the app serves must be classified here by the tests of the capability that owns it,
in `tests/<capability>/tenancy.py`:

- "tenant": acts on one organisation's (or one account's) data. Tenant B — as a team owner, with
  an API key holding every organisation scope, and with an app's own token — must be refused
  (403/404) on tenant A's resources, and anonymous callers get 401. `params` builds the path
  parameters pointing at A's resources; `body` is a valid request body.
- "self": acts only on the caller's own account (e.g. /v1/me); nothing of another tenant is
  addressable.
- "public": readable by anyone by design (say why in `why`).
- "anonymous": needs no credentials (registration, the token endpoint).
- "platform": only the platform's administrators (e.g. suspending an event). Other tenants and
  tenant A's own owner are refused (403/404), anonymous callers get 401, a platform admin gets
  through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from tests.support.auth import Person


@dataclass
class Tenant:
    owner: Person
    org: dict[str, Any]
    app: dict[str, Any]
    api_key: str
    client_token: str
    member_id: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    a: Tenant
    b: Tenant
    client: httpx.AsyncClient
    runtime: Any


Kind = Literal["tenant", "self", "public", "anonymous", "platform"]
ParamsBuilder = Callable[[World], Awaitable[dict[str, str]]]


@dataclass(frozen=True)
class Rule:
    kind: Kind
    params: ParamsBuilder | None = None
    body: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None
    form: bool = False
    files: Callable[[World], dict[str, Any]] | None = None  # multipart uploads
    why: str = ""


RULES: dict[tuple[str, str], Rule] = {}


def rule(method: str, path: str, kind: Kind, **options: Any) -> None:
    key = (method.upper(), path)
    if key in RULES:
        raise AssertionError(f"{key} classified twice")
    RULES[key] = Rule(kind, **options)


async def org_of_a(world: World) -> dict[str, str]:
    return {"org_id": world.a.org["id"]}
