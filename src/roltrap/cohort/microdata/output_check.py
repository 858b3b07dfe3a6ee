"""Output ready for the CBS output check (``roltrap cohort analyse … --output-check DIR``).

Writes every table of one analysis as CSV and as a sheet of one Excel workbook, and per table a
Dutch note (Markdown) with what the table counts, the unweighted cell counts and the smallest
shown cell, the rules applied (at least ``min_cell`` persons per cell, secondary suppression,
dominance for income amounts), every suppressed cell with its reason, and the code version and
parameters — the documentation an output checker asks for.

Only the analysis result goes in: aggregates that already passed disclosure control in
:mod:`roltrap.cohort.tables` / :mod:`roltrap.disclosure`. Those suppression decisions are the
truth here; this module does not re-decide them, it explains them (and, when the analysis
carries per-cell reasons in ``result["suppression"]``, quotes those). As a last guard it refuses
to write a table whose shown person counts fall below ``min_cell``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from roltrap.errors import ConfigError, PrivacyError

MARKER = "LEESMIJ_uitvoercontrole.md"


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    counts: str  # what one cell counts
    keys: tuple[str, ...]
    count_cols: tuple[str, ...]  # person (or person-year) counts: the ≥ min_cell rule applies
    value_cols: tuple[str, ...] = ()  # shares, means, scores derived from the counts
    dominance_cols: tuple[str, ...] = ()  # income amounts: dominance rule applies


SPECS: tuple[Spec, ...] = (
    Spec(
        "cohort",
        "Omvang van het cohort",
        "personen in de leeftijdsband die in het basisjaar in de gemeente woonden, naar wijk van wonen",
        ("wijk",),
        ("persons",),
    ),
    Spec(
        "retention",
        "Retentie: nog in de herkomstwijk",
        "personen van het cohort die in jaar basisjaar+k (nog of weer) in hun herkomstwijk wonen; "
        "aandeel = die personen / cohortomvang",
        ("wijk", "k", "year"),
        ("persons",),
        ("share",),
    ),
    Spec(
        "destinations",
        "Bestemming aan het eind van de volgperiode",
        "personen van het cohort naar hun situatie in het eindjaar (blijver, teruggekeerd, andere wijk, "
        "andere gemeente, onbekend), met rij- en kolomtotalen",
        ("wijk",),
        ("blijver", "teruggekeerd", "andere_wijk", "andere_gemeente", "onbekend", "Totaal"),
    ),
    Spec(
        "trajectories",
        "Inkomenstrajecten van blijvers, vertrekkers en nieuwkomers",
        "personen per groep; met inkomen: personen met een inkomenspercentiel in begin- en eindjaar; "
        "gestegen: personen met ten minste 10 percentielpunten winst",
        ("wijk", "group"),
        ("persons", "with_income", "climbed"),
        ("climbed_share",),
        ("mean_gain",),
    ),
    Spec(
        "newcomers",
        "Nieuwkomers in het eindjaar",
        "personen in de leeftijdsband die in het eindjaar in de wijk wonen en er in het basisjaar "
        "niet woonden",
        ("wijk",),
        ("persons",),
        (),
        ("mean_pct",),
    ),
    Spec(
        "escalator",
        "Roltrapscore per wijk",
        "verschil in gemiddelde percentielwinst tussen vertrekkers en blijvers (bootstrap-95%-interval); "
        "afgeleid uit de trajecten, geen eigen aantallen",
        ("wijk",),
        (),
        ("low_income", "mean_pct_base", "score", "ci_low", "ci_high"),
    ),
    Spec(
        "escalator_low_income",
        "Roltrapscore van de lage-inkomenswijken samen",
        "gewogen gemiddelde van de wijkscores van de lage-inkomenswijken",
        (),
        (),
        ("wijken_used", "score", "ci_low", "ci_high"),
    ),
    Spec(
        "turnover",
        "Bevolking, vestigers en vertrekkers per wijk en jaar",
        "personen die op de peildatum in de wijk wonen (bevolking), er dat jaar kwamen wonen (vestigers, "
        "naar herkomst) of vertrokken (vertrekkers, naar bestemming)",
        ("wijk", "year"),
        (
            "bevolking",
            "vestigers",
            "vestigers_andere_wijk",
            "vestigers_andere_gemeente",
            "vestigers_niet_ingeschreven",
            "vertrekkers",
            "vertrekkers_andere_wijk",
            "vertrekkers_andere_gemeente",
            "vertrekkers_niet_ingeschreven",
        ),
    ),
    Spec(
        "replacement_speed",
        "Vervangingssnelheid",
        "gemiddelde bevolking en gemiddeld aantal vestigers per jaar; "
        "vervangingssnelheid = bevolking / vestigers",
        ("wijk",),
        ("bevolking", "vestigers"),
        ("vervangingssnelheid", "jaren"),
    ),
    Spec(
        "role_model",
        "Vertrek na stijgen (rolmodelvertrek)",
        "persoonsjaren van cohortleden in hun herkomstwijk, gesplitst naar wel/niet gestegen; "
        "gebeurtenis = het jaar erna buiten de herkomstwijk",
        ("wijk",),
        (
            "climbers_persons",
            "climbers_person_years",
            "climbers_events",
            "others_persons",
            "others_person_years",
            "others_events",
        ),
        ("climbers_hazard", "others_hazard", "hazard_ratio", "odds_ratio"),
    ),
)


def _frame(res: dict[str, Any], spec: Spec) -> pd.DataFrame:
    data = res.get(spec.key)
    if isinstance(data, dict):
        data = [{k: (", ".join(v) if isinstance(v, list) else v) for k, v in data.items()}]
    df = pd.DataFrame(data or [])
    if "wijk" in df.columns and res.get("wijk_names"):
        df.insert(1, "wijknaam", df["wijk"].map(res["wijk_names"]).fillna(df["wijk"]))
    return df


def _reason(spec: Spec, row: pd.Series, col: str, min_cell: int) -> str:
    """Why a cell is empty, derived from the rules of :mod:`roltrap.cohort.tables`."""
    shown = lambda c: c in row.index and pd.notna(row[c])  # noqa: E731
    if col in spec.count_cols:
        if spec.key == "retention" and row.get("k") == 0:
            return f"cohort kleiner dan {min_cell} personen (primair)"
        if spec.key == "trajectories" and col == "climbed" and shown("with_income"):
            return f"minder dan {min_cell} gestegen of niet-gestegen personen (primair of complement)"
        return (
            f"minder dan {min_cell} personen in de cel (primair), of secundair onderdrukt omdat de cel "
            f"anders uit een gepubliceerd totaal of complement terug te rekenen is"
        )
    if col in spec.dominance_cols:
        base = "with_income" if "with_income" in row.index else "persons"
        if shown(base):
            return "dominantieregel: de twee grootste bijdragen vormen meer dan de helft van de som"
        return f"onderliggend aantal onderdrukt (minder dan {min_cell} personen)"
    return "afgeleid van een onderdrukt aantal of gemiddelde (volgt de onderdrukking daarvan)"


def _suppressed(res: dict[str, Any], spec: Spec, df: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    given = (res.get("suppression") or {}).get(spec.key)  # per-cell reasons, when the analysis has them
    cols = [c for c in (*spec.count_cols, *spec.dominance_cols, *spec.value_cols) if c in df.columns]
    rows = []
    for _, r in df.iterrows():
        for c in cols:
            if pd.isna(r[c]) and c not in ("mean_pct_base", "low_income"):
                where = {k: r[k] for k in spec.keys if k in df.columns}
                reason = None
                if isinstance(given, list):
                    for g in given:
                        if g.get("column") == c and all(g.get(k) == v for k, v in where.items()):
                            reason = g.get("reason")
                rows.append({**where, "kolom": c, "reden": reason or _reason(spec, r, c, min_cell)})
    return pd.DataFrame(rows, columns=[*[k for k in spec.keys if k in df.columns], "kolom", "reden"])


def _guard(spec: Spec, df: pd.DataFrame, min_cell: int) -> int | None:
    """The smallest shown person count; raises when one is below ``min_cell``."""
    values = []
    for c in spec.count_cols:
        if c in df.columns:
            v = pd.to_numeric(df[c], errors="coerce").dropna()
            values += v.tolist()
    if not values:
        return None
    low = min(values)
    if low < min_cell and low != 0:
        raise PrivacyError(
            f"Tabel '{spec.key}' toont een cel van {low:g} personen (minder dan {min_cell}); "
            "de uitvoer wordt niet geschreven.",
            hint="Dit hoort niet voor te komen: meld het als fout in roltrap.",
        )
    if low == 0:
        raise PrivacyError(
            f"Tabel '{spec.key}' toont een lege cel (0 personen) die niet onderdrukt is.",
            hint="Dit hoort niet voor te komen: meld het als fout in roltrap.",
        )
    return int(low)


def _csv(df: pd.DataFrame, path: Path) -> None:
    """Dutch CSV: ';', decimal comma, UTF-8 with BOM; text cells that start a formula neutralised."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in "=+-@" else v)
    out.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig")


