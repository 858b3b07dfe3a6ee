"""The wijkprofiel as data: key figures against the city, monitor results and chart specs.

Knows the core object and nothing of HTTP or files; the web page, its JSON twin and the printed
profile (HTML/PDF) all render what :func:`district_profile` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from roltrap.errors import NotAvailableError, NotFoundError, RoltrapError
from roltrap.jsonable import jsonable
from roltrap.monitor.labels import PERSON_COLUMNS, TWO_DECIMALS, column_label
from roltrap.report import charts

# Key figures on the Wijk page and in the printed profile, in reading order (shown when held).
KEY_INDICATORS = [
    "a_inw", "a_hh", "bev_dich", "a_15_24", "a_65_oo", "a_1p_hh", "a_hh_m_k",
    "p_hh_110", "p_hh_120", "g_ink_pi", "p_ink_li", "a_soz_wb", "a_soz_ao", "a_soz_ww",
    "p_wmo_t", "p_jz_tn", "a_opl_lg", "a_opl_md", "a_opl_hg",
    "p_koopw", "p_huurw", "p_1gezw", "p_mgezw", "a_nw_all", "a_w_all", "a_bedv",
    "elan_moves_pp", "elan_income_mean",
]
# Trends drawn for a district (wijk against the city where the unit allows it).
TREND_INDICATORS = ["a_inw", "p_hh_110", "a_soz_wb", "g_ink_pi", "p_wmo_t", "elan_moves_pp"]

NOT_YET = "Deze berekening is nog niet beschikbaar in deze versie."

# Per monitor kind: the main table's columns (after the region name), then detail tables that the
# pages fold away, so no table needs more than a handful of columns. Columns a result has but this
# layout does not name land in the last table: nothing is ever dropped silently.
SECTION_LAYOUT: dict[str, list[tuple[str, list[str]]]] = {
    "turnover": [("", ["vervangingssnelheid", "nieuwkomers_pct"]),
                 ("Onderliggende cijfers", ["period", "inwoners", "vestigers_per_jaar"])],
    "classify": [("", ["class", "syllabus"]),
                 ("Onderbouwing", ["score", "n_indicatoren", "vervangingssnelheid",
                                   "belangrijkste_kenmerken"])],
    "vulnerable": [("", ["inwoners", "bereik_min", "centraal", "bereik_max", "pct_centraal"]),
                   ("Per lens, in personen", ["opleiding", "voorzieningen_min", "voorzieningen_max",
                                              "inkomen_110", "inkomen_120"]),
                   ("Per lens, in % van de inwoners", ["pct_opleiding", "pct_voorzieningen_min",
                                                       "pct_voorzieningen_max", "pct_inkomen_110",
                                                       "pct_inkomen_120"]),
                   ("Rekengegevens", ["personen_per_hh", "n_lenzen"])],
    "rank": [("", ["rank", "score"]),
             ("Onderdelen van de score", ["inkomen", "minima", "bijstand", "laagopgeleid"]),
             ("Onderdelen als z-score (hoger = zwakkere positie)",
              ["z_inkomen", "z_minima", "z_bijstand", "z_laagopgeleid", "n_components"])],
    "compare": [("", ["vergelijking", "inwoners", "p_hh_110", "vervangingssnelheid"]),
                ("Meer cijfers", ["p_hh_120", "pct_voorzieningen_min", "pct_voorzieningen_max",
                                  "pct_laagopgeleid", "afstand"]),
                ("Cijfers uit de syllabus", ["syllabus_p_hh_110", "syllabus_p_hh_120",
                                             "syllabus_voorzieningen_pct", "syllabus_vervangingssnelheid"])],
    "conditions": [("", ["bedrijven_per_1000", "mix_eigendom", "mix_woningtype", "rolmodel_ratio"]),
                   ("Afstand tot voorzieningen (km)", ["g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc",
                                                       "g_afs_ov"]),
                   ("Rolmodellen", ["p_ink_hi", "p_ink_li"])],
}


def column_decimals(name: str) -> int | None:
    """Decimals to show for a column: persons whole, small ranges two, else the default."""
    if name in PERSON_COLUMNS:
        return 0
    if name in TWO_DECIMALS:
        return 2
    return None


def _column(name: str) -> dict[str, Any]:
    return {"key": name, "label": column_label(name), "decimals": column_decimals(name)}


def section_tables(kind: str, present: list[str]) -> list[dict[str, Any]]:
    """Split a result's columns into a short main table and titled detail tables."""
    layout = SECTION_LAYOUT.get(kind) or [("", list(present))]
    used: set[str] = set()
    tables: list[dict[str, Any]] = []
    for title, cols in layout:
        keep = [c for c in cols if c in present and c not in used]
        used.update(keep)
        tables.append({"title": title, "keys": keep})
    rest = [c for c in present if c not in used]
    if rest:
        if len(tables) == 1:
            tables.append({"title": "Meer cijfers", "keys": []})
        tables[-1]["keys"] += rest
    return [{"title": t["title"], "columns": [_column("name"), *[_column(c) for c in t["keys"]]]}
            for i, t in enumerate(tables) if t["keys"] or i == 0]


