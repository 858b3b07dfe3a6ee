"""Nabijheid / 15 minuten: ``/nabijheid`` and its ``.json`` twin, plus the vindplaatsen template.

Thin: every figure comes from ``rt.access``; this module only shapes it for the page (area polygons
as WGS84 GeoJSON, Vega-Lite specs, table rows). Pages using OSM data carry the ODbL attribution.
"""

from __future__ import annotations

from typing import Annotated, Any

import altair as alt
import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from roltrap.access.kinds import label
from roltrap.access.service import ATTRIBUTION, AccessService
from roltrap.errors import InputError, NotAvailableError, RoltrapError
from roltrap.jsonable import jsonable
from roltrap.web.deps import get_rt, respond

router = APIRouter()

#: Minute classes of the map (upper bounds) and their colours (ColorBrewer RdYlGn reversed, 5 classes).
CLASSES = [(5, "≤ 5 min"), (10, "5–10 min"), (15, "10–15 min"), (20, "15–20 min"), (float("inf"), "> 20 min")]
COLOURS = ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"]
BAND_COLOURS = ["#08519c", "#4292c6", "#9ecae1"]
MISSING = "#d9d9d9"

GemeenteQ = Annotated[str | None, Query(min_length=1, max_length=60, description="Gemeentecode.")]
LevelQ = Annotated[str, Query(pattern="^(wijk|buurt)$", description="wijk of buurt.")]
ModeQ = Annotated[str, Query(pattern="^(lopen|fiets)$", description="lopen of fiets.")]
SoortQ = Annotated[str | None, Query(min_length=1, max_length=40, description="Soort plaats.")]
PlaceQ = Annotated[str | None, Query(min_length=1, max_length=120, description="Plaats voor de isochronen.")]
AreaQ = Annotated[str | None, Query(min_length=1, max_length=20, description="Wijk- of buurtcode.")]


def _class(minutes: float | None) -> str | None:
    if minutes is None or pd.isna(minutes):
        return None
    return next(lab for upper, lab in CLASSES if minutes <= upper)


def _minutes_text(v: Any) -> str:
    return "geen gegevens" if v is None or pd.isna(v) else f"{v:.1f}".replace(".", ",") + " min"


