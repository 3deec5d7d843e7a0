"""Throwaway database servers for benchmarks (loopback only, stopped on exit)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
_PG_DATA: dict[str, Path] = {}  # URL → data directory of the servers `postgres()` started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres(durable: bool = True) -> Iterator[str]:
    """A fresh PostgreSQL on loopback; yields its SQLAlchemy URL. `durable` keeps fsync and
    synchronous commit on, as production would (the test suite turns them off)."""
    work = Path(tempfile.mkdtemp(prefix="livehouse-bench-pg."))
    work.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    data, port = work / "data", free_port()
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {work} -c max_connections=400 "
        "-c shared_buffers=512MB"
    )
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off"
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(work / "log"),
                "-w",
                "-o",
                options,
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    _PG_DATA[url] = data
    try:
        yield url
    finally:
        _PG_DATA.pop(url, None)
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(work, ignore_errors=True)


TICK = os.sysconf("SC_CLK_TCK")


def family(pid: int) -> list[int]:
    """The process and its children (a server's worker processes)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if parent == pid:
                children.append(int(entry.name))
    return [pid, *children]


def rss_kb(pid: int) -> int:
    """Resident memory of the process and its children."""
    total = 0
    for member in family(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time so far of the process and its children — the living ones and
    those that have ended and been waited for (a PostgreSQL backend ends with its connection)."""
    user = system = 0.0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile: its parent counts it once it has waited for it
        user += (int(fields[11]) + int(fields[13])) / TICK
        system += (int(fields[12]) + int(fields[14])) / TICK
    return user, system


def postgres_pid(url: str) -> int:
    """The postmaster of a server `postgres()` started (its backends are its children)."""
    return int((_PG_DATA[url] / "postmaster.pid").read_text().split()[0])


@contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on loopback, nothing persisted; yields its URL."""
    port = free_port()
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    command = [
        binary,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


@contextmanager
def profiled(pid: int, out: str | None, *, subprocesses: bool = False) -> Iterator[None]:
    """py-spy's collapsed stacks of process `pid` (and its children: `subprocesses`) while the
    block runs, into `out`; nothing when `out` is empty. Run with `uv run --with py-spy …`."""
    if not out:
        yield
        return
    spy = shutil.which("py-spy")
    if spy is None:
        raise SystemExit("--profile needs py-spy: uv run --with py-spy python bench/… --profile …")
    command = [
        spy,
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--output",
        out,
        "--nonblocking",
    ]
    if subprocesses:
        command.append("--subprocesses")
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    time.sleep(1.0)  # attached
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)
        recorder.wait(60)
