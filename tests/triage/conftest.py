"""Fixtures for the coach's aid: loaded frameworks, an answer builder and an in-process web client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from roltrap.core import Roltrap
from roltrap.triage.frameworks import Frameworks, load_frameworks
from roltrap.triage.questionnaire import Questionnaire, load_questionnaire
from roltrap.triage.service import TriageService


@pytest.fixture(scope="session")
def q() -> Questionnaire:
    return load_questionnaire()


@pytest.fixture(scope="session")
def fw() -> Frameworks:
    return load_frameworks()


@pytest.fixture(scope="session")
def service() -> TriageService:
    return TriageService()


@pytest.fixture(scope="module")
def triage_rt(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Roltrap]:
    """A read-only core object on a private copy (the web app wraps its connection)."""
    copy = tmp_path_factory.mktemp("triage") / "store.duckdb"
    shutil.copy(bundled_db, copy)
    rt = Roltrap(copy, read_only=True)
    yield rt
    rt.close()


@pytest.fixture(scope="module")
def client(triage_rt: Roltrap) -> Iterator[TestClient]:
    from roltrap.web.app import create_app

    with TestClient(create_app(triage_rt)) as c:
        yield c
