"""Dutch number, percentage and unit formatting: the one home for every shell.

The web pages, the printed profile, the CLI tables and messages, and the CSV/Excel exports all
write numbers through this module, so a figure reads the same everywhere: ``1.234,5`` (thousands
point, decimal comma), ``12,4 %``, ``356.927 persoonsjaren``, ``4,4 procentpunten``; a missing
figure is ``n.b.``, a suppressed one ``onderdrukt``. Plain Python, no imports of the rest of
roltrap except the plain-data label tables, so any layer may use it.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

MISSING = "n.b."
SUPPRESSED = "onderdrukt"  # the same text as roltrap.disclosure.SUPPRESSED_LABEL
PERCENT_UNITS = frozenset({"%", "percent", "procent"})
# Columns holding a share 0–1 (not ×100): three decimals keep them exact to a tenth of a percent.
SHARE_COLUMNS = frozenset({"nog_in_wijk", "share", "aandeel"})
# Columns holding calendar years: written 2021, never 2.021.
YEAR_COLUMNS = frozenset({"year", "jaar", "boundary_year", "base_year", "end_year", "basisjaar", "eindjaar",
                          "first_year", "last_year"})


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as Python values; pandas' NA and NaN as None."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(TypeError, ValueError):  # an array of many values: leave it
            value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def is_missing(value: Any) -> bool:
    """True for None, NaN, ±inf and pandas' NA."""
    return _plain(value) is None


def number(value: Any, decimals: int | None = None, *, missing: str = MISSING,
           grouping: bool = True) -> str:
    """A number in Dutch: ``1.234,5``; missing → ``missing`` ("n.b.").

    ``decimals=None`` shows whole numbers without decimals and other numbers with one. Text passes
    unchanged (so a table cell that already says "onderdrukt" stays so); booleans read Ja/Nee.
    """
    value = _plain(value)
    if value is None:
        return missing
    if isinstance(value, bool):
        return yes_no(value)
    if not isinstance(value, (int, float)):
        return str(value)
    if not isinstance(decimals, int) or isinstance(decimals, bool):  # None, or a template's Undefined
        decimals = 0 if float(value).is_integer() else 1
    rounded = round(float(value), decimals) if decimals >= 0 else float(value)
    if rounded == 0:
        rounded = 0.0  # no "-0,0"
    text = f"{rounded:,.{decimals}f}" if grouping else f"{rounded:.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(value: Any, decimals: int | None = 1, *, missing: str = MISSING) -> str:
    """A percentage (already ×100): ``12,4 %`` (Dutch style, a space before the sign)."""
    text = number(value, decimals, missing=missing)
    return text if is_missing(value) or isinstance(_plain(value), str) else f"{text} %"


def share_percent(value: Any, decimals: int | None = 1, *, missing: str = MISSING) -> str:
    """A share 0–1 as a percentage: 0.124 → ``12,4 %``."""
    value = _plain(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return percent(value, decimals, missing=missing)
    return percent(100 * value, decimals, missing=missing)


def quantity(value: Any, unit: str | None, decimals: int | None = None, *,
             missing: str = MISSING) -> str:
    """A number with its unit: ``12,4 %``, ``3,2 km``, ``356.927 persoonsjaren``; missing → ``missing``."""
    if unit in PERCENT_UNITS:
        return percent(value, decimals, missing=missing)
    text = number(value, decimals, missing=missing)
    if is_missing(value) or not unit or isinstance(_plain(value), str):
        return text
    return f"{text} {unit}"


def count(value: Any, singular: str, plural: str | None = None) -> str:
    """A whole count with its noun: ``1 persoon``, ``356.927 persoonsjaren``."""
    value = _plain(value)
    if value is None:
        return f"{MISSING} {plural or singular}"
    noun = singular if value == 1 else (plural or singular)
    return f"{number(value, 0)} {noun}"


def points(value: Any, decimals: int = 1, *, unit: str = "procentpunten") -> str:
    """A difference of percentages: ``4,4 procentpunten`` (``1,0 procentpunt``)."""
    value = _plain(value)
    if value is None:
        return MISSING
    noun = unit[:-2] if unit.endswith("en") and abs(float(value)) == 1 else unit
    return f"{number(value, decimals)} {noun}"


def signed(value: Any, decimals: int | None = 1) -> str:
    """A change with its sign: ``+1,2``, ``−0,4`` (a true minus sign), ``0``."""
    value = _plain(value)
    if value is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return number(value, decimals)
    text = number(abs(value), decimals)
    if float(text.replace(".", "").replace(",", ".")) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def yes_no(value: Any) -> str:
    """Booleans in Dutch: ``Ja``/``Nee``; missing → ``n.b.``."""
    value = _plain(value)
    if value is None:
        return MISSING
    return "Ja" if bool(value) else "Nee"


def number_range(low: Any, high: Any, decimals: int | None = 0, *, unit: str | None = None) -> str:
    """``24.392 tot 40.495`` (with the unit once, at the end)."""
    text = f"{number(low, decimals)} tot {number(high, decimals)}"
    if unit in PERCENT_UNITS:
        return f"{text} %"
    return f"{text} {unit}" if unit else text


def with_unit(label: Any, unit: Any) -> str:
    """'Label (unit)', unless the label already names its unit (CBS labels often end in '(%)')."""
    text = str(label)
    if not unit or text.rstrip().endswith(")"):
        return text
    return f"{text} ({unit})"


def year(value: Any) -> str:
    """A calendar year: ``2021`` (no thousands point); missing → ``n.b.``."""
    value = _plain(value)
    if value is None:
        return MISSING
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return str(value)


def cell(value: Any, column: str, decimals: int | None = None, *, missing: str = MISSING) -> str:
    """A table cell of a named column: years bare, other numbers Dutch, booleans Ja/Nee."""
    if column.lower() in YEAR_COLUMNS:
        return missing if is_missing(value) else year(value)
    return number(value, decimals, missing=missing)


def column_decimals(name: str) -> int | None:
    """Decimals of a result column: persons whole, small ranges two, otherwise ``None`` (the
    default of :func:`number`: whole numbers bare, others one decimal)."""
    from roltrap.monitor.labels import PERSON_COLUMNS, TWO_DECIMALS

    if name in PERSON_COLUMNS:
        return 0
    if name in SHARE_COLUMNS:
        return 3
    if name in TWO_DECIMALS:
        return 2
    return None


def jinja_filters() -> dict[str, Any]:
    """The filters every template (web and print) uses, by the names the templates know."""
    return {"nl": number, "fmt": quantity, "pct": percent, "with_unit": with_unit, "ja_nee": yes_no,
            "signed": signed}
