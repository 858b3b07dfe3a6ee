"""A reader who wants the suppressed cells back: solves the linear system of one published run.

Written from the published result alone (the JSON of ``roltrap cohort analyse --format json`` and
``/roltrap.json``), independently of :mod:`roltrap.disclosure`, and solved with a different
interface (``scipy.optimize.linprog``). Every published count is a constant, every null count an
unknown ≥ 0; the reader knows every identity between the tables:

* cohort = destinations' Totaal = retention at k = 0; each destinations row and column sums up;
* retention(k = follow) = blijver + teruggekeerd; blijver ≤ retention(k) for every k;
  retention persons = share × cohort (shares are published with 6 decimals);
* trajectories: blijver = destinations' blijver, vertrekker = andere_wijk + andere_gemeente,
  nieuwkomer = newcomers; with_income ≤ persons, climbed ≤ with_income, climbed = climbed_share ×
  with_income;
* turnover: settlers and leavers sum over where from / to; population(y) − population(y−1) =
  settlers(y) − leavers(y); settlers from another wijk, summed over wijken, = leavers to another
  wijk; settlers ≤ population; retention(k) ≤ population(B+k), newcomers ≤ population(B+F);
* replacement speed: mean population and mean settlers (rounded to whole persons) and their ratio.

:func:`attack` returns, for every suppressed count, the interval the reader can pin it to.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from scipy.optimize import linprog

STATUSES = ("blijver", "teruggekeerd", "andere_wijk", "andere_gemeente", "onbekend")
DETAIL = ("andere_wijk", "andere_gemeente", "niet_ingeschreven")
SHARE_TOL = 1e-6  # shares and ratios are published rounded to 6 decimals


class System:
    def __init__(self) -> None:
        self.value: dict[Any, float | None] = {}  # None: suppressed
        self.rows: list[tuple[dict[Any, float], float, float]] = []

    def cell(self, key: Any, v: Any) -> None:
        v = None if v is None else float(v)
        if key in self.value and self.value[key] is not None and v is not None:
            assert self.value[key] == v, (key, self.value[key], v)  # the same quantity twice
        if key not in self.value or self.value[key] is None:
            self.value[key] = v

    def rel(self, coeffs: dict[Any, float], lo: float = 0.0, hi: float | None = None) -> None:
        coeffs = {k: c for k, c in coeffs.items() if k in self.value}
        self.rows.append((coeffs, lo, lo if hi is None else hi))

    def le(self, a: Any, b: Any) -> None:
        if a in self.value and b in self.value:
            self.rel({a: 1, b: -1}, -np.inf, 0.0)


def build(res: dict[str, Any]) -> System:
    s = System()
    p = res["parameters"]
    f, b = p["follow"], p["base_year"]
    for r in res["cohort"]:
        s.cell(("C", r["wijk"]), r["persons"])
    for r in res["retention"]:
        key = ("C", r["wijk"]) if r["k"] == 0 else ("R", r["wijk"], r["k"])
        s.cell(key, r["persons"])
    for r in res["destinations"]:
        for st in STATUSES:
            s.cell(("D", r["wijk"], st), r[st])
        s.cell(("C", r["wijk"]) if r["wijk"] != "Totaal" else ("Dtot",), r["Totaal"])
    for r in res["newcomers"]:
        s.cell(("N", r["wijk"]), r["persons"])
    for r in res["trajectories"]:
        w, g = r["wijk"], r["group"]
        key = {"blijver": ("D", w, "blijver"), "nieuwkomer": ("N", w)}.get(g, ("T", w, g, "persons"))
        s.cell(key, r["persons"])
        s.cell(("T", w, g, "with_income"), r["with_income"])
        s.cell(("T", w, g, "climbed"), r["climbed"])
    cols = ["bevolking", "vestigers", "vertrekkers"] + [
        f"{a}_{d}" for a in ("vestigers", "vertrekkers") for d in DETAIL
    ]
    for r in res["turnover"]:
        for c in cols:
            s.cell(("P", r["wijk"], r["year"], c), r[c])

    wijken = [r["wijk"] for r in res["destinations"] if r["wijk"] != "Totaal"]
    for w in wijken:
        s.rel({("C", w): -1, **{("D", w, st): 1 for st in STATUSES}})
        s.rel({("R", w, f): 1, ("D", w, "blijver"): -1, ("D", w, "teruggekeerd"): -1})
        s.rel(
            {
                ("T", w, "vertrekker", "persons"): 1,
                ("D", w, "andere_wijk"): -1,
                ("D", w, "andere_gemeente"): -1,
            }
        )
        for k in range(1, f + 1):
            s.le(("D", w, "blijver"), ("R", w, k))
            s.le(("R", w, k), ("P", w, b + k, "bevolking"))
        s.le(("N", w), ("P", w, b + f, "bevolking"))
    for st in STATUSES:
        s.rel({("D", "Totaal", st): -1, **{("D", w, st): 1 for w in wijken}})
    s.rel({("Dtot",): -1, **{("C", w): 1 for w in wijken}})
    s.rel({("Dtot",): -1, **{("D", "Totaal", st): 1 for st in STATUSES}})
    for r in res["retention"]:
        if r["share"] is not None and r["k"] > 0:
            # persons = share × cohort, up to the rounding of the share
            pk, ck = ("R", r["wijk"], r["k"]), ("C", r["wijk"])
            s.rel({pk: 1, ck: -(r["share"] + SHARE_TOL)}, -np.inf, 0.0)
            s.rel({pk: 1, ck: -(r["share"] - SHARE_TOL)}, 0.0, np.inf)
    for r in res["trajectories"]:
        w, g = r["wijk"], r["group"]
        pkey = {"blijver": ("D", w, "blijver"), "nieuwkomer": ("N", w)}.get(g, ("T", w, g, "persons"))
        s.le(("T", w, g, "with_income"), pkey)
        s.le(("T", w, g, "climbed"), ("T", w, g, "with_income"))
        if r["climbed_share"] is not None:
            c, n = ("T", w, g, "climbed"), ("T", w, g, "with_income")
            s.rel({c: 1, n: -(r["climbed_share"] + SHARE_TOL)}, -np.inf, 0.0)
            s.rel({c: 1, n: -(r["climbed_share"] - SHARE_TOL)}, 0.0, np.inf)
    years_of: dict[str, list[int]] = defaultdict(list)
    for r in res["turnover"]:
        w, y = r["wijk"], r["year"]
        years_of[w].append(y)
        for a in ("vestigers", "vertrekkers"):
            s.rel({("P", w, y, a): -1, **{("P", w, y, f"{a}_{d}"): 1 for d in DETAIL}})
        s.le(("P", w, y, "vestigers"), ("P", w, y, "bevolking"))
        if ("P", w, y - 1, "bevolking") in s.value:
            s.rel(
                {
                    ("P", w, y, "bevolking"): 1,
                    ("P", w, y - 1, "bevolking"): -1,
                    ("P", w, y, "vestigers"): -1,
                    ("P", w, y, "vertrekkers"): 1,
                }
            )
            s.le(("P", w, y, "vertrekkers"), ("P", w, y - 1, "bevolking"))
    by_year: dict[int, list[str]] = defaultdict(list)
    for r in res["turnover"]:
        by_year[r["year"]].append(r["wijk"])
    for y, ws in by_year.items():
        s.rel(
            {
                **{("P", w, y, "vestigers_andere_wijk"): 1 for w in ws},
                **{("P", w, y, "vertrekkers_andere_wijk"): -1 for w in ws},
            }
        )
    for r in res["replacement_speed"]:
        w, n = r["wijk"], r["jaren"]
        pop = {("P", w, y, "bevolking"): 1.0 for y in years_of[w]}
        vest = {("P", w, y, "vestigers"): 1.0 for y in years_of[w]}
        if r["bevolking"] is not None:
            s.rel(pop, n * (r["bevolking"] - 0.5), n * (r["bevolking"] + 0.5))
        if r["vestigers"] is not None:
            s.rel(vest, n * (r["vestigers"] - 0.5), n * (r["vestigers"] + 0.5))
        v = r["vervangingssnelheid"]
        if v is not None:  # Σ population = v × Σ settlers, up to the rounding of v
            s.rel({**pop, **{k: -(v + SHARE_TOL) for k in vest}}, -np.inf, 0.0)
            s.rel({**pop, **{k: -(v - SHARE_TOL) for k in vest}}, 0.0, np.inf)
    return s


def attack(res: dict[str, Any]) -> dict[Any, tuple[float, float]]:
    """The interval [min, max] of every suppressed count, given everything ``res`` publishes."""
    s = build(res)
    unknown = sorted((k for k, v in s.value.items() if v is None), key=repr)
    # Split into independent parts (relations linking two or more unknowns), one LP each.
    parent = {k: k for k in unknown}

    def find(k: Any) -> Any:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for coeffs, _, _ in s.rows:
        us = [k for k in coeffs if s.value[k] is None]
        for u in us[1:]:
            parent[find(u)] = find(us[0])
    groups: dict[Any, list[Any]] = defaultdict(list)
    for k in unknown:
        groups[find(k)].append(k)
    out: dict[Any, tuple[float, float]] = {}
    for members in groups.values():
        pos = {k: i for i, k in enumerate(members)}
        a_ub, b_ub, a_eq, b_eq = [], [], [], []
        for coeffs, lo, hi in s.rows:
            if not any(k in pos for k in coeffs):
                continue
            row = np.zeros(len(members))
            const = 0.0
            for k, c in coeffs.items():
                if k in pos:
                    row[pos[k]] += c
                else:
                    const += c * float(s.value[k])  # type: ignore[arg-type]
            if lo == hi:
                a_eq.append(row)
                b_eq.append(lo - const)
                continue
            if np.isfinite(hi):
                a_ub.append(row)
                b_ub.append(hi - const)
            if np.isfinite(lo):
                a_ub.append(-row)
                b_ub.append(const - lo)
        kw: dict[str, Any] = {"bounds": (0, None), "method": "highs"}
        if a_ub:
            kw.update(A_ub=np.array(a_ub), b_ub=np.array(b_ub))
        if a_eq:
            kw.update(A_eq=np.array(a_eq), b_eq=np.array(b_eq))
        for k, i in pos.items():
            c = np.zeros(len(members))
            c[i] = 1.0
            lo_r = linprog(c, **kw)
            hi_r = linprog(-c, **kw)
            assert lo_r.status in (0, 3) and hi_r.status in (0, 3), (k, lo_r.message, hi_r.message)
            lo_v = float(lo_r.fun) if lo_r.status == 0 else 0.0
            hi_v = float(-hi_r.fun) if hi_r.status == 0 else np.inf
            out[k] = (lo_v, hi_v)
    return out


def recoverable(res: dict[str, Any], *, protection: int = 2) -> dict[Any, tuple[float, float]]:
    """Suppressed counts the reader pins within ± ``protection`` persons (interval narrower than
    2·protection + 1)."""
    return {k: iv for k, iv in attack(res).items() if iv[1] - iv[0] < 2 * protection + 1 - 1e-6}
