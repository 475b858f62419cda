"""The dashboard's write actions and downloads, shared by the HTML pages and the JSON API.

Each action takes the web context, the viewer (whose role the caller has already checked with
``require``) and the client's address; it checks the viewer's county scope, does the change through
the library (the campaign register, the verdicts' correction path, the job queue, the estimate
suite) and writes the audit log entry the pages and the API share. Bad input raises
:class:`~lagesbild.errors.InputError` (or :class:`~lagesbild.errors.InputErrors` with every bad
field), and nothing is stored then; the callers turn it into a form with its errors or a 400 answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lagesbild.errors import InputError, InputErrors
from lagesbild.estimate.purchases import parameter_errors
from lagesbild.records.campaigns import Campaign
from lagesbild.records.tables import excel_csv_bytes as csv_bytes
from lagesbild.records.tables import inert, xlsx_bytes  # the one export writer, shared with the CLI
from lagesbild.records.verdicts import DefendantRecord
from lagesbild.web import views
from lagesbild.web.app import Forbidden, Viewer, WebContext
from lagesbild.web.data import AreaContext, Cell
from lagesbild.web.i18n import t

__all__ = [
    "CAMPAIGN_FIELDS",
    "Download",
    "add_user",
    "area_download",
    "correct_defendant",
    "csv_bytes",
    "export_rows",
    "inert",
    "job_file",
    "parse_assumption_values",
    "parse_scope",
    "queue_crawl",
    "queue_estimates",
    "queue_report",
    "recalculate_assumptions",
    "register_campaign",
    "remove_user",
    "reset_password",
    "xlsx_bytes",
]

CAMPAIGN_FIELDS = ("name", "counties", "start", "end", "note")
MAX_CAMPAIGN_NAME = 200  # the register's column


def _need(v: Viewer, role: str) -> None:
    if not v.at_least(role):
        raise Forbidden


# -- campaigns ---------------------------------------------------------------------------------
def register_campaign(ctx: WebContext, v: Viewer, values: Mapping[str, str], ip: str) -> Campaign:
    """Register a campaign from its text fields (``name``, ``counties``, ``start``, ``end``, ``note``)
    through the campaign register, only in the viewer's counties (analysts and admins); audit-logged.

    Raises:
        InputErrors / InputError: every bad field (a county outside the viewer's scope names
            ``counties``, a name already registered names ``name``); nothing is stored then.
    """
    from lagesbild.campaigns.spec import campaign_from_fields
    from lagesbild.store.campaigns import CampaignStore

    _need(v, "analyst")
    fields = {k: values.get(k, "") for k in CAMPAIGN_FIELDS}
    if len(fields["name"]) > MAX_CAMPAIGN_NAME or any(ord(ch) < 32 or ord(ch) == 127 for ch in fields["name"]):
        raise InputError(f"a name of at most {MAX_CAMPAIGN_NAME} characters, without control characters", field="name")
    if fields["name"].strip() in (".", ".."):  # its page's address would be a dot segment: unreachable
        raise InputError("a name other than '.' or '..'", field="name")
    if "\x00" in fields["note"]:
        raise InputError("the note cannot contain NUL characters", field="note")
    campaign = campaign_from_fields(fields)
    outside = [c for c in campaign.counties if not v.may_see(c)]
    if outside:
        raise InputError(f"outside your counties: {', '.join(outside)}", field="counties")
    CampaignStore(ctx.store).add(campaign)
    ctx.accounts.audit(v.user.username, "change", target=f"campaigns/{campaign.name}",
                       detail=f"registered {','.join(campaign.counties)} {campaign.start}..{campaign.end}",
                       ip=ip)  # fmt: skip
    return campaign


# -- verdicts: defendant corrections -----------------------------------------------------------
def correct_defendant(ctx: WebContext, v: Viewer, d: DefendantRecord, values: Mapping[str, str], ip: str) -> list[str]:
    """Correct one stored defendant (``d``, found with :func:`views.defendant_for`) from the text of
    its editable fields, through the library's correction path; a change invalidates the cached
    figures and is audit-logged with the names of the changed fields.

    Returns the names of the fields that changed (none: nothing is written or logged).

    Raises:
        InputErrors / InputError: every bad field, or an offence municipality outside the viewer's counties.
    """
    _need(v, "analyst")
    changed = views.correct_defendant(ctx, v, d, dict(values))
    if changed:
        ctx.data.invalidate()
        ctx.accounts.audit(v.user.username, "change", target=f"verdicts/defendants/{d.id}",
                           detail="corrected " + ",".join(changed), ip=ip)  # fmt: skip
    return changed


# -- crawl jobs --------------------------------------------------------------------------------
def queue_crawl(ctx: WebContext, v: Viewer, source: str, ip: str) -> int:
    """Queue one crawl pass over ``source`` as a background job (admins); returns the job's id.

    Raises:
        InputError: naming ``source`` when no profile of that name is known.
    """
    from lagesbild.web.jobs import crawl_profiles

    _need(v, "admin")
    if source not in crawl_profiles(ctx.worker.ctx.profiles_dir):
        raise InputError(f"no profile for source {source[:64]!r}", field="source")
    job_id = ctx.accounts.add_job("crawl", {"source": source}, created_by=v.user.username)
    ctx.accounts.audit(v.user.username, "change", target=f"jobs/{job_id}", detail=f"crawl {source}", ip=ip)
    ctx.worker.wake()
    return job_id


# -- assumptions -------------------------------------------------------------------------------
def parse_assumption_values(raw: Mapping[str, str]) -> tuple[dict[str, float], list[InputError]]:
    """The purchases model's parameters typed into a form (decimal comma or point; empty: not fixed),
    and an error naming each value that is not a number."""
    values: dict[str, float] = {}
    errors: list[InputError] = []
    for name in views.PURCHASE_PARAMETERS:
        text = (raw.get(name) or "").strip().replace(",", ".")
        if text:
            try:
                values[name] = float(text)
            except ValueError:
                errors.append(InputError(f"'{text[:32]}' is not a number", field=name))
    return values, errors


def recalculate_assumptions(
    ctx: WebContext, v: Viewer, area: str, year: int, values: Mapping[str, float], ip: str,
    errors: Sequence[InputError] = (),
) -> views.Recalculation:  # fmt: skip
    """The purchases estimate of ``area`` and ``year`` recalculated at once with the given parameters
    fixed (nothing is stored; an unpublished stored estimate keeps the recalculation unpublished too).
    The attempt is audit-logged with the values, also when it is refused.

    ``errors`` are errors the caller found already (e.g. a value that is no number); they are
    raised together with the range errors.

    Raises:
        Forbidden: an area outside the viewer's counties.
        InputErrors: every parameter that is unknown, not a number or outside its range.
    """
    _need(v, "analyst")
    if not v.may_see(area):
        raise Forbidden
    fixed = dict(values)
    try:
        bad = [*errors, *parameter_errors(fixed)]
        if bad:
            raise InputErrors(bad)
        return views.recalculate_purchases(ctx, area, year, fixed)
    finally:
        ctx.accounts.audit(v.user.username, "assumptions", target=f"{area}/{year}",
                           detail=", ".join(f"{k}={x:g}" for k, x in fixed.items()), ip=ip)  # fmt: skip


# -- downloads ---------------------------------------------------------------------------------
def export_rows(a: AreaContext, lang: str) -> tuple[list[str], list[list[Any]]]:
    """The rows of an area's download: observed ads, the estimates (unpublished ones say so), the
    sub-areas' and the months' observed ads, all with the pages' small-count suppression.

    An area without data in the year (nothing monitored there: the page says "inga data") says so
    ("inga data"/"no data") for the year and its months, never 0; so does a sub-area without data.
    """
    head = [t("area", lang), t("period", lang), "quantity", t("estimate", lang), "low", "high", "level", "note"]
    rows: list[list[Any]] = []
    period = f"{a.year}"
    no_data = t("no_data", lang)

    def observed(c: Cell) -> Any:
        if not a.coverage.has_data:
            return no_data
        return c.value if c.value is not None else c.shown

    rows.append([a.area_name, period, "ads_observed", observed(a.coverage.ads), "", "", "", ""])

    def num(x: float | None) -> Any:
        return "" if x is None or x != x or x in (float("inf"), float("-inf")) else round(x)

    for f in a.suite.figures:
        rows.append([a.area_name, period, f.quantity, num(f.estimate) if f.published else t("unpublished", lang),
                     num(f.low) if f.published else "", num(f.high) if f.published else "", f.level or "",
                     f.note])  # fmt: skip
    for k, name in sorted(a.children_names.items()):
        c = a.children.get(k)
        shown: Any = no_data if c is None else c.value if c.value is not None else c.shown
        rows.append([name, period, "ads_observed", shown, "", "", "", ""])
    for p in a.series:
        rows.append([a.area_name, p.period, "ads_observed", observed(p.ads), "", "", "", ""])
    return head, rows


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    filename: str

    def headers(self) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{self.filename}"'}


def area_download(ctx: WebContext, v: Viewer, code: str, year: int, fmt: str, ip: str) -> Download:
    """An area's figures as CSV (semicolons, UTF-8 BOM) or xlsx, with the pages' suppression; audit-logged
    as an export.

    Raises:
        Forbidden: an area outside the viewer's counties.
        InputError: naming ``format`` unless it is csv or xlsx.
    """
    if fmt not in MEDIA_TYPES:
        raise InputError("format must be csv or xlsx", field="format")
    if not v.may_see(code):
        raise Forbidden
    head, rows = export_rows(ctx.data.area(code, year), v.lang)
    ctx.accounts.audit(v.user.username, "export", target=f"area/{code}/{year}.{fmt}", ip=ip)
    content = csv_bytes(head, rows) if fmt == "csv" else xlsx_bytes(head, rows)
    return Download(content, MEDIA_TYPES[fmt], f"lagesbild-{code}-{year}.{fmt}")


REPORT_MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def job_file(ctx: WebContext, v: Viewer, job_id: int, kind: str, ip: str) -> Download | None:
    """A finished report job's file (``html`` or ``pdf``), audit-logged as an export; None when the
    job is not the viewer's (admins see all), not done, has no such file, or its area is outside the
    viewer's counties."""
    from pathlib import Path

    if not 1 <= job_id < 2**63:  # beyond the database's integers: no such job
        return None
    job = ctx.accounts.job(job_id)
    if job is None or not (v.at_least("admin") or job.created_by == v.user.username):
        return None
    files = (job.result.get("files") or {}) if job.status == "done" else {}
    if kind not in files or not v.may_see(str(job.params.get("area"))):
        return None
    path = Path(files[kind])
    if not path.is_file():
        return None
    ctx.accounts.audit(v.user.username, "export", target=f"jobs/{job_id}/{kind}", ip=ip)
    return Download(path.read_bytes(), REPORT_MEDIA_TYPES.get(kind, "application/octet-stream"), path.name)


