"""``roltrap monitor …``: the district monitor on the command line (thin: calls rt.monitor, prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from roltrap.cli._common import Format, console, emit, open_roltrap
from roltrap.monitor.labels import PERSON_COLUMNS, table_labels

if TYPE_CHECKING:  # imported with the results: `roltrap --help` must not load pandas
    from roltrap.monitor.result import MonitorResult

monitor_app = typer.Typer(help="Wijkmonitor: vervangingssnelheid, aankomst/bestemming, kwetsbare groepen, "
                               "rangorde, vergelijking, trends, roltrapvoorwaarden en kaartklassen.",
                          no_args_is_help=True)

GemeenteOpt = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--gemeente", "-g", help="Gemeentecode of -naam (standaard uit ROLTRAP_GEMEENTE, GM0546); NL = alle "
                             "gemeenten.")]
YearOpt = Annotated[Optional[int], typer.Option("--year", "-j", help="Jaar; standaard het laatste jaar "  # noqa: UP045
                                                                     "met de benodigde cijfers.")]
LevelOpt = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--level", "-n", help="wijk (standaard) of buurt.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv of json.")]
WijkOpt = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--wijk", "-w", help="De buurten van deze wijk, met de wijk en de gemeente ter vergelijking (bijv. "
                         "WK054608); met --level wijk alleen de wijk.")]

# Columns shown in the terminal table per kind (csv/json get everything).
TABLE_COLUMNS: dict[str, list[str]] = {
    "turnover": ["code", "name", "period", "inwoners", "vestigers_per_jaar", "vervangingssnelheid",
                 "nieuwkomers_pct", "estimate", "reason"],
    "classify": ["code", "name", "class", "score", "vervangingssnelheid", "syllabus",
                 "belangrijkste_kenmerken", "reason"],
    "vulnerable": ["code", "name", "inwoners", "opleiding", "voorzieningen_min", "voorzieningen_max",
                   "inkomen_110", "inkomen_120", "bereik_min", "centraal", "bereik_max",
                   "pct_centraal", "reason"],
    "rank": ["rank", "code", "name", "score", "inkomen", "z_inkomen", "minima", "z_minima", "bijstand",
             "z_bijstand", "laagopgeleid", "z_laagopgeleid"],
    "compare": ["code", "name", "vergelijking", "inwoners", "p_hh_110", "syllabus_p_hh_110", "p_hh_120",
                "syllabus_p_hh_120", "pct_voorzieningen_min", "pct_voorzieningen_max",
                "syllabus_voorzieningen_pct",
                "vervangingssnelheid", "syllabus_vervangingssnelheid", "afstand"],
    "trend": ["year", "value", "estimate", "bron"],
    "project": ["year", "kind", "value", "ondergrens", "bovengrens"],
    "conditions": ["code", "name", "bedrijven_per_1000", "mix_eigendom", "mix_woningtype", "g_afs_hp",
                   "g_afs_gs", "g_afs_sc", "p_ink_hi", "p_ink_li", "rolmodel_ratio"],
    "map": ["code", "name", "value", "class", "derived_from", "reason"],
}


def show(result: MonitorResult, fmt: Format) -> None:
    """Print a result: table + method/assumptions/notes, or the full result as CSV/JSON."""
    if fmt is Format.json:
        emit(result.to_dict(), fmt)
        return
    if fmt in (Format.csv, Format.xlsx):  # files: every column (CSV keeps ids, Excel gets labels)
        full = result.table().drop(columns=["evidence"], errors="ignore")
        emit(full, fmt, title=result.title, sheet=result.kind, sources=result.sources,
             labels=table_labels(list(full.columns), kind=result.kind))
        return
    table = result.table()
    cols = [c for c in TABLE_COLUMNS.get(result.kind, list(table.columns)) if c in table.columns]
    if "reason" in cols and table["reason"].isna().all():
        cols.remove("reason")
    shown = table[cols].copy()
    for col in [c for c in cols if c in PERSON_COLUMNS]:  # persons: whole numbers on screen
        shown[col] = shown[col].map(lambda v: float(round(v)) if isinstance(v, float) and v == v else v)
    if "estimate" in shown.columns:
        shown["estimate"] = shown["estimate"].map({True: "schatting", False: ""})
    emit(shown, fmt, title=result.title, labels=table_labels(cols, kind=result.kind))
    console.print(f"[bold]Methode:[/bold] {result.method}", highlight=False)
    for a in result.assumptions:
        console.print(f"[bold]Aanname:[/bold] {a}", highlight=False)
    for n in result.notes:
        console.print(f"[bold]Let op:[/bold] {n}", highlight=False)
    if result.kind == "map":
        for e in result.extra.get("legend", []):
            noun = result.extra.get("noun", "wijken")
            console.print(f"  [on {e['colour']}]    [/] {e['label']} ({e['count']} {noun})", highlight=False)
        missing = result.extra.get("missing") or {}
        if missing.get("count"):
            console.print(f"  [on {missing['colour']}]    [/] {missing['label']} ({missing['count']})",
                          highlight=False)
    if result.sources:
        console.print(f"[dim]Bronnen: {'; '.join(result.sources)}[/dim]", highlight=False)


@monitor_app.command()
def turnover(ctx: typer.Context, gemeente: GemeenteOpt = None,
             period: Annotated[Optional[str], typer.Option("--period", "-p", help="Jaren, bijv. 2015-2016.")  # noqa: UP045
                               ] = None,
             method: Annotated[str, typer.Option(help="Wijkschatting: scaled (telt op tot de gemeente) of "
                                                      "direct (alle verhuizingen).")] = "scaled",
             annualise: Annotated[bool, typer.Option("--annualise/--exclude-partial",
                                                     help="Onvolledige jaren ophogen of weglaten.")] = False,
             wijk: WijkOpt = None, level: LevelOpt = None, format: FormatOpt = Format.table) -> None:
    """Vervangingssnelheid (jaren) en aandeel nieuwkomers van gemeente en wijken of buurten."""
    rt = open_roltrap(ctx)
    show(rt.monitor.turnover(gemeente=gemeente, period=period, method=method, level=level,
                             partial="annualise" if annualise else "exclude", wijk=wijk), format)


@monitor_app.command()
def classify(ctx: typer.Context, gemeente: GemeenteOpt = None, year: YearOpt = None,
             period: Annotated[Optional[str], typer.Option("--period", "-p")] = None,  # noqa: UP045
             wijk: WijkOpt = None, level: LevelOpt = None, format: FormatOpt = Format.table) -> None:
    """Wijken (of buurten) van aankomst, van bestemming of gemengd, met de onderbouwing."""
    rt = open_roltrap(ctx)
    show(rt.monitor.classify(gemeente=gemeente, year=year, period=period, wijk=wijk, level=level), format)


@monitor_app.command()
def vulnerable(ctx: typer.Context, gemeente: GemeenteOpt = None, year: YearOpt = None,
               persons_per_household: Annotated[Optional[float], typer.Option(  # noqa: UP045
                   "--personen-per-huishouden", help="Personen per lage-inkomenshuishouden (standaard "
                                                      "g_hhgro).")] = None,
               wijk: WijkOpt = None, level: LevelOpt = None, format: FormatOpt = Format.table) -> None:
    """Kwetsbare bevolking door drie lenzen, met een bereik en een centrale waarde."""
    rt = open_roltrap(ctx)
    show(rt.monitor.vulnerable(gemeente=gemeente, year=year, persons_per_household=persons_per_household,
                               wijk=wijk, level=level), format)


@monitor_app.command()
def rank(ctx: typer.Context, gemeente: GemeenteOpt = None, year: YearOpt = None, wijk: WijkOpt = None,
         level: LevelOpt = None, format: FormatOpt = Format.table) -> None:
    """Rangorde van de wijken of buurten op inkomen, minima, bijstand en opleiding (1 = zwakste positie)."""
    rt = open_roltrap(ctx)
    show(rt.monitor.rank(gemeente=gemeente, year=year, wijk=wijk, level=level), format)


@monitor_app.command()
def compare(ctx: typer.Context, gemeente: GemeenteOpt = None, year: YearOpt = None,
            peer: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
                "--peer", help="Vergelijkingsgemeente (herhaalbaar); standaard de syllabusset.")] = None,
            auto: Annotated[int, typer.Option(help="Voeg de N meest gelijkende gemeenten toe.")] = 0,
            period: Annotated[Optional[str], typer.Option(  # noqa: UP045
                "--period", "-p", help="Jaren voor de vervangingssnelheid (standaard de laatste twee "
                                       "volledige jaren).")] = None,
            level: Annotated[Optional[str], typer.Option(  # noqa: UP045
                "--level", "-n", help="gemeente (standaard), wijk of buurt.")] = None,
            wijk: WijkOpt = None, format: FormatOpt = Format.table) -> None:
    """De gemeente naast vergelijkbare gemeenten (syllabusset en/of automatisch gevonden), of haar wijken
    of buurten naast elkaar."""
    rt = open_roltrap(ctx)
    show(rt.monitor.compare(gemeente=gemeente, peers=peer, auto=auto, year=year, period=period, level=level,
                            wijk=wijk), format)


@monitor_app.command()
def trend(ctx: typer.Context,
          indicator: Annotated[str, typer.Option("--indicator", "-i",
                                                 help="Indicator-id of p_internationaal.")],
          wijk: Annotated[Optional[str], typer.Option(  # noqa: UP045
              "--wijk", "-w", "--buurt", "-b", help="Wijk- of buurtcode i.p.v. gemeente.")] = None,
          gemeente: GemeenteOpt = None, format: FormatOpt = Format.table) -> None:
    """Een indicator door de jaren (gemeente, wijk of buurt), met de lineaire trend."""
    rt = open_roltrap(ctx)
    show(rt.monitor.trend(code=wijk or gemeente or rt.settings.gemeente, indicator=indicator), format)


@monitor_app.command()
def project(ctx: typer.Context,
            indicator: Annotated[str, typer.Option("--indicator", "-i")] = "p_internationaal",
            target: Annotated[Optional[float], typer.Option(help="Doelwaarde, bijv. 40.")] = None,  # noqa: UP045
            wijk: Annotated[Optional[str], typer.Option(  # noqa: UP045
                "--wijk", "-w", "--buurt", "-b", help="Wijk- of buurtcode i.p.v. gemeente.")] = None,
            gemeente: GemeenteOpt = None,
            from_year: Annotated[Optional[int], typer.Option("--from-year", help="Trend vanaf dit jaar.")  # noqa: UP045
                                 ] = None,
            format: FormatOpt = Format.table) -> None:
    """Projectie van een aandeel met voorspelinterval, en wanneer een doel bereikt wordt."""
    rt = open_roltrap(ctx)
    show(rt.monitor.project(code=wijk or gemeente or rt.settings.gemeente, indicator=indicator, target=target,
                            from_year=from_year), format)


@monitor_app.command()
def conditions(ctx: typer.Context, gemeente: GemeenteOpt = None, year: YearOpt = None,
               wijk: WijkOpt = None, level: LevelOpt = None, format: FormatOpt = Format.table) -> None:
    """Voorwaarden voor een roltrapwijk: ondernemerschap, wooncarrière, voorzieningen, rolmodellen."""
    rt = open_roltrap(ctx)
    show(rt.monitor.conditions(gemeente=gemeente, year=year, wijk=wijk, level=level), format)


@monitor_app.command("map")
def map_(ctx: typer.Context, indicator: Annotated[str, typer.Option("--indicator", "-i")],
         gemeente: GemeenteOpt = None, year: YearOpt = None, wijk: WijkOpt = None, level: LevelOpt = None,
         scheme: Annotated[str, typer.Option(
             help="auto (percentages: 5 klassen van de syllabus, anders kwantielen), syllabus, quantile of "
                  "natural (natuurlijke grenzen).")] = "auto",
         classes: Annotated[int, typer.Option("--classes", "-k", help="Aantal klassen (2–5).")] = 5,
         format: FormatOpt = Format.table) -> None:
    """Kaartklassen van een indicator per wijk of buurt, met legenda."""
    rt = open_roltrap(ctx)
    show(rt.monitor.map_classes(gemeente=gemeente, indicator=indicator, year=year, scheme=scheme, wijk=wijk,
                                level=level, k=classes), format)


def register(app: typer.Typer) -> None:
    """Add ``roltrap monitor …`` to the root app."""
    app.add_typer(monitor_app, name="monitor")
