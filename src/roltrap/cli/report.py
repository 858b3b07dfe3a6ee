"""``roltrap report``: the printable profile of a wijk, buurt or gemeente (PDF + HTML), or its
figures as JSON/CSV/Excel — the same data the web page and its downloads show."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from roltrap.cli._common import Format as TableFormat
from roltrap.cli._common import console, emit, open_roltrap, progress_bar, to_json, write_atomic
from roltrap.errors import ConfigError


class ReportFormat(str, Enum):
    pdf = "pdf"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def register(app: typer.Typer) -> None:
    """Add this module's command to the root app."""
    app.command()(report)


def report(
    ctx: typer.Context,
    wijk: Annotated[
        str | None,
        typer.Option(
            "--wijk", "--buurt", "--code", help="Eén gebied: een wijk (WK054608), buurt (BU…) of gemeente."
        ),
    ] = None,
    gemeente: Annotated[
        str | None,
        typer.Option(
            help="Een profiel voor elke wijk (met --level buurt: elke buurt) van deze gemeente, bijv. GM0546."
        ),
    ] = None,
    level: Annotated[str, typer.Option(help="Bij --gemeente: wijk of buurt.")] = "wijk",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Bestand voor één gebied (bij pdf komt er een .html naast)."),
    ] = None,
    out_dir: Annotated[Optional[Path], typer.Option(help="Map voor --gemeente.")] = None,  # noqa: UP045
    year: Annotated[
        int | None,
        typer.Option(help="Jaar; standaard het laatste jaar met de kerncijfers."),
    ] = None,
    bijlage: Annotated[
        bool,
        typer.Option(
            "--bijlage/--zonder-bijlage", help="Voeg een bijlage toe met alle kerncijfers en de methoden."
        ),
    ] = False,
    format: Annotated[
        ReportFormat,
        typer.Option(
            "--format", "-f", help="pdf (standaard), json, csv (de kerncijfers) of xlsx (alle tabellen)."
        ),
    ] = ReportFormat.pdf,
) -> None:
    """Maak afdrukbare wijkprofielen (PDF + HTML, twee A4-pagina's): kaart, kerncijfers, grafieken,
    aanpak, bronnen en datum."""
    from roltrap.report.profile import district_profile
    from roltrap.report.render import batch_areas, slug, write_batch, write_profile
    from roltrap.report.tables import DECIMALS, profile_decimals, profile_tables, profile_workbook

    if (wijk is None) == (gemeente is None):
        raise ConfigError(
            "Geef {wijk} of {gemeente}, niet allebei of geen van beide.",
            hint="Bijvoorbeeld roltrap report {wijk} WK054608 {out} merenwijk.pdf, of "
            "roltrap report {gemeente} GM0546 {out_dir} profielen/",
            param="wijk",
        )
    if level not in ("wijk", "buurt"):
        raise ConfigError(
            f"Onbekend niveau '{level}'.",
            hint="Kies {level} wijk of {level} buurt.",
            param="level",
            value=level,
        )
    rt = open_roltrap(ctx)
    if wijk is not None:
        reg = rt.region(wijk)
        if format is not ReportFormat.pdf:
            profile = district_profile(rt, reg["code"], year=year)
            if format is ReportFormat.json:
                text = to_json(profile) + "\n"
                if out is None:
                    typer.echo(text, nl=False)
                else:
                    write_atomic(out, text.encode("utf-8"))
                    console.print(f"geschreven: {out}")
            elif format is ReportFormat.xlsx:
                target = out or Path(f"{reg['code']}-{slug(str(reg['name']))}.xlsx")
                write_atomic(target, profile_workbook(profile))
                console.print(f"geschreven: {target}")
            else:
                emit(profile_tables(profile)["Kerncijfers"], TableFormat.csv, out=out,
                     decimals={**DECIMALS, **profile_decimals(profile)["Kerncijfers"]})
            return
        target = out or Path(f"{reg['code']}-{slug(str(reg['name']))}.pdf")
        if target.suffix.lower() != ".pdf":
            raise ConfigError(
                f"{{out}} moet op .pdf eindigen, niet '{target.name}'.",
                hint="Bijvoorbeeld {out} merenwijk.pdf, of kies {format} xlsx.",
                param="out",
                value=str(target),
            )
        with console.status(f"Profiel {reg['name']} maken…"):
            written = write_profile(rt, reg["code"], target, year=year, appendix=bijlage)
    else:
        if format is not ReportFormat.pdf:
            raise ConfigError(
                "Met {gemeente} maakt roltrap report PDF-bestanden.",
                hint="Gebruik {wijk} met {format} json, csv of xlsx voor één gebied.",
                param="format",
                value=format.value,
            )
        assert gemeente is not None
        gm = rt.region(gemeente)
        folder = out_dir or Path(f"{level}profielen-{gm['code']}")
        n = len(batch_areas(rt, gm["code"], level=level))
        if n == 0:
            raise ConfigError(
                f"{gm['name']} heeft geen {level}en in de gegevens.",
                hint="Importeer de Kerncijfers wijken en buurten van deze gemeente.",
                param="gemeente",
                value=gemeente,
            )
        with progress_bar() as progress:
            task = progress.add_task("Profielen", total=n)

            def step(name: str) -> None:
                progress.update(task, description=f"Profiel {name}")

            written = []
            for path in write_batch(
                rt, gm["code"], folder, year=year, level=level, appendix=bijlage, on_step=step
            ):
                written.append(path)
                if path.suffix == ".pdf":
                    progress.advance(task)
    for path in written:
        console.print(f"geschreven: {path}")