def _areas_geojson(rt: Any, gm: str, level: str, rows: pd.DataFrame, link: str) -> dict[str, Any]:
    geo = rt.geometries(level=level) if level == "buurt" else rt.geometries(gemeente=gm, level=level)
    geo = geo[geo["code"].isin(set(rows["code"]))] if not rows.empty else geo.iloc[0:0]
    if geo.empty:
        return {"type": "FeatureCollection", "features": []}
    geo = geo.copy()
    geo["geometry"] = geo.geometry.simplify(5.0)  # 5 m in RD: invisible at city scale
    geo = geo.to_crs(4326)
    by = rows.set_index("code")
    feats = []
    for rec in geo.itertuples():
        code = str(rec.code)
        m = by["minutes"].get(code) if code in by.index else None
        share = by["share_15"].get(code) if code in by.index else None
        feats.append(
            {
                "type": "Feature",
                "geometry": rec.geometry.__geo_interface__,
                "properties": {
                    "code": code,
                    "name": rec.name,
                    "minutes": jsonable(m),
                    "minutes_text": _minutes_text(m),
                    "class": _class(m),
                    "share_15_text": "—" if share is None or pd.isna(share) else f"{round(100 * share)} %",
                    "url": f"{link}&gebied={code}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def _slot(name: str) -> alt.InlineData:
    """A placeholder for a large GeoJSON: Altair deep-copies inline data, so it goes in after to_dict."""
    return alt.InlineData(
        values={"type": "FeatureCollection", "features": [], "slot": name},
        format=alt.DataFormat(property="features", type="json"),
    )


def _fill(spec: Any, slots: dict[str, dict[str, Any]]) -> Any:
    """Put each slot's GeoJSON where its placeholder landed (inline ``values`` or top-level ``datasets``)."""
    if isinstance(spec, dict):
        for k, v in list(spec.items()):
            if isinstance(v, dict) and v.get("slot") in slots:
                spec[k] = slots[v["slot"]]
            else:
                _fill(v, slots)
    elif isinstance(spec, list):
        for v in spec:
            _fill(v, slots)
    return spec


def _map_spec(areas: dict[str, Any], places: pd.DataFrame, *, title: str) -> dict[str, Any]:
    data = _slot("areas")
    tooltip = [
        alt.Tooltip("properties.name:N", title="Gebied"),
        alt.Tooltip("properties.minutes_text:N", title="Gemiddeld"),
        alt.Tooltip("properties.share_15_text:N", title="Binnen 15 min"),
    ]
    base = (
        alt.Chart(data)
        .mark_geoshape(stroke="#333", strokeWidth=0.8, fill=MISSING)
        .encode(href=alt.Href("properties.url:N"), tooltip=tooltip)
    )
    coloured = (
        alt.Chart(data)
        .mark_geoshape(stroke="#333", strokeWidth=0.8, cursor="pointer")
        .encode(
            href=alt.Href("properties.url:N"),
            tooltip=tooltip,
            color=alt.Color(
                "properties.class:N",
                title="Minuten (gemiddeld)",
                scale=alt.Scale(domain=[c[1] for c in CLASSES], range=COLOURS),
                legend=alt.Legend(
                    orient="bottom",
                    direction="horizontal",
                    columns=5,
                    symbolType="square",
                    symbolStrokeColor="#333",
                ),
            ),
        )
        .transform_filter("isValid(datum.properties['class'])")
    )
    layers: list[Any] = [base, coloured]
    pts = places[["name", "lon", "lat"]].copy()
    if not pts.empty:
        layers.append(
            alt.Chart(pts)
            .mark_circle(size=38, color="#000", opacity=0.85, stroke="#fff", strokeWidth=1)
            .encode(longitude="lon:Q", latitude="lat:Q", tooltip=[alt.Tooltip("name:N", title="Plaats")])
        )
    chart = alt.layer(*layers).project(type="mercator").properties(width="container", height=460)
    spec: dict[str, Any] = _fill(chart.configure_view(stroke=None).to_dict(validate=False), {"areas": areas})
    spec["description"] = (
        f"Kaart: {title}. Klik op een gebied voor de details; de tabel geeft dezelfde cijfers."
    )
    return spec


def _iso_spec(areas: dict[str, Any], iso: dict[str, Any]) -> dict[str, Any]:
    outline = alt.Chart(_slot("areas")).mark_geoshape(fill="#f4f4f1", stroke="#999", strokeWidth=0.6)
    bands = (
        alt.Chart(_slot("bands"))
        .mark_geoshape(filled=False, strokeWidth=1.4)
        .encode(
            stroke=alt.Stroke(
                "properties.band:N",
                title="Bereikbaar binnen",
                scale=alt.Scale(
                    domain=[f["properties"]["band"] for f in iso["bands"]["features"]], range=BAND_COLOURS
                ),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            )
        )
    )
    place = pd.DataFrame([iso["place"]])
    point = (
        alt.Chart(place)
        .mark_point(shape="diamond", size=160, filled=True, color="#d7191c", stroke="#000")
        .encode(longitude="lon:Q", latitude="lat:Q", tooltip=[alt.Tooltip("name:N", title="Plaats")])
    )
    chart = (
        alt.layer(outline, bands, point).project(type="mercator").properties(width="container", height=420)
    )
    spec: dict[str, Any] = _fill(
        chart.configure_view(stroke=None).to_dict(validate=False), {"areas": areas, "bands": iso["bands"]}
    )
    spec["description"] = (
        f"Straten binnen 5, 10 en 15 minuten {iso['mode']} van {iso['place']['name']}; "
        "de tabel ernaast geeft de lengte per band."
    )
    return spec


def _pct(v: Any) -> str:
    return "—" if v is None or pd.isna(v) else f"{round(100 * float(v))} %"


def _count(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return "onderdrukt"
    return f"{round(float(v)):,}".replace(",", ".")


def nabijheid_data(
    rt: Any,
    *,
    gemeente: str | None,
    level: str,
    mode: str,
    soort: str | None,
    place: str | None,
    gebied: str | None,
) -> dict[str, Any]:
    """Everything the page shows (also the ``.json`` twin)."""
    svc: AccessService = rt.access
    res = svc.answers(gemeente=gemeente, level=level)
    gm = res.extra["gemeente"]
    reg = rt.region(gm)
    rows = res.rows
    kinds = res.extra["kinds"]
    soort = soort or ("treinstation" if "treinstation" in kinds else (kinds[0] if kinds else None))
    if soort is not None:
        soort = svc._soort(soort)
    sel = rows[(rows["soort"] == soort) & (rows["mode"] == mode)]
    net_rows = sel[sel["method"] == "netwerk"]
    cbs_rows = sel[sel["method"] != "netwerk"]
    link = f"/nabijheid?gemeente={gm}&level={level}&mode={mode}&soort={soort}"
    data: dict[str, Any] = {
        "gemeente": gm,
        "gemeente_name": reg["name"],
        "level": level,
        "mode": mode,
        "soort": soort,
        "soort_label": label(soort) if soort else None,
        "network": res.extra["network"],
        "kinds": [{"id": k, "label": label(k)} for k in kinds],
        "speeds_kmh": res.extra["speeds_kmh"],
        "attribution": ATTRIBUTION if res.extra["network"] else None,
        "method": res.method,
        "assumptions": res.assumptions,
        "notes": res.notes,
        "sources": res.sources,
        "rows": [_row(r) for r in sel.to_dict("records")],
        "spec": None,
        "iso": None,
        "iso_spec": None,
        "places": [],
        "place": None,
        "need": [],
        "need_notes": [],
        "area": None,
        "stale": bool(sel["stale"].any()),
    }
    shown = net_rows if not net_rows.empty else cbs_rows
    areas = (
        _areas_geojson(rt, gm, level, shown, link)
        if not shown.empty
        else {"type": "FeatureCollection", "features": []}
    )
    if res.extra["network"] and soort is not None:
        pl = svc.places(gemeente=gm, soort=soort)
        pl = pl[pl["reachable"]]
        data["places"] = [
            {
                "id": p["id"],
                "name": p["name"],
                "lon": round(float(p["lon"]), 6),
                "lat": round(float(p["lat"]), 6),
                "stale": bool(p["stale"]) if pd.notna(p["stale"]) else False,
                "year": jsonable(p["year"]),
            }
            for p in pl.to_dict("records")
        ]
        if areas["features"]:
            data["spec"] = _map_spec(areas, pl, title=f"{label(soort)}, {mode}")
        if not pl.empty:
            chosen = place if place is not None and place in set(pl["id"]) else str(pl["id"].iloc[0])
            iso = svc.isochrone(place=chosen, mode=mode, gemeente=gm)
            data["place"] = chosen
            data["iso"] = {
                "place": iso["place"],
                "bands": [f["properties"] for f in iso["bands"]["features"]],
            }
            if areas["features"]:
                data["iso_spec"] = _iso_spec(areas, iso)
        try:
            need = svc.need(gemeente=gm, level=level, mode=mode, soort=soort)
            data["need"] = [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "group": r["group_label"],
                    "total": _count(r["total"]),
                    "beyond_15": _count(r["beyond_15"]),
                    "beyond_15_value": jsonable(r["beyond_15"]),
                }
                for r in need.rows.to_dict("records")
            ]
            data["need_notes"] = need.notes[:2]
        except NotAvailableError as exc:
            data["need_notes"] = [exc.message]
    elif areas["features"] and soort is not None:
        data["spec"] = _map_spec(
            areas, pd.DataFrame(columns=["name", "lon", "lat"]), title=f"{label(soort)}, {mode}"
        )
    if gebied:
        one = rows[(rows["code"] == gebied)]
        if not one.empty:
            data["area"] = {
                "code": gebied,
                "name": str(one["name"].iloc[0]),
                "rows": [_row(r) for r in one.to_dict("records")],
            }
    data["cbs_only"] = net_rows.empty and not cbs_rows.empty
    return data


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": r["code"],
        "name": r["name"],
        "soort": r["soort"],
        "soort_label": r["soort_label"],
        "mode": r["mode"],
        "minutes": jsonable(r["minutes"]),
        "minutes_text": _minutes_text(r["minutes"]),
        "share_5": jsonable(r["share_5"]),
        "share_10": jsonable(r["share_10"]),
        "share_15": jsonable(r["share_15"]),
        "share_5_text": _pct(r["share_5"]),
        "share_10_text": _pct(r["share_10"]),
        "share_15_text": _pct(r["share_15"]),
        "meets_15": jsonable(r["meets_15"]),
        "method": r["method"],
        "available": bool(r["available"]),
        "reason": r["reason"],
        "stale": bool(r.get("stale") or False),
    }


@router.get("/nabijheid.json", tags=["pagina's"], summary="Nabijheid / 15 minuten")
def nabijheid_json(
    request: Request,
    gemeente: GemeenteQ = None,
    level: LevelQ = "wijk",
    mode: ModeQ = "lopen",
    soort: SoortQ = None,
    plaats: PlaceQ = None,
    gebied: AreaQ = None,
) -> Response:
    """Per wijk of buurt de loop- of fietstijd naar de dichtstbijzijnde plaats van een soort, het aandeel
    bewoners binnen 5/10/15 minuten, de isochronen van één plaats en de tellingen naar behoefte."""
    return _page(request, gemeente, level, mode, soort, plaats, gebied)


Text = Annotated[str | None, Query(max_length=120)]


@router.get("/nabijheid", include_in_schema=False)
def nabijheid(
    request: Request,
    gemeente: GemeenteQ = None,
    level: Text = None,
    mode: Text = None,
    soort: Text = None,
    plaats: PlaceQ = None,
    gebied: AreaQ = None,
) -> Response:
    # The page takes its choices as text: a wrong one is named beside its field and the page
    # shows the default instead (the JSON twin answers 422).
    from roltrap.access.kinds import normalise_kind

    errors: dict[str, str] = {}
    if level and level not in ("wijk", "buurt"):
        errors["level"] = f"Niveau: '{level[:20]}' bestaat niet; kies wijken of buurten."
    if mode and mode not in ("lopen", "fiets"):
        errors["mode"] = f"Vervoer: '{mode[:20]}' bestaat niet; kies lopen of fiets."
    if soort and normalise_kind(soort) is None:
        errors["soort"] = f"Soort: '{soort[:40]}' staat niet in de lijst; kies een soort uit de lijst."
    chosen_level = level if level in ("wijk", "buurt") else "wijk"
    chosen_mode = mode if mode in ("lopen", "fiets") else "lopen"
    chosen_soort = None if "soort" in errors else soort
    try:
        return _page(
            request, gemeente, chosen_level, chosen_mode, chosen_soort, plaats, gebied, errors=errors
        )
    except NotAvailableError as exc:
        if chosen_level != "buurt":
            raise
        # No buurten (or their boundaries) for this municipality: say so beside the field, show wijken.
        errors["level"] = f"Niveau: {exc.message[:1].lower()}{exc.message[1:]}"
        return _page(request, gemeente, "wijk", chosen_mode, chosen_soort, plaats, None, errors=errors)


def _page(
    request: Request,
    gemeente: str | None,
    level: str,
    mode: str,
    soort: str | None,
    plaats: str | None,
    gebied: str | None,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    rt = get_rt(request)
    with rt.store.session():  # one short connection for the whole page (the server holds none)
        data = nabijheid_data(rt, gemeente=gemeente, level=level, mode=mode, soort=soort, place=plaats,
                              gebied=gebied)
    data["errors"] = errors or {}
    return respond(request, "nabijheid.html", data, title="Nabijheid / 15 minuten",
                   status_code=422 if errors else 200)


# -- eigen vindplaatsen: upload → answers recomputed, nothing stored -------------------------------
#: A list of vindplaatsen may be this large (about 50.000 rows of CSV); the body a little more.
MAX_PLACES_BYTES = 4 * 1024 * 1024
PLACE_TYPES = {".csv": ".csv", ".txt": ".csv", ".xlsx": ".xlsx", ".geojson": ".geojson", ".json": ".geojson"}


def _upload_name(filename: str | None, data: bytes) -> str:
    """A safe name for messages ("vindplaatsen.csv"): the browser's file name without folders or odd
    characters, with a type the reader knows (from the name, else from the content)."""
    import re
    from pathlib import PurePath

    base = PurePath((filename or "").replace("\\", "/")).name
    stem, dot, ext = base.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext not in PLACE_TYPES:
        stem = base
        ext = ".xlsx" if data[:2] == b"PK" else ".geojson" if data.lstrip()[:1] == b"{" else ".csv"
    clean = re.sub(r"[^\w .()-]+", "_", stem).strip(" ._")[:80] or "vindplaatsen"
    return clean + PLACE_TYPES[ext]


def upload_data(rt: Any, *, data: bytes, filename: str | None, gemeente: str | None, level: str,
                mode: str) -> dict[str, Any]:
    """The page's data plus the answers for the uploaded places (the ``.json`` answer too)."""
    from roltrap.io.vindplaatsen import read_vindplaatsen

    name = _upload_name(filename, data)
    rows, _sid = read_vindplaatsen(name, data=data)
    svc: AccessService = rt.access
    res = svc.answers_with_places(rows, gemeente=gemeente, level=level)
    kinds = res.extra["kinds"]
    page = nabijheid_data(rt, gemeente=res.extra["gemeente"], level=level, mode=mode, soort=None,
                          place=None, gebied=None)
    tables = []
    for k in kinds:
        part = res.rows[res.rows["soort"] == k]
        by_mode = {m: part[part["mode"] == m].set_index("code") for m in ("lopen", "fiets")}
        walk = by_mode["lopen"]
        tables.append({
            "soort": k,
            "label": label(k),
            "rows": [
                {
                    "code": code,
                    "name": str(walk.at[code, "name"]),
                    **{f"{m}_minutes": jsonable(by_mode[m].at[code, "minutes"]) for m in by_mode},
                    **{f"{m}_text": _minutes_text(by_mode[m].at[code, "minutes"]) for m in by_mode},
                    **{f"{m}_share_15": jsonable(by_mode[m].at[code, "share_15"]) for m in by_mode},
                    **{f"{m}_share_text": _pct(by_mode[m].at[code, "share_15"]) for m in by_mode},
                    "reason": walk.at[code, "reason"],
                }
                for code in walk.index
            ],
        })
    page["upload"] = {
        "file": name,
        "n_places": len(rows),
        "kinds": [{"id": k, "label": label(k)} for k in kinds],
        "tables": tables,
        "places": res.extra["places"],
        "notes": res.notes,
        "stored": False,
    }
    return page


async def _upload(request: Request) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    from roltrap.web.routes_triage import MULTIPART_OVERHEAD, _read_form

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InputError("Stuur de lijst als formulier met een bestand (multipart/form-data, veld bestand).",
                         param="bestand")
    try:
        form = await _read_form(request, limit=MAX_PLACES_BYTES + MULTIPART_OVERHEAD, file_field="bestand",
                                max_file=MAX_PLACES_BYTES)
    except InputError as exc:
        if "te groot" not in exc.message:
            raise
        hint = "Splits de lijst, bijvoorbeeld per soort, en laad de delen één voor één."
        raise InputError(exc.message, param="bestand", hint=hint) from None
    request.state.form = form
    if form.file is None or (not form.file and not form.filename):  # a browser sends "" when none is chosen
        raise InputError("Kies een bestand met vindplaatsen (CSV, Excel of GeoJSON).", param="bestand")
    level = form.get("level") or "wijk"
    mode = form.get("mode") or "lopen"
    if level not in ("wijk", "buurt"):
        raise InputError(f"Onbekend niveau '{level[:20]}': kies wijk of buurt.", param="level")
    if mode not in ("lopen", "fiets"):
        raise InputError(f"Onbekende vervoerswijze '{mode[:20]}': kies lopen of fiets.", param="mode")
    rt = get_rt(request)

    def work() -> dict[str, Any]:
        with rt.store.session():
            return upload_data(rt, data=form.file or b"", filename=form.filename,
                               gemeente=form.get("gemeente") or None, level=level, mode=mode)

    return await run_in_threadpool(work)


def _upload_error(request: Request, exc: RoltrapError) -> dict[str, Any]:
    """The page as it was, with the upload's error beside the file field (what, where, how to fix)."""
    form = getattr(request.state, "form", None)
    gemeente = form.get("gemeente") if form else None
    level = (form.get("level") if form else None) or "wijk"
    mode = (form.get("mode") if form else None) or "lopen"
    rt = get_rt(request)
    try:
        with rt.store.session():
            page = nabijheid_data(rt, gemeente=gemeente or None, level=level if level in ("wijk", "buurt")
                                  else "wijk", mode=mode if mode in ("lopen", "fiets") else "lopen",
                                  soort=None, place=None, gebied=None)
    except RoltrapError:
        with rt.store.session():
            page = nabijheid_data(rt, gemeente=None, level="wijk", mode="lopen", soort=None, place=None,
                                  gebied=None)
    problems = [
        {"row": p.row, "column": p.column, "message": p.message, "value": p.value}
        for p in sorted(getattr(exc, "problems", []), key=lambda p: (p.row or 0, p.column or ""))[:50]
    ]
    page["upload_error"] = {
        "message": exc.message.split("\n")[0],
        "hint": exc.hint,
        "problems": problems,
        "more": max(0, len(getattr(exc, "problems", [])) - len(problems)),
        "status": exc.http_status,
    }
    return page


@router.post("/nabijheid/vindplaatsen", include_in_schema=False)
async def upload_places(request: Request) -> Response:
    try:
        data = await _upload(request)
    except RoltrapError as exc:
        data = _upload_error(request, exc)
        return respond(request, "nabijheid.html", data, title="Nabijheid / 15 minuten",
                       status_code=exc.http_status)
    return respond(request, "nabijheid.html", data, title="Nabijheid met eigen vindplaatsen")


@router.post("/nabijheid/vindplaatsen.json", tags=["pagina's"], summary="Nabijheid met eigen vindplaatsen",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
                 "schema": {"type": "object", "required": ["bestand"], "properties": {
                     "bestand": {"type": "string", "format": "binary",
                                 "description": "CSV, Excel of GeoJSON volgens de sjabloon."},
                     "gemeente": {"type": "string"}, "level": {"type": "string", "enum": ["wijk", "buurt"]},
                     "mode": {"type": "string", "enum": ["lopen", "fiets"]}}}}}}},
             responses={422: {"description": "Onjuiste rijen (met rij en kolom), of een te groot bestand."}})
