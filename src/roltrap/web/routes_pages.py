"""Stad, Kaart, Wijk, Buurt, Vergelijk, Bronnen and /health: each HTML page with its twins.

Every page with tables has ``.json``, ``.csv`` and ``.xlsx`` twins on the same path. One mechanism
serves them: a page's route computes its data once and :func:`render` looks the extension up in
:data:`RENDERERS` (HTML when there is none). ``?tabel=NAME`` picks one table for CSV (default: the
page's first); Excel holds every table as a sheet plus a sheet with the sources.

Routes are sync ``def`` so FastAPI runs them in its threadpool: DuckDB work never blocks the event
loop. Only ``.json`` routes appear in the OpenAPI document. HTML routes take their query parameters
as text and check them here, so a bad value re-shows the form with a Dutch message beside the field
(the JSON twins answer 422 with the same message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from roltrap import export
from roltrap.errors import InputError, NotAvailableError, NotFoundError, RoltrapError
from roltrap.web.deps import get_rt, get_views, jsonable, respond, templates
from roltrap.web.tables import page_tables
from roltrap.web.views import Views

router = APIRouter()


class ErrorDetail(BaseModel):
    status: int
    message: str
    hint: str | None = None
    param: str | None = None


class ErrorBody(BaseModel):
    """Every error: what went wrong and how to fix it (Dutch)."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Onbekende regio, indicator of jaar."},
    422: {"model": ErrorBody, "description": "Ongeldige parameter."},
}

CodePath = Annotated[
    str,
    Path(min_length=1, max_length=60, description="CBS-code (GM0546, WK054608, BU05460800) of exacte naam."),
]
YearQuery = Annotated[
    int | None, Query(ge=1900, le=2100, description="Jaar; standaard het laatste jaar met cijfers.")
]
GemeenteQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=60, description="Gemeentecode of -naam; standaard uit de instellingen."),
]
TableQuery = Annotated[str | None, Query(alias="tabel", max_length=60)]
Ext = Literal["csv", "xlsx"]
Text = Annotated[str | None, Query(max_length=300)]


def views(request: Request) -> Views:
    return get_views(request)


# -- one mechanism for every twin ------------------------------------------------------------------
def _csv(request: Request, kind: str, data: dict[str, Any], name: str) -> Response:
    tables = page_tables(kind, data, min_cell=views(request).min_cell)
    table = tables.get(request.query_params.get("tabel") or "") or next(iter(tables.values()), None)
    if table is None:
        raise NotAvailableError("Deze pagina heeft geen tabel om te downloaden.")
    body = export.csv_bytes(table.frame, decimals=table.decimals, suppressed=table.suppressed)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{table.name}.csv"'},
    )


def _xlsx(request: Request, kind: str, data: dict[str, Any], name: str) -> Response:
    tables = page_tables(kind, data, min_cell=views(request).min_cell)
    wanted = request.query_params.get("tabel")
    if wanted and wanted in tables:
        tables = {wanted: tables[wanted]}
    if not tables:
        raise NotAvailableError("Deze pagina heeft geen tabel om te downloaden.")
    sources = [s for t in tables.values() for s in t.sources]
    body = export.xlsx_bytes(
        {t.title: t.frame for t in tables.values()},
        sources=sources,
        title=str(data.get("title_text") or name),
        note=export.SUPPRESSION_NOTE.format(min_cell=views(request).min_cell),
        decimals=None,
        units={c: u for t in tables.values() for c, u in t.units.items()},
        suppressed={t.title: t.suppressed for t in tables.values() if t.suppressed is not None},
    )
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


RENDERERS: dict[str, Callable[[Request, str, dict[str, Any], str], Response]] = {"csv": _csv, "xlsx": _xlsx}


