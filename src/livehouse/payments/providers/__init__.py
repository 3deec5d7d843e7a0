"""Payment providers. `get(name)` returns the configured instance."""

from __future__ import annotations

from livehouse.payments.providers.base import Card, Outcome, Provider, RefundOutcome

__all__ = ["Card", "Outcome", "Provider", "RefundOutcome", "get"]


_stripe: dict[tuple[str | None, str | None], Provider] = {}


def get(name: str) -> Provider:
    from livehouse.core.runtime import current

    settings = current().settings
    if name == "sandbox":
        from livehouse.payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    if name == "stripe":
        from livehouse.payments.providers.stripe import StripeProvider

        # One client (and connection pool) per configuration, not one per payment.
        key = (settings.stripe_secret_key, settings.stripe_api_base)
        if key not in _stripe:
            _stripe[key] = StripeProvider.from_settings(settings)
        return _stripe[key]
    raise LookupError(f"unknown payment provider {name!r}")
