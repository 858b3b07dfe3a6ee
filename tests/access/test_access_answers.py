"""Answers on the bundled Leiden network, off the demo path, need-weighted suppression, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from roltrap.access import compute
from roltrap.cli.main import app
from roltrap.core import Roltrap
from roltrap.errors import InputError, NotAvailableError
from roltrap.settings import Settings


def net_rows(rt: Roltrap, **kw: Any) -> pd.DataFrame:
    rows = rt.access.answers(**kw).rows
    return rows[rows["method"] == "netwerk"]


def test_bundled_network_quality(rt_ro: Roltrap) -> None:
    ln = rt_ro.access.network("GM0546")
    assert ln.bundled and not ln.meta["complete"]
    assert ln.net.largest_component_share() >= 0.95
    assert ln.meta["largest_component_share_raw"] == pytest.approx(0.9427, abs=1e-3)
    ratios = rt_ro.access.detour_check(gemeente="GM0546", pairs=50, min_m=500)["ratio"]
    assert len(ratios) == 50
    assert (ratios >= 1.0).all()  # a route is never shorter than the straight line
    assert ratios.median() < 1.5
    # The named-street layer lacks unnamed tunnels and bridges: a few pairs detour more (reported).
    assert (ratios <= 1.8).mean() >= 0.8
    assert "Vervang dit netwerk" in ln.meta["note"] and "naamloze" in ln.meta["note"]


def test_leiden_answers_have_every_area_kind_and_mode(rt_ro: Roltrap) -> None:
    res = rt_ro.access.answers(gemeente="GM0546")
    rows = res.rows[res.rows["method"] == "netwerk"]
    assert set(rows["soort"]) == {"treinstation", "bushalte", "centrum"}
    assert len(rows) == 10 * 3 * 2
    assert rows[["share_5", "share_10", "share_15"]].apply(lambda c: c.between(0, 1)).all().all()
    assert (rows["share_5"] <= rows["share_10"]).all() and (rows["share_10"] <= rows["share_15"]).all()
    # Bike times are walking times ÷ 3 where no pushing is needed; never slower than walking.
    w = rows[rows["mode"] == "lopen"].set_index(["code", "soort"])["minutes"]
    b = rows[rows["mode"] == "fiets"].set_index(["code", "soort"])["minutes"]
    assert (b <= w + 1e-9).all()
    by = rows[(rows["soort"] == "treinstation") & (rows["mode"] == "lopen")].set_index("code")["minutes"]
    assert by["WK054602"] == by.min()  # the Stationsdistrict is nearest to a station
    assert by["WK054608"] == by.max()  # Merenwijk farthest
    assert res.sources[0] == "© OpenStreetMap-bijdragers (ODbL)"
    assert any("2015" in n and "verouderd" in n for n in res.notes)
    assert rows.loc[rows["soort"] == "bushalte", "stale"].all()
    cbs = res.rows[res.rows["method"].str.startswith("cbs")]
    assert {"huisarts", "supermarkt", "kinderdagverblijf", "school"} <= set(cbs["soort"])


def test_leiden_noord_to_station_and_centre(rt_ro: Roltrap) -> None:
    """The §1 question: Leiden-Noord's time to the station and the centre, against a straight-line bound."""
    rows = net_rows(rt_ro, gemeente="GM0546", mode="lopen").set_index(["code", "soort"])
    noord_station = rows.loc[("WK054603", "treinstation"), "minutes"]
    noord_centre = rows.loc[("WK054603", "centrum"), "minutes"]
    geo = rt_ro.geometries(gemeente="GM0546", level="wijk").set_index("code")
    c = geo.loc["WK054603", "geometry"].centroid
    places = rt_ro.access.places(gemeente="GM0546").set_index("id")
    ledn = places.loc["chb:NL:S:ledn"]
    straight_min = np.hypot(c.x - ledn["x"], c.y - ledn["y"]) / (5000 / 60)
    # Network time from the residents' streets: at least a good part of the straight line from the centroid
    # (nearer streets exist), at most twice it.
    assert 0.5 * straight_min < noord_station < 2 * straight_min
    assert 10 < noord_centre < 40


