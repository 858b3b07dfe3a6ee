"""Declarative checks (pandera) for the canonical tables an import carries.

The schemas say what a valid row is; :func:`validate_batch` runs all of them lazily, so every
failure in every table is collected in one pass, and turns pandera's failure cases into
:class:`~roltrap.errors.Problem` objects that name the file, line and column (loaders put the
source line in ``_line`` and the source column in ``_column``). One :class:`InputError` then shows
the first few problems and the total count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from roltrap.errors import InputError, Problem
from roltrap.store import DIRECTIONS, LEVELS, ORIGINS, Batch

#: A CBS region code: NL00, GM0546, WK054600 (or WK0363AA), BU05460000.
CODE_PATTERN = r"^(NL\d{2}|GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$"
FIRST_YEAR = 1950
_PREFIX_LEVEL = {"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}


def last_year() -> int:
    """Latest plausible year of a figure: next year (CBS publishes provisional figures early)."""
    return dt.date.today().year + 1


def _parent(code: str) -> str | None:
    prefix = code[:2]
    return {"WK": "GM" + code[2:6], "BU": "WK" + code[2:8], "GM": "NL00"}.get(prefix)


def _share_ok(df: pd.DataFrame) -> pd.Series:
    value = pd.to_numeric(df["value"], errors="coerce")
    return (df["_kind"] != "share") | value.isna() | value.between(0, 100)


#: Kinds of figure that cannot be negative: a count of persons, homes or hectares, a distance, a time.
NON_NEGATIVE_KINDS = frozenset({"count", "distance", "duration"})
# Counts that are changes, not stocks, may be negative (population growth, a migration balance).
# The catalogue says so in a label or description ("negatief = netto afvoering").
_SIGNED = re.compile(r"groei|saldo|toename|afname|verschil|mutatie|verander|ontwikkeling|correctie|"
                     r"_chg|_corr|negatief", re.I)


def signed_indicator(indicator_id: str, label: str | None = None) -> bool:
    """Whether a count may be negative because it is a change (``bev_groei``, a balance, a
    correction); ``label`` is the catalogue's label and description."""
    return bool(_SIGNED.search(indicator_id) or (label and _SIGNED.search(label)))


def _non_negative_ok(df: pd.DataFrame) -> pd.Series:
    value = pd.to_numeric(df["value"], errors="coerce")
    return ~df["_nonneg"].fillna(False).astype(bool) | value.isna() | (value >= 0)


def _level_ok(df: pd.DataFrame) -> pd.Series:
    return df["code"].astype(str).str[:2].map(_PREFIX_LEVEL) == df["level"]


def _parent_ok(df: pd.DataFrame) -> pd.Series:
    expected = df["code"].astype(str).map(_parent)
    return (df["parent"] == expected) | (expected.isna() & df["parent"].isna())


def _kind_ok(df: pd.DataFrame) -> pd.Series:
    if "_kind" not in df.columns:
        return pd.Series(True, index=df.index)
    kind = df["_kind"].astype("string").str.strip().str.lower()
    return kind.isna() | (kind == "") | (kind == df["level"]) | ((kind == "land") & (df["level"] == "land"))


