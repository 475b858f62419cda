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

from lagesbild.estimate.activity import LinkedFrame, area_capture_histories, linked_frame, summarize_activity
from lagesbild.estimate.crc import CaptureHistories
from lagesbild.estimate.purchases import ActivitySummary
from lagesbild.refdata import counties
from lagesbild.report.build import ReportData, ReportOptions, build_context, load_report_data
from lagesbild.report.context import CONTEXT_VERSION, CampaignPeriod, OrganizedSection, ReportContext
from lagesbild.report.organized import OrganizedAd, organized_ads, organized_section
from lagesbild.report.render import ReportFiles, write_report
from lagesbild.store import Store
from lagesbild.store.estimates import linked_ads
from lagesbild.store.reports import ReportStore
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts import VerdictRecord

__all__ = ["ReportResult", "run_batch", "run_report"]

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


Linked = tuple[ActivitySummary | None, CaptureHistories | None]


def _linked(rows: LinkedFrame | None, area: str, start: date, end: date) -> Linked:
    """The area's linked activity and capture histories, or ``(None, None)`` when nothing was linked.

    The capture histories are those of :func:`lagesbild.link.capture_histories`, but over the
    report's own period (not only calendar years) and read from the stored link tables (no relinking).
    """
    if rows is None:
        return None, None
    return summarize_activity(rows, area, start, end), area_capture_histories(rows, area, start, end)


def _linked_frame(store: Store) -> LinkedFrame | None:
    rows = linked_ads(store)
    return linked_frame(rows) if rows else None


def _area_verdicts(records: Sequence[VerdictRecord], area: str) -> tuple[VerdictRecord, ...]:
    """The judgments for offences in ``area`` (all of them for ``SE``)."""
    if area == "SE":
        return tuple(records)
    return tuple(r for r in records if r.offence_kommun is not None and r.offence_kommun.startswith(area))


def _one(
    data: ReportData, area: str, options: ReportOptions, out: Path, pdf: bool, previous: dict[str, object] | None,
    previous_at: str, linked: Linked = (None, None), verdicts: Sequence[VerdictRecord] = (),
    organized: Sequence[OrganizedAd] | OrganizedSection | None = None,
) -> tuple[ReportContext, ReportFiles]:  # fmt: skip
    ctx = build_context(
        data, area, options, previous=previous, previous_created_at=previous_at, activity=linked[0],
        capture_histories=linked[1], verdicts=verdicts, organized=organized,
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

    When the store holds link results (``lagesbild link run``), the report's purchases use the
    linked person-days and its hidden-population section the persons' capture histories across
    sites; otherwise the purchases come from ad-days and the section is left out.

    Raises:
        InputError: for a bad period. RefdataError: for an unknown area. ReportLeakError: if an output
        would contain protected data (nothing is written).
    """
    o = options or ReportOptions()
    data = load_report_data(store, start, end, threshold=threshold, campaigns=campaigns)
    rs = ReportStore(store)
    prev, prev_at = _previous(rs, area, start)
    linked = _linked(_linked_frame(store), area, start, end)
    verdicts = _area_verdicts(VerdictStore(store).records(start=start.isoformat(), end=end.isoformat()), area)
    ctx, files = _one(data, area, o, Path(out), pdf, prev, prev_at, linked, verdicts, organized_ads(store))
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
    frame = _linked_frame(store)
    linked = {a: _linked(frame, a, start, end) for a in areas}
    stored = VerdictStore(store).records(start=start.isoformat(), end=end.isoformat())
    verdicts = {a: _area_verdicts(stored, a) for a in areas}
    org_ads = organized_ads(store)
    org = {a: organized_section(org_ads, a, start, end, threshold, o.lang) for a in areas}
    n = workers or min(4, os.cpu_count() or 1)
    # the services are loaded once here so that workers need not read the file
    from lagesbild.report.services import load_services

    o = replace(o, services=o.services if o.services is not None else tuple(load_services(lang=o.lang)))
    outs = {a: Path(out) / a for a in areas}
    results: list[tuple[ReportContext, ReportFiles]] = []
    if n <= 1:
        results = [_one(data, a, o, outs[a], pdf, *prevs[a], linked[a], verdicts[a], org[a]) for a in areas]
    else:
        with ProcessPoolExecutor(max_workers=n) as pool:
            futures = [
                pool.submit(_one, data, a, o, outs[a], pdf, *prevs[a], linked[a], verdicts[a], org[a]) for a in areas
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
