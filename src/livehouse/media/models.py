"""Media tables: one row per stored upload."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, IdMixin, UTCDateTime


class Media(IdMixin, Base):
    """An uploaded file. Owned by an account (personal uploads, and who uploaded an organisation's
    file) and/or an organisation (its library). The stored object and its preview are at
    `storage_key` / `preview_key` in the runtime's storage."""

    __tablename__ = "media"

    owner_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # image|audio|video|document
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(512), unique=True)
    preview_key: Mapped[str | None] = mapped_column(String(512))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str | None] = mapped_column(String(255))  # as the client named it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
