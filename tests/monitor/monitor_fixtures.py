"""Small stores in real layouts for the monitor tests: Buurtstad (buurten that add up to their wijken) and
Amsterdam's wijken and buurten from the real SES-WOA file. Imported by conftest.py and the tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from roltrap.store import Batch, Store

# -- Buurtstad: a second municipality with 2 wijken and 5 buurten whose buurten sum to the wijken -----
BGM = "GM9990"
BWIJKEN = {"WK999000": "Noord", "WK999001": "Zuid"}
BBUURTEN = {  # code: (name, wijk)
    "BU99900000": ("Havenbuurt", "WK999000"),
    "BU99900001": ("Parkbuurt", "WK999000"),
    "BU99900100": ("Stationsbuurt", "WK999001"),
    "BU99900101": ("Villawijk", "WK999001"),
    "BU99900102": ("Dorpskern", "WK999001"),
}
_BCOLS = [
    "a_inw",
    "a_hh",
    "a_15_24",
    "a_25_44",
    "a_65_oo",
    "a_1p_hh",
    "a_hh_m_k",
    "a_opl_lg",
    "a_soz_wb",
    "a_wmo_t",
    "a_jz_tn",
    "a_bedv",
    "a_woning",
    "p_huurw",
    "p_koopw",
    "p_mgezw",
    "p_1gezw",
    "p_hh_110",
    "p_hh_120",
    "g_hhgro",
    "g_ink_pi",
    "p_hh_osm",
]
BUURT_2023: dict[str, dict[str, float]] = {
    c: dict(zip(_BCOLS, v, strict=True))
    for c, v in {
        "BU99900000": (
            1000,
            500,
            200,
            350,
            50,
            300,
            60,
            100,
            40,
            60,
            20,
            50,
            520,
            80,
            20,
            90,
            10,
            20,
            24,
            2.0,
            22,
            10,
        ),
        "BU99900001": (
            1500,
            600,
            150,
            400,
            200,
            200,
            200,
            200,
            30,
            90,
            40,
            30,
            610,
            50,
            50,
            40,
            60,
            10,
            14,
            2.5,
            28,
            6,
        ),
        "BU99900100": (
            800,
            400,
            100,
            200,
            150,
            150,
            100,
            120,
            50,
            70,
            15,
            20,
            410,
            70,
            30,
            60,
            40,
            25,
            30,
            2.0,
            20,
            12,
        ),
        "BU99900101": (
            2000,
            800,
            200,
            500,
            400,
            200,
            350,
            150,
            20,
            100,
            60,
            80,
            820,
            20,
            80,
            10,
            90,
            5,
            8,
            2.5,
            35,
            3,
        ),
        "BU99900102": (
            700,
            300,
            80,
            150,
            170,
            120,
            70,
            90,
            25,
            55,
            10,
            15,
            310,
            40,
            60,
            30,
            70,
            15,
            20,
            2.0,
            25,
            8,
        ),
    }.items()
}
BUURT_INW_2022 = {
    "BU99900000": 980,
    "BU99900001": 1470,
    "BU99900100": 790,
    "BU99900101": 1970,
    "BU99900102": 690,
}
WIJK_AFS_HP = {"WK999000": 0.8, "WK999001": 1.2}  # a distance CBS publishes for the wijk only
WIJK_MOVES = {"WK999000": 0.2, "WK999001": 0.1}  # ELAN moves per inhabitant, 2021 and 2022
BFLOWS = [
    (2021, "gemeente", 400),
    (2021, "buitenland", 100),
    (2022, "gemeente", 500),
    (2022, "buitenland", 200),
]
# share/mean → its weight (as in the catalogue)
BWEIGHTS = {
    "p_huurw": "a_woning",
    "p_koopw": "a_woning",
    "p_mgezw": "a_woning",
    "p_1gezw": "a_woning",
    "p_hh_110": "a_hh",
    "p_hh_120": "a_hh",
    "g_hhgro": "a_hh",
    "g_ink_pi": "a_inw",
    "p_hh_osm": "a_hh",
}


def aggregate(codes: list[str], ind: str) -> float:
    """The figure of a group of buurten by the catalogue's rule: counts add up, the rest weighted means."""
    if ind not in BWEIGHTS:
        return float(sum(BUURT_2023[c][ind] for c in codes))
    w = BWEIGHTS[ind]
    return sum(BUURT_2023[c][ind] * BUURT_2023[c][w] for c in codes) / sum(BUURT_2023[c][w] for c in codes)


