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
import numbers
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from roltrap.errors import ConfigError, InputError, Problem

if TYPE_CHECKING:  # pandas is imported where a frame is made: opening a store and `show` need none
    import pandas as pd

LEVELS = ("land", "gemeente", "wijk", "buurt")
KINDS = ("count", "share", "mean", "distance", "ratio", "duration")
AGGREGATIONS = ("sum", "weighted_mean", "none")
DIRECTIONS = ("in", "out")
ORIGINS = ("gemeente", "buitenland", "wijk", "totaal")

# Each migration moves the schema one version up; never edit a released one, append a new one.
#: The user indicators (``u_…``) that the StatLine importer made of the Nabijheid voorzieningen variables
#: before they were in the catalogue (ids as ``roltrap.io.statline.user_indicator`` derives them from the
#: theme paths of the 2021 table) → their catalogue ids. Migration 5 moves stored values across.
_NABIJHEID_USER_IDS: tuple[tuple[str, str], ...] = (
    ('u_huisartsenpraktijk_afstand_tot_huisartse_e7f2db', 'g_afs_hp'),
    ('u_aantal_huisartsenpraktijken_binnen_1_km_8df789', 'g_1km_hp'),
    ('u_aantal_huisartsenpraktijken_binnen_3_km_b83b69', 'g_3km_hp'),
    ('u_aantal_huisartsenpraktijken_binnen_5_km_e92064', 'g_5km_hp'),
    ('u_huisartsenpraktijk_afstand_tot_huisartse_4ff564', 'g_afs_hpost'),
    ('u_gezondheid_en_welzijn_afstand_tot_apotheek', 'g_afs_ap'),
    ('u_ziekenhuis_incl_buitenpolikliniek_afstan_ef6621', 'g_afs_zi'),
    ('u_aantal_ziekenhuizen_binnen_5_km_8da8a8', 'g_5km_zi'),
    ('u_aantal_ziekenhuizen_binnen_10_km_ecd4b4', 'g_10km_zi'),
    ('u_aantal_ziekenhuizen_binnen_20_km_2d1c94', 'g_20km_zi'),
    ('u_ziekenhuis_excl_buitenpolikliniek_afstan_830dd9', 'g_afs_ze'),
    ('u_aantal_ziekenhuizen_binnen_5_km_95278c', 'g_5km_ze'),
    ('u_aantal_ziekenhuizen_binnen_10_km_66a6fd', 'g_10km_ze'),
    ('u_aantal_ziekenhuizen_binnen_20_km_f33f88', 'g_20km_ze'),
    ('u_gezondheid_en_welzijn_afstand_tot_consul_32534b', 'g_afs_cb'),
    ('u_fysiotherapeut_afstand_tot_fysiotherapeu_29ebdc', 'g_afs_ft'),
    ('u_aantal_fysiotherapeuten_binnen_1_km_f58864', 'g_1km_ft'),
    ('u_aantal_fysiotherapeuten_binnen_3_km_0d4b2b', 'g_3km_ft'),
    ('u_aantal_fysiotherapeuten_binnen_5_km_15e246', 'g_5km_ft'),
    ('u_winkels_dagelijkse_boodschappen_afstand_7bf14e', 'g_afs_gs'),
    ('u_aantal_grote_supermarkten_binnen_1_km_63ecd6', 'g_1km_gs'),
    ('u_aantal_grote_supermarkten_binnen_3_km_3ad9a7', 'g_3km_gs'),
    ('u_aantal_grote_supermarkten_binnen_5_km_ddd3f3', 'g_5km_gs'),
    ('u_winkels_dagelijkse_boodschappen_afstand_2cf60f', 'g_afs_dl'),
    ('u_aantal_overige_dagelijkse_levensmiddelen_183318', 'g_1km_dl'),
    ('u_aantal_overige_dagelijkse_levensmiddelen_8c8918', 'g_3km_dl'),
    ('u_aantal_overige_dagelijkse_levensmiddelen_a46e55', 'g_5km_dl'),
    ('u_detailhandel_warenhuis_afstand_tot_warenhuis', 'g_afs_wh'),
    ('u_aantal_warenhuizen_binnen_5_km_df3080', 'g_5km_wh'),
    ('u_aantal_warenhuizen_binnen_10_km_a39b4b', 'g_10km_wh'),
    ('u_aantal_warenhuizen_binnen_20_km_2d2ab9', 'g_20km_wh'),
    ('u_horeca_cafes_en_dergelijke_afstand_tot_cafe_e_d', 'g_afs_ca'),
    ('u_aantal_cafes_binnen_1_km_5121b7', 'g_1km_ca'), ('u_aantal_cafes_binnen_3_km_755c33', 'g_3km_ca'),
    ('u_aantal_cafes_binnen_5_km_4cf53f', 'g_5km_ca'),
    ('u_cafetarias_en_dergelijke_afstand_tot_caf_d42329', 'g_afs_ct'),
    ('u_aantal_cafetarias_e_d_binnen_1_km_1942d2', 'g_1km_ct'),
    ('u_aantal_cafetarias_e_d_binnen_3_km_15dd62', 'g_3km_ct'),
    ('u_aantal_cafetarias_e_d_binnen_5_km_839a72', 'g_5km_ct'),
    ('u_horeca_restaurants_afstand_tot_restaurant', 'g_afs_re'),
    ('u_aantal_restaurants_binnen_1_km_c1b7ac', 'g_1km_re'),
    ('u_aantal_restaurants_binnen_3_km_42e914', 'g_3km_re'),
    ('u_aantal_restaurants_binnen_5_km_31335d', 'g_5km_re'),
    ('u_hotels_en_dergelijke_afstand_tot_hotel_e_7861f7', 'g_afs_ho'),
    ('u_aantal_hotels_e_d_binnen_5_km_35090b', 'g_5km_ho'),
    ('u_aantal_hotels_e_d_binnen_10_km_663381', 'g_10km_ho'),
    ('u_aantal_hotels_e_d_binnen_20_km_e37970', 'g_20km_ho'),
    ('u_kinderdagverblijf_afstand_tot_kinderdagv_6f8ff3', 'g_afs_kv'),
    ('u_aantal_kinderdagverblijven_binnen_1_km_80eb78', 'g_1km_kv'),
    ('u_aantal_kinderdagverblijven_binnen_3_km_cd0882', 'g_3km_kv'),
    ('u_aantal_kinderdagverblijven_binnen_5_km_a148f8', 'g_5km_kv'),
    ('u_buitenschoolse_opvang_afstand_tot_buiten_f8dfe8', 'g_afs_bso'),
    ('u_aantal_buitenschoolse_opvang_binnen_1_km_cbcf97', 'g_1km_bso'),
    ('u_aantal_buitenschoolse_opvang_binnen_3_km_b172d9', 'g_3km_bso'),
    ('u_aantal_buitenschoolse_opvang_binnen_5_km_14e023', 'g_5km_bso'),
    ('u_onderwijs_basisonderwijs_afstand_tot_school', 'g_afs_sc'),
    ('u_aantal_scholen_binnen_1_km_06d7dc', 'g_1km_sc'),
    ('u_aantal_scholen_binnen_3_km_d182e2', 'g_3km_sc'),
    ('u_aantal_scholen_binnen_5_km_e3ec09', 'g_5km_sc'),
    ('u_voortgezet_onderwijs_totaal_afstand_tot_aa652d', 'g_afs_vo'),
    ('u_aantal_scholen_binnen_3_km_7076e3', 'g_3km_vo'),
    ('u_aantal_scholen_binnen_5_km_4bd011', 'g_5km_vo'),
    ('u_aantal_scholen_binnen_10_km_06a4ea', 'g_10km_vo'),
    ('u_vmbo_afstand_tot_school_e030c4', 'g_afs_vmbo'),
    ('u_aantal_scholen_binnen_3_km_8b19b0', 'g_3km_vmbo'),
    ('u_aantal_scholen_binnen_5_km_f7c440', 'g_5km_vmbo'),
    ('u_aantal_scholen_binnen_10_km_f64ccf', 'g_10km_vmbo'),
    ('u_havo_vwo_afstand_tot_school_390a90', 'g_afs_hv'),
    ('u_aantal_scholen_binnen_3_km_27bbb4', 'g_3km_hv'),
    ('u_aantal_scholen_binnen_5_km_cb9b06', 'g_5km_hv'),
    ('u_aantal_scholen_binnen_10_km_61da00', 'g_10km_hv'),
    ('u_openbaar_groen_afstand_tot_openbaar_groe_c8fb99', 'g_afs_gr'),
    ('u_openbaar_groen_afstand_tot_park_of_plant_e1ecbb', 'g_afs_pk'),
    ('u_openbaar_groen_afstand_tot_dagrecreatief_2fe922', 'g_afs_dr'),
    ('u_openbaar_groen_afstand_tot_bos_a3616c', 'g_afs_bos'),
    ('u_afstand_tot_open_natuurlijk_terrein_afst_352ebc', 'g_afs_on'),
    ('u_afstand_tot_open_natuurlijk_terrein_afst_2f2070', 'g_afs_ond'),
    ('u_afstand_tot_open_natuurlijk_terrein_afst_6ad6a7', 'g_afs_onn'),
    ('u_semi_openbaar_groen_afstand_tot_semi_ope_852fea', 'g_afs_sg'),
    ('u_semi_openbaar_groen_afstand_tot_sportter_84928c', 'g_afs_sp'),
    ('u_semi_openbaar_groen_afstand_tot_volkstui_42d9e8', 'g_afs_vt'),
    ('u_semi_openbaar_groen_afstand_tot_verblijf_657d1d', 'g_afs_vr'),
    ('u_semi_openbaar_groen_afstand_tot_begraafp_05d070', 'g_afs_bp'),
    ('u_groenvoorzieningen_afstand_tot_recreatie_603e68', 'g_afs_bw'),
    ('u_verkeer_en_vervoer_afstand_tot_oprit_hoo_64b076', 'g_afs_oprit'),
    ('u_treinstations_afstand_tot_treinstations_881c98', 'g_afs_ov'),
    ('u_treinstations_afstand_tot_belangrijk_ove_926ba6', 'g_afs_ovst'),
    ('u_vrije_tijd_en_cultuur_afstand_tot_bibliotheek', 'g_afs_bib'),
    ('u_vrije_tijd_en_cultuur_sport_afstand_tot_zwembad', 'g_afs_zw'),
    ('u_sport_afstand_tot_kunstijsbaan_3e3994', 'g_afs_ijs'),
    ('u_vrije_tijd_en_cultuur_museum_afstand_tot_museum', 'g_afs_mu'),
    ('u_aantal_musea_binnen_5_km_af2ce7', 'g_5km_mu'),
    ('u_aantal_musea_binnen_10_km_0cdc63', 'g_10km_mu'),
    ('u_aantal_musea_binnen_20_km_1f6f02', 'g_20km_mu'),
    ('u_podiumkunsten_excl_festivals_afstand_tot_652821', 'g_afs_po'),
    ('u_aantal_podiumkunsten_totaal_binnen_5_km_3fb87a', 'g_5km_po'),
    ('u_aantal_podiumkunsten_totaal_binnen_10_km_c19073', 'g_10km_po'),
    ('u_aantal_podiumkunsten_totaal_binnen_20_km_adeb9f', 'g_20km_po'),
    ('u_podiumkunsten_excl_festivals_afstand_tot_b0301e', 'g_afs_pop'),
    ('u_bioscoop_afstand_tot_bioscoop_24d8ea', 'g_afs_bi'),
    ('u_aantal_bioscopen_binnen_5_km_d4b31e', 'g_5km_bi'),
    ('u_aantal_bioscopen_binnen_10_km_d7ff6d', 'g_10km_bi'),
    ('u_aantal_bioscopen_binnen_20_km_2fb429', 'g_20km_bi'),
    ('u_recreatie_afstand_tot_sauna_990ad3', 'g_afs_sa'),
    ('u_recreatie_afstand_tot_zonnebank_32e712', 'g_afs_zb'),
    ('u_recreatie_afstand_tot_attractie_e4e956', 'g_afs_at'),
    ('u_aantal_attracties_binnen_10_km_8af7ec', 'g_10km_at'),
    ('u_aantal_attracties_binnen_20_km_6016cb', 'g_20km_at'),
    ('u_aantal_attracties_binnen_50_km_17cd89', 'g_50km_at'),
    ('u_afstand_tot_brandweerkazerne', 'g_afs_bk'),
)


