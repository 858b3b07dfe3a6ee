"""Start-up: the CLI's light commands load no pandas, a new store is a copy of the installation's
template (built once) with the same content as one built in place, and plain-row lookups quote
every value safely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from roltrap import bundle
from roltrap.core import Roltrap
from roltrap.settings import Settings
from roltrap.store import sql_literal

HEAVY = ("pandas", "numpy", "pyarrow", "ibis", "fastapi", "altair", "scipy")
PROBE = """
import json, sys
from roltrap.cli.main import run
sys.argv = ["roltrap", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
print(json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)
"""


def _loaded(args: list[str], env: dict[str, str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], env=env,
                          capture_output=True, text=True, timeout=120)
    loaded: list[str] = json.loads(proc.stderr.strip().splitlines()[-1])
    return loaded


def test_help_and_show_load_no_heavy_module(bundled_db: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ROLTRAP_DB": str(bundled_db), "ROLTRAP_READ_ONLY": "true"}
    assert _loaded(["--help"], env) == []
    assert _loaded(["show", "GM0546", "--year", "2021"], env) == []
    assert _loaded(["show", "WK054608", "--format", "json"], env) == []
    # The table and CSV paths still give the figures (CSV may use pandas: it is not start-up).
    out = subprocess.run([sys.executable, "-m", "roltrap", "show", "GM0546", "--year", "2021", "-f", "csv"],
                         env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    row = next(line for line in out.splitlines() if line.startswith("a_inw;"))
    assert "124093" in row.replace(".", "")


def _content(path: Path) -> dict[str, object]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in
                  ("sources", "indicators", "regions", "geometries", "observations", "flows")}
        digest = con.execute("SELECT sum(hash(region_code, year, indicator_id, value, source_id)) "
                             "FROM observations").fetchone()
        version = con.execute("SELECT version FROM bundle_state").fetchall()
        schema = con.execute("SELECT max(version) FROM meta").fetchone()
    finally:
        con.close()
    return {"counts": counts, "digest": digest, "version": version, "schema": schema}


def test_new_store_is_a_copy_of_the_template_with_the_built_content(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    settings = Settings(template_dir=templates, data_dir=tmp_path / "data")
    first, second = tmp_path / "a" / "one.duckdb", tmp_path / "b" / "two.duckdb"
    Roltrap(first, settings=settings).close()
    made = list(templates.glob("store-*.duckdb"))
    assert [p.name for p in made] == [f"store-{bundle.template_key()}.duckdb"]
    stamp = made[0].stat().st_mtime_ns
    Roltrap(second, settings=settings, read_only=True).close()
    assert made[0].stat().st_mtime_ns == stamp          # reused, not rebuilt
    # No temporary files or WAL left next to the stores.
    assert sorted(p.name for p in first.parent.iterdir()) == ["one.duckdb"]
    assert sorted(p.name for p in second.parent.iterdir()) == ["two.duckdb"]
    # Without a template folder the store is built in place: the same content either way.
    direct = tmp_path / "c" / "direct.duckdb"
    assert bundle.create_store(direct, template_dir=None) is True
    assert _content(second) == _content(direct) == _content(first)
    assert _content(direct)["version"] == [(bundle.version(),)]
    # A store that exists is never replaced.
    assert bundle.create_store(second, template_dir=templates) is False


def test_unwritable_template_folder_still_gives_a_store(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the template folder should be")
    settings = Settings(template_dir=blocker / "sub", data_dir=tmp_path / "data")
    rt = Roltrap(tmp_path / "store.duckdb", settings=settings)
    try:
        assert rt.show("GM0546", year=2021)["indicators"]["a_inw"]["value"] == 124093.0
    finally:
        rt.close()


@given(st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**62, max_value=2**62),
                 st.floats(allow_nan=False), st.text(alphabet=st.characters(exclude_categories=["Cs"]))))
def test_sql_literal_round_trips_every_value(value: object) -> None:
    con = duckdb.connect()
    try:
        got = con.execute(f"SELECT {sql_literal(value)}").fetchone()
    finally:
        con.close()
    assert got is not None and got[0] == value and type(got[0]) is type(value)


def test_rows_lookup_by_a_hostile_name_finds_nothing_and_changes_nothing(rt: Roltrap) -> None:
    before = rt.store.rows("SELECT count(*) AS n FROM regions")[0]["n"]
    for name in ["x'; DROP TABLE regions; --", "Leiden' OR '1'='1", "a\x00b", "\\'", "?"]:
        assert rt.store.rows("SELECT code FROM regions WHERE lower(name) = lower(?)", [name]) == []
    assert rt.store.rows("SELECT count(*) AS n FROM regions")[0]["n"] == before
    assert rt.store.rows("SELECT code FROM regions WHERE name = ?", ["Leiden"]) == [{"code": "GM0546"}]
