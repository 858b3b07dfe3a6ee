"""OpenStreetMap ways for the walk/bike network: Overpass GeoJSON and ``.osm.pbf`` extracts.

Each reader returns one row per OSM way: ``way_id`` (``way/<id>``), the routing tags (``highway``,
``access``, ``foot``, ``bicycle``, ``motorroad``, ``name``) and ``coords``, the way's vertices
projected to RD New (EPSG:28992, metres). PBF files are read with pyosmium (libosmium), GeoJSON with
the standard library. Files are checked first; a file that cannot be read raises a Dutch
:class:`~roltrap.errors.InputError` naming it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from roltrap.errors import InputError, Problem

TAGS = ("highway", "access", "foot", "bicycle", "motorroad", "name", "area")
OSM_PUBLISHER = "OpenStreetMap-bijdragers"
OSM_LICENCE = "ODbL 1.0"
OSM_ATTRIBUTION = "© OpenStreetMap-bijdragers (ODbL)"
MAX_PBF_BYTES = 2 * 1024**3  # a province extract; a whole-country file needs cutting first

@functools.cache
def _transformer(src: str, dst: str) -> Any:
    from pyproj import Transformer  # only when projecting: detecting a file needs no geo packages

    return Transformer.from_crs(src, dst, always_xy=True)


def to_rd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _transformer("EPSG:4326", "EPSG:28992").transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def osm_source(source_id: str, title: str, path: Path | str, **extra: object) -> dict[str, object]:
    """A ``sources`` row for OpenStreetMap data (ODbL: attribution required)."""
    src: dict[str, object] = {
        "id": source_id,
        "title": title,
        "publisher": OSM_PUBLISHER,
        "licence": OSM_LICENCE,
        "attribution": OSM_ATTRIBUTION,
        "provenance": None,
        "file": Path(path).name,
        "estimate": False,
        "rows_loaded": None,
    }
    src.update(extra)
    return src


def is_osm_pbf(path: Path) -> bool:
    return path.name.lower().endswith(".pbf")


def is_osm_geojson(path: Path) -> bool:
    """A GeoJSON file of OSM ways: features with ``highway`` or ``@id`` = ``way/...`` properties."""
    if path.suffix.lower() not in {".geojson", ".json"}:
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(200_000).decode("utf-8", errors="replace")
    except OSError:
        return False
    return '"FeatureCollection"' in head and ('"highway"' in head or '"way/' in head)


def _ways_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["way_id", *TAGS, "lonlat"]
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        df["coords"] = pd.Series(dtype=object)
        return df.drop(columns="lonlat")
    # One projection call for all vertices (fast), then split back per way.
    lens = df["lonlat"].map(len).to_numpy()
    allpts = np.concatenate([np.asarray(p, float) for p in df["lonlat"]])
    x, y = to_rd(allpts[:, 0], allpts[:, 1])
    xy = np.c_[x, y]
    parts = np.split(xy, np.cumsum(lens)[:-1])
    df["coords"] = [p.tolist() for p in parts]
    return df.drop(columns="lonlat")


def read_osm_geojson(path: Path | str, *, default_tags: dict[str, str] | None = None) -> pd.DataFrame:
    """Ways of an Overpass (overpass-turbo) GeoJSON export, or any FeatureCollection of OSM lines.

    LineStrings and MultiLineStrings are ways; a Polygon (a pedestrian square mapped as ``area=yes``)
    contributes its outer ring, which people walk round and across. Point features are ignored.
    ``default_tags`` fill tags a file does not carry (none by default: untagged = open to all).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path.name} is geen leesbaar GeoJSON-bestand: {exc}.",
            file=path,
            hint="Exporteer de wegen opnieuw met overpass-turbo (Export → GeoJSON).",
        ) from exc
    feats = data.get("features") if isinstance(data, dict) else None
    if not isinstance(feats, list):
        raise InputError(f"{path.name} is geen GeoJSON FeatureCollection (geen 'features').", file=path)
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, feat in enumerate(feats, start=1):
        geom = (feat or {}).get("geometry") or {}
        props = (feat or {}).get("properties") or {}
        fid = props.get("@id", feat.get("id") if isinstance(feat, dict) else None)
        way_id = str(fid) if fid is not None and str(fid).startswith("way/") else f"way/{fid}"
        gtype = geom.get("type")
        coords: Any = geom.get("coordinates")
        lines: list[list[Any]]
        if gtype == "LineString":
            lines = [coords or []]
        elif gtype == "MultiLineString":
            lines = list(coords or [])
        elif gtype == "Polygon":
            lines = [coords[0]] if coords else []
        elif gtype == "MultiPolygon":
            lines = [p[0] for p in coords or [] if p]
        else:
            continue
        tags = {t: (props.get(t) if props.get(t) is not None else (default_tags or {}).get(t)) for t in TAGS}
        for j, line in enumerate(lines):
            try:
                pts = [(float(c[0]), float(c[1])) for c in line]
            except (TypeError, ValueError, IndexError):
                problems.append(
                    Problem(
                        "coördinaten zijn geen [lengtegraad, breedtegraad]-paren",
                        file=str(path),
                        row=i,
                        column="geometry",
                    )
                )
                continue
            if len(pts) < 2:
                continue
            if any(not (-180 <= lon <= 180 and -90 <= lat <= 90) for lon, lat in pts):
                problems.append(
                    Problem(
                        "coördinaten buiten WGS84 (verwacht graden lengte/breedte)",
                        file=str(path),
                        row=i,
                        column="geometry",
                    )
                )
                continue
            rows.append({"way_id": way_id if j == 0 else f"{way_id}#{j}", **tags, "lonlat": pts})
    if problems:
        raise InputError(
            f"{path.name}: {len(problems)} wegen hebben ongeldige coördinaten; er is niets opgeslagen.",
            problems=problems,
            file=path,
            hint="GeoJSON hoort in WGS84 (lengtegraad, breedtegraad) te staan.",
        )
    if not rows:
        raise InputError(
            f"{path.name} bevat geen wegen (LineStrings).",
            file=path,
            hint="Exporteer OSM-wegen (highway=*) als GeoJSON met overpass-turbo.",
        )
    return _ways_frame(rows)


