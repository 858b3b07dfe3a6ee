"""The Nabijheid page: in process (HTML parsed, JSON twin) and in real headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from live_app import CHROMIUM, CHROMIUM_ARGS, serve
from roltrap.core import Roltrap
from roltrap.web.app import create_app

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
OSM = "© OpenStreetMap-bijdragers (ODbL)"


@pytest.fixture(scope="module")
def app(bundled_db: Path) -> Iterator[FastAPI]:
    rt = Roltrap(bundled_db, read_only=True)
    yield create_app(rt)
    rt.close()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


class Cells(HTMLParser):
    """Text of every cell of the table with the given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.cell, self.rows = table_id, False, None, []  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


def table(html: str, table_id: str) -> list[list[str]]:
    p = Cells(table_id)
    p.feed(html)
    return [r for r in p.rows if r]


def test_page_shows_minutes_per_wijk_with_attribution(client: TestClient, app: FastAPI) -> None:
    r = client.get("/nabijheid?soort=treinstation&mode=lopen")
    assert r.status_code == 200
    rows = table(r.text, "nabijheid-tabel")
    assert len(rows) == 1 + 10  # header + ten wijken
    noord = next(row for row in rows if row[0].startswith("Leiden-Noord"))
    res = app.state.rt.access.answers(gemeente="GM0546", soort="treinstation", mode="lopen").rows
    want = res[(res["code"] == "WK054603") & (res["method"] == "netwerk")]["minutes"].iloc[0]
    assert noord[1] == f"{want:.1f}".replace(".", ",") + " min"
    assert r.text.count(OSM) >= 2  # map and isochrone
    assert 'class="vl-spec"' in r.text and "Nabijheid" in r.text
    assert table(r.text, "isochroon-tabel")[1][0] == "0–5 min"


def test_json_twin_and_area_detail(client: TestClient) -> None:
    d = client.get("/nabijheid.json?soort=centrum&mode=fiets&gebied=WK054603").json()
    assert d["mode"] == "fiets" and d["soort"] == "centrum" and d["attribution"] == OSM
    assert d["area"]["code"] == "WK054603"
    assert {r["soort"] for r in d["area"]["rows"]} >= {"treinstation", "centrum", "bushalte"}
    assert len(d["rows"]) == 10 and all(r["mode"] == "fiets" for r in d["rows"])
    beyond = [n for n in d["need"] if n["beyond_15"] != "onderdrukt"]
    assert all(n["beyond_15_value"] >= 10 for n in beyond)


def test_stale_bus_stops_are_marked(client: TestClient) -> None:
    r = client.get("/nabijheid?soort=bushalte")
    assert 'id="verouderd"' in r.text and "2015" in r.text


def test_other_municipality_shows_cbs_minutes(client: TestClient) -> None:
    r = client.get("/nabijheid?gemeente=GM0344&soort=huisarts")
    assert r.status_code == 200 and 'id="cbs-only"' in r.text
    assert OSM not in r.text  # no OSM data used on this view
    assert "CBS-afstand" in r.text


def test_bad_parameters_are_dutch_errors(client: TestClient) -> None:
    assert client.get("/nabijheid.json?soort=kroeg").status_code == 422
    assert client.get("/nabijheid.json?mode=auto").status_code == 422
    r = client.get("/nabijheid.json?level=buurt")
    assert r.status_code == 404 and "buurt" in r.json()["error"]["message"]


def test_template_download(client: TestClient) -> None:
    r = client.get("/nabijheid/sjabloon.csv")
    assert r.status_code == 200 and r.content.startswith("\ufeffnaam;soort".encode())
    x = client.get("/nabijheid/sjabloon.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"


@pytest.mark.browser
def test_browser_switch_mode_kind_and_click_an_area(app: FastAPI) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        external: list[str] = []
        page.on(
            "request",
            lambda req: external.append(req.url) if not req.url.startswith((url, "data:", "blob:")) else None,
        )
        page.goto(f"{url}/nabijheid")
        shapes = page.locator("#nabijheid-kaart .mark-geoshape path, #nabijheid-kaart .mark-shape path")
        expect(shapes.first).to_be_visible(timeout=20000)
        walk = page.locator("#nabijheid-tabel tbody tr").first.locator("td").first.inner_text()

        page.locator("#mode").select_option("fiets")  # autosubmits
        page.wait_for_url(re.compile(r".*mode=fiets.*"))
        expect(shapes.first).to_be_visible(timeout=20000)
        bike = page.locator("#nabijheid-tabel tbody tr").first.locator("td").first.inner_text()
        assert float(bike.split()[0].replace(",", ".")) < float(walk.split()[0].replace(",", "."))

        page.locator("#soort").select_option("centrum")
        page.wait_for_url(re.compile(r".*soort=centrum.*"))
        expect(page.locator("h2").first).to_contain_text("stadscentrum")
        expect(page.locator("#nabijheid-isochroon svg")).to_be_visible(timeout=20000)
        page.screenshot(path=str(SHOTS / "nabijheid.png"), full_page=True)

        shapes.nth(shapes.count() - 1).click(force=True)
        page.wait_for_url(re.compile(r".*gebied=WK0546\d\d.*"), timeout=15000)
        expect(page.locator("#gebied-kop")).not_to_be_empty()
        expect(page.locator("#gebied table tbody tr").first).to_be_visible()
        assert page.locator(".attribution").first.inner_text() == OSM
        browser.close()
    assert not errors, errors
    assert not external, external


def test_page_on_a_server_store_that_holds_no_connection(bundled_db: Path, tmp_path: Path) -> None:
    """The server opens its store with hold=False: every page runs in a short session."""
    import shutil

    from roltrap.settings import Settings

    db = tmp_path / "server.duckdb"
    shutil.copy(bundled_db, db)
    with TestClient(create_app(settings=Settings(db=db))) as c:
        r = c.get("/nabijheid.json?soort=centrum")
        assert r.status_code == 200, r.text
        assert len(r.json()["rows"]) == 10