def test_stevenshof_is_slow_to_the_centre_on_foot(rt_ro: Roltrap) -> None:
    rows = net_rows(rt_ro, gemeente="GM0546", soort="centrum").set_index(["code", "mode"])
    assert (
        rows.loc[("WK054609", "lopen"), "meets_15"] is False
        or not rows.loc[("WK054609", "lopen"), "meets_15"]
    )
    assert rows.loc[("WK054600", "fiets"), "share_15"] > 0.9


def test_other_municipality_gets_cbs_minutes(rt_ro: Roltrap) -> None:
    res = rt_ro.access.answers(gemeente="GM0344", soort="huisarts")
    assert not res.extra["network"]
    assert any("geen straatnetwerk" in n for n in res.notes)
    rows = res.rows
    assert set(rows["method"]) == {"cbs-afstand (g_afs_hp)"}
    km = rt_ro.observations(codes=list(rows["code"].unique()), indicators=["g_afs_hp"], years=[2021])
    km = km.set_index("region_code")["value"]
    walk = rows[rows["mode"] == "lopen"].set_index("code")["minutes"]
    bike = rows[rows["mode"] == "fiets"].set_index("code")["minutes"]
    code = km.index[0]
    assert walk[code] == pytest.approx(km[code] * 12)  # 5 km/h: 12 minutes per km
    assert bike[code] == pytest.approx(km[code] * 4)  # 15 km/h: 4 minutes per km
    assert rows["share_15"].isna().all()


