"""The escalator analysis on the web: ``/roltrap`` (page) and ``/roltrap.json`` (the same data).

It runs on the folder in ``settings.cohort_input`` (``ROLTRAP_COHORT_INPUT``) or, by default, on a
small SYNTHETIC Leiden generated once into ``<data_dir>/cohort-demo`` on the first request. Results
are cached per parameter set (they depend only on the input and the parameters); every person
count comes from :mod:`roltrap.cohort` after disclosure control.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from roltrap import fmt
from roltrap.disclosure import SUPPRESSED_LABEL
from roltrap.errors import ConfigError, RoltrapError
from roltrap.report import charts
from roltrap.report.profile import district_geojson
from roltrap.web.deps import get_rt, respond

router = APIRouter()

DEMO_SCALE = 0.05
DEMO_SEED = 2021
DEMO_YEARS = (2005, 2022)
BOOTSTRAP_REPS = 199
_lock = threading.Lock()
_results: dict[tuple[Any, ...], dict[str, Any]] = {}

# Score classes (percentile points gained by leavers beyond stayers), with a colour each.
SCORE_CLASSES = (
    ("lager dan blijvers (< 0)", "#d8e6f2", None, 0.0),
    ("0 tot 5 punten", "#fdd49e", 0.0, 5.0),
    ("5 tot 10 punten", "#fc8d59", 5.0, 10.0),
    ("10 punten of meer", "#d7301f", 10.0, None),
)
STATUS_LABELS = {
    "blijver": "Bleef in de wijk",
    "teruggekeerd": "Vertrok en kwam terug",
    "andere_wijk": "Naar andere wijk",
    "andere_gemeente": "Naar andere gemeente",
    "onbekend": "Onbekend (buitenland, overleden, niet ingeschreven)",
    "Totaal": "Totaal",
}


def _input_folder(request: Request) -> tuple[Path, bool]:
    """The person-year folder, and whether it is the generated demo (generated on first use)."""
    settings = request.app.state.settings
    if settings.cohort_input is not None:
        return Path(settings.cohort_input), False
    folder = Path(settings.data_dir) / "cohort-demo"
    if not (folder / "SYNTHETIC").exists():
        with _lock:
            if not (folder / "SYNTHETIC").exists():
                get_rt(request).cohort.synth(
                    folder, scale=DEMO_SCALE, seed=DEMO_SEED, years=DEMO_YEARS, overwrite=True
                )
    return folder, True


def _analyse(request: Request, folder: Path, key: tuple[Any, ...], **params: Any) -> dict[str, Any]:
    cache_key = (str(folder.resolve()), *key)
    hit = _results.get(cache_key)
    if hit is None:
        hit = get_rt(request).cohort.analyse(folder, reps=BOOTSTRAP_REPS, **params)
        _results[cache_key] = hit
    return hit


# Ten distinguishable colours (Okabe & Ito plus two of Tol's muted set) and, from the eleventh
# wijk on, dashes: every line of a city's wijken has its own look.
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
                "#882255", "#999933"]
DASHES = [[1, 0], [6, 3], [2, 2]]


def _retention_chart(curve: pd.DataFrame) -> dict[str, Any]:
    """Share still in the wijk per year, one line per wijk: distinct colours, the full name in the
    legend (two columns under the chart, so it fits a phone), suppressed points left out."""
    import altair as alt

    data = curve.dropna(subset=["value"]).copy()
    data["year"] = data["year"].astype(int)
    series = list(dict.fromkeys(data["series"]))
    colours = [LINE_COLOURS[i % len(LINE_COLOURS)] for i in range(len(series))]
    dashes = [DASHES[(i // len(LINE_COLOURS)) % len(DASHES)] for i in range(len(series))]
    legend = alt.Legend(orient="bottom", columns=2, labelLimit=0, symbolType="stroke")
    chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:Q", title="Jaar", scale=alt.Scale(zero=False, nice=False),
                    axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("value:Q", title="Nog in de wijk (%)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series, range=colours),
                            legend=legend),
            strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=series, range=dashes), legend=None),
            tooltip=[alt.Tooltip("series:N", title="Wijk"), alt.Tooltip("year:Q", title="Jaar", format="d"),
                     alt.Tooltip("value:Q", title="Nog in de wijk (%)", format=".1f")],
        )
        .properties(width="container", height=220)
    )
    spec: dict[str, Any] = chart.configure_view(stroke=None).to_dict()
    spec["description"] = f"Lijndiagram: aandeel nog in de wijk per jaar voor {', '.join(series)}."
    return spec


def _score_class(v: float | None) -> str | None:
    if v is None:
        return None
    for label, _colour, lo, hi in SCORE_CLASSES:
        if (lo is None or v >= lo) and (hi is None or v < hi):
            return label
    return None


def _fmt(v: Any, decimals: int = 0) -> str:
    if v is None or pd.isna(v):  # a suppressed cell, also when it came through a float column as NaN
        return SUPPRESSED_LABEL
    return fmt.number(v, decimals, missing=SUPPRESSED_LABEL)


def _view(request: Request, res: dict[str, Any], *, demo: bool) -> dict[str, Any]:
    names: dict[str, str] = res.get("wijk_names", {})
    p = res["parameters"]
    # Retention curves: share still living in the origin wijk per year (suppressed points left out).
    ret = pd.DataFrame(res["retention"])
    curve = pd.DataFrame(
        {
            "series": ret["wijk"].map(lambda w: names.get(w, w)),
            "year": ret["year"],
            "value": ret["share"].map(lambda s: None if s is None or pd.isna(s) else round(100 * s, 1)),
        }
    )
    retention_chart = _retention_chart(curve) if curve["value"].notna().any() else None
    end = ret[ret["k"] == p["follow"]]
    esc = {r["wijk"]: r for r in res["escalator"]}
    rows = []
    for w in sorted(names):
        e = esc.get(w, {})
        last = end[end["wijk"] == w]
        share = last["share"].iloc[0] if len(last) else None
        share = None if share is None or pd.isna(share) else float(share)
        rows.append(
            {
                "code": w,
                "name": names[w],
                "low_income": bool(e.get("low_income", False)),
                "retention_end": share,
                "retention_text": SUPPRESSED_LABEL if share is None else f"{_fmt(100 * share, 1)} %",
                "score": e.get("score"),
                "score_text": _fmt(e.get("score"), 1),
                "ci_text": (
                    f"{_fmt(e['ci_low'], 1)} tot {_fmt(e['ci_high'], 1)}"
                    if e.get("ci_low") is not None
                    else SUPPRESSED_LABEL
                ),
                "class": _score_class(e.get("score")),
            }
        )
    map_spec = None
    try:
        geo = district_geojson(
            get_rt(request),
            p["gemeente"],
            values={r["code"]: r["score"] for r in rows},
            classes={r["code"]: r["class"] for r in rows},
            texts={r["code"]: r["score_text"] for r in rows},
        )
        map_spec = charts.choropleth(
            geo,
            title="Roltrapscore",
            unit="procentpunt",
            labels=[c[0] for c in SCORE_CLASSES],
            colours=[c[1] for c in SCORE_CLASSES],
            legend_title="Roltrapscore (percentielpunten)",
        )
    except Exception:  # no boundaries held: the table below carries the same figures
        map_spec = None
    destinations = [
        {
            "wijk": r["wijk"],
            "name": names.get(r["wijk"], r["wijk"]) if r["wijk"] != "Totaal" else "Totaal",
            "cells": [_fmt(r.get(s)) for s in STATUS_LABELS],
        }
        for r in res["destinations"]
    ]
    return {
        "demo": demo,
        "synthetic": bool(res["input"]["synthetic"]),
        "parameters": p,
        "wijken": rows,
        "retention_chart": retention_chart,
        "map_spec": map_spec,
        "status_labels": list(STATUS_LABELS.values()),
        "destinations_rows": destinations,
        "escalator_low_income": res["escalator_low_income"],
        "suppressed": res["suppressed"],
        "suppressed_label": SUPPRESSED_LABEL,
        "result": res,
    }


def _page(
    request: Request,
    base_year: int,
    age_min: int,
    age_max: int,
    follow: int,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    if age_min > age_max:
        raise ConfigError(
            f"Leeftijd {age_min}–{age_max}: de ondergrens ligt boven de bovengrens.",
            hint="Kies bijvoorbeeld 25 tot 44 jaar.",
        )
    folder, demo = _input_folder(request)
    res = _analyse(
        request,
        folder,
        (base_year, age_min, age_max, follow),
        base_year=base_year,
        age=(age_min, age_max),
        follow=follow,
    )
    view = _view(request, res, demo=demo)
    if request.url.path.endswith(".json"):
        data = {k: view[k] for k in ("demo", "synthetic", "parameters", "wijken", "suppressed")}
        data["result"] = res
        return respond(request, "cohort.html", data, title="Roltrap")
    view["errors"] = errors or {}
    view["typed"] = typed or {}
    return respond(request, "cohort.html", view, title="Roltrap: wie vertrekt er uit de wijk?",
                   status_code=422 if errors else 200)


QBASE = Query(2005, ge=1990, le=2100, description="Basisjaar van het cohort")
QMIN = Query(25, ge=0, le=120, description="Leeftijd vanaf (in het basisjaar)")
QMAX = Query(44, ge=0, le=120, description="Leeftijd tot en met")
QFOLLOW = Query(13, ge=1, le=40, description="Aantal jaren volgen")


#: The page's fields: name → (label, lowest, highest, default), as the form shows them.
FIELDS: dict[str, tuple[str, int, int, int]] = {
    "base_year": ("Basisjaar", 1990, 2100, 2005),
    "age_min": ("Leeftijd vanaf", 0, 120, 25),
    "age_max": ("Leeftijd tot en met", 0, 120, 44),
    "follow": ("Jaren volgen", 1, 40, 13),
}


def form_values(given: dict[str, str | None]) -> tuple[dict[str, int], dict[str, str]]:
    """The page's parameters from the typed text, and per field what is wrong with it (Dutch).

    A wrong field takes its default for the analysis; the form shows what the user typed beside
    the message, so nothing they chose is lost.
    """
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, (label, lo, hi, default) in FIELDS.items():
        text = (given.get(name) or "").strip()
        values[name] = default
        if not text:
            continue
        try:
            v = int(text)
        except ValueError:
            errors[name] = f"{label}: '{text[:20]}' is geen geheel getal; vul een getal van {lo} tot {hi} in."
            continue
        if not lo <= v <= hi:
            errors[name] = f"{label}: {v} ligt buiten {lo} tot en met {hi}."
            continue
        values[name] = v
    if not errors.keys() & {"age_min", "age_max"} and values["age_min"] > values["age_max"]:
        errors["age_min"] = f"Leeftijd vanaf: {values['age_min']} ligt boven de leeftijd tot en met."
        errors["age_max"] = f"Leeftijd tot en met: {values['age_max']} ligt onder de leeftijd vanaf."
        values["age_min"], values["age_max"] = FIELDS["age_min"][3], FIELDS["age_max"][3]
    return values, errors


Text = Annotated[str | None, Query(max_length=40)]


@router.get("/roltrap", include_in_schema=False)
def roltrap_page(
    request: Request, base_year: Text = None, age_min: Text = None, age_max: Text = None, follow: Text = None
) -> Response:
    given = {"base_year": base_year, "age_min": age_min, "age_max": age_max, "follow": follow}
    v, errors = form_values(given)
    typed = {k: t or "" for k, t in given.items()}
    # With errors: the form again, with the user's choices and each message beside its field, and
    # the analysis for the defaults where those fit the input.
    try:
        return _page(request, v["base_year"], v["age_min"], v["age_max"], v["follow"], errors=errors,
                     typed=typed)
    except RoltrapError as exc:
        if not errors:
            raise
        page = {"parameters": {**v, "min_cell": get_rt(request).settings.min_cell}, "errors": errors,
                "typed": typed, "no_result": exc.message}
        return respond(request, "cohort.html", page, title="Roltrap: wie vertrekt er uit de wijk?",
                       status_code=422)


@router.get("/roltrap.json")
def roltrap_json(
    request: Request, base_year: int = QBASE, age_min: int = QMIN, age_max: int = QMAX, follow: int = QFOLLOW
) -> Response:
    """The escalator analysis as JSON: protected tables (suppressed cells are null) and counts."""
    return _page(request, base_year, age_min, age_max, follow)
