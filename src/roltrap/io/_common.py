"""Helpers shared by the CBS loaders: sources, years from file names, long observation frames."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._parse import parse_series

CBS_LICENCE = "CC BY 4.0"
CBS_ATTRIBUTION = "Bron: CBS"

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-9]\d)(?!\d)")


def year_from_name(path: Path | str) -> int | None:
    """The one year a file name mentions (``kwb-2021.csv`` → 2021); None when none or several."""
    years = set(_YEAR.findall(Path(path).name))
    return int(years.pop()) if len(years) == 1 else None


def cbs_source(source_id: str, title: str, path: Path | str, **extra: object) -> dict[str, object]:
    """A ``sources`` row for a CBS publication (CC BY 4.0, "Bron: CBS")."""
    src: dict[str, object] = {
        "id": source_id,
        "title": title,
        "publisher": "CBS",
        "licence": CBS_LICENCE,
        "attribution": CBS_ATTRIBUTION,
        "provenance": None,
        "file": Path(path).name,
        "estimate": False,
        "rows_loaded": None,
    }
    src.update(extra)
    return src


def line_numbers(frame: pd.DataFrame) -> pd.Series:
    """The file line of every row, aligned with ``frame``: the index of a frame read by
    :func:`roltrap.io._read.read_frame` (named ``line``), else header line 1 + position."""
    if frame.index.name == "line":
        return pd.Series(frame.index.to_numpy(dtype="int64"), index=frame.index)
    return pd.Series(range(2, len(frame) + 2), index=frame.index, dtype="int64")


def parse_columns(
    frame: pd.DataFrame, columns: list[str], *, file: str, decimal: str = "."
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse text columns to floats, collecting a Problem for every cell that is not a number."""
    parsed: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    lines = line_numbers(frame)
    for col in columns:
        values, bad = parse_series(frame[col], decimal=decimal)
        parsed[col] = values
        what = "geen getal (verwacht een getal of een CBS-symbool . x - ?)"
        problems += [Problem(what, file, int(lines[i]), col, str(frame.at[i, col])) for i in bad]
    return pd.DataFrame(parsed, index=frame.index, columns=columns, dtype="float64"), problems


def to_long(
    values: pd.DataFrame, *, codes: pd.Series, years: pd.Series, keep_empty_columns: bool = False
) -> pd.DataFrame:
    """Wide parsed values → observations (region_code, year, indicator_id, value).

    Per year, a column with no value at all is left out (a first-release file leaves whole columns
    empty: that is "not published yet", not "suppressed"); single missing cells stay as NULL. When
    ``values`` is indexed by file line (``line``, see :func:`line_numbers`), each observation keeps
    its line in ``_line``, so a later check can name it.
    """
    wide = values.assign(_code=codes.to_numpy(), _year=years.to_numpy())
    ids = ["_code", "_year"]
    if values.index.name == "line":
        wide["_line"] = values.index.to_numpy(dtype="int64")
        ids.append("_line")
    long = wide.melt(id_vars=ids, var_name="indicator_id", value_name="value")
    long = long.rename(columns={"_code": "region_code", "_year": "year"})
    if not keep_empty_columns:
        has = long.groupby(["year", "indicator_id"])["value"].transform("count") > 0
        long = long[has]
    long["year"] = long["year"].astype("int64")
    long["value"] = long["value"].astype("float64")
    cols = ["region_code", "year", "indicator_id", "value"] + (["_line"] if "_line" in long else [])
    return long[cols].reset_index(drop=True)


def raise_if(problems: list[Problem], message: str, *, file: Path | str, hint: str | None = None) -> None:
    if problems:
        raise InputError(message, problems=problems, file=file, hint=hint)
