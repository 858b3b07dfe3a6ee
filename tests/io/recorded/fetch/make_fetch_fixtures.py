"""Rebuild the recorded CBS OData answers that ``tests/io/test_fetch*.py`` replay (see README.md).

Usage: ``python tests/io/recorded/fetch/make_fetch_fixtures.py RAW_DIR`` where RAW_DIR is the project's
raw data folder (``kwb2024-basic/``, ``elan-wijkprofielen/``). Nothing is downloaded. The Nabijheid 2021
export (``Nabijheid_voorzieningen_2021_AaenHunze_getransponeerd.csv``) lies next to this script.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
CBS = "https://opendata.cbs.nl"
SELECT = "Identifier,Title,ShortTitle,Period,Modified,Language,Catalog"

# Table ids and titles per year, each seen in public code that fetches these tables from CBS.
KWB = {2015: "83220NED", 2016: "83487NED", 2017: "83765NED", 2018: "84286NED", 2019: "84583NED",
       2020: "84799NED", 2021: "85039NED", 2022: "85318NED", 2023: "85618NED", 2024: "85984NED",
       2025: "86165NED"}
NABIJHEID = {2019: "84718NED", 2021: "85231NED", 2022: "85560NED", 2023: "85830NED", 2024: "86134NED",
             2025: "86270NED"}
NAB_TITLE = "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers"


def doc(resource: str, value: object, *, table: str | None = None, next_link: str | None = None) -> dict:
    base = f"{CBS}/ODataFeed/odata/{table}" if table else f"{CBS}/ODataCatalog"
    out: dict[str, object] = {"odata.metadata": f"{base}/$metadata#Cbs.OData.WebAPI.{resource}",
                              "value": value}
    if next_link:
        out["odata.nextLink"] = next_link
    return out


def write(rel: str, data: object) -> str:
    path = HERE / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return rel


def cbs_key(title: str, position: int) -> str:
    """The OData key CBS derives from a title: words capitalised and joined, accents and punctuation
    dropped, the position appended (``Afstand tot café e.d.`` → ``AfstandTotCafeED_36``)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    words = re.findall(r"[A-Za-z0-9]+", folded)
    stem = "".join(w[0].upper() + w[1:] for w in words)
    return f"{'k_' if stem[:1].isdigit() else ''}{stem}_{position}"


def catalogue() -> list[tuple[dict, str]]:
    kwb = [{"Identifier": t, "Title": f"Kerncijfers wijken en buurten {y}",
            "ShortTitle": f"Kerncijfers wijken en buurten {y}", "Period": str(y),
            "Modified": f"{y + 1}-03-27T02:00:00", "Language": "nl", "Catalog": "CBS"}
           for y, t in KWB.items()]
    nab = [{"Identifier": t, "Title": f"{NAB_TITLE} {y}", "ShortTitle": f"Nabijheid voorzieningen {y}",
            "Period": str(y), "Modified": f"{y + 2}-01-17T02:00:00", "Language": "nl", "Catalog": "CBS"}
           for y, t in NABIJHEID.items()]
    # The series table of 2006-2016 carries no single year in its title: never a match.
    nab.insert(0, {"Identifier": "80306ned", "Title": NAB_TITLE, "ShortTitle": "Nabijheid voorzieningen",
                   "Period": "2006-2016", "Modified": "2018-01-30T02:00:00", "Language": "nl",
                   "Catalog": "CBS"})
    return [
        ({"path": "/ODataCatalog/Tables",
          "query": {"$format": "json", "$select": SELECT,
                    "$filter": "substringof('Kerncijfers wijken en buurten',Title)"}},
         write("catalog/Tables-kwb.json", doc("Tables", kwb))),
        ({"path": "/ODataCatalog/Tables",
          "query": {"$format": "json", "$select": SELECT,
                    "$filter": "substringof('Nabijheid voorzieningen',Title)"}},
         write("catalog/Tables-nabijheid.json", doc("Tables", nab))),
    ]


