"""Parsing CBS cell values: padded numbers, statistical symbols, Dutch number formats.

CBS files mark a figure that is unknown, secret or too unreliable with a symbol instead of a number
(``.`` ``x`` ``-`` ``?``), pad numbers with spaces and, in Dutch downloads, write ``1.234,5``. Every
symbol and every empty cell becomes NaN (missing), never 0: a suppressed cell is not a zero.
Text that is neither a number nor a known symbol is *bad*; callers report it with file/row/column.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

#: CBS statistical symbols (and spellings of "empty") that mean "no figure".
SYMBOLS: frozenset[str] = frozenset({"", ".", "x", "X", "-", "?", "..", "nan", "NaN", "NA", "n.v.t.", "None"})

_POINT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
# Dutch: optional thousands points in groups of three, optional decimal comma.
_COMMA = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _check_decimal(decimal: str) -> None:
    if decimal not in (".", ","):
        raise ValueError(f"decimaalteken moet '.' of ',' zijn, niet {decimal!r}")


def _clean(text: str) -> str:
    return _SPACES.sub("", text)


def is_symbol(text: object) -> bool:
    """True when ``text`` is a CBS symbol or empty, i.e. stands for a missing figure."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return True
    return _clean(str(text)) in SYMBOLS


def parse_number(text: str | float | int | None, *, decimal: str = ".") -> float:
    """One CBS cell as a float; NaN for symbols and empty cells.

    ``decimal=","`` reads Dutch numbers (``11,3``, ``1.234,5``). Raises ``ValueError`` for text that
    is neither a number nor a known symbol (message in Dutch, for the user).
    """
    _check_decimal(decimal)
    if text is None:
        return math.nan
    if isinstance(text, bool):
        raise ValueError(f"geen getal: {text!r} (verwacht een getal of een CBS-symbool . x - ?)")
    if isinstance(text, int | float):
        return float(text)
    raw = _clean(str(text))
    if raw in SYMBOLS:
        return math.nan
    if decimal == "." and _POINT.match(raw):
        return float(raw)
    if decimal == "," and _COMMA.match(raw):
        return float(raw.replace(".", "").replace(",", "."))
    raise ValueError(f"geen getal: '{text}' (verwacht een getal of een CBS-symbool . x - ?)")


def parse_series(s: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, list[object]]:
    """A column of CBS cells as floats, plus the index labels of cells that are not numbers.

    Symbols and empty cells become NaN and are not bad. Bad cells also become NaN, so the caller
    decides whether to fail (collecting every bad cell first) or to skip them.
    """
    _check_decimal(decimal)
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(np.nan, index=s.index, dtype="float64"), list(s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), []
    text = s.astype("string").fillna("").str.replace(_SPACES, "", regex=True)
    symbol = text.isin(SYMBOLS)
    pattern = _POINT if decimal == "." else _COMMA
    ok = text.str.match(pattern).fillna(False).astype(bool)
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.Series(np.nan, index=s.index, dtype="float64")
    if ok.any():
        values[ok] = text[ok].map(float).astype("float64")  # float() rounds correctly; to_numeric does not
    bad = s.index[~ok & ~symbol].tolist()
    return values, bad