# -- reports and estimates in the background ---------------------------------------------------
def _check_year(year: int) -> None:
    if not 1990 <= year <= 2100:
        raise InputError("the year must be a four-digit year, e.g. 2024", field="year")


def queue_report(ctx: WebContext, v: Viewer, area: str, year: int, lang: str, ip: str) -> int:
    """Queue a report of Sweden (``SE``) or one of the viewer's counties as a background job; returns its id.

    Raises:
        InputError: naming ``area`` (a municipality, or outside the viewer's counties), ``year`` or ``lang``.
    """
    from lagesbild.web.data import area_level
    from lagesbild.web.i18n import LANGS

    if area_level(area) == "kommun":
        raise InputError("reports are made for Sweden (SE) or a county", field="area")
    if not v.may_see(area):
        raise InputError("outside your counties", field="area")
    _check_year(year)
    if lang not in LANGS:
        raise InputError("choose sv or en", field="lang")
    job_id = ctx.accounts.add_job("report", {"area": area, "year": year, "lang": lang}, created_by=v.user.username)
    ctx.accounts.audit(v.user.username, "change", target=f"jobs/{job_id}", detail=f"report {area} {year}", ip=ip)
    ctx.worker.wake()
    return job_id


def queue_estimates(ctx: WebContext, v: Viewer, year: int, ip: str) -> int:
    """Queue recomputing and storing the estimates of the viewer's areas (Sweden if national, and
    their counties) for ``year`` (analysts and admins); returns the job's id.

    Raises:
        InputError: naming ``year``.
    """
    _need(v, "analyst")
    _check_year(year)
    areas = (["SE"] if v.user.national else []) + v.counties()
    job_id = ctx.accounts.add_job("estimate", {"areas": areas, "year": year}, created_by=v.user.username)
    ctx.accounts.audit(v.user.username, "change", target=f"jobs/{job_id}", detail=f"estimates {year}", ip=ip)
    ctx.worker.wake()
    return job_id


