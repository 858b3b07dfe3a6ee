"""Every mistake a user can make with a file: one clear message, non-zero exit, no traceback, store untouched.

Each case is a hand-made malformed variant of a real StatLine download of Leiden 2021, imported with
the real CLI (``roltrap --db COPY import FILE``) on a private copy of the bundled store.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app
from roltrap.store import KEYS, ORDER, Store

DATA = Path(__file__).parent / "data" / "formats"
GOOD = (DATA / "statline_leiden_2021.csv").read_text(encoding="utf-8")
HEADER, *ROWS = GOOD.splitlines()


def _lines(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def wrong_encoding(p: Path) -> None:
    # bytes that are neither UTF-8 nor Windows-1252 (0x81 is undefined in cp1252)
    p.write_bytes(_lines(*ROWS).encode("utf-8").replace(b"Leiden-Noord", b"Leiden-No\x81rd\x9d"))


def wrong_separator(p: Path) -> None:
    p.write_text(GOOD.replace('";"', '"|"'), encoding="utf-8")


def missing_code_column(p: Path) -> None:
    p.write_text(GOOD.replace('"Regioaanduiding/Codering (code)"', '"Regioaanduiding/Iets anders (code)"'),
                 encoding="utf-8")


def duplicate_region_year(p: Path) -> None:
    p.write_text(_lines(*ROWS, ROWS[2]), encoding="utf-8")


def text_in_numeric_column(p: Path) -> None:
    p.write_text(GOOD.replace('"    15140"', '"   vijftien"'), encoding="utf-8")


def truncated_file(p: Path) -> None:
    # the download stopped after a field: the last row has too few fields
    p.write_text(GOOD[: GOOD.rindex('";"', 0, len(GOOD) - 40) + 1] + "\n", encoding="utf-8")


def truncated_mid_field(p: Path) -> None:
    # the download stopped inside a quoted field
    p.write_text(GOOD[: GOOD.rindex('";"', 0, len(GOOD) - 40) - 2], encoding="utf-8")


def empty_file(p: Path) -> None:
    p.write_bytes(b"")


def unknown_region_code(p: Path) -> None:
    p.write_text(_lines(*ROWS[:-1], ROWS[-1].replace("WK054609  ", "XW999     ")), encoding="utf-8")


def region_of_unknown_gemeente(p: Path) -> None:
    p.write_text(_lines(*ROWS, ROWS[-1].replace("WK054609  ", "WK999901  ")), encoding="utf-8")


def share_out_of_range(p: Path) -> None:
    p.write_text(GOOD.replace('"     15,7"', '"    157,0"'), encoding="utf-8")


def implausible_year(p: Path) -> None:
    p.write_text(GOOD.replace("2021JJ00", "1850JJ00"), encoding="utf-8")


def huge_file(p: Path) -> None:
    with p.open("wb") as fh:  # sparse 1 GiB: made in microseconds, takes no disk space
        fh.write(GOOD.encode("utf-8"))
        fh.truncate(2**30)


# case → (builder, text that must be in the message, expected row numbers named)
CASES: dict[str, tuple[Callable[[Path], None], str, list[int]]] = {
    "wrong_encoding": (wrong_encoding, "geen UTF-8 en geen Windows-1252", [4]),
    "wrong_separator": (wrong_separator, "Geen scheidingsteken", []),
    "missing_code_column": (missing_code_column, "mist verplichte kolom", [1]),
    "duplicate_region_year": (duplicate_region_year, "dubbele rij", [4, 6]),
    "text_in_numeric_column": (text_in_numeric_column, "geen getal voor a_inw", [4]),
    "truncated_file": (truncated_file, "afwijkend aantal velden", [5]),
    "truncated_mid_field": (truncated_mid_field, "afgebroken", [5]),
    "empty_file": (empty_file, "leeg", []),
    "unknown_region_code": (unknown_region_code, "geen geldige regiocode", [5]),
    "region_of_unknown_gemeente": (region_of_unknown_gemeente, "GM9999 van WK999901 is onbekend", [6]),
    "share_out_of_range": (share_out_of_range, "percentage buiten 0–100", [4]),
    "implausible_year": (implausible_year, "onwaarschijnlijk jaar", [2]),
    "huge_file": (huge_file, "te groot", []),
}


def _snapshot(db: Path) -> dict[str, pd.DataFrame]:
    store = Store(db, read_only=True)
    try:
        return {t: store.query(f"SELECT * FROM {t} ORDER BY {', '.join(KEYS[t])}") for t in ORDER}
    finally:
        store.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_fails_cleanly_and_leaves_the_store(case: str, bundled_db: Path, tmp_path: Path) -> None:
    build, expected, rows = CASES[case]
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    before = _snapshot(db)
    path = tmp_path / f"{case}_leiden.csv"
    build(path)

    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)])

    assert res.exit_code == 2, res.output
    out = res.output
    assert "Traceback" not in out
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Fout:" in out and expected in out, out
    assert path.name in out  # names the file
    for row in rows:
        assert f"rij {row}" in out or f"regel {row}" in out, (row, out)
    if rows:
        assert "kolom" in out or "regel" in out
    assert "Tip:" in out  # says how to fix it
    after = _snapshot(db)
    for name in ORDER:
        pd.testing.assert_frame_equal(before[name], after[name], check_exact=True)


def test_cp1252_file_is_read_and_noted(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    path = tmp_path / "ansi_2021.csv"
    path.write_bytes(GOOD.replace("Binnenstad-Zuid", "Binnenstad-Zuid – centrum").encode("cp1252"))
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)])
    assert res.exit_code == 0, res.output
    assert "Windows-1252" in res.output


def test_all_problems_are_collected_in_one_pass(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    path = tmp_path / "veel_fouten_2021.csv"
    text = GOOD
    for good, bad in (('"    15140"', '"   vijftien"'), ('"     3270"', '"       ??"'),
                      ('"     8360"', '"n.b."'), ('"     4735"', '"4 735 x"')):
        text = text.replace(good, bad)
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["--db", str(db), "import", str(path)])
    assert res.exit_code == 2
    assert "4 ongeldige cel(len)" in res.output
    for row in (2, 3, 4, 5):
        assert f"rij {row}" in res.output
