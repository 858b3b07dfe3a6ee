"""The service on a tiny hand-made store: every figure computed by hand (see conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roltrap.core import Roltrap
from roltrap.errors import ConfigError, NotFoundError


def test_turnover_municipality_and_districts(mini: Roltrap) -> None:
    r = mini.monitor.turnover(gemeente="GM9999", period="2015-2016")
    rows = r.rows.set_index("code")
    assert rows.at["GM9999", "vestigers_per_jaar"] == pytest.approx(900.0)
    assert rows.at["GM9999", "vervangingssnelheid"] == pytest.approx(10000 / 900)  # population 2016
    assert rows.at["GM9999", "nieuwkomers_pct"] == pytest.approx(9.0)
    # weights 2000×0.30, 3000×0.15, 5000×0.05 = 600, 450, 250 (of 1300)
    assert rows.at["WK999900", "vervangingssnelheid"] == pytest.approx(2000 / (900 * 600 / 1300))
    assert rows.at["WK999902", "vervangingssnelheid"] == pytest.approx(5000 / (900 * 250 / 1300))
    wijk = rows[rows["level"] == "wijk"]
    assert wijk["vestigers_per_jaar"].sum() == pytest.approx(900.0)
    assert wijk["estimate"].all() and not rows.at["GM9999", "estimate"]
    # 2017 (3 months) lies outside the period asked for, so nothing was left out and nothing is said
    assert r.extra["excluded_years"] == {} and r.extra["population_year"] == 2016
    assert not any("2017" in n for n in r.notes)
    json.dumps(r.to_dict())


def test_turnover_partial_year_excluded_or_annualised(mini: Roltrap) -> None:
    r = mini.monitor.turnover(gemeente="GM9999", level="gemeente", period="2015-2017")
    assert 2017 in r.extra["excluded_years"] and any("2017 weggelaten" in n for n in r.notes)
    a = mini.monitor.turnover(gemeente="GM9999", level="gemeente", partial="annualise", period="2015-2017")
    assert a.rows.iloc[0]["vestigers_per_jaar"] == pytest.approx(2600 / 3)


def test_turnover_direct_method(mini: Roltrap) -> None:
    r = mini.monitor.turnover(gemeente="GM9999", period="2015-2016", method="direct")
    rows = r.rows.set_index("code")
    assert rows.at["WK999900", "vervangingssnelheid"] == pytest.approx(2000 / 600)


def test_bad_period_and_unknown_region(mini: Roltrap) -> None:
    with pytest.raises(ConfigError):
        mini.monitor.turnover(gemeente="GM9999", period="2016-2015")
    with pytest.raises(NotFoundError):
        mini.monitor.turnover(gemeente="GM9999", period="1990-1991")
    with pytest.raises(NotFoundError):
        mini.monitor.rank(gemeente="GM1234")
    with pytest.raises(ConfigError):
        mini.monitor.rank(gemeente="WK999900")


def test_classify_service(mini: Roltrap) -> None:
    r = mini.monitor.classify(gemeente="GM9999", period="2015-2016")
    cls = r.rows.set_index("code")["class"]
    assert cls["WK999900"] == "wijk van aankomst"
    assert cls["WK999902"] == "wijk van bestemming"
    ev = r.rows.set_index("code").at["WK999900", "evidence"]
    assert {e["indicator"] for e in ev} >= {"p_jong", "nieuwkomers", "p_huurw"}


def test_vulnerable_service(mini: Roltrap) -> None:
    r = mini.monitor.vulnerable(gemeente="GM9999")
    gm = r.rows.set_index("code").loc["GM9999"]
    assert (gm["bereik_min"], gm["centraal"], gm["bereik_max"]) == (850.0, 1150.0, 1500.0)
    # WK999900: bijstand 80, WMO 100, jeugdzorg 5 → bounds 100 (full overlap) and 185 (none). The
    # inputs are published CBS figures; what is suppressed is an *output* cell under min_cell.
    w = r.rows.set_index("code").loc["WK999900"]
    assert (w["voorzieningen_min"], w["voorzieningen_max"]) == (100.0, 185.0)
    # income: 1400 households × 14.9 % × 1.5 persons = 312.9; 18 % → 378; centraal = median of
    # opleiding 200, voorzieningen 142.5, inkomen 345.45
    assert w["inkomen_110"] == pytest.approx(312.9) and w["centraal"] == pytest.approx(200.0)
    assert r.extra["triangulatie"]["centraal"] == 1150.0


def test_vulnerable_service_suppresses_small_output_cells(mini_db: Path) -> None:
    from roltrap.settings import Settings

    # With min_cell 150 every WK999900 figure under 150 persons must be withheld, and its share too.
    with Roltrap(mini_db, read_only=True, settings=Settings(min_cell=150)) as strict:
        rows = strict.monitor.vulnerable(gemeente="GM9999").rows.set_index("code")
    w = rows.loc["WK999900"]
    assert pd.isna(w["voorzieningen_min"]) and pd.isna(w["pct_voorzieningen_min"])  # 100 < 150
    assert w["voorzieningen_max"] == 185.0 and w["opleiding"] == 200.0  # ≥ 150: shown
    assert w["centraal"] == pytest.approx(200.0)
    assert rows.at["GM9999", "voorzieningen_min"] == 600.0


def test_rank_service(mini: Roltrap) -> None:
    r = mini.monitor.rank(gemeente="GM9999")
    assert r.rows["code"].tolist() == ["WK999901", "WK999900", "WK999902"]
    assert r.rows["rank"].tolist() == [1, 2, 3]


def test_compare_service_auto(mini: Roltrap) -> None:
    r = mini.monitor.compare(gemeente="GM9999", auto=1)
    rows = r.rows.set_index("code")
    assert rows.index.tolist() == ["GM9999", "GM9998"]
    assert rows.at["GM9998", "vergelijking"] == "automatisch"
    assert rows.at["GM9999", "vervangingssnelheid"] == pytest.approx(10000 / 900)
    assert any("Niet in de database" in n for n in r.notes)


def test_project_service(mini: Roltrap) -> None:
    r = mini.monitor.project(code="GM9999", indicator="p_internationaal", target=30)
    obs = r.rows[r.rows["kind"] == "waarneming"]
    assert obs["value"].tolist() == pytest.approx([20.0, 21.2, 21.8, 23.1, 23.9, 25.0])
    t = r.extra["target"]
    assert 2025 < t["year"] < 2027 and t["earliest"] <= t["year"] <= t["latest"]
    proj = r.rows[r.rows["kind"] == "projectie"]
    assert (proj["ondergrens"] < proj["value"]).all() and (proj["value"] < proj["bovengrens"]).all()


def test_map_service(mini: Roltrap) -> None:
    r = mini.monitor.map_classes(gemeente="GM9999", indicator="p_hh_110")
    assert r.rows["class"].tolist() == ["10 tot 15%", "15 tot 20%", "> 25%"]
    # only the classes that hold districts are in the legend, each with its count
    assert [(e["label"], e["count"]) for e in r.extra["legend"]] == [("10 tot 15%", 1), ("15 tot 20%", 1),
                                                                    ("> 25%", 1)]
    assert r.extra["scheme"] == "syllabus" and r.extra["year"] == 2021 and r.extra["level"] == "wijk"
    # a count on the syllabus's legend: quantiles instead, said in a note (never an error)
    c = mini.monitor.map_classes(gemeente="GM9999", indicator="a_inw", scheme="syllabus")
    assert c.extra["scheme"] == "quantile" and any("percentages" in n for n in c.notes)
    q = mini.monitor.map_classes(gemeente="GM9999", indicator="a_inw", scheme="quantile", k=3)
    assert q.rows["class"].notna().all()
    with pytest.raises(ConfigError):
        mini.monitor.map_classes(gemeente="GM9999", indicator="a_inw", scheme="gelijke")


def test_conditions_service(mini: Roltrap) -> None:
    r = mini.monitor.conditions(gemeente="GM9999")
    rows = r.rows.set_index("code")
    assert rows.at["WK999900", "bedrijven_per_1000"] == pytest.approx(1000 * 300 / 2100)
    assert rows.at["WK999902", "rolmodel_ratio"] == pytest.approx(45 / 25)
    d = r.to_dict()
    row = next(x for x in d["rows"] if x["code"] == "WK999900")
    assert row["g_afs_gs"] is None and "niet beschikbaar" in row["reason"]