def read_osm_pbf(
    path: Path | str,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Every ``highway=*`` way of an ``.osm.pbf`` extract (as Geofabrik publishes them), via pyosmium.

    ``bbox`` (lon0, lat0, lon1, lat1) keeps the ways with at least one vertex inside; the rest of a
    province extract is skipped while reading. ``on_progress`` is called with the ways read so far.
    """
    import osmium

    path = Path(path)
    if not path.is_file():
        raise InputError(f"Bestand {path} bestaat niet.", file=path)
    size = path.stat().st_size
    if size > MAX_PBF_BYTES:
        raise InputError(
            f"{path.name} is {size / 1024**3:.1f} GiB; roltrap leest uittreksels tot "
            f"{MAX_PBF_BYTES / 1024**3:.0f} GiB.",
            file=path,
            hint="Knip eerst een provincie of gemeente uit (osmium extract -b ...).",
        )
    rows: list[dict[str, Any]] = []
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.WAY | osmium.osm.NODE)
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for n, way in enumerate(fp):
            if not isinstance(way, osmium.osm.Way):
                continue
            try:
                pts = [(nd.location.lon, nd.location.lat) for nd in way.nodes]
            except osmium.InvalidLocationError:
                pts = [(nd.location.lon, nd.location.lat) for nd in way.nodes if nd.location.valid()]
            if len(pts) < 2:
                continue
            if bbox is not None and not any(
                bbox[0] <= lo <= bbox[2] and bbox[1] <= la <= bbox[3] for lo, la in pts
            ):
                continue
            tags = {t: way.tags.get(t) for t in TAGS}
            rows.append({"way_id": f"way/{way.id}", **tags, "lonlat": pts})
            if on_progress is not None and n % 10_000 == 0:
                on_progress(len(rows))
    except RuntimeError as exc:  # libosmium: not a PBF, truncated, unsupported compression
        raise InputError(
            f"{path.name} is geen leesbaar OSM-PBF-bestand: {exc}.",
            file=path,
            hint="Download een .osm.pbf-uittreksel (bijv. een provincie van Geofabrik) en "
            "probeer het opnieuw.",
        ) from exc
    if not rows and bbox is None:
        raise InputError(
            f"{path.name} bevat geen wegen (highway=*).",
            file=path,
            hint="Download een uittreksel met wegen (bijv. een provincie van Geofabrik).",
        )
    return _ways_frame(rows)  # with a bbox the caller words "nothing inside" for its area


def merge_ways(preferred: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Union of two way sets by OSM way id; where both hold a way, the ``preferred`` record wins."""
    rest = other[~other["way_id"].isin(set(preferred["way_id"]))]
    return pd.concat([preferred, rest], ignore_index=True)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer("EPSG:28992", "EPSG:4326").transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)
