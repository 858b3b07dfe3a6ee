"""Spill folders of killed runs are removed by the next run; a running run keeps its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from roltrap.cohort import engines


@pytest.fixture
def tmp_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _start_spilling(base: Path) -> tuple[subprocess.Popen[str], Path]:
    """A real process that makes its spill folder, writes a file in it and waits."""
    code = ("import sys, time; from pathlib import Path; from roltrap.cohort.engines import spill_dir; "
            "p = Path(spill_dir()); (p / 'duckdb_temp_block-0.block').write_bytes(b'x' * 4096); "
            "print(p, flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(base)})
    assert proc.stdout is not None
    folder = Path(proc.stdout.readline().strip())
    assert folder.parent == base and folder.name.startswith(f"{engines.SPILL_PREFIX}{proc.pid}-")
    assert any(folder.iterdir())
    return proc, folder


def test_killed_run_is_swept_and_a_live_one_is_kept(tmp_base: Path) -> None:
    killed, gone = _start_spilling(tmp_base)
    live, kept = _start_spilling(tmp_base)
    try:
        killed.send_signal(signal.SIGKILL)  # no exit handler runs: the folder stays behind
        killed.wait(timeout=30)
        assert gone.exists()
        own = Path(engines.spill_dir())
        assert not gone.exists()
        assert kept.exists() and any(kept.iterdir())
        assert own.exists() and own.name.startswith(f"{engines.SPILL_PREFIX}{os.getpid()}-")
    finally:
        live.kill()
        live.wait(timeout=30)


def test_other_folders_are_left_alone(tmp_base: Path) -> None:
    # Not a roltrap spill folder, a name without a process number, a file with the prefix.
    keep = [tmp_base / "roltrap-other", tmp_base / f"{engines.SPILL_PREFIX}abc", tmp_base / "data"]
    for folder in keep:
        folder.mkdir()
    (tmp_base / f"{engines.SPILL_PREFIX}999999999-file").write_text("x")
    dead = tmp_base / f"{engines.SPILL_PREFIX}999999999-x1"  # beyond pid_max: no such process
    dead.mkdir()
    assert engines.sweep_spill() == [dead.name]
    assert all(folder.exists() for folder in keep)
    assert (tmp_base / f"{engines.SPILL_PREFIX}999999999-file").exists()
