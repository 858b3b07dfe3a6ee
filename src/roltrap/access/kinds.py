"""The fixed Dutch list of destination kinds (soorten), with labels and where each comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    plural: str


#: Kinds of places a user may list (the vindplaatsen of §22 and everyday facilities), plus the two
#: transport kinds and the centre that ship with the bundle. Order = order on screen.
KINDS: tuple[Kind, ...] = (
    Kind("treinstation", "treinstation", "treinstations"),
    Kind("bushalte", "bushalte", "bushaltes"),
    Kind("centrum", "stadscentrum", "stadscentrum"),
    Kind("buurthuis", "buurthuis", "buurthuizen"),
    Kind("bibliotheek", "bibliotheek", "bibliotheken"),
    Kind("school", "school", "scholen"),
    Kind("sportvereniging", "sportvereniging", "sportverenigingen"),
    Kind("buurtwinkel", "buurtwinkel", "buurtwinkels"),
    Kind("supermarkt", "supermarkt", "supermarkten"),
    Kind("huisarts", "huisarts", "huisartsen"),
    Kind("apotheek", "apotheek", "apotheken"),
    Kind("kinderdagverblijf", "kinderdagverblijf", "kinderdagverblijven"),
    Kind("sociaal-wijkteam", "sociaal wijkteam", "sociale wijkteams"),
    Kind("buzz-locatie", "BuZz-locatie", "BuZz-locaties"),
    Kind("werkplein", "werkplein / UWV", "werkpleinen"),
    Kind("overig", "overige vindplaats", "overige vindplaatsen"),
)
BY_ID = {k.id: k for k in KINDS}
SOORTEN = tuple(k.id for k in KINDS)

#: CBS distance indicators (KWB ``g_afs_*``; Nabijheid variables once in the catalogue) → kind.
CBS_DISTANCE_KINDS: dict[str, str] = {
    "g_afs_hp": "huisarts",
    "g_afs_gs": "supermarkt",
    "g_afs_kv": "kinderdagverblijf",
    "g_afs_sc": "school",
    "g_afs_ov": "treinstation",
}


def normalise_kind(text: str) -> str | None:
    """The kind id for user text (case, spaces and the labels accepted), None when unknown."""
    t = " ".join(str(text).strip().lower().replace("_", " ").split())
    for k in KINDS:
        if t in {k.id, k.id.replace("-", " "), k.label.lower(), k.plural.lower()}:
            return k.id
    aliases = {
        "buzz": "buzz-locatie",
        "station": "treinstation",
        "halte": "bushalte",
        "winkel": "buurtwinkel",
        "wijkteam": "sociaal-wijkteam",
        "sportclub": "sportvereniging",
        "basisschool": "school",
        "huisartsenpraktijk": "huisarts",
        "wijkcentrum": "buurthuis",
        "buurtcentrum": "buurthuis",
        "uwv": "werkplein",
        "stadscentrum": "centrum",
        "bieb": "bibliotheek",
    }
    return aliases.get(t)


def label(kind: str) -> str:
    k = BY_ID.get(kind)
    return k.label if k else kind
