"""Time every district-monitor computation on a synthetic country (in memory, no store, no network).

Run: ``python bench/bench_monitor.py``. Builds ≈350 municipalities with ≈3,500 districts and six years,
then times each pure computation at national size and prints seconds plus the ratio against a plain
pandas groupby/sum over the same frame (the baseline, measured in the same run).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from roltrap.monitor import classify, compare, conditions, mapclass, rank, trend, turnover, vulnerable

N_GM, PER_GM, YEARS = 350, 10, list(range(2012, 2018))


def country(seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = N_GM * PER_GM
    codes = [f"WK{i:06d}" for i in range(n)]
    gm = np.repeat([f"GM{i:04d}" for i in range(N_GM)], PER_GM)
    inw = rng.integers(500, 30000, n).astype(float)
    hh = inw / rng.uniform(1.6, 2.6, n)
    d = pd.DataFrame({
        "gemeente": gm, "a_inw": inw, "a_hh": hh, "a_15_24": inw * rng.uniform(.08, .3, n),
        "a_25_44": inw * rng.uniform(.15, .4, n), "a_65_oo": inw * rng.uniform(.05, .3, n),
        "a_1p_hh": hh * rng.uniform(.2, .7, n), "a_hh_m_k": hh * rng.uniform(.1, .4, n),
        "p_huurw": rng.uniform(10, 90, n), "p_mgezw": rng.uniform(5, 95, n),
        "a_opl_lg": inw * rng.uniform(.05, .3, n),
        "a_opl_hg": inw * rng.uniform(.1, .5, n), "a_soz_wb": inw * rng.uniform(0, .06, n),
        "a_wmo_t": inw * rng.uniform(.02, .1, n), "a_jz_tn": inw * rng.uniform(.01, .04, n),
        "p_hh_110": rng.uniform(2, 25, n), "g_hhgro": rng.uniform(1.6, 2.6, n),
        "g_ink_pi": rng.uniform(20, 45, n),
        "p_hh_osm": rng.uniform(1, 15, n), "a_bedv": inw * rng.uniform(.05, .2, n),
        "p_ink_hi": rng.uniform(5, 40, n),
        "p_ink_li": rng.uniform(20, 50, n), "bev_dich": rng.uniform(100, 8000, n),
        "a_w_all": inw * rng.uniform(.03, .2, n), "a_nw_all": inw * rng.uniform(.02, .3, n),
        "moves_pp": rng.uniform(.03, .3, n),
    }, index=codes)
    d["p_koopw"] = 100 - d["p_huurw"]
    d["p_1gezw"] = 100 - d["p_mgezw"]
    d["p_hh_120"] = d["p_hh_110"] * 1.25
    flows = pd.DataFrame([(g, y, "in", o, float(rng.integers(100, 5000)), 3 if y == 2017 else 12)
                          for g in sorted(set(gm)) for y in YEARS for o in ("gemeente", "buitenland")],
                         columns=["region_code", "year", "direction", "origin", "persons", "months"])
    series = pd.DataFrame({"year": np.tile(np.arange(2009, 2023), N_GM),
                           "gemeente": np.repeat(sorted(set(gm)), 14),
                           "value": rng.normal(25, 1, N_GM * 14) + np.tile(np.arange(14) * .4, N_GM)})
    return d, flows, series


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    d, flows, series = country()
    gm_tot = d.groupby("gemeente").sum(numeric_only=True)
    print(f"Synthetisch land: {d['gemeente'].nunique()} gemeenten, {len(d)} wijken, "
          f"{len(YEARS)} jaren flows, {len(flows)} flow-rijen")
    baseline = timed(lambda: d.groupby("gemeente").sum(numeric_only=True))
    print(f"baseline pandas groupby/sum over de wijken: {baseline * 1000:.2f} ms\n")

    def turnover_all() -> None:
        s = turnover.annual_settlers(flows)
        sp = s.per_region["settlers"]
        turnover.replacement_speed(gm_tot["a_inw"], sp.reindex(gm_tot.index))
        for g, part in d.groupby("gemeente"):
            turnover.district_settlers(part[["a_inw", "moves_pp"]].rename(columns={"a_inw": "population"}),
                                       municipal_settlers=float(sp[g]))

    def classify_all() -> None:
        classify.classify(classify.profile(d), classify.profile(gm_tot), by=d["gemeente"])

    def rank_all() -> None:
        rank.rank(rank.components(d), by=d["gemeente"])

    def trend_all() -> None:
        for _, part in series.groupby("gemeente"):
            fit = trend.fit_linear(part["year"], part["value"])
            trend.target_year(fit, 40.0, last_year=2022, last_value=float(part["value"].iloc[-1]))

    jobs: dict[str, Callable[[], object]] = {
        "turnover (350 gemeenten + 3.500 wijken)": turnover_all,
        "classify (per gemeente)": classify_all,
        "vulnerable (alle wijken)": lambda: vulnerable.lenses(d),
        "rank (per gemeente)": rank_all,
        "rank (landelijk, 3.500 wijken)": lambda: rank.rank(rank.components(d)),
        "compare.similar (5 van 350)": lambda: compare.similar(compare.peer_features(gm_tot), "GM0000", k=5),
        "trend + target (350 reeksen)": trend_all,
        "conditions (alle wijken)": lambda: conditions.conditions(d),
        "mapclass syllabus (alle wijken)": lambda: mapclass.classify_values(d["p_hh_110"]),
        "mapclass quantile (alle wijken)": lambda: mapclass.classify_values(d["p_hh_110"], scheme="quantile"),
    }
    print(f"{'berekening':42s} {'seconden':>9s} {'× baseline':>11s}")
    worst = 0.0
    for name, fn in jobs.items():
        t = timed(fn)
        worst = max(worst, t)
        print(f"{name:42s} {t:9.4f} {t / baseline:11.1f}")
    print(f"\ntraagste berekening: {worst:.3f} s (doel: ruim onder 1 s)")


if __name__ == "__main__":
    main()
