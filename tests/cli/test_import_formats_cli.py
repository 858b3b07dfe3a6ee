"""``roltrap import`` of every raw format the bundle is built from, through the real CLI.

Each case first deletes the figures it checks from a private copy of the bundled store, imports the
raw file and reads them back: the expected values are read off the raw files by hand (quoted in each
case), so the test fails if the import wrote nothing or the wrong figure.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.core import Roltrap
from roltrap.store import Store

A1 = Path(__file__).parents[1] / "io" / "data" / "a1"
C37230 = A1 / "cbs37230-maand-2012-2017"
STOCK = A1 / "cbs-gemeenten-bevolking-woningen"
KWB = A1 / "kwb-2021-2022-wijken-gemeenten"
ELAN = A1 / "elan-wijkprofielen"


@pytest.fixture
def db(bundled_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return copy


def _sql(db: Path, sql: str) -> list[tuple[object, ...]]:
    store = Store(db)
    try:
        return [tuple(r) for r in store.query(sql).itertuples(index=False)]
    finally:
        store.close()


def _import(db: Path, path: Path) -> str:
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)])
    assert res.exit_code == 0, res.output
    assert "Traceback" not in res.output
    return res.output


FLOWS_SQL = ("SELECT year, origin, persons, months FROM flows WHERE region_code = 'GM0546' "
             "AND direction = 'in' AND origin IN ('gemeente', 'buitenland') ORDER BY year, origin")


def test_cbs37230_yearly_flows(db: Path) -> None:
    _sql(db, "DELETE FROM flows WHERE region_code = 'GM0546'")
    assert _sql(db, FLOWS_SQL) == []
    out = _import(db, C37230 / "bevolkingsontwikkeling_jaar_alle_regios.csv")
    assert "formaat cbs37230" in out and "jaren 2012–2017" in out
    # raw rows GM0546: 2015 im_gm 7570, im_nl 2836; 2016 8458, 2866; 2017 (3 months) 2141, 745
    got = {(y, o): (p, m) for y, o, p, m in _sql(db, FLOWS_SQL)}
    assert got[(2015, "gemeente")] == (7570, 12) and got[(2015, "buitenland")] == (2836, 12)
    assert got[(2016, "gemeente")] == (8458, 12) and got[(2016, "buitenland")] == (2866, 12)
    assert got[(2017, "gemeente")] == (2141, 3) and got[(2017, "buitenland")] == (745, 3)
    # province and COROP rows are reported, not loaded
    assert "CR01" in out and "PV28" in out


def test_cbs37230_monthly_file_is_summed_per_year(db: Path) -> None:
    _sql(db, "DELETE FROM flows WHERE region_code = 'GM0546'")
    _import(db, C37230 / "bevolkingsontwikkeling_maand_selectie.csv")
    got = {(y, o): (p, m) for y, o, p, m in _sql(db, FLOWS_SQL)}
    # im_gm 2016 by month: 702+656+629+575+620+697+671+948+1017+667+667+609 = 8458 (= the yearly row)
    assert got[(2016, "gemeente")] == (8458, 12)
    # im_nl 2017 January–March: 304 + 237 + 204 = 745, held for 3 months
    assert got[(2017, "buitenland")] == (745, 3)


def test_population_stock_by_municipality_name(db: Path) -> None:
    _sql(db, "DELETE FROM observations WHERE indicator_id = 'bev_eind'")
    out = _import(db, STOCK / "Bevolkingsontwikkeling_per_jaar.csv")
    assert "formaat bevolking" in out
    got = dict(_sql(db, "SELECT year, value FROM observations WHERE region_code = 'GM0546' "
                        "AND indicator_id = 'bev_eind'"))
    assert got == {2012: 119800, 2016: 123661, 2020: 124093, 2024: 130613}
    # "s-Gravenhage (gemeente)" is matched to GM0518 by name
    assert _sql(db, "SELECT value FROM observations WHERE region_code = 'GM0518' AND year = 2016 "
                    "AND indicator_id = 'bev_eind'") == [(524882,)]


def test_housing_stock(db: Path) -> None:
    _sql(db, "DELETE FROM observations WHERE indicator_id LIKE 'won_%'")
    out = _import(db, STOCK / "Voorraad_woningen_en_nieuwbouw.csv")
    assert "formaat woningen" in out
    got = dict(_sql(db, "SELECT indicator_id, value FROM observations WHERE region_code = 'GM0546' "
                        "AND year = 2020 AND indicator_id LIKE 'won_%'"))
    assert got == {"won_begin": 59832, "won_nieuw": 568, "won_eind": 60538}


def test_boundaries_geojson_in_wgs84_are_stored_in_rd_new(db: Path) -> None:
    _sql(db, "DELETE FROM geometries")
    out = _import(db, KWB / "leiden_wijken_2022_wgs84.geojson")
    assert "formaat boundaries" in out and "geometries 10" in out
    with Roltrap(db, read_only=True) as rt:
        geo = rt.geometries(gemeente="GM0546", level="wijk").set_index("code")
    assert geo.crs.to_epsg() == 28992
    # Shape_Area of WK054600 in the Wijk- en Buurtkaart 2022 attributes: 741,212 m² (RD New)
    assert geo.loc["WK054600"].geometry.area == pytest.approx(741212.0, rel=1e-3)
    assert len(geo) == 10


def test_wijk_en_buurtkaart_attributes(db: Path) -> None:
    _sql(db, "DELETE FROM observations WHERE year = 2022 AND region_code LIKE 'WK0546%'")
    out = _import(db, KWB / "wijk_2022_v1_attributen_nl.csv")
    assert "formaat wbk" in out and "waterdeel" in out
    res = CliRunner().invoke(app, ["--db", str(db), "show", "WK054600", "--year", "2022", "--format", "json"])
    assert res.exit_code == 0, res.output
    ind = json.loads(res.stdout)["indicators"]
    # raw row WK054600: AANT_INW 8425, AANTAL_HH 6250, GEM_HH_GR 1.3, P_EENP_HH 75
    assert ind["a_inw"]["value"] == 8425 and ind["a_hh"]["value"] == 6250
    assert ind["g_hhgro"]["value"] == pytest.approx(1.3) and ind["p_1p_hh"]["value"] == 75


def test_elan_district_means_are_marked_as_estimates(db: Path) -> None:
    _sql(db, "DELETE FROM observations WHERE indicator_id LIKE 'elan_%' AND region_code LIKE 'WK%'")
    out = _import(db, ELAN / "elan_wijk_gemiddelden_2009_2022.csv")
    assert "formaat elan" in out and "schattingen uit microdata" in out
    # raw row WK054603 2016: Moving_Count_MEAN 0.180288617097004, Income_MEAN 24852.2707167047
    got = dict(_sql(db, "SELECT indicator_id, value FROM observations WHERE region_code = 'WK054603' "
                        "AND year = 2016 AND indicator_id IN ('elan_moves_pp', 'elan_income_mean')"))
    assert got["elan_moves_pp"] == pytest.approx(0.180288617097004)
    assert got["elan_income_mean"] == pytest.approx(24852.2707167047)
    assert _sql(db, "SELECT estimate FROM sources WHERE id = 'elan-wijkprofielen'") == [(True,)]


@pytest.mark.parametrize(("name", "content", "message"), [
    # a download cut off half-way: the JSON parser's position is passed on as row/column
    ("kapot.json", '{"TypedDataSet": [', "geen geldige JSON"),
    ("kapot.geojson", '{"type": "FeatureCollection", "features": [', "GeoJSON"),
])
def test_unreadable_structured_file_is_a_clear_error(db: Path, tmp_path: Path, name: str,
                                                     message: str, content: str) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(p)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert name in res.output and "Fout:" in res.output
    assert message in res.output and "Tip:" in res.output, res.output
