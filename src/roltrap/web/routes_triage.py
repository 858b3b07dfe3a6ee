"""The coach's aid on the web: ``/coach`` (form → printable result), ``/coach.json``,
``/coach/caseload`` (anonymous upload → protected tables) and the caseload template.

Answers and uploads are processed in memory and never stored or logged: forms are POSTed (so no
answer lands in an access log's URL), responses carry ``Cache-Control: no-store`` and no cookies.
Every request body is read here, chunk by chunk, with a byte cap that holds whether or not the
client sends a Content-Length; multipart bodies are parsed in memory (Starlette's own form parser
would spool a large file part to a temporary file on disk, so it is not used).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from roltrap.errors import InputError, RoltrapError
from roltrap.triage.upload import DEFAULT_LIMITS, too_large
from roltrap.web.deps import get_rt, jsonable, templates

if TYPE_CHECKING:
    from roltrap.triage.caseload import CaseloadResult
    from roltrap.triage.service import TriageService

router = APIRouter()

#: A caseload file may be this large; the whole multipart body a little more (headers, other fields).
MAX_UPLOAD_BYTES = DEFAULT_LIMITS.max_bytes
MULTIPART_OVERHEAD = 16_384
#: A coach form or a JSON answers object is a few kilobytes.
MAX_FORM_BYTES = 64_000
MAX_FORM_FIELDS = 200
NO_STORE = {"Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    raw: dict[str, Any] = {}
    try:
        form = await _read_form(request, limit=MAX_FORM_BYTES)
        for q in service.questionnaire.questions:
            values = [v for v in form.getlist(q.id) if v]
            if values:
                raw[q.id] = values if q.multiple or len(values) > 1 else values[0]
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
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"type": "object", "additionalProperties": {
                     "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}},
                               {"type": "null"}]}},
                 "example": {"leeftijd": "27_49", "migratie": "statushouder", "opleiding": "hoog"}}}}},
             responses={422: {"description": "Onbekende vraag of antwoord, of geen geldige JSON."}})
async def coach_suggest_json(request: Request) -> Response:
    """Gerangschikte typen met redenen, perspectief, stijl en vindplaatsen; wegwijzers als de
    antwoorden buiten het terrein van BuZz wijzen. De body is een JSON-object: vraag-id →
    antwoordcode (of een lijst bij meer antwoorden); zie GET /coach.json voor het schema. Niets
    wordt opgeslagen."""
    try:
        body = await _read_body(request, limit=MAX_FORM_BYTES, what="verzoek")
        answers = _json_object(body)
        result = _service(request).suggest(answers)
    except RoltrapError as exc:
        return _error_json(exc)
    return JSONResponse(result.to_dict(), headers=NO_STORE)


# -- reading request bodies -------------------------------------------------------------------------
async def _read_body(request: Request, *, limit: int, what: str = "bestand") -> bytes:
    """The request body, refused as soon as more than ``limit`` bytes have arrived (chunked or not)."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.strip().isdigit():
            raise InputError("Het verzoek heeft een ongeldige lengte (Content-Length).")
        if int(length) > limit:
            raise too_large(limit, what=what)
    buf = bytearray()
    async for chunk in request.stream():
        buf += chunk
        if len(buf) > limit:
            raise too_large(limit, what=what)
    return bytes(buf)


def _json_object(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("De body is geen geldige JSON.",
                         hint='Stuur een JSON-object, bijvoorbeeld {"leeftijd": "27_49"}.') from None
    except RecursionError:
        raise InputError("De JSON is te diep genest.",
                         hint='Stuur een plat JSON-object, bijvoorbeeld {"leeftijd": "27_49"}.') from None


@dataclass
class _Form:
    """Text fields (every value, in order) and at most one file, all in memory."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    file: bytes | None = None
    filename: str | None = None  # as the browser sent it: for messages only, never a path

    def getlist(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def get(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


async def _read_form(request: Request, *, limit: int, file_field: str | None = None,
                     max_file: int = MAX_UPLOAD_BYTES) -> _Form:
    ctype = request.headers.get("content-type", "")
    body = await _read_body(request, limit=limit, what="bestand" if file_field else "verzoek")
    if ctype.startswith("multipart/form-data"):
        return _parse_multipart(body, ctype, file_field=file_field, max_file=max_file)
    try:
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True,
                          max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise InputError("Het formulier heeft te veel velden.") from None
    form = _Form()
    for key, value in pairs:
        form.fields.setdefault(key, []).append(value)
    return form


def _parse_multipart(body: bytes, content_type: str, *, file_field: str | None, max_file: int) -> _Form:
    """multipart/form-data parsed from memory with python-multipart's streaming parser."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    bad = InputError("Het formulier kon niet gelezen worden.",
                     hint="Kies het bestand opnieuw en verstuur het formulier nog eens.")
    if not boundary:
        raise bad
    parts: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    header: dict[str, bytearray] = {"field": bytearray(), "value": bytearray()}

    def part_begin() -> None:
        current.clear()
        current.update(headers={}, data=bytearray())

    def header_field(data: bytes, start: int, end: int) -> None:
        header["field"] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        header["value"] += data[start:end]

    def header_end() -> None:
        current["headers"][bytes(header["field"]).lower()] = bytes(header["value"])
        header["field"], header["value"] = bytearray(), bytearray()

    def part_data(data: bytes, start: int, end: int) -> None:
        current["data"] += data[start:end]

    def part_end() -> None:
        if len(parts) < MAX_FORM_FIELDS:
            parts.append(dict(current))

    parser = MultipartParser(boundary, {
        "on_part_begin": part_begin, "on_header_field": header_field, "on_header_value": header_value,
        "on_header_end": header_end, "on_part_data": part_data, "on_part_end": part_end})
    try:
        parser.write(body)
        parser.finalize()
    except Exception:  # python-multipart raises several parse errors for malformed bodies
        raise bad from None
    form = _Form()
    for part in parts:
        _, disp = parse_options_header(part["headers"].get(b"content-disposition", b""))
        name = disp.get(b"name", b"").decode("utf-8", errors="replace")
        if b"filename" in disp:
            if name == file_field and form.file is None:
                if len(part["data"]) > max_file:
                    raise too_large(max_file)
                form.file = bytes(part["data"])
                form.filename = disp.get(b"filename", b"").decode("utf-8", errors="replace")
            continue
        form.fields.setdefault(name, []).append(bytes(part["data"]).decode("utf-8", errors="replace"))
    return form