def buurten_of(wijk: str) -> list[str]:
    return [c for c, (_, w) in BBUURTEN.items() if w == wijk]


def build_buurt_store(path: Path) -> None:
    """Wijken hold only a_inw, a_hh and a distance; every other wijk figure must come from its buurten."""
    from roltrap.io.catalogue import indicators_for

    regions = pd.DataFrame(
        [
            {"code": "NL00", "name": "Nederland", "level": "land", "parent": None, "boundary_year": 2023},
            {"code": BGM, "name": "Buurtstad", "level": "gemeente", "parent": "NL00", "boundary_year": 2023},
            *[
                {"code": c, "name": n, "level": "wijk", "parent": BGM, "boundary_year": 2023}
                for c, n in BWIJKEN.items()
            ],
            *[
                {"code": c, "name": n, "level": "buurt", "parent": w, "boundary_year": 2023}
                for c, (n, w) in BBUURTEN.items()
            ],
        ]
    )
    indicators = indicators_for([*_BCOLS, "g_afs_hp", "elan_moves_pp"])
    obs: list[tuple[str, int, str, float]] = []
    for code, vals in BUURT_2023.items():
        obs += [(code, 2023, ind, float(v)) for ind, v in vals.items()]
        obs += [(code, 2022, "a_inw", float(BUURT_INW_2022[code])), (code, 2022, "a_hh", float(vals["a_hh"]))]
    for w in BWIJKEN:
        b = buurten_of(w)
        obs += [
            (w, 2023, "a_inw", aggregate(b, "a_inw")),
            (w, 2023, "a_hh", aggregate(b, "a_hh")),
            (w, 2023, "g_afs_hp", WIJK_AFS_HP[w]),
            (w, 2022, "a_inw", float(sum(BUURT_INW_2022[c] for c in b))),
            (w, 2022, "a_hh", aggregate(b, "a_hh")),
        ]
    every = list(BUURT_2023)
    obs += [(BGM, 2023, ind, aggregate(every, ind)) for ind in _BCOLS]
    obs += [
        (BGM, 2022, "a_inw", float(sum(BUURT_INW_2022.values()))),
        (BGM, 2022, "a_hh", 2600.0),
        (BGM, 2022, "a_soz_wb", 170.0),
    ]  # 2022: one lens only (bijstand)
    elan = [(w, y, "elan_moves_pp", m) for w, m in WIJK_MOVES.items() for y in (2021, 2022)]
    cols = ["region_code", "year", "indicator_id", "value"]
    flows = pd.DataFrame(
        [
            {"region_code": BGM, "year": y, "direction": "in", "origin": o, "persons": float(p), "months": 12}
            for y, o, p in BFLOWS
        ]
    )
    store = Store(path)
    src = {"licence": "CC BY 4.0", "attribution": None, "provenance": None, "file": None, "rows_loaded": None}
    store.apply(
        Batch(
            source={"id": "kwb", "title": "Test-KWB", "publisher": "CBS", "estimate": False, **src},
            regions=regions,
            indicators=indicators,
            observations=pd.DataFrame(obs, columns=cols),
        )
    )
    store.apply(
        Batch(
            source={"id": "elan", "title": "Test-ELAN", "publisher": "ELAN", "estimate": True, **src},
            observations=pd.DataFrame(elan, columns=cols),
        )
    )
    store.apply(
        Batch(
            source={"id": "cbs37230", "title": "Test-37230", "publisher": "CBS", "estimate": False, **src},
            flows=flows,
        )
    )
    store.close()


