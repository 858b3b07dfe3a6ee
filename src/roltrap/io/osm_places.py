"""Destinations that ship with the bundle: railway stations (DOVA CHB), bus stops (GTFS), the centre.

Each reader returns canonical place rows: ``id``, ``name``, ``soort``, ``x``, ``y`` (RD New),
``year`` (state of the data), ``stale`` (True when the data are old enough to mislead) and ``note``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from roltrap.errors import InputError
from roltrap.io._read import read_table
from roltrap.io.osm import to_rd

PLACE_COLUMNS = ["id", "name", "soort", "x", "y", "year", "stale", "note", "source_id"]


def _frame(rows: Sequence[Mapping[str, object]], *, lon: list[float], lat: list[float]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    x, y = to_rd(np.asarray(lon), np.asarray(lat))
    df["x"], df["y"] = np.round(x, 2), np.round(y, 2)
    return df


def read_chb_stations(
    path: Path | str, *, bbox: tuple[float, float, float, float] | None = None, source_id: str
) -> pd.DataFrame:
    """Railway stations from a DOVA Centraal Haltebestand JSON list (``centroid_wgs84`` = [lon, lat]).

    Only stations with status ``available``; ``bbox`` (lon0, lat0, lon1, lat1) keeps those inside.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name} is geen leesbaar JSON-bestand: {exc}.", file=path) from exc
    rows, lons, lats = [], [], []
    for st in data:
        if st.get("stopplacestatus") not in (None, "available"):
            continue
        lon, lat = (float(v) for v in st["centroid_wgs84"])
        if bbox is not None and not (bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]):
            continue
        rows.append(
            {
                "id": f"chb:{st['stopplacecode']}",
                "name": str(st["publicname"]),
                "soort": "treinstation",
                "year": 2026,
                "stale": False,
                "note": None,
                "source_id": source_id,
            }
        )
        lons.append(lon)
        lats.append(lat)
    return _frame(rows, lon=lons, lat=lats)


def read_gtfs_stops(
    path: Path | str,
    *,
    year: int,
    source_id: str,
    bbox: tuple[float, float, float, float] | None = None,
    stale: bool = True,
) -> pd.DataFrame:
    """Bus stops from a GTFS ``stops.txt``: boarding points (``location_type`` 0 or empty)."""
    table = read_table(path, required=("stop_id", "stop_name", "stop_lat", "stop_lon"))
    df = table.frame()
    if "location_type" in df.columns:
        df = df[df["location_type"].fillna("").isin(["", "0"])]
    lon = pd.to_numeric(df["stop_lon"], errors="coerce")
    lat = pd.to_numeric(df["stop_lat"], errors="coerce")
    keep = lon.notna() & lat.notna()
    if bbox is not None:
        keep &= lon.between(bbox[0], bbox[2]) & lat.between(bbox[1], bbox[3])
    df, lon, lat = df[keep], lon[keep], lat[keep]
    note = f"haltebestand {year}: verouderd" if stale else None
    rows = [
        {
            "id": f"gtfs:{sid}",
            "name": str(name),
            "soort": "bushalte",
            "year": year,
            "stale": stale,
            "note": note,
            "source_id": source_id,
        }
        for sid, name in zip(df["stop_id"], df["stop_name"], strict=True)
    ]
    return _frame(rows, lon=lon.tolist(), lat=lat.tolist())


def centre_place(ways: pd.DataFrame, *, name: str, label: str, source_id: str, year: int) -> pd.DataFrame:
    """The city centre as one place: the centroid of the vertices of the OSM way(s) called ``name``."""
    hit = ways[ways["name"] == name]
    if hit.empty:
        raise ValueError(f"no way named {name!r}")
    pts = np.concatenate([np.asarray(c, float) for c in hit["coords"]])
    x, y = pts.mean(axis=0)
    return pd.DataFrame(
        [
            {
                "id": f"centrum:{name.lower()}",
                "name": label,
                "soort": "centrum",
                "x": round(float(x), 2),
                "y": round(float(y), 2),
                "year": year,
                "stale": False,
                "note": f"middelpunt van de OSM-weg '{name}'",
                "source_id": source_id,
            }
        ]
    )
