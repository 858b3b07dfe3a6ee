"""CBS population development (37230ned) → flows, and population/housing stocks by gemeente name.

Flows: vestiging (``in``) from another gemeente / from abroad and vertrek (``out``) to another gemeente /
abroad per region and year; ``months`` says how many months a year covers (2017 has 3 in the source).
No ``totaal`` rows are written: the parts are there, and a total beside them invites double counting.
Births, deaths, corrections and growth become observations, only for complete years (12 months).

Stocks (end-of-year population, housing stock) come as names only; they are matched to codes through
the gemeente names already known (``'s-Gravenhage`` written any way, ``Utrecht (gemeente)``).
Unmatched names are reported in ``batch.skipped``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from roltrap.errors import InputError, Problem
from roltrap.io._common import cbs_source, line_numbers, parse_columns, raise_if, to_long
from roltrap.io._read import read_frame
from roltrap.io.catalogue import indicators_for
from roltrap.io.codes import canonical_name, level_of, normalise_code, parent_of
from roltrap.store import COLUMNS, Batch

#: 37230ned columns (abbreviations of the upstream file) → (direction, origin) of a flow.
FLOW_COLUMNS: dict[str, tuple[str, str]] = {
    "im_gm": ("in", "gemeente"),
    "im_nl": ("in", "buitenland"),
    "em_gm": ("out", "gemeente"),
    "em_nl": ("out", "buitenland"),
}
#: 37230ned columns → observation indicators (complete years only).
EVENT_COLUMNS: dict[str, str] = {
    "births": "bev_geboren",
    "deaths": "bev_overleden",
    "corr": "bev_corr",
    "pop_chg": "bev_groei",
}
_LEVELS = ("land", "gemeente")
_NOT_NUMBERS = "{name} heeft cellen die geen getal zijn; er is niets geïmporteerd."
_FIX_CELLS = "Verbeter de genoemde cellen (getallen of CBS-symbolen . x - ?, regiocodes als GM0546) en " \
    "importeer opnieuw."
_UNMATCHED = "gemeentenaam niet gevonden bij de bekende gemeenten; niet geladen (importeer eerst een " \
    "KWB-bestand met deze gemeente, of schrijf de naam zoals CBS)"


def _region_code(raw: str) -> str | None:
    """NL01/GM0546 → canonical code; provinces, COROP and landsdelen (PV, CR, LD) → None."""
    text = str(raw).strip().upper()
    if text[:2] in ("PV", "CR", "LD"):
        return None
    code = normalise_code(text)
    return code if level_of(code) in _LEVELS else None


def read_population_changes(
    path: Path | str, *, regions: pd.DataFrame | None = None, source: dict[str, object] | None = None
) -> Batch:
    """Yearly (``aantal_maanden``) or monthly (``maand``) 37230ned long CSV → flows + observations.

    ``regions`` are the regions already known (code, name); codes not among them (gemeenten merged
    away before the known indeling) are added with a placeholder name that says so.
    """
    path = Path(path)
    fname = str(path)
    frame = read_frame(path)
    needed = ["regiocode", "jaar", *FLOW_COLUMNS]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path.name} is geen CBS 37230-bestand (bevolkingsontwikkeling): de kolom(men) "
            f"{', '.join(missing)} ontbreken.",
            file=path,
            hint="Verwacht de kolommen regiocode, jaar, births, deaths, im_gm, em_gm, im_nl, em_nl, … "
            "Is het een ander soort bestand? Geef dan {format} op.",
        )
    monthly = "maand" in frame.columns
    cols = [c for c in [*FLOW_COLUMNS, *EVENT_COLUMNS] if c in frame.columns]
    num_cols = [
        *cols,
        "jaar",
        *(["maand"] if monthly else ["aantal_maanden"] if "aantal_maanden" in frame else []),
    ]
    values, problems = parse_columns(frame, num_cols, file=fname)
    codes: list[str | None] = []
    skipped_codes: set[str] = set()
    for line, raw in zip(line_numbers(frame), frame["regiocode"], strict=True):
        try:
            code = _region_code(raw)
        except ValueError as exc:
            problems.append(Problem(str(exc), fname, int(line), "regiocode", str(raw)))
            code = None
        if code is None:
            skipped_codes.add(str(raw).strip())
        codes.append(code)
    raise_if(
        problems,
        f"{path.name} heeft cellen die geen getal of geen geldige regiocode zijn; er is niets geïmporteerd.",
        file=path,
        hint=_FIX_CELLS,
    )
    values["code"] = codes
    values = values[values["code"].notna()]
    if monthly:
        values["months"] = 1
        agg = values.groupby(["code", "jaar"], as_index=False).agg(
            {**{c: "sum" for c in cols}, "months": "sum"}
        )
    else:
        agg = values.rename(columns={"aantal_maanden": "months"})
        if "months" not in agg:
            agg["months"] = 12
    agg["jaar"] = agg["jaar"].astype("int64")
    agg["months"] = agg["months"].fillna(12).astype("int64")

    flows = []
    for col, (direction, origin) in FLOW_COLUMNS.items():
        part = agg[["code", "jaar", "months", col]].rename(
            columns={"code": "region_code", "jaar": "year", col: "persons"}
        )
        flows.append(part.assign(direction=direction, origin=origin))
    flow_df = pd.concat(flows, ignore_index=True)[
        ["region_code", "year", "direction", "origin", "persons", "months"]
    ]

    full = agg[agg["months"] == 12]
    ev = {c: i for c, i in EVENT_COLUMNS.items() if c in full.columns}
    obs = to_long(full[list(ev)].rename(columns=ev), codes=full["code"], years=full["jaar"])

    known = set(regions["code"]) if regions is not None else set()
    new_codes = sorted(set(agg["code"]) - known)
    reg = pd.DataFrame(
        {
            "code": new_codes,
            "name": [
                ("Nederland" if c == "NL00" else f"Gemeente {c} (opgeheven of onbekend)") for c in new_codes
            ],
            "level": [level_of(c) for c in new_codes],
            "parent": [parent_of(c) for c in new_codes],
            "boundary_year": [int(agg.loc[agg["code"] == c, "jaar"].max()) for c in new_codes],
        },
        columns=COLUMNS["regions"],
    )
    skipped = [
        Problem(
            "regio van een niveau dat roltrap niet bijhoudt (provincie, COROP-gebied, landsdeel); "
            "niet geladen",
            fname,
            None,
            "regiocode",
            c,
        )
        for c in sorted(skipped_codes)
    ]
    skipped += [
        Problem(
            "regiocode nog niet bekend (opgeheven gemeente?); toegevoegd met een voorlopige naam",
            fname,
            None,
            "regiocode",
            c,
        )
        for c in new_codes
        if c != "NL00"
    ]
    src = source or cbs_source("cbs-37230", "CBS Bevolkingsontwikkeling; regio per maand (37230ned)", path)
    src = {**src, "rows_loaded": len(flow_df) + len(obs)}
    return Batch(
        source=src,
        regions=reg,
        indicators=indicators_for(set(obs["indicator_id"])),
        observations=obs,
        flows=flow_df,
        skipped=skipped,
    )


_SUFFIX = re.compile(r"\s*\((gemeente|gem\.)\)\s*$", re.IGNORECASE)


def name_key(name: str) -> str:
    """Matching key for a gemeente name: ``s-Gravenhage (gemeente)`` and ``'s-Gravenhage`` agree."""
    text = canonical_name(_SUFFIX.sub("", str(name)))
    return canonical_name(text).lower()


