"""Off the demo path: another municipality (Groningen), buurten, every year, the chooser, downloads,
form errors. In process, on a store with real bundled data plus four test buurten (see web_fixtures)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from web_fixtures import BUURTEN
from web_html import Page

from roltrap.core import Roltrap
from roltrap.web.views import Views

# An internal indicator id (a_inw, p_hh_110, g_ink_pi, bev_dich …) in the text a user reads.
CODE = re.compile(r"\b(?:[a-z]{1,4}_[a-z0-9]+(?:_[a-z0-9]+)*)\b")


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles or attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def _ok(client: TestClient, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:400])
    text = _Text(r.text).text
    codes = sorted(set(CODE.findall(text)))
    assert not codes, f"internal codes on {path}: {codes}"
    return r.text


def test_groningen_stad_defaults_to_latest_year_and_says_so(bclient: TestClient, rt_buurt: Roltrap) -> None:
    body = bclient.get("/gemeente/GM0014.json").json()
    years, latest = Views(rt_buurt).page_years("GM0014")
    assert body["name"] == "Groningen" and body["year"] == latest == max(years)
    assert body["years"] == years and all(y >= 2012 for y in years)
    html = _ok(bclient, "/gemeente/GM0014")
    assert f"Cijfers over {latest}, het laatste jaar met cijfers." in html
    page = Page(html)
    # The chooser shows Groningen, and every menu link keeps it.
    assert "/kaart?gemeente=GM0014" in page.nav and "/wijk?gemeente=GM0014" in page.nav
    assert "/gemeente/GM0014" in page.nav


def test_every_year_of_every_level_renders_without_codes(bclient: TestClient, rt_buurt: Roltrap) -> None:
    v = Views(rt_buurt)
    for gm in ("GM0546", "GM0014"):
        years, _ = v.page_years(gm)
        for y in years:
            _ok(bclient, f"/gemeente/{gm}?year={y}")
        wijk = str(rt_buurt.children(gm, level="wijk")["code"].iloc[0])
        for y in v.page_years(wijk)[0]:
            _ok(bclient, f"/wijk/{wijk}?year={y}")
            assert bclient.get(f"/wijk/{wijk}.json?year={y}").status_code == 200
        kaart = bclient.get(f"/kaart.json?gemeente={gm}").json()
        for opt in kaart["options"][:40]:  # every indicator of the list, its every year, no error page
            for y in opt["years"]:
                r = bclient.get(f"/kaart.json?gemeente={gm}&indicator={opt['id']}&year={y}")
                assert r.status_code == 200, (gm, opt["id"], y, r.text[:300])
    for code in BUURTEN:
        _ok(bclient, f"/buurt/{code}")


def test_wijk_lists_its_buurten_with_figures_and_links(bclient: TestClient) -> None:
    html = _ok(bclient, "/wijk/WK001400")
    page = Page(html)
    assert "/buurt/BU00140000" in page.links and "/buurt/BU00140001" in page.links
    table = next(t for t in page.tables if t and t[0][0] == "Buurt")
    rows = {r[0]: r for r in table[1:]}
    assert rows["Binnenstad-Noord"][1] == "12.000"
    # A count under 10 persons (5 on bijstand) is never shown.
    header = table[0]
    wb = next(i for i, h in enumerate(header) if "bijstand" in h.lower())
    assert rows["Binnenstad-Zuid"][wb] == "n.b." and rows["Binnenstad-Noord"][wb] == "40"
    body = bclient.get("/wijk/WK001400.json").json()
    assert [r["code"] for r in body["buurten"]["rows"]] == ["BU00140000", "BU00140001"]


def test_buurt_page_and_twin(bclient: TestClient) -> None:
    body = bclient.get("/buurt/BU00140000.json").json()
    assert body["name"] == "Binnenstad-Noord" and body["level"] == "buurt"
    assert body["wijk"]["code"] == "WK001400" and body["gemeente"]["code"] == "GM0014"
    fig = {f["id"]: f for f in body["figures"]}
    assert fig["a_inw"]["value"] == 12000 and fig["a_inw"]["city_value"] == 234950  # against the city
    page = Page(_ok(bclient, "/buurt/BU00140000"))
    assert page.h1.strip() == "Binnenstad-Noord"
    assert "/wijk/WK001400" in page.links and "/buurt/BU00140000.pdf?year=2022" in page.links
    r = bclient.get("/buurt/WK001400.json")
    assert r.status_code == 404 and "/wijk/WK001400" in r.json()["error"]["hint"]


def test_vergelijk_mixes_levels_and_links_each_to_its_page(bclient: TestClient) -> None:
    body = bclient.get("/vergelijk.json?codes=GM0546,WK054608,BU00140000").json()
    assert [r["url"] for r in body["regions"]] == ["/gemeente/GM0546", "/wijk/WK054608", "/buurt/BU00140000"]
    inw = next(r for r in body["rows"] if r["id"] == "a_inw")
    assert inw["values"][2] == 12000
    page = Page(_ok(bclient, "/vergelijk?codes=GM0546,WK054608,BU00140000"))
    assert {"/gemeente/GM0546", "/wijk/WK054608", "/buurt/BU00140000"} <= set(page.links)


def test_kaart_for_another_municipality_and_buurten(bclient: TestClient) -> None:
    body = bclient.get("/kaart.json?gemeente=GM0014").json()
    assert body["gemeente"]["code"] == "GM0014" and body["rows"]
    assert all(r["url"].startswith("/wijk/WK0014") for r in body["rows"])
    assert {lv["id"] for lv in body["levels"]} == {"wijk", "buurt"}
    assert all(e["count"] > 0 for e in body["legend"])
    buurt = bclient.get("/kaart.json?gemeente=GM0014&level=buurt&indicator=a_inw")
    assert buurt.status_code == 200
    body = buurt.json()
    assert body["level"] == "buurt" and body["scheme_used"] == "quantile"  # a count: quantiles
    assert {r["code"]: r["value"] for r in body["rows"]}["BU00140000"] == 12000
    assert all(r["url"] == f"/buurt/{r['code']}" for r in body["rows"])
    assert body["spec"] is not None  # the test buurten have shapes
    _ok(bclient, "/kaart?gemeente=GM0014&level=buurt&indicator=a_inw")
    html = _ok(bclient, "/kaart?gemeente=GM0014")
    assert "Tik of beweeg over een wijk" in html


def test_chooser_goes_to_the_same_page_for_the_typed_municipality(bclient: TestClient) -> None:
    for typed, naar, target in (
        ("Groningen", "kaart", "/kaart?gemeente=GM0014"),
        ("gm0014", "stad", "/gemeente/GM0014"),
        ("Groningen (GM0014)", "wijk", "/wijk?gemeente=GM0014"),
        ("Leiden", "vergelijk", "/vergelijk?gemeente=GM0546"),
    ):
        r = bclient.get(f"/gemeente?gemeente={typed}&naar={naar}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == target, typed
    r = bclient.get("/gemeente?gemeente=Atlantis&naar=kaart")
    assert r.status_code == 404
    page = Page(r.text)
    assert "Atlantis" in page.by_id["fout-gemeente"]
    assert 'value="Atlantis"' in r.text  # the form keeps what was typed
    # Every municipality of the store is in the chooser's list.
    html = bclient.get("/kaart?gemeente=GM0014").text
    assert html.count("<option value=") >= 442


def test_downloads_keep_the_page_figures_and_suppression(bclient: TestClient) -> None:
    from openpyxl import load_workbook

    page = Page(bclient.get("/wijk/WK001400").text)
    assert "/wijk/WK001400.csv?tabel=buurten" in page.links
    assert "/wijk/WK001400.xlsx?tabel=buurten" in page.links
    r = bclient.get("/wijk/WK001400.csv?tabel=buurten")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split(";")
    noord = next(line for line in lines if "Binnenstad-Noord" in line).split(";")
    zuid = next(line for line in lines if "Binnenstad-Zuid" in line).split(";")
    inw = next(i for i, h in enumerate(header) if "inwoners" in h.lower())
    wb = next(i for i, h in enumerate(header) if "bijstand" in h.lower())
    assert noord[inw] == "12000" and noord[wb] == "40"
    assert zuid[wb] in ("", "onderdrukt")  # 5 persons: never exported
    r = bclient.get("/wijk/WK001400.xlsx")
    assert r.status_code == 200
    wb_ = load_workbook(io.BytesIO(r.content))
    assert "Kerncijfers" in wb_.sheetnames and "Buurten" in wb_.sheetnames and "Bronnen" in wb_.sheetnames
    cells = [c for row in wb_["Buurten"].iter_rows(values_only=True) for c in row]
    assert 12000 in cells and 5 not in cells
    for path in (
        "/gemeente/GM0014.csv",
        "/kaart.csv?gemeente=GM0014",
        "/kaart.xlsx?gemeente=GM0014",
        "/vergelijk.csv?codes=GM0546,BU00140000",
        "/bronnen.xlsx",
        "/buurt/BU00140000.xlsx",
    ):
        assert bclient.get(path).status_code == 200, path


@pytest.mark.parametrize(
    ("path", "field", "words"),
    [
        ("/kaart?indicator=zzz", "indicator", "zzz"),
        ("/kaart?year=abc", "year", "abc"),
        ("/wijk/WK054608?year=1999", "year", "1999"),
        ("/gemeente/GM0546?year=abc", "year", "abc"),
        ("/vergelijk?codes=WK054603,ONBEKEND", "codes", "ONBEKEND"),
        ("/vergelijk?codes=WK054603", "codes", "2 tot 4"),
    ],
)
def test_form_errors_reshow_the_form_with_the_message_beside_the_field(
    bclient: TestClient, path: str, field: str, words: str
) -> None:
    r = bclient.get(path)
    assert r.status_code == 422, (path, r.status_code)
    page = Page(r.text)
    assert words in page.by_id[f"fout-{field}"]
    assert (
        "Traceback" not in r.text and "Input should" not in r.text and "--" not in page.by_id[f"fout-{field}"]
    )
    assert page.tables or "<form" in r.text  # the page with its form, not a bare error page
