"""Hand fixtures in the CBS microdata layouts: a few persons whose person-years are counted by hand.

Objects (VSLGWBTAB, boundaries per year 2005–2009):
  A  BU05460101 (wijk WK054601) every year
  B  BU05460301 (WK054603) every year
  C  2005–2006 buurt 05460101 in wijk 054601; from 2007 the same object lies in buurt 05460201 of
     wijk 054602 (a boundary change between 2006 and 2007)
  D  not in VSLGWBTAB (no region known)
  E  wijk known (054604), buurt unknown ('--------') → region WK054604

Persons (RINPERSOONS 'R', RINPERSOON 9 digits):
  000000001 born 1980-03: A 20040601–20070315, B 20070316–open(88888888)   spell crossing years
  000000002 born 1975-11: A 20030101–20051231, B 20060101–open(empty)       move on 31 Dec
  000000003 born 1990-01: A 20040101–20060101, B 20060102–open             spell ends on 1 Jan
  000000004 born 1960-07: C 20000101–open                                   boundary change
  000000005 born 1985-05: A 20040101–open, correction B 20060601–open       overlapping spells
  000000006 born 1970-02: A 20040101–20060531, abroad, B 20070201–open      abroad 1 Jan 2007
  000000007 born 2006-05-10: B 20060510–open                                newborn
  000000008 born 1950-09: D 20040101–open                                   object without region
  000000009 born 1995-12: E 20050101–20081231                              wijk only; leaves end 2008
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

YEARS = range(2005, 2010)
A, B, C, D, E = (f"{i:016d}" for i in (101, 102, 103, 104, 105))

SPELLS = [
    ("000000001", "20040601", "20070315", A),
    ("000000001", "20070316", "88888888", B),
    ("000000002", "20030101", "20051231", A),
    ("000000002", "20060101", "", B),
    ("000000003", "20040101", "20060101", A),
    ("000000003", "20060102", "88888888", B),
    ("000000004", "20000101", "88888888", C),
    ("000000005", "20040101", "88888888", A),
    ("000000005", "20060601", "88888888", B),
    ("000000006", "20040101", "20060531", A),
    ("000000006", "20070201", "88888888", B),
    ("000000007", "20060510", "88888888", B),
    ("000000008", "20040101", "88888888", D),
    ("000000009", "20050101", "20081231", E),
]
BIRTH = {
    "000000001": ("1980", "03"),
    "000000002": ("1975", "11"),
    "000000003": ("1990", "01"),
    "000000004": ("1960", "07"),
    "000000005": ("1985", "05"),
    "000000006": ("1970", "02"),
    "000000007": ("2006", "05"),
    "000000008": ("1950", "09"),
    "000000009": ("1995", "12"),
}

# Hand-counted person-years on 1 January: (person, year) → region_code.
EXPECTED_0101 = {
    ("000000001", 2005): "BU05460101",
    ("000000001", 2006): "BU05460101",
    ("000000001", 2007): "BU05460101",
    ("000000001", 2008): "BU05460301",
    ("000000001", 2009): "BU05460301",
    ("000000002", 2005): "BU05460101",
    ("000000002", 2006): "BU05460301",
    ("000000002", 2007): "BU05460301",
    ("000000002", 2008): "BU05460301",
    ("000000002", 2009): "BU05460301",
    ("000000003", 2005): "BU05460101",
    ("000000003", 2006): "BU05460101",
    ("000000003", 2007): "BU05460301",
    ("000000003", 2008): "BU05460301",
    ("000000003", 2009): "BU05460301",
    ("000000004", 2005): "BU05460101",
    ("000000004", 2006): "BU05460101",
    ("000000004", 2007): "BU05460201",
    ("000000004", 2008): "BU05460201",
    ("000000004", 2009): "BU05460201",
    ("000000005", 2005): "BU05460101",
    ("000000005", 2006): "BU05460101",
    ("000000005", 2007): "BU05460301",
    ("000000005", 2008): "BU05460301",
    ("000000005", 2009): "BU05460301",
    ("000000006", 2005): "BU05460101",
    ("000000006", 2006): "BU05460101",
    ("000000006", 2008): "BU05460301",
    ("000000006", 2009): "BU05460301",
    ("000000007", 2007): "BU05460301",
    ("000000007", 2008): "BU05460301",
    ("000000007", 2009): "BU05460301",
    ("000000009", 2005): "WK054604",
    ("000000009", 2006): "WK054604",
    ("000000009", 2007): "WK054604",
    ("000000009", 2008): "WK054604",
}

# Income 2006: persons 1 and 2 share a household with breadwinner 1; 3 has social assistance;
# 4 lives in an institutional household (INHP100HBEST -2 → no percentile).
LINK_2006 = [
    ("000000001", "000000001"),
    ("000000002", "000000001"),
    ("000000003", "000000003"),
    ("000000004", "000000004"),
]
INCOME_2006 = [("000000001", "37", "11"), ("000000003", "4", "22"), ("000000004", "-2", "99")]
# Household spells: 1 and 2 a married couple with children from mid-2004; 3 in an institution from
# 2 January 2006 (TYPHH 8).
HOUSEHOLDS = [
    ("000000001", "20040601", "88888888", "0000000001", "5"),
    ("000000002", "20030101", "20040531", "0000000002", "1"),
    ("000000002", "20040601", "88888888", "0000000001", "5"),
    ("000000003", "20040101", "20060101", "0000000003", "1"),
    ("000000003", "20060102", "88888888", "0000000004", "8"),
]
EDUCATION_2006 = [("000000001", "3112"), ("000000002", "----"), ("000000003", "1213")]


def frames() -> dict[str, tuple[str, pd.DataFrame]]:
    """Every table as (relative file stem, DataFrame of text columns)."""
    spells = pd.DataFrame(
        [("R", p, a, e, "VBO", o) for p, a, e, o in SPELLS],
        columns=[
            "RINPERSOONS",
            "RINPERSOON",
            "GBADATUMAANVANGADRESHOUDING",
            "GBADATUMEINDEADRESHOUDING",
            "SOORTOBJECTNUMMER",
            "RINOBJECTNUMMER",
        ],
    )
    reg: dict[str, list[str]] = {"SOORTOBJECTNUMMER": [], "RINOBJECTNUMMER": []}
    rows = {
        A: ("0546", "054601", "05460101"),
        B: ("0546", "054603", "05460301"),
        E: ("0546", "054604", "--------"),
    }
    for y in YEARS:
        for k in ("gem", "wc", "bc"):
            reg[f"{k}{y}"] = []
    for obj in (A, B, C, E):
        reg["SOORTOBJECTNUMMER"].append("VBO")
        reg["RINOBJECTNUMMER"].append(obj)
        for y in YEARS:
            gem, wc, bc = rows.get(obj) or (
                ("0546", "054601", "05460101") if y <= 2006 else ("0546", "054602", "05460201")
            )
            reg[f"gem{y}"].append(gem)
            reg[f"wc{y}"].append(wc)
            reg[f"bc{y}"].append(bc)
    persons = pd.DataFrame(
        [("R", p, by, bm, "1", "0", "6030") for p, (by, bm) in BIRTH.items()],
        columns=[
            "RINPERSOONS",
            "RINPERSOON",
            "GBAGEBOORTEJAAR",
            "GBAGEBOORTEMAAND",
            "GBAGESLACHT",
            "GBAGENERATIE",
            "GBAHERKOMSTGROEPERING",
        ],
    )
    link = pd.DataFrame(
        [("R", p, "R", h) for p, h in LINK_2006],
        columns=["RINPERSOONS", "RINPERSOON", "RINPERSOONSHKW", "RINPERSOONHKW"],
    )
    income = pd.DataFrame(
        [("R", h, pct, src) for h, pct, src in INCOME_2006],
        columns=["RINPERSOONSHKW", "RINPERSOONHKW", "INHP100HBEST", "INHBBIHJ"],
    )
    edu = pd.DataFrame(
        [("R", p, lvl) for p, lvl in EDUCATION_2006],
        columns=["RINPERSOONS", "RINPERSOON", "OPLNIVSOI2016AGG4HBMETNIRWO"],
    )
    hh = pd.DataFrame(
        [("R", p, a, e, n, t) for p, a, e, n, t in HOUSEHOLDS],
        columns=["RINPERSOONS", "RINPERSOON", "DATUMAANVANGHH", "DATUMEINDEHH", "HUISHOUDNR", "TYPHH"],
    )
    return {
        "households": ("Bevolking/GBAHUISHOUDENSBUS/GBAHUISHOUDENS2009BUSV1", hh),
        "spells": ("Bevolking/GBAADRESOBJECTBUS/GBAADRESOBJECT2009BUSV1", spells),
        "regions": ("BouwenWonen/VSLGWBTAB/VSLGWB2009TAB03V1", pd.DataFrame(reg)),
        "persons": ("Bevolking/GBAPERSOONTAB/GBAPERSOON2009TABV1", persons),
        "link": ("InkomenBestedingen/KOPPELPERSOONHUISHOUDEN/KOPPELPERSOONHUISHOUDEN2006V1", link),
        "income": ("InkomenBestedingen/INHATAB/INHA2006TABV1", income),
        "education": ("Onderwijs/HOOGSTEOPLTAB/2006/HOOGSTEOPL2006TABV1", edu),
    }


def write(folder: Path, fmt: str) -> Path:
    """Write the fixtures as .sav (INHP100HBEST numeric, as in the real files), .csv or .parquet."""
    for _role, (stem, df) in frames().items():
        path = folder / f"{stem}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "sav":
            import pyreadstat

            out = df.copy()
            if "INHP100HBEST" in out:
                out["INHP100HBEST"] = out["INHP100HBEST"].astype(float)
            labels = (
                {"INHP100HBEST": {-1.0: "Geen inkomen", -2.0: "Institutioneel huishouden"}}
                if "INHP100HBEST" in out
                else None
            )
            pyreadstat.write_sav(out, str(path), variable_value_labels=labels)
        elif fmt == "csv":
            df.to_csv(path, index=False, sep=";")
        else:
            df.to_parquet(path, index=False)
    return folder