# -- accounts (admins) -------------------------------------------------------------------------
def parse_scope(raw: str) -> tuple[str, ...]:
    """``"SE"`` or county codes separated by commas or spaces.

    Raises:
        InputError: for an unknown code.
    """
    from lagesbild import refdata

    codes = tuple(c for c in raw.replace(",", " ").split() if c)
    if not codes:
        raise InputError("give SE or one or more county codes, e.g. 05,06", field="scope")
    for c in codes:
        if c != "SE" and not refdata.is_county_code(c):
            raise InputError(f"{c[:8]!r} is not a county code (01-25) or SE", field="scope")
    return ("SE",) if "SE" in codes else codes


def add_user(ctx: WebContext, v: Viewer, username: str, password: str, role: str, scope: str, ip: str) -> None:
    """Add an account (admins): a user name of 1-64 characters without control characters, a strong
    enough password (argon2id-hashed; never stored or logged as given), a role and a scope
    (``SE`` or county codes); audit-logged.

    Raises:
        InputError: naming ``username``, ``password``, ``role`` or ``scope``; nothing is stored then.
    """
    from lagesbild.web import security

    _need(v, "admin")
    if not username or len(username) > 64 or any(ord(ch) < 32 or ord(ch) == 127 for ch in username):
        raise InputError("a user name of 1-64 characters, without control characters", field="username")
    if username in (".", ".."):  # the address of its reset and remove forms would be a dot segment
        raise InputError("a user name other than '.' or '..'", field="username")
    security.check_password_strength(password)
    codes = parse_scope(scope)
    ctx.accounts.add_user(username, security.hash_password(password), role=role, scope=codes)
    ctx.accounts.audit(v.user.username, "change", target=f"users/{username}", detail=f"added ({role})", ip=ip)


def remove_user(ctx: WebContext, v: Viewer, username: str, ip: str) -> bool:
    """Remove an account (admins; not oneself); its sessions end. Returns whether it existed.

    Raises:
        InputError: naming ``username`` when it is the admin's own account.
    """
    _need(v, "admin")
    if username == v.user.username:
        raise InputError("you cannot remove yourself", field="username")
    if not ctx.accounts.remove_user(username):
        return False
    ctx.forget_sessions()
    ctx.accounts.audit(v.user.username, "change", target=f"users/{username}", detail="removed", ip=ip)
    return True


def reset_password(ctx: WebContext, v: Viewer, username: str, password: str, ip: str) -> bool:
    """Give an account a new password (admins); its sessions end. Returns whether it existed.

    Raises:
        InputError: naming ``password`` when it is too short or too long.
    """
    from lagesbild.web import security

    _need(v, "admin")
    security.check_password_strength(password)
    if not ctx.accounts.set_password(username, security.hash_password(password)):
        return False
    ctx.forget_sessions()
    ctx.accounts.audit(v.user.username, "change", target=f"users/{username}", detail="password reset", ip=ip)
    return True