def _rename_ids(pairs: tuple[tuple[str, str], ...]) -> str:
    """SQL that moves observations from old indicator ids to new ones; a value already stored under the
    new id wins, and the old ids' rows and definitions go (the bundle and the importer bring the
    catalogue's definition of the new id; until then the old definition is kept under the new id)."""
    values = ", ".join(f"('{a}', '{b}')" for a, b in pairs)
    return f"""
    CREATE TEMP TABLE _renamed (old VARCHAR, new VARCHAR);
    INSERT INTO _renamed VALUES {values};
    INSERT INTO observations (region_code, year, indicator_id, value, source_id, rank)
        SELECT o.region_code, o.year, r.new, o.value, o.source_id, o.rank
        FROM observations o JOIN _renamed r ON o.indicator_id = r.old
        WHERE NOT EXISTS (SELECT 1 FROM observations n WHERE n.region_code = o.region_code
                          AND n.year = o.year AND n.indicator_id = r.new);
    DELETE FROM observations WHERE indicator_id IN (SELECT old FROM _renamed);
    INSERT INTO indicators (id, label, unit, kind, aggregation, weight, decimals, theme, description)
        SELECT DISTINCT ON (r.new) r.new, i.label, i.unit, i.kind, i.aggregation, i.weight, i.decimals,
               i.theme, i.description
        FROM indicators i JOIN _renamed r ON i.id = r.old
        WHERE r.new NOT IN (SELECT id FROM indicators);
    DELETE FROM indicators WHERE id IN (SELECT old FROM _renamed);
    DROP TABLE _renamed;
    """


