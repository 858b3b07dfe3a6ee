"""CBS StatLine OData: the mapping of CBS keys to KWB ids, reading recorded/downloaded tables, fetching.

A KWB table on StatLine (85984NED for 2024, 85039NED for 2021, …) names its variables with keys like
``AantalInwoners_5`` or ``HuishoudensTot110VanSociaalMinimum_91``. The number after the underscore is
the variable's position in *that* table and changes between table years, so roltrap matches on the
**stem** (``AantalInwoners``) — and, where a stem is ambiguous, on the topic group from the table's
``DataProperties`` — and never on the number. :data:`STEM_TO_KWB` is that mapping; the bundle build
uses it too (:func:`kwb_id`).

The stem is also the CBS title without spaces and punctuation (``Aantal inwoners`` →
``AantalInwoners``), so the same table maps StatLine CSV headers (``roltrap.io.statline``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from roltrap.errors import InputError, NetworkError, NotFoundError, Problem
from roltrap.io import _common
from roltrap.io._parse import parse_series
from roltrap.io._read import check_file, limits, whole_too_large
from roltrap.io.codes import normalise_code, parent_of
from roltrap.store import Batch

# -- the mapping ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KwbVariable:
    """One KWB variable: its id, the CBS key stems it goes by, and what kind of figure it is."""

    id: str
    stems: tuple[str, ...]
    kind: str  # count / share / mean / distance / ratio (roltrap.store.KINDS)
    group: str | None = None  # topic group needed to tell an ambiguous stem apart


def _v(id_: str, kind: str, *stems: str, group: str | None = None) -> KwbVariable:
    return KwbVariable(id_, stems, kind, group)


#: Every KWB variable roltrap maps, with the stems CBS used for it across table years (2018–2024).
KWB_VARIABLES: tuple[KwbVariable, ...] = (
    _v("a_inw", "count", "AantalInwoners"),
    _v("a_man", "count", "Mannen"),
    _v("a_vrouw", "count", "Vrouwen"),
    _v("a_00_14", "count", "0Tot15Jaar"),
    _v("a_15_24", "count", "15Tot25Jaar"),
    _v("a_25_44", "count", "25Tot45Jaar"),
    _v("a_45_64", "count", "45Tot65Jaar"),
    _v("a_65_oo", "count", "65JaarOfOuder"),
    _v("a_ongeh", "count", "Ongehuwd"),
    _v("a_gehuwd", "count", "Gehuwd"),
    _v("a_gesch", "count", "Gescheiden"),
    _v("a_verwed", "count", "Verweduwd"),
    _v("a_w_all", "count", "WestersTotaal"),
    _v("a_nw_all", "count", "NietWestersTotaal"),
    _v("a_marok", "count", "Marokko"),
    _v("a_antaru", "count", "NederlandseAntillenEnAruba"),
    _v("a_suri", "count", "Suriname"),
    _v("a_tur", "count", "Turkije"),
    _v("a_ov_nw", "count", "OverigNietWesters"),
    # 2023+ herkomst: the same stems occur under "Geboren in Nederland"; only the Herkomstland group maps.
    _v("a_nl_all", "count", "Nederland", group="Herkomstland"),
    _v("a_eur_al", "count", "EuropaExclusiefNederland", group="Herkomstland"),
    _v("a_neu_al", "count", "BuitenEuropa", group="Herkomstland"),
    # 2023+: born in / outside the Netherlands by herkomst (the same stems, told apart by their group).
    _v("a_geb_nl", "count", "Nederland", group="Geboren in Nederland"),
    _v("a_geb_eu", "count", "EuropaExclusiefNederland", group="Geboren in Nederland"),
    _v("a_geb_ne", "count", "BuitenEuropa", group="Geboren in Nederland"),
    _v("a_gbl_eu", "count", "EuropaExclusiefNederland", group="Geboren buiten Nederland"),
    _v("a_gbl_ne", "count", "BuitenEuropa", group="Geboren buiten Nederland"),
    _v("a_geb", "count", "GeboorteTotaal"),
    _v("p_geb", "ratio", "GeboorteRelatief"),
    _v("a_ste", "count", "SterfteTotaal"),
    _v("p_ste", "ratio", "SterfteRelatief"),
    _v("a_hh", "count", "HuishoudensTotaal"),
    _v("a_1p_hh", "count", "Eenpersoonshuishoudens"),
    _v("a_hh_z_k", "count", "HuishoudensZonderKinderen"),
    _v("a_hh_m_k", "count", "HuishoudensMetKinderen"),
    _v("g_hhgro", "mean", "GemiddeldeHuishoudensgrootte"),
    _v("bev_dich", "ratio", "Bevolkingsdichtheid"),
    _v("a_woning", "count", "Woningvoorraad"),
    _v("a_nb_won", "count", "NieuwbouwWoningen"),
    _v("a_vastg", "count", "NietWoningvoorraad"),
    _v("a_nb_vastg", "count", "NieuwbouwNietWoningen"),
    _v("g_wozbag", "mean", "GemiddeldeWOZWaardeVanWoningen", "GemiddeldeWoningwaarde"),
    _v("p_1gezw_tw", "share", "PercentageTussenwoningEengezins"),
    _v("p_1gezw_hw", "share", "PercentageHoekwoningEengezins"),
    _v("p_1gezw_2w", "share", "PercentageTweeOnderEenKapWoningEe"),
    _v("p_1gezw_hvw", "share", "PercentageVrijstaandeWoningEengezins"),
    _v("p_bj_me10", "share", "BouwjaarMeerDanTienJaarGeleden"),
    _v("p_bj_mi10", "share", "BouwjaarAfgelopenTienJaar"),
    _v("p_1gezw", "share", "PercentageEengezinswoning"),
    _v("p_mgezw", "share", "PercentageMeergezinswoning"),
    _v("p_bewndw", "share", "PercentageBewoond"),
    _v("p_leegsw", "share", "PercentageOnbewoond", "OnbewoondeWoningen"),
    _v("p_koopw", "share", "Koopwoningen"),
    _v("p_huurw", "share", "HuurwoningenTotaal"),
    _v("p_wcorpw", "share", "InBezitWoningcorporatie"),
    _v("p_ov_hw", "share", "InBezitOverigeVerhuurders"),
    _v("p_e_o_w", "share", "EigendomOnbekend"),
    _v("p_bjj2k", "share", "BouwjaarVoor2000"),
    _v("p_bjo2k", "share", "BouwjaarVanaf2000"),
    _v("g_ele", "mean", "GemiddeldeElektriciteitsleveringTotaal", "GemiddeldElektriciteitsverbruikTotaal"),
    *(_v(f"g_ele_{suffix}", "mean", stem, group="Gemiddelde elektriciteitslevering")
      for suffix, stem in (("ap", "Appartement"), ("tw", "Tussenwoning"), ("hw", "Hoekwoning"),
                           ("2w", "TweeOnderEenKapWoning"), ("vw", "VrijstaandeWoning"), ("hu", "Huurwoning"),
                           ("ko", "EigenWoning"))),
    _v("g_gas", "mean", "GemiddeldAardgasverbruikTotaal"),
    *(_v(f"g_gas_{suffix}", "mean", stem, group="Gemiddeld aardgasverbruik")
      for suffix, stem in (("ap", "Appartement"), ("tw", "Tussenwoning"), ("hw", "Hoekwoning"),
                           ("2w", "TweeOnderEenKapWoning"), ("vw", "VrijstaandeWoning"), ("hu", "Huurwoning"),
                           ("ko", "EigenWoning"))),
    _v("p_stadsv", "share", "PercentageWoningenMetStadsverwarming"),
    _v("a_ons_po", "count", "LeerlingenPo"),
    _v("a_ons_vovavo", "count", "LeerlingenVoInclVavo"),
    _v("a_ons_mbo", "count", "StudentenMboExclExtranei"),
    _v("a_ons_hbo", "count", "StudentenHbo"),
    _v("a_ons_wo", "count", "StudentenWo"),
    _v("a_opl_lg", "count", "OpleidingsniveauLaag", "BasisonderwijsVmboMbo1"),
    _v("a_opl_md", "count", "OpleidingsniveauMiddelbaar", "HavoVwoMbo24"),
    _v("a_opl_hg", "count", "OpleidingsniveauHoog", "HboWo"),
    _v("p_arb_pp", "share", "Nettoarbeidsparticipatie"),
    _v("p_arb_wn", "share", "PercentageWerknemers"),
    _v("p_arb_zs", "share", "PercentageZelfstandigen"),
    _v("a_inkont", "count", "AantalInkomensontvangers"),
    _v("g_ink_po", "mean", "GemiddeldInkomenPerInkomensontvanger"),
    _v("g_ink_pi", "mean", "GemiddeldInkomenPerInwoner"),
    _v("p_ink_li", "share", "40PersonenMetLaagsteInkomen"),
    _v("p_ink_hi", "share", "20PersonenMetHoogsteInkomen"),
    _v("g_hh_sti", "mean", "GemGestandaardiseerdInkomenVanHuish"),
    _v("p_hh_li", "share", "40HuishoudensMetLaagsteInkomen"),
    _v("p_hh_hi", "share", "20HuishoudensMetHoogsteInkomen"),
    _v("p_hh_lkk", "share", "HuishoudensMetEenLaagInkomen"),
    _v("p_hh_osm", "share", "HuishOnderOfRondSociaalMinimum"),
    _v("p_hh_110", "share", "HuishoudensTot110VanSociaalMinimum"),
    _v("p_hh_120", "share", "HuishoudensTot120VanSociaalMinimum"),
    _v("m_hh_ver", "mean", "MediaanVermogenVanParticuliereHuish"),
    _v("a_soz_wb", "count", "PersonenPerSoortUitkeringBijstand"),
    _v("a_soz_ao", "count", "PersonenPerSoortUitkeringAO"),
    _v("a_soz_ww", "count", "PersonenPerSoortUitkeringWW"),
    _v("a_soz_ow", "count", "PersonenPerSoortUitkeringAOW"),
    _v("a_jz_tn", "count", "JongerenMetJeugdzorgInNatura"),
    _v("p_jz_tn", "share", "PercentageJongerenMetJeugdzorg"),
    _v("a_wmo_t", "count", "WmoClienten"),
    _v("p_wmo_t", "ratio", "WmoClientenRelatief"),
    _v("a_bedv", "count", "BedrijfsvestigingenTotaal"),
    _v("a_bed_a", "count", "ALandbouwBosbouwEnVisserij"),
    _v("a_bed_bf", "count", "BFNijverheidEnEnergie"),
    _v("a_bed_gi", "count", "GIHandelEnHoreca"),
    _v("a_bed_hj", "count", "HJVervoerInformatieEnCommunicatie"),
    _v("a_bed_kl", "count", "KLFinancieleDienstenOnroerendGoed"),
    _v("a_bed_mn", "count", "MNZakelijkeDienstverlening"),
    _v("a_bed_oq", "count", "OQOverheidOnderwijsEnZorg"),
    _v("a_bed_ru", "count", "RUCultuurRecreatieOverigeDiensten"),
    _v("a_pau", "count", "PersonenautoSTotaal", "PersonenautoSTotaal"),
    _v("a_bst_b", "count", "PersonenautoSBrandstofBenzine"),
    _v("a_bst_nb", "count", "PersonenautoSOverigeBrandstof"),
    _v("g_pau_hh", "ratio", "PersonenautoSPerHuishouden"),
    _v("g_pau_km", "ratio", "PersonenautoSNaarOppervlakte"),
    _v("a_m2w", "count", "Motorfietsen"),
    _v("g_afs_hp", "distance", "AfstandTotHuisartsenpraktijk"),
    _v("g_afs_gs", "distance", "AfstandTotGroteSupermarkt"),
    _v("g_afs_kv", "distance", "AfstandTotKinderdagverblijf"),
    # "Afstand tot school" is basisonderwijs unless its group says voortgezet onderwijs (Nabijheid).
    _v("g_afs_sc", "distance", "AfstandTotSchool"),
    _v("g_3km_sc", "mean", "ScholenBinnen3Km"),
    _v("a_opp_ha", "count", "OppervlakteTotaal"),
    _v("a_lan_ha", "count", "OppervlakteLand"),
    _v("a_wat_ha", "count", "OppervlakteWater"),
    _v("pst_mvp", "ratio", "MeestVoorkomendePostcode"),
    _v("pst_dekp", "ratio", "Dekkingspercentage"),
    _v("ste_mvs", "ratio", "MateVanStedelijkheid"),
    _v("ste_oad", "ratio", "Omgevingsadressendichtheid"),
)

def _near(kid: str, stem: str, group: str | None = None) -> KwbVariable:
    """A Nabijheid variable: a road distance in km (``AfstandTot…``), else an average number of
    amenities within a radius (``Binnen3Km`` under "Aantal scholen|Basisonderwijs")."""
    return KwbVariable(kid, (stem,), "distance" if stem.startswith("AfstandTot") else "mean", group)


def _within(suffix: str, radii: tuple[int, ...], group: str) -> tuple[KwbVariable, ...]:
    return tuple(_near(f"g_{r}km_{suffix}", f"Binnen{r}Km", group) for r in radii)


#: The variables of CBS "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers" (one table a
#: year since 2006; the KWB carries five of them). The counts "binnen x km" share their stems
#: (``Binnen1Km``) across amenities: their topic group ("Aantal scholen", and for schools the school
#: type above it) tells them apart. The ids follow the KWB pattern (``g_afs_hp``, ``g_3km_sc``);
#: ``g_afs_ov`` is the distance to the nearest train station, the id the escalator conditions and
#: the access module already use.
NABIJHEID_VARIABLES: tuple[KwbVariable, ...] = (
    *_within("hp", (1, 3, 5), "Aantal huisartsenpraktijken"),
    _near("g_afs_hpost", "AfstandTotHuisartsenpost"),
    _near("g_afs_ap", "AfstandTotApotheek"),
    _near("g_afs_zi", "AfstandTotZiekenhuis", "Ziekenhuis (incl. buitenpolikliniek)"),
    *_within("zi", (5, 10, 20), "Aantal ziekenhuizen|Ziekenhuis (incl. buitenpolikliniek)"),
    _near("g_afs_ze", "AfstandTotZiekenhuis", "Ziekenhuis (excl. buitenpolikliniek)"),
    *_within("ze", (5, 10, 20), "Aantal ziekenhuizen|Ziekenhuis (excl. buitenpolikliniek)"),
    # Tables without the incl./excl. split (one "Ziekenhuis" group) map here.
    _near("g_afs_zh", "AfstandTotZiekenhuis"),
    *_within("zh", (5, 10, 20), "Aantal ziekenhuizen"),
    _near("g_afs_cb", "AfstandTotConsultatiebureau"),
    _near("g_afs_ft", "AfstandTotFysiotherapeut"),
    *_within("ft", (1, 3, 5), "Aantal fysiotherapeuten"),
    *_within("gs", (1, 3, 5), "Aantal grote supermarkten"),
    _near("g_afs_dl", "AfstandTotOvDagelLevensmiddelen"),
    *_within("dl", (1, 3, 5), "Aantal overige dagelijkse levensmiddelen"),
    _near("g_afs_wh", "AfstandTotWarenhuis"),
    *_within("wh", (5, 10, 20), "Aantal warenhuizen"),
    _near("g_afs_ca", "AfstandTotCafeED"),
    *_within("ca", (1, 3, 5), "Aantal cafés"),
    _near("g_afs_ct", "AfstandTotCafetariaED"),
    *_within("ct", (1, 3, 5), "Aantal cafetaria's e.d."),
    _near("g_afs_re", "AfstandTotRestaurant"),
    *_within("re", (1, 3, 5), "Aantal restaurants"),
    _near("g_afs_ho", "AfstandTotHotelED"),
    *_within("ho", (5, 10, 20), "Aantal hotels e.d."),
    *_within("kv", (1, 3, 5), "Aantal kinderdagverblijven"),
    _near("g_afs_bso", "AfstandTotBuitenschoolseOpvang"),
    *_within("bso", (1, 3, 5), "Aantal buitenschoolse opvang"),
    *_within("sc", (1, 3, 5), "Aantal scholen|Basisonderwijs"),
    _near("g_afs_vo", "AfstandTotSchool", "Voortgezet onderwijs totaal"),
    *_within("vo", (3, 5, 10), "Aantal scholen|Voortgezet onderwijs totaal"),
    _near("g_afs_vmbo", "AfstandTotSchool", "Vmbo"),
    *_within("vmbo", (3, 5, 10), "Aantal scholen|Vmbo"),
    _near("g_afs_hv", "AfstandTotSchool", "Havo/vwo"),
    *_within("hv", (3, 5, 10), "Aantal scholen|Havo/vwo"),
    _near("g_afs_gr", "AfstandTotOpenbaarGroenTotaal"),
    _near("g_afs_pk", "AfstandTotParkOfPlantsoen"),
    _near("g_afs_dr", "AfstandTotDagrecreatiefTerrein"),
    _near("g_afs_bos", "AfstandTotBos"),
    _near("g_afs_on", "AfstandTotOpenNatTerreinTotaal"),
    _near("g_afs_ond", "AfstandTotOpenDroogNatTerrein"),
    _near("g_afs_onn", "AfstandTotOpenNatNatuurlijkTerrein"),
    _near("g_afs_sg", "AfstandTotSemiOpenbaarGroenTotaal"),
    _near("g_afs_sp", "AfstandTotSportterrein"),
    _near("g_afs_vt", "AfstandTotVolkstuin"),
    _near("g_afs_vr", "AfstandTotVerblijfsrecreatiefTerrein"),
    _near("g_afs_bp", "AfstandTotBegraafplaats"),
    _near("g_afs_bw", "AfstandTotRecreatiefBinnenwater"),
    _near("g_afs_oprit", "AfstandTotOpritHoofdverkeersweg"),
    _near("g_afs_ov", "AfstandTotTreinstationsTotaal"),
    _near("g_afs_ovst", "AfstandTotBelangrijkOverstapstation"),
    _near("g_afs_bib", "AfstandTotBibliotheek"),
    _near("g_afs_zw", "AfstandTotZwembad"),
    _near("g_afs_zw", "AfstandTotBinnenzwembad"),  # the title from 2024 on
    _near("g_afs_ijs", "AfstandTotKunstijsbaan"),
    _near("g_afs_mu", "AfstandTotMuseum"),
    *_within("mu", (5, 10, 20), "Aantal musea"),
    _near("g_afs_po", "AfstandTotPodiumkunstenTotaal"),
    *_within("po", (5, 10, 20), "Aantal podiumkunsten totaal"),
    _near("g_afs_pop", "AfstandTotPoppodium"),
    _near("g_afs_bi", "AfstandTotBioscoop"),
    *_within("bi", (5, 10, 20), "Aantal bioscopen"),
    _near("g_afs_sa", "AfstandTotSauna"),
    _near("g_afs_zb", "AfstandTotZonnebank"),
    _near("g_afs_at", "AfstandTotAttractie"),
    *_within("at", (10, 20, 50), "Aantal attracties"),
    _near("g_afs_bk", "AfstandTotBrandweerkazerne"),
)
KWB_VARIABLES = (*KWB_VARIABLES, *NABIJHEID_VARIABLES)

#: Stems that describe the region, not a figure (read into ``regions``, never into ``observations``).
REGION_STEMS = frozenset({"wijkenenbuurten", "gemeentenaam", "soortregio", "codering",
                          "indelingswijzigingwijkenenbuurten", "indelingswijzigingwijkenbuurten",
                          "indelingswijzigingsgemeentewijkbuurt", "indelingswijzigingwijken",
                          "indelingswijzigingbuurten", "indelingswijzigingsgemeentewijkbuurten",
                          "indelingswijziginggemeentewijkbuurt", "id", "perioden",
                          "regios", "regioaanduiding", "regiocode", "soortregio2", "gemeentecode"})

_SUFFIX = re.compile(r"_\d+$")


def norm(text: str) -> str:
    """Compare form of a key or title: lower case, letters and digits only, accents dropped the way
    CBS drops them in its keys (``Aantal inwoners`` → ``aantalinwoners``, ``Afstand tot café e.d.``
    → ``afstandtotcafeed`` like ``AfstandTotCafeED``)."""
    folded = unicodedata.normalize("NFKD", str(text).lower())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in folded if not unicodedata.combining(c)))


def key_stem(key: str) -> str:
    """A CBS OData key without its table-specific number and digit guard: ``k_40Personen…_84`` →
    ``40Personen…``."""
    stem = _SUFFIX.sub("", str(key).strip())
    return stem[2:] if stem.startswith("k_") else stem


_BY_STEM: dict[str, list[KwbVariable]] = {}
for _var in KWB_VARIABLES:
    for _s in _var.stems:
        _BY_STEM.setdefault(norm(_s), [])
        if _var not in _BY_STEM[norm(_s)]:
            _BY_STEM[norm(_s)].append(_var)

#: stem (as CBS writes it) → KWB id, for stems that need no topic group. Public: the bundle uses it.
STEM_TO_KWB: dict[str, str] = {s: v.id for v in KWB_VARIABLES if v.group is None for s in v.stems}
#: KWB id → kind (count/share/mean/distance/ratio).
KWB_KIND: dict[str, str] = {v.id: v.kind for v in KWB_VARIABLES}


def kwb_id(key_or_title: str, *, group: str | None = None) -> str | None:
    """The KWB id of a CBS OData key (``AantalInwoners_5``), stem or title (``Aantal inwoners``).

    ``group`` is the topic group title (from ``DataProperties`` or a StatLine header path); it is
    needed only for stems that occur in more than one group (``Nederland``). ``None`` when unknown.
    """
    cands = _BY_STEM.get(norm(key_stem(key_or_title)), [])
    # ``group`` may be a path of ancestors, nearest first ("Naar woningtype|Gemiddeld aardgasverbruik"):
    # the nearest ancestor that names a variable's group decides. A variable's group may itself be a
    # path ("Aantal scholen|Vmbo"): then those ancestors must follow one another in that order.
    ancestors = [norm(g) for g in group.split("|")] if group else []
    for i in range(len(ancestors)):
        for var in cands:
            if var.group is not None:
                want = [norm(g) for g in var.group.split("|")]
                if ancestors[i:i + len(want)] == want:
                    return var.id
    for var in cands:
        if var.group is None:
            return var.id
    return None


def kind_of_unit(unit: str | None) -> str | None:
    """The kind a CBS unit implies (``%`` → share, ``aantal`` → count, ``km`` → distance, …)."""
    if not unit:
        return None
    u = unit.strip().lower()
    if u == "%":
        return "share"
    if u == "aantal":
        return "count"
    if u == "km":
        return "distance"
    if u.startswith("x 1 000") or u.startswith("x 1000") or u in ("kwh", "m³", "m3"):
        return "mean"
    if u.startswith("per ") or "per " in u:
        return "ratio"
    return None


def unit_conflict(kwb: str, unit: str | None) -> str | None:
    """Why a column with ``unit`` cannot hold ``kwb`` (a percentage is not a count), or ``None``."""
    implied = kind_of_unit(unit)
    expected = KWB_KIND.get(kwb)
    if implied is None or expected is None:
        return None
    # Only a share/non-share mix-up changes the meaning; CBS labels averages "aantal" now and then.
    if (implied == "share") == (expected == "share"):
        return None
    return f"eenheid '{unit}' past niet bij {kwb} ({expected})"


_ALNUM_CODE = re.compile(r"^(WK\d{4}[A-Z0-9]{2}|BU\d{4}[A-Z0-9]{4})$")


def region_code(raw: object) -> str:
    """Canonical region code; also accepts the alphanumeric wijk/buurt codes CBS uses for some
    municipalities since 2022 (Amsterdam: ``WK0363AA``). Raises ``ValueError`` otherwise."""
    try:
        return normalise_code(raw)
    except ValueError:
        text = str(raw).strip().upper()
        if _ALNUM_CODE.match(text):
            return text
        raise


# -- known tables -----------------------------------------------------------------------------

#: KWB table ids → year (StatLine), for the year when the metadata does not give it.
#: ``roltrap fetch kwb|nabijheid`` never uses this list: it asks CBS's catalogue.
KWB_TABLES: dict[str, int] = {
    "86165NED": 2025, "85984NED": 2024, "85618NED": 2023, "85318NED": 2022, "85039NED": 2021,
    "84799NED": 2020, "84583NED": 2019, "84286NED": 2018, "83765NED": 2017, "83487NED": 2016,
    "83220NED": 2015,
}
#: The same for "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers" (the source of the
#: KWB's distances, so not a compilation like the KWB: see the importer's ranking).
NABIJHEID_TABLES: dict[str, int] = {
    "86270NED": 2025, "86134NED": 2024, "85830NED": 2023, "85560NED": 2022, "85231NED": 2021,
    "84718NED": 2019,
}


def cbs_source(source_id: str, title: str, *, file: Path | None, provenance: str) -> dict[str, object]:
    """The ``sources`` row of a CBS table (licence CC BY 4.0, attribution "Bron: CBS")."""
    return _common.cbs_source(source_id, title, file if file is not None else "", provenance=provenance)


# -- reading ----------------------------------------------------------------------------------


@dataclass
class ODataTable:
    """One StatLine table as OData returns it: rows plus the metadata needed to read them."""

    rows: list[dict[str, Any]]
    properties: list[dict[str, Any]]  # DataProperties
    info: dict[str, Any] | None = None  # TableInfos[0]
    dimensions: dict[str, list[dict[str, Any]]] | None = None  # e.g. WijkenEnBuurten → [{Key, Title}]


def _year_of(table: ODataTable, *, table_id: str | None, path: Path | None, year: int | None) -> int | None:
    if year is not None:
        return year
    info = table.info or {}
    period = str(info.get("Period") or "")
    if re.fullmatch(r"\d{4}", period.strip()):
        return int(period)
    ident = str(info.get("Identifier") or table_id or "").upper()
    if ident in KWB_TABLES or ident in NABIJHEID_TABLES:
        return KWB_TABLES.get(ident) or NABIJHEID_TABLES[ident]
    m = re.search(r"(19|20)\d{2}", str(info.get("Title") or ""))
    if m:
        return int(m.group(0))
    if path is not None:
        m = re.search(r"(19|20)\d{2}", path.stem)
        if m:
            return int(m.group(0))
    return None


def _group_titles(properties: list[dict[str, Any]]) -> dict[str, str | None]:
    """Key → titles of its topic groups, nearest first, joined by ``|`` (for stems that need their
    group)."""
    by_id = {p.get("ID"): p for p in properties}
    out: dict[str, str | None] = {}
    for p in properties:
        if p.get("Type") != "Topic":
            continue
        titles: list[str] = []
        parent = by_id.get(p.get("ParentID"))
        while parent is not None and len(titles) < 8:
            titles.append(str(parent.get("Title")).strip())
            parent = by_id.get(parent.get("ParentID"))
        out[str(p.get("Key"))] = "|".join(titles) if titles else None
    return out


def _region_column(keys: Iterable[str], properties: list[dict[str, Any]]) -> str | None:
    """The key holding the region code: ``Codering_N`` (KWB) or the geo dimension (``RegioS``)."""
    keys = list(keys)
    for k in keys:
        if norm(key_stem(k)) == "codering":
            return k
    geo = [str(p.get("Key")) for p in properties
           if str(p.get("Type", "")).startswith("Geo") and p.get("Key")]
    for k in keys:
        if k in geo or norm(key_stem(k)) in ("wijkenenbuurten", "regios", "regiocode"):
            return k
    return None


def batch_from_table(table: ODataTable, *, source: dict[str, object], file: Path | None = None,
                     table_id: str | None = None, year: int | None = None) -> Batch:
    """Canonical tables from OData rows: regions, observations, indicators (for mapped keys)."""
    label = file.name if file else str(table_id)
    fname = str(file) if file is not None else None
    if not table.rows:
        raise InputError(f"{label}: de tabel bevat geen rijen.", file=file,
                         hint="Controleer het filter (gemeentecode) of download de tabel opnieuw.")
    keys = list(dict.fromkeys(k for r in table.rows[:50] for k in r))
    code_key = _region_column(keys, table.properties)
    if code_key is None:
        raise InputError(
            f"{label}: geen kolom met regiocodes (Codering_… of WijkenEnBuurten).",
            file=file, problems=[Problem("kolom ontbreekt", file=fname, column="Codering")],
            hint="roltrap leest KWB-tabellen met regiocodes; kies bij CBS ook 'Codering'.")
    period_key = "Perioden" if "Perioden" in keys else None
    yr = _year_of(table, table_id=table_id, path=file, year=year)
    props = {str(p.get("Key")): p for p in table.properties if p.get("Key")}
    groups = _group_titles(table.properties)
    skipped: list[Problem] = []
    mapped: dict[str, str] = {}
    user_defs: dict[str, tuple[str, str, str, str]] = {}  # id → (id, label, unit, kind)
    for key in keys:
        stem = norm(key_stem(key))
        if key in (code_key, period_key) or stem in REGION_STEMS or key.startswith("_"):
            continue
        prop = props.get(key, {})
        if prop.get("Datatype") == "String":
            skipped.append(Problem("tekstkolom, geen cijfer; overgeslagen", file=fname, column=key))
            continue
        why = map_column(kwb_id(key, group=groups.get(key)), stem=stem, unit=prop.get("Unit"),
                         taken=set(mapped.values()))
        if isinstance(why, Problem):
            # Not a catalogue variable: a user indicator under its theme path, the same id the StatLine
            # CSV of this table gives it (roltrap.io.statline.user_indicator).
            user = _user_indicator(prop, groups.get(key))
            if user is None or user[0] in mapped.values():
                skipped.append(Problem(why.message if user is None else f"tweede kolom voor {user[0]}; "
                                       "overgeslagen", file=fname, column=key))
                continue
            mapped[key] = user[0]
            user_defs[user[0]] = user
        else:
            mapped[key] = why
    df = pd.DataFrame.from_records(table.rows)
    df.index = pd.RangeIndex(1, len(df) + 1, name="row")  # 1-based record number for messages
    dim_titles: dict[str, str] = {}
    for entries in (table.dimensions or {}).values():
        for e in entries:
            try:
                dim_titles[region_code(e.get("Key"))] = str(e.get("Title") or "").strip()
            except ValueError:
                continue
    name_key = next((k for k in keys if norm(key_stem(k)) == "gemeentenaam"), None)
    kind_key = next((k for k in keys if norm(key_stem(k)) == "soortregio"), None)
    return frame_batch(
        df, file=file, source=source, code_col=code_key, period_col=period_key, year=yr, mapped=mapped,
        names=dim_titles, gemeente_name_col=name_key, kind_col=kind_key, skipped=skipped,
        labels={kid: user_defs[kid][1] if kid in user_defs
                else str(props.get(k, {}).get("Title") or kid).strip() for k, kid in mapped.items()},
        units={kid: user_defs[kid][2] if kid in user_defs else str(props.get(k, {}).get("Unit") or "")
               for k, kid in mapped.items()},
        kinds={kid: d[3] for kid, d in user_defs.items()},
        decimals={kid: int(props.get(k, {}).get("Decimals") or 0) for k, kid in mapped.items()})


def _user_indicator(prop: Mapping[str, Any], groups: str | None) -> tuple[str, str, str, str] | None:
    """(id, label, unit, kind) for a numeric Topic outside the catalogue, from its DataProperties title,
    topic groups and unit; ``None`` without a title (a bare list of rows carries no metadata)."""
    from roltrap.io.statline import parse_header, user_indicator

    title = " ".join(str(prop.get("Title") or "").split())
    if prop.get("Type") != "Topic" or not title:
        return None
    # The header StatLine writes for this variable ("Thema|Groep|Titel (eenheid)"), read the same way.
    path = "|".join([*reversed(groups.split("|") if groups else []), title])
    unit = str(prop.get("Unit") or "").strip()
    return user_indicator(parse_header(f"{path} ({unit})" if unit else path))


def map_column(kid: str | None, *, stem: str, unit: str | None, taken: set[str]) -> str | Problem:
    """The KWB id a column maps to, or a Problem saying why it is skipped."""
    if kid is None:
        reason = ("komt in meer groepen voor; niet eenduidig" if stem in _BY_STEM
                  else "geen bekende KWB-variabele")
        return Problem(f"{reason}; kolom overgeslagen")
    conflict = unit_conflict(kid, unit)
    if conflict:
        return Problem(f"{conflict}; kolom overgeslagen")
    if kid in taken:
        return Problem(f"tweede kolom voor {kid}; overgeslagen")
    return kid


def frame_batch(df: pd.DataFrame, *, file: Path | None, source: dict[str, object], code_col: str,
                period_col: str | None, year: int | None, mapped: Mapping[str, str],
                names: Mapping[str, str] | None = None, gemeente_name_col: str | None = None,
                region_name_col: str | None = None, kind_col: str | None = None,
                skipped: list[Problem] | None = None, labels: Mapping[str, str] | None = None,
                units: Mapping[str, str] | None = None, decimals: Mapping[str, int] | None = None,
                kinds: Mapping[str, str] | None = None, decimal: str = ".") -> Batch:
    """A wide frame (one row per region and period; index = row/line number for messages) → Batch.

    Every bad cell (code, period, number) is collected before one :class:`InputError` is raised.
    Observations carry ``_line``/``_column`` so later validation can point at the cell.
    """
    label = file.name if file else "tabel"
    fname = str(file) if file is not None else None
    skipped = list(skipped or [])
    if period_col is None and year is None:
        raise InputError(f"{label}: het jaar is onbekend (geen kolom Perioden, geen jaar in de naam).",
                         file=file, hint="Zet het jaar in de bestandsnaam (bijv. kwb-2024.csv).")
    problems: list[Problem] = []
    codes: list[str | None] = []
    for idx, raw in df[code_col].items():
        try:
            codes.append(region_code(raw))
        except ValueError as exc:
            codes.append(None)
            problems.append(Problem(str(exc), file=fname, row=int(str(idx)),  # "geen geldige regiocode: …"
                                    column=code_col, value=None if raw is None else str(raw)))
    df = df.assign(_code=codes)
    if period_col is not None:
        text = df[period_col].astype("string").str.strip()
        parsed = text.str.extract(r"^(\d{4})(?:JJ00)?$")[0]
        for idx in df.index[parsed.isna()]:
            skipped.append(Problem("periode is geen jaar (verwacht bijv. 2021JJ00 of 2021); rij overgeslagen",
                                   file=fname, row=int(str(idx)), column=period_col,
                                   value=str(df.at[idx, period_col])))
        df["_year"] = pd.to_numeric(parsed, errors="coerce")
    else:
        df["_year"] = year
    parts = []
    loaded: dict[str, str] = {}
    for col, kid in mapped.items():
        values, bad = parse_series(df[col], decimal=decimal)
        for idx in bad:
            problems.append(Problem(f"geen getal voor {kid} (verwacht een getal of een CBS-symbool . x - ?)",
                                    file=fname, row=int(str(idx)), column=col, value=str(df.at[idx, col])))
        if values.notna().sum() == 0 and not bad:
            # A column without any figure is "not published (yet)", not a column of suppressed cells.
            skipped.append(Problem(f"kolom zonder cijfers voor {kid}; overgeslagen", file=fname, column=col))
            continue
        loaded[col] = kid
        parts.append(pd.DataFrame({"region_code": df["_code"], "year": df["_year"], "indicator_id": kid,
                                   "value": values, "_line": df.index.astype("int64"), "_column": col}))
    if problems:
        raise InputError(f"{label}: {len(problems)} ongeldige cel(len).", problems=problems, file=file,
                         hint="Verbeter de genoemde cellen (regiocodes als GM0546 of WK054600; getallen of "
                              "CBS-symbolen . x - ?) en importeer opnieuw.")
    obs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["region_code", "year", "indicator_id", "value", "_line", "_column"])
    obs = obs[obs["region_code"].notna() & obs["year"].notna()].copy()
    obs["year"] = obs["year"].astype("int64")
    obs["value"] = obs["value"].astype("float64")

    from roltrap.io.codes import level_of

    rows = []
    seen: set[str] = set()
    for idx, rec in df.iterrows():
        code = rec["_code"]
        if code is None or code in seen:
            continue
        seen.add(code)

        def text(col: str | None, rec: pd.Series = rec) -> str | None:
            v = rec[col] if col else None
            return v.strip() or None if isinstance(v, str) else None

        name = ((names or {}).get(code) or text(region_name_col)
                or (text(gemeente_name_col) if code.startswith("GM") else None) or code)
        rows.append({"code": code, "name": name, "level": level_of(code), "parent": parent_of(code),
                     "boundary_year": None, "_kind": text(kind_col), "_line": int(str(idx))})
    regions = pd.DataFrame(rows, columns=["code", "name", "level", "parent", "boundary_year", "_kind",
                                          "_line"])
    indicators = indicator_rows(loaded.values(), labels=labels, units=units, decimals=decimals, kinds=kinds)
    return Batch(source=source, regions=regions, indicators=indicators, observations=obs, skipped=skipped)


def indicator_rows(ids: Iterable[str], *, labels: Mapping[str, str] | None = None,
                   units: Mapping[str, str] | None = None,
                   decimals: Mapping[str, int] | None = None,
                   kinds: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``indicators`` rows for KWB ids: the catalogue's definition (plus the weights it refers to)
    where it has one, else a definition from the CBS metadata (label, unit). The importer keeps
    definitions already in the store."""
    from roltrap.io.catalogue import indicators_for, read_catalogue
    from roltrap.store import COLUMNS

    ids = list(dict.fromkeys(ids))
    catalogue = read_catalogue()
    known = catalogue[catalogue["id"].isin(ids)]
    rows = [indicators_for(list(known["id"]), catalogue)]
    extra = []
    for kid in ids:
        if kid in set(known["id"]):
            continue
        kind = (kinds or {}).get(kid) or KWB_KIND.get(kid, "count")
        user = kid.startswith("u_")
        extra.append({"id": kid, "label": (labels or {}).get(kid, kid), "unit": (units or {}).get(kid) or "",
                      "kind": kind, "aggregation": "sum" if kind == "count" else "none", "weight": None,
                      "decimals": (decimals or {}).get(kid, 0), "theme": "eigen" if user else None,
                      "description": ("Eigen indicator: overgenomen van CBS StatLine met titel en eenheid; "
                                      "niet in de KWB-catalogus." if user else None)})
    if extra:
        rows.append(pd.DataFrame(extra, columns=COLUMNS["indicators"]))
    return pd.concat(rows, ignore_index=True)[COLUMNS["indicators"]]


