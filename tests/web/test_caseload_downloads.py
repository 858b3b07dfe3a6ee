"""The caseload result on the web gets the CLI's CSV and Excel: the same protected tables, byte for
byte; suppressed cells stay "onderdrukt"; nothing of the upload itself is in them."""

from __future__ import annotations

import base64
import io
import re
import shutil
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from roltrap.cli.main import app as cli_app

# Hand-counted (see tests/triage): 30 + 25 statushouders, 14 + 3 lvb, 20 + 20 kampers = 112 clients;
# lvb in Stationsdistrict (3) is under 10, and the kampers cells go with it as secondary suppression.
LINES = ["wijk;migratie;opleiding;gezondheid;wonen"]
LINES += ["WK054600;statushouder;hoog;;"] * 30 + ["Stationsdistrict;statushouder;hoog;;"] * 25
LINES += ["WK054600;;;lvb;"] * 14 + ["Stationsdistrict;;;lvb;"] * 3
LINES += ["WK054600;;;;woonwagen"] * 20 + ["54602;;;;Woonwagen of standplaats"] * 20
CASELOAD = ("\n".join(LINES) + "\n").encode()


def _data_url(html: str, kind: str) -> bytes:
    m = re.search(rf'href="data:{kind}[^;"]*(?:;charset=utf-8)?;base64,([^"]+)" download="([^"]+)"', html)
    assert m, kind
    return base64.b64decode(m.group(1))


def test_result_page_links_csv_and_excel_of_the_protected_tables(client: TestClient, bundled_db: Path,
                                                                tmp_path: Path) -> None:
    r = client.post("/coach/caseload", data={"gemeente": "Leiden"},
                    files={"bestand": ("caseload.csv", CASELOAD, "text/csv")})
    assert r.status_code == 200
    assert 'id="caseload-downloads"' in r.text and "Download CSV" in r.text and "Download Excel" in r.text
    assert r.headers["cache-control"] == "no-store"
    csv = _data_url(r.text, "text/csv")
    xlsx = _data_url(r.text, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # The CLI writes the same CSV for the same file.
    db = tmp_path / "cli.duckdb"
    shutil.copy(bundled_db, db)
    src = tmp_path / "caseload.csv"
    src.write_bytes(CASELOAD)
    res = CliRunner().invoke(cli_app, ["--db", str(db), "triage", "--caseload", str(src), "--format", "csv",
                                       "--out", str(tmp_path / "cli.csv")], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli.csv").read_bytes() == csv
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0] == "tabel;rij;wijk;aantal"
    assert "typen;Hooggeschoolde statushouders;WK054600;30" in lines
    assert "typen;Hooggeschoolde statushouders;WK054602;25" in lines
    assert "typen;Lichte verstandelijke beperking;WK054602;onderdrukt" in lines  # 3 clients
    assert "typen;Kampers;WK054600;onderdrukt" in lines  # secondary
    assert "typen;Totaal;WK054600;64" in lines
    # Only table cells: no line per client, no value of the upload that is not a count or a label.
    assert len(lines) < len(LINES) and "statushouder;hoog" not in csv.decode("utf-8-sig")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Typen per wijk", "Stijlen per wijk", "Wijkcijfers", "Bronnen"]
    ws = wb["Typen per wijk"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["Hooggeschoolde statushouders"]["WK054600"] == 30
    assert rows["Lichte verstandelijke beperking"]["WK054602"] == "onderdrukt"
    dist = [c.value for c in wb["Wijkcijfers"][1]]
    assert dist[:3] == ["Wijk", "Naam", "Inwoners"] and "Cliënten per 1.000 inwoners" in dist
    note = " ".join(str(c.value) for c in wb["Bronnen"]["A"] if c.value)
    assert "onderdrukt" in note


def test_the_same_files_from_the_api(client: TestClient) -> None:
    files = {"bestand": ("caseload.csv", CASELOAD, "text/csv")}
    page = client.post("/coach/caseload", data={"gemeente": "Leiden"}, files=files).text
    csv = client.post("/coach/caseload.csv", data={"gemeente": "Leiden"}, files=files)
    assert csv.status_code == 200 and csv.content == _data_url(page, "text/csv")
    assert 'filename="caseload-per-wijk.csv"' in csv.headers["content-disposition"]
    xlsx = client.post("/coach/caseload.xlsx", data={"gemeente": "Leiden"}, files=files)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    js = client.post("/coach/caseload.json", data={"gemeente": "Leiden"}, files=files)
    assert js.status_code == 200 and js.json()["n_clients"] == 112
    bad = client.post("/coach/caseload.csv", data={"gemeente": "Leiden"},
                      files={"bestand": ("c.csv", b"naam;wijk\nJan Jansen;WK054600\n", "text/csv")})
    assert bad.status_code == 422 and "Jan Jansen" not in bad.text
    assert client.post("/coach/caseload.pdf", files=files).status_code == 422
