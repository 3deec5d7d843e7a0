"""Prometheus metrics: requests by route and status, latency, database pool.

With several worker processes, `PROMETHEUS_MULTIPROC_DIR` is set by `livehouse serve` and
/metrics aggregates every worker's samples.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

REQUESTS = Counter(
    "livehouse_http_requests_total",
    "HTTP requests by route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "livehouse_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


class PoolCollector(Collector):
    """Reads the live pool figures at scrape time."""

    def __init__(self, status: Callable[[], dict[str, int]]) -> None:
        self.status = status

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily(
            "livehouse_db_pool_connections", "Database pool connections by state", labels=["state"]
        )
        for state, value in self.status().items():
            gauge.add_metric([state], value)
        yield gauge


_pool_collector: PoolCollector | None = None


def register_pool(status: Callable[[], dict[str, int]]) -> None:
    global _pool_collector
    if _pool_collector is not None:
        REGISTRY.unregister(_pool_collector)
    _pool_collector = PoolCollector(status)
    REGISTRY.register(_pool_collector)


def render() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        if _pool_collector is not None:
            registry.register(_pool_collector)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
