"""A store filled by an older roltrap is refreshed when the package ships a rebuilt bundle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from roltrap import bundle
from roltrap.core import Roltrap
from roltrap.store import Batch, Store


def _value(store: Store, code: str, year: int, ind: str) -> tuple[float, str]:
    df = store.query("SELECT value, source_id FROM observations WHERE region_code = ? AND year = ? "
                     "AND indicator_id = ?", [code, year, ind])
    return float(df["value"].iloc[0]), str(df["source_id"].iloc[0])


def test_fresh_store_records_the_bundle_version(bundled_db: Path) -> None:
    store = Store(bundled_db, read_only=True)
    assert bundle.stored_version(store) == bundle.version()
    store.close()


def test_stale_store_is_refreshed_and_user_imports_survive(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    shutil.copy(bundled_db, db)
    store = Store(db)
    # An "older bundle": a bundled figure that differs, a bundled row the new bundle lacks, an old version.
    store.con.execute("UPDATE observations SET value = 1 WHERE region_code = 'GM0546' AND year = 2021 "
                      "AND indicator_id = 'a_inw'")
    src = _value(store, "GM0546", 2021, "a_inw")[1]
    store.con.execute("INSERT INTO observations (region_code, year, indicator_id, value, source_id) "
                      "VALUES ('GM0546', 1999, 'a_inw', 42, ?)", [src])
    store.con.execute("UPDATE bundle_state SET version = 'older'")
    # The user's own import: a new year, and a correction of a bundled key.
    user = Batch(source={"id": "eigen-telling", "title": "Eigen telling", "publisher": "Gemeente Leiden",
                         "licence": "intern", "estimate": False},
                 observations=pd.DataFrame([
                     {"region_code": "GM0546", "year": 2030, "indicator_id": "a_inw", "value": 130000.0},
                     {"region_code": "GM0546", "year": 2021, "indicator_id": "a_hh", "value": 68100.0},
                 ]))
    store.apply(user)
    store.close()

    rt = Roltrap(db)
    try:
        st = rt.store
        assert bundle.stored_version(st) == bundle.version()
        assert _value(st, "GM0546", 2021, "a_inw") == (124093.0, src)      # bundled figure restored
        gone = st.query("SELECT count(*) AS n FROM observations WHERE year = 1999")["n"].iloc[0]
        assert gone == 0                                                    # stale bundled row removed
        assert _value(st, "GM0546", 2030, "a_inw") == (130000.0, "eigen-telling")  # user row kept
        assert _value(st, "GM0546", 2021, "a_hh") == (68100.0, "eigen-telling")    # user correction wins
    finally:
        rt.close()


def test_current_store_is_not_reloaded(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "current.duckdb"
    shutil.copy(bundled_db, db)
    store = Store(db)
    assert bundle.refresh_if_stale(store) is False
    store.close()
