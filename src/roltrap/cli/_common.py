"""What every CLI command shares: opening the core object, printing tables, turning errors into exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from enum import Enum
from typing import Any

import click
import pandas as pd
import typer
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from roltrap.errors import RoltrapError
from roltrap.jsonable import jsonable

# Piped output (files, other programs) gets wide tables instead of Rich's 80-column default, which
# would fold every cell of the monitor's wide tables.
console = Console(width=None if sys.stdout.isatty() else 220)
err_console = Console(stderr=True)


def progress_bar(*, transient: bool = False) -> Progress:
    """The one progress bar of long CLI work: description, bar, done/total, time; on stderr."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err_console, transient=transient)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ErrorHandlingGroup(TyperGroup):
    """Root command group: a user mistake prints one clear message and exits non-zero, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RoltrapError as exc:
            # Messages quote user input (file names, cell values): escape it so "[x]" is not markup.
            err_console.print(f"[bold red]Fout:[/bold red] {escape(exc.message)}", highlight=False,
                              soft_wrap=True)
            if exc.hint:
                err_console.print(f"[yellow]Tip:[/yellow] {escape(exc.hint)}", highlight=False,
                                  soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None


def open_roltrap(ctx: typer.Context) -> Any:
    """The core object for this invocation (created once, closed when the command ends)."""
    from roltrap.core import Roltrap

    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    root.obj = obj
    if "rt" not in obj:
        rt = Roltrap(obj.get("db"), settings=obj.get("settings"))
        obj["rt"] = rt
        root.call_on_close(rt.close)
    return obj["rt"]


def to_json(data: Any) -> str:
    return json.dumps(jsonable(data), ensure_ascii=False, indent=2)


def emit(data: pd.DataFrame | dict[str, Any] | list[Any], fmt: Format, *, title: str | None = None,
         labels: Mapping[str, str] | None = None) -> None:
    """Print a result as a Rich table, CSV or JSON on stdout.

    ``labels`` (column id → Dutch header) applies to the table only: CSV and JSON keep the ids,
    the stable names scripts rely on.
    """
    if fmt is Format.json:
        sys.stdout.write(to_json(data) + "\n")
        return
    df = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data if isinstance(data, list) else [data])
    if fmt is Format.csv:
        df.to_csv(sys.stdout, index=False)
        return
    headers = [(labels or {}).get(str(col), str(col)) for col in df.columns]
    cells = [[_cell(v) for v in row] for row in df.itertuples(index=False)]
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


def _cell(v: Any) -> str:
    v = jsonable(v)
    if v is None:
        return "[dim]n.b.[/dim]"
    if isinstance(v, float):
        return f"{v:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".") if not v.is_integer() \
            else f"{int(v):,}".replace(",", ".")
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)