def table_from_json(data: Any, *, path: Path) -> ODataTable:
    """Accept what roltrap caches (``{"TypedDataSet": [...], "DataProperties": [...], ...}``), a bare
    list of rows, or an OData response (``{"value": [...]}``)."""
    if isinstance(data, dict) and ("TypedDataSet" in data or "UntypedDataSet" in data):
        rows = data.get("TypedDataSet") or data.get("UntypedDataSet") or []
        props = data.get("DataProperties") or []
        infos = data.get("TableInfos") or []
        dims = {k: v for k, v in data.items() if k not in ("TypedDataSet", "UntypedDataSet", "DataProperties",
                                                             "TableInfos", "CategoryGroups", "_request")
                and isinstance(v, list) and v and isinstance(v[0], dict) and "Key" in v[0]}
        info = infos[0] if isinstance(infos, list) and infos else infos if isinstance(infos, dict) else None
        return ODataTable(rows=list(rows), properties=list(props), info=info, dimensions=dims)
    if isinstance(data, dict) and isinstance(data.get("value"), list):
        return ODataTable(rows=list(data["value"]), properties=[])
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return ODataTable(rows=list(data), properties=[])
    raise InputError(f"{path.name}: geen StatLine OData-tabel (verwacht 'TypedDataSet' of een lijst rijen).",
                     file=path, param="path", value=path.name,
                     hint="Haal de tabel op bij CBS als OData-JSON (met TypedDataSet), of download hem van "
                          "StatLine als CSV.")


