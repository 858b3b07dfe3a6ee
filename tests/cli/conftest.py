"""CLI tests run the real Typer app in process against a private copy of the bundled store."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app


@pytest.fixture
def cli(bundled_db: Path, tmp_path: Path) -> Callable[..., object]:
    db = tmp_path / "cli.duckdb"
    shutil.copy(bundled_db, db)
    runner = CliRunner()

    def invoke(*args: str) -> object:
        return runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)

    invoke.db = db  # type: ignore[attr-defined]
    return invoke
