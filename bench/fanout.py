"""Realtime fan-out: N WebSocket subscribers on one channel, messages published through the
service path, against a bare `websockets` broadcast server measured in the same run.

    uv run python bench/fanout.py [--sockets 5000] [--messages 40] [--rate 2] [--burst 60]
                                  [--clients 3] [--payload 200] [--rounds 3] [--redis redis://…]
                                  [--workers 1] [--pin] [--only livehouse|baseline]

Each server (livehouse and the baseline, back to back in each of `--rounds` rounds, taking turns
to go first) runs in its own process; the subscribers run in `--clients` other processes. For
each server:
  1. connect N sockets and subscribe them (livehouse: the native protocol; every subscription
     acknowledged before going on); the server's RSS before and after, with the sockets idle,
     gives the memory per socket (20 sockets come and go first: what the first connection
     loads once is not a socket's cost);
  2. latency: `--messages` messages at `--rate` per second. livehouse: each one a request that
     publishes with `core.realtime.publish(session, …)` — the path every service uses, sent
     after the request's commit; the baseline: a message on a publisher socket. Clients note
     each delivery's latency from the publisher's clock; each server reports its own
     publish-to-last-write time per message (`server_*_ms`);
  3. throughput: `--burst` messages as fast as the publisher can send them (livehouse: four
     requests in flight); deliveries per second at the clients, and the server's CPU time per
     delivery (steadier than wall-clock figures on a busy machine).
Each server's median round (by throughput) gives its figures, `ratio` is the median of the
rounds' ratios (the two servers run back to back in each round), `cpu_ratio` compares the
median CPU time per delivery, and every round's figures are listed (`rounds`). The
number of sockets is lowered, and the output says so, when the open-file limit or the local
port range cannot hold them. Prints one JSON line. Loopback only; everything stops by itself.
`--only livehouse|baseline` measures one server; `--profile PREFIX` writes py-spy's stacks of
each server's throughput phase (run with `uv run --with py-spy …`); `--pin` puts each server
alone on core 0 and the client processes on the other cores, so the server's figures are not
the load generator's competing for the same core. `--workers N` runs livehouse as N worker
processes fanning out through Redis (as `livehouse serve --workers N` must): each worker writes
to the sockets it accepted, a message's server time ends with its last worker's last write, and
memory and CPU are the workers' together; the baseline stays one process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench._servers import (  # noqa: E402
    cpu_seconds,
    free_port,
    profiled,
    redis_server,
    rss_kb,
    wait_for_port,
)

CHANNEL = "bench"


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def allowed_sockets(wanted: int) -> tuple[int, str | None]:
    """Raise the open-file limit as far as allowed (the children inherit it); fewer sockets if
    that, or the local port range the clients connect from, is not enough."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    limits = [(hard - 200, f"open-file limit {hard}")]  # the server holds one per socket
    with_ports = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if with_ports.exists():
        low, high = map(int, with_ports.read_text().split())
        limits.append((high - low - 1000, f"local port range {low}-{high}"))
    room, why = min(limits)
    if wanted <= room:
        return wanted, None
    return room, f"{why}: {room} sockets instead of {wanted}"


