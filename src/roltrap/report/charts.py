"""Vega-Lite chart specs built with Altair (pure: data in, spec dict out).

The web pages render them client-side with vega-embed; the printable profile renders the same
specs to SVG with vl-convert. Palettes are colour-blind safe (Okabe-Ito for categories,
ColorBrewer YlOrRd for the syllabus's five map classes).
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from roltrap import fmt

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MISSING_COLOUR = "#d9d9d9"
HIGHLIGHT = "#D55E00"
BASE = "#0072B2"

_FONT = "DejaVu Sans, system-ui, sans-serif"


def _finish(chart: alt.TopLevelMixin, *, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = chart.configure(font=_FONT).configure_view(stroke=None).to_dict()
    spec["description"] = description  # read by screen readers via the SVG's aria-label
    return spec


def _unit_suffix(unit: str | None) -> str:
    return f" ({unit})" if unit else ""


def bar_compare(df: pd.DataFrame, *, value: str = "value", label: str = "name", title: str,
                unit: str | None = None, highlight: str | None = None,
                reference: float | None = None, reference_label: str | None = None) -> dict[str, Any]:
    """Horizontal bars, one per region, sorted; ``highlight`` (a label) drawn in a second colour."""
    data = df[[label, value]].dropna().rename(columns={label: "label", value: "value"}).copy()
    data["focus"] = data["label"].eq(highlight) if highlight else False
    height = max(80, 22 * len(data))
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=f"{title}{_unit_suffix(unit)}"),
        color=alt.Color("focus:N", scale=alt.Scale(domain=[False, True], range=[BASE, HIGHLIGHT]),
                        legend=None),
        tooltip=[alt.Tooltip("label:N", title="Regio"),
                 alt.Tooltip("value:Q", title=title, format=",.1f")],
    ).properties(width="container", height=height)
    layers: list[alt.Chart] = [bars]
    if reference is not None and not math.isnan(reference):
        ref = pd.DataFrame({"value": [reference], "what": [reference_label or "referentie"]})
        layers.append(alt.Chart(ref).mark_rule(strokeDash=[4, 3], color="#000").encode(
            x="value:Q", tooltip=[alt.Tooltip("what:N", title="Lijn"),
                                  alt.Tooltip("value:Q", title=title, format=",.1f")]))
    chart = alt.layer(*layers) if len(layers) > 1 else bars
    desc = f"Staafdiagram: {title} per regio" + (f", {highlight} gemarkeerd" if highlight else "") + "."
    return _finish(chart, description=desc)


def trend_lines(df: pd.DataFrame, *, title: str, unit: str | None = None,
                axis_title: str | None = None) -> dict[str, Any]:
    """Lines over years; ``df`` columns: series (legend), year, value.

    ``axis_title`` (default: title and unit) labels the value axis; a page that heads the chart
    with its title passes just the unit, so the vertical title never outgrows the chart.
    """
    data = df[["series", "year", "value"]].dropna().copy()
    data["year"] = data["year"].astype(int)
    series = list(dict.fromkeys(data["series"]))
    legend = alt.Legend(orient="bottom", title=None) if len(series) > 1 else None
    chart = alt.Chart(data).mark_line(point=True).encode(
        # Years on a true scale (a missing year leaves a gap, not an even step), values from zero so a
        # small change (410 → 420 persons) does not look like a collapse.
        x=alt.X("year:Q", title="Jaar", scale=alt.Scale(zero=False, nice=False),
                axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("value:Q", title=axis_title if axis_title is not None else f"{title}{_unit_suffix(unit)}",
                scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series,
                                                                 range=OKABE_ITO[: len(series)]),
                        legend=legend),
        strokeDash=alt.StrokeDash("series:N", legend=None),
        tooltip=[alt.Tooltip("series:N", title="Regio"), alt.Tooltip("year:Q", title="Jaar", format="d"),
                 alt.Tooltip("value:Q", title=title, format=",.2~f")],
    ).properties(width="container", height=220)
    return _finish(chart, description=f"Lijndiagram: {title} per jaar voor {', '.join(series)}.")


def grouped_bars(df: pd.DataFrame, *, title: str, unit: str | None = None) -> dict[str, Any]:
    """Side-by-side bars; ``df`` columns: series (region), group (indicator label), value."""
    data = df[["series", "group", "value"]].dropna().copy()
    series = list(dict.fromkeys(data["series"]))
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("series:N", title=None, sort=series),
        x=alt.X("value:Q", title=f"{title}{_unit_suffix(unit)}"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series,
                                                                 range=OKABE_ITO[: len(series)]),
                        legend=alt.Legend(orient="bottom")),
        row=alt.Row("group:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                             labelAnchor="start")),
        tooltip=[alt.Tooltip("series:N", title="Regio"), alt.Tooltip("group:N", title="Indicator"),
                 alt.Tooltip("value:Q", title="Waarde", format=",.1f")],
    ).properties(width=420, height=alt.Step(16))
    return _finish(chart, description=f"Staafdiagram: {title}, regio's naast elkaar.")


def range_chart(df: pd.DataFrame, *, low: float | None, high: float | None, title: str,
                unit: str | None = None) -> dict[str, Any]:
    """Per lens a line from low to high with a point at the central value (``df`` columns: lens,
    low, high, central), over a band for the triangulated range ``low``–``high``."""
    data = df[["lens", "low", "high", "central"]].copy()
    data = data[data[["low", "high", "central"]].notna().any(axis=1)]
    x_title = f"{title}{_unit_suffix(unit)}"
    tips = [alt.Tooltip("lens:N", title="Lens"),
            alt.Tooltip("low:Q", title="laag", format=",.0f"),
            alt.Tooltip("central:Q", title="centraal", format=",.0f"),
            alt.Tooltip("high:Q", title="hoog", format=",.0f")]
    y = alt.Y("lens:N", title=None, axis=alt.Axis(labelLimit=260))
    layers: list[alt.Chart] = []
    if low is not None and high is not None:
        band = pd.DataFrame({"low": [low], "high": [high]})
        layers.append(alt.Chart(band).mark_rect(opacity=0.2, color=HIGHLIGHT).encode(
            x=alt.X("low:Q", title=x_title), x2="high:Q",
            tooltip=[alt.Tooltip("low:Q", title="bandbreedte van", format=",.0f"),
                     alt.Tooltip("high:Q", title="tot", format=",.0f")]))
    layers.append(alt.Chart(data).mark_rule(strokeWidth=3, color=BASE).encode(
        y=y, x=alt.X("low:Q", title=x_title, scale=alt.Scale(zero=True)), x2="high:Q", tooltip=tips))
    layers.append(alt.Chart(data).mark_point(filled=True, size=110, color=BASE).encode(
        y=y, x="central:Q", tooltip=tips))
    chart = alt.layer(*layers).properties(width="container", height=max(90, 36 * len(data)))
    desc = f"{title}: per lens een lijn van laag tot hoog met een punt op de centrale waarde" + (
        f"; bandbreedte {fmt.number_range(low, high, 0)}"
        if low is not None and high is not None else "") + "."
    return _finish(chart, description=desc)


def choropleth(geojson: dict[str, Any], *, title: str, unit: str | None, labels: list[str],
               colours: list[str], year: int | None = None, width: int | str = "container",
               height: int = 420, legend_title: str | None = None) -> dict[str, Any]:
    """Districts coloured by class; grey where no figure; hover shows the value, click opens ``url``.

    ``geojson`` features carry properties ``code``, ``name``, ``value``, ``value_text``, ``class``
    (one of ``labels``, None when missing) and ``url``.
    """
    data = alt.InlineData(values=geojson, format=alt.DataFormat(property="features", type="json"))
    tooltip = [alt.Tooltip("properties.name:N", title="Wijk"),
               alt.Tooltip("properties.value_text:N", title=title),
               alt.Tooltip("properties.class_text:N", title="Klasse")]
    # Two layers: every district grey underneath (so a missing figure shows as grey, not as a hole),
    # the classified ones on top. A mark's own fill would override the colour encoding, hence two marks.
    base = alt.Chart(data).mark_geoshape(stroke="#333", strokeWidth=0.8, fill=MISSING_COLOUR).encode(
        href=alt.Href("properties.url:N"), tooltip=tooltip)
    coloured = alt.Chart(data).mark_geoshape(stroke="#333", strokeWidth=0.8, cursor="pointer").encode(
        href=alt.Href("properties.url:N"), tooltip=tooltip,
        color=alt.Color("properties.class:N", title=legend_title or "Klasse",
                        scale=alt.Scale(domain=labels, range=colours),
                        legend=alt.Legend(orient="bottom", direction="horizontal", columns=3,
                                          titleLimit=300, labelLimit=200, symbolStrokeColor="#333",
                                          symbolType="square")),
    ).transform_filter("isValid(datum.properties['class'])")
    chart = alt.layer(base, coloured).project(type="mercator").properties(width=width, height=height)
    return _finish(chart, description=(
        f"Kaart van de wijken: {title}" + (f" ({year})" if year else "")
        + f". Klassen: {', '.join(labels)}; grijs = geen gegevens. De tabel bij de kaart geeft de waarden."))
