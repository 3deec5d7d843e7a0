"""Demo data, loaded once by `make run` (`livehouse demo`).

Each capability contributes through its `demo` module: `async def load(session, ctx)` adds its
rows and may read/extend `ctx` (a dict shared along the capabilities, in their mount order — the
organisation made by `orgs` is there for `events`). Entries under ctx["credentials"] are printed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from livehouse import capabilities
from livehouse.core import clock
from livehouse.core.db import unit_of_work
from livehouse.core.models import SystemFlag
from livehouse.core.runtime import Runtime

FLAG = "demo_loaded"


async def load(runtime: Runtime, *, force: bool = False) -> dict[str, Any]:
    """Load the demo once (in one transaction); returns the shared context, loaded or not."""
    ctx: dict[str, Any] = {"credentials": {}, "loaded_now": False}
    async with unit_of_work(runtime.database) as session:
        flag = await session.get(SystemFlag, FLAG)
        if flag is not None and not force:
            for module in capabilities.demo_modules():
                describe_existing = getattr(module, "describe", None)
                if describe_existing is not None:
                    await describe_existing(session, ctx)
            return ctx
        for module in capabilities.demo_modules():
            await module.load(session, ctx)
        if flag is None:
            session.add(SystemFlag(name=FLAG, value=clock.now().isoformat()))
        else:
            flag.value = clock.now().isoformat()
        ctx["loaded_now"] = True
    return ctx


def describe(ctx: dict[str, Any]) -> str:
    lines = ["demo data loaded" if ctx.get("loaded_now") else "demo data already present"]
    credentials: dict[str, Any] = ctx.get("credentials", {})
    if credentials:
        lines.append("demo credentials:")
        for role, value in credentials.items():
            lines.append(f"  {role:<12} {value}")
    return "\n".join(lines)


async def loaded(runtime: Runtime) -> bool:
    async with unit_of_work(runtime.database, write=False) as session:
        return (await session.scalar(select(SystemFlag).where(SystemFlag.name == FLAG))) is not None
