"""Benchmark the escalator analysis at 1M, 10M, 50M person-years (synthetic Leiden, scaled up).

For each size, on the same Parquet files: ``analysis`` = the full analysis (all metrics, disclosure
control, 999 bootstrap draws) through the Ibis metrics on DuckDB; ``validate+analysis`` = the same
preceded by the one-pass input validation (what ``roltrap cohort analyse`` does); (a) ``pandas``, a
straightforward pandas implementation of the core metrics (retention, end status, gains,
turnover), only where it fits in memory; (b) ``sql_retention``, a minimal hand-written DuckDB SQL
query of the retention curve (lower bound). Every implementation runs in a fresh process (spawn);
peak memory is that process's RSS high-water mark (DuckDB's threads live in it). Prints wall time,
peak memory, rows/s and the ratios to (b) and (a).

    python bench/bench_cohort.py --sizes 1e6,1e7 [--pandas-max 2e7] [--workdir DIR]

With ``--workdir`` the synthetic inputs are generated once and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

LABELS = {
    "sql_retention": "(b) sql_retention",
    "full_ibis_novalidate": "analysis",
    "full_ibis": "validate+analysis",
    "pandas_metrics": "(a) pandas",
}
run_peak: dict[str, float] = {}
ROWS_PER_SCALE = 3_600_000  # person-years of Leiden 2005–2022 at scale 1.0 (incl. outside records)
BASE, FOLLOW, LO, HI, GM = 2005, 13, 25, 44, "GM0546"


def _child(fn: str, folder: str, q: Any) -> None:
    # Imports are not part of the measurement: pandas/duckdb for all, ibis + roltrap for the analysis.
    import duckdb  # noqa: F401
    import pandas  # noqa: F401

    if fn.startswith("full_ibis"):
        import roltrap.cohort.service  # noqa: F401
    t0 = time.perf_counter()
    out = globals()[fn](Path(folder))
    q.put(
        {
            "seconds": time.perf_counter() - t0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "check": out,
        }
    )


def run_isolated(fn: str, folder: Path) -> dict[str, Any]:
    """Each implementation in a fresh process, so peak memory is its own."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(fn, str(folder), q))
    p.start()
    res = q.get()
    p.join()
    run_peak[fn] = res["peak_mb"]
    return dict(res)


def full_ibis(folder: Path) -> Any:
    from roltrap.cohort import engines
    from roltrap.cohort.metrics import CohortSpec
    from roltrap.cohort.schema import validate
    from roltrap.cohort.service import run_analysis

    inp = validate(folder)
    res = run_analysis(engines.connect("duckdb"), inp, CohortSpec(GM, BASE, LO, HI, FOLLOW), reps=999)
    return {r["wijk"]: r["persons"] for r in res["retention"] if r["k"] == FOLLOW}


def full_ibis_novalidate(folder: Path) -> Any:
    from roltrap.cohort import engines
    from roltrap.cohort.metrics import CohortSpec
    from roltrap.cohort.schema import PersonYearInput, find_files
    from roltrap.cohort.service import run_analysis

    files, fmt = find_files(folder)
    inp = PersonYearInput(
        files=files, format=fmt, columns=("income_percentile",), rows=0, persons=0, years=(2005, 2022)
    )
    res = run_analysis(engines.connect("duckdb"), inp, CohortSpec(GM, BASE, LO, HI, FOLLOW), reps=999)
    return {r["wijk"]: r["persons"] for r in res["retention"] if r["k"] == FOLLOW}


def sql_retention(folder: Path) -> Any:
    import duckdb

    g = f"'{folder}/*.parquet'"
    df = duckdb.sql(f"""
        WITH c AS (SELECT person_id, region_code AS w FROM read_parquet({g})
                   WHERE year = {BASE} AND gemeente = '{GM}' AND age BETWEEN {LO} AND {HI})
        SELECT c.w, p.year - {BASE} AS k, count(*) AS n FROM c JOIN read_parquet({g}) p
          ON p.person_id = c.person_id AND p.region_code = c.w
        WHERE p.year BETWEEN {BASE} AND {BASE + FOLLOW} GROUP BY ALL""").df()
    return {r.w: int(r.n) for r in df.itertuples() if r.k == FOLLOW}