def read_odata(path: Path | str, *, year: int | None = None, source_id: str | None = None) -> Batch:
    """A StatLine OData table saved as JSON (by ``roltrap fetch`` or cbsodata) → :class:`Batch`."""
    path = Path(path)
    check_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is geen UTF-8 (byte op positie {exc.start}).", file=path,
                         hint="Sla het JSON-bestand op als UTF-8.") from None
    except RecursionError:
        raise InputError(f"{path.name}: de JSON is te diep genest om te lezen.", file=path,
                         hint="Een StatLine-tabel is een lijst rijen; controleer of dit het juiste bestand "
                              "is.") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path.name} is geen geldige JSON: {exc.msg}.", file=path,
                         problems=[Problem(exc.msg, file=str(path), row=exc.lineno,
                                           column=f"teken {exc.colno}")],
                         hint="Het bestand is waarschijnlijk afgebroken; haal het opnieuw op.") from None
    table = table_from_json(data, path=path)
    request = data.get("_request", {}) if isinstance(data, dict) else {}
    del data  # the rows live on in the table
    width = max((len(r) for r in table.rows[:1000]), default=0)
    if len(table.rows) * width > limits().max_whole_cells:  # the frames built below: bounded as for CSV
        raise whole_too_large(path, rows=len(table.rows), columns=width, what="OData-JSON")
    info = table.info or {}
    table_id = str(info.get("Identifier") or request.get("table") or "").upper() or None
    sid = source_id or (f"cbs-{table_id.lower()}" if table_id else f"cbs-odata-{path.stem.lower()}")
    title = str(info.get("Title") or (f"CBS StatLine {table_id}" if table_id else path.stem))
    src = cbs_source(sid, title, file=path, provenance=f"CBS StatLine OData {table_id or '?'} ({path.name})")
    return batch_from_table(table, source=src, file=path, table_id=table_id, year=year)


