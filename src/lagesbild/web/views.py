"""Typed contexts of the pages other than the area pages, shared by the HTML pages and the JSON API.

Each function takes the web context and the viewer and returns plain dataclasses, filtered to the
viewer's counties. Pseudonymized identifiers are shortened for display; names, phone numbers and
e-mail addresses never appear (the store holds none, and ad display names are left out here).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from lagesbild import refdata
from lagesbild.campaigns.measures import SeriesEffect
from lagesbild.errors import InputError
from lagesbild.estimate.assumptions import AssumptionSet, default_assumptions
from lagesbild.estimate.purchases import parameter_errors
from lagesbild.records.campaigns import Campaign
from lagesbild.records.verdicts import DefendantRecord
from lagesbild.store.campaigns import CampaignStore
from lagesbild.store.links import LinkStore
from lagesbild.store.verdicts import DefendantStore, VerdictStore
from lagesbild.store.web import AuditEntry, Job
from lagesbild.verdicts.review import EDITABLE, correct_row
from lagesbild.web.app import Viewer, WebContext
from lagesbild.web.data import FigureView, SuiteView

__all__ = [
    "PURCHASE_PARAMETERS",
    "AssumptionRow",
    "CompareRow",
    "NetworkRow",
    "campaigns_for",
    "compare_rows",
    "correct_defendant",
    "defendant_for",
    "defendants_for",
    "indicators_for",
    "jobs_for",
    "network_evidence",
    "networks_for",
    "recalculate_purchases",
    "sources",
    "verdicts_for",
]

PURCHASE_PARAMETERS = ("share_genuine", "working_day_share", "clients_per_working_day", "monitored_share")


def short(pseudonym: str) -> str:
    """A pseudonym shortened for display (``ph_0286…``)."""
    return pseudonym[:10] + "…" if len(pseudonym) > 11 else pseudonym


def kommun_name(code: str) -> str:
    try:
        return refdata.municipality(code).name
    except Exception:
        return code


@dataclass(frozen=True)
class NetworkRow:
    network_id: str
    n_persons: int
    n_advertisers: int
    n_ads: int
    kommuns: tuple[str, ...]
    kommun_names: tuple[str, ...]
    first_seen: str
    last_seen: str
    n_shared_phones: int
    n_shared_emails: int
    indicators: tuple[str, ...]


def _networks(ctx: WebContext) -> list[NetworkRow]:
    rows = LinkStore(ctx.store).table("link_networks") if _has_links(ctx) else []
    out = []
    for r in rows:
        ks = tuple(str(r["kommuns"]).split())
        out.append(
            NetworkRow(
                str(r["network_id"]), int(r["n_persons"]), int(r["n_advertisers"]), int(r["n_ads"]), ks,
                tuple(kommun_name(k) for k in ks), str(r["first_seen"]), str(r["last_seen"]),
                len(str(r["shared_phones"]).split()), len(str(r["shared_emails"]).split()),
                tuple(str(r["indicators"]).split()),
            )
        )
    out.sort(key=lambda n: (-n.n_persons, n.network_id))
    return out


def _has_links(ctx: WebContext) -> bool:
    return LinkStore(ctx.store).last_linked_import() is not None


def networks_for(ctx: WebContext, v: Viewer) -> list[NetworkRow]:
    """Networks with at least one ad in the viewer's counties."""
    return [n for n in _networks(ctx) if any(v.may_see(k) for k in n.kommuns)]


@dataclass(frozen=True)
class IndicatorRow:
    indicator: str
    networks: int
    persons: int


def indicators_for(ctx: WebContext, v: Viewer) -> list[IndicatorRow]:
    """Per indicator: how many of the viewer's networks (and their persons) show it."""
    counts: dict[str, list[int]] = {}
    for n in networks_for(ctx, v):
        for ind in n.indicators:
            c = counts.setdefault(ind, [0, 0])
            c[0] += 1
            c[1] += n.n_persons
    return [IndicatorRow(k, a, b) for k, (a, b) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))]


@dataclass(frozen=True)
class EvidenceView:
    network_id: str
    persons: tuple[tuple[str, int | None, int], ...]  # person id, age, site ads
    shared_phones: tuple[str, ...]
    shared_emails: tuple[str, ...]
    template_similarity: float
    kommuns: tuple[str, ...]
    first_seen: str
    last_seen: str


_relink_lock = threading.Lock()


def network_evidence(ctx: WebContext, v: Viewer, network_id: str) -> EvidenceView | None:
    """The evidence view of one of the viewer's networks (``lagesbild.link.explain_network``), or None.

    The linking is rebuilt from the store once and cached for five minutes (it is the expensive part).
    """
    if not any(n.network_id == network_id for n in networks_for(ctx, v)):
        return None
    from lagesbild.link import relink_stored
    from lagesbild.link.explain import explain_network

    with _relink_lock:
        cached = ctx.extra.get("relinked")
        if cached is None or time.monotonic() - cached[0] > 300:
            cached = (time.monotonic(), relink_stored(ctx.store))
            ctx.extra["relinked"] = cached
    ads, linked = cached[1]
    ev = explain_network(ads, linked, network_id)
    return EvidenceView(
        ev.network_id,
        tuple((pid, age, n) for pid, _name, age, n in ev.persons),
        tuple(short(p) for p in ev.shared_phones),
        tuple(short(e) for e in ev.shared_emails),
        round(ev.template_similarity, 3),
        tuple(ev.kommuns),
        ev.first_seen,
        ev.last_seen,
    )


