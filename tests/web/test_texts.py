"""Texts every shell shows: no internal indicator ids in the monitor's method and assumption texts,
and no command-line flags in the core's error hints (each shell names its parameters itself)."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from roltrap.cli.main import app as cli_app
from roltrap.core import Roltrap
from roltrap.errors import ConfigError

SRC = Path(__file__).resolve().parents[2] / "src" / "roltrap"
ID = re.compile(r"\b[a-z]{1,6}_[a-z0-9_]+\b")


@pytest.mark.parametrize(("gemeente", "level"), [("GM0546", "wijk"), ("GM0518", "wijk"), ("GM0363", "buurt")])
def test_monitor_methods_and_assumptions_name_no_id(rt_ro: Roltrap, gemeente: str, level: str) -> None:
    ids = set(rt_ro.catalogue()["id"]) | {"g_hhgro", "p_internationaal", "p_hh_osm"}
    m = rt_ro.monitor
    seen = 0
    for compute in (m.turnover, m.classify, m.vulnerable, m.rank, m.conditions):
        try:
            res = compute(gemeente=gemeente, level=level)
        except Exception:  # a computation without its figures here says so elsewhere
            continue
        seen += 1
        for text in [res.method, *res.assumptions]:
            found = set(ID.findall(str(text))) & ids
            assert not found, (compute.__name__, found, text)
    assert seen >= 2


def test_the_cli_prints_the_methods_without_ids(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copy(bundled_db, db)
    for cmd in ("vulnerable", "rank"):
        res = CliRunner().invoke(cli_app, ["--db", str(db), "monitor", cmd, "--format", "json"])
        assert res.exit_code == 0, res.output
        assert "(a_opl_lg)" not in res.stdout and "(g_hhgro)" not in res.stdout and "[p_hh" not in res.stdout


# -- hints: {param}, never a flag ---------------------------------------------------------------------
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _error_texts(path: Path) -> list[tuple[int, str]]:
    """The literal text of every message and hint given to a roltrap error in one module."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "").endswith("Error")):
            continue
        parts = list(node.args[:1]) + [k.value for k in node.keywords if k.arg == "hint"]
        for part in parts:
            for sub in ast.walk(part):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    out.append((sub.lineno, sub.value))
    return out


@pytest.mark.parametrize("package", ["cohort", "io", "triage"])
def test_core_errors_name_parameters_not_flags(package: str) -> None:
    files = sorted((SRC / package).rglob("*.py"))
    bad = [f"{p.relative_to(SRC)}:{line}: {text}" for p in files for line, text in _error_texts(p)
           if FLAG.search(text)]
    assert bad == []


def test_each_shell_words_the_same_hint(rt_ro: Roltrap, client: TestClient) -> None:
    """The cohort's "too long a follow-up" error: --follow on the command line, plain Dutch in the
    library and the web app."""
    with pytest.raises(ConfigError) as err:
        rt_ro.cohort.analyse(Path("niet-gebruikt"), follow=0)
    assert err.value.param == "follow" and err.value.value == 0
    assert err.value.message == "De volgperiode moet minstens 1 jaar zijn."
    assert err.value.message_for({"follow": "--follow"}) == "--follow moet minstens 1 jaar zijn."
    r = client.get("/roltrap.json", params={"base_year": 2019, "follow": 13})  # beyond the demo's years
    assert r.status_code == 404
    hint = r.json()["error"]["hint"]
    assert hint == "Kies het basisjaar later of de volgperiode korter." and "--" not in hint


def test_the_no_network_hint_names_no_command_but_the_cli_does(tmp_path: Path) -> None:
    """Fetching without network: the library's (and so the web's) hint says to import the file by
    hand and names the table asked for; the fetch command names `roltrap import` itself."""
    import socket

    from roltrap.errors import NetworkError
    from roltrap.io.odata import fetch_table

    with socket.socket() as s:  # a port nobody listens on: the connection is refused
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(NetworkError) as err:
        fetch_table("85984NED", gemeente="GM0546", cache_dir=tmp_path, base_url=url)
    hint = err.value.hint or ""
    assert err.value.param == "table_id" and err.value.value == "85984NED"
    assert "85984NED" in hint and hint.endswith("importeer het bestand in roltrap.")
    assert "`roltrap" not in hint and "roltrap import" not in hint and not FLAG.search(hint)
    res = CliRunner().invoke(cli_app, ["fetch", "85984NED", "--gemeente", "GM0546", "--no-import",
                                       "--cache-dir", str(tmp_path / "c")],
                             env={"ROLTRAP_CBS_ODATA_URL": url})
    assert res.exit_code == 2, res.output
    assert "Geen verbinding met CBS" in res.output and "roltrap import BESTAND" in res.output