def render(
    request: Request,
    kind: str,
    data: dict[str, Any],
    *,
    template: str,
    title: str,
    base: str,
    query: dict[str, Any],
    ext: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page as HTML or JSON (:func:`respond`), or a download by extension (:data:`RENDERERS`)."""
    if ext is not None:
        return RENDERERS[ext](request, kind, data, base.strip("/").replace("/", "-") or "stad")
    tables = page_tables(kind, data, min_cell=views(request).min_cell)
    page = {
        **data,
        "downloads": {
            "base": base,
            "query": {k: v for k, v in query.items() if v is not None},
            "tables": {k: t.title for k, t in tables.items()},
        },
    }
    return respond(request, template, page, title=title, status_code=status_code)


# -- lenient parameters of the HTML pages ---------------------------------------------------------
def _year(text: str | None, errors: dict[str, str]) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        year = int(text.strip())
    except ValueError:
        errors["year"] = f"'{text[:20]}' is geen jaartal; kies een jaar uit de lijst."
        return None
    if not 1900 <= year <= 2100:
        errors["year"] = f"{year} is geen jaar met cijfers; kies een jaar uit de lijst."
        return None
    return year


def _form_error(request: Request, exc: RoltrapError, errors: dict[str, str]) -> bool:
    """Move an error about one form field beside that field; False if it is not a field's."""
    if exc.param in ("year", "indicator", "scheme", "level", "gemeente", "codes") and exc.param not in errors:
        errors[exc.param] = exc.message + (f" {exc.hint}" if exc.hint else "")
        return True
    return False


def _json_errors(errors: dict[str, str]) -> None:
    if errors:
        param, message = next(iter(errors.items()))
        raise InputError(message, param=param)


# -- Stad -----------------------------------------------------------------------------------------
def _stad(
    request: Request,
    code: str | None,
    year: int | None,
    ext: str | None,
    errors: dict[str, str] | None = None,
) -> Response:
    errors = dict(errors or {})
    v = views(request)
    try:
        data = v.city(code, year)
    except NotFoundError as exc:
        if year is None or not _form_error(request, exc, errors):
            raise
        data = v.city(code, None)
    data = {**data, "errors": errors}
    return render(
        request,
        "stad",
        data,
        template="stad.html",
        title=f"Stad {data['name']}",
        base=f"/gemeente/{data['code']}",
        query={"year": year},
        ext=ext,
        status_code=422 if errors else 200,
    )


@router.get("/", include_in_schema=False)
def home(request: Request, year: Text = None, gemeente: Text = None) -> Response:
    errors: dict[str, str] = {}
    return _stad(request, gemeente, _year(year, errors), None, errors)


@router.get("/gemeente/{code}.json", tags=["pagina's"], summary="Stadsoverzicht", responses=ERRORS)
def city_json(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Inwoners, vervangingssnelheid, karakter (aankomst/bestemming), de drie lenzen van de kwetsbare
    groep met bandbreedte en de vergelijking met andere gemeenten."""
    return JSONResponse(jsonable(views(request).city(code, year)))


@router.get("/gemeente/{code}.{ext}", include_in_schema=False)
def city_download(request: Request, code: CodePath, ext: Ext, year: YearQuery = None) -> Response:
    return _stad(request, code, year, ext)


@router.get("/gemeente/{code}", include_in_schema=False)
def city(request: Request, code: CodePath, year: Text = None) -> Response:
    errors: dict[str, str] = {}
    return _stad(request, code, _year(year, errors), None, errors)


@router.get("/gemeente", include_in_schema=False)
def city_pick(request: Request, gemeente: Text = None, naar: Text = None) -> Response:
    """The chooser on every page: a typed name or code → the same kind of page for that municipality."""
    v = views(request)
    try:
        gm = v.gemeente(gemeente or "")
    except NotFoundError as exc:
        return templates.TemplateResponse(
            request,
            "kies.html",
            {
                "title": "Kies een gemeente",
                "typed": gemeente or "",
                "error": exc.message + (f" {exc.hint}" if exc.hint else ""),
                "naar": naar or "",
            },
            status_code=404,
        )
    target = {
        "kaart": f"/kaart?gemeente={gm['code']}",
        "wijk": f"/wijk?gemeente={gm['code']}",
        "vergelijk": f"/vergelijk?gemeente={gm['code']}",
    }.get(naar or "", f"/gemeente/{gm['code']}")
    return RedirectResponse(target, status_code=303)


# -- Kaart ----------------------------------------------------------------------------------------
IndicatorQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9_]+$",
        description="Indicator-id uit de catalogus (bijv. p_hh_110).",
    ),
]
SchemeQuery = Annotated[
    Literal["auto", "syllabus", "quantile", "natural"] | None,
    Query(
        description="Klassenindeling: auto (standaard: syllabus voor percentages, "
        "anders kwantielen), syllabus, quantile of natural (Fisher–Jenks)."
    ),
]
LevelQuery = Annotated[Literal["wijk", "buurt"] | None, Query(description="wijk (standaard) of buurt.")]


def _kaart(
    request: Request,
    gemeente: str | None,
    level: str | None,
    indicator: str | None,
    scheme: str | None,
    year: int | None,
    ext: str | None,
    json: bool,
    errors: dict[str, str] | None = None,
) -> Response:
    errors = dict(errors or {})
    v = views(request)
    data = v.kaart(gemeente, level, indicator, scheme, year)
    errors.update(data["errors"])
    if json and errors:
        _json_errors(errors)
    data = {**data, "errors": errors}
    if json:
        return JSONResponse(jsonable(data))
    return render(
        request,
        "kaart",
        data,
        template="kaart.html",
        title="Kaart",
        base="/kaart",
        query={
            "gemeente": data["gemeente_code"],
            "level": data["level"],
            "indicator": data["indicator"],
            "scheme": data["scheme"],
            "year": data["year"],
        },
        ext=ext,
        status_code=422 if errors else 200,
    )


@router.get("/kaart.json", tags=["pagina's"], summary="Kaart van de wijken of buurten", responses=ERRORS)
def kaart_json(
    request: Request,
    gemeente: GemeenteQuery = None,
    level: LevelQuery = None,
    indicator: IndicatorQuery = None,
    scheme: SchemeQuery = None,
    year: YearQuery = None,
) -> Response:
    """Waarde en klasse per wijk (of buurt) voor één indicator, met legenda en Vega-Lite-specificatie."""
    return _kaart(request, gemeente, level, indicator, scheme, year, None, True)


@router.get("/kaart.{ext}", include_in_schema=False)
def kaart_download(
    request: Request,
    ext: Ext,
    gemeente: GemeenteQuery = None,
    level: LevelQuery = None,
    indicator: IndicatorQuery = None,
    scheme: SchemeQuery = None,
    year: YearQuery = None,
) -> Response:
    return _kaart(request, gemeente, level, indicator, scheme, year, ext, False)


@router.get("/kaart", include_in_schema=False)
def kaart(
    request: Request,
    gemeente: Text = None,
    level: Text = None,
    indicator: Text = None,
    scheme: Text = None,
    year: Text = None,
) -> Response:
    errors: dict[str, str] = {}
    yr = _year(year, errors)
    if level not in (None, "", "wijk", "buurt"):
        errors["level"] = "Kies wijken of buurten."
        level = None
    if scheme not in (None, "", "auto", "syllabus", "quantile", "natural"):
        errors["scheme"] = "Kies een indeling uit de lijst."
        scheme = None
    return _kaart(
        request, gemeente or None, level or None, indicator or None, scheme or None, yr, None, False, errors
    )


# -- Wijk and Buurt -------------------------------------------------------------------------------
@router.get("/wijk.json", tags=["pagina's"], summary="Wijken van een gemeente", responses=ERRORS)
def wijken_json(request: Request, gemeente: GemeenteQuery = None) -> Response:
    """De wijken van een gemeente met code en naam."""
    return JSONResponse(jsonable(views(request).wijken(gemeente)))


@router.get("/wijk", include_in_schema=False)
def wijken(request: Request, gemeente: Text = None, code: Text = None) -> Response:
    v = views(request)
    if code:  # the "Ga naar een wijk" form works without JavaScript
        reg = v.region(code)
        return RedirectResponse(
            f"/{'buurt' if reg['level'] == 'buurt' else 'wijk'}/{reg['code']}", status_code=303
        )
    data = v.wijken(gemeente)
    return respond(request, "wijken.html", data, title="Wijken")


def _district(
    request: Request,
    kind: str,
    code: str,
    year: int | None,
    ext: str | None,
    errors: dict[str, str] | None = None,
) -> Response:
    errors = dict(errors or {})
    v = views(request)
    get = v.wijk if kind == "wijk" else v.buurt
    try:
        data = get(code, year)
    except NotFoundError as exc:
        if year is None or ext is not None or not _form_error(request, exc, errors):
            raise
        data = get(code, None)
    data = {**data, "errors": errors}
    return render(
        request,
        kind,
        data,
        template="wijk.html",
        title=f"{'Wijk' if kind == 'wijk' else 'Buurt'} {data['name']}",
        base=f"/{kind}/{data['code']}",
        query={"year": year},
        ext=ext,
        status_code=422 if errors else 200,
    )


@router.get("/wijk/{code}.json", tags=["pagina's"], summary="Wijkprofiel", responses=ERRORS)
def wijk_json(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Kerncijfers tegen de stad, type (aankomst/bestemming) met onderbouwing, drie lenzen,
    rangorde, trends, roltrapcondities en de buurten; elk cijfer met jaar en bron."""
    return JSONResponse(jsonable(views(request).wijk(code, year)))


def _pdf(request: Request, kind: str, code: str, year: int | None) -> Response:
    from roltrap.report.render import pdf_bytes, profile_html

    v = views(request)
    data = v.wijk(code, year) if kind == "wijk" else v.buurt(code, year)
    pdf = pdf_bytes(profile_html(data))  # the page cache keeps the result per store version
    filename = f"wijkprofiel-{data['code']}-{data['year']}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    200: {"content": {"application/pdf": {}}, "description": "Het profiel (PDF)."},
}


@router.get("/wijk/{code}.pdf", tags=["pagina's"], summary="Wijkprofiel als PDF", responses=PDF_RESPONSES)
def wijk_pdf(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Het printbare wijkprofiel: kaart, grafieken, tabellen, bronnen en datum."""
    return _pdf(request, "wijk", code, year)


@router.get("/wijk/{code}.{ext}", include_in_schema=False)
def wijk_download(request: Request, code: CodePath, ext: Ext, year: YearQuery = None) -> Response:
    return _district(request, "wijk", code, year, ext)


@router.get("/wijk/{code}", include_in_schema=False)
def wijk(request: Request, code: CodePath, year: Text = None) -> Response:
    errors: dict[str, str] = {}
    return _district(request, "wijk", code, _year(year, errors), None, errors)


@router.get("/buurt/{code}.json", tags=["pagina's"], summary="Buurtprofiel", responses=ERRORS)
def buurt_json(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Kerncijfers van een buurt tegen haar wijk, met de secties van het wijkprofiel."""
    return JSONResponse(jsonable(views(request).buurt(code, year)))


@router.get("/buurt/{code}.pdf", tags=["pagina's"], summary="Buurtprofiel als PDF", responses=PDF_RESPONSES)
def buurt_pdf(request: Request, code: CodePath, year: YearQuery = None) -> Response:
    """Het printbare profiel van een buurt."""
    return _pdf(request, "buurt", code, year)


@router.get("/buurt/{code}.{ext}", include_in_schema=False)
def buurt_download(request: Request, code: CodePath, ext: Ext, year: YearQuery = None) -> Response:
    return _district(request, "buurt", code, year, ext)


@router.get("/buurt/{code}", include_in_schema=False)
def buurt(request: Request, code: CodePath, year: Text = None) -> Response:
    errors: dict[str, str] = {}
    return _district(request, "buurt", code, _year(year, errors), None, errors)


# -- Vergelijk ------------------------------------------------------------------------------------
CodesQuery = Annotated[
    str | None, Query(max_length=300, description="2 tot 4 codes, komma-gescheiden: WK054603,WK054608,GM0546")
]


def _split(codes: str | None) -> tuple[str, ...]:
    return tuple(c.strip() for c in (codes or "").split(",") if c.strip())


@router.get("/vergelijk.json", tags=["pagina's"], summary="Regio's naast elkaar", responses=ERRORS)
def vergelijk_json(request: Request, codes: CodesQuery = None, year: YearQuery = None) -> Response:
    """2 tot 4 gemeenten, wijken of buurten naast elkaar, per indicator."""
    if not codes:
        raise InputError(
            "Geef 2 tot 4 gebieden op met ?codes=…",
            param="codes",
            hint="Bijvoorbeeld /vergelijk.json?codes=WK054603,WK054608.",
        )
    return JSONResponse(jsonable(views(request).vergelijk(_split(codes), year)))


def _vergelijk(
    request: Request,
    codes: str | None,
    c: list[str] | None,
    year: int | None,
    gemeente: str | None,
    ext: str | None,
    errors: dict[str, str],
) -> Response:
    v = views(request)
    picked = _split(",".join([codes or "", *(c or [])]))
    home = gemeente
    if not home and picked:  # the form offers the municipality of the first region picked
        try:
            reg = v.region(picked[0])
            home = reg["code"] if reg["level"] == "gemeente" else None
            while reg.get("parent") and reg["level"] != "gemeente":
                reg = v.region(reg["parent"])
                home = reg["code"]
        except NotFoundError:
            home = None
    data: dict[str, Any] = {
        "choices": v.choices(home),
        "picked": list(picked),
        "result": None,
        "gemeente": v.gemeente(home),
    }
    if picked:
        try:
            data["result"] = v.vergelijk(picked, year)
        except RoltrapError as exc:
            if ext is not None or not _form_error(request, exc, errors):
                raise
    data["errors"] = errors
    return render(
        request,
        "vergelijk",
        data,
        template="vergelijk.html",
        title="Vergelijk",
        base="/vergelijk",
        query={"codes": ",".join(picked) or None, "year": year},
        ext=ext,
        status_code=422 if errors else 200,
    )


@router.get("/vergelijk.{ext}", include_in_schema=False)
def vergelijk_download(
    request: Request, ext: Ext, codes: CodesQuery = None, year: YearQuery = None
) -> Response:
    return _vergelijk(request, codes, None, year, None, ext, {})


@router.get("/vergelijk", include_in_schema=False)
def vergelijk(
    request: Request,
    codes: Text = None,
    year: Text = None,
    gemeente: Text = None,
    c: Annotated[list[str] | None, Query(max_length=60)] = None,
) -> Response:
    """``codes=A,B`` (links) or repeated ``c=A&c=B`` (the checkbox form) pick the regions."""
    errors: dict[str, str] = {}
    return _vergelijk(request, codes, c, _year(year, errors), gemeente or None, None, errors)


# -- Bronnen & health -----------------------------------------------------------------------------
@router.get("/bronnen.json", tags=["pagina's"], summary="Bronnen, licenties en methoden")
def bronnen_json(request: Request) -> Response:
    """Elke geladen dataset met uitgever, jaren, licentie en herkomst; de indicatorcatalogus."""
    return JSONResponse(jsonable(views(request).bronnen()))


@router.get("/bronnen.{ext}", include_in_schema=False)
def bronnen_download(request: Request, ext: Ext) -> Response:
    return render(
        request,
        "bronnen",
        views(request).bronnen(),
        template="bronnen.html",
        title="Bronnen",
        base="/bronnen",
        query={},
        ext=ext,
    )


@router.get("/bronnen", include_in_schema=False)
def bronnen(request: Request) -> Response:
    return render(
        request,
        "bronnen",
        views(request).bronnen(),
        template="bronnen.html",
        title="Bronnen",
        base="/bronnen",
        query={},
    )


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
