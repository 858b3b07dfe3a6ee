"""Observations and flows have no primary key (migration 6): the writes keep one row per key.

Every way figures reach the store is tried in a random order — chunked KWB files, whole-frame
batches, re-imports of the same and of a newer download, dry runs, refused files, an import
interrupted halfway through its transaction, flows, a bundle refresh, two threads writing at once —
and after each the store must hold every key at most once; the ones that must change nothing must
leave every table as it was. Migration 6 on a store of the old format keeps every row.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import roltrap.store as store_mod
from roltrap import bundle
from roltrap.errors import InputError
from roltrap.io._read import Limits, use_limits
from roltrap.io.importer import import_file
from roltrap.store import KEYS, MIGRATIONS, ORDER, SCHEMA_VERSION, Batch, Store

FLOWS = Path(__file__).parents[1] / "io" / "data" / "a1" / "cbs37230-maand-2012-2017" / \
    "bevolkingsontwikkeling_jaar_alle_regios.csv"
COLS = ["a_inw", "a_man", "a_vrouw", "p_hh_110", "a_hh"]
WIJKEN = [f"WK05460{i}" for i in range(10)]


def duplicates(store: Store) -> dict[str, int]:
    """Rows beyond the first per key, per table (0 everywhere when the store is sound)."""
    out = {}
    for name in ("observations", "flows", "geometries"):
        keys = ", ".join(KEYS[name])
        row = store.con.execute(f"SELECT count(*) - count(DISTINCT ({keys})) FROM {name}").fetchone()
        out[name] = int(row[0]) if row else -1
    return out


def digest(store: Store) -> tuple[object, ...]:
    out: list[object] = []
    for name in ORDER:
        out += list(store.con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {name} t").fetchone() or ())
    return tuple(out)


def kwb_file(path: Path, rnd: random.Random, *, bad: bool = False) -> Path:
    """A KWB-layout CSV: Leiden and some of its wijken, some new buurten, random years and values,
    some cells missing ('.'); ``bad`` puts a negative count in (the import is refused)."""
    cols = rnd.sample(COLS, k=rnd.randint(2, len(COLS)))
    lines = ["gwb_code_10;regio;recs;jaar;" + ";".join(cols)]
    codes = ["GM0546", *rnd.sample(WIJKEN, k=rnd.randint(1, len(WIJKEN)))]
    codes += [f"BU05460{rnd.randint(0, 9)}{b:02d}" for b in rnd.sample(range(90, 100), k=rnd.randint(0, 6))]
    rows = []
    for code in dict.fromkeys(codes):
        for year in rnd.sample(range(2018, 2024), k=rnd.randint(1, 3)):
            recs = "Gemeente" if code.startswith("GM") else "Wijk" if code.startswith("WK") else "Buurt"
            values = [("." if rnd.random() < 0.2 else
                       f"{rnd.randint(0, 99)}.{rnd.randint(0, 9)}" if c.startswith("p_") else
                       str(rnd.randint(0, 3) * 1000)) for c in cols]
            rows.append(f"{code};{code};{recs};{year};" + ";".join(values))
    if bad:
        i = rnd.randrange(len(rows))
        head, _, _ = rows[i].rpartition(";")
        rows[i] = head + ";-5" if not cols[-1].startswith("p_") else head + ";-5.0"
    path.write_text("\n".join([*lines, *rows]) + "\n", encoding="utf-8")
    return path


def frame_batch(rnd: random.Random, n: int) -> Batch:
    """A batch of figures for existing Leiden wijken through the whole-frame merge."""
    keys = {(rnd.choice(WIJKEN), rnd.randint(2018, 2023), rnd.choice(["a_inw", "a_man"])) for _ in range(40)}
    obs = pd.DataFrame([{"region_code": c, "year": y, "indicator_id": i,
                         "value": None if rnd.random() < 0.2 else float(rnd.randint(0, 3) * 1000)}
                        for c, y, i in sorted(keys)])
    return Batch(source={"id": f"frame-{n % 3}", "title": "t", "publisher": "p", "licence": "CC BY 4.0",
                         "specificity": rnd.randint(1, 2), "edition": f"202{rnd.randint(0, 5)}-01-01"},
                 observations=obs)


@pytest.fixture
def store(bundled_db: Path, tmp_path: Path) -> Store:
    return Store(shutil.copy(bundled_db, tmp_path / "store.duckdb"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_overlapping_writes_never_give_a_key_two_rows(store: Store, tmp_path: Path, seed: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(seed)
    files: list[Path] = []
    done: dict[str, int] = {}
    for n in range(30):
        op = rnd.choice(["import", "import", "reimport", "newer", "dry", "bad", "interrupt", "frame",
                         "flows", "bundle"])
        if op in ("reimport", "newer") and not files:
            op = "import"
        before = digest(store)
        limits = Limits(chunk_cells=1) if rnd.random() < 0.5 else Limits()  # 1,000-row chunks or one
        with use_limits(limits):
            if op == "import":
                files.append(kwb_file(tmp_path / f"kwb-{n}.csv", rnd))
                import_file(store, files[-1], new_region=False)
            elif op == "reimport":
                report = import_file(store, rnd.choice(files))
                assert report.result.total_written() == 0 and digest(store) == before
            elif op == "newer":  # a newer download of the same file outranks its own earlier rows
                path = rnd.choice(files)
                os.utime(path, (path.stat().st_mtime + 86400, path.stat().st_mtime + 86400))
                import_file(store, path)
            elif op == "dry":
                import_file(store, kwb_file(tmp_path / f"dry-{n}.csv", rnd), dry_run=True)
                assert digest(store) == before
            elif op == "bad":
                with pytest.raises(InputError):
                    import_file(store, kwb_file(tmp_path / f"bad-{n}.csv", rnd, bad=True))
                assert digest(store) == before
            elif op == "interrupt":  # Ctrl-C after the observations were written, inside the transaction
                real = store_mod._merge_values

                def interrupted(con: duckdb.DuckDBPyConnection, name: str, *args: object,
                                real: object = real, **kw: object) -> None:
                    real(con, name, *args, **kw)  # type: ignore[operator]
                    raise KeyboardInterrupt

                monkeypatch.setattr(store_mod, "_merge_values", interrupted)
                with pytest.raises(KeyboardInterrupt):
                    import_file(store, kwb_file(tmp_path / f"int-{n}.csv", rnd))
                monkeypatch.undo()
                assert digest(store) == before
            elif op == "frame":
                store.apply(frame_batch(rnd, n))
            elif op == "flows":
                import_file(store, FLOWS, format="cbs37230")
            else:
                bundle.load_into(store)
        done[op] = done.get(op, 0) + 1
        assert duplicates(store) == {"observations": 0, "flows": 0, "geometries": 0}, (n, op)
    assert len(done) >= 6  # the sequence mixed most kinds of write
    row = store.con.execute("SELECT count(*) FROM observations WHERE region_code LIKE 'BU0546%'").fetchone()
    assert row is not None and row[0] > 0  # new buurten were written, so inserts were exercised


def test_two_threads_writing_at_once_give_one_row_per_key(store: Store) -> None:
    rnd = random.Random(7)
    batches = [frame_batch(rnd, i) for i in range(8)]
    start = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def write(batch: Batch) -> None:
        try:
            start.wait()
            store.apply(batch)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert duplicates(store)["observations"] == 0


def test_a_batch_holding_a_key_twice_is_refused_before_anything_is_written(store: Store) -> None:
    before = digest(store)
    obs = pd.DataFrame([{"region_code": "WK054600", "year": 2021, "indicator_id": "a_inw", "value": v}
                        for v in (1.0, 2.0)])
    with pytest.raises(InputError, match="meer dan eens"):
        store.apply(Batch(source={"id": "twice", "title": "t", "publisher": "p", "licence": "l"},
                          observations=obs))
    assert digest(store) == before


def _old_format_store(path: Path) -> None:
    """A store as roltrap wrote it at schema version 5 (primary keys on observations and flows),
    filled from the bundle the way that version did (INSERT … ON CONFLICT), plus a user's figures."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (version INTEGER, applied_at TIMESTAMP DEFAULT current_timestamp)")
    for version in range(1, 6):
        con.execute(MIGRATIONS[version - 1])
        con.execute("INSERT INTO meta (version) VALUES (?)", [version])
    for name in ORDER:
        file = str(bundle.BUNDLE_DIR / f"{name}.parquet")
        cols = [d[0] for d in con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [file]).description or []]
        con.execute(f"INSERT INTO {name} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM read_parquet(?)",
                    [file])
    con.execute("INSERT INTO bundle_state (version) VALUES (?)", [bundle.version()])
    con.execute("INSERT INTO observations VALUES ('WK054600', 2031, 'a_inw', 1.0, 'user', 'r'), "
                "('WK054600', 2031, 'a_man', NULL, 'user', 'r')")
    con.close()


