"""The DuckDB store: migrations, upserts, references and all-or-nothing writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from roltrap.errors import ConfigError, InputError
from roltrap.store import SCHEMA_VERSION, Batch, Store


def _batch(source_id: str = "test", value: float = 124093.0) -> Batch:
    return Batch(
        source={"id": source_id, "title": "Test", "publisher": "CBS", "licence": "CC BY 4.0",
                "attribution": "Bron: CBS", "estimate": False},
        regions=pd.DataFrame([{"code": "GM0546", "name": "Leiden", "level": "gemeente", "parent": "NL00",
                               "boundary_year": 2021}]),
        indicators=pd.DataFrame([{"id": "a_inw", "label": "Aantal inwoners", "unit": "personen",
                                  "kind": "count", "aggregation": "sum", "weight": None, "decimals": 0,
                                  "theme": "bevolking", "description": ""}]),
        observations=pd.DataFrame([{"region_code": "GM0546", "year": 2021, "indicator_id": "a_inw",
                                    "value": value}]),
    )


def test_new_store_is_migrated_to_latest_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    assert store.version() == SCHEMA_VERSION
    store.close()
    # reopening does not migrate twice
    again = Store(tmp_path / "s.duckdb")
    assert again.query("SELECT count(*) AS n FROM meta")["n"][0] == SCHEMA_VERSION
    again.close()


def test_store_from_the_future_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.con.execute("INSERT INTO meta (version) VALUES (?)", [SCHEMA_VERSION + 5])
    store.close()
    with pytest.raises(ConfigError, match="newer than this roltrap"):
        Store(tmp_path / "s.duckdb")


def test_apply_writes_and_upserts() -> None:
    store = Store(":memory:")
    written = store.apply(_batch())
    assert written["observations"] == 1
    store.apply(_batch(value=125000.0))
    df = store.query("SELECT value FROM observations")
    assert df["value"].tolist() == [125000.0]


def test_unknown_region_changes_nothing() -> None:
    store = Store(":memory:")
    store.apply(_batch())
    before = store.query("SELECT * FROM observations ORDER BY ALL")
    bad = _batch(source_id="bad", value=1.0)
    bad.observations = pd.DataFrame([
        {"region_code": "GM0546", "year": 2022, "indicator_id": "a_inw", "value": 1.0},
        {"region_code": "GM9999", "year": 2022, "indicator_id": "a_inw", "value": 2.0},
    ])
    with pytest.raises(InputError, match="GM9999"):
        store.apply(bad)
    pd.testing.assert_frame_equal(store.query("SELECT * FROM observations ORDER BY ALL"), before)
    assert store.query("SELECT id FROM sources")["id"].tolist() == ["test"]


def test_failure_midway_rolls_back_every_table() -> None:
    store = Store(":memory:")
    bad = _batch(source_id="dup")
    bad.observations = pd.concat([bad.observations, bad.observations])  # duplicate key
    with pytest.raises(InputError, match="Duplicate"):
        store.apply(bad)
    # sources, indicators and regions were written before observations in the same transaction
    for table in ("sources", "indicators", "regions", "observations"):
        assert store.query(f"SELECT count(*) AS n FROM {table}")["n"][0] == 0, table
