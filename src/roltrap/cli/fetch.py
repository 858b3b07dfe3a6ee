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
    gemeente: Annotated[Optional[str], typer.Option(help="Alleen deze gemeente met haar wijken en buurten "  # noqa: UP045
                                                         "(CBS-code, bijv. GM0546).")] = "GM0546",
    import_: Annotated[bool, typer.Option("--import/--no-import",
                                          help="Na het ophalen direct importeren.")] = True,
    refresh: Annotated[bool, typer.Option("--refresh", help="Opnieuw ophalen, ook als de tabel al in de "
                                                            "cache staat.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Map voor de cache (standaard in de "  # noqa: UP045
                                                           "roltrap-datamap).")] = None,
) -> None:
    """Haal een tabel op bij CBS (online, met cache) en importeer hem. Zonder netwerk: een duidelijke fout."""
    from roltrap.io.odata import fetch_table

    root = ctx.find_root()
    settings = root.obj["settings"] if isinstance(root.obj, dict) and "settings" in root.obj else None
    if cache_dir is None:
        from roltrap.settings import Settings

        cache_dir = (settings or Settings()).cache_dir
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