def read_odata_csv(path: Path | str, *, year: int | None = None, source_id: str | None = None,
                   properties_json: Path | None = None, names: Mapping[str, str] | None = None,
                   source: dict[str, object] | None = None, boundary_year: int | None = None) -> Batch:
    """A CSV whose columns are OData keys (``regiocode,AantalInwoners_5,…``), e.g. a flattened
    TypedDataSet; ``properties_json`` (``…_DataProperties.json``) next to it is used when present.

    ``names`` gives region names by code (the OData rows carry none; they win over any name column),
    ``source`` replaces the generated ``sources`` row, and ``boundary_year`` is stored with the
    regions when the caller knows the indeling the codes belong to (a single-year KWB table).
    """
    from roltrap.io._read import read_table

    path = Path(path)
    table = read_table(path)
    df = table.frame()
    rows = [{k: (None if v is pd.NA else v) for k, v in rec.items()} for rec in df.to_dict("records")]
    props: list[dict[str, Any]] = []
    meta = properties_json or next(iter(sorted(path.parent.glob("*DataProperties.json"))), None)
    if meta is not None and meta.exists():
        props = json.loads(meta.read_text(encoding="utf-8-sig"))
    table_id = None
    m = re.match(r"^(\d{5}[A-Z]{3})", meta.name if meta else "")
    if m:
        table_id = m.group(1)
    sid = source_id or (f"cbs-{table_id.lower()}" if table_id else f"cbs-odata-{path.stem.lower()}")
    src = source or cbs_source(sid, f"CBS StatLine {table_id or path.stem}", file=path,
                               provenance=f"CBS StatLine OData-sleutels als CSV (bestand {path.name})")
    odt = ODataTable(rows=rows, properties=props)
    batch = batch_from_table(odt, source=src, file=path, table_id=table_id, year=year)
    batch.source = {**batch.source, "rows_loaded": len(batch.observations)}
    # Record numbers → file lines, so messages point at the line in the CSV.
    lines = dict(enumerate(table.lines, start=1))
    batch.observations["_line"] = batch.observations["_line"].map(lines)
    regions = batch.regions
    regions["_line"] = regions["_line"].map(lines)
    if names:
        named = {code: name for code, name in names.items() if name}
        regions["name"] = regions["code"].map(named).fillna(regions["name"])
    if boundary_year is not None:
        regions["boundary_year"] = boundary_year
    return batch