def _without_key(table: str, columns: tuple[tuple[str, str], ...], keys: tuple[str, ...]) -> str:
    """SQL that rebuilds ``table`` with ``columns`` (name, type) and no primary key, keeping every row,
    written in the order of ``keys``."""
    names = ", ".join(n for n, _ in columns)
    defs = ", ".join(f"{n} {t}" for n, t in columns)
    return f"""
    CREATE TABLE _{table}_new ({defs});
    INSERT INTO _{table}_new ({names}) SELECT {names} FROM {table} ORDER BY {", ".join(keys)};
    DROP TABLE {table};
    ALTER TABLE _{table}_new RENAME TO {table};
    """


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
    # 3: the precedence of the source each row came from (see source_rank); NULL = bundled data
    """
    ALTER TABLE sources ADD COLUMN rank VARCHAR;
    ALTER TABLE regions ADD COLUMN rank VARCHAR;
    ALTER TABLE observations ADD COLUMN rank VARCHAR;
    ALTER TABLE flows ADD COLUMN rank VARCHAR;
    ALTER TABLE geometries ADD COLUMN rank VARCHAR;
    """,
    # 4: KWB 2023/2024 ids corrected to CBS's own column names (kept as aliases in the catalogue); a
    # value already stored under the corrected id wins over one under the old id
    """
    CREATE TEMP TABLE _renamed (old VARCHAR, new VARCHAR);
    INSERT INTO _renamed VALUES
        ('a_geb_neu', 'a_geb_ne'), ('a_gbl_neu', 'a_gbl_ne'), ('a_nieuw', 'a_nb_won'),
        ('a_nwoning', 'a_vastg'), ('a_nnwon', 'a_nb_vastg'), ('p_tussw', 'p_1gezw_tw'),
        ('p_hoekw', 'p_1gezw_hw'), ('p_2o1kw', 'p_1gezw_2w'), ('p_vrijw', 'p_1gezw_hvw'),
        ('p_bjj10', 'p_bj_me10'), ('p_bjo10', 'p_bj_mi10'), ('a_lpo', 'a_ons_po'),
        ('a_lvo', 'a_ons_vovavo'), ('a_smbo', 'a_ons_mbo'), ('a_shbo', 'a_ons_hbo'),
        ('a_swo', 'a_ons_wo');
    INSERT INTO observations (region_code, year, indicator_id, value, source_id, rank)
        SELECT o.region_code, o.year, r.new, o.value, o.source_id, o.rank
        FROM observations o JOIN _renamed r ON o.indicator_id = r.old
        WHERE NOT EXISTS (SELECT 1 FROM observations n WHERE n.region_code = o.region_code
                          AND n.year = o.year AND n.indicator_id = r.new);
    DELETE FROM observations WHERE indicator_id IN (SELECT old FROM _renamed);
    INSERT INTO indicators (id, label, unit, kind, aggregation, weight, decimals, theme, description)
        SELECT r.new, i.label, i.unit, i.kind, i.aggregation, i.weight, i.decimals, i.theme, i.description
        FROM indicators i JOIN _renamed r ON i.id = r.old
        WHERE r.new NOT IN (SELECT id FROM indicators);
    DELETE FROM indicators WHERE id IN (SELECT old FROM _renamed);
    DROP TABLE _renamed;
    """,
    # 5: the Nabijheid voorzieningen variables, once user indicators, under their catalogue ids
    _rename_ids(_NABIJHEID_USER_IDS),
    # 6: observations and flows without a primary key. DuckDB keeps a key's index (ART) in memory
    # whole, about 150 MB per million figures, and checks it on every insert: a 45-million-figure
    # import needed gigabytes for the index alone. One row per key is kept by the code instead:
    # every write goes through the merge (update what is there, insert only keys that are not) or
    # the bundle load, which work the same way, after Store.apply refused a batch that holds a key
    # twice; Store.apply also lets one write run at a time per process. The rows are rewritten in
    # key order, so DuckDB's zone maps skip most of the table when a region's figures are read.
    _without_key("observations", (("region_code", "VARCHAR NOT NULL"), ("year", "INTEGER NOT NULL"),
                                  ("indicator_id", "VARCHAR NOT NULL"), ("value", "DOUBLE"),
                                  ("source_id", "VARCHAR NOT NULL"), ("rank", "VARCHAR")),
                 ("region_code", "year", "indicator_id"))
    + _without_key("flows", (("region_code", "VARCHAR NOT NULL"), ("year", "INTEGER NOT NULL"),
                             ("direction", "VARCHAR NOT NULL"), ("origin", "VARCHAR NOT NULL"),
                             ("persons", "DOUBLE"), ("months", "INTEGER NOT NULL DEFAULT 12"),
                             ("source_id", "VARCHAR NOT NULL"), ("rank", "VARCHAR")),
                   ("region_code", "year", "direction", "origin")),
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


