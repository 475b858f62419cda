"""The HTML pages: each handler checks role and scope, builds a typed context and renders a template.

POST forms carry the session's CSRF token (field ``csrf``); the login form carries one signed
with the server secret and bound to a short-lived cookie. Views of network, indicator and verdict
pages, exports and changes are written to the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from lagesbild import refdata
from lagesbild.errors import InputError, InputErrors
from lagesbild.store.web import ROLES
from lagesbild.web import actions, security, views
from lagesbild.web.actions import csv_bytes, parse_scope, xlsx_bytes
from lagesbild.web.app import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Forbidden,
    KeptPage,
    NotLoggedIn,
    Viewer,
    WebContext,
    audience_viewer,
    check_csrf,
    client_ip,
    page_key,
    personal_page,
    require,
    require_cached,
    viewer_of,
)
from lagesbild.web.data import AreaContext
from lagesbild.web.i18n import LANGS, label, t
from lagesbild.web.jobs import crawl_profiles
from lagesbild.web.svg import map_svg, series_svg

router = APIRouter()


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def render(request: Request, name: str, v: Viewer | None, lang: str, status: int = 200, **kw: Any) -> HTMLResponse:
    templates = request.app.state.templates
    base = {"v": v, "lang": lang, "threshold": _ctx(request).threshold}
    resp: HTMLResponse = templates.TemplateResponse(request, name, {**base, **kw}, status_code=status)
    return resp


def _year(request: Request, ctx: WebContext) -> int:
    raw = request.query_params.get("year")
    if raw is None:
        return ctx.data.default_year()
    if not (raw.isascii() and raw.isdigit()) or not 1990 <= int(raw) <= 2100:
        raise InputError("the year must be a four-digit year, e.g. 2024", field="year")
    return int(raw)


async def _form(request: Request, v: Viewer) -> FormData:
    form = await request.form()
    token = form.get("csrf")
    check_csrf(v, token if isinstance(token, str) else None)
    return form


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# The ids the store can hold (64-bit signed integers, from 1): a page asked for another id answers
# "not found", as the API refuses it (SQLite cannot even bind a larger Python int: a 500 otherwise).
DB_IDS = range(1, 2**63)


def _not_found(request: Request, v: Viewer) -> HTMLResponse:
    return render(request, "error.html", v, v.lang, 404, message=t("not_found", v.lang), detail="")


# -- login -------------------------------------------------------------------------------------
def _login_page(request: Request, lang: str, error: str = "", status: int = 200) -> HTMLResponse:
    ctx = _ctx(request)
    nonce = security.new_token()
    resp = render(request, "login.html", None, lang, status, error=error, csrf=security.sign(ctx.secret, nonce))
    resp.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, httponly=True, samesite="strict", secure=ctx.https, path="/")
    return resp


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> Response:
    q = request.query_params.get("lang")
    return _login_page(request, q if q in LANGS else "sv")


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    ctx = _ctx(request)
    form = await request.form()
    q = request.query_params.get("lang")
    lang = q if q in LANGS else "sv"
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    token = form.get("csrf")
    if not nonce or not isinstance(token, str) or not security.same(token, security.sign(ctx.secret, nonce)):
        return _login_page(request, lang, t("csrf_failed", lang), 403)
    username = _field(form, "username")[:64]
    raw_password = form.get("password")
    password = raw_password if isinstance(raw_password, str) else ""
    password = password[: security.MAX_PASSWORD_LENGTH + 1]  # a longer one is wrong anyway; argon2 need not read it
    ip = client_ip(request)
    if security.login_blocked(ctx.accounts, username, ip):
        ctx.accounts.audit(username, "login_blocked", ip=ip)
        return _login_page(request, lang, t("login_blocked", lang), 429)
    user = ctx.accounts.user(username)
    ok = security.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        ctx.accounts.audit(username, "login_failed", ip=ip)
        return _login_page(request, lang, t("login_failed", lang), 401)
    # A fresh session id at every login: a session id planted before login is never used.
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        ctx.accounts.end_session(security.hash_token(old))
        ctx.forget_sessions()
    session = security.new_token()
    ctx.accounts.create_session(
        security.hash_token(session), user.id, security.new_token(), lifetime=security.SESSION_LIFETIME
    )
    ctx.accounts.audit(user.username, "login", ip=ip)
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(
        SESSION_COOKIE, session, max_age=int(security.SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="strict", secure=ctx.https, path="/",
    )  # fmt: skip
    resp.delete_cookie(LOGIN_COOKIE, path="/")
    return resp


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    ctx = _ctx(request)
    v = viewer_of(request)
    await _form(request, v)
    token = request.cookies.get(SESSION_COOKIE, "")
    ctx.accounts.end_session(security.hash_token(token))
    ctx.forget_sessions()
    ctx.accounts.audit(v.user.username, "logout", ip=client_ip(request))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.post("/settings/lang", include_in_schema=False)
async def set_lang(request: Request) -> Response:
    ctx = _ctx(request)
    v = viewer_of(request)
    form = await _form(request, v)
    lang = _field(form, "lang")
    if lang not in LANGS:
        raise InputError("choose sv or en", field="lang")
    ctx.accounts.set_lang(v.user.id, lang)
    ctx.forget_sessions()  # the cached user carries the old language
    back = _field(form, "next")
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return RedirectResponse(back if local else "/", status_code=303)


# -- overview and areas ------------------------------------------------------------------------
@router.get("/", include_in_schema=False)
async def home(request: Request) -> Response:
    v = require_cached(request)
    if v is None:
        v = await run_in_threadpool(viewer_of, request)
    return RedirectResponse(f"/area/{v.home_area()}", status_code=303)


def _area_map(ctx: AreaContext, v: Viewer, kommun_map: bool, data_cells: Any) -> Any:
    words = {"no_data": t("no_data", v.lang), "no_access": t("no_access", v.lang), "ads": t("ads", v.lang)}
    if ctx.level == "SE" and not kommun_map:
        codes = list(refdata.counties())
        names = {c: x.name for c, x in refdata.counties().items()}
        return map_svg("lan", codes, ctx.children, names, allowed=v.may_see, labels=words)
    if ctx.level == "SE":
        codes = list(refdata.municipalities())
        names = {c: m.name for c, m in refdata.municipalities().items()}
        return map_svg("kommun", codes, data_cells, names, allowed=v.may_see, labels=words, width=420)
    county = ctx.area if ctx.level == "lan" else ctx.area[:2]
    ms = refdata.municipalities_in(county)
    cells = ctx.children if ctx.level == "lan" else {k: c for k, c in data_cells.items() if k[:2] == county}
    return map_svg("kommun", [m.code for m in ms], cells, {m.code: m.name for m in ms}, allowed=v.may_see,
                   labels=words, highlight=ctx.area if ctx.level == "kommun" else None)  # fmt: skip


@router.get("/area/{code}", response_class=HTMLResponse, include_in_schema=False)
async def area_page(request: Request, code: str) -> Response:
    """The overview (``SE``), a county or a municipality page. The body is rendered once per audience
    (language, role, scope) and data version and kept; a repeat view checks the session and the
    scope, then fills the user's name and CSRF token into the kept body, on the event loop."""
    kept = _kept_area_page(request, code)
    if kept is not None:
        return kept
    return await run_in_threadpool(_area_page, request, code)


