"""`roltrap monitor …` through typer's CliRunner on copies of the test stores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roltrap.cli.main import app

runner = CliRunner()


@pytest.fixture
def mini_copy(mini_db: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "mini.duckdb"
    shutil.copy(mini_db, dst)
    return dst


def test_turnover_json(mini_copy: Path) -> None:
    res = runner.invoke(
        app,
        [
            "--db",
            str(mini_copy),
            "monitor",
            "turnover",
            "-g",
            "GM9999",
            "-p",
            "2015-2016",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["kind"] == "turnover"
    assert data["rows"][0]["vervangingssnelheid"] == pytest.approx(10000 / 900)


def test_table_prints_method(mini_copy: Path) -> None:
    res = runner.invoke(app, ["--db", str(mini_copy), "monitor", "vulnerable", "-g", "GM9999"])
    assert res.exit_code == 0, res.output
    assert "Methode:" in res.stdout and "Aanname:" in res.stdout


@pytest.mark.parametrize(
    "cmd",
    [
        ["classify"],
        ["rank"],
        ["compare", "--auto", "1"],
        ["conditions"],
        ["map", "-i", "p_hh_110"],
        ["project", "--target", "30"],
        ["trend", "-i", "a_inw"],
    ],
)
def test_every_command_csv(mini_copy: Path, cmd: list[str]) -> None:
    res = runner.invoke(app, ["--db", str(mini_copy), "monitor", *cmd, "-g", "GM9999", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.stdout.count("\n") >= 2


def test_user_error_is_clear(mini_copy: Path) -> None:
    res = runner.invoke(
        app, ["--db", str(mini_copy), "monitor", "map", "-g", "GM9999", "-i", "a_bestaat_niet"]
    )
    assert res.exit_code == 2
    assert "Onbekende indicator" in res.output and "Traceback" not in res.output


def test_map_of_a_count_falls_back_to_quantiles(mini_copy: Path) -> None:
    # the syllabus's classes are for percentages: asked for a count, the map says so and uses quantiles
    res = runner.invoke(
        app,
        [
            "--db",
            str(mini_copy),
            "monitor",
            "map",
            "-g",
            "GM9999",
            "-i",
            "a_inw",
            "--scheme",
            "syllabus",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["extra"]["scheme"] == "quantile" and any("percentages" in n for n in data["notes"])
