"""The district monitor at national scale, through the real store, against one hand-written DuckDB query.

Run: ``python bench/bench_monitor.py`` (``--store FILE`` to use an existing store). Builds a store from the
bundled data in a temporary folder (all 442 municipalities and their 3,983 wijken), then in one run:

1. national scope (``gemeente="NL"``): classify, rank, vulnerable and turnover over every wijk of the
   Netherlands — the first call (which reads the figures set-based from the store) and a warm call;
2. the bound: for each, one hand-written DuckDB SQL query of the same figures, timed in the same run, with
   its results compared to roltrap's (largest difference, or the share of equal classes);
3. per municipality: every computation for each of the municipalities with wijken, one call each after
   start-up (mean, p95 and max per call, the slowest municipality, and the full garbage collections
   that ran during the calls with the longest pause). "After start-up" is as ``roltrap serve`` runs
   them: the objects of start-up frozen (``roltrap.web.server.settle``), so a full collection does not
   walk them; ``--no-freeze`` shows a plain library process, where each full collection took 30–80 ms.

Prints seconds and the ratio roltrap / SQL. Targets (issue 12): national < 1 s, per municipality < 50 ms.
"""

# ruff: noqa: E501  (the SQL of the bound reads better with its clauses on one line each)
from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from roltrap.core import Roltrap
from roltrap.errors import RoltrapError

YEAR = 2021  # the latest year with every figure of the four computations for most wijken in the bundle
PERIOD = (2015, 2016)  # the default turnover period of the bundle (last two full years)

_PIVOT = """
    w AS (
        SELECT o.region_code AS code, r.level, CASE WHEN r.level = 'gemeente' THEN r.code ELSE r.parent END AS gm,
               {cols}
        FROM observations o JOIN regions r ON r.code = o.region_code
        WHERE o.year = {year} AND r.level IN ('gemeente', 'wijk') AND o.value IS NOT NULL
          AND o.indicator_id IN ({ids})
        GROUP BY ALL)"""


def _pivot(ids: list[str], year: int = YEAR) -> str:
    cols = ",\n               ".join(f"max(o.value) FILTER (WHERE o.indicator_id = '{i}') AS {i}" for i in ids)
    return _PIVOT.format(cols=cols, year=year, ids=", ".join(f"'{i}'" for i in ids))


def _z(expr: str, sign: int, name: str, ref: str | None = None) -> str:
    """Signed z-score of ``expr`` within the municipality (population sd), NULL without spread."""
    centre = ref if ref is not None else f"avg({expr}) OVER g"
    return (f"CASE WHEN stddev_pop({expr}) OVER g > 0 AND count({expr}) OVER g >= 2 AND {centre} IS NOT NULL "
            f"THEN {sign} * ({expr} - {centre}) / stddev_pop({expr}) OVER g END AS {name}")


def _mean_of(names: list[str], minimum: int) -> str:
    n = " + ".join(f"({c} IS NOT NULL)::INT" for c in names)
    s = " + ".join(f"coalesce({c}, 0)" for c in names)
    return f"CASE WHEN {n} >= {minimum} THEN ({s}) / ({n}) END"


RANK_SQL = f"""
WITH {_pivot(["a_inw", "g_ink_pi", "p_hh_osm", "a_soz_wb", "a_opl_lg"])},
c AS (SELECT code, gm, g_ink_pi AS inkomen, p_hh_osm AS minima, 100 * a_soz_wb / nullif(a_inw, 0) AS bijstand,
             100 * a_opl_lg / nullif(a_inw, 0) AS laagopgeleid FROM w WHERE level = 'wijk'),
z AS (SELECT code, gm, {_z("inkomen", -1, "z1")}, {_z("minima", 1, "z2")}, {_z("bijstand", 1, "z3")},
             {_z("laagopgeleid", 1, "z4")}
      FROM c WINDOW g AS (PARTITION BY gm))
SELECT code, gm, {_mean_of(["z1", "z2", "z3", "z4"], 2)} AS score FROM z
"""

