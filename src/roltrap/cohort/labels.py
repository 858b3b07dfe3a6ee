"""Dutch column labels (with units) for the cohort summary, one row per wijk.

Used for tables people read (the terminal); CSV and JSON keep the column ids. Plain data, so the
CLI reads it without loading the analysis engines.
"""

from __future__ import annotations

from collections.abc import Iterable

from roltrap.monitor.labels import COLUMN_LABELS as MONITOR_LABELS

# The summary holds ``nog_in_wijk`` as a share 0–1; a table shows it ×100 under this label.
SHARE_AS_PERCENT = frozenset({"nog_in_wijk"})

COLUMN_LABELS: dict[str, str] = {
    "wijk": "Wijk", "naam": "Naam",
    "cohort": "Cohort (personen)",
    "nog_in_wijk": "Nog in wijk (% van cohort)",
    "andere_wijk": "Naar andere wijk (personen)",
    "andere_gemeente": "Naar andere gemeente (personen)",
    "onbekend": "Onbekend (personen)",
    "roltrapscore": "Roltrapscore (percentielpunten)",
    "ci_laag": "95%-BI ondergrens (punten)", "ci_hoog": "95%-BI bovengrens (punten)",
    "lage_inkomenswijk": "Lage-inkomenswijk",
    "vervangingssnelheid": MONITOR_LABELS["vervangingssnelheid"],
}


def column_label(name: str) -> str:
    """The label of a cohort column; unknown ids read as words."""
    return COLUMN_LABELS.get(name, name.replace("_", " ").capitalize())


def table_labels(columns: Iterable[str]) -> dict[str, str]:
    return {c: column_label(c) for c in columns}
