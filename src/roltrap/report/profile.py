"""The district profile as data: the one path for the Wijk/Buurt page, its JSON twin and downloads,
the printed wijkprofiel (PDF) and the CLI.

Knows the core object and nothing of HTTP or files. :func:`district_profile` returns plain data
for a wijk, a buurt or a gemeente of any municipality in the store: the headline figures against
the reference area (the municipality; for a gemeente the country), a paragraph of plain Dutch,
the class (aankomst/bestemming), the three lenses, trends, escalator conditions, the vindplaatsen
and work style that fit the district's problems, the sources, and in Dutch what is missing.
Every text it returns is free of internal indicator codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from roltrap import fmt
from roltrap.errors import NotAvailableError, NotFoundError, RoltrapError
from roltrap.jsonable import jsonable
from roltrap.monitor.labels import PERSON_COLUMNS, TWO_DECIMALS, column_label
from roltrap.report import charts

if TYPE_CHECKING:
    from roltrap.core import Roltrap
    from roltrap.monitor.result import MonitorResult

__all__ = ["PERSON_COLUMNS", "TWO_DECIMALS", "column_label", "district_profile"]

# Key figures on the Wijk page and in the appendix, in reading order (shown when held).
KEY_INDICATORS = [
    "a_inw",
    "a_hh",
    "bev_dich",
    "a_15_24",
    "a_65_oo",
    "a_1p_hh",
    "a_hh_m_k",
    "p_hh_110",
    "p_hh_120",
    "g_ink_pi",
    "p_ink_li",
    "a_soz_wb",
    "a_soz_ao",
    "a_soz_ww",
    "p_wmo_t",
    "p_jz_tn",
    "a_opl_lg",
    "a_opl_md",
    "a_opl_hg",
    "p_koopw",
    "p_huurw",
    "p_1gezw",
    "p_mgezw",
    "a_nw_all",
    "a_w_all",
    "a_bedv",
    "elan_moves_pp",
    "elan_income_mean",
]
# The four headline figures of page 1, against the reference area.
HEADLINE = ["a_inw", "p_hh_110", "g_ink_pi", "p_wmo_t"]
# Trend candidates in order of interest; the first ones with at least MIN_TREND_POINTS years are drawn.
TREND_INDICATORS = [
    "a_inw",
    "p_hh_110",
    "g_ink_pi",
    "elan_income_mean",
    "a_soz_wb",
    "p_wmo_t",
    "p_huurw",
    "elan_moves_pp",
]
MIN_TREND_POINTS = 3
MAX_TRENDS = 4

NOT_YET = "Deze berekening is nog niet beschikbaar in deze versie."
LEVEL_NOUN = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}

# Per monitor kind: the main table's columns (after the region name), then detail tables that the
# pages fold away, so no table needs more than a handful of columns. Columns a result has but this
# layout does not name land in the last table: nothing is ever dropped silently.
SECTION_LAYOUT: dict[str, list[tuple[str, list[str]]]] = {
    "turnover": [
        ("", ["vervangingssnelheid", "nieuwkomers_pct"]),
        ("Onderliggende cijfers", ["period", "inwoners", "vestigers_per_jaar"]),
    ],
    "classify": [
        ("", ["class", "syllabus"]),
        ("Onderbouwing", ["score", "n_indicatoren", "vervangingssnelheid", "belangrijkste_kenmerken"]),
    ],
    "vulnerable": [
        ("", ["inwoners", "bereik_min", "centraal", "bereik_max", "pct_centraal"]),
        (
            "Per lens, in personen",
            ["opleiding", "voorzieningen_min", "voorzieningen_max", "inkomen_110", "inkomen_120"],
        ),
        (
            "Per lens, in % van de inwoners",
            [
                "pct_opleiding",
                "pct_voorzieningen_min",
                "pct_voorzieningen_max",
                "pct_inkomen_110",
                "pct_inkomen_120",
            ],
        ),
        ("Rekengegevens", ["personen_per_hh", "n_lenzen"]),
    ],
    "rank": [
        ("", ["rank", "score"]),
        ("Onderdelen van de score", ["inkomen", "minima", "bijstand", "laagopgeleid"]),
        (
            "Onderdelen als z-score (hoger = zwakkere positie)",
            ["z_inkomen", "z_minima", "z_bijstand", "z_laagopgeleid", "n_components"],
        ),
    ],
    "compare": [
        ("", ["vergelijking", "inwoners", "p_hh_110", "vervangingssnelheid"]),
        (
            "Meer cijfers",
            ["p_hh_120", "pct_voorzieningen_min", "pct_voorzieningen_max", "pct_laagopgeleid", "afstand"],
        ),
        (
            "Cijfers uit de syllabus",
            [
                "syllabus_p_hh_110",
                "syllabus_p_hh_120",
                "syllabus_voorzieningen_pct",
                "syllabus_vervangingssnelheid",
            ],
        ),
    ],
    "conditions": [
        ("", ["bedrijven_per_1000", "mix_eigendom", "mix_woningtype", "rolmodel_ratio"]),
        ("Afstand tot voorzieningen (km)", ["g_afs_hp", "g_afs_gs", "g_afs_kv", "g_afs_sc", "g_afs_ov"]),
        ("Rolmodellen", ["p_ink_hi", "p_ink_li"]),
    ],
}

# The escalator conditions (§10) as a coach reads them: column, label, unit, decimals, and which
# direction helps the escalator (+1 higher is better, -1 lower is better, 0 neither).
CONDITION_ROWS: list[tuple[str, str, str | None, int, int]] = [
    ("bedrijven_per_1000", "Bedrijven per 1.000 inwoners (ondernemen)", None, 0, 1),
    ("mix_eigendom", "Mix koop en huur (0 = eenzijdig, 1 = half om half)", None, 2, 1),
    ("mix_woningtype", "Mix eengezins- en meergezinswoningen (0–1)", None, 2, 1),
    ("rolmodel_ratio", "Rolmodellen: hoge tegenover lage inkomens", None, 2, 1),
    ("g_afs_hp", "Afstand tot de huisarts", "km", 1, -1),
    ("g_afs_gs", "Afstand tot een grote supermarkt", "km", 1, -1),
    ("g_afs_sc", "Afstand tot een school", "km", 1, -1),
    ("g_afs_ov", "Afstand tot een treinstation", "km", 1, -1),
]


# -- small helpers ----------------------------------------------------------------------------------
def column_decimals(name: str) -> int | None:
    """Decimals to show for a column: persons whole, small ranges two, else the default."""
    return fmt.column_decimals(name)


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
    return [
        {"title": t["title"], "columns": [_column("name"), *[_column(c) for c in t["keys"]]]}
        for i, t in enumerate(tables)
        if t["keys"] or i == 0
    ]


def count_kinds(rt: Roltrap) -> set[str]:
    """Indicator ids that count persons/households: shown only from ``min_cell`` upwards."""
    cat = rt.catalogue()
    return set(cat.loc[cat["kind"] == "count", "id"])


def safe_value(value: Any, *, is_count: bool, min_cell: int) -> Any:
    """Small counts are suppressed (None), never shown; other figures pass unchanged."""
    value = jsonable(value)
    if is_count and value is not None and float(value) < min_cell:
        return None
    return value


def _is_suppressed(value: Any, *, is_count: bool, min_cell: int) -> bool:
    value = jsonable(value)
    return bool(is_count and value is not None and float(value) < min_cell)


class CodeNames:
    """Turns internal indicator ids in free text ("(a_opl_lg)", "g_hhgro") into Dutch words."""

    _TOKEN = re.compile(r"\b[a-z]{1,6}_[a-z0-9_]+\b")

    def __init__(self, rt: Roltrap) -> None:
        cat = rt.catalogue()
        self.labels = {str(i): _plain_label(str(lab)) for i, lab in zip(cat["id"], cat["label"], strict=True)}
        self.labels.update(EXTRA_NAMES)

    def __call__(self, text: Any) -> str:
        if text is None:
            return ""
        out = str(text)
        # "(a_opl_lg)" after words that already say it: drop the bracket; a bare code: its label.
        out = re.sub(r"\s*\((?:[a-z]{1,6}_[a-z0-9_]+)(?:,\s*[a-z]{1,6}_[a-z0-9_]+)*\)", "", out)

        def one(m: re.Match[str]) -> str:
            code = m.group(0)
            if code in self.labels:
                return self.labels[code]
            if code in _COLUMN_WORDS:
                return _COLUMN_WORDS[code]
            return code

        return self._TOKEN.sub(one, out)


# Derived names that are not catalogue ids but appear in method texts.
EXTRA_NAMES = {"g_hhgro": "gemiddelde huishoudensgrootte", "p_internationaal": "internationale achtergrond"}
_COLUMN_WORDS = {
    k: v.lower()
    for k, v in {
        "bereik_min": "ondergrens",
        "bereik_max": "bovengrens",
        "n_lenzen": "aantal lenzen",
        "pct_centraal": "centraal aandeel",
        "vestigers_per_jaar": "vestigers per jaar",
    }.items()
}


def _plain_label(label: str) -> str:
    """A catalogue label as words inside a sentence: no trailing "(%)", first letter lower-case."""
    text = re.sub(r"\s*\((%|x 1 000 euro)\)$", "", label).strip()
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def dedupe_sources(sources: list[str], *, publishers: Iterable[str] = ()) -> list[str]:
    """One line per source: exact repeats, and a title that recurs with its publisher appended
    ("… (CBS)"), are listed once (the fuller form). Without ``publishers``, any last bracket
    without brackets inside counts as a publisher."""
    seen = list(dict.fromkeys(" ".join(str(s).split()) for s in sources if s))
    pubs = {str(p) for p in publishers if p}

    def fuller(s: str, t: str) -> bool:
        if not (t.startswith(s + " (") and t.endswith(")")):
            return False
        tail = t[len(s) + 2 : -1]
        return tail in pubs if pubs else not set(tail) & set("()")

    return [s for s in seen if not any(fuller(s, t) for t in seen)]


# -- monitor sections -------------------------------------------------------------------------------
def result_section(compute: Callable[[], MonitorResult], *, kind: str) -> dict[str, Any]:
    """One district-monitor result as page data; a computation that cannot run says why, in Dutch."""
    try:
        result = compute()
    except (NotAvailableError, NotFoundError) as exc:
        return {"available": False, "reason": exc.message, "rows": [], "kind": kind}
    out: dict[str, Any] = result.to_dict()
    out["available"] = True
    present = [c for c in ("class", "rank") if any(c in r for r in out["rows"])]
    present += [c for c in out.get("value_columns", []) if c not in present]
    if any(r.get("period") for r in out["rows"]):
        present.append("period")
    tables = section_tables(str(out.get("kind") or kind), present)
    out["columns"] = tables[0]["columns"]
    out["detail_tables"] = tables[1:]
    return out


def monitor_section(rt: Roltrap, method: str, **kwargs: Any) -> dict[str, Any]:
    """Kept for callers that name the computation; prefer :func:`result_section` with a typed call.

    The computations are looked up in an explicit table of the monitor's methods (never by
    attribute name), so a misspelt name is an error, not silence.
    """
    mon = rt.monitor
    table: dict[str, Callable[..., MonitorResult]] = {
        "turnover": mon.turnover,
        "classify": mon.classify,
        "vulnerable": mon.vulnerable,
        "rank": mon.rank,
        "compare": mon.compare,
        "conditions": mon.conditions,
    }
    if method not in table:
        return {"available": False, "reason": NOT_YET, "rows": [], "kind": method}
    fn = table[method]
    return result_section(lambda: fn(**kwargs), kind=method)


def only_rows(section: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    """The same section restricted to some regions (e.g. one district and its city)."""
    if not section.get("available"):
        return section
    rows = [r for r in section["rows"] if r.get("code") in codes]
    return {**section, "rows": rows}


def _row(section: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((r for r in section.get("rows", []) if r.get("code") == code), None)


# -- figures ----------------------------------------------------------------------------------------
def _catalogue(rt: Roltrap) -> dict[str, dict[str, Any]]:
    cat = rt.catalogue()
    out = {}
    for rec in cat.to_dict("records"):
        d = rec.get("decimals")
        out[str(rec["id"])] = {
            "label": rec["label"],
            "unit": rec["unit"],
            "kind": rec["kind"],
            "decimals": None if d is None or pd.isna(d) else int(d),
        }
    return out


def key_figures(rt: Roltrap, code: str, *, city: str | None, year: int) -> list[dict[str, Any]]:
    """Each figure of a region with the reference area's figure for the same year, unit and source."""
    mine = rt.show(code, year=year)["indicators"]
    theirs: dict[str, Any] = {}
    if city:
        try:
            theirs = rt.show(city, year=year)["indicators"]
        except RoltrapError:
            theirs = {}
    counts = count_kinds(rt)
    cat = _catalogue(rt)
    min_cell = rt.settings.min_cell
    order = [i for i in KEY_INDICATORS if i in mine] + [i for i in mine if i not in KEY_INDICATORS]
    out = []
    for ind in order:
        rec = mine[ind]
        other = theirs.get(ind, {})
        is_count = ind in counts
        out.append(
            {
                "id": ind,
                "label": rec["label"],
                "unit": rec["unit"],
                "year": year,
                "decimals": cat.get(ind, {}).get("decimals"),
                "value": safe_value(rec["value"], is_count=is_count, min_cell=min_cell),
                "suppressed": _is_suppressed(rec["value"], is_count=is_count, min_cell=min_cell),
                "city_value": safe_value(other.get("value"), is_count=is_count, min_cell=min_cell),
                "source": rec["source"],
                "estimate": rec["estimate"],
                "key": ind in KEY_INDICATORS,
            }
        )
    return out