def _md_table(df: pd.DataFrame) -> str:
    if df.empty:
        return "_geen_\n"
    head = "| " + " | ".join(map(str, df.columns)) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join(
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in r) + " |\n"
        for r in df.itertuples(index=False)
    )
    return head + body


def write(res: dict[str, Any], folder: Path | str, *, command: str | None = None) -> list[Path]:
    """Write the output-check folder for the analysis result ``res``; returns the files written."""
    from roltrap import __version__

    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise ConfigError(
            f"De map '{folder}' bestaat al en is geen eerdere uitvoercontrolemap.",
            hint="Kies een nieuwe of lege map voor {output_check}.",
        )
    p = res["parameters"]
    min_cell = int(p["min_cell"])
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    written: list[str] = []
    try:
        params_md = "\n".join(f"- {k}: {v}" for k, v in p.items())
        inp = res.get("input", {})
        rules = (
            f"- Celregel: elke cel telt ten minste {min_cell} personen; kleinere cellen zijn leeg "
            f"(primaire onderdrukking; leeg betekent onderdrukt, nooit 0).\n"
            f"- Secundaire onderdrukking: waar een cel uit een gepubliceerd totaal of complement terug te "
            f"rekenen is (bijv. cohort − nog in de wijk = vertrokken), is ook die cel leeg.\n"
            f"- Dominantieregel voor inkomensbedragen (gemiddelde percentielwinst): leeg als de twee "
            f"grootste "
            f"bijdragen meer dan 50 % van de som vormen.\n"
            f"- Alle aantallen zijn ongewogen aantallen personen (of persoonsjaren waar vermeld); er zijn "
            f"geen "
            f"gewichten gebruikt.\n"
            f"- Er staan geen gegevens van personen in deze map: alleen tabellen van aantallen, aandelen en "
            f"gemiddelden per wijk."
        )
        sheets: dict[str, pd.DataFrame] = {}
        overview = []
        for i, spec in enumerate(SPECS, start=1):
            if spec.key not in res:
                continue
            df = _frame(res, spec)
            low = _guard(spec, df, min_cell)
            supp = _suppressed(res, spec, df, min_cell)
            name = f"tabel_{i:02d}_{spec.key}"
            _csv(df, tmp / f"{name}.csv")
            written.append(f"{name}.csv")
            sheets[f"{i:02d} {spec.key}"[:31]] = df
            cells = sum(int(df[c].notna().sum()) for c in spec.count_cols if c in df.columns)
            derived = ", ".join(c for c in (*spec.value_cols, *spec.dominance_cols) if c in df.columns)
            note = (
                f"# {spec.title} ({name})\n\n"
                f"**Wat telt de tabel:** {spec.counts}.\n\n"
                f"**Rijen:** {len(df)}; **getoonde celaantallen (ongewogen):** {cells}; "
                f"**kleinste getoonde cel:** {low if low is not None else 'n.v.t. (geen aantallen)'} "
                f"(minimum {min_cell}).\n\n"
                f"**Aantalkolommen:** {', '.join(c for c in spec.count_cols if c in df.columns) or 'geen'}; "
                f"**afgeleide kolommen:** {derived or 'geen'}.\n\n"
                f"## Toegepaste regels\n\n{rules}\n\n"
                f"## Onderdrukte cellen ({len(supp)})\n\n{_md_table(supp)}\n"
                f"## Versie en parameters\n\n- roltrap {__version__}\n{params_md}\n"
                + (f"- opdracht: `{command}`\n" if command else "")
            )
            (tmp / f"{name}_toelichting.md").write_text(note, encoding="utf-8")
            written.append(f"{name}_toelichting.md")
            overview.append(
                {
                    "tabel": name,
                    "titel": spec.title,
                    "rijen": len(df),
                    "getoonde_cellen": cells,
                    "kleinste_cel": low,
                    "onderdrukt": len(supp),
                }
            )
        supp_tot = res.get("suppressed", {})
        ov = pd.DataFrame(overview)
        index = (
            f"# Uitvoercontrole roltrap-analyse\n\n"
            f"Gemeente {p.get('gemeente')}, cohort {p.get('age_min')}–{p.get('age_max')} jaar in "
            f"{p.get('base_year')}, gevolgd tot {p.get('end_year')}. Invoer: {inp.get('rows')} persoonsjaren "
            f"van {inp.get('persons')} personen, {inp.get('years')}"
            + (" (SYNTHETISCHE gegevens)" if inp.get("synthetic") else "")
            + ".\n\n"
            f"## Tabellen\n\n{_md_table(ov)}\n"
            f"## Onderdrukking over de hele analyse\n\n"
            + "\n".join(f"- {k}: {v}" for k, v in supp_tot.items())
            + f"\n\n## Regels\n\n{rules}\n\n## Versie en parameters\n\n- roltrap {__version__}\n{params_md}\n"
            + (f"- opdracht: `{command}`\n" if command else "")
        )
        (tmp / MARKER).write_text(index, encoding="utf-8")
        written.append(MARKER)
        notes = pd.DataFrame({"toelichting": index.splitlines()})
        with pd.ExcelWriter(tmp / "uitvoercontrole.xlsx", engine="openpyxl") as xl:
            notes.to_excel(xl, sheet_name="Toelichting", index=False)
            for sheet, df in sheets.items():
                df.to_excel(xl, sheet_name=sheet, index=False)
        written.append("uitvoercontrole.xlsx")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / w for w in written]
