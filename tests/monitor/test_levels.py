"""Buurtstad (conftest): 2 wijken, 5 buurten whose buurten add up to the wijken; every figure by hand.

The wijken hold only inhabitants, households and one distance; every other wijk figure must be
aggregated from the buurten (counts add up, shares and means weighted as the catalogue says), and a
buurt without the distance takes its wijk's (flagged). Years: 2023 full, 2022 inhabitants only.
"""

from __future__ import annotations

import statistics

import pandas as pd
import pytest
from monitor_fixtures import BGM, BUURT_2023, BUURT_INW_2022, WIJK_MOVES, aggregate, buurten_of

from roltrap.core import Roltrap
from roltrap.errors import InputError, NotAvailableError, NotFoundError

NOORD, ZUID = "WK999000", "WK999001"
B1, B2, B3, B4, B5 = "BU99900000", "BU99900001", "BU99900100", "BU99900101", "BU99900102"


def rows(result: object) -> pd.DataFrame:
    return result.rows.set_index("code")  # type: ignore[attr-defined]


# -- levels and the derived figures ---------------------------------------------------------------
def test_vulnerable_at_buurt_level_by_hand(buurt: Roltrap) -> None:
    r = buurt.monitor.vulnerable(gemeente=BGM, level="buurt")
    assert r.extra["year"] == 2023 and r.extra["level"] == "buurt"
    b1 = rows(r).loc[B1]
    # opleiding 100; voorzieningen max(40, 60, 20) = 60 … 40 + 60 + 20 = 120; inkomen 500 × 20 % × 2.0 = 200
    # and 500 × 24 % × 2.0 = 240 → lens centres 100, 90, 220 → median 100, range 90–220
    assert b1["opleiding"] == 100
    assert (b1["voorzieningen_min"], b1["voorzieningen_max"]) == (60, 120)
    assert (b1["inkomen_110"], b1["inkomen_120"]) == pytest.approx((200, 240))
    assert (b1["bereik_min"], b1["centraal"], b1["bereik_max"]) == pytest.approx((90, 100, 220))
    assert b1["pct_centraal"] == pytest.approx(10.0)
    assert b1["level"] == "buurt" and b1["parent"] == NOORD and pd.isna(b1["derived_from"])
    assert set(rows(r).index) == {BGM, B1, B2, B3, B4, B5}


def test_wijk_figures_come_from_their_buurten(buurt: Roltrap) -> None:
    r = buurt.monitor.vulnerable(gemeente=BGM, level="wijk")
    noord = rows(r).loc[NOORD]
    b = buurten_of(NOORD)
    assert noord["opleiding"] == 300  # 100 + 200, summed from the buurten
    assert noord["voorzieningen_min"] == max(40 + 30, 60 + 90, 20 + 40)
    hh = aggregate(b, "a_hh")
    p110 = (500 * 20 + 600 * 10) / 1100  # households-weighted share
    size = (500 * 2.0 + 600 * 2.5) / 1100
    assert noord["inkomen_110"] == pytest.approx(hh * p110 / 100 * size)
    assert noord["derived_from"] == "buurten"
    assert r.extra["derived"][NOORD]["a_opl_lg"] == "buurten"
    assert any("berekend uit de buurten" in n for n in r.notes)
    # the municipality's own figures equal the sum of its buurten
    gm = rows(r).loc[BGM]
    assert gm["opleiding"] == sum(v["a_opl_lg"] for v in BUURT_2023.values())
    assert pd.isna(gm["derived_from"])


def test_buurt_takes_a_distance_from_its_wijk_flagged(buurt: Roltrap) -> None:
    r = buurt.monitor.conditions(gemeente=BGM, level="buurt")
    b3 = rows(r).loc[B3]
    assert b3["g_afs_hp"] == 1.2 and b3["derived_from"] == "wijk"
    assert b3["bedrijven_per_1000"] == pytest.approx(1000 * 20 / 800)
    assert any("van de wijk waarin ze liggen" in n for n in r.notes)
    assert r.extra["derived"][B3] == {"g_afs_hp": "wijk"}


