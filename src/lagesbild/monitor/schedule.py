"""Running enabled sources on their schedules: once per call (cron, systemd timers) or as a service.

A source is due when it has never been crawled, when its last pass was interrupted, or when
``schedule.every_hours`` plus a jitter of up to ``schedule.jitter_minutes`` has passed since its
last pass started. The jitter is drawn from the source and run id, so it is the same on every call.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from lagesbild.errors import LagesbildError
from lagesbild.monitor.crawl import CrawlResult, crawl
from lagesbild.monitor.spec import Profile
from lagesbild.privacy import Pseudonymizer, mask_identifiers
from lagesbild.store import Store
from lagesbild.store.crawl import CrawlStore

__all__ = ["monitor_loop", "next_due", "run_due"]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def next_due(profile: Profile, cs: CrawlStore) -> datetime | None:
    """When the source is next due (None: due now)."""
    runs = cs.recent_runs(profile.source, 1)
    if not runs or runs[0].status == "running":
        return None
    last = runs[0]
    started = datetime.fromisoformat(last.started_at.replace("Z", "+00:00"))
    jitter = random.Random(f"{profile.source}:{last.id}").uniform(0, profile.schedule.jitter_minutes)
    return started + timedelta(hours=profile.schedule.every_hours, minutes=jitter)


def run_due(
    profiles: Sequence[Profile],
    store: Store,
    pseudonymizer: Pseudonymizer,
    *,
    now: Callable[[], datetime] = _now,
    force: bool = False,
    stop: threading.Event | None = None,
    **crawl_options: Any,
) -> list[CrawlResult]:
    """One pass of every enabled source that is due (every enabled source with ``force``).

    A source that fails (its site unreachable, a store error, a profile that raises) is logged, its run
    ends as ``failed``, and the others still run.
    """
    cs = CrawlStore(store)
    results = []
    for p in profiles:
        if stop is not None and stop.is_set():
            break
        if not p.enabled:
            continue
        due = next_due(p, cs)
        if not force and due is not None and due > now():
            log.info("%s: not due until %s", p.source, due.isoformat(timespec="minutes"))
            continue
        try:
            results.append(crawl(p, store, pseudonymizer, stop=stop, **crawl_options))
        except LagesbildError as exc:
            log.error("%s: the pass failed: %s", p.source, mask_identifiers(str(exc)))
        except Exception as exc:  # one broken profile must not stop the other sources
            # crawl() has already ended the run as failed, with the error in its health
            log.error("%s: the pass failed: %s", p.source, mask_identifiers(f"{exc.__class__.__name__}: {exc}"))
    return results


def monitor_loop(
    profiles: Sequence[Profile],
    store: Store,
    pseudonymizer: Pseudonymizer,
    stop: threading.Event,
    *,
    now: Callable[[], datetime] = _now,
    max_sleep: float = 300.0,
    on_result: Callable[[CrawlResult], None] | None = None,
    **crawl_options: Any,
) -> None:
    """Run sources on their schedules until ``stop`` is set (SIGTERM in `lagesbild monitor`).

    A pass in progress when ``stop`` is set ends after its current batch and is continued next time.
    """
    cs = CrawlStore(store)
    log.info("monitoring %d source(s)", sum(1 for p in profiles if p.enabled))
    while not stop.is_set():
        for r in run_due(profiles, store, pseudonymizer, now=now, stop=stop, **crawl_options):
            if on_result is not None:
                on_result(r)
        if stop.is_set():
            break
        dues = [d for p in profiles if p.enabled for d in [next_due(p, cs)]]
        wait = max_sleep
        for d in dues:
            wait = 0.0 if d is None else min(wait, max(0.0, (d - now()).total_seconds()))
        stop.wait(max(1.0, wait))
    log.info("monitor stopped")
