"""CLI commands for cohort (registered on the root app by `register`): synthetic data and the escalator."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from roltrap import fmt as nl
from roltrap.cli._common import Format, console, emit, err_console, open_roltrap, progress_bar, to_json
from roltrap.cohort.labels import SHARE_AS_PERCENT, table_labels
from roltrap.cohort.microdata.paths import option as path_option
from roltrap.errors import ConfigError

if TYPE_CHECKING:  # imported where used: `roltrap --help` must not load pandas
    import pandas as pd

cohort_app = typer.Typer(
    help="Roltrap gemeten: cohorten op persoonsjaren (DuckDB of Spark).", no_args_is_help=True
)


def _range(text: str, what: str) -> tuple[int, int]:
    try:
        lo, _, hi = text.partition("-")
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise ConfigError(
            f"{what} '{text}' is geen bereik.", hint="Schrijf bijv. 2005-2022 of 25-44."
        ) from None
    if a > b:
        raise ConfigError(f"{what} '{text}': het begin ligt na het einde.", hint="Bijv. 2005-2022.")
    return a, b


@contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Ctrl-C (or a kill with SIGTERM) ends the command promptly with exit code 130 (143 for
    SIGTERM) and a Dutch line; the work in progress cleans up after itself on the way out
    (temporary folders, DuckDB queries are interrupted)."""

    def on_term(signum: int, frame: object) -> None:
        raise _Terminated

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if main else None
    try:
        yield
    except (KeyboardInterrupt, _Terminated) as exc:
        err_console.print(f"[yellow]Afgebroken[/yellow]; {what}.")
        raise typer.Exit(143 if isinstance(exc, _Terminated) else 130) from None
    except RuntimeError as exc:  # DuckDB reports a Ctrl-C inside a query as "Query interrupted"
        if "interrupted" not in str(exc).lower():
            raise
        err_console.print(f"[yellow]Afgebroken[/yellow]; {what}.")
        raise typer.Exit(130) from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(BaseException):
    """SIGTERM as an exception, so ``finally`` and cleanup handlers run."""


@cohort_app.command("synth")
def synth(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Nieuwe map voor de synthetische persoonsjaren.",
                                               parser=path_option)],
    gemeente: Annotated[str, typer.Option(help="Gemeente (CBS-code).")] = "GM0546",
    years: Annotated[str, typer.Option(help="Jaren, bijv. 2005-2022.")] = "2005-2022",
    scale: Annotated[float, typer.Option(help="1.0 = zo groot als de gemeente; 140 ≈ heel Nederland.")] = 1.0,
    seed: Annotated[
        int, typer.Option(help="Startwaarde van de toevalsgenerator (zelfde seed, zelfde data).")
    ] = 42,
    escalator: Annotated[
        float,
        typer.Option(
            help="Sterkte van het roltrapeffect: extra percentielwinst "
            "(× 10 punten) van vertrekkers uit lage-inkomenswijken."
        ),
    ] = 0.5,
    overwrite: Annotated[bool, typer.Option(help="Een bestaande map vervangen.")] = False,
    layout: Annotated[
        str,
        typer.Option(help="persoonsjaren (standaard) of cbs: dezelfde bevolking als CBS-microdatabestanden "
                     "(GBAADRESOBJECTBUS, VSLGWBTAB, …) voor 'cohort prepare'."),
    ] = "persoonsjaren",
    file_format: Annotated[
        str, typer.Option("--file-format", help="Bij --layout cbs: sav (zoals CBS levert), csv of parquet.")
    ] = "sav",
) -> None:
    """Maak een synthetische bevolking (geen echte personen) die de wijkcijfers volgt."""
    rt = open_roltrap(ctx)
    y = _range(years, "Jaren")
    if layout not in ("persoonsjaren", "cbs"):
        raise ConfigError(
            f"Onbekende --layout '{layout}'.", hint="Kies --layout persoonsjaren of --layout cbs."
        )
    if layout == "cbs":
        from roltrap.cli import cohort_microdata

        cohort_microdata.synth_cbs(rt, out, gemeente=gemeente, years=y, scale=scale, seed=seed,
                                   escalator=escalator, overwrite=overwrite, file_format=file_format)
        return
    with interruptible("de map wordt niet aangemaakt"), progress_bar() as bar:
        task = bar.add_task("Synthetische jaren", total=y[1] - y[0] + 1)
        rep = rt.cohort.synth(
            out,
            gemeente=gemeente,
            years=y,
            scale=scale,
            seed=seed,
            escalator=escalator,
            overwrite=overwrite,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    console.print(
        f"[green]Klaar:[/green] {nl.count(rep.rows, 'persoonsjaar', 'persoonsjaren')} van "
        f"{nl.count(rep.persons, 'synthetische persoon', 'synthetische personen')} "
        f"in {rep.files} bestanden → {rep.out} (gemarkeerd als SYNTHETISCH)."
    )


@cohort_app.command("analyse")
def analyse(
    ctx: typer.Context,
    input: Annotated[Path, typer.Option("--input", help="Parquet/CSV-bestand of map met persoonsjaren.",
                                                 parser=path_option)],
    gemeente: Annotated[str, typer.Option(help="Gemeente (CBS-code).")] = "GM0546",
    base_year: Annotated[int, typer.Option("--base-year", help="Basisjaar van het cohort.")] = 2005,
    age: Annotated[str, typer.Option(help="Leeftijdsband in het basisjaar, bijv. 25-44.")] = "25-44",
    follow: Annotated[int, typer.Option(help="Aantal jaren volgen.")] = 13,
    engine: Annotated[Optional[str], typer.Option(help="duckdb (standaard) of spark.")] = None,  # noqa: UP045
    reps: Annotated[int, typer.Option(help="Bootstrap-herhalingen voor het betrouwbaarheidsinterval.")] = 999,
    memory_limit: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--memory-limit", help="Geheugengrens van DuckDB, bijv. 4GB; meer gaat naar schijf."),
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    output_check: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output-check", help="Map voor de CBS-uitvoercontrole: elke tabel als CSV/Excel "
                     "met een Nederlandse toelichting (regels, onderdrukte cellen, versie).",
                     parser=path_option),
    ] = None,
) -> None:
    """Retentie, bestemmingen, inkomenstrajecten en roltrapscore per wijk; kleine cellen onderdrukt."""
    rt = open_roltrap(ctx)
    band = _range(age, "Leeftijd")
    with interruptible("er is niets geschreven"), progress_bar(transient=format is not Format.table) as bar:
        task = bar.add_task("Analyse", total=6)

        def progress(label: str, done: int, total: int) -> None:
            bar.update(task, description=f"Analyse: {label}", completed=done, total=total)

        res = rt.cohort.analyse(
            input,
            gemeente=gemeente,
            base_year=base_year,
            age=band,
            follow=follow,
            engine=engine,
            reps=reps,
            progress=progress,
            memory_limit=memory_limit,
        )
    if output_check is not None:
        from roltrap.cli import cohort_microdata

        cohort_microdata.write_output_check(res, output_check)
    supp = res["suppressed"]
    if format is Format.json:
        typer.echo(to_json(res))
    elif format is Format.csv:
        # A missing figure of a cohort cell is a suppressed one: say so in the file.
        emit(_summary(res), format, suppressed=SUPPRESSIBLE)
    else:
        _print_tables(res)
    err_console.print(
        f"Onderdrukte cellen (< {res['parameters']['min_cell']} personen): {supp['total']} "
        f"(primair {supp['primary']}, secundair {supp['secondary']}, dominantie {supp['dominance']})."
    )


