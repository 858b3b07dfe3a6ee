"""Kept for imports made before :mod:`roltrap.fmt` existed; use :mod:`roltrap.fmt`."""

from __future__ import annotations

from roltrap.fmt import number as nl_number
from roltrap.fmt import with_unit

__all__ = ["nl_number", "with_unit"]
