"""The JSON API under ``/api/``: what the pages show, with the same role and scope checks.

Authentication is the session cookie of the web login; writes need the session's CSRF token in
the ``X-CSRF-Token`` header (``GET /api/me`` returns it). Suppressed counts are ``null`` with the
shown text (``<5``, ``..``) beside them, exactly as on the pages. The writes (campaigns, defendant
corrections, crawl jobs, the assumptions editor) and the downloads call the same functions of
:mod:`lagesbild.web.actions` as the pages. Bad input answers 400 with every bad field named
(``errors``), or 422 when the body does not fit the schema. The description is served at
``/openapi.json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from dataclasses import fields as dataclass_fields
from datetime import date
from types import GenericAlias
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin, get_type_hints

from fastapi import APIRouter, Header, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from lagesbild import refdata
from lagesbild.errors import InputError, InputErrors
from lagesbild.estimate.purchases import PARAMETER_RANGES
from lagesbild.records.campaigns import Campaign
from lagesbild.records.verdicts import DefendantRecord
from lagesbild.web import actions, security, views
from lagesbild.web.app import CsrfError, Forbidden, Viewer, WebContext, check_csrf, client_ip, require
from lagesbild.web.data import FigureView, area_level


class FieldError(BaseModel):
    field: str | None = Field(description="The request field that is wrong (None: the request as a whole)")
    message: str


class ErrorBody(BaseModel):
    """A refused request: ``errors`` names every bad field (400); 401/403 carry only ``error``."""

    error: str
    detail: str = ""
    errors: list[FieldError] = []


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Bad input: every bad field is named; nothing was changed"},
    401: {"model": ErrorBody, "description": "Not logged in"},
    403: {"model": ErrorBody, "description": "Role, county scope or the X-CSRF-Token header does not allow this"},
}
CsrfHeader = Header(None, description="The session's CSRF token (GET /api/me); required for every write")


def _refused(exc: InputError) -> JSONResponse:
    """A 400 answer naming every bad field of ``exc`` (an InputErrors lists them all)."""
    errs = exc.errors if isinstance(exc, InputErrors) else [exc]
    body = ErrorBody(error="Bad request", detail=str(exc),
                     errors=[FieldError(field=e.field, message=e.message) for e in errs])  # fmt: skip
    return JSONResponse(body.model_dump(), status_code=400)


class _ApiRoute(APIRoute):
    """A route whose bad input (InputError, InputErrors) answers 400 naming every bad field, and
    whose write without the session's CSRF token answers 403 naming the header."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except InputError as exc:
                return _refused(exc)
            except CsrfError:
                body = ErrorBody(error="missing or wrong X-CSRF-Token header: send the csrf_token of GET /api/me")
                return JSONResponse(body.model_dump(), status_code=403)

        return route


router = APIRouter(prefix="/api", tags=["api"], route_class=_ApiRoute)

Year = Query(None, ge=1990, le=2100, description="The year (default: the newest year with data).")
JobId = PathParam(ge=1, le=2**63 - 1, description="A job's id")
DefendantId = PathParam(ge=1, le=2**63 - 1, description="A stored defendant's id")


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def _year(ctx: WebContext, year: int | None) -> int:
    return ctx.data.default_year() if year is None else year


@router.get("/me", summary="The logged-in user, their scope and the CSRF token for API writes")
def me(request: Request) -> dict[str, Any]:
    v = require(request)
    return {
        "username": v.user.username,
        "role": v.role,
        "scope": list(v.user.scope),
        "lang": v.lang,
        "csrf_token": v.csrf,
    }


@router.get("/areas", summary="The areas the user may see")
def areas(request: Request) -> list[dict[str, str]]:
    v = require(request)
    out = [{"code": "SE", "name": "Sverige", "level": "SE"}] if v.user.national else []
    for c in v.counties():
        out.append({"code": c, "name": refdata.county(c).name, "level": "lan"})
        out += [{"code": m.code, "name": m.name, "level": "kommun"} for m in refdata.municipalities_in(c)]
    return out


@router.get("/years", summary="Years with data, newest first")
def years(request: Request) -> list[int]:
    require(request)
    return _ctx(request).data.years()


