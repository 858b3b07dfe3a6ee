"""The district profile's tables, as the downloads give them: one frame per table with Dutch
headers, ready for :mod:`roltrap.export` (CSV per table, one Excel workbook for the profile).

The web app's ``/wijk/<code>.xlsx`` and ``roltrap report --format xlsx`` both write
:func:`profile_workbook`, so the file, the page and the PDF show the same figures.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from roltrap import export


def profile_tables(p: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Sheet name → table (columns already Dutch headers). Suppressed cells read "onderdrukt"."""
    ref = p.get("ref_name") or "Vergelijking"
    name = str(p["name"])
    sheets: dict[str, pd.DataFrame] = {}
    head = [
        {
            "Kerncijfer": f["label"],
            name: export_value(f["value"], f["suppressed"]),
            ref: f.get("ref_value"),
            "Eenheid": f["unit"],
            "Jaar": f["year"],
            "Bron": f.get("source"),
            "Toelichting": f.get("note"),
        }
        for f in p["headline"]
    ]
    sheets["Kerncijfers"] = pd.DataFrame(head)
    fig = [
        {
            "Indicator": f["label"],
            name: export_value(f["value"], f["suppressed"]),
            ref: f["city_value"],
            "Eenheid": f["unit"],
            "Jaar": f["year"],
            "Schatting": bool(f["estimate"]),
            "Bron": f["source"],
        }
        for f in p["figures"]
    ]
    if fig:
        sheets["Alle cijfers"] = pd.DataFrame(fig)
    lens = p.get("lenses") or {}
    if lens.get("available"):
        rows = [
            {
                "Lens": x["label"],
                "Laag (personen)": export_value(x["low"], x["text"] == "onderdrukt"),
                "Hoog (personen)": export_value(x["high"], x["text"] == "onderdrukt"),
            }
            for x in lens["lenses"]
        ]
        if lens.get("central") is not None:
            rows.append(
                {
                    "Lens": "Bandbreedte, centraal = mediaan",
                    "Laag (personen)": lens["low"],
                    "Hoog (personen)": lens["high"],
                    "Centraal (personen)": lens["central"],
                    "Centraal (% van de inwoners)": lens["pct"],
                }
            )
        sheets["Kwetsbare groep"] = pd.DataFrame(rows)
    cond = p.get("conditions") or {}
    if cond.get("available"):
        sheets["Roltrapcondities"] = pd.DataFrame(
            [
                {
                    "Voorwaarde": r["label"],
                    name: r["value"],
                    ref: r["ref_value"],
                    "Voor de roltrap": r["verdict"],
                }
                for r in cond["rows"]
            ]
        )
    trends = [
        {"Indicator": t["label"], "Eenheid": t["unit"], "Jaar": row[0], "Reeks": series, "Waarde": v}
        for t in p.get("trends", [])
        for row in t["table"]["rows"]
        for series, v in zip(t["table"]["columns"][1:], row[1:], strict=True)
        if v is not None
    ]
    if trends:
        sheets["Trends"] = pd.DataFrame(trends)
    acc = access_frame(p.get("access") or {})
    if acc is not None:
        sheets["Nabijheid"] = acc
    appr = p.get("approach") or {}
    if appr.get("available"):
        rows = [{"Wat": "Werkstijl", "Naam": appr["style"]["label"], "Waarom": appr["style"]["why"]}]
        rows += [{"Wat": "Vindplaats", "Naam": v["label"], "Waarom": v["why"]} for v in appr["vindplaatsen"]]
        sheets["Aanpak"] = pd.DataFrame(rows)
    return sheets


ACCESS_DECIMALS = {
    "Lopen (minuten)": 1,
    "Fiets (minuten)": 1,
    "Binnen 15 min lopend (%)": 0,
    "Binnen 15 min per fiets (%)": 0,
}


def access_frame(acc: dict[str, Any]) -> pd.DataFrame | None:
    """The Nabijheid section as a table: minutes and shares within 15 minutes per kind (shares in
    %, empty where only a CBS mean distance exists). ``None`` when the section has no rows."""
    if not acc.get("available") or not acc.get("rows"):
        return None

    def pct(v: Any) -> Any:
        return None if v is None else 100 * float(v)

    return pd.DataFrame(
        [
            {
                "Naar de dichtstbijzijnde": r["label"],
                "Lopen (minuten)": r["walk_minutes"],
                "Fiets (minuten)": r["bike_minutes"],
                "Binnen 15 min lopend (%)": pct(r["walk_share_15"]),
                "Binnen 15 min per fiets (%)": pct(r["bike_share_15"]),
                "Bron": r["source"],
            }
            for r in acc["rows"]
        ]
    )


def profile_decimals(p: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per sheet, per column: the decimals of each row's indicator (a figure column mixes them)."""
    ref = p.get("ref_name") or "Vergelijking"
    name = str(p["name"])
    head = [f["decimals"] for f in p["headline"]]
    figs = [f["decimals"] for f in p["figures"]]
    trends = [t["decimals"] for t in p.get("trends", []) for row in t["table"]["rows"] for v in row[1:]
              if v is not None]
    places = {"bedrijven_per_1000": 0, "g_afs_hp": 1, "g_afs_gs": 1, "g_afs_sc": 1, "g_afs_ov": 1}
    cond = [places.get(r["key"], 2) for r in (p.get("conditions") or {}).get("rows", [])]
    return {"Kerncijfers": {name: head, ref: head}, "Alle cijfers": {name: figs, ref: figs},
            "Trends": {"Waarde": trends}, "Roltrapcondities": {name: cond, ref: cond}}


def export_value(value: Any, suppressed: bool) -> Any:
    """A cell that is suppressed says so; a missing one stays empty."""
    return "onderdrukt" if suppressed else value


# Decimals per header where the profile's figures need them (others: the data's own).
DECIMALS = {
    "Laag (personen)": 0,
    "Hoog (personen)": 0,
    "Centraal (personen)": 0,
    "Centraal (% van de inwoners)": 1,
    "Jaar": 0,
    **ACCESS_DECIMALS,
}


def profile_workbook(p: dict[str, Any]) -> bytes:
    """The profile's tables as one Excel workbook with a "Bronnen" sheet."""
    title = f"{str(p['noun']).capitalize()}profiel {p['name']} ({p['code']}), cijfers over {p['year']}"
    return export.xlsx_bytes(
        profile_tables(p),
        sources=p["sources"],
        title=title,
        decimals=DECIMALS,
        note=export.SUPPRESSION_NOTE.format(min_cell=p["min_cell"]),
        sheet_decimals=profile_decimals(p),
    )


def profile_csv(p: dict[str, Any], table: str = "Kerncijfers") -> bytes:
    """One of the profile's tables as CSV for a Dutch spreadsheet."""
    places = {**DECIMALS, **profile_decimals(p).get(table, {})}
    return export.csv_bytes(profile_tables(p)[table], decimals=places)
