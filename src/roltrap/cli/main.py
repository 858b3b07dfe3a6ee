"""``roltrap``: the command line. Thin: every command calls the core object and prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from roltrap.cli import access as access_cli
from roltrap.cli import cohort as cohort_cli
from roltrap.cli import fetch as fetch_cli
from roltrap.cli import monitor as monitor_cli
from roltrap.cli import triage as triage_cli
from roltrap.cli import web as web_cli
from roltrap.cli._common import ErrorHandlingGroup, Format, console, emit, open_roltrap
from roltrap.settings import Settings

app = typer.Typer(
    cls=ErrorHandlingGroup,
    help="roltrap: wijkmonitor, roltrapanalyse en coachhulp naar de syllabus van BuZz Leiden.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Path | None, typer.Option(
        "--db", help="DuckDB-bestand met de gegevens (of env ROLTRAP_DB).")] = None,
) -> None:
    settings = Settings() if db is None else Settings(db=db)
    ctx.obj = {"db": settings.db_path, "settings": settings}


@app.command()
def regions(
    ctx: typer.Context,
    gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente en haar wijken.")] = None,
    level: Annotated[str | None, typer.Option(help="gemeente, wijk of buurt.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Regio's met code, naam, niveau, bovenliggende regio en de jaren met cijfers."""
    rt = open_roltrap(ctx)
    df = rt.regions(gemeente=gemeente, level=level)
    emit(df, format, title="Regio's")


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Regiocode (GM0546, WK054608) of exacte naam.")],
    year: Annotated[int | None, typer.Option(help="Jaar; standaard het jaar met de meeste cijfers.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Alle indicatoren van één regio en jaar, met eenheid, omschrijving en bron."""
    rt = open_roltrap(ctx)
    result = rt.show(code, year=year)
    if format is Format.json:
        emit(result, format)
        return
    rows = [{"indicator": k, "label": v["label"], "value": v["value"], "unit": v["unit"],
             "year": result["year"], "source": v["source"]} for k, v in result["indicators"].items()]
    import pandas as pd

    emit(pd.DataFrame(rows), format, title=f"{result['name']} ({result['code']}), {result['year']}")


# Kept here (not imported from roltrap.io.importer) so `roltrap --help` stays fast; a test checks both agree.
IMPORT_FORMATS = ("kwb", "statline", "odata", "odata-csv", "cbs37230", "bevolking", "woningen", "boundaries",
                  "wbk", "elan")


@app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Bestand (KWB csv/xlsx, StatLine-CSV, OData-JSON, "
                                               "grenzen, …).")],
    format: Annotated[str, typer.Option(
        "--format", help=f"auto, of een van: {', '.join(IMPORT_FORMATS)}.")] = "auto",
    gemeente: Annotated[str | None, typer.Option(
        "--gemeente", help="Bij een OSM-uittreksel (.osm.pbf): de gemeente waarop het netwerk wordt "
                           "geknipt.")] = None,
) -> None:
    """Laad een bestand: herkennen, controleren, rapporteren. Een mislukte import verandert niets."""
    rt = open_roltrap(ctx)
    report = rt.import_file(path, format=format, progress=True, gemeente=gemeente)
    console.print(report.summary())


@app.command()
def sources(
    ctx: typer.Context,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Alle geladen bronnen met herkomst en licentie."""
    rt = open_roltrap(ctx)
    df = rt.sources()
    cols = ["id", "title", "publisher", "licence", "attribution", "estimate", "rows_loaded", "imported_at"]
    emit(df[cols] if format is Format.table else df, format, title="Bronnen")


@app.command()
def indicators(
    ctx: typer.Context,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """De indicatorcatalogus: id, omschrijving, eenheid, soort en hoe hij optelt."""
    rt = open_roltrap(ctx)
    emit(rt.catalogue(), format, title="Indicatoren")


for _module in (fetch_cli, monitor_cli, triage_cli, cohort_cli, web_cli, access_cli):
    _module.register(app)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
