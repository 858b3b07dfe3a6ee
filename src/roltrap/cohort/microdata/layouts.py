"""The CBS microdata layouts roltrap reads: table names, variable names, code lists, missing codes.

Names and codes follow the files as CBS delivers them in Remote Access (SPSS ``.sav``; researchers
also keep CSV or Parquet copies). They were checked against public research code that reads these
files (R/Stata/SPSS scripts of published CBS microdata projects); where a detail could not be
confirmed publicly, the reader accepts the variants (case, padding, missing codes) rather than
guessing one.

=========================  ==================================================================
table (file name stem)     variables used
=========================  ==================================================================
GBAADRESOBJECTBUS          RINPERSOONS, RINPERSOON, GBADATUMAANVANGADRESHOUDING,
(``GBAADRESOBJECT2022BUSV1``)  GBADATUMEINDEADRESHOUDING (dates ``YYYYMMDD`` text), SOORTOBJECTNUMMER,
                           RINOBJECTNUMMER — one row per address spell, all spells since 1995
VSLGWBTAB                  SOORTOBJECTNUMMER, RINOBJECTNUMMER, ``gemYYYY`` (4 digits),
(``VSLGWB2022TAB03V1``)    ``wcYYYY`` (6: gemeente + wijk), ``bcYYYY`` (8: wijk + buurt) per year,
                           so every year uses that year's boundaries; NIETVSLGWBTAB (objects
                           outside the BAG) has the same layout and is read alongside
GBAPERSOONTAB              RINPERSOONS, RINPERSOON, GBAGEBOORTEJAAR, GBAGEBOORTEMAAND,
                           (GBAGEBOORTEDAG), GBAGESLACHT, GBAHERKOMSTGROEPERING, GBAGENERATIE
GBAHUISHOUDENSBUS          RINPERSOONS, RINPERSOON, DATUMAANVANGHH, DATUMEINDEHH, HUISHOUDNR,
                           TYPHH (1–8) — household spells
KOPPELPERSOONHUISHOUDEN    RINPERSOONS, RINPERSOON, RINPERSOONSHKW, RINPERSOONHKW: person →
(or INPATAB)               main breadwinner of the household, per income year. (Some project
                           copies carry RINPERSOONHKW in GBAHUISHOUDENSBUS; that is read too.)
INHATAB (``INHA2019TABV2``)  RINPERSOONSHKW, RINPERSOONHKW, INHP100HBEST (percentile 1–100 of
                           the standardised household income; negative = no percentile:
                           -1 / -2 for households without income or institutional households),
                           INHBBIHJ (main source of household income)
HOOGSTEOPLTAB              RINPERSOONS, RINPERSOON, ``OPLNIVSOI2021AGG4HBmetNIRWO`` (from 2019)
(``HOOGSTEOPL2019TABV2``)  or ``OPLNIVSOI2016AGG4HBMETNIRWO`` (earlier): highest level attained,
                           4-digit SOI code; first digit 1 laag, 2 middelbaar, 3 hoog; ``----``
                           and 9999 = unknown
=========================  ==================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# -- file roles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One microdata table: its role, how its files are named and the variables it must have."""

    role: str
    name: str  # the CBS table name, as shown to users
    pattern: re.Pattern[str]  # on the upper-cased file stem without spaces; group "year" if dated
    required: tuple[str, ...]
    per_year: bool = False  # one file per (income/education) year


TABLES: tuple[Table, ...] = (
    Table(
        "spells",
        "GBAADRESOBJECTBUS",
        re.compile(r"^GBAADRESOBJECT(?P<year>\d{4})?BUS"),
        (
            "RINPERSOONS",
            "RINPERSOON",
            "GBADATUMAANVANGADRESHOUDING",
            "GBADATUMEINDEADRESHOUDING",
            "SOORTOBJECTNUMMER",
            "RINOBJECTNUMMER",
        ),
    ),
    Table(
        "regions",
        "VSLGWBTAB",
        re.compile(r"^(NIET)?VSLGWB(TAB)?(?P<year>\d{4})?"),
        ("RINOBJECTNUMMER",),
    ),
    Table(
        "persons",
        "GBAPERSOONTAB",
        re.compile(r"^GBAPERSOON(TAB)?(?P<year>\d{4})?(TAB)?V?\d*$"),
        ("RINPERSOONS", "RINPERSOON", "GBAGEBOORTEJAAR"),
    ),
    Table(
        "households",
        "GBAHUISHOUDENSBUS",
        re.compile(r"^GBAHUISHOUDENS(?P<year>\d{4})?BUS"),
        ("RINPERSOONS", "RINPERSOON", "DATUMAANVANGHH", "DATUMEINDEHH"),
    ),
    Table(
        "breadwinner",
        "KOPPELPERSOONHUISHOUDEN",
        re.compile(r"^(KOPPELPERSOONHUISHOUDEN|INPA)(?P<year>\d{4})"),
        ("RINPERSOON", "RINPERSOONHKW"),
        per_year=True,
    ),
    Table(
        "income",
        "INHATAB",
        re.compile(r"^INHA(?P<year>\d{4})TAB"),
        ("RINPERSOONHKW", "INHP100HBEST"),
        per_year=True,
    ),
    Table(
        "education",
        "HOOGSTEOPLTAB",
        re.compile(r"^HOOGSTEOPL(TAB)?(?P<year>\d{4})"),
        ("RINPERSOONS", "RINPERSOON"),
        per_year=True,
    ),
)
TABLE_BY_ROLE = {t.role: t for t in TABLES}
REQUIRED_ROLES = ("spells", "regions", "persons")
EXTENSIONS = (".sav", ".csv", ".parquet")
VERSION = re.compile(r"V(\d+)$")