def name_index(regions: pd.DataFrame) -> dict[str, str]:
    """Gemeente name key → code, leaving out names that more than one code carries."""
    gm = regions[regions["level"] == "gemeente"]
    keys = gm["name"].map(name_key)
    counts = keys.value_counts()
    return {k: c for k, c in zip(keys, gm["code"], strict=True) if counts[k] == 1}


_PROVINCE = re.compile(r"\s*\([a-z]{1,3}\.\)$")  # "rijswijk (zh.)", "stein (l.)" after name_key


def _match(names: pd.Series, index: dict[str, str]) -> pd.Series:
    """Codes for names: exact key first; then without a province suffix, when that is unambiguous."""
    exact = names.map(lambda n: index.get(name_key(n)))
    loose: dict[str, str | None] = {}
    for key, code in index.items():
        short = _PROVINCE.sub("", key)
        loose[short] = code if loose.get(short, code) == code else None
    taken = set(exact.dropna())
    fallback = names.map(lambda n: loose.get(_PROVINCE.sub("", name_key(n))))
    fallback = fallback.where(~fallback.isin(taken))
    return exact.fillna(fallback)


def read_population_stock(
    path: Path | str, *, regions: pd.DataFrame, source: dict[str, object] | None = None
) -> Batch:
    """End-of-year population by gemeente name (columns ``Regio's``, years as columns) → ``bev_eind``."""
    path = Path(path)
    frame = read_frame(path)
    name_col = frame.columns[0]
    year_cols = [c for c in frame.columns if re.fullmatch(r"\d{4}", c)]
    if not year_cols:
        raise InputError(
            f"{path.name} heeft geen kolommen met een jaar als naam (zoals 2012, 2016, …).",
            file=path,
            hint="Verwacht een CBS-tabel met de gemeentenaam in de eerste kolom en één kolom per jaar.",
        )
    values, problems = parse_columns(frame, year_cols, file=str(path))
    raise_if(problems, _NOT_NUMBERS.format(name=path.name), file=path, hint=_FIX_CELLS)
    code = _match(frame[name_col], name_index(regions))
    skipped = [
        Problem(_UNMATCHED, str(path), int(line), name_col, n)
        for line, n in zip(line_numbers(frame)[code.isna()], frame.loc[code.isna(), name_col], strict=True)
    ]
    ok = code.notna()
    long = values[ok].assign(code=code[ok]).melt(id_vars="code", var_name="year", value_name="value")
    long = long.dropna(subset=["value"])  # empty = the gemeente did not exist that year
    obs = pd.DataFrame(
        {
            "region_code": long["code"],
            "year": long["year"].astype("int64"),
            "indicator_id": "bev_eind",
            "value": long["value"].astype("float64"),
        }
    )
    src = source or cbs_source(
        "cbs-37230-bevolking",
        "CBS Bevolkingsontwikkeling; bevolking aan het einde van de periode (37230ned)",
        path,
    )
    return Batch(
        source={**src, "rows_loaded": len(obs)},
        indicators=indicators_for({"bev_eind"}),
        observations=obs.reset_index(drop=True),
        skipped=skipped,
    )


