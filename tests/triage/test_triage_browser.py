"""One real-browser test: fill the coach form in headless Chromium and read the result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from live_app import CHROMIUM, CHROMIUM_ARGS, serve
from roltrap.core import Roltrap


@pytest.fixture(scope="module")
def server(triage_rt: Roltrap) -> Iterator[str]:
    """The real app on a free local port, in a thread; waits on uvicorn's own `started` flag."""
    from roltrap.web.app import create_app

    with serve(create_app(triage_rt)) as url:
        yield url


@pytest.mark.browser
def test_coach_form_in_chromium(server: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{server}/coach")
            page.check("#q-migratie input[value=statushouder]")
            page.check("#q-opleiding input[value=hoog]")
            page.check("#q-werk input[value=geen_werk]")
            page.click("#coach-submit")
            page.wait_for_selector("#suggestions")
            first = page.locator("li.suggestion").first
            assert first.get_attribute("data-type") == "hooggeschoolde_statushouders"
            assert "Coachen" in first.inner_text()
            assert "geen diagnose" in page.locator("#disclaimer").inner_text()
            assert page.context.cookies() == []
        finally:
            browser.close()
