"""Normalize stored observations: the runner behind ``lagesbild normalize run``.

:func:`normalize_store` reads the observations that are not yet normalized, or were
normalized under an older :data:`~lagesbild.normalize.RULES_VERSION` (every observation
with ``all=True``), in batches by id; normalizes each distinct text once (an ad is seen
on many days with the same text); and stores the facts with the rules version, one
committed transaction per batch, so an interrupted run resumes where it stopped.

On a large backlog the normalizing runs in worker processes while this process reads
the next batch and writes the previous one: reading and writing are mostly the
database's C code, normalizing is Python, so both cores are busy. Only the distinct
texts not seen before travel to a worker.

Example::

    from lagesbild.normalize.run import normalize_store
    summary = normalize_store(store)             # what is new or stale
    summary = normalize_store(store, all=True)   # everything, after a rules update
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from lagesbild.errors import LagesbildError
from lagesbild.normalize._rules import RULES_VERSION
from lagesbild.normalize.ad import NormalizedAd, normalize_ad
from lagesbild.normalize.prices import Price
from lagesbild.store import Store
from lagesbild.store.normalized import NormalizedStore, PendingObservation

__all__ = ["NormalizeSummary", "fact_row", "normalize_store"]

log = logging.getLogger(__name__)

Content = tuple[str | None, str | None, str | None, str | None]
"""``(title, body, location, price_text)``: what an observation's facts depend on."""
Facts = tuple[Any, ...]

BATCH_SIZE = 20_000
# Below this many observations a worker process costs more (start-up, loading rules,
# gazetteer and language model: about a second) than it saves.
MIN_PARALLEL = 40_000
# Facts of this many distinct texts are remembered across batches (about 100 MB): an ad
# observed daily comes back within days, and the rows arrive in import (roughly time) order.
CACHE_SIZE = 100_000


@dataclass(frozen=True, slots=True)
class NormalizeSummary:
    """What one run did.

    Attributes:
        n_pending: observations to normalize when the run started.
        n_normalized: observations normalized and stored.
        n_distinct: distinct texts normalized (the rest were repeats).
        n_batches: batches committed.
        workers: worker processes used (0: all in this process).
        seconds: wall time.
        rules_version: the rules the facts were read under.
        all: whether every observation was redone.
    """

    n_pending: int
    n_normalized: int
    n_distinct: int
    n_batches: int
    workers: int
    seconds: float
    rules_version: str
    all: bool

    @property
    def per_second(self) -> float:
        return self.n_normalized / self.seconds if self.seconds > 0 else 0.0


def _chosen_price(prices: Sequence[Price]) -> Price | None:
    """The price :func:`~lagesbild.normalize.price_per_hour` reads, else the first one with a duration
    (a half hour's amount and unit are kept as written, not doubled), else the first one."""
    for p in prices:
        if p.sek_per_hour is not None:
            return p
    for p in prices:
        if p.minutes:
            return p
    return prices[0] if prices else None


def fact_row(ad: NormalizedAd) -> Facts:
    """The stored columns of one normalized ad, after ``observation_id`` and ``rules_version``.

    Lists are space-separated codes (visit dates separated by ``;``). Raw identifiers are
    not part of it: stored text is already scrubbed, and phones live on the observation.
    """
    p = ad.place
    price = _chosen_price(ad.prices)
    return (
        p.kommun_kod,
        p.lan_kod,
        p.confidence,
        p.matched,
        p.source,
        ad.age,
        ad.age_text,
        ad.price_sek_per_hour,
        price.amount if price else None,
        price.currency if price else None,
        price.unit if price else None,
        price.raw if price else None,
        " ".join(ad.languages_offered),
        ad.language_written,
        ad.gender,
        " ".join(ad.targets),
        " ".join(ad.touring.kinds),
        ";".join(ad.touring.dates),
        " ".join(i.code for i in ad.indicators),
        ad.template or None,
    )


def _facts(contents: Sequence[Content]) -> list[Facts]:
    """Normalize ``contents`` (runs in a worker process, or inline)."""
    return [
        fact_row(normalize_ad(title, body, location, price_text=price_text))
        for title, body, location, price_text in contents
    ]


