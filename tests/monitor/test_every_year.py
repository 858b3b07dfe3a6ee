"""Every level × year the bundled store holds: no computation raises for a region/year/indicator it holds.

For each municipality below and each year with figures for its wijken, every computation either gives a
result for that year (saying the year and level) or — only for a year without any of the figures it
needs — a Dutch "not found / not available" message without internal codes.
"""

from __future__ import annotations

import re

import pytest

from roltrap.core import Roltrap
from roltrap.errors import NotAvailableError, NotFoundError

GEMEENTEN = ["GM0546", "GM0363", "GM0014", "GM0599"]  # Leiden, Amsterdam, Groningen, Rotterdam
# Groningen's wijken hold only the map attributes (inhabitants, households): no year is complete there.
CODE = re.compile(r"\b(a|p|g)_[a-z0-9_]+\b")


def _held_years(rt: Roltrap, gm: str) -> list[int]:
    obs = rt.observations(gemeente=gm, level="wijk")
    return sorted({int(y) for y in obs.dropna(subset=["value"])["year"]})


@pytest.mark.parametrize("gm", GEMEENTEN)
def test_every_year_every_computation(rt_ro: Roltrap, gm: str) -> None:
    m = rt_ro.monitor
    for name in ("classify", "vulnerable", "rank", "conditions"):
        listed = m.years(name, gemeente=gm)
        for year in _held_years(rt_ro, gm):
            try:
                r = getattr(m, name)(gemeente=gm, year=year)
            except (NotFoundError, NotAvailableError) as exc:
                assert year not in listed, f"{name} {gm} {year}: {exc.message}"
                assert not CODE.search(exc.message), exc.message
                continue
            assert r.extra["year"] == year and r.extra["level"] == "wijk"
            assert set(r.rows["level"]) <= {"gemeente", "wijk"}
        # the default year is the latest listed one (the latest with the figures); without one, the
        # year holding most of them, said in a note
        default = getattr(m, name)(gemeente=gm)
        if listed:
            assert default.extra["year"] == max(listed)
        else:
            assert any("geen jaar heeft alle" in n.lower() or "lenzen" in n for n in default.notes)
    t = m.turnover(gemeente=gm)
    assert t.extra["period_text"] == "2015–2016" and (t.rows["period"].dropna() == "2015–2016").all()


def test_vulnerable_default_year_has_all_three_lenses(rt_ro: Roltrap) -> None:
    # Groningen 2022 holds one lens only (bijstand); the default is the latest year with all three
    r = rt_ro.monitor.vulnerable(gemeente="GM0014")
    gm = r.rows.set_index("code").loc["GM0014"]
    assert gm["n_lenzen"] == 3 and r.extra["lenses_complete_year"] == r.extra["year"]
    one = rt_ro.monitor.vulnerable(gemeente="GM0014", year=2022).rows.set_index("code").loc["GM0014"]
    if one["n_lenzen"] < 2:
        assert one["centraal"] != one["centraal"]  # NaN: no central figure from one lens


def test_every_indicator_on_the_map(rt_ro: Roltrap) -> None:
    m = rt_ro.monitor
    obs = rt_ro.observations(gemeente="GM0014", level="wijk").dropna(subset=["value"])
    for ind in sorted(set(obs["indicator_id"])):
        for scheme in ("auto", "quantile", "natural", "syllabus"):
            r = m.map_classes(gemeente="GM0014", indicator=ind, scheme=scheme)
            legend = r.extra["legend"]
            assert all(e["count"] > 0 for e in legend), (ind, scheme)
            assert sum(e["count"] for e in legend) == int(r.rows["class"].notna().sum())
            if r.extra["scheme"] != "syllabus":  # the syllabus's fixed labels name the class, not the values
                assert all(" tot " not in e["label"] or e["min"] != e["max"] for e in legend), (ind, legend)


def test_one_default_turnover_period_everywhere(rt_ro: Roltrap) -> None:
    m = rt_ro.monitor
    assert m.default_period() == (2015, 2016)
    t = m.turnover(gemeente="GM0546")
    c = m.compare(gemeente="GM0546")
    k = m.classify(gemeente="GM0546", year=2021)
    leiden_t = t.rows.set_index("code").at["GM0546", "vervangingssnelheid"]
    leiden_c = c.rows.set_index("code").at["GM0546", "vervangingssnelheid"]
    assert leiden_t == pytest.approx(leiden_c) and round(leiden_t, 1) == 11.4
    assert c.extra["period_text"] == t.extra["period_text"] == k.extra["period_text"] == "2015–2016"
    assert set(c.rows["period"].dropna()) == {"2015–2016"}
