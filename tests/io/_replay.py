"""Replay recorded CBS OData responses at cbsodata's HTTP boundary (its ``requests`` session)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

RECORDED = Path(__file__).parent / "recorded"


class _Response:
    def __init__(self, url: str, status: int, text: str) -> None:
        self.url = url
        self.status_code = status
        self.text = text
        self.encoding = "utf-8"

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code} Client Error: Not Found for url: {self.url}",
                                     response=None)

    def json(self) -> Any:
        return json.loads(self.text)


class ReplaySession:
    """Stands in for ``requests.Session`` inside cbsodata: serves ``recorded/<table>/<resource>.json``."""

    requests: ClassVar[list[tuple[str, dict[str, list[str]]]]] = []
    offline: ClassVar[bool] = False

    def send(self, prepared: requests.PreparedRequest, **_: Any) -> _Response:
        url = str(prepared.url)
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        ReplaySession.requests.append((parts.path, query))
        if ReplaySession.offline:
            raise requests.ConnectionError(f"Failed to resolve '{parts.hostname}' (no network in tests)")
        segments = [s for s in parts.path.split("/") if s]
        table, resource = (segments[-1], "index") if segments[-2].lower() == "odata" else segments[-2:]
        file = RECORDED / table / f"{resource}.json"
        if not file.exists():
            return _Response(url, 404, "{}")
        return _Response(url, 200, file.read_text(encoding="utf-8"))


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> type[ReplaySession]:
    """cbsodata answers from the recorded files; the requests it made are in ``replay.requests``."""
    import cbsodata.cbsodata3 as c3

    ReplaySession.requests = []
    ReplaySession.offline = False
    monkeypatch.setattr(c3, "Session", ReplaySession)
    return ReplaySession