def _warm_up() -> None:
    """Load rules, gazetteer and language model in a new worker while the parent reads."""
    normalize_ad("Anna 25", "Hej! Jag är ny i stan, ring mig. 1500 kr/30 min", "Linköping")


def _result(part: Future[list[Facts]] | list[Facts]) -> list[Facts]:
    if not isinstance(part, Future):
        return part
    try:
        return part.result()
    except BrokenProcessPool as exc:
        raise LagesbildError(f"a normalize worker stopped unexpectedly ({exc}); run again to resume") from exc


def _worker_count(workers: int | None, n_pending: int) -> int:
    if workers is not None:
        return max(0, workers)
    if n_pending < MIN_PARALLEL:
        return 0
    return min(2, os.cpu_count() or 1)


def normalize_store(
    store: Store,
    *,
    all: bool = False,  # named like the CLI flag --all
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> NormalizeSummary:
    """Normalize the stored observations that need it and store their facts.

    Args:
        store: an open store.
        all: redo every observation, not only new ones and those normalized under older rules.
        progress: called as ``progress(done, total)`` after each committed batch (and once at the start).
        batch_size: observations per batch (one transaction each).
        workers: worker processes; None chooses (none for small backlogs, else up to two).

    Returns:
        A :class:`NormalizeSummary`.

    Raises:
        StoreError: if the database refuses a batch (the batches before it stay stored).
        LagesbildError: if a worker process dies (likewise).
    """
    started = time.perf_counter()
    ns = NormalizedStore(store)
    upto = ns.max_observation_id()
    start = 0 if all else ns.done_up_to(rules_version=RULES_VERSION)
    total = ns.count_pending(rules_version=RULES_VERSION, all_=all, upto=upto, after_id=start)
    if progress is not None:
        progress(0, total)
    n_workers = _worker_count(workers, total)
    log.info("normalizing %d observations (rules %s, %d workers)", total, RULES_VERSION, n_workers)
    known: dict[Content, Facts] = {}
    done = n_distinct = n_batches = 0
    pool = (
        ProcessPoolExecutor(n_workers, mp_context=mp.get_context("spawn"), initializer=_warm_up)
        if n_workers and total
        else None
    )

    def read(after: int) -> list[PendingObservation]:
        return ns.pending(after_id=after, limit=batch_size, rules_version=RULES_VERSION, all_=all, upto=upto)

    def submit(batch: Sequence[PendingObservation]) -> tuple[list[Content], list[Any]]:
        distinct = dict.fromkeys(row[1:] for row in batch)
        new = [c for c in distinct if c not in known]
        if pool is None or not new:
            return new, [_facts(new)]
        step = -(-len(new) // n_workers)
        return new, [pool.submit(_facts, new[i : i + step]) for i in range(0, len(new), step)]

    try:
        batch = read(start)
        pending = submit(batch)
        while batch:
            following = read(batch[-1][0])  # read while the workers normalize this batch
            new, parts = pending
            facts = [f for part in parts for f in _result(part)]
            if len(known) + len(new) > CACHE_SIZE:
                known.clear()
            known.update(zip(new, facts, strict=True))
            n_distinct += len(new)
            pending = submit(following)  # the workers start on the next batch while this one is written
            rows = []
            for oid, *rest in batch:
                content: Content = (rest[0], rest[1], rest[2], rest[3])
                f = known.get(content)
                if f is None:  # forgotten when the cache was cleared
                    f = known[content] = _facts([content])[0]
                rows.append((oid, RULES_VERSION, *f))
            ns.save(rows)
            done += len(rows)
            n_batches += 1
            if progress is not None:
                progress(done, total)
            batch = following
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    seconds = time.perf_counter() - started
    log.info("normalized %d observations (%d distinct texts) in %.1f s", done, n_distinct, seconds)
    return NormalizeSummary(total, done, n_distinct, n_batches, n_workers, seconds, RULES_VERSION, all)
