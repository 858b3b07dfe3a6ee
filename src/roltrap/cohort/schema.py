"""Person-year input: what a file must look like, and one validation pass that reports every problem.

A person-year file has one row per person per year in which the person was registered:

=================  ========  ===================================================================
column             required  meaning
=================  ========  ===================================================================
person_id          yes       opaque pseudonym (text); never a BSN or name
year               yes       calendar year (integer)
region_code        yes       buurt (BU05460000) or wijk (WK054600) of residence on 1 January
age                yes       age in whole years, 0–120
gemeente           no        municipality code; default: derived from region_code (GM + 4 digits)
income_percentile  no        household income percentile 0–100 within the country
household_income   no        household income in euros; turned into a percentile per year if no
                             income_percentile is given
education_level    no        laag / middelbaar / hoog
benefit            no        none / bijstand / WW / AO
household_type     no        free category (e.g. alleenstaand, paar, paar_met_kinderen, eenouder)
=================  ========  ===================================================================

Input is a Parquet or CSV file, or a folder of them (e.g. one file per year). A year in which a
person has no row is a gap: not registered (abroad, deceased, not yet born or moved in).
Validation runs in DuckDB straight on the files, so it scales to national size; problems are
collected in one pass (up to :data:`MAX_PER_CHECK` examples per check) with file, row and column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from roltrap.errors import EngineError, InputError, Problem

REQUIRED = ("person_id", "year", "region_code", "age")
OPTIONAL = (
    "gemeente",
    "income_percentile",
    "household_income",
    "education_level",
    "benefit",
    "household_type",
)
BENEFITS = ("none", "bijstand", "ww", "ao")
EDUCATION = ("laag", "middelbaar", "hoog")
MAX_AGE = 120
MAX_PER_CHECK = 20
SYNTHETIC_MARKER = "SYNTHETIC"


@dataclass(frozen=True)
class PersonYearInput:
    """A validated person-year input: which files, in which format, with which optional columns."""

    files: tuple[Path, ...]
    format: str  # "parquet" or "csv"
    columns: tuple[str, ...]
    rows: int
    persons: int
    years: tuple[int, int]
    synthetic: bool = False
    gemeenten: tuple[str, ...] = field(default_factory=tuple)
    # What validation saw of the codes, so the analysis can skip per-row work: ``clean_codes`` —
    # every region and gemeente code is already upper case without surrounding blanks;
    # ``buurt_codes`` — some rows carry a buurt code (BU…) that must be mapped to its wijk.
    clean_codes: bool = False
    buurt_codes: bool = True

    @property
    def income(self) -> str | None:
        """Which income column the analysis uses (percentile preferred)."""
        for col in ("income_percentile", "household_income"):
            if col in self.columns:
                return col
        return None


def find_files(path: Path) -> tuple[tuple[Path, ...], str]:
    """The data files at ``path`` (a file or a folder) and their common format."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            f"Invoer '{path}' bestaat niet.",
            hint="Geef een Parquet- of CSV-bestand, of een map met zulke bestanden.",
        )
    if path.is_file():
        files = [path]
    else:
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in (".parquet", ".csv") and not p.name.startswith((".", "_"))
        )
        if not files:
            raise InputError(
                f"De map '{path}' bevat geen .parquet- of .csv-bestanden.",
                file=path,
                hint="Zet de persoonsjaren in Parquet- of CSV-bestanden (bijv. één per jaar).",
            )
    suffixes = {p.suffix.lower() for p in files}
    if len(suffixes) > 1:
        raise InputError(
            f"De map '{path}' mengt Parquet- en CSV-bestanden.",
            file=path,
            hint="Gebruik één formaat per invoermap.",
        )
    fmt = suffixes.pop().lstrip(".")
    if fmt not in ("parquet", "csv"):
        raise InputError(
            f"'{path.name}' is geen Parquet- of CSV-bestand.",
            file=path,
            hint="Persoonsjaren worden gelezen uit .parquet of .csv.",
        )
    return tuple(files), fmt