def _frame(columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=columns)


@dataclass
class Batch:
    """Canonical tables produced by one import; any may be empty."""

    source: dict[str, object]
    regions: pd.DataFrame = field(default_factory=lambda: _frame(COLUMNS["regions"]))
    indicators: pd.DataFrame = field(default_factory=lambda: _frame(COLUMNS["indicators"]))
    observations: pd.DataFrame = field(default_factory=lambda: _frame(COLUMNS["observations"][:-1]))
    flows: pd.DataFrame = field(default_factory=lambda: _frame(COLUMNS["flows"][:-1]))
    geometries: pd.DataFrame = field(default_factory=lambda: _frame(COLUMNS["geometries"][:-1]))
    skipped: list[Problem] = field(default_factory=list)  # rows left out on purpose, with why

    def table(self, name: str) -> pd.DataFrame:
        if name == "sources":
            import pandas as pd

            return pd.DataFrame([self.source])
        df: pd.DataFrame = getattr(self, name)
        if "source_id" in COLUMNS[name] and "source_id" not in df.columns:
            df = df.assign(source_id=self.source["id"])
        return df


class Store:
    """One DuckDB file (or ``:memory:``) holding the canonical model."""

    #: How long opening waits for a lock another process holds (an import, a page being computed).
    LOCK_WAIT_S = 30.0
    #: Held by every write of figures (:meth:`apply`, the bundle load). Observations and flows have no
    #: primary key (migration 6): two writes in one process, on cursors of one connection, must not
    #: both insert a key neither saw. Other processes are kept out by DuckDB's file lock.
    write_lock = threading.RLock()

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
    def apply(self, batch: Batch, *, dry_run: bool = False, staged: Mapping[str, str] | None = None
              ) -> ApplyResult:
        """Validate references and merge the whole batch in one transaction.

        The merge rules (see :mod:`roltrap.store` docs, "Merging") make the store independent of
        the order of imports: a stored value is replaced only by a value (never by a missing one),
        and only by one from a source of higher :func:`source_rank`. ``dry_run`` computes the same
        result and rolls back. Returns what was added, changed and left alone.

        ``staged`` maps a table (``observations``) to a temporary table on this thread's connection
        that holds its rows instead of the batch's frame (a large file read in chunks: the rows stay
        in DuckDB, which spills to disk, instead of in one frame). The caller keeps the session open
        from staging to here.
        """
        if self.read_only and not dry_run:
            raise ConfigError(
                f"De opslag {self.path} is alleen-lezen geopend; er kan niets worden opgeslagen.",
                hint="Zet ROLTRAP_READ_ONLY uit om te importeren, of kies met --db een ander bestand.")
        staged = dict(staged or {})
        with self.session():
            self._check_references(batch, staged)
            rank = source_rank(batch, staged_figures=self._staged_figures(staged))
            result = ApplyResult(rank=rank, dry_run=dry_run)
            for name in ORDER:
                keys = KEYS[name]
                if name in staged:
                    shown = "; ".join(" ".join(str(v) for v in row) for row in self.con.execute(
                        f"SELECT {', '.join(keys)} FROM {staged[name]} GROUP BY ALL HAVING count(*) > 1 "
                        f"ORDER BY ALL LIMIT 3").fetchall())
                else:
                    df = batch.table(name)
                    if df.empty or not df.duplicated(subset=keys).any():
                        continue
                    dup = df[df.duplicated(subset=keys, keep=False)].drop_duplicates(subset=keys).head(3)
                    shown = "; ".join(" ".join(str(v) for v in row)
                                      for row in dup[keys].itertuples(index=False))
                if shown:
                    raise InputError(
                        f"De import bevat dezelfde {_TABLE_NAMES.get(name, name)} meer dan eens: {shown}. "
                        f"Er is niets opgeslagen.",
                        hint="Laat in het bestand per combinatie één rij staan en importeer opnieuw.")
            try:
                with self.write_lock, self.transaction() as con:
                    for name in ORDER:
                        if name in staged:
                            _merge_staged(con, name, staged[name], source_id=str(batch.source["id"]),
                                          rank=rank, result=result)
                            continue
                        df = batch.table(name)
                        result.offered[name] = len(df)
                        if df.empty:
                            continue
                        cols = [c for c in COLUMNS[name] if c in df.columns]
                        _merge(con, name, df[cols].assign(rank=rank), result)
                    if dry_run:
                        raise _DryRun  # the transaction rolls back; the result stays
            except _DryRun:
                return result
        if result.total_written():
            self.changes += 1
        return result

    def _staged_figures(self, staged: Mapping[str, str]) -> int:
        total = 0
        for name, table in staged.items():
            col = _VALUE_COLUMNS[name]
            row = self.con.execute(f"SELECT count({col}) FROM {table}").fetchone()
            total += int(row[0]) if row else 0
        return total

    def _check_references(self, batch: Batch, staged: Mapping[str, str] | None = None) -> None:
        staged = staged or {}
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
            if name in staged:
                sql = f"SELECT DISTINCT {col} FROM {staged[name]}"
                values = {r[0] for r in self.con.execute(sql).fetchall()}
            else:
                df = getattr(batch, name)
                if df.empty:
                    continue
                values = set(df[col])
            unknown = sorted(values - known)
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

    def rows(self, sql: str, params: list[object] | None = None) -> list[dict[str, Any]]:
        """The answer as plain Python rows (column → value), without pandas: for small lookups on
        paths that must start fast (``roltrap show``) or run per request.

        DuckDB imports pandas and numpy (0.3 s) the first time it binds a parameter, so the values
        are written into the SQL as literals (:func:`sql_literal`) instead. ``?`` marks each value,
        as in :meth:`query`; it must not occur inside a quoted text of ``sql``.
        """
        parts = sql.split("?")
        if len(parts) != len(params or []) + 1:
            raise ValueError(f"{len(parts) - 1} placeholders for {len(params or [])} values")
        values = [sql_literal(v) for v in params or []]
        text = parts[0] + "".join(v + rest for v, rest in zip(values, parts[1:], strict=True))
        with self.session():
            cur = self.con.execute(text)
            names = [d[0] for d in cur.description or []]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        if self._base is not None:
            self._base.close()
            self._base = None


