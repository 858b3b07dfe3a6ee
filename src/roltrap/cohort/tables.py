"""From engine aggregates to publishable tables: disclosure control, means, bootstrap. Pure pandas/numpy.

Every person count below ``min_cell`` is suppressed (NA, never 0). Where a count and its total are
both shown, the complement is a cell too (cohort − still living there = leavers), so a count whose
complement is below ``min_cell`` is suppressed as well (counted as secondary). Percentile means
follow the dominance rule on the absolute gains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roltrap.cohort.metrics import CLIMB_POINTS, STATUSES
from roltrap.disclosure import dominated, protect_table


@dataclass
class Tally:
    """Suppressed cells over all tables of one analysis."""

    primary: int = 0
    secondary: int = 0
    dominance: int = 0

    @property
    def total(self) -> int:
        return self.primary + self.secondary + self.dominance

    def as_dict(self) -> dict[str, int]:
        return {
            "primary": self.primary,
            "secondary": self.secondary,
            "dominance": self.dominance,
            "total": self.total,
        }


def _na(x: pd.Series) -> pd.Series:
    return x.astype("Float64")


def retention_table(
    counts: pd.DataFrame, *, base_year: int, follow: int, min_cell: int, tally: Tally
) -> pd.DataFrame:
    """wijk, k, year, persons, share (0–1) for k = 0..follow; small cells and complements hidden."""
    wijken = sorted(counts["origin"].unique())
    grid = pd.MultiIndex.from_product([wijken, range(follow + 1)], names=["wijk", "k"])
    c = counts.rename(columns={"origin": "wijk"}).set_index(["wijk", "k"])["persons"]
    c = c.reindex(grid, fill_value=0).astype("int64")
    size = c.xs(0, level="k").reindex(grid.get_level_values("wijk")).to_numpy()
    persons = c.to_numpy()
    small = persons < min_cell
    complement = (size - persons < min_cell) & (grid.get_level_values("k") > 0) & ~small
    tally.primary += int(small.sum())
    tally.secondary += int(complement.sum())
    hide = small | complement | (size < min_cell)
    out = pd.DataFrame({"wijk": grid.get_level_values("wijk"), "k": grid.get_level_values("k")})
    out["year"] = base_year + out["k"]
    out["persons"] = _na(pd.Series(persons)).mask(hide)
    out["share"] = _na(pd.Series(persons / np.where(size > 0, size, 1))).mask(hide)
    return out


def destinations_table(counts: pd.DataFrame, *, min_cell: int, tally: Tally) -> pd.DataFrame:
    """One row per origin wijk (plus Totaal): persons by status at the end of the follow-up."""
    wide = counts.pivot_table(index="origin", columns="status", values="persons", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(STATUSES), fill_value=0).astype("int64")
    protected, rep = protect_table(wide, min_cell=min_cell, margins=True)
    tally.primary += rep.primary
    tally.secondary += rep.secondary
    protected.index.name = "wijk"
    protected.columns.name = None
    return protected.reset_index()


def turnover_long(agg: pd.DataFrame, *, base_year: int, end_year: int) -> pd.DataFrame:
    """The transition aggregate (:func:`roltrap.cohort.metrics.turnover`) as long rows wijk, year,
    kind, detail, persons for years B+1..B+F: ``bevolking`` (detail ``totaal``), ``vestiging``
    (detail = where from) and ``vertrek`` (detail = where to; counted in the year of arrival)."""
    cols = ["wijk", "year", "kind", "detail", "persons"]
    where = {"g": "andere_wijk", "elders": "andere_gemeente", "geen": "niet_ingeschreven"}
    a = agg.astype({"year": "int64", "persons": "int64"})
    a = a[a["year"].between(base_year + 1, end_year)]
    moved = a["wijk"].isna() | a["prev_wijk"].isna() | (a["wijk"] != a["prev_wijk"])
    pop = a[a["wijk"].notna()].groupby(["wijk", "year"], as_index=False)["persons"].sum()
    pop = pop.assign(kind="bevolking", detail="totaal")
    s = a[a["wijk"].notna() & moved].assign(detail=lambda d: d["prev_kind"].map(where))
    s = s.groupby(["wijk", "year", "detail"], as_index=False)["persons"].sum().assign(kind="vestiging")
    v = a[a["prev_wijk"].notna() & moved].assign(detail=lambda d: d["kind"].map(where))
    v = v.drop(columns="wijk").rename(columns={"prev_wijk": "wijk"})
    v = v.groupby(["wijk", "year", "detail"], as_index=False)["persons"].sum().assign(kind="vertrek")
    return pd.concat([pop[cols], s[cols], v[cols]], ignore_index=True)


def turnover_table(long: pd.DataFrame, *, min_cell: int, tally: Tally) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per wijk and year: population, settlers and leavers (by where from/to); and per wijk the
    replacement speed (mean population / mean settlers per year, in years)."""
    key = ["wijk", "year"]
    pop = long[long["kind"] == "bevolking"].groupby(key)["persons"].sum().rename("bevolking")
    frames = [pop.to_frame()]
    for kind, label in (("vestiging", "vestigers"), ("vertrek", "vertrekkers")):
        part = long[long["kind"] == kind].pivot_table(
            index=key, columns="detail", values="persons", aggfunc="sum", fill_value=0
        )
        part = part.reindex(columns=["andere_wijk", "andere_gemeente", "niet_ingeschreven"], fill_value=0)
        part = part.reindex(pop.index, fill_value=0).astype("int64")
        prot, rep = protect_table(part, min_cell=min_cell, margins=True)
        tally.primary += rep.primary
        tally.secondary += rep.secondary
        prot = prot.drop(index="Totaal")
        prot.index = pd.MultiIndex.from_tuples(list(prot.index), names=key)
        prot.columns = [f"{label}_{c}" if c != "Totaal" else label for c in prot.columns]
        frames.append(prot)
        frames.append(part.sum(axis=1).rename(f"_{label}_raw").to_frame())
    df = pd.concat(frames, axis=1).reset_index()
    small_pop = df["bevolking"] < min_cell
    tally.primary += int(small_pop.sum())
    raw_pop = df["bevolking"].astype("int64")
    df["bevolking"] = _na(df["bevolking"]).mask(small_pop)
    per_wijk = (
        df.assign(_pop=raw_pop)
        .groupby("wijk")
        .agg(bevolking=("_pop", "mean"), vestigers=("_vestigers_raw", "mean"), jaren=("year", "count"))
    )
    ok = (per_wijk["bevolking"] >= min_cell) & (per_wijk["vestigers"] >= max(min_cell, 1))
    per_wijk["vervangingssnelheid"] = _na(per_wijk["bevolking"] / per_wijk["vestigers"]).mask(~ok)
    per_wijk["bevolking"] = _na(per_wijk["bevolking"].round(0)).mask(~ok)
    per_wijk["vestigers"] = _na(per_wijk["vestigers"].round(0)).mask(~ok)
    df = df.drop(columns=[c for c in df.columns if c.startswith("_")])
    return df, per_wijk.reset_index()