@router.get("/areas/{code}", summary="Key figures with intervals, coverage, monthly series and sub-areas of one area")
def area(
    request: Request,
    code: str = PathParam(pattern=r"^(SE|\d{2}|\d{4})$", description="SE, a county (05) or a municipality (0580)"),
    year: int | None = Year,
) -> dict[str, Any]:
    area_level(code)
    v = require(request, area=code)
    ctx = _ctx(request)
    return ctx.data.area(code, _year(ctx, year)).to_json(v.lang)


@router.get("/map/{level}", summary="Published ad counts per county or municipality (what the map shows)")
def map_values(request: Request, level: str, year: int | None = Year) -> dict[str, Any]:
    v = require(request)
    if level not in ("lan", "kommun"):
        raise InputError("level must be lan or kommun", field="level")
    ctx = _ctx(request)
    cells = ctx.data.area_cells(_year(ctx, year), level)
    return {code: asdict(c) for code, c in cells.items() if v.may_see(code)}


@router.get("/sources", summary="Monitored sources and their crawl health")
def sources(request: Request) -> list[dict[str, Any]]:
    require(request)
    return views.sources(_ctx(request))


@router.get("/networks", summary="Networks in the user's counties (analysts; pseudonymized)")
def networks(request: Request) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="api/networks", ip=client_ip(request))
    return [asdict(n) for n in views.networks_for(ctx, v)]


@router.get("/networks/{network_id}", summary="The evidence that ties one network (analysts)")
def network(request: Request, network_id: str) -> dict[str, Any]:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ev = views.network_evidence(ctx, v, network_id)
    if ev is None:
        raise InputError("no such network in your counties", field="network_id")
    ctx.accounts.audit(v.user.username, "view", target=f"api/networks/{network_id}", ip=client_ip(request))
    return asdict(ev)


@router.get("/indicators", summary="Indicators of organized activity in the user's networks (analysts)")
def indicators(request: Request) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="api/indicators", ip=client_ip(request))
    return [asdict(r) for r in views.indicators_for(ctx, v)]


@router.get("/verdicts", summary="Fields extracted from court judgments in the user's counties (analysts)")
def verdicts(request: Request) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="api/verdicts", ip=client_ip(request))
    return [asdict(r) for r in views.verdicts_for(ctx, v)]


@router.get("/campaigns", summary="Registered campaigns in the user's counties")
def campaigns(request: Request) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request)
    return [
        {"name": c.name, "counties": list(c.counties), "start": c.start.isoformat(), "end": c.end.isoformat(),
         "note": c.note}
        for c in views.campaigns_for(ctx, v)
    ]  # fmt: skip


@router.get("/campaigns/{name:path}", summary="One campaign's estimated effect on the ads in its counties")
def campaign(request: Request, name: str) -> dict[str, Any]:
    ctx = _ctx(request)
    v = require(request)
    try:
        cv = views.campaign_for(ctx, v, name)
    except PermissionError:
        raise Forbidden from None
    if cv is None:
        raise InputError("no such campaign", field="name")
    d = asdict(cv)
    d["campaign"] = {"name": cv.campaign.name, "counties": list(cv.campaign.counties),
                     "start": cv.campaign.start.isoformat(), "end": cv.campaign.end.isoformat(),
                     "note": cv.campaign.note}  # fmt: skip
    return d


@router.get("/jobs", summary="Background jobs (the user's own; admins see all)")
def jobs(request: Request) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request)
    return [asdict(j) for j in views.jobs_for(ctx, v)]


@router.get("/jobs/{job_id}", summary="One background job and its progress")
def job(request: Request, job_id: int = JobId) -> dict[str, Any]:
    ctx = _ctx(request)
    v = require(request)
    found = next((j for j in views.jobs_for(ctx, v) if j.id == job_id), None)
    if found is None:
        raise InputError("no such job of yours", field="job_id")
    return asdict(found)


class ReportRequest(BaseModel):
    area: str = Field(pattern=r"^(SE|\d{2})$", description="SE or a county code")
    year: int = Field(ge=1990, le=2100)
    lang: str = Field("sv", pattern=r"^(sv|en)$")


