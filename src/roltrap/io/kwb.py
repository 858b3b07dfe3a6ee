"""Reader for CBS "Kerncijfers wijken en buurten" downloads (``kwb-YYYY.csv`` / ``.xlsx``).

One row per region (``recs`` = Land/Gemeente/Wijk/Buurt), one column per KWB variable
(``a_inw``, ``p_hh_110``, ...). Variables in the catalogue become observations; other columns are
reported in ``batch.skipped``. Herkomst keeps both classifications as separate indicators: the
westers/niet-westers variables up to KWB 2022 (``a_w_all``, ``a_nw_all``) and the herkomstland
variables from KWB 2023 (``a_nl_all``, ``a_eur_al``, ``a_neu_al``).

The flattened StatLine OData CSV (85984NED, keys like ``AantalInwoners_5``) is read by
:func:`roltrap.io.odata.read_odata_csv`, which maps keys by their stem.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import cbs_source, line_numbers, parse_columns, raise_if, to_long, year_from_name
from roltrap.io._read import EXCEL_SUFFIXES, iter_table, read_frame
from roltrap.io.catalogue import indicators_for, read_aliases, read_catalogue
from roltrap.io.codes import level_of, normalise_code, parent_of
from roltrap.store import COLUMNS, Batch

#: Columns that describe the row rather than hold a figure.
META_COLUMNS = frozenset(
    {
        "gwb_code_10",
        "gwb_code_8",
        "gwb_code",
        "regio",
        "gm_naam",
        "recs",
        "ind_wbi",
        "year",
        "jaar",
    }
)
_RECS = {"land": "land", "gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}


_CODE_COLUMNS = ("gwb_code_10", "gwb_code", "gwb_code_8")
# A decimal comma: digits, a comma, digits (``11,3``, ``1.234,5``); never a KWB code or a year.
_DECIMAL_COMMA = r"^\s*[+-]?\d{1,3}(?:\.\d{3})*,\d+\s*$|^\s*[+-]?\d+,\d+\s*$"


def read_kwb_frame(path: Path | str) -> pd.DataFrame:
    """The raw KWB file as text cells (symbols, padding and leading zeros kept); index = file line.

    In a workbook the first sheet with a KWB code column is read (CBS puts an explanation sheet in
    front of the table in some downloads).
    """
    path = Path(path)
    frame = read_frame(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES or any(c.strip() in _CODE_COLUMNS for c in frame.columns):
        return frame
    names = pd.ExcelFile(path).sheet_names
    for name in names[1:]:
        other = read_frame(path, sheet=name)
        if any(c.strip() in _CODE_COLUMNS for c in other.columns):
            return other
    frame.attrs["sheets"] = names
    return frame


def detect_decimal(frame: pd.DataFrame, columns: list[str]) -> str:
    """``,`` when the figures are written with a decimal comma (a Dutch download), else ``.``."""
    for c in columns:
        if frame[c].astype("string").str.match(_DECIMAL_COMMA).fillna(False).any():
            return ","
    return "."


def kwb_batch(
    frame: pd.DataFrame,
    *,
    file: Path | str,
    year: int | None = None,
    source: dict[str, object] | None = None,
    decimal: str | None = None,
    catalogue: pd.DataFrame | None = None,
    whole_file: bool = True,
) -> Batch:
    """Turn a text frame in KWB layout into a Batch; every problem is collected before failing.

    Problems name the file line from the frame's index when it comes from :func:`read_kwb_frame`.
    ``decimal`` None: a decimal comma is recognised from the figures (:func:`detect_decimal`).
    ``whole_file=False`` (one chunk of a file, see :func:`read_kwb_chunks`): columns without any
    value are not reported, as a later chunk may fill them.
    """
    path = Path(file)
    fname = str(path)
    cat = read_catalogue() if catalogue is None else catalogue
    known = set(cat["id"])
    frame = frame.rename(columns={c: c.strip() for c in frame.columns})
    # Columns under another name for a catalogue id (kwb-2023.xlsx: a_opl_bvm for a_opl_lg).
    aliases = read_aliases()
    frame = frame.rename(columns={c: aliases[c] for c in frame.columns
                                  if c in aliases and aliases[c] not in frame.columns})
    problems: list[Problem] = []
    lines = line_numbers(frame).tolist()
    code_col = next((c for c in _CODE_COLUMNS if c in frame.columns), None)
    if code_col is None:
        found = ", ".join(str(c) for c in list(frame.columns)[:12])
        sheets = frame.attrs.get("sheets")
        if sheets:
            found += f" (werkbladen: {', '.join(map(str, sheets))}; geen enkel werkblad heeft zo'n kolom)"
        raise InputError(
            f"{path.name} heeft geen kolom met regiocodes (gwb_code_10, gwb_code of gwb_code_8).",
            file=path,
            hint=f"Een KWB-bestand heeft een kolom gwb_code_10 (met codes als GM0546, WK054600) of "
            f"gwb_code_8 (546, 54600). Gevonden kolommen: {found}. Is het een ander soort bestand? "
            "Geef dan {format} op.",
        )

    # -- years: a year/jaar column per row, else the keyword, else the file name ----------------
    year_col = next((c for c in ("year", "jaar") if c in frame.columns), None)
    fallback = year if year is not None else year_from_name(path)
    years: list[int] = []
    for line, raw in zip(lines, frame[year_col] if year_col else [""] * len(frame), strict=True):
        text = str(raw).strip()
        if text:
            try:
                years.append(int(float(text)))
                continue
            except ValueError:
                problems.append(Problem("geen jaartal (verwacht bijv. 2021)", fname, line, year_col, text))
        if fallback is None:
            if not problems or problems[-1].row != line:
                problems.append(Problem(_no_year(year_col), fname, line, year_col))
            years.append(0)
        else:
            years.append(fallback)

    # -- codes and levels -----------------------------------------------------------------------
    codes: list[str] = []
    levels: list[str] = []
    for line, raw, recs in zip(
        lines, frame[code_col], frame["recs"] if "recs" in frame.columns else [""] * len(frame), strict=True
    ):
        want = _RECS.get(str(recs).strip().lower())
        try:
            code = normalise_code(raw, level=want)
        except ValueError as exc:
            problems.append(Problem(str(exc), fname, line, code_col, str(raw)))
            codes.append("")
            levels.append("")
            continue
        lvl = level_of(code)
        if want and want != lvl:
            problems.append(
                Problem(
                    f"kolom recs zegt '{str(recs).strip()}', maar {code} is de code van een {lvl}; "
                    f"verbeter recs of de regiocode",
                    fname,
                    line,
                    "recs",
                    str(recs),
                )
            )
        codes.append(code)
        levels.append(lvl)

    value_cols = [c for c in frame.columns if c in known and c not in META_COLUMNS]
    decimal = decimal or detect_decimal(frame, value_cols)
    values, bad = parse_columns(frame, value_cols, file=fname, decimal=decimal)
    problems += bad
    keys = pd.DataFrame({"code": codes, "year": years}, index=lines)
    dup = keys.duplicated(keep=False) & (keys["code"] != "")
    problems += [
        Problem(f"regio {c} staat meer dan eens in het bestand voor {y}; laat één rij staan", fname,
                int(line), code_col, c)
        for line, (c, y) in keys[dup].iterrows()
    ]
    raise_if(
        problems,
        f"{path.name} is geen geldig KWB-bestand; er is niets geïmporteerd.",
        file=path,
        hint="Verbeter de genoemde cellen (getallen of CBS-symbolen . x - ?, regiocodes als GM0546 of "
        "WK054600, jaartallen als 2021) en importeer opnieuw.",
    )

    skipped = [
        Problem("kolom is geen bekende indicator; niet geladen (zie `roltrap indicators`)", fname, None, c)
        for c in frame.columns
        if c not in known and c not in META_COLUMNS
    ]
    # A column the file has but leaves empty (first release) is kept as NULLs: "not published yet"
    # stays visible as missing, never as 0 and never as silently absent.
    obs = to_long(values, codes=keys["code"], years=keys["year"], keep_empty_columns=True)
    loaded = set(obs["indicator_id"])
    filled = set(obs.loc[obs["value"].notna(), "indicator_id"])
    skipped += [empty_column(fname, c) for c in value_cols if c not in filled and whole_file]

    name_col = "regio" if "regio" in frame.columns else None
    names = frame[name_col].astype(str).str.strip() if name_col else pd.Series(codes)
    regions = pd.DataFrame({"code": codes, "name": names.to_numpy(), "level": levels, "year": years,
                            "_line": lines})
    regions.loc[regions["level"] == "land", "name"] = regions["name"].replace("", "Nederland")
    regions["name"] = regions["name"].mask(regions["name"] == "", regions["code"])
    regions = (
        regions.sort_values(["code", "year"])
        .drop_duplicates("code", keep="last")
        .rename(columns={"year": "boundary_year"})
    )
    regions["parent"] = regions["code"].map(parent_of)
    regions = regions[[*COLUMNS["regions"], "_line"]].reset_index(drop=True)  # _line: for messages

    src = {**(source or kwb_source(set(years), path)), "rows_loaded": len(obs), "decimal": decimal}
    return Batch(
        source=src, regions=regions, indicators=indicators_for(loaded, cat), observations=obs, skipped=skipped
    )


def empty_column(file: str, column: str) -> Problem:
    return Problem("kolom heeft in dit bestand geen enkele waarde (nog niet gepubliceerd?); opgeslagen als "
                   "ontbrekend", file, None, column)


def kwb_source(years: set[int], path: Path | str) -> dict[str, object]:
    """The ``sources`` row of a KWB file holding ``years``."""
    yrs = sorted(years)
    return cbs_source(f"cbs-kwb-{'-'.join(map(str, yrs))}",
                      f"CBS Kerncijfers wijken en buurten {', '.join(map(str, yrs))}", path)


def read_kwb_chunks(path: Path | str, *, year: int | None = None, decimal: str | None = None
                    ) -> Iterator[Batch]:
    """A KWB text file as one :class:`Batch` per chunk of rows (see :func:`roltrap.io._read.iter_table`),
    so a file of any size is read in bounded memory. The decimal mark found in the first chunk holds
    for the rest. Each chunk raises its own :class:`InputError`; the caller collects them.
    """
    cat = read_catalogue()
    for table in iter_table(path):
        batch = kwb_batch(table.frame(), file=path, year=year, decimal=decimal, catalogue=cat,
                          whole_file=False)
        decimal = decimal or str(batch.source.get("decimal") or "") or None
        yield batch


def _no_year(year_col: str | None) -> str:
    if year_col:
        return f"geen jaar voor deze rij: vul kolom {year_col} in of zet het jaar in de bestandsnaam " \
            "(bijv. kwb-2021.csv)"
    return "geen jaar voor deze rij: het bestand heeft geen kolom jaar en de bestandsnaam noemt geen jaar " \
        "(hernoem het bestand, bijv. kwb-2021.csv)"


def read_kwb(
    path: Path | str, *, year: int | None = None, source: dict[str, object] | None = None,
    decimal: str | None = None
) -> Batch:
    """Read a KWB download (csv or xlsx) into a Batch of regions, indicators and observations."""
    return kwb_batch(read_kwb_frame(path), file=path, year=year, source=source, decimal=decimal)