def _kept_area_page(request: Request, code: str) -> Response | None:
    """The kept page for this viewer from the session and page caches only (no store, no template),
    or None when either must be read first.

    Raises:
        NotLoggedIn, Forbidden, InputError: as :func:`require`.
    """
    v = require_cached(request, area=code)
    if v is None:
        return None
    body = _ctx(request).data.peek(_area_key(request, v, code))
    return None if body is None else personal_page(body, v)


_AREA_PATH = re.compile(r"/area/([0-9A-Za-z]{2,4})")


def kept_page(request: Request) -> Response | None:
    """A repeat view of an area page answered before routing (see :class:`lagesbild.web.app.KeptPages`),
    or None: a first view, a refusal or an error is left to the page's handler."""
    m = _AREA_PATH.fullmatch(request.scope["path"])
    if m is None:
        return None
    try:
        return _kept_area_page(request, m.group(1))
    except (NotLoggedIn, Forbidden, InputError):
        return None


def _area_key(request: Request, v: Viewer, code: str) -> tuple[Any, ...]:
    q = request.query_params
    raw = q.get("year")
    year = int(raw) if raw is not None and raw.isascii() and raw.isdigit() else raw  # ?year=02024 is 2024
    return page_key(request, v, "area", code, year, q.get("map") == "kommun")


