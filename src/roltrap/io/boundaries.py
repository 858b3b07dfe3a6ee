"""Wijk/buurt/gemeente polygons (GeoJSON, GeoPackage, shapefile) → ``geometries`` rows in RD New.

Geometries are stored as WKB in EPSG:28992 whatever came in: the file's CRS is read (also the
``urn:ogc:def:crs:EPSG::28992`` spelling); a file without CRS is judged by its coordinates
(degrees → WGS84, metres within the Dutch RD box → RD New). Codes come from the usual properties.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import year_from_name
from roltrap.io.codes import level_of, normalise_code, parent_of
from roltrap.store import COLUMNS, Batch

RD = "EPSG:28992"
CODE_FIELDS = ("WK_CODE", "BU_CODE", "GM_CODE", "WKC", "BUC", "GMC", "statcode", "STATCODE", "code", "CODE")
NAME_FIELDS = (
    "WK_NAAM",
    "BU_NAAM",
    "GM_NAAM",
    "WKN",
    "BUN",
    "GMN",
    "wijknaam",
    "statnaam",
    "STATNAAM",
    "naam",
    "name",
)
_RD_BOX = (-7000.0, 289000.0, 300000.0, 629000.0)  # EPSG:28992 area of use


def _looks_rd(bounds: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = bounds
    return _RD_BOX[0] <= x0 and x1 <= _RD_BOX[2] and _RD_BOX[1] <= y0 and y1 <= _RD_BOX[3]


def _looks_degrees(bounds: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = bounds
    return x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90


def _code_or_none(raw: object) -> str | None:
    """The parent gemeente code, or None when the cell is unusable (it only names a parent)."""
    try:
        return normalise_code(raw)
    except ValueError:
        return None


def read_boundaries(
    path: Path | str,
    *,
    boundary_year: int | None = None,
    code_field: str | None = None,
    source: dict[str, object] | None = None,
) -> Batch:
    """Polygons with region codes → Batch of geometries (+ the regions they name, also their gemeenten)."""
    import geopandas as gpd
    import shapely

    path = Path(path)
    fname = str(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own error types for every unreadable format
        raise InputError(
            f"{path.name} kan niet worden gelezen als bestand met grenzen: {exc}",
            file=path,
            hint="Verwacht GeoJSON, GeoPackage of een shapefile waarin elk vlak een regiocode heeft "
            "(eigenschap WK_CODE, BU_CODE, GM_CODE, statcode, …). Is het bestand volledig gedownload?",
        ) from exc
    if gdf.empty:
        raise InputError(
            f"{path.name} bevat geen vlakken (features).",
            file=path,
            hint="Het bestand is leeg; exporteer of download het opnieuw.",
        )
    field = code_field or next((f for f in CODE_FIELDS if f in gdf.columns), None)
    if field is None or field not in gdf.columns:
        found = [str(c) for c in gdf.columns if c != gdf.geometry.name][:12]
        what = f"eigenschap '{code_field}'" if code_field else "eigenschap (kolom) met regiocodes"
        raise InputError(
            f"{path.name} heeft geen {what}.",
            file=path,
            hint="Geef elk vlak een eigenschap met de regiocode (bijv. WK054600), met een van deze namen: "
            f"{', '.join(CODE_FIELDS)}. Gevonden eigenschappen: {', '.join(found) or 'geen'}.",
        )
    year = boundary_year or year_from_name(path)
    if year is None and "JAAR" in gdf.columns:
        latest = pd.to_numeric(gdf["JAAR"], errors="coerce").max()
        year = None if pd.isna(latest) else int(latest)
    if year is None:
        raise InputError(
            f"Het jaar van de indeling (grenzen) van {path.name} is onbekend.",
            file=path,
            hint="Zet het jaar in de bestandsnaam (bijv. wijken_2022.geojson), of geef de vlakken een "
            "eigenschap JAAR.",
        )

    x0, y0, x1, y1 = (float(b) for b in gdf.total_bounds)
    bounds = (x0, y0, x1, y1)
    if gdf.crs is None:
        if _looks_degrees(bounds):
            gdf = gdf.set_crs("EPSG:4326")
        elif _looks_rd(bounds):
            gdf = gdf.set_crs(RD)
        else:
            raise InputError(
                f"{path.name} noemt geen coördinatenstelsel, en de coördinaten zijn geen graden (WGS84) "
                f"en geen RD-meters (RD New).",
                file=path,
                hint="Sla het bestand op mét coördinatenstelsel (EPSG:28992 RD New of EPSG:4326 WGS84).",
            )
    elif gdf.crs.is_geographic and not _looks_degrees(bounds) and _looks_rd(bounds):
        gdf = gdf.set_crs(RD, allow_override=True)  # RD metres mislabelled as WGS84
    gdf = gdf.to_crs(RD)

    problems: list[Problem] = []
    codes: list[str] = []
    for i, raw in enumerate(gdf[field]):
        try:
            codes.append(normalise_code(raw))
        except ValueError as exc:
            problems.append(Problem(str(exc), fname, i + 1, field, str(raw)))
            codes.append("")
    if problems:
        raise InputError(
            f"{path.name} heeft vlakken met een ongeldige regiocode; er is niets geïmporteerd.",
            problems=problems,
            file=path,
            hint=f"Verbeter de regiocodes in eigenschap {field} (bijv. GM0546, WK054600, BU05460000) en "
            "importeer opnieuw.",
        )
    gdf = gdf.assign(_code=codes)
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    skipped = [
        Problem("vlak zonder geometrie; niet geladen", fname, int(i) + 1, field, gdf.at[i, "_code"])
        for i in gdf.index[empty]
    ]
    gdf = gdf[~empty]
    dup = gdf["_code"].duplicated(keep=False)
    skipped += [
        Problem("regiocode heeft meerdere vlakken; samen opgeslagen als één vlak", fname, None, field, c)
        for c in sorted(set(gdf.loc[dup, "_code"]))
    ]
    if dup.any():
        # Several parts of one region: one (multi)polygon per code, attributes of the first part.
        first = gdf.drop_duplicates("_code").set_index("_code")
        merged = gdf.dissolve(by="_code", sort=False)
        gdf = first.drop(columns="geometry").join(merged[["geometry"]]).reset_index()
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=RD)
    codes = gdf["_code"].tolist()

    geoms = shapely.make_valid(gdf.geometry.to_numpy())
    wkb = shapely.to_wkb(geoms, output_dimension=2)
    geo = pd.DataFrame({"region_code": codes, "boundary_year": int(year), "geom_wkb": list(wkb)})
    name_field = next((f for f in NAME_FIELDS if f in gdf.columns and f[:2] == field[:2]), None) or next(
        (f for f in NAME_FIELDS if f in gdf.columns and f.upper() not in ("GM_NAAM", "GMN")), None
    )
    names = gdf[name_field].fillna("").astype(str).str.strip() if name_field else pd.Series(codes)
    reg = pd.DataFrame(
        {
            "code": codes,
            "name": [n or c for n, c in zip(names, codes, strict=True)],
            "level": [level_of(c) for c in codes],
            "parent": [parent_of(c) for c in codes],
            "boundary_year": int(year),
        },
        columns=COLUMNS["regions"],
    )
    gm_code = next((f for f in ("GM_CODE", "GMC") if f in gdf.columns and f != field), None)
    gm_name = next((f for f in ("GM_NAAM", "GMN") if f in gdf.columns), None)
    if gm_code and gm_name:
        gm = pd.DataFrame(
            {
                "code": gdf[gm_code].map(_code_or_none),
                "name": gdf[gm_name].astype(str).str.strip(),
                "level": "gemeente",
                "parent": "NL00",
                "boundary_year": int(year),
            }
        )
        reg = pd.concat([gm.dropna(subset=["code"]).drop_duplicates("code"), reg], ignore_index=True)
    src = source or {
        "id": f"boundaries-{path.stem}",
        "title": f"Grenzen {path.stem}",
        "publisher": "CBS / Kadaster",
        "licence": "CC BY 4.0",
        "attribution": "Bron: CBS, Kadaster",
        "provenance": None,
        "file": path.name,
        "estimate": False,
        "rows_loaded": None,
    }
    return Batch(
        source={**src, "rows_loaded": len(geo)},
        regions=reg.reset_index(drop=True),
        geometries=geo,
        skipped=skipped,
    )
