"""Plain JSON values from what pandas, numpy and DuckDB hand back.

One rule everywhere (core, CLI, web, monitor, reports): a missing figure (``None``, ``pd.NA``,
``NaT``, NaN, ±inf) becomes ``None`` — JSON ``null``, never 0 — and numpy/pandas types become the
Python types ``json.dumps`` accepts, so the result always serialises with ``allow_nan=False``.

numpy and pandas are not imported here: a value can only be one of their types when its module is
already loaded, so plain Python values (the CLI's ``show``, DuckDB rows) never pay for importing them.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: missing → None, numpy scalars → Python, dates → ISO 8601 text,
    containers (dict, list, tuple, set, array, Series) recursively, a DataFrame as a list of row
    dicts; anything else as its text."""
    # Exact built-in types first: most values are, and they need no numpy or pandas.
    kind = type(value)
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    return _other(value)


def _other(value: Any) -> Any:
    np = sys.modules.get("numpy")
    pd = sys.modules.get("pandas")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return None
    if isinstance(value, bool) or (np is not None and isinstance(value, np.bool_)):
        return bool(value)
    if isinstance(value, int) or (np is not None and isinstance(value, np.integer)):
        return int(value)
    if isinstance(value, float) or (np is not None and isinstance(value, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return str(value)
    if np is not None and isinstance(value, np.datetime64):
        import pandas

        stamp = pandas.Timestamp(value)
        return None if stamp is pandas.NaT else stamp.isoformat()
    if isinstance(value, (datetime, date, time)):  # pd.Timestamp is a datetime
        return value.isoformat()
    if pd is not None and isinstance(value, pd.DataFrame):
        return [jsonable(row) for row in value.to_dict("records")]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if np is not None and isinstance(value, np.ndarray):
        # Iterate rather than .tolist(): tolist turns datetime64[ns] into integers.
        return jsonable(value[()]) if value.ndim == 0 else [jsonable(v) for v in value]
    if isinstance(value, (list, tuple, set, frozenset)) or (
            pd is not None and isinstance(value, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray))):
        return [jsonable(v) for v in value]
    return str(value)
