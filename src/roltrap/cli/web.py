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
    host: Annotated[Optional[str], typer.Option(help="Adres om op te luisteren (env ROLTRAP_HOST).")] = None,  # noqa: UP045
    port: Annotated[Optional[int], typer.Option(help="Poort (env ROLTRAP_PORT).", min=1, max=65535)] = None,  # noqa: UP045
    workers: Annotated[Optional[int], typer.Option(  # noqa: UP045
        help="Aantal serverprocessen; standaard het aantal processorkernen.", min=1, max=64)] = None,
    read_only: Annotated[bool, typer.Option("--read-only/--writable",
                                            help="Werk de meegeleverde gegevens bij de start niet bij "
                                                 "(voor een vaste installatie).")] = False,
) -> None:
    """Start de webapp: Stad, Kaart, Wijk, Vergelijk, Coach en Bronnen (elke pagina ook als JSON).

    De server houdt het gegevensbestand niet vast: terwijl hij draait kunnen `roltrap show` en
    `roltrap import` hetzelfde bestand gebruiken, en nieuwe cijfers staan meteen op de pagina's."""
    import gc
    import os

    gc.disable()  # start-up keeps what it makes; roltrap.web.server.settle() switches it back on

    from roltrap.core import Roltrap

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
    n = workers or os.cpu_count() or 1
    # Build (first use) or refresh the store once, here; the workers then only read it, each through
    # short sessions, so the single writer is always a CLI command.
    if settings.db_path.exists():
        Roltrap(settings.db_path, settings=settings, hold=False).close()
    else:
        with console.status("Eerste gebruik: de meegeleverde gegevens worden in de opslag gezet…"):
            Roltrap(settings.db_path, settings=settings, hold=False).close()
    shown_host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host

    def ready() -> None:
        console.print(f"roltrap draait op [bold]http://{shown_host}:{settings.port}/[/bold] "
                      f"(stoppen met Ctrl+C){' — alleen lezen' if settings.read_only else ''}")

    # The parent imports the app and renders the start page once; the workers are forked from it.
    from roltrap.web.server import serve as run_server

    run_server(settings, workers=n, ready=ready)
