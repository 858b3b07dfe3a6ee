"""The bundled Leiden data: canonical tables shipped as Parquet inside the package.

Built from the raw CBS/ELAN/PDOK files by ``scripts/build_bundle.py`` (raw in, bundle out); see
``data/bundle/PROVENANCE.md`` for sources, licences and the quirks fixed on the way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from roltrap.errors import ConfigError
from roltrap.store import KEYS, ORDER, Batch, Store

if TYPE_CHECKING:  # loading the bundle is DuckDB's work alone: first use needs no pandas
    import pandas as pd

DEFINITIONS = ("sources", "indicators", "regions")

BUNDLE_DIR = Path(str(resources.files("roltrap") / "data" / "bundle"))


def _check_complete(folder: Path) -> None:
    missing = [n for n in ORDER if not (folder / f"{n}.parquet").exists()]
    if missing:
        raise ConfigError(f"De meegeleverde gegevensbundel in {folder} is onvolledig: "
                          f"{', '.join(f'{n}.parquet' for n in missing)} ontbreekt.",
                          hint="Bouw de bundel opnieuw met `python scripts/build_bundle.py`, of installeer "
                               "roltrap opnieuw.")


def read_tables(folder: Path = BUNDLE_DIR) -> dict[str, pd.DataFrame]:
    """The canonical tables of a bundle folder (one Parquet file per table)."""
    import pandas as pd

    _check_complete(folder)
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in ORDER}


def version(folder: Path = BUNDLE_DIR) -> str:
    """A fingerprint of the bundle's tables: changes whenever a rebuilt bundle ships."""
    digest = hashlib.sha256()
    for name in ORDER:
        path = folder / f"{name}.parquet"
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stored_version(store: Store) -> str | None:
    """The bundle version a store was last filled with (None: never, or before this was recorded)."""
    rows = store.rows("SELECT version FROM bundle_state ORDER BY loaded_at DESC LIMIT 1")
    return str(rows[0]["version"]) if rows else None


def load_into(store: Store, folder: Path = BUNDLE_DIR) -> None:
    """Fill a store from the bundle, or refresh an older bundle, in one transaction.

    Rows that came from bundled sources are replaced; figures a user imported stay, also where they
    cover the same region, year and indicator as a bundled figure (the user's import wins), unless
    the user's file had no value there. The bundle's own definitions (sources, catalogue, region
    names) are updated. Bundled rows carry no rank, so every import outranks them
    (:func:`roltrap.store.source_rank`).

    DuckDB reads the Parquet files itself, one bulk ``INSERT … SELECT`` per table: no pandas, no
    copy through Python (first use of ``roltrap serve`` and ``show`` waits for this).
    """
    _check_complete(folder)
    files = {name: str(folder / f"{name}.parquet") for name in ORDER}
    with store.write_lock, store.transaction() as con:
        bundled = [r[0] for r in con.execute("SELECT id FROM read_parquet(?)", [files["sources"]]).fetchall()]
        for name in ("observations", "flows", "geometries"):
            con.execute(f"DELETE FROM {name} WHERE source_id IN (SELECT unnest(?))", [bundled])
        for name in ORDER:
            rel = con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [files[name]])
            cols = [d[0] for d in rel.description or []]
            keys = KEYS[name]
            col_list = ", ".join(cols)
            value = {"observations": "value", "flows": "persons"}.get(name)
            if value:
                # No primary key on figures (store migration 6): fill what the store holds as missing,
                # then insert the keys it lacks, so a key never gets a second row. Figures a user
                # imported for the same key are kept, except where the user's file had no value (never
                # let "missing" hide a bundled figure).
                match = " AND ".join(f"{name}.{k} = b.{k}" for k in keys)
                fill = ", ".join(f"{c} = b.{c}" for c in cols if c not in keys)
                con.execute(f"UPDATE {name} SET {fill}, rank = NULL FROM read_parquet(?) b WHERE {match} "
                            f"AND {name}.{value} IS NULL AND b.{value} IS NOT NULL", [files[name]])
                con.execute(f"INSERT INTO {name} ({col_list}) SELECT {col_list} FROM read_parquet(?) b "
                            f"WHERE NOT EXISTS (SELECT 1 FROM {name} WHERE {match})", [files[name]])
                continue
            updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
            # Definitions follow the bundle.
            action = f"DO UPDATE SET {updates}" if name in DEFINITIONS and updates else "DO NOTHING"
            con.execute(f"INSERT INTO {name} ({col_list}) SELECT {col_list} FROM read_parquet(?) "
                        f"ON CONFLICT ({', '.join(keys)}) {action}", [files[name]])
        con.execute("DELETE FROM bundle_state")
        con.execute("INSERT INTO bundle_state (version) VALUES (?)", [version(folder)])


