"""Small pure pieces: money, ids, clock, settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from livehouse.core import clock
from livehouse.core.ids import new_public_id, parse_public_id
from livehouse.core.money import Money, MoneyModel, minor_unit_exponent
from livehouse.core.settings import Settings


def test_money_minor_units_follow_iso_4217() -> None:
    assert minor_unit_exponent("EUR") == 2
    assert minor_unit_exponent("JPY") == 0
    assert minor_unit_exponent("KWD") == 3
    assert Money.from_decimal("19.99", "eur") == Money(1999, "EUR")
    assert Money.from_decimal("1500", "JPY").amount == 1500
    assert Money.from_decimal("2.0005", "KWD") == Money(2000, "KWD")  # half-even
    assert Money(1999, "EUR").to_decimal() == Decimal("19.99")


def test_money_arithmetic_refuses_mixed_currencies() -> None:
    assert Money(100, "EUR") + Money(50, "EUR") == Money(150, "EUR")
    assert Money(333, "EUR").percent(1000) == Money(33, "EUR")  # 10 % of 3.33
    assert Money(250, "USD").times(3) == Money(750, "USD")
    with pytest.raises(ValueError):
        Money(1, "EUR") + Money(1, "USD")
    with pytest.raises(ValueError):
        Money(1, "XYZ")


def test_money_model_validates_input() -> None:
    assert MoneyModel(amount=100, currency="usd").currency == "USD"
    with pytest.raises(ValidationError):
        MoneyModel(amount=-1, currency="USD")
    with pytest.raises(ValidationError):
        MoneyModel(amount=1, currency="ABC")


def test_public_ids_are_time_ordered_uuid7() -> None:
    ids = [new_public_id() for _ in range(100)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)
    assert parse_public_id(str(ids[0])) == ids[0]
    assert parse_public_id("nope") is None
    assert isinstance(ids[0], uuid.UUID)


def test_clock_can_be_frozen_and_moved() -> None:
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    frozen = clock.FrozenClock(start)
    with clock.use(frozen):
        assert clock.now() == start
        frozen.advance(hours=2)
        assert clock.now() == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert clock.now() != start
    assert clock.now().tzinfo is not None


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEHOUSE_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("LIVEHOUSE_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("LIVEHOUSE_REDIS_URL", "redis://localhost:6379/1")
    settings = Settings()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.max_body_bytes == 2048
    assert settings.redis_url == "redis://localhost:6379/1"


def test_production_refuses_the_demo_pusher_secret() -> None:
    with pytest.raises(ValueError, match="LIVEHOUSE_PUSHER_SECRET"):
        Settings(environment="production", secret_key="k" * 40)
    Settings(environment="production", secret_key="k" * 40, pusher_secret="s" * 32)


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(RuntimeError):
        Settings(
            environment="production", secret_key="", pusher_secret="s" * 32
        ).resolved_secret_key()
