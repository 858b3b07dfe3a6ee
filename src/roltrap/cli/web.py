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