def test_rank_buurten_by_hand(buurt: Roltrap) -> None:
    r = buurt.monitor.rank(gemeente=BGM, level="buurt")
    codes = list(BUURT_2023)
    comp = {
        "inkomen": [BUURT_2023[c]["g_ink_pi"] for c in codes],
        "minima": [BUURT_2023[c]["p_hh_osm"] for c in codes],
        "bijstand": [100 * BUURT_2023[c]["a_soz_wb"] / BUURT_2023[c]["a_inw"] for c in codes],
        "laagopgeleid": [100 * BUURT_2023[c]["a_opl_lg"] / BUURT_2023[c]["a_inw"] for c in codes],
    }
    sign = {"inkomen": -1, "minima": 1, "bijstand": 1, "laagopgeleid": 1}
    score = {c: 0.0 for c in codes}
    for k, vals in comp.items():
        mu, sd = statistics.fmean(vals), statistics.pstdev(vals)
        for c, v in zip(codes, vals, strict=True):
            score[c] += sign[k] * (v - mu) / sd / 4
    expected = sorted(codes, key=lambda c: -score[c])
    assert r.rows["code"].tolist() == expected
    assert rows(r)["score"].to_dict() == pytest.approx(score)
    assert r.extra["year"] == 2023


def test_map_classes_at_both_levels(buurt: Roltrap) -> None:
    b = buurt.monitor.map_classes(gemeente=BGM, level="buurt", indicator="p_hh_110")
    assert rows(b)["class"].to_dict() == {
        B1: "20 tot 25%",
        B2: "10 tot 15%",
        B3: "> 25%",
        B4: "< 10%",
        B5: "15 tot 20%",
    }
    assert b.extra["scheme"] == "syllabus" and [e["count"] for e in b.extra["legend"]] == [1, 1, 1, 1, 1]
    w = buurt.monitor.map_classes(gemeente=BGM, level="wijk", indicator="p_hh_110")
    wr = rows(w)
    assert wr.at[NOORD, "value"] == pytest.approx(16000 / 1100)  # 14.5, households-weighted
    assert wr.at[ZUID, "value"] == pytest.approx((400 * 25 + 800 * 5 + 300 * 15) / 1500)  # 12.3
    assert set(wr["class"]) == {"10 tot 15%"} and wr["derived_from"].eq("buurten").all()
    # one class only: the legend says so, no empty classes
    assert [(e["label"], e["count"]) for e in w.extra["legend"]] == [("10 tot 15%", 2)]
    # the buurten of one wijk
    z = buurt.monitor.map_classes(wijk=ZUID, indicator="a_inw")
    assert set(z.rows["code"]) == {B3, B4, B5} and z.extra["scheme"] == "quantile"
    assert sum(e["count"] for e in z.extra["legend"]) == 3


def test_turnover_at_wijk_and_buurt_level(buurt: Roltrap) -> None:
    # default period: the last two full years, 2021–2022 → (500 + 700) / 2 = 600 settlers a year
    w = buurt.monitor.turnover(gemeente=BGM)
    assert w.extra["period"] == [2021, 2022] and w.extra["period_text"] == "2021–2022"
    gm = rows(w).loc[BGM]
    assert gm["vestigers_per_jaar"] == 600 and gm["inwoners"] == sum(BUURT_INW_2022.values())
    assert gm["period"] == "2021–2022"
    noord_w = 2450 * WIJK_MOVES[NOORD]
    total = noord_w + 3450 * WIJK_MOVES[ZUID]
    assert rows(w).at[NOORD, "vestigers_per_jaar"] == pytest.approx(600 * noord_w / total)
    b = buurt.monitor.turnover(gemeente=BGM, level="buurt")
    br = rows(b)
    # buurten have no moves of their own: their wijk's moves per inhabitant, flagged
    assert br.at[B1, "derived_from"] == "wijk"
    weight = {c: BUURT_INW_2022[c] * WIJK_MOVES[("WK" + c[2:8])] for c in BUURT_INW_2022}
    s1 = 600 * weight[B1] / sum(weight.values())
    assert br.at[B1, "vestigers_per_jaar"] == pytest.approx(s1)
    assert br.at[B1, "vervangingssnelheid"] == pytest.approx(980 / s1)
    assert br.loc[list(BUURT_INW_2022), "vestigers_per_jaar"].sum() == pytest.approx(600)
    assert (br["period"] == "2021–2022").all()


