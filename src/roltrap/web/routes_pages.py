"""Stad, Kaart, Wijk, Vergelijk, Bronnen and /health: each HTML page with a ``.json`` twin.

Routes are sync ``def`` so FastAPI runs them in its threadpool: DuckDB work never blocks the event
loop. Only ``.json`` routes appear in the OpenAPI document; the HTML pages mirror them.
"""

from __future__ import annotations

import functools
import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from roltrap.errors import InputError, NotAvailableError, Problem
from roltrap.web.deps import get_rt, jsonable, respond
from roltrap.web.views import Views

router = APIRouter()


class ErrorDetail(BaseModel):
    status: int
    message: str
    hint: str | None = None


class ErrorBody(BaseModel):
    """Every error: what went wrong and how to fix it (Dutch)."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Onbekende regio, indicator of jaar."},
    422: {"model": ErrorBody, "description": "Ongeldige parameter."},
}

CodePath = Annotated[str, Path(min_length=1, max_length=60,
                               description="CBS-code (GM0546, WK054608) of exacte naam.")]
YearQuery = Annotated[int | None, Query(ge=1900, le=2100, description="Jaar; standaard het meest "
                                                                      "complete jaar.")]
GemeenteQuery = Annotated[str | None, Query(min_length=1, max_length=60,
                                            description="Gemeentecode; standaard uit de instellingen.")]


def views(request: Request) -> Views:
    state = request.app.state
    if getattr(state, "views", None) is None:
        state.views = Views(get_rt(request))
    v: Views = state.views
    return v


# -- Stad -----------------------------------------------------------------------------------------
@router.get("/", include_in_schema=False)
def home(request: Request, year: YearQuery = None) -> Response:
    data = views(request).city(None, year)
    return respond(request, "stad.html", data, title=f"Stad {data['name']}")


@router.get("/gemeente/{code}.json", tags=["pagina's"], summary="Stadsoverzicht",
            responses=ERRORS)
def city_json(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Inwoners, vervangingssnelheid, karakter (aankomst/bestemming), de drie lenzen van de kwetsbare
    groep met bandbreedte en de vergelijking met andere gemeenten."""
    return JSONResponse(jsonable(views(request).city(code, year)))


@router.get("/gemeente/{code}", include_in_schema=False)
def city(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    data = views(request).city(code, year)
    return respond(request, "stad.html", data, title=f"Stad {data['name']}")


# -- Kaart ----------------------------------------------------------------------------------------
def _kaart(request: Request, gemeente: str | None, indicator: str | None, scheme: str | None,
           year: int | None) -> dict[str, Any]:
    return views(request).kaart(gemeente, indicator, scheme, year)


IndicatorQuery = Annotated[str | None, Query(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_]+$",
                                             description="Indicator-id uit de catalogus (bijv. p_hh_110).")]
SchemeQuery = Annotated[Literal["syllabus", "quantile"] | None,
                        Query(description="Klassenindeling: syllabus (vijf vaste klassen, alleen voor "
                                          "percentages) of quantile.")]


@router.get("/kaart.json", tags=["pagina's"], summary="Kaart van de wijken", responses=ERRORS)
def kaart_json(request: Request, gemeente: GemeenteQuery = None, indicator: IndicatorQuery = None,
               scheme: SchemeQuery = None, year: YearQuery = None) -> Response:
    """Waarde en klasse per wijk voor één indicator, met legenda en Vega-Lite-specificatie."""
    return JSONResponse(jsonable(_kaart(request, gemeente, indicator, scheme, year)))


@router.get("/kaart", include_in_schema=False)
def kaart(request: Request, gemeente: GemeenteQuery = None, indicator: IndicatorQuery = None,
          scheme: SchemeQuery = None, year: YearQuery = None) -> Response:
    data = _kaart(request, gemeente, indicator, scheme, year)
    return respond(request, "kaart.html", data, title="Kaart")


# -- Wijk -----------------------------------------------------------------------------------------
@router.get("/wijk.json", tags=["pagina's"], summary="Wijken van een gemeente", responses=ERRORS)
def wijken_json(request: Request, gemeente: GemeenteQuery = None) -> Response:
    """De wijken van een gemeente met code en naam."""
    return JSONResponse(jsonable(views(request).wijken(gemeente)))


@router.get("/wijk", include_in_schema=False)
def wijken(request: Request, gemeente: GemeenteQuery = None,
           code: Annotated[str | None, Query(max_length=60)] = None) -> Response:
    if code:  # the "Ga naar een wijk" form works without JavaScript
        target = views(request).region(code)["code"]
        return RedirectResponse(f"/wijk/{target}", status_code=303)
    data = views(request).wijken(gemeente)
    return respond(request, "wijken.html", data, title="Wijken")


