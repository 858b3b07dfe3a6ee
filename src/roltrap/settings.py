"""One settings object, read once from options, environment (``ROLTRAP_*``) and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("roltrap", appauthor=False))


def _default_template_dir() -> Path:
    return Path(platformdirs.user_cache_dir("roltrap", appauthor=False)) / "store-template"


class Settings(BaseSettings):
    """Where roltrap keeps its store and caches, and how it computes and serves.

    Every field can be set with an environment variable named ``ROLTRAP_<FIELD>``, for example
    ``ROLTRAP_DB=/srv/roltrap/leiden.duckdb``; command-line options override the environment.
    """

    model_config = SettingsConfigDict(env_prefix="ROLTRAP_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir,
                           description="Folder for the store and the CBS download cache.")
    db: Path | None = Field(default=None,
                            description="DuckDB store file; default <data_dir>/roltrap.duckdb.")
    template_dir: Path = Field(
        default_factory=_default_template_dir,
        description="Folder for the store filled from the bundle once per installation; a new store "
                    "is a copy of it (first use in a second instead of building the indexes again). "
                    "Its subfolder figures/ keeps the monitor's derived figures per store content.")
    gemeente: str = Field(default="GM0546", description="Default municipality (CBS code).")
    min_cell: int = Field(default=10, ge=1,
                          description="Smallest number of persons an output cell may show (CBS rule).")
    engine: Literal["duckdb", "spark"] = Field(default="duckdb",
                                                description="Engine for person-level cohort work.")
    spark_master: str = Field(default="local[2]", description="Spark master URL for --engine spark.")
    duckdb_memory_limit: str | None = Field(
        default=None,
        description="DuckDB memory limit for cohort work (e.g. 4GB); what does not fit spills to a "
        "temp folder. Default: DuckDB's own (80 % of RAM).")
    cohort_input: Path | None = Field(
        default=None,
        description="Person-year folder for the web page /roltrap; default a small synthetic Leiden "
        "generated once in <data_dir>/cohort-demo.")
    host: str = Field(default="127.0.0.1", description="Address the web app listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web app listens on.")
    read_only: bool = Field(default=False, description="Open the store read-only (deployment).")
    walk_kmh: float = Field(default=5.0, gt=0, le=30, description="Walking speed for travel times (km/h).")
    bike_kmh: float = Field(default=15.0, gt=0, le=60, description="Cycling speed for travel times (km/h).")
    access_margin_m: float = Field(
        default=1000.0, ge=0, le=20000,
        description="Margin (m) around a municipality kept when an OSM extract is imported.")
    access_snap_m: float = Field(
        default=250.0, gt=0, le=5000,
        description="Farthest a place may lie from the street network (m) to count as reachable.")
    cbs_odata_url: str = Field(
        default="https://opendata.cbs.nl", pattern=r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$",
        description="Base address of CBS's OData services (catalogue and tables) for `roltrap fetch`.")

    # Limits on import files (see roltrap.io._read.Limits): a hostile or wrong file is refused
    # quickly instead of exhausting the machine.
    import_max_mb: int = Field(default=256, ge=1, description="Largest file an import reads (MiB).")
    import_max_rows: int = Field(default=5_000_000, ge=1, description="Most data rows in an import file.")
    import_max_columns: int = Field(default=2_000, ge=1, description="Most columns in an import file.")
    import_max_cell: int = Field(default=32_767, ge=16,
                                 description="Most characters in one cell of an import file (Excel's own "
                                             "limit).")
    import_max_unzipped_mb: int = Field(default=512, ge=1,
                                        description="Largest unzipped size of an Excel import file (MiB); "
                                                    "checked before it is unpacked.")
    import_max_whole_cells: int = Field(
        default=5_000_000, ge=1,
        description="Most cells (rows × columns) in a text or Excel import file that is read whole "
                    "(every format but KWB and StatLine text files, which are read in chunks). Bounds "
                    "the memory of such an import: about 200 bytes per cell, 1.4 GB at the default.")
    import_memory_mb: int | None = Field(
        default=400, ge=64,
        description="Memory DuckDB may use while a large text import is checked and merged (MiB); what "
                    "does not fit spills to a temporary folder beside the store. With the default, a "
                    "250 MB KWB CSV (45 million figures) imports within 1 GB of memory; an import that "
                    "cannot fit even with spilling is refused. None: DuckDB's own limit (80 % of RAM).")

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else self.data_dir / "roltrap.duckdb"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cbs-cache"