def sql_literal(value: object) -> str:
    """``value`` (None, bool, int, float, text or a list of them) as a DuckDB SQL literal.

    Text is quoted by doubling its single quotes, the SQL standard's only escape in a quoted
    string (DuckDB reads backslashes literally); a NUL, which the parser cannot take inside quotes,
    is joined in with ``chr(0)``.
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, numbers.Integral):  # numpy's integers too
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"'{float(value)!r}'::DOUBLE"
    if isinstance(value, str):
        quoted = "'" + value.replace("'", "''") + "'"
        if "\x00" in value:
            quoted = "(" + quoted.replace("\x00", "' || chr(0) || '") + ")"
        return quoted
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(sql_literal(v) for v in value) + "]"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


# -- merging ------------------------------------------------------------------------------------
#
# Rules (the same for every import, so the same set of files gives the same store in any order):
#
# 1. A value is replaced only by a value. A missing cell in a file (CBS ``.``, ``x``, an empty cell,
#    a whole column not published yet) never removes or replaces a stored value.
# 2. Between two values for the same key, the one from the source with the higher rank wins; the
#    rank is a tuple compared left to right (:func:`source_rank`):
#    specificity (estimate 0 < compilation such as KWB 1 < a table on one theme 2), then the
#    edition (the release date CBS states, else the file's modification time: a newer download
#    wins), then how many figures the source holds (a fuller release wins over a first release),
#    then a digest of the content and the source id (stable tie-breaks).
# 3. Bundled rows carry no rank and lose to every import; ``bundle.load_into`` only fills keys the
#    store lacks or holds as missing.
# 4. Regions: a name is replaced only by a real name (not the bare code) from a higher rank; the
#    boundary year kept is the latest one any source gives.
#
# Rank and value decide together: the final row of a key is the maximum over the imports of
# (has a value, rank), which does not depend on order. A re-import of the same file has the same
# rank and the same values, so nothing changes.

#: Table → the column that holds "the value" (None: the row itself is the value).
_VALUE_COLUMNS: dict[str, str | None] = {"observations": "value", "flows": "persons",
                                         "geometries": "geom_wkb"}
#: How many changed rows an :class:`ApplyResult` keeps as examples per table.
EXAMPLES = 5


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


@dataclass
class ApplyResult:
    """What one :meth:`Store.apply` did (or would do, for a dry run), per table.

    ``added``: keys the store did not hold (``empty`` of them without a value); ``filled``: keys
    the store held as missing that now have a value; ``changed``: values replaced by another value
    (``examples`` shows the first few, old → new); ``unchanged``: the same value already stored;
    ``kept``: the file had no value, the stored one stays; ``outranked``: the file has another value
    but the stored one comes from a source of higher rank and stays.
    """

    rank: str
    dry_run: bool = False
    offered: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    empty: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    outranked: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, object]] = field(default_factory=list)

    def total_written(self) -> int:
        return sum(self.added.values()) + sum(self.filled.values()) + sum(self.changed.values())

    def written(self) -> dict[str, int]:
        """Rows added, filled or changed per table (0 for tables the batch did not touch)."""
        return {n: self.added.get(n, 0) + self.filled.get(n, 0) + self.changed.get(n, 0) for n in ORDER}

    def __getitem__(self, name: str) -> int:
        return self.written()[name]

    def as_dict(self) -> dict[str, object]:
        return {"rank": self.rank, "dry_run": self.dry_run,
                **{k: dict(getattr(self, k)) for k in ("offered", "added", "empty", "filled", "changed",
                                                       "unchanged", "kept", "outranked")},
                "examples": list(self.examples)}


def source_rank(batch: Batch, *, staged_figures: int = 0) -> str:
    """The precedence of a batch's source as a string that sorts like the tuple
    (specificity, edition, figures, digest, source id); see the merge rules above.

    The importer fills ``source["specificity"]``, ``["edition"]`` and ``["digest"]``; without them
    the defaults are 1, "" and a digest of the batch's figures.
    """
    import hashlib

    import pandas as pd

    src = batch.source
    spec = 0 if src.get("estimate") else int(str(src.get("specificity", 1)))
    edition = str(src.get("edition") or "")[:19].ljust(19, "0")
    figures = staged_figures  # rows held in a staging table (a digest of the file is then given)
    digest = hashlib.sha256()
    for name in ("observations", "flows", "geometries"):
        df = getattr(batch, name)
        col = _VALUE_COLUMNS[name]
        if df.empty or col is None or col not in df.columns:
            continue
        figures += int(df[col].notna().sum())
        if not src.get("digest"):
            keys = [k for k in KEYS[name] if k in df.columns]
            part = df[[*keys, col]].sort_values(keys) if keys else df[[col]]
            digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
    tie = str(src.get("digest") or digest.hexdigest())[:16]
    # The source id last: two sources with the same content still have one order.
    return f"{min(max(spec, 0), 9)}|{edition}|{min(figures, 10**12 - 1):012d}|{tie}|{src.get('id')}"


def _merge(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame, result: ApplyResult) -> None:
    """Merge one table of a batch into the store by the rules above, counting what happened."""
    keys = KEYS[name]
    cols = list(df.columns)
    con.register("_incoming", df)
    try:
        if name in ("sources", "indicators"):
            _merge_definitions(con, name, keys, cols, result)
        elif name == "regions":
            _merge_regions(con, cols, result)
        else:
            _merge_values(con, name, keys, cols, result)
    finally:
        con.unregister("_incoming")


def _merge_staged(con: duckdb.DuckDBPyConnection, name: str, table: str, *, source_id: str, rank: str,
                  result: ApplyResult) -> None:
    """Merge the rows of a staging table (see :meth:`Store.apply`) by the same rules as a frame."""
    keys = KEYS[name]
    have = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    cols = [c for c in COLUMNS[name] if c in have and c != "source_id"]
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    result.offered[name] = int(row[0]) if row else 0

    def quote(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    con.execute(f"CREATE OR REPLACE TEMP VIEW _incoming AS SELECT {', '.join(cols)}, "
                f"{quote(source_id)} AS source_id, {quote(rank)} AS rank FROM {table}")
    try:
        _merge_values(con, name, keys, [*cols, "source_id", "rank"], result)
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction: the rollback drops it
            con.execute("DROP VIEW IF EXISTS _incoming")


def _merge_definitions(con: duckdb.DuckDBPyConnection, name: str, keys: list[str], cols: list[str],
                       result: ApplyResult) -> None:
    on = " AND ".join(f"t.{k} = i.{k}" for k in keys)
    new = con.execute(f"SELECT count(*) FROM _incoming i WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE {on})"
                      ).fetchone()
    result.added[name] = int(new[0]) if new else 0
    col_list = ", ".join(cols)
    if name == "sources":
        # The row of the highest-ranked import of this source id stays (re-import: no change).
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
        con.execute(f"INSERT INTO sources ({col_list}) SELECT {col_list} FROM _incoming "
                    f"ON CONFLICT (id) DO UPDATE SET {updates}, imported_at = CAST(now() AS TIMESTAMP) "
                    f"WHERE excluded.rank > coalesce(sources.rank, '')")
    else:
        # Indicator definitions are never overwritten by a file (the catalogue's label wins).
        cols = [c for c in cols if c != "rank"]
        col_list = ", ".join(cols)
        con.execute(f"INSERT INTO {name} ({col_list}) SELECT {col_list} FROM _incoming "
                    f"ON CONFLICT ({', '.join(keys)}) DO NOTHING")


def _merge_regions(con: duckdb.DuckDBPyConnection, cols: list[str], result: ApplyResult) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _rd AS
        SELECT i.*, t.code IS NOT NULL AS present, t.name AS old_name, t.parent AS old_parent,
               t.boundary_year AS old_by, coalesce(t.rank, '') AS old_rank
        FROM _incoming i LEFT JOIN regions t ON t.code = i.code""")
    row = con.execute("SELECT count(*) FILTER (NOT present), "
                      "count(*) FILTER (present AND rank > old_rank AND name IS NOT NULL AND name <> code "
                      "AND name IS DISTINCT FROM old_name) FROM _rd").fetchone()
    added, renamed = (int(row[0]), int(row[1])) if row else (0, 0)
    result.added["regions"] = added
    result.changed["regions"] = renamed
    result.unchanged["regions"] = result.offered.get("regions", 0) - added - renamed
    for rec in con.execute("SELECT code, old_name, name FROM _rd WHERE present AND rank > old_rank AND "
                           "name IS NOT NULL AND name <> code AND name IS DISTINCT FROM old_name "
                           f"ORDER BY code LIMIT {EXAMPLES}").fetchall():
        result.examples.append({"table": "regions", "key": {"code": rec[0]}, "column": "name",
                                "old": rec[1], "new": rec[2]})
    col_list = ", ".join(cols)
    con.execute(f"INSERT INTO regions ({col_list}) SELECT {col_list} FROM _rd WHERE NOT present")
    con.execute("""
        UPDATE regions SET
            name = CASE WHEN d.rank > d.old_rank AND d.name IS NOT NULL AND d.name <> d.code
                        THEN d.name ELSE regions.name END,
            parent = CASE WHEN regions.parent IS NULL OR (d.rank > d.old_rank AND d.parent IS NOT NULL)
                          THEN coalesce(d.parent, regions.parent) ELSE regions.parent END,
            boundary_year = greatest(regions.boundary_year, d.boundary_year),
            rank = greatest(coalesce(regions.rank, ''), d.rank)
        FROM _rd d WHERE d.present AND regions.code = d.code
          AND (d.rank > d.old_rank OR regions.parent IS NULL
               OR d.boundary_year > coalesce(regions.boundary_year, -1))""")
    con.execute("DROP TABLE _rd")