def schemas() -> dict[str, pa.DataFrameSchema]:
    """The schema of each canonical table (years checked against today's date)."""
    years = pa.Check.in_range(FIRST_YEAR, last_year(), error="jaar")
    code = pa.Check.str_matches(CODE_PATTERN, error="regiocode")
    return {
        "observations": pa.DataFrameSchema(
            {
                "region_code": pa.Column(str, code),
                "year": pa.Column("int64", years, coerce=True),
                "indicator_id": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$", error="indicator")),
                "value": pa.Column("float64", pa.Check(lambda s: ~s.isin([float("inf"), float("-inf")]),
                                                       error="eindig"), nullable=True, coerce=True),
            },
            checks=[pa.Check(_share_ok, error="aandeel"),
                    pa.Check(_non_negative_ok, error="negatief")],
            unique=["region_code", "year", "indicator_id"], report_duplicates="all"),
        "regions": pa.DataFrameSchema(
            {
                "code": pa.Column(str, code),
                "name": pa.Column(str, pa.Check.str_length(min_value=1, error="naam")),
                "level": pa.Column(str, pa.Check.isin(LEVELS, error="niveau")),
            },
            checks=[pa.Check(_level_ok, error="niveau_code"), pa.Check(_parent_ok, error="ouder"),
                    pa.Check(_kind_ok, error="soort_regio")],
            unique=["code"], report_duplicates="all"),
        "flows": pa.DataFrameSchema(
            {
                "region_code": pa.Column(str, code),
                "year": pa.Column("int64", years, coerce=True),
                "direction": pa.Column(str, pa.Check.isin(DIRECTIONS, error="richting")),
                "origin": pa.Column(str, pa.Check.isin(ORIGINS, error="herkomst")),
                "persons": pa.Column("float64", pa.Check.ge(0, error="personen"), nullable=True, coerce=True),
                "months": pa.Column("int64", pa.Check.in_range(1, 12, error="maanden"), coerce=True),
            },
            unique=["region_code", "year", "direction", "origin"], report_duplicates="all"),
        "geometries": pa.DataFrameSchema(
            {"region_code": pa.Column(str, code),
             "boundary_year": pa.Column("int64", years, coerce=True)},
            unique=["region_code", "boundary_year"], report_duplicates="all"),
    }


_MESSAGES = {
    "regiocode": "geen CBS-regiocode (verwacht bijv. GM0546, WK054600, BU05460000)",
    "jaar": f"onwaarschijnlijk jaar (verwacht {FIRST_YEAR} t/m volgend jaar)",
    "indicator": "ongeldige indicator-id (kleine letters, cijfers en _)",
    "eindig": "oneindige waarde",
    "aandeel": "percentage buiten 0–100 (verwacht een aandeel van 0 tot en met 100)",
    "negatief": "negatief aantal (verwacht 0 of meer: deze indicator telt iets)",
    "naam": "lege naam",
    "niveau": f"onbekend niveau (verwacht {', '.join(LEVELS)})",
    "niveau_code": "niveau past niet bij de code (GM = gemeente, WK = wijk, BU = buurt)",
    "ouder": "bovenliggende regio past niet bij de code",
    "soort_regio": "'soort regio' past niet bij de code",
    "richting": f"onbekende richting (verwacht {', '.join(DIRECTIONS)})",
    "herkomst": f"onbekende herkomst (verwacht {', '.join(ORIGINS)})",
    "personen": "negatief aantal personen",
    "maanden": "aantal maanden buiten 1–12",
    "multiple_fields_uniqueness": "dubbele rij (zelfde regio, jaar en indicator komt vaker voor)",
    "field_uniqueness": "dubbele rij",
    "column_in_dataframe": "kolom ontbreekt",
    "dtype": "verkeerd gegevenstype",
    "coerce_dtype": "geen getal",
    "not_nullable": "lege waarde",
}
# How tables and canonical columns are named to the user (a loader's own file column wins via _column).
_TABLE_NAMES = {"observations": "waarden", "regions": "regio's", "flows": "verhuisstromen",
                "geometries": "grenzen"}
_COLUMN_NAMES = {"_kind": "soort regio", "region_code": "regiocode", "code": "regiocode", "year": "jaar",
                 "indicator_id": "indicator", "value": "waarde", "name": "naam", "level": "niveau",
                 "parent": "bovenliggende regio", "direction": "richting", "origin": "herkomst",
                 "persons": "personen", "months": "maanden", "boundary_year": "jaar van de indeling"}
# Which column a dataframe-level check is about (for the message).
_CHECK_COLUMN = {"aandeel": "value", "negatief": "value", "niveau_code": "level", "ouder": "parent",
                 "soort_regio": "_kind"}


def _message(check: str) -> str:
    if check in _MESSAGES:
        return _MESSAGES[check]
    for key, text in _MESSAGES.items():
        if check == key or check.startswith(key):
            return text
    return check