# -- Amsterdam's wijken and buurten from the real SES-WOA file (CBS 85163NED, 2019) ----------------------
SES_FILE = Path(__file__).parent / "data" / "SES_WOA_scores_per_wijk_en_buurt_Amsterdam_2019.csv"


def read_ses_woa(path: Path) -> pd.DataFrame:
    """The StatLine export as CBS publishes it: ';', quoted, BOM, padded codes, '.' for missing."""
    raw = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8-sig")
    out = pd.DataFrame(
        {
            "code": raw["Regiocode (gemeente, wijk, buurt) (code)"].str.strip(),
            "name": raw["Wijken en buurten"].str.strip(),
            "year": raw["Perioden"].str.strip().str[:4].astype(int),
        }
    )
    for col, ind in (
        ("Particuliere huishoudens (Aantal)", "a_hh"),
        ("Opleidingsniveau/Laag/Waarde (%)", "p_hh_opl_laag"),
        ("SES-WOA/Totaalscore/Gemiddelde score (Getal)", "ses_woa"),
    ):
        out[ind] = pd.to_numeric(raw[col].str.strip().replace(".", None), errors="coerce")
    return out


#: wijken whose own SES-WOA score is left out, so the monitor must derive it from their buurten
SES_DROP_WIJK = ("WK036300", "WK036301")


def build_ses_store(path: Path) -> pd.DataFrame:
    data = read_ses_woa(SES_FILE)
    level = data["code"].str[:2].map({"GM": "gemeente", "WK": "wijk", "BU": "buurt"})
    parent = [
        None if c.startswith("GM") else ("GM" + c[2:6] if c.startswith("WK") else "WK" + c[2:8])
        for c in data["code"]
    ]
    regions = pd.DataFrame(
        {"code": data["code"], "name": data["name"], "level": level, "parent": parent, "boundary_year": 2019}
    )
    regions.loc[regions["level"] == "gemeente", "parent"] = None
    indicators = pd.DataFrame(
        [
            {
                "id": "a_hh",
                "label": "Particuliere huishoudens",
                "unit": "huishoudens",
                "kind": "count",
                "aggregation": "sum",
                "weight": None,
                "decimals": 0,
                "theme": "huishoudens",
                "description": None,
            },
            {
                "id": "p_hh_opl_laag",
                "label": "Huishoudens met laag opleidingsniveau",
                "unit": "%",
                "kind": "share",
                "aggregation": "weighted_mean",
                "weight": "a_hh",
                "decimals": 1,
                "theme": "opleiding",
                "description": "CBS 85163NED",
            },
            {
                "id": "ses_woa",
                "label": "SES-WOA totaalscore",
                "unit": "score",
                "kind": "mean",
                "aggregation": "weighted_mean",
                "weight": "a_hh",
                "decimals": 3,
                "theme": "welvaart",
                "description": "CBS 85163NED",
            },
        ]
    )
    long = data.melt(
        id_vars=["code", "year"],
        value_vars=["a_hh", "p_hh_opl_laag", "ses_woa"],
        var_name="indicator_id",
        value_name="value",
    ).rename(columns={"code": "region_code"})
    drop = long["region_code"].isin(SES_DROP_WIJK) & (long["indicator_id"] == "ses_woa")
    store = Store(path)
    src = {
        "licence": "CC BY 4.0",
        "attribution": "CBS",
        "provenance": None,
        "file": SES_FILE.name,
        "rows_loaded": None,
    }
    store.apply(
        Batch(
            source={
                "id": "cbs-85163",
                "title": "CBS SES-WOA scores per wijk en buurt (85163NED)",
                "publisher": "CBS",
                "estimate": False,
                **src,
            },
            regions=regions,
            indicators=indicators,
            observations=long[~drop],
        )
    )
    store.close()
    return data
