"""The coach's aid on the web: ``/coach`` (form → printable result), ``/coach.json`` and
``/coach/caseload`` (anonymous upload → protected tables).

Answers and uploads are processed in memory and never stored or logged: forms are POSTed (so no
answer lands in an access log's URL), responses carry ``Cache-Control: no-store`` and no cookies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from roltrap.errors import InputError, RoltrapError
from roltrap.web.deps import get_rt, jsonable, templates

if TYPE_CHECKING:
    from roltrap.triage.caseload import CaseloadResult
    from roltrap.triage.service import TriageService

router = APIRouter()

# Uploads above this size are refused before parsing (bigger multipart parts would be spooled to disk).
MAX_UPLOAD_BYTES = 1_000_000
NO_STORE = {"Cache-Control": "no-store"}


def _service(request: Request) -> TriageService:
    service: TriageService = get_rt(request).triage
    return service


def _page(request: Request, template: str, context: dict[str, Any], *, title: str,
          status_code: int = 200) -> Response:
    return templates.TemplateResponse(request, template, {**context, "title": title},
                                      status_code=status_code, headers=NO_STORE)


def _error_json(exc: RoltrapError) -> JSONResponse:
    return JSONResponse({"error": {"status": exc.http_status, "message": exc.message, "hint": exc.hint}},
                        status_code=exc.http_status, headers=NO_STORE)


def _form_context(service: TriageService, *, answers: dict[str, Any] | None = None,
                  error: RoltrapError | None = None) -> dict[str, Any]:
    return {"questionnaire": service.questionnaire, "fw": service.frameworks, "answers": answers or {},
            "error": error}


# -- one person -------------------------------------------------------------------------------------
@router.get("/coach", include_in_schema=False)
def coach_form(request: Request) -> Response:
    return _page(request, "triage.html", _form_context(_service(request)), title="Coachhulp")


@router.post("/coach", include_in_schema=False)
async def coach_submit(request: Request) -> Response:
    service = _service(request)
    form = await request.form()
    raw: dict[str, Any] = {}
    for q in service.questionnaire.questions:
        values = [v for v in form.getlist(q.id) if isinstance(v, str) and v]
        if values:
            raw[q.id] = values if q.multiple or len(values) > 1 else values[0]
    try:
        result = service.suggest(raw)
    except RoltrapError as exc:
        return _page(request, "triage.html", _form_context(service, answers=raw, error=exc),
                     title="Coachhulp", status_code=exc.http_status)
    labels = _answer_labels(service, result.answers)
    return _page(request, "triage_result.html", {"result": result, "answer_labels": labels,
                                                 "fw": service.frameworks}, title="Coachhulp: resultaat")


def _answer_labels(service: TriageService, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(question label, chosen answer labels) in questionnaire order, for the printed summary."""
    q_by_id = {q.id: q for q in service.questionnaire.questions}
    decline = service.questionnaire.decline
    out = []
    for qid, value in answers.items():
        q = q_by_id[qid]
        codes = value if isinstance(value, list) else [value]
        out.append((q.label, ", ".join(decline.label if c == decline.value else q.option_label(c)
                                       for c in codes)))
    return out


@router.get("/coach.json", tags=["coach"], summary="Vragenlijst, typen en kaders van de coachhulp")
def coach_json(request: Request) -> Response:
    """Het JSON Schema van de anonieme vragen, alle typen (§6) met perspectief, de stijlen van
    Van der Lans (§19), de geschiedenis (§18) en de drie principes van BuZz (§22)."""
    service = _service(request)
    overview = service.overview()
    return JSONResponse({"schema": service.schema(), "types": service.types(), "styles": overview["styles"],
                         "history": overview["history"], "principles": overview["principles"],
                         "disclaimer": overview["disclaimer"], "version": overview["version"]})


@router.post("/coach.json", tags=["coach"], summary="Suggesties voor anonieme antwoorden",
             responses={422: {"description": "Onbekende vraag of antwoord."}})
def coach_suggest_json(
    request: Request,
    answers: dict[str, str | list[str] | None] = Body(
        ..., description="Antwoorden: vraag-id → antwoordcode (of lijst bij meer antwoorden); "
                         "zie GET /coach.json voor het schema.",
        examples=[{"leeftijd": "27_49", "migratie": "statushouder", "opleiding": "hoog"}]),
) -> Response:
    """Gerangschikte typen met redenen, perspectief, stijl en vindplaatsen; wegwijzers als de
    antwoorden buiten het terrein van BuZz wijzen. Niets wordt opgeslagen."""
    try:
        result = _service(request).suggest(answers)
    except RoltrapError as exc:
        return _error_json(exc)
    return JSONResponse(result.to_dict(), headers=NO_STORE)