async def upload_places_json(request: Request) -> Response:
    """Reistijden per wijk of buurt naar de eigen vindplaatsen (samen met de plaatsen die roltrap
    al kent), lopend en per fiets, met het aandeel bewoners binnen 15 minuten. Elke rij wordt
    gecontroleerd; er wordt niets opgeslagen."""
    try:
        data = await _upload(request)
    except RoltrapError as exc:
        body = {"error": {"status": exc.http_status, "message": exc.message, "hint": exc.hint,
                          "problems": [{"row": p.row, "column": p.column, "message": p.message,
                                        "value": p.value} for p in getattr(exc, "problems", [])]}}
        return JSONResponse(body, status_code=exc.http_status)
    return JSONResponse(jsonable({"upload": data["upload"], "gemeente": data["gemeente"],
                                  "level": data["level"], "attribution": ATTRIBUTION}))


@router.get("/nabijheid/sjabloon.csv", include_in_schema=False)
def template_csv() -> Response:
    from roltrap.io.vindplaatsen import template_csv as make

    return Response(
        make(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="vindplaatsen-sjabloon.csv"'},
    )


@router.get("/nabijheid/sjabloon.xlsx", include_in_schema=False)
def template_xlsx() -> Response:
    from roltrap.io.vindplaatsen import template_xlsx as make

    return Response(
        make(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="vindplaatsen-sjabloon.xlsx"'},
    )
