"""The one source of "now" — injectable so tests can move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Timezone-aware UTC now."""
    return _source()


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = (start or datetime.now(UTC)).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


class OffsetClock:
    """Real time shifted by an offset: time keeps flowing (timeouts, leases) but can jump ahead."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> datetime:
        self.offset += timedelta(**delta)
        return self()


@contextmanager
def use(source: Callable[[], datetime]) -> Iterator[Callable[[], datetime]]:
    global _source
    previous = _source
    _source = source
    try:
        yield source
    finally:
        _source = previous