@router.post("/reports", status_code=202, summary="Queue a report; poll /api/jobs/{id} for progress")
def report(request: Request, body: ReportRequest, x_csrf_token: str | None = Header(None)) -> dict[str, Any]:
    ctx = _ctx(request)
    v = require(request)
    check_csrf(v, x_csrf_token)
    return {"job_id": actions.queue_report(ctx, v, body.area, body.year, body.lang, client_ip(request))}


@router.get("/audit", summary="The audit log, newest first (admins)")
def audit(request: Request, limit: int = Query(500, ge=1, le=100_000)) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request, "admin")
    ctx.accounts.audit(v.user.username, "export", target="api/audit", ip=client_ip(request))
    return [asdict(e) for e in ctx.accounts.audit_entries(limit=limit)]


# -- writes and downloads shared with the pages (lagesbild.web.actions) ------------------------
# campaigns
class CampaignIn(BaseModel):
    """A campaign to register (analysts and admins; only in their own counties)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=actions.MAX_CAMPAIGN_NAME, description="Unique name in the register")
    counties: list[
        Annotated[str, Field(pattern=r"^\d{2}$", json_schema_extra={"enum": sorted(refdata.counties())})]
    ] = Field(min_length=1, max_length=25, description='Two-digit county codes, e.g. ["05"]')
    start: date = Field(description="First day (ISO date)")
    end: date = Field(description="Last day (ISO date), not before start")
    note: str = Field("", max_length=10_000, description="Free text: channels, budget, source")


class CampaignOut(BaseModel):
    name: str
    counties: list[str]
    start: date
    end: date
    note: str


def _campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(name=c.name, counties=list(c.counties), start=c.start, end=c.end, note=c.note)


@router.post("/campaigns", status_code=201, response_model=CampaignOut, responses=ERRORS,
             summary="Register a campaign (analysts and admins, own counties; audit-logged)")  # fmt: skip
def campaign_register(request: Request, body: CampaignIn, x_csrf_token: str | None = CsrfHeader) -> Any:
    ctx = _ctx(request)
    v = require(request, "analyst")
    check_csrf(v, x_csrf_token)
    fields = {"name": body.name.strip(), "counties": ",".join(body.counties), "start": body.start.isoformat(),
              "end": body.end.isoformat(), "note": body.note.strip()}  # fmt: skip
    c = actions.register_campaign(ctx, v, fields, client_ip(request))
    return _campaign_out(c)


# verdicts: extracted defendants and their corrections
DEFENDANT_HIDDEN = ("case_key", "confidence")
"""The fields of :class:`DefendantRecord` the API does not show: the case key (a hash of the judgment
text) and the extractor's per-field confidences."""

_DEFENDANT_FIRST = ("id", "court", "case_number", "date")
_DEFENDANT_DESCRIPTIONS = {"corrected": "Corrected by a reviewer (a re-import keeps the correction)"}


def defendant_fields() -> dict[str, Any]:
    """The fields of :data:`DefendantOut`, derived from :class:`DefendantRecord` so the two cannot drift.

    Every field of the record but :data:`DEFENDANT_HIDDEN`, all required: ``id``, ``court``,
    ``case_number`` and ``date`` first (the order the API has always had), the others in the record's
    order; ``id`` is an integer (a stored record has one) and a tuple is a JSON list.
    """
    hints = get_type_hints(DefendantRecord)
    names = [f.name for f in dataclass_fields(DefendantRecord) if f.name not in DEFENDANT_HIDDEN]
    fields: dict[str, Any] = {}
    for name in [*_DEFENDANT_FIRST, *(n for n in names if n not in _DEFENDANT_FIRST)]:
        kind = hints[name]
        if name == "id":
            kind = int
        elif get_origin(kind) is tuple:
            kind = GenericAlias(list, get_args(kind)[:1])
        fields[name] = (kind, Field(description=_DEFENDANT_DESCRIPTIONS.get(name)))
    return fields


if TYPE_CHECKING:
    DefendantOut = BaseModel
else:
    DefendantOut = create_model(
        "DefendantOut",
        __doc__="One defendant extracted from a court judgment (no name, identity number or address is stored).",
        **defendant_fields(),
    )


def _defendant_out(d: DefendantRecord) -> DefendantOut:
    return DefendantOut.model_validate({k: getattr(d, k) for k in DefendantOut.model_fields})


