"""Operations endpoints: liveness, readiness, metrics. Not under /v1: they are for the platform."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from livehouse.core import metrics
from livehouse.core.errors import ServiceUnavailable
from livehouse.core.migrations import readiness
from livehouse.core.runtime import current

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: str
    migrations_at_head: bool


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The database is reachable and its schema is at head",
    responses={503: {"description": "Not ready"}},
)
async def readyz(request: Request) -> Readiness:
    try:
        report = await readiness(current().database, request.app.state.expected_heads)
    except Exception as exc:
        raise ServiceUnavailable("The database is unreachable") from exc
    if not report["migrations_at_head"]:
        raise ServiceUnavailable(
            "The database schema is not at head; run `livehouse migrate`",
            extra={"current": report["current"], "expected": report["expected"]},
        )
    return Readiness(status="ready", database="ok", migrations_at_head=True)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def prometheus_metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
