"""From engine aggregates to publishable tables: disclosure control, means, bootstrap. Pure pandas/numpy.

The table builders return raw counts; :func:`protect_run` then registers every count one run
publishes — cohort, retention, destinations, trajectories, newcomers, turnover — with one
:class:`roltrap.disclosure.LinearAudit` together with every linear relation between them, and hides
what the audit says (primary: below ``min_cell``; secondary: until no hidden cell, and no small
group that is a difference of two published cells, can be pinned within ±2 persons). Shares are
shown only when their numerator and denominator are; the replacement speed only when every count it
is computed from is. Percentile means follow the dominance rule on the absolute gains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roltrap.cohort.metrics import CLIMB_POINTS, GROUPS, STATUSES
from roltrap.disclosure import LinearAudit, dominated


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


def retention_table(counts: pd.DataFrame, *, base_year: int, follow: int) -> pd.DataFrame:
    """wijk, k, year, persons, size (raw counts) for k = 0..follow, every wijk × k present."""
    wijken = sorted(counts["origin"].unique())
    grid = pd.MultiIndex.from_product([wijken, range(follow + 1)], names=["wijk", "k"])
    c = counts.rename(columns={"origin": "wijk"}).set_index(["wijk", "k"])["persons"]
    c = c.reindex(grid, fill_value=0).astype("int64")
    size = c.xs(0, level="k").reindex(grid.get_level_values("wijk")).to_numpy()
    out = pd.DataFrame({"wijk": grid.get_level_values("wijk"), "k": grid.get_level_values("k")})
    out["year"] = base_year + out["k"]
    out["persons"] = c.to_numpy()
    out["size"] = size
    return out


def destinations_table(counts: pd.DataFrame, *, wijken: list[str]) -> pd.DataFrame:
    """Raw persons by origin wijk × status at the end of the follow-up (no margins)."""
    wide = counts.pivot_table(index="origin", columns="status", values="persons", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=wijken, columns=list(STATUSES), fill_value=0).astype("int64")
    wide.index.name = "wijk"
    wide.columns.name = None
    return wide


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


TURNOVER_DETAIL = ("andere_wijk", "andere_gemeente", "niet_ingeschreven")


def turnover_table(long: pd.DataFrame) -> pd.DataFrame:
    """Raw counts per wijk and year: population, settlers and leavers (by where from/to) and totals."""
    key = ["wijk", "year"]
    pop = long[long["kind"] == "bevolking"].groupby(key)["persons"].sum().rename("bevolking")
    frames = [pop.to_frame()]
    for kind, label in (("vestiging", "vestigers"), ("vertrek", "vertrekkers")):
        part = long[long["kind"] == kind].pivot_table(
            index=key, columns="detail", values="persons", aggfunc="sum", fill_value=0
        )
        part = part.reindex(columns=list(TURNOVER_DETAIL), fill_value=0)
        part = part.reindex(pop.index, fill_value=0).astype("int64")
        part.columns = [f"{label}_{c}" for c in part.columns]
        part[label] = part.sum(axis=1)
        frames.append(part)
    return pd.concat(frames, axis=1).reset_index().astype({"bevolking": "int64"})


def replacement_speed(turnover: pd.DataFrame, shown: pd.DataFrame, *, min_cell: int) -> pd.DataFrame:
    """Per wijk: mean population / mean settlers per year (in years).

    Published only for wijken whose every population and settlers count is published (``shown``:
    same shape, True where published), so the speed adds no information about a hidden cell.
    """
    df = turnover.assign(_ok=shown["bevolking"] & shown["vestigers"])
    per_wijk = df.groupby("wijk").agg(
        bevolking=("bevolking", "mean"),
        vestigers=("vestigers", "mean"),
        jaren=("year", "count"),
        ok=("_ok", "all"),
    )
    ok = per_wijk["ok"] & (per_wijk["bevolking"] >= min_cell) & (per_wijk["vestigers"] >= max(min_cell, 1))
    per_wijk["vervangingssnelheid"] = _na(per_wijk["bevolking"] / per_wijk["vestigers"]).mask(~ok)
    per_wijk["bevolking"] = _na(per_wijk["bevolking"].round(0)).mask(~ok)
    per_wijk["vestigers"] = _na(per_wijk["vestigers"].round(0)).mask(~ok)
    return per_wijk.drop(columns="ok").reset_index()


def _stats(
    n: int, gains: np.ndarray, counts: np.ndarray, *, min_cell: int, tally: Tally
) -> dict[str, object]:
    """Raw stats of one (wijk, group): ``n`` persons, of whom ``counts`` gained ``gains`` (the others
    have no income in one of the years): persons, with_income, climbed (counts) and the mean gain
    (None below ``min_cell`` persons with an income, or when one or two persons dominate)."""
    w = counts.astype(float)
    n_inc = int(w.sum())
    row: dict[str, object] = {
        "persons": n,
        "with_income": n_inc,
        "mean_gain": None,
        "climbed": int(w[gains >= CLIMB_POINTS].sum()),
    }
    if n_inc >= max(min_cell, 1):
        if dominated(np.repeat(np.abs(gains), counts)):
            tally.dominance += 1
        else:
            row["mean_gain"] = float((gains * w).sum() / n_inc)
    return row


BOOT_CHUNK = 4_000_000  # persons × replicates drawn at once: bounds the memory of one draw
# Persons per distinct gain from which a multinomial draw per replicate is cheaper than drawing
# every person (measured: ~80 ns per distinct value against ~2–5 ns per person).
MULTINOMIAL_FROM = 24


def bootstrap_diff(a: pd.DataFrame, b: pd.DataFrame, *, reps: int, rng: np.random.Generator) -> np.ndarray:
    """``reps`` bootstrap draws of mean(a) − mean(b), resampling persons within each group.

    Exact for the histogram form: the persons are the histogram's values repeated by their counts,
    and each replicate draws n of them with replacement — one vectorised draw of person indices
    for many replicates at a time. When a group has many persons per distinct gain (n ≥
    :data:`MULTINOMIAL_FROM` × distinct values, large inputs), a replicate is drawn instead as
    multinomial counts over the distinct gains: the same distribution, at a cost that no longer
    grows with the number of persons.
    """

    def arrays(h: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        h = h.dropna(subset=["gain"])
        return h["gain"].to_numpy(dtype=float), h["persons"].to_numpy(dtype=np.int64)

    return _boot_means(*arrays(a), reps=reps, rng=rng) - _boot_means(*arrays(b), reps=reps, rng=rng)


def _boot_means(gains: np.ndarray, counts: np.ndarray, *, reps: int, rng: np.random.Generator) -> np.ndarray:
    """``reps`` bootstrap means of the persons ``np.repeat(gains, counts)`` (see :func:`bootstrap_diff`)."""
    n = int(counts.sum())
    if n >= MULTINOMIAL_FROM * len(gains) and n > 0:
        return rng.multinomial(n, counts / n, size=reps) @ gains / n
    persons = np.repeat(gains, counts)
    out = np.empty(reps)
    step = max(1, BOOT_CHUNK // max(n, 1))
    for start in range(0, reps, step):
        k = min(step, reps - start)
        out[start : start + k] = persons[rng.integers(0, n, size=(k, n))].mean(axis=1)
    return out


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
    # Every wijk × group, also empty ones: a missing row would tell "nobody".
    wijken = sorted(set(hist["wijk"]) | set(levels["origin"]))
    # Each group's histogram as arrays, cut out once (the rows keep their order within a group):
    # the stats and the bootstrap below read these instead of filtering the frame again per wijk.
    persons = hist.groupby(["wijk", "group"], sort=False)["persons"].sum()
    known = hist[hist["gain"].notna()]
    parts = {
        key: (g["gain"].to_numpy(dtype=float), g["persons"].to_numpy(dtype=np.int64))
        for key, g in known.groupby(["wijk", "group"], sort=False)
    }
    no_gain = (np.zeros(0), np.zeros(0, dtype=np.int64))
    stats: dict[tuple[str, str], dict[str, object]] = {}
    for wijk in wijken:
        for group in GROUPS:
            key = (wijk, group)
            n = int(persons.get(key, 0))
            stats[key] = _stats(n, *parts.get(key, no_gain), min_cell=min_cell, tally=tally)
            rows.append({"wijk": wijk, "group": group, **stats[key]})
    traj = pd.DataFrame(rows, columns=["wijk", "group", "persons", "with_income", "mean_gain", "climbed"])
    for col in ("persons", "with_income", "climbed"):
        traj[col] = traj[col].astype("int64")
    traj["mean_gain"] = traj["mean_gain"].astype("Float64")

    lv = levels.set_index("origin")
    mean_pct0 = (lv["pct_sum"] / lv["pct_n"].where(lv["pct_n"] > 0)).astype(float)
    low = set(mean_pct0[mean_pct0 < mean_pct0.median()].index) if mean_pct0.notna().any() else set()

    esc_rows = []
    strata: list[tuple[float, float, np.ndarray]] = []  # (weight, score, draws) of low-income wijken
    for wijk in sorted(set(hist["wijk"]) | set(lv.index)):
        st_l, st_s = stats[(wijk, "vertrekker")], stats[(wijk, "blijver")]
        rec: dict[str, object] = {
            "wijk": wijk,
            "low_income": wijk in low,
            "mean_pct_base": float(mean_pct0.get(wijk, np.nan)),
            "score": None,
            "ci_low": None,
            "ci_high": None,
        }
        if st_l["mean_gain"] is not None and st_s["mean_gain"] is not None:
            left = _boot_means(*parts.get((wijk, "vertrekker"), no_gain), reps=reps, rng=rng)
            draws = left - _boot_means(*parts.get((wijk, "blijver"), no_gain), reps=reps, rng=rng)
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


@dataclass
class Protected:
    """The published tables of one run after joint disclosure control."""

    cohort: pd.DataFrame
    retention: pd.DataFrame
    destinations: pd.DataFrame
    trajectories: pd.DataFrame
    newcomers: pd.DataFrame
    turnover: pd.DataFrame
    replacement_speed: pd.DataFrame
    primary: int
    secondary: int


def _ret_key(w: str, k: int) -> tuple[object, ...]:
    return ("cohort", w) if k == 0 else ("retention", w, k)


def _traj_key(w: str, group: str, col: str) -> tuple[object, ...]:
    if col == "persons" and group == "blijver":
        return ("dest", w, "blijver")  # the same persons as the destinations' blijver cell
    if col == "persons" and group == "nieuwkomer":
        return ("newcomers", w)  # the same persons as the newcomers table
    return ("traj", w, group, col)


def protect_run(
    *,
    retention: pd.DataFrame,
    destinations: pd.DataFrame,
    trajectories: pd.DataFrame,
    newcomers: pd.DataFrame,
    turnover: pd.DataFrame,
    base_year: int,
    follow: int,
    min_cell: int,
) -> Protected:
    """Joint disclosure control of every count one run publishes (see the module doc).

    Inputs are the raw tables of :func:`retention_table`, :func:`destinations_table`,
    :func:`trajectories_tables`, the newcomers (wijk, persons, mean_pct, pct_n) and
    :func:`turnover_table`.
    """
    audit = LinearAudit(min_cell=min_cell)
    cohort_wijken = list(destinations.index)
    size = retention[retention["k"] == 0].set_index("wijk")["persons"]
    # -- cells -------------------------------------------------------------------------------
    for w in cohort_wijken:
        audit.cell(("cohort", w), size[w])
    for r in retention[retention["k"] > 0].itertuples(index=False):
        audit.cell(_ret_key(r.wijk, r.k), r.persons)
        # Cohort − still there = the persons gone by year k: a group a reader can compute.
        audit.implicit(("gone", r.wijk, r.k), r.size - r.persons)
        audit.equal(("cohort", r.wijk), [_ret_key(r.wijk, r.k), ("gone", r.wijk, r.k)])
    for w in cohort_wijken:
        for s in STATUSES:
            audit.cell(("dest", w, s), destinations.loc[w, s])
        audit.equal(("cohort", w), [("dest", w, s) for s in STATUSES])
        # In the origin wijk at the end = stayed all along + returned; stayers were there every year.
        audit.equal(_ret_key(w, follow), [("dest", w, "blijver"), ("dest", w, "teruggekeerd")])
        for k in range(1, follow + 1):
            audit.at_most(("dest", w, "blijver"), _ret_key(w, k))
    for s in STATUSES:
        audit.cell(("dest", "Totaal", s), destinations[s].sum())
        audit.equal(("dest", "Totaal", s), [("dest", w, s) for w in cohort_wijken])
    audit.cell(("dest", "Totaal", "Totaal"), int(size.sum()))
    audit.equal(("dest", "Totaal", "Totaal"), [("cohort", w) for w in cohort_wijken])
    audit.equal(("dest", "Totaal", "Totaal"), [("dest", "Totaal", s) for s in STATUSES])
    for r in newcomers.itertuples(index=False):
        audit.cell(("newcomers", r.wijk), r.persons)
    for r in trajectories.itertuples(index=False):
        if ("newcomers", r.wijk) not in audit.values and r.group == "nieuwkomer":
            audit.cell(("newcomers", r.wijk), r.persons)
        for col in ("persons", "with_income", "climbed"):
            audit.cell(_traj_key(r.wijk, r.group, col), getattr(r, col))
        audit.at_most(_traj_key(r.wijk, r.group, "with_income"), _traj_key(r.wijk, r.group, "persons"))
        audit.implicit(("traj", r.wijk, r.group, "not_climbed"), r.with_income - r.climbed)
        audit.equal(
            _traj_key(r.wijk, r.group, "with_income"),
            [_traj_key(r.wijk, r.group, "climbed"), ("traj", r.wijk, r.group, "not_climbed")],
        )
        if r.group == "vertrekker" and r.wijk in destinations.index:
            audit.equal(
                _traj_key(r.wijk, "vertrekker", "persons"),
                [("dest", r.wijk, "andere_wijk"), ("dest", r.wijk, "andere_gemeente")],
            )
    tcols = ["bevolking"] + [
        f"{label}{suffix}"
        for label in ("vestigers", "vertrekkers")
        for suffix in ("", *(f"_{d}" for d in TURNOVER_DETAIL))
    ]
    t = turnover.set_index(["wijk", "year"])
    for (w, y), row in t.iterrows():
        for c in tcols:
            audit.cell(("turn", w, y, c), row[c])
        for label in ("vestigers", "vertrekkers"):
            audit.equal(("turn", w, y, label), [("turn", w, y, f"{label}_{d}") for d in TURNOVER_DETAIL])
        audit.at_most(("turn", w, y, "vestigers"), ("turn", w, y, "bevolking"))
        if (w, y - 1) in t.index:
            # population(y) − population(y−1) = settlers(y) − leavers(y)
            audit.relate(
                {
                    ("turn", w, y, "bevolking"): 1,
                    ("turn", w, y - 1, "bevolking"): -1,
                    ("turn", w, y, "vestigers"): -1,
                    ("turn", w, y, "vertrekkers"): 1,
                }
            )
            audit.at_most(("turn", w, y, "vertrekkers"), ("turn", w, y - 1, "bevolking"))
        k = int(y) - base_year
        if w in destinations.index and 1 <= k <= follow:
            audit.at_most(_ret_key(w, k), ("turn", w, y, "bevolking"))
        if k == follow and ("newcomers", w) in audit.values:
            audit.at_most(("newcomers", w), ("turn", w, y, "bevolking"))
    for y, g in turnover.groupby("year"):
        # Moves within the municipality: every settler from another wijk left another wijk.
        coeffs: dict[object, float] = {("turn", w, y, "vestigers_andere_wijk"): 1 for w in g["wijk"]}
        coeffs.update({("turn", w, y, "vertrekkers_andere_wijk"): -1 for w in g["wijk"]})
        audit.relate(coeffs)
    rep = audit.protect()

    # -- apply ---------------------------------------------------------------------------------
    def masked(values: pd.Series, keys: Sequence[object]) -> pd.Series:
        hide = np.array([audit.hidden(k) for k in keys], dtype=bool)
        return _na(values.reset_index(drop=True)).mask(hide)

    ret = retention.copy()
    keys = [_ret_key(w, k) for w, k in zip(ret["wijk"], ret["k"], strict=True)]
    ret["persons"] = masked(ret["persons"], keys).array
    size_hidden = np.array([audit.hidden(("cohort", w)) for w in ret["wijk"]])
    share = _na(pd.Series(ret["persons"].to_numpy(dtype=float) / np.where(ret["size"] > 0, ret["size"], 1)))
    ret["share"] = share.mask(ret["persons"].isna().to_numpy() | size_hidden).array
    ret = ret.drop(columns="size")

    cohort = pd.DataFrame({"wijk": cohort_wijken})
    cohort["persons"] = masked(size.reindex(cohort_wijken), [("cohort", w) for w in cohort_wijken]).array

    dest = destinations.copy()
    dest.loc["Totaal"] = destinations.sum()
    dest["Totaal"] = dest.sum(axis=1)
    out = pd.DataFrame(index=dest.index)
    for s in (*STATUSES, "Totaal"):
        keys = [("cohort", w) if s == "Totaal" and w != "Totaal" else ("dest", w, s) for w in dest.index]
        out[s] = masked(dest[s], keys).array
    out.index.name = "wijk"
    out = out.reset_index()

    traj = trajectories.copy()
    for col in ("persons", "with_income", "climbed"):
        keys = [_traj_key(w, g, col) for w, g in zip(traj["wijk"], traj["group"], strict=True)]
        traj[col] = masked(traj[col], keys).array
    ratio = traj["climbed"].astype(float) / traj["with_income"].astype(float).where(traj["with_income"] > 0)
    traj["climbed_share"] = _na(ratio).mask(traj["climbed"].isna() | traj["with_income"].isna())

    newl = newcomers.copy()
    newl["persons"] = masked(newl["persons"], [("newcomers", w) for w in newl["wijk"]]).array
    newl["mean_pct"] = _na(newl["mean_pct"]).mask(newl["pct_n"] < max(min_cell, 1))
    newl = newl.drop(columns="pct_n")

    turn = turnover.copy()
    for c in tcols:
        turn[c] = masked(
            turn[c], [("turn", w, y, c) for w, y in zip(turn["wijk"], turn["year"], strict=True)]
        ).array
    shown = turn[tcols].notna()
    speed = replacement_speed(turnover, shown, min_cell=min_cell)
    return Protected(
        cohort=cohort,
        retention=ret,
        destinations=out,
        trajectories=traj,
        newcomers=newl,
        turnover=turn,
        replacement_speed=speed,
        primary=rep.primary,
        secondary=rep.secondary,
    )
