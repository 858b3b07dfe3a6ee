"""From CBS microdata to person-years: the canonical input of ``roltrap cohort analyse``.

For every year Y and a reference date D in Y (1 January, or 30 September):

* **address**: the GBAADRESOBJECTBUS spell that covers D (start ≤ D ≤ end; both dates inclusive, an
  open end covers every later date). A move on 31 December (old spell ends 31-12, new one starts
  01-01) puts the person at the new address on 1 January; a spell ending on 1 January still
  covers 1 January. **Overlapping spells** (corrections, double registrations) are resolved by
  one rule: the spell that started last wins; on equal starts the one that ends last (open
  first), then the highest object number. A person with no spell covering D (abroad, not yet
  born, deceased) has **no person-year** that year.
* **region**: the address object's ``gemY``/``wcY``/``bcY`` in VSLGWBTAB, so every year uses its
  own boundaries (a buurt that was split or moved to another wijk is counted where it lay in Y).
  ``region_code`` is the buurt (``BU`` + bcY), or the wijk (``WK`` + wcY) when the buurt is
  unknown; objects without a known region that year are left out and counted.
* **age** at D from GBAGEBOORTEJAAR/-MAAND (and -DAG when delivered; otherwise the birthday is
  taken as the 15th of the month, the middle of the month).
* **income**: the person's main breadwinner in year Y (KOPPELPERSOONHUISHOUDEN or INPATAB of year
  Y, or RINPERSOONHKW in the household spell covering D) → INHATAB of year Y: INHP100HBEST as
  ``income_percentile`` (negative codes → no percentile), INHBBIHJ as ``benefit``.
* **education**: HOOGSTEOPLTAB of year Y, else the latest earlier year: first digit of the SOI
  level → laag/middelbaar/hoog. **household_type** from TYPHH of the household spell covering D.

Runs in DuckDB with a memory limit and a spill folder, so national files (hundreds of millions of
spells) fit a 16 GB machine. The sources are loaded once into a staging database next to the
output (reused by a rerun when the sources did not change); each year is written as its own
Parquet file under a temporary name and renamed when complete, so a rerun skips finished years
and an interrupted run never leaves a half year.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from roltrap.cohort.microdata import layouts as L
from roltrap.cohort.microdata.read import SourceFile, discover, load, require_columns
from roltrap.cohort.schema import SYNTHETIC_MARKER
from roltrap.errors import ConfigError, InputError, Problem

PEILDATA = {"01-01": (1, 1), "30-09": (9, 30)}
MANIFEST = "_prepare.json"
STAGING = ".staging.duckdb"
MAX_PROBLEMS = 20
Progress = Callable[[str, int, int], None]  # (label, done, total)


@dataclass
class PrepareReport:
    out: Path
    peildatum: str
    years_written: list[int] = field(default_factory=list)
    years_skipped: list[int] = field(default_factory=list)  # finished by an earlier run
    years_missing: list[int] = field(default_factory=list)  # asked for, but no boundaries that year
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(c["person_years"] for c in self.counts.values())


def year_file(out: Path, year: int) -> Path:
    return out / f"person_years_{year}.parquet"


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _col(cols: list[str], name: str) -> str | None:
    """The column of ``cols`` named ``name`` in any case (CBS mixes case between editions)."""
    for c in cols:
        if c.upper() == name.upper():
            return c
    return None


def _date_sql(expr: str) -> str:
    """A CBS date string (YYYYMMDD, or YYYY-MM-DD in some copies) as DATE, else NULL."""
    return f"coalesce(try_strptime({expr}, '%Y%m%d'), try_strptime({expr}, '%Y-%m-%d'))::DATE"


def _open_end_sql(expr: str) -> str:
    opens = ", ".join(f"'{v}'" for v in L.OPEN_END if v)
    return f"({expr} IS NULL OR {expr} IN ({opens}) OR TRY_CAST({expr} AS BIGINT) >= {L.OPEN_END_FROM})"


def _code_sql(expr: str, width: int) -> str:
    """A region code as ``width`` characters: 4 digits of the gemeente, then digits or letters
    (Amsterdam's wijken are lettered, 0363AE); leading zeros restored when a copy dropped them."""
    unknown = ", ".join(f"'{v}'" for v in L.UNKNOWN_REGION if v)
    tail = width - 4
    lettered = f"'\\d{{4}}[0-9A-Z]{{{tail}}}'" if tail else "'\\d{4}'"
    return (
        f"CASE WHEN {expr} IS NULL OR {expr} IN ({unknown}) THEN NULL "
        f"WHEN regexp_full_match({expr}, '\\d{{1,{width}}}') THEN lpad({expr}, {width}, '0') "
        f"WHEN regexp_full_match(upper({expr}), {lettered}) THEN upper({expr}) END"
    )


class Builder:
    """One prepare run: staging the sources, then one query per year."""

    def __init__(
        self,
        microdata: Path,
        out: Path,
        *,
        peildatum: str = "01-01",
        memory_limit: str = "4GB",
        threads: int | None = None,
        temp_dir: Path | None = None,
    ) -> None:
        if peildatum not in PEILDATA:
            raise ConfigError(
                f"Onbekende peildatum '{peildatum}'.", hint="Kies {peildatum} 01-01 of 30-09.",
                param="peildatum", value=peildatum
            )
        self.microdata = Path(microdata)
        self.out = Path(out)
        self.peildatum = peildatum
        self.sources = discover(self.microdata)
        self.out.mkdir(parents=True, exist_ok=True)
        self._check_manifest()
        tmp = Path(temp_dir) if temp_dir else self.out / ".duckdb-tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        self.temp_dir = tmp
        self.con = duckdb.connect(str(self.out / STAGING))
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{str(tmp).replace(chr(39), chr(39) * 2)}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.cols: dict[str, list[str]] = {}
        self.income_years: list[int] = []
        self.link_years: list[int] = []
        self.edu_years: dict[int, str] = {}

    # -- manifest ----------------------------------------------------------------------------
    def _manifest(self) -> dict[str, Any]:
        p = self.out / MANIFEST
        if p.exists():
            return dict(json.loads(p.read_text(encoding="utf-8")))
        return {}

    def _check_manifest(self) -> None:
        m = self._manifest()
        if m and m.get("peildatum") != self.peildatum:
            raise ConfigError(
                f"De map '{self.out}' bevat al persoonsjaren op peildatum {m.get('peildatum')}.",
                hint="Kies voor {out} een andere map bij een andere peildatum (jaren worden niet gemengd).",
            )

    def _write_manifest(self, report: PrepareReport) -> None:
        m = self._manifest()
        years = dict(m.get("years", {}))
        for y, c in report.counts.items():
            years[str(y)] = c
        from roltrap import __version__

        meta = {
            "peildatum": self.peildatum,
            "roltrap_version": __version__,
            "sources": sorted(f"{s.table}: {s.path.name}" for fs in self.sources.values() for s in fs),
            "columns": report.columns,
            "years": dict(sorted(years.items())),
            "rules": {
                "adres": "periode met begin <= peildatum <= einde (open einde telt door); bij overlap "
                "wint de laatst begonnen periode",
                "regio": "indeling van het jaar zelf (gemJJJJ/wcJJJJ/bcJJJJ)",
                "leeftijd": "op de peildatum; zonder geboortedag geldt de 15e van de maand",
            },
        }
        tmp = self.out / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.out / MANIFEST)

    # -- staging -----------------------------------------------------------------------------
    def _fingerprint(self) -> list[list[Any]]:
        return sorted(
            [s.role, str(s.path.resolve()), s.path.stat().st_size, int(s.path.stat().st_mtime)]
            for fs in self.sources.values()
            for s in fs
        )

    def stage(self, progress: Progress | None = None) -> None:
        con = self.con
        fp = json.dumps(self._fingerprint())
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "_sources" in tables:
            row = con.execute("SELECT fingerprint FROM _sources").fetchone()
            if row and row[0] == fp:
                self._read_layout()
                return
        for t in tables:
            con.execute(f"DROP TABLE {_q(t)}")
        con.execute("SET preserve_insertion_order = true")
        con.execute("CREATE TABLE _labels (tbl VARCHAR, col VARCHAR, code VARCHAR, label VARCHAR)")
        steps = [(role, s) for role, fs in self.sources.items() for s in fs]
        for i, (role, src) in enumerate(steps):
            if progress:
                progress(f"Inlezen {src.table} ({src.path.name})", i, len(steps))
            self._stage_one(role, src)
        con.execute("CREATE TABLE _sources AS SELECT ? AS fingerprint", [fp])
        con.execute("CHECKPOINT")
        self._read_layout()
        if progress:
            progress("Inlezen klaar", len(steps), len(steps))

    def _stage_one(self, role: str, src: SourceFile) -> None:
        con = self.con
        if role == "spells":
            load(con, src, "raw_spells", columns=list(L.TABLE_BY_ROLE["spells"].required))
            require_columns(con, "raw_spells", src, L.TABLE_BY_ROLE["spells"].required)
            self._spells(src)
            con.execute("DROP TABLE raw_spells")
        elif role == "regions":
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'regions_raw'"
            ).fetchone()
            load(con, src, "regions_raw", append=bool(exists and exists[0]))
            require_columns(con, "regions_raw", src, ("RINOBJECTNUMMER",))
        elif role == "persons":
            want = ["RINPERSOONS", "RINPERSOON", "GBAGEBOORTEJAAR", "GBAGEBOORTEMAAND", "GBAGEBOORTEDAG"]
            load(con, src, "persons_raw", columns=want)
            require_columns(con, "persons_raw", src, L.TABLE_BY_ROLE["persons"].required)
            self._persons()
        elif role == "households":
            want = [
                "RINPERSOONS",
                "RINPERSOON",
                "DATUMAANVANGHH",
                "DATUMEINDEHH",
                "TYPHH",
                "RINPERSOONSHKW",
                "RINPERSOONHKW",
            ]
            load(con, src, "households_raw", columns=want)
            require_columns(con, "households_raw", src, L.TABLE_BY_ROLE["households"].required)
            self._households()
        elif role == "breadwinner":
            assert src.year is not None
            t = f"link_{src.year}"
            load(con, src, t, columns=["RINPERSOONS", "RINPERSOON", "RINPERSOONSHKW", "RINPERSOONHKW"])
            require_columns(con, t, src, ("RINPERSOON", "RINPERSOONHKW"))
        elif role == "income":
            assert src.year is not None
            t = f"income_{src.year}"
            load(con, src, t, columns=["RINPERSOONSHKW", "RINPERSOONHKW", "INHP100HBEST", "INHBBIHJ"])
            require_columns(con, t, src, ("RINPERSOONHKW", "INHP100HBEST"))
        elif role == "education":
            assert src.year is not None
            t = f"education_{src.year}"
            load(con, src, t)
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()]
            if not any(L.EDUCATION_VAR.match(c) for c in cols):
                raise InputError(
                    f"HOOGSTEOPLTAB-bestand '{src.path.name}' heeft geen opleidingsniveau "
                    f"(verwacht bijv. {L.education_var(src.year)}).",
                    file=src.path,
                    hint="Het niveau staat in OPLNIVSOI2021AGG4HBmetNIRWO (vanaf 2019) of "
                    "OPLNIVSOI2016AGG4HBMETNIRWO (tot 2019).",
                )

    def _spells(self, src: SourceFile) -> None:
        """Typed spells in one pass; a second, counting pass finds bad rows, and only a bad file pays
        for locating them (row numbers, no person ids)."""
        con = self.con
        a, e = "GBADATUMAANVANGADRESHOUDING", "GBADATUMEINDEADRESHOUDING"
        con.execute(
            f"""CREATE TABLE spells AS
                SELECT coalesce(RINPERSOONS, '') AS pids, RINPERSOON AS pid,
                       coalesce(SOORTOBJECTNUMMER, '') AS otype, RINOBJECTNUMMER AS obj,
                       {_date_sql(a)} AS d0,
                       CASE WHEN {_open_end_sql(e)} THEN DATE '9999-12-31' ELSE {_date_sql(e)} END AS d1
                FROM raw_spells"""
        )
        bad = con.execute(
            "SELECT count(*) FILTER (WHERE d0 IS NULL OR d1 IS NULL OR d1 < d0 OR pid IS NULL "
            "OR obj IS NULL) FROM spells"
        ).fetchone()
        if not bad or not bad[0]:
            return
        offset = 1 if src.path.suffix.lower() != ".sav" else 0  # CSV: the header is line 1
        con.execute(
            f"CREATE TEMP TABLE spell_rows AS "
            f"SELECT *, row_number() OVER () + {offset} AS _row FROM raw_spells"
        )
        checks = [
            (a, f"{_date_sql(a)} IS NULL", "begindatum is geen datum (verwacht JJJJMMDD)"),
            (
                e,
                f"NOT {_open_end_sql(e)} AND {_date_sql(e)} IS NULL",
                "einddatum is geen datum (verwacht JJJJMMDD, of leeg/88888888 voor een open einde)",
            ),
            (
                e,
                f"NOT {_open_end_sql(e)} AND {_date_sql(e)} < {_date_sql(a)}",
                "einddatum ligt voor de begindatum",
            ),
            ("RINPERSOON", "RINPERSOON IS NULL", "persoonsnummer ontbreekt"),
            ("RINOBJECTNUMMER", "RINOBJECTNUMMER IS NULL", "objectnummer ontbreekt"),
        ]
        problems: list[Problem] = []
        for column, cond, message in checks:
            rows = con.execute(
                f"SELECT _row, CASE WHEN '{column}' LIKE 'GBADATUM%' THEN {_q(column)} END "
                f"FROM spell_rows WHERE {cond} ORDER BY _row LIMIT {MAX_PROBLEMS}"
            ).fetchall()
            problems += [
                Problem(message, file=str(src.path), row=int(r), column=column, value=v) for r, v in rows
            ]
        con.execute("DROP TABLE spell_rows")
        con.execute("DROP TABLE spells")
        raise InputError(
            f"De adresperioden in '{src.path.name}' kloppen niet ({len(problems)} problemen).",
            problems=problems,
            file=src.path,
            hint="Datums als JJJJMMDD (bijv. 20050101); een open einde is leeg of 88888888.",
        )

    def _households(self) -> None:
        """Household spells typed once; only the columns the file has (TYPHH, RINPERSOONHKW)."""
        con = self.con
        hc = [r[0] for r in con.execute("DESCRIBE households_raw").fetchall()]
        extra = [f"{c} AS {c.lower()}" for c in ("TYPHH", "RINPERSOONSHKW", "RINPERSOONHKW") if _col(hc, c)]
        con.execute(
            f"""CREATE TABLE households AS
                SELECT coalesce(RINPERSOONS, '') AS pids, RINPERSOON AS pid,
                       {_date_sql("DATUMAANVANGHH")} AS d0,
                       CASE WHEN {_open_end_sql("DATUMEINDEHH")} THEN DATE '9999-12-31'
                            ELSE {_date_sql("DATUMEINDEHH")} END AS d1
                       {"".join(", " + e for e in extra)}
                FROM households_raw"""
        )
        con.execute("DROP TABLE households_raw")

    def _persons(self) -> None:
        """Birth year, month and day per person, once (every year's query reads them)."""
        con = self.con
        pc = [r[0] for r in con.execute("DESCRIBE persons_raw").fetchall()]
        bday = (
            f"TRY_CAST({_q(_col(pc, 'GBAGEBOORTEDAG') or '')} AS INTEGER)"
            if _col(pc, "GBAGEBOORTEDAG")
            else "NULL"
        )
        bmon = (
            f"TRY_CAST({_q(_col(pc, 'GBAGEBOORTEMAAND') or '')} AS INTEGER)"
            if _col(pc, "GBAGEBOORTEMAAND")
            else "NULL"
        )
        con.execute(
            f"""CREATE TABLE persons AS
                SELECT coalesce(RINPERSOONS, '') AS pids, RINPERSOON AS pid,
                       any_value(TRY_CAST(GBAGEBOORTEJAAR AS INTEGER)) AS byear,
                       any_value(CASE WHEN {bmon} BETWEEN 1 AND 12 THEN {bmon} ELSE 7 END) AS bm,
                       any_value(CASE WHEN {bday} BETWEEN 1 AND 31 THEN {bday} ELSE 15 END) AS bd
                FROM persons_raw GROUP BY ALL"""
        )
        con.execute("DROP TABLE persons_raw")

    def _read_layout(self) -> None:
        con = self.con
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        self.cols = {t: [r[0] for r in con.execute(f"DESCRIBE {_q(t)}").fetchall()] for t in tables}
        self.income_years = sorted(int(t.split("_")[1]) for t in tables if t.startswith("income_"))
        self.link_years = sorted(int(t.split("_")[1]) for t in tables if t.startswith("link_"))
        self.edu_years = {}
        for t in tables:
            if t.startswith("education_"):
                var = next(c for c in self.cols[t] if L.EDUCATION_VAR.match(c))
                self.edu_years[int(t.split("_")[1])] = var

    # -- years -------------------------------------------------------------------------------
    def boundary_years(self) -> list[int]:
        years = []
        for c in self.cols.get("regions_raw", []):
            if c.lower().startswith("gem") and c[3:].isdigit() and len(c) == 7:
                years.append(int(c[3:]))
        return sorted(set(years))

    def year_sql(self, year: int) -> tuple[str, list[str]]:
        """The query of one year's person-years, and its output columns."""
        mm, dd = PEILDATA[self.peildatum]
        d = f"DATE '{year:04d}-{mm:02d}-{dd:02d}'"
        rcols = self.cols["regions_raw"]
        gem, wc, bc = (_col(rcols, n) for n in L.region_vars(year))
        assert gem is not None
        otype = _col(rcols, "SOORTOBJECTNUMMER")
        reg_join = "r.obj = a.obj" + (" AND r.otype = a.otype" if otype else "")
        otype_sql = f"coalesce({_q(otype)}, '')" if otype else "''"
        wc_sql = _code_sql(_q(wc), 6) if wc else "NULL"
        bc_sql = _code_sql(_q(bc), 8) if bc else "NULL"
        regions = (
            f"SELECT RINOBJECTNUMMER AS obj, {otype_sql} AS otype, {_code_sql(_q(gem), 4)} AS gem, "
            f"{wc_sql} AS wc, {bc_sql} AS bc FROM regions_raw"
        )
        persons = "SELECT * FROM persons"
        ctes = [
            # The overlap rule as a hash aggregate (cheaper than a window over all covering spells):
            # per person the spell with the greatest (start, end, object).
            f"""a AS (SELECT pids, pid, s.otype AS otype, s.obj AS obj FROM (
                    SELECT pids, pid, arg_max(struct_pack(otype := otype, obj := obj),
                                              struct_pack(d0 := d0, d1 := d1, obj := obj)) AS s
                    FROM spells WHERE d0 <= {d} AND d1 >= {d} GROUP BY pids, pid))""",
            f"r AS ({regions})",
            f"p AS ({persons})",
        ]
        select = [
            "a.pids || a.pid AS person_id",
            f"CAST({year} AS INTEGER) AS year",
            "CASE WHEN r.bc IS NOT NULL THEN 'BU' || r.bc WHEN r.wc IS NOT NULL THEN 'WK' || r.wc END "
            "AS region_code",
            "'GM' || coalesce(r.gem, substr(r.wc, 1, 4), substr(r.bc, 1, 4)) AS gemeente",
            f"CAST({year} - p.byear - CASE WHEN (p.bm > {mm}) OR (p.bm = {mm} AND p.bd > {dd}) "
            f"THEN 1 ELSE 0 END AS INTEGER) AS age",
        ]
        joins = [f"LEFT JOIN r ON {reg_join}", "LEFT JOIN p ON p.pids = a.pids AND p.pid = a.pid"]
        out_cols = ["person_id", "year", "region_code", "gemeente", "age"]
        hh = self.cols.get("households")
        if hh is not None:
            ctes.append(
                f"""h AS (SELECT pids, pid,
                        {("typhh" if "typhh" in hh else "NULL")} AS typhh,
                        {("rinpersoonshkw" if "rinpersoonshkw" in hh else "NULL")} AS hkws,
                        {("rinpersoonhkw" if "rinpersoonhkw" in hh else "NULL")} AS hkw
                      FROM households WHERE d0 <= {d} AND d1 >= {d}
                      QUALIFY row_number() OVER (PARTITION BY pids, pid ORDER BY d0 DESC, d1 DESC) = 1)"""
            )
            joins.append("LEFT JOIN h ON h.pids = a.pids AND h.pid = a.pid")
        if self.income_years:
            hkw = None
            if year in self.link_years:
                lc = self.cols[f"link_{year}"]
                # Equality joins only (an OR in a join condition makes DuckDB loop over pairs).
                has_s, has_hs = bool(_col(lc, "RINPERSOONS")), bool(_col(lc, "RINPERSOONSHKW"))
                ctes.append(
                    f"""k AS (SELECT {"RINPERSOONS" if has_s else "NULL"} AS pids, RINPERSOON AS pid,
                             {"RINPERSOONSHKW" if has_hs else "NULL"} AS hkws,
                             any_value(RINPERSOONHKW) AS hkw FROM link_{year} GROUP BY ALL)"""
                )
                joins.append("LEFT JOIN k ON k.pid = a.pid" + (" AND k.pids = a.pids" if has_s else ""))
                hkw = ("k.hkws" if has_hs else None, "k.hkw")
            elif hh is not None and "rinpersoonhkw" in hh:
                hkw = ("h.hkws" if "rinpersoonshkw" in hh else None, "h.hkw")
            if year in self.income_years and hkw is not None:
                ic = self.cols[f"income_{year}"]
                bron = "INHBBIHJ" if _col(ic, "INHBBIHJ") else "NULL"
                has_hs = bool(_col(ic, "RINPERSOONSHKW")) and hkw[0] is not None
                ctes.append(
                    f"""i AS (SELECT {"RINPERSOONSHKW" if has_hs else "NULL"} AS hkws, RINPERSOONHKW AS hkw,
                             any_value(TRY_CAST(replace(INHP100HBEST, ',', '.') AS DOUBLE)) AS pct,
                             any_value({bron}) AS bron
                          FROM income_{year} GROUP BY ALL)"""
                )
                on = f"i.hkw = {hkw[1]}" + (f" AND i.hkws = {hkw[0]}" if has_hs else "")
                joins.append(f"LEFT JOIN i ON {on}")
                pct, bron_col = "i.pct", "i.bron"
            else:
                pct, bron_col = "NULL", "NULL"
            select.append(
                f"CAST(CASE WHEN {pct} BETWEEN 0 AND 100 THEN {pct} END AS DOUBLE) AS income_percentile"
            )
            out_cols.append("income_percentile")
            # INHBBIHJ: the file's own value label when it has one (.sav), else the known code list;
            # the label's wording decides, so an edition with other codes still maps right.
            known = " ".join(
                f"WHEN {bron_col} = '{code}' THEN '{label}'" for code, (label, _) in L.INHBBIHJ.items()
            )
            if bron_col != "NULL":
                ctes.append(
                    f"lab AS (SELECT code, any_value(label) AS label FROM _labels "
                    f"WHERE tbl = 'income_{year}' AND col = 'INHBBIHJ' GROUP BY code)"
                )
                joins.append(f"LEFT JOIN lab ON lab.code = {bron_col}")
                text = f"lower(coalesce(lab.label, CASE {known} END, {bron_col}))"
            else:
                text = "NULL"
            benefit_cases = (
                f"WHEN {text} IS NULL THEN NULL WHEN {text} LIKE '%bijstand%' THEN 'bijstand' "
                f"WHEN {text} LIKE '%werkloos%' THEN 'ww' "
                f"WHEN {text} LIKE '%arbeidsongeschikt%' OR {text} LIKE '%ziekte%' THEN 'ao' "
                f"WHEN {text} LIKE '%onbekend%' THEN NULL ELSE 'none'"
            )
            select.append(f"CAST(CASE {benefit_cases} END AS VARCHAR) AS benefit")
            out_cols.append("benefit")
        if self.edu_years:
            usable = [y for y in self.edu_years if y <= year]
            if usable:
                ey = max(usable)
                var = self.edu_years[ey]
                ctes.append(
                    f"""e AS (SELECT coalesce(RINPERSOONS, '') AS pids, RINPERSOON AS pid,
                             any_value({_q(var)}) AS opl FROM education_{ey} GROUP BY ALL)"""
                )
                joins.append("LEFT JOIN e ON e.pids = a.pids AND e.pid = a.pid")
                levels = " ".join(
                    f"WHEN substr(e.opl, 1, 1) = '{k}' THEN '{v}'" for k, v in L.EDUCATION_LEVEL.items()
                )
                unknown = ", ".join(f"'{u}'" for u in L.EDUCATION_UNKNOWN if u)
                select.append(
                    f"CAST(CASE WHEN e.opl IS NULL OR e.opl IN ({unknown}) THEN NULL {levels} END "
                    f"AS VARCHAR) "
                    f"AS education_level"
                )
            else:
                select.append("CAST(NULL AS VARCHAR) AS education_level")
            out_cols.append("education_level")
        if hh is not None and "typhh" in hh:
            cases = " ".join(f"WHEN h.typhh = '{k}' THEN '{v[1]}'" for k, v in L.TYPHH.items())
            select.append(f"CAST(CASE {cases} END AS VARCHAR) AS household_type")
            out_cols.append("household_type")
        sql = (
            "WITH " + ",\n".join(ctes) + ",\n"
            "rows AS (SELECT " + ", ".join(select) + " FROM a " + " ".join(joins) + ")\n"
        )
        return sql, out_cols

    def build_year(self, year: int) -> dict[str, int]:
        """Write one year's file atomically; returns its counts (persons, never person values)."""
        sql, cols = self.year_sql(year)
        con = self.con
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE OR REPLACE TEMP TABLE year_rows AS {sql} SELECT * FROM rows")
        row = con.execute(
            """SELECT count(*),
                       count(*) FILTER (WHERE region_code IS NULL),
                       count(*) FILTER (WHERE region_code IS NOT NULL AND age IS NULL),
                       count(*) FILTER (WHERE region_code IS NOT NULL AND (age < 0 OR age > 120))
                FROM year_rows"""
        ).fetchone()
        assert row is not None
        with_address = int(row[0])  # one row per person with an address on the reference date
        keep = "region_code IS NOT NULL AND age BETWEEN 0 AND 120"
        final = year_file(self.out, year)
        tmp = self.out / f".{final.name}.tmp-{os.getpid()}"
        try:
            con.execute(
                f"COPY (SELECT {', '.join(cols)} FROM year_rows WHERE {keep} "
                f"ORDER BY region_code) "
                f"TO '{str(tmp).replace(chr(39), chr(39) * 2)}' (FORMAT parquet, COMPRESSION zstd)"
            )
            written = (con.execute(f"SELECT count(*) FROM year_rows WHERE {keep}").fetchone() or (0,))[0]
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
            con.execute("DROP TABLE IF EXISTS year_rows")
        return {
            "person_years": int(written),
            "with_address": with_address,
            "without_region": int(row[1]),
            "without_birth_year": int(row[2]),
            "impossible_age": int(row[3]),
        }

    def _date(self, year: int) -> str:
        mm, dd = PEILDATA[self.peildatum]
        return f"{year:04d}-{mm:02d}-{dd:02d}"

    def close(self) -> None:
        self.con.close()


