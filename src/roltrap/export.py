"""Tables as files a Dutch spreadsheet opens correctly: CSV (``;``, decimal comma, UTF-8 with BOM)
and Excel (one sheet per table, Dutch headers, number formats, a sheet with the sources).

Every shell (web downloads, CLI ``--format csv|xlsx``) writes tables through these two functions.
Both are safe to open in Excel: text that a spreadsheet would run as a formula (a cell starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is neutralised, lists are written as
text, and line breaks inside a cell become spaces. A suppressed cell is written as "onderdrukt"
where the caller marks it (``suppressed``) and a missing one stays empty; neither ever becomes 0.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from roltrap import fmt

# Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SUPPRESSION_NOTE = (
    "Aantallen van minder dan {min_cell} personen en cellen waaruit zo'n aantal terug te rekenen is, "
    "zijn onderdrukt (\"onderdrukt\"); een lege cel betekent: geen gegevens.")
# One int for every column, or per column an int/None, or per column one entry per row (a "value"
# column that holds indicators of different precision).
Decimals = Mapping[str, int | None | Sequence[int | None]] | int | None


def _plain(value: Any) -> Any:
    """Python values: arrays (DuckDB lists arrive as numpy arrays) as lists, NA/NaN as None."""
    if isinstance(value, (np.ndarray, pd.Series, pd.Index)):
        return value.tolist()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return value
    return fmt._plain(value)


def cell_text(value: Any) -> str:
    """Text for a non-numeric CSV cell: lists joined, line breaks folded, formulas neutralised."""
    return neutralise(_text(value))


def _text(value: Any) -> str:
    """A cell's text: missing empty, Ja/Nee, lists and dicts as text, line breaks folded."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return fmt.yes_no(value)
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        text = ", ".join(_text(v) if not isinstance(v, dict) else json.dumps(v, ensure_ascii=False,
                                                                               default=str)
                         for v in items)
    else:
        text = str(value)
    return " ".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would evaluate (``=HYPERLINK(…)``, ``+1``, ``@SUM``) with an
    apostrophe, so it is shown as the text it is."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _decimals_for(col: str, series: pd.Series, decimals: Decimals) -> list[int | None]:
    """The decimals of each row of a column."""
    if isinstance(decimals, int):
        return [decimals] * len(series)
    if isinstance(decimals, Mapping) and col in decimals:
        given = decimals[col]
        if given is None or isinstance(given, int):
            return [given] * len(series)
        per_row = list(given)
        if len(per_row) != len(series):
            raise ValueError(f"decimals for {col!r}: {len(per_row)} entries for {len(series)} rows")
        return per_row
    return [_column_default(col, series)] * len(series)


def _column_default(col: str, series: pd.Series) -> int | None:
    d = fmt.column_decimals(col)
    if d is not None:
        return d
    values = [v for v in (_plain(x) for x in series) if _is_number(v)]
    if values and all(float(v).is_integer() for v in values):
        return 0
    return 1 if values else None


def _suppressed_mask(df: pd.DataFrame, suppressed: pd.DataFrame | Iterable[str] | None) -> pd.DataFrame:
    """A boolean frame: True where a cell is suppressed (shown "onderdrukt", not empty)."""
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    if suppressed is None:
        pass
    elif isinstance(suppressed, pd.DataFrame):
        common = [c for c in suppressed.columns if c in mask.columns]
        mask[common] = suppressed[common].reindex(df.index).fillna(False).astype(bool)
    else:  # columns whose missing cells are suppressed, not unknown
        for col in suppressed:
            if col in df.columns:
                mask[col] = df[col].map(fmt.is_missing)
    # Cells that already say so stay so.
    for col in df.columns:
        mask[col] = mask[col] | df[col].map(lambda v: isinstance(v, str) and v == fmt.SUPPRESSED)
    return mask


def _headers(df: pd.DataFrame, labels: Mapping[str, str] | None) -> list[str]:
    return [_text((labels or {}).get(str(c), c)) for c in df.columns]


