"""Which files ``rt.import_file`` hands to the access service (light: no network or geo packages)."""

from __future__ import annotations

from pathlib import Path


def import_kind(path: Path, format: str = "auto") -> str | None:
    """``network`` or ``places`` when ``rt.import_file`` should hand ``path`` to the access service."""
    from roltrap.io.osm import is_osm_geojson, is_osm_pbf
    from roltrap.io.vindplaatsen import is_vindplaatsen

    if format in ("osm", "osm-pbf", "osm-geojson"):
        return "network"
    if format == "vindplaatsen":
        return "places"
    if format != "auto" or not path.is_file():
        return None
    if is_osm_pbf(path) or is_osm_geojson(path):
        return "network"
    if is_vindplaatsen(path):
        return "places"
    return None
