"""Payment tables. Card data never lands here: only the brand and the last four digits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class Payment(IdMixin, TimestampMixin, Base):
    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("provider", "provider_ref"),)

    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    amount: Mapped[int] = mapped_column(BigId)  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    amount_refunded: Mapped[int] = mapped_column(BigId, default=0)
    # requires_payment_method → (requires_action →) processing → succeeded | failed | canceled;
    # succeeded → partially_refunded → refunded
    status: Mapped[str] = mapped_column(String(32), default="requires_payment_method", index=True)
    provider: Mapped[str | None] = mapped_column(String(16))
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(32))  # who created it: "order", "subscription"…
    reference: Mapped[str | None] = mapped_column(String(64), index=True)  # e.g. order public id
    description: Mapped[str | None] = mapped_column(String(255))
    payer_email: Mapped[str | None] = mapped_column(String(320))
    payer_phone: Mapped[str | None] = mapped_column(String(20))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(String(255))
    # The sandbox's OTP challenge (Stripe runs its own 3-D Secure in the browser).
    challenge_hash: Mapped[str | None] = mapped_column(String(64))
    challenge_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    challenge_attempts: Mapped[int] = mapped_column(Integer, default=0)
    client_secret: Mapped[str | None] = mapped_column(String(255))  # Stripe's, for Stripe.js
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Refund(IdMixin, Base):
    __tablename__ = "payment_refunds"

    payment_id: Mapped[int] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int] = mapped_column(BigId)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))  # pending|succeeded|failed
    reason: Mapped[str | None] = mapped_column(String(255))
    provider_ref: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WebhookReceipt(Base):
    """Provider events already processed: providers deliver at least once."""

    __tablename__ = "payment_webhook_receipts"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
