"""The `livehouse` command: serve, migrate, demo, worker, openapi, admin."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from livehouse import capabilities
from livehouse.core.settings import VAR_DIR, get_settings

app = typer.Typer(
    help="livehouse — the open-source backend for live entertainment.",
    no_args_is_help=True,
    add_completion=False,
)
admin = typer.Typer(help="Administrative accounts.", no_args_is_help=True)
app.add_typer(admin, name="admin")


def _runtime():
    from livehouse.core.runtime import Runtime, install

    capabilities.load_models()
    capabilities.load_jobs()
    runtime = Runtime.build(get_settings())
    install(runtime)
    return runtime


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
    proxy_headers: Annotated[bool, typer.Option(help="Trust X-Forwarded-* headers")] = False,
) -> None:
    """Serve the HTTP and WebSocket API."""
    import uvicorn

    from livehouse.core.logging import configure_logging

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        # Each worker would have its own sockets, presence and rate-limit counters: a message
        # published by one worker would miss the others' sockets, and brute-force limits
        # would be multiplied by the worker count.
        raise typer.BadParameter(
            "several workers share realtime channels and rate limits through Redis: "
            "set LIVEHOUSE_REDIS_URL",
            param_hint="--workers",
        )
    log_config = configure_logging(settings.log_level, settings.log_json)
    if workers > 1:
        metrics_dir = VAR_DIR / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    uvicorn.run(
        "livehouse.app:factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config,
        loop="uvloop",
        http="httptools",
        proxy_headers=proxy_headers,
        access_log=False,
        ws_per_message_deflate=settings.realtime_compression,
    )


@app.command()
def migrate(
    downgrade_to: Annotated[
        str | None, typer.Option(help="Downgrade to this revision (e.g. base) instead")
    ] = None,
) -> None:
    """Bring the database schema to head (every capability's branch)."""
    from livehouse.core import migrations

    async def run() -> None:
        runtime = _runtime()
        try:
            if downgrade_to:
                await migrations.downgrade(runtime.database, downgrade_to)
            else:
                await migrations.upgrade(runtime.database)
            heads = await migrations.current_heads(runtime.database)
        finally:
            await runtime.database.dispose()
        typer.echo(f"database at {', '.join(sorted(heads)) or 'base'}")

    asyncio.run(run())


@app.command()
def demo(
    force: Annotated[bool, typer.Option(help="Load again even if loaded before")] = False,
) -> None:
    """Load the demo data (once) and print the demo credentials."""
    from livehouse import demo as demo_data

    async def run() -> None:
        runtime = _runtime()
        try:
            loaded = await demo_data.load(runtime, force=force)
        finally:
            await runtime.database.dispose()
        typer.echo(demo_data.describe(loaded))

    asyncio.run(run())


@app.command()
def worker() -> None:
    """Run the outbox dispatcher and periodic tasks without serving HTTP (job-only nodes)."""
    from livehouse.core.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)

    async def run() -> None:
        runtime = _runtime()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runtime.outbox.start()
        runtime.scheduler.start()
        await stop.wait()
        await runtime.close()

    asyncio.run(run())


@admin.command("create")
def admin_create(
    email: Annotated[str, typer.Option(help="E-mail of the administrator")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    full_name: Annotated[str | None, typer.Option(help="Display name")] = None,
) -> None:
    """Create a platform administrator (or promote an existing account, password checked)."""
    from livehouse.core.db import unit_of_work
    from livehouse.core.errors import Problem
    from livehouse.core.validators import normalize_email
    from livehouse.identity import passwords, service

    async def run() -> str:
        runtime = _runtime()
        try:
            async with unit_of_work(runtime.database) as session:
                account = await service.find_by_login(session, email)
                if account is None:
                    account = await service.register(
                        session,
                        email=normalize_email(email),
                        password=password,
                        full_name=full_name,
                    )
                elif not await passwords.verify_password(account.password_hash, password):
                    raise typer.BadParameter("that account exists and the password is wrong")
                account.is_platform_admin = True
                return str(account.public_id)
        finally:
            await runtime.database.dispose()

    try:
        account_id = asyncio.run(run())
    except (Problem, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(f"platform administrator {email} (account {account_id})")


@app.command()
def openapi(
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout)")] = None,
) -> None:
    """Write the OpenAPI 3.1 document."""
    from livehouse.app import create_app

    spec = create_app(configure_logs=False).openapi()
    text = json.dumps(spec, indent=2, sort_keys=False)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n")
        typer.echo(f"wrote {output}")
