"""The printable wijkprofiel: HTML (Jinja2) with SVG charts (vl-convert), then PDF (WeasyPrint).

Files are written under a temporary name and renamed, so an interrupted run never leaves a
half-written profile behind.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from roltrap.report.fmt import nl_number, with_unit
from roltrap.report.profile import district_profile

TEMPLATES = Path(__file__).parent / "templates"
# Dutch number format inside the SVG charts (d3-format locale).
NL_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}


def _fixed_width(spec: Any, width: int) -> Any:
    """Print has no container to fill: replace ``width: "container"`` with a number everywhere."""
    if isinstance(spec, dict):
        return {k: (width if k == "width" and v == "container" else _fixed_width(v, width))
                for k, v in spec.items()}
    if isinstance(spec, list):
        return [_fixed_width(v, width) for v in spec]
    return spec


def svg(spec: dict[str, Any] | None, *, width: int = 560) -> Markup:
    """A Vega-Lite spec as inline SVG (no network: every dataset is inline)."""
    if not spec:
        return Markup("")
    import vl_convert as vlc

    fixed = _fixed_width(copy.deepcopy(spec), width)
    fixed.pop("usermeta", None)
    text = vlc.vegalite_to_svg(fixed, vl_version="5.20", allowed_base_urls=[], format_locale=NL_LOCALE)
    return Markup(text)  # produced by vl-convert from our own spec, not user text


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["nl"] = nl_number
    env.filters["with_unit"] = with_unit
    env.filters["svg"] = svg
    return env


def profile_html(profile: dict[str, Any]) -> str:
    """The wijkprofiel as one self-contained HTML document (inline CSS and SVG)."""
    return _env().get_template("wijkprofiel.html").render(p=profile)


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML

    out: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return out


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


def write_profile(rt: Any, code: str, out: Path, *, year: int | None = None,
                  html: bool = True) -> list[Path]:
    """Write ``out`` (PDF) and, when ``html``, the same profile as ``out`` with ``.html``."""
    profile = district_profile(rt, code, year=year)
    doc = profile_html(profile)
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


def write_batch(rt: Any, gemeente: str, out_dir: Path, *, year: int | None = None,
                on_step: Callable[[str], None] | None = None) -> Iterator[Path]:
    """A profile (HTML, then PDF) per district of a municipality, yielded as each file lands;
    ``on_step`` is told the district before its work starts."""
    gm = rt.region(gemeente)["code"]
    kids = rt.children(gm, level="wijk")
    for row in kids.itertuples():
        if on_step:
            on_step(str(row.name))
        out = out_dir / f"{row.code}-{slug(str(row.name))}.pdf"
        yield from write_profile(rt, str(row.code), out, year=year)