SUPPRESSIBLE = ("cohort", "nog_in_wijk", "andere_wijk", "andere_gemeente", "onbekend", "roltrapscore",
                "ci_laag", "ci_hoog")


def _summary(res: dict[str, Any]) -> pd.DataFrame:
    """One row per wijk: cohort, retention at the end, destinations, escalator score."""
    names = res["wijk_names"]
    coh = {r["wijk"]: r["persons"] for r in res["cohort"]}
    end = {r["wijk"]: r["share"] for r in res["retention"] if r["k"] == res["parameters"]["follow"]}
    dest = {r["wijk"]: r for r in res["destinations"]}
    esc = {r["wijk"]: r for r in res["escalator"]}
    speed = {r["wijk"]: r["vervangingssnelheid"] for r in res["replacement_speed"]}
    import pandas as pd

    rows = []
    for w in sorted(coh):
        d, e = dest.get(w, {}), esc.get(w, {})
        rows.append(
            {
                "wijk": w,
                "naam": names.get(w, w),
                "cohort": coh[w],
                "nog_in_wijk": end.get(w),
                "andere_wijk": d.get("andere_wijk"),
                "andere_gemeente": d.get("andere_gemeente"),
                "onbekend": d.get("onbekend"),
                "roltrapscore": e.get("score"),
                "ci_laag": e.get("ci_low"),
                "ci_hoog": e.get("ci_high"),
                "lage_inkomenswijk": e.get("low_income"),
                "vervangingssnelheid": speed.get(w),
            }
        )
    return pd.DataFrame(rows)


def _readable(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary as people read it: shares in %, yes/no in Dutch (CSV/JSON keep the raw values)."""
    import pandas as pd

    out = summary.copy()
    for col in [c for c in SHARE_AS_PERCENT if c in out.columns]:
        out[col] = pd.to_numeric(out[col], errors="coerce") * 100
    if "lage_inkomenswijk" in out.columns:
        out["lage_inkomenswijk"] = out["lage_inkomenswijk"].map({True: "ja", False: "nee"})
    return out


def _print_tables(res: dict[str, Any]) -> None:
    p = res["parameters"]
    if res["input"]["synthetic"]:
        console.print("[bold yellow]Let op: SYNTHETISCHE gegevens, geen echte personen.[/bold yellow]")
    summary = _summary(res)
    emit(
        _readable(summary),
        Format.table,
        labels=table_labels(summary.columns),
        title=f"Roltrap {p['gemeente']}: {p['age_min']}–{p['age_max']}-jarigen in {p['base_year']}, "
        f"gevolgd tot {p['end_year']} (n.b. = onderdrukt)",
    )
    low = res["escalator_low_income"]
    if low["score"] is not None:
        console.print(
            f"Roltrapscore lage-inkomenswijken samen: {nl.points(low['score'], unit='percentielpunten')} "
            f"(95%-BI {nl.number(low['ci_low'], 1)} tot {nl.number(low['ci_high'], 1)})."
        )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    from roltrap.cli import cohort_microdata

    cohort_microdata.register(cohort_app)
    app.add_typer(cohort_app, name="cohort")
