"""``roltrap import``: load one file, report what was added, changed and left alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from roltrap.cli._common import console, err_console, open_roltrap

# Kept in cli.main too (without importing roltrap.io) so `roltrap --help` stays fast; a test checks
# that both agree with roltrap.io.importer.FORMATS.
EXIT_INTERRUPTED = 130
IMPORT_FORMATS = ("kwb", "statline", "odata", "odata-csv", "cbs37230", "bevolking", "woningen", "boundaries",
                  "wbk", "elan")


def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Bestand (KWB csv/xlsx, StatLine-CSV, OData-JSON, "
                                               "grenzen, …).")],
    format: Annotated[str, typer.Option(
        "--format", help=f"auto, of een van: {', '.join(IMPORT_FORMATS)}.")] = "auto",
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Laat zien wat de import zou toevoegen en wijzigen, zonder iets op te slaan.")
    ] = False,
    year: Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--year", min=1900, max=2100,
        help="Het jaar van de cijfers, voor een bestand waarvan naam en kolommen geen jaar noemen.")] = None,
    new_region: Annotated[bool, typer.Option(
        "--new-region", help="Sta gemeenten toe die nog niet in de opslag staan (bijv. na een "
                             "herindeling).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Toon alle overgeslagen kolommen en rijen.")
                       ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Het importrapport als JSON (vaste sleutels).")
                       ] = False,
    gemeente: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--gemeente", help="Bij een OSM-uittreksel (.osm.pbf): de gemeente waarop het netwerk wordt "
                           "geknipt.")] = None,
) -> None:
    """Laad een bestand: herkennen, controleren, rapporteren. Een mislukte import verandert niets."""
    rt = open_roltrap(ctx)
    from roltrap.io.importer import ImportReport

    try:
        report = rt.import_file(path, format=format, progress=not as_json, dry_run=dry_run, year=year,
                                new_region=new_region, gemeente=gemeente)
    except BaseException as exc:
        # Ctrl-C in Python code or inside a DuckDB query: the import's transaction has rolled back,
        # so the store is as it was.
        if _interrupted(exc):
            err_console.print("Onderbroken: er is niets opgeslagen, de opslag is zoals hij was.",
                              highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        raise
    if not isinstance(report, ImportReport):  # an OSM extract or vindplaatsen list (rt.access)
        console.print(report.summary())
        return
    if as_json:
        from roltrap.jsonable import jsonable

        console.print_json(json.dumps(jsonable(report.as_dict()), ensure_ascii=False))
        return
    console.print(report.summary(verbose=verbose))


def _interrupted(exc: BaseException) -> bool:
    """Ctrl-C, also when DuckDB turned it into its own error ("Query interrupted", caused by a
    KeyboardInterrupt) inside a query."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt) or type(seen).__name__ == "InterruptException":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("import")(import_)
