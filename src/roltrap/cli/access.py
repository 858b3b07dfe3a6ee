"""``roltrap access …``: walk and bike access per wijk/buurt (thin: calls rt.access, prints)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from roltrap.cli._common import Format, console, emit, err_console, open_roltrap

if TYPE_CHECKING:  # imported where used: `roltrap --help` must not load pandas
    from roltrap.monitor.result import MonitorResult

access_app = typer.Typer(
    help="Nabijheid / 15 minuten: loop- en fietstijd van waar mensen wonen naar stations, haltes, het "
    "centrum en vindplaatsen, per wijk of buurt.",
    invoke_without_command=True,
)

GemeenteOpt = Annotated[
    str | None,
    typer.Option("--gemeente", "-g", help="Gemeentecode (standaard uit ROLTRAP_GEMEENTE, GM0546)."),
]
LevelOpt = Annotated[str, typer.Option("--level", "-n", help="wijk of buurt.")]
ModeOpt = Annotated[
    str | None,
    typer.Option("--mode", "-m", help="lopen of fiets (standaard beide)."),
]
SoortOpt = Annotated[
    str | None,
    typer.Option(
        "--soort", "-s", help="Eén soort, bijv. treinstation, bushalte, centrum, buurthuis (standaard alle)."
    ),
]
YearOpt = Annotated[
    int | None,
    typer.Option("--year", "-j", help="Jaar van de inwonertallen en CBS-afstanden (standaard het nieuwste)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv of json.")]

LABELS = {
    "code": "Code",
    "name": "Gebied",
    "soort_label": "Soort",
    "mode": "Wijze",
    "minutes": "Minuten",
    "share_5": "≤ 5 min (%)",
    "share_10": "≤ 10 min (%)",
    "share_15": "≤ 15 min (%)",
    "meets_15": "15-minutennorm",
    "method": "Bron",
    "reason": "Toelichting",
    "group_label": "Groep",
    "total": "Totaal",
    "beyond_15": "Verder dan 15 min",
    "within_15": "Binnen 15 min",
}
ANSWER_COLS = [
    "code",
    "name",
    "soort_label",
    "mode",
    "minutes",
    "share_5",
    "share_10",
    "share_15",
    "meets_15",
    "method",
    "reason",
]
NEED_COLS = ["code", "name", "soort_label", "mode", "group_label", "total", "beyond_15"]


def register(app: typer.Typer) -> None:
    """Add ``roltrap access`` to the root app."""
    app.add_typer(access_app, name="access")


def _print(result: MonitorResult, fmt: Format, cols: list[str]) -> None:
    if fmt is Format.json:
        emit(result.to_dict(), fmt)
        return
    if fmt is Format.csv:
        emit(result.rows, fmt)
        return
    import pandas as pd

    shown = result.table()
    shown = shown[[c for c in cols if c in shown.columns]].copy()
    for c in ("share_5", "share_10", "share_15"):
        if c in shown.columns:
            shown[c] = shown[c].map(lambda v: round(100 * v) if isinstance(v, float) and v == v else v)
    if "minutes" in shown.columns:
        shown["minutes"] = shown["minutes"].map(lambda v: round(v, 1) if isinstance(v, float) else v)
    if "meets_15" in shown.columns:
        shown["meets_15"] = shown["meets_15"].map({True: "ja", False: "nee"}).fillna("")
    if "reason" in shown.columns and shown["reason"].isna().all():
        shown = shown.drop(columns="reason")
    for c in ("total", "beyond_15"):
        if c in shown.columns:
            shown[c] = shown[c].map(
                lambda v: "onderdrukt" if v is pd.NA or (isinstance(v, float) and v != v) else round(float(v))
            )
    emit(shown, fmt, title=result.title, labels=LABELS)
    console.print(f"[bold]Methode:[/bold] {result.method}", highlight=False)
    for a in result.assumptions:
        console.print(f"[bold]Aanname:[/bold] {a}", highlight=False)
    for n in result.notes:
        console.print(f"[bold]Let op:[/bold] {n}", highlight=False)
    if result.sources:
        console.print(f"[dim]Bronnen: {'; '.join(result.sources)}[/dim]", highlight=False)


@access_app.callback()
def answers(
    ctx: typer.Context,
    gemeente: GemeenteOpt = None,
    level: LevelOpt = "wijk",
    mode: ModeOpt = None,
    soort: SoortOpt = None,
    year: YearOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """Per wijk of buurt, soort en wijze: minuten tot de dichtstbijzijnde plaats en het aandeel bewoners
    binnen 5, 10 en 15 minuten."""
    if ctx.invoked_subcommand is not None:
        return
    rt = open_roltrap(ctx)
    _print(
        rt.access.answers(gemeente=gemeente, level=level, mode=mode, soort=soort, year=year),
        format,
        ANSWER_COLS,
    )


@access_app.command()
def behoefte(
    ctx: typer.Context,
    gemeente: GemeenteOpt = None,
    level: LevelOpt = "wijk",
    mode: Annotated[str, typer.Option("--mode", "-m", help="lopen of fiets.")] = "lopen",
    soort: SoortOpt = None,
    year: YearOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """Huishoudens met een laag inkomen, mensen in de bijstand en laagopgeleiden verder dan 15 minuten
    (kleine aantallen onderdrukt)."""
    rt = open_roltrap(ctx)
    _print(
        rt.access.need(gemeente=gemeente, level=level, mode=mode, soort=soort, year=year), format, NEED_COLS
    )


@access_app.command()
def plaatsen(
    ctx: typer.Context, gemeente: GemeenteOpt = None, soort: SoortOpt = None, format: FormatOpt = Format.table
) -> None:
    """De plaatsen per soort (stations, haltes, centrum, vindplaatsen) met hun afstand tot het netwerk."""
    rt = open_roltrap(ctx)
    df = rt.access.places(gemeente=gemeente, soort=soort)
    cols = ["id", "name", "soort", "year", "stale", "snap_m", "reachable", "lon", "lat"]
    emit(df[cols] if format is Format.table else df, format, title="Plaatsen")


@access_app.command()
def soorten(format: FormatOpt = Format.table) -> None:
    """De vaste lijst van soorten plaatsen (voor de kolom 'soort' van de sjabloon)."""
    import pandas as pd

    from roltrap.access.kinds import KINDS

    emit(pd.DataFrame([{"soort": k.id, "omschrijving": k.label} for k in KINDS]), format, title="Soorten")


@access_app.command()
def sjabloon(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Schrijf naar dit bestand (.csv of .xlsx); standaard CSV op het scherm."
        ),
    ] = None,
) -> None:
    """De sjabloon voor een eigen lijst vindplaatsen (naam, soort, coördinaten in WGS84 of RD)."""
    from roltrap.io.vindplaatsen import template_csv, template_xlsx

    if out is None:
        sys.stdout.write(template_csv().decode("utf-8-sig"))
        return
    data = template_xlsx() if out.suffix.lower() == ".xlsx" else template_csv()
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    console.print(f"Sjabloon geschreven: {out}")


@access_app.command("import")
def import_(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="Vindplaatsen (CSV/Excel/GeoJSON) of OSM-uittreksel (.osm.pbf of Overpass-GeoJSON)."
        ),
    ],
    gemeente: GemeenteOpt = None,
) -> None:
    """Laad vindplaatsen of een straatnetwerk; een mislukte of afgebroken import (Ctrl-C) verandert niets."""
    # Everything is written in one transaction at the end: an interrupt before or during it leaves
    # the store as it was (exit 130).
    try:
        rt = open_roltrap(ctx)
        report = rt.import_file(path, gemeente=gemeente, progress=True)
    except BaseException as exc:
        if not _interrupted(exc):
            raise
        # DuckDB may re-raise the interrupt once its query has stopped: a second Ctrl-C (or that
        # echo) must not cut the clean exit short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        err_console.print("Afgebroken; er is niets geïmporteerd, de opslag is zoals hij was.",
                          highlight=False)
        raise typer.Exit(130) from None
    console.print(report.summary(), highlight=False)


def _interrupted(exc: BaseException) -> bool:
    """Ctrl-C, also when DuckDB turned it into its own error inside a query."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt) or type(seen).__name__ == "InterruptException":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@access_app.command()
