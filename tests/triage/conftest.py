"""Fixtures for the coach's aid: loaded frameworks, an answer builder and an in-process web client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

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


class Page(HTMLParser):
    """Collects elements by tag with their attributes and text, enough to check a page's structure."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(el)
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i]["tag"] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for el in self._open:
            el["text"] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, Any]]:
        return [e for e in self.elements if e["tag"] == tag
                and all(e["attrs"].get(k.rstrip("_")) == v for k, v in attrs.items())]