def test_migration_6_on_an_old_store_keeps_every_row_and_drops_the_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _old_format_store(path)
    con = duckdb.connect(str(path))
    before = {n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in ORDER}
    pks = con.execute("SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
                      "ORDER BY 1").fetchall()
    con.close()
    assert ("observations",) in pks and ("flows",) in pks
    assert len(before["observations"]) > 300_000 and len(before["flows"]) > 9_000

    store = Store(path)
    assert store.version() == SCHEMA_VERSION == 6
    after = {n: sorted(store.con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in ORDER}
    assert after == before  # every row, every column, of every table
    pks = {r[0] for r in store.con.execute("SELECT table_name FROM duckdb_constraints() "
                                           "WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
    assert "observations" not in pks and "flows" not in pks
    assert {"sources", "indicators", "regions", "geometries"} <= pks
    # NOT NULL and the default stay
    with pytest.raises(duckdb.ConstraintException):
        store.con.execute("INSERT INTO observations VALUES (NULL, 2021, 'a_inw', 1, 's', NULL)")
    store.con.execute("INSERT INTO flows (region_code, year, direction, origin, persons, source_id) "
                      "VALUES ('GM0546', 2031, 'in', 'totaal', 5, 's')")
    assert store.con.execute("SELECT months FROM flows WHERE year = 2031").fetchone() == (12,)
    # the bundle refresh on the migrated store changes nothing (same bundle) and adds no second row
    bundle.load_into(store)
    assert duplicates(store) == {"observations": 0, "flows": 0, "geometries": 0}
    store.close()


def test_the_bundle_has_one_row_per_key() -> None:
    # load_into inserts the bundle's keys the store lacks; a bundle with a key twice would give it
    # two rows (there is no primary key to stop it), so the bundle itself is checked.
    con = duckdb.connect()
    for name in ORDER:
        keys = ", ".join(KEYS[name])
        file = str(bundle.BUNDLE_DIR / f"{name}.parquet")
        row = con.execute(f"SELECT count(*), count(DISTINCT ({keys})) FROM read_parquet(?)",
                          [file]).fetchone()
        assert row is not None and row[0] == row[1] > 0, name
