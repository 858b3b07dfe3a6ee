"""The user's own places (vindplaatsen, §22): a CSV, Excel or GeoJSON list → canonical place rows.

Columns (case and spaces do not matter): ``naam``, ``soort`` (one of
:data:`roltrap.access.kinds.SOORTEN`), and coordinates as ``breedtegraad``/``lengtegraad`` (WGS84,
also ``lat``/``lon``) or ``x_rd``/``y_rd`` (RD New, also ``x``/``y``). Every row is checked; all
problems are reported at once with row and column, and nothing is stored when any row is wrong.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from roltrap.access.kinds import KINDS, SOORTEN, normalise_kind
from roltrap.errors import InputError, Problem
from roltrap.io._parse import parse_series
from roltrap.io._read import EXCEL_SUFFIXES, check_file, check_workbook, read_frame
from roltrap.io.osm import to_rd
from roltrap.io.osm_places import PLACE_COLUMNS

MAX_PLACES = 50_000
_ALIASES = {
    "naam": ("naam", "name", "locatie", "vindplaats"),
    "soort": ("soort", "type", "kind", "categorie"),
    "lat": ("breedtegraad", "lat", "latitude", "wgs84_lat"),
    "lon": ("lengtegraad", "lon", "lng", "longitude", "wgs84_lon"),
    "x": ("x_rd", "rd_x", "x", "xcoord"),
    "y": ("y_rd", "rd_y", "y", "ycoord"),
}
_NL_WGS84 = (3.2, 50.7, 7.3, 53.7)  # lon0, lat0, lon1, lat1
_NL_RD = (-7000.0, 289000.0, 300000.0, 629000.0)
TEMPLATE_ROWS = [
    {
        "naam": "Buurthuis De Kooi (voorbeeld)",
        "soort": "buurthuis",
        "breedtegraad": "52,1661",
        "lengtegraad": "4,4962",
        "x_rd": "",
        "y_rd": "",
    },
    {
        "naam": "Bibliotheek Nieuwstraat (voorbeeld)",
        "soort": "bibliotheek",
        "breedtegraad": "",
        "lengtegraad": "",
        "x_rd": "93330",
        "y_rd": "463890",
    },
]


def template_frame() -> pd.DataFrame:
    return pd.DataFrame(
        TEMPLATE_ROWS, columns=["naam", "soort", "breedtegraad", "lengtegraad", "x_rd", "y_rd"]
    )


def template_csv() -> bytes:
    """The downloadable template: `;`-separated, UTF-8 with BOM (Excel opens it with accents intact)."""
    body = template_frame().to_csv(sep=";", index=False, lineterminator="\n")
    return ("\ufeff" + body).encode("utf-8")


def template_xlsx() -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        template_frame().to_excel(xw, sheet_name="vindplaatsen", index=False)
        pd.DataFrame({"soort": [k.id for k in KINDS], "omschrijving": [k.label for k in KINDS]}).to_excel(
            xw, sheet_name="soorten", index=False
        )
    return buf.getvalue()


def _pick(columns: list[str], key: str) -> str | None:
    low = {c.strip().lower(): c for c in columns}
    for alias in _ALIASES[key]:
        if alias in low:
            return low[alias]
    return None


def _geojson_frame(path: Path) -> pd.DataFrame:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f" (fout op regel {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{path.name} is geen leesbaar GeoJSON-bestand{where}.", file=path,
                         hint="Sla de lijst op als GeoJSON met punten, of gebruik de sjabloon.") from None
    feats = data.get("features") if isinstance(data, dict) else None
    if not isinstance(feats, list):
        raise InputError(f"{path.name} is geen GeoJSON FeatureCollection (geen 'features').", file=path)
    crs = json.dumps(data.get("crs") or {})
    rd = "28992" in crs
    if data.get("crs") and not rd and not any(k in crs for k in ("4326", "CRS84")):
        raise InputError(
            f"{path.name} noemt een coördinatenstelsel dat roltrap niet kent: {crs[:80]}; er is niets "
            f"opgeslagen.", file=path,
            problems=[Problem("onbekend coördinatenstelsel", file=str(path), column="crs", value=crs[:80])],
            hint="Gebruik EPSG:4326 (WGS84, graden) of EPSG:28992 (RD New, meters).")
    rows = []
    for feat in feats:
        props = dict((feat or {}).get("properties") or {})
        geom = (feat or {}).get("geometry") or {}
        coords = geom.get("coordinates") if geom.get("type") == "Point" else None
        a, b = (coords[0], coords[1]) if isinstance(coords, list) and len(coords) >= 2 else ("", "")
        row = {k: ("" if v is None else str(v)) for k, v in props.items()}
        row.update(
            {"x_rd": str(a), "y_rd": str(b)} if rd else {"lengtegraad": str(a), "breedtegraad": str(b)}
        )
        rows.append(row)
    df = pd.DataFrame(rows).fillna("").astype("string")
    df.index = pd.RangeIndex(1, len(df) + 1, name="line")  # GeoJSON: feature number
    return df


def read_vindplaatsen(
    path: Path | str, *, source_id: str | None = None, data: bytes | None = None
) -> tuple[pd.DataFrame, str]:
    """Validated place rows (:data:`PLACE_COLUMNS`) and the source id; an InputError lists every bad row.

    Rows are numbered as the user sees them: the line in a CSV, the row in Excel (header = 1), the
    feature number in GeoJSON. With ``data`` (an upload already read, under its byte cap) ``path``
    only names the file: the bytes go through the very same checks as a file on disk (size, shape,
    encoding, an Excel workbook's zip directory) from a private temporary copy removed at once.
    """
    if data is not None:
        with tempfile.TemporaryDirectory(prefix="roltrap-vindplaatsen-") as tmp:  # mode 0700
            copy = Path(tmp) / Path(path).name
            copy.write_bytes(data)
            return read_vindplaatsen(copy, source_id=source_id)
    path = Path(path)
    check_file(path)
    geo = path.suffix.lower() in {".geojson", ".json"}
    df = _geojson_frame(path) if geo else read_frame(path)
    # Comment lines of the template ("# ...") are instructions, not places.
    first = df.columns[0] if len(df.columns) else None
    if first is not None and str(first).startswith("#"):
        raise InputError(
            f"{path.name}: de eerste regel is een toelichting, geen kop.",
            file=path,
            hint="Verwijder de toelichtingsregel zodat de kop (naam;soort;…) bovenaan staat.",
        )
    cols = list(df.columns)
    name_c, kind_c = _pick(cols, "naam"), _pick(cols, "soort")
    lat_c, lon_c, x_c, y_c = (_pick(cols, k) for k in ("lat", "lon", "x", "y"))
    missing = [n for n, c in (("naam", name_c), ("soort", kind_c)) if c is None]
    if not ((lat_c and lon_c) or (x_c and y_c)):
        missing.append("breedtegraad + lengtegraad of x_rd + y_rd")
    if missing:
        raise InputError(
            f"{path.name} mist kolom(men): {', '.join(missing)}.",
            file=path,
            problems=[Problem("kolom ontbreekt", file=str(path), row=1, column=m) for m in missing],
            hint=f"Download de sjabloon en vul die in. Gevonden kolommen: {', '.join(map(str, cols[:10]))}.",
        )
    if len(df) > MAX_PLACES:
        raise InputError(
            f"{path.name} heeft {len(df)} rijen; roltrap neemt maximaal {MAX_PLACES} vindplaatsen "
            "per bestand.",
            file=path,
            hint="Splits het bestand.",
        )
    problems: list[Problem] = []
    lines = df.index.to_numpy()

    def num(col: str | None) -> pd.Series:
        if col is None:
            return pd.Series(np.nan, index=df.index)
        text = df[col].fillna("").astype(str).str.strip()
        # Decimal comma (Dutch Excel) or point; no thousands separators in coordinates.
        values, _bad = parse_series(text.str.replace(",", ".", regex=False), decimal=".")
        for ln, t, v in zip(lines, text, values, strict=True):
            if t and pd.isna(v):
                problems.append(Problem("geen getal", file=str(path), row=int(ln), column=col, value=t))
        return values.astype(float)

    lat, lon, x, y = num(lat_c), num(lon_c), num(x_c), num(y_c)
    names = df[name_c].fillna("").astype(str).str.strip() if name_c else pd.Series("", index=df.index)
    kinds_raw = df[kind_c].fillna("").astype(str) if kind_c else pd.Series("", index=df.index)
    kinds = kinds_raw.map(normalise_kind)
    out_x = np.full(len(df), np.nan)
    out_y = np.full(len(df), np.nan)
    for i, ln in enumerate(lines):
        ln = int(ln)
        if not names.iloc[i]:
            problems.append(Problem("naam ontbreekt", file=str(path), row=ln, column=name_c))
        if kinds.iloc[i] is None:
            problems.append(
                Problem(
                    f"onbekende soort (kies uit: {', '.join(SOORTEN)})",
                    file=str(path),
                    row=ln,
                    column=kind_c,
                    value=kinds_raw.iloc[i],
                )
            )
        la, lo, xx, yy = lat.iloc[i], lon.iloc[i], x.iloc[i], y.iloc[i]
        if not (np.isnan(la) or np.isnan(lo)):
            if _NL_WGS84[1] <= lo <= _NL_WGS84[3] and _NL_WGS84[0] <= la <= _NL_WGS84[2]:
                problems.append(
                    Problem(
                        "breedtegraad en lengtegraad lijken verwisseld (breedtegraad in "
                        "Nederland ligt tussen 50,7 en 53,7)",
                        file=str(path),
                        row=ln,
                        column=lat_c,
                        value=f"{la}, {lo}",
                    )
                )
            elif not (_NL_WGS84[0] <= lo <= _NL_WGS84[2] and _NL_WGS84[1] <= la <= _NL_WGS84[3]):
                problems.append(
                    Problem(
                        "coördinaat ligt niet in Nederland (WGS84: breedtegraad 50,7–53,7, "
                        "lengtegraad 3,2–7,3)",
                        file=str(path),
                        row=ln,
                        column=lat_c,
                        value=f"{la}, {lo}",
                    )
                )
            else:
                rx, ry = to_rd(np.array([lo]), np.array([la]))
                out_x[i], out_y[i] = rx[0], ry[0]
        elif not (np.isnan(xx) or np.isnan(yy)):
            if _NL_RD[0] <= xx <= _NL_RD[2] and _NL_RD[1] <= yy <= _NL_RD[3]:
                out_x[i], out_y[i] = xx, yy
            else:
                problems.append(
                    Problem(
                        "RD-coördinaat ligt niet in Nederland (x 0–300.000, y 289.000–629.000 meter)",
                        file=str(path),
                        row=ln,
                        column=x_c,
                        value=f"{xx}, {yy}",
                    )
                )
        elif not any(p.row == ln and p.message == "geen getal" for p in problems):
            problems.append(
                Problem(
                    "geen coördinaten: vul breedtegraad en lengtegraad, of x_rd en y_rd in",
                    file=str(path),
                    row=ln,
                    column=lat_c or x_c,
                )
            )
    if problems:
        raise InputError(
            f"{path.name}: {len({p.row for p in problems})} rij(en) met fouten; er is niets opgeslagen.",
            problems=problems,
            file=path,
            hint="Verbeter de genoemde rijen en importeer opnieuw; de sjabloon toont de kolommen.",
        )
    if df.empty:
        raise InputError(
            f"{path.name} bevat geen vindplaatsen.",
            file=path,
            hint="Vul onder de kop één rij per vindplaats in.",
        )
    sid = source_id or "vindplaatsen-" + hashlib.sha1(path.name.encode()).hexdigest()[:8]
    out = pd.DataFrame(
        {
            "name": names.to_numpy(),
            "soort": kinds.to_numpy(),
            "x": np.round(out_x, 2),
            "y": np.round(out_y, 2),
        }
    )
    out.insert(0, "id", [f"{sid}:{int(ln)}" for ln in lines])
    out["year"] = pd.NA
    out["stale"] = False
    out["note"] = None
    out["source_id"] = sid
    return out[PLACE_COLUMNS], sid


def is_vindplaatsen(path: Path) -> bool:
    """A place list: a header with a name, a kind and coordinates (or GeoJSON points with ``soort``)."""
    suffix = path.suffix.lower()
    try:
        if suffix in {".geojson", ".json"}:
            head = path.open("rb").read(100_000).decode("utf-8", errors="replace")
            return '"Point"' in head and '"soort"' in head
        if suffix in EXCEL_SUFFIXES:
            try:
                check_workbook(path)  # never unpack a zip bomb just to look at its header
                cols = list(pd.read_excel(path, nrows=0).columns)
            except Exception:  # not a readable workbook (e.g. a zip without a sheet): not a place list;
                return False  # the importer proper names what is wrong with the file
        else:
            first = path.open("rb").read(4096).decode("utf-8-sig", errors="replace").splitlines()[:1]
            cols = [c.strip().strip('"') for c in (first[0].replace(",", ";").split(";") if first else [])]
    except (OSError, ValueError):
        return False
    return (
        _pick(cols, "naam") is not None
        and _pick(cols, "soort") is not None
        and (
            (_pick(cols, "lat") is not None and _pick(cols, "lon") is not None)
            or (_pick(cols, "x") is not None and _pick(cols, "y") is not None)
        )
    )
