"""Benchmark ``cohort prepare``: CBS address spells → person-years, at 10M and 100M spell rows.

Synthetic files in the CBS layouts (GBAADRESOBJECTBUS, VSLGWBTAB with gem/wc/bc for 2005–2022,
GBAPERSOONTAB), written with DuckDB as Parquet (or CSV with ``--format csv``): one person per three
spell rows, moves on random days (including 31 December and 1 January), open last spells, gaps
(abroad) for some, a region table with 18 years of boundaries. For each size, in a fresh process
each (so the peak memory, ``ru_maxrss`` of that process, is its own):

* ``prepare``: :func:`roltrap.cohort.microdata.prepare.prepare` (staging, checks, overlap rule,
  region of each year, age, one Parquet file per year written atomically);
* ``(b) sql``: the baseline — a plain DuckDB SQL of the same spell-to-year join (spell covering the
  reference date × that year's region columns × birth year), one COPY per year, no checks.

Prints wall time, peak memory, spell rows/s and the ratio prepare / baseline.

    python bench/bench_prepare.py --sizes 1e7,1e8 [--memory-limit 8GB] [--threads 2] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

Y0, Y1 = 2005, 2022


def generate(folder: Path, spells: int, fmt: str) -> None:
    """Write the three CBS tables for ``spells`` spell rows into ``folder`` (skipped when present)."""
    import duckdb

    done = folder / ".complete"
    if done.exists():
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    persons = spells // 3
    objects = max(persons // 2, 1)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    opt = "(FORMAT parquet, COMPRESSION zstd)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
    ext = fmt
    # Three spells per person: moves t1 < t2 after a start between 1995 and 2010; every 10th person
    # is abroad for a while between spells 2 and 3; the last spell is open for most.
    con.execute(
        f"""COPY (
          WITH p AS (SELECT i, hash(i) AS h FROM range({persons}) t(i)),
          d AS (SELECT i, h,
                  DATE '1995-01-01' + CAST(h % 5800 AS INTEGER) AS s1,
                  CAST(200 + (h >> 8) % 2500 AS INTEGER) AS l1,
                  CAST(200 + (h >> 20) % 2500 AS INTEGER) AS l2,
                  CASE WHEN i % 10 = 0 THEN CAST(100 + (h >> 30) % 500 AS INTEGER) ELSE 0 END AS gap
                FROM p),
          s AS (
            SELECT i, 1 AS k, s1 AS d0, s1 + l1 - 1 AS d1, h FROM d
            UNION ALL SELECT i, 2, s1 + l1, s1 + l1 + l2 - 1, h FROM d
            UNION ALL SELECT i, 3, s1 + l1 + l2 + gap, NULL, h FROM d)
          SELECT 'R' AS RINPERSOONS, lpad(CAST(i AS VARCHAR), 9, '0') AS RINPERSOON,
                 strftime(d0, '%Y%m%d') AS GBADATUMAANVANGADRESHOUDING,
                 coalesce(strftime(d1, '%Y%m%d'), '88888888') AS GBADATUMEINDEADRESHOUDING,
                 'VBO' AS SOORTOBJECTNUMMER,
                 lpad(CAST(hash(i, k) % {objects} AS VARCHAR), 16, '0') AS RINOBJECTNUMMER
          FROM s) TO '{folder}/GBAADRESOBJECT{Y1}BUSV1.{ext}' {opt}"""
    )
    cols = ", ".join(
        f"lpad(CAST(300 + o % 40 AS VARCHAR), 4, '0') AS gem{y}, "
        f"lpad(CAST(300 + o % 40 AS VARCHAR), 4, '0') || lpad(CAST(o % 7 AS VARCHAR), 2, '0') AS wc{y}, "
        f"lpad(CAST(300 + o % 40 AS VARCHAR), 4, '0') || lpad(CAST(o % 7 AS VARCHAR), 2, '0') "
        f"|| lpad(CAST((o + {y - Y0} * (o % 97 = 0)::INT) % 5 AS VARCHAR), 2, '0') AS bc{y}"
        for y in range(Y0, Y1 + 1)
    )
    con.execute(
        f"""COPY (SELECT 'VBO' AS SOORTOBJECTNUMMER,
                         lpad(CAST(o AS VARCHAR), 16, '0') AS RINOBJECTNUMMER, {cols}
                  FROM range({objects}) t(o)) TO '{folder}/VSLGWB{Y1}TAB03V1.{ext}' {opt}"""
    )
    con.execute(
        f"""COPY (SELECT 'R' AS RINPERSOONS, lpad(CAST(i AS VARCHAR), 9, '0') AS RINPERSOON,
                         CAST(1930 + hash(i, 'y') % 80 AS VARCHAR) AS GBAGEBOORTEJAAR,
                         lpad(CAST(1 + hash(i, 'm') % 12 AS VARCHAR), 2, '0') AS GBAGEBOORTEMAAND,
                         CAST(1 + hash(i, 's') % 2 AS VARCHAR) AS GBAGESLACHT
                  FROM range({persons}) t(i)) TO '{folder}/GBAPERSOON{Y1}TABV1.{ext}' {opt}"""
    )
    con.close()
    done.touch()


def run_prepare(src: Path, out: Path, memory_limit: str, threads: int) -> dict[str, object]:
    from roltrap.cohort.microdata.prepare import prepare

    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    rep = prepare(src, out, memory_limit=memory_limit, threads=threads, keep_staging=False)
    return {"seconds": time.perf_counter() - t0, "person_years": rep.rows}


def run_sql(src: Path, out: Path, memory_limit: str, threads: int, fmt: str) -> dict[str, object]:
    import duckdb

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET temp_directory = '{out}/.tmp'")
    read = (lambda f: f"read_parquet('{f}')") if fmt == "parquet" else (
        lambda f: f"read_csv('{f}', all_varchar=true)")
    spells = read(src / f"GBAADRESOBJECT{Y1}BUSV1.{fmt}")
    vsl = read(src / f"VSLGWB{Y1}TAB03V1.{fmt}")
    pers = read(src / f"GBAPERSOON{Y1}TABV1.{fmt}")
    rows = 0
    for y in range(Y0, Y1 + 1):
        d = f"'{y}0101'"
        con.execute(
            f"""COPY (SELECT s.RINPERSOONS || s.RINPERSOON AS person_id, {y} AS year,
                             'BU' || v.bc{y} AS region_code, 'GM' || v.gem{y} AS gemeente,
                             {y} - CAST(p.GBAGEBOORTEJAAR AS INTEGER) - 1 AS age
                      FROM {spells} s JOIN {vsl} v USING (SOORTOBJECTNUMMER, RINOBJECTNUMMER)
                      JOIN {pers} p USING (RINPERSOONS, RINPERSOON)
                      WHERE s.GBADATUMAANVANGADRESHOUDING <= {d} AND s.GBADATUMEINDEADRESHOUDING >= {d})
                TO '{out}/py_{y}.parquet' (FORMAT parquet)"""
        )
        rows += con.execute(f"SELECT count(*) FROM read_parquet('{out}/py_{y}.parquet')").fetchone()[0]
    con.close()
    return {"seconds": time.perf_counter() - t0, "person_years": rows}


def child(args: argparse.Namespace) -> None:
    src, out = Path(args.src), Path(args.out)
    if args.child == "prepare":
        res = run_prepare(src, out, args.memory_limit, args.threads)
    else:
        res = run_sql(src, out, args.memory_limit, args.threads, args.format)
    # ru_maxrss is in KiB on Linux: the peak resident memory of this process (DuckDB's threads included).
    res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1e7", help="spell rows, comma separated (e.g. 1e7,1e8)")
    ap.add_argument("--format", default="parquet", choices=["parquet", "csv"])
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workdir", default=None, help="keep generated inputs here for later runs")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--src", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-prepare-"))
    head = f"{'spells':>12} {'variant':>10} {'wall s':>9} {'peak MB':>9} {'spells/s':>12} "
    head += f"{'person-years':>13}"
    print(head)
    try:
        for size in (int(float(s)) for s in args.sizes.split(",")):
            src = work / f"cbs-{size}-{args.format}"
            t0 = time.perf_counter()
            generate(src, size, args.format)
            gen = time.perf_counter() - t0
            results = {}
            for variant in ("sql", "prepare"):
                cmd = [sys.executable, __file__, "--child", variant, "--src", str(src),
                       "--out", str(work / f"out-{variant}"), "--memory-limit", args.memory_limit,
                       "--threads", str(args.threads), "--format", args.format]
                r = subprocess.run(cmd, capture_output=True, text=True, check=True)
                res = json.loads(r.stdout.strip().splitlines()[-1])
                results[variant] = res
                label = "(b) sql" if variant == "sql" else variant
                print(f"{size:>12,} {label:>10} {res['seconds']:>9.1f} {res['peak_mb']:>9.0f} "
                      f"{size / res['seconds']:>12,.0f} {res['person_years']:>13,}", flush=True)
                shutil.rmtree(work / f"out-{variant}", ignore_errors=True)
            ratio = results["prepare"]["seconds"] / results["sql"]["seconds"]
            print(f"{size:>12,} ratio prepare / (b) sql: {ratio:.2f}× wall, "
                  f"{results['prepare']['peak_mb'] / results['sql']['peak_mb']:.2f}× peak memory "
                  f"(inputs generated in {gen:.0f} s)", flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