@contextmanager
def process(
    *args: str, env: dict[str, str] | None = None, cpus: set[int] | None = None, **kw: Any
) -> Iterator[Any]:
    child = subprocess.Popen([sys.executable, *args], env={**os.environ, **(env or {})}, **kw)
    if cpus:
        os.sched_setaffinity(child.pid, cpus)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def wait_until(ready: Callable[[], bool], what: str) -> None:
    for _ in range(600):
        try:
            if ready():
                return
        except (httpx.TransportError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up")


class Clients:
    """The subscriber processes."""

    def __init__(
        self,
        stack: ExitStack,
        port: int,
        path: str,
        first: str,
        n: int,
        k: int,
        cpus: set[int] | None = None,
    ):
        self.out = stack.enter_context(tempfile.TemporaryDirectory(prefix="fanout-"))
        self.children = []
        shares = [n // k + (1 if i < n % k else 0) for i in range(k)]
        for i, share in enumerate(shares):
            child = stack.enter_context(
                process(
                    str(HERE / "_fanout_clients.py"),
                    *(str(port), path, first, str(share), f"{self.out}/c{i}"),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    cpus=cpus,
                )
            )
            self.children.append(child)
        for child in self.children:
            line = child.stdout.readline().strip()
            if line != "READY":
                raise RuntimeError(f"client process failed: {line!r}")

    def cpu(self) -> float:
        return sum(sum(cpu_seconds(child.pid)) for child in self.children)

    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for child in self.children:
            child.stdin.write("COUNT\n")
            child.stdin.flush()
            for key, value in json.loads(child.stdout.readline()).items():
                total[key] = total.get(key, 0) + value
        return total

    def wait_for(self, phase: int, per_socket: int, sockets: int, limit: float) -> None:
        """Until every socket still open has the phase's messages, or `limit` seconds."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            counts = self.counts()
            if counts.get(str(phase), 0) >= (sockets - counts.get("closed", 0)) * per_socket:
                return
            time.sleep(0.2)

    def results(self) -> dict[int, tuple[float, float, int, list[float]]]:
        """Per phase: first and last delivery (wall clock), deliveries, latencies (s)."""
        for child in self.children:
            child.stdin.write("DUMP\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "DONE"
        merged: dict[int, tuple[float, float, int, list[float]]] = {}
        for name in os.listdir(self.out):
            phase = int(name.rsplit(".", 1)[1])
            values = array("d")
            with open(f"{self.out}/{name}", "rb") as file:
                values.frombytes(file.read())
            first, last, count, latencies = values[0], values[1], int(values[2]), list(values[3:])
            if phase in merged:
                old = merged[phase]
                first, last = min(first, old[0]), max(last, old[1])
                count, latencies = count + old[2], old[3] + latencies
            merged[phase] = (first, last, count, latencies)
        return merged


def message(phase: int, pad: str) -> dict[str, Any]:
    return {"t": time.time(), "p": phase, "pad": pad}


@dataclass
class Target:
    """One server under test, as the run drives it."""

    pid: int
    path: str  # where subscribers connect
    first: str  # what they send to subscribe
    publish: Callable[[int], None]
    burst: Callable[[int, int], None]
    figures: Callable[[], dict[str, Any]]
    reset: Callable[[], None]


def every_worker(base: str, method: str, path: str, workers: int) -> list[dict[str, Any]]:
    """Ask each worker process: a new connection per request lands on whichever worker accepts
    it, so ask until every node has answered once."""
    answers: dict[str, dict[str, Any]] = {}
    for _ in range(50 * workers):
        answer = httpx.request(method, base + path, timeout=60).raise_for_status().json()
        answers.setdefault(answer["node"], answer)
        if len(answers) == workers:
            return list(answers.values())
    raise RuntimeError(f"heard from {len(answers)} of {workers} workers")


def merged_stats(stats: list[dict[str, Any]]) -> dict[str, Any]:
    """One node's figures, or several workers' as one server's: a message's fan-out ends when
    its last worker's ends."""
    if len(stats) == 1:
        return stats[0]
    return {
        "fanout_ms": [max(each) for each in zip(*(s["fanout_ms"] for s in stats), strict=False)],
        "deferred": sum(s["deferred"] for s in stats),
        "connections": [s["connections"] for s in stats],
    }


def start_livehouse(stack: ExitStack, port: int, args: argparse.Namespace) -> Target:
    workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="fanout-db-"))
    env = {
        "LIVEHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
        "LIVEHOUSE_SECRET_KEY": secrets.token_urlsafe(32),
        "LIVEHOUSE_RUN_OUTBOX_IN_PROCESS": "false",
        "LIVEHOUSE_LOG_LEVEL": "WARNING",
        "LIVEHOUSE_STORAGE_URL": f"file://{workdir}/media",
        **({"LIVEHOUSE_REDIS_URL": args.redis} if args.redis else {}),
    }
    child = stack.enter_context(
        process(
            str(HERE / "_fanout_server.py"),
            str(port),
            str(args.workers),
            env=env,
            cpus=server_cpus(args),
        )
    )
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(base + "/healthz", timeout=1).status_code == 200, base)
    every_worker(base, "GET", "/_bench/stats", args.workers)  # each one serving
    http = stack.enter_context(httpx.Client(base_url=base, timeout=60))
    pad = "x" * args.payload

    def publish(phase: int) -> None:
        http.post(f"/_bench/publish/{CHANNEL}", json=message(phase, pad)).raise_for_status()

    def burst(phase: int, n: int) -> None:
        # Each request returns once its fan-out is done: a few in flight keep the server busy,
        # as the baseline's queued messages keep it busy.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: publish(phase), range(n)))

    return Target(
        pid=child.pid,
        path="/v1/realtime",
        first=json.dumps({"type": "subscribe", "channel": CHANNEL}),
        publish=publish,
        burst=burst,
        figures=lambda: merged_stats(every_worker(base, "GET", "/_bench/stats", args.workers)),
        reset=lambda: every_worker(base, "POST", "/_bench/reset", args.workers) and None,
    )


