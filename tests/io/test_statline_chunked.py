"""StatLine CSV files of the row layout are read in chunks and staged in DuckDB (bounded memory):
the report and the store are those of the whole-file path, on real StatLine downloads and on files
that put the awkward cases (decimal comma first seen late, a column with figures only in the last
chunk, a period that is no year) on chunk borders."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from roltrap.errors import InputError
from roltrap.io import importer
from roltrap.io._read import Limits, use_limits
from roltrap.io.importer import ImportReport, import_file
from roltrap.store import ORDER, Store

DATA = Path(__file__).parent / "data"
REAL = [DATA / "statline" / "ses_woa_amsterdam_2019.csv", DATA / "formats" / "statline_leiden_2021.csv",
        DATA / "statline" / "nabijheid_2021_aaenhunze_getransponeerd.csv"]
TINY = Limits(chunk_cells=1, min_chunk_rows=7)  # a chunk border every 7 rows


def digest(store: Store) -> list[tuple[object, ...]]:
    """Every row of every canonical table (the import time of a source left out), in one order."""
    out = []
    for name in ORDER:
        cols = [r[0] for r in store.con.execute(f"DESCRIBE {name}").fetchall() if r[0] != "imported_at"]
        out += [(name, *r) for r in sorted(store.con.execute(f"SELECT {', '.join(cols)} FROM {name}")
                                           .fetchall(), key=repr)]
    return out


def both_ways(bundled_db: Path, tmp: Path, path: Path, monkeypatch: pytest.MonkeyPatch, *,
              new_region: bool = False) -> tuple[tuple[ImportReport, Store], tuple[ImportReport, Store]]:
    """Import ``path`` in chunks of 7 rows into one copy of the store and whole into another."""
    calls: list[Path] = []
    chunked = importer._import_statline_chunked

    def spy(store: Store, path: Path, **kw: object) -> ImportReport:
        calls.append(path)
        return chunked(store, path, **kw)  # type: ignore[arg-type]

    a = Store(shutil.copy(bundled_db, tmp / "chunked.duckdb"))
    with monkeypatch.context() as m, use_limits(TINY):
        m.setattr(importer, "_import_statline_chunked", spy)
        ra = import_file(a, path, new_region=new_region)
    assert calls == [path]

    def whole(store: Store, path: Path, **kw: object) -> ImportReport:
        raise importer._Transposed

    b = Store(shutil.copy(bundled_db, tmp / "whole.duckdb"))
    with monkeypatch.context() as m:
        m.setattr(importer, "_import_statline_chunked", whole)
        rb = import_file(b, path, new_region=new_region)
    return (ra, a), (rb, b)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_statline_files_give_the_same_report_and_store_both_ways(
        path: Path, bundled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (ra, a), (rb, b) = both_ways(bundled_db, tmp_path, path, monkeypatch, new_region=True)
    assert ra.as_dict() == rb.as_dict()
    assert ra.lines(verbose=True) == rb.lines(verbose=True)
    assert digest(a) == digest(b)
    assert ra.rows > 0 and ra.result.total_written() > 0  # something was really imported


def test_ses_woa_file_spans_many_chunks_and_keeps_its_user_indicators(
        bundled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = REAL[0]
    (ra, a), _ = both_ways(bundled_db, tmp_path, path, monkeypatch, new_region=True)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) - 1 > 70  # > 10 chunks of 7 rows
    assert "u_ses_woa_totaalscore_gemiddelde_score" in ra.user_indicators
    # Burgwallen-Oude Zijde (file line 3): SES-WOA score -0.022, Laag 12.9 %.
    got = dict(a.con.execute("SELECT indicator_id, value FROM observations WHERE region_code = 'WK036300' "
                             "AND year = 2019").fetchall())
    assert got["u_ses_woa_totaalscore_gemiddelde_score"] == pytest.approx(-0.022)
    assert ra.regions[0].startswith(("BU", "GM", "WK")) and "WK036300" in ra.regions


HEAD = ('"Wijken en buurten";"Regioaanduiding/Codering (code)";"Perioden";'
        '"Bevolking/Aantal inwoners (aantal)";'
        '"Inkomen/Inkomen van huishoudens/Huishoudens tot 110% van sociaal minimum (%)";'
        '"Zorg/Testkolom laat (aantal)";"Zorg/Testkolom leeg (aantal)"\n')


def awkward(path: Path) -> Path:
    """Twenty Leiden rows: no decimal comma in the first chunk (but "1.000" on line 2, which is
    1000 in a file of decimal commas), a decimal comma from line 10, a period that is no year on
    line 12, figures in 'laat' only on the last line, none at all in 'leeg'."""
    rows = []
    for i in range(20):
        year = 2000 + i
        share = f"{i},5" if i >= 8 else f"{i}"
        late = "      42" if i == 19 else "       ."
        period = "2010MM01" if i == 10 else f"{year}JJ00"
        inw = "1.000" if i == 0 else f"{1000 + i}"
        rows.append(f'"Leiden";"GM0546    ";"{period}";"  {inw}";"  {share}";"{late}";"       x"\n')
    path.write_text(HEAD + "".join(rows), encoding="utf-8")
    return path


def test_awkward_chunk_borders_give_the_whole_file_result(
        bundled_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = awkward(tmp_path / "leiden_reeks.csv")
    (ra, a), (rb, b) = both_ways(bundled_db, tmp_path, path, monkeypatch)
    assert ra.as_dict() == rb.as_dict()
    assert digest(a) == digest(b)
    # The decimal comma seen first in the second chunk holds for the whole file: 8,5 → 8.5; 3 → 3.
    val = dict(a.con.execute("SELECT year, value FROM observations WHERE region_code = 'GM0546' AND "
                             "indicator_id = 'p_hh_110' AND year IN (2003, 2008)").fetchall())
    assert val == {2003: 3.0, 2008: 8.5}
    # Line 2 was read before the comma was seen: read again, "1.000" is a thousand, as in the whole file.
    assert a.con.execute("SELECT value FROM observations WHERE region_code = 'GM0546' AND year = 2000 "
                         "AND indicator_id = 'a_inw'").fetchone() == (1000.0,)
    skipped = ra.as_dict()["skipped"]
    assert isinstance(skipped, list)
    assert [(s["row"], s["column"]) for s in skipped] == [
        (12, "Perioden"), (None, "Zorg/Testkolom leeg (aantal)")]
    assert "u_zorg_testkolom_laat" in ra.user_indicators and "u_zorg_testkolom_leeg" not in ra.indicators
    assert ra.rows == 19 * 3 and ra.years == [y for y in range(2000, 2020) if y != 2010]


def test_problems_in_every_chunk_are_named_by_file_line_and_nothing_is_written(
        bundled_db: Path, tmp_path: Path) -> None:
    path = awkward(tmp_path / "leiden_reeks.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace('"  1001"', '"veel"')  # line 3, first chunk
    text[19] = text[19].replace('"  1018"', '"-5"')  # line 20, a negative count in the last chunk
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    store = Store(shutil.copy(bundled_db, tmp_path / "s.duckdb"))
    before = digest(store)
    with use_limits(TINY), pytest.raises(InputError) as err:
        import_file(store, path)
    where = [(p.row, p.column) for p in err.value.problems]
    assert (3, "Bevolking/Aantal inwoners (aantal)") in where
    assert any(r == 20 for r, _ in where), where
    assert digest(store) == before


def test_the_same_region_and_period_in_two_chunks_is_refused(bundled_db: Path, tmp_path: Path) -> None:
    path = awkward(tmp_path / "leiden_reeks.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    text[17] = text[17].replace("2016JJ00", "2001JJ00")  # line 18 repeats line 3's Leiden 2001
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    store = Store(shutil.copy(bundled_db, tmp_path / "s.duckdb"))
    before = digest(store)
    with use_limits(TINY), pytest.raises(InputError) as err:
        import_file(store, path)
    assert [(p.row, p.column) for p in err.value.problems] == [(18, "Regioaanduiding/Codering (code)")]
    assert "ook op regel 3" in err.value.problems[0].message
    assert digest(store) == before


def test_staging_is_dropped_after_a_failed_import(bundled_db: Path, tmp_path: Path) -> None:
    path = awkward(tmp_path / "leiden_reeks.csv")
    path.write_text(path.read_text(encoding="utf-8").replace('"  1019"', '"??"'), encoding="utf-8")
    store = Store(shutil.copy(bundled_db, tmp_path / "s.duckdb"))
    with use_limits(TINY), pytest.raises(InputError):
        import_file(store, path)
    temp = store.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert not [t for t in temp if "import" in str(t[0])]
    assert isinstance(store.con, duckdb.DuckDBPyConnection)