def _merge_values(con: duckdb.DuckDBPyConnection, name: str, keys: list[str], cols: list[str],
                  result: ApplyResult) -> None:
    value = _VALUE_COLUMNS[name]
    assert value is not None
    on = " AND ".join(f"t.{k} = i.{k}" for k in keys)
    others = [c for c in cols if c not in keys]
    status = f"""
        CASE WHEN NOT present THEN (CASE WHEN {value} IS NULL THEN 'empty' ELSE 'added' END)
             WHEN {value} IS NULL AND old_value IS NOT NULL THEN 'kept'
             WHEN {value} IS NULL THEN (CASE WHEN rank > old_rank THEN 'restamp' ELSE 'unchanged' END)
             WHEN old_value IS NULL THEN 'filled'
             WHEN {value} IS NOT DISTINCT FROM old_value
                  THEN (CASE WHEN rank > old_rank THEN 'restamp' ELSE 'unchanged' END)
             WHEN rank > old_rank THEN 'changed'
             ELSE 'outranked' END"""
    # A view, not a table: each step below streams through the join instead of holding a copy of
    # every incoming row (10M figures would be gigabytes). Updates run before inserts, so a row the
    # insert adds can never also count as updated.
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW _d AS
        SELECT *, {status} AS status FROM (
            SELECT i.*, t.{keys[0]} IS NOT NULL AS present, t.{value} AS old_value,
                   coalesce(t.rank, '') AS old_rank
            FROM _incoming i LEFT JOIN {name} t ON {on})""")
    counts = dict(con.execute("SELECT status, count(*) FROM _d GROUP BY status").fetchall())
    result.added[name] = int(counts.get("added", 0)) + int(counts.get("empty", 0))
    result.empty[name] = int(counts.get("empty", 0))
    result.filled[name] = int(counts.get("filled", 0))
    result.changed[name] = int(counts.get("changed", 0))
    result.unchanged[name] = int(counts.get("unchanged", 0)) + int(counts.get("restamp", 0))
    result.kept[name] = int(counts.get("kept", 0))
    result.outranked[name] = int(counts.get("outranked", 0))
    if name != "geometries" and result.changed[name]:
        key_list = ", ".join(keys)
        for rec in con.execute(f"SELECT {key_list}, old_value, {value} FROM _d WHERE status = 'changed' "
                               f"ORDER BY {key_list} LIMIT {EXAMPLES}").fetchall():
            result.examples.append({"table": name, "key": dict(zip(keys, rec[:len(keys)], strict=True)),
                                    "column": value, "old": rec[-2], "new": rec[-1]})
    elif result.changed[name]:
        for rec in con.execute(f"SELECT {', '.join(keys)} FROM _d WHERE status = 'changed' "
                               f"ORDER BY ALL LIMIT {EXAMPLES}").fetchall():
            result.examples.append({"table": name, "key": dict(zip(keys, rec, strict=True)),
                                    "column": value, "old": "grens", "new": "andere grens"})
    col_list = ", ".join(cols)
    sets = ", ".join(f"{c} = d.{c}" for c in others)
    match = " AND ".join(f"{name}.{k} = d.{k}" for k in keys)
    if result.filled[name] or result.changed[name] or counts.get("restamp"):
        con.execute(f"UPDATE {name} SET {sets} FROM _d d WHERE d.status IN ('filled', 'changed', 'restamp') "
                    f"AND {match}")
    if result.added[name]:
        # 'added' and 'empty' are the keys the table lacks: an anti join, without the status of each row
        # (three times faster on ten million new figures).
        picked = ", ".join(f"i.{c}" for c in cols)
        con.execute(f"INSERT INTO {name} ({col_list}) SELECT {picked} FROM _incoming i "
                    f"LEFT JOIN {name} t ON {on} WHERE t.{keys[0]} IS NULL")
    con.execute("DROP VIEW _d")
