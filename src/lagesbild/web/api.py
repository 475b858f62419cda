"""The JSON API under ``/api/``: what the pages show, with the same role and scope checks.

Authentication is the session cookie of the web login; writes need the session's CSRF token in
the ``X-CSRF-Token`` header (``GET /api/me`` returns it). Suppressed counts are ``null`` with the
shown text (``<5``, ``..``) beside them, exactly as on the pages. The description is served at
``/openapi.json``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from lagesbild import refdata
from lagesbild.errors import InputError
from lagesbild.web import views
from lagesbild.web.app import Forbidden, WebContext, check_csrf, client_ip, require
from lagesbild.web.data import area_level

router = APIRouter(prefix="/api", tags=["api"])

Year = Query(None, ge=1990, le=2100, description="The year (default: the newest year with data).")


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
    require(request, area=code)
    ctx = _ctx(request)
    return ctx.data.area(code, _year(ctx, year)).to_json()


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


@router.get("/campaigns/{name}", summary="One campaign's estimated effect on the ads in its counties")
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
def job(request: Request, job_id: int) -> dict[str, Any]:
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
    area_level(body.area)
    if not v.may_see(body.area):
        raise InputError("outside your counties", field="area")
    job_id = ctx.accounts.add_job("report", body.model_dump(), created_by=v.user.username)
    ctx.accounts.audit(v.user.username, "change", target=f"jobs/{job_id}", detail=f"report {body.area} {body.year}",
                       ip=client_ip(request))  # fmt: skip
    ctx.worker.wake()
    return {"job_id": job_id}


@router.get("/audit", summary="The audit log, newest first (admins)")
def audit(request: Request, limit: int = Query(500, ge=1, le=100_000)) -> list[dict[str, Any]]:
    ctx = _ctx(request)
    v = require(request, "admin")
    ctx.accounts.audit(v.user.username, "export", target="api/audit", ip=client_ip(request))
    return [asdict(e) for e in ctx.accounts.audit_entries(limit=limit)]
