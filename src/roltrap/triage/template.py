"""The caseload template a coach fills in: an Excel workbook with drop-down lists and an explanation.

Sheets: ``Caseload`` (row 1 the column names, one row per client below, every answer a drop-down
list), ``Uitleg`` (what to fill in and what never to fill in) and ``Keuzelijsten`` (the allowed
answers, and the wijk and buurt names of the municipality, which the drop-downs point to). What
the coach uploads is read by :mod:`roltrap.triage.caseload`, which accepts exactly these names.
"""

from __future__ import annotations

import io

import pandas as pd

from roltrap.triage.caseload import REGION_LABELS
from roltrap.triage.questionnaire import MULTI_SEPARATORS, Questionnaire
from roltrap.triage.upload import column_letter

DATA_ROWS = 1000  # rows with drop-downs; a longer caseload can copy them down


def caseload_template(questionnaire: Questionnaire, *, gemeente_name: str, regions: pd.DataFrame,
                      min_cell: int) -> bytes:
    """The workbook as bytes. ``regions`` (code, name, level) lists the municipality's districts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "Caseload"
    lists = wb.create_sheet("Keuzelijsten")
    uitleg = wb.create_sheet("Uitleg", index=1)

    levels = [lvl for lvl in ("wijk", "buurt") if (regions["level"] == lvl).any()] or ["wijk"]
    headers = [REGION_LABELS[lvl] for lvl in levels] + [q.label for q in questionnaire.questions]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, text in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=i, value=text)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[column_letter(i - 1)].width = 16 if i <= len(levels) else 24
    sheet.row_dimensions[1].height = 60
    sheet.freeze_panes = "A2"

    choices: list[tuple[str, list[str], bool, str]] = []
    for lvl in levels:
        names = sorted({str(n) for n in regions.loc[regions["level"] == lvl, "name"]}, key=str.casefold)
        choices.append((REGION_LABELS[lvl], names, False,
                        f"Kies de {lvl} van de cliënt ({gemeente_name}); de {lvl}code mag ook."))
    for q in questionnaire.questions:
        labels = [o.label for o in q.options] + [questionnaire.decline.label]
        tip = ("Meer antwoorden: typ ze achter elkaar, gescheiden door een puntkomma (;)."
               if q.multiple else "Kies één antwoord, of laat de cel leeg.")
        choices.append((q.label, labels, q.multiple, tip))

    for col, (title, values, multiple, prompt) in enumerate(choices):
        letter = column_letter(col)
        head = lists.cell(row=1, column=col + 1, value=title)
        head.font = bold
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=col + 1, value=value)
        lists.column_dimensions[letter].width = 28
        if not values:
            continue
        dv = DataValidation(type="list", formula1=f"'Keuzelijsten'!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True)
        dv.promptTitle = title[:32]
        dv.prompt = prompt[:255]
        dv.showInputMessage = True
        # A multi-answer cell ("Loon; WW-uitkering") is not one list item: warn, don't block.
        dv.showErrorMessage = not multiple
        dv.errorTitle = "Onbekend antwoord"
        dv.error = "Kies een antwoord uit de lijst (zie het tabblad Keuzelijsten)."
        sheet.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")

    sep = " of ".join(f"'{s}'" for s in MULTI_SEPARATORS)
    region_cols = " of ".join(f"'{REGION_LABELS[lvl]}'" for lvl in levels)
    lines: list[tuple[str, bool]] = [
        ("Caseload voor de coachhulp", True),
        ("", False),
        ("Vul op het tabblad Caseload vanaf rij 2 één rij per cliënt in. Rij 1 bevat de kolomnamen: "
         "laat die staan.", False),
        (f"Kolom {region_cols}: de wijk{' of buurt' if len(levels) > 1 else ''} waar de cliënt woont, in "
         f"{gemeente_name}. Kies de naam uit de lijst of typ de code (zoals WK054600). Vul per cliënt één "
         "van beide in; is er een buurt ingevuld, dan telt roltrap per buurt.", False),
        ("De andere kolommen zijn de vragen van de coachhulp. Alle vragen zijn optioneel: laat een cel "
         "leeg als je het niet weet, of kies 'Wil ik niet zeggen'.", False),
        (f"Bij vragen met meer antwoorden (zoals Werksituatie en Bron van inkomen) typ je de antwoorden "
         f"achter elkaar, gescheiden door {sep}: bijvoorbeeld 'Loon; WW-uitkering'.", False),
        ("Kolommen die je niet gebruikt mag je weghalen. Voeg geen eigen kolommen toe.", False),
        ("", False),
        ("Nooit invullen", True),
        ("Namen, BSN, geboortedata, adressen, postcodes, telefoonnummers, e-mailadressen, "
         "dossiernummers en toelichtingen. Een bestand waarin iets daarvan lijkt te staan, wordt "
         "helemaal geweigerd; de melding noemt alleen de rij en de kolom, nooit wat er staat.", False),
        ("", False),
        ("Wat je terugkrijgt", True),
        (f"Per wijk of buurt: hoeveel cliënten bij welk type (§6) en welke werkstijl (§19) passen, naast "
         f"het aantal inwoners. Aantallen onder de {min_cell} worden onderdrukt, plus zo nodig een extra "
         "cel, zodat niemand in een kleine groep herkenbaar is. Het bestand wordt alleen in het geheugen "
         "verwerkt en niet bewaard.", False),
        ("", False),
        ("Formules en samengevoegde cellen worden niet gelezen: typ of plak alleen waarden.", False),
    ]
    uitleg.column_dimensions["A"].width = 110
    for r, (line, is_title) in enumerate(lines, start=1):
        cell = uitleg.cell(row=r, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if is_title:
            cell.font = Font(bold=True, size=12 if r > 1 else 14)
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
