"""Web fixtures: one app on the shared read-only store, an in-process client, HTML parsing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_fixtures import BUURTEN

from live_app import serve
from roltrap.core import Roltrap
from roltrap.web.app import create_app


@pytest.fixture(scope="session")
def app(rt_ro: Roltrap) -> FastAPI:
    return create_app(rt_ro)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port in a thread; yields its base URL."""
    with serve(app) as url:
        yield url




@pytest.fixture(scope="session")
def buurt_db(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    import pandas as pd
    import shapely

    from roltrap.store import Batch

    path = tmp_path_factory.mktemp("buurten") / "store.duckdb"
    shutil.copy(bundled_db, path)
    rt = Roltrap(path)
    try:
        wijken = rt.geometries(gemeente="GM0014", level="wijk").set_index("code")
        regions, obs, geoms = [], [], []
        for i, (code, (name, wijk, inw, hh, p110, wb)) in enumerate(BUURTEN.items()):
            regions.append(
                {"code": code, "name": name, "level": "buurt", "parent": wijk, "boundary_year": 2022}
            )
            for ind, value in (("a_inw", inw), ("a_hh", hh), ("p_hh_110", p110), ("a_soz_wb", wb)):
                obs.append({"region_code": code, "year": 2022, "indicator_id": ind, "value": float(value)})
            x0, y0, x1, y1 = wijken.loc[wijk, "geometry"].bounds
            xm = (x0 + x1) / 2
            half = shapely.clip_by_rect(
                wijken.loc[wijk, "geometry"], *((x0, y0, xm, y1) if i % 2 == 0 else (xm, y0, x1, y1))
            )
            geoms.append({"region_code": code, "boundary_year": 2022, "geom_wkb": shapely.to_wkb(half)})
        rt.store.apply(
            Batch(
                source={
                    "id": "test-buurten-groningen",
                    "title": "Testbuurten Groningen",
                    "publisher": "test",
                    "licence": "CC0",
                    "estimate": False,
                    "rows_loaded": len(obs),
                },
                regions=pd.DataFrame(regions),
                observations=pd.DataFrame(obs),
                geometries=pd.DataFrame(geoms),
            )
        )
    finally:
        rt.close()
    return path


@pytest.fixture(scope="session")
def rt_buurt(buurt_db: Path) -> Iterator[Roltrap]:
    rt = Roltrap(buurt_db, read_only=True)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def bclient(rt_buurt: Roltrap) -> Iterator[TestClient]:
    with TestClient(create_app(rt_buurt)) as c:
        yield c
