"""The indicator catalogue shipped with roltrap (``data/catalogue.csv``).

One row per indicator id (CBS KWB short names, ``elan_`` ids for ELAN estimates, a few ids for other
CBS tables), with its Dutch label and unit, its kind, and how it aggregates from districts upward.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.store import AGGREGATIONS, COLUMNS, KINDS

CATALOGUE_FILE = Path(str(resources.files("roltrap") / "data" / "catalogue.csv"))


def read_catalogue(path: Path = CATALOGUE_FILE) -> pd.DataFrame:
    """The catalogue as a frame with the columns of the ``indicators`` table, checked for consistency."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS["indicators"] if c not in df.columns]
    if missing:
        raise InputError(
            f"De indicatorcatalogus {path.name} mist de kolom(men) {', '.join(missing)}.",
            file=path,
            hint=f"De catalogus heeft de kolommen {', '.join(COLUMNS['indicators'])}.",
        )
    problems: list[Problem] = []
    ids = set(df["id"])
    for i, r in enumerate(df.itertuples(index=False), start=2):
        if r.kind not in KINDS:
            problems.append(
                Problem(f"onbekende soort; verwacht een van: {', '.join(KINDS)}", str(path), i, "kind",
                        r.kind)
            )
        if r.aggregation not in AGGREGATIONS:
            problems.append(
                Problem(
                    f"onbekende optelwijze; verwacht een van: {', '.join(AGGREGATIONS)}",
                    str(path),
                    i,
                    "aggregation",
                    r.aggregation,
                )
            )
        if r.aggregation == "weighted_mean" and r.weight not in ids:
            problems.append(
                Problem(
                    "weighted_mean heeft in kolom weight de id van een indicator uit de catalogus nodig",
                    str(path),
                    i,
                    "weight",
                    r.weight,
                )
            )
        if not r.decimals.isdigit():
            problems.append(
                Problem("verwacht een geheel getal van 0 of meer", str(path), i, "decimals", r.decimals)
            )
    dup = df["id"][df["id"].duplicated()].tolist()
    problems += [Problem("indicator-id komt meer dan eens voor", str(path), None, "id", d) for d in dup]
    if problems:
        raise InputError(
            f"De indicatorcatalogus {path.name} klopt niet.",
            problems=problems,
            file=path,
            hint="Verbeter de genoemde rijen en kolommen van de catalogus.",
        )
    out = df[COLUMNS["indicators"]].copy()
    out["decimals"] = out["decimals"].astype("int64")
    for col in ("weight", "theme", "description"):
        out[col] = out[col].replace("", None)
    return out.reset_index(drop=True)


def read_aliases(path: Path = CATALOGUE_FILE) -> dict[str, str]:
    """Other names of catalogue ids (column ``aliases``, ``;``-separated) → the id.

    An alias is a name a real file uses for the same figure (``a_opl_bvm`` in kwb-2023.xlsx for
    ``a_opl_lg``) or an id roltrap once used and has since corrected (``a_geb_neu`` → ``a_geb_ne``), so
    stores and files that carry the old name keep working.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "aliases" not in df.columns:
        return {}
    ids = set(df["id"])
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for i, r in enumerate(df.itertuples(index=False), start=2):
        for alias in (a.strip() for a in str(r.aliases).split(";")):
            if not alias:
                continue
            if alias in ids or (alias in out and out[alias] != r.id):
                problems.append(Problem("alias is al een id of een alias van een andere id", str(path), i,
                                        "aliases", alias))
            out[alias] = str(r.id)
    if problems:
        raise InputError(f"De indicatorcatalogus {path.name} klopt niet.", problems=problems, file=path,
                         hint="Elke alias hoort bij precies één id en is zelf geen id.")
    return out


def canonical_id(name: str, aliases: dict[str, str] | None = None) -> str:
    """The catalogue id for ``name``: itself, or the id it is an alias of."""
    table = read_aliases() if aliases is None else aliases
    return table.get(name, name)


def indicators_for(ids: list[str] | set[str], catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Catalogue rows for ``ids`` plus the weight indicators they refer to."""
    cat = read_catalogue() if catalogue is None else catalogue
    wanted = set(ids)
    weights = set(cat.loc[cat["id"].isin(wanted), "weight"].dropna())
    return cat[cat["id"].isin(wanted | weights)].reset_index(drop=True)
