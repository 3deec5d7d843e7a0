"""RFC 9457 problem details: the only error shape the native API returns.

Services raise `Problem` subclasses; the handlers installed by `install_error_handlers` turn them,
FastAPI's validation errors, Starlette's HTTP errors and anything unexpected into
`application/problem+json`. Unexpected errors are logged with their trace and answered with a 500
that carries the request id and nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

log = logging.getLogger("livehouse.errors")

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://livehouse.dev/problems/"


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class Problem(Exception):
    """An error the client can act on. Subclasses fix status and type; detail says what happened."""

    status: int = 400
    slug: str = "bad-request"
    title: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Iterable[FieldError] = (),
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        status: int | None = None,
        slug: str | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(detail or self.default_title())

    def default_title(self) -> str:
        return self.title or HTTPStatus(self.status).phrase

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.slug,
            "title": self.default_title(),
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [error.as_dict() for error in self.errors]
        body.update(self.extra)
        return body


class BadRequest(Problem):
    status, slug = 400, "bad-request"


class Unauthorized(Problem):
    status, slug = 401, "unauthorized"

    def __init__(self, detail: str = "Authentication is required", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(Problem):
    status, slug = 403, "forbidden"


class NotFound(Problem):
    status, slug = 404, "not-found"


class Conflict(Problem):
    status, slug = 409, "conflict"


class Gone(Problem):
    status, slug = 410, "gone"


class PayloadTooLarge(Problem):
    status, slug = 413, "payload-too-large"


class UnsupportedMediaType(Problem):
    status, slug = 415, "unsupported-media-type"


class ValidationFailed(Problem):
    status, slug, title = 422, "validation-failed", "Validation failed"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or "The request has invalid fields", **kwargs)

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", errors=[FieldError(field, message)])


class TooManyRequests(Problem):
    status, slug = 429, "rate-limited"

    def __init__(self, retry_after: int, detail: str = "Too many requests", **kw: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        kw.setdefault("headers", {"Retry-After": str(self.retry_after)})
        kw.setdefault("extra", {"retry_after": self.retry_after})
        super().__init__(detail, **kw)


class ServiceUnavailable(Problem):
    status, slug = 503, "unavailable"


def database_unavailable(exc: BaseException, *, at_commit: bool = False) -> Problem | None:
    """The database failing us, not the request: 503 with Retry-After, or None for other errors.

    Pooled connections are not pinged before use (a round trip per request); one found dead
    fails its request here, and SQLAlchemy then replaces every connection in the pool. An
    OperationalError counts only `at_commit` (the database locked or busy): from a statement it
    may as well be our bug (SQLite reports an unknown column so), a 500 logged with its trace.
    """
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return ServiceUnavailable(
            "The database connection was lost; try again", headers={"Retry-After": "1"}
        )
    if isinstance(exc, PoolTimeout) or (at_commit and isinstance(exc, OperationalError)):
        return ServiceUnavailable(
            "The database is busy; try again shortly", headers={"Retry-After": "1"}
        )
    return None


def problem_response(problem: Problem, request_id: str | None = None) -> Response:
    body = problem.body()
    if request_id:
        body["request_id"] = request_id
    return Response(
        content=orjson.dumps(body),
        status_code=problem.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=problem.headers,
    )


def _location_to_field(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location]
    # FastAPI prefixes body/query/path/header; the client thinks in field names.
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source, parts = parts[0], parts[1:]
        if not parts:
            return source
        if source == "header":
            return "header." + parts[0]
    return ".".join(parts)


def validation_problem(errors: Sequence[dict[str, Any]]) -> ValidationFailed:
    field_errors: list[FieldError] = []
    for error in errors:
        field = _location_to_field(error.get("loc", ()))
        kind = error.get("type", "")
        if kind == "json_invalid":
            message = "The body is not valid JSON"
        elif kind == "extra_forbidden":
            message = "Unknown field"
        elif kind == "missing":
            message = "This field is required"
        else:
            message = str(error.get("msg", "Invalid value")).removeprefix("Value error, ")
        field_errors.append(FieldError(field, message))
    summary = "; ".join(f"{e.field}: {e.message}" for e in field_errors[:5])
    return ValidationFailed(summary or None, errors=field_errors)


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc, request_id_of(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(validation_problem(exc.errors()), request_id_of(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail in (None, "Not Found"):
            detail = f"No resource at {request.url.path}"
        problem = Problem(detail, status=exc.status_code, slug=_slug_for(exc.status_code))
        problem.headers = dict(exc.headers or {})
        return problem_response(problem, request_id_of(request))

    @app.exception_handler(SQLAlchemyError)
    async def _database(request: Request, exc: SQLAlchemyError) -> Response:
        problem = database_unavailable(exc)
        if problem is None:
            raise exc  # any other database error is ours: the 500 path below, logged once
        log.warning("database unavailable: %s", type(getattr(exc, "orig", exc)).__name__)
        return problem_response(problem, request_id_of(request))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        request_id = request_id_of(request)
        log.exception("unhandled error", extra={"request_id": request_id})
        problem = Problem(
            "An unexpected error occurred; quote the request id when reporting it",
            status=500,
            slug="internal-error",
        )
        return problem_response(problem, request_id)


def _slug_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")
    except ValueError:
        return "error"
