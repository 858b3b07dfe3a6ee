"""End to end in real headless Chromium: Stad → Kaart (pick an indicator) → click a district → PDF."""

from __future__ import annotations

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
    page.wait_for_url("**/kaart?indicator=p_hh_120*")
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
