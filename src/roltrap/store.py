"""The embedded DuckDB store: schema, migrations and transactional writes.

Knows SQL and canonical tables, nothing of file formats, HTTP or the CLI. Every write goes through
:meth:`Store.apply`, which validates a :class:`Batch` and writes it in one transaction, so a failed
import leaves the store exactly as it was.

The store owns its connections. DuckDB lets one process write a file, or several processes read it,
never both at once. A store opened with ``hold=True`` (the default: the CLI, the library) keeps one
connection for its life and hands every other thread its own cursor on it. A store opened with
``hold=False`` (the web server) holds nothing between uses: :meth:`Store.session` opens a connection
on first use and closes it at the end, so the file lock lasts only as long as one page's queries and
the CLI can read and import into the same file while the server runs. Opening waits a while for a lock
held by another process instead of failing at once. :meth:`Store.version_key` tells cheaply (file
size and modification time) when anyone changed the data, so caches built on it stay fresh.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from roltrap.errors import ConfigError, InputError, Problem

LEVELS = ("land", "gemeente", "wijk", "buurt")
KINDS = ("count", "share", "mean", "distance", "ratio", "duration")
AGGREGATIONS = ("sum", "weighted_mean", "none")
DIRECTIONS = ("in", "out")
ORIGINS = ("gemeente", "buitenland", "wijk", "totaal")

# Each migration moves the schema one version up; never edit a released one, append a new one.
MIGRATIONS: list[str] = [
    # 1: canonical model
    """
    CREATE TABLE sources (
        id VARCHAR PRIMARY KEY,
        title VARCHAR NOT NULL,
        publisher VARCHAR NOT NULL,
        licence VARCHAR NOT NULL,
        attribution VARCHAR,
        provenance VARCHAR,
        file VARCHAR,
        estimate BOOLEAN NOT NULL DEFAULT FALSE,
        imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
        rows_loaded BIGINT
    );
    CREATE TABLE indicators (
        id VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        unit VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        aggregation VARCHAR NOT NULL,
        weight VARCHAR,
        decimals INTEGER NOT NULL DEFAULT 0,
        theme VARCHAR,
        description VARCHAR
    );
    CREATE TABLE regions (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        level VARCHAR NOT NULL,
        parent VARCHAR,
        boundary_year INTEGER
    );
    CREATE TABLE geometries (
        region_code VARCHAR NOT NULL,
        boundary_year INTEGER NOT NULL,
        geom_wkb BLOB NOT NULL,      -- always RD New, EPSG:28992
        source_id VARCHAR NOT NULL,
        PRIMARY KEY (region_code, boundary_year)
    );
    CREATE TABLE observations (
        region_code VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        indicator_id VARCHAR NOT NULL,
        value DOUBLE,                -- NULL = missing or suppressed at the source, never 0
        source_id VARCHAR NOT NULL,
        PRIMARY KEY (region_code, year, indicator_id)
    );
    CREATE TABLE flows (
        region_code VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        direction VARCHAR NOT NULL,  -- in = vestiging, out = vertrek
        origin VARCHAR NOT NULL,     -- gemeente / buitenland / wijk (same municipality) / totaal
        persons DOUBLE,
        months INTEGER NOT NULL DEFAULT 12,
        source_id VARCHAR NOT NULL,
        PRIMARY KEY (region_code, year, direction, origin)
    );
    """,
    # 2: which version of the bundled data the store holds (refreshed when the package's bundle changes)
    """
    CREATE TABLE bundle_state (
        version VARCHAR NOT NULL,
        loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)

COLUMNS: dict[str, list[str]] = {
    "sources": ["id", "title", "publisher", "licence", "attribution", "provenance", "file", "estimate",
                "rows_loaded"],
    "indicators": ["id", "label", "unit", "kind", "aggregation", "weight", "decimals", "theme",
                   "description"],
    "regions": ["code", "name", "level", "parent", "boundary_year"],
    "geometries": ["region_code", "boundary_year", "geom_wkb", "source_id"],
    "observations": ["region_code", "year", "indicator_id", "value", "source_id"],
    "flows": ["region_code", "year", "direction", "origin", "persons", "months", "source_id"],
}
KEYS: dict[str, list[str]] = {
    "sources": ["id"],
    "indicators": ["id"],
    "regions": ["code"],
    "geometries": ["region_code", "boundary_year"],
    "observations": ["region_code", "year", "indicator_id"],
    "flows": ["region_code", "year", "direction", "origin"],
}
#: How a table's rows are named in messages to the user.
_TABLE_NAMES = {"sources": "bron", "indicators": "indicator", "regions": "regio",
                "geometries": "grens (regio en jaar)", "observations": "waarde (regio, jaar en indicator)",
                "flows": "verhuisstroom (regio, jaar, richting en herkomst)"}
