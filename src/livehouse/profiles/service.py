"""Personal profiles: the rows, the privacy settings every read consults, and changes.

Name, date of birth, username and phone live on identity's Account and change through
identity's service (phone through its verification flow); the rest lives here.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from livehouse.core.errors import NotFound, ValidationFailed
from livehouse.core.validators import validate_link
from livehouse.identity import service as identity
from livehouse.identity.models import Account
from livehouse.media import service as media
from livehouse.profiles import privacy
from livehouse.profiles.models import Profile

ACCOUNT_FIELDS = ("full_name", "date_of_birth", "username", "locale")
SOCIAL_NETWORKS = ("facebook", "instagram", "tiktok", "x", "youtube", "snapchat")
_HANDLE = re.compile(r"^@?[A-Za-z0-9._-]{1,100}$")


async def active_account(session: AsyncSession, public_id: uuid.UUID) -> Account:
    """A person others may see: erased and deactivated accounts are not there."""
    account = await session.scalar(select(Account).where(Account.public_id == public_id))
    if account is None or account.status != "active":
        raise NotFound("No such user")
    return account


async def profile_of(session: AsyncSession, account_id: int) -> Profile | None:
    return await session.get(Profile, account_id)


async def ensure_profile(session: AsyncSession, account_id: int) -> Profile:
    profile = await profile_of(session, account_id)
    if profile is None:
        profile = Profile(
            account_id=account_id,
            addresses=[],
            links=[],
            social=[],
            privacy={},
            email_preferences={},
            phone_preferences={},
        )
        session.add(profile)
        await session.flush()
    return profile


def settings(profile: Profile | None, group: str = "privacy") -> dict[str, bool]:
    stored = getattr(profile, group) if profile is not None else None
    return privacy.effective(group, stored)


async def privacy_of(session: AsyncSession, account_id: int) -> dict[str, bool]:
    return settings(await profile_of(session, account_id))


def normalise_social(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Handles as people type them ("@davido", "davido") or links to the right site
    ("instagram.com/davido", "https://x.com/davido"); each network once."""
    seen: set[str] = set()
    clean: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        network, handle = entry["network"], (entry.get("handle") or "").strip()
        field = f"social.{index}"
        if network in seen:
            raise ValidationFailed.field(f"{field}.network", "Each network may appear once")
        seen.add(network)
        if handle and not _HANDLE.match(handle):
            link = handle if handle.startswith(("http://", "https://")) else f"https://{handle}"
            try:
                handle = validate_link(network, link)
            except ValueError as exc:
                raise ValidationFailed.field(f"{field}.handle", str(exc)) from exc
        clean.append(
            {"network": network, "handle": handle or None, "followers": entry.get("followers")}
        )
    return clean


async def update_profile(
    session: AsyncSession, account: Account, changes: dict[str, Any]
) -> Profile:
    """Apply a partial change (schema already checked shapes) to account and profile."""
    account_changes = {k: changes.pop(k) for k in ACCOUNT_FIELDS if k in changes}
    profile = await ensure_profile(session, account.id)
    names_changed = {"first_name", "last_name"} & changes.keys()
    if names_changed and "full_name" not in account_changes:
        first = changes.get("first_name", profile.first_name)
        last = changes.get("last_name", profile.last_name)
        if first or last:  # one name, written once: keep the account's full name in step
            account_changes["full_name"] = " ".join(p for p in (first, last) if p)
    if account_changes:
        await identity.update_account(session, account, account_changes)
    if "image_id" in changes:
        image_id = changes.pop("image_id")
        profile.image_media_id = (
            (await media.own_image(session, account.id, image_id, "image_id")).id
            if image_id
            else None
        )
    if "social" in changes:
        profile.social = normalise_social(changes.pop("social") or [])
    for group in privacy.CATALOGUES:
        if group in changes:
            current = getattr(profile, group)
            setattr(profile, group, privacy.changed(group, current, changes.pop(group) or {}))
    for field in ("links", "addresses"):
        if field in changes:
            setattr(profile, field, changes.pop(field) or [])
    for field, value in changes.items():
        setattr(profile, field, value)
    await session.flush()
    return profile