def pandas_metrics(folder: Path) -> Any:
    import pandas as pd

    cols = ["person_id", "year", "region_code", "gemeente", "age", "income_percentile"]
    py = pd.concat([pd.read_parquet(f, columns=cols) for f in sorted(folder.glob("*.parquet"))])
    py = py[(py.year >= BASE - 1) & (py.year <= BASE + FOLLOW)]
    coh = py[(py.year == BASE) & (py.gemeente == GM) & py.age.between(LO, HI)][
        ["person_id", "region_code", "income_percentile"]
    ].rename(columns={"region_code": "origin", "income_percentile": "p0"})
    j = coh.merge(py, on="person_id")
    ret = j[j.region_code == j.origin].groupby(["origin", "year"]).size()
    end = py[py.year == BASE + FOLLOW][["person_id", "region_code", "gemeente", "income_percentile"]]
    st = coh.merge(end, on="person_id", how="left")
    st["status"] = "andere_gemeente"
    st.loc[st.gemeente == GM, "status"] = "andere_wijk"
    st.loc[st.region_code == st.origin, "status"] = "blijver"
    st.loc[st.region_code.isna(), "status"] = "onbekend"
    st["gain"] = st.income_percentile - st.p0
    st.groupby(["origin", "status"])["gain"].agg(["size", "mean"])
    cur = py[py.year > BASE][["person_id", "year", "region_code", "gemeente"]]
    prev = py[py.year < BASE + FOLLOW][["person_id", "year", "region_code", "gemeente"]].assign(
        year=lambda d: d.year + 1
    )
    tj = cur.merge(prev, on=["person_id", "year"], how="outer", suffixes=("", "_p"))
    tj[(tj.gemeente == GM) & (tj.region_code_p != tj.region_code)].groupby(["region_code", "year"]).size()
    tj[(tj.gemeente_p == GM) & (tj.region_code != tj.region_code_p)].groupby(["region_code_p", "year"]).size()
    last = ret.xs(BASE + FOLLOW, level="year")
    return {k: int(v) for k, v in last.items()}


def make_data(rows: float, workdir: Path) -> Path:
    from roltrap.cohort.synth import SynthParams, generate
    from roltrap.core import Roltrap

    folder = workdir / f"py-{int(rows):d}"
    if folder.exists():
        return folder
    with Roltrap(workdir / "store.duckdb") as rt:
        m = rt.cohort.marginals(GM)
    generate(m, folder, params=SynthParams(scale=rows / ROWS_PER_SCALE, seed=1, escalator=0.5))
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1e6,1e7,5e7")
    ap.add_argument("--pandas-max", type=float, default=2e7, help="skip pandas above this many rows")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="roltrap-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows_out = []
    for size in (float(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        folder = make_data(size, work)
        import duckdb

        n = duckdb.sql(f"SELECT count(*) FROM '{folder}/*.parquet'").fetchone()[0]  # type: ignore[index]
        print(f"\n== {n:,} person-years (synth {time.perf_counter() - t0:.1f} s) ==", flush=True)
        impls = ["sql_retention", "full_ibis_novalidate", "full_ibis"]
        if n <= args.pandas_max:
            impls.append("pandas_metrics")
        checks, secs = {}, {}
        for impl in impls:
            r = run_isolated(impl, folder)
            checks[impl], secs[impl] = r["check"], r["seconds"]
        for impl in impls:
            rec = {
                "rows": n,
                "impl": LABELS[impl],
                "seconds": round(secs[impl], 2),
                "peak_mb": round(run_peak[impl]) if impl in run_peak else None,
                "rows_per_s": round(n / secs[impl]),
                "x_sql_b": round(secs[impl] / secs["sql_retention"], 2),
                "pandas_a_over_this": round(secs["pandas_metrics"] / secs[impl], 2)
                if "pandas_metrics" in secs
                else None,
            }
            rows_out.append(rec)
            print(
                f"{rec['impl']:18s} {rec['seconds']:8.2f} s  {rec['peak_mb']:7} MB"
                f"  {rec['rows_per_s']:12,} rows/s  {rec['x_sql_b']:6.2f}× (b)"
                f"  (a)/this: {rec['pandas_a_over_this']}",
                flush=True,
            )
        base = checks["sql_retention"]
        agree = all(base.get(w) == c for k, v in checks.items() for w, c in v.items() if c is not None)
        print(f"retention after {FOLLOW} years agrees with the SQL baseline: {agree}", flush=True)
    print("\n| rows | implementation | s | peak MB | rows/s | × (b) | (a) ÷ this |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows_out:
        print(
            f"| {r['rows']:,} | {r['impl']} | {r['seconds']} | {r['peak_mb']} | {r['rows_per_s']:,} | "
            f"{r['x_sql_b']} | {r['pandas_a_over_this'] if r['pandas_a_over_this'] is not None else '–'} |"
        )
    print(json.dumps(rows_out, indent=1))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