# Write order respects references: sources and indicators before what points at them.
ORDER = ["sources", "indicators", "regions", "geometries", "observations", "flows"]


@dataclass
class Batch:
    """Canonical tables produced by one import; any may be empty."""

    source: dict[str, object]
    regions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS["regions"]))
    indicators: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS["indicators"]))
    observations: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COLUMNS["observations"][:-1]))
    flows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS["flows"][:-1]))
    geometries: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=COLUMNS["geometries"][:-1]))
    skipped: list[Problem] = field(default_factory=list)  # rows left out on purpose, with why

    def table(self, name: str) -> pd.DataFrame:
        if name == "sources":
            return pd.DataFrame([self.source])
        df: pd.DataFrame = getattr(self, name)
        if "source_id" in COLUMNS[name] and "source_id" not in df.columns:
            df = df.assign(source_id=self.source["id"])
        return df


class Store:
    """One DuckDB file (or ``:memory:``) holding the canonical model."""

    #: How long opening waits for a lock another process holds (an import, a page being computed).
    LOCK_WAIT_S = 30.0

    def __init__(self, path: Path | str, *, read_only: bool = False, hold: bool = True,
                 lock_wait: float | None = None) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.read_only = read_only
        # An in-memory store exists only inside its connection: it is always held.
        self.hold = hold or self.path == ":memory:"
        self.lock_wait = self.LOCK_WAIT_S if lock_wait is None else lock_wait
        self.changes = 0  # bumped by every apply(): lets in-process caches notice an import
        self._local = threading.local()
        self._base: duckdb.DuckDBPyConnection | None = None
        self._owner = threading.get_ident()
        if self.hold:
            self._base = self._connect()
        elif not Path(self.path).exists():
            raise ConfigError(f"De opslag {self.path} bestaat niet.",
                              hint="Start roltrap eenmaal zonder --read-only, of kies met --db een "
                                   "bestaand bestand.")
        if not read_only:
            with self.session():
                self.migrate()

    # -- connections ------------------------------------------------------------------------
    def _connect(self) -> duckdb.DuckDBPyConnection:
        """Open a connection, waiting up to ``lock_wait`` seconds for another process's lock."""
        deadline = time.monotonic() + self.lock_wait
        pause = 0.01
        while True:
            try:
                return duckdb.connect(self.path, read_only=self.read_only)
            except (duckdb.IOException, duckdb.ConnectionException) as exc:
                locked = "lock" in str(exc).lower()
                if not locked or time.monotonic() + pause > deadline:
                    hint = ("Een ander roltrap-programma (bijv. een import) gebruikt dit bestand nog; "
                            "probeer het zo opnieuw, of kies met --db een ander bestand." if locked else
                            "Controleer of het bestand een roltrap-opslag (DuckDB) is, of kies met --db "
                            "een ander bestand.")
                    raise ConfigError(f"De opslag {self.path} kan niet worden geopend: {exc}",
                                      hint=hint) from exc
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """This thread's connection: the held one (a cursor on it in other threads) or the session's."""
        local = self._local
        con: duckdb.DuckDBPyConnection | None = getattr(local, "con", None)
        if con is not None:
            return con
        if self._base is not None:
            if threading.get_ident() == self._owner:
                return self._base
            local.con = self._base.cursor()  # DuckDB connections are not thread-safe; cursors are
            return local.con
        if getattr(local, "depth", 0) == 0:
            raise RuntimeError("a store opened with hold=False is used inside store.session()")
        local.con = self._connect()
        return local.con

    @contextlib.contextmanager
    def session(self) -> Iterator[Store]:
        """Work that belongs together on one connection; with ``hold=False`` it is closed after."""
        local = self._local
        depth = getattr(local, "depth", 0)
        local.depth = depth + 1
        try:
            yield self
        finally:
            local.depth = depth
            if depth == 0 and self._base is None:
                con = getattr(local, "con", None)
                local.con = None
                if con is not None:
                    con.close()

    def version_key(self) -> tuple[int, ...]:
        """Changes whenever the data change, in this process or another; costs two ``stat`` calls."""
        key = [self.changes]
        if self.path != ":memory:":
            for name in (self.path, self.path + ".wal"):
                try:
                    st = os.stat(name)
                except FileNotFoundError:
                    key += [0, 0]
                else:
                    key += [st.st_mtime_ns, st.st_size]
        return tuple(key)

    def readable(self) -> bool:
        """Is the store file there (and, for a held store, its connection open)?"""
        if self.path == ":memory:" or self._base is not None:
            return self._base is not None
        return os.access(self.path, os.R_OK)

    # -- schema -----------------------------------------------------------------------------
    def version(self) -> int:
        has_meta = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()
        if not has_meta or not has_meta[0]:
            return 0
        row = self.con.execute("SELECT max(version) FROM meta").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> None:
        current = self.version()
        if current > SCHEMA_VERSION:
            raise ConfigError(
                f"De opslag {self.path} heeft schemaversie {current}; die is nieuwer dan deze versie van "
                f"roltrap aankan (schemaversie {SCHEMA_VERSION}).",
                hint="Installeer een nieuwere versie van roltrap, of kies met --db een ander bestand.")
        if current == SCHEMA_VERSION:
            return
        with self.transaction():
            self.con.execute("CREATE TABLE IF NOT EXISTS meta (version INTEGER, applied_at TIMESTAMP "
                             "DEFAULT current_timestamp)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                self.con.execute(MIGRATIONS[version - 1])
                self.con.execute("INSERT INTO meta (version) VALUES (?)", [version])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self.session():
            con = self.con
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            else:
                con.execute("COMMIT")

    def is_empty(self) -> bool:
        with self.session():
            row = self.con.execute("SELECT count(*) FROM sources").fetchone()
        return not row or row[0] == 0

    # -- writes -----------------------------------------------------------------------------
    def apply(self, batch: Batch) -> dict[str, int]:
        """Validate references and write the whole batch in one transaction (upsert on keys)."""
        if self.read_only:
            raise ConfigError(
                f"De opslag {self.path} is alleen-lezen geopend; er kan niets worden opgeslagen.",
                hint="Zet ROLTRAP_READ_ONLY uit om te importeren, of kies met --db een ander bestand.")
        self._check_references(batch)
        written: dict[str, int] = {}
        with self.transaction() as con:
            for name in ORDER:
                df = batch.table(name)
                if df.empty:
                    written[name] = 0
                    continue
                cols = [c for c in COLUMNS[name] if c in df.columns]
                df = df[cols]
                keys = KEYS[name]
                if df.duplicated(subset=keys).any():
                    dup = df[df.duplicated(subset=keys, keep=False)].drop_duplicates(subset=keys).head(3)
                    shown = "; ".join(" ".join(str(v) for v in row)
                                      for row in dup[keys].itertuples(index=False))
                    raise InputError(
                        f"De import bevat dezelfde {_TABLE_NAMES.get(name, name)} meer dan eens: {shown}. "
                        f"Er is niets opgeslagen.",
                        hint="Laat in het bestand per combinatie één rij staan en importeer opnieuw.")
                con.register("_incoming", df)
                col_list = ", ".join(cols)
                updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
                conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
                con.execute(
                    f"INSERT INTO {name} ({col_list}) SELECT {col_list} FROM _incoming "
                    f"ON CONFLICT ({', '.join(keys)}) {conflict}")
                con.unregister("_incoming")
                written[name] = len(df)
        self.changes += 1
        return written

    def _check_references(self, batch: Batch) -> None:
        known_regions = set(self.query("SELECT code FROM regions")["code"])
        known_regions |= set(batch.regions.get("code", []))
        known_ind = set(self.query("SELECT id FROM indicators")["id"]) | set(batch.indicators.get("id", []))
        problems: list[Problem] = []
        for name, col, known, what, many, column in (
            ("observations", "region_code", known_regions, "regio", "regiocodes", "regiocode"),
            ("observations", "indicator_id", known_ind, "indicator", "indicatoren", "indicator"),
            ("flows", "region_code", known_regions, "regio", "regiocodes", "regiocode"),
            ("geometries", "region_code", known_regions, "regio", "regiocodes", "regiocode"),
        ):
            df = getattr(batch, name)
            if df.empty:
                continue
            unknown = sorted(set(df[col]) - known)
            for code in unknown[:20]:
                problems.append(Problem(f"onbekende {what} '{code}'", column=column))
            if len(unknown) > 20:
                problems.append(Problem(f"... en nog {len(unknown) - 20} onbekende {many}"))
        if problems:
            raise InputError(
                f"De import verwijst naar regio's of indicatoren die niet in de opslag staan "
                f"(bron {batch.source.get('id')}); er is niets opgeslagen.", problems=problems,
                hint="Importeer eerst de regio's (een KWB-bestand met deze gemeente en wijken), of verbeter "
                     "de regiocodes; `roltrap indicators` toont de bekende indicatoren.")

    # -- reads ------------------------------------------------------------------------------
    def query(self, sql: str, params: list[object] | None = None) -> pd.DataFrame:
        with self.session():
            return self.con.execute(sql, params or []).df()

    def close(self) -> None:
        if self._base is not None:
            self._base.close()
            self._base = None