# -- fetching ---------------------------------------------------------------------------------
#
# CBS serves StatLine as OData v3 JSON: ``/ODataCatalog/Tables`` lists every table (title, identifier,
# period), ``/ODataFeed/odata/<table>/<resource>`` serves a table's resources (``TableInfos``,
# ``DataProperties``, the dimension ``WijkenEnBuurten``, ``TypedDataSet``) in pages of at most 10 000
# rows, each page but the last naming the next in ``odata.nextLink``. Every answer is kept on disk,
# keyed by the request, so a request made once is answered from the cache afterwards (offline too).

#: Where CBS's OData services live (``Settings.cbs_odata_url`` overrides it).
CBS_ODATA_URL = "https://opendata.cbs.nl"
_STATLINE = "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{table}/table"


@dataclass(frozen=True)
class Series:
    """A yearly StatLine series: one table per year, found in CBS's catalogue by its title."""

    key: str  # "kwb" / "nabijheid"
    label: str  # the title without the year, as CBS writes it
    title: re.Pattern[str]  # the title of one year's table; group "year"


SERIES: dict[str, Series] = {
    "kwb": Series("kwb", "Kerncijfers wijken en buurten",
                  re.compile(r"^\s*Kerncijfers wijken en buurten\s+(?P<year>(?:19|20)\d{2})\s*$", re.I)),
    "nabijheid": Series(
        "nabijheid", "Nabijheid voorzieningen; afstand locatie, wijk- en buurtcijfers",
        re.compile(r"^\s*Nabijheid voorzieningen;\s*afstand locatie,\s*wijk-\s*en\s+buurtcijfers\s+"
                   r"(?P<year>(?:19|20)\d{2})\s*$", re.I)),
}


