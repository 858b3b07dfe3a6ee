"""End to end in real headless Chromium: Stad → Kaart (pick an indicator) → click a district → PDF."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from live_app import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_stad_kaart_wijk_pdf(browser: object, live_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    external: list[str] = []
    page.on("request", lambda req: external.append(req.url) if not req.url.startswith(
        (live_server, "data:", "blob:")) else None)

    page.goto(f"{live_server}/")
    expect(page.locator("#inwoners")).not_to_be_empty()
    expect(page.locator("#chart-lenzen svg")).to_be_visible(timeout=15000)
    page.screenshot(path=str(SHOTS / "stad.png"), full_page=True)

    page.get_by_role("link", name="Kaart").click()
    page.wait_for_url("**/kaart")
    page.locator("#indicator").select_option("p_hh_120")  # autosubmits
    page.wait_for_url(re.compile(r"/kaart\?.*indicator=p_hh_120"))
    expect(page.locator("h1")).to_contain_text("120%")
    shapes = page.locator("#kaart .mark-geoshape path, #kaart .mark-shape path")
    expect(shapes.first).to_be_visible(timeout=15000)
    page.screenshot(path=str(SHOTS / "kaart.png"), full_page=True)

    # Hover shows the tooltip with the value; click opens the district.
    box = page.locator("#kaart svg").bounding_box()
    assert box is not None
    target = shapes.nth(shapes.count() - 1)
    target.hover(force=True)
    expect(page.locator("#vg-tooltip-element")).to_contain_text("%", timeout=5000)
    target.click(force=True)
    page.wait_for_url("**/wijk/WK0546*", timeout=15000)
    expect(page.locator("h1")).not_to_be_empty()
    page.screenshot(path=str(SHOTS / "wijk.png"), full_page=True)

    with page.expect_download(timeout=60000) as dl_info:
        page.locator("#pdf-link").click()
    download = dl_info.value
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert download.suggested_filename.startswith("wijkprofiel-WK0546")

    # Keyboard: on a fresh page the skip link is the first stop and moves focus to the content.
    page.goto(f"{live_server}/vergelijk")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#inhoud")).to_be_focused()

    mobile = context.new_page()
    mobile.set_viewport_size({"width": 390, "height": 844})
    mobile.goto(f"{live_server}/wijk/WK054608")
    mobile.screenshot(path=str(SHOTS / "wijk-mobiel.png"), full_page=False)
    mobile.screenshot(path=str(SHOTS / "wijk-mobiel-heel.png"), full_page=True)
    # On a phone no page may scroll sideways: wide tables scroll inside their own box.
    for path in ("/", "/kaart", "/wijk/WK054608", "/bronnen"):
        mobile.goto(f"{live_server}{path}")
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    mobile.goto(f"{live_server}/")
    mobile.screenshot(path=str(SHOTS / "stad-mobiel.png"), full_page=True)
    mobile.goto(f"{live_server}/vergelijk?codes=WK054603,WK054608,GM0546")
    mobile.screenshot(path=str(SHOTS / "vergelijk-mobiel.png"), full_page=True)
    page.goto(f"{live_server}/bronnen")
    page.screenshot(path=str(SHOTS / "bronnen.png"), full_page=True)
    context.close()
    assert errors == []
    assert external == [], "pages must work offline"
    assert shutil.which("chromium") or Path(CHROMIUM).exists()


@pytest.fixture(scope="module")
def live_buurt(rt_buurt: object) -> Iterator[str]:
    from live_app import serve
    from roltrap.web.app import create_app

    with serve(create_app(rt_buurt)) as url:  # type: ignore[arg-type]
        yield url


def test_other_municipality_wijk_buurt_map_and_pdf(browser: object, live_buurt: str, tmp_path: Path) -> None:
    """Chooser → Groningen; a wijk, one of its buurten; the map on buurten with a count; the buurt's PDF."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_buurt}/")
    page.locator("#kies-gemeente").fill("Groningen")
    page.get_by_role("button", name="Kies").click()
    page.wait_for_url("**/gemeente/GM0014")
    expect(page.locator("h1")).to_have_text("Groningen")
    page.get_by_role("link", name="Wijken", exact=True).click()
    page.wait_for_url("**/wijk?gemeente=GM0014")
    page.locator("#wijkenlijst").get_by_role("link", name="Centrum", exact=True).click()
    page.wait_for_url("**/wijk/WK001400")
    expect(page.locator("#buurten-tabel")).to_contain_text("Binnenstad-Noord")
    page.screenshot(path=str(SHOTS / "wijk-groningen.png"), full_page=True)
    page.locator("#buurten-tabel").get_by_role("link", name="Binnenstad-Noord").click()
    page.wait_for_url("**/buurt/BU00140000")
    expect(page.locator("h1")).to_have_text("Binnenstad-Noord")
    page.screenshot(path=str(SHOTS / "buurt.png"), full_page=True)

    page.get_by_role("link", name="Kaart", exact=True).click()
    page.wait_for_url("**/kaart?gemeente=GM0014")
    page.get_by_label("Buurten").check()  # autosubmits
    page.wait_for_url(re.compile(r"level=buurt"))
    page.locator("#indicator").select_option("a_inw")  # a count: quantiles, never an error page
    page.wait_for_url(re.compile(r"indicator=a_inw"))
    expect(page.locator("h1")).to_contain_text("inwoners")
    expect(page.locator("#kaart-tabel")).to_contain_text("Binnenstad-Noord")
    shapes = page.locator("#kaart .mark-geoshape path, #kaart .mark-shape path")
    expect(shapes.first).to_be_visible(timeout=15000)
    page.screenshot(path=str(SHOTS / "kaart-buurten.png"), full_page=True)

    page.goto(f"{live_buurt}/buurt/BU00140000")
    with page.expect_download(timeout=90000) as dl_info:
        page.locator("#pdf-link").click()
    download = dl_info.value
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert download.suggested_filename.startswith("wijkprofiel-BU00140000")

    # On a phone every number of the key figures is on screen: no sticky column over them.
    mobile = context.new_page()
    mobile.set_viewport_size({"width": 390, "height": 844})
    mobile.goto(f"{live_buurt}/wijk/WK054608")
    hidden = mobile.evaluate("""() => [...document.querySelectorAll('table.figures td.num')].filter(td => {
        const r = td.getBoundingClientRect();
        return r.width > 0 && (r.right > 390 || r.left < 0); }).length""")
    assert hidden == 0, f"{hidden} numbers of the key figures are off a 390 px screen"
    mobile.screenshot(path=str(SHOTS / "wijk-mobiel-kerncijfers.png"), full_page=True)
    context.close()
    assert errors == []


