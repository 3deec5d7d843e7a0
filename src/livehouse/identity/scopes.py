"""The scope catalogue. Scopes are named `<area>.<action>`.

A scope does two jobs:
- in a token, it bounds what the *app* holding the token may do (OAuth semantics);
- on an organisation's team, roles hold scopes by default (see `roles`), which bounds what a
  *member* may do in that organisation. Both must allow an organisation action.

`personal` scopes concern the caller's own things (their account, orders, tickets) and need no
membership. Capabilities register their scopes here when they are imported.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("owner", "admin", "member")


@dataclass(frozen=True, slots=True)
class Scope:
    name: str
    description: str
    roles: frozenset[str]  # team roles holding it by default (empty for personal scopes)
    personal: bool = False


_catalogue: dict[str, Scope] = {}


def register(
    name: str, description: str, *, roles: tuple[str, ...] = (), personal: bool = False
) -> Scope:
    area, _, action = name.partition(".")
    if not area or not action:
        raise ValueError(f"scope {name!r} must be named <area>.<action>")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    scope = Scope(name, description, frozenset(roles), personal)
    _catalogue[name] = scope
    return scope


def catalogue() -> dict[str, Scope]:
    return dict(_catalogue)


def all_scopes() -> frozenset[str]:
    return frozenset(_catalogue)


def role_scopes(role: str) -> frozenset[str]:
    return frozenset(s.name for s in _catalogue.values() if role in s.roles)


def unknown(names: set[str] | frozenset[str]) -> list[str]:
    return sorted(set(names) - set(_catalogue))


ALL = ("owner", "admin", "member")
MANAGERS = ("owner", "admin")

register("me.read", "Read your own account", personal=True)
register("me.write", "Change your own account, password, e-mail and phone", personal=True)
register("org.read", "Read an organisation's private settings", roles=ALL)
register("org.write", "Change an organisation's profile and settings", roles=MANAGERS)
register("org.delete", "Delete an organisation", roles=("owner",))
register("org.members", "Manage an organisation's team and invitations", roles=MANAGERS)
register("org.apps", "Manage an organisation's OAuth apps and API keys", roles=MANAGERS)
register("org.billing", "Read and change billing and payout information", roles=("owner",))
register("org.customers", "Read and manage an organisation's registered users", roles=MANAGERS)
register("org.impersonate", "Act as one of the organisation's customers", roles=("owner",))
