"""The synthetic population in the CBS microdata layouts (``roltrap cohort synth --layout cbs``).

The population is the one :mod:`roltrap.cohort.synth` simulates (same marginals, same seed, same
persons); this module turns its person-years into the files CBS delivers, so that ``cohort
prepare`` rebuilds exactly those person-years and the analysis gives the same results on both
paths. Per person, each run of consecutive years in one wijk becomes one address spell:

* a spell of the first simulated year starts some day before it (not before birth); a later
  spell starts in the year before it is first seen, between 2 January and 1 January of the next
  year — some moves fall on 1 January, the previous spell then ends on 31 December;
* the previous spell ends the day before the next starts; the last spell of a person who leaves
  the register (death, emigration) ends some day in the last year seen; a spell still running in
  the last year is open (``88888888``);
* newborns (age 0) start their spell on their birth date.

Files, as in Remote Access (the folder layout of the G: drive): GBAADRESOBJECTBUS, VSLGWBTAB (one
``gem/wc/bc`` column triple per year; buurten are synthetic subdivisions ``wc + 00..03``),
GBAPERSOONTAB, GBAHUISHOUDENSBUS (one-person households along the address spells),
KOPPELPERSOONHUISHOUDEN, INHATAB and HOOGSTEOPLTAB per year. Synthetic percentiles keep their one
decimal in INHP100HBEST (real files hold whole percentiles 1–100; the reader takes either), so the
two paths agree to the last digit. Every file is marked synthetic (file label, SYNTHETIC marker).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from roltrap.cohort.microdata import layouts as L
from roltrap.cohort.schema import SYNTHETIC_MARKER
from roltrap.cohort.synth import Marginals, SynthParams, SynthReport, generate
from roltrap.errors import ConfigError

FORMATS = ("sav", "csv", "parquet")
FILE_LABEL = "SYNTHETISCH - geen echte personen (roltrap)"


def _lit(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


def generate_cbs(
    marginals: Marginals,
    out: Path,
    *,
    params: SynthParams,
    file_format: str = "sav",
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SynthReport:
    """Simulate like :func:`roltrap.cohort.synth.generate` and write the CBS-layout files to ``out``."""
    if file_format not in FORMATS:
        raise ConfigError(
            f"Onbekend bestandsformaat '{file_format}'.", hint="Kies {file_format} sav, csv of parquet.",
            param="file_format", value=file_format
        )
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ConfigError(
            f"De map '{out}' bestaat al en is niet leeg.",
            hint="Kies voor {out} een andere map, of verwijder de map eerst.",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        n_years = params.years[1] - params.years[0] + 1
        py_dir = tmp / "_person_years"

        def sim_progress(done: int, total: int) -> None:
            if progress:
                progress(done, total + n_years)

        rep = generate(marginals, py_dir, params=params, progress=sim_progress)
        files = write_layout(
            py_dir,
            tmp / "microdata",
            years=params.years,
            seed=params.seed,
            file_format=file_format,
            progress=(lambda d: progress(n_years + d, 2 * n_years)) if progress else None,
        )
        meta = json.loads((py_dir / SYNTHETIC_MARKER).read_text(encoding="utf-8"))
        meta["layout"] = "cbs"
        meta["file_format"] = file_format
        final = tmp / "microdata"
        (final / SYNTHETIC_MARKER).write_text(
            json.dumps(meta, indent=2, default=list) + "\n", encoding="utf-8"
        )
        if out.exists():
            shutil.rmtree(out)
        os.replace(final, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return SynthReport(out=out, rows=rep.rows, persons=rep.persons, files=files, params=meta)


def write_layout(
    person_years: Path,
    out: Path,
    *,
    years: tuple[int, int],
    seed: int = 42,
    file_format: str = "sav",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Turn a synthetic person-year folder into CBS-layout files under ``out``; returns the file count."""
    y0, y1 = years
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    files = 0
    try:
        con.execute(
            f"""CREATE TABLE py AS SELECT person_id, CAST(year AS INTEGER) AS year, region_code,
                       CAST(age AS INTEGER) AS age, income_percentile AS pct, benefit
                FROM read_parquet({_lit(person_years)} || '/*.parquet')"""
        )
        # RINPERSOON: 9 digits, numbered in the order of the (random) synthetic ids.
        con.execute(
            """CREATE TABLE ids AS SELECT person_id,
                      lpad(CAST(row_number() OVER (ORDER BY person_id) AS VARCHAR), 9, '0') AS rin,
                      min(year) - arg_min(age, year) - 1 AS byear
               FROM py GROUP BY person_id"""
        )
        con.execute(
            f"""CREATE TABLE runs AS
                WITH r AS (SELECT *, CASE WHEN lag(region_code) OVER w = region_code
                                           AND lag(year) OVER w = year - 1 THEN 0 ELSE 1 END AS brk
                           FROM py WINDOW w AS (PARTITION BY person_id ORDER BY year)),
                g AS (SELECT *, sum(brk) OVER (PARTITION BY person_id ORDER BY year
                                               ROWS UNBOUNDED PRECEDING) AS k FROM r)
                SELECT person_id, k, any_value(region_code) AS region_code,
                       min(year) AS y_first, max(year) AS y_last,
                       hash(person_id, k, {seed}) AS h
                FROM g GROUP BY person_id, k"""
        )
        con.execute(
            f"""CREATE TABLE persons AS
                SELECT i.person_id, i.rin, i.byear,
                       CAST(1 + hash(i.person_id, 'm', {seed}) % 12 AS INTEGER) AS bm,
                       CAST(2 + hash(i.person_id, 'd', {seed}) % 27 AS INTEGER) AS bd,
                       CAST(1 + hash(i.person_id, 's', {seed}) % 2 AS VARCHAR) AS sex,
                       CAST(hash(i.person_id, 'g', {seed}) % 3 AS VARCHAR) AS gen
                FROM ids i"""
        )
        con.execute(
            f"""CREATE TABLE spells AS
                WITH s AS (
                  SELECT r.*, p.rin, make_date(p.byear, p.bm, p.bd) AS birth,
                         CASE
                           WHEN r.y_first = {y0} THEN make_date({y0}, 1, 1) - CAST(1 + r.h % 5475 AS INTEGER)
                           WHEN r.h % 20 = 0 THEN make_date(r.y_first, 1, 1)
                           ELSE make_date(r.y_first - 1, 1, 1) + CAST(1 + r.h % 364 AS INTEGER)
                         END AS start0
                  FROM runs r JOIN persons p USING (person_id))
                SELECT person_id, k, rin, region_code, y_first, y_last, h,
                       greatest(start0, birth) AS d0
                FROM s"""
        )
        con.execute(
            f"""CREATE TABLE spells2 AS
                SELECT *, CASE
                    WHEN lead(y_first) OVER w = y_last + 1 THEN lead(d0) OVER w - 1
                    WHEN y_last = {y1} THEN NULL
                    ELSE make_date(y_last, 1, 1) + CAST(hash(person_id, k, 'e', {seed}) % 364 AS INTEGER)
                  END AS d1,
                  CAST(hash(person_id, k, 'o', {seed}) % 4000 AS INTEGER) AS slot
                FROM spells WINDOW w AS (PARTITION BY person_id ORDER BY k)"""
        )
        con.execute(
            """CREATE TABLE objects AS
               SELECT region_code, slot,
                      lpad(CAST(row_number() OVER (ORDER BY region_code, slot) AS VARCHAR), 16, '0') AS obj
               FROM (SELECT DISTINCT region_code, slot FROM spells2)"""
        )
        open_end = "88888888"
        ext = file_format

        def write(sql: str, folder: str, name: str, labels: dict[str, dict[Any, str]] | None = None) -> None:
            nonlocal files
            target = out / folder / f"{name}.{ext}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if ext == "csv":
                con.execute(f"COPY ({sql}) TO {_lit(target)} (HEADER, DELIMITER ',')")
            elif ext == "parquet":
                con.execute(f"COPY ({sql}) TO {_lit(target)} (FORMAT parquet)")
            else:
                import pyreadstat

                df = con.execute(sql).df()
                pyreadstat.write_sav(
                    df, str(target), file_label=FILE_LABEL, variable_value_labels=labels or None
                )
            files += 1

        write(
            f"""SELECT 'R' AS RINPERSOONS, s.rin AS RINPERSOON,
                       strftime(s.d0, '%Y%m%d') AS GBADATUMAANVANGADRESHOUDING,
                       coalesce(strftime(s.d1, '%Y%m%d'), '{open_end}') AS GBADATUMEINDEADRESHOUDING,
                       'VBO' AS SOORTOBJECTNUMMER, o.obj AS RINOBJECTNUMMER
                FROM spells2 s JOIN objects o USING (region_code, slot) ORDER BY s.rin, s.d0""",
            "Bevolking/GBAADRESOBJECTBUS",
            f"GBAADRESOBJECT{y1}BUSV1",
        )
        year_cols = ", ".join(
            f"substr(region_code, 3, 4) AS gem{y}, substr(region_code, 3, 6) AS wc{y}, "
            f"substr(region_code, 3, 6) || lpad(CAST(slot % 4 AS VARCHAR), 2, '0') AS bc{y}"
            for y in range(y0, y1 + 1)
        )
        write(
            f"SELECT 'VBO' AS SOORTOBJECTNUMMER, obj AS RINOBJECTNUMMER, {year_cols} "
            "FROM objects ORDER BY obj",
            "BouwenWonen/VSLGWBTAB",
            f"VSLGWB{y1}TAB03V1",
        )
        write(
            f"""SELECT 'R' AS RINPERSOONS, rin AS RINPERSOON, sex AS GBAGESLACHT,
                       CAST(byear AS VARCHAR) AS GBAGEBOORTEJAAR,
                       lpad(CAST(bm AS VARCHAR), 2, '0') AS GBAGEBOORTEMAAND,
                       '{L.HERKOMST_NEDERLAND}' AS GBAHERKOMSTGROEPERING, gen AS GBAGENERATIE
                FROM persons ORDER BY rin""",
            "Bevolking/GBAPERSOONTAB",
            f"GBAPERSOON{y1}TABV1",
            {"GBAGESLACHT": dict(L.GESLACHT), "GBAGENERATIE": dict(L.GENERATIE)},
        )
        write(
            f"""SELECT 'R' AS RINPERSOONS, rin AS RINPERSOON,
                       strftime(d0, '%Y%m%d') AS DATUMAANVANGHH,
                       coalesce(strftime(d1, '%Y%m%d'), '{open_end}') AS DATUMEINDEHH,
                       lpad(CAST(row_number() OVER (ORDER BY rin, d0) AS VARCHAR), 10, '0') AS HUISHOUDNR,
                       '1' AS TYPHH
                FROM spells2 ORDER BY rin, d0""",
            "Bevolking/GBAHUISHOUDENSBUS",
            f"GBAHUISHOUDENS{y1}BUSV1",
            {"TYPHH": {k: v[0] for k, v in L.TYPHH.items()}},
        )
        bijstand = next(c for c, (_, b) in L.INHBBIHJ.items() if b == "bijstand")
        for i, y in enumerate(range(y0, y1 + 1)):
            write(
                f"""SELECT 'R' AS RINPERSOONS, i.rin AS RINPERSOON,
                           'R' AS RINPERSOONSHKW, i.rin AS RINPERSOONHKW
                    FROM py JOIN ids i USING (person_id) WHERE py.year = {y} ORDER BY i.rin""",
                "InkomenBestedingen/KOPPELPERSOONHUISHOUDEN",
                f"KOPPELPERSOONHUISHOUDEN{y}V1",
            )
            write(
                f"""SELECT 'R' AS RINPERSOONSHKW, i.rin AS RINPERSOONHKW,
                           coalesce(py.pct, -1.0) AS INHP100HBEST,
                           CASE WHEN py.benefit = 'bijstand' THEN '{bijstand}' ELSE '11' END AS INHBBIHJ
                    FROM py JOIN ids i USING (person_id) WHERE py.year = {y} ORDER BY i.rin""",
                "InkomenBestedingen/INHATAB",
                f"INHA{y}TABV1",
                {
                    "INHP100HBEST": {float(k): v for k, v in L.INCOME_MISSING.items()},
                    "INHBBIHJ": {k: v[0] for k, v in L.INHBBIHJ.items()},
                },
            )
            var = L.education_var(y)
            write(
                f"""SELECT 'R' AS RINPERSOONS, i.rin AS RINPERSOON,
                           CASE WHEN hash(py.person_id, 'e', {seed}) % 50 = 0 THEN '----'
                                WHEN py.pct < 33 THEN '1213' WHEN py.pct < 66 THEN '2121' ELSE '3112' END
                             AS {var}
                    FROM py JOIN ids i USING (person_id)
                    WHERE py.year = {y} AND py.age >= 15 ORDER BY i.rin""",
                f"Onderwijs/HOOGSTEOPLTAB/{y}",
                f"HOOGSTEOPL{y}TABV1",
                {var: dict(L.EDUCATION_CODES)},
            )
            if progress:
                progress(i + 1)
    finally:
        con.close()
    return files