# -- variables -------------------------------------------------------------------------------

EDUCATION_VAR = re.compile(r"^OPLNIVSOI\d{4}AGG4HBMETNIRWO$", re.IGNORECASE)
EDUCATION_VAR_2021 = "OPLNIVSOI2021AGG4HBmetNIRWO"  # spelling of the files from 2019 on
EDUCATION_VAR_2016 = "OPLNIVSOI2016AGG4HBMETNIRWO"  # spelling of the files up to 2018
EDUCATION_SWITCH_YEAR = 2019


def region_vars(year: int) -> tuple[str, str, str]:
    """The VSLGWBTAB columns with ``year``'s boundaries: gemeente, wijk, buurt code."""
    return f"gem{year}", f"wc{year}", f"bc{year}"


def education_var(year: int) -> str:
    return EDUCATION_VAR_2021 if year >= EDUCATION_SWITCH_YEAR else EDUCATION_VAR_2016


# -- codes -----------------------------------------------------------------------------------

# Open end of a spell: empty, or a far-future placeholder. '88888888' marks an open end in
# several CBS spell files; '99999999' and dates from 2099 on are treated the same way.
OPEN_END = ("", "88888888", "99999999", "00000000")
OPEN_END_FROM = 20990101
UNKNOWN_REGION = ("", "----", "-----", "------", "--------", "9999", "999999", "99999999", "0000")

RINPERSOONS_GBA = "R"  # persons registered in the GBA/BRP
OBJECT_TYPES = {"VBO": "verblijfsobject", "LIG": "ligplaats", "STA": "standplaats"}

GESLACHT = {"1": "Mannen", "2": "Vrouwen", "-": "Onbekend"}
GENERATIE = {
    "0": "Personen met een Nederlandse achtergrond",
    "1": "Eerste generatie",
    "2": "Tweede generatie",
    "-": "Onbekend",
}
HERKOMST_NEDERLAND = "6030"

TYPHH = {
    "1": ("Eenpersoonshuishouden", "alleenstaand"),
    "2": ("Niet-gehuwd paar zonder kinderen", "paar"),
    "3": ("Gehuwd paar zonder kinderen", "paar"),
    "4": ("Niet-gehuwd paar met kinderen", "paar_met_kinderen"),
    "5": ("Gehuwd paar met kinderen", "paar_met_kinderen"),
    "6": ("Eenouderhuishouden", "eenouder"),
    "7": ("Overig huishouden", "overig"),
    "8": ("Institutioneel huishouden", "institutioneel"),
}

# INHP100HBEST: 1..100, negative codes carry no percentile.
INCOME_MISSING = {-1: "Geen inkomen of inkomen onbekend", -2: "Institutioneel huishouden"}

# INHBBIHJ, main source of household income → the canonical ``benefit``. Codes as text, the way
# the SPSS files label them; the reader also accepts the label text itself.
INHBBIHJ = {
    "11": ("Loon", "none"),
    "12": ("Loon directeur-grootaandeelhouder", "none"),
    "13": ("Winst zelfstandig ondernemer", "none"),
    "14": ("Inkomen overige zelfstandige", "none"),
    "21": ("Werkloosheidsuitkering", "ww"),
    "22": ("Bijstandsuitkering", "bijstand"),
    "23": ("Uitkering sociale voorziening overig", "none"),
    "24": ("Uitkering ziekte/arbeidsongeschiktheid", "ao"),
    "25": ("Pensioenuitkering", "none"),
    "26": ("Studiefinanciering", "none"),
    "30": ("Inkomen uit vermogen", "none"),
    "99": ("Huishoudensinkomen onbekend", None),
}

# SOI 2021 aggregation to four digits (hoogst behaald): first digit = main level.
EDUCATION_LEVEL = {"1": "laag", "2": "middelbaar", "3": "hoog"}
EDUCATION_UNKNOWN = ("----", "9999", "")
EDUCATION_CODES = {
    "1111": "Basisonderwijs",
    "1112": "Praktijkonderwijs",
    "1211": "Vmbo-b/k",
    "1212": "Mbo1",
    "1213": "Vmbo-g/t",
    "1221": "Havo-, vwo-onderbouw",
    "2111": "Mbo2",
    "2112": "Mbo3",
    "2121": "Mbo4",
    "2131": "Havo",
    "2132": "Vwo",
    "3111": "Hbo-associate degree",
    "3112": "Hbo-bachelor",
    "3113": "Wo-bachelor",
    "3211": "Hbo-master",
    "3212": "Wo-master",
    "3213": "Doctor",
    "9999": "Weet niet of onbekend",
}
