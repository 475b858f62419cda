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
   reported), never the whole sighting. With ``listing.ads`` each ad a listing page shows whole
   goes the same way, and is recorded with the listing page as an ``ad`` row of its own, keyed by
   its id (so an ad shown twice in a pass is stored once).
5. Record the pages in one transaction every ``commit_pages`` pages or ``commit_seconds`` seconds,
   whichever comes first: page outcomes, new links, observations, ad lifecycle, raw copies
   (:meth:`~lagesbild.store.crawl.CrawlStore.commit_pages`). A kill loses nothing committed; it
   loses at most the last couple of seconds of pages, fetched again next time.
6. When nothing is pending: compute the run's health, mark ads not seen in a complete pass as
   disappeared, call the webhook if degraded, delete raw pages past their retention.

Links to hosts other than the profile's are not queued (a warning in the run's health says how many),
and the fetcher refuses redirects off them (:class:`~lagesbild.monitor.fetch.HostPolicy`). A pass that
raises for any reason ends its run as ``failed`` with the (masked) error in its health, so it neither
shows as running forever nor blocks the next pass, which starts a new run. A SIGKILL (or Ctrl-C, or
SIGTERM through ``stop``) leaves the run ``running``, to be continued.

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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from lagesbild.errors import LagesbildError
from lagesbild.ingest.validate import RecordConverter, RecordError
from lagesbild.monitor.compile import AdRead, CompiledProfile, InlineAd, compile_profile
from lagesbild.monitor.fetch import DisallowedByRobots, Fetcher, HostPolicy, Page, PageGone
from lagesbild.monitor.health import RunHealth, compute_health
from lagesbild.monitor.images import hash_image_urls
from lagesbild.monitor.spec import Profile, profile_sha256
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer, mask_identifiers
from lagesbild.store import Store, observation_row
from lagesbild.store.crawl import CrawlStore, FrontierItem, PageRecord, RunInfo

__all__ = ["CrawlProgress", "CrawlResult", "ad_observation", "crawl", "iso", "source_health_history"]

log = logging.getLogger(__name__)

_PROTECTED = ("site", "site_ad_id", "seen_at")