class DefendantCorrection(BaseModel):
    """The fields to correct; a field left out keeps its value, ``null`` clears an optional one.

    The values go through the same checks as ``lagesbild verdicts corrections`` (ages 15-110, day
    fines 1-300, municipality codes, ...); the offence municipality must stay in your counties.
    """

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["convicted", "acquitted"] | None = None
    offence: Literal["kop", "forsok", "barn", "koppleri"] | None = None
    offence_dates: list[date] | None = Field(None, max_length=366)
    defendant_age: int | None = Field(None, ge=15, le=110)
    home_kommun: str | None = Field(None, pattern=r"^\d{4}$")
    offence_kommun: str | None = Field(None, pattern=r"^\d{4}$")
    website: str | None = Field(None, max_length=200)
    ad_used: bool | None = None
    day_fines: int | None = Field(None, ge=1, le=300)
    day_fine_amount: int | None = Field(None, ge=1, le=10_000)
    conditional_sentence: bool | None = None
    prison_months: int | None = Field(None, ge=1, le=1200)
    plea: Literal["erkänner", "förnekar"] | None = None

    @field_validator("verdict", "offence", "offence_dates", "ad_used", "conditional_sentence")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("this field cannot be cleared (leave it out to keep its value)")
        return value


class CorrectionOut(BaseModel):
    changed: list[str] = Field(description="The fields that changed (empty: nothing was written)")
    defendant: DefendantOut


def _text(value: Any) -> str:
    """A typed correction value as the text the correction path reads (as in the review CSV)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ",".join(x.isoformat() if isinstance(x, date) else str(x) for x in value)
    return str(value).strip()


@router.get("/verdicts/defendants", response_model=list[DefendantOut], responses=ERRORS,
            summary="Defendants extracted from judgments in the user's counties, for review (analysts)")  # fmt: skip
def defendants(request: Request) -> Any:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="api/verdicts/defendants", ip=client_ip(request))
    return [_defendant_out(d) for d in views.defendants_for(ctx, v)]


def _defendant(ctx: WebContext, v: Viewer, defendant_id: int) -> DefendantRecord:
    d = views.defendant_for(ctx, v, defendant_id)
    if d is None:
        raise InputError("no such defendant in your counties", field="defendant_id")
    return d


@router.get("/verdicts/defendants/{defendant_id}", response_model=DefendantOut, responses=ERRORS,
            summary="One extracted defendant (analysts, own counties)")  # fmt: skip
def defendant(request: Request, defendant_id: int = DefendantId) -> Any:
    ctx = _ctx(request)
    v = require(request, "analyst")
    d = _defendant(ctx, v, defendant_id)
    ctx.accounts.audit(v.user.username, "view", target=f"api/verdicts/defendants/{defendant_id}",
                       ip=client_ip(request))  # fmt: skip
    return _defendant_out(d)


@router.patch("/verdicts/defendants/{defendant_id}", response_model=CorrectionOut, responses=ERRORS,
              summary="Correct fields of one extracted defendant (analysts, own counties; audit-logged)")  # fmt: skip
def defendant_correct(
    request: Request,
    body: DefendantCorrection,
    defendant_id: int = DefendantId,
    x_csrf_token: str | None = CsrfHeader,
) -> Any:
    from lagesbild.verdicts.review import EDITABLE, field_text

    ctx = _ctx(request)
    v = require(request, "analyst")
    check_csrf(v, x_csrf_token)
    d = _defendant(ctx, v, defendant_id)
    values = {f: field_text(d, f) for f in EDITABLE}
    values.update({f: _text(getattr(body, f)) for f in body.model_fields_set})
    changed = actions.correct_defendant(ctx, v, d, values, client_ip(request))
    return CorrectionOut(changed=changed, defendant=_defendant_out(_defendant(ctx, v, defendant_id)))


# crawl jobs
class JobQueued(BaseModel):
    job_id: int = Field(description="Poll GET /api/jobs/{job_id} for its progress")


@router.post("/sources/{source}/crawl", status_code=202, response_model=JobQueued, responses=ERRORS,
             summary="Queue one crawl pass over a source as a background job (admins; audit-logged)")  # fmt: skip
def crawl(
    request: Request,
    source: str = PathParam(max_length=100, description="A source with a site profile", examples=["annonsportalen"]),
    x_csrf_token: str | None = CsrfHeader,
) -> Any:
    ctx = _ctx(request)
    v = require(request, "admin")
    check_csrf(v, x_csrf_token)
    job_id = actions.queue_crawl(ctx, v, source, client_ip(request))
    return JobQueued(job_id=job_id)


# assumptions editor
class AssumptionOut(BaseModel):
    name: str
    description: str
    unit: str
    distribution: str = Field(description="The prior distribution the estimate draws from")
    nominal: float
    minimum: float = Field(description="A fixed value must be more than this ...")
    maximum: float = Field(description="... and at most this")
    value: float | None = Field(description="The value fixed in this recalculation, if any")


def _range(name: str) -> dict[str, Any]:
    lo, hi = PARAMETER_RANGES[name]
    return {"gt": lo, "le": hi, "allow_inf_nan": False}


class AssumptionsIn(BaseModel):
    """The purchases model's parameters to fix (a parameter left out keeps its distribution)."""

    model_config = ConfigDict(extra="forbid")

    area: str = Field(pattern=r"^(SE|\d{2}|\d{4})$", description="SE, a county (05) or a municipality (0580)")
    year: int = Field(ge=1990, le=2100)
    share_genuine: float | None = Field(None, **_range("share_genuine"))
    working_day_share: float | None = Field(None, **_range("working_day_share"))
    clients_per_working_day: float | None = Field(None, **_range("clients_per_working_day"))
    monitored_share: float | None = Field(None, **_range("monitored_share"))