def _area_page(request: Request, code: str) -> Response:
    ctx = _ctx(request)
    v = require(request, area=code)

    def make() -> KeptPage:
        year = _year(request, ctx)
        actx = ctx.data.area(code, year)
        kommun_map = request.query_params.get("map") == "kommun"
        kcells = ctx.data.area_cells(year, "kommun") if (kommun_map or actx.level != "lan") else {}
        svg = _area_map(actx, v, kommun_map, kcells)
        parent = None if actx.level == "SE" else ("SE" if actx.level == "lan" else code[:2])
        return KeptPage.of(bytes(render(
            request, "area.html", audience_viewer(v), v.lang, a=actx, map_svg=svg, kommun_map=kommun_map,
            years=ctx.data.years(), chart=series_svg(actx.series, label=t("ads", v.lang)), parent=parent,
            parent_name=None if parent is None else ("Sverige" if parent == "SE" else refdata.county(parent).name),
            children_sorted=sorted(actx.children_names.items(), key=lambda kv: kv[1]),
        ).body))  # fmt: skip

    return personal_page(ctx.data.cached(_area_key(request, v, code), make), v)


@router.get("/area/{code}/download", include_in_schema=False)
def area_download(request: Request, code: str) -> Response:
    ctx = _ctx(request)
    v = require(request, area=code)
    year = _year(request, ctx)
    fmt = request.query_params.get("format", "csv")
    dl = actions.area_download(ctx, v, code, year, fmt, client_ip(request))
    return Response(dl.content, media_type=dl.media_type, headers=dl.headers())


# -- sources, networks, indicators, verdicts, campaigns ---------------------------------------
@router.get("/sources", response_class=HTMLResponse, include_in_schema=False)
def sources_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request)
    crawlable = sorted(crawl_profiles(ctx.worker.ctx.profiles_dir)) if v.at_least("admin") else []
    return render(request, "sources.html", v, v.lang, sources=views.sources(ctx), crawlable=crawlable,
                  can_crawl=ctx.worker.ctx.pseudonymizer is not None)  # fmt: skip


@router.post("/sources/crawl", include_in_schema=False)
async def sources_crawl(request: Request) -> Response:
    """Queue one crawl pass over a source as a background job (admins only); its page shows the progress."""
    ctx = _ctx(request)
    v = require(request, "admin")
    form = await _form(request, v)
    job_id = actions.queue_crawl(ctx, v, _field(form, "source"), client_ip(request))
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/networks", response_class=HTMLResponse, include_in_schema=False)
def networks_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="networks", ip=client_ip(request))
    return render(request, "networks.html", v, v.lang, networks=views.networks_for(ctx, v))


@router.get("/networks/{network_id}", response_class=HTMLResponse, include_in_schema=False)
def network_page(request: Request, network_id: str) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ev = views.network_evidence(ctx, v, network_id)
    if ev is None:
        return render(request, "error.html", v, v.lang, 404, message=t("not_found", v.lang), detail="")
    ctx.accounts.audit(v.user.username, "view", target=f"networks/{network_id}", ip=client_ip(request))
    return render(request, "network.html", v, v.lang, ev=ev, kommun_name=views.kommun_name)


@router.get("/indicators", response_class=HTMLResponse, include_in_schema=False)
def indicators_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="indicators", ip=client_ip(request))
    return render(request, "indicators.html", v, v.lang, rows=views.indicators_for(ctx, v))