def kwb_utrecht_2024(raw: Path) -> list[tuple[dict, str]]:
    """85984NED for Utrecht (GM0344) and its 10 wijken; the 8 variables of the raw CSV are real."""
    t = "85984NED"
    props = json.loads((raw / "kwb2024-basic" / f"{t}_DataProperties.json").read_text(encoding="utf-8"))
    with (raw / "kwb2024-basic" / "kwb2024_gemeenten_wijken_basis.csv").open(encoding="utf-8") as fh:
        values = {r["regiocode"]: r for r in csv.DictReader(fh) if r["gemeentecode"] == "GM0344"}
    with (raw / "elan-wijkprofielen" / "wijk_2023_codes_namen_nl.csv").open(encoding="utf-8") as fh:
        names = {r["WK_CODE"]: r["WK_NAAM"] for r in csv.DictReader(fh) if r["GM_CODE"] == "GM0344"}
    names["GM0344"] = "Utrecht"
    topics = [p for p in props if p.get("Type") == "Topic"]
    rows = []
    for i, (code, rec) in enumerate(sorted(values.items())):
        row: dict[str, object] = {"ID": 4300 + i, "WijkenEnBuurten": code.ljust(10)}
        for p in topics:
            key = p["Key"]
            if key.startswith("Gemeentenaam"):
                row[key] = "Utrecht".ljust(40)
            elif key.startswith("SoortRegio"):
                row[key] = rec["soort_regio"].ljust(10)
            elif key.startswith("Codering"):
                row[key] = code.ljust(10)
            elif key.startswith("Indelingswijziging"):
                row[key] = "1"
            else:
                row[key] = int(rec[key]) if rec.get(key) else None
        rows.append(row)
    flt = ("substringof('GM0344',WijkenEnBuurten) or substringof('WK0344',WijkenEnBuurten) or "
           "substringof('BU0344',WijkenEnBuurten)")
    dim_flt = "substringof('GM0344',Key) or substringof('WK0344',Key) or substringof('BU0344',Key)"
    feed = f"/ODataFeed/odata/{t}"
    # Two pages, the first naming the second in odata.nextLink as CBS does past 10 000 rows.
    nxt = f"{CBS}{feed}/TypedDataSet?$format=json&$filter={flt}&$skiptoken={rows[5]['ID']}"
    dims = [{"Key": c.ljust(10), "Title": names[c], "Description": None, "DetailRegionCode": c,
             "Municipality": "GM0344"} for c in sorted(values)]
    return [
        ({"path": f"{feed}/TableInfos", "query": {"$format": "json"}}, "../85984NED/TableInfos.json"),
        ({"path": f"{feed}/DataProperties", "query": {"$format": "json"}}, "../85984NED/DataProperties.json"),
        ({"path": f"{feed}/WijkenEnBuurten", "query": {"$format": "json", "$filter": dim_flt}},
         write(f"{t}/WijkenEnBuurten-GM0344.json", doc("WijkenEnBuurten", dims, table=t))),
        ({"path": f"{feed}/TypedDataSet", "query": {"$format": "json", "$filter": flt}},
         write(f"{t}/TypedDataSet-GM0344-1.json", doc("TypedDataSet", rows[:6], table=t, next_link=nxt))),
        ({"path": f"{feed}/TypedDataSet",
          "query": {"$format": "json", "$filter": flt, "$skiptoken": str(rows[5]["ID"])}},
         write(f"{t}/TypedDataSet-GM0344-2.json", doc("TypedDataSet", rows[6:], table=t))),
    ]


