"""The caseload template: drop-down lists that hold exactly the allowed answers, an explanation sheet,
a download on the Coach page and from the CLI, and a filled-in template that is read back."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from roltrap.cli.main import app as cli_app
from roltrap.core import Roltrap
from roltrap.triage.questionnaire import Questionnaire
from roltrap.web.routes_triage import XLSX


def _list_values(wb: object, formula: str) -> list[str]:
    """The cells a data validation's list formula points at ("'Keuzelijsten'!$B$2:$B$7")."""
    m = re.fullmatch(r"'(.+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert m, formula
    sheet = wb[m.group(1)]  # type: ignore[index]
    return [sheet[f"{m.group(2)}{r}"].value for r in range(int(m.group(3)), int(m.group(5)) + 1)]


def test_template_has_drop_downs_with_exactly_the_answers(triage_rt: Roltrap, q: Questionnaire) -> None:
    wb = load_workbook(io.BytesIO(triage_rt.triage.template(gemeente="Leiden")))
    assert wb.sheetnames == ["Caseload", "Uitleg", "Keuzelijsten"]
    ws = wb["Caseload"]
    assert isinstance(ws, Worksheet)
    headers = [c.value for c in ws[1]]
    assert headers == ["Wijk", *[x.label for x in q.questions]]  # Leiden has no buurten in the store
    by_column = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
                 for dv in ws.data_validations.dataValidation}
    assert len(by_column) == len(headers)
    wijken = _list_values(wb, by_column["A"].formula1)
    assert len(wijken) == 10 and "Merenwijkdistrict" in wijken
    for i, question in enumerate(q.questions, start=1):
        letter = chr(ord("A") + i) if i < 26 else "A" + chr(ord("A") + i - 26)
        dv = by_column[letter]
        assert dv.type == "list" and str(dv.sqref) == f"{letter}2:{letter}1001"
        assert _list_values(wb, dv.formula1) == [o.label for o in question.options] + [q.decline.label]
        # Several answers ("Loon; WW-uitkering") are no single list item: a warning, not a block.
        assert dv.showErrorMessage is (not question.multiple)
    uitleg = " ".join(str(c.value) for c in wb["Uitleg"]["A"] if c.value)
    assert "Nooit invullen" in uitleg and "BSN" in uitleg and "Leiden" in uitleg and "onderdrukt" in uitleg


def test_a_filled_in_template_is_read_back(triage_rt: Roltrap, q: Questionnaire) -> None:
    wb = load_workbook(io.BytesIO(triage_rt.triage.template()))
    ws = wb["Caseload"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, 14):
        ws.cell(r, col["Wijk"], "Merenwijkdistrict")
        ws.cell(r, col["Migratieachtergrond"], "Statushouder (vluchteling met verblijfsvergunning)")
        ws.cell(r, col["Hoogst afgeronde opleiding"], "Hoog")
        ws.cell(r, col["Bron van inkomen"], "Loon; WW-uitkering")
    buf = io.BytesIO()
    wb.save(buf)
    res = triage_rt.triage.caseload(buf.getvalue())
    assert res.n_clients == 12 and res.types.loc["Hooggeschoolde statushouders", "WK054608"] == 12


def test_coach_pages_link_the_template_and_it_downloads(client: TestClient) -> None:
    for page in ("/coach", "/coach/caseload"):
        text = client.get(page).text
        assert 'id="template-link"' in text and "/coach/caseload/sjabloon.xlsx" in text
        main = text.split("<main", 1)[-1].split("</main>", 1)[0]
        assert "roltrap triage" not in main and "--caseload" not in main
    res = client.get("/coach/caseload/sjabloon.xlsx", params={"gemeente": "GM0546"})
    assert res.status_code == 200 and res.headers["content-type"] == XLSX
    assert res.headers["cache-control"] == "no-store" and "attachment" in res.headers["content-disposition"]
    assert load_workbook(io.BytesIO(res.content)).sheetnames[0] == "Caseload"
    unknown = client.get("/coach/caseload/sjabloon.xlsx", params={"gemeente": "Nergenshuizen"})
    assert unknown.status_code == 404 and "Nergenshuizen" not in unknown.text


def test_cli_writes_the_template(tmp_path: Path, bundled_db: Path) -> None:
    db = tmp_path.parent / f"{tmp_path.name}-store.duckdb"
    shutil.copy(bundled_db, db)
    out = tmp_path / "sjabloon.xlsx"
    res = CliRunner().invoke(cli_app, ["--db", str(db), "triage", "--template", str(out),
                                       "--gemeente", "Leiden"])
    assert res.exit_code == 0, res.output
    assert [p.name for p in tmp_path.iterdir()] == ["sjabloon.xlsx"], "no temporary file is left behind"
    assert load_workbook(out).sheetnames == ["Caseload", "Uitleg", "Keuzelijsten"]
    bad = CliRunner().invoke(cli_app, ["--db", str(db), "triage", "--template", str(tmp_path)])
    assert bad.exit_code == 2 and "map" in bad.output
