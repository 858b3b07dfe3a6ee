"""``roltrap fetch``: download a StatLine table (cached on disk) and optionally import it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from roltrap.cli._common import console, err_console, open_roltrap


def fetch(
    ctx: typer.Context,
    table_id: Annotated[str, typer.Argument(help="StatLine-tabel, bijv. 85984NED (Kerncijfers wijken en "
                                                  "buurten 2024).")],
    gemeente: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="Alleen deze gemeente met haar wijken en buurten (CBS-code; standaard ROLTRAP_GEMEENTE, "
             "GM0546).")] = None,
    import_: Annotated[bool, typer.Option("--import/--no-import",
                                          help="Na het ophalen direct importeren.")] = True,
    refresh: Annotated[bool, typer.Option("--refresh", help="Opnieuw ophalen, ook als de tabel al in de "
                                                            "cache staat.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Map voor de cache (standaard in de "  # noqa: UP045
                                                           "roltrap-datamap).")] = None,
) -> None:
    """Haal een tabel op bij CBS (online, met cache) en importeer hem. Zonder netwerk: een duidelijke fout."""
    from roltrap.io.odata import fetch_table
    from roltrap.settings import Settings

    root = ctx.find_root()
    settings = root.obj.get("settings") if isinstance(root.obj, dict) else None
    settings = settings or Settings()
    cache_dir = cache_dir or settings.cache_dir
    gemeente = gemeente or settings.gemeente
    path = fetch_table(table_id, gemeente=gemeente, cache_dir=cache_dir, refresh=refresh)
    err_console.print(f"Opgehaald (cache): {path.name}", highlight=False)
    if not import_:
        console.print(str(path), highlight=False, soft_wrap=True)
        return
    rt = open_roltrap(ctx)
    report = rt.import_file(path, format="odata", progress=True)
    console.print(report.summary())


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("fetch")(fetch)
