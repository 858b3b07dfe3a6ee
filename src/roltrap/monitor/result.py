"""The one result shape every district-monitor computation returns.

A :class:`MonitorResult` is what the CLI prints and the web app renders: a table (``rows``) plus the
method, assumptions, sources and notes a reader needs to judge the figures. Every row carries
``code``, ``name``, its value column(s), ``unit``, ``estimate`` (bool), ``available`` (bool) and
``reason`` (why a figure is "niet beschikbaar"); ``class`` where a classification applies.
Missing data stay missing (``None`` in JSON, "niet beschikbaar" on screen), never a silent 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from roltrap.jsonable import jsonable

NOT_AVAILABLE = "niet beschikbaar"

# Columns that describe a row rather than hold a figure; everything else is a value column.
META_COLUMNS: tuple[str, ...] = (
    "code", "name", "level", "parent", "unit", "class", "estimate", "available", "reason", "method",
    "rank", "color", "label", "evidence", "year", "period",
)


@dataclass(frozen=True)
class MonitorResult:
    """A table of figures with its method, assumptions, sources and notes.

    ``kind`` names the computation (``turnover``, ``classify``, ``vulnerable``, ``rank``, ``compare``,
    ``trend``, ``project``, ``conditions``, ``map``); ``unit`` is the unit of the main value column
    (rows may override it in their own ``unit`` column); ``extra`` holds kind-specific structured
    data (a map legend, a projection's model, the syllabus's figures for comparison, ...).
    """

    kind: str
    title: str
    rows: pd.DataFrame
    unit: str = ""
    method: str = ""
    assumptions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def value_columns(self) -> list[str]:
        """Columns that hold figures (not identifiers or flags), in table order."""
        return [c for c in self.rows.columns if c not in META_COLUMNS]

    def records(self) -> list[dict[str, Any]]:
        """Rows as JSON-able dicts with the standard keys always present."""
        out: list[dict[str, Any]] = []
        for rec in self.rows.to_dict("records"):
            row = {str(k): jsonable(v) for k, v in rec.items()}
            row.setdefault("code", None)
            row.setdefault("name", None)
            if row.get("unit") is None:
                row["unit"] = self.unit
            row["estimate"] = bool(row.get("estimate") or False)
            if row.get("available") is None:
                row["available"] = True
            row["available"] = bool(row["available"])
            row.setdefault("reason", None)
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The whole result as JSON-able data (rows as a list of dicts, NaN → None)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "method": self.method,
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
            "notes": list(self.notes),
            "value_columns": self.value_columns,
            "extra": jsonable(self.extra),
            "rows": self.records(),
        }

    def table(self) -> pd.DataFrame:
        """Rows for display: a missing figure in an unavailable row reads "niet beschikbaar"."""
        df = self.rows.copy()
        if "available" in df.columns:
            missing = ~df["available"].fillna(True).astype(bool)
            for col in self.value_columns:
                if missing.any():
                    df[col] = df[col].astype(object)
                    df.loc[missing & df[col].isna(), col] = NOT_AVAILABLE
        return df


def not_available_row(code: str | None, name: str | None, reason: str, **values: Any) -> dict[str, Any]:
    """A row that says plainly which figure is missing and why."""
    return {"code": code, "name": name, **values, "available": False, "reason": reason}