VULNERABLE_SQL = f"""
WITH {_pivot(["a_inw", "a_hh", "a_opl_lg", "a_soz_wb", "a_wmo_t", "a_jz_tn", "p_hh_110", "p_hh_120", "g_hhgro"])},
l AS (SELECT code, a_inw, a_opl_lg AS opleiding,
             (greatest(a_soz_wb, a_wmo_t, a_jz_tn)
              + (coalesce(a_soz_wb, 0) + coalesce(a_wmo_t, 0) + coalesce(a_jz_tn, 0))) / 2 AS voorzieningen,
             a_hh * (p_hh_110 + p_hh_120) / 200 * g_hhgro AS inkomen,
             (a_soz_wb IS NOT NULL OR a_wmo_t IS NOT NULL OR a_jz_tn IS NOT NULL) AS prov_held
      FROM w),
m AS (SELECT code, opleiding, CASE WHEN prov_held THEN voorzieningen END AS voorzieningen, inkomen FROM l)
SELECT code, CASE WHEN (opleiding IS NOT NULL)::INT + (voorzieningen IS NOT NULL)::INT
                      + (inkomen IS NOT NULL)::INT >= 2
             THEN median(v) END AS centraal
FROM (SELECT code, opleiding, voorzieningen, inkomen, unnest([opleiding, voorzieningen, inkomen]) AS v FROM m)
GROUP BY code, opleiding, voorzieningen, inkomen
"""

TURNOVER_SQL = f"""
WITH fl AS (SELECT region_code AS gm, year, sum(persons) AS s FROM flows
            WHERE direction = 'in' AND origin IN ('gemeente', 'buitenland', 'wijk') AND months >= 12
              AND year BETWEEN {PERIOD[0]} AND {PERIOD[1]} GROUP BY ALL),
st AS (SELECT gm, avg(s) AS settlers, min(year) AS first, max(year) AS last FROM fl GROUP BY gm),
reg AS (SELECT code, level, CASE WHEN level = 'gemeente' THEN code ELSE parent END AS gm FROM regions
        WHERE level IN ('gemeente', 'wijk')),
pop AS (SELECT o.region_code AS code, reg.gm, reg.level,
               arg_min(o.value, (abs(o.year - st.last), (o.indicator_id <> 'a_inw')::INT, o.year)) AS pop
        FROM observations o JOIN reg ON reg.code = o.region_code JOIN st ON st.gm = reg.gm
        WHERE o.value IS NOT NULL AND (o.indicator_id = 'a_inw' OR (reg.level = 'gemeente'
                                                                 AND o.indicator_id = 'bev_eind'))
        GROUP BY ALL),
mv AS (SELECT o.region_code AS code, avg(o.value) AS moves FROM observations o JOIN reg ON reg.code = o.region_code
       JOIN st ON st.gm = reg.gm
       WHERE o.indicator_id = 'elan_moves_pp' AND o.value IS NOT NULL AND o.year BETWEEN st.first AND st.last
       GROUP BY ALL),
d AS (SELECT pop.code, pop.gm, pop.level, pop.pop, pop.pop * mv.moves AS weight
      FROM pop LEFT JOIN mv USING (code)),
e AS (SELECT d.*, st.settlers,
             CASE WHEN d.level = 'gemeente' THEN st.settlers
                  ELSE st.settlers * d.weight / nullif(sum(d.weight) OVER (PARTITION BY d.gm, d.level), 0) END AS s
      FROM d JOIN st USING (gm))
SELECT code, level, pop / nullif(s, 0) AS vervangingssnelheid, 100 * s / nullif(pop, 0) AS nieuwkomers_pct
FROM e
"""

