"""Compute engines for person-level work: one Ibis backend, DuckDB in-process or PySpark.

The metrics in :mod:`roltrap.cohort.metrics` are Ibis expressions, so the same analysis runs on
either backend. DuckDB is the default and needs nothing. Spark is for inputs that outgrow one
machine:

* local mode (default ``ROLTRAP_SPARK_MASTER=local[2]``): a JVM on this machine, ~15 s to start;
* a cluster: ``ROLTRAP_SPARK_MASTER=spark://host:7077 roltrap cohort analyse --engine spark
  --input /shared/person-years ...``. The input folder must then be on storage every executor can
  read (NFS, HDFS ``hdfs://...``, S3 ``s3a://...``), and the executors need the same PySpark
  version (4.0.x) as this machine. Install with ``pip install 'roltrap[spark]'`` and a Java 17 runtime.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import ibis

from roltrap.errors import EngineError
from roltrap.settings import Settings

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")


def connect(engine: str = "duckdb", *, settings: Settings | None = None, session: Any = None) -> Any:
    """An Ibis backend for ``engine``.

    ``session`` lets a caller (tests, a notebook) pass an existing SparkSession so one JVM serves
    many analyses; otherwise one is created from ``settings.spark_master``.
    """
    settings = settings or Settings()
    if engine == "duckdb":
        if settings.duckdb_memory_limit:
            # Above the limit DuckDB spills joins and aggregates to its temp folder (out of core).
            return ibis.duckdb.connect(memory_limit=settings.duckdb_memory_limit, temp_directory=spill_dir())
        return ibis.duckdb.connect()
    if engine == "spark":
        if session is None:
            session = spark_session(settings=settings)
        return ibis.pyspark.connect(session)
    raise EngineError(f"Onbekende rekenmachine '{engine}'.", hint="Kies {engine} duckdb of spark.",
                      param="engine", value=engine)


SPILL_PREFIX = "roltrap-duckdb-"


def spill_dir() -> str:
    """A private folder for one DuckDB connection's spill files, removed when the process ends.

    DuckDB's default (``.tmp`` in the working folder) is shared by every process started there, and
    two runs spilling at once overwrite each other's temp files. The folder is named after this
    process, so that the next run can remove the folders of killed runs (see :func:`sweep_spill`).
    """
    sweep_spill()
    path = tempfile.mkdtemp(prefix=f"{SPILL_PREFIX}{os.getpid()}-")
    atexit.register(shutil.rmtree, path, True)
    return path


def sweep_spill() -> list[str]:
    """Remove the spill folders of roltrap processes that no longer run; returns their names.

    A killed run (SIGKILL, a power cut) never reaches its exit handler, and its spill files hold
    intermediate person-level rows: they must not stay on disk until the temp folder is emptied.
    Only folders of this user whose process is gone are touched; a live run keeps its own.
    """
    removed: list[str] = []
    base = tempfile.gettempdir()
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(SPILL_PREFIX):
            continue
        pid = entry.name[len(SPILL_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or not entry.is_dir(follow_symlinks=False) \
                    or entry.stat(follow_symlinks=False).st_uid != os.getuid() or _alive(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def spark_session(*, settings: Settings | None = None, app_name: str = "roltrap-cohort") -> Any:
    """A SparkSession on ``settings.spark_master``; clear errors when PySpark or Java is missing."""
    settings = settings or Settings()
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise EngineError(
            "PySpark is niet geïnstalleerd, dus {engine} spark kan niet draaien.",
            hint="Installeer de Spark-extra: pip install 'roltrap[spark]' (en een Java 17 runtime), "
            "of gebruik {engine} duckdb.",
        ) from exc
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise EngineError(
            "Spark heeft Java nodig, maar er is geen Java gevonden (geen JAVA_HOME, geen 'java' op PATH).",
            hint="Installeer Java 17 (bijv. apt-get install openjdk-17-jre-headless) "
            "of gebruik {engine} duckdb.",
        )
    try:
        return (
            SparkSession.builder.master(settings.spark_master)
            .appName(app_name)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except Exception as exc:  # the JVM reports many kinds of start failures
        raise EngineError(
            f"Spark kon niet starten op master '{settings.spark_master}': {exc}",
            hint="Controleer ROLTRAP_SPARK_MASTER en de Java-installatie, of gebruik {engine} duckdb.",
        ) from exc


def load(con: Any, files: tuple[Any, ...] | list[Any], *, fmt: str) -> Any:
    """The person-year files as an Ibis table on ``con`` (either backend), columns as stored."""
    paths = [str(p) for p in files]
    if con.name == "pyspark":
        session = con._session
        reader = session.read
        df = reader.parquet(*paths) if fmt == "parquet" else reader.csv(paths, header=True, inferSchema=False)
        name = f"person_years_{abs(hash(tuple(paths))) % 10**10}"
        df.createOrReplaceTempView(name)
        return con.table(name)
    if fmt == "parquet":
        return con.read_parquet(paths, union_by_name=True)
    return con.read_csv(paths, all_varchar=True, union_by_name=True)


@contextmanager
def watch(con: Any, report: Callable[[float], None] | None, *, every: float = 0.25) -> Iterator[None]:
    """While the block runs, report the share done (0–1) of the query running on ``con``.

    DuckDB (an Ibis backend or a plain connection) tells the progress of its running query to
    another thread; a helper thread asks every ``every`` seconds, so a long step of a national run
    moves the progress bar. Other engines report nothing here (their steps still do).
    """
    duck = getattr(con, "con", con)
    if report is None or not hasattr(duck, "query_progress"):
        yield
        return
    duck.execute("SET enable_progress_bar = true")
    duck.execute("SET enable_progress_bar_print = false")
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(every):
            try:
                share = float(duck.query_progress())
            except Exception:  # the connection is closing: nothing more to tell
                return
            if share >= 0:
                report(share / 100.0)

    helper = threading.Thread(target=poll, name="roltrap-progress", daemon=True)
    helper.start()
    try:
        yield
    finally:
        stop.set()
        helper.join(timeout=every * 4)
