"""Opening the core object: first use builds the store from the bundle, read-only or not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from roltrap.bundle import read_tables
from roltrap.core import Roltrap
from roltrap.settings import Settings


def test_first_read_only_open_builds_the_store_then_reads_only(tmp_path: Path) -> None:
    # A read-only deployment (ROLTRAP_READ_ONLY=true) started on a machine without a store yet.
    path = tmp_path / "nieuw" / "roltrap.duckdb"
    rt = Roltrap(path, read_only=True)
    try:
        assert rt.store.read_only
        assert rt.show("GM0546", year=2021)["indicators"]["a_inw"]["value"] == 124093
    finally:
        rt.close()
    # the second read-only open finds the store and does not rebuild it
    with Roltrap(path, settings=Settings(read_only=True)) as again:
        assert again.store.read_only
        n = again.store.query("SELECT count(*) AS n FROM observations")["n"][0]
        assert n == len(read_tables()["observations"])


def test_first_writable_open_loads_the_whole_bundle_once(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Roltrap(path) as rt:
        counts = {t: int(rt.store.query(f"SELECT count(*) AS n FROM {t}")["n"][0]) for t in
                  ("regions", "observations", "flows", "sources")}
    bundle = read_tables()
    assert counts == {t: len(bundle[t]) for t in counts}
    with Roltrap(path) as rt:  # reopening does not load the bundle again (it would break the keys)
        assert int(rt.store.query("SELECT count(*) AS n FROM sources")["n"][0]) == len(bundle["sources"])


def test_in_memory_store_is_filled_from_the_bundle() -> None:
    with Roltrap(":memory:") as rt:
        regions = rt.regions()
        assert isinstance(regions, pd.DataFrame)
        assert set(rt.children("GM0546", level="wijk")["code"]) == {f"WK0546{i:02d}" for i in range(10)}
