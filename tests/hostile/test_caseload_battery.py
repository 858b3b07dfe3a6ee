"""The hostile battery for caseload uploads and the coach's JSON answers.

Every case goes through the CLI (``roltrap triage --caseload`` / ``--answers``: exit code 2, one
Dutch message, no traceback) and the web app (``/coach/caseload``, ``/coach/caseload.json``,
``/coach.json``: a 4xx with a Dutch message). In every channel: no identifying value from the file
is repeated, the row and column are named where one cell is at fault, and nothing is written to
disk (the temp dir stays empty, the input folder holds only the input).
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from typer.testing import CliRunner

from roltrap.cli.main import app as cli_app
from roltrap.core import Roltrap

BSN = "111222333"  # passes the elfproef
BSN_B = "123456782"
EMAIL = "fatima.el.amrani@voorbeeld.nl"
DOB = "12-03-1985"
POSTCODE = "2312 AB"
NAME = "Fatima El Amrani"
NAME_B = "Johannes van der Berg"
CLI_TIP = re.compile(r"`roltrap|roltrap (?:triage|import|serve|regions|fetch|show|sources)|--[a-z]")


def _xlsx(rows: list[list[object]], *, edit: Callable[[object], None] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Caseload"
    for r in rows:
        ws.append(r)
    if edit is not None:
        edit(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    """A real workbook whose sheet unpacks to 60 MB (about 60 kB packed)."""
    base = _xlsx([["Wijk", "Leeftijd"], ["Merenwijk", "27_49"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 60_000_000, 1)
            dst.writestr(info.filename, data)
    return out.getvalue()


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", f"<office:document-content>{NAME}</office:document-content>")
    return out.getvalue()


def _far_row(ws: object) -> None:
    ws["A500000"] = "Merenwijk"  # type: ignore[index]


def _merged(ws: object) -> None:
    ws.merge_cells("A2:A5")  # type: ignore[attr-defined]


def _formula(ws: object) -> None:
    ws["B3"] = '=HYPERLINK("http://x","27_49")'  # type: ignore[index]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    suffix: str = ".csv"
    secrets: tuple[str, ...] = ()  # may appear nowhere in any answer
    expect: tuple[str, ...] = ()  # Dutch words, rows and columns every channel must show
    expect_cli: tuple[str, ...] = ()
    expect_web: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)  # gemeente / niveau
    cli: bool = True  # the CLI's limits are wider: some cases are web-only


LEIDEN_ROWS = "Merenwijk,27_49,vrouw\n" * 3

CASES = [
    Case("headerless: BSN, date of birth, e-mail, postcode in row 1",
         f"{BSN},{DOB},{EMAIL},{POSTCODE}\n{BSN_B},01-01-1990,a@b.nl,2311 CD\n".encode(),
         secrets=(BSN, DOB, EMAIL, POSTCODE, BSN_B), expect=("Rij 1", "kolom A, B, C, D", "niets verwerkt")),
    Case("headerless: codes and answers in row 1", b"WK054608,27_49,vrouw\nWK054600,aow,man\n",
         secrets=("WK054608", "27_49"), expect=("Rij 1", "gegevens van een cliënt", "kolom A, B, C")),
    Case("header row made of names", f"{NAME},{NAME_B}\nMerenwijk,27_49\n".encode(),
         secrets=(NAME, NAME_B), expect=("Rij 1", "geen bekende kolomnamen")),
    Case("a name as one heading beside known ones", f"Wijk,Leeftijd,{NAME}\n{LEIDEN_ROWS}".encode(),
         secrets=(NAME,), expect=("kolom 'C'", "onbekende kolomnaam")),
    Case("identifying headings (BSN, Naam cliënt)",
         f"Wijk,BSN,Naam cliënt\nMerenwijk,{BSN},{NAME}\n".encode(),
         secrets=(BSN, NAME, "Naam cliënt"), expect=("kolom 'B'", "kolom 'C'", "persoonsgegevens")),
    Case("a BSN in an answer column", f"Wijk,Leeftijd\nMerenwijk,27_49\nMerenwijk,{BSN}\n".encode(),
         secrets=(BSN,), expect=("B (Leeftijdsgroep)", "rij 3", "elfproef")),
    Case("UTF-16 with BOM, tab-separated, a date of birth",
         f"Wijk\tLeeftijd\tGeslacht\nMerenwijk\t{DOB}\tvrouw\n".encode("utf-16"),
         secrets=(DOB,), expect=("B (Leeftijdsgroep)", "rij 2", "datum")),
    Case("UTF-16 without BOM, an e-mail address",
         f"Wijk,Leeftijd\nMerenwijk,{EMAIL}\n".encode("utf-16-le"),
         secrets=(EMAIL,), expect=("B (Leeftijdsgroep)", "rij 2", "contactgegevens")),
    Case("UTF-8 BOM with ';' and a name as an answer",
         f"\ufeffWijk;Leeftijd;Werk\nMerenwijk;27_49;Vast contract | Uitzendwerk\n"
         f"Merenwijk;{NAME};\n".encode(),
         secrets=(NAME,), expect=("rij 3", "B (Leeftijdsgroep)", "onbekend antwoord")),
    Case("';' file whose multi-answer ';' spills into a column without heading",
         b"Wijk;Leeftijd;Werk\nMerenwijk;27_49;Vast contract;Uitzendwerk\n",
         secrets=("Uitzendwerk",), expect=("kolom 'D'", "geen kolomnaam")),
    Case("Windows-1252 with a name heading (Zoë)", "Wijk;Zoë de Vries\nMerenwijk;x\n".encode("cp1252"),
         secrets=("Zoë", "Vries"), expect=("kolom 'B'", "onbekende kolomnaam")),
    Case("Excel with a formula", _xlsx([["Wijk", "Leeftijd"], ["Merenwijk", "27_49"], ["Merenwijk", None]],
                                       edit=_formula),
         suffix=".xlsx", secrets=("HYPERLINK",), expect=("formule", "rij 3", "kolom 'B'")),
    Case("Excel with merged cells",
         _xlsx([["Wijk", "Leeftijd"], ["Merenwijk", "27_49"], [None, "aow"], [None, "aow"], [None, "aow"]],
               edit=_merged), suffix=".xlsx", expect=("samengevoegde cellen", "A2:A5")),
    Case("Excel date of birth and a BSN as a number",
         _xlsx([["Wijk", "Leeftijd", "Geslacht"], ["Merenwijk", datetime(1985, 3, 12), "vrouw"],
                ["Merenwijk", "27_49", int(BSN)]]), suffix=".xlsx",
         secrets=("1985", BSN), expect=("B (Leeftijdsgroep)", "rij 2", "datum", "C (Geslacht)", "rij 3")),
    Case("xlsx zip bomb (60 MB sheet in 60 kB)", _zip_bomb(), suffix=".xlsx",
         expect=("uitgepakt veel te groot",)),
    Case("OpenDocument spreadsheet", _ods(), suffix=".ods", secrets=(NAME,), expect=("OpenDocument",)),
    Case("old Excel .xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + NAME.encode() + b"\x00" * 512, suffix=".xls",
         secrets=(NAME,), expect=(".xls",)),
    Case("a huge cell (200 kB)",
         ("Wijk,Leeftijd\nMerenwijk,27_49\nMerenwijk," + NAME * 12_000 + "\n").encode(),
         secrets=(NAME,), expect=("rij 3", "te lang")),
    Case("a long cell (600 characters)", ("Wijk,Leeftijd\nMerenwijk," + "x" * 600 + "\n").encode(),
         expect=("rij 2", "kolom 'B'", "500 tekens")),
    Case("too many rows", b"Wijk,Leeftijd\n" + b"WK054608,27_49\n" * 100_001,
         expect_cli=("meer dan 100.000 rijen",), expect_web=("te groot",)),
    Case("too many rows for the web (20,001)", b"Wijk,Leeftijd\n" + b"WK054608,27_49\n" * 20_001,
         expect_web=("meer dan 20.000 rijen",), cli=False),
    Case("Excel with a value on row 500,000", _xlsx([["Wijk", "Leeftijd"], ["Merenwijk", "27_49"]],
                                                    edit=_far_row),
         suffix=".xlsx", expect=("meer dan", "rijen")),
    Case("a NUL byte after the first 64 kB",
         b"Wijk,Leeftijd\n" + b"Merenwijk,27_49\n" * 5_000 + b"Mer\x00enwijk,aow\n",
         expect=("geen CSV",)),
    Case("too many columns (61)",
         (",".join(["Wijk"] + [f"x{i}" for i in range(60)]) + "\nMerenwijk\n").encode(),
         expect=("Rij 1", "61 kolommen")),
    Case("unknown answers in two rows",
         b"Wijk,Leeftijd,Inkomen\nMerenwijk,27_49,Loon\nMerenwijk,honderd,Loon\nMerenwijk,27_49,Loterij\n",
         secrets=("honderd", "Loterij"),
         expect=("rij 3", "B (Leeftijdsgroep)", "rij 4", "C (Bron van inkomen)")),
    Case("a person's name in the wijk column", f"Wijk,Leeftijd\nMerenwijk,27_49\n{NAME},aow\n".encode(),
         secrets=(NAME,), expect=("rij 3", "A (Wijk)", "onbekende wijk")),
    Case("a wijk of another municipality", b"Wijk,Leeftijd\nWK036306,27_49\n",
         expect=("rij 2", "A (Wijk)", "WK036306 is een wijk van Amsterdam, niet van Leiden")),
    Case("an ambiguous wijk name", b"Wijk,Leeftijd\nBinnenstad,27_49\n",
         expect=("rij 2", "Binnenstad-Zuid (WK054600)", "Binnenstad-Noord (WK054601)")),
    Case("the same question twice", b"Wijk,Leeftijd,Leeftijdsgroep\nMerenwijk,27_49,27_49\n",
         expect=("kolommen B, C", "Leeftijdsgroep")),
    Case("no wijk column", b"Leeftijd,Geslacht\n27_49,vrouw\n", expect=("Wijk", "ontbreekt")),
    Case("buurt level without buurten in the store", b"Buurt,Leeftijd\nBU05460800,27_49\n",
         expect=("geen buurten van Leiden",)),
    Case("empty file", b"", expect=("leeg",)),
    Case("only whitespace", b"  \r\n\r\n \t\n", expect=("leeg",)),
    Case("header row only", b"Wijk,Leeftijd\n", expect=("geen cliënten",)),
    Case("binary junk", bytes(range(256)) * 40, secrets=(), expect=("geen CSV",)),
    Case("terminal escapes in cells", b"Wijk,Leeftijd\nMerenwijk,\x1b[31m27_49\x1b[0m\n",
         expect=("geen CSV",)),
    Case("an unclosed quote", b'Wijk,Leeftijd\nMerenwijk,"27_49\nMerenwijk,aow\n',
         expect=("aanhalingstekens",)),
    Case("an unknown municipality", b"Wijk,Leeftijd\nMerenwijk,27_49\n", options={"gemeente": NAME},
         secrets=(NAME,), expect=("gemeente staat niet in de database",)),
]


@pytest.fixture(scope="module")
def store(bundled_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("battery") / "store.duckdb"
    shutil.copy(bundled_db, copy)
    return copy


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[TestClient]:
    from roltrap.web.app import create_app

    rt = Roltrap(store, read_only=True)
    with TestClient(create_app(rt)) as c:
        yield c
    rt.close()


@pytest.fixture
def empty_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _no_echo(text: str, case: Case) -> None:
    assert "Traceback" not in text and "Error" not in text, text[:500]
    for secret in case.secrets:
        assert secret not in text, f"{case.name}: the file's content '{secret}' was repeated"


def _has(text: str, words: tuple[str, ...], case: Case) -> None:
    for word in words:
        assert word in text, f"{case.name}: expected {word!r} in:\n{text[:1500]}"


CLI_CASES = [c for c in CASES if c.cli]


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.name for c in CLI_CASES])
def test_cli_refuses_with_exit_2(case: Case, store: Path, tmp_path: Path, empty_tempdir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / f"caseload{case.suffix}"
    path.write_bytes(case.data)
    args = ["--db", str(store), "triage", "--caseload", str(path), "--format", "json"]
    if "gemeente" in case.options:
        args += ["--gemeente", case.options["gemeente"]]
    res = CliRunner().invoke(cli_app, args)
    out = res.stdout + res.stderr
    assert res.exit_code == 2, out[:1500]
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert out.startswith("Fout:"), out[:300]
    _no_echo(out, case)
    _has(out, case.expect + case.expect_cli, case)
    assert sorted(p.name for p in folder.iterdir()) == [path.name]
    assert list(empty_tempdir.iterdir()) == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_web_refuses_with_a_dutch_4xx(case: Case, client: TestClient, empty_tempdir: Path) -> None:
    files = {"bestand": (f"caseload{case.suffix}", case.data, "application/octet-stream")}
    data = dict(case.options)
    api = client.post("/coach/caseload.json", files=files, data=data)
    assert 400 <= api.status_code < 500, api.text[:500]
    error = api.json()["error"]
    api_text = error["message"] + "\n" + (error["hint"] or "")
    _no_echo(api.text, case)
    _has(api_text, case.expect + case.expect_web, case)
    raw = client.post("/coach/caseload.json", content=case.data, params=data,
                      headers={"content-type": "application/octet-stream"})
    assert 400 <= raw.status_code < 500
    _no_echo(raw.text, case)
    page = client.post("/coach/caseload", files=files, data=data)
    assert 400 <= page.status_code < 500
    text = html.unescape(page.text)
    _no_echo(text, case)
    _has(text, case.expect + case.expect_web, case)
    main = re.sub(r"<style.*?</style>", "", text.split("<main", 1)[-1].split("</main>", 1)[0], flags=re.S)
    assert not CLI_TIP.search(main), "no command-line tips on a web page"
    assert list(empty_tempdir.iterdir()) == []


# -- the coach's JSON answers (one person) -----------------------------------------------------------
@dataclass(frozen=True)
class AnswersCase:
    name: str
    body: bytes
    secrets: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    web_only: bool = False


ANSWER_CASES = [
    AnswersCase("deeply nested JSON", b"[" * 20_000 + b"]" * 20_000, expect=("diep genest",)),
    AnswersCase("deeply nested JSON in a value", b'{"leeftijd": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
                expect=("diep genest",)),
    AnswersCase("a BSN as a question", json.dumps({BSN: "27_49", "leeftijd": "27_49"}).encode(),
                secrets=(BSN,), expect=("onbekende vraag (veld 1)",)),
    AnswersCase("a name as an answer", json.dumps({"leeftijd": NAME}).encode(), secrets=(NAME,),
                expect=("leeftijd", "onbekend antwoord")),
    AnswersCase("not an object", json.dumps([NAME, BSN]).encode(), secrets=(NAME, BSN),
                expect=("JSON-object",)),
    AnswersCase("not JSON", f"leeftijd={NAME}".encode(), secrets=(NAME,), expect=("geen geldige JSON",)),
    AnswersCase("binary junk", bytes(range(256)), expect=("geen",)),
    AnswersCase("a 2 MB body", json.dumps({"leeftijd": "x" * 2_000_000}).encode(), expect=("te groot",)),
    AnswersCase("nested objects as answers",
                json.dumps({"werk": [{"a": [NAME]}], "leeftijd": {"x": 1}}).encode(),
                secrets=(NAME,), expect=("werk", "leeftijd", "onbekend antwoord")),
]


@pytest.mark.parametrize("case", ANSWER_CASES, ids=[c.name for c in ANSWER_CASES])
def test_answers_are_refused_on_cli_and_web(case: AnswersCase, client: TestClient, tmp_path: Path,
                                             empty_tempdir: Path) -> None:
    res = client.post("/coach.json", content=case.body, headers={"content-type": "application/json"})
    assert 400 <= res.status_code < 500, res.text[:300]
    message = res.json()["error"]["message"]
    for word in case.expect:
        assert word in message, f"{case.name}: {message[:500]}"
    for secret in case.secrets:
        assert secret not in res.text
    assert "Traceback" not in res.text
    path = tmp_path / "antwoorden.json"
    path.write_bytes(case.body)
    cli = CliRunner().invoke(cli_app, ["triage", "--answers", str(path), "--format", "json"])
    out = cli.stdout + cli.stderr
    assert cli.exit_code == 2, out[:500]
    assert out.startswith("Fout:") and "Traceback" not in out
    for secret in case.secrets:
        assert secret not in out
    assert list(empty_tempdir.iterdir()) == []


def test_the_form_refuses_a_huge_body(client: TestClient) -> None:
    res = client.post("/coach", content=b"leeftijd=" + b"x" * 100_000,
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert res.status_code == 422 and "te groot" in html.unescape(res.text)