class Interval(BaseModel):
    estimate: float
    low: float
    high: float


class RecalculationOut(BaseModel):
    area: str
    year: int
    level: float = Field(description="The intervals' level, e.g. 0.9")
    stored: Interval | None = Field(description="The stored purchases estimate (what the report shows)")
    recalculated: Interval | None = Field(description="Purchases with the fixed parameters (nothing is stored); "
                                          "null where the stored estimate is not published")  # fmt: skip
    note: str
    parameters: list[AssumptionOut]


def _assumption_rows(values: dict[str, float]) -> list[AssumptionOut]:
    return [AssumptionOut(name=r.name, description=r.description, unit=r.unit, distribution=r.distribution,
                          nominal=r.nominal, minimum=PARAMETER_RANGES[r.name][0],
                          maximum=PARAMETER_RANGES[r.name][1], value=r.value)
            for r in views.assumption_rows(values)]  # fmt: skip


def _interval(x: tuple[float, float, float] | None) -> Interval | None:
    return None if x is None else Interval(estimate=x[0], low=x[1], high=x[2])


@router.get("/assumptions", response_model=list[AssumptionOut], responses=ERRORS,
            summary="The purchases model's parameters that the assumptions editor can fix (analysts)")  # fmt: skip
def assumptions(request: Request) -> Any:
    require(request, "analyst")
    return _assumption_rows({})


@router.post("/assumptions", response_model=RecalculationOut, responses=ERRORS,
             summary="Recalculate the purchases estimate at once with some parameters fixed (analysts, "
                     "own counties; nothing is stored; audit-logged)")  # fmt: skip
def assumptions_recalculate(request: Request, body: AssumptionsIn, x_csrf_token: str | None = CsrfHeader) -> Any:
    ctx = _ctx(request)
    v = require(request, "analyst")
    check_csrf(v, x_csrf_token)
    area_level(body.area)
    require(request, "analyst", body.area)
    values = {n: x for n in views.PURCHASE_PARAMETERS if (x := getattr(body, n)) is not None}
    rec = actions.recalculate_assumptions(ctx, v, body.area, body.year, values, client_ip(request))
    return RecalculationOut(area=rec.area, year=rec.year, level=rec.level, stored=_interval(rec.stored),
                            recalculated=_interval(rec.recalculated), note=rec.note,
                            parameters=_assumption_rows(values))  # fmt: skip


# downloads
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"content": {actions.MEDIA_TYPES["csv"]: {}, actions.MEDIA_TYPES["xlsx"]: {}},
          "description": "The area's figures (CSV: semicolons, UTF-8 with BOM; or xlsx), small counts suppressed"},
    **ERRORS,
}  # fmt: skip


