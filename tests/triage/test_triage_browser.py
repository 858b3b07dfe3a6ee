"""One real-browser test: fill the coach form in headless Chromium and read the result."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from roltrap.core import Roltrap

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(triage_rt: Roltrap) -> Iterator[str]:
    """The real app on a free local port, in a thread; waits on uvicorn's own `started` flag."""
    from roltrap.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(triage_rt), host="127.0.0.1", port=port, log_level="error",
                                        access_log=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.browser
def test_coach_form_in_chromium(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
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