# -- caseload ---------------------------------------------------------------------------------------
def _table(df: pd.DataFrame, names: dict[str, str], first: str) -> dict[str, Any]:
    cols = [names.get(str(c), str(c)) for c in df.columns]
    rows = [[str(idx), *[None if pd.isna(v) else float(v) for v in row]]
            for idx, row in zip(df.index, df.to_numpy(), strict=True)]
    return {"columns": [first, *cols], "rows": rows}


def _caseload_context(res: CaseloadResult) -> dict[str, Any]:
    names = {str(k): str(v) for k, v in res.districts["name"].items()} if "name" in res.districts else {}
    dist = res.districts.reset_index(names=res.level)
    for col in [c for c in dist.columns if c.endswith("_jaar")]:
        dist[col] = dist[col].map(lambda y: None if pd.isna(y) else str(int(y)))
    labels = {"wijk": "Wijk", "buurt": "Buurt", "name": "Naam", "a_inw": "Inwoners",
              "a_inw_jaar": "Jaar (inwoners)",
              "p_hh_110": "% huishoudens tot 110% sociaal minimum", "p_hh_110_jaar": "Jaar (minima)",
              "clienten": "Cliënten",
              "clienten_per_1000_inw": "Cliënten per 1.000 inwoners"}
    district_rows = [[None if pd.isna(v) else v for v in row] for row in dist.to_numpy()]
    return {"res": res, "types": _table(res.types, names, "Type (§6)"),
            "styles": _table(res.styles, names, "Stijl (§19)"),
            "districts": {"columns": [labels.get(c, c) for c in dist.columns], "rows": district_rows}}


def _caseload_page_context(request: Request, service: TriageService, form: _Form | None = None,
                           error: RoltrapError | None = None) -> dict[str, Any]:
    """The form's context with the user's choices; a municipality that was not found is not
    repeated (the field may hold anything someone typed)."""
    rt = get_rt(request)
    gemeenten = rt.regions(level="gemeente")
    default = rt.region(rt.settings.gemeente)["name"]
    typed = form.get("gemeente") if form else None
    if error is not None and error.param == "gemeente":
        typed, default = None, ""
    niveau = (form.get("niveau") if form else None) or ""
    chosen = {"gemeente": typed or default, "niveau": niveau if niveau in ("wijk", "buurt") else ""}
    return {"questionnaire": service.questionnaire, "gemeenten": list(gemeenten["name"]), "chosen": chosen}


async def _caseload_from_request(request: Request, service: TriageService, *,
                                 parsed: list[_Form] | None = None) -> tuple[_Form, CaseloadResult]:
    ctype = request.headers.get("content-type", "")
    limit = MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD if ctype.startswith("multipart/") else MAX_UPLOAD_BYTES
    if ctype.startswith("multipart/form-data"):
        form = await _read_form(request, limit=limit, file_field="bestand")
    else:
        form = _Form(file=await _read_body(request, limit=limit))
        for key in ("gemeente", "niveau"):
            if request.query_params.get(key):
                form.fields[key] = [request.query_params[key]]
    if parsed is not None:
        parsed.append(form)
    if form.file is None:
        raise InputError("Kies een caseloadbestand (Excel of CSV) om te uploaden.")
    niveau = form.get("niveau") or None
    res = await run_in_threadpool(service.caseload, form.file, gemeente=form.get("gemeente") or None,
                                  level=niveau)
    return form, res


@router.get("/coach/caseload", include_in_schema=False)
def caseload_form(request: Request) -> Response:
    service = _service(request)
    return _page(request, "triage_caseload.html", _caseload_page_context(request, service),
                 title="Coachhulp: caseload")