def template_key(folder: Path = BUNDLE_DIR) -> str:
    """What a store filled from this bundle depends on: the bundle's tables, the schema and the code
    that loads them (this module and the store's migrations), and the DuckDB version (file format)."""
    import duckdb

    from roltrap import store as store_module

    digest = hashlib.sha256(version(folder).encode())
    for path in (Path(__file__), Path(store_module.__file__)):
        digest.update(path.read_bytes())
    digest.update(duckdb.__version__.encode())
    return digest.hexdigest()[:16]


def create_store(path: Path, *, template_dir: Path | None, folder: Path = BUNDLE_DIR) -> bool:
    """Create the store file ``path`` filled with the bundle; True if it was made here.

    Loading the bundle (365,000 figures, every table's merge) costs most of a second. It is done once
    per installation into ``template_dir`` (keyed by
    :func:`template_key`); every new store is then a copy of that file, which takes a fraction of a
    second. Without a usable template folder (read-only, full) the store is built in place. The copy
    is written under a temporary name and linked into place, so an interrupted first use leaves no
    half-filled store, and a store another process made meanwhile is left alone.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    template = _template(template_dir, folder) if template_dir is not None else None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if template is not None:
            shutil.copyfile(template, tmp)
            _stamp_loaded_now(tmp)
        else:
            _build(tmp, folder)
        try:
            os.link(tmp, path)  # fails if the store appeared meanwhile: keep that one
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _build(path: Path, folder: Path) -> None:
    store = Store(path)
    try:
        load_into(store, folder)
        with store.session():
            store.con.execute("CHECKPOINT")  # everything in the one file: no WAL left beside it
    finally:
        store.close()


def _template(template_dir: Path, folder: Path) -> Path | None:
    """This installation's template store (built now if missing); None if it cannot be written."""
    template = template_dir / f"store-{template_key(folder)}.duckdb"
    if template.exists():
        return template
    try:
        template_dir.mkdir(parents=True, exist_ok=True)
        tmp = template_dir / f".{template.name}.{os.getpid()}.tmp"
        try:
            _build(tmp, folder)
            os.replace(tmp, template)  # atomic: a reader sees no template or a whole one
        finally:
            tmp.unlink(missing_ok=True)
            Path(f"{tmp}.wal").unlink(missing_ok=True)
    except OSError:
        return None
    _prune(template_dir, keep=template)
    return template


def _prune(template_dir: Path, *, keep: Path) -> None:
    """Drop templates of other bundles or code versions not used for a week."""
    week_ago = time.time() - 7 * 24 * 3600
    for old in template_dir.glob("store-*.duckdb"):
        with contextlib.suppress(OSError):
            if old != keep and old.stat().st_mtime < week_ago:
                old.unlink()


def _stamp_loaded_now(path: Path) -> None:
    """A copied store says when it was filled, as a freshly loaded one does."""
    store = Store(path)
    try:
        with store.transaction() as con:
            con.execute("UPDATE bundle_state SET loaded_at = current_timestamp")
            con.execute("UPDATE sources SET imported_at = current_timestamp")
    finally:
        store.close()


def refresh_if_stale(store: Store, folder: Path = BUNDLE_DIR) -> bool:
    """Load the bundle into an empty store or one holding another bundle version; True if loaded."""
    if store.is_empty() or stored_version(store) != version(folder):
        load_into(store, folder)
        return True
    return False


def write_tables(batches: list[Batch], folder: Path) -> dict[str, int]:
    """Merge batches (later ones win on equal keys) into a bundle folder; returns row counts."""
    import pandas as pd

    from roltrap.store import COLUMNS

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
