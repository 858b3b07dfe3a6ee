"""Find the microdata files in a folder and load them into DuckDB as text tables.

Every value is read as text, trimmed, so padded codes (``'000012345'``, ``'0546'``), date strings
(``'20050101'``) and code lists keep their exact form; :mod:`.prepare` parses what it needs.

* ``.sav``: read with pyreadstat in chunks (out of core: one chunk in memory at a time), numbers
  printed without a trailing ``.0``; labelled values keep their codes.
* ``.csv``: DuckDB's CSV reader, every column as text; ``;`` or ``,`` separators are sniffed.
* ``.parquet``: DuckDB, cast to text.

Which file: when a table comes in several editions or versions (``…V1``, ``…V2``), the latest
version of the latest edition is used for the tables that hold all history (address spells,
regions, persons, households); for the yearly tables (income, education, breadwinner link) the
latest version of each year.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from roltrap.cohort.microdata.layouts import EXTENSIONS, REQUIRED_ROLES, TABLE_BY_ROLE, TABLES, VERSION
from roltrap.errors import InputError

SAV_CHUNK = 500_000


@dataclass(frozen=True)
class SourceFile:
    role: str
    path: Path
    year: int | None
    version: int

    @property
    def table(self) -> str:
        return TABLE_BY_ROLE[self.role].name


def _classify(path: Path) -> SourceFile | None:
    # Upper case, no spaces, no date prefix ("120619 HOOGSTEOPLTAB 2006V1").
    stem = re.sub(r"^\d+", "", re.sub(r"\s+", "", path.stem.upper()))
    for table in TABLES:
        m = table.pattern.match(stem)
        if not m:
            continue
        year = m.groupdict().get("year")
        v = VERSION.search(stem)
        return SourceFile(table.role, path, int(year) if year else None, int(v.group(1)) if v else 0)
    return None


def discover(folder: Path) -> dict[str, list[SourceFile]]:
    """The files of each role found under ``folder`` (chosen edition and version only)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            f"De microdatamap '{folder}' bestaat niet of is geen map.",
            file=folder,
            hint="Geef de map met de CBS-bestanden (GBAADRESOBJECTBUS, VSLGWBTAB, GBAPERSOONTAB, …).",
        )
    found: dict[str, list[SourceFile]] = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in EXTENSIONS or p.name.startswith((".", "~")):
            continue
        sf = _classify(p)
        if sf is not None:
            found.setdefault(sf.role, []).append(sf)
    missing = [r for r in REQUIRED_ROLES if r not in found]
    if missing:
        names = ", ".join(TABLE_BY_ROLE[r].name for r in missing)
        raise InputError(
            f"In '{folder}' ontbreken de bestanden van {names}.",
            file=folder,
            hint="Nodig zijn minstens GBAADRESOBJECTBUS (adresperioden), VSLGWBTAB (regio per adres) "
            "en GBAPERSOONTAB (geboortejaar); als .sav, .csv of .parquet.",
        )
    chosen: dict[str, list[SourceFile]] = {}
    for role, files in found.items():
        if TABLE_BY_ROLE[role].per_year:
            by_year: dict[int | None, SourceFile] = {}
            for f in files:
                cur = by_year.get(f.year)
                if cur is None or (f.version, str(f.path)) > (cur.version, str(cur.path)):
                    by_year[f.year] = f
            chosen[role] = sorted(by_year.values(), key=lambda f: (f.year or 0))
        elif role == "regions":
            # VSLGWBTAB and NIETVSLGWBTAB are complementary: keep the latest of each kind.
            kinds: dict[bool, SourceFile] = {}
            for f in files:
                niet = f.path.stem.upper().startswith("NIET")
                cur = kinds.get(niet)
                if cur is None or ((f.year or 0), f.version) > ((cur.year or 0), cur.version):
                    kinds[niet] = f
            chosen[role] = list(kinds.values())
        else:
            chosen[role] = [max(files, key=lambda f: ((f.year or 0), f.version, str(f.path)))]
    return chosen


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _text_sql(col: str, *, numeric: bool) -> str:
    """A .sav column as text in SQL: whole numbers without '.0' (SPSS stores every number as a
    double), NaN and empty strings as NULL."""
    c = _q(col)
    if numeric:
        return (
            f"CASE WHEN isnan({c}) THEN NULL WHEN {c} = floor({c}) THEN CAST(CAST({c} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({c} AS VARCHAR) END AS {c}"
        )
    return f"nullif(trim(CAST({c} AS VARCHAR)), '') AS {c}"


