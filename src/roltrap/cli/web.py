"""``roltrap serve`` (the web app) and ``roltrap report`` (printable wijkprofielen)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from roltrap.cli._common import console, open_roltrap, progress_bar
from roltrap.errors import ConfigError


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command()(serve)
    app.command()(report)


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
    import os

    import uvicorn

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
    Roltrap(settings.db_path, settings=settings, hold=False).close()
    shown_host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
    console.print(f"roltrap draait op [bold]http://{shown_host}:{settings.port}/[/bold] "
                  f"(stoppen met Ctrl+C){' — alleen lezen' if settings.read_only else ''}")
    # Workers are separate processes: they read their settings from the environment.
    os.environ.update({"ROLTRAP_DB": str(settings.db_path), "ROLTRAP_DATA_DIR": str(settings.data_dir),
                       "ROLTRAP_READ_ONLY": "true", "ROLTRAP_GEMEENTE": settings.gemeente,
                       "ROLTRAP_MIN_CELL": str(settings.min_cell)})
    # uvicorn's own access log would print query strings; ours logs paths only.
    uvicorn.run("roltrap.web.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=n, access_log=False, log_level="warning")


def report(
    ctx: typer.Context,
    wijk: Annotated[Optional[str], typer.Option(help="One district, e.g. WK054608.")] = None,  # noqa: UP045
    gemeente: Annotated[Optional[str], typer.Option(help="Every district of a municipality, "  # noqa: UP045
                                                         "e.g. GM0546.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="PDF file for --wijk (an .html is written "  # noqa: UP045
                                                     "beside it).")] = None,
    out_dir: Annotated[Optional[Path], typer.Option(help="Folder for --gemeente.")] = None,  # noqa: UP045
    year: Annotated[Optional[int], typer.Option(help="Year; default the most complete year.")] = None,  # noqa: UP045
) -> None:
    """Maak afdrukbare wijkprofielen (PDF + HTML): kaart, grafieken, tabellen, bronnen en datum."""

    from roltrap.report.render import slug, write_batch, write_profile

    if (wijk is None) == (gemeente is None):
        raise ConfigError("Give either --wijk or --gemeente.",
                          hint="roltrap report --wijk WK054608 --out merenwijk.pdf, or "
                               "roltrap report --gemeente GM0546 --out-dir profielen/")
    rt = open_roltrap(ctx)
    if wijk is not None:
        reg = rt.region(wijk)
        target = out or Path(f"{reg['code']}-{slug(str(reg['name']))}.pdf")
        if target.suffix.lower() != ".pdf":
            raise ConfigError(f"--out must end in .pdf, not '{target.name}'.",
                              hint="For example --out merenwijk.pdf.")
        with console.status(f"Wijkprofiel {reg['name']} maken…"):
            written = write_profile(rt, reg["code"], target, year=year)
    else:
        assert gemeente is not None
        gm = rt.region(gemeente)
        folder = out_dir or Path(f"wijkprofielen-{gm['code']}")
        n = len(rt.children(gm["code"], level="wijk"))
        with progress_bar() as progress:
            task = progress.add_task("Wijkprofielen", total=n)

            def step(name: str) -> None:
                progress.update(task, description=f"Wijkprofiel {name}")

            written = []
            for path in write_batch(rt, gm["code"], folder, year=year, on_step=step):
                written.append(path)
                if path.suffix == ".pdf":
                    progress.advance(task)
    for path in written:
        console.print(f"geschreven: {path}")