@router.get("/wijk/{code}.json", tags=["pagina's"], summary="Wijkprofiel", responses=ERRORS)
def wijk_json(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Kerncijfers tegen de stad, type (aankomst/bestemming) met onderbouwing, drie lenzen,
    rangorde, trends en roltrapcondities; elk cijfer met jaar en bron."""
    return JSONResponse(jsonable(views(request).wijk(code, year)))


_pdf_lock = threading.Lock()


@functools.lru_cache(maxsize=32)
def _pdf_cached(key: tuple[int, str, int | None], html: str) -> bytes:
    from roltrap.report.render import pdf_bytes

    return pdf_bytes(html)


@router.get("/wijk/{code}.pdf", tags=["pagina's"], summary="Wijkprofiel als PDF", responses={
    **ERRORS, 200: {"content": {"application/pdf": {}}, "description": "Het wijkprofiel (PDF)."}})
def wijk_pdf(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Het printbare wijkprofiel: kaart, grafieken, tabellen, bronnen en datum."""
    from roltrap.report.render import profile_html

    data = views(request).wijk(code, year)
    html = profile_html(data)
    with _pdf_lock:  # WeasyPrint is CPU-heavy: one at a time keeps the pages responsive
        pdf = _pdf_cached((id(request.app), data["code"], data["year"]), html)
    filename = f"wijkprofiel-{data['code']}-{data['year']}.pdf"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/wijk/{code}", include_in_schema=False)
def wijk(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    data = views(request).wijk(code, year)
    return respond(request, "wijk.html", data, title=f"Wijk {data['name']}")


# -- Vergelijk ------------------------------------------------------------------------------------
CodesQuery = Annotated[str | None, Query(max_length=300, description="2 tot 4 codes, komma-gescheiden: "
                                                                     "WK054603,WK054608")]


def _split(codes: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in (codes or "").split(",") if c.strip())


@router.get("/vergelijk.json", tags=["pagina's"], summary="Regio's naast elkaar", responses=ERRORS)
def vergelijk_json(request: Request, codes: CodesQuery = None, year: YearQuery = None) -> Response:
    """2 tot 4 wijken of gemeenten naast elkaar, per indicator."""
    if not codes:
        raise InputError("Geef 2 tot 4 regio's op met ?codes=…",
                         problems=[Problem("ontbreekt", column="codes")],
                         hint="Bijvoorbeeld /vergelijk.json?codes=WK054603,WK054608.")
    return JSONResponse(jsonable(views(request).vergelijk(_split(codes), year)))


@router.get("/vergelijk", include_in_schema=False)
def vergelijk(request: Request, codes: CodesQuery = None, year: YearQuery = None,
              gemeente: GemeenteQuery = None,
              c: Annotated[list[str] | None, Query(max_length=4 * 60)] = None) -> Response:
    """``codes=A,B`` (links) or repeated ``c=A&c=B`` (the checkbox form) pick the regions."""
    v = views(request)
    picked = _split(",".join([codes or "", *(c or [])]))
    data: dict[str, Any] = {"choices": v.wijken(gemeente), "picked": list(picked), "result": None}
    if picked:
        data["result"] = v.vergelijk(picked, year)
    return respond(request, "vergelijk.html", data, title="Vergelijk")


# -- Bronnen & health -----------------------------------------------------------------------------
@router.get("/bronnen.json", tags=["pagina's"], summary="Bronnen, licenties en methoden")
def bronnen_json(request: Request) -> Response:
    """Elke geladen dataset met uitgever, jaren, licentie en herkomst; de indicatorcatalogus."""
    return JSONResponse(jsonable(views(request).bronnen()))


@router.get("/bronnen", include_in_schema=False)
def bronnen(request: Request) -> Response:
    return respond(request, "bronnen.html", views(request).bronnen(), title="Bronnen")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    read_only: bool


@router.get("/health", tags=["systeem"], summary="Werkt de app?", response_model=Health)
def health(request: Request) -> Health:
    """Antwoordt ``ok`` als de app draait en het gegevensbestand leesbaar is."""
    rt = get_rt(request)
    if not rt.store.readable():
        raise NotAvailableError("Het gegevensbestand is niet leesbaar.")
    from roltrap import __version__

    return Health(status="ok", version=__version__, read_only=bool(rt.store.read_only))