@dataclass(frozen=True)
class VerdictRow:
    court: str | None
    case_number: str | None
    date: str | None
    offence_date: str | None
    defendant_age: int | None
    defendant_kommun: str | None
    offence_kommun: str | None
    day_fines: int | None


def verdicts_for(ctx: WebContext, v: Viewer) -> list[VerdictRow]:
    """Extracted judgments for offences in the viewer's counties."""
    out = []
    for r in VerdictStore(ctx.store).records():
        if r.offence_kommun is None:
            if not v.user.national:
                continue
        elif not v.may_see(r.offence_kommun):
            continue
        out.append(
            VerdictRow(r.court, r.case_number, r.date, r.offence_date, r.defendant_age, r.defendant_kommun,
                       r.offence_kommun, r.day_fines)
        )
    return out


def _may_see_kommun(v: Viewer, kommun: str | None) -> bool:
    """A judgment without an offence municipality is national; otherwise the viewer's scope decides."""
    return v.user.national if kommun is None else v.may_see(kommun)


def defendants_for(ctx: WebContext, v: Viewer) -> list[DefendantRecord]:
    """Extracted defendants for offences in the viewer's counties (oldest judgment first)."""
    return [d for d in DefendantStore(ctx.store).defendants() if _may_see_kommun(v, d.offence_kommun)]


def defendant_for(ctx: WebContext, v: Viewer, defendant_id: int) -> DefendantRecord | None:
    """The stored defendant ``defendant_id`` if it is in the viewer's counties, else None."""
    return next((d for d in defendants_for(ctx, v) if d.id == defendant_id), None)


def correct_defendant(ctx: WebContext, v: Viewer, old: DefendantRecord, values: dict[str, str]) -> list[str]:
    """Apply a reviewer's corrected fields to one stored defendant through the library's correction
    path (:func:`lagesbild.verdicts.review.correct_row`, then :meth:`DefendantStore.correct`).

    Returns the names of the fields that changed (none: nothing is written).

    Raises:
        InputErrors / InputError: every bad field, or an offence municipality outside the viewer's counties.
    """
    new = correct_row(old, values)
    if not _may_see_kommun(v, new.offence_kommun):
        raise InputError("the offence municipality must be in your counties", field="offence_kommun")
    changed = [f for f in EDITABLE if getattr(new, f) != getattr(old, f)]
    if changed:
        DefendantStore(ctx.store).correct([new])
    return changed


def campaigns_for(ctx: WebContext, v: Viewer) -> list[Campaign]:
    """Campaigns in at least one of the viewer's counties."""
    return [c for c in CampaignStore(ctx.store).list() if v.user.national or set(c.counties) & set(v.user.scope)]


@dataclass(frozen=True)
class CampaignView:
    """A campaign with its estimated effect on the ads in its counties (or why there is none)."""

    campaign: Campaign
    rate_ratio: float | None
    low: float | None
    high: float | None
    level: float | None
    method: str
    note: str
    days: tuple[tuple[str, int], ...]  # ad-days per day in the campaign's counties, around the campaign
    series: tuple[SeriesEffect, ...] = ()  # every measure's effect and verdict (campaigns.evaluate_stored_all)


def campaign_for(ctx: WebContext, v: Viewer, name: str) -> CampaignView | None:
    """One of the viewer's campaigns evaluated on the stored ad-days (as ``campaigns.evaluate_stored``), or None.

    Another county's campaign is None (the caller answers 403), as is an unknown name.
    """
    from datetime import timedelta

    from lagesbild.errors import LagesbildError

    cs = CampaignStore(ctx.store)
    try:
        c = cs.get(name)
    except LagesbildError:
        return None
    if not (v.user.national or set(c.counties) & set(v.user.scope)):
        raise PermissionError(name)
    rr = low = high = level = None
    method = note = ""
    if not (v.user.national or set(c.counties) <= set(v.user.scope)):
        # its figures would include counties outside the user's scope
        return CampaignView(c, None, None, None, None, "", "covers counties outside your scope", ())
    series: tuple[SeriesEffect, ...] = ()
    try:
        from lagesbild.campaigns.evaluate import evaluate_campaign
        from lagesbild.campaigns.measures import evaluate_all_series, load_campaign_data

        daily_area = cs.daily_ad_days(c.counties)
        control = cs.daily_ad_days(None, exclude=c.counties)  # the other counties as a control region
        e = evaluate_campaign(daily_area, c, control or None)
        rr, low, high, level, method = e.rate_ratio, e.low, e.high, e.level, e.method
        daily = daily_area
        series = evaluate_all_series(load_campaign_data(ctx.store), c)  # the CLI's per-measure rows
    except LagesbildError as exc:
        note = str(exc)
        daily = cs.daily_ad_days(c.counties)
    lo, hi = c.start - timedelta(days=56), c.end + timedelta(days=56)
    days = tuple((d.isoformat(), n) for d, n in sorted(daily.items()) if lo <= d <= hi)
    return CampaignView(c, rr, low, high, level, method, note, days, series)


