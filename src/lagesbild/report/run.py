"""Make reports against a store: one area (:func:`run_report`) or every county and Sweden (:func:`run_batch`).

Each report is compared with the latest stored report of the same area from an earlier period
(the follow-up), written to HTML, PDF and JSON, and its context stored for next time. A batch
reads the store once and renders the reports in worker processes (rendering is CPU-bound).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from lagesbild.estimate.suite import EstimateSuite, ensure_suites
from lagesbild.refdata import counties
from lagesbild.report.build import ReportData, ReportOptions, build_context, load_report_data
from lagesbild.report.context import CONTEXT_VERSION, CampaignPeriod, OrganizedSection, ReportContext
from lagesbild.report.organized import OrganizedAd, organized_ads, organized_section, plan_organized
from lagesbild.report.render import ReportFiles, write_report
from lagesbild.store import Store
from lagesbild.store.reports import ReportStore
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts import VerdictRecord

__all__ = ["ReportResult", "context_for", "run_batch", "run_report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportResult:
    """One written report: its context, files and the stored context's id."""

    context: ReportContext
    files: ReportFiles
    stored_id: int | None


def _previous(rs: ReportStore, area: str, start: date) -> tuple[dict[str, object] | None, str]:
    prev = rs.previous(area, before=start.isoformat())
    return (prev.context, prev.created_at) if prev is not None else (None, "")


def _suites(store: Store, areas: Sequence[str], start: date, end: date, o: ReportOptions) -> dict[str, EstimateSuite]:
    """The stored estimate suites of ``areas`` (and of the counties of municipalities), computed if not current."""
    need = list(dict.fromkeys([*areas, *(a[:2] for a in areas if len(a) == 4)]))
    suites = ensure_suites(store, need, start, end, assumptions=o.assumptions, seed=o.seed, level=o.level,
                           n_draws=o.n_draws)  # fmt: skip
    return {s.area: s for s in suites}


def _area_verdicts(records: Sequence[VerdictRecord], area: str) -> tuple[VerdictRecord, ...]:
    """The judgments for offences in ``area`` (all of them for ``SE``)."""
    if area == "SE":
        return tuple(records)
    return tuple(r for r in records if r.offence_kommun is not None and r.offence_kommun.startswith(area))


def context_for(
    store: Store,
    data: ReportData,
    area: str,
    options: ReportOptions | None = None,
    *,
    verdicts: Sequence[VerdictRecord] | None = None,
    organized: Sequence[OrganizedAd] | OrganizedSection | None = None,
    previous: dict[str, object] | None = None,
) -> ReportContext:
    """The context of ``area`` from gathered ``data`` and the store's estimate suites (no files written).

    Raises:
        As :func:`~lagesbild.report.build.build_context`.
    """
    o = options or ReportOptions()
    suites = _suites(store, [area], data.start, data.end, o)
    county = "SE" if area == "SE" else area[:2]
    return build_context(data, area, o, suite=suites[area], rows_suite=suites[county], verdicts=verdicts,
                         organized=organized, previous=previous)  # fmt: skip


def _one(
    data: ReportData, area: str, options: ReportOptions, out: Path, pdf: bool, previous: dict[str, object] | None,
    previous_at: str, suite: EstimateSuite, rows_suite: EstimateSuite, verdicts: Sequence[VerdictRecord] = (),
    organized: Sequence[OrganizedAd] | OrganizedSection | None = None,
) -> tuple[ReportContext, ReportFiles]:  # fmt: skip
    ctx = build_context(
        data, area, options, suite=suite, rows_suite=rows_suite, previous=previous, previous_created_at=previous_at,
        verdicts=verdicts, organized=organized,
    )  # fmt: skip
    return ctx, write_report(ctx, out, pdf=pdf)


