"""Rebuild the recorded CBS OData responses for table 85984NED, filtered to Leiden (GM0546).

Usage: ``python tests/io/recorded/make_85984NED.py RAW_DIR`` where RAW_DIR is the project's raw data
folder (holding ``kwb2024-basic/`` and ``elan-wijkprofielen/``). Nothing is downloaded.

What is real and what is reconstructed (see README.md next to this file):
* ``DataProperties.json`` and ``TableInfos.json`` are the real CBS metadata of 85984NED.
* ``TypedDataSet.json`` has the real 2024 values of the 8 variables CBS published in the raw CSV
  (``AantalInwoners_5`` …) for GM0546 and its 10 wijken, in the OData row shape (every topic key,
  codes and names right-padded as OData pads them). Values not in the raw CSV are ``null``
  (OData's "no figure"); none of them is invented.
* ``WijkenEnBuurten.json`` holds the dimension entries (key → title) of those 11 regions; titles
  from the CBS wijk list 2023 (Leiden's wijken did not change 2016–2024).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent / "85984NED"
BASE = "https://opendata.cbs.nl/ODataFeed/odata/85984NED"


def main(raw: Path) -> None:
    props = json.loads((raw / "kwb2024-basic" / "85984NED_DataProperties.json").read_text(encoding="utf-8"))
    infos = json.loads((raw / "kwb2024-basic" / "85984NED_TableInfos.json").read_text(encoding="utf-8"))
    with (raw / "kwb2024-basic" / "kwb2024_gemeenten_wijken_basis.csv").open(encoding="utf-8") as fh:
        values = {r["regiocode"]: r for r in csv.DictReader(fh) if r["gemeentecode"] == "GM0546"}
    with (raw / "elan-wijkprofielen" / "wijk_2023_codes_namen_nl.csv").open(encoding="utf-8") as fh:
        names = {r["WK_CODE"]: r["WK_NAAM"] for r in csv.DictReader(fh) if r["GM_CODE"] == "GM0546"}
    names["GM0546"] = "Leiden"
    topics = [p for p in props if p.get("Type") == "Topic"]
    rows = []
    for i, (code, rec) in enumerate(sorted(values.items())):
        row: dict[str, object] = {"ID": 1000 + i, "WijkenEnBuurten": code.ljust(10)}
        for t in topics:
            key = t["Key"]
            if key.startswith("Gemeentenaam"):
                row[key] = "Leiden".ljust(40)
            elif key.startswith("SoortRegio"):
                row[key] = rec["soort_regio"].ljust(10)
            elif key.startswith("Codering"):
                row[key] = code.ljust(10)
            elif key.startswith("IndelingswijzigingGemeenteWijkBuurt"):
                row[key] = "1"
            elif key in rec and rec[key] != "":
                row[key] = int(rec[key])
            else:
                row[key] = None
        rows.append(row)
    dims = [{"Key": code.ljust(10), "Title": names[code], "Description": None,
             "DetailRegionCode": code, "Municipality": "GM0546"} for code in sorted(values)]
    index = [{"name": n, "url": f"{BASE}/{n}"} for n in
             ("TableInfos", "UntypedDataSet", "TypedDataSet", "DataProperties", "CategoryGroups",
              "WijkenEnBuurten")]
    HERE.mkdir(parents=True, exist_ok=True)
    for name, value in (("index", index), ("TableInfos", infos), ("DataProperties", props),
                        ("CategoryGroups", []), ("WijkenEnBuurten", dims), ("TypedDataSet", rows)):
        doc = {"odata.metadata": f"{BASE}/$metadata#Cbs.OData.WebAPI.{name}", "value": value}
        (HERE / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
