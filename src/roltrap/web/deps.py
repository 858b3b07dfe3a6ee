"""What every route module shares: templates, the core object, HTML-or-JSON responses.

Route modules (this package's own and ``routes_triage`` / ``routes_cohort``) use it like this::

    from roltrap.web.deps import get_rt, respond

    @router.get("/coach", include_in_schema=False)
    def coach(request: Request) -> Response:
        rt = get_rt(request)
        return respond(request, "triage.html", {"types": ...}, title="Coach")

``respond`` answers JSON when the path ends in ``.json`` or the client asks for
``application/json``; otherwise it renders the template (which extends ``base.html``) with
``data`` and every key of ``data`` in the context.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from roltrap import fmt
from roltrap.errors import RoltrapError
from roltrap.jsonable import jsonable

if TYPE_CHECKING:
    from roltrap.core import Roltrap
    from roltrap.web.views import Views

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def get_views(request: Request) -> Views:
    """The app's page-data object (one per app, made on first use)."""
    from roltrap.web.views import Views

    state = request.app.state
    if getattr(state, "views", None) is None:
        state.views = Views(get_rt(request))
    v: Views = state.views
    return v


def chosen_gemeente(request: Request, gemeente: Any = None) -> dict[str, str]:
    """The municipality a page is about: the page's own, else ``?gemeente=``, else the default."""
    if isinstance(gemeente, dict) and gemeente.get("code"):
        return {"code": str(gemeente["code"]), "name": str(gemeente.get("name") or gemeente["code"])}
    v = get_views(request)
    try:
        got: dict[str, str] = v.gemeente(request.query_params.get("gemeente") or None)
        return got
    except RoltrapError:
        fallback: dict[str, str] = v.gemeente(None)
        return fallback


def page_kind(request: Request) -> str:
    """Which page the chooser returns to: the same kind of page for the chosen municipality."""
    path: str = request.url.path
    for kind in ("kaart", "vergelijk"):
        if path.startswith(f"/{kind}"):
            return kind
    return "wijk" if path == "/wijk" else "stad"


def nav_href(href: str, gemeente: str, default: str) -> str:
    """Menu links keep the chosen municipality (the default one needs no parameter)."""
    if gemeente == default:
        return href
    if href == "/":
        return f"/gemeente/{gemeente}"
    if href in ("/kaart", "/wijk", "/vergelijk"):
        return f"{href}?{urlencode({'gemeente': gemeente})}"
    return href


def download_url(downloads: dict[str, Any], ext: str, table: str | None = None) -> str:
    """A page's CSV/Excel twin with the page's own choices (year, indicator, …) and the table."""
    query = {k: v for k, v in downloads.get("query", {}).items() if v is not None}
    if table:
        query["tabel"] = table
    return f"{downloads['base']}.{ext}" + (f"?{urlencode(query)}" if query else "")


_ID = re.compile(r"\b[a-z]{1,4}_[a-z0-9]+(?:_[a-z0-9]+)*(?:/[0-9]+)?\b")


def no_codes(text: Any, request: Request) -> str:
    """Text from a result (a method, a note, a reason) with every catalogue id read as its label
    and no command-line instruction.

    Readers of a page never see internal indicator ids ("a_opl_lg"); ``p_hh_110/120`` reads as the
    first id's label."""
    labels = get_views(request).catalogue()

    def one(m: re.Match[str]) -> str:
        ident = m.group(0).split("/")[0]
        info = labels.get(ident)
        return str(info["label"]) if info and info.get("label") else m.group(0)

    return _no_commands(_ID.sub(one, str(text or "")))


# A CLI command in a core text ("`roltrap import x.osm.pbf --gemeente GM0546`"): the web's readers
# have no terminal. A bracket holding one goes; a command after a colon becomes who can do it.
_CMD_BRACKET = re.compile(r"\s*\([^()]*`roltrap [^`]*`[^()]*\)")
_CMD = re.compile(r"(?::\s*|\s+met\s+|\s*)`roltrap [^`]*`")


def _no_commands(text: str) -> str:
    text = _CMD_BRACKET.sub("", text)
    return _CMD.sub(" (door de beheerder van roltrap)", text)


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals.update(chosen_gemeente=chosen_gemeente, page_kind=page_kind, nav_href=nav_href,
                             no_codes=no_codes,
                             download_url=download_url,
                             municipalities=lambda request: get_views(request).municipalities(),
                             default_gemeente=lambda request: get_rt(request).settings.gemeente)
templates.env.filters.update(fmt.jinja_filters())  # nl, fmt, pct, with_unit: the same as the PDF's
templates.env.globals["today"] = lambda: date.today().isoformat()


def get_rt(request: Request) -> Roltrap:
    """The app's core object (set by :func:`roltrap.web.app.create_app`)."""
    rt: Roltrap = request.app.state.rt
    return rt


def wants_json(request: Request) -> bool:
    """JSON for ``.json`` paths, API clients asking for it, and failed ``.pdf`` downloads by
    non-browsers. The raw scope path is used: a decoded ``%3F`` must not cut the path short."""
    path: str = request.scope.get("path", "")
    accept = request.headers.get("accept", "")
    if path.endswith(".json"):
        return True
    if path.endswith(".pdf"):
        return "text/html" not in accept
    return "application/json" in accept and "text/html" not in accept


def respond(request: Request, template: str, data: dict[str, Any], *, title: str,
            status_code: int = 200) -> Response:
    """One page, two shapes: JSON for ``.json``/``Accept: application/json``, else HTML."""
    if wants_json(request):
        return JSONResponse(jsonable(data), status_code=status_code)
    context = {**data, "data": data, "title": title}
    return templates.TemplateResponse(request, template, context, status_code=status_code)