def start_baseline(stack: ExitStack, port: int, args: argparse.Namespace) -> Target:
    child = stack.enter_context(
        process(str(HERE / "_fanout_baseline.py"), str(port), cpus=server_cpus(args))
    )
    wait_for_port(port)
    publisher = stack.enter_context(connect(f"ws://127.0.0.1:{port}/publish", compression=None))
    pad = "x" * args.payload

    def publish(phase: int) -> None:
        publisher.send(json.dumps(message(phase, pad)))

    def burst(phase: int, n: int) -> None:
        for _ in range(n):
            publish(phase)

    def figures() -> dict[str, Any]:
        publisher.send("stats")
        return json.loads(publisher.recv())  # type: ignore[no-any-return]

    return Target(
        pid=child.pid,
        path="/",
        first="subscribe",
        publish=publish,
        burst=burst,
        figures=figures,
        reset=lambda: publisher.send("reset"),
    )


def server_cpus(args: argparse.Namespace) -> set[int] | None:
    """`--pin`: the server alone on the first core, so its figures are not the load
    generator's (which gets every other core)."""
    return {0} if args.pin else None


def client_cpus(args: argparse.Namespace) -> set[int] | None:
    return set(range(1, os.cpu_count() or 2)) if args.pin else None


def run(server: str, args: argparse.Namespace, sockets: int) -> dict[str, Any]:
    port = free_port()
    start = start_livehouse if server == "livehouse" else start_baseline
    with ExitStack() as stack:
        target = start(stack, port, args)
        with ExitStack() as warm_up:  # what the first sockets load once is not per socket
            Clients(warm_up, port, target.path, target.first, 20, 1)
        time.sleep(1.0)
        before = rss_kb(target.pid)
        clients = Clients(
            stack, port, target.path, target.first, sockets, args.clients, client_cpus(args)
        )
        time.sleep(3.0)  # idle sockets: let the server settle
        after = rss_kb(target.pid)

        # Latency at a steady rate.
        target.reset()
        began = time.monotonic()
        for i in range(args.messages):
            target.publish(1)
            time.sleep(max(0.0, began + (i + 1) / args.rate - time.monotonic()))
        clients.wait_for(1, args.messages, sockets, limit=120)
        steady = target.figures()

        # Throughput: back to back.
        target.reset()
        server_cpu, client_cpu, wall = cpu_seconds(target.pid), clients.cpu(), time.time()
        with profiled(
            target.pid, args.profile and f"{args.profile}.{server}.txt", subprocesses=True
        ):
            target.burst(2, args.burst)
            clients.wait_for(2, args.burst, sockets, limit=300)
        user, system = (b - a for a, b in zip(server_cpu, cpu_seconds(target.pid), strict=True))
        client_cpu = clients.cpu() - client_cpu
        busy = target.figures()
        closed = clients.counts().get("closed", 0)
        results = clients.results()

    _, _, count1, latencies = results.get(1, (0.0, 0.0, 0, []))
    _, last2, count2, _ = results.get(2, (0.0, 0.0, 0, []))
    fanout = steady["fanout_ms"]
    seconds = last2 - wall if count2 else float("nan")
    return {
        "deliveries_per_s": round(count2 / seconds, 1) if count2 else 0.0,
        "server_p50_ms": round(statistics.median(fanout), 2) if fanout else float("nan"),
        "server_p99_ms": round(quantile(fanout, 0.99), 2),
        "server_burst_p99_ms": round(quantile(busy["fanout_ms"], 0.99), 2),
        "client_p50_ms": round(quantile(latencies, 0.5) * 1000, 2),
        "client_p99_ms": round(quantile(latencies, 0.99) * 1000, 2),
        "rss_kb_per_socket": round((after - before) / sockets, 2),
        "server_cpu_us_per_delivery": round((user + system) / count2 * 1e6, 2) if count2 else None,
        "server_user_us_per_delivery": round(user / count2 * 1e6, 2) if count2 else None,
        "server_cpu_share": round((user + system) / seconds, 2) if count2 else None,
        "clients_cpu_share": round(client_cpu / seconds, 2) if count2 else None,
        "deferred": busy.get("deferred", 0),
        "lost": sockets * (args.messages + args.burst) - count1 - count2,
        "closed_by_server": closed,
        **({"sockets_per_worker": steady["connections"]} if "connections" in steady else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=40, help="latency phase")
    parser.add_argument("--rate", type=float, default=2.0, help="latency phase, per second")
    parser.add_argument("--burst", type=int, default=60, help="throughput phase")
    parser.add_argument("--clients", type=int, default=3, help="subscriber processes")
    parser.add_argument("--payload", type=int, default=200, help="bytes of padding per message")
    parser.add_argument("--redis", default=None, help="livehouse fans out through this Redis")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="livehouse worker processes (more than one: through Redis, a throwaway one unless "
        "--redis names one)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server")
    parser.add_argument("--profile", help="py-spy stacks of the burst to PROFILE.<server>.txt")
    parser.add_argument(
        "--pin", action="store_true", help="server on core 0, client processes on the others"
    )
    parser.add_argument(
        "--only", choices=("livehouse", "baseline"), help="measure one server (no ratio)"
    )
    args = parser.parse_args()
    with ExitStack() as exits:
        if args.workers > 1 and not args.redis:
            args.redis = exits.enter_context(redis_server())
        report(args)