COMMIT_SECONDS = 2.0
"""Pages are committed at least this often (seconds), so that a kill loses little work."""


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
        self.policy = HostPolicy.for_profile(compiled.profile)
        self.off_site = 0
        self.images_fetched = 0
        self.images_reused = 0
        self.images_failed = 0
        self.image_problem: str | None = None  # the first picture that could not be fetched or read (masked)
        self.image_memo: dict[str, str] = {}  # pictures hashed in this call, before they are committed

    def _new(self, urls: tuple[str, ...], kind: str, depth: int) -> list[tuple[str, str, int]]:
        out = []
        for u in urls:
            if not self.policy.host_allowed(u):
                self.off_site += 1  # never queued: the crawl stays on the profile's hosts
                continue
            if u not in self.known:
                self.known.add(u)
                out.append((u, kind, depth))
        return out

    def process(self, item: FrontierItem, result: Page | LagesbildError) -> PageRecord:
        now = iso(_utcnow())
        # errors name the page's address, which may hold an identifier (an ad id that is a phone number)
        if isinstance(result, PageGone):
            return PageRecord(item.id, "gone", 404, mask_identifiers(str(result)), now)
        if isinstance(result, DisallowedByRobots):
            return PageRecord(item.id, "skipped", None, mask_identifiers(str(result)), now)
        if isinstance(result, LagesbildError):
            msg = mask_identifiers(f"{result.__class__.__name__}: {result}")
            log.info("%s: %s", self.run.source, msg)
            return PageRecord(item.id, "failed", None, msg, now)
        try:
            return self._read(item, result, now)
        except Exception as exc:  # recorded on the page and counted in the run's health
            # A page the extractors choke on (a regex, an XPath, broken HTML) is this page's failure,
            # recorded and reported; never the run's.
            msg = mask_identifiers(f"{exc.__class__.__name__}: {exc}")[:500]
            log.warning("%s: cannot read %s: %s", self.run.source, mask_identifiers(item.url), msg)
            return PageRecord(item.id, "failed", result.status, f"ParseError: {msg}", now)

    def _read(self, item: FrontierItem, page: Page, now: str) -> PageRecord:
        rec = PageRecord(item.id, "done", page.status, None, now)
        if page.encoding_guessed and page.body and not page.body.isascii():
            rec.error = f"no charset declared; decoded as {page.encoding}"
        if item.kind == "discover":
            rec.links = self._new(self.c.read_discovery(page.text, page.url), "listing", 0)
            return rec
        if item.kind == "listing":
            lr = self.c.read_listing(page.text, page.url)
            if self.c.inline:
                rec.inline_ads = self._inline_ads(lr.ads, page, now)
                found, new_found = bool(lr.ads), bool(rec.inline_ads)
                if self.keep_raw:  # the listing page is the inline ads' page: kept for reprocessing
                    rec.raw = (page.url, item.kind, page.status, page.encoding, zlib.compress(page.body, 6))
            else:
                rec.links = self._new(lr.ad_links, "ad", 0)
                found, new_found = bool(lr.ad_links), bool(rec.links)
            if found and (new_found or item.depth == 0):
                if item.depth + 1 >= self.c.profile.listing.max_pages:
                    if lr.next_pages:
                        self.warnings.append(f"pagination stopped at max_pages at {item.url}")
                else:
                    rec.links += self._new(lr.next_pages, "listing", item.depth + 1)
            rec.site_ad_id = None
            return rec
        read = self.c.read_ad(page.text, page.url)
        links = self.c.read_image_links(page.text, page.url) if self.c.fetches_images else ()
        rec = self._ad(rec, read, links, "the ad page")
        if rec.status == "done" and self.keep_raw:
            rec.raw = (page.url, item.kind, page.status, page.encoding, zlib.compress(page.body, 6))
        return rec

    def _inline_ads(self, ads: tuple[InlineAd, ...], page: Page, now: str) -> list[PageRecord]:
        """The records of the ads a listing page shows whole, each stored like an ad page of its own.

        An ad is known in the pass by :meth:`~CompiledProfile.inline_ad_url`: one shown again (twice on
        this page, or on an earlier page of the pass) is left out. An element without an id cannot be
        stored; it is recorded as a failed ad (under the listing's address and its place on it), so that
        the run's health counts it."""
        out: list[PageRecord] = []
        for i, ad in enumerate(ads, 1):
            ad_id = ad.read.site_ad_id
            url = self.c.inline_ad_url(ad_id) if ad_id is not None else f"{page.url}#ad-{i}"
            if url in self.known:
                continue
            self.known.add(url)
            rec = PageRecord(0, "done", page.status, None, now, url=url)
            out.append(self._ad(rec, ad.read, ad.image_links, "the ad's element on the listing page"))
        return out

    def _ad(self, rec: PageRecord, read: AdRead, image_links: tuple[str, ...], where: str) -> PageRecord:
        """Validate, pseudonymize and note one ad (its page or its element on a listing page) on ``rec``."""
        if read.site_ad_id is None:
            rec.status = "failed"
            rec.error = f"ExtractionError: no site_ad_id on {where}"
            rec.fields = sorted(read.found)
            return rec
        image_problems: list[str] = []
        if self.c.fetches_images:
            read, image_problems, rec.image_hashes = self._with_images(read, image_links)
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
        if image_problems:
            note = mask_identifiers(f"{len(image_problems)} image(s) not hashed: {image_problems[0]}")[:500]
            rec.error = f"{rec.error}; {note}" if rec.error else note
        return rec

    def _with_images(self, read: AdRead, urls: tuple[str, ...]) -> tuple[AdRead, list[str], dict[str, str]]:
        """Fetch the ad's images (politely, through the pass's fetcher) and add their hashes.

        A picture this source's crawls already hashed (same address, in ``crawl_image_hashes`` or
        earlier in this call) is not fetched again; the pictures fetched now are returned
        (address -> hash) for the page's transaction to remember."""
        off = [u for u in urls if not self.policy.host_allowed(u)]
        if off:
            self.off_site += len(off)
            urls = tuple(u for u in urls if u not in off)
        known = {u: self.image_memo[u] for u in urls if u in self.image_memo}
        rest = [u for u in urls if u not in known]
        if rest:
            known.update(self.cs.image_hashes(self.run.source, rest))
        r = hash_image_urls(self.fetcher, urls, known)
        self.images_fetched += len(r.fetched) + len(r.problems)
        self.images_reused += r.reused
        self.images_failed += len(r.problems)
        if r.problems and self.image_problem is None:
            self.image_problem = mask_identifiers(r.problems[0])[:300]
        self.image_memo.update(r.fetched)
        if not r.hashes:
            return read, r.problems, r.fetched
        record = dict(read.record)
        record["image_hashes"] = list(dict.fromkeys([*record.get("image_hashes", []), *r.hashes]))
        return replace(read, record=record, found=read.found | {"image_hashes"}), r.problems, r.fetched


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
    commit_seconds: float = COMMIT_SECONDS,
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
        stop: when set, the pass stops after the page being read (what was read is committed); the next
            call continues it.
        max_pages: stop (as if asked to) after this many pages in this call (for tests and trials).
        batch_size: pages fetched per round and most pages per transaction (default: four times the
            concurrency, at least 16).
        commit_seconds: commit the pages read so far at least this often, however slow the site.

    Returns:
        What the pass did, with its health once finished.

    Raises:
        KeyMismatchError: the pseudonymizer's key is not the store's.
        StoreError: the database failed (what was committed before stays).
        Any error that ends the pass is re-raised after its run is marked ``failed``.
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
    try:
        return _run_pass(
            profile,
            cs,
            compiled,
            run,
            resumed,
            t0,
            RecordConverter(pseudonymizer),
            keep=keep,
            transport=transport,
            client=client,
            fetcher=fetcher,
            clock=clock,
            raw_page_retention_days=raw_page_retention_days,
            progress=progress,
            stop=stop,
            max_pages=max_pages,
            batch_size=batch_size,
            commit_seconds=commit_seconds,
        )
    except Exception as exc:
        _fail_run(cs, profile, run, exc, clock)
        raise