def _latest(obs: pd.DataFrame, code: str, ind: str, year: int) -> tuple[Any, int | None, str | None, bool]:
    """The value of ``ind`` for ``code`` in ``year``, else in the latest earlier year held."""
    part = obs[(obs["region_code"] == code) & (obs["indicator_id"] == ind) & (obs["year"] <= year)]
    part = part.dropna(subset=["value"]).sort_values("year")
    if part.empty:
        return None, None, None, False
    last = part.iloc[-1]
    return jsonable(last["value"]), int(last["year"]), str(last["source_id"]), bool(last["estimate"])


def value_text(value: Any, unit: str | None, decimals: int | None, *, suppressed: bool = False) -> str:
    """A figure as a coach reads it: "10,0 %", "€ 30.300", "61 per 1.000 inwoners", "14.190"."""
    if suppressed:
        return fmt.SUPPRESSED
    if value is None:
        return fmt.MISSING
    if unit == "x 1 000 euro":
        return f"€ {fmt.number(round(float(value) * 1000, -2), 0)}"
    if unit in ("personen", "huishoudens", None, ""):
        return fmt.number(value, decimals)
    if unit == "per 1 000 inwoners":  # the label says "per 1.000 inwoners"
        return fmt.number(value, decimals)
    return fmt.quantity(value, unit, decimals)


