"""A tiny hand-made store (Teststad, three districts) so every service figure can be checked by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from monitor_fixtures import build_buurt_store, build_ses_store

from roltrap.core import Roltrap
from roltrap.store import Batch, Store

GM = "GM9999"
WIJKEN = {"WK999900": "Aankomstwijk", "WK999901": "Middenwijk", "WK999902": "Bestemmingswijk"}

KWB_2021: dict[str, dict[str, float]] = {
    # gemeente and districts; shares in percent
    GM: dict(a_inw=10500, a_hh=5000, a_15_24=1400, a_25_44=2800, a_65_oo=1700, a_1p_hh=2000, a_hh_m_k=1400,
             p_huurw=47, p_koopw=53, p_mgezw=45, p_1gezw=55, a_opl_lg=1500, a_opl_hg=4000, a_soz_wb=300,
             a_wmo_t=600, a_jz_tn=200, p_hh_110=10.0, p_hh_120=13.0, g_hhgro=2.0, bev_dich=5000,
             a_w_all=1312.5, a_nw_all=1312.5, g_ink_pi=27, p_hh_osm=7, a_bedv=800),
    "WK999900": dict(a_inw=2100, a_hh=1400, a_15_24=500, a_25_44=800, a_65_oo=100, a_1p_hh=900, a_hh_m_k=100,
                     p_huurw=80, p_koopw=20, p_mgezw=90, p_1gezw=10, a_opl_lg=200, a_soz_wb=80, a_wmo_t=100,
                     a_jz_tn=5, p_hh_110=14.9, p_hh_120=18.0, g_hhgro=1.5, g_ink_pi=25, p_hh_osm=8,
                     a_bedv=300, g_afs_hp=0.5, p_ink_hi=30, p_ink_li=40),
    "WK999901": dict(a_inw=3100, a_hh=1500, a_15_24=400, a_25_44=900, a_65_oo=400, a_1p_hh=600, a_hh_m_k=400,
                     p_huurw=55, p_koopw=45, p_mgezw=50, p_1gezw=50, a_opl_lg=700, a_soz_wb=180, a_wmo_t=250,
                     a_jz_tn=90, p_hh_110=15.0, p_hh_120=19.0, g_hhgro=2.1, g_ink_pi=20, p_hh_osm=12,
                     a_bedv=200, g_afs_hp=0.9, p_ink_hi=15, p_ink_li=50),
    "WK999902": dict(a_inw=5300, a_hh=2100, a_15_24=500, a_25_44=1100, a_65_oo=1200, a_1p_hh=500,
                     a_hh_m_k=900,
                     p_huurw=25, p_koopw=75, p_mgezw=20, p_1gezw=80, a_opl_lg=600, a_soz_wb=40, a_wmo_t=250,
                     a_jz_tn=105, p_hh_110=25.0, p_hh_120=30.0, g_hhgro=2.5, g_ink_pi=35, p_hh_osm=3,
                     a_bedv=300, g_afs_hp=1.5, p_ink_hi=45, p_ink_li=25),
    # two other municipalities for comparisons: one alike, one not
    "GM9998": dict(a_inw=11000, a_hh=5200, a_1p_hh=2050, a_65_oo=1800, p_huurw=48, a_opl_hg=4100,
                   a_opl_lg=1600,
                   a_soz_wb=320, a_wmo_t=640, a_jz_tn=210, p_hh_110=10.5, p_hh_120=13.5, bev_dich=4800,
                   a_w_all=1400, a_nw_all=1300),
    "GM9997": dict(a_inw=900000, a_hh=480000, a_1p_hh=250000, a_65_oo=100000, p_huurw=70, a_opl_hg=400000,
                   a_opl_lg=150000, a_soz_wb=40000, a_wmo_t=50000, a_jz_tn=20000, p_hh_110=18.0,
                       p_hh_120=21.0,
                   bev_dich=6000, a_w_all=150000, a_nw_all=300000),
}
# international share of Teststad 2016–2021 (percent), for trends and projections
INTERNATIONAL = {2016: 20.0, 2017: 21.2, 2018: 21.8, 2019: 23.1, 2020: 23.9, 2021: 25.0}
POP = {2016: 10000, 2017: 10100, 2018: 10200, 2019: 10300, 2020: 10400, 2021: 10500}
POP_WIJK_2016 = {"WK999900": 2000, "WK999901": 3000, "WK999902": 5000}
MOVES = {"WK999900": (0.30, 0.30), "WK999901": (0.10, 0.20), "WK999902": (0.05, 0.05), GM: (0.12, 0.14)}
FLOWS = [  # year, origin, persons, months
    (2015, "gemeente", 600, 12), (2015, "buitenland", 200, 12),
    (2016, "gemeente", 700, 12), (2016, "buitenland", 300, 12),
    (2017, "gemeente", 150, 3), (2017, "buitenland", 50, 3),
]

SHARE_IDS = {"p_huurw", "p_koopw", "p_mgezw", "p_1gezw", "p_hh_110", "p_hh_120", "p_hh_osm", "p_ink_hi",
             "p_ink_li"}


def build_store(path: Path) -> None:
    regions = pd.DataFrame([
        {"code": "NL00", "name": "Nederland", "level": "land", "parent": None, "boundary_year": 2021},
        {"code": GM, "name": "Teststad", "level": "gemeente", "parent": "NL00", "boundary_year": 2021},
        {"code": "GM9998", "name": "Lijkstad", "level": "gemeente", "parent": "NL00", "boundary_year": 2021},
        {"code": "GM9997", "name": "Grootstad", "level": "gemeente", "parent": "NL00", "boundary_year": 2021},
        *[{"code": c, "name": n, "level": "wijk", "parent": GM, "boundary_year": 2021} for c,
          n in WIJKEN.items()],
    ])
    ids = sorted({k for v in KWB_2021.values() for k in v} | {"elan_moves_pp"})
    indicators = pd.DataFrame([{
        "id": i, "label": i, "unit": "%" if i in SHARE_IDS else "aantal",
        "kind": "share" if i in SHARE_IDS else "mean" if i.startswith(("g_", "elan_", "bev")) else "count",
        "aggregation": "none", "weight": None, "decimals": 1, "theme": "test", "description": None,
    } for i in ids])
    obs = []
    for code, vals in KWB_2021.items():
        for ind, v in vals.items():
            if code == GM and ind in ("a_inw", "a_w_all", "a_nw_all"):
                continue
            obs.append((code, 2021, ind, float(v), "kwb"))
    for yr, pop in POP.items():
        obs.append((GM, yr, "a_inw", float(pop), "kwb"))
        half = INTERNATIONAL[yr] * pop / 200
        obs += [(GM, yr, "a_w_all", half, "kwb"), (GM, yr, "a_nw_all", half, "kwb")]
    for code, pop in POP_WIJK_2016.items():
        obs.append((code, 2016, "a_inw", float(pop), "kwb"))
    elan = []
    for code, (m15, m16) in MOVES.items():
        elan += [(code, 2015, "elan_moves_pp", m15, "elan"), (code, 2016, "elan_moves_pp", m16, "elan")]
    cols = ["region_code", "year", "indicator_id", "value", "source_id"]
    flows = pd.DataFrame([{"region_code": GM, "year": y, "direction": "in", "origin": o, "persons": float(p),
                           "months": m} for y, o, p, m in FLOWS]
                         + [{"region_code": GM, "year": 2016, "direction": "out", "origin": "gemeente",
                             "persons": 999.0, "months": 12}])
    store = Store(path)
    src = {"licence": "CC BY 4.0", "attribution": None, "provenance": None, "file": None, "rows_loaded": None}
    store.apply(Batch(source={"id": "kwb", "title": "Test-KWB", "publisher": "CBS", "estimate": False, **src},
                      regions=regions, indicators=indicators,
                      observations=pd.DataFrame([o for o in obs], columns=cols).drop(columns="source_id")))
    store.apply(Batch(source={"id": "elan", "title": "Test-ELAN", "publisher": "ELAN", "estimate": True,
                **src},
                      observations=pd.DataFrame(elan, columns=cols).drop(columns="source_id")))
    store.apply(Batch(source={"id": "cbs37230", "title": "Test-37230", "publisher": "CBS", "estimate": False,
                              **src}, flows=flows))
    store.close()


@pytest.fixture(scope="session")
def mini_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mini") / "mini.duckdb"
    build_store(path)
    return path


@pytest.fixture(scope="session")
def mini(mini_db: Path) -> Iterator[Roltrap]:
    rt = Roltrap(mini_db, read_only=True)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def buurt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roltrap]:
    path = tmp_path_factory.mktemp("buurt") / "buurt.duckdb"
    build_buurt_store(path)
    rt = Roltrap(path, read_only=True)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def ses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Roltrap, pd.DataFrame]]:
    path = tmp_path_factory.mktemp("ses") / "ses.duckdb"
    data = build_ses_store(path)
    rt = Roltrap(path, read_only=True)
    yield rt, data
    rt.close()
