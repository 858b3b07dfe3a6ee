"""Where the recorded CBS OData answers live (served by ``_odata_server`` in the fetch tests)."""

from __future__ import annotations

from pathlib import Path

RECORDED = Path(__file__).parent / "recorded"