def _group_stats(h: pd.DataFrame, *, min_cell: int, tally: Tally) -> dict[str, object]:
    """Stats of one (wijk, group) histogram: gain, persons."""
    n = int(h["persons"].sum())
    known = h.dropna(subset=["gain"])
    n_inc = int(known["persons"].sum())
    gains = known["gain"].to_numpy(dtype=float)
    w = known["persons"].to_numpy(dtype=float)
    climbed = int(w[gains >= CLIMB_POINTS].sum())
    row: dict[str, object] = {
        "persons": n,
        "with_income": n_inc,
        "mean_gain": None,
        "climbed": climbed,
        "climbed_share": None,
    }
    if n < min_cell:
        tally.primary += 1
        row["persons"] = None
    if n_inc < max(min_cell, 1):
        tally.primary += 1
        row["with_income"] = None
    elif dominated(np.repeat(np.abs(gains), w.astype(np.int64))):
        tally.dominance += 1
    else:
        row["mean_gain"] = float((gains * w).sum() / n_inc)
    if climbed < min_cell or n_inc - climbed < min_cell:
        if n_inc >= min_cell:
            tally.primary += 1
        row["climbed"] = None
    elif n_inc >= max(min_cell, 1):
        row["climbed_share"] = climbed / n_inc
    return row


def bootstrap_diff(a: pd.DataFrame, b: pd.DataFrame, *, reps: int, rng: np.random.Generator) -> np.ndarray:
    """``reps`` bootstrap draws of mean(a) − mean(b), resampling persons within each group.

    Exact for the histogram form: resampling n persons with replacement is a multinomial draw over
    the distinct gain values weighted by their counts.
    """

    def means(h: pd.DataFrame) -> np.ndarray:
        h = h.dropna(subset=["gain"])
        vals = h["gain"].to_numpy(dtype=float)
        cnt = h["persons"].to_numpy(dtype=float)
        n = int(cnt.sum())
        draws = rng.multinomial(n, cnt / n, size=reps)
        return np.asarray(draws @ vals / n)

    return means(a) - means(b)