def _fail_run(
    cs: CrawlStore, profile: Profile, run: RunInfo, exc: BaseException, clock: Callable[[], datetime]
) -> None:
    """End a run that raised as ``failed``, with the masked error in its health (best effort: the store
    may be what failed, and then the run stays ``running`` and is continued or closed next time)."""
    msg = mask_identifiers(f"{exc.__class__.__name__}: {exc}")[:1000]
    log.error("%s: run %d failed: %s", run.source, run.id, msg)
    try:
        try:
            health = compute_health(cs.frontier_rows(run.id), profile)
        except Exception:  # the error being reported matters more than the page counts
            health = compute_health([], profile)
        failed = replace(health, degraded=True, reasons=(f"the crawl failed: {msg}", *health.reasons), error=msg)
        cs.fail_run(run.id, finished_at=iso(clock()), health=failed.to_json())
    except Exception as inner:  # the original error is re-raised by the caller
        log.error("%s: could not mark run %d failed: %s", run.source, run.id, inner.__class__.__name__)


def _run_pass(
    profile: Profile,
    cs: CrawlStore,
    compiled: CompiledProfile,
    run: RunInfo,
    resumed: bool,
    t0: float,
    convert: RecordConverter,
    *,
    keep: bool,
    transport: httpx.BaseTransport | None,
    client: httpx.Client | None,
    fetcher: Fetcher | None,
    clock: Callable[[], datetime],
    raw_page_retention_days: int | None,
    progress: Callable[[CrawlProgress], None] | None,
    stop: threading.Event | None,
    max_pages: int | None,
    batch_size: int | None,
    commit_seconds: float,
) -> CrawlResult:
    source = profile.source
    own_fetcher = fetcher is None
    f = fetcher or Fetcher.for_profile(profile, client=client, transport=transport)
    state = _Pass(compiled, cs, run, f, convert, keep)
    throttled0, retries0 = f.throttled, f.retries
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
            records: list[PageRecord] = []
            last_commit = time.monotonic()
            for i, (u, res) in enumerate(f.get_many([it.url for it in items]), 1):
                records.append(state.process(by_url[u], res))
                if i < len(items) and time.monotonic() - last_commit >= commit_seconds:
                    # a slow site: commit what is read so far rather than a whole batch at the end
                    new_obs, pages, ads, errors = _commit(cs, run, records, new_obs, pages, ads, errors)
                    records = []
                    last_commit = time.monotonic()
                    if progress is not None:
                        progress(CrawlProgress(source, pages, cs.count_pending(run.id), ads, errors))
                if stop is not None and stop.is_set():
                    break  # SIGTERM: stop within a page; the batch's unread pages stay pending for next time
            if records:
                new_obs, pages, ads, errors = _commit(cs, run, records, new_obs, pages, ads, errors)
            if progress is not None:
                progress(CrawlProgress(source, pages, cs.count_pending(run.id), ads, errors))
    finally:
        if own_fetcher:
            f.close()
    if stopped:
        log.info("%s: run %d stopped after %d pages; the next call continues it", source, run.id, pages)
        return CrawlResult(run, "stopped", resumed, pages, new_obs, 0, None, time.monotonic() - t0)

    warnings = sorted(set(state.warnings))
    if state.off_site:
        warnings.append(f"{state.off_site} link(s) to other hosts than the profile's were not followed")
    if state.images_failed:
        warnings.append(
            f"{state.images_failed} picture(s) could not be fetched or read; their ads are kept without those "
            f"hashes (first: {state.image_problem})"
        )
    health = compute_health(cs.frontier_rows(run.id), profile, source_health_history(cs, source), warnings=warnings)
    health = replace(health, http_429=f.throttled - throttled0, retries=f.retries - retries0,
                     images_fetched=state.images_fetched, images_reused=state.images_reused,
                     images_failed=state.images_failed)  # fmt: skip
    if health.http_429:
        log.info("%s: %d answer(s) 429; the rate was lowered and recovered gradually", source, health.http_429)
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


def _commit(
    cs: CrawlStore, run: RunInfo, records: list[PageRecord], new_obs: int, pages: int, ads: int, errors: int
) -> tuple[int, int, int, int]:
    new_obs += cs.commit_pages(run, records)
    pages += len(records)
    ads += sum(1 for r in records if r.observation is not None)
    errors += sum(1 for r in records if r.status == "failed")
    return new_obs, pages, ads, errors


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