def test_wijk_gives_its_buurten_with_the_wijk_and_city_as_reference(buurt: Roltrap) -> None:
    r = buurt.monitor.vulnerable(wijk=ZUID)
    assert r.rows["code"].tolist() == [BGM, ZUID, B3, B4, B5]
    assert r.extra["level"] == "buurt" and r.extra["wijk"] == ZUID
    assert rows(r).at[B4, "opleiding"] == 150
    assert rows(r).at[ZUID, "opleiding"] == 360  # 120 + 150 + 90
    rk = buurt.monitor.rank(wijk=ZUID)
    assert set(rk.rows["code"]) == {ZUID, B3, B4, B5}
    with pytest.raises(InputError, match="geen wijk"):
        buurt.monitor.rank(wijk=B1)


def test_classify_buurten(buurt: Roltrap) -> None:
    r = buurt.monitor.classify(gemeente=BGM, level="buurt")
    cls = rows(r)["class"]
    # Havenbuurt: young, singles, rented flats → arrival; Villawijk: families, owner-occupied houses
    assert cls[B1] == "wijk van aankomst" and cls[B4] == "wijk van bestemming"
    assert rows(r).at[B1, "period"] == "2021–2022"


# -- years ----------------------------------------------------------------------------------------
def test_default_year_is_the_latest_with_the_figures(buurt: Roltrap) -> None:
    m = buurt.monitor
    assert m.years("rank", gemeente=BGM, level="buurt") == [2023]
    assert m.years("vulnerable", gemeente=BGM) == [2023]
    assert m.years("map", gemeente=BGM, level="buurt", indicator="a_inw") == [2022, 2023]
    assert m.years("turnover", gemeente=BGM) == [2021, 2022]
    assert m.years("trend", code=B1, indicator="a_inw") == [2022, 2023]
    # a year with inhabitants only: the map of inhabitants works, says its year
    mp = m.map_classes(gemeente=BGM, level="buurt", indicator="a_inw", year=2022)
    assert mp.extra["year"] == 2022 and rows(mp).at[B1, "value"] == 980
    with pytest.raises(NotFoundError, match="2019"):
        m.rank(gemeente=BGM, level="buurt", year=2019)


def test_one_lens_gives_no_central_figure_and_names_the_full_year(buurt: Roltrap) -> None:
    r = buurt.monitor.vulnerable(gemeente=BGM, year=2022)
    gm = rows(r).loc[BGM]
    assert gm["n_lenzen"] == 1 and gm["voorzieningen_min"] == 170
    assert pd.isna(gm["centraal"]) and pd.isna(gm["bereik_min"]) and pd.isna(gm["pct_centraal"])
    assert "één lens (voorzieningen)" in gm["reason"]
    assert r.extra["lenses_complete_year"] == 2023
    assert any("laatste jaar met alle drie lenzen is 2023" in n for n in r.notes)
    assert r.extra["triangulatie"]["centraal"] is None or pd.isna(r.extra["triangulatie"]["centraal"])


def test_trend_of_a_buurt_and_a_derived_wijk(buurt: Roltrap) -> None:
    t = buurt.monitor.trend(code=B1, indicator="a_inw")
    assert t.rows["value"].tolist() == [980, 1000] and t.extra["level"] == "buurt"
    d = buurt.monitor.trend(code=NOORD, indicator="a_opl_lg")  # the wijk has none of its own
    assert d.rows["value"].tolist() == [300] and d.rows["derived_from"].tolist() == ["buurten"]


def test_national_scope_in_one_result(buurt: Roltrap) -> None:
    r = buurt.monitor.rank(gemeente="NL", level="buurt")
    assert set(r.rows["code"]) == set(BUURT_2023)
    assert buurt.monitor.turnover(gemeente="NL").extra["period_text"] == "2021–2022"


def test_missing_buurten_is_a_dutch_sentence(rt_ro: Roltrap) -> None:
    with pytest.raises(NotAvailableError, match="Er zijn geen buurten van Leiden"):
        rt_ro.monitor.rank(gemeente="GM0546", level="buurt")
    r = rt_ro.monitor.rank(wijk="WK054608", year=2021)  # no buurten held: the wijk itself, said so
    assert r.rows["code"].tolist() == ["WK054608"]
    assert any("geen buurten van Merenwijkdistrict" in n for n in r.notes)
