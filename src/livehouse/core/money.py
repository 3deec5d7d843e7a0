"""Money as integer minor units + ISO 4217 code; decimals only at the edges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Annotated

from babel.numbers import get_currency_precision, list_currencies
from pydantic import AfterValidator, BaseModel, ConfigDict, Field


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def validate_currency(code: str) -> str:
    upper = code.upper()
    if upper not in _known_currencies():
        raise ValueError(f"'{code}' is not an ISO 4217 currency code")
    return upper


def minor_unit_exponent(currency: str) -> int:
    return int(get_currency_precision(validate_currency(currency)))


Currency = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(validate_currency)]


@dataclass(frozen=True, slots=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", validate_currency(self.currency))

    @classmethod
    def from_decimal(cls, value: Decimal | str | int | float, currency: str) -> Money:
        exponent = minor_unit_exponent(currency)
        quantum = Decimal(1).scaleb(-exponent)
        as_decimal = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_EVEN)
        return cls(int(as_decimal.scaleb(exponent)), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_unit_exponent(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    def percent(self, basis_points: int) -> Money:
        """basis_points / 100 percent of this amount, rounded half-even to the minor unit."""
        share = (Decimal(self.amount) * basis_points / Decimal(10_000)).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
        return Money(int(share), self.currency)


class MoneyModel(BaseModel):
    """How money crosses the native API: `{"amount": 1999, "currency": "EUR"}`."""

    model_config = ConfigDict(extra="forbid")
    amount: int = Field(ge=0, description="Amount in minor units (cents)")
    currency: Currency

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)

    @classmethod
    def of(cls, money: Money) -> MoneyModel:
        return cls(amount=money.amount, currency=money.currency)