# Every cell of the Roltrap tables at phone width: on screen, not clipped, not hidden.
_PHONE_CHECK = """() => {
  const out = {cells: 0, off: [], clipped: [], hidden: [], numbers: 0};
  for (const id of ['roltrap-tabel', 'bestemmingen']) {
    const table = document.getElementById(id);
    const cols = table.querySelectorAll('thead th').length;
    for (const tr of table.querySelectorAll('tbody tr')) {
      const cells = tr.querySelectorAll('th, td');
      if (cells.length !== cols) out.hidden.push(id + ': a row with ' + cells.length + ' of ' + cols);
      for (const c of cells) {
        out.cells += 1;
        const r = c.getBoundingClientRect();
        const style = getComputedStyle(c);
        if (r.width === 0 || r.height === 0 || style.display === 'none' || style.visibility === 'hidden')
          out.hidden.push(id + ': ' + c.textContent.trim());
        if (r.left < 0 || r.right > window.innerWidth) out.off.push(id + ': ' + c.textContent.trim());
        if (c.scrollWidth > c.clientWidth + 1) out.clipped.push(id + ': ' + c.textContent.trim());
        if (c.tagName === 'TD' && /\\d|onderdrukt/.test(c.textContent)) out.numbers += 1;
      }
    }
  }
  out.pageWidth = document.documentElement.scrollWidth;
  out.charts = [...document.querySelectorAll('.chart svg, .chart canvas')].map(
    e => Math.round(e.getBoundingClientRect().right));
  return out;
}"""


def test_roltrap_page_on_a_phone(browser: object, live_server: str) -> None:
    """At 390 px every number of the Roltrap page is on screen: no sideways scrolling, no column
    hidden, no text cut off; each row of a wide table reads as "label … value" lines."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/roltrap", timeout=120_000)
    expect(page.locator("#chart-retentie svg, #chart-retentie canvas").first).to_be_visible(timeout=30_000)
    got = page.evaluate(_PHONE_CHECK)
    assert got["cells"] > 20 and got["numbers"] > 10, got
    assert got["hidden"] == [] and got["off"] == [] and got["clipped"] == [], got
    assert got["pageWidth"] <= 390, got
    assert all(right <= 390 for right in got["charts"]), got["charts"]
    # Each value says what it is: the column header is shown beside it (the header row is for screen
    # readers only at this width).
    first = page.locator("#bestemmingen tbody td").first
    label = first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == "Bleef in de wijk"
    page.screenshot(path=str(SHOTS / "roltrap-mobiel.png"), full_page=True)
    # On a wide screen the same tables are ordinary tables with their header row.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("#bestemmingen thead th").first.bounding_box()["width"] > 40  # type: ignore[index]
    label = first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label in ("none", "normal", "")
    context.close()
    assert errors == []
