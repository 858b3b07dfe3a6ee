"""`roltrap report` through the real CLI: files written, clear errors without traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from roltrap.cli.main import app

runner = CliRunner()


def _copy(bundled_db: Path, tmp_path: Path) -> str:
    """A private store: the session's read-only connection holds the shared file."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return str(copy)


def test_report_one_wijk(bundled_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "merenwijk.pdf"
    db = _copy(bundled_db, tmp_path)
    result = runner.invoke(app, ["--db", db, "report", "--wijk", "WK054608", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    assert "Merenwijkdistrict" in (tmp_path / "merenwijk.html").read_text(encoding="utf-8")


def test_report_errors_are_messages(bundled_db: Path, tmp_path: Path) -> None:
    db = _copy(bundled_db, tmp_path)
    for args, words in ((["report", "--wijk", "foo"], "foo"),
                        (["report"], "--wijk"),
                        # a gemeente has a profile too; the country does not
                        (["report", "--wijk", "NL00"], "geen gemeente, wijk of buurt"),
                        (["report", "--wijk", "WK054608", "--out", str(tmp_path / "x.txt")], ".pdf")):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 2, (args, result.output)
        assert words in result.output
        assert "Traceback" not in result.output
