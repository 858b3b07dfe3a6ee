"""The tables of a page as frames for its CSV and Excel downloads: the rows the page shows.

Pure: page data (the dicts :class:`roltrap.web.views.Views` returns) in, :class:`Table` out. Headers
are the Dutch labels the page shows; a suppressed small count stays suppressed ("onderdrukt"), a
missing figure stays empty; numbers stay numbers so a spreadsheet can compute with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from roltrap import fmt
from roltrap.disclosure import SUPPRESSED_LABEL
from roltrap.report.tables import ACCESS_DECIMALS, access_frame


@dataclass
class Table:
    name: str  # for ?tabel= and the file name
    title: str  # the sheet's name and the table's caption
    frame: pd.DataFrame
    decimals: dict[str, Any] = field(default_factory=dict)  # per column: int, None or one per row
    units: dict[str, str | None] = field(default_factory=dict)
    suppressed: pd.DataFrame | None = None
    sources: list[str] = field(default_factory=list)


def _figures(name: str, title: str, figures: list[dict[str, Any]], here: str, city: str | None) -> Table:
    rows = []
    for f in figures:
        row = {"Indicator": fmt.with_unit(f["label"], f["unit"]), here: f["value"]}
        if city:
            row[city] = f.get("city_value")
        row.update(
            {"Jaar": f["year"], "Bron": f.get("source") or "", "Schatting": "ja" if f.get("estimate") else ""}
        )
        rows.append(row)
    df = pd.DataFrame(
        rows, columns=["Indicator", here, *([city] if city else []), "Jaar", "Bron", "Schatting"]
    )
    per_row = [f.get("decimals") for f in figures]
    decimals: dict[str, Any] = {here: per_row}
    if city:
        decimals[city] = per_row
    return Table(
        name,
        title,
        df,
        decimals=decimals,
        sources=sorted({str(f["source"]) for f in figures if f.get("source")}),
    )


def _section(name: str, title: str, sec: dict[str, Any]) -> Table | None:
    if not sec.get("available") or not sec.get("rows"):
        return None
    cols = [*sec.get("columns", [])]
    for t in sec.get("detail_tables") or []:
        cols += [c for c in t["columns"] if c["key"] != "name"]
    seen: set[str] = set()
    keep = [c for c in cols if not (c["key"] in seen or seen.add(c["key"]))]  # type: ignore[func-returns-value]
    rows = []
    for r in sec["rows"]:
        row: dict[str, Any] = {"Code": r.get("code")}
        for c in keep:
            v = r.get(c["key"])
            row[c["label"] if c["key"] != "name" else "Gebied"] = (
                ", ".join(map(str, v)) if isinstance(v, list) else v
            )
        row["Schatting"] = "ja" if r.get("estimate") else ""
        rows.append(row)
    df = pd.DataFrame(rows)
    decimals = {c["label"]: c.get("decimals") for c in keep if c["key"] != "name"}
    return Table(name, title, df, decimals=decimals, sources=list(sec.get("sources") or []))


def page_tables(kind: str, data: dict[str, Any], *, min_cell: int) -> dict[str, Table]:
    """Every table of a page, by name, in the order the page shows them."""
    out: list[Table | None] = []
    if kind == "stad":
        name = str(data["name"])
        out.append(_figures("kerncijfers", "Kerncijfers", data.get("figures", []), name, None))
        pop = data.get("population_table") or []
        if pop:
            out.append(
                Table(
                    "inwoners",
                    "Inwoners per jaar",
                    pd.DataFrame([{"Jaar": r["year"], "Inwoners": r["value"]} for r in pop]),
                    decimals={"Inwoners": 0},
                )
            )
        for key, title in (
            ("turnover", "Vervangingssnelheid"),
            ("classify", "Aankomst of bestemming"),
            ("vulnerable", "Kwetsbare groep"),
            ("compare", "Vergelijking"),
        ):
            out.append(_section(key, title, data.get(key) or {}))
    elif kind in ("wijk", "buurt"):
        here = str(data["name"])
        city = str(data.get("parent_name") or "") or None
        out.append(
            _figures(
                "kerncijfers", "Kerncijfers", [f for f in data.get("figures", []) if f.get("key")], here, city
            )
        )
        buurten = data.get("buurten") or {}
        if buurten.get("rows"):
            cols = buurten["columns"]
            df = pd.DataFrame(
                [
                    {
                        "Code": r["code"],
                        "Buurt": r["name"],
                        **{
                            fmt.with_unit(c["label"], c["unit"]): v
                            for c, v in zip(cols, r["values"], strict=True)
                        },
                    }
                    for r in buurten["rows"]
                ]
            )
            out.append(
                Table(
                    "buurten",
                    "Buurten",
                    df,
                    decimals={fmt.with_unit(c["label"], c["unit"]): c.get("decimals") for c in cols},
                )
            )
        for key, title in (
            ("classify", "Aankomst of bestemming"),
            ("vulnerable", "Kwetsbare groep"),
            ("turnover", "Vervangingssnelheid"),
            ("rank", "Rangorde"),
            ("conditions", "Roltrapcondities"),
        ):
            out.append(_section(key, title, (data.get("sections") or {}).get(key) or {}))
        acc = data.get("access") or {}
        frame = access_frame(acc)
        if frame is not None:
            out.append(
                Table(
                    "nabijheid",
                    "Nabijheid",
                    frame,
                    decimals=dict(ACCESS_DECIMALS),
                    sources=list(acc["sources"]),
                )
            )
        out.append(_figures("alle-cijfers", "Alle cijfers", data.get("figures", []), here, city))
    elif kind == "kaart":
        level = "Buurt" if data.get("level") == "buurt" else "Wijk"
        label = fmt.with_unit(data["indicator_label"], data.get("unit"))
        rows = data.get("rows", [])
        df = pd.DataFrame(
            [
                {"Code": r["code"], level: r["name"], label: r["value"], "Klasse": r.get("class") or ""}
                for r in rows
            ],
            columns=["Code", level, label, "Klasse"],
        )
        mask = pd.DataFrame(False, index=df.index, columns=df.columns)
        mask[label] = [r.get("value_text") == SUPPRESSED_LABEL for r in rows]
        out.append(
            Table(
                "kaart",
                f"Kaart {data.get('year')}",
                df,
                suppressed=mask,
                units={label: data.get("unit")},
                sources=list(data.get("sources") or []),
            )
        )
    elif kind == "vergelijk":
        result = data.get("result")
        if result:
            names = [f"{r['name']} ({r['code']}, {r['year']})" for r in result["regions"]]
            df = pd.DataFrame(
                [
                    {
                        "Indicator": fmt.with_unit(r["label"], r["unit"]),
                        **dict(zip(names, r["values"], strict=True)),
                    }
                    for r in result["rows"]
                ],
                columns=["Indicator", *names],
            )
            per_row = [r.get("decimals") for r in result["rows"]]
            out.append(Table("vergelijking", "Vergelijking", df, decimals={n: per_row for n in names}))
    elif kind == "bronnen":
        df = pd.DataFrame(
            [
                {
                    "Bron": s["title"],
                    "Id": s["id"],
                    "Uitgever": s["publisher"],
                    "Eerste jaar": s.get("first_year"),
                    "Laatste jaar": s.get("last_year"),
                    "Licentie": s["licence"],
                    "Vermelding": s.get("attribution") or "",
                    "Cijfers": s.get("observations"),
                    "Grenzen": s.get("geometries"),
                }
                for s in data.get("sources", [])
            ]
        )
        out.append(
            Table(
                "bronnen",
                "Bronnen",
                df,
                decimals={"Cijfers": 0, "Grenzen": 0, "Eerste jaar": 0, "Laatste jaar": 0},
            )
        )
    return {t.name: t for t in out if t is not None}
