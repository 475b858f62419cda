"""One crawl pass over one source: resumable, polite, and never losing its work.

The data flow of a pass:

1. Open a run in the store, or continue the source's interrupted run (younger than
   ``resume_within_hours``): a continued run keeps its ``seen_at``, so every ad gets exactly one
   sighting per pass however often the pass was interrupted.
2. Queue the start pages (discovery pages and listing start pages) in the run's frontier.
3. Take a batch of pending pages (discovery, then listings, then ads), fetch them politely
   (:class:`~lagesbild.monitor.fetch.Fetcher`), read them with the compiled profile.
4. For an ad page, build the import-format record and pass it through the importer's
   :class:`~lagesbild.ingest.validate.RecordConverter`: the same validation and pseudonymization
   as a file import, before anything is stored. A field the converter refuses is dropped (and
   reported), never the whole sighting.
5. Record the batch in one transaction: page outcomes, new links, observations, ad lifecycle,
   raw copies (:meth:`~lagesbild.store.crawl.CrawlStore.commit_pages`). A kill between batches
   loses nothing; a kill inside one loses only that uncommitted batch, fetched again next time.
6. When nothing is pending: compute the run's health, mark ads not seen in a complete pass as
   disappeared, call the webhook if degraded, delete raw pages past their retention.

Example::

    result = crawl(load_profile("annonsportalen.yaml"), store, pseudonymizer)
    print(result.health.ads, result.health.degraded)
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from lagesbild.errors import LagesbildError
from lagesbild.ingest.validate import RecordConverter, RecordError
from lagesbild.monitor.compile import AdRead, CompiledProfile, compile_profile
from lagesbild.monitor.fetch import DisallowedByRobots, Fetcher, Page, PageGone
from lagesbild.monitor.health import RunHealth, compute_health
from lagesbild.monitor.spec import Profile, profile_sha256
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store, observation_row
from lagesbild.store.crawl import CrawlStore, FrontierItem, PageRecord, RunInfo

__all__ = ["CrawlProgress", "CrawlResult", "ad_observation", "crawl", "iso", "source_health_history"]

log = logging.getLogger(__name__)

_PROTECTED = ("site", "site_ad_id", "seen_at")


def iso(t: datetime) -> str:
    """ISO 8601 UTC with seconds and ``Z``, the store's time format."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    """Passed to the progress callback after each batch."""

    source: str
    pages_done: int
    pages_pending: int
    ads: int
    errors: int


@dataclass(frozen=True, slots=True)
class CrawlResult:
    """What a pass did.

    Attributes:
        run: the run (its id, ``seen_at``, final status).
        status: ``done`` (finished), ``stopped`` (interrupted on request; continued by the next call).
        resumed: whether this call continued an interrupted run.
        new_observations: sightings stored by this call.
        disappeared: ads marked disappeared at the end of the pass.
        health: the run's health (None while stopped).
        seconds: wall-clock duration of this call.
    """

    run: RunInfo
    status: str
    resumed: bool
    pages: int
    new_observations: int
    disappeared: int
    health: RunHealth | None
    seconds: float


def ad_observation(read: AdRead, seen_at: str, convert: RecordConverter) -> tuple[Observation | None, list[str]]:
    """Validate and pseudonymize an ad page's record into an observation, as a file import would.

    Fields the importer refuses (say, a phone number that is not one) are dropped one by one and
    named in the returned list; the sighting is kept. Without a valid ad id there is no sighting.
    """
    rec = dict(read.record)
    rec["seen_at"] = seen_at
    dropped: list[str] = []
    for _ in range(len(rec) + 8):
        try:
            site, ad_id, seen, content = convert.parts(rec)
        except RecordError as exc:
            name = (exc.field or "").split("[", 1)[0]
            if not name or name in _PROTECTED or name not in rec:
                dropped.append(f"{exc.field or 'record'}: {exc.message}")
                return None, dropped
            if "[" in (exc.field or "") and isinstance(rec[name], list):
                idx = int((exc.field or "").split("[", 1)[1].rstrip("]"))
                rec[name] = [v for i, v in enumerate(rec[name]) if i != idx]
            else:
                del rec[name]
            dropped.append(f"{exc.field}: {exc.message}")
            continue
        return Observation(site, ad_id, seen, *content), dropped
    return None, dropped  # pragma: no cover - every retry removes a field


def source_health_history(cs: CrawlStore, source: str, limit: int = 20) -> list[RunHealth]:
    """Health of the source's finished runs, newest first."""
    return [RunHealth.from_json(r.health) for r in cs.recent_runs(source, limit, finished_only=True) if r.health]


