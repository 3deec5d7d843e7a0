"""Structured JSON logs, one object per line, each carrying the request id when there is one.

Exceptions are logged as type, message and the innermost frame — enough to find the fault,
without dumping a stack trace (which can carry secrets and request data) into the logs.
"""

from __future__ import annotations

import logging
import logging.config
import time
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def describe_exception(exc_info: ExcInfo) -> str:
    kind, value, tb = exc_info
    where = ""
    if tb is not None:
        frame = traceback.extract_tb(tb)[-1]
        where = f" (at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name})"
    return f"{kind.__name__}: {value}{where}"


class FailureStreak:
    """The log of a background loop that retries on its own (outbox dispatch, periodic tasks,
    realtime housekeeping): with the database down, each would log every second on every node.
    The first failure of a streak is logged with its exception; then one reminder per
    `remind_seconds` with the count so far; the first success after failures says so."""

    def __init__(
        self,
        log: logging.Logger,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        remind_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log, self.message, self.extra = log, message, extra or {}
        self.remind_seconds, self._monotonic = remind_seconds, monotonic
        self.failures = 0
        self._logged_at = 0.0

    def failed(self) -> None:
        """Call from the `except` block (the exception is logged from there)."""
        self.failures += 1
        now = self._monotonic()
        if self.failures == 1 or now - self._logged_at >= self.remind_seconds:
            self._logged_at = now
            self.log.exception(self.message, extra={**self.extra, "failures": self.failures})

    def succeeded(self) -> None:
        if self.failures:
            self.log.warning(
                f"{self.message}: recovered", extra={**self.extra, "failures": self.failures}
            )
            self.failures = 0


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


class CompactJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        log_data.pop("color_message", None)  # uvicorn's ANSI duplicate of the message
        return log_data

    def formatException(self, ei: Any) -> str:
        return describe_exception(ei)

    def formatStack(self, stack_info: str) -> str:
        return ""


class CompactTextFormatter(logging.Formatter):
    def formatException(self, ei: Any) -> str:
        return describe_exception(ei)


def configure_logging(level: str = "INFO", json_logs: bool = True) -> dict[str, Any]:
    """Configure the root logger and uvicorn's; returns the dictConfig (uvicorn reuses it)."""
    formatter: dict[str, Any] = (
        {
            "()": CompactJsonFormatter,
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json_logs
        else {
            "()": CompactTextFormatter,
            "fmt": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s",
        }
    )
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level.upper()},
        "loggers": {
            # Our own access log replaces uvicorn's (it has the request id and the route).
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "alembic": {"level": "WARNING"},
        },
    }
    logging.config.dictConfig(config)
    return config