def csv_bytes(df: pd.DataFrame, *, labels: Mapping[str, str] | None = None, decimals: Decimals = None,
              suppressed: pd.DataFrame | Iterable[str] | None = None) -> bytes:
    """One table as CSV for a Dutch spreadsheet: ``;`` between fields, decimal comma (no thousands
    separator, so every program reads the number), UTF-8 with BOM, CRLF line ends.

    Numbers are rounded to the column's decimals (``decimals``: one int for all, a mapping per
    column, else :func:`roltrap.fmt.column_decimals` and the data's own: whole → 0, other → 1);
    booleans are Ja/Nee; missing cells empty; ``suppressed`` (a boolean frame, or the columns whose
    missing cells are suppressed) cells "onderdrukt". ``labels`` maps column ids to headers (none:
    the ids, the stable names scripts use).
    """
    mask = _suppressed_mask(df, suppressed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in _headers(df, labels)])
    places = {str(c): _decimals_for(str(c), df[c], decimals) for c in df.columns}
    for i, row in enumerate(df.itertuples(index=False)):
        cells: list[str] = []
        for j, v in enumerate(row):
            col = str(df.columns[j])
            if mask.iat[i, j]:
                cells.append(fmt.SUPPRESSED)
                continue
            pv = _plain(v)
            if _is_number(pv):
                cells.append(fmt.year(pv) if col.lower() in fmt.YEAR_COLUMNS
                             else fmt.number(pv, places[col][i], grouping=False))
            else:
                cells.append(cell_text(pv))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number_format(d: int | None, unit: str | None) -> str:
    base = "#,##0" + ("." + "0" * d if d else "")
    if unit in fmt.PERCENT_UNITS:
        return base + '" %"'  # the value is already ×100: a literal sign, not Excel's %-format
    return base


def _sheet_name(name: str, taken: set[str]) -> str:
    clean = "".join("-" if ch in '[]:*?/\\' else ch for ch in str(name)).strip("'") or "Tabel"
    clean = clean[:31]
    base, n = clean, 2
    while clean.lower() in taken:
        suffix = f" ({n})"
        clean = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(clean.lower())
    return clean


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *, sources: Sequence[str] = (), note: str | None = None,
               labels: Mapping[str, str] | None = None, decimals: Decimals = None,
               units: Mapping[str, str | None] | None = None,
               suppressed: Mapping[str, pd.DataFrame | Iterable[str]] | None = None,
               title: str | None = None, sheet_decimals: Mapping[str, Decimals] | None = None) -> bytes:
    """Tables as one Excel workbook: a sheet per table (its key the sheet name), Dutch headers
    (``labels``), number formats per column (``decimals`` as for :func:`csv_bytes`, ``units`` for
    a % sign), a frozen, bold header row, and a last sheet "Bronnen" with ``title``, the sources
    and the ``note`` (the suppression rule). Suppressed cells read "onderdrukt", missing ones stay
    empty; numbers stay numbers (rounded to the column's decimals) so the sheet can compute."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_name(name, taken))
        mask = _suppressed_mask(df, (suppressed or {}).get(name))
        headers = _headers(df, labels)
        ws.append([None] * len(headers))
        for j, h in enumerate(headers, start=1):
            c = ws.cell(row=1, column=j)
            _set_text(c, h)
            c.font = bold
            c.alignment = Alignment(wrap_text=True, vertical="top")
        own = (sheet_decimals or {}).get(name)
        mine: Decimals = {**decimals, **own} if isinstance(decimals, Mapping) and isinstance(own, Mapping) \
            else own if own is not None else decimals
        places = {str(c): _decimals_for(str(c), df[c], mine) for c in df.columns}
        for i, row in enumerate(df.itertuples(index=False)):
            for j, v in enumerate(row):
                col = str(df.columns[j])
                c = ws.cell(row=i + 2, column=j + 1)
                if mask.iat[i, j]:
                    _set_text(c, fmt.SUPPRESSED)
                    c.alignment = Alignment(horizontal="right")
                    continue
                pv = _plain(v)
                if _is_number(pv):
                    d = places[col][i]
                    c.value = round(float(pv), d) if d is not None else pv
                    if d == 0 and isinstance(c.value, float) and math.isfinite(c.value):
                        c.value = int(c.value)
                    c.number_format = ("0" if col.lower() in fmt.YEAR_COLUMNS
                                       else _number_format(d, (units or {}).get(col)))
                elif pv is not None:
                    _set_text(c, _text(pv))
        ws.freeze_panes = "A2"
        for j, col in enumerate(df.columns, start=1):
            texts = [headers[j - 1]] + [fmt.number(x) if _is_number(_plain(x)) else _text(x)
                                        for x in df[col].head(200)]
            width = min(60, max(8, max(len(t) for t in texts) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
    src = wb.create_sheet(_sheet_name("Bronnen", taken))
    rows: list[str] = []
    if title:
        rows += [title, ""]
    rows.append("Bronnen")
    rows += [f"[{i}] {s}" for i, s in enumerate(dict.fromkeys(sources), start=1)] or ["(geen bron vermeld)"]
    if note:
        rows += ["", "Toelichting", note]
    for r, text in enumerate(rows, start=1):
        c = src.cell(row=r, column=1)
        _set_text(c, text)
        if text in ("Bronnen", "Toelichting") or (title and r == 1):
            c.font = bold
    src.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _set_text(cell: Any, text: str) -> None:
    """Text that Excel shows as text, never runs: openpyxl would store "=…" as a formula, so the
    type is forced to string and Excel's quote prefix set (what typing an apostrophe does)."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