def _relation_sql(files: tuple[Path, ...], fmt: str, *, locate: bool = True) -> str:
    """SQL reading the files; with ``locate`` each row also carries its file and line number."""
    listing = "[" + ", ".join(_quote(p) for p in files) + "]"
    if not locate:  # for the aggregate passes: no row numbering to compute
        if fmt == "parquet":
            return f"SELECT * FROM read_parquet({listing}, union_by_name=true)"
        return f"SELECT * FROM read_csv({listing}, all_varchar=true, header=true, union_by_name=true)"
    if fmt == "parquet":
        return (
            f"SELECT *, filename AS _file, file_row_number + 2 AS _row "
            f"FROM read_parquet({listing}, filename=true, file_row_number=true, union_by_name=true)"
        )
    # CSV: every column as text so type problems become findings instead of a failed read. The line
    # number is the scan's ordinality per file (header = line 1), the same on every run; a window
    # row_number() without an order is not (parallel scans finish in any order).
    parts = [
        f"SELECT * EXCLUDE (ordinality), {_quote(p)} AS _file, ordinality + 1 AS _row "
        f"FROM read_csv({_quote(p)}, all_varchar=true, header=true) WITH ORDINALITY"
        for p in files
    ]
    return " UNION ALL BY NAME ".join(parts)


