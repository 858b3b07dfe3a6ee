"""Cohort fixtures: a hand-countable person-year file and one Spark session for the whole run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cohort_fixtures import hand_rows


@pytest.fixture(scope="session")
def hand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hand")
    hand_rows().to_parquet(d / "person_years.parquet", index=False)
    return d


@pytest.fixture(scope="session")
def spark_con() -> Iterator[Any]:
    """One local Spark session (≈15 s to start) for every Spark test of the run."""
    # A plain import, not importorskip: the suite installs the [spark] extra, and a missing Spark
    # must fail the run rather than skip the engine-agreement tests silently.
    import ibis
    import pyspark.sql as pyspark

    session = (
        pyspark.SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield ibis.pyspark.connect(session)
    session.stop()