def nabijheid_aa_en_hunze_2021() -> list[tuple[dict, str]]:
    """85231NED for Aa en Hunze (GM1680), 2 wijken, 4 buurten, from the real transposed export."""
    t = "85231NED"
    export = HERE / "Nabijheid_voorzieningen_2021_AaenHunze_getransponeerd.csv"
    with export.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    region_names, codes = lines[3][2:], lines[6][2:]
    kinds = lines[5][2:]
    variables = [ln for ln in lines[8:] if len(ln) > 2 and ln[1] in ("km", "aantal")]
    props: list[dict[str, object]] = [
        {"odata.type": "Cbs.OData.GeoDetail", "ID": 0, "Position": 0, "ParentID": None, "Type": "GeoDetail",
         "Key": "WijkenEnBuurten", "Title": "Wijken en buurten", "Description": "", "MapYear": 2021},
        {"odata.type": "Cbs.OData.TopicGroup", "ID": 1, "Position": None, "ParentID": None,
         "Type": "TopicGroup", "Key": "", "Title": "Regioaanduiding", "Description": None}]
    region_topics = [("Gemeentenaam_1", "Gemeentenaam", "naam"),
                     ("SoortRegio_2", "Soort regio", "omschrijving"),
                     ("Codering_3", "Codering", "code"),
                     ("IndelingswijzigingWijkenEnBuurten_4", "Indelingswijziging wijken en buurten", "code")]
    for i, (key, title, unit) in enumerate(region_topics, start=1):
        props.append({"odata.type": "Cbs.OData.Topic", "ID": len(props), "Position": i, "ParentID": 1,
                      "Type": "Topic", "Key": key, "Title": title, "Description": None, "Datatype": "String",
                      "Unit": unit, "Decimals": 0, "Default": "Impossible", "PresentationType": ""})
    groups: dict[tuple[str, ...], int] = {}
    keys = []
    for pos, ln in enumerate(variables, start=5):
        parts = [" ".join(p.split()) for p in ln[0].split("|")]
        parent = None
        for depth in range(1, len(parts)):
            path = tuple(parts[:depth])
            if path not in groups:
                groups[path] = len(props)
                props.append({"odata.type": "Cbs.OData.TopicGroup", "ID": len(props), "Position": None,
                              "ParentID": parent, "Type": "TopicGroup", "Key": "", "Title": parts[depth - 1],
                              "Description": None})
            parent = groups[path]
        key = cbs_key(parts[-1], pos)
        keys.append(key)
        props.append({"odata.type": "Cbs.OData.Topic", "ID": len(props), "Position": pos, "ParentID": parent,
                      "Type": "Topic", "Key": key, "Title": parts[-1], "Description": None,
                      "Datatype": "Double", "Unit": ln[1], "Decimals": 1, "Default": "Missing",
                      "PresentationType": "Absolute"})
    rows, dims = [], []
    for j, code in enumerate(codes):
        if code[:2] not in ("GM", "WK", "BU"):
            continue  # the Nederland column is outside the municipality filter
        row: dict[str, object] = {
            "ID": 1700 + j, "WijkenEnBuurten": code.ljust(10), "Gemeentenaam_1": lines[4][2 + j].ljust(40),
            "SoortRegio_2": kinds[j].ljust(10), "Codering_3": code.ljust(10),
            "IndelingswijzigingWijkenEnBuurten_4": lines[7][2 + j]}
        for key, ln in zip(keys, variables, strict=True):
            cell = ln[2 + j].strip()
            row[key] = None if cell == "." else float(cell.replace(",", "."))
        rows.append(row)
        dims.append({"Key": code.ljust(10), "Title": region_names[j], "Description": None,
                     "DetailRegionCode": code, "Municipality": "GM1680"})
    info = {"ID": 0, "Title": f"{NAB_TITLE} 2021", "ShortTitle": "Nabijheid voorzieningen 2021",
            "Identifier": t, "Summary": "Gemiddelde afstand tot en aantal voorzieningen binnen een straal\n"
            "Uitgesplitst naar gemeenten, wijken en buurten", "Modified": "2023-01-17T02:00:00",
            "Language": "nl", "Catalog": "CBS", "Frequency": "Perjaar", "Period": "2021"}
    flt = ("substringof('GM1680',WijkenEnBuurten) or substringof('WK1680',WijkenEnBuurten) or "
           "substringof('BU1680',WijkenEnBuurten)")
    dim_flt = "substringof('GM1680',Key) or substringof('WK1680',Key) or substringof('BU1680',Key)"
    feed = f"/ODataFeed/odata/{t}"
    return [
        ({"path": f"{feed}/TableInfos", "query": {"$format": "json"}},
         write(f"{t}/TableInfos.json", doc("TableInfos", [info], table=t))),
        ({"path": f"{feed}/DataProperties", "query": {"$format": "json"}},
         write(f"{t}/DataProperties.json", doc("DataProperties", props, table=t))),
        ({"path": f"{feed}/WijkenEnBuurten", "query": {"$format": "json", "$filter": dim_flt}},
         write(f"{t}/WijkenEnBuurten-GM1680.json", doc("WijkenEnBuurten", dims, table=t))),
        ({"path": f"{feed}/TypedDataSet", "query": {"$format": "json", "$filter": flt}},
         write(f"{t}/TypedDataSet-GM1680.json", doc("TypedDataSet", rows, table=t))),
    ]


def kwb_leiden_2024() -> list[tuple[dict, str]]:
    """85984NED for Leiden (GM0546): the older recording in ``../85984NED/`` (see its README)."""
    feed = "/ODataFeed/odata/85984NED"
    flt = ("substringof('GM0546',WijkenEnBuurten) or substringof('WK0546',WijkenEnBuurten) or "
           "substringof('BU0546',WijkenEnBuurten)")
    dim_flt = "substringof('GM0546',Key) or substringof('WK0546',Key) or substringof('BU0546',Key)"
    return [
        ({"path": f"{feed}/WijkenEnBuurten", "query": {"$format": "json", "$filter": dim_flt}},
         "../85984NED/WijkenEnBuurten.json"),
        ({"path": f"{feed}/TypedDataSet", "query": {"$format": "json", "$filter": flt}},
         "../85984NED/TypedDataSet.json"),
    ]


def nabijheid_appingedam_2021() -> list[tuple[dict, str]]:
    """Appingedam (GM0003) joined Eemsdelta on 1 January 2021: a 2021 table has no rows for it, and CBS
    answers such a filter with an empty ``value``."""
    t, feed = "85231NED", "/ODataFeed/odata/85231NED"
    flt = ("substringof('GM0003',WijkenEnBuurten) or substringof('WK0003',WijkenEnBuurten) or "
           "substringof('BU0003',WijkenEnBuurten)")
    dim_flt = "substringof('GM0003',Key) or substringof('WK0003',Key) or substringof('BU0003',Key)"
    return [
        ({"path": f"{feed}/WijkenEnBuurten", "query": {"$format": "json", "$filter": dim_flt}},
         write(f"{t}/WijkenEnBuurten-GM0003.json", doc("WijkenEnBuurten", [], table=t))),
        ({"path": f"{feed}/TypedDataSet", "query": {"$format": "json", "$filter": flt}},
         write(f"{t}/TypedDataSet-GM0003.json", doc("TypedDataSet", [], table=t))),
    ]


def main(raw: Path) -> None:
    entries = (catalogue() + kwb_utrecht_2024(raw) + kwb_leiden_2024() + nabijheid_aa_en_hunze_2021()
               + nabijheid_appingedam_2021())
    manifest = [{**req, "file": file} for req, file in entries]
    write("manifest.json", manifest)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
