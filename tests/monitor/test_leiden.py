"""The monitor on the bundled Leiden store; expected figures computed by hand from the raw files.

Raw: CBS 37230 vestigingen Leiden 2015 = 7,570 + 2,836 = 10,406 and 2016 = 8,458 + 2,866 = 11,324;
population end of 2016 = 123,661 (CBS Bevolkingsontwikkeling); KWB 2021 Leiden a_opl_lg 19,340,
a_soz_wb 3,270, a_wmo_t 8,585, jeugdzorg 4,160, a_hh 68,077, p_hh_110 11.3, p_hh_120 14.1, g_hhgro 1.8.
"""

from __future__ import annotations

import pytest

from roltrap.core import Roltrap


def test_leiden_replacement_speed_2015_2016(rt_ro: Roltrap) -> None:
    r = rt_ro.monitor.turnover(gemeente="GM0546", period="2015-2016")
    gm = r.rows.set_index("code").loc["GM0546"]
    assert gm["vestigers_per_jaar"] == pytest.approx((10406 + 11324) / 2)
    # The bundle holds the population at the end of 2016 (123,661, CBS Bevolkingsontwikkeling).
    assert gm["inwoners"] == 123661 and r.extra["population_year"] == 2016
    assert gm["vervangingssnelheid"] == pytest.approx(123661 / 10865)  # 11.38 years
    # the syllabus (§7, 2018–2020) publishes 11.4 years for Leiden
    assert round(gm["vervangingssnelheid"], 1) == 11.4
    wijk = r.rows[r.rows["level"] == "wijk"]
    assert len(wijk) == 10 and wijk["estimate"].all()
    assert wijk["vestigers_per_jaar"].sum() == pytest.approx(10865)
    speed = wijk.set_index("code")["vervangingssnelheid"]
    # destination districts turn over slowest, as in the syllabus
    assert set(speed.nlargest(2).index) == {"WK054608", "WK054609"}


def test_leiden_destination_districts(rt_ro: Roltrap) -> None:
    r = rt_ro.monitor.classify(gemeente="GM0546", period="2015-2016")
    cls = r.rows.set_index("code")["class"]
    assert cls["WK054608"] == cls["WK054609"] == "wijk van bestemming"
    assert cls["WK054600"] == cls["WK054601"] == "wijk van aankomst"


def test_leiden_three_lenses_2021(rt_ro: Roltrap) -> None:
    r = rt_ro.monitor.vulnerable(gemeente="GM0546", year=2021)
    gm = r.rows.set_index("code").loc["GM0546"]
    assert gm["opleiding"] == 19340
    assert (gm["voorzieningen_min"], gm["voorzieningen_max"]) == (8585, 3270 + 8585 + 4160)
    assert gm["inkomen_110"] == pytest.approx(68077 * 0.113 * 1.8)
    assert gm["inkomen_120"] == pytest.approx(68077 * 0.141 * 1.8)
    assert gm["bereik_min"] == pytest.approx((8585 + 16015) / 2)
    assert gm["bereik_max"] == 19340
    # central value = median of the three lenses (19,340; 12,300; income 68,077 × 1.8 × (11.3 + 14.1) / 200)
    income = 68077 * 1.8 * (0.113 + 0.141) / 2
    assert gm["centraal"] == pytest.approx(income)  # 15,562 persons
    assert gm["pct_centraal"] == pytest.approx(100 * income / 124093)  # 12.5 %
    assert abs(gm["pct_centraal"] - 12.0) < 1  # within a point of the syllabus's educated guess, 12 %


def test_leiden_rank_and_compare(rt_ro: Roltrap) -> None:
    rk = rt_ro.monitor.rank(gemeente="GM0546", year=2021)
    assert rk.rows.iloc[0]["code"] == "WK054603"  # Leiden-Noord weakest on all four components
    cmp = rt_ro.monitor.compare(gemeente="GM0546", year=2021)
    rows = cmp.rows.set_index("code")
    assert rows.at["GM0546", "p_hh_110"] == pytest.approx(11.3)
    assert rows.at["GM0599", "p_hh_110"] > rows.at["GM0546", "p_hh_110"] > rows.at["GM0484", "p_hh_110"]
    assert rows.at["GM0546", "syllabus_vervangingssnelheid"] == 11.4


def test_leiden_international_projection(rt_ro: Roltrap) -> None:
    r = rt_ro.monitor.project(code="GM0546", indicator="p_internationaal", target=40)
    obs = r.rows[r.rows["kind"] == "waarneming"].set_index("year")["value"]
    assert obs[2021] == pytest.approx(100 * (18898 + 21005) / 124093)  # KWB 2021: 32.2 %
    t = r.extra["target"]
    assert t["year"] is not None and t["earliest"] <= t["year"] <= t["latest"]