@router.get("/areas/{code}/download", response_class=Response, responses=DOWNLOAD,
            summary="An area's figures as CSV or Excel, as the page offers (audit-logged as an export)")  # fmt: skip
def area_download(
    request: Request,
    code: str = PathParam(pattern=r"^(SE|\d{2}|\d{4})$", description="SE, a county (05) or a municipality (0580)"),
    year: int | None = Year,
    format: Literal["csv", "xlsx"] = Query("csv", description="csv or xlsx"),
) -> Response:
    area_level(code)
    v = require(request, area=code)
    ctx = _ctx(request)
    dl = actions.area_download(ctx, v, code, _year(ctx, year), format, client_ip(request))
    return Response(dl.content, media_type=dl.media_type, headers=dl.headers())


# compare with last year
class CompareFigure(BaseModel):
    estimate: float | None = Field(description="null where the figure is not published")
    low: float | None
    high: float | None
    published: bool
    note: str


class CompareRowOut(BaseModel):
    quantity: str
    this: CompareFigure | None = Field(description="This year's stored figure (null: none stored)")
    last: CompareFigure | None = Field(description="Last year's stored figure (null: none stored)")
    change: float | None = Field(description="Only where both years are published")
    change_pct: float | None = Field(description="Only where both years are published and last year's is not 0")


class CompareOut(BaseModel):
    area: str
    area_name: str
    year: int
    last_year: int
    has_data: bool = Field(description="False: neither year has stored estimates ('inga data')")
    rows: list[CompareRowOut]


def _compare_figure(f: FigureView | None) -> CompareFigure | None:
    if f is None:
        return None
    shown = f.published and f.estimate is not None and math.isfinite(f.estimate)

    def fin(x: float | None) -> float | None:
        return float(x) if shown and x is not None and math.isfinite(x) else None

    return CompareFigure(estimate=fin(f.estimate), low=fin(f.low), high=fin(f.high), published=f.published,
                         note=f.note)  # fmt: skip


@router.get("/reports/compare", response_model=CompareOut, responses=ERRORS,
            summary="An area's stored estimates for a year and the year before, side by side (as the compare page; "
                    "nothing is computed)")  # fmt: skip
def reports_compare(
    request: Request,
    area: str = Query(pattern=r"^(SE|\d{2}|\d{4})$", description="SE, a county (05) or a municipality (0580)"),
    year: int | None = Year,
) -> Any:
    area_level(area)
    require(request, area=area)
    ctx = _ctx(request)
    y = _year(ctx, year)
    this = ctx.data.area(area, y, compute=False)
    last = ctx.data.area(area, y - 1, compute=False)
    rows = [CompareRowOut(quantity=r.quantity, this=_compare_figure(r.this), last=_compare_figure(r.last),
                          change=r.change, change_pct=r.change_pct)
            for r in views.compare_rows(this.suite, last.suite)]  # fmt: skip
    return CompareOut(area=area, area_name=this.area_name, year=y, last_year=y - 1,
                      has_data=this.suite.has_data or last.suite.has_data, rows=rows)  # fmt: skip


# a finished report's files
REPORT_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in actions.REPORT_MEDIA_TYPES.values()}, "description": "The report's file"},
    **ERRORS,
}


@router.get("/jobs/{job_id}/download/{kind}", response_class=Response, responses=REPORT_FILE,
            summary="A finished report job's HTML or PDF (the user's own jobs; admins all; audit-logged)")  # fmt: skip
def job_download(request: Request, kind: Literal["html", "pdf"], job_id: int = JobId) -> Response:
    ctx = _ctx(request)
    v = require(request)
    dl = actions.job_file(ctx, v, job_id, kind, client_ip(request))
    if dl is None:
        raise InputError("no such finished report of yours", field="job_id")
    return Response(dl.content, media_type=dl.media_type, headers=dl.headers())


class EstimatesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100)


@router.post("/estimates", status_code=202, response_model=JobQueued, responses=ERRORS,
             summary="Recompute and store the estimates of your areas for a year in the background (analysts; "
                     "audit-logged); poll /api/jobs/{id}")  # fmt: skip
def estimates(request: Request, body: EstimatesRequest, x_csrf_token: str | None = CsrfHeader) -> Any:
    ctx = _ctx(request)
    v = require(request, "analyst")
    check_csrf(v, x_csrf_token)
    return JobQueued(job_id=actions.queue_estimates(ctx, v, body.year, client_ip(request)))