def sources(ctx: WebContext) -> list[dict[str, Any]]:
    """Each monitored source's state and recent runs (``lagesbild source status``)."""
    from lagesbild.monitor.status import source_status

    out = []
    for s in source_status(ctx.store):
        out.append(
            {
                "source": s.source,
                "state": s.state,
                "last_seen_at": s.last_seen_at,
                "reasons": list(s.reasons),
                "ads_seen": s.ads_seen,
                "ads_online": s.ads_online,
                "ads_disappeared": s.ads_disappeared,
                "runs": [{"run_id": r.run_id, "seen_at": r.seen_at, "status": r.status, "degraded": r.degraded,
                          "pages": r.pages, "ads": r.ads} for r in s.runs],
            }
        )
    return out


def jobs_for(ctx: WebContext, v: Viewer) -> list[Job]:
    """Jobs the viewer may see: admins all, others their own."""
    return [j for j in ctx.accounts.jobs() if v.at_least("admin") or j.created_by == v.user.username]


def audit_entries(ctx: WebContext, limit: int = 1000) -> list[AuditEntry]:
    return ctx.accounts.audit_entries(limit=limit)


@dataclass(frozen=True)
class AssumptionRow:
    name: str
    description: str
    unit: str
    distribution: str
    nominal: float
    value: float | None  # the user's fixed value, if any


@dataclass(frozen=True)
class Recalculation:
    area: str
    year: int
    rows: tuple[AssumptionRow, ...]
    stored: tuple[float, float, float] | None
    recalculated: tuple[float, float, float] | None
    level: float
    note: str


def assumption_rows(values: dict[str, float]) -> tuple[AssumptionRow, ...]:
    a = default_assumptions()
    return tuple(
        AssumptionRow(n, a[n].description, a[n].unit, a[n].distribution.describe(), a[n].distribution.nominal(),
                      values.get(n))
        for n in PURCHASE_PARAMETERS
        if n in a
    )


def recalculate_purchases(ctx: WebContext, area: str, year: int, values: dict[str, float]) -> Recalculation:
    """The purchases estimate of ``area`` and ``year`` with some assumptions fixed at the user's values.

    The stored estimate (what the report shows) is returned beside it; nothing is stored.

    Raises:
        InputErrors: for a value outside a parameter's allowed range.
    """
    from lagesbild.errors import InputErrors, LagesbildError
    from lagesbild.estimate.runner import run_estimates
    from lagesbild.web.data import _suite_module

    suite_mod = _suite_module()
    errors = parameter_errors(values)
    if errors:
        raise InputErrors(errors)
    aset: AssumptionSet = default_assumptions()
    if values:
        aset = aset.with_fixed(**values)
    start, end = date(year, 1, 1), date(year, 12, 31)
    stored_suite = ctx.data.area(area, year).suite
    f = stored_suite.figure("purchases")
    stored = None if f is None or f.estimate is None else (f.estimate, f.low or 0.0, f.high or 0.0)
    note = ""
    rec = None
    try:
        if suite_mod is not None:
            suite = suite_mod.compute_suite(ctx.store, area, start, end, assumptions=aset, save=False)
            fig = suite.figure("purchases")
            if fig is not None and fig.estimate is not None:
                rec = (float(fig.estimate), float(fig.low or 0.0), float(fig.high or 0.0))
        else:
            run = run_estimates(ctx.store, area, start, end, assumptions=aset, save=False, n_draws=5000)
            r = run.result("purchases")
            if r is not None:
                rec = (r.estimate, r.low, r.high)
    except LagesbildError as exc:
        note = str(exc)
    if f is not None and not f.published:
        rec, note = None, f.note
    return Recalculation(area, year, assumption_rows(values), stored, rec, stored_suite.level, note)


# -- compare with last year ----------------------------------------------------------------------
@dataclass(frozen=True)
class CompareRow:
    """One estimated quantity this year and last year; ``change`` is None unless both are published."""

    quantity: str
    this: FigureView | None
    last: FigureView | None
    change: float | None
    change_pct: float | None


def _shown(f: FigureView | None) -> float | None:
    if f is None or not f.published or f.estimate is None or not math.isfinite(f.estimate):
        return None
    return float(f.estimate)


def compare_rows(this: SuiteView, last: SuiteView) -> list[CompareRow]:
    """This year's and last year's stored figures side by side, in this year's display order.

    No change is computed where either year has no published estimate ("no data", never 0);
    the relative change is left out when last year's estimate is 0.
    """
    order = [f.quantity for f in this.figures] + [f.quantity for f in last.figures if this.figure(f.quantity) is None]
    out = []
    for q in order:
        a, b = this.figure(q), last.figure(q)
        x, y = _shown(a), _shown(b)
        change = x - y if x is not None and y is not None else None
        pct = change / y * 100.0 if change is not None and y else None
        out.append(CompareRow(q, a, b, change, pct))
    return out