@router.get("/verdicts", response_class=HTMLResponse, include_in_schema=False)
def verdicts_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    ctx.accounts.audit(v.user.username, "view", target="verdicts", ip=client_ip(request))
    return render(request, "verdicts.html", v, v.lang, rows=views.verdicts_for(ctx, v), kommun_name=views.kommun_name,
                  defendants=views.defendants_for(ctx, v))  # fmt: skip


def _defendant_render(request: Request, v: Viewer, d: Any, status: int = 200, errors: Sequence[str] = (),
                      values: dict[str, str] | None = None, saved: Sequence[str] = ()) -> HTMLResponse:  # fmt: skip
    from lagesbild.verdicts.review import EDITABLE, field_text

    shown = values if values is not None else {f: field_text(d, f) for f in EDITABLE}
    return render(request, "defendant.html", v, v.lang, status, d=d, fields=EDITABLE, values=shown,
                  errors=list(errors), saved=list(saved), kommun_name=views.kommun_name)  # fmt: skip


@router.get("/verdicts/defendants/{defendant_id}", response_class=HTMLResponse, include_in_schema=False)
def defendant_page(request: Request, defendant_id: int) -> Response:
    """One extracted defendant with a form to correct its fields (analysts and admins, own counties)."""
    ctx = _ctx(request)
    v = require(request, "analyst")
    d = views.defendant_for(ctx, v, defendant_id) if defendant_id in DB_IDS else None
    if d is None:
        return _not_found(request, v)
    ctx.accounts.audit(v.user.username, "view", target=f"verdicts/defendants/{defendant_id}", ip=client_ip(request))
    saved = [f for f in request.query_params.get("saved", "").split(",") if f]
    return _defendant_render(request, v, d, saved=saved)


@router.post("/verdicts/defendants/{defendant_id}", response_class=HTMLResponse, include_in_schema=False)
async def defendant_correct(request: Request, defendant_id: int) -> Response:
    """Correct one defendant's fields (the library's correction path); every bad field is named and
    nothing is stored then; a change is audit-logged with the names of the changed fields."""
    from lagesbild.verdicts.review import EDITABLE

    ctx = _ctx(request)
    v = require(request, "analyst")
    form = await _form(request, v)
    d = views.defendant_for(ctx, v, defendant_id) if defendant_id in DB_IDS else None
    if d is None:
        return _not_found(request, v)
    values = {f: _field(form, f) for f in EDITABLE}
    try:
        changed = actions.correct_defendant(ctx, v, d, values, client_ip(request))
    except InputErrors as exc:
        return _defendant_render(request, v, d, 400, [str(e) for e in exc.errors], values)
    except InputError as exc:
        return _defendant_render(request, v, d, 400, [str(exc)], values)
    return RedirectResponse(f"/verdicts/defendants/{defendant_id}?saved={','.join(changed) or '-'}", status_code=303)


@router.get("/campaigns", response_class=HTMLResponse, include_in_schema=False)
def campaigns_page(request: Request) -> Response:
    v = require(request)
    return _campaigns_render(request, v)