def _problems(name: str, df: pd.DataFrame, err: pa.errors.SchemaErrors, file: str | None) -> list[Problem]:
    fc = err.failure_cases
    out: list[Problem] = []
    seen: set[tuple[object, str, str]] = set()
    for rec in fc.itertuples(index=False):
        check = str(rec.check)
        col = _CHECK_COLUMN.get(check, str(rec.column) if rec.column is not None else "")
        idx = rec.index
        if "uniqueness" in check:
            col = "region_code" if name == "observations" else col
        key = (idx, check, col if "uniqueness" not in check else "")
        if key in seen:
            continue
        seen.add(key)
        line = None
        column = _COLUMN_NAMES.get(col, col)  # a file's own column name (below) is shown as is
        value = None if pd.isna(rec.failure_case) else str(rec.failure_case)
        if idx is not None and not pd.isna(idx) and idx in df.index:
            row = df.loc[idx]
            if "_line" in df.columns and not pd.isna(row["_line"]):
                line = int(row["_line"])
            if "_column" in df.columns and col in ("value", "indicator_id") and not pd.isna(row["_column"]):
                column = str(row["_column"])
            if col in df.columns:
                value = None if pd.isna(row[col]) else str(row[col])
            if name == "observations":
                if col == "value" and ("_column" not in df.columns or pd.isna(row.get("_column"))):
                    column = str(row["indicator_id"])  # KWB-style files: the column is the indicator id
                if "uniqueness" in check:
                    value = f"{row['region_code']} {row['year']} {row['indicator_id']}"
                elif line is None:
                    value = f"{value} bij {row['region_code']} {row['year']}"
        out.append(Problem(f"{_TABLE_NAMES.get(name, name)}: {_message(check)}", file=file, row=line,
                           column=column or None,
                           value=value))
    return sorted(out, key=lambda p: (p.row is None, p.row or 0, p.column or ""))


def validate_batch(batch: Batch, *, file: Path | str | None = None,
                   kinds: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None) -> None:
    """Check every table of ``batch`` against its schema; raise one :class:`InputError` with all problems.

    ``kinds`` maps indicator ids to their kind (the store's catalogue) and ``labels`` to their
    label; the batch's own indicator rows add to both. Shares (kind ``share``) must lie in [0, 100]
    (percent, as CBS publishes them); counts, distances and durations must not be negative, except
    counts of a change (:func:`signed_indicator`).
    """
    fname = str(file) if file is not None else None
    all_kinds = dict(kinds or {})
    all_labels = dict(labels or {})
    if not batch.indicators.empty:
        all_kinds.update(dict(zip(batch.indicators["id"], batch.indicators["kind"], strict=True)))
        if "label" in batch.indicators:
            all_labels.update(dict(zip(batch.indicators["id"], batch.indicators["label"], strict=True)))
    nonneg = {i: k in NON_NEGATIVE_KINDS and not signed_indicator(i, all_labels.get(i))
              for i, k in all_kinds.items()}
    problems: list[Problem] = []
    for name, schema in schemas().items():
        df: pd.DataFrame = getattr(batch, name)
        if df.empty:
            continue
        df = df.reset_index(drop=True)
        if name == "observations":
            df = df.assign(_kind=df["indicator_id"].map(all_kinds),
                           _nonneg=df["indicator_id"].map(nonneg))
        if name == "flows" and "months" not in df.columns:
            df = df.assign(months=12)
        try:
            schema.validate(df, lazy=True)
        except pa.errors.SchemaErrors as err:
            problems += _problems(name, df, err, fname)
    if problems:
        label = Path(fname).name if fname else "De import"
        hint = "Verbeter de genoemde rijen en kolommen en importeer opnieuw."
        if any("percentage buiten" in p.message for p in problems):
            hint += (" Percentages boven 100: is de decimale komma weggevallen (113 in plaats van 11,3)? "
                     "Dat komt voor in sommige KWB-downloads van 2021.")
        raise InputError(f"{label} is afgekeurd: {len(problems)} probleem/problemen gevonden; er is niets "
                         f"opgeslagen.", problems=problems, file=file, hint=hint)