def count_kinds(rt: Any) -> set[str]:
    """Indicator ids that count persons/households: shown only from ``min_cell`` upwards."""
    cat = rt.catalogue()
    return set(cat.loc[cat["kind"] == "count", "id"])


def safe_value(value: Any, *, is_count: bool, min_cell: int) -> Any:
    """Small counts are suppressed (None), never shown; other figures pass unchanged."""
    value = jsonable(value)
    if is_count and value is not None and float(value) < min_cell:
        return None
    return value


def monitor_section(rt: Any, method: str, **kwargs: Any) -> dict[str, Any]:
    """Call one district-monitor computation; a missing one is reported, never a crash."""
    try:
        monitor = rt.monitor
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("roltrap.monitor"):
            return {"available": False, "reason": NOT_YET, "rows": []}
        raise
    fn = getattr(monitor, method, None)
    if fn is None:
        return {"available": False, "reason": NOT_YET, "rows": []}
    try:
        result = fn(**kwargs)
    except (NotAvailableError, NotFoundError) as exc:
        return {"available": False, "reason": exc.message, "rows": []}
    out: dict[str, Any] = result.to_dict()
    out["available"] = True
    present = [c for c in ("class", "rank") if any(c in r for r in out["rows"])]
    present += [c for c in out.get("value_columns", []) if c not in present]
    if any(r.get("period") for r in out["rows"]):
        present.append("period")
    tables = section_tables(str(out.get("kind") or method), present)
    out["columns"] = tables[0]["columns"]
    out["detail_tables"] = tables[1:]
    return out


