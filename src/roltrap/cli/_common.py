"""What every CLI command shares: opening the core object, printing tables, turning errors into exits."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from roltrap import fmt as nl
from roltrap.cli import _dutch
from roltrap.errors import ConfigError, RoltrapError
from roltrap.jsonable import jsonable

if TYPE_CHECKING:
    # pandas, Rich's tables and its progress bar are imported where they are used, so that
    # `roltrap --help` and `roltrap show` start fast.
    import pandas as pd
    from rich.progress import Progress

_dutch.install()  # Click's and Typer's own messages in Dutch, before any command is parsed

# Piped output (files, other programs) gets wide tables instead of Rich's 80-column default, which
# would fold every cell of the monitor's wide tables.
console = Console(width=None if sys.stdout.isatty() else 220)
err_console = Console(stderr=True)


def progress_bar(*, transient: bool = False) -> Progress:
    """The one progress bar of long CLI work: description, bar, done/total, time; on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, transient=transient)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


# The options every table-printing command shares (use them in a command's signature).
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", help="table (scherm), csv (Nederlandse Excel: ; en decimale komma), json of xlsx.")]
OutOpt = Annotated[Path | None, typer.Option(
    "--out", "-o", help="Schrijf naar dit bestand in plaats van naar het scherm (nodig voor xlsx op "
                        "een terminal).", dir_okay=False)]


def _flags(group: click.Group) -> dict[str, str]:
    """Parameter name → how the user types it on this command line (``wijk`` → ``--wijk``)."""
    names: dict[str, str] = {}
    stack: list[click.Command] = [group]
    while stack:
        cmd = stack.pop()
        for p in cmd.params:
            if isinstance(p, click.Option) and p.name:
                longs = [o for o in p.opts if o.startswith("--")]
                names.setdefault(p.name, longs[0] if longs else p.opts[0])
            elif isinstance(p, click.Argument) and p.name:
                names.setdefault(p.name, p.human_readable_name)
        if isinstance(cmd, click.Group):
            stack.extend(cmd.commands.values())
    return names


