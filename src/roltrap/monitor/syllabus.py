"""The syllabus's published reference figures (``data/syllabus.yaml``), read once.

The service shows them beside the computed figures; a municipality the syllabus does not discuss
simply has none. Keeping them in a data file keeps municipality-specific branches out of the code.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def data() -> dict[str, Any]:
    text = resources.files("roltrap.monitor").joinpath("data/syllabus.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def peers() -> tuple[str, ...]:
    return tuple(data()["peers"])


def figures(code: str) -> dict[str, float]:
    """The syllabus's figures for one municipality (empty if it has none)."""
    out: dict[str, float] = data().get("figures", {}).get(code, {})
    return out


def section(code: str, name: str) -> dict[str, Any]:
    """One computation's syllabus material for a municipality (``turnover``, ``classify``, …); {} if none."""
    out: dict[str, Any] = data().get("gemeenten", {}).get(code, {}).get(name, {})
    return out
