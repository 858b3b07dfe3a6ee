"""Fixtures shared by every layer's tests: a store built from the bundled Leiden data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hyp_settings

from roltrap.core import Roltrap


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file filled from the bundle once per run; tests copy it, so none can spoil another."""
    path = tmp_path_factory.mktemp("store") / "bundled.duckdb"
    Roltrap(path).close()
    return path


@pytest.fixture(scope="session")
def rt_ro(bundled_db: Path) -> Iterator[Roltrap]:
    """A read-only core object on the bundled store, shared by tests that only read."""
    rt = Roltrap(bundled_db, read_only=True)
    yield rt
    rt.close()


@pytest.fixture
def rt(bundled_db: Path, tmp_path: Path) -> Iterator[Roltrap]:
    """A writable core object on a private copy of the bundled store."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, copy)
    obj = Roltrap(copy)
    yield obj
    obj.close()


# Property tests check invariants, not speed: on a busy 2-core machine a 200 ms deadline only makes
# them flaky. Performance lives in bench/.
hyp_settings.register_profile("roltrap", deadline=None)
hyp_settings.load_profile("roltrap")
