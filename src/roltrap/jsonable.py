"""Plain JSON values from what pandas, numpy and DuckDB hand back.

One rule everywhere (core, CLI, web, monitor, reports): a missing figure (``None``, ``pd.NA``,
``NaT``, NaN, ±inf) becomes ``None`` — JSON ``null``, never 0 — and numpy/pandas types become the
Python types ``json.dumps`` accepts, so the result always serialises with ``allow_nan=False``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

_SEQUENCES = (list, tuple, set, frozenset, pd.Series, pd.Index, ExtensionArray)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: missing → None, numpy scalars → Python, dates → ISO 8601 text,
    containers (dict, list, tuple, set, array, Series) recursively, a DataFrame as a list of row
    dicts; anything else as its text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return str(value)
    if isinstance(value, np.datetime64):
        stamp = pd.Timestamp(value)
        return None if stamp is pd.NaT else stamp.isoformat()
    if isinstance(value, (datetime, date, time)):  # pd.Timestamp is a datetime
        return value.isoformat()
    if isinstance(value, pd.DataFrame):
        return [jsonable(row) for row in value.to_dict("records")]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        # Iterate rather than .tolist(): tolist turns datetime64[ns] into integers.
        return jsonable(value[()]) if value.ndim == 0 else [jsonable(v) for v in value]
    if isinstance(value, _SEQUENCES):
        return [jsonable(v) for v in value]
    return str(value)
