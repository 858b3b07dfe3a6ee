"""`roltrap triage`: the coach's aid on the command line (answers file, prompts, schema, types, caseload)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.panel import Panel

from roltrap.cli._common import Format, console, emit, open_roltrap, to_json, write_atomic
from roltrap.errors import ConfigError, InputError, Problem

if TYPE_CHECKING:
    from roltrap.triage.caseload import CaseloadResult
    from roltrap.triage.engine import TriageResult
    from roltrap.triage.questionnaire import Question, Questionnaire


class TriageFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def register(app: typer.Typer) -> None:
    """Add `triage` to the root app."""
    app.command("triage")(triage)


def triage(
    ctx: typer.Context,
    answers: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--answers", "-a", help="JSON-bestand met antwoorden (zie --schema). Zonder bestand: vragen één "
                                "voor één.")] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Toon het JSON Schema van de vragen.")] = False,
    types: Annotated[bool, typer.Option("--types", help="Toon alle typen (§6) met perspectief.")] = False,
    caseload: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--caseload", help="Anonieme caseload (Excel of CSV: Wijk of Buurt + vragen) samenvatten per "
                           "wijk of buurt.")] = None,
    template: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--template", help="Schrijf het caseloadsjabloon (Excel, met keuzelijsten en uitleg) naar dit "
                           "bestand.")] = None,
    gemeente: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--gemeente", "-g", help="Gemeente van de caseload (code of naam); standaard de ingestelde.")] = None,
    level: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--level", help="wijk of buurt; standaard buurt als het bestand een kolom Buurt heeft.")] = None,
    format: Annotated[TriageFormat, typer.Option(
        "--format", "-f", help="text, json, csv of xlsx (xlsx en csv van een caseload met --out).")
    ] = TriageFormat.text,
    out: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--out", "-o", help="Schrijf de caseloadtabellen naar dit bestand (csv of xlsx).",
        dir_okay=False)] = None,
) -> None:
    """Coachhulp: welke typen (§6) en welke werkstijl (§19) passen bij een anonieme beschrijving.

    Een hulpmiddel voor het gesprek, geen diagnose. Niets wordt opgeslagen.
    """
    from roltrap.triage.service import TriageService

    chosen = [name for name, on in (("--answers", answers is not None), ("--schema", schema),
                                    ("--types", types), ("--caseload", caseload is not None),
                                    ("--template", template is not None)) if on]
    if len(chosen) > 1:
        raise ConfigError(f"Kies één van {', '.join(chosen)}.",
                          hint="Bijvoorbeeld `roltrap triage --answers antwoorden.json`.")
    if caseload is not None:
        from roltrap.triage.upload import CLI_LIMITS

        service = open_roltrap(ctx).triage
        _print_caseload(service.caseload(caseload, gemeente=gemeente, level=level, limits=CLI_LIMITS), format,
                        out=out)
        return
    if template is not None:
        _write(template, open_roltrap(ctx).triage.template(gemeente=gemeente))
        console.print(f"Caseloadsjabloon geschreven: {escape(str(template))}")
        return
    service = TriageService()
    if schema:
        sys.stdout.write(json.dumps(service.schema(), ensure_ascii=False, indent=2) + "\n")
        return
    if types:
        import pandas as pd

        rows = pd.DataFrame(service.types())
        if format is TriageFormat.text:
            emit(rows[["label", "section", "perspective", "style"]], Format.table, title="Typen (§6)")
        else:
            emit(rows, Format(format.value))
        return
    raw = _read_json(answers) if answers is not None else _ask(service.questionnaire)
    result = service.suggest(raw) if answers is None else _suggest_from_file(service, raw, answers)
    if format is TriageFormat.text:
        _print_result(result)
    else:
        sys.stdout.write(to_json(result.to_dict()) + "\n")


def _write(path: Path, data: bytes) -> None:
    """Write under a temporary name, then rename; a folder or an unwritable place is a clear error."""
    if path.is_dir():
        raise ConfigError(f"{path.name} is een map; geef een bestandsnaam, zoals caseload.xlsx.")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ConfigError(f"Kan {path.name} niet schrijven: {exc.strerror}.",
                          hint="Kies een map waarin je mag schrijven.") from None


def _suggest_from_file(service: Any, raw: Any, path: Path) -> TriageResult:
    result: TriageResult = service.suggest(service.parse(raw, file=str(path)))
    return result


MAX_ANSWERS_BYTES = 1_000_000  # an answers file is a few hundred bytes


def _read_json(path: Path) -> Any:
    from roltrap.triage.upload import display_name

    name = display_name(path.name)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_ANSWERS_BYTES + 1)
    except OSError as exc:
        raise InputError(f"Kan {name} niet lezen: {exc.strerror}.", file=display_name(str(path)),
                         hint="Controleer het pad naar het antwoordenbestand.") from None
    if len(raw) > MAX_ANSWERS_BYTES:
        raise InputError(f"{name} is te groot voor een antwoordenbestand (meer dan 1 MB).",
                         file=display_name(str(path)))
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{name} is geen tekstbestand in UTF-8.", file=display_name(str(path)),
                         hint='Sla de antwoorden op als JSON, bijvoorbeeld {"leeftijd": "27_49"}.') from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} is geen geldige JSON.",
                         problems=[Problem(exc.msg, file=display_name(str(path)), row=exc.lineno)],
                         file=display_name(str(path)),
                         hint='Een voorbeeld: {"leeftijd": "27_49", "werk": ["geen_werk"]}.') from None
    except RecursionError:
        raise InputError(f"{name} is te diep genest voor een antwoordenbestand.",
                         file=display_name(str(path)),
                         hint='Een voorbeeld: {"leeftijd": "27_49", "werk": ["geen_werk"]}.') from None


def _ask(questionnaire: Questionnaire) -> dict[str, Any]:
    """One prompt per question; Enter skips, 0 is 'wil ik niet zeggen'."""
    console.print("[bold]Coachhulp[/bold]: beantwoord wat je weet. Enter = overslaan, "
                  f"0 = {questionnaire.decline.label.lower()}.")
    out: dict[str, Any] = {}
    for q in questionnaire.questions:
        picked = _ask_one(q, questionnaire)
        if picked is not None:
            out[q.id] = picked
    return out


def _ask_one(q: Question, questionnaire: Questionnaire) -> str | list[str] | None:
    console.print(f"\n[bold]{escape(q.label)}[/bold]" + (" (meer antwoorden: 1,3)" if q.multiple else ""))
    if q.help:
        console.print(f"[dim]{escape(q.help)}[/dim]")
    for i, opt in enumerate(q.options, start=1):
        console.print(f"  {i}. {escape(opt.label)}")
    while True:
        reply = typer.prompt("Keuze", default="", show_default=False).strip()
        if not reply:
            return None
        if reply == "0":
            return [questionnaire.decline.value] if q.multiple else questionnaire.decline.value
        parts = [p.strip() for p in reply.replace(";", ",").split(",") if p.strip()]
        if all(p.isdigit() and 1 <= int(p) <= len(q.options) for p in parts) and \
                (q.multiple or len(parts) == 1):
            values = [q.options[int(p) - 1].value for p in parts]
            return values if q.multiple else values[0]
        console.print(f"[yellow]Kies een nummer van 1 tot {len(q.options)}, 0 of Enter.[/yellow]")


def _print_result(result: TriageResult) -> None:
    console.print(Panel(escape(result.disclaimer), title="Let op", border_style="yellow"))
    for sp in result.signposts:
        why = "; ".join(r.text for r in sp.reasons)
        console.print(Panel(f"{escape(sp.text)}\n[dim]Omdat: {escape(why)} ({sp.section})[/dim]",
                            title=f"Wegwijzer: {escape(sp.label)}", border_style="red"))
    if result.no_match:
        console.print(f"\n[bold]{escape(result.no_match)}[/bold]")
    for s in result.suggestions:
        st = s.style
        lines = [
            f"[italic]{escape(s.description)}[/italic]",
            "Omdat: " + escape("; ".join(r.text for r in s.reasons)),
            f"Perspectief: {escape(s.perspective)}",
            f"Stijl ({st.section}): [bold]{escape(st.label)}[/bold] — {escape(st.relation)}",
            f"  Werkvormen: {escape(', '.join(st.work_forms))}",
            f"  Rol: {escape(st.identity)}; {escape(st.attitude.lower())}; beschikbaarheid "
            f"{escape(st.availability.lower())}",
            f"  Contact: {escape(st.contact_level)} ({escape(', '.join(st.contact_places).lower())})",
            f"Vindplaatsen (§22): {escape(', '.join(v['label'] for v in s.vindplaatsen))}",
        ]
        console.print(Panel("\n".join(lines), title=f"{s.rank}. {escape(s.label)} ({s.section})",
                            border_style="green" if s.rank == 1 else "blue"))
    console.print(f"[dim]Kaders versie {result.frameworks_version}, vragenlijst "
                  f"{result.questionnaire_version}.[/dim]")


def _print_caseload(res: CaseloadResult, fmt: TriageFormat, *, out: Path | None = None) -> None:

    if out is not None and fmt not in (TriageFormat.csv, TriageFormat.xlsx, TriageFormat.json):
        raise ConfigError("Naar een bestand gaan alleen csv, xlsx en json.", param="out",
                          hint="Kies {format} xlsx bij {out}.")
    if fmt is TriageFormat.json:
        text = to_json(res.to_dict()) + "\n"
        if out is not None:
            _write(out, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
        return
    if fmt is TriageFormat.csv:
        from roltrap.report.caseload import caseload_csv

        data = caseload_csv(res)  # the same file as the web's "Download CSV"
        if out is not None:
            _write(out, data)
            return
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if fmt is TriageFormat.xlsx:
        from roltrap.report.caseload import caseload_xlsx

        if out is None:
            raise ConfigError("Een Excel-bestand kan niet op het scherm worden getoond.", param="out",
                              hint="Geef een bestand op met {out}, bijv. {out} caseload-overzicht.xlsx.")
        _write(out, caseload_xlsx(res))
        console.print(f"Geschreven: {escape(str(out))}")
        return
    n = "onderdrukt" if res.n_clients is None else str(res.n_clients)
    console.print(f"[bold]Caseload[/bold]: {n} cliënten.")
    emit(res.types.reset_index(names="type"), Format.table, title="Typen per wijk (§6)")
    emit(res.styles.reset_index(names="stijl"), Format.table, title="Stijlen per wijk (§19)")
    emit(res.districts.reset_index(names=res.level), Format.table,
         title="Wijkcijfers" if res.level == "wijk" else "Buurtcijfers")
    for note in res.notes:
        console.print(f"[dim]{escape(note)}[/dim]")