CLASSIFY_SQL = f"""
WITH {_pivot(["a_inw", "a_15_24", "a_25_44", "a_65_oo", "a_hh", "a_1p_hh", "a_hh_m_k", "p_huurw", "p_koopw",
              "p_mgezw", "p_1gezw"])},
t AS ({TURNOVER_SQL}),
gr AS (SELECT region_code AS code,
              100 * (pow(arg_max(value, year) / arg_min(value, year), 1.0 / (max(year) - min(year))) - 1) AS groei
       FROM observations WHERE indicator_id = 'a_inw' AND value > 0 GROUP BY ALL HAVING max(year) > min(year)),
p AS (SELECT w.code, w.level, w.gm, 100 * (a_15_24 + a_25_44) / nullif(a_inw, 0) AS p_jong, 100 * a_1p_hh / nullif(a_hh, 0) AS p_1p_hh,
             100 * a_hh_m_k / nullif(a_hh, 0) AS p_hh_m_k, 100 * a_65_oo / nullif(a_inw, 0) AS p_65_oo, t.nieuwkomers_pct AS nieuwkomers,
             gr.groei, p_huurw, p_koopw, p_mgezw, p_1gezw
      FROM w LEFT JOIN t USING (code) LEFT JOIN gr USING (code)),
j AS (SELECT d.*, c.p_jong AS c1, c.p_1p_hh AS c2, c.p_hh_m_k AS c3, c.p_65_oo AS c4, c.nieuwkomers AS c5,
             c.groei AS c6, c.p_huurw AS c7, c.p_koopw AS c8, c.p_mgezw AS c9, c.p_1gezw AS c10
      FROM p d JOIN p c ON c.code = d.gm AND d.level = 'wijk'),
z AS (SELECT code, {_z("p_jong", 1, "z1", "c1")}, {_z("p_1p_hh", 1, "z2", "c2")}, {_z("p_hh_m_k", -1, "z3", "c3")},
             {_z("p_65_oo", -1, "z4", "c4")}, {_z("nieuwkomers", 1, "z5", "c5")}, {_z("groei", 1, "z6", "c6")},
             {_z("p_huurw", 1, "z7", "c7")}, {_z("p_koopw", -1, "z8", "c8")}, {_z("p_mgezw", 1, "z9", "c9")},
             {_z("p_1gezw", -1, "z10", "c10")}
      FROM j WINDOW g AS (PARTITION BY gm))
SELECT code, score, CASE WHEN score >= 0.25 THEN 'wijk van aankomst' WHEN score <= -0.25 THEN 'wijk van bestemming'
                         WHEN score IS NOT NULL THEN 'gemengd' END AS class
FROM (SELECT code, {_mean_of([f"z{i}" for i in range(1, 11)], 3)} AS score FROM z)
"""


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _diff(ours: pd.Series, theirs: pd.Series) -> str:
    both = pd.concat([ours.rename("a"), theirs.rename("b")], axis=1, join="inner").dropna()
    if both.empty:
        return "geen gemeenschappelijke cellen"
    d = float((both["a"].astype(float) - both["b"].astype(float)).abs().max())
    return f"{len(both)} cellen, grootste verschil {d:.2g}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="an existing store (default: built from the bundle)")
    ap.add_argument("--quick", action="store_true", help="per-municipality loop over 40 municipalities only")
    ap.add_argument("--no-freeze", action="store_true",
                    help="per-municipality calls without freezing the start-up heap (a plain library process)")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.store or Path(tmp.name) / "bench.duckdb"
    if args.store is None:
        t0 = time.perf_counter()
        Roltrap(path).close()
        print(f"opslag uit de bundel gebouwd: {time.perf_counter() - t0:.1f} s")
    rt = Roltrap(path, read_only=True)
    con = rt.store.con
    n_wijk = int(con.execute("SELECT count(*) FROM regions WHERE level = 'wijk'").fetchone()[0])  # type: ignore[index]
    gms = [str(c) for c in rt.regions(level="gemeente")["code"]]
    print(f"{len(gms)} gemeenten, {n_wijk} wijken; jaar {YEAR}, periode {PERIOD[0]}–{PERIOD[1]}\n")

    m = rt.monitor
    jobs: dict[str, tuple[Callable[[], object], str]] = {
        "classify": (lambda: m.classify(gemeente="NL", year=YEAR), CLASSIFY_SQL),
        "rank": (lambda: m.rank(gemeente="NL", year=YEAR), RANK_SQL),
        "vulnerable": (lambda: m.vulnerable(gemeente="NL", year=YEAR), VULNERABLE_SQL),
        "turnover": (lambda: m.turnover(gemeente="NL"), TURNOVER_SQL),
    }
    print(f"{'landelijk (gemeente=NL)':24s} {'eerste':>8s} {'warm':>8s} {'SQL':>8s} {'× SQL':>7s}  uitkomst")
    worst = 0.0
    for name, (fn, sql) in jobs.items():
        t0 = time.perf_counter()
        fn()
        first = time.perf_counter() - t0
        warm, res = timed(fn)
        t_sql, bound = timed(lambda sql=sql: con.execute(sql).df())  # type: ignore[misc]
        worst = max(worst, first)
        rows = res.rows.set_index("code")  # type: ignore[attr-defined]
        b = bound.set_index("code")  # type: ignore[union-attr]
        if name == "classify":
            both = rows["class"].dropna().index.intersection(b["class"].dropna().index)
            same = int((rows.loc[both, "class"] == b.loc[both, "class"]).sum())
            check = f"{same} van {len(both)} klassen gelijk; score: {_diff(rows['score'], b['score'])}"
        elif name == "rank":
            check = "score: " + _diff(rows["score"], b["score"])
        elif name == "vulnerable":
            check = "centraal: " + _diff(rows["centraal"], b["centraal"])
        else:
            gm_rows = rows[rows["level"] == "gemeente"]
            check = ("gemeenten: " + _diff(gm_rows["vervangingssnelheid"],
                                           b.loc[b["level"] == "gemeente", "vervangingssnelheid"])
                     + "; wijken: " + _diff(rows.loc[rows["level"] == "wijk", "vervangingssnelheid"],
                                            b.loc[b["level"] == "wijk", "vervangingssnelheid"]))
        print(f"{name:24s} {first:8.3f} {warm:8.3f} {t_sql:8.3f} {warm / t_sql:7.1f}  {check}")
    print(f"traagste landelijke berekening (eerste aanroep): {worst:.3f} s (doel: onder 1 s)\n")

    loop = [g for g in gms if g in set(m.facts.regions().query("level == 'wijk'")["gm"])]
    if args.quick:
        loop = loop[:40]
    if not args.no_freeze:
        from roltrap.web.server import settle

        settle()
    pauses: list[float] = []
    started: list[float] = []

    def gc_watch(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses.append(time.perf_counter() - started.pop())

    gc.callbacks.append(gc_watch)
    print(f"start-up heap {'niet ' if args.no_freeze else ''}bevroren (gc.freeze, zoals roltrap serve)")
    print(f"{'per gemeente (' + str(len(loop)) + ')':24s} {'eerste':>8s} {'totaal':>8s} {'gem. ms':>8s} "
          f"{'p95 ms':>8s} {'max ms':>8s}  {'traagst':>7s} {'cpu gem':>7s} {'cpu max':>7s} {'fout':>5s} "
          f"{'gc':>3s} {'gc max':>7s}")
    # each municipality in its own default year: the latest with the figures it needs
    per = {
        "classify": lambda g: m.classify(gemeente=g),
        "rank": lambda g: m.rank(gemeente=g),
        "vulnerable": lambda g: m.vulnerable(gemeente=g),
        "turnover": lambda g: m.turnover(gemeente=g),
        "conditions": lambda g: m.conditions(gemeente=g),
        "compare": lambda g: m.compare(gemeente=g),
    }
    for name, fn in per.items():
        # "After start-up": the first call of a computation reads its figures for the whole store
        # (set-based, cached per store version); it is timed on its own, then every municipality once.
        t0 = time.perf_counter()
        with contextlib.suppress(RoltrapError):
            fn("GM0546")
        first_ms = (time.perf_counter() - t0) * 1000
        times, cpu, errors = [], [], 0
        pauses.clear()
        for g in loop:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                fn(g)
            except RoltrapError:
                errors += 1  # a municipality without these figures: a Dutch message, no result
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        arr, carr = np.array(times) * 1000, np.array(cpu) * 1000
        gc_max = f"{max(pauses) * 1000:5.1f}ms" if pauses else "      -"
        print(f"{name:24s} {first_ms:8.0f} {arr.sum() / 1000:8.2f} {statistics.fmean(arr):8.1f} "
              f"{np.percentile(arr, 95):8.1f} {arr.max():8.1f}  {loop[int(arr.argmax())]:>7s} "
              f"{statistics.fmean(carr):7.1f} {carr.max():7.1f} {errors:5d} {len(pauses):3d} {gc_max}")
    gc.callbacks.remove(gc_watch)
    print("cpu: processortijd per aanroep in ms (alle threads; telt niet mee wat andere processen de "
          "machine kosten), gc: volledige opruimrondes tijdens de aanroepen en de langste")
    print("doel per gemeente: onder 50 ms na het opstarten (gemiddeld, p95 en max); "
          f"machinebelasting {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rt.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
