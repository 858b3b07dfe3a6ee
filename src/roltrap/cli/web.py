"""``roltrap serve``: the web app."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from roltrap.cli._common import console


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command()(serve)  # ``roltrap report`` lives in roltrap.cli.report


def serve(
    ctx: typer.Context,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (env ROLTRAP_HOST).")] = None,  # noqa: UP045
    port: Annotated[Optional[int], typer.Option(help="Port (env ROLTRAP_PORT).", min=1, max=65535)] = None,  # noqa: UP045
    read_only: Annotated[bool, typer.Option("--read-only/--writable",
                                            help="Open the store read-only (for a deployment).")] = False,
) -> None:
    """Start de webapp: Stad, Kaart, Wijk, Vergelijk, Coach en Bronnen (elke pagina ook als JSON)."""
    import uvicorn

    from roltrap.core import Roltrap
    from roltrap.web.app import create_app

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    settings = obj.get("settings")
    if settings is None:
        from roltrap.settings import Settings

        settings = Settings()
    updates: dict[str, object] = {}
    if host is not None:
        updates["host"] = host
    if port is not None:
        updates["port"] = port
    if read_only:
        updates["read_only"] = True
    settings = settings.model_copy(update=updates)
    rt = Roltrap(settings.db_path, settings=settings)
    app = create_app(rt, settings=settings)
    shown_host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
    console.print(f"roltrap draait op [bold]http://{shown_host}:{settings.port}/[/bold] "
                  f"(stoppen met Ctrl+C){' — alleen lezen' if settings.read_only else ''}")
    try:
        # uvicorn's own access log would print query strings; ours logs paths only.
        uvicorn.run(app, host=settings.host, port=settings.port, access_log=False, log_level="warning")
    finally:
        rt.close()