@router.post("/coach/caseload", include_in_schema=False)
async def caseload_submit(request: Request) -> Response:
    service = _service(request)
    parsed: list[_Form] = []
    form: _Form | None = None
    try:
        form, res = await _caseload_from_request(request, service, parsed=parsed)
    except RoltrapError as exc:
        form = parsed[0] if parsed else None
        ctx = _caseload_page_context(request, service, form, exc)
        return _page(request, "triage_caseload.html", {**ctx, "error": exc}, title="Coachhulp: caseload",
                     status_code=exc.http_status)
    ctx = _caseload_page_context(request, service, form)
    return _page(request, "triage_caseload.html", {**ctx, **_caseload_context(res), **_downloads(res)},
                 title="Coachhulp: caseload")


def _downloads(res: CaseloadResult) -> dict[str, Any]:
    """The result's CSV and Excel, inside the page itself (data: links): the server keeps nothing to
    fetch them from later, and they hold only the protected tables, never a row of the upload."""
    import base64

    from roltrap.report.caseload import caseload_csv, caseload_xlsx

    def link(data: bytes, media: str) -> str:
        return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"

    return {"download_csv": link(caseload_csv(res), "text/csv;charset=utf-8"),
            "download_xlsx": link(caseload_xlsx(res), XLSX),
            "download_name": f"caseload-per-{res.level}"}





@router.post("/coach/caseload.json", tags=["coach"], summary="Anonieme caseload per wijk of buurt",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
                 "schema": {"type": "object", "required": ["bestand"], "properties": {
                     "bestand": {"type": "string", "format": "binary",
                                 "description": "Excel (.xlsx) of CSV: Wijk (of Buurt) plus de vragen."},
                     "gemeente": {"type": "string", "description": "Gemeente (code of naam)."},
                     "niveau": {"type": "string", "enum": ["wijk", "buurt"]}}}}}}},
             responses={422: {"description": "Onjuiste, te grote of herleidbare gegevens (bijv. naam, "
                                            "BSN)."}})
async def caseload_json(request: Request) -> Response:
    """Verdeling van typen en stijlen per wijk of buurt (cellen onder de drempel onderdrukt, met
    secundaire onderdrukking), naast inwoners en % huishoudens tot 110% van het sociaal minimum.
    Het bestand gaat als `bestand` (multipart/form-data) of als kale body (CSV of .xlsx, met
    `gemeente` en `niveau` als queryparameters): een kolom Wijk (of Buurt) plus de vragen. Kolommen
    of waarden die iemand herkenbaar maken (naam, BSN, geboortedatum, adres, vrije tekst) worden
    geweigerd, zonder ze te herhalen."""
    try:
        _, res = await _caseload_from_request(request, _service(request))
    except RoltrapError as exc:
        return _error_json(exc)
    return JSONResponse(jsonable(res.to_dict()), headers=NO_STORE)


@router.get("/coach/caseload/sjabloon.xlsx", tags=["coach"], summary="Caseloadsjabloon (Excel)",
            response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "De Excel-werkmap."},
                       404: {"description": "Onbekende gemeente."}})
def caseload_template(request: Request, gemeente: str | None = None) -> Response:
    """Een lege caseload als Excel-werkmap: de kolommen in rij 1, de toegestane antwoorden als
    keuzelijst, de wijken en buurten van de gemeente, en een tabblad met uitleg."""
    service = _service(request)
    data = service.template(gemeente=gemeente)
    return Response(data, media_type=XLSX, headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="caseload-sjabloon.xlsx"'})


# After /coach/caseload.json: that path must not be taken for an extension.
@router.post("/coach/caseload.{ext}", tags=["coach"], summary="Anonieme caseload als CSV of Excel",
             response_class=Response,
             responses={200: {"content": {"text/csv": {}, XLSX: {}}, "description": "De tabellen."},
                        422: {"description": "Onjuiste, te grote of herleidbare gegevens."}})
async def caseload_download(request: Request, ext: str) -> Response:
    """Dezelfde samenvatting als `/coach/caseload.json` (zelfde invoer), als CSV (beide tabellen
    onder elkaar) of als Excel-werkmap (een blad per tabel en een blad met de toelichting).
    Onderdrukte cellen staan er als "onderdrukt"; er wordt niets opgeslagen."""
    from roltrap.report.caseload import caseload_csv, caseload_xlsx

    if ext not in ("csv", "xlsx"):
        return _error_json(InputError(f"Onbekend formaat '.{ext[:10]}': kies .csv of .xlsx."))
    try:
        _, res = await _caseload_from_request(request, _service(request))
    except RoltrapError as exc:
        return _error_json(exc)
    name = f"caseload-per-{res.level}.{ext}"
    if ext == "csv":
        body, media = caseload_csv(res), "text/csv; charset=utf-8"
    else:
        body, media = caseload_xlsx(res), XLSX
    return Response(body, media_type=media,
                    headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})
