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

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from roltrap import fmt
from roltrap.jsonable import jsonable

if TYPE_CHECKING:
    from roltrap.core import Roltrap

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
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