# accounts and crawlable sources (what the admin pages show)
class UserOut(BaseModel):
    username: str
    role: Literal["viewer", "analyst", "admin"]
    scope: list[str] = Field(description='["SE"] (the whole country) or county codes')
    lang: str
    disabled: bool
    created_at: str


@router.get("/users", response_model=list[UserOut], responses=ERRORS,
            summary="The accounts (admins; no password hashes)")  # fmt: skip
def users(request: Request) -> Any:
    ctx = _ctx(request)
    require(request, "admin")
    return [UserOut(username=u.username, role=u.role, scope=list(u.scope), lang=u.lang,
                    disabled=u.disabled, created_at=u.created_at) for u in ctx.accounts.users()]  # fmt: skip


class CrawlableOut(BaseModel):
    can_crawl: bool = Field(description="False: the dashboard was not started with 'lagesbild serve' (no key)")
    sources: list[str] = Field(description="Sources with a site profile, for POST /api/sources/{source}/crawl")


@router.get("/sources/crawlable", response_model=CrawlableOut, responses=ERRORS,
            summary="The sources a crawl can be queued for (admins)")  # fmt: skip
def crawlable(request: Request) -> Any:
    from lagesbild.web.jobs import crawl_profiles

    ctx = _ctx(request)
    require(request, "admin")
    return CrawlableOut(can_crawl=ctx.worker.ctx.pseudonymizer is not None,
                        sources=sorted(crawl_profiles(ctx.worker.ctx.profiles_dir)))  # fmt: skip


class UserIn(BaseModel):
    """A new account (admins). The password is hashed with argon2id; it is never stored or logged as given."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=security.MIN_PASSWORD_LENGTH, max_length=security.MAX_PASSWORD_LENGTH)
    role: Literal["viewer", "analyst", "admin"]
    scope: list[Annotated[str, Field(pattern=r"^(SE|\d{2})$")]] = Field(
        min_length=1, max_length=25, description='["SE"] for the whole country, or county codes such as ["05", "06"]'
    )


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=security.MIN_PASSWORD_LENGTH, max_length=security.MAX_PASSWORD_LENGTH)


class Done(BaseModel):
    username: str
    done: bool = True


def _user_out(ctx: WebContext, username: str) -> UserOut:
    u = ctx.accounts.user(username)
    assert u is not None
    return UserOut(username=u.username, role=u.role, scope=list(u.scope), lang=u.lang, disabled=u.disabled,
                   created_at=u.created_at)  # fmt: skip


@router.post("/users", status_code=201, response_model=UserOut, responses=ERRORS,
             summary="Add an account (admins; audit-logged)")  # fmt: skip
def user_add(request: Request, body: UserIn, x_csrf_token: str | None = CsrfHeader) -> Any:
    ctx = _ctx(request)
    v = require(request, "admin")
    check_csrf(v, x_csrf_token)
    actions.add_user(ctx, v, body.username, body.password, body.role, ",".join(body.scope), client_ip(request))
    return _user_out(ctx, body.username)


@router.delete("/users/{username:path}", response_model=Done, responses=ERRORS,
               summary="Remove an account (admins, not their own); its sessions end (audit-logged)")  # fmt: skip
def user_remove(request: Request, username: str, x_csrf_token: str | None = CsrfHeader) -> Any:
    ctx = _ctx(request)
    v = require(request, "admin")
    check_csrf(v, x_csrf_token)
    if not actions.remove_user(ctx, v, username, client_ip(request)):
        raise InputError("no such user", field="username")
    return Done(username=username)


@router.put("/users/{username:path}/password", response_model=Done, responses=ERRORS,
            summary="Give an account a new password (admins); its sessions end (audit-logged)")  # fmt: skip
def user_reset(request: Request, username: str, body: PasswordIn, x_csrf_token: str | None = CsrfHeader) -> Any:
    ctx = _ctx(request)
    v = require(request, "admin")
    check_csrf(v, x_csrf_token)
    if not actions.reset_password(ctx, v, username, body.password, client_ip(request)):
        raise InputError("no such user", field="username")
    return Done(username=username)
