"""ELAN/LUMC "wijkprofielen" series 2009–2022 (means per wijk and gemeente, shares per gemeente).

ELAN computed these inside CBS Remote Access from microdata; they are estimates, not official
StatLine figures, so the source is marked ``estimate=True`` and every id starts with ``elan_``.
Shares are stored in percent like CBS shares (ELAN publishes fractions 0–1).

Quirk of the shares file: some columns hold counts instead of shares in some or all rows
(``Low_Income`` 9,320 beside ``HBOPL_Mid`` 0.193). A cell above 1 is therefore read as a count and
stored under the column's ``elan_a_`` id when it has one; otherwise it is left out and reported.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import line_numbers, parse_columns, raise_if, to_long
from roltrap.io._read import read_frame
from roltrap.io.catalogue import indicators_for
from roltrap.io.codes import normalise_code, parent_of
from roltrap.store import COLUMNS, Batch

MEANS: dict[str, str] = {
    "AGE_MEAN": "elan_age_mean",
    "Income_MEAN": "elan_income_mean",
    "Moving_Count_MEAN": "elan_moves_pp",
    "Lifeevents_Count_MEAN": "elan_lifeevents_mean",
    "UniqueMed_Count_MEAN": "elan_unique_med_mean",
    "ZVWKOSTENTOTAAL_MEAN": "elan_zvw_totaal_mean",
    "ZVWKHUISARTS_MEAN": "elan_zvw_huisarts_mean",
    "ZVWKHUISARTS_NO_REG_MEAN": "elan_zvw_huisarts_noreg_mean",
    "ZVWKZIEKENHUIS_MEAN": "elan_zvw_ziekenhuis_mean",
    "ZVWKFARMACIE_MEAN": "elan_zvw_farmacie_mean",
    "ZVWKOSTENPSYCHO_MEAN": "elan_zvw_psycho_mean",
}
#: shares-file column → (id for a share cell, id for a count cell or None)
SHARES: dict[str, tuple[str | None, str | None]] = {
    "Total_All_Pop": (None, "elan_pop"),
    "0to20": ("elan_p_0_20", None),
    "21to40": ("elan_p_21_40", None),
    "41to60": ("elan_p_41_60", None),
    "61to80": ("elan_p_61_80", None),
    "Above80": ("elan_p_80plus", None),
    "MajorEthnicity_NativeDutch": ("elan_p_nl", None),
    "MajorEthnicity_Western": ("elan_p_westers", None),
    "MajorEthnicity_NonWestern": ("elan_p_nietwesters", None),
    "MinorEthnicity_Marokko": ("elan_p_marok", None),
    "MinorEthnicity_Suriname": ("elan_p_surinam", None),
    "MinorEthnicity_Turkije": ("elan_p_turk", None),
    "MinorEthnicity_VoormaligeNederlandseAntillenenAruba": ("elan_p_antil", None),
    "Employee": ("elan_p_werknemer", None),
    "Unemployment_benefit_user": ("elan_p_ww", None),
    "Welfare_benefit_user": ("elan_p_bijstand", None),
    "Other_social_benefit_user": ("elan_p_ov_uitk", None),
    "Sickness_benefit_user": ("elan_p_ziekte", None),
    "Pension_benefit_user": ("elan_p_aow", None),
    "Moving_count_above_1": ("elan_p_moves_gt1", None),
    "Low_Income": ("elan_p_laag_ink", "elan_a_laag_ink"),
    "Debt_Poor": ("elan_p_schulden", None),
    "Wanbet": ("elan_p_wanbet", None),
    "WMO_user": ("elan_p_wmo", "elan_a_wmo"),
    "JGDHULP_user": ("elan_p_jeugdhulp", "elan_a_jeugdhulp"),
    "ZVWKOSTENPSYCHO_user": ("elan_p_ggz", None),
    "HBOPL_Low": ("elan_p_opl_laag", "elan_a_opl_laag"),
    "HBOPL_Mid": ("elan_p_opl_mid", None),
    "HBOPL_High": ("elan_p_opl_hoog", None),
}
_META = {"GMC", "GMN", "WKC", "WKN", "gem_name", "YEAR"}


def elan_source(path: Path | str) -> dict[str, object]:
    return {
        "id": "elan-wijkprofielen",
        "title": "ELAN/LUMC wijkprofielen (schattingen uit CBS-microdata)",
        "publisher": "ELAN-DCC, LUMC",
        "licence": "MIT (repository elan-dcc/wijkprofielen)",
        "attribution": "Bron: ELAN/LUMC op basis van CBS-microdata",
        "provenance": "schatting op basis van CBS-microdata, geen officieel StatLine-cijfer",
        "file": Path(path).name,
        "estimate": True,
        "rows_loaded": None,
    }


def read_elan(path: Path | str, *, source: dict[str, object] | None = None) -> Batch:
    """One ELAN table: wijk means (``WKC``), gemeente means or gemeente shares (``GMC``) → Batch."""
    path = Path(path)
    fname = str(path)
    frame = read_frame(path)
    if "YEAR" not in frame.columns or not ({"WKC", "GMC"} & set(frame.columns)):
        raise InputError(
            f"{path.name} is geen ELAN-wijkprofielentabel: een kolom WKC of GMC (regiocode) en een kolom "
            f"YEAR (jaar) zijn nodig.",
            file=path,
            hint="Verwacht een tabel uit elan-dcc/wijkprofielen (kolommen WKC of GMC, YEAR, …_MEAN). Is het "
            "een ander soort bestand? Geef dan {format} op.",
        )
    wijk = "WKC" in frame.columns
    code_col = "WKC" if wijk else "GMC"
    problems: list[Problem] = []
    codes: list[str] = []
    lines = line_numbers(frame)
    for line, raw in zip(lines, frame[code_col], strict=True):
        try:
            codes.append(normalise_code(raw, level="wijk" if wijk else "gemeente"))
        except ValueError as exc:
            problems.append(Problem(str(exc), fname, int(line), code_col, str(raw)))
            codes.append("")
    years, year_bad = parse_columns(frame, ["YEAR"], file=fname)
    problems += year_bad
    mean_cols = [c for c in frame.columns if c in MEANS]
    share_cols = [c for c in frame.columns if c in SHARES]
    values, bad = parse_columns(frame, mean_cols + share_cols, file=fname)
    problems += bad
    raise_if(
        problems,
        f"{path.name} heeft cellen die geen getal of geen geldige regiocode zijn; er is niets geïmporteerd.",
        file=path,
        hint="Verbeter de genoemde cellen (getallen, jaartallen als 2016, regiocodes als WK054600 of "
        "GM0546) en importeer opnieuw.",
    )
    code_s = pd.Series(codes, index=frame.index)
    year_s = years["YEAR"].astype("int64")

    parts = (
        [to_long(values[mean_cols].rename(columns=MEANS), codes=code_s, years=year_s)] if mean_cols else []
    )
    skipped: list[Problem] = []
    for col in share_cols:
        share_id, count_id = SHARES[col]
        v = values[col]
        is_count = v > 1
        if share_id:
            parts.append(to_long((v.where(~is_count) * 100).to_frame(share_id), codes=code_s, years=year_s))
        if count_id:
            parts.append(to_long(v.where(is_count).to_frame(count_id), codes=code_s, years=year_s))
        # A cell lands in no indicator when its kind (count or share) has no id for this column.
        if share_id and count_id:
            lost = pd.Series(False, index=v.index)
        elif share_id:
            lost = is_count
        else:
            lost = ~is_count & v.notna()
        skipped += [
            Problem(
                "aantal waar een aandeel (0–1) werd verwacht (bekende eigenaardigheid van ELAN); "
                "niet geladen",
                fname,
                int(lines[i]),
                col,
                str(frame.at[i, col]),
            )
            for i in v.index[lost]
        ]
    skipped += [
        Problem("kolom hoort niet bij een bekende ELAN-indicator; niet geladen", fname, None, c)
        for c in frame.columns
        if c not in MEANS and c not in SHARES and c not in _META
    ]
    obs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS["observations"][:-1])

    name_col = next((c for c in (("WKN",) if wijk else ("GMN", "gem_name")) if c in frame.columns), None)
    names = frame[name_col].str.strip() if name_col else code_s  # no name column: the code is the name
    reg = pd.DataFrame({"code": codes, "name": names.to_numpy(), "year": year_s.to_numpy()})
    reg = reg.sort_values(["code", "year"]).drop_duplicates("code", keep="last")
    reg = reg.assign(
        level="wijk" if wijk else "gemeente", parent=reg["code"].map(parent_of), boundary_year=None
    )
    reg = reg[COLUMNS["regions"]]
    if wijk and "gem_name" in frame.columns:
        # The parent gemeenten, named as ELAN names them (the KWB name wins when both are loaded).
        gm = pd.DataFrame({"code": code_s.map(parent_of), "name": frame["gem_name"].str.strip()})
        gm = gm.drop_duplicates("code").assign(level="gemeente", parent="NL00", boundary_year=None)
        reg = pd.concat([gm[COLUMNS["regions"]], reg], ignore_index=True)
    src = {**(source or elan_source(path)), "rows_loaded": len(obs)}
    return Batch(
        source=src,
        regions=reg.reset_index(drop=True),
        indicators=indicators_for(set(obs["indicator_id"])),
        observations=obs,
        skipped=skipped,
    )
