"""The bundled Leiden data: canonical tables shipped as Parquet inside the package.

Built from the raw CBS/ELAN/PDOK files by ``scripts/build_bundle.py`` (raw in, bundle out); see
``data/bundle/PROVENANCE.md`` for sources, licences and the quirks fixed on the way.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from roltrap.errors import ConfigError
from roltrap.store import ORDER, Batch, Store

BUNDLE_DIR = Path(str(resources.files("roltrap") / "data" / "bundle"))


def read_tables(folder: Path = BUNDLE_DIR) -> dict[str, pd.DataFrame]:
    """The canonical tables of a bundle folder (one Parquet file per table)."""
    missing = [n for n in ORDER if not (folder / f"{n}.parquet").exists()]
    if missing:
        raise ConfigError(f"De meegeleverde gegevensbundel in {folder} is onvolledig: "
                          f"{', '.join(f'{n}.parquet' for n in missing)} ontbreekt.",
                          hint="Bouw de bundel opnieuw met `python scripts/build_bundle.py`, of installeer "
                               "roltrap opnieuw.")
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in ORDER}


def load_into(store: Store, folder: Path = BUNDLE_DIR) -> None:
    """Fill an empty store from the bundle in one transaction."""
    tables = read_tables(folder)
    with store.transaction() as con:
        for name in ORDER:
            df = tables[name]
            if df.empty:
                continue
            con.register("_bundle", df)
            cols = ", ".join(df.columns)
            con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _bundle")
            con.unregister("_bundle")


def write_tables(batches: list[Batch], folder: Path) -> dict[str, int]:
    """Merge batches (later ones win on equal keys) into a bundle folder; returns row counts."""
    from roltrap.store import COLUMNS, KEYS

    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name in ORDER:
        parts = [b.table(name) for b in batches]
        parts = [p for p in parts if not p.empty]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS[name])
        df = df[[c for c in COLUMNS[name] if c in df.columns]]
        df = df.drop_duplicates(subset=KEYS[name], keep="last").sort_values(KEYS[name]).reset_index(drop=True)
        tmp = folder / f".{name}.parquet.tmp"
        df.to_parquet(tmp, index=False)
        tmp.replace(folder / f"{name}.parquet")  # atomic: an interrupted build leaves the old file
        counts[name] = len(df)
    return counts
