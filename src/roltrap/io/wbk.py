"""Attribute tables of the CBS/Kadaster Wijk- en Buurtkaart (``wijk_2022_v1``, ``gemeenten_2023_v1``, ...).

Uppercase dbf column names (``AANT_INW``, ``P_00_14_JR``) are mapped to KWB ids. ``-99999999`` and
the other negative CBS codes (``-99997`` geheim, ``-99995`` niet beschikbaar) mean missing. Water
parts (``H2O == 'JA'`` or ``WATER == 'JA'``) repeat a land code without figures and are skipped (reported).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import cbs_source, line_numbers, parse_columns, raise_if, to_long, year_from_name
from roltrap.io._read import read_frame
from roltrap.io.catalogue import indicators_for
from roltrap.io.codes import level_of, normalise_code, parent_of
from roltrap.store import COLUMNS, Batch

#: Wijk- en Buurtkaart attribute → KWB id (percent attributes get the ``p_`` ids of the catalogue).
ATTRIBUTES: dict[str, str] = {
    "OAD": "ste_oad",
    "STED": "ste_mvs",
    "BEV_DICHTH": "bev_dich",
    "AANT_INW": "a_inw",
    "AANT_MAN": "a_man",
    "AANT_VROUW": "a_vrouw",
    "P_00_14_JR": "p_00_14",
    "P_15_24_JR": "p_15_24",
    "P_25_44_JR": "p_25_44",
    "P_45_64_JR": "p_45_64",
    "P_65_EO_JR": "p_65_oo",
    "P_ONGEHUWD": "p_ongeh",
    "P_GEHUWD": "p_gehuwd",
    "P_GESCHEID": "p_gesch",
    "P_VERWEDUW": "p_verwed",
    "AANTAL_HH": "a_hh",
    "P_EENP_HH": "p_1p_hh",
    "P_HH_Z_K": "p_hh_z_k",
    "P_HH_M_K": "p_hh_m_k",
    "GEM_HH_GR": "g_hhgro",
    "P_WEST_AL": "p_w_all",
    "P_N_W_AL": "p_nw_all",
    "P_MAROKKO": "p_marok",
    "P_ANT_ARU": "p_antaru",
    "P_SURINAM": "p_surinam",
    "P_TURKIJE": "p_tur",
    "P_OVER_NW": "p_ov_nw",
    "P_NL_ALL": "p_nl_all",
    "P_EUR_ALL": "p_eur_al",
    "P_NEU_ALL": "p_neu_al",
    "P_GEBNL_NL": "p_gebnl_nl",
    "P_GEBNL_EU": "p_gebnl_eu",
    "P_GEBNL_NE": "p_gebnl_ne",
    "P_GEBBL_EU": "p_gebbl_eu",
    "P_GEBBL_NE": "p_gebbl_ne",
    "OPP_TOT": "a_opp_ha",
    "OPP_LAND": "a_lan_ha",
    "OPP_WATER": "a_wat_ha",
}
_NOT_FIGURES = {
    "WK_CODE",
    "WK_NAAM",
    "GM_CODE",
    "GM_NAAM",
    "BU_CODE",
    "BU_NAAM",
    "H2O",
    "WATER",
    "JAAR",
    "JRSTATCODE",
    "IND_WBI",
    "SHAPE_LENG",
    "SHAPE_AREA",
    "SHAPE_AREA_M2",
}
MISSING_BELOW = -99990  # CBS codes -99999999, -99997, -99995 ... are "no figure"


def _code_or_none(raw: object) -> str | None:
    """The parent gemeente code, or None when the GM_CODE cell is unusable (it only names a parent)."""
    try:
        return normalise_code(raw)
    except ValueError:
        return None


def read_wbk(path: Path | str, *, year: int | None = None, source: dict[str, object] | None = None) -> Batch:
    """A Wijk- en Buurtkaart attribute CSV (gemeente, wijk or buurt level) → Batch."""
    path = Path(path)
    fname = str(path)
    frame = read_frame(path)
    lines = line_numbers(frame)
    frame.columns = [c.upper() for c in frame.columns]
    code_col = next((c for c in ("BU_CODE", "WK_CODE", "GM_CODE") if c in frame.columns), None)
    if code_col is None:
        raise InputError(
            f"{path.name} heeft geen kolom BU_CODE, WK_CODE of GM_CODE met regiocodes.",
            file=path,
            hint="Verwacht een attributentabel van de CBS Wijk- en Buurtkaart (kolommen WK_CODE, WK_NAAM, "
            "AANT_INW, …). Is het een ander soort bestand? Geef dan {format} op.",
        )
    name_col = code_col.replace("_CODE", "_NAAM")
    water_col = next((c for c in ("H2O", "WATER") if c in frame.columns), None)
    skipped: list[Problem] = []
    if water_col:
        water = frame[water_col].str.strip().str.upper() == "JA"
        skipped += [
            Problem(
                "waterdeel (zonder cijfers); niet geladen", fname, int(lines[i]), water_col,
                frame.at[i, code_col],
            )
            for i in frame.index[water]
        ]
        frame = frame[~water]
    problems: list[Problem] = []
    codes: list[str] = []
    for i, raw in zip(frame.index, frame[code_col], strict=True):
        try:
            codes.append(normalise_code(raw))
        except ValueError as exc:
            problems.append(Problem(str(exc), fname, int(lines[i]), code_col, str(raw)))
            codes.append("")
    if "JAAR" in frame.columns:
        yrs, bad = parse_columns(frame, ["JAAR"], file=fname)
        problems += bad
        years = yrs["JAAR"].fillna(year if year is not None else float("nan"))
    else:
        years = pd.Series(
            year if year is not None else year_from_name(path), index=frame.index, dtype="float64"
        )
    fill = "vul kolom JAAR in" if "JAAR" in frame.columns else "voeg een kolom JAAR toe"
    problems += [
        Problem(
            f"geen jaar voor deze rij: {fill} of zet het jaar in de bestandsnaam (bijv. wijk_2022_v1.csv)",
            fname,
            int(lines[i]),
            "JAAR",
        )
        for i in years.index[years.isna()]
    ]
    attrs = [c for c in frame.columns if c in ATTRIBUTES]
    values, bad = parse_columns(frame, attrs, file=fname)
    problems += bad
    raise_if(
        problems,
        f"{path.name} is geen geldige attributentabel van de Wijk- en Buurtkaart; er is niets geïmporteerd.",
        file=path,
        hint="Verbeter de genoemde cellen (regiocodes als WK054600, getallen of CBS-codes als -99999999) "
        "en importeer opnieuw.",
    )
    values = values.mask(values <= MISSING_BELOW)
    code_s = pd.Series(codes, index=frame.index)
    obs = to_long(values.rename(columns=ATTRIBUTES), codes=code_s, years=years.astype("int64"))
    skipped += [
        Problem("kolom hoort niet bij een bekende indicator; niet geladen", fname, None, c)
        for c in frame.columns
        if c not in ATTRIBUTES and c not in _NOT_FIGURES
    ]
    names = frame[name_col].str.strip() if name_col in frame.columns else code_s
    reg = pd.DataFrame(
        {
            "code": codes,
            "name": names.mask(names == "", code_s).to_numpy(),
            "level": [level_of(c) for c in codes],
            "parent": [parent_of(c) for c in codes],
            "boundary_year": years.astype("int64").to_numpy(),
        },
        columns=COLUMNS["regions"],
    )
    if code_col != "GM_CODE" and {"GM_CODE", "GM_NAAM"} <= set(frame.columns):
        gm = pd.DataFrame(
            {
                "code": frame["GM_CODE"].map(_code_or_none).to_numpy(),
                "name": frame["GM_NAAM"].to_numpy(),
                "level": "gemeente",
                "parent": "NL00",
                "boundary_year": years.astype("int64").to_numpy(),
            }
        )
        reg = pd.concat([gm.dropna(subset=["code"]).drop_duplicates("code"), reg], ignore_index=True)
    reg = reg.drop_duplicates("code", keep="last").reset_index(drop=True)
    yr = sorted(set(years.astype("int64")))
    src = source or cbs_source(
        f"cbs-wbk-{'-'.join(map(str, yr))}-{level_of(codes[0]) if codes else 'x'}",
        f"CBS/Kadaster Wijk- en Buurtkaart {', '.join(map(str, yr))} (attributen)",
        path,
        publisher="CBS / Kadaster",
    )
    return Batch(
        source={**src, "rows_loaded": len(obs)},
        regions=reg,
        indicators=indicators_for(set(obs["indicator_id"])),
        observations=obs,
        skipped=skipped,
    )