def only_rows(section: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    """The same section restricted to some regions (e.g. one district and its city)."""
    if not section.get("available"):
        return section
    rows = [r for r in section["rows"] if r.get("code") in codes]
    return {**section, "rows": rows}


def key_figures(rt: Any, code: str, *, city: str | None, year: int) -> list[dict[str, Any]]:
    """Each key figure of a region with the city's figure for the same year, unit and source."""
    mine = rt.show(code, year=year)["indicators"]
    theirs: dict[str, Any] = {}
    if city:
        try:
            theirs = rt.show(city, year=year)["indicators"]
        except RoltrapError:
            theirs = {}
    counts = count_kinds(rt)
    cat = rt.catalogue()
    decimals = {str(i): (None if pd.isna(d) else int(d))
                for i, d in zip(cat["id"], cat["decimals"], strict=True)}
    min_cell = rt.settings.min_cell
    order = [i for i in KEY_INDICATORS if i in mine] + [i for i in mine if i not in KEY_INDICATORS]
    out = []
    for ind in order:
        rec = mine[ind]
        other = theirs.get(ind, {})
        is_count = ind in counts
        out.append({
            "id": ind, "label": rec["label"], "unit": rec["unit"], "year": year,
            "decimals": decimals.get(ind),
            "value": safe_value(rec["value"], is_count=is_count, min_cell=min_cell),
            "city_value": safe_value(other.get("value"), is_count=is_count, min_cell=min_cell),
            "source": rec["source"], "estimate": rec["estimate"], "key": ind in KEY_INDICATORS,
        })
    return out


def trend_charts(rt: Any, code: str, *, city: str | None) -> list[dict[str, Any]]:
    """Line charts over every year held, with the data as a table (the text alternative)."""
    codes = [code] + ([city] if city else [])
    obs = rt.observations(codes=codes, indicators=TREND_INDICATORS)
    if obs.empty:
        return []
    cat = rt.catalogue().set_index("id")
    counts = count_kinds(rt)
    out = []
    for ind in TREND_INDICATORS:
        part = obs[obs["indicator_id"] == ind].dropna(subset=["value"])
        if part.empty or part["year"].nunique() < 2:
            continue
        if ind in counts:  # a city total and a district count do not share a scale
            part = part[part["region_code"] == code]
            part = part[part["value"] >= rt.settings.min_cell]
        label = str(cat.at[ind, "label"]) if ind in cat.index else ind
        unit = str(cat.at[ind, "unit"]) if ind in cat.index else None
        frame = pd.DataFrame({"series": part["name"], "year": part["year"], "value": part["value"]})
        table = frame.pivot_table(index="year", columns="series", values="value", aggfunc="first")
        out.append({
            "id": ind, "label": label, "unit": unit,
            "spec": charts.trend_lines(frame, title=label, unit=unit),
            "table": {"columns": ["Jaar", *[str(c) for c in table.columns]],
                      "rows": [[int(y), *[jsonable(v) for v in row]] for y, row in
                               zip(table.index, table.to_numpy().tolist(), strict=True)]},
        })
    return out


def district_geojson(rt: Any, gemeente: str, *, values: Mapping[str, Any] | None = None,
                     classes: Mapping[str, str | None] | None = None,
                     texts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """District polygons of a municipality as WGS84 GeoJSON with value/class/url properties."""
    gdf = rt.geometries(gemeente=gemeente, level="wijk")
    if gdf.empty:
        raise NotAvailableError(f"No district boundaries are held for {gemeente}.",
                                hint="Import a Wijk- en Buurtkaart with `roltrap import`.")
    gdf = gdf.copy()
    gdf["geometry"] = gdf.geometry.simplify(5.0)  # 5 m in RD: invisible at city scale, far smaller
    gdf = gdf.to_crs(4326)
    features = []
    for row in gdf.itertuples():
        code = str(row.code)
        value = jsonable((values or {}).get(code))
        cls = (classes or {}).get(code)
        features.append({
            "type": "Feature",
            "geometry": row.geometry.__geo_interface__,
            "properties": {"code": code, "name": row.name, "value": value,
                           "value_text": (texts or {}).get(code, "geen gegevens"),
                           "class": cls, "class_text": cls or "geen gegevens",
                           "url": f"/wijk/{code}"},
        })
    return {"type": "FeatureCollection", "features": features}


def locator_map(rt: Any, code: str, *, gemeente: str, name: str) -> dict[str, Any] | None:
    """A small map with the district highlighted among its municipality's districts."""
    try:
        gdf = rt.geometries(gemeente=gemeente, level="wijk")
    except RoltrapError:
        return None
    if gdf.empty:
        return None
    classes = {str(c): ("deze wijk" if c == code else "andere wijken") for c in gdf["code"]}
    geo = district_geojson(rt, gemeente, classes=classes, texts={code: name})
    return charts.choropleth(geo, title=f"Ligging van {name}", unit=None,
                             labels=["deze wijk", "andere wijken"], colours=[charts.HIGHLIGHT, "#e8e8e8"],
                             height=300)


def district_profile(rt: Any, code: str, *, year: int | None = None) -> dict[str, Any]:
    """Everything the Wijk page and the printed wijkprofiel show for one district."""
    reg = rt.region(code)
    if reg["level"] not in ("wijk", "buurt"):
        raise NotFoundError(f"{reg['code']} ({reg['name']}) is geen wijk maar een {reg['level']}.",
                            hint=f"Open /gemeente/{reg['code']} voor het stadsoverzicht.")
    code = reg["code"]
    shown = rt.show(code, year=year)
    year = int(shown["year"])
    city = reg["parent"]
    city_name = rt.region(city)["name"] if city else None
    figures = key_figures(rt, code, city=city, year=year)
    codes = [code] + ([city] if city else [])
    gm = city or code
    if reg["level"] == "buurt" and city:  # a buurt's monitor sections are those of its municipality
        gm = rt.region(city).get("parent") or city
    sections = {
        "classify": only_rows(monitor_section(rt, "classify", gemeente=gm, year=year), codes),
        "vulnerable": only_rows(monitor_section(rt, "vulnerable", gemeente=gm, year=year), codes),
        "rank": monitor_section(rt, "rank", gemeente=gm, year=year),
        "turnover": only_rows(monitor_section(rt, "turnover", gemeente=gm), codes),
        "conditions": only_rows(monitor_section(rt, "conditions", gemeente=gm, year=year), codes),
    }
    rank_row = next((r for r in sections["rank"].get("rows", []) if r.get("code") == code), None)
    sources = sorted({f["source"] for f in figures if f["source"]})
    for sec in sections.values():
        sources += [s for s in sec.get("sources", []) if s not in sources]
    return {
        "code": code, "name": reg["name"], "level": reg["level"], "parent": city,
        "parent_name": city_name, "year": year, "years": rt.years(code),
        "figures": figures, "sections": sections, "rank_row": rank_row,
        "trends": trend_charts(rt, code, city=city),
        "map": locator_map(rt, code, gemeente=gm, name=reg["name"]) if city else None,
        "sources": sources, "generated": date.today().isoformat(),
        "min_cell": rt.settings.min_cell,
    }