def prepare(
    microdata: Path | str,
    out: Path | str,
    *,
    peildatum: str = "01-01",
    years: tuple[int, int] | None = None,
    memory_limit: str = "4GB",
    threads: int | None = None,
    temp_dir: Path | str | None = None,
    keep_staging: bool = False,
    progress: Progress | None = None,
) -> PrepareReport:
    """Build person-years from the CBS microdata in ``microdata`` into the folder ``out``.

    Finished years (their file exists and the manifest lists them) are skipped. The staging
    database (a copy of the microdata) is kept only while the run is unfinished, so an interrupted
    run resumes without reading the sources again; a complete run removes it (``keep_staging``
    keeps it, e.g. to add years later).
    """
    b = Builder(
        Path(microdata),
        Path(out),
        peildatum=peildatum,
        memory_limit=memory_limit,
        threads=threads,
        temp_dir=Path(temp_dir) if temp_dir else None,
    )
    report = PrepareReport(out=b.out, peildatum=peildatum)
    try:
        b.stage(progress=progress)
        have = b.boundary_years()
        if not have:
            raise InputError(
                "VSLGWBTAB heeft geen kolommen gemJJJJ (gemeente per jaar).",
                hint="De regio-indeling per jaar staat in gem2019, wc2019, bc2019 enz.",
            )
        wanted = list(range(years[0], years[1] + 1)) if years else have
        report.years_missing = [y for y in wanted if y not in have]
        todo = [y for y in wanted if y in have]
        done_before = b._manifest().get("years", {})
        if report.years_missing and not todo:
            raise InputError(
                f"VSLGWBTAB heeft geen regio-indeling voor {wanted[0]}–{wanted[-1]} "
                f"(wel voor {have[0]}–{have[-1]}).",
                hint="Kies {years} binnen de jaren van VSLGWBTAB.",
            )
        for i, y in enumerate(todo):
            if str(y) in done_before and year_file(b.out, y).exists():
                report.years_skipped.append(y)
                report.counts[y] = dict(done_before[str(y)])
                if progress:
                    progress(f"Jaar {y} (al klaar)", i + 1, len(todo))
                continue
            if progress:
                progress(f"Jaar {y}", i, len(todo))
            report.counts[y] = b.build_year(y)
            report.years_written.append(y)
            report.columns = b.year_sql(y)[1]
            b._write_manifest(report)  # after every year: an interrupted run resumes here
            if progress:
                progress(f"Jaar {y}", i + 1, len(todo))
        if not report.columns and todo:
            report.columns = b.year_sql(todo[0])[1]
        marker = b.microdata / SYNTHETIC_MARKER
        if marker.exists():
            shutil.copyfile(marker, b.out / SYNTHETIC_MARKER)
        b._write_manifest(report)
    except (duckdb.InterruptException, RuntimeError) as exc:
        # Ctrl-C inside a query surfaces as DuckDB's "Query interrupted": the same as anywhere else.
        if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise
    finally:
        b.close()
        shutil.rmtree(b.temp_dir, ignore_errors=True)
    if not keep_staging:
        (b.out / STAGING).unlink(missing_ok=True)
        (b.out / f"{STAGING}.wal").unlink(missing_ok=True)
    return report