def _quote(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


def validate(
    path: Path | str,
    *,
    known_wijken: set[str] | None = None,
    known_gemeenten: set[str] | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> PersonYearInput:
    """Check a person-year input in one pass and raise :class:`InputError` listing every problem.

    ``known_wijken``/``known_gemeenten`` are the region codes of the store; codes outside them are
    reported (a buurt code is checked through its wijk). ``None`` skips that check. ``progress``
    hears the share done (0–1) of the query running (the largest share so far).
    """
    from roltrap.cohort.engines import watch

    seen = [0.0]

    def share(f: float) -> None:
        seen[0] = max(seen[0], f)
        if progress:
            progress(seen[0])

    files, fmt = find_files(Path(path))
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        from roltrap.cohort.engines import spill_dir

        con.execute("SET memory_limit = ?", [memory_limit])
        con.execute("SET temp_directory = ?", [spill_dir()])
    try:
        with watch(con, share if progress else None):
            return _validate(
                con,
                path,
                files,
                fmt,
                known_wijken=known_wijken,
                known_gemeenten=known_gemeenten,
                bounded=bool(memory_limit),
            )
    finally:
        con.close()


def _validate(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    files: tuple[Path, ...],
    fmt: str,
    *,
    known_wijken: set[str] | None,
    known_gemeenten: set[str] | None,
    bounded: bool = False,
) -> PersonYearInput:
    try:
        con.execute(f"CREATE TEMP VIEW py AS {_relation_sql(files, fmt)}")
        con.execute(f"CREATE TEMP VIEW py_data AS {_relation_sql(files, fmt, locate=False)}")
        described = con.execute("DESCRIBE py").fetchall()
    except duckdb.Error as exc:
        raise InputError(
            f"Kan de persoonsjaren in '{path}' niet lezen: {_short(exc)}",
            file=path,
            hint="Controleer dat het een geldig Parquet- of CSV-bestand is.",
        ) from None
    cols = [r[0] for r in described]
    _check_types(con, {r[0]: str(r[1]) for r in described}, files, fmt)
    con.execute(BSN_MACRO)
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise InputError(
            f"Verplichte kolommen ontbreken in '{path}': {', '.join(missing)}.",
            file=path,
            problems=[Problem("kolom ontbreekt", column=c) for c in missing],
            hint=f"Een persoonsjaarbestand heeft de kolommen {', '.join(REQUIRED)} "
            f"(optioneel {', '.join(OPTIONAL)}).",
        )
    try:
        checks = _checks(con, cols, known_wijken=known_wijken, known_gemeenten=known_gemeenten)
        counts, row = _profile(con, cols, checks, fmt=fmt)
        persons, bad_ids, dup_persons, bsn = _person_pass(con, row[1], row[2], one_thread=bounded)
        if fmt != "csv":  # the person pass counted missing ids on its groups: search rows only then
            assert checks[0][0] == "person_id"
            counts[0] = bad_ids
        problems = _check(con, checks, counts, duplicates=dup_persons, bsn=bsn)
    except duckdb.OutOfMemoryException as exc:
        raise out_of_memory(exc) from None
    except duckdb.Error as exc:  # e.g. a CSV line with more fields than the header
        raise InputError(
            f"Kan de persoonsjaren in '{path}' niet lezen: {_short(exc)}",
            file=path,
            hint="Controleer dat elke regel evenveel velden heeft als de kopregel en dat het "
            "bestand UTF-8 is.",
        ) from None
    if problems:
        raise InputError(
            f"De persoonsjaren in '{path}' kloppen niet ({len(problems)} problemen).",
            problems=problems,
            file=path,
            hint="Herstel de genoemde rijen en probeer opnieuw; ontbrekende jaren mogen "
            "(niet ingeschreven), dubbele persoon-jaren niet.",
        )
    if not row[0] or row[1] is None or row[2] is None:
        raise InputError(f"'{path}' bevat geen rijen.", file=path)
    years = (int(row[1]), int(row[2]))
    if "gemeente" in cols:
        gem_expr = "upper(trim(gemeente))"
        gem_clean = "gemeente IS NULL OR gemeente = upper(trim(gemeente))"
    else:
        gem_expr, gem_clean = "'GM' || substr(upper(trim(region_code)), 3, 4)", "true"
    found = con.execute(
        f"SELECT list(DISTINCT {gem_expr}), "
        f"coalesce(bool_and(region_code = upper(trim(region_code)) AND ({gem_clean})), true), "
        f"coalesce(bool_or(upper(trim(region_code)) LIKE 'BU%'), false) FROM _profile"
    ).fetchone()
    assert found is not None
    gemeenten = tuple(sorted(g for g in (found[0] or []) if g))
    root = Path(path) if Path(path).is_dir() else Path(path).parent
    data_cols = tuple(c for c in cols if c in REQUIRED + OPTIONAL)
    return PersonYearInput(
        files=files,
        format=fmt,
        columns=data_cols,
        rows=int(row[0]),
        persons=persons,
        years=years,
        synthetic=(root / SYNTHETIC_MARKER).exists(),
        gemeenten=gemeenten,
        clean_codes=bool(found[1]),
        buurt_codes=bool(found[2]),
    )


Check = tuple[str, str, str]  # (column, SQL condition marking a bad row, message)
CODE_COLUMNS = ("region_code", "gemeente")


def _checks(
    con: duckdb.DuckDBPyConnection,
    cols: list[str],
    *,
    known_wijken: set[str] | None,
    known_gemeenten: set[str] | None,
) -> list[Check]:
    """Every row check as an SQL condition; the known codes go into temp tables the checks read."""
    wijk_expr = (
        "CASE WHEN upper(trim(region_code)) LIKE 'BU%' THEN 'WK' || substr(upper(trim(region_code)), 3, 6) "
        "ELSE upper(trim(region_code)) END"
    )
    checks: list[tuple[str, str, str]] = [  # (column, SQL condition marking a bad row, message)
        (
            "person_id",
            "person_id IS NULL OR trim(CAST(person_id AS VARCHAR)) = ''",
            "persoonsnummer ontbreekt",
        ),
        (
            "year",
            "year IS NULL OR TRY_CAST(year AS INTEGER) IS NULL",
            "jaar ontbreekt of is geen geheel getal",
        ),
        (
            "year",
            "TRY_CAST(year AS INTEGER) NOT BETWEEN 1900 AND 2100",
            "onmogelijk jaar (verwacht 1900–2100)",
        ),
        (
            "age",
            "age IS NULL OR TRY_CAST(age AS INTEGER) IS NULL",
            "leeftijd ontbreekt of is geen geheel getal",
        ),
        (
            "age",
            f"TRY_CAST(age AS INTEGER) NOT BETWEEN 0 AND {MAX_AGE}",
            f"onmogelijke leeftijd (verwacht 0–{MAX_AGE})",
        ),
        (
            "region_code",
            "region_code IS NULL OR NOT regexp_full_match(upper(trim(CAST(region_code AS VARCHAR))), "
            "'(WK\\d{4}[0-9A-Z]{2}|BU\\d{4}[0-9A-Z]{4})')",
            "geen wijk- of buurtcode (verwacht bijv. WK054600 of BU05460000)",
        ),
    ]
    if known_wijken is not None:
        con.execute(
            "CREATE TEMP TABLE _known_wijk AS SELECT unnest(?::VARCHAR[]) AS code", [sorted(known_wijken)]
        )
        checks.append(
            (
                "region_code",
                f"regexp_full_match(upper(trim(CAST(region_code AS VARCHAR))), "
                f"'(WK\\d{{4}}[0-9A-Z]{{2}}|BU\\d{{4}}[0-9A-Z]{{4}})') "
                f"AND {wijk_expr} NOT IN (SELECT code FROM _known_wijk)",
                "onbekende wijk (niet in de regio's van de database)",
            )
        )
    if "gemeente" in cols:
        checks.append(
            (
                "gemeente",
                "gemeente IS NOT NULL AND NOT regexp_full_match(upper(trim(gemeente)), 'GM\\d{4}')",
                "geen gemeentecode (verwacht bijv. GM0546)",
            )
        )
        if known_gemeenten is not None:
            con.execute(
                "CREATE TEMP TABLE _known_gm AS SELECT unnest(?::VARCHAR[]) AS code",
                [sorted(known_gemeenten)],
            )
            checks.append(
                (
                    "gemeente",
                    "regexp_full_match(upper(trim(gemeente)), 'GM\\d{4}') AND "
                    "upper(trim(gemeente)) NOT IN (SELECT code FROM _known_gm)",
                    "onbekende gemeente",
                )
            )
    if "income_percentile" in cols:
        checks.append(
            (
                "income_percentile",
                "income_percentile IS NOT NULL AND TRY_CAST(income_percentile AS DOUBLE) IS NULL",
                "inkomenspercentiel is geen getal",
            )
        )
        checks.append(
            (
                "income_percentile",
                "TRY_CAST(income_percentile AS DOUBLE) NOT BETWEEN 0 AND 100",
                "inkomenspercentiel buiten 0–100",
            )
        )
    if "household_income" in cols:
        checks.append(
            (
                "household_income",
                "household_income IS NOT NULL AND TRY_CAST(household_income AS DOUBLE) IS NULL",
                "huishoudinkomen is geen getal",
            )
        )
    if "benefit" in cols:
        allowed = ", ".join(f"'{b}'" for b in BENEFITS)
        checks.append(
            (
                "benefit",
                f"benefit IS NOT NULL AND lower(trim(benefit)) NOT IN ({allowed})",
                "onbekende uitkering (verwacht none, bijstand, WW of AO)",
            )
        )
    if "education_level" in cols:
        allowed = ", ".join(f"'{b}'" for b in EDUCATION)
        checks.append(
            (
                "education_level",
                f"education_level IS NOT NULL AND lower(trim(education_level)) NOT IN ({allowed})",
                "onbekend opleidingsniveau (verwacht laag, middelbaar of hoog)",
            )
        )
    return checks


def _profile(
    con: duckdb.DuckDBPyConnection, cols: list[str], checks: list[Check], *, fmt: str
) -> tuple[list[int], tuple[int, int | None, int | None]]:
    """(bad rows per check, (rows, first year, last year)), and the temp table ``_profile``: rows
    per distinct code (region_code, gemeente), from which the gemeenten and the state of the codes
    are read.

    CSV: one scan. It is grouped by the code columns (a few hundred distinct values in real input),
    the checks on codes (format, known wijk or gemeente) run on the distinct codes instead of on
    every row, and the other checks are counts in the same pass. Parquet: the grouping reads only
    the code columns, and every other check is left to its own filtered query in :func:`_check`
    (reported as 1 here): DuckDB answers those from the files' column statistics and dictionaries
    without decoding the rows, which a count over every row would have to do.
    """
    keys = [c for c in CODE_COLUMNS if c in cols]
    per_row = [(i, cond) for i, (column, cond, _) in enumerate(checks) if column not in CODE_COLUMNS]
    aggs = "".join(f", count(*) FILTER (WHERE {cond}) AS c{i}" for i, cond in per_row) if fmt == "csv" else ""
    con.execute(
        f"CREATE TEMP TABLE _profile AS SELECT {', '.join(keys)}, count(*) AS n{aggs} "
        f"FROM py_data GROUP BY ALL"
    )
    sums = ", ".join(
        (f"coalesce(sum(c{i}), 0)" if fmt == "csv" else "1")
        if column not in CODE_COLUMNS
        else f"coalesce(sum(n) FILTER (WHERE {cond}), 0)"
        for i, (column, cond, _) in enumerate(checks)
    )
    counts = con.execute(f"SELECT {sums} FROM _profile").fetchone()
    years = con.execute(
        "SELECT count(*), min(TRY_CAST(year AS INTEGER)), max(TRY_CAST(year AS INTEGER)) FROM py_data"
    ).fetchone()
    assert counts is not None and years is not None
    return [int(v) for v in counts], (int(years[0]), years[1], years[2])


def _check(
    con: duckdb.DuckDBPyConnection,
    checks: list[Check],
    counts: list[int],
    *,
    duplicates: int = 1,
    bsn: int = 0,
) -> list[Problem]:
    """Every finding, as (file, row, column, value, message); at most MAX_PER_CHECK per check.

    ``counts`` are the bad rows per check from :func:`_profile`, ``duplicates``/``bsn`` come from
    :func:`_person_pass`; only checks that found something search for their example rows.
    """
    problems: list[Problem] = []
    if bsn:
        # Never show the value: it is (or looks like) a citizen service number.
        rows = con.execute(
            f"SELECT _file, _row, NULL FROM py WHERE is_bsn(person_id) ORDER BY _file, _row "
            f"LIMIT {MAX_PER_CHECK + 1}"
        ).fetchall()
        problems += _as_problems(
            rows,
            "person_id",
            f"persoonsnummer is een geldig BSN (elfproef; {bsn} persoonsnummers): persoonsnummers "
            f"moeten pseudoniemen zijn",
        )
    for (column, cond, message), count in zip(checks, counts, strict=True):
        if not count:
            continue
        rows = con.execute(
            f"SELECT _file, _row, CAST({column} AS VARCHAR) FROM py WHERE {cond} "
            f"ORDER BY _file, _row LIMIT {MAX_PER_CHECK + 1}"
        ).fetchall()
        problems += _as_problems(rows, column, message)
    if not duplicates:
        return problems
    # Group first (a hash aggregate), fetch row numbers only for the few hits.
    dup = con.execute(
        f"""WITH d AS (SELECT person_id AS pid, TRY_CAST(year AS INTEGER) AS y FROM py
                       WHERE person_id IS NOT NULL AND TRY_CAST(year AS INTEGER) IS NOT NULL
                       GROUP BY ALL HAVING count(*) > 1 LIMIT {MAX_PER_CHECK + 1})
            SELECT _file, _row, 'jaar ' || CAST(year AS VARCHAR)
            FROM py JOIN d ON py.person_id = d.pid AND TRY_CAST(py.year AS INTEGER) = d.y
            ORDER BY _file, _row LIMIT {MAX_PER_CHECK + 1}"""
    ).fetchall()
    problems += _as_problems(
        dup, "person_id", "dubbel persoon-jaar (een persoon mag één rij per jaar hebben)"
    )
    return problems


def _person_pass(
    con: duckdb.DuckDBPyConnection, y0: int | None, y1: int | None, *, one_thread: bool = False
) -> tuple[int, int, int, int]:
    """(persons, missing/empty ids found (0 = none), persons with a duplicate year, ids that pass the
    elfproef), one grouping.

    The years of a person are OR-ed into a bit mask; a person has a duplicate year exactly when the
    mask has fewer bits set than the person has rows with a year. This one hash aggregate (one group
    per person) replaces a grouping per person-year and a separate distinct count, the two costliest
    scans at national size; the elfproef runs on the groups (once per person). Inputs spanning more
    than 62 years fall back to the plain queries.

    ``one_thread`` (set under a memory limit): the grouping runs on one thread. Grouped on the text
    ids, DuckDB's parallel aggregate ran out of memory even while spilling (100M person-years at
    1 GB, 400M at 4 GB: each thread keeps its own partitions of the id groups); on one thread it
    fits in half the memory and, on a machine of 2 cores, was no slower.
    """
    if not one_thread:
        return _person_groups(con, y0, y1)
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    con.execute("SET threads = 1")
    try:
        return _person_groups(con, y0, y1)
    finally:
        con.execute(f"SET threads = {int(threads[0]) if threads else 1}")


def _person_groups(
    con: duckdb.DuckDBPyConnection, y0: int | None, y1: int | None
) -> tuple[int, int, int, int]:
    if y0 is None or y1 is None or y1 - y0 > 62:
        one = con.execute(
            "SELECT count(DISTINCT person_id), "
            "count(*) FILTER (WHERE person_id IS NULL OR trim(CAST(person_id AS VARCHAR)) = ''), "
            "count(DISTINCT person_id) FILTER (WHERE is_bsn(person_id)) FROM py_data"
        ).fetchone()
        assert one is not None
        return int(one[0]), int(one[1]), 1, int(one[2])
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE pid IS NOT NULL),
                   count(*) FILTER (WHERE pid IS NULL OR trim(CAST(pid AS VARCHAR)) = ''),
                   count(*) FILTER (WHERE pid IS NOT NULL AND bit_count(mask) < n),
                   count(*) FILTER (WHERE is_bsn(pid))
            FROM (SELECT person_id AS pid, count(y) AS n, bit_or(1::BIGINT << (y - {int(y0)})) AS mask
                  FROM (SELECT person_id, TRY_CAST(year AS INTEGER) AS y FROM py_data)
                  GROUP BY person_id)"""
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


# A Dutch citizen service number (BSN): 8 or 9 digits whose weighted sum 9·d1 + 8·d2 + … + 2·d8 − d9
# is a multiple of 11 (the elfproef). Person ids must be pseudonyms, never BSNs.
BSN_MACRO = (
    "CREATE OR REPLACE TEMP MACRO is_bsn(v) AS (CASE WHEN regexp_full_match(trim(CAST(v AS VARCHAR)), "
    "'[0-9]{8,9}') AND TRY_CAST(trim(CAST(v AS VARCHAR)) AS BIGINT) > 0 THEN ("
    + " + ".join(
        f"{w} * coalesce(TRY_CAST(substr(lpad(trim(CAST(v AS VARCHAR)), 9, '0'), {i}, 1) AS INTEGER), 99)"
        for i, w in enumerate((9, 8, 7, 6, 5, 4, 3, 2, -1), start=1)
    )
    + ") % 11 = 0 ELSE false END)"
)

NESTED = ("STRUCT", "MAP", "UNION", "[]", "[")
TEXT_COLUMNS = {
    "region_code": "een wijk- of buurtcode als tekst (bijv. WK054600 of BU05460000); als getal gaan "
    "het voorvoegsel en de voorloopnullen verloren",
    "gemeente": "een gemeentecode als tekst (bijv. GM0546)",
}


def _check_types(
    con: duckdb.DuckDBPyConnection, types: dict[str, str], files: tuple[Path, ...], fmt: str
) -> None:
    """Refuse column types the checks cannot read: codes that are not text, nested values anywhere."""
    for col in (*REQUIRED, *OPTIONAL):
        typ = types.get(col)
        if typ is None:
            continue
        nested = any(t in typ.upper() for t in NESTED)
        wrong_text = col in TEXT_COLUMNS and typ.upper() != "VARCHAR"
        if not (nested or wrong_text):
            continue
        where = _file_with_type(con, col, files, fmt)
        expected = TEXT_COLUMNS.get(col, "een enkel getal of tekst per rij")
        raise InputError(
            f"Kolom '{col}' in '{where}' heeft het type {_dutch_type(typ)}; verwacht {expected}.",
            file=where,
            problems=[Problem(f"type {_dutch_type(typ)} in plaats van tekst", file=str(where), column=col)],
            hint=f"Sla de kolom {col} op als tekst (string) en probeer opnieuw.",
        )


def _file_with_type(con: duckdb.DuckDBPyConnection, col: str, files: tuple[Path, ...], fmt: str) -> Path:
    if fmt != "parquet" or len(files) == 1:
        return files[0]
    for f in files:
        desc = dict(con.execute(f"DESCRIBE SELECT * FROM read_parquet({_quote(f)})").fetchall())
        if col in desc and str(desc[col]).upper() != "VARCHAR":
            return f
    return files[0]


def _dutch_type(typ: str) -> str:
    t = typ.upper()
    if t.startswith("STRUCT"):
        return "struct (samengestelde waarde)"
    if "[" in t or t.startswith(("LIST", "MAP")):
        return "lijst"
    if t in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
    ):
        return "geheel getal"
    if t in ("FLOAT", "DOUBLE") or t.startswith("DECIMAL"):
        return "getal"
    return t.lower()


def out_of_memory(exc: BaseException) -> EngineError:
    """DuckDB ran out of its memory limit even with spilling: say so, and how to give it more."""
    return EngineError(
        f"DuckDB heeft te weinig geheugen voor deze invoer: {_short(exc)}",
        hint="Verhoog de geheugengrens (bijv. 4GB) of laat de grens weg; wat niet past, schrijft "
        "DuckDB naar schijf, maar het groeperen per persoon heeft een minimum nodig.",
        param="memory_limit",
    )


def _short(exc: BaseException) -> str:
    """The first line of an engine error: DuckDB quotes the offending CSV line on later lines, and
    that line may hold personal data."""
    lines = str(exc).splitlines()
    text = lines[0] if lines else type(exc).__name__
    return text.split("Original Line")[0].strip()[:300]


def _as_problems(rows: list[tuple[object, ...]], column: str, message: str) -> list[Problem]:
    out = [
        Problem(message, file=str(f), row=int(str(r)), column=column, value=None if v is None else str(v))
        for f, r, v in rows[:MAX_PER_CHECK]
    ]
    if len(rows) > MAX_PER_CHECK:
        out.append(Problem(f"… en meer rijen met: {message}", column=column))
    return out