def load(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    table: str,
    *,
    columns: list[str] | None = None,
    append: bool = False,
    on_chunk: Callable[[int], None] | None = None,
) -> list[str]:
    """Load ``source`` into the DuckDB table ``table`` (text columns, upper-cased names kept as in
    the file); returns the column names. ``columns`` limits what is read (names, any case)."""
    path = source.path
    suffix = path.suffix.lower()
    try:
        if suffix == ".sav":
            cols = _load_sav(con, path, table, columns=columns, append=append, on_chunk=on_chunk)
        else:
            reader = (
                f"read_csv({_lit(path)}, all_varchar=true, header=true, sample_size=-1)"
                if suffix == ".csv"
                else f"read_parquet({_lit(path)})"
            )
            have = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
            keep = _pick(have, columns)
            sel = ", ".join(f"nullif(trim(CAST({_q(c)} AS VARCHAR)), '') AS {_q(c)}" for c in keep)
            verb = f"INSERT INTO {table} BY NAME" if append else f"CREATE TABLE {table} AS"
            con.execute(f"{verb} SELECT {sel} FROM {reader}")
            cols = keep
            if on_chunk:
                on_chunk(0)
    except (duckdb.InterruptException, RuntimeError) as exc:
        if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise
    except duckdb.Error as exc:
        raise InputError(
            f"Kan {source.table}-bestand '{path.name}' niet lezen: {exc}",
            file=path,
            hint="Controleer dat het bestand compleet is (.sav zoals CBS het levert, of een CSV met "
            "kopregel).",
        ) from exc
    return cols


def _pick(have: list[str], wanted: list[str] | None) -> list[str]:
    if wanted is None:
        return have
    upper = {c.upper(): c for c in have}
    return [upper[w.upper()] for w in wanted if w.upper() in upper]


def _load_sav(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    *,
    columns: list[str] | None,
    append: bool,
    on_chunk: Callable[[int], None] | None,
) -> list[str]:
    import pandas as pd
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises its own error types for damaged files
        raise InputError(
            f"'{path.name}' is geen leesbaar SPSS-bestand: {exc}",
            file=path,
            hint="Lever het .sav-bestand zoals CBS het aanlevert, of een CSV-kopie.",
        ) from exc
    keep = _pick(list(meta.column_names), columns)
    _store_labels(con, table, meta.variable_value_labels or {}, keep)
    created = append
    done = 0
    for chunk, _ in pyreadstat.read_file_in_chunks(
        pyreadstat.read_sav, str(path), chunksize=SAV_CHUNK, usecols=keep, disable_datetime_conversion=True
    ):
        con.register("_sav_chunk", chunk)
        sel = ", ".join(_text_sql(c, numeric=pd.api.types.is_numeric_dtype(chunk[c])) for c in keep)
        if created:
            con.execute(f"INSERT INTO {table} BY NAME SELECT {sel} FROM _sav_chunk")
        else:
            con.execute(f"CREATE TABLE {table} AS SELECT {sel} FROM _sav_chunk")
            created = True
        con.unregister("_sav_chunk")
        done += len(chunk)
        if on_chunk:
            on_chunk(done)
    if not created:  # an empty file: still make the table, so later steps see no rows
        cols = ", ".join(f"{_q(c)} VARCHAR" for c in keep)
        con.execute(f"CREATE TABLE {table} ({cols})")
    return keep


def _store_labels(
    con: duckdb.DuckDBPyConnection, table: str, labels: Mapping[str, Mapping[Any, str]], keep: list[str]
) -> None:
    """Keep the SPSS value labels (code → text) of the columns read, in the table ``_labels``: a code
    list is read from the file itself, so a recoded edition still maps by its own labels."""
    con.execute("CREATE TABLE IF NOT EXISTS _labels (tbl VARCHAR, col VARCHAR, code VARCHAR, label VARCHAR)")
    rows = []
    for col, mapping in labels.items():
        if col not in keep:
            continue
        for code, label in mapping.items():
            text = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code).strip()
            rows.append((table, col.upper(), text, str(label)))
    if rows:
        con.executemany("INSERT INTO _labels VALUES (?, ?, ?, ?)", rows)


def require_columns(
    con: duckdb.DuckDBPyConnection, table: str, source: SourceFile, needed: tuple[str, ...]
) -> None:
    have = {r[0].upper() for r in con.execute(f"DESCRIBE {table}").fetchall()}
    missing = [c for c in needed if c.upper() not in have]
    if missing:
        raise InputError(
            f"{source.table}-bestand '{source.path.name}' mist de kolom(men) {', '.join(missing)}.",
            file=source.path,
            hint=f"Een {source.table}-bestand heeft de variabelen {', '.join(needed)} "
            "(namen zoals CBS ze levert).",
        )