class ErrorHandlingGroup(TyperGroup):
    """Root command group: a user mistake prints one clear message and exits non-zero, no traceback.

    Errors name parameters neutrally (``param``, ``{wijk}`` tokens); here they become the options
    the user typed (``--wijk``). Settings read from the environment that fail validation get a
    Dutch message naming the variable (``ROLTRAP_PORT``).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RoltrapError as exc:
            self.report(exc)
            raise typer.Exit(exc.exit_code) from None

    def report(self, exc: RoltrapError) -> None:
        names = _flags(self)
        message, hint = exc.message_for(names), exc.hint_for(names)
        # Messages quote user input (file names, cell values): escape it so "[x]" is not markup.
        err_console.print(f"[bold red]Fout:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)
        if hint:
            err_console.print(f"[yellow]Tip:[/yellow] {escape(hint)}", highlight=False, soft_wrap=True)


def settings_from_env(**overrides: Any) -> Any:
    """The settings object; a bad ``ROLTRAP_*`` value is a Dutch error naming the variable."""
    from pydantic import ValidationError

    from roltrap.errors import from_validation
    from roltrap.settings import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        names = {name: f"ROLTRAP_{name.upper()}" for name in Settings.model_fields}
        raise from_validation(exc, names=names, what="Een instelling klopt niet") from None


def open_roltrap(ctx: typer.Context) -> Any:
    """The core object for this invocation (created once, closed when the command ends)."""
    from roltrap.core import Roltrap

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    root.obj = obj
    if "rt" not in obj:
        db = obj.get("db")
        if db is not None and str(db) != ":memory:" and not Path(db).exists():
            with err_console.status("Eerste gebruik: de meegeleverde gegevens worden in de opslag gezet…"):
                rt = Roltrap(db, settings=obj.get("settings"))
        else:
            rt = Roltrap(db, settings=obj.get("settings"))
        obj["rt"] = rt
        root.call_on_close(rt.close)
    return obj["rt"]


def to_json(data: Any) -> str:
    return json.dumps(jsonable(data), ensure_ascii=False, indent=2)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` under a temporary name first: an interrupted run leaves nothing
    half-written under the final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _deliver(data: bytes, out: Path | None, *, binary: bool) -> None:
    if out is not None:
        write_atomic(out, data)
        err_console.print(f"geschreven: {escape(str(out))}", highlight=False)
        return
    if binary and sys.stdout.isatty():
        raise ConfigError("Een Excel-bestand kan niet op het scherm worden getoond.",
                          hint="Geef een bestand op met {out}, bijv. {out} tabel.xlsx.", param="out")
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a test runner's text stream
        sys.stdout.write(data.decode("utf-8") if not binary else data.decode("latin-1"))


def emit(data: pd.DataFrame | dict[str, Any] | list[Any], fmt: Format, *, title: str | None = None,
         labels: Mapping[str, str] | None = None, out: Path | None = None,
         decimals: Mapping[str, int | None | Sequence[int | None]] | None = None,
         suppressed: pd.DataFrame | Iterable[str] | None = None,
         sources: list[str] | None = None, sheet: str | None = None,
         columns: Sequence[str] | None = None) -> None:
    """Print a result as a Rich table, CSV, JSON or Excel, on stdout or into ``out``.

    ``labels`` (column id → Dutch header) applies to the table and the Excel sheet: CSV and JSON
    keep the ids, the stable names scripts rely on. CSV and Excel come from
    :mod:`roltrap.export` (``;``, decimal comma, BOM; numbers rounded to ``decimals``, cells in
    ``suppressed`` read "onderdrukt"). ``columns`` names the columns of a list of rows (also when
    it is empty); such a list is printed on screen as it is, without pandas (``roltrap show``).
    """
    if fmt is Format.json:
        text = to_json(data) + "\n"
        if out is not None:
            _deliver(text.encode("utf-8"), out, binary=False)
        else:
            sys.stdout.write(text)
        return
    if fmt is Format.table and columns is not None and not hasattr(data, "itertuples"):
        records = data if isinstance(data, list) else [data]
        names = list(columns)
        _print_table(names, [tuple(r.get(c) for c in names) for r in records], title=title, labels=labels,
                     out=out, decimals=decimals)
        return
    import pandas as pd

    from roltrap import export

    if isinstance(data, pd.DataFrame):
        df = data
    else:
        records = data if isinstance(data, list) else [data]
        df = pd.DataFrame(records, columns=list(columns) if columns else None)
    if fmt is Format.csv:
        _deliver(export.csv_bytes(df, decimals=decimals, suppressed=suppressed), out, binary=False)
        return
    if fmt is Format.xlsx:
        name = sheet or title or "Tabel"
        _deliver(export.xlsx_bytes({name: df}, sources=sources or [], labels=labels, decimals=decimals,
                                   suppressed={name: suppressed} if suppressed is not None else None,
                                   note=export.SUPPRESSION_NOTE.format(min_cell=10), title=title),
                 out, binary=True)
        return
    _print_table([str(c) for c in df.columns], list(df.itertuples(index=False)), title=title, labels=labels,
                 out=out, decimals=decimals)


def _print_table(names: list[str], rows: Sequence[Sequence[Any]], *, title: str | None,
                 labels: Mapping[str, str] | None, out: Path | None, decimals: Places | None) -> None:
    from rich.table import Table

    if out is not None:
        raise ConfigError("Een tabel voor het scherm kan niet in een bestand.",
                          hint="Kies {format} csv, xlsx of json bij {out}.", param="out")
    headers = [(labels or {}).get(col, col) for col in names]
    places = {c: _places(c, len(rows), decimals) for c in names}
    cells = [[_cell(v, places[col][i], col) for v, col in zip(row, names, strict=True)]
             for i, row in enumerate(rows)]
    widths = _word_widths(headers, cells, width=console.width) if labels is not None else None
    table = Table(title=title, show_lines=False)
    for i, header in enumerate(headers):
        table.add_column(header, overflow="fold", width=widths[i] if widths else None)
    for row in cells:
        table.add_row(*row)
    console.print(table)


def _word_widths(headers: list[str], cells: list[list[str]], *, width: int) -> list[int] | None:
    """Column widths that wrap labels between words, never inside one ("Vervangingssnel|heid").

    Rich narrows wide columns to one common width and then folds inside words; here the widest
    columns are narrowed to a common level but none below its longest word. ``None`` (Rich's own
    layout) when the table fits anyway, or when even the longest words do not fit side by side.
    """
    from rich.cells import cell_len
    from rich.text import Text

    columns = [[Text.from_markup(row[i]).plain for row in cells] + [h] for i, h in enumerate(headers)]
    natural = [max(cell_len(t) for t in col) for col in columns]
    least = [min(n, max(cell_len(w) for t in col for w in (t.split() or [""]))) for n, col in
             zip(natural, columns, strict=True)]
    room = width - (len(headers) + 1) - 2 * len(headers)  # borders, and one space either side
    if sum(natural) <= room or sum(least) > room:
        return None

    def at(level: int) -> list[int]:
        return [min(n, max(m, level)) for n, m in zip(natural, least, strict=True)]

    level = max(natural)
    while level > 0 and sum(at(level)) > room:
        level -= 1
    return at(level)


Places = Mapping[str, int | None | Sequence[int | None]]


def _places(col: str, n: int, decimals: Places | None) -> list[int | None]:
    # A screen table shows shares ×100 (cohort "nog in wijk"), so the 0–1 rule does not apply here.
    default = None if col in nl.SHARE_COLUMNS else nl.column_decimals(col)
    given = (decimals or {}).get(col, default)
    if given is None or isinstance(given, int):
        return [given] * n
    return list(given)


def _cell(v: Any, decimals: int | None = None, column: str = "") -> str:
    v = jsonable(v)
    if v is None:
        return f"[dim]{nl.MISSING}[/dim]"
    if v == nl.SUPPRESSED:
        return f"[dim]{nl.SUPPRESSED}[/dim]"
    if isinstance(v, bool):
        return nl.yes_no(v)
    if isinstance(v, (int, float)):
        return nl.cell(v, column, decimals)
    if isinstance(v, list):
        return escape(", ".join(map(str, v)))
    return escape(str(v))
