"""KWB text files are read in chunks and staged in DuckDB: the result is the same store as the
whole-file path, and every problem is found wherever in the file it is (with its file line)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from roltrap.errors import ConfigError, InputError
from roltrap.io._read import Limits, iter_table, use_limits
from roltrap.io.importer import import_file, precedence, prepare
from roltrap.io.kwb import read_kwb
from roltrap.settings import Settings
from roltrap.store import Store

COLS = ["a_inw", "a_man", "a_vrouw", "p_hh_110"]
ROWS = 2_500  # with Limits(chunk_cells=1) a chunk holds 1,000 rows: three chunks


FIRST = 12  # file line of the first buurt: header, then ten wijken


def code_at(line: int) -> tuple[str, int]:
    """The buurt code and year :func:`kwb` writes on a file line."""
    year, rest = divmod(line - FIRST, 1000)
    return f"BU05461{rest // 100}{rest % 100:02d}", 2000 + year


def kwb(path: Path, *, rows: int = ROWS, edit: dict[int, str] | None = None) -> Path:
    """Wijken WK054610–19 (new, under Leiden) and ``rows`` buurten (1,000 a year from 2000);
    ``edit`` replaces whole lines (1-based file line → text)."""
    lines = ["gwb_code_10;regio;recs;jaar;" + ";".join(COLS)]
    lines += [f"WK05461{w};Wijk 1{w};Wijk;2020;.;.;.;." for w in range(10)]
    for i in range(rows):
        code, year = code_at(FIRST + i)
        lines.append(f"{code};Buurt {code[-3:]};Buurt;{year};{i % 97};{i % 50};{i % 47};"
                     f"{(i % 1000) / 10:.1f}")
    for line, text in (edit or {}).items():
        lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def store(bundled_db: Path, tmp_path: Path) -> Store:
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return Store(copy)


def table(store: Store, sql: str) -> list[tuple[object, ...]]:
    return sorted(store.con.execute(sql).fetchall())


def test_chunks_cover_every_row_once_with_its_line(tmp_path: Path) -> None:
    path = kwb(tmp_path / "kwb.csv")
    with use_limits(Limits(chunk_cells=1)):
        chunks = list(iter_table(path))
    assert [len(c.rows) for c in chunks] == [1_000, 1_000, 510]
    lines = [ln for c in chunks for ln in c.lines]
    assert lines == list(range(2, ROWS + FIRST))
    assert [c.last for c in chunks] == [False, False, True]


def test_chunked_import_gives_the_same_store_as_the_whole_file(store: Store, bundled_db: Path,
                                                              tmp_path: Path) -> None:
    path = kwb(tmp_path / "kwb.csv")
    with use_limits(Limits(chunk_cells=1)):
        report = import_file(store, path)
    assert report.rows == (ROWS + 10) * len(COLS)
    assert report.result.added["observations"] == (ROWS + 10) * len(COLS)
    assert report.result.empty["observations"] == 10 * len(COLS)
    assert report.years == [2000, 2001, 2002, 2020]
    # The whole-file path on a second copy of the store.
    other = Store(shutil.copy(bundled_db, tmp_path / "other.duckdb"))
    batch = read_kwb(path)
    prepared = prepare(other, batch, file=path, new_region=False)
    prepared.source = {**prepared.source, "file": path.name, **precedence(path, "kwb", prepared.source)}
    other.apply(prepared)
    q = "SELECT region_code, year, indicator_id, value, source_id FROM observations"
    assert table(store, q) == table(other, q)
    q = "SELECT code, name, level, parent, boundary_year FROM regions"
    assert table(store, q) == table(other, q)
    code, year = code_at(2_300)  # i = 2,288: p_hh_110 = 288 / 10
    assert (code, year) == ("BU05461288", 2002)
    assert table(store, f"SELECT value FROM observations WHERE region_code = '{code}' AND year = {year} "
                        "AND indicator_id = 'p_hh_110'") == [(28.8,)]
    # A re-import changes nothing, in chunks as well.
    with use_limits(Limits(chunk_cells=1)):
        again = import_file(store, path)
    assert again.no_change


def test_problems_in_every_chunk_are_reported_with_their_file_lines(store: Store, tmp_path: Path) -> None:
    (c1, y1), (c2, y2) = code_at(20), code_at(2_400)
    path = kwb(tmp_path / "kwb.csv", edit={20: f"{c1};Buurt;Buurt;{y1};veel;1;1;1",
                                           2_400: f"{c2};Buurt;Buurt;{y2};-5;1;1;1"})
    digest = "SELECT count(*), sum(hash(region_code, year, indicator_id, value)) FROM observations"
    before = table(store, digest)
    with use_limits(Limits(chunk_cells=1)), pytest.raises(InputError) as exc:
        import_file(store, path)
    found = {(p.row, p.column) for p in exc.value.problems}
    assert found == {(20, "a_inw"), (2_400, "a_inw")}
    assert "negatief" in str(exc.value) and "veel" in str(exc.value)
    assert table(store, digest) == before


def test_the_same_region_and_year_in_two_chunks_is_refused(store: Store, tmp_path: Path) -> None:
    code, year = code_at(FIRST)  # the first buurt, again on line 2,200 (another chunk)
    path = kwb(tmp_path / "kwb.csv", edit={2_200: f"{code};Buurt;Buurt;{year};1;1;1;1"})
    with use_limits(Limits(chunk_cells=1)), pytest.raises(InputError) as exc:
        import_file(store, path)
    problem = exc.value.problems[0]
    assert (problem.row, problem.value) == (2_200, code)
    assert "meer dan eens" in problem.message and f"regel {FIRST}" in problem.message


def test_a_ragged_row_in_a_later_chunk_fails_before_anything_is_written(store: Store, tmp_path: Path) -> None:
    code, year = code_at(2_300)
    path = kwb(tmp_path / "kwb.csv", edit={2_300: f"{code};Buurt;Buurt;{year};1;1"})
    with use_limits(Limits(chunk_cells=1)), pytest.raises(InputError) as exc:
        import_file(store, path)
    assert [p.row for p in exc.value.problems] == [2_300]
    assert store.con.execute("SELECT count(*) FROM regions WHERE code LIKE 'BU05461%'").fetchone() == (0,)


def test_limits_come_from_the_settings(store: Store, tmp_path: Path) -> None:
    path = kwb(tmp_path / "kwb.csv", rows=50)
    with pytest.raises(InputError, match="meer dan 20 rijen"):
        import_file(store, path, settings=Settings(import_max_rows=20))
    with pytest.raises(InputError, match="kolommen"):
        import_file(store, path, settings=Settings(import_max_columns=5))
    assert import_file(store, path, settings=Settings(import_max_rows=100)).rows == 60 * len(COLS)


def test_an_import_over_its_memory_cap_is_refused_clearly(store: Store, tmp_path: Path) -> None:
    # 1.5 million figures (30,000 rows of 50 counts): DuckDB spills what it can, but its per-thread
    # buffers for the checks and the merge do not fit in 64 MB.
    from roltrap.io.catalogue import read_catalogue

    cat = read_catalogue()
    cols = [i for i, k in zip(cat["id"], cat["kind"], strict=True)
            if k == "count" and i not in ("bev_groei", "bev_corr")][:50]
    path = tmp_path / "kwb.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("gwb_code_10;regio;recs;jaar;" + ";".join(cols) + "\n")
        fh.writelines(f"WK05461{w};Wijk;Wijk;2000;" + ";".join(["."] * len(cols)) + "\n" for w in range(10))
        fh.writelines(f"BU05461{i % 1000 // 100}{i % 100:02d};Buurt;Buurt;{1995 + i // 1000};"
                      + ";".join(str((i + j) % 500) for j in range(len(cols))) + "\n" for i in range(30_000))
    with pytest.raises((ConfigError, InputError)) as exc:
        import_file(store, path, settings=Settings(import_memory_mb=64))
    assert "geheugen" in str(exc.value) and "kwb.csv" in str(exc.value)
    assert "ROLTRAP_IMPORT_MEMORY_MB" in str(exc.value)
    assert store.con.execute("SELECT count(*) FROM regions WHERE code LIKE 'BU05461%'").fetchone() == (0,)
    assert duckdb.__version__  # the real engine, not a stand-in


def test_imports_are_capped_by_default_and_the_cap_is_lifted_after(store: Store, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import roltrap.store as store_mod

    seen: list[tuple[object, ...] | None] = []
    real = store_mod._merge_values

    def spy(con: duckdb.DuckDBPyConnection, *args: object, **kw: object) -> None:
        seen.append(con.execute("SELECT current_setting('memory_limit'), "
                                "current_setting('preserve_insertion_order')").fetchone())
        real(con, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store_mod, "_merge_values", spy)
    before = store.con.execute("SELECT current_setting('memory_limit')").fetchone()
    import_file(store, kwb(tmp_path / "kwb.csv", rows=50))  # no settings: the defaults
    default = Settings.model_construct().import_memory_mb
    assert default == 400
    want = duckdb.connect().execute(f"SET memory_limit = '{default}MB'; "
                                    "SELECT current_setting('memory_limit')").fetchone()
    assert seen == [(want[0] if want else None, False)]  # the merge ran under the cap, unordered
    after = store.con.execute("SELECT current_setting('memory_limit'), "
                              "current_setting('preserve_insertion_order')").fetchone()
    assert after is not None and before is not None and after == (before[0], True)
