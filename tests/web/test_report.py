"""The printable wijkprofiel: HTML and PDF, written atomically; the web download."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from web_html import Page

from roltrap.core import Roltrap
from roltrap.report.fmt import nl_number
from roltrap.report.profile import district_profile
from roltrap.report.render import _fixed_width, profile_html, write_batch, write_profile


def test_profile_html_names_district_and_figures(rt_ro: Roltrap) -> None:
    html = profile_html(district_profile(rt_ro, "WK054608", year=2021))
    page = Page(html)
    assert page.h1 == "Wijkprofiel Merenwijkdistrict"
    key = page.tables[0]
    row = next(r for r in key if r[0].startswith("Aantal inwoners"))
    assert row[1:4] == ["14.190", "124.093", "2021"]
    assert "<svg" in html  # map and charts are inline SVG, no network


def test_write_profile_pdf_and_html(rt_ro: Roltrap, tmp_path: Path) -> None:
    out = tmp_path / "merenwijk.pdf"
    written = write_profile(rt_ro, "WK054608", out, year=2021)
    assert written == [tmp_path / "merenwijk.html", out]
    assert out.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Merenwijkdistrict" in text
        assert "14.190" in text
    else:
        assert "Merenwijkdistrict" in (tmp_path / "merenwijk.html").read_text(encoding="utf-8")


def test_interrupted_batch_leaves_no_half_files(rt_ro: Roltrap, tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    seen: list[str] = []

    def step(name: str) -> None:
        seen.append(name)
        if len(seen) == 2:
            raise Stop

    with pytest.raises(Stop):
        list(write_batch(rt_ro, "GM0546", tmp_path, on_step=step))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["WK054600-binnenstad-zuid.html", "WK054600-binnenstad-zuid.pdf"]


def test_web_pdf_download(client: TestClient) -> None:
    r = client.get("/wijk/WK054608.pdf?year=2021")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content[:5] == b"%PDF-"
    assert 'filename="wijkprofiel-WK054608-2021.pdf"' in r.headers["content-disposition"]


def test_fixed_width_replaces_container_everywhere() -> None:
    spec = {"width": "container", "spec": {"width": "container", "height": 5}, "layer": [{"width": 3}]}
    assert _fixed_width(spec, 400) == {"width": 400, "spec": {"width": 400, "height": 5},
                                       "layer": [{"width": 3}]}


@pytest.mark.parametrize(("value", "text"), [(124093, "124.093"), (11.3, "11,3"), (1234.5, "1.234,5"),
                                             (None, "n.b."), (float("nan"), "n.b."), (0, "0")])
def test_nl_number(value: object, text: str) -> None:
    assert nl_number(value) == text


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_nl_number_round_trips_integers(n: int) -> None:
    assert int(nl_number(n).replace(".", "")) == n