def _campaigns_render(request: Request, v: Viewer, status: int = 200, errors: Sequence[str] = (),
                      values: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
    return render(request, "campaigns.html", v, v.lang, status, campaigns=views.campaigns_for(_ctx(request), v),
                  errors=list(errors), values=values or {}, can_register=v.at_least("analyst"))  # fmt: skip


@router.post("/campaigns", response_class=HTMLResponse, include_in_schema=False)
async def campaigns_register(request: Request) -> Response:
    """Register a campaign (analyst or admin, only in their own counties) through the campaign register;
    every bad field is named on the form, nothing is stored then."""
    ctx = _ctx(request)
    v = require(request, "analyst")
    form = await _form(request, v)
    values = {k: _field(form, k) for k in actions.CAMPAIGN_FIELDS}
    try:
        campaign = actions.register_campaign(ctx, v, values, client_ip(request))
    except InputErrors as exc:
        return _campaigns_render(request, v, 400, [str(e) for e in exc.errors], values)
    except InputError as exc:
        return _campaigns_render(request, v, 400, [str(exc)], values)
    from urllib.parse import quote

    return RedirectResponse(f"/campaigns/{quote(campaign.name, safe='')}", status_code=303)


@router.get("/campaigns/{name:path}", response_class=HTMLResponse, include_in_schema=False)
def campaign_page(request: Request, name: str) -> Response:
    ctx = _ctx(request)
    v = require(request)
    try:
        cv = views.campaign_for(ctx, v, name)
    except PermissionError:
        raise Forbidden from None
    if cv is None:
        return render(request, "error.html", v, v.lang, 404, message=t("not_found", v.lang), detail="")
    from lagesbild.web.data import SeriesPoint, cell

    points = [SeriesPoint(d, cell(n, None, ctx.threshold)) for d, n in cv.days]
    chart = series_svg(points, label=t("ad_days", v.lang), width=720, labels_every=7,
                       band=(cv.campaign.start.isoformat(), cv.campaign.end.isoformat()))  # fmt: skip
    return render(request, "campaign.html", v, v.lang, cv=cv, chart=chart)


# -- reports and jobs --------------------------------------------------------------------------
def _report_areas(v: Viewer) -> list[tuple[str, str]]:
    out = [("SE", "Sverige")] if v.user.national else []
    return out + [(c, refdata.county(c).name) for c in v.counties()]


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request)
    return render(request, "reports.html", v, v.lang, jobs=views.jobs_for(ctx, v), areas=_report_areas(v),
                  years=ctx.data.years())  # fmt: skip


@router.get("/reports/compare", response_class=HTMLResponse, include_in_schema=False)
def reports_compare(request: Request) -> Response:
    """This year's and last year's stored estimates of one area side by side (nothing is computed here)."""
    ctx = _ctx(request)
    v = require(request)
    areas = _report_areas(v)
    area = request.query_params.get("area") or (areas[0][0] if areas else "SE")
    v = require(request, area=area)
    year = _year(request, ctx)
    this = ctx.data.area(area, year, compute=False)
    last = ctx.data.area(area, year - 1, compute=False)
    rows = views.compare_rows(this.suite, last.suite)
    return render(request, "compare.html", v, v.lang, a=this, last=last, rows=rows, areas=areas,
                  years=ctx.data.years())  # fmt: skip


@router.post("/reports", include_in_schema=False)
async def reports_generate(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request)
    form = await _form(request, v)
    area = _field(form, "area")
    year = _field(form, "year")
    lang = _field(form, "lang") or v.lang
    if not year.isdigit() or len(year) > 4:
        raise InputError("the year must be a four-digit year", field="year")
    job_id = actions.queue_report(ctx, v, area, int(year), lang, client_ip(request))
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.post("/estimates", include_in_schema=False)
async def estimates_run(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    form = await _form(request, v)
    year = _field(form, "year")
    if not year.isdigit() or len(year) > 4:
        raise InputError("the year must be a four-digit year", field="year")
    job_id = actions.queue_estimates(ctx, v, int(year), client_ip(request))
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _job_for(request: Request, v: Viewer, job_id: int) -> Any:
    if job_id not in DB_IDS:
        return None
    job = _ctx(request).accounts.job(job_id)
    if job is None or not (v.at_least("admin") or job.created_by == v.user.username):
        return None
    return job


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, job_id: int) -> Response:
    v = require(request)
    job = _job_for(request, v, job_id)
    if job is None:
        return _not_found(request, v)
    area = str(job.params.get("area", ""))
    title = f"{label('kind', job.kind, v.lang)}: {refdata.area_name(area) if area else ''} {job.params.get('year', '')}"
    if job.kind == "crawl":
        title = f"{label('kind', job.kind, v.lang)}: {job.params.get('source', '')}"
    return render(request, "job.html", v, v.lang, job=job, title=title, refresh=job.status in ("queued", "running"))


