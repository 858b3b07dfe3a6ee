"""The monitor's cached facts follow the store file: a change written by another process (the CLI
while ``serve`` runs) is seen on the next call, without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from roltrap.core import Roltrap

CHANGE = """
import sys
from roltrap.store import Store
store = Store(sys.argv[1])
store.con.execute("UPDATE observations SET value = 99999 WHERE region_code = 'WK054608' "
                  "AND year = 2021 AND indicator_id = 'a_inw'")
store.close()
"""


def _inhabitants(rt: Roltrap) -> float:
    long = rt.monitor.facts.long(["a_inw"]).frame
    row = long[(long["code"] == "WK054608") & (long["year"] == 2021) & (long["ind"] == "a_inw")]
    return float(row["value"].iloc[0])


def test_a_write_by_another_process_empties_the_cache(bundled_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copy(bundled_db, db)
    rt = Roltrap(db, hold=False)  # as the web server opens it: no connection between uses
    try:
        with rt.store.session():
            before = _inhabitants(rt)
        assert before != 99999
        subprocess.run([sys.executable, "-c", CHANGE, str(db)], check=True, timeout=120)
        with rt.store.session():
            assert _inhabitants(rt) == 99999
    finally:
        rt.close()
