"""Wijk/buurt/gemeente polygons (GeoJSON, GeoPackage, shapefile) → ``geometries`` rows in RD New.

Geometries are stored as WKB in EPSG:28992 whatever came in: the file's CRS is read (also the
``urn:ogc:def:crs:EPSG::28992`` spelling); a file without CRS is judged by its coordinates
(degrees → WGS84, metres within the Dutch RD box → RD New). Codes come from the usual properties;
when a file has several code columns (BU_CODE and WK_CODE), the most specific one that is filled
names the feature.

Nothing doubtful is stored: a CRS that is unknown (EPSG:99999) or does not match the coordinates
(RD metres declared as WGS84, or degrees declared as RD), a coordinate that is not finite (``1e999``,
NaN), or a geometry outside the Netherlands' RD extent after projection is refused with the feature
named. Invalid polygons are repaired (``make_valid``, keeping the polygonal part); a feature that
cannot be repaired into a polygon is refused.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import year_from_name
from roltrap.io._read import check_file
from roltrap.io.codes import level_of, normalise_code, parent_of
from roltrap.store import COLUMNS, Batch

if TYPE_CHECKING:
    import geopandas as gpd

RD = "EPSG:28992"
# Most specific first: a buurt file also carries its wijk's and gemeente's codes.
CODE_FIELDS = ("BU_CODE", "WK_CODE", "GM_CODE", "BUC", "WKC", "GMC", "statcode", "STATCODE", "code", "CODE")
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


def _filled(values: pd.Series) -> bool:
    return bool(values.map(lambda v: v is not None and v == v and str(v).strip() != "").any())


def code_field_of(gdf: pd.DataFrame) -> str | None:
    """The code property that names the features: the most specific of :data:`CODE_FIELDS` that has
    a value (a buurt file with an empty BU_CODE column is a wijk file)."""
    present = [f for f in CODE_FIELDS if f in gdf.columns]
    return next((f for f in present if _filled(gdf[f])), present[0] if present else None)


_CRS_MEMBER = re.compile(r'"crs"\s*:\s*\{.*?"name"\s*:\s*"([^"]*)"', re.S)


def declared_crs(path: Path) -> str | None:
    """The CRS a GeoJSON file names in its ``crs`` member (``EPSG:28992``, ``urn:ogc:def:crs:…``),
    or None when it names none. GDAL silently reads an unknown CRS as WGS84, so roltrap reads it
    itself (from the first and last 64 kB, where the member stands)."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(65536)
        fh.seek(max(0, size - 65536))
        tail = fh.read(65536)
    m = _CRS_MEMBER.search(head.decode("utf-8", "replace")) or _CRS_MEMBER.search(
        tail.decode("utf-8", "replace"))
    return m.group(1).strip() if m else None


def _crs_code(name: str) -> str | None:
    """``EPSG:NNNN`` for a CRS name, or None when it names no EPSG code (``CRS84`` is WGS84)."""
    if name.upper().endswith("CRS84"):
        return "EPSG:4326"
    m = re.search(r"EPSG\D*(\d+)\s*$", name, re.I)
    return f"EPSG:{m.group(1)}" if m else None


def _code_or_none(raw: object) -> str | None:
    """The parent gemeente code, or None when the cell is unusable (it only names a parent)."""
    try:
        return normalise_code(raw)
    except ValueError:
        return None


def _geometry_problems(geoms: np.ndarray, path: Path, what: str, ok: np.ndarray) -> list[Problem]:
    return [Problem(what, str(path), int(i) + 1, "geometrie") for i in np.flatnonzero(~ok)]


