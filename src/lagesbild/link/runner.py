"""The one runner: read from the store, link in memory, write back in bulk.

Incremental (the default): only observations imported since the last run are read and folded
onto the stored site ads; the clustering then runs over all site ads, which is cheap, so the
result is the same as a full relink (:func:`run` with ``full=True``) by construction.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from lagesbild.link._types import LinkSettings
from lagesbild.link.cluster import Linked, link
from lagesbild.link.collect import collect
from lagesbild.link.summarize import affected_rows, summarize
from lagesbild.observations import Observation
from lagesbild.records.link import SiteAds
from lagesbild.store import Store

__all__ = ["LinkRun", "link_observations", "relink_stored", "run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkRun:
    """What one linking run did.

    Attributes:
        mode: ``"full"`` or ``"incremental"``.
        n_observations: observations read (new ones, when incremental).
        n_site_ads, n_ads, n_persons, n_advertisers, n_networks: sizes of the result (all site ads).
        n_suspected_fake: persons left out as suspected scams (stolen photos).
        seconds: wall-clock time of the run.
    """

    mode: str
    n_observations: int
    n_site_ads: int
    n_ads: int
    n_persons: int
    n_advertisers: int
    n_networks: int
    n_suspected_fake: int
    seconds: float


class _Counter:
    def __init__(self, it: Iterable[Observation]) -> None:
        self.it, self.n = it, 0

    def __iter__(self) -> Iterator[Observation]:
        for o in self.it:
            self.n += 1
            yield o


def link_observations(
    observations: Iterable[Observation], settings: LinkSettings | None = None
) -> tuple[SiteAds, Linked]:
    """Link observations held in memory (no store): collect them into site ads and link those.

    Example::

        ads, linked = link_observations(observations)
        print(linked.result.n_persons, "persons")
    """
    ads, _ = collect(observations, settings=settings)
    return ads, link(ads, settings)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector (it scanned the 100,000s of site ads again and again).

    A run builds many small objects (site ads, sets, lists) and no reference cycles of its own;
    without the pause, generational collection took 1.7 s of a 2.5 s read of the stored site ads
    at 1M observations. Objects are still freed by reference counting; cycles after the run.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(store: Store, *, full: bool = False, settings: LinkSettings | None = None) -> LinkRun:
    """Link what the store holds and save the result.

    Args:
        store: the open store.
        full: relink every observation from scratch instead of adding the new ones.
        settings: rule parameters.

    Returns:
        A :class:`LinkRun` describing the run.
    """
    with _gc_paused():
        return _run(store, full=full, settings=settings)


def _run(store: Store, *, full: bool, settings: LinkSettings | None) -> LinkRun:
    from lagesbild.store.links import LinkStore  # the store's link tables import this package's types

    t0 = time.perf_counter()
    ls = LinkStore(store)
    upto = ls.max_import_id()
    last = ls.last_linked_import()
    # site ads linked before template keys were stored (migration 9) have none: relink them in full
    incremental = not full and last is not None and not ls.lacks_templates()
    existing, old = ls.load_state() if incremental else ([], {})
    t_load = time.perf_counter()
    obs = _Counter(ls.observations(after_import=(last or 0) if incremental else 0, up_to_import=upto))
    ads, changed = collect(obs, existing, settings=settings)
    t_collect = time.perf_counter()
    linked = link(ads, settings)
    t_link = time.perf_counter()
    r = linked.result
    ids = r.all_ids()
    rows = None
    if incremental:
        # only clusters with new site ads, or whose ids moved, need new summaries
        touched = np.array(
            [i for i, (key, v) in enumerate(zip(r.keys, ids, strict=True)) if key in changed or old.get(key) != v],
            dtype=np.int64,
        )
        rows = affected_rows(r, touched)
    summary = summarize(ads, r, rows)
    t_sum = time.perf_counter()
    log.info(
        "timings: load %.1f s, read and collect %.1f s, link %.1f s, summarize %.1f s",
        t_load - t0,
        t_collect - t_load,
        t_link - t_collect,
        t_sum - t_link,
    )
    seconds = time.perf_counter() - t0
    mode = "incremental" if incremental else "full"
    stale = None if rows is None else {old[r.keys[int(i)]] for i in rows if r.keys[int(i)] in old}
    ls.save(
        ads,
        changed,
        r,
        summary,
        {"mode": mode, "last_import_id": upto, "n_observations": obs.n, "seconds": seconds},
        full=not incremental,
        old_labels=old,
        stale_ids=stale,
        ids=ids,
    )
    log.info("timings: save %.1f s", time.perf_counter() - t0 - seconds)
    out = LinkRun(
        mode,
        obs.n,
        len(ads),
        len(r.ad_ids),
        r.n_persons,
        len(r.advertiser_ids),
        len(r.network_ids),
        int(r.fake_person.sum()),
        time.perf_counter() - t0,
    )
    log.info("%s linking: %s", mode, out)
    return out


def relink_stored(store: Store, settings: LinkSettings | None = None) -> tuple[SiteAds, Linked]:
    """The linking of the stored site ads, recomputed in memory (for explanations); nothing is written."""
    from lagesbild.store.links import LinkStore

    ads = SiteAds.of(LinkStore(store).load_site_ads())
    return ads, link(ads, settings)