def run_report(
    store: Store,
    area: str,
    start: date,
    end: date,
    out: str | Path,
    *,
    options: ReportOptions | None = None,
    threshold: int = 5,
    campaigns: tuple[CampaignPeriod, ...] = (),
    pdf: bool = True,
    save: bool = True,
) -> ReportResult:
    """Write the report for ``area`` and period ``start..end`` into ``out``; store its context.

    Every estimate comes from the area's stored estimate suite (:func:`~lagesbild.estimate.suite.ensure_suite`:
    read if current, else computed and stored), so the report says what ``estimate run`` says. A period
    without data gives a report that says so ("inga data") and computes no change.

    Raises:
        InputError: for a bad period. RefdataError: for an unknown area. ReportLeakError: if an output
        would contain protected data (nothing is written).
    """
    o = options or ReportOptions()
    data = load_report_data(store, start, end, threshold=threshold, campaigns=campaigns)
    rs = ReportStore(store)
    prev, prev_at = _previous(rs, area, start)
    suites = _suites(store, [area], start, end, o)
    verdicts = _area_verdicts(VerdictStore(store).records(start=start.isoformat(), end=end.isoformat()), area)
    county = "SE" if area == "SE" else area[:2]
    ctx, files = _one(data, area, o, Path(out), pdf, prev, prev_at, suites[area], suites[county], verdicts,
                      organized_ads(store))  # fmt: skip
    sid = (
        rs.save(area, ctx.period_start, ctx.period_end, ctx.lang, ctx.to_dict(), version=CONTEXT_VERSION)
        if save
        else None
    )
    return ReportResult(ctx, files, sid)


def run_batch(
    store: Store,
    start: date,
    end: date,
    out: str | Path,
    *,
    options: ReportOptions | None = None,
    threshold: int = 5,
    campaigns: tuple[CampaignPeriod, ...] = (),
    pdf: bool = True,
    save: bool = True,
    workers: int | None = None,
) -> list[ReportResult]:
    """Write the 21 county reports and the national one (``out/<area>/``), reading the store once.

    Args:
        workers: worker processes for rendering (default: the number of CPUs, at most 4; 1 renders in-process).
    """
    o = options or ReportOptions()
    data = load_report_data(store, start, end, threshold=threshold, campaigns=campaigns)
    rs = ReportStore(store)
    areas = ["SE", *counties()]
    prevs = {a: _previous(rs, a, start) for a in areas}
    suites = _suites(store, areas, start, end, o)
    stored = VerdictStore(store).records(start=start.isoformat(), end=end.isoformat())
    verdicts = {a: _area_verdicts(stored, a) for a in areas}
    org_ads = organized_ads(store)
    org_plan = plan_organized(org_ads, start, end, threshold, data.plans)  # one plan for the batch
    org = {a: organized_section(org_ads, a, start, end, threshold, o.lang, plan=org_plan) for a in areas}
    n = workers or min(4, os.cpu_count() or 1)
    # the services are loaded once here so that workers need not read the file
    from lagesbild.report.services import load_services

    o = replace(o, services=o.services if o.services is not None else tuple(load_services(lang=o.lang)))
    outs = {a: Path(out) / a for a in areas}
    results: list[tuple[ReportContext, ReportFiles]] = []
    if n <= 1:
        results = [_one(data, a, o, outs[a], pdf, *prevs[a], suites[a], suites[a], verdicts[a], org[a]) for a in areas]
    else:
        with ProcessPoolExecutor(max_workers=n) as pool:
            futures = [
                pool.submit(_one, data, a, o, outs[a], pdf, *prevs[a], suites[a], suites[a], verdicts[a], org[a])
                for a in areas
            ]
            results = [f.result() for f in futures]
    out_list: list[ReportResult] = []
    for ctx, files in results:
        sid = (
            rs.save(ctx.area, ctx.period_start, ctx.period_end, ctx.lang, ctx.to_dict(), version=CONTEXT_VERSION)
            if save
            else None
        )
        out_list.append(ReportResult(ctx, files, sid))
    log.info("batch: %d reports written to %s", len(out_list), out)
    return out_list
