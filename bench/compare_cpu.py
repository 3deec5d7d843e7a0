"""CPU per request of two versions of livehouse, measured in turns: is a change faster?

    uv run python bench/compare_cpu.py --base /tmp/lh-tree [--db postgresql] [--rounds 12]
                                       [--batch 150] [--kinds healthz,me,event,purchase]

`--base` is a checkout of the version to compare against (`git worktree add /tmp/lh-tree
<commit>`); the other version is this tree. Each version runs in its own process (its `src/`
first on the path, this tree's environment), on its own database set up as bench/checkout.py
does, serving requests in process as bench/request_cpu.py does. The two never run at once: they
take turns, one batch of each request kind each, so both see the same moments of this machine's
noise, and each round gives a paired ratio (this tree ÷ base). Separate runs of request_cpu.py
on this shared machine differ by ±15 %, more than most changes worth measuring; the paired
ratios' median is steady to a few per cent. Prints one JSON line per request kind.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]


class Version:
    """One version of the app in a child process (bench/_cpu_child.py), serving batches."""

    def __init__(self, name: str, tree: Path, db: str) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_cpu_child.py"), str(tree / "src"), db],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": ""},
        )
        self._expect("ready")

    def _pipes(self) -> tuple[IO[str], IO[str]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def _expect(self, word: str) -> str:
        _, out = self._pipes()
        for line in out:
            if line.startswith(word):
                return line[len(word) :].strip()
        raise SystemExit(f"{self.name}: the child process ended before '{word}'")

    def batch(self, kind: str, calls: int) -> float:
        """CPU milliseconds per call of one batch."""
        stdin, _ = self._pipes()
        stdin.write(f"{kind} {calls}\n")
        stdin.flush()
        return float(self._expect("ms"))

    def close(self) -> None:
        stdin, _ = self._pipes()
        stdin.close()
        self.process.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="checkout of the base version")
    parser.add_argument("--this", type=Path, default=ROOT, help="the other (default: this tree)")
    parser.add_argument("--db", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--batch", type=int, default=150, help="requests per batch")
    parser.add_argument("--kinds", default="healthz,me,event,purchase")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    base = Version("base", args.base.resolve(), args.db)
    this = Version("this", args.this.resolve(), args.db)
    figures: dict[str, dict[str, list[float]]] = {k: {"base": [], "this": []} for k in kinds}
    try:
        for kind in kinds:  # warm-up: first requests build caches and prepare statements
            base.batch(kind, 30)
            this.batch(kind, 30)
        for round_number in range(args.rounds):
            # Alternate who goes first, so neither always follows the other's cache misses.
            order = (base, this) if round_number % 2 == 0 else (this, base)
            for kind in kinds:
                for version in order:
                    figures[kind][version.name].append(version.batch(kind, args.batch))
    finally:
        base.close()
        this.close()
    for kind in kinds:
        a, b = figures[kind]["base"], figures[kind]["this"]
        ratios = sorted(y / x for x, y in zip(a, b, strict=True))
        line: dict[str, Any] = {
            "bench": "compare_cpu",
            "db": args.db,
            "kind": kind,
            "base_ms": {"min": round(min(a), 2), "median": round(statistics.median(a), 2)},
            "this_ms": {"min": round(min(b), 2), "median": round(statistics.median(b), 2)},
            "ratio_median": round(statistics.median(ratios), 3),
            # The middle half of the paired ratios: how far to trust the median.
            "ratio_middle_half": [
                round(ratios[len(ratios) // 4], 3),
                round(ratios[(3 * len(ratios)) // 4 - 1], 3),
            ],
            "rounds": args.rounds,
            "batch": args.batch,
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