# -- caseload ---------------------------------------------------------------------------------------
def _too_big(request: Request) -> InputError | None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
        return InputError(f"Het bestand is te groot (meer dan {MAX_UPLOAD_BYTES // 1_000_000} MB).",
                          hint="Splits de caseload of gebruik `roltrap triage --caseload`.")
    return None


def _table(df: pd.DataFrame, names: dict[str, str], first: str) -> dict[str, Any]:
    cols = [names.get(str(c), str(c)) for c in df.columns]
    rows = [[str(idx), *[None if pd.isna(v) else float(v) for v in row]]
            for idx, row in zip(df.index, df.to_numpy(), strict=True)]
    return {"columns": [first, *cols], "rows": rows}


def _caseload_context(res: CaseloadResult) -> dict[str, Any]:
    names = {str(k): str(v) for k, v in res.districts["name"].items()} if "name" in res.districts else {}
    dist = res.districts.reset_index(names="wijk")
    for col in [c for c in dist.columns if c.endswith("_jaar")]:
        dist[col] = dist[col].map(lambda y: None if pd.isna(y) else str(int(y)))
    labels = {"wijk": "Wijk", "name": "Naam", "a_inw": "Inwoners", "a_inw_jaar": "Jaar (inwoners)",
              "p_hh_110": "% huishoudens tot 110% sociaal minimum", "p_hh_110_jaar": "Jaar (minima)",
              "clienten": "Cliënten",
              "clienten_per_1000_inw": "Cliënten per 1.000 inwoners"}
    district_rows = [[None if pd.isna(v) else v for v in row] for row in dist.to_numpy()]
    return {"res": res, "types": _table(res.types, names, "Type (§6)"),
            "styles": _table(res.styles, names, "Stijl (§19)"),
            "districts": {"columns": [labels.get(c, c) for c in dist.columns], "rows": district_rows}}


async def _uploaded(request: Request) -> bytes:
    """The bytes of the form's ``bestand`` file (read into memory, then the upload is closed)."""
    try:
        form = await request.form(max_files=1, max_fields=5)
    except Exception:  # malformed multipart bodies raise several parser-specific errors
        raise InputError("Het formulier kon niet gelezen worden.",
                         hint="Stuur het bestand als multipart/form-data in het veld 'bestand'.") from None
    upload = form.get("bestand")
    if not isinstance(upload, UploadFile):
        raise InputError("Kies een CSV-bestand om te uploaden (veld 'bestand').")
    data = await upload.read()
    await upload.close()
    return data


@router.get("/coach/caseload", include_in_schema=False)
def caseload_form(request: Request) -> Response:
    return _page(request, "triage_caseload.html", {"questionnaire": _service(request).questionnaire},
                 title="Coachhulp: caseload")


@router.post("/coach/caseload", include_in_schema=False)
async def caseload_submit(request: Request) -> Response:
    service = _service(request)
    ctx: dict[str, Any] = {"questionnaire": service.questionnaire}
    try:
        err = _too_big(request)
        if err is not None:
            raise err
        data = await _uploaded(request)
        res = await run_in_threadpool(service.caseload, data)
    except RoltrapError as exc:
        return _page(request, "triage_caseload.html", {**ctx, "error": exc}, title="Coachhulp: caseload",
                     status_code=exc.http_status)
    return _page(request, "triage_caseload.html", {**ctx, **_caseload_context(res)},
                 title="Coachhulp: caseload")


@router.post("/coach/caseload.json", tags=["coach"], summary="Anonieme caseload per wijk",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
                 "schema": {"type": "object", "required": ["bestand"], "properties": {
                     "bestand": {"type": "string", "format": "binary",
                                 "description": "CSV: kolom wijk plus de vragen."}}}}}}},
             responses={422: {"description": "Onjuiste, te grote of herleidbare gegevens (bijv. naam, "
                                            "BSN)."}})
async def caseload_json(request: Request) -> Response:
    """Verdeling van typen en stijlen per wijk (cellen onder de drempel onderdrukt, met secundaire
    onderdrukking), naast inwoners en % huishoudens tot 110% van het sociaal minimum. De CSV gaat
    als bestand `bestand` (multipart/form-data) of als kale body (text/csv): een kolom `wijk`
    plus de vragen. Kolommen of waarden die iemand
    herkenbaar maken (naam, BSN, geboortedatum, adres, vrije tekst) worden geweigerd."""
    try:
        err = _too_big(request)
        if err is not None:
            raise err
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            data = await _uploaded(request)
        else:
            data = await request.body()
        if len(data) > MAX_UPLOAD_BYTES:
            raise InputError("Het bestand is te groot.")
        res = await run_in_threadpool(_service(request).caseload, data)
    except RoltrapError as exc:
        return _error_json(exc)
    return JSONResponse(jsonable(res.to_dict()), headers=NO_STORE)