def report(args: argparse.Namespace) -> None:
    sockets, note = allowed_sockets(args.sockets)
    if note:
        print(f"fanout: {note}", file=sys.stderr)

    servers = [args.only] if args.only else ["livehouse", "baseline"]
    rounds: dict[str, list[dict[str, Any]]] = {server: [] for server in servers}
    for number in range(args.rounds):
        for server in servers if number % 2 == 0 else reversed(servers):  # neither always first
            rounds[server].append(run(server, args, sockets))

    def middle(server: str) -> dict[str, Any]:
        # The median round by throughput: the machine may be busy with other work.
        found = sorted(rounds.get(server, []), key=lambda r: r["deliveries_per_s"])
        return found[(len(found) - 1) // 2] if found else {}

    def median(server: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[server])

    ours, baseline = middle("livehouse"), middle("baseline")
    line: dict[str, Any] = {"bench": "fanout", "sockets": sockets}
    if ours:
        line |= {
            key: ours[key]
            for key in (
                "deliveries_per_s",
                "server_p99_ms",
                "client_p50_ms",
                "client_p99_ms",
                "rss_kb_per_socket",
            )
        }
    if baseline:
        line["baseline_deliveries_per_s"] = baseline["deliveries_per_s"]
    if ours and baseline:
        # Each round runs the two servers back to back: compare within rounds.
        pairs = [
            round(a["deliveries_per_s"] / b["deliveries_per_s"], 3)
            for a, b in zip(rounds["livehouse"], rounds["baseline"], strict=True)
        ]
        line["ratio"] = round(statistics.median(pairs), 3)
        line["round_ratios"] = pairs
        line["cpu_ratio"] = round(
            median("baseline", "server_cpu_us_per_delivery")
            / median("livehouse", "server_cpu_us_per_delivery"),
            3,
        )
    line |= {
        "livehouse": ours,
        "baseline": baseline,
        "rounds": rounds,
        "messages": args.messages,
        "rate": args.rate,
        "burst": args.burst,
        "payload": args.payload,
        "client_processes": args.clients,
        "redis": bool(args.redis),
        "server_workers": args.workers,
        "pinned": args.pin,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    if note:
        line["note"] = note
    print(json.dumps(line))


if __name__ == "__main__":
    main()
