"""The printable wijkprofiel: HTML (Jinja2) with SVG charts (vl-convert), then PDF (WeasyPrint).

Two A4 pages by default; the method text in an optional appendix. Each chart is drawn at the
width of its box on the page (never scaled down, so its text keeps its print size) and checked
to fit. Files are written under a temporary name and renamed, so an interrupted run never
leaves a half-written profile behind. ``roltrap report`` and the web download both call
:func:`profile_pdf`, so they give the same file.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from roltrap import fmt
from roltrap.report.profile import district_profile

if TYPE_CHECKING:
    from roltrap.core import Roltrap

TEMPLATES = Path(__file__).parent / "templates"
# Dutch number format inside the SVG charts (d3-format locale).
NL_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}
PX_PER_MM = 96 / 25.4  # CSS pixels, as WeasyPrint lays them out


def _mm(mm: float) -> int:
    return int(mm * PX_PER_MM)


# The page's boxes (A4, 13 mm margins: 184 mm wide): the charts are drawn to these widths.
BOX = {
    "left_mm": 92, "left_px": _mm(92), "right_px": _mm(184 - 92 - 5), "trend_mm": 89, "trend_px": _mm(89),
    "map_px": 230, "lens_px": 84, "trend_h_px": 92, "trend_h_small_px": 64,
}


def _fixed_width(spec: Any, width: int) -> Any:
    """Print has no container to fill: replace ``width: "container"`` with a number everywhere."""
    if isinstance(spec, dict):
        return {k: (width if k == "width" and v == "container" else _fixed_width(v, width))
                for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fixed_width(v, width) for v in spec]
    return spec


_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def svg_size(text: str) -> tuple[float, float]:
    """The width and height (CSS px) an SVG from vl-convert declares."""
    m = _SIZE.search(text)
    if not m:
        raise ValueError("SVG without width/height")
    return float(m.group(1)), float(m.group(2))


def _render(spec: dict[str, Any], width: int, height: int | None) -> str:
    import vl_convert as vlc

    fixed = _fixed_width(copy.deepcopy(spec), width)
    fixed.pop("usermeta", None)
    if width and "width" in fixed and isinstance(fixed["width"], (int, float)):
        fixed["width"] = width
    if height is not None and isinstance(fixed.get("height"), (int, float)):
        fixed["height"] = height
    fixed.setdefault("config", {})
    fixed["config"].setdefault("axis", {}).update(labelFontSize=10, titleFontSize=10)
    fixed["config"].setdefault("legend", {}).update(labelFontSize=10, titleFontSize=10, labelLimit=300)
    out: str = vlc.vegalite_to_svg(fixed, vl_version="5.20", allowed_base_urls=[], format_locale=NL_LOCALE)
    return out


def svg(spec: dict[str, Any] | None, *, width: int = 560, height: int | None = None) -> Markup:
    """A Vega-Lite spec as inline SVG that fits a box ``width`` px wide: the plot is narrowed
    until axis titles, labels and legend fit too (no network: every dataset is inline)."""
    if not spec:
        return Markup("")
    inner = width
    text = _render(spec, inner, height)
    for _ in range(4):
        w, _h = svg_size(text)
        if w <= width:
            break
        inner = max(60, int(inner - (w - width) - 1))
        text = _render(spec, inner, height)
    return Markup(text)  # produced by vl-convert from our own spec, not user text


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters.update(fmt.jinja_filters())
    env.filters["svg"] = svg
    return env


# Ways to make page 2 fit, tried in order: 0 as designed; 1 lower trend charts; 2 two trends;
# 3 the first four escalator conditions.
COMPACT_LEVELS = (0, 1, 2, 3)
# Page 1's access table: every kind, else the first few (the Nabijheid page has them all).
ACCESS_ROWS = (99, 6, 4)
PAGES = 2


def profile_html(profile: dict[str, Any], *, appendix: bool = False, compact: int | None = None,
                 access_rows: int | None = None) -> str:
    """The wijkprofiel as one self-contained HTML document (inline CSS and SVG), laid out to fit two
    A4 pages (plus the appendix when asked): ``compact=None`` picks the first layout that fits."""
    env = _env()
    template = env.get_template("wijkprofiel.html")

    def doc(level: int, rows: int, with_appendix: bool) -> str:
        return template.render(p=profile, box=BOX, appendix=with_appendix, compact=level, access_rows=rows)

    if compact is not None:
        return doc(compact, access_rows or ACCESS_ROWS[0], appendix)
    # Page 1 fits by the length of its access table alone: find that first, with page 2 at its
    # smallest; then the first page-2 layout that fits.
    rows = access_rows or next(
        (n for n in ACCESS_ROWS if page_count(doc(COMPACT_LEVELS[-1], n, False)) <= PAGES), ACCESS_ROWS[-1]
    )
    for level in COMPACT_LEVELS:
        text = doc(level, rows, False)
        if page_count(text) <= PAGES or level == COMPACT_LEVELS[-1]:
            return text if not appendix else doc(level, rows, True)
    raise AssertionError("unreachable")


def page_count(html: str) -> int:
    """Pages the document takes when printed (WeasyPrint's layout, no PDF written)."""
    from weasyprint import HTML

    return len(HTML(string=html, base_url=str(TEMPLATES)).render().pages)


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML

    out: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return out


def profile_pdf(rt: Roltrap, code: str, *, year: int | None = None, appendix: bool = False) -> bytes:
    """The printed profile of one area as PDF bytes: the one function behind ``roltrap report``
    and the web download."""
    return pdf_bytes(profile_html(district_profile(rt, code, year=year), appendix=appendix))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_profile(rt: Roltrap, code: str, out: Path, *, year: int | None = None, html: bool = True,
                  appendix: bool = False) -> list[Path]:
    """Write ``out`` (PDF) and, when ``html``, the same profile as ``out`` with ``.html``."""
    profile = district_profile(rt, code, year=year)
    doc = profile_html(profile, appendix=appendix)
    written = []
    if html:
        html_path = out.with_suffix(".html")
        _atomic_write(html_path, doc.encode("utf-8"))
        written.append(html_path)
    _atomic_write(out, pdf_bytes(doc))
    written.append(out)
    return written


def slug(name: str) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    return "-".join(part for part in keep.split("-") if part)


def write_batch(rt: Roltrap, gemeente: str, out_dir: Path, *, year: int | None = None, level: str = "wijk",
                appendix: bool = False, on_step: Callable[[str], None] | None = None) -> Iterator[Path]:
    """A profile (HTML, then PDF) per wijk (or buurt) of a municipality, yielded as each file lands;
    ``on_step`` is told the area before its work starts."""
    for code, name in batch_areas(rt, gemeente, level=level):
        if on_step:
            on_step(name)
        out = out_dir / f"{code}-{slug(name)}.pdf"
        yield from write_profile(rt, code, out, year=year, appendix=appendix)


def batch_areas(rt: Roltrap, gemeente: str, *, level: str = "wijk") -> list[tuple[str, str]]:
    """The wijken (or buurten, via their wijken) of a municipality, as (code, name)."""
    gm = rt.region(gemeente)["code"]
    kids = rt.children(gm, level="wijk")
    if level == "wijk":
        return [(str(r.code), str(r.name)) for r in kids.itertuples()]
    out = [(str(r.code), str(r.name)) for r in rt.children(gm, level="buurt").itertuples()]
    for w in kids.itertuples():
        out += [(str(r.code), str(r.name)) for r in rt.children(str(w.code), level="buurt").itertuples()]
    return out
