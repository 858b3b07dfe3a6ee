"""CLI for the CBS Remote Access kit: ``cohort prepare``, ``cohort synth --layout cbs`` and the
``--output-check`` folder of ``cohort analyse``. Thin: the work is in :mod:`roltrap.cohort.microdata`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from roltrap.cli._common import console, err_console, progress_bar
from roltrap.cohort.microdata.paths import option as path_option
from roltrap.errors import ConfigError

EXIT_INTERRUPTED = 130


def _years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    lo, _, hi = text.partition("-")
    try:
        a, b = int(lo), int(hi or lo)
    except ValueError:
        raise ConfigError(f"Jaren '{text}' is geen bereik.", hint="Schrijf bijv. 2005-2022.") from None
    if a > b:
        raise ConfigError(f"Jaren '{text}': het begin ligt na het einde.", hint="Bijv. 2005-2022.")
    return a, b


def prepare(
    microdata: Annotated[
        Path,
        typer.Option(
            "--microdata",
            help="Map met de CBS-microdatabestanden (.sav, .csv of .parquet), bijv. G:\\Bevolking.",
            parser=path_option,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Map voor de persoonsjaren (één Parquet-bestand per jaar).", parser=path_option
        ),
    ],
    peildatum: Annotated[
        str, typer.Option(help="Peildatum in elk jaar: 01-01 (standaard) of 30-09.")
    ] = "01-01",
    years: Annotated[
        str | None,
        typer.Option(
            help="Jaren, bijv. 2005-2022; standaard alle jaren van "
            "VSLGWBTAB."
        ),
    ] = None,
    memory_limit: Annotated[
        str,
        typer.Option("--memory-limit", help="Geheugengrens van DuckDB, bijv. 8GB; meer gaat naar schijf."),
    ] = "4GB",
    threads: Annotated[Optional[int], typer.Option(help="Aantal rekenkernen (standaard alle).")] = None,  # noqa: UP045
    temp_dir: Annotated[
        Path | None,
        typer.Option(
            "--temp-dir",
            help="Map voor tijdelijke bestanden "
            "van DuckDB (standaard in --out).",
            parser=path_option,
        ),
    ] = None,
) -> None:
    """Bouw persoonsjaren uit CBS-microdata: adres op de peildatum, regio van dat jaar, leeftijd,
    inkomen, opleiding. Hervatbaar per jaar; Ctrl-C laat geen half jaar achter."""
    from roltrap.cohort.microdata.prepare import prepare as run

    try:
        with progress_bar() as bar:
            task = bar.add_task("Voorbereiden", total=None)

            def progress(label: str, done: int, total: int) -> None:
                bar.update(task, description=label, completed=done, total=total)

            rep = run(
                microdata,
                out,
                peildatum=peildatum,
                years=_years(years),
                memory_limit=memory_limit,
                threads=threads,
                temp_dir=temp_dir,
                progress=progress,
            )
    except KeyboardInterrupt:
        err_console.print(
            "[yellow]Afgebroken.[/yellow] Afgeronde jaren staan klaar; start opnieuw om verder "
            "te gaan (half geschreven jaren zijn verwijderd)."
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    done = ", ".join(str(y) for y in rep.years_written) or "geen"
    console.print(
        f"[green]Klaar:[/green] {rep.rows:,} persoonsjaren in {rep.out} (peildatum {rep.peildatum}); "
        f"nieuw geschreven jaren: {done}."
    )
    if rep.years_skipped:
        console.print(
            f"Al klaar uit een eerdere run (overgeslagen): {', '.join(map(str, rep.years_skipped))}."
        )
    if rep.years_missing:
        err_console.print(
            f"[yellow]Let op:[/yellow] geen regio-indeling in VSLGWBTAB voor "
            f"{', '.join(map(str, rep.years_missing))}; die jaren ontbreken."
        )
    lost = {
        y: c["without_region"] + c["without_birth_year"] + c["impossible_age"] for y, c in rep.counts.items()
    }
    if any(lost.values()):
        err_console.print(
            "[yellow]Let op:[/yellow] personen met een adres maar zonder regio of geboortejaar "
            "tellen niet mee; de aantallen per jaar staan in _prepare.json."
        )


def synth_cbs(
    rt: Any,
    out: Path,
    *,
    gemeente: str,
    years: tuple[int, int],
    scale: float,
    seed: int,
    escalator: float,
    overwrite: bool,
    file_format: str,
) -> None:
    from roltrap.cohort.microdata.synth_cbs import generate_cbs
    from roltrap.cohort.synth import SynthParams

    m = rt.cohort.marginals(gemeente)
    with progress_bar() as bar:
        task = bar.add_task("Synthetische microdata", total=2 * (years[1] - years[0] + 1))
        rep = generate_cbs(
            m,
            out,
            params=SynthParams(years=years, scale=scale, seed=seed, escalator=escalator),
            file_format=file_format,
            overwrite=overwrite,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(
        f"[green]Klaar:[/green] {rep.persons:,} synthetische personen ({rep.rows:,} persoonsjaren) als "
        f"{rep.files} CBS-microdatabestanden ({file_format}) → {rep.out} (gemarkeerd als SYNTHETISCH)."
    )


def write_output_check(res: dict[str, Any], folder: Path) -> None:
    import shlex
    import sys

    from roltrap.cohort.microdata.output_check import write

    files = write(res, folder, command="roltrap " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    err_console.print(f"Uitvoercontrole: {len(files)} bestanden in {folder}.")


def register(app: typer.Typer) -> None:
    app.command("prepare")(prepare)
