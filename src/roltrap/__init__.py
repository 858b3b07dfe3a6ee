"""roltrap: district monitor, escalator analysis and coaching aid after the BuZz Leiden syllabus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roltrap.core import Roltrap

    Monitor = Roltrap

__all__ = ["Monitor", "Roltrap"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Imported on first use, not with the package: `roltrap --help` must not load pandas and DuckDB.
    if name in ("Roltrap", "Monitor"):  # Monitor: the name the first issue used; one object either way
        from roltrap.core import Roltrap

        return Roltrap
    raise AttributeError(f"module 'roltrap' has no attribute {name!r}")
