"""Which areas a district-monitor computation covers: the wijken or buurten of one municipality, of
one wijk, or of every municipality in the store (``gemeente="NL"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LEVELS: tuple[str, ...] = ("wijk", "buurt")
NOUNS = {"wijk": "wijken", "buurt": "buurten", "gemeente": "gemeenten"}
NATIONAL_CODES = frozenset({"NL", "NL00", "NL01", "NEDERLAND"})


def is_national(gemeente: str | None) -> bool:
    return gemeente is not None and str(gemeente).strip().upper() in NATIONAL_CODES


@dataclass(frozen=True)
class Scope:
    """The areas of a computation (``areas``) and the municipalities they belong to (``refs``).

    Both frames are indexed by code with columns name, level, parent, gm.
    """

    level: str
    gemeenten: tuple[str, ...]
    national: bool
    name: str          # Dutch: "Leiden" or "Nederland"
    areas: pd.DataFrame
    refs: pd.DataFrame

    @property
    def noun(self) -> str:
        return NOUNS[self.level]

    @property
    def title(self) -> str:
        """"wijken van Leiden", "buurten van Nederland"."""
        return f"{self.noun} van {self.name}"

    @property
    def area_codes(self) -> list[str]:
        return list(self.areas.index)

    @property
    def ref_codes(self) -> list[str]:
        return list(self.refs.index)

    @property
    def codes(self) -> list[str]:
        return [*self.ref_codes, *self.area_codes]

    @property
    def gms(self) -> tuple[str, ...] | None:
        """Municipalities to slice the national tables by (``None``: all of them)."""
        return None if self.national else self.gemeenten

    def meta(self) -> pd.DataFrame:
        """Reference rows then areas: name, level, parent, gm."""
        return pd.concat([self.refs, self.areas])
