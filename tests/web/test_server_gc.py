"""`roltrap serve` start-up: the garbage collector is off while the app is imported and warmed, and
``settle()`` (called before the workers are forked) freezes what start-up made and switches it back on,
so a worker collects what its requests allocate but never walks the start-up heap again."""

from __future__ import annotations

import gc
from pathlib import Path

from roltrap.core import Roltrap
from roltrap.web.app import create_app
from roltrap.web.server import settle, warm


def test_settle_freezes_the_warm_heap_and_collects_again(bundled_db: Path) -> None:
    gc.disable()
    rt = Roltrap(bundled_db, read_only=True, hold=False)
    try:
        assert warm(create_app(rt)) == {"/": 200}
        before = gc.get_freeze_count()
        settle()
        assert gc.isenabled()
        assert gc.get_freeze_count() > before + 50_000  # the modules, the app and the warm page
        # What is made after start-up is collected as usual: a cycle made now is freed.
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
        gc.enable()
        rt.close()
