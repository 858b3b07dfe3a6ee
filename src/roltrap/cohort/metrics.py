"""The escalator metrics, written once as Ibis expressions (run unchanged on DuckDB and Spark).

Every function takes Ibis tables and returns an Ibis table of *aggregates* (counts per district,
year and group, or a histogram of percentile gains); nothing here executes a query. The service
executes them, applies disclosure control and computes the bootstrap from the histograms.

Definitions (the syllabus §12 question: do people who leave a low-income district climb?):

* **cohort**: persons registered in municipality G in the base year B with age in [lo, hi];
  their *origin* is the wijk they lived in in B.
* **retention** r(k): persons of the cohort registered in their origin wijk in year B+k, k=0..F.
* **status at the end** (year B+F): ``blijver`` (in the origin wijk in every year B..B+F),
  ``teruggekeerd`` (in the origin wijk at the end, but not every year), ``andere_wijk`` (another wijk
  of G), ``andere_gemeente`` (registered outside G), ``onbekend`` (no record: abroad, deceased, gap).
  Returners are kept apart so that the stayers' gains are not mixed with those of people who left.
* **leavers** (``vertrekker``) = ``andere_wijk`` + ``andere_gemeente``; the gain of a person is
  percentile(B+F) − percentile(B).
* **newcomers** (``nieuwkomer``): persons in wijk W of G in B+F, aged [lo, hi] then, who were not in
  W in B (elsewhere or not registered); gain where a base-year record exists.
* **turnover** per wijk and year y: population (registered in W in y), settlers (in W in y, not in
  W in y−1), leavers (in W in y−1, not in W in y, including deregistration). Replacement speed =
  population / settlers, as in the district monitor.
* **role-model departure**: person-years of the cohort in their origin wijk in y (B < y < B+F) that
  are followed by a record in y+1; *climbed* = percentile(y) − percentile(B) ≥ :data:`CLIMB_POINTS`;
  event = the record in y+1 is outside the origin wijk. Hazards per group give a ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

CLIMB_POINTS = 10.0  # percentile points that count as "climbed"
STATUSES = ("blijver", "teruggekeerd", "andere_wijk", "andere_gemeente", "onbekend")
GROUPS = ("blijver", "vertrekker", "nieuwkomer")


@dataclass(frozen=True)
class CohortSpec:
    """What the user asks: municipality, base year, age band and follow-up in years."""

    gemeente: str
    base_year: int
    age_min: int
    age_max: int
    follow: int

    @property
    def end_year(self) -> int:
        return self.base_year + self.follow


def prepare(raw: ir.Table, *, income: str | None, spec: CohortSpec) -> ir.Table:
    """Canonical person-years in the window [B−1, B+F]: person_id, year, wijk, gemeente, age, pct.

    ``wijk`` follows from a buurt code (BU05460001 → WK054600); ``gemeente`` is taken from its column
    when given, else from the code. ``pct`` is the income percentile with one decimal (from
    ``household_income`` ranked per year when no percentile column exists; NULL without income).
    """
    code = raw.region_code.cast("string").strip().upper()
    wijk = ibis.ifelse(code.startswith("BU"), ibis.literal("WK").concat(code.substr(2, 6)), code)
    if "gemeente" in raw.columns:
        gemeente = raw.gemeente.cast("string").strip().upper()
    else:
        gemeente = ibis.literal("GM").concat(code.substr(2, 4))
    year = raw.year.cast("int32")
    t = raw.mutate(_year=year, _wijk=wijk, _gm=gemeente)
    t = t.filter(t._year.between(spec.base_year - 1, spec.end_year))
    if income == "income_percentile":
        pct = t.income_percentile.cast("float64")
    elif income == "household_income":
        amount = t.household_income.cast("float64")
        ranked = ibis.percent_rank().over(ibis.window(group_by=t._year, order_by=amount))
        pct = ibis.ifelse(amount.isnull(), ibis.null("float64"), ranked * 100.0)
    else:
        pct = ibis.null("float64")
    return t.select(
        person_id=t.person_id.cast("string"),
        year=t._year,
        wijk=t._wijk,
        gemeente=t._gm,
        age=t.age.cast("int32"),
        pct=pct.round(1),
    )


def cohort(py: ir.Table, spec: CohortSpec) -> ir.Table:
    """The base-year cohort: person_id, origin (wijk), pct0."""
    base = py.filter(
        (py.year == spec.base_year)
        & (py.gemeente == spec.gemeente)
        & py.age.between(spec.age_min, spec.age_max)
    )
    return base.select(person_id=base.person_id, origin=base.wijk, pct0=base.pct)


def _cohort_rows(py: ir.Table, coh: ir.Table, spec: CohortSpec) -> ir.Table:
    rows = py.filter(py.year.between(spec.base_year, spec.end_year))
    rows = rows.select(rid=rows.person_id, year=rows.year, wijk=rows.wijk, pct=rows.pct)
    j = coh.join(rows, coh.person_id == rows.rid)
    return j.select(j.person_id, j.origin, j.pct0, j.year, j.wijk, j.pct)


def retention(py: ir.Table, coh: ir.Table, spec: CohortSpec) -> ir.Table:
    """origin, k, persons: cohort members living in their origin wijk in year B+k."""
    j = _cohort_rows(py, coh, spec)
    j = j.filter(j.wijk == j.origin)
    return j.group_by(origin=j.origin, k=(j.year - spec.base_year).cast("int32")).aggregate(persons=j.count())


def end_status(py: ir.Table, coh: ir.Table, spec: CohortSpec) -> ir.Table:
    """One row per cohort member: origin, status at B+F, pct0, pct_end, gain."""
    j0 = _cohort_rows(py, coh, spec)
    j0 = j0.filter(j0.wijk == j0.origin)
    years_in = j0.group_by(yid=j0.person_id).aggregate(n_in=j0.count())
    end = py.filter(py.year == spec.end_year)
    end = end.select(eid=end.person_id, end_wijk=end.wijk, end_gm=end.gemeente, pct_end=end.pct)
    j = coh.left_join(end, coh.person_id == end.eid)
    j = j.left_join(years_in, j.person_id == years_in.yid)
    status = ibis.cases(
        (j.eid.isnull(), "onbekend"),
        ((j.end_wijk == j.origin) & (j.n_in == spec.follow + 1), "blijver"),
        (j.end_wijk == j.origin, "teruggekeerd"),
        (j.end_gm == spec.gemeente, "andere_wijk"),
        else_="andere_gemeente",
    )
    return j.select(
        origin=j.origin, status=status, pct0=j.pct0, pct_end=j.pct_end, gain=(j.pct_end - j.pct0).round(1)
    )


def destinations(status: ir.Table) -> ir.Table:
    """origin, status, persons."""
    return status.group_by(["origin", "status"]).aggregate(persons=status.count())


def gain_histogram(py: ir.Table, status: ir.Table, spec: CohortSpec) -> ir.Table:
    """wijk, group, gain, persons: how many of each group gained how many percentile points.

    ``gain`` is NULL for persons without an income in both years (counted, not averaged). The
    histogram is enough to compute means, climbed shares, the dominance rule and an exact bootstrap
    without moving person rows out of the engine.
    """
    moved = status.filter(status.status.isin(["blijver", "andere_wijk", "andere_gemeente"]))
    grp = ibis.ifelse(moved.status == "blijver", "blijver", "vertrekker")
    left = moved.select(wijk=moved.origin, group=grp, gain=moved.gain)

    end = py.filter(
        (py.year == spec.end_year)
        & (py.gemeente == spec.gemeente)
        & py.age.between(spec.age_min, spec.age_max)
    )
    end = end.select(nid=end.person_id, wijk=end.wijk, pct_end=end.pct)
    base = py.filter(py.year == spec.base_year)
    base = base.select(bid=base.person_id, base_wijk=base.wijk, pct_base=base.pct)
    nj = end.left_join(base, end.nid == base.bid)
    nj = nj.filter(nj.base_wijk.isnull() | (nj.base_wijk != nj.wijk))
    new = nj.select(wijk=nj.wijk, group=ibis.literal("nieuwkomer"), gain=(nj.pct_end - nj.pct_base).round(1))

    both = left.union(new)
    return both.group_by(["wijk", "group", "gain"]).aggregate(persons=both.count())


def newcomer_levels(py: ir.Table, spec: CohortSpec) -> ir.Table:
    """wijk, persons, pct_sum, pct_n: income level of newcomers in B+F (mean = pct_sum / pct_n)."""
    end = py.filter(
        (py.year == spec.end_year)
        & (py.gemeente == spec.gemeente)
        & py.age.between(spec.age_min, spec.age_max)
    )
    base = py.filter(py.year == spec.base_year)
    base = base.select(bid=base.person_id, base_wijk=base.wijk)
    j = end.left_join(base, end.person_id == base.bid)
    j = j.filter(j.base_wijk.isnull() | (j.base_wijk != j.wijk))
    return j.group_by("wijk").aggregate(persons=j.count(), pct_sum=j.pct.sum(), pct_n=j.pct.count())


def turnover(py: ir.Table, spec: CohortSpec) -> ir.Table:
    """wijk, year, kind, detail, persons for every year B+1..B+F (all ages).

    kind ``bevolking`` (detail ``totaal``), ``vestiging`` (detail = where from: andere_wijk,
    andere_gemeente, niet_ingeschreven) and ``vertrek`` (detail = where to, same categories).
    """
    g = spec.gemeente
    cur = py.filter(py.year.between(spec.base_year + 1, spec.end_year))
    cur = cur.select(cid=cur.person_id, year=cur.year, wijk=cur.wijk, gm=cur.gemeente)
    prev = py.filter(py.year.between(spec.base_year, spec.end_year - 1))
    prev = prev.select(
        pid=prev.person_id, pyear=(prev.year + 1).cast("int32"), pwijk=prev.wijk, pgm=prev.gemeente
    )
    j = cur.outer_join(prev, (cur.cid == prev.pid) & (cur.year == prev.pyear))

    def where(other_wijk: Any, other_gm: Any) -> Any:
        return ibis.cases(
            (other_wijk.isnull(), "niet_ingeschreven"),
            (other_gm == g, "andere_wijk"),
            else_="andere_gemeente",
        )

    pop = cur.filter(cur.gm == g)
    pop = pop.group_by(wijk=pop.wijk, year=pop.year).aggregate(persons=pop.count())
    pop = pop.select(
        pop.wijk, pop.year, kind=ibis.literal("bevolking"), detail=ibis.literal("totaal"), persons=pop.persons
    )

    s = j.filter((j.gm == g) & (j.pwijk.isnull() | (j.pwijk != j.wijk)))
    s = s.mutate(detail=where(s.pwijk, s.pgm))
    s = s.group_by(wijk=s.wijk, year=s.year, detail=s.detail).aggregate(persons=s.count())
    s = s.select(s.wijk, s.year, kind=ibis.literal("vestiging"), detail=s.detail, persons=s.persons)

    v = j.filter((j.pgm == g) & (j.wijk.isnull() | (j.wijk != j.pwijk)))
    v = v.mutate(detail=where(v.wijk, v.gm))
    v = v.group_by(wijk=v.pwijk, year=v.pyear, detail=v.detail).aggregate(persons=v.count())
    v = v.select(v.wijk, v.year, kind=ibis.literal("vertrek"), detail=v.detail, persons=v.persons)
    return pop.union(s).union(v)


def role_model(py: ir.Table, coh: ir.Table, spec: CohortSpec) -> ir.Table:
    """origin, climbed, person_years, events, persons: leaving hazard of climbers vs others."""
    j = _cohort_rows(py, coh, spec)
    at = j.filter(
        (j.wijk == j.origin)
        & j.year.between(spec.base_year + 1, spec.end_year - 1)
        & j.pct.notnull()
        & j.pct0.notnull()
    )
    nxt = py.filter(py.year.between(spec.base_year + 2, spec.end_year))
    nxt = nxt.select(nid=nxt.person_id, nyear=(nxt.year - 1).cast("int32"), nwijk=nxt.wijk)
    r = at.join(nxt, (at.person_id == nxt.nid) & (at.year == nxt.nyear))
    r = r.mutate(climbed=(r.pct - r.pct0) >= CLIMB_POINTS, event=(r.nwijk != r.origin).cast("int64"))
    return r.group_by(["origin", "climbed"]).aggregate(
        person_years=r.count(), events=r.event.sum(), persons=r.person_id.nunique()
    )


def cohort_levels(coh: ir.Table) -> ir.Table:
    """origin, persons, pct_sum, pct_n: size and income level of the cohort per wijk."""
    return coh.group_by("origin").aggregate(
        persons=coh.count(), pct_sum=coh.pct0.sum(), pct_n=coh.pct0.count()
    )
