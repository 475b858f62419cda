"""Long jobs started from the web (report generation, estimates) run in a background thread.

Jobs are rows of ``web_jobs`` in the store, so they survive a restart of the web process: on start
the worker puts jobs that were left running back in the queue and picks queued jobs up in order.
Several web processes may share one PostgreSQL store: claiming a job is atomic.

Each kind is a function ``(context, params, progress) -> result`` in :data:`JOB_KINDS`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lagesbild.errors import InputError, LagesbildError
from lagesbild.store import Store
from lagesbild.store.web import Job, WebStore

if TYPE_CHECKING:
    from lagesbild.monitor import Profile
    from lagesbild.privacy import Pseudonymizer

__all__ = ["JOB_KINDS", "JobContext", "JobWorker", "crawl_profiles"]

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class JobContext:
    """What jobs run with. The crawl job also needs the installation's pseudonymizer (``lagesbild serve``
    gives a loader of its key; an app over a bare store cannot crawl) and the folder of site profiles;
    ``crawl_options`` are passed on to :func:`lagesbild.monitor.crawl` (tests give a transport and a clock)."""

    store: Store
    out_dir: Path
    threshold: int
    pseudonymizer: Callable[[], Pseudonymizer] | None = None
    profiles_dir: Path | None = None
    raw_page_retention_days: int | None = 90
    crawl_options: Mapping[str, Any] = field(default_factory=dict)


def crawl_profiles(folder: Path | None) -> dict[str, Profile]:
    """The site profiles a crawl job may run, by source: the shipped ones, overridden by the valid
    profiles in ``folder`` (as ``lagesbild crawl SOURCE`` looks them up; a broken file is left out and logged)."""
    from lagesbild.monitor import load_profile, shipped_profiles

    out = shipped_profiles()
    for f in sorted(folder.glob("*.y*ml")) if folder is not None and folder.is_dir() else []:
        try:
            p = load_profile(f)
        except InputError as exc:
            log.warning("profile %s left out: %s", f.name, exc)
            continue
        out[p.source] = p
    return out


def _crawl(ctx: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """One crawl pass over a source, as ``lagesbild crawl SOURCE`` does (:func:`lagesbild.monitor.crawl`,
    then normalize and link what is new); an interrupted pass is continued by the requeued job."""
    from lagesbild.monitor import CrawlProgress, crawl
    from lagesbild.pipeline import process_new

    source = str(params["source"])
    if ctx.pseudonymizer is None:
        raise InputError("crawling from the web needs the installation's key: start it with `lagesbild serve`")
    profile = crawl_profiles(ctx.profiles_dir).get(source)
    if profile is None:
        raise InputError(f"no profile for source {source!r}", field="source")

    shown = [0.0]  # pages found while crawling add to the total: the bar never goes back

    def on_batch(p: CrawlProgress) -> None:
        total = p.pages_done + p.pages_pending
        shown[0] = max(shown[0], 0.9 * p.pages_done / total if total else 0.0)
        progress(shown[0], f"{p.pages_done} sidor, {p.ads} annonser")

    progress(0.0, "startar")
    r = crawl(profile, ctx.store, ctx.pseudonymizer(), raw_page_retention_days=ctx.raw_page_retention_days,
              progress=on_batch, **ctx.crawl_options)  # fmt: skip
    if r.new_observations:
        progress(0.92, "normaliserar och länkar")
        process_new(ctx.store)
    return {
        "source": source, "run_id": r.run.id, "status": r.status, "pages": r.pages,
        "new_observations": r.new_observations, "degraded": bool(r.health is not None and r.health.degraded),
    }  # fmt: skip


def _report(ctx: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from lagesbild.report.run import run_report

    area, year, lang = str(params["area"]), int(params["year"]), str(params.get("lang", "sv"))
    from lagesbild.report.build import ReportOptions

    progress(0.1, "läser data")
    out = ctx.out_dir / f"job-{params['job_id']}"
    res = run_report(
        ctx.store, area, date(year, 1, 1), date(year, 12, 31), out, options=ReportOptions(lang=lang),
        threshold=ctx.threshold, pdf=bool(params.get("pdf", True)),
    )  # fmt: skip
    progress(0.95, "skriver filer")
    files = {"html": str(res.files.html)}
    if res.files.pdf is not None:
        files["pdf"] = str(res.files.pdf)
    return {"files": files, "area": area, "year": year}


def _estimate(ctx: JobContext, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Recompute and store the estimates the pages show (the estimate suites when that module exists)."""
    from lagesbild.web.data import _suite_module

    suite = _suite_module()
    areas = [str(a) for a in params["areas"]]
    year = int(params["year"])
    start, end = date(year, 1, 1), date(year, 12, 31)
    done = []
    for i, area in enumerate(areas):
        progress(i / len(areas), area)
        try:
            if suite is not None:
                suite.compute_suite(ctx.store, area, start, end, save=True)
            else:
                from lagesbild.estimate.runner import run_estimates

                run_estimates(ctx.store, area, start, end, save=True)
            done.append(area)
        except InputError as exc:
            log.info("estimates for %s: %s", area, exc)
    return {"areas": done, "year": year}


JOB_KINDS: dict[str, Callable[[JobContext, dict[str, Any], Progress], dict[str, Any]]] = {
    "report": _report,
    "estimate": _estimate,
    "crawl": _crawl,
}


class JobWorker:
    """Runs queued jobs one at a time in a daemon thread."""

    def __init__(
        self,
        ws: WebStore,
        ctx: JobContext,
        *,
        poll: float = 1.0,
        on_done: Callable[[], None] | None = None,
        shared: bool = False,
    ) -> None:
        """Args:
        shared: other web processes run jobs from the same store, so only jobs running for more than
            an hour count as interrupted on start.
        """
        self.shared = shared
        self.ws = ws
        self.ctx = ctx
        self.poll = poll
        self.on_done = on_done
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from datetime import timedelta

        from lagesbild.store.web import now_iso

        n = self.ws.requeue_interrupted(started_before=now_iso(-timedelta(hours=1)) if self.shared else None)
        if n:
            log.info("requeued %d job(s) interrupted by a restart", n)
        self._thread = threading.Thread(target=self._loop, name="lagesbild-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_one()
            except Exception:  # keep the worker alive; the job itself records its failure
                log.exception("job worker error")
                ran = False
            if not ran:
                self._wake.wait(self.poll)
                self._wake.clear()

    def run_pending(self) -> int:
        """Run every queued job now, in this thread (tests, ``--no-worker`` setups); returns how many."""
        n = 0
        while self.run_one():
            n += 1
        return n

    def run_one(self) -> bool:
        job = self.ws.claim_job()
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: Job) -> None:
        fn = JOB_KINDS.get(job.kind)
        if fn is None:
            self.ws.update_job(job.id, status="failed", message=f"unknown job kind {job.kind!r}")
            return

        def progress(p: float, msg: str) -> None:
            self.ws.update_job(job.id, progress=max(0.0, min(1.0, p)), message=msg)

        try:
            result = fn(self.ctx, {**job.params, "job_id": job.id}, progress)
        except LagesbildError as exc:
            self.ws.update_job(job.id, status="failed", message=str(exc)[:500])
            return
        except Exception as exc:
            log.exception("job %d (%s) failed", job.id, job.kind)
            self.ws.update_job(job.id, status="failed", message=f"internal error: {exc.__class__.__name__}")
            return
        self.ws.update_job(job.id, status="done", progress=1.0, message="", result=result)
        if self.on_done is not None:
            self.on_done()