def headline(
    rt: Roltrap,
    code: str,
    ref: str | None,
    *,
    year: int,
    cat: Mapping[str, dict[str, Any]],
    source_titles: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The four headline figures in ``year`` (or the latest earlier year, said so) against ``ref``."""
    codes = [code] + ([ref] if ref else [])
    obs = rt.observations(codes=codes, indicators=HEADLINE)
    counts = count_kinds(rt)
    min_cell = rt.settings.min_cell
    out = []
    for ind in HEADLINE:
        meta = cat.get(ind, {"label": ind, "unit": None, "decimals": None})
        value, vyear, src, est = _latest(obs, code, ind, year)
        rvalue, ryear, _, _ = _latest(obs, ref, ind, vyear or year) if ref else (None, None, None, False)
        is_count = ind in counts
        sup = _is_suppressed(value, is_count=is_count, min_cell=min_cell)
        label = _card_label(str(meta["label"]), meta["unit"])
        note = None
        if value is None:
            note = f"Geen cijfer voor {_plain_label(str(meta['label']))} in {year} of eerder."
        elif vyear != year:
            note = f"Cijfer van {vyear}: {year} is er nog niet."
        out.append(
            {
                "id": ind,
                "label": label,
                "unit": meta["unit"],
                "decimals": meta["decimals"],
                "value": None if sup else value,
                "suppressed": sup,
                "year": vyear,
                "text": value_text(value, meta["unit"], meta["decimals"], suppressed=sup),
                "ref_value": rvalue if ref else None,
                "ref_year": ryear,
                "ref_text": value_text(rvalue, meta["unit"], meta["decimals"]) if ref else None,
                "comparison": _compare_words(value, rvalue) if not is_count and not sup else None,
                "source": source_titles.get(src or "", src),
                "estimate": est,
                "note": note,
            }
        )
    return out


def _card_label(label: str, unit: str | None) -> str:
    """A headline card's label: the unit in words where the value is a bare number."""
    label = re.sub(r"\s*\(%\)$", "", label)
    if unit == "per 1 000 inwoners":
        return re.sub(r"\s+relatief$", "", label) + " per 1.000 inwoners"
    return label


def _compare_words(value: Any, ref: Any, *, tolerance: float = 0.03) -> str | None:
    """ "hoger dan", "lager dan" or "gelijk aan" (within 3 %) the reference."""
    if value is None or ref is None or not isinstance(value, (int, float)) or not ref:
        return None
    ratio = float(value) / float(ref)
    if abs(ratio - 1) <= tolerance:
        return "gelijk aan"
    return "hoger dan" if ratio > 1 else "lager dan"


def trend_charts(
    rt: Roltrap,
    code: str,
    *,
    city: str | None,
    names: Mapping[str, str] | None = None,
    min_points: int = MIN_TREND_POINTS,
    limit: int | None = MAX_TRENDS,
) -> list[dict[str, Any]]:
    """Line charts of the indicators the district holds in at least ``min_points`` years, with the
    reference area's line where it shares the scale and has at least two years; each with its data
    as a table (the text alternative)."""
    codes = [code] + ([city] if city else [])
    obs = rt.observations(codes=codes, indicators=TREND_INDICATORS)
    if obs.empty:
        return []
    cat = _catalogue(rt)
    counts = count_kinds(rt)
    out = []
    for ind in TREND_INDICATORS:
        part = obs[obs["indicator_id"] == ind].dropna(subset=["value"])
        mine = part[part["region_code"] == code]
        if mine["year"].nunique() < min_points:
            continue
        if ind in counts:  # a city total and a district count do not share a scale
            part = mine[mine["value"] >= rt.settings.min_cell]
            if part["year"].nunique() < min_points:
                continue
        else:
            theirs = part[part["region_code"] != code]
            if theirs["year"].nunique() < 2:  # one city dot is no line: leave it out
                part = mine
        meta = cat.get(ind, {"label": ind, "unit": None, "decimals": None})
        label = re.sub(r"\s*\(%\)$", "", str(meta["label"]))
        unit = meta["unit"]
        series = part["region_code"].map(lambda c: (names or {}).get(c, c))
        frame = pd.DataFrame({"series": series, "year": part["year"], "value": part["value"]})
        table = frame.pivot_table(index="year", columns="series", values="value", aggfunc="first")
        out.append(
            {
                "id": ind,
                "label": label,
                "unit": unit,
                "decimals": meta["decimals"],
                "years": [int(y) for y in sorted(mine["year"].unique())],
                "spec": charts.trend_lines(
                    frame, title=label, unit=_axis_unit(unit), axis_title=_axis_unit(unit) or ""
                ),
                "table": {
                    "columns": ["Jaar", *[str(c) for c in table.columns]],
                    "rows": [
                        [int(y), *[jsonable(v) for v in row]]
                        for y, row in zip(table.index, table.to_numpy().tolist(), strict=True)
                    ],
                },
            }
        )
        if limit is not None and len(out) >= limit:
            break
    return out


def _axis_unit(unit: str | None) -> str | None:
    return {"x 1 000 euro": "× € 1.000", "per 1 000 inwoners": "per 1.000 inw."}.get(unit or "", unit)


# -- maps -------------------------------------------------------------------------------------------
def district_geojson(
    rt: Roltrap,
    gemeente: str,
    *,
    values: Mapping[str, Any] | None = None,
    classes: Mapping[str, str | None] | None = None,
    texts: Mapping[str, str] | None = None,
    level: str = "wijk",
) -> dict[str, Any]:
    """Area polygons (the wijken of a municipality, or the buurten of a wijk/municipality) as WGS84
    GeoJSON with value/class/url properties."""
    gdf = rt.geometries(gemeente=gemeente, level=level)
    if gdf.empty:
        raise NotAvailableError(
            f"Er zijn geen grenzen van de {level}en van {gemeente}.",
            hint="Importeer een Wijk- en Buurtkaart van CBS.",
        )
    gdf = gdf.copy()
    gdf["geometry"] = gdf.geometry.simplify(5.0)  # 5 m in RD: invisible at city scale, far smaller
    gdf = gdf.to_crs(4326)
    features = []
    for row in gdf.itertuples():
        code = str(row.code)
        value = jsonable((values or {}).get(code))
        cls = (classes or {}).get(code)
        features.append(
            {
                "type": "Feature",
                "geometry": row.geometry.__geo_interface__,
                "properties": {
                    "code": code,
                    "name": row.name,
                    "value": value,
                    "value_text": (texts or {}).get(code, "geen gegevens"),
                    "class": cls,
                    "class_text": cls or "geen gegevens",
                    "url": f"/{'buurt' if code.startswith('BU') else 'wijk'}/{code}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def locator_map(
    rt: Roltrap, code: str, *, gemeente: str, name: str, level: str = "wijk", height: int = 300
) -> dict[str, Any] | None:
    """A small map with the area highlighted among its neighbours (the wijken of its municipality,
    or the buurten of its wijk); ``None`` when no boundaries are held."""
    noun = LEVEL_NOUN.get(level, level)
    try:
        gdf = rt.geometries(gemeente=gemeente, level=level)
    except RoltrapError:
        return None
    if gdf.empty or code not in set(gdf["code"]):
        return None
    this, others = f"deze {noun}", f"andere {noun}en"
    classes = {str(c): (this if c == code else others) for c in gdf["code"]}
    geo = district_geojson(rt, gemeente, classes=classes, texts={code: name}, level=level)
    return charts.choropleth(
        geo,
        title=f"Ligging van {name}",
        unit=None,
        labels=[this, others],
        colours=[charts.HIGHLIGHT, "#e8e8e8"],
        height=height,
        legend_title="Ligging",
    )


# -- the coach's reading: problems, work style, vindplaatsen --------------------------------------
# A problem is flagged where the area is at least PROBLEM_RATIO times the reference (or, for income,
# at most 1 / PROBLEM_RATIO); "strong" at STRONG_RATIO. The thresholds are roltrap's reading of §19
# (a neighbourhood's situation decides the style) and §22 (meet people where they already come).
PROBLEM_RATIO = 1.15
STRONG_RATIO = 1.5
PROBLEMS: list[dict[str, Any]] = [
    {
        "id": "minima",
        "what": "veel huishoudens met een laag inkomen",
        "vindplaatsen": ["buurtwinkel", "buurthuis"],
    },
    {"id": "inkomen", "what": "een laag inkomen per inwoner", "vindplaatsen": ["buurtwinkel", "online"]},
    {"id": "bijstand", "what": "veel mensen in de bijstand", "vindplaatsen": ["buurthuis", "bibliotheek"]},
    {"id": "opleiding", "what": "veel laagopgeleiden", "vindplaatsen": ["bibliotheek", "school"]},
    {"id": "zorg", "what": "veel Wmo-cliënten", "vindplaatsen": ["buurthuis", "huisbezoek"]},
    {"id": "jeugd", "what": "veel jongeren met jeugdzorg", "vindplaatsen": ["school", "sportvereniging"]},
    {
        "id": "alleen",
        "what": "veel eenpersoonshuishoudens (risico op isolement)",
        "vindplaatsen": ["buurthuis", "online"],
    },
    {"id": "ouderen", "what": "veel 65-plussers", "vindplaatsen": ["buurthuis", "huisbezoek"]},
    {"id": "gezinnen", "what": "veel gezinnen met kinderen", "vindplaatsen": ["school", "sportvereniging"]},
]
# Groups (not problems in themselves): they steer the vindplaatsen, not the work style.
GROUPS = frozenset({"ouderen", "gezinnen"})


def _ratios(fig: Mapping[str, Any]) -> dict[str, float | None]:
    """Per problem: the area's figure divided by the reference's (above 1 = more of the problem)."""

    def share(num: str, den: str, who: str) -> float | None:
        n, d = fig.get(num, {}).get(who), fig.get(den, {}).get(who)
        return None if n is None or not d else float(n) / float(d)

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None or b == 0 else a / b

    def direct(ind: str) -> float | None:
        return ratio(fig.get(ind, {}).get("value"), fig.get(ind, {}).get("ref"))

    def of(num: str, den: str) -> float | None:
        return ratio(share(num, den, "value"), share(num, den, "ref"))

    income = direct("g_ink_pi")
    return {
        "minima": direct("p_hh_110"),
        "inkomen": None if income is None or income == 0 else 1 / income,
        "bijstand": of("a_soz_wb", "a_inw"),
        "opleiding": of("a_opl_lg", "a_inw"),
        "zorg": direct("p_wmo_t"),
        "jeugd": direct("p_jz_tn"),
        "alleen": of("a_1p_hh", "a_hh"),
        "ouderen": of("a_65_oo", "a_inw"),
        "gezinnen": of("a_hh_m_k", "a_hh"),
    }


def approach(
    rt: Roltrap, figures: list[dict[str, Any]], *, noun: str, ref_name: str | None
) -> dict[str, Any]:
    """The BuZz work style (§19) and the vindplaatsen (§22) that fit the area's problems."""
    fw = rt.triage.frameworks
    fig = {f["id"]: {"value": f["value"], "ref": f["city_value"]} for f in figures if not f.get("suppressed")}
    ratios = _ratios(fig)
    flagged = [
        (p, ratios[p["id"]])
        for p in PROBLEMS
        if ratios.get(p["id"]) is not None and float(ratios[p["id"]] or 0) >= PROBLEM_RATIO
    ]
    problems = [p for p, _ in flagged if p["id"] not in GROUPS]
    strong = [p for p, r in flagged if p["id"] not in GROUPS and float(r or 0) >= STRONG_RATIO]
    known = sum(1 for p in PROBLEMS if ratios.get(p["id"]) is not None)
    if known == 0 or ref_name is None:
        return {
            "available": False,
            "problems": [],
            "vindplaatsen": [],
            "style": None,
            "reason": f"Zonder cijfers naast die van {'de stad' if ref_name else 'een vergelijkingsgebied'} "
            "valt niet te zeggen welke problemen hier meer spelen.",
        }
    if len(strong) >= 2 and len(problems) >= 4:
        style_id = "activeren"
        why = (
            "Meerdere problemen komen hier sterk geconcentreerd voor "
            f"({_join([p['what'] for p in strong])}). "
            "Dat vraagt om activeren samen met wijkteam en hulpverlening; BuZz draagt vooral preventief bij."
        )
    elif problems:
        style_id = "coachen"
        why = (
            f"Deze {noun} heeft {_join([p['what'] for p in problems])} vergeleken met {ref_name}: "
            "het terrein van coachen, het werk van BuZz."
        )
    else:
        style_id = "zelfsturen"
        why = (
            f"Geen van de kerncijfers wijst op een opstapeling van problemen vergeleken met {ref_name}; "
            "bewoners kunnen veel zelf. Informeren en faciliteren volstaat meestal."
        )
    style = fw.style(style_id)
    score: dict[str, list[str]] = {}
    for p, _ in flagged:
        for vp in p["vindplaatsen"]:
            score.setdefault(vp, []).append(p["what"])
    if not score:  # nothing stands out: the general places of the style
        score = {vp: ["de werkvorm van deze stijl"] for vp in ("buurthuis", "online")}
    order = sorted(score, key=lambda v: (-len(score[v]), [x.id for x in fw.vindplaatsen].index(v)))
    vindplaatsen = [{"id": v, "label": fw.vindplaats(v).label, "why": _join(score[v])} for v in order[:4]]
    return {
        "available": True,
        "problems": [
            {
                "id": p["id"],
                "what": p["what"],
                "ratio": round(float(r or 0), 2),
                "strong": float(r or 0) >= STRONG_RATIO,
            }
            for p, r in flagged
        ],
        "style": {
            "id": style.id,
            "label": style.label,
            "relation": style.relation,
            "why": why,
            "work_forms": list(style.work_forms[:4]),
            "contact_places": list(style.contact_places),
            "buzz_role": style.buzz_role,
        },
        "vindplaatsen": vindplaatsen,
        "rule": (
            f"Een probleem telt mee waar het cijfer minstens {fmt.number(PROBLEM_RATIO, 2)} keer dat van "
            f"{ref_name} is (bij inkomen: zoveel lager); sterk vanaf {fmt.number(STRONG_RATIO, 1)} keer. "
            "Stijl naar §19, vindplaatsen naar §22 van de syllabus."
        ),
    }


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _join(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


# -- page 1: the paragraph, the class, the lenses ---------------------------------------------------
def class_box(section: dict[str, Any], code: str, *, level: str, clean: CodeNames) -> dict[str, Any]:
    """Aankomst, bestemming or gemengd, with the score and what decides it, in words."""
    if level == "gemeente":
        return {
            "available": False,
            "label": None,
            "reason": "Niet van toepassing: de typering vergelijkt wijken binnen één gemeente.",
        }
    if not section.get("available"):
        return {"available": False, "label": None, "reason": clean(section.get("reason") or NOT_YET)}
    row = _row(section, code)
    if row is None or not row.get("class"):
        reason = (row or {}).get("reason") or "Voor dit gebied is geen typering berekend."
        return {"available": False, "label": None, "reason": clean(str(reason)[:1].upper() + str(reason)[1:])}
    cls = str(row["class"])
    if level == "buurt":  # the monitor names the classes after wijken
        cls = cls.replace("wijk van", "buurt van")
    evidence = [_evidence_text(e, clean) for e in (row.get("evidence") or [])[:3] if isinstance(e, dict)]
    return {
        "available": True,
        "label": cls,
        "score": row.get("score"),
        "score_text": fmt.signed(row.get("score"), 2),
        "syllabus": row.get("syllabus"),
        "evidence": evidence,
        "estimate": bool(row.get("estimate")),
    }


def _evidence_text(e: Mapping[str, Any], clean: CodeNames) -> str:
    """ "huurwoningen 37,0 % (stad 58,0 %)" from a classify evidence item."""
    label = clean(e.get("label"))
    m = re.match(r"^(.*?)\s*\(([^()]*)\)$", label)
    name, unit = (m.group(1), m.group(2)) if m else (label, "")
    unit = "%" if unit.startswith("%") else unit
    suffix = f" {unit}" if unit else ""
    return (
        f"{name} {fmt.number(e.get('value'), 1)}{suffix} (stad {fmt.number(e.get('city_value'), 1)}{suffix})"
    )


LENS_NAMES = [
    ("opleiding", None, "Opleiding: laagopgeleiden"),
    ("voorzieningen_min", "voorzieningen_max", "Voorzieningen: bijstand, Wmo, jeugdzorg"),
    ("inkomen_110", "inkomen_120", "Inkomen: tot 110–120 % van het sociaal minimum"),
]


def lenses_box(section: dict[str, Any], code: str, *, clean: CodeNames, min_cell: int) -> dict[str, Any]:
    """The three lenses on the vulnerable group and the triangulated range; a central figure only
    when at least two lenses are there for the same year."""
    if not section.get("available"):
        return {"available": False, "reason": clean(section.get("reason") or NOT_YET), "lenses": []}
    row = _row(section, code)
    if row is None:
        return {"available": False, "reason": "Geen lenzen voor dit gebied.", "lenses": []}
    lenses: list[dict[str, Any]] = []
    for low_key, high_key, label in LENS_NAMES:
        low = row.get(low_key)
        high = row.get(high_key) if high_key else low
        if low is None and high is None:
            lenses.append({"label": label, "low": None, "high": None, "text": "geen cijfer"})
            continue
        lo, hi = (low if low is not None else high), (high if high is not None else low)
        small = any(v is not None and float(v) < min_cell for v in (lo, hi))
        text = (
            fmt.SUPPRESSED
            if small
            else (
                fmt.number(lo, 0)
                if round(float(lo or 0)) == round(float(hi or 0))
                else fmt.number_range(lo, hi, 0)
            )
        )
        lenses.append(
            {
                "label": label,
                "low": None if small else lo,
                "high": None if small else hi,
                "central": None if small or lo is None or hi is None else (float(lo) + float(hi)) / 2,
                "text": text,
            }
        )
    n = int(row.get("n_lenzen") or sum(1 for x in lenses if x["low"] is not None))
    out: dict[str, Any] = {
        "available": True,
        "lenses": lenses,
        "n_lenzen": n,
        "year": section.get("extra", {}).get("year"),
        "estimate": bool(row.get("estimate")),
    }
    if n >= 2 and row.get("centraal") is not None:
        out.update(
            low=row.get("bereik_min"),
            central=row.get("centraal"),
            high=row.get("bereik_max"),
            pct=row.get("pct_centraal"),
            text=(
                f"{fmt.number_range(row.get('bereik_min'), row.get('bereik_max'), 0)} inwoners, "
                f"centraal {fmt.number(row.get('centraal'), 0)} ({fmt.percent(row.get('pct_centraal'))})"
            ),
        )
    else:
        out.update(
            low=None,
            central=None,
            high=None,
            pct=None,
            text="Maar één lens: geen bandbreedte. De cijfers hieronder zijn die van die ene lens.",
        )
    return out


def _lens_chart(box: dict[str, Any]) -> dict[str, Any] | None:
    if not box.get("available"):
        return None
    rows = [
        {"lens": x["label"].split(":")[0], "low": x["low"], "high": x["high"], "central": x.get("central")}
        for x in box["lenses"]
        if x["low"] is not None
    ]
    if not rows:
        return None
    return charts.range_chart(
        pd.DataFrame(rows), low=box.get("low"), high=box.get("high"), title="Kwetsbare groep", unit="personen"
    )


def summary_text(p: dict[str, Any]) -> str:
    """The area in one paragraph of plain Dutch, from the figures the profile already holds."""
    noun = LEVEL_NOUN.get(p["level"], p["level"])
    where = f" in {p['parent_name']}" if p.get("parent_name") and p["level"] != "gemeente" else ""
    if p["level"] == "buurt" and p.get("wijk_name"):
        where = f" in de wijk {p['wijk_name']} ({p['gemeente_name']})"
    h = {f["id"]: f for f in p["headline"]}
    parts: list[str] = []
    inw = h.get("a_inw", {})
    if inw.get("suppressed"):
        parts.append(f"{p['name']} is een {noun}{where} met weinig inwoners (minder dan {p['min_cell']}).")
    elif inw.get("value") is not None:
        parts.append(
            f"{p['name']} is een {noun}{where} met {fmt.number(inw['value'], 0)} inwoners ({inw['year']})."
        )
    else:
        parts.append(f"{p['name']} is een {noun}{where}; een inwonertal is er niet.")
    cls = p.get("class") or {}
    speed = p.get("turnover_row") or {}
    if cls.get("available"):
        label = str(cls["label"])
        sentence = (
            f"Het is een gemengde {noun} (aankomst noch bestemming)"
            if label == "gemengd"
            else f"Het is een {label}"
        )
        if speed.get("vervangingssnelheid") is not None:
            sentence += (
                f": de bevolking vernieuwt zich in ongeveer {fmt.number(speed['vervangingssnelheid'], 0)} "
                f"jaar"
            )
            if p.get("turnover_ref") is not None:
                sentence += f" ({p['ref_name']}: {fmt.number(p['turnover_ref'], 0)} jaar)"
        parts.append(sentence + ".")
    ref = p.get("ref_name")
    minima = h.get("p_hh_110", {})
    if minima.get("value") is not None:
        s = f"Van de huishoudens leeft {minima['text']} van een inkomen tot 110 % van het sociaal minimum"
        if minima.get("comparison") and minima.get("ref_text") not in (None, fmt.MISSING):
            s += f", {minima['comparison']} {ref} ({minima['ref_text']})"
        parts.append(s + ".")
    income = h.get("g_ink_pi", {})
    if income.get("value") is not None:
        s = f"Het gemiddelde inkomen per inwoner is {income['text']}"
        if income.get("ref_text") not in (None, fmt.MISSING):
            s += f" ({ref}: {income['ref_text']})"
        parts.append(s + ".")
    lens = p.get("lenses") or {}
    if lens.get("central") is not None:
        parts.append(
            f"Naar schatting horen {fmt.number_range(lens['low'], lens['high'], 0)} inwoners tot de "
            f"sociaal-economisch kwetsbare groep ({fmt.percent(lens['pct'])})."
        )
    rank = p.get("rank_row") or {}
    if rank.get("rank") is not None and p.get("rank_of"):
        parts.append(
            f"Op de sociaal-economische rangorde van {p['rank_of']} {noun}en staat {p['name']} op plaats "
            f"{fmt.number(rank['rank'], 0)} (1 = zwakste positie)."
        )
    style = (p.get("approach") or {}).get("style")
    if style:
        parts.append(f"Passende werkstijl: {style['label'].lower()}.")
    return " ".join(parts)


# -- the profile ------------------------------------------------------------------------------------
def _pick_year(rt: Roltrap, code: str, year: int | None) -> tuple[int, list[int]]:
    """The profile's year: the one asked, else the latest year holding at least three of the four
    headline figures (two for small areas); and the years worth offering in a selector."""
    obs = rt.observations(codes=[code], indicators=HEADLINE).dropna(subset=["value"])
    per_year = obs.groupby("year")["indicator_id"].nunique() if not obs.empty else pd.Series(dtype=int)
    offered = sorted(int(y) for y, n in per_year.items() if n >= 2)
    if year is not None:
        held = rt.years(code)
        if year not in held:
            raise NotFoundError(
                f"Geen cijfers voor {code} in {year}.",
                hint=f"Jaren met cijfers: {', '.join(map(str, offered or held))}.",
                param="year",
                value=year,
            )
        return int(year), offered
    for need in (3, 2, 1):
        ok = [int(y) for y, n in per_year.items() if n >= need]
        if ok:
            return max(ok), offered
    shown = rt.show(code)  # no headline figure at all: the year with the most figures
    return int(shown["year"]), offered


def _areas(rt: Roltrap, reg: dict[str, Any]) -> dict[str, Any]:
    """Where an area sits: its municipality, its wijk (for a buurt), its reference area."""
    level = reg["level"]
    if level == "gemeente":
        ref = reg.get("parent") or None
        ref_name = rt.region(ref)["name"] if ref else None
        return {
            "gemeente": reg["code"],
            "gemeente_name": reg["name"],
            "wijk": None,
            "wijk_name": None,
            "ref": ref,
            "ref_name": ref_name if ref_name != "Nederland" else "Nederland",
        }
    if level == "wijk":
        gm = rt.region(reg["parent"]) if reg.get("parent") else None
        return {
            "gemeente": gm["code"] if gm else None,
            "gemeente_name": gm["name"] if gm else None,
            "wijk": reg["code"],
            "wijk_name": reg["name"],
            "ref": gm["code"] if gm else None,
            "ref_name": gm["name"] if gm else None,
        }
    wijk = rt.region(reg["parent"]) if reg.get("parent") else None
    gm = rt.region(wijk["parent"]) if wijk and wijk.get("parent") else None
    if wijk is not None and wijk["level"] == "gemeente":  # a buurt filed directly under its gemeente
        gm, wijk = wijk, None
    return {
        "gemeente": gm["code"] if gm else None,
        "gemeente_name": gm["name"] if gm else None,
        "wijk": wijk["code"] if wijk else None,
        "wijk_name": wijk["name"] if wijk else None,
        "ref": gm["code"] if gm else None,
        "ref_name": gm["name"] if gm else None,
    }


def _sections(
    rt: Roltrap, *, level: str, gm: str | None, code: str, ref: str | None, year: int
) -> dict[str, dict[str, Any]]:
    """The monitor results the profile shows, each restricted to the area and its reference."""
    mon = rt.monitor
    codes = [code] + ([ref] if ref else [])
    if gm is None:
        missing = {
            "available": False,
            "reason": "Dit gebied ligt niet in een gemeente uit de gegevens.",
            "rows": [],
        }
        return {
            k: dict(missing, kind=k) for k in ("classify", "vulnerable", "rank", "turnover", "conditions")
        }
    area = "wijk" if level == "gemeente" else level
    # Buurten: the typed calls with level="buurt" (the monitor's contract); wijken: the default level.
    kw: dict[str, Any] = {"level": "buurt"} if area == "buurt" else {}
    return {
        "classify": only_rows(
            result_section(lambda: mon.classify(gemeente=gm, year=year, **kw), kind="classify"), codes
        ),
        "vulnerable": only_rows(
            result_section(lambda: mon.vulnerable(gemeente=gm, year=year, **kw), kind="vulnerable"), codes
        ),
        "rank": result_section(lambda: mon.rank(gemeente=gm, year=year, **kw), kind="rank"),
        "turnover": only_rows(
            result_section(lambda: mon.turnover(gemeente=gm, **kw), kind="turnover"), codes
        ),
        "conditions": only_rows(
            result_section(lambda: mon.conditions(gemeente=gm, year=year, **kw), kind="conditions"), codes
        ),
    }


def conditions_box(
    section: dict[str, Any], code: str, ref: str | None, *, clean: CodeNames
) -> dict[str, Any]:
    """The escalator conditions (§10) of the area beside the reference area, as readable rows."""
    if not section.get("available"):
        return {"available": False, "reason": clean(section.get("reason") or NOT_YET), "rows": []}
    mine, theirs = _row(section, code), _row(section, ref) if ref else None
    if mine is None:
        return {"available": False, "reason": "Geen roltrapcondities voor dit gebied.", "rows": []}
    rows = []
    for key, label, unit, dec, better in CONDITION_ROWS:
        v, r = mine.get(key), (theirs or {}).get(key)
        if v is None and r is None:
            continue
        verdict = None
        if v is not None and r is not None and better:
            diff = (float(v) - float(r)) * better
            verdict = (
                "gunstiger"
                if diff > abs(float(r)) * 0.05
                else "minder gunstig"
                if diff < -abs(float(r)) * 0.05
                else "gelijk"
            )
        rows.append(
            {
                "key": key,
                "label": label,
                "value": v,
                "ref_value": r,
                "text": fmt.quantity(v, unit, dec),
                "ref_text": fmt.quantity(r, unit, dec),
                "verdict": verdict,
            }
        )
    notes = [_sentence(clean(n)) for n in section.get("notes", [])]
    return {
        "available": bool(rows),
        "rows": rows,
        "notes": notes,
        "reason": None if rows else "Geen roltrapcondities voor dit gebied.",
    }


def appendix(sections: Mapping[str, dict[str, Any]], *, clean: CodeNames) -> list[dict[str, Any]]:
    """Method text per computation, for the optional appendix (``--bijlage``)."""
    titles = {
        "classify": "Type: aankomst of bestemming",
        "vulnerable": "Kwetsbare groep: drie lenzen",
        "turnover": "Vervangingssnelheid",
        "rank": "Rangorde",
        "conditions": "Roltrapcondities",
    }
    out: list[dict[str, Any]] = []
    for key, title in titles.items():
        sec = sections.get(key) or {}
        if not sec.get("available"):
            out.append(
                {
                    "title": title,
                    "method": None,
                    "assumptions": [],
                    "notes": [],
                    "reason": clean(sec.get("reason") or NOT_YET),
                }
            )
            continue
        out.append(
            {
                "title": title,
                "method": clean(sec.get("method")),
                "assumptions": [clean(a) for a in sec.get("assumptions", [])],
                "notes": [clean(n) for n in sec.get("notes", [])],
                "reason": None,
            }
        )
    return out


# -- Nabijheid / 15 minuten (§1, §9–§11, §22) -------------------------------------------------------
ACCESS_ATTRIBUTION = "© OpenStreetMap-bijdragers (ODbL)"
ACCESS_BAR = 15  # minutes


def _minutes_text(value: Any) -> str:
    return fmt.MISSING if fmt.is_missing(value) else f"{fmt.number(value, 0)} min"


def _share_text(value: Any) -> str:
    return fmt.MISSING if fmt.is_missing(value) else fmt.share_percent(value, 0)


def _no_access_reason(rt: Roltrap, code: str, *, level: str, noun: str) -> str:
    """Why an area has no travel times, in one Dutch sentence."""
    try:
        reg = rt.region(code)
        gm = reg["parent"] if level == "wijk" else rt.region(reg["parent"])["parent"]
        gm_name = rt.region(gm)["name"]
        has_net = rt.access.has_network(gm)
    except (RoltrapError, KeyError, TypeError):
        gm_name, has_net = None, False
    if has_net:
        return (
            f"Voor deze {noun} zijn geen reistijden beschikbaar: er zijn geen {noun}grenzen om de straten "
            f"aan de {noun} toe te delen, en CBS-afstanden tot voorzieningen ontbreken."
        )
    where = f"voor {gm_name} " if gm_name else ""
    return (
        f"Voor deze {noun} zijn geen reistijden beschikbaar: roltrap heeft {where}geen straatnetwerk en "
        f"de CBS-afstanden tot voorzieningen ontbreken voor deze {noun}."
    )


def _access_summary(rows: list[dict[str, Any]], *, noun: str) -> str | None:
    """ "Vanuit de wijk is het gemiddeld 23 min lopen of 9 min fietsen naar het treinstation …"."""
    by = {r["soort"]: r for r in rows}
    targets = (("treinstation", "het dichtstbijzijnde treinstation"), ("centrum", "het stadscentrum"))
    parts = [
        f"{by[k]['walk_text']} lopen of {by[k]['bike_text']} fietsen naar {what}"
        for k, what in targets
        if k in by
    ]
    if not parts:
        return None
    text = f"Vanuit de {noun} is het gemiddeld {' en '.join(parts)}."
    shares = [
        (by[k]["walk_share_text"], what)
        for k, what in (("treinstation", "van een station"), ("centrum", "van het centrum"))
        if k in by and by[k]["walk_share_15"] is not None
    ]
    if shares:
        first = f"{shares[0][0]} binnen {ACCESS_BAR} minuten lopen {shares[0][1]}"
        rest = "".join(f" en {pct} {what}" for pct, what in shares[1:])
        text += f" Van de bewoners woont {first}{rest}."
    return text


def access_box(rt: Roltrap, code: str, *, level: str, noun: str, year: int | None = None) -> dict[str, Any]:
    """Minutes walking and cycling from where the area's residents live to the nearest place of each
    kind (station, centre, and every kind the store holds), and the share of residents within 15
    minutes, from :meth:`roltrap.access.service.AccessService.area`.

    On a street network the minutes are the residents' mean and the shares are known; where there is
    no network (another municipality, or buurten without boundaries) the CBS road distances
    (``g_afs_*``) are converted to minutes at the stated speeds and the text says so; where neither
    exists, ``reason`` says so in one Dutch sentence.
    """
    from roltrap.access.kinds import label as kind_label

    base: dict[str, Any] = {
        "applicable": level in ("wijk", "buurt"),
        "available": False,
        "rows": [],
        "notes": [],
        "cbs_note": None,
        "sources": [],
        "network": False,
        "attribution": None,
        "summary": None,
        "reason": None,
    }
    if not base["applicable"]:
        base["reason"] = "Reistijden staan per wijk en buurt, niet voor de gemeente als geheel."
        return base
    try:
        res = rt.access.area(code, year=year)
    except RoltrapError:
        res = None
    rows = res.rows if res is not None else pd.DataFrame()
    if res is None or rows.empty or not rows["available"].astype(bool).any():
        base["reason"] = _no_access_reason(rt, code, level=level, noun=noun)
        return base
    speeds = {k: float(v) for k, v in res.extra.get("speeds_kmh", {}).items()}
    gm = str(res.extra.get("gemeente") or "")
    network = bool(res.extra.get("network"))
    has_net = network or (bool(gm) and rt.access.has_network(gm))
    years = {str(k): int(v) for k, v in (res.extra.get("years") or {}).items()}
    kinds = list(res.extra.get("kinds") or dict.fromkeys(rows["soort"]))
    out_rows: list[dict[str, Any]] = []
    cbs_labels: list[str] = []
    cbs_years: set[int] = set()
    for kind in kinds:
        part = rows[rows["soort"] == kind]
        net = part[part["method"] == "netwerk"]
        use = net if not net.empty else part
        is_net = not net.empty
        by_mode = {str(r["mode"]): r for r in use.to_dict("records")}
        walk, bike = by_mode.get("lopen", {}), by_mode.get("fiets", {})
        if not any(bool(r.get("available")) for r in (walk, bike)):
            continue
        if not is_net:
            ind = re.search(r"\((\w+)\)", str(use["method"].iloc[0]))
            cbs_labels.append(kind_label(kind))
            if ind and ind.group(1) in years:
                cbs_years.add(years[ind.group(1)])

        def value(r: Mapping[str, Any], key: str) -> Any:
            v = jsonable(r.get(key)) if r.get("available") else None
            return None if v is None else float(v)

        rec = {
            "soort": kind,
            "label": kind_label(kind),
            "method": "netwerk" if is_net else "cbs",
            "walk_minutes": value(walk, "minutes"),
            "bike_minutes": value(bike, "minutes"),
            "walk_share_15": value(walk, "share_15") if is_net else None,
            "bike_share_15": value(bike, "share_15") if is_net else None,
            "stale": bool(use["stale"].astype(bool).any()) if "stale" in use else False,
        }
        rec.update(
            walk_text=_minutes_text(rec["walk_minutes"]),
            bike_text=_minutes_text(rec["bike_minutes"]),
            walk_share_text=_share_text(rec["walk_share_15"]) if is_net else "",
            bike_share_text=_share_text(rec["bike_share_15"]) if is_net else "",
            source="OpenStreetMap" + (" (haltes 2015, verouderd)" if rec["stale"] else "")
            if is_net
            else "CBS-afstand",
        )
        out_rows.append(rec)
    if not out_rows:
        base["reason"] = f"Voor deze {noun} zijn geen reistijden beschikbaar."
        return base
    walk_kmh, bike_kmh = fmt.number(speeds.get("lopen"), None), fmt.number(speeds.get("fiets"), None)
    notes: list[str] = []
    if network:
        notes.append(
            f"Over het straatnetwerk uit OpenStreetMap, lopen {walk_kmh} km/u en fietsen {bike_kmh} km/u; "
            f"minuten = gemiddelde over de bewoners van de {noun}."
        )
        if any(r["stale"] for r in out_rows):
            notes.append("Bushaltes: stand 2015, verouderd.")
    cbs_note = None
    if cbs_labels:
        when = f" ({', '.join(map(str, sorted(cbs_years)))})" if cbs_years else ""
        if has_net and not network:
            lead = f"Zonder {noun}grenzen weet roltrap niet welke straten bij deze {noun} horen: "
        elif not has_net:
            lead = "Voor deze gemeente heeft roltrap geen straatnetwerk: "
        else:
            lead = ""
        cbs_note = _sentence(
            f"{lead}CBS-afstand over de weg{when}, omgerekend naar minuten met {walk_kmh} km/u lopend en "
            f"{bike_kmh} km/u per fiets; CBS geeft alleen een gemiddelde, dus geen aandeel binnen "
            f"{ACCESS_BAR} minuten."
        )
    summary = _access_summary(out_rows, noun=noun)
    sources = list(res.sources)
    return {
        **base,
        "available": True,
        "rows": out_rows,
        "notes": notes,
        "cbs_note": cbs_note,
        "sources": sources,
        "network": network,
        "attribution": ACCESS_ATTRIBUTION if network else None,
        "summary": summary,
        "speeds": speeds,
        "url": f"/nabijheid?gemeente={gm}&level={level}",
    }


def district_profile(rt: Roltrap, code: str, *, year: int | None = None) -> dict[str, Any]:
    """Everything the Wijk/Buurt page, its downloads, the printed wijkprofiel and the CLI show for
    one area (a wijk, a buurt or a gemeente)."""
    reg = rt.region(code)
    level = str(reg["level"])
    if level not in LEVEL_NOUN:
        raise NotFoundError(
            f"{reg['code']} ({reg['name']}) is geen gemeente, wijk of buurt maar een {level}.",
            hint="Kies een gemeente (GM…), wijk (WK…) of buurt (BU…).",
            param="code",
            value=code,
        )
    code = str(reg["code"])
    year, years = _pick_year(rt, code, year)
    where = _areas(rt, reg)
    ref, ref_name, gm = where["ref"], where["ref_name"], where["gemeente"]
    cat = _catalogue(rt)
    clean = CodeNames(rt)
    src = rt.sources()
    source_titles = {str(i): str(t) for i, t in zip(src["id"], src["title"], strict=True)}
    figures = key_figures(rt, code, city=ref, year=year) if year in rt.years(code) else []
    sections = _sections(rt, level=level, gm=gm, code=code, ref=ref, year=year)
    rank_row = _row(sections["rank"], code)
    n_rank = sum(
        1 for r in sections["rank"].get("rows", []) if r.get("code") != ref and r.get("rank") is not None
    )
    turnover_row = _row(sections["turnover"], code)
    turnover_ref = (_row(sections["turnover"], ref) or {}).get("vervangingssnelheid") if ref else None
    names = {code: str(reg["name"])} | ({ref: str(ref_name)} if ref else {})
    noun = LEVEL_NOUN[level]
    head = headline(rt, code, ref, year=year, cat=cat, source_titles=source_titles)
    lenses = lenses_box(sections["vulnerable"], code, clean=clean, min_cell=rt.settings.min_cell)
    map_level = level if level != "gemeente" else "wijk"
    map_parent = where["wijk"] if level == "buurt" else gm
    map_parent_name = where["wijk_name"] or where["gemeente_name"]
    locator = None
    if level != "gemeente" and map_parent:
        locator = locator_map(rt, code, gemeente=map_parent, name=str(reg["name"]), level=map_level)
    profile: dict[str, Any] = {
        "code": code,
        "name": reg["name"],
        "level": level,
        "noun": noun,
        "parent": reg.get("parent"),
        "parent_name": (rt.region(reg["parent"])["name"] if reg.get("parent") else None),
        "gemeente": gm,
        "gemeente_name": where["gemeente_name"],
        "wijk": where["wijk"],
        "wijk_name": where["wijk_name"],
        "ref": ref,
        "ref_name": ref_name,
        "year": year,
        "years": years,
        "headline": head,
        "figures": figures,
        "sections": sections,
        "rank_row": rank_row,
        "rank_of": n_rank or None,
        "turnover_row": turnover_row,
        "turnover_ref": turnover_ref,
        "class": class_box(sections["classify"], code, level=level, clean=clean),
        "lenses": lenses,
        "lens_chart": _lens_chart(lenses),
        "conditions": conditions_box(sections["conditions"], code, ref, clean=clean),
        "approach": approach(rt, figures, noun=noun, ref_name=ref_name),
        "access": access_box(rt, code, level=level, noun=noun, year=year),
        "trends": trend_charts(rt, code, city=ref, names=names),
        "map": locator,
        "map_note": None
        if locator or level == "gemeente"
        else f"Geen kaart: er zijn geen grenzen van de {map_level}en van {map_parent_name}.",
        "min_cell": rt.settings.min_cell,
        "generated": date.today().isoformat(),
        "generated_text": _date_text(date.today()),
    }
    profile["appendix"] = appendix(sections, clean=clean)
    profile["summary"] = summary_text(profile)
    profile["missing"] = _missing(profile, clean=clean)
    sources = [f["source"] for f in head if f.get("source")]
    sources += [str(f["source"]) for f in figures if f["source"]]
    for sec in sections.values():
        sources += list(sec.get("sources", []))
    # The access section prints its OSM attribution itself; its generic KWB line adds nothing to
    # the specific KWB editions already listed.
    kwb = any(str(x).startswith("CBS Kerncijfers wijken en buurten") for x in sources)
    sources += [
        x
        for x in profile["access"].get("sources", [])
        if x != ACCESS_ATTRIBUTION and not (kwb and str(x).startswith("CBS Kerncijfers wijken en buurten"))
    ]
    profile["sources"] = dedupe_sources(sources, publishers=src["publisher"].dropna())
    return profile


def _missing(p: dict[str, Any], *, clean: CodeNames) -> list[str]:
    """What the profile could not show, in one Dutch sentence each."""
    out = [
        f["note"] for f in p["headline"] if f.get("note") and f.get("value") is None and not f["suppressed"]
    ]
    if not p["class"].get("available") and p["level"] != "gemeente":
        out.append(f"Type (aankomst of bestemming): {p['class']['reason']}")
    if not p["lenses"].get("available"):
        out.append(f"Kwetsbare groep: {p['lenses']['reason']}")
    if not p["trends"]:
        out.append(f"Trends: er zijn geen cijfers over minstens {MIN_TREND_POINTS} jaren.")
    if not p["conditions"].get("available"):
        out.append(f"Roltrapcondities: {p['conditions']['reason']}")
    acc = p.get("access") or {}
    if acc.get("applicable") and not acc.get("available"):
        out.append(f"Nabijheid: {acc['reason']}")
    return [clean(s) for s in out]


MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def _date_text(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
