"""The caseload summary's tables as downloads: one definition for ``roltrap triage --caseload
--format csv|xlsx`` and the web's "Download CSV" / "Download Excel" beside the result.

Only the protected tables of :class:`roltrap.triage.caseload.CaseloadResult` go in: counts per
type and style per wijk or buurt after small-cell suppression (a hidden cell reads "onderdrukt",
never a number), and the district figures. No answer of a single client, no row of the upload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from roltrap import export

if TYPE_CHECKING:
    from roltrap.triage.caseload import CaseloadResult

DISTRICT_LABELS = {
    "name": "Naam",
    "a_inw": "Inwoners",
    "a_inw_jaar": "Jaar (inwoners)",
    "p_hh_110": "% huishoudens tot 110% sociaal minimum",
    "p_hh_110_jaar": "Jaar (minima)",
    "clienten": "Cliënten",
    "clienten_per_1000_inw": "Cliënten per 1.000 inwoners",
}


def _where(res: CaseloadResult) -> str:
    return "wijk" if res.level == "wijk" else "buurt"


def caseload_sheets(res: CaseloadResult) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]]:
    """Sheet name → table, and per sheet the columns whose empty cells are suppressed counts."""
    where = _where(res)
    districts = res.districts.reset_index(names=where.capitalize()).rename(columns=DISTRICT_LABELS)
    sheets = {
        f"Typen per {where}": res.types.reset_index(names="Type (§6)"),
        f"Stijlen per {where}": res.styles.reset_index(names="Stijl (§19)"),
        f"{where.capitalize()}cijfers": districts,
    }
    suppressed = {
        f"Typen per {where}": [str(c) for c in res.types.columns],
        f"Stijlen per {where}": [str(c) for c in res.styles.columns],
        f"{where.capitalize()}cijfers": [DISTRICT_LABELS[c] for c in ("clienten", "clienten_per_1000_inw")],
    }
    return sheets, suppressed


def caseload_xlsx(res: CaseloadResult) -> bytes:
    sheets, suppressed = caseload_sheets(res)
    where = _where(res)
    note = " ".join([export.SUPPRESSION_NOTE.format(min_cell=res.min_cell), *res.notes])
    return export.xlsx_bytes(sheets, suppressed=suppressed, title=f"Caseload per {where}", note=note)


def caseload_long(res: CaseloadResult) -> pd.DataFrame:
    """Both count tables in one long table (tabel, rij, wijk/buurt, aantal): one CSV file."""
    parts = []
    for name, df in (("typen", res.types), ("stijlen", res.styles)):
        long = df.stack(future_stack=True).rename("aantal").reset_index()
        long.columns = ["rij", res.level, "aantal"]
        long.insert(0, "tabel", name)
        parts.append(long)
    return pd.concat(parts, ignore_index=True)


def caseload_csv(res: CaseloadResult) -> bytes:
    """A Dutch spreadsheet's CSV (";", decimal comma, BOM); a hidden count reads "onderdrukt"."""
    return export.csv_bytes(caseload_long(res), suppressed=["aantal"])