def test_speeds_come_from_settings(bundled_db: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "s.duckdb"
    shutil.copy(bundled_db, db)
    rt = Roltrap(db, settings=Settings(walk_kmh=4.0, bike_kmh=12.0))
    try:
        rows = rt.access.answers(gemeente="GM0344", soort="huisarts", mode="lopen").rows
        km = rt.observations(codes=[rows["code"].iloc[0]], indicators=["g_afs_hp"], years=[2021])[
            "value"
        ].iloc[0]
        assert rows["minutes"].iloc[0] == pytest.approx(km * 15)
    finally:
        rt.close()


def test_buurt_level_without_boundaries_says_so(rt_ro: Roltrap) -> None:
    with pytest.raises(NotAvailableError, match="buurt"):
        rt_ro.access.answers(gemeente="GM0546", level="buurt")


def test_unknown_kind_and_mode_are_input_errors(rt_ro: Roltrap) -> None:
    with pytest.raises(InputError, match="soort"):
        rt_ro.access.answers(soort="kroeg")
    with pytest.raises(InputError, match="vervoerswijze"):
        rt_ro.access.answers(mode="auto")


def test_need_weighted_counts_are_protected(rt_ro: Roltrap) -> None:
    res = rt_ro.access.need(gemeente="GM0546", soort="treinstation", mode="lopen")
    rows = res.rows
    assert set(rows["group"]) == {"inwoners", "laag_inkomen_hh", "bijstand", "laagopgeleid"}
    bij = rows[rows["group"] == "bijstand"].set_index("code")
    wide = rt_ro.wide(year=2021, indicators=["a_soz_wb"], gemeente="GM0546")
    assert bij.loc["WK054603", "total"] == wide.loc["WK054603", "a_soz_wb"]
    share = net_rows(rt_ro, gemeente="GM0546", soort="treinstation", mode="lopen").set_index("code")[
        "share_15"
    ]
    expected = round(wide.loc["WK054603", "a_soz_wb"] * (1 - share["WK054603"]))
    assert bij.loc["WK054603", "beyond_15"] == expected
    shown = rows.dropna(subset=["beyond_15"])
    assert (shown["beyond_15"] >= 10).all() and (shown["within_15"].dropna() >= 10).all()
    # Differencing: never exactly one of the pair (within, beyond) hidden, since total = within + beyond.
    one_hidden = rows["beyond_15"].isna() ^ rows["within_15"].isna()
    assert not one_hidden.any()
    # Stationsdistrict: nearly everyone within 15 minutes, so the few beyond are hidden.
    st = rows[(rows["code"] == "WK054602")]
    assert st["beyond_15"].isna().all()


def test_need_suppression_follows_min_cell(bundled_db: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "m.duckdb"
    shutil.copy(bundled_db, db)
    rt = Roltrap(db, settings=Settings(min_cell=100_000))
    try:
        rows = rt.access.need(gemeente="GM0546", soort="centrum").rows
        assert rows["beyond_15"].isna().all()
        assert any("onderdrukt" in n for n in rt.access.need(gemeente="GM0546", soort="centrum").notes)
    finally:
        rt.close()


def test_area_rows_and_station_km(rt_ro: Roltrap) -> None:
    one = rt_ro.access.area("WK054603")
    assert set(one.rows["code"]) == {"WK054603"}
    assert {"treinstation", "centrum"} <= set(one.rows["soort"])
    km = rt_ro.access.station_km(gemeente="GM0546")
    walk = net_rows(rt_ro, gemeente="GM0546", soort="treinstation", mode="lopen").set_index("code")["minutes"]
    assert km["WK054603"] == pytest.approx(walk["WK054603"] * 5 / 60)
    assert rt_ro.access.station_km(gemeente="GM0344").empty


def test_isochrone_bands(rt_ro: Roltrap) -> None:
    iso = rt_ro.access.isochrone(place="chb:NL:S:ledn", mode="lopen")
    bands = iso["bands"]["features"]
    assert [f["properties"]["limit"] for f in bands] == [5, 10, 15]
    lengths = [f["properties"]["length_km"] for f in bands]
    assert all(v > 0 for v in lengths)
    bike = rt_ro.access.isochrone(place="chb:NL:S:ledn", mode="fiets")
    assert sum(f["properties"]["length_km"] for f in bike["bands"]["features"]) > sum(lengths)
    # Every 5-minute street lies within 5 min × 83 m of the station in a straight line (plus snap).
    from roltrap.io.osm import to_rd

    coords = np.asarray([p for line in bands[0]["geometry"]["coordinates"] for p in line])
    x, y = to_rd(coords[:, 0], coords[:, 1])
    st = rt_ro.access.places().set_index("id").loc["chb:NL:S:ledn"]
    assert np.hypot(x - st["x"], y - st["y"]).max() <= 5 * 5000 / 60 + 1


def test_area_answers_by_hand() -> None:
    """Two areas, four nodes with weights; minutes and shares as computed on paper."""
    minutes = {("school", "lopen"): np.array([4.0, 12.0, 20.0, np.inf])}
    node_area = np.array(["A", "A", "B", "B"], dtype=object)
    weight = np.array([1.0, 3.0, 2.0, 2.0])
    areas = pd.DataFrame({"code": ["A", "B", "C"], "name": ["a", "b", "c"]})
    out = compute.area_answers(minutes, node_area=node_area, weight=weight, areas=areas).set_index("code")
    assert out.loc["A", "minutes"] == pytest.approx((4 * 1 + 12 * 3) / 4)
    assert out.loc["A", "share_5"] == pytest.approx(0.25)
    assert out.loc["A", "share_15"] == pytest.approx(1.0) and out.loc["A", "meets_15"]
    assert out.loc["B", "minutes"] == pytest.approx(20.0)  # mean over those who can reach one
    assert out.loc["B", "share_15"] == 0 and "50 %" in out.loc["B", "reason"]
    assert not out.loc["C", "available"] and pd.isna(out.loc["C", "minutes"])


# -- CLI ------------------------------------------------------------------------------------------


@pytest.fixture
def cli(bundled_db: Path, tmp_path: Path) -> Callable[..., Any]:
    import shutil

    db = tmp_path / "cli.duckdb"
    shutil.copy(bundled_db, db)
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)

    return invoke


def test_cli_json_rows(cli: Callable[..., Any]) -> None:
    res = cli(
        "access", "--gemeente", "GM0546", "--mode", "fiets", "--soort", "treinstation", "--format", "json"
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rows = [r for r in data["rows"] if r["method"] == "netwerk"]
    assert len(rows) == 10
    assert {"code", "name", "soort", "mode", "minutes", "share_5", "share_10", "share_15"} <= set(rows[0])
    assert {r["mode"] for r in rows} == {"fiets"}
    assert data["extra"]["attribution"] == "© OpenStreetMap-bijdragers (ODbL)"


def test_cli_table_and_need(cli: Callable[..., Any]) -> None:
    res = cli("access", "--soort", "centrum", "--mode", "lopen")
    assert res.exit_code == 0 and "Leiden-Noord" in res.stdout and "OpenStreetMap" in res.stdout
    res = cli("access", "behoefte", "--soort", "treinstation")
    assert res.exit_code == 0 and "onderdrukt" in res.stdout


def test_cli_bad_option_exit_2(cli: Callable[..., Any]) -> None:
    res = cli("access", "--mode", "auto")
    assert res.exit_code == 2
    assert "Onbekende vervoerswijze" in res.stderr


def test_cli_template_and_import(cli: Callable[..., Any], tmp_path: Path) -> None:
    out = tmp_path / "sjabloon.csv"
    assert cli("access", "sjabloon", "--out", str(out)).exit_code == 0
    res = cli("import", str(out))
    assert res.exit_code == 0 and "2 vindplaatsen opgeslagen" in res.stdout


def test_buurt_level_on_imported_buurt_boundaries(rt: Roltrap, tmp_path: Path) -> None:
    """Buurt level works once buurt polygons are in the store.

    The bundle has no buurten; this test splits the real Leiden-Noord polygon into a west and an east
    half (hand-made test geometry in the CBS layout) and imports it like a Wijk- en Buurtkaart.
    """
    import geopandas as gpd
    import shapely

    geo = rt.geometries(gemeente="GM0546", level="wijk").set_index("code")
    noord = geo.loc["WK054603", "geometry"]
    x0, y0, x1, y1 = noord.bounds
    cx = noord.centroid.x
    west = noord.intersection(shapely.box(x0 - 1, y0 - 1, cx, y1 + 1))
    east = noord.intersection(shapely.box(cx, y0 - 1, x1 + 1, y1 + 1))
    # Only BU_CODE/BU_NAAM: the boundaries reader takes WK_CODE first when both are present.
    gdf = gpd.GeoDataFrame({"BU_CODE": ["BU05460300", "BU05460301"], "BU_NAAM": ["Noord-West", "Noord-Oost"]},
                           geometry=[west, east], crs="EPSG:28992")
    path = tmp_path / "buurt_2021_leiden_noord.geojson"
    gdf.to_crs(4326).to_file(path, driver="GeoJSON")
    rt.import_file(path, format="boundaries")
    rows = net_rows(rt, gemeente="GM0546", level="buurt", soort="treinstation", mode="lopen")
    rows = rows.set_index("code")
    assert set(rows.index) == {"BU05460300", "BU05460301"}
    wijk = net_rows(rt, gemeente="GM0546", soort="treinstation", mode="lopen").set_index("code")
    m = wijk.loc["WK054603", "minutes"]
    # The wijk's mean over its residents lies between its two halves' means (they partition its streets).
    lo, hi = sorted(rows["minutes"])
    assert lo <= m + 1e-9 and m <= hi + 1e-9
    assert rows.loc["BU05460300", "minutes"] != rows.loc["BU05460301", "minutes"]