@dataclass(frozen=True)
class CatalogTable:
    """One table of a series as CBS's catalogue lists it."""

    identifier: str  # 85984NED
    title: str
    year: int
    modified: str | None = None

    @property
    def statline(self) -> str:
        """The StatLine page of this table (where a user downloads it by hand)."""
        return _STATLINE.format(table=self.identifier)


def gemeente_filter(geo_key: str, gemeente: str) -> str:
    """OData ``$filter`` for one municipality and its wijken and buurten.

    The region keys are padded to 10 characters (``"WK054600  "``), so ``eq`` needs the padding;
    ``substringof`` does not. Codes begin with GM/WK/BU and the four digits of the municipality, so
    ``WK0546`` can only match at the start of a key.
    """
    digits = normalise_code(gemeente)[2:]
    if geo_key.lower().startswith("wijkenenbuurten") or geo_key == "Key":
        return " or ".join(f"substringof('{p}{digits}',{geo_key})" for p in ("GM", "WK", "BU"))
    return f"{geo_key} eq '{normalise_code(gemeente)}'"


def cache_path(cache_dir: Path, table_id: str, gemeente: str | None) -> Path:
    """Where the assembled table for one request is kept: named by table and municipality
    (``85984NED-GM0344.json``; ``…-NL.json`` for the whole country)."""
    return cache_dir / f"{table_id.upper()}-{gemeente or 'NL'}.json"


