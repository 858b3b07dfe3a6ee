"""Raw files → bundle tables → store → ``Roltrap.show``: the whole chain on real excerpts."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from roltrap import bundle
from roltrap.core import Roltrap
from roltrap.store import Store

RAW = Path(__file__).parent / "data" / "a1"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_bundle.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_bundle", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    assert _script().main([str(RAW), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def rt_built(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roltrap]:
    db = tmp_path_factory.mktemp("db") / "store.duckdb"
    store = Store(db)
    bundle.load_into(store, built)
    store.close()
    rt = Roltrap(db, read_only=True)
    yield rt
    rt.close()


def test_leiden_2021_figures(rt_built: Roltrap) -> None:
    shown = rt_built.show("GM0546", year=2021)["indicators"]
    got = {
        k: shown[k]["value"]
        for k in (
            "a_inw",
            "a_hh",
            "a_opl_lg",
            "p_hh_110",
            "a_soz_wb",
            "g_ink_pi",
            "p_hh_osm",
            "g_afs_hp",
            "a_jz_tn",
            "p_wmo_t",
        )
    }
    # Values from the kwb PROVENANCE, after the ×10 fix (p_wmo_t kept its point: not divided).
    assert got == {
        "a_inw": 124093,
        "a_hh": 68077,
        "a_opl_lg": 19340,
        "p_hh_110": 11.3,
        "a_soz_wb": 3270,
        "g_ink_pi": 30.8,
        "p_hh_osm": 7.5,
        "g_afs_hp": 0.6,
        "a_jz_tn": 4160,
        "p_wmo_t": 69.0,
    }
    assert shown["a_inw"]["label"] == "Aantal inwoners" and shown["a_inw"]["estimate"] is False


def test_leiden_wijken(rt_built: Roltrap) -> None:
    w = rt_built.wide(year=2021, gemeente="GM0546", level="wijk", indicators=["p_hh_110"])
    assert len(w) == 10
    assert w.loc["WK054603", "p_hh_110"] == 15.7 and w.loc["WK054609", "p_hh_110"] == 7.8
    assert w.loc["WK054603", "name"] == "Leiden-Noord"
    panel = rt_built.observations(codes=["WK054603"], indicators=["a_soz_wb", "p_hh_osm"])
    series = panel.pivot(index="year", columns="indicator_id", values="value")
    assert series.loc[[2018, 2019, 2020, 2021], "a_soz_wb"].tolist() == [800, 750, 690, 660]
    assert series.loc[[2018, 2019, 2020, 2021], "p_hh_osm"].tolist() == [10.8, 10.2, 10.8, 10.5]


def test_other_sources(rt_built: Roltrap) -> None:
    f = rt_built.flows(codes=["GM0546"], years=[2017])
    assert set(f["months"]) == {3}
    assert rt_built.show("GM0546", year=2024)["indicators"]["a_inw"]["value"] == 130108
    e = rt_built.show("WK054603", year=2013)["indicators"]["elan_moves_pp"]
    assert e["estimate"] is True and e["value"] == pytest.approx(0.15369, abs=1e-5)
    geo = rt_built.geometries(gemeente="GM0546")
    assert len(geo) == 10 and set(geo["boundary_year"]) == {2022} and geo.crs.to_epsg() == 28992
    old = rt_built.geometries(gemeente="GM0546", boundary_year=2016)
    assert len(old) == 10
    src = rt_built.sources().set_index("id")
    assert src.loc["cbs-kwb-2021-2022-gemeenten", "licence"] == "CC BY 4.0"
    assert bool(src.loc["elan-wijk-gemiddelden", "estimate"]) is True


def test_every_reference_has_a_region(built: Path) -> None:
    tables = bundle.read_tables(built)
    codes = set(tables["regions"]["code"])
    for name in ("observations", "flows", "geometries"):
        assert set(tables[name]["region_code"]) <= codes, name
    assert set(tables["observations"]["indicator_id"]) <= set(tables["indicators"]["id"])
    assert set(tables["observations"]["source_id"]) <= set(tables["sources"]["id"])
    reg = tables["regions"].set_index("code")
    assert reg.loc["WK191104", "boundary_year"] == 2016  # a 2016-only wijk code keeps its boundary year
    assert not tables["observations"].duplicated(["region_code", "year", "indicator_id"]).any()


def test_rebuild_is_identical(built: Path, tmp_path: Path) -> None:
    assert _script().main([str(RAW), "--out", str(tmp_path)]) == 0
    for f in sorted(built.glob("*")):
        assert (
            hashlib.sha256(f.read_bytes()).digest()
            == hashlib.sha256((tmp_path / f.name).read_bytes()).digest()
        )


def test_lost_decimal_fix_only_touches_unpointed_2021_cells() -> None:
    mod = _script()
    frame = pd.DataFrame(
        {
            "year": ["2021", "2021", "2022", "2021"],
            "p_hh_110": ["113", "39.3", "11", ""],
            "p_wmo_t": ["69.0", "69.0", "69.0", "69.0"],
            "g_afs_hp": ["06", "06", "0.6", "."],
        }
    )
    fixed = mod.fix_lost_decimals(frame)
    assert fixed["p_hh_110"].tolist() == ["11.3", "39.3", "11", ""]
    assert fixed["g_afs_hp"].tolist() == ["0.6", "0.6", "0.6", "."]
    assert fixed["p_wmo_t"].tolist() == frame["p_wmo_t"].tolist()


def test_missing_raw_folder(tmp_path: Path) -> None:
    assert _script().main([str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2


def test_the_bundle_has_buurten_with_their_wijk(rt_built: Roltrap) -> None:
    reg = rt_built.store.query("SELECT code, parent FROM regions WHERE level = 'buurt'")
    assert len(reg) == 479 + 4
    assert (reg["parent"] == "WK" + reg["code"].str[2:8]).all()
    shown = rt_built.show("BU16800000", year=2021)["indicators"]
    assert shown["g_afs_hp"]["value"] == 0.8
    ses = rt_built.show("BU03630003", year=2019)["indicators"]["u_ses_woa_totaalscore_gemiddelde_score"]
    assert ses["value"] == 0.192
