"""Hand-computed checks and invariants for the pure monitor computations."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roltrap.monitor import classify, compare, conditions, mapclass, rank, trend, turnover, vulnerable
from roltrap.monitor.result import NOT_AVAILABLE, MonitorResult


def flows_frame() -> pd.DataFrame:
    rows = [("A", 2015, "in", "gemeente", 600, 12), ("A", 2015, "in", "buitenland", 200, 12),
            ("A", 2016, "in", "gemeente", 700, 12), ("A", 2016, "in", "buitenland", 300, 12),
            ("A", 2017, "in", "gemeente", 150, 3), ("A", 2017, "in", "buitenland", 50, 3),
            ("A", 2016, "out", "gemeente", 5000, 12),
            ("B", 2016, "in", "totaal", 90, 12)]
    return pd.DataFrame(rows, columns=["region_code", "year", "direction", "origin", "persons", "months"])


# -- turnover -----------------------------------------------------------------------------------
def test_settlers_exclude_partial_year() -> None:
    s = turnover.annual_settlers(flows_frame())
    assert s.per_region.at["A", "settlers"] == pytest.approx(900.0)  # (800 + 1000) / 2
    assert s.per_region.at["A", "years"] == [2015, 2016]
    assert 2017 in s.excluded
    assert s.per_region.at["B", "settlers"] == 90.0  # only a total held: used as is


def test_settlers_annualise_partial_year() -> None:
    s = turnover.annual_settlers(flows_frame(), partial="annualise")
    # 2017: 200 in 3 months → 800 a year; (800 + 1000 + 800) / 3
    assert s.per_region.at["A", "settlers"] == pytest.approx(2600 / 3)
    assert s.annualised == {2017: 3}


def test_replacement_speed_and_share() -> None:
    assert turnover.replacement_speed(125_000, 11_000) == pytest.approx(11.3636, abs=1e-4)
    assert math.isnan(turnover.replacement_speed(1000, 0))
    pop = pd.Series([1000.0, 2000.0])
    st_ = pd.Series([100.0, 0.0])
    out = turnover.replacement_speed(pop, st_)
    assert out.iloc[0] == 10.0 and math.isnan(out.iloc[1])
    assert turnover.newcomer_share(pop, st_).iloc[0] == pytest.approx(10.0)


def test_district_settlers_scaled_and_direct() -> None:
    d = pd.DataFrame({"population": [2000.0, 3000.0, 5000.0], "moves_pp": [0.3, 0.15, 0.05]},
                     index=["a", "b", "c"])
    scaled = turnover.district_settlers(d, municipal_settlers=900.0)
    # weights 600, 450, 250 of 1300
    assert scaled.tolist() == pytest.approx([900 * 600 / 1300, 900 * 450 / 1300, 900 * 250 / 1300])
    direct = turnover.district_settlers(d, municipal_settlers=900.0, method="direct")
    assert direct.tolist() == pytest.approx([600.0, 450.0, 250.0])


@given(st.lists(st.tuples(st.floats(1, 1e5), st.floats(0.001, 1.0)), min_size=1, max_size=30),
       st.floats(1, 1e5))
def test_scaled_districts_add_up_to_municipality(rows: list[tuple[float, float]], total: float) -> None:
    d = pd.DataFrame(rows, columns=["population", "moves_pp"])
    est = turnover.district_settlers(d, municipal_settlers=total)
    assert est.sum() == pytest.approx(total, rel=1e-9)
    assert (est >= 0).all()


# -- classify -----------------------------------------------------------------------------------
def _profiles() -> tuple[pd.DataFrame, pd.Series]:
    raw = pd.DataFrame({
        "a_inw": [2100, 3100, 5300, 10500], "a_15_24": [500, 400, 500, 1400], "a_25_44": [800, 900,
                  1100, 2800],
        "a_65_oo": [100, 400, 1200, 1700], "a_hh": [1400, 1500, 2100, 5000], "a_1p_hh": [900, 600, 500, 2000],
        "a_hh_m_k": [100, 400, 900, 1400], "p_huurw": [80, 55, 25, 47], "p_koopw": [20, 45, 75, 53],
        "p_mgezw": [90, 50, 20, 45], "p_1gezw": [10, 50, 80, 55]}, index=["A", "B", "C", "city"])
    prof = classify.profile(raw)
    return prof.loc[["A", "B", "C"]], prof.loc["city"]


def test_profile_ratios_by_hand() -> None:
    d, city = _profiles()
    assert d.at["A", "p_jong"] == pytest.approx(100 * 1300 / 2100)
    assert d.at["C", "p_hh_m_k"] == pytest.approx(100 * 900 / 2100)
    assert city["p_1p_hh"] == pytest.approx(40.0)


def test_classify_arrival_and_destination() -> None:
    d, city = _profiles()
    res, ev = classify.classify(d, city)
    assert res.at["A", "class"] == classify.AANKOMST
    assert res.at["C", "class"] == classify.BESTEMMING
    # one component by hand: p_huurw z for A = (80 − 47) / sd(80, 55, 25)
    sd = float(np.std([80, 55, 25]))
    z = next(e["z"] for e in ev["A"] if e["indicator"] == "p_huurw")
    assert z == pytest.approx((80 - 47) / sd)
    assert all({"indicator", "value", "city_value", "direction"} <= set(e) for e in ev["A"])


def test_classify_thresholds_are_configurable() -> None:
    d, city = _profiles()
    res, _ = classify.classify(d, city, thresholds=classify.Thresholds(aankomst=99, bestemming=-99))
    assert set(res["class"]) == {classify.GEMENGD}


@given(st.floats(1e-3, 1e3))
def test_classification_stable_under_unit_change(factor: float) -> None:
    """Counts in persons or in thousands give the same profile, score and class."""
    raw = pd.DataFrame({
        "a_inw": [2100, 3100, 5300, 10500], "a_15_24": [500, 400, 500, 1400], "a_25_44": [800, 900,
                  1100, 2800],
        "a_65_oo": [100, 400, 1200, 1700], "a_hh": [1400, 1500, 2100, 5000], "a_1p_hh": [900, 600, 500, 2000],
        "a_hh_m_k": [100, 400, 900, 1400], "p_huurw": [80, 55, 25, 47]}, index=["A", "B", "C", "city"])
    base = classify.profile(raw)
    scaled_raw = raw.copy()
    counts = [c for c in raw.columns if c.startswith("a_")]
    scaled_raw[counts] = raw[counts] * factor
    scaled = classify.profile(scaled_raw)
    r1, _ = classify.classify(base.loc[["A", "B", "C"]], base.loc["city"])
    r2, _ = classify.classify(scaled.loc[["A", "B", "C"]], scaled.loc["city"])
    assert r1["class"].tolist() == r2["class"].tolist()
    assert r1["score"].to_numpy() == pytest.approx(r2["score"].to_numpy())


# -- vulnerable ---------------------------------------------------------------------------------
def test_lenses_by_hand() -> None:
    f = pd.DataFrame({"a_inw": [10500.0], "a_hh": [5000.0], "a_opl_lg": [1500.0], "a_soz_wb": [300.0],
                      "a_wmo_t": [600.0], "a_jz_tn": [200.0], "p_hh_110": [10.0], "p_hh_120": [13.0],
                      "g_hhgro": [2.0]}, index=["GM"])
    out = vulnerable.lenses(f).loc["GM"]
    assert out["voorzieningen_min"] == 600 and out["voorzieningen_max"] == 1100
    assert out["inkomen_110"] == pytest.approx(1000.0)   # 5000 × 10% × 2
    assert out["inkomen_120"] == pytest.approx(1300.0)
    assert (out["bereik_min"], out["centraal"], out["bereik_max"]) == (850.0, 1150.0, 1500.0)
    assert out["pct_centraal"] == pytest.approx(100 * 1150 / 10500)
    out2 = vulnerable.lenses(f, persons_per_household=1.5).loc["GM"]
    assert out2["inkomen_110"] == pytest.approx(750.0)


def test_lenses_missing_provision_is_flagged_not_zero() -> None:
    f = pd.DataFrame({"a_inw": [1000.0], "a_soz_wb": [30.0], "a_wmo_t": [np.nan], "a_jz_tn": [20.0]})
    out = vulnerable.lenses(f).iloc[0]
    assert out["voorzieningen_min"] == 30 and out["voorzieningen_max"] == 50
    assert not out["voorzieningen_compleet"] and out["voorzieningen_ontbreekt"] == "a_wmo_t"
    assert math.isnan(out["opleiding"]) and math.isnan(out["inkomen"])


@given(st.lists(st.tuples(st.integers(100, 10**6), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1),
                          st.floats(0, 30), st.floats(0, 20), st.floats(1, 3)), min_size=1, max_size=20))
def test_lens_shares_within_bounds(rows: list[tuple]) -> None:
    f = pd.DataFrame([{"a_inw": n, "a_hh": n / 2, "a_opl_lg": n * a, "a_soz_wb": n * b,
                     "a_wmo_t": n * c * 0.3,
                       "a_jz_tn": n * 0.01, "p_hh_110": p, "p_hh_120": p + q, "g_hhgro": g}
                      for n, a, b, c, p, q, g in rows])
    out = vulnerable.lenses(f)
    assert (out["voorzieningen_min"] <= out["voorzieningen_max"] + 1e-9).all()
    assert (out["bereik_min"] <= out["centraal"] + 1e-9).all()
    assert (out["centraal"] <= out["bereik_max"] + 1e-9).all()
    assert ((out["pct_opleiding"] >= 0) & (out["pct_opleiding"] <= 100 + 1e-9)).all()


# -- rank ---------------------------------------------------------------------------------------
def _rank_input() -> pd.DataFrame:
    return pd.DataFrame({"g_ink_pi": [25, 20, 35], "p_hh_osm": [8, 12, 3], "a_soz_wb": [80, 180, 40],
                         "a_opl_lg": [200, 700, 600], "a_inw": [2100, 3100, 5300]}, index=["A", "B", "C"])


def test_rank_by_hand() -> None:
    out = rank.rank(rank.components(_rank_input()))
    assert out["rank"].tolist() == [2, 1, 3]
    # income z for A: −(25 − 26.667) / 6.2361
    assert out.at["A", "z_inkomen"] == pytest.approx(-(25 - 80 / 3) / math.sqrt(38.8889), rel=1e-4)


@settings(max_examples=50)
@given(st.permutations(["A", "B", "C", "D", "E"]), st.lists(st.floats(1, 100), min_size=20, max_size=20))
def test_rank_invariant_to_row_order(order: list[str], vals: list[float]) -> None:
    idx = ["A", "B", "C", "D", "E"]
    f = pd.DataFrame({"inkomen": vals[0:5], "minima": vals[5:10], "bijstand": vals[10:15],
                      "laagopgeleid": vals[15:20]}, index=idx)
    a = rank.rank(f)["rank"]
    b = rank.rank(f.loc[order])["rank"]
    assert a.loc[idx].tolist() == b.loc[idx].tolist()


# -- compare ------------------------------------------------------------------------------------
def test_similar_finds_nearest() -> None:
    f = pd.DataFrame({"x": [0.0, 0.1, 5.0, 10.0], "y": [1.0, 1.1, 3.0, 9.0]}, index=["T", "N", "M", "F"])
    out = compare.similar(f, "T", k=2)
    assert out.index.tolist() == ["N", "M"]
    assert out["distance"].iloc[0] < out["distance"].iloc[1]


# -- trend --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("df", "expected"), [(4, 2.7764), (10, 2.2281), (30, 2.0423), (100, 1.9840)])
def test_t_quantile_matches_tables(df: int, expected: float) -> None:
    assert trend.t_quantile(0.975, df) == pytest.approx(expected, abs=2e-3)


def test_linear_fit_and_target_year() -> None:
    years = np.array([2016, 2017, 2018, 2019, 2020, 2021])
    vals = np.array([20.0, 21.2, 21.8, 23.1, 23.9, 25.0])
    fit = trend.fit_linear(years, vals)
    slope, intercept = np.polyfit(years, vals, 1)
    assert fit.slope == pytest.approx(slope) and fit.intercept == pytest.approx(intercept)
    tgt = trend.target_year(fit, 30.0, last_year=2021, last_value=25.0)
    assert tgt.year == pytest.approx((30 - intercept) / slope)
    assert tgt.earliest is not None and tgt.latest is not None
    assert tgt.earliest <= tgt.year <= tgt.latest
    assert trend.target_year(fit, 10.0, last_year=2021, last_value=25.0).reached


# -- conditions and map classes ----------------------------------------------------------------
def test_entropy_by_hand() -> None:
    h = conditions.mix_entropy(pd.Series([20.0, 50.0, 100.0]), pd.Series([80.0, 50.0, 0.0]))
    assert h.tolist() == pytest.approx([-(0.2 * math.log2(0.2) + 0.8 * math.log2(0.8)), 1.0, 0.0])


def test_syllabus_classes_and_legend() -> None:
    vals = pd.Series([5.0, 10.0, 14.9, 15.0, 22.0, 25.0, 40.0, np.nan])
    frame, legend = mapclass.classify_values(vals)
    assert frame["class"].tolist()[:7] == ["< 10%", "10 tot 15%", "10 tot 15%", "15 tot 20%", "20 tot 25%",
                                           "> 25%", "> 25%"]
    assert frame["class"].iloc[7] is None and frame["color"].iloc[7] == mapclass.MISSING_COLOUR
    assert [e.count for e in legend] == [1, 2, 1, 1, 2]
    assert len({e.colour for e in legend}) == 5


@given(st.lists(st.floats(0, 100), min_size=1, max_size=50), st.integers(2, 5))
def test_quantile_classes_cover_every_value(vals: list[float], k: int) -> None:
    frame, legend = mapclass.classify_values(pd.Series(vals), scheme="quantile", k=k)
    assert frame["class"].notna().all()
    assert sum(e.count for e in legend) == len(vals)


# -- result -------------------------------------------------------------------------------------
def test_result_to_dict_is_json_with_nulls() -> None:
    rows = pd.DataFrame({"code": ["A", "B"], "name": ["a", "b"], "value": [1.5, np.nan],
                         "available": [True, False], "reason": [None, "ontbreekt"],
                         "n": np.array([1, 2], dtype=np.int64)})
    r = MonitorResult(kind="x", title="t", rows=rows, unit="%", method="m")
    d = r.to_dict()
    json.dumps(d)
    assert d["rows"][1]["value"] is None and d["rows"][1]["available"] is False
    assert d["rows"][0]["unit"] == "%" and d["rows"][0]["estimate"] is False
    assert r.table()["value"].iloc[1] == NOT_AVAILABLE
    assert r.value_columns == ["value", "n"]


def test_grouped_rank_equals_rank_per_group() -> None:
    f = rank.components(_rank_input())
    two = pd.concat([f, f.rename(index=lambda c: c + "2")])
    by = pd.Series(["g1"] * 3 + ["g2"] * 3, index=two.index)
    grouped = rank.rank(two, by=by)
    assert grouped["rank"].tolist() == [2, 1, 3, 2, 1, 3]


def test_grouped_classify_equals_single_city() -> None:
    d, city = _profiles()
    single, _ = classify.classify(d, city)
    two = pd.concat([d, d.rename(index=lambda c: c + "2")])
    by = pd.Series(["x"] * 3 + ["y"] * 3, index=two.index)
    cities = pd.DataFrame([city, city], index=["x", "y"])
    grouped, ev = classify.classify(two, cities, by=by)
    assert grouped["class"].tolist() == single["class"].tolist() * 2
    assert len(ev) == 6


def test_quantile_classes_by_hand() -> None:
    # 1..10, k = 5: breaks at the 20/40/60/80 % quantiles (linear interpolation) 2.8, 4.6, 6.4, 8.2
    values = pd.Series([float(v) for v in range(1, 11)])
    frame, legend = mapclass.classify_values(values, scheme="quantile", k=5)
    bounds = [(e.lower, e.upper) for e in legend]
    assert bounds == [(None, 2.8), (2.8, 4.6), (4.6, 6.4), (6.4, 8.2), (8.2, None)]
    assert [e.count for e in legend] == [2, 2, 2, 2, 2]
    assert frame["class_index"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert legend[1].label == "2,8 tot 4,6" and legend[0].label == "< 2,8" and legend[4].label == "≥ 8,2"
    assert [e.colour for e in legend] == list(mapclass.COLOURS)


def test_syllabus_class_boundaries_go_up() -> None:
    # "10 tot 15%" includes 10 and stops short of 15, as the syllabus's legend reads
    frame, _ = mapclass.classify_values(pd.Series([9.999, 10.0, 14.999, 20.0, 24.999]))
    assert frame["class"].tolist() == ["< 10%", "10 tot 15%", "10 tot 15%", "20 tot 25%", "20 tot 25%"]
    assert frame["color"].tolist()[:2] == ["#ffffb2", "#fecc5c"]


# -- map classes: properties -------------------------------------------------------------------
_values = st.lists(st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.6, 0.6, 10.0, 25.0]),
                             st.just(float("nan"))), min_size=0, max_size=60)


@given(_values, st.sampled_from(["syllabus", "quantile", "natural"]), st.integers(2, 5))
def test_every_value_in_exactly_one_non_empty_class(vals: list[float], scheme: str, k: int) -> None:
    s = pd.Series(vals, dtype=float)
    frame, legend = mapclass.classify_values(s, scheme=scheme, k=k)
    present = s.notna()
    # every present value has exactly one class, missing values none
    assert frame.loc[present, "class_index"].notna().all()
    assert frame.loc[~present, "class_index"].isna().all()
    # no empty class in the legend; the counts add up to the values present
    assert all(e.count > 0 for e in legend)
    assert sum(e.count for e in legend) == int(present.sum())
    counts = frame["class_index"].dropna().astype(int).value_counts().to_dict()
    assert counts == {i: e.count for i, e in enumerate(legend)}
    # classes are ordered and never degenerate: a "x tot y" label spans two different values
    for i, e in enumerate(legend):
        assert e.min is not None and e.max is not None and e.min <= e.max
        members = s[frame["class_index"] == i]
        assert members.min() == e.min and members.max() == e.max
        if i:
            assert legend[i - 1].max < e.min  # ties never split over two classes
        if e.min == e.max and scheme != "syllabus":
            assert " tot " not in e.label


@given(st.lists(st.sampled_from([0.6, 1.2, 3.0]), min_size=1, max_size=30), st.integers(2, 5))
def test_few_distinct_values_get_their_own_classes(vals: list[float], k: int) -> None:
    _, legend = mapclass.classify_values(pd.Series(vals), scheme="quantile", k=k)
    assert len(legend) <= len(set(vals))
    assert not any(e.label == "0,6 tot 0,6" for e in legend)
