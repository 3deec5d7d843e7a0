"""The capabilities this service is made of, in mount order. A capability is a package
`livehouse.<name>` with any of: `models` (tables), `api` (a `router`), `jobs` (outbox handlers),
`demo` (a `load(session)` coroutine adding its demo data), `gdpr` (registers its personal-data
exporter and eraser with `identity.gdpr`)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType

CAPABILITIES: tuple[str, ...] = (
    "core",
    "identity",
    "orgs",
    "notify",
    "media",
    "profiles",
    "events",
    "payments",
    "ticketing",
    "realtime",
    "live",
)


def _modules(part: str) -> Iterator[ModuleType]:
    for capability in CAPABILITIES:
        name = f"livehouse.{capability}.{part}"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def load_models() -> None:
    for _ in _modules("models"):
        pass


def load_jobs() -> None:
    for _ in _modules("jobs"):
        pass


def load_gdpr() -> None:
    for _ in _modules("gdpr"):
        pass


def api_modules() -> list[ModuleType]:
    return list(_modules("api"))


def demo_modules() -> list[ModuleType]:
    return list(_modules("demo"))
