"""``roltrap fetch``: download from CBS (cached on disk) and import through the normal import path.

``roltrap fetch kwb --gemeente GM0344 [--year 2024]`` and ``roltrap fetch nabijheid …`` find the table
of that year in CBS's catalogue; ``roltrap fetch 85984NED`` fetches one table by its number.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from roltrap.cli._common import console, err_console, open_roltrap


def fetch(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(
        help="kwb (Kerncijfers wijken en buurten), nabijheid (Nabijheid voorzieningen) of een "
             "StatLine-tabelnummer zoals 85984NED.")],
    gemeente: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--gemeente", "-g",
        help="Deze gemeente met haar wijken en buurten (CBS-code; standaard ROLTRAP_GEMEENTE).")] = None,
    year: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--year", help="Jaar van de tabel (kwb, nabijheid); standaard het nieuwste jaar in de "
                       "CBS-catalogus.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Ophalen en laten zien wat de import zou doen, zonder iets op te slaan.")] = False,
    import_: Annotated[bool, typer.Option("--import/--no-import",
                                          help="Na het ophalen direct importeren.")] = True,
    refresh: Annotated[bool, typer.Option("--refresh", help="Opnieuw ophalen, ook wat al in de "
                                                            "cache staat.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(help="Map voor de cache (standaard in de "  # noqa: UP045
                                                           "roltrap-datamap).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Toon alle overgeslagen kolommen.")
                       ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Het importrapport als JSON.")] = False,
) -> None:
    """Haal cijfers op bij CBS (online, met cache) en importeer ze. Zonder netwerk: een duidelijke fout."""
    from roltrap.cli.cohort import interruptible
    from roltrap.io.importer import ImportReport
    from roltrap.io.odata import SERIES, fetch_series, fetch_table
    from roltrap.jsonable import jsonable
    from roltrap.settings import Settings

    root = ctx.find_root()
    settings = root.obj.get("settings") if isinstance(root.obj, dict) else None
    settings = settings or Settings()
    cache = cache_dir or settings.cache_dir
    gm = gemeente or settings.gemeente
    key = what.strip().lower()
    with interruptible("er is niets opgeslagen"), _import_by_hand_as_command():
        if key in SERIES:
            got = fetch_series(key, gemeente=gm, year=year, cache_dir=cache, refresh=refresh,
                               base_url=settings.cbs_odata_url, progress=not as_json)
            path = got.path
            how = "uit de cache" if got.requests == 0 else f"{got.requests} verzoek(en) aan CBS"
            err_console.print(f"Opgehaald: {got.table.identifier} {got.table.title}, {got.gemeente} met "
                              f"wijken en buurten ({how}).", highlight=False)
        else:
            if year is not None:
                err_console.print("[yellow]Let op[/yellow]: --year geldt alleen voor kwb en nabijheid; "
                                  "een tabelnummer hoort bij één jaar.", highlight=False)
            path = fetch_table(what, gemeente=gm, cache_dir=cache, refresh=refresh,
                               base_url=settings.cbs_odata_url)
            err_console.print(f"Opgehaald (cache): {path.name}", highlight=False)
        if not import_:
            console.print(str(path), highlight=False, soft_wrap=True)
            return
        rt = open_roltrap(ctx)
        report = rt.import_file(path, format="odata", progress=not as_json, dry_run=dry_run)
    if as_json and isinstance(report, ImportReport):
        console.print_json(json.dumps(jsonable(report.as_dict()), ensure_ascii=False))
    elif isinstance(report, ImportReport):
        console.print(report.summary(verbose=verbose))
    else:
        console.print(report.summary())


@contextlib.contextmanager
def _import_by_hand_as_command() -> Iterator[None]:
    """The core's hint for fetching by hand ends "import the file" (the web shows it too); here it
    names the command that does that."""
    from roltrap.errors import RoltrapError
    from roltrap.io.odata import IMPORT_BY_HAND

    try:
        yield
    except RoltrapError as exc:
        if exc.hint_template and exc.hint_template.endswith(IMPORT_BY_HAND):
            exc.hint_template = (exc.hint_template.removesuffix(IMPORT_BY_HAND)
                                 + "laad het bestand met `roltrap import BESTAND`.")
        raise


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("fetch")(fetch)