HOUSING_COLUMNS = {
    "Beginstand voorraad": "won_begin",
    "Nieuwbouw": "won_nieuw",
    "Eindstand voorraad": "won_eind",
}


def read_housing_stock(
    path: Path | str, *, regions: pd.DataFrame, source: dict[str, object] | None = None
) -> Batch:
    """Housing stock and new construction by gemeente name and year (CBS 81955NED long CSV)."""
    path = Path(path)
    frame = read_frame(path)
    name_col = frame.columns[0]
    missing = [c for c in ["Perioden", *HOUSING_COLUMNS] if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path.name} mist de kolom(men) {', '.join(missing)}.",
            file=path,
            hint="Verwacht CBS-tabel 81955NED met de kolommen Perioden, Beginstand voorraad, Nieuwbouw en "
            "Eindstand voorraad.",
        )
    values, problems = parse_columns(frame, [*HOUSING_COLUMNS, "Perioden"], file=str(path))
    raise_if(problems, _NOT_NUMBERS.format(name=path.name), file=path, hint=_FIX_CELLS)
    code = _match(frame[name_col], name_index(regions))
    skipped = [
        Problem(_UNMATCHED, str(path), None, name_col, n)
        for n in sorted(set(frame.loc[code.isna(), name_col]))
    ]
    ok = code.notna() & values["Perioden"].notna()
    obs = to_long(
        values.loc[ok, list(HOUSING_COLUMNS)].rename(columns=HOUSING_COLUMNS),
        codes=code[ok],
        years=values.loc[ok, "Perioden"].astype("int64"),
    )
    obs = obs.dropna(subset=["value"])
    src = source or cbs_source("cbs-81955", "CBS Voorraad woningen en nieuwbouw; gemeenten (81955NED)", path)
    return Batch(
        source={**src, "rows_loaded": len(obs)},
        indicators=indicators_for(set(HOUSING_COLUMNS.values())),
        observations=obs.reset_index(drop=True),
        skipped=skipped,
    )
