"""``roltrap``: the command line. Thin: every command calls the core object and prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from roltrap.cli import access as access_cli
from roltrap.cli import cohort as cohort_cli
from roltrap.cli import fetch as fetch_cli
from roltrap.cli import imports as imports_cli
from roltrap.cli import monitor as monitor_cli
from roltrap.cli import report as report_cli
from roltrap.cli import triage as triage_cli
from roltrap.cli import web as web_cli
from roltrap.cli._common import (
    ErrorHandlingGroup,
    Format,
    FormatOpt,
    OutOpt,
    emit,
    open_roltrap,
    settings_from_env,
)

# Dutch headers of the core tables on screen and in Excel (CSV and JSON keep the ids).
REGION_LABELS = {"code": "Code", "name": "Naam", "level": "Niveau", "parent": "Ligt in",
                 "boundary_year": "Grenzen van", "years": "Jaren met cijfers"}
SHOW_LABELS = {"indicator": "Indicator", "label": "Omschrijving", "value": "Waarde", "unit": "Eenheid",
               "year": "Jaar", "source": "Bron"}
SOURCE_LABELS = {"id": "Bron-id", "title": "Titel", "publisher": "Uitgever", "licence": "Licentie",
                 "attribution": "Naamsvermelding", "provenance": "Herkomst", "file": "Bestand",
                 "estimate": "Schatting", "rows_loaded": "Rijen geladen", "imported_at": "Geladen op"}
INDICATOR_LABELS = {"id": "Indicator", "label": "Omschrijving", "unit": "Eenheid", "kind": "Soort",
                    "aggregation": "Optellen", "weight": "Gewogen met", "decimals": "Decimalen",
                    "theme": "Thema", "description": "Toelichting"}

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
    settings = settings_from_env() if db is None else settings_from_env(db=db)
    ctx.obj = {"db": settings.db_path, "settings": settings}


@app.command()
def regions(
    ctx: typer.Context,
    gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente en haar wijken.")] = None,
    level: Annotated[str | None, typer.Option(help="gemeente, wijk of buurt.")] = None,
    format: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Regio's met code, naam, niveau, bovenliggende regio en de jaren met cijfers."""
    rt = open_roltrap(ctx)
    df = rt.regions(gemeente=gemeente, level=level)
    if format is Format.table:
        df = df.assign(boundary_year=df["boundary_year"].astype("Int64").astype(str).replace("<NA>", ""),
                       years=df["years"].map(_year_span))
    emit(df, format, title="Regio's", labels=REGION_LABELS, out=out, decimals={"boundary_year": 0})


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Regiocode (GM0546, WK054608) of exacte naam.")],
    year: Annotated[int | None, typer.Option(help="Jaar; standaard het jaar met de meeste cijfers.")] = None,
    format: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Alle indicatoren van één regio en jaar, met eenheid, omschrijving en bron."""
    rt = open_roltrap(ctx)
    result = rt.show(code, year=year)
    if format is Format.json:
        emit(result, format, out=out)
        return
    rows = [{"indicator": k, "label": v["label"], "value": v["value"], "unit": v["unit"],
             "year": result["year"], "source": v["source"]} for k, v in result["indicators"].items()]
    # Each value with the decimals of its indicator, on screen and in CSV/Excel alike.
    per_row = [v["decimals"] for v in result["indicators"].values()]
    emit(rows, format, title=f"{result['name']} ({result['code']}), {result['year']}", labels=SHOW_LABELS,
         out=out, decimals={"year": 0, "value": per_row}, columns=list(SHOW_LABELS),
         sources=sorted({str(r["source"]) for r in rows if r["source"] is not None}))


# Kept here (not imported from roltrap.io.importer) so `roltrap --help` stays fast; a test checks both agree.
IMPORT_FORMATS = ("kwb", "statline", "odata", "odata-csv", "cbs37230", "bevolking", "woningen", "boundaries",
                  "wbk", "elan")


@app.command()
def sources(
    ctx: typer.Context,
    format: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Alle geladen bronnen met herkomst en licentie."""
    rt = open_roltrap(ctx)
    df = rt.sources()
    cols = ["id", "title", "publisher", "licence", "attribution", "estimate", "rows_loaded", "imported_at"]
    if format is Format.table:
        df = df[cols].assign(imported_at=df["imported_at"].map(_when))
    emit(df, format, title="Bronnen", labels=SOURCE_LABELS, out=out)


@app.command()
def indicators(
    ctx: typer.Context,
    format: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """De indicatorcatalogus: id, omschrijving, eenheid, soort en hoe hij optelt."""
    rt = open_roltrap(ctx)
    emit(rt.catalogue(), format, title="Indicatoren", labels=INDICATOR_LABELS, out=out,
         decimals={"decimals": 0})


def _year_span(years: object) -> str:
    """[2012, 2013, 2014, 2016] → '2012–2014, 2016' (a terminal cell, not a list of 15 years)."""
    from roltrap.jsonable import jsonable

    ys = sorted(int(y) for y in (jsonable(years) or []))
    parts: list[str] = []
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    return ", ".join(parts)


def _when(stamp: object) -> str:
    """A load time as people read it: 1-12-2026 08:47."""
    import pandas as pd

    ts = pd.Timestamp(stamp) if stamp is not None else pd.NaT
    return "" if pd.isna(ts) else f"{ts.day}-{ts.month}-{ts.year} {ts:%H:%M}"


for _module in (imports_cli, fetch_cli, monitor_cli, triage_cli, cohort_cli, web_cli, access_cli, report_cli):
    _module.register(app)


def run() -> None:
    try:
        app()
    except KeyboardInterrupt:
        # A command that handled Ctrl-C itself can still meet a late one while it exits (DuckDB
        # may raise the interrupt again after its query stopped): the exit code stays 130.
        raise SystemExit(130) from None


if __name__ == "__main__":
    run()