class ODataClient:
    """GET requests to CBS OData with an on-disk cache keyed by the request, and ``odata.nextLink``
    paging. Errors become Dutch :class:`roltrap.errors.NetworkError` / :class:`NotFoundError` whose
    hint names the StatLine page to download by hand (``manual``)."""

    def __init__(self, *, cache_dir: Path, base_url: str = CBS_ODATA_URL, refresh: bool = False,
                 timeout: float = 60.0, on_page: Any = None) -> None:
        self.cache_dir = cache_dir
        self.base_url = base_url.rstrip("/")
        self.refresh = refresh
        self.timeout = timeout
        self.on_page = on_page  # called with (description, rows so far) after every page
        self.requests = 0  # HTTP requests made (the cache answers the rest)
        self._session: Any = None

    def _file(self, path: str, params: Mapping[str, str]) -> Path:
        key = json.dumps([path, sorted(params.items())], ensure_ascii=False)
        name = re.sub(r"[^A-Za-z0-9]+", "-", path.strip("/").split("/", 2)[-1])[:60]
        return self.cache_dir / "odata" / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"

    def get(self, path: str, params: Mapping[str, str] | None = None, *, what: str, manual: str,
            max_age: float | None = None) -> list[dict[str, Any]]:
        """All rows of ``path`` (every page), from the cache when it holds this request.

        ``max_age`` (seconds): a cached answer older than that is fetched again; if that fails for
        want of a network the cached answer is used. ``what`` names the request in messages.
        """
        import time

        params = {"$format": "json", **(params or {})}
        file = self._file(path, params)
        cached = file.exists() and not self.refresh
        if cached and max_age is not None and time.time() - file.stat().st_mtime > max_age:
            try:
                return self._download(path, params, file=file, what=what, manual=manual)
            except NetworkError:
                pass  # stale but usable: CBS's catalogue changes a few times a year
        if cached:
            try:
                return list(json.loads(file.read_text(encoding="utf-8"))["value"])
            except (ValueError, KeyError, TypeError):
                file.unlink(missing_ok=True)  # a damaged cache file is fetched again
        return self._download(path, params, file=file, what=what, manual=manual)

    def _download(self, path: str, params: dict[str, str], *, file: Path, what: str,
                  manual: str) -> list[dict[str, Any]]:
        try:
            import requests
        except ImportError:  # the base install (the Remote Access kit) has no online parts
            from roltrap.errors import ConfigError

            raise ConfigError("Ophalen bij CBS vraagt de io-extra van roltrap.",
                              hint=f"Installeer hem met pip install 'roltrap[io]'. Of: {manual}") from None

        if self._session is None:
            self._session = requests.Session()
        url: str | None = self.base_url + path
        query: dict[str, str] | None = params
        rows: list[dict[str, Any]] = []
        host = self.base_url.split("//", 1)[-1]
        # The errors name the table asked for (None for the catalogue), so a shell can word its own fix.
        table = re.search(r"/odata/(\d{5}[A-Z]{2,3})/", path)
        asked: dict[str, Any] = {"param": "table_id", "value": table.group(1)} if table else {}
        while url is not None:
            try:
                self.requests += 1
                resp = self._session.get(url, params=query, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise NetworkError(
                    f"Geen verbinding met CBS ({host}) voor {what}: {type(exc).__name__}.",
                    hint=f"Controleer de internetverbinding en probeer het opnieuw. Zonder netwerk: {manual}",
                    **asked,
                ) from None
            if resp.status_code == 404:
                raise NotFoundError(f"CBS kent {what} niet (HTTP 404 voor {path}).", hint=manual, **asked)
            if resp.status_code >= 400:
                raise NetworkError(f"CBS gaf een fout (HTTP {resp.status_code}) bij het ophalen van {what}.",
                                   hint=f"Probeer het later opnieuw; CBS heeft soms storing. Of: {manual}",
                                   **asked)
            try:
                doc = json.loads(resp.content.decode("utf-8-sig"))
                page = doc["value"]
                if not isinstance(page, list):
                    raise TypeError("value is geen lijst")
            except (ValueError, KeyError, TypeError) as exc:
                raise NetworkError(f"Onverwacht antwoord van CBS voor {what}: geen OData-JSON ({exc}).",
                                   hint=f"Probeer het later opnieuw. Of: {manual}", **asked) from None
            rows.extend(page)
            url, query = doc.get("odata.nextLink"), None  # the link carries the whole query
            if self.on_page is not None:
                self.on_page(what, len(rows))
        file.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_json(file, {"request": {"path": path, "params": params}, "value": rows})
        return rows


#: How a hint ends that says to import a file downloaded by hand. It names no command: the web app
#: shows these hints too; the fetch command words it as `roltrap import` (``roltrap.cli.fetch``).
IMPORT_BY_HAND = "importeer het bestand in roltrap."


def _manual(series: Series | None, table: CatalogTable | None, year: int | None) -> str:
    """The Dutch instruction for fetching by hand: the StatLine page, then ``roltrap import``."""
    if table is None and series is not None and year is not None:
        known = KWB_TABLES if series.key == "kwb" else NABIJHEID_TABLES
        ident = next((t for t, y in known.items() if y == year), None)
        if ident is not None:  # the catalogue is out of reach, but this year's table is known
            table = CatalogTable(ident, f"{series.label} {year}", year)
    if table is not None:
        page = f"de StatLine-pagina van {table.identifier} ({table.statline})"
        name = table.title
    else:
        name = f"{series.label} {year}" if series and year else (series.label if series else "de tabel")
        page = f"StatLine (opendata.cbs.nl/statline; zoek '{name}')"
    return f"download '{name}' met de hand via {page} als CSV (met statistische symbolen) en {IMPORT_BY_HAND}"


def catalog_tables(series: Series, *, client: ODataClient, year: int | None = None) -> list[CatalogTable]:
    """Every table of ``series`` in CBS's catalogue, oldest year first (one per year: the newest).
    ``year`` (the one asked for) only makes the message for fetching by hand more precise."""
    rows = client.get("/ODataCatalog/Tables",
                      {"$filter": f"substringof('{series.label.split(';')[0]}',Title)",
                       "$select": "Identifier,Title,ShortTitle,Period,Modified,Language,Catalog"},
                      what=f"de CBS-catalogus ({series.label})", manual=_manual(series, None, year),
                      max_age=24 * 3600)
    best: dict[int, CatalogTable] = {}
    for r in rows:
        m = series.title.match(str(r.get("Title") or ""))
        ident = str(r.get("Identifier") or "").strip().upper()
        if not m or not re.fullmatch(r"\d{5}[A-Z]{3}", ident) or str(r.get("Language") or "nl") != "nl":
            continue
        t = CatalogTable(ident, str(r["Title"]).strip(), int(m.group("year")), r.get("Modified"))
        old = best.get(t.year)
        if old is None or str(t.modified or "") > str(old.modified or ""):
            best[t.year] = t
    return [best[y] for y in sorted(best)]


def resolve_table(series: Series, *, year: int | None, client: ODataClient) -> CatalogTable:
    """The table of ``series`` for ``year`` (``None``: the latest year the catalogue lists)."""
    tables = catalog_tables(series, client=client, year=year)
    if not tables:
        raise NotFoundError(f"De CBS-catalogus noemt geen tabel '{series.label}'.",
                            hint=_manual(series, None, year))
    if year is None:
        return tables[-1]
    for t in tables:
        if t.year == year:
            return t
    years = [t.year for t in tables]
    raise NotFoundError(
        f"CBS heeft (nog) geen tabel '{series.label} {year}'; de catalogus noemt {years[0]}–{years[-1]}.",
        hint=f"Kies een jaar met {{year}} uit {', '.join(map(str, years))}.", param="year", value=year)


def _gemeente_code(gemeente: str) -> str:
    try:
        gm = normalise_code(gemeente, level="gemeente")
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise InputError(f"'{gemeente}' is geen gemeentecode: {reason}.", param="gemeente", value=gemeente,
                         hint="Gebruik voor {gemeente} een code als GM0344 (Utrecht).") from None
    if not gm.startswith("GM"):
        raise InputError(f"'{gemeente}' is geen gemeentecode.", param="gemeente", value=gemeente,
                         hint="Gebruik voor {gemeente} een code als GM0344 (Utrecht).")
    return gm


def fetch_table(table_id: str, *, gemeente: str | None, cache_dir: Path, refresh: bool = False,
                base_url: str = CBS_ODATA_URL, client: ODataClient | None = None,
                catalog: CatalogTable | None = None) -> Path:
    """Download one StatLine table (for one municipality, its wijken and buurten) into the cache.

    Returns the cache file, a JSON document :func:`read_odata` reads (``TableInfos``,
    ``DataProperties``, the region dimension and ``TypedDataSet``, as CBS sends them). Each request
    is cached on disk, so a cached table needs no network and is not downloaded again unless
    ``refresh``. Without network this raises :class:`roltrap.errors.NetworkError`; a half-written
    cache file never remains (files are written under a temporary name and renamed).
    """
    table_id = table_id.strip().upper()
    if not re.fullmatch(r"\d{5}[A-Z]{2,3}", table_id):
        raise InputError(f"'{table_id}' is geen StatLine-tabelnummer (verwacht bijv. 85984NED).",
                         param="table_id", value=table_id,
                         hint="Zoek het nummer op opendata.cbs.nl of StatLine (staat in de URL).")
    gm = _gemeente_code(gemeente) if gemeente else None
    target = cache_path(cache_dir, table_id, gm)
    if target.exists() and not refresh:
        return target
    client = client or ODataClient(cache_dir=cache_dir, base_url=base_url, refresh=refresh)
    manual = _manual(None, catalog or CatalogTable(table_id, f"tabel {table_id}", 0), None)
    what = f"tabel {table_id}"
    feed = f"/ODataFeed/odata/{table_id}"
    infos = client.get(f"{feed}/TableInfos", what=f"{what} (TableInfos)", manual=manual)
    props = client.get(f"{feed}/DataProperties", what=f"{what} (DataProperties)", manual=manual)
    geo = next((str(p["Key"]) for p in props if str(p.get("Type", "")).startswith("Geo") and p.get("Key")),
               None)
    data: dict[str, Any] = {"TableInfos": infos, "DataProperties": props}
    filters = None
    if geo is not None:
        dim_params = {"$filter": gemeente_filter("Key", gm)} if gm else {}
        data[geo] = client.get(f"{feed}/{geo}", dim_params, what=f"{what} (regio's)", manual=manual)
        filters = gemeente_filter(geo, gm) if gm else None
    rows = client.get(f"{feed}/TypedDataSet", {"$filter": filters} if filters else {},
                      what=f"{what} (cijfers)", manual=manual)
    if not rows:
        raise NotFoundError(f"CBS-tabel {table_id} heeft geen rijen voor {gm or 'deze selectie'}.",
                            param="gemeente", value=gm,
                            hint="Controleer {gemeente}: bestond de gemeente in het jaar van de tabel? "
                                 "Na een herindeling heeft ze een nieuwe code.")
    data["TypedDataSet"] = rows
    data["_request"] = {"table": table_id, "gemeente": gm, "filters": filters}
    cache_dir.mkdir(parents=True, exist_ok=True)
    _atomic_write_json(target, data)
    return target


@dataclass(frozen=True)
class Fetched:
    """What :func:`fetch_series` fetched: the cache file to import and the table it holds."""

    path: Path
    table: CatalogTable
    gemeente: str
    requests: int  # HTTP requests made; 0 when the cache answered everything


def fetch_series(series: str, *, gemeente: str, year: int | None, cache_dir: Path,
                 refresh: bool = False, base_url: str = CBS_ODATA_URL, progress: bool = False) -> Fetched:
    """Fetch one year of a series (``"kwb"``, ``"nabijheid"``) for a municipality, its wijken and
    buurten; the table id comes from CBS's catalogue (``year=None``: the latest it lists)."""
    try:
        ser = SERIES[series]
    except KeyError:
        raise InputError(f"Onbekende reeks '{series}'.", param="series", value=series,
                         hint="Kies uit: " + ", ".join(SERIES) + ".") from None
    gm = _gemeente_code(gemeente)
    with _fetch_progress(progress) as on_page:
        client = ODataClient(cache_dir=cache_dir, base_url=base_url, refresh=refresh, on_page=on_page)
        table = resolve_table(ser, year=year, client=client)
        path = fetch_table(table.identifier, gemeente=gm, cache_dir=cache_dir, refresh=refresh,
                           client=client, catalog=table)
    return Fetched(path=path, table=table, gemeente=gm, requests=client.requests)


@contextlib.contextmanager
def _fetch_progress(enabled: bool) -> Iterator[Any]:
    """A Rich progress line on stderr while pages arrive; ``None`` when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.fields[rows]}"), TimeElapsedColumn(), console=Console(stderr=True),
                  transient=True) as prog:
        task = prog.add_task("CBS: ophalen", total=None, rows="")

        def on_page(what: str, rows: int) -> None:
            prog.update(task, description=f"CBS: {what}", rows=f"{rows:,} rijen".replace(",", "."))

        yield on_page


def _atomic_write_json(target: Path, data: object) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
