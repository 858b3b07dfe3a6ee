"""The Remote Access kit runs on the base install: no web, PDF, map or Spark package is imported,
and the project packs into a wheel whose required dependencies are exactly the kit's."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTRAS = (
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "weasyprint",
    "geopandas",
    "shapely",
    "pyproj",
    "pyogrio",
    "altair",
    "vl_convert",
    "pyspark",
    "pandera",
    "jsonschema",
    "cbsodata",
    "jenkspy",
    "scipy",
    "osmium",
    "networkx",
)
KIT = {
    "duckdb",
    "ibis-framework",
    "sqlglot",
    "pandas",
    "numpy",
    "pyarrow",
    "pyreadstat",
    "highspy",  # HiGHS: the disclosure audit's linear programmes (roltrap.disclosure)
    "typer",
    "rich",
    "platformdirs",
    "pydantic",
    "pydantic-settings",
    "pyyaml",
    "openpyxl",
}

# Installed but unimportable, as on a machine without them (find_spec says "not there").
HOOK = "import sys\nfor _n in {names!r}:\n    sys.modules[_n] = None\n"


@pytest.fixture(scope="module")
def kit_env(tmp_path_factory: pytest.TempPathFactory, bundled_db: Path) -> dict[str, str]:
    d = tmp_path_factory.mktemp("kit")
    (d / "hook").mkdir()
    (d / "hook" / "sitecustomize.py").write_text(HOOK.format(names=EXTRAS), encoding="utf-8")
    db = d / "store.duckdb"
    shutil.copy(bundled_db, db)
    env = {**os.environ, "PYTHONPATH": str(d / "hook"), "ROLTRAP_DB": str(db), "ROLTRAP_DATA_DIR": str(d)}
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "roltrap", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_kit_commands_run_without_the_extras(kit_env: dict[str, str], tmp_path: Path) -> None:
    probe = _run(kit_env, "--help")
    assert probe.returncode == 0, probe.stderr
    check = subprocess.run(
        [sys.executable, "-c", "import fastapi"], env=kit_env, capture_output=True, text=True, check=False
    )
    assert check.returncode != 0  # the hook really hides the extras
    r = _run(
        kit_env,
        "cohort",
        "synth",
        "--layout",
        "cbs",
        "--out",
        str(tmp_path / "cbs"),
        "--scale",
        "0.02",
        "--years",
        "2005-2010",
    )
    assert r.returncode == 0, r.stderr
    r = _run(
        kit_env,
        "cohort",
        "prepare",
        "--microdata",
        str(tmp_path / "cbs"),
        "--out",
        str(tmp_path / "py"),
        "--memory-limit",
        "1GB",
    )
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path / "py").glob("person_years_*.parquet"))) == 6
    r = _run(
        kit_env,
        "cohort",
        "analyse",
        "--input",
        str(tmp_path / "py"),
        "--follow",
        "5",
        "--reps",
        "99",
        "--output-check",
        str(tmp_path / "check"),
        "-f",
        "csv",
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "check" / "uitvoercontrole.xlsx").exists()
    assert "WK054601" in r.stdout


def test_bad_microdata_exit_2_in_dutch(kit_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "leeg").mkdir()
    r = _run(
        kit_env, "cohort", "prepare", "--microdata", str(tmp_path / "leeg"), "--out", str(tmp_path / "py")
    )
    assert r.returncode == 2
    assert "GBAADRESOBJECTBUS" in r.stderr and "Traceback" not in r.stderr


def test_wheel_packs_with_the_kit_as_base(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    wheel = next(tmp_path.glob("roltrap-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = next(n for n in names if n.endswith("METADATA"))
        text = z.read(meta).decode()
    assert "roltrap/cohort/microdata/prepare.py" in names and "roltrap/cli/cohort_microdata.py" in names
    base = {
        line.split(":", 1)[1].strip().split("==")[0].split("[")[0].lower()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert base == KIT
    assert "Requires-Dist: fastapi==0.121.1; extra == 'web'" in text


def test_ctrl_c_exits_130_without_a_half_year(kit_env: dict[str, str], tmp_path: Path) -> None:
    r = _run(
        kit_env,
        "cohort",
        "synth",
        "--layout",
        "cbs",
        "--file-format",
        "parquet",
        "--out",
        str(tmp_path / "cbs"),
        "--scale",
        "0.05",
        "--years",
        "2005-2022",
    )
    assert r.returncode == 0, r.stderr
    out = tmp_path / "py"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "roltrap",
            "cohort",
            "prepare",
            "--microdata",
            str(tmp_path / "cbs"),
            "--out",
            str(out),
        ],
        env=kit_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list(out.glob("person_years_*.parquet")):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Afgebroken" in err and "Traceback" not in err
    years = sorted(out.glob("person_years_*.parquet"))
    assert 1 <= len(years) < 18
    assert not [p for p in out.iterdir() if ".tmp" in p.name and p.suffix != ".duckdb"]
    done = json.loads((out / "_prepare.json").read_text(encoding="utf-8"))["years"]
    assert sorted(done) == [p.stem.split("_")[-1] for p in years]  # every listed year is complete
    r = _run(kit_env, "cohort", "prepare", "--microdata", str(tmp_path / "cbs"), "--out", str(out))
    assert r.returncode == 0 and "overgeslagen" in r.stdout
    assert len(list(out.glob("person_years_*.parquet"))) == 18