@router.get("/jobs/{job_id}/download/{kind}", include_in_schema=False)
def job_download(request: Request, job_id: int, kind: str) -> Response:
    ctx = _ctx(request)
    v = require(request)
    dl = actions.job_file(ctx, v, job_id, kind, client_ip(request))
    if dl is None:
        return render(request, "error.html", v, v.lang, 404, message=t("not_found", v.lang), detail="")
    return Response(dl.content, media_type=dl.media_type, headers=dl.headers())


# -- assumptions -------------------------------------------------------------------------------
@router.get("/assumptions", response_class=HTMLResponse, include_in_schema=False)
def assumptions_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    area = request.query_params.get("area") or v.home_area()
    require(request, "analyst", area)
    year = _year(request, ctx)
    rows = views.assumption_rows({})
    return render(request, "assumptions.html", v, v.lang, rows=rows, area=area, year=year, rec=None,
                  areas=_report_areas(v), years=ctx.data.years(), errors=[])  # fmt: skip


@router.post("/assumptions", response_class=HTMLResponse, include_in_schema=False)
async def assumptions_recalculate(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "analyst")
    form = await _form(request, v)
    area = _field(form, "area") or v.home_area()
    require(request, "analyst", area)
    year_s = _field(form, "year")
    if not year_s.isdigit():
        raise InputError("the year must be a four-digit year", field="year")
    year = int(year_s)
    values, bad = actions.parse_assumption_values({n: _field(form, n) for n in views.PURCHASE_PARAMETERS})
    rec = None
    errors: list[str] = []
    try:
        rec = actions.recalculate_assumptions(ctx, v, area, year, values, client_ip(request), errors=bad)
    except InputErrors as exc:
        errors = [str(e) for e in exc.errors]
    rows = views.assumption_rows(values)
    return render(request, "assumptions.html", v, v.lang, 400 if errors else 200, rows=rows, area=area, year=year,
                  rec=rec, areas=_report_areas(v), years=ctx.data.years(), errors=errors)  # fmt: skip


# -- admin -------------------------------------------------------------------------------------
@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "admin")
    return render(request, "audit.html", v, v.lang, entries=views.audit_entries(ctx, 500))


@router.get("/admin/audit.csv", include_in_schema=False)
def audit_export(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "admin")
    ctx.accounts.audit(v.user.username, "export", target="audit", ip=client_ip(request))
    entries = ctx.accounts.audit_entries(limit=1_000_000)
    rows = [[e.at, e.username, e.action, e.target, e.detail, e.ip] for e in entries]
    data = csv_bytes(["at", "user", "action", "target", "detail", "ip"], rows)
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="lagesbild-audit.csv"'})  # fmt: skip


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, message: str = "") -> Response:
    ctx = _ctx(request)
    v = require(request, "admin")
    return render(request, "users.html", v, v.lang, users=ctx.accounts.users(), roles=ROLES, message=message,
                  counties=refdata.counties())  # fmt: skip


@router.post("/admin/users", include_in_schema=False)
async def users_add(request: Request) -> Response:
    ctx = _ctx(request)
    v = require(request, "admin")
    form = await _form(request, v)
    username = _field(form, "username")
    raw = form.get("password")
    password = raw if isinstance(raw, str) else ""
    actions.add_user(ctx, v, username, password, _field(form, "role"), _field(form, "scope"), client_ip(request))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username:path}/remove", include_in_schema=False)
async def users_remove(request: Request, username: str) -> Response:
    ctx = _ctx(request)
    v = require(request, "admin")
    await _form(request, v)
    actions.remove_user(ctx, v, username, client_ip(request))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username:path}/reset", include_in_schema=False)
async def users_reset(request: Request, username: str) -> Response:
    ctx = _ctx(request)
    v = require(request, "admin")
    form = await _form(request, v)
    raw = form.get("password")
    password = raw if isinstance(raw, str) else ""
    actions.reset_password(ctx, v, username, password, client_ip(request))
    return RedirectResponse("/admin/users", status_code=303)


__all__ = ["NotLoggedIn", "csv_bytes", "parse_scope", "router", "xlsx_bytes"]