class _Pass:
    """The state of one call of :func:`crawl` (kept out of the public signature)."""

    def __init__(
        self,
        compiled: CompiledProfile,
        cs: CrawlStore,
        run: RunInfo,
        fetcher: Fetcher,
        convert: RecordConverter,
        keep_raw: bool,
    ) -> None:
        self.c = compiled
        self.cs = cs
        self.run = run
        self.fetcher = fetcher
        self.convert = convert
        self.keep_raw = keep_raw
        self.known = cs.known_urls(run.id)
        self.warnings: list[str] = []

    def _new(self, urls: tuple[str, ...], kind: str, depth: int) -> list[tuple[str, str, int]]:
        out = []
        for u in urls:
            if u not in self.known:
                self.known.add(u)
                out.append((u, kind, depth))
        return out

    def process(self, item: FrontierItem, result: Page | LagesbildError) -> PageRecord:
        now = iso(_utcnow())
        if isinstance(result, PageGone):
            return PageRecord(item.id, "gone", 404, str(result), now)
        if isinstance(result, DisallowedByRobots):
            return PageRecord(item.id, "skipped", None, str(result), now)
        if isinstance(result, LagesbildError):
            log.info("%s: %s", self.run.source, result)
            return PageRecord(item.id, "failed", None, f"{result.__class__.__name__}: {result}", now)
        try:
            return self._read(item, result, now)
        except (ValueError, TypeError, LookupError, RecursionError, MemoryError) as exc:
            # A page the parser chokes on is this page's failure, recorded and reported; never the run's.
            log.warning("%s: cannot read %s: %s", self.run.source, item.url, exc)
            return PageRecord(item.id, "failed", result.status, f"ParseError: {exc}", now)

    def _read(self, item: FrontierItem, page: Page, now: str) -> PageRecord:
        rec = PageRecord(item.id, "done", page.status, None, now)
        if page.encoding_guessed and page.body and not page.body.isascii():
            rec.error = f"no charset declared; decoded as {page.encoding}"
        if item.kind == "discover":
            rec.links = self._new(self.c.read_discovery(page.text, page.url), "listing", 0)
            return rec
        if item.kind == "listing":
            lr = self.c.read_listing(page.text, page.url)
            new_ads = self._new(lr.ad_links, "ad", 0)
            links = list(new_ads)
            if lr.ad_links and (new_ads or item.depth == 0):
                if item.depth + 1 >= self.c.profile.listing.max_pages:
                    if lr.next_pages:
                        self.warnings.append(f"pagination stopped at max_pages at {item.url}")
                else:
                    links += self._new(lr.next_pages, "listing", item.depth + 1)
            rec.links = links
            rec.site_ad_id = None
            return rec
        read = self.c.read_ad(page.text, page.url)
        if read.site_ad_id is None:
            rec.status = "failed"
            rec.error = "ExtractionError: no site_ad_id on the ad page"
            rec.fields = sorted(read.found)
            return rec
        obs, dropped = ad_observation(read, self.run.seen_at, self.convert)
        rec.fields = sorted(read.found)
        if obs is None:
            rec.status = "failed"
            rec.error = "InvalidRecord: " + "; ".join(dropped)
            return rec
        rec.site_ad_id = obs.site_ad_id
        rec.observation = (*observation_row(obs), None)
        if dropped:
            rec.error = "dropped invalid field(s): " + "; ".join(dropped)
            bad = {d.split(":", 1)[0].split("[", 1)[0] for d in dropped}
            rec.fields = [f for f in rec.fields if f not in bad]
        if self.keep_raw:
            rec.raw = (page.url, item.kind, page.status, page.encoding, zlib.compress(page.body, 6))
        return rec


