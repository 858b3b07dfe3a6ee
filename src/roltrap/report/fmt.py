"""Dutch number and label formatting shared by the web pages and the printed profile."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def nl_number(value: Any, decimals: int | None = None) -> str:
    """Dutch number format (1.234,5); missing → 'n.b.'."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "n.b."
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    if not isinstance(decimals, int) or isinstance(decimals, bool):  # None, or a template's Undefined
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def with_unit(label: Any, unit: Any) -> str:
    """'Label (unit)', unless the label already names its unit (CBS labels often end in '(%)')."""
    text = str(label)
    if not unit or text.rstrip().endswith(")"):
        return text
    return f"{text} ({unit})"
