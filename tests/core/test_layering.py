"""The layers hold: pure computations import no IO, web or CLI code, and the shells stay out of each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "roltrap"

# Pure computations: figures from tables, nothing of files, HTTP or the command line.
PURE = [
    "monitor/classify.py", "monitor/compare.py", "monitor/conditions.py", "monitor/mapclass.py",
    "monitor/rank.py", "monitor/trend.py", "monitor/turnover.py", "monitor/vulnerable.py",
    "cohort/metrics.py", "triage/engine.py", "access/compute.py", "access/network.py", "disclosure.py",
    "fmt.py",
]
# What a pure module may never import (shells, IO, servers, terminals).
FORBIDDEN_IN_PURE = ("roltrap.web", "roltrap.cli", "roltrap.io", "roltrap.report", "roltrap.store",
                     "fastapi", "starlette", "uvicorn", "typer", "click", "rich", "httpx", "jinja2")
# The core and its services know nothing of the shells.
NO_SHELLS = ["core.py", "store.py", "monitor/service.py", "cohort/service.py", "triage/service.py",
             "access/service.py", "report/profile.py"]


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth (deferred imports inside functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))


@pytest.mark.parametrize("rel", PURE)
def test_pure_modules_import_no_io_web_or_cli(rel: str) -> None:
    path = SRC / rel
    assert path.exists(), f"{rel} moved: update the layering test"
    assert offending(imported(path), FORBIDDEN_IN_PURE) == []


@pytest.mark.parametrize("rel", NO_SHELLS)
def test_core_and_services_import_no_shell(rel: str) -> None:
    assert offending(imported(SRC / rel), ("roltrap.web", "roltrap.cli", "fastapi", "typer")) == []


def test_the_web_runs_no_sql_of_its_own() -> None:
    for path in sorted((SRC / "web").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert ".con.execute(" not in text and "duckdb" not in text, path.name


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    source = "def f():\n    from roltrap.web.app import create_app\n    import typer\n"
    bad.write_text(source, encoding="utf-8")
    assert offending(imported(bad), FORBIDDEN_IN_PURE) == ["roltrap.web.app", "typer"]