def _ci(draws: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    lo, hi = np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def trajectories_tables(
    hist: pd.DataFrame, levels: pd.DataFrame, *, min_cell: int, reps: int, seed: int, tally: Tally
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]:
    """Per wijk × group the gain stats; per wijk the escalator score with a bootstrap CI; and the
    score over the low-income wijken together.

    Escalator score of a wijk = mean percentile gain of its leavers − mean gain of its stayers over
    the follow-up. Low-income wijken: cohort mean base-year percentile below the median over the
    wijken. Their joint score is stratified by wijk (weighted mean of the wijk scores with weights
    n_leavers·n_stayers/(n_leavers+n_stayers)), so wijken that differ in mobility and income level do
    not bias it the way a pooled comparison would (Simpson's paradox).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for (wijk, group), h in hist.groupby(["wijk", "group"], sort=True):
        rows.append({"wijk": wijk, "group": group, **_group_stats(h, min_cell=min_cell, tally=tally)})
    traj = pd.DataFrame(
        rows, columns=["wijk", "group", "persons", "with_income", "mean_gain", "climbed", "climbed_share"]
    )
    for col in ("persons", "with_income", "mean_gain", "climbed", "climbed_share"):
        traj[col] = traj[col].astype("Float64")

    lv = levels.set_index("origin")
    mean_pct0 = (lv["pct_sum"] / lv["pct_n"].where(lv["pct_n"] > 0)).astype(float)
    low = set(mean_pct0[mean_pct0 < mean_pct0.median()].index) if mean_pct0.notna().any() else set()

    esc_rows = []
    strata: list[tuple[float, float, np.ndarray]] = []  # (weight, score, draws) of low-income wijken
    for wijk in sorted(set(hist["wijk"]) | set(lv.index)):
        h = hist[hist["wijk"] == wijk]
        h_left, h_stay = h[h["group"] == "vertrekker"], h[h["group"] == "blijver"]
        st_l = _group_stats(h_left, min_cell=min_cell, tally=Tally())
        st_s = _group_stats(h_stay, min_cell=min_cell, tally=Tally())
        rec: dict[str, object] = {
            "wijk": wijk,
            "low_income": wijk in low,
            "mean_pct_base": float(mean_pct0.get(wijk, np.nan)),
            "score": None,
            "ci_low": None,
            "ci_high": None,
        }
        if st_l["mean_gain"] is not None and st_s["mean_gain"] is not None:
            draws = bootstrap_diff(h_left, h_stay, reps=reps, rng=rng)
            sc = float(st_l["mean_gain"]) - float(st_s["mean_gain"])  # type: ignore[arg-type]
            rec["score"] = sc
            rec["ci_low"], rec["ci_high"] = _ci(draws)
            if wijk in low:
                n_l, n_s = float(st_l["with_income"]), float(st_s["with_income"])  # type: ignore[arg-type]
                strata.append((n_l * n_s / (n_l + n_s), sc, draws))
        esc_rows.append(rec)
    esc = pd.DataFrame(
        esc_rows, columns=["wijk", "low_income", "mean_pct_base", "score", "ci_low", "ci_high"]
    )
    for col in ("score", "ci_low", "ci_high", "mean_pct_base"):
        esc[col] = esc[col].astype("Float64")
    joint: dict[str, object] = {
        "low_income_wijken": sorted(low),
        "wijken_used": len(strata),
        "score": None,
        "ci_low": None,
        "ci_high": None,
    }
    if strata:
        w = np.array([s[0] for s in strata])
        joint["score"] = float(np.dot(w, [s[1] for s in strata]) / w.sum())
        joint["ci_low"], joint["ci_high"] = _ci(np.vstack([s[2] for s in strata]).T @ w / w.sum())
    return traj, esc, joint


def role_model_table(counts: pd.DataFrame, *, min_cell: int, tally: Tally) -> pd.DataFrame:
    """Per wijk: leaving hazard after climbing vs not, their ratio and odds ratio."""
    rows = []
    for wijk, g in counts.groupby("origin", sort=True):
        rec: dict[str, object] = {"wijk": wijk}
        hz: dict[bool, float | None] = {}
        for climbed, label in ((True, "climbers"), (False, "others")):
            r = g[g["climbed"] == climbed]
            py = int(r["person_years"].sum())
            ev = int(r["events"].sum())
            persons = int(r["persons"].sum())
            ok = ev >= min_cell and persons >= min_cell and py - ev >= min_cell
            if not ok:
                tally.primary += 1
            rec[f"{label}_persons"] = persons if persons >= min_cell else None
            rec[f"{label}_person_years"] = py if ok else None
            rec[f"{label}_events"] = ev if ok else None
            hz[climbed] = ev / py if ok and py else None
            rec[f"{label}_hazard"] = hz[climbed]
        h1, h0 = hz[True], hz[False]
        rec["hazard_ratio"] = h1 / h0 if h1 is not None and h0 else None
        rec["odds_ratio"] = (
            (h1 / (1 - h1)) / (h0 / (1 - h0))
            if h1 is not None and h0 is not None and 0 < h0 < 1 and h1 < 1
            else None
        )
        rows.append(rec)
    cols = (
        ["wijk"]
        + [
            f"{lab}_{k}"
            for lab in ("climbers", "others")
            for k in ("persons", "person_years", "events", "hazard")
        ]
        + ["hazard_ratio", "odds_ratio"]
    )
    out = pd.DataFrame(rows, columns=cols)
    for col in cols[1:]:
        out[col] = out[col].astype("Float64")
    return out