def _to_rd(gdf: gpd.GeoDataFrame, *, path: Path) -> gpd.GeoDataFrame:
    """The features in RD New, after checking the coordinates against the declared CRS and the
    Netherlands' extent; an :class:`InputError` names every feature that fails."""
    import pyproj
    import shapely

    geoms = gdf.geometry.to_numpy()
    present = ~(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy())
    finite = np.array([not p or bool(np.isfinite(shapely.get_coordinates(g)).all())
                       for g, p in zip(geoms, present, strict=True)])
    if not finite.all():
        raise InputError(
            f"{path.name} heeft coördinaten die geen eindig getal zijn (oneindig of NaN, bijv. 1e999); "
            f"er is niets geïmporteerd.", file=path,
            problems=_geometry_problems(geoms, path, "coördinaat is geen eindig getal", finite),
            hint="Exporteer de grenzen opnieuw uit uw GIS-programma; verwacht RD-meters of graden.")
    use = gdf[present]
    if use.empty:
        return gdf
    bounds = tuple(float(b) for b in use.total_bounds)
    degrees, rd = _looks_degrees(bounds), _looks_rd(bounds)  # type: ignore[arg-type]
    declared = declared_crs(path) if path.suffix.lower() in {".geojson", ".json"} else None
    if declared is not None:
        code = _crs_code(declared)
        try:
            crs = pyproj.CRS.from_user_input(code or declared)
        except pyproj.exceptions.CRSError:
            raise InputError(
                f"{path.name} noemt een onbekend coördinatenstelsel: {declared}; er is niets geïmporteerd.",
                file=path,
                problems=[Problem("onbekend coördinatenstelsel", str(path), None, "crs", declared)],
                hint="Gebruik EPSG:28992 (RD New) of EPSG:4326 (WGS84, graden).") from None
    elif gdf.crs is not None and path.suffix.lower() not in {".geojson", ".json"}:
        crs = pyproj.CRS.from_user_input(gdf.crs)
    else:
        crs = None  # GeoJSON without a crs member: judged by its coordinates
    if crs is None:
        if degrees:
            crs = pyproj.CRS.from_epsg(4326)
        elif rd:
            crs = pyproj.CRS.from_epsg(28992)
        else:
            raise InputError(
                f"{path.name} noemt geen coördinatenstelsel, en de coördinaten zijn geen graden (WGS84) "
                f"en geen RD-meters (RD New).",
                file=path,
                hint="Sla het bestand op mét coördinatenstelsel (EPSG:28992 RD New of EPSG:4326 WGS84).",
            )
    elif crs.is_geographic and not degrees:
        raise InputError(
            f"{path.name} noemt {crs.name} (graden), maar de coördinaten zijn geen graden"
            + (" — het lijken RD-meters (EPSG:28992)" if rd else "") + "; er is niets geïmporteerd.",
            file=path, problems=[Problem("coördinaten passen niet bij het coördinatenstelsel", str(path),
                                         None, "crs", declared or str(crs.to_string()))],
            hint="Zet het juiste coördinatenstelsel in het bestand (EPSG:28992 voor RD-meters) of exporteer "
                 "de grenzen opnieuw.")
    elif not crs.is_geographic and degrees and not rd:
        raise InputError(
            f"{path.name} noemt {crs.name} (meters), maar de coördinaten zijn graden (WGS84); er is niets "
            f"geïmporteerd.", file=path,
            problems=[Problem("coördinaten passen niet bij het coördinatenstelsel", str(path), None, "crs",
                              declared or str(crs.to_string()))],
            hint="Zet het coördinatenstelsel op EPSG:4326 (WGS84) of exporteer de grenzen opnieuw in RD.")
    gdf = gdf.set_crs(crs, allow_override=True).to_crs(RD)
    inside = np.ones(len(gdf), dtype=bool)
    for i, (g, p) in enumerate(zip(gdf.geometry.to_numpy(), present, strict=True)):
        if p:
            xy = shapely.get_coordinates(g)
            inside[i] = bool(np.isfinite(xy).all()) and _looks_rd(
                (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())))
    if not inside.all():
        raise InputError(
            f"{path.name} heeft vlakken buiten Nederland (buiten het gebied van RD New, "
            f"x {_RD_BOX[0]:,.0f} tot {_RD_BOX[2]:,.0f}, y {_RD_BOX[1]:,.0f} tot {_RD_BOX[3]:,.0f} meter); "
            f"er is niets geïmporteerd.".replace(",", "."), file=path,
            problems=_geometry_problems(geoms, path, "vlak ligt buiten Nederland", inside),
            hint="Kloppen de coördinaten en het coördinatenstelsel? Lengte- en breedtegraad verwisseld?")
    return gdf


def _repaired(geoms: np.ndarray, codes: list[str], *, path: Path, field: str) -> np.ndarray:
    """Valid polygons: ``make_valid`` repairs self-intersections; only the polygonal part is kept (a
    repaired bow tie may also yield a line). A feature with no polygon left is refused."""
    import shapely

    fixed = shapely.make_valid(geoms)
    out = []
    problems = []
    for i, g in enumerate(fixed):
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(parts) if parts else None
        if g is None or g.is_empty or g.area <= 0:
            problems.append(Problem("geen geldig vlak (Polygon of MultiPolygon), ook niet na herstel",
                                    str(path), None, field, codes[i]))
        out.append(g)
    if problems:
        raise InputError(f"{path.name} heeft geometrieën die geen vlak zijn; er is niets geïmporteerd.",
                         file=path, problems=problems,
                         hint="Grenzen zijn vlakken (Polygon/MultiPolygon), geen punten of lijnen.")
    return np.array(out, dtype=object)


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
    check_file(path)
    fname = str(path)
    try:
        with warnings.catch_warnings():  # NaN coordinates warn in shapely; they are refused below
            warnings.simplefilter("ignore", RuntimeWarning)
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
    field = code_field or code_field_of(gdf)
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

    gdf = _to_rd(gdf, path=path)

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
    gdf = gdf.set_geometry(_repaired(gdf.geometry.to_numpy(), gdf["_code"].tolist(), path=path, field=field))
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

    wkb = shapely.to_wkb(gdf.geometry.to_numpy(), output_dimension=2)
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
