"""Web fixtures: one app on the shared read-only store, an in-process client, HTML parsing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from live_app import serve
from roltrap.core import Roltrap
from roltrap.web.app import create_app


@pytest.fixture(scope="session")
def app(rt_ro: Roltrap) -> FastAPI:
    return create_app(rt_ro)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port in a thread; yields its base URL."""
    with serve(app) as url:
        yield url