def crawl(
    profile: Profile,
    store: Store,
    pseudonymizer: Pseudonymizer,
    *,
    transport: httpx.BaseTransport | None = None,
    client: httpx.Client | None = None,
    fetcher: Fetcher | None = None,
    clock: Callable[[], datetime] = _utcnow,
    keep_raw_pages: bool | None = None,
    raw_page_retention_days: int | None = 90,
    progress: Callable[[CrawlProgress], None] | None = None,
    stop: threading.Event | None = None,
    max_pages: int | None = None,
    batch_size: int | None = None,
) -> CrawlResult:
    """Run (or continue) one pass over ``profile``'s site and store every sighting.

    Args:
        profile: the validated profile.
        store: the open store.
        pseudonymizer: the installation's pseudonymizer (checked against the store's key).
        transport, client, fetcher: where requests go (tests pass ``httpx.MockTransport``); default: the network.
        clock: now, in UTC; a new run's ``seen_at``. Tests of simulated days pass the simulated date.
        keep_raw_pages: keep ad pages compressed for :func:`~lagesbild.monitor.reprocess.reprocess`
            (default: the profile's ``keep_raw_pages``).
        raw_page_retention_days: delete kept pages older than this at the end of a pass (None: keep).
        progress: called after each batch.
        stop: when set, the pass stops after the current batch; the next call continues it.
        max_pages: stop (as if asked to) after this many pages in this call (for tests and trials).
        batch_size: pages per transaction (default: four times the concurrency, at least 16).

    Returns:
        What the pass did, with its health once finished.

    Raises:
        KeyMismatchError: the pseudonymizer's key is not the store's.
        StoreError: the database failed (what was committed before stays).
    """
    t0 = time.monotonic()
    store.bind_key(pseudonymizer.fingerprint)
    compiled = compile_profile(profile)
    cs = CrawlStore(store)
    source = profile.source
    now = clock()
    resumed = False
    run = cs.unfinished_run(source)
    if run is not None:
        started = datetime.fromisoformat(run.started_at.replace("Z", "+00:00"))
        if now - started <= timedelta(hours=profile.resume_within_hours) and now >= started - timedelta(hours=1):
            resumed = True
            log.info("%s: continuing interrupted run %d (seen_at %s)", source, run.id, run.seen_at)
        else:
            log.warning("%s: closing run %d, interrupted too long ago to continue", source, run.id)
            health = compute_health(cs.frontier_rows(run.id), profile, source_health_history(cs, source))
            cs.finish_run(run.id, status="abandoned", finished_at=iso(now), degraded=True, health=health.to_json())
            run = None
    seeds = [(u, "discover", 0) for u in compiled.discovery_urls()]
    seeds += [(u, "listing", 0) for u in compiled.start_urls()]
    if run is not None and not cs.frontier_rows(run.id):
        # a run that an older version left without its first pages (killed as it started)
        log.warning("%s: interrupted run %d has no pages queued; queueing the start pages", source, run.id)
        cs.add_frontier(run.id, seeds)
    if run is None:
        run = cs.create_run(
            source, seen_at=iso(now), started_at=iso(now), profile_sha256=profile_sha256(profile), seeds=seeds
        )
        log.info("%s: run %d started (seen_at %s)", source, run.id, run.seen_at)
    keep = profile.keep_raw_pages if keep_raw_pages is None else keep_raw_pages
    own_fetcher = fetcher is None
    f = fetcher or Fetcher(profile.politeness, client=client, transport=transport, headers=profile.headers)
    state = _Pass(compiled, cs, run, f, RecordConverter(pseudonymizer), keep)
    batch = batch_size or max(16, 4 * profile.politeness.concurrency)
    pages = new_obs = ads = errors = 0
    stopped = False
    try:
        while True:
            if (stop is not None and stop.is_set()) or (max_pages is not None and pages >= max_pages):
                stopped = True
                break
            n = batch if max_pages is None else min(batch, max_pages - pages)
            items = cs.pending(run.id, n)
            if not items:
                break
            by_url = {it.url: it for it in items}
            records = [state.process(by_url[u], res) for u, res in f.get_many([it.url for it in items])]
            new_obs += cs.commit_pages(run, records)
            pages += len(records)
            ads += sum(1 for r in records if r.observation is not None)
            errors += sum(1 for r in records if r.status == "failed")
            if progress is not None:
                progress(CrawlProgress(source, pages, cs.count_pending(run.id), ads, errors))
    finally:
        if own_fetcher:
            f.close()
    if stopped:
        log.info("%s: run %d stopped after %d pages; the next call continues it", source, run.id, pages)
        return CrawlResult(run, "stopped", resumed, pages, new_obs, 0, None, time.monotonic() - t0)

    health = compute_health(
        cs.frontier_rows(run.id), profile, source_health_history(cs, source), warnings=sorted(set(state.warnings))
    )
    finished = iso(clock())
    cs.finish_run(run.id, status="done", finished_at=finished, degraded=health.degraded, health=health.to_json())
    disappeared = 0
    complete = health.pages_fetched > 0 and not any(
        r["status"] == "failed" for r in cs.frontier_rows(run.id) if r["kind"] != "ad"
    )
    if complete and not health.degraded:
        disappeared = cs.mark_disappeared(source, run.id, run.seen_at)
    if health.degraded:
        log.warning("%s: run %d is DEGRADED: %s", source, run.id, "; ".join(health.reasons))
        if profile.health.webhook_url:
            _notify(profile, run, health, f.client if not own_fetcher else client, transport)
    else:
        log.info("%s: run %d done: %d pages, %d ads, %d new sightings", source, run.id, pages, health.ads, new_obs)
    if raw_page_retention_days is not None:
        purged = cs.purge_raw_pages(iso(clock() - timedelta(days=raw_page_retention_days)))
        if purged:
            log.info("deleted %d raw page(s) older than %d days", purged, raw_page_retention_days)
    final = cs.run(run.id) or run
    return CrawlResult(final, "done", resumed, pages, new_obs, disappeared, health, time.monotonic() - t0)


def _notify(
    profile: Profile,
    run: RunInfo,
    health: RunHealth,
    client: httpx.Client | None,
    transport: httpx.BaseTransport | None,
) -> None:
    """POST the degraded run's summary to the profile's webhook; a failing hook is logged, not fatal."""
    url = profile.health.webhook_url
    assert url is not None
    payload: dict[str, Any] = {
        "text": f"lagesbild: {profile.source} run {run.id} is degraded: " + "; ".join(health.reasons),
        "source": profile.source,
        "run_id": run.id,
        "seen_at": run.seen_at,
        "reasons": list(health.reasons),
        "field_rates": health.field_rates,
    }
    own = client is None
    c = client or httpx.Client(transport=transport, timeout=10.0)
    try:
        r = c.post(url, json=payload)
        if r.status_code >= 300:
            log.warning("webhook %s answered HTTP %d", url, r.status_code)
    except httpx.HTTPError as exc:
        log.warning("webhook %s failed: %s", url, exc)
    finally:
        if own:
            c.close()
