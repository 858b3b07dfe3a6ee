"""Ctrl-C during `roltrap access import`: exit 130, a Dutch line, and the store exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

from roltrap.access.service import BUNDLE_DIR
from roltrap.io.osm import to_wgs84

COPIES = 6  # about 170.000 ways: several seconds of reading, clipping and building


def big_extract(out: Path) -> int:
    """An Overpass-style GeoJSON of the bundled Leiden streets (one LineString per network edge),
    repeated under new way ids so the import takes long enough to be interrupted."""
    edges = pd.read_parquet(BUNDLE_DIR / "network_edges.parquet")
    nodes = pd.read_parquet(BUNDLE_DIR / "network_nodes.parquet").set_index("node")
    lon, lat = to_wgs84(nodes["x"].to_numpy(), nodes["y"].to_numpy())
    where = {
        n: (round(float(a), 7), round(float(b), 7)) for n, a, b in zip(nodes.index, lon, lat, strict=True)
    }
    feats = []
    for k in range(COPIES):
        for i, (u, v, hw) in enumerate(zip(edges["u"], edges["v"], edges["highway"], strict=True)):
            feats.append({"type": "Feature", "properties": {"@id": f"way/{k * 100_000 + i + 1}",
                                                            "highway": hw or "residential"},
                          "geometry": {"type": "LineString", "coordinates": [where[u], where[v]]}})
    out.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    return len(feats)


def access_state(db: Path) -> tuple[object, ...]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = sorted(r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'access_%'").fetchall())
        counts = tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)  # type: ignore[index]
        sources = con.execute("SELECT count(*) FROM sources").fetchone()[0]  # type: ignore[index]
        return (tuple(tables), counts, sources)
    finally:
        con.close()


def test_ctrl_c_exits_130_and_leaves_the_store_unchanged(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    src = tmp_path / "leiden-groot.geojson"
    ways = big_extract(src)
    before = access_state(db)
    files_before = sorted(p.name for p in tmp_path.iterdir())
    env = {**os.environ, "ROLTRAP_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    # Early (reading the extract) and later (clipping, building); each run on the same store.
    for after_open in (0.2, 1.5):
        proc = subprocess.Popen([sys.executable, "-m", "roltrap", "--db", str(db), "access", "import",
                                 str(src), "--gemeente", "GM0546"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        # Wait until the command has opened the store (it is then inside the import), then a little.
        fd_dir = Path(f"/proc/{proc.pid}/fd")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if any(os.readlink(fd) == str(db) for fd in fd_dir.iterdir()):
                    break
            except OSError:
                pass
            time.sleep(0.05)
        time.sleep(after_open)
        assert proc.poll() is None, f"the import of {ways} ways finished before the interrupt"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, (after_open, proc.returncode, out, err)
        assert "Afgebroken; er is niets geïmporteerd, de opslag is zoals hij was." in " ".join(err.split())
        assert "Traceback" not in err + out and "opgeslagen (bron" not in out
    assert access_state(db) == before  # nothing half-written
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == \
        sorted(n for n in files_before if n != "data")
