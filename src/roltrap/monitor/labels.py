"""Dutch column labels (with units) for district-monitor results: the one mapping every front end uses.

The web pages and the printed profile show columns inside titled sections ("Per lens, in personen",
"Afstand tot voorzieningen (km)"), so their labels may leave the unit to that title. A terminal
table has no such titles: :func:`table_labels` adds the unit there (:data:`STANDALONE_LABELS`).
CSV and JSON keep the column ids; they are the machine format. Plain data, no imports: the CLI
reads it without loading the web or report code.
"""

from __future__ import annotations

from collections.abc import Iterable

COLUMN_LABELS: dict[str, str] = {
    "name": "Regio", "code": "Code", "class": "Type", "rank": "Rang (1 = zwakste)", "value": "Waarde",
    "unit": "Eenheid", "year": "Jaar", "period": "Periode", "evidence": "Onderbouwing",
    "persons": "Personen", "share": "Aandeel (%)", "low": "Ondergrens", "high": "Bovengrens",
    "years": "Vervangingssnelheid (jaren)", "settlers": "Vestigers per jaar", "population": "Inwoners",
    "newcomer_share": "Nieuwkomers (% per jaar)", "score": "Score", "lens": "Lens", "reason": "Toelichting",
    "city_value": "Stad", "indicator": "Indicator", "label": "Omschrijving", "method": "Methode",
    "n_components": "Aantal kenmerken", "direction": "Richting", "z": "z-score",
    "estimate": "Schatting", "bron": "Bron", "kind": "Soort", "color": "Kleur",
    # project: the prediction interval of a projected year
    "ondergrens": "Ondergrens", "bovengrens": "Bovengrens",
    # turnover
    "inwoners": "Inwoners", "vestigers_per_jaar": "Vestigers per jaar",
    "vervangingssnelheid": "Vervangingssnelheid (jaren)", "nieuwkomers_pct": "Nieuwkomers (% per jaar)",
    # classify
    "n_indicatoren": "Aantal kenmerken", "belangrijkste_kenmerken": "Belangrijkste kenmerken (wijk, stad)",
    "syllabus": "Volgens de syllabus",
    # compare
    "vergelijking": "Waarom vergeleken", "afstand": "Verschil met de stad (0 = gelijk)",
    "p_hh_110": "Huishoudens tot 110% (%)", "p_hh_120": "Huishoudens tot 120% (%)",
    "pct_laagopgeleid": "Laagopgeleid (%)",
    "syllabus_p_hh_110": "Syllabus: tot 110% (%)", "syllabus_p_hh_120": "Syllabus: tot 120% (%)",
    "syllabus_voorzieningen_pct": "Syllabus: voorzieningen (%)",
    "syllabus_vervangingssnelheid": "Syllabus: vervangingssnelheid (jaren)",
    # vulnerable: persons per lens and the triangulated range
    "opleiding": "Opleiding", "pct_opleiding": "Opleiding (%)",
    "voorzieningen_min": "Voorzieningen, laag", "voorzieningen_max": "Voorzieningen, hoog",
    "pct_voorzieningen_min": "Voorzieningen, laag (%)", "pct_voorzieningen_max": "Voorzieningen, hoog (%)",
    "inkomen_110": "Inkomen tot 110%", "inkomen_120": "Inkomen tot 120%",
    "pct_inkomen_110": "Inkomen tot 110% (%)", "pct_inkomen_120": "Inkomen tot 120% (%)",
    "bereik_min": "Ondergrens (personen)", "centraal": "Centraal (personen)",
    "bereik_max": "Bovengrens (personen)",
    "pct_centraal": "Centraal (% van de inwoners)", "n_lenzen": "Aantal lenzen",
    "personen_per_hh": "Personen per huishouden",
    # rank
    "inkomen": "Inkomen per inwoner (× € 1.000)", "minima": "Minima (% huishoudens)",
    "bijstand": "Bijstand per 100 inwoners", "laagopgeleid": "Laagopgeleid per 100 inwoners",
    "z_inkomen": "Inkomen (z)", "z_minima": "Minima (z)", "z_bijstand": "Bijstand (z)",
    "z_laagopgeleid": "Laagopgeleid (z)",
    # conditions
    "bedrijven_per_1000": "Bedrijven per 1.000 inwoners", "mix_eigendom": "Mix koop/huur (0–1)",
    "mix_woningtype": "Mix eengezins/meergezins (0–1)", "rolmodel_ratio": "Hoog/laag inkomen",
    "g_afs_hp": "Huisarts", "g_afs_gs": "Grote supermarkt", "g_afs_kv": "Kinderdagverblijf",
    "g_afs_sc": "School", "g_afs_ov": "Treinstation", "p_ink_hi": "Hoog inkomen (% inw.)",
    "p_ink_li": "Laag inkomen (% inw.)",
}

# Labels for a table without section titles: the unit the web's section title would give.
STANDALONE_LABELS: dict[str, str] = {
    "opleiding": "Opleiding (personen)",
    "voorzieningen_min": "Voorzieningen, laag (personen)",
    "voorzieningen_max": "Voorzieningen, hoog (personen)",
    "inkomen_110": "Inkomen tot 110% (personen)", "inkomen_120": "Inkomen tot 120% (personen)",
    "g_afs_hp": "Huisarts (km)", "g_afs_gs": "Grote supermarkt (km)", "g_afs_kv": "Kinderdagverblijf (km)",
    "g_afs_sc": "School (km)", "g_afs_ov": "Treinstation (km)",
}

# Where a column id means something else in one kind of result.
KIND_LABELS: dict[str, dict[str, str]] = {
    "map": {"class": "Klasse", "color": "Kleur (kaart)"},
    "project": {"kind": "Waarneming of projectie", "ondergrens": "Ondergrens (interval)",
                "bovengrens": "Bovengrens (interval)"},
}

# Columns that count persons: always shown as whole numbers (the JSON keeps full precision).
PERSON_COLUMNS = frozenset({
    "inwoners", "vestigers_per_jaar", "opleiding", "voorzieningen_min", "voorzieningen_max",
    "inkomen_110", "inkomen_120", "bereik_min", "centraal", "bereik_max", "persons", "population",
    "settlers", "low", "high", "central", "laag", "hoog",
})
# Small-range figures that need two decimals to mean anything.
TWO_DECIMALS = frozenset({"score", "mix_eigendom", "mix_woningtype", "rolmodel_ratio", "afstand",
                          "z_inkomen", "z_minima", "z_bijstand", "z_laagopgeleid"})


def column_label(name: str) -> str:
    """The label under a section title (web, printed profile); unknown ids read as words."""
    return COLUMN_LABELS.get(name, name.replace("_", " ").capitalize())


def table_labels(columns: Iterable[str], *, kind: str | None = None) -> dict[str, str]:
    """Id → label for a stand-alone table (the terminal): kind-specific, then with unit, then general."""
    special = KIND_LABELS.get(kind or "", {})
    return {c: special.get(c) or STANDALONE_LABELS.get(c) or column_label(c) for c in columns}
