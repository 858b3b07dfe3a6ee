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
    with pytest.raises(ConfigError, match="nieuwer dan deze versie van roltrap"):
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
    with pytest.raises(InputError, match="meer dan eens"):
        store.apply(bad)
    # sources, indicators and regions were written before observations in the same transaction
    for table in ("sources", "indicators", "regions", "observations"):
        assert store.query(f"SELECT count(*) AS n FROM {table}")["n"][0] == 0, table


def test_store_held_by_another_process_is_a_clear_config_error(tmp_path: Path) -> None:
    # A real second process holds the write lock (as `roltrap web` would while the CLI imports).
    import subprocess
    import sys

    path = tmp_path / "s.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(ConfigError) as exc:
            Store(path)
        assert str(path) in exc.value.message
        assert exc.value.hint is not None and "--db" in exc.value.hint
    finally:
        holder.communicate(input="", timeout=30)
    # once the other process is gone the store opens again, data intact
    again = Store(path)
    assert again.version() == SCHEMA_VERSION
    again.close()


def test_new_migration_upgrades_an_existing_store_and_keeps_its_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import roltrap.store as store_mod

    path = tmp_path / "s.duckdb"
    old = Store(path)
    old.apply(_batch())
    old.close()
    # a later release appends a migration (never edits the released ones)
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS,
                                                  "ALTER TABLE regions ADD COLUMN note VARCHAR"])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    upgraded = Store(path)
    assert upgraded.version() == SCHEMA_VERSION + 1
    assert upgraded.query("SELECT version FROM meta ORDER BY version")["version"].tolist() == list(
        range(1, SCHEMA_VERSION + 2))
    assert "note" in upgraded.query("SELECT * FROM regions").columns
    assert upgraded.query("SELECT value FROM observations")["value"].tolist() == [124093.0]
    upgraded.close()


def test_failing_migration_leaves_the_store_at_its_old_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    import roltrap.store as store_mod

    path = tmp_path / "s.duckdb"
    old = Store(path)
    old.apply(_batch())
    old.close()
    monkeypatch.setattr(store_mod, "MIGRATIONS", [
        *store_mod.MIGRATIONS, "ALTER TABLE regions ADD COLUMN note VARCHAR; SELECT * FROM no_such_table"])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(duckdb.CatalogException):
        Store(path)
    monkeypatch.undo()
    back = Store(path)
    assert back.version() == SCHEMA_VERSION
    assert "note" not in back.query("SELECT * FROM regions").columns  # the half migration was undone
    assert back.query("SELECT value FROM observations")["value"].tolist() == [124093.0]
    back.close()


def test_read_only_store_is_not_migrated_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store(path).close()
    ro = Store(path, read_only=True)
    assert ro.read_only and ro.version() == SCHEMA_VERSION and ro.is_empty()
    with pytest.raises(ConfigError, match="alleen-lezen"):
        ro.apply(_batch())
    ro.close()


def test_many_unknown_codes_are_listed_up_to_twenty() -> None:
    store = Store(":memory:")
    store.apply(_batch())
    bad = _batch(source_id="bad")
    bad.regions = bad.regions.iloc[0:0]
    bad.observations = pd.DataFrame([{"region_code": f"WK9999{i:02d}", "year": 2021, "indicator_id": "a_inw",
                                      "value": 1.0} for i in range(25)])
    with pytest.raises(InputError) as exc:
        store.apply(bad)
    msgs = [p.message for p in exc.value.problems]
    assert len(msgs) == 21 and msgs[0] == "onbekende regio 'WK999900'"
    assert msgs[-1] == "... en nog 5 onbekende regiocodes"


def test_same_file_open_twice_in_one_process_with_another_mode_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    writer = Store(path)
    try:
        with pytest.raises(ConfigError, match="kan niet worden geopend"):
            Store(path, read_only=True)
    finally:
        writer.close()


def test_store_of_schema_version_1_is_migrated_to_record_the_bundle(tmp_path: Path) -> None:
    # A store written by the first release (schema 1) gains the bundle_state table on open.
    import duckdb

    import roltrap.store as store_mod

    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
    con.execute(store_mod.MIGRATIONS[0])
    con.execute("INSERT INTO meta (version) VALUES (1)")
    con.close()
    store = Store(path)
    assert store.version() == SCHEMA_VERSION >= 2
    assert store.query("SELECT count(*) AS n FROM bundle_state")["n"].iloc[0] == 0
    store.close()