def isochroon(
    ctx: typer.Context,
    place: Annotated[str, typer.Argument(help="Id van de plaats (zie `roltrap access plaatsen`).")],
    mode: Annotated[str, typer.Option("--mode", "-m", help="lopen of fiets.")] = "lopen",
    gemeente: GemeenteOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """Straten binnen 5, 10 en 15 minuten van één plaats (GeoJSON met --format json)."""
    rt = open_roltrap(ctx)
    iso = rt.access.isochrone(place=place, mode=mode, gemeente=gemeente)
    if format is Format.json:
        emit(iso, format)
        return
    rows = [
        {"band": f["properties"]["band"], "km straat": f["properties"]["length_km"]}
        for f in iso["bands"]["features"]
    ]
    emit(rows, format, title=f"{iso['place']['name']} — {iso['mode']} ({iso['speed_kmh']:g} km/u)")
    console.print(iso["attribution"], highlight=False)


@access_app.command()
def netwerk(
    ctx: typer.Context,
    gemeente: GemeenteOpt = None,
    pairs: Annotated[int, typer.Option(help="Aantal willekeurige paren knooppunten.")] = 50,
    seed: Annotated[int, typer.Option(help="Startwaarde van de toevalsgenerator.")] = 546,
    format: FormatOpt = Format.table,
) -> None:
    """Controle van het netwerk: omweg (netwerk ÷ hemelsbreed) voor paren > 500 m en de samenhang."""
    rt = open_roltrap(ctx)
    ln = rt.access.network(gemeente)
    ratios = rt.access.detour_check(gemeente=gemeente, pairs=pairs, seed=seed)
    q = ratios["ratio"].quantile([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]).round(3)
    summary = {
        "gemeente": ln.gemeente,
        "knooppunten": ln.net.n_nodes,
        "wegvakken": len(ln.net.u),
        "lengte_km": round(float(ln.net.length.sum()) / 1000, 1),
        "grootste_component_aandeel": round(ln.net.largest_component_share(None), 4),
        "grootste_component_lopen": round(ln.net.largest_component_share("lopen"), 4),
        "grootste_component_fiets": round(ln.net.largest_component_share("fiets"), 4),
        "paren": len(ratios),
        "omweg_min": q.iloc[0],
        "omweg_p10": q.iloc[1],
        "omweg_p25": q.iloc[2],
        "omweg_mediaan": q.iloc[3],
        "omweg_p75": q.iloc[4],
        "omweg_p90": q.iloc[5],
        "omweg_max": q.iloc[6],
        "paren_boven_1_8": int((ratios["ratio"] > 1.8).sum()),
        "toelichting": ln.meta.get("note"),
    }
    if format is Format.json:
        emit({**summary, "pairs": ratios.to_dict("records")}, format)
        return
    emit([{k: v for k, v in summary.items() if k != "toelichting"}], format, title="Netwerkcontrole")
    console.print(str(summary["toelichting"]), highlight=False)
