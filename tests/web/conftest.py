"""Web fixtures: one app on the shared read-only store, an in-process client, HTML parsing."""

from __future__ import annotations

from collections.abc import Iterator
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from roltrap.core import Roltrap
from roltrap.web.app import create_app


@pytest.fixture(scope="session")
def app(rt_ro: Roltrap) -> FastAPI:
    return create_app(rt_ro)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c
