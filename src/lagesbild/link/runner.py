"""The one runner: read from the store, link in memory, write back in bulk.

Incremental (the default): only observations imported since the last run are read and folded
onto the site ads they belong to. Only the *region* they touch is clustered again: the stored
advertisers that share a blocking key (``link_keys``, migration 14) with a new or changed site
ad, closed under the same keys (:class:`_Region`); every other cluster and its summary rows stay
as stored. Networks are computed over all advertisers from a narrow index (template ties are
scored against statistics of all advertisers). The result is the same as a full relink
(:func:`run` with ``full=True``); ``tests/link/test_incremental_region.py`` checks it day by day
on simulated worlds. A region larger than a quarter of the store clusters everything instead.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lagesbild.link._types import LinkSettings
from lagesbild.link.cluster import (
    IMAGE_CHUNK_MAX,
    Linked,
    _reposts,
    _stable_ids,
    link,
    shared_numbers,
    template_ties_of,
)
from lagesbild.link.collect import blocking_keys, chunk_keys, collect, image_number, key_kinds, phone_key
from lagesbild.link.summarize import affected_rows, summarize
from lagesbild.link.text import _template_words
from lagesbild.observations import Observation
from lagesbild.records.link import LinkResult, SiteAd, SiteAds, Summary
from lagesbild.store import Store

if TYPE_CHECKING:
    from lagesbild.store.links import Labels, LinkStore

__all__ = ["LinkRun", "link_observations", "relink_stored", "run"]

log = logging.getLogger(__name__)

# a region may hold this many site ads, or a quarter of the store if more, before a run clusters
# everything instead (at 1M observations a region of 38% of the site ads took 14 s of CPU, all of
# them 12 s: the closure's reads cost more per site ad than reading every site ad at once)
_MIN_LIMIT = 20_000
_MAX_SHARE = 4
# what the key index holds besides the site ads' keys (a store indexed before is relinked in full once):
# v2 keeps the shared numbers' keys (the region path does not follow a number that stays shared),
# v3 the network index per advertiser (link_network_index, migration 17), v4 the image groups (migration 18)
# and the crowded image chunks, v5 the blocking keys filed under more than max_bucket site ads
_INDEX_VERSION = b"index v5: shared numbers, network index, image groups, big buckets"


@dataclass(frozen=True)
class LinkRun:
    """What one linking run did.

    Attributes:
        mode: ``"full"`` or ``"incremental"``.
        n_observations: observations read (new ones, when incremental).
        n_site_ads, n_ads, n_persons, n_advertisers, n_networks: sizes of the result (all site ads).
        n_suspected_fake: persons left out as suspected scams (stolen photos).
        seconds: wall-clock time of the run.
        n_clustered: site ads clustered in this run (an incremental run: only the region its new
            observations touch; all site ads when it had to cluster everything).
        n_quiet: site ads whose new observations changed only their days (seen again as they were):
            they did not seed the region (an incremental run by the region path).
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
    n_clustered: int = 0
    n_quiet: int = 0


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
    s = settings or LinkSettings()
    ls = LinkStore(store)
    upto = ls.max_import_id()
    last = ls.last_linked_import()
    # site ads linked before template keys (migration 9) or the blocking-key index (migration 14)
    # were stored: relink them in full once
    # ... or by other linking rules or settings (the region path keeps every untouched cluster as stored)
    fingerprint = _fingerprint(s)
    incremental = not full and last is not None and not ls.lacks_templates() and ls.rules() == fingerprint
    new_obs: list[Observation] | None = None
    if incremental:
        new_obs = list(ls.observations(after_import=last or 0, up_to_import=upto))
        out = _run_region(ls, new_obs, upto, s, t0)
        if out is not None:
            return out
    return _run_whole(ls, incremental, new_obs, last, upto, s, t0)


def _fingerprint(s: LinkSettings) -> int:
    """A number that changes with the linking settings and the code of the linking rules.

    Stored with the key index; an incremental run needs the store linked under the same rules
    (it clusters only what new ads touch), so a store linked by other rules is relinked in full.
    """
    h = hashlib.blake2b(repr(s).encode(), digest_size=8)
    h.update(_INDEX_VERSION)
    for name in ("cluster", "collect", "text"):
        h.update(Path(str(importlib.import_module(f"lagesbild.link.{name}").__file__)).read_bytes())
    # the data the template keys read: language names (normalizer rules) and place names (gazetteer)
    for words in _template_words():
        h.update("\n".join(sorted(words)).encode())
    return int.from_bytes(h.digest(), "big", signed=True)


def _index_of(s: LinkSettings) -> Callable[[SiteAd], tuple[set[int], set[tuple[int, int]]]]:
    """The ``link_keys`` and ``link_image_chunks`` rows of a site ad."""

    def index(a: SiteAd) -> tuple[set[int], set[tuple[int, int]]]:
        chunks = {(c, v) for h in a.images for v in (image_number(h),) for c in chunk_keys(v)}
        return blocking_keys(a, s), chunks

    return index


def _run_whole(
    ls: LinkStore,
    incremental: bool,
    new_obs: list[Observation] | None,
    last: int | None,
    upto: int,
    s: LinkSettings,
    t0: float,
) -> LinkRun:
    """Cluster every stored site ad (a full relink, or an incremental run whose region is too large)."""
    existing, old = ls.load_state() if incremental else ([], {})
    t_load = time.perf_counter()
    source: Iterable[Observation] = (
        new_obs
        if new_obs is not None
        else ls.observations(after_import=(last or 0) if incremental else 0, up_to_import=upto)
    )
    obs = _Counter(source)
    ads, changed = collect(obs, existing, settings=s)
    t_collect = time.perf_counter()
    linked = link(ads, s)
    groups = _group_rows(linked.image_group)
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
    from lagesbild.store.links import IndexWrite  # the store's link tables import this package's types

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
        index=IndexWrite(
            _index_of(s),
            rules=_fingerprint(s),
            shared_keys={phone_key(p) for p in r.shared_numbers},
            crowded=_crowded(groups),
            network_rows=(None, _network_rows(ads.ads, [x[2] for x in ids])),
            image_groups=(None, list(groups.items())),
            max_bucket=s.max_bucket,
        ),
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
        len(ads),
    )
    log.info("%s linking: %s", mode, out)
    return out


class _Region:
    """The site ads an incremental run clusters again: the closure of the new ones under the blocking keys.

    Starting from the new and changed site ads, it adds every stored advertiser (whole, with its
    persons and ads) that has a site ad under one of their blocking keys (phones, e-mails, image
    hashes, text LSH buckets) or an image hash in the stored image group of one of theirs (a new
    hash: within ``image_max_bits`` of it), and repeats with the added site ads until nothing new
    comes in. A number that is and stays a shared number (``shared``) is not followed: it links
    nothing, and the clustering is told it is shared. Then every per-key statistic linking
    computes (whether a phone is a shared number, the one known profile of a key, image groups
    and who uses them, LSH bucket sizes) is computed on all the site ads that carry the key, or
    given, and no evidence edge leaves the region: clustering it alone gives the same persons,
    advertisers and ads as clustering everything.
    """

    def __init__(
        self,
        ls: LinkStore,
        s: LinkSettings,
        limit: int,
        changed: Iterable[SiteAd] = (),
        hot_phones: set[int] | frozenset[int] = frozenset(),
        shared: set[int] | frozenset[int] = frozenset(),
    ) -> None:
        self.ls, self.s, self.limit = ls, s, limit
        self.changed = {a.key for a in changed}
        # shared numbers before and after this run: they link nothing, so their other site ads are not
        # followed (the clustering is told they are shared: see _run_region)
        self.shared = shared
        # the keys of the numbers on a changed site ad: whether they are shared numbers may change
        self.hot_phones = set(hot_phones) - shared
        self.text_checked: set[int] = set()
        self.ads: dict[tuple[str, str], SiteAd] = {}
        self.labels: dict[tuple[str, str], Labels] = {}
        self.keys_done: set[int] = set()
        self.hashes_done: set[int] = set()
        self.hot_done: set[int] = set()
        self.by_chunk: dict[int, set[int]] = {}
        self.group_of: dict[int, int] = {}
        self.crowded = ls.crowded_chunks()
        self.big = ls.big_keys()  # the keys filed under more than max_bucket stored site ads
        self.advs_done: set[str] = set()
        self.overflow = ""  # why the region path gave up (the run clusters everything instead)

    def grow(
        self,
        ads: Iterable[SiteAd],
        labels: dict[tuple[str, str], Labels],
        extra_keys: Iterable[int] = (),
        advertisers: Iterable[str] = (),
    ) -> None:
        frontier = [a for a in ads if a.key not in self.ads]
        pending_keys = set(extra_keys) - self.shared
        pending_advs = set(advertisers)
        for a in frontier:
            self.ads[a.key] = a
            if a.key in labels:
                self.labels[a.key] = labels[a.key]
        while (frontier or pending_keys or pending_advs) and not self.overflow:
            ks = pending_keys
            hs: set[int] = set()
            hot_hs: set[int] = set()
            cold_text: set[int] = set()
            advs = pending_advs
            pending_keys, pending_advs = set(), set()
            for a in frontier:
                phones, emails, images, texts = key_kinds(a, self.s)
                if a.key in self.changed or phones & self.hot_phones:
                    ks |= phones | emails | images | texts
                else:
                    # an unchanged site ad, none of whose numbers is on a changed one: its e-mails'
                    # other ads are in its advertiser already, and a text bucket of its links to
                    # nothing outside its stored clusters (bucket, profile and whether it has
                    # identifiers of its own are as before); only the bucket's size must be whole
                    ks |= phones | images
                    cold_text |= texts
                hs.update(image_number(h) for h in a.images)
                if a.key in self.changed:
                    hot_hs.update(image_number(h) for h in a.images)
                lab = self.labels.get(a.key)
                if lab is not None and lab[2] is not None:
                    advs.add(lab[2])
            ks |= self._image_keys(hs, hot_hs)
            ks -= self.shared
            cold_text -= ks | self.keys_done | self.text_checked
            self.text_checked |= cold_text
            # a cold bucket's size is as stored (no site ad under it changed): over max_bucket, it is followed whole
            ks |= cold_text & self.big
            new_ks = ks - self.keys_done
            self.keys_done |= new_ks
            if new_ks:
                advs |= self.ls.advertisers_with_keys(new_ks)
            new_advs = advs - self.advs_done
            self.advs_done |= new_advs
            frontier = []
            if new_advs and len(self.ads) + self.ls.count_site_ads(new_advs) > self.limit:
                self.overflow = f"more than {self.limit} site ads touched"
                return
            if new_advs:
                loaded, stored_ids = self.ls.load_advertisers(new_advs)
                for a in loaded:
                    if a.key not in self.ads:
                        self.ads[a.key] = a
                        self.labels[a.key] = stored_ids[a.key]
                        frontier.append(a)
            if len(self.ads) > self.limit:
                self.overflow = f"more than {self.limit} site ads touched"

    def _image_keys(self, hs: set[int], hot: set[int]) -> set[int]:
        """``hs`` and every stored image hash in an image group with one of them, or a few bits from one in ``hot``.

        Image groups (hashes within ``image_max_bits``, transitively) change only through new
        hashes: a stored hash's group is read from ``link_image_groups``, and only the hashes of new
        and changed site ads (``hot``) are compared with the stored hashes that share a 16-bit chunk.
        """
        new = hs - self.hashes_done
        self.hashes_done |= new
        # image_groups skips chunks shared by more than 2000 hashes (a blank or a logo): such a bucket is a
        # global statistic the region cannot see whole
        if self.crowded and any(c in self.crowded for h in new for c in chunk_keys(h)):
            self.overflow = "an image chunk shared by more than 2000 hashes"
            return new
        found: set[int] = set()
        hot = hot - self.hot_done
        self.hot_done |= hot
        if hot:
            mine = [(c, h) for h in hot for c in chunk_keys(h)]
            for c, h in mine:
                self.by_chunk.setdefault(c, set()).add(h)
            got = np.array(self.ls.image_chunks({c for c, _ in mine}), dtype=np.int64).reshape(-1, 2)
            stored = pd.DataFrame({"c": got[:, 0], "h2": got[:, 1]})
            sizes = stored.groupby("c").size()
            mine_n = np.array([len(self.by_chunk[int(c)]) for c in sizes.index], np.int64)
            for c in sizes.index[sizes.to_numpy() + mine_n > IMAGE_CHUNK_MAX]:
                members = set(stored.loc[stored["c"] == c, "h2"].tolist())
                if len(members | self.by_chunk[int(c)]) > IMAGE_CHUNK_MAX:
                    self.overflow = "an image chunk shared by more than 2000 hashes"
                    return new
            ours = np.array(mine, dtype=np.int64).reshape(-1, 2)
            pairs = pd.DataFrame({"c": ours[:, 0], "h": ours[:, 1]}).merge(stored, on="c")
            dist = np.bitwise_count(
                pairs["h"].to_numpy(np.int64).view(np.uint64) ^ pairs["h2"].to_numpy(np.int64).view(np.uint64)
            )
            found = set(pairs["h2"].to_numpy(np.int64)[dist <= self.s.image_max_bits].tolist())
        # a hash whose group is known was read with its whole group: ask for the groups of the others
        in_groups = self.ls.image_groups_with((new | found) - self.group_of.keys())
        self.group_of.update(in_groups)
        self.hashes_done |= found
        return new | found | {h for h, _ in in_groups}


def _group_rows(image_group: dict[str, int]) -> dict[int, int]:
    """Each image hash (as a number) and its group, named by the group's smallest hash (``link_image_groups``)."""
    numbers = {h: image_number(h) for h in image_group}
    smallest: dict[int, int] = {}
    for h, g in image_group.items():
        v = numbers[h]
        if g not in smallest or v < smallest[g]:
            smallest[g] = v
    return {numbers[h]: smallest[g] for h, g in image_group.items()}


def _crowded(hashes: Iterable[int]) -> set[int]:
    """The chunk keys (:func:`lagesbild.link.collect.chunk_keys`) shared by more than 2000 of these image hashes."""
    u = np.fromiter(hashes, np.int64).view(np.uint64)
    keys = np.concatenate([np.uint64(65536 * c) + ((u >> np.uint64(16 * c)) & np.uint64(0xFFFF)) for c in range(4)])
    chunk, n = np.unique(keys, return_counts=True)
    return set(chunk[n > IMAGE_CHUNK_MAX].astype(np.int64).tolist())


def _shared_after(ls: LinkStore, hot: Iterable[int], seeds: Iterable[SiteAd], s: LinkSettings) -> set[int]:
    """Which of the ``hot`` phone keys are shared numbers once ``seeds`` are stored (rule 1, judged on every site ad).

    Rule 1 reads, of every site ad with the number, only its name, age and how many numbers it
    shows; those narrow rows are read from the store (``seeds`` in place of their stored
    versions), not the advertisers that use the number.
    """
    hot = set(hot)
    pop: dict[tuple[str, str], tuple[str | None, int | None, list[str]]] = {
        (site, sid): (name, age, phones.split()) for site, sid, name, age, phones in ls.phone_rows(hot)
    }
    for a in seeds:
        pop[a.key] = (a.name, a.age, sorted(a.phones))
    items = [v for v in pop.values() if v[2]]
    if not items:
        return set()
    vocab = sorted({p for _, _, ps in items for p in ps})
    number = {p: i for i, p in enumerate(vocab)}
    sizes = np.array([len(ps) for _, _, ps in items], np.int64)
    rows = np.repeat(np.arange(len(items), dtype=np.int64), sizes)
    toks = np.array([number[p] for _, _, ps in items for p in ps], np.int64)
    profiles: dict[tuple[str, int], int] = {}
    profile = np.array(
        [profiles.setdefault((n, g), len(profiles)) if n is not None and g is not None else -1 for n, g, _ in items],
        np.int64,
    )
    hub = shared_numbers(rows, toks, len(vocab), sizes, profile, s.shared_number_alone_share)
    return {k for i in np.flatnonzero(hub) if (k := phone_key(vocab[int(i)])) in hot}


def _net_id(site: str, site_ad_id: str) -> str:
    """A network's id from its earliest site ad (as :func:`lagesbild.link.cluster.link` makes it)."""
    return "nw_" + hashlib.sha1(f"{site}\x1f{site_ad_id}".encode()).hexdigest()[:12]


def _text_or_none(v: object) -> str | None:
    """A text column's value as read back (NULL as None or NaN) -> str or None."""
    return v if isinstance(v, str) else None


_INDEX_COLS = ["adv", "template", "language", "kommun", "first", "site", "site_ad_id"]


def _network_rows(ads: Sequence[SiteAd], advertisers: Sequence[str]) -> list[tuple[Any, ...]]:
    """The ``link_network_index`` rows of whole advertisers (``advertisers[i]`` is the advertiser of ``ads[i]``).

    One row per advertiser, template key and language; per advertiser and municipality; and one
    with the advertiser's earliest site ad (``ads`` are in canonical order, so its first).
    """
    if not ads:
        return []
    df = pd.DataFrame(
        {
            "a": list(advertisers),
            "t": [a.template or 0 for a in ads],
            "l": [a.language for a in ads],
            "k": [a.kommun_kod for a in ads],
        }
    )
    t = df.loc[df["t"] != 0, ["a", "t", "l"]].drop_duplicates()
    k = df.loc[df["k"].notna(), ["a", "k"]].drop_duplicates()
    out: list[tuple[Any, ...]] = [
        (x, int(tm), _text_or_none(lg), None, None, None, None) for x, tm, lg in t.itertuples(index=False)
    ]
    out += [(x, None, None, km, None, None, None) for x, km in k.itertuples(index=False)]
    for i in np.flatnonzero(~df["a"].duplicated().to_numpy(bool)).tolist():
        a = ads[i]
        out.append((advertisers[i], None, None, None, a.first_seen, a.site, a.site_ad_id))
    return out


def _changed_index_rows(
    stored: Iterable[tuple[Any, ...]], rows: list[tuple[Any, ...]], advertisers: set[str]
) -> tuple[list[tuple[Any, ...]], set[str]]:
    """Of ``advertisers``, those whose network index rows ``rows`` differ from the ``stored`` ones, and their rows."""
    before: dict[str, list[tuple[Any, ...]]] = {}
    for x in stored:
        if x[0] in advertisers:
            before.setdefault(str(x[0]), []).append(tuple(x))
    after: dict[str, list[tuple[Any, ...]]] = {}
    for x in rows:
        after.setdefault(str(x[0]), []).append(tuple(x))
    changed = {a for a in advertisers if sorted(map(repr, before.get(a, []))) != sorted(map(repr, after.get(a, [])))}
    return [x for x in rows if x[0] in changed], changed


def _networks(
    stored: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]],
    region_rows: list[tuple[Any, ...]],
    r: LinkResult,
    s: LinkSettings,
    region_advertisers: set[str],
) -> tuple[dict[str, str | None], dict[str, str | None]] | None:
    """The network of every advertiser, from the stored network index (region advertisers' rows replaced by
    ``region_rows``, their :func:`_network_rows` under the ids of ``r``).

    Template ties are scored against statistics of all advertisers (the number of advertisers,
    how many use each key, each municipality's share), so the network level is computed over
    all of them every run: on one row per advertiser and template key or municipality
    (``link_network_index``), not on the site ads. Returns the new and the stored network id of
    every advertiser (the stored one only for advertisers outside the region); None when the
    stored index and advertisers disagree (the caller then clusters everything).
    """
    index, advs = stored
    ids = r.all_ids()
    rows = [x for x in index if x[0] not in region_advertisers] + region_rows
    old = {str(a): _text_or_none(n) for a, n, _ in advs if a not in region_advertisers}
    ppa_of = {str(a): int(k) for a, _, k in advs if a not in region_advertisers}
    mine = pd.DataFrame({"a": [x[2] for x in ids], "p": [x[1] for x in ids]}).drop_duplicates()
    ppa_of.update(mine.groupby("a").size().to_dict())
    if not rows:
        return {}, old
    every = pd.DataFrame.from_records(rows, columns=_INDEX_COLS)
    adv, names = pd.factorize(every["adv"])
    adv = adv.astype(np.int64)
    n_adv = len(names)
    if n_adv != len(ppa_of) or not all(str(x) in ppa_of for x in names):
        log.warning("the stored network index and advertisers disagree: %d and %d advertisers", n_adv, len(ppa_of))
        return None
    ppa = np.array([ppa_of[str(x)] for x in names], np.int64)
    ties_a = ties_b = np.zeros(0, np.int64)
    if s.template_networks:
        # from the rows, not the DataFrame: a column of ints and None is float64 there, and a 64-bit template key
        # would lose its low bits (two keys could become one; a full run compares them exactly)
        tmpl = np.fromiter((x[1] or 0 for x in rows), np.int64, len(rows))
        use = (tmpl != 0) | every["kommun"].notna().to_numpy(bool)
        ties = template_ties_of(
            tmpl[use],
            [_text_or_none(x) for x in every["kommun"].to_numpy(object)[use]],
            [_text_or_none(x) for x in every["language"].to_numpy(object)[use]],
            adv[use],
            ppa,
            s,
        )
        ties_a, ties_b = ties.a, ties.b
    g = coo_matrix((np.ones(len(ties_a), np.int8), (ties_a, ties_b)), shape=(n_adv, n_adv))
    _, net = connected_components(g, directed=False)
    net = net.astype(np.int64)
    is_net = np.bincount(net, weights=ppa)[net] >= 2
    # each network's id comes from its earliest site ad (canonical order: first day, site, site ad id),
    # the earliest of its advertisers' earliest
    firsts = every[every["first"].notna().to_numpy(bool)]
    first = firsts[is_net[adv[firsts.index.to_numpy(np.int64)]]]
    first = first.assign(n=net[adv[first.index.to_numpy(np.int64)]])
    first = first.sort_values(["first", "site", "site_ad_id"], kind="stable").drop_duplicates("n")
    name = {int(n): _net_id(a, b) for n, a, b in zip(first["n"], first["site"], first["site_ad_id"], strict=True)}
    new = {str(names[i]): (name[int(net[i])] if is_net[i] else None) for i in range(n_adv)}
    return new, old


def _with_networks(
    ls: LinkStore,
    part: SiteAds,
    r: LinkResult,
    extra: list[SiteAd],
    extra_ids: dict[tuple[str, str], Labels],
    new_net: dict[str, str | None],
) -> tuple[SiteAds, LinkResult]:
    """The region's linking with the networks of all advertisers, and the stored site ads of their other advertisers.

    ``extra`` keep their stored ad, person and advertiser ids; whether their persons are suspected
    scams and which of their phones are shared numbers are read from the stored summaries.
    """
    ids = dict(zip(r.keys, r.all_ids(), strict=True))
    fake = {r.person_ids[p]: bool(f) for p, f in enumerate(r.fake_person.tolist())}
    shared = set(r.shared_numbers)
    if extra:
        for k, v in extra_ids.items():
            ids[k] = (str(v[0]), str(v[1]), str(v[2]), v[3])
        fake.update(ls.stored_fake({str(v[1]) for v in extra_ids.values()}))
        own = ls.stored_phones({str(v[2]) for v in extra_ids.values()})
        shared |= {p for a in extra for p in a.phones if p not in own.get(str(extra_ids[a.key][2]), ())}
    every = SiteAds.of([*part.ads, *extra])
    rows = [ids[a.key] for a in every.ads]
    ad, ad_ids = pd.factorize(pd.Series([x[0] for x in rows], dtype=object))
    person, person_ids = pd.factorize(pd.Series([x[1] for x in rows], dtype=object))
    adv, adv_ids = pd.factorize(pd.Series([x[2] for x in rows], dtype=object))
    net, net_ids = pd.factorize(pd.Series([new_net[x[2]] for x in rows], dtype=object))
    out = LinkResult(
        keys=tuple(a.key for a in every.ads),
        ad=ad.astype(np.int64),
        person=person.astype(np.int64),
        advertiser=adv.astype(np.int64),
        network=net.astype(np.int64),
        ad_ids=tuple(map(str, ad_ids)),
        person_ids=tuple(map(str, person_ids)),
        advertiser_ids=tuple(map(str, adv_ids)),
        network_ids=tuple(map(str, net_ids)),
        fake_person=np.array([fake[str(p)] for p in person_ids], dtype=bool),
        shared_numbers=frozenset(shared),
    )
    return every, out


def _linking_fields(a: SiteAd) -> tuple[Any, ...]:
    """Every field of a site ad that linking reads, but its days and last day.

    Persons, advertisers, networks and suspected scams are computed from these alone
    (``tests/link/test_incremental_region.py`` checks that moving last days leaves them as they
    are); the last day is read only by the ad level (:func:`lagesbild.link.cluster._reposts`:
    whether a later site ad of the person re-publishes this one), within one person.
    """
    return (
        a.first_seen,
        a.name,
        a.age,
        a.kommun_kod,
        a.lan_kod,
        a.language,
        frozenset(a.phones),
        frozenset(a.emails),
        frozenset(a.images),
        a.signature.tobytes(),
        a.template,
    )


def _stored_ad_ids(
    extra: list[SiteAd], extra_ids: dict[tuple[str, str], Labels], s: LinkSettings
) -> dict[tuple[str, str], Labels]:
    """The ids of stored site ads (whole persons) with their ad level computed again.

    A site ad seen on a new day keeps its person and advertiser, but its later last day can
    join a later site ad of the person to it as a re-publication, or stop doing so; the ad level
    is computed per person (:func:`lagesbild.link.cluster._reposts`), so on whole persons alone.
    """
    if not extra:
        return {}
    ads = SiteAds.of(extra)
    person, _ = pd.factorize(pd.Series([extra_ids[a.key][1] for a in ads.ads], dtype=object))
    ad, _ = _reposts(ads, person.astype(np.int64), s.repost_gap_days)
    ad_ids = _stable_ids(ad, tuple(a.key for a in ads.ads), "ad_")
    return {a.key: (ad_ids[int(ad[i])], *extra_ids[a.key][1:]) for i, a in enumerate(ads.ads)}


def _empty_result() -> LinkResult:
    z = np.zeros(0, np.int64)
    return LinkResult((), z, z, z, z, (), (), (), (), np.zeros(0, bool))


def _run_region(ls: LinkStore, new_obs: list[Observation], upto: int, s: LinkSettings, t0: float) -> LinkRun | None:
    """An incremental run that clusters only the region new observations touch (None: cluster everything).

    A stored site ad whose new observations change none of :func:`_linking_fields` (a live ad
    seen again: only its days and last day move) is *quiet*: it cannot change any person,
    advertiser or network, so it does not seed the region; its persons' ad level and the
    summary rows of its advertiser and network are computed again from the stored site ads.
    When nothing else changed, the network level is not computed again either (nothing it reads
    changed).
    """
    keys = {(o.site, o.site_ad_id) for o in new_obs}
    stored, labels = ls.load_keys(keys)
    before = {a.key: _linking_fields(a) for a in stored}
    # collect() updates ``stored`` in place
    stored_copies = [replace(a, phones=set(a.phones), emails=set(a.emails), images=set(a.images)) for a in stored]
    ads, changed = collect(new_obs, stored, settings=s)
    quiet = {
        a.key
        for a in ads.ads
        if a.key in before and labels[a.key][2] is not None and _linking_fields(a) == before[a.key]
    }
    fresh = {a.key: a for a in ads.ads if a.key in quiet}
    seeds = [a for a in ads.ads if a.key not in quiet]
    old_keys: set[int] = set()
    for a in stored_copies:  # keys an ad had before (its earliest observation can change its profile and text)
        if a.key not in quiet:
            old_keys |= blocking_keys(a, s)
    n_stored = ls.stored_site_ads()  # the region's limit needs no exact count (the last run's)
    # Shared numbers (rule 1) link nothing: the other site ads of a number that was shared and stays
    # shared need not be clustered again. Numbers on no changed site ad keep the stored judgement;
    # those on one are judged again on all their site ads' narrow rows.
    changed_old = [a for a in stored_copies if a.key not in quiet]
    stored_shared = ls.shared_number_keys()
    hot = {phone_key(p) for a in (*seeds, *changed_old) for p in a.phones}
    hot_shared = _shared_after(ls, hot, seeds, s) if hot else set()
    shared_now = (stored_shared - hot) | hot_shared
    not_followed = (stored_shared - hot) | (stored_shared & hot_shared)
    region = _Region(
        ls,
        s,
        limit=max(_MIN_LIMIT, n_stored // _MAX_SHARE),
        changed=[*seeds, *changed_old],
        hot_phones=hot,
        shared=not_followed,
    )
    region.grow(seeds, labels, old_keys)
    t_region = time.perf_counter()
    if region.overflow:
        log.info("incremental linking clusters everything: %s", region.overflow)
        return None
    for k in quiet & region.ads.keys():  # read from the store with their days before this run
        region.ads[k] = fresh[k]
    quiet_out = quiet - region.ads.keys()
    sub = replace(s, template_networks=False)  # networks are computed over all advertisers below
    part = SiteAds.of(list(region.ads.values()))
    nets: set[str | None] = {labels[k][3] for k in quiet_out}  # their networks' last days move
    if len(part):
        known = {p for a in part.ads for p in a.phones if phone_key(p) in not_followed}
        linked_part = link(part, sub, known_shared=known)
        r = linked_part.result
        groups = _group_rows(linked_part.image_group)
        t_link = time.perf_counter()
        judged = {phone_key(p) for p in r.shared_numbers}
        seen = {phone_key(p) for a in part.ads for p in a.phones}
        if judged != shared_now & seen:  # cannot happen: every number not followed is in shared_now
            log.warning("incremental linking clusters everything: shared numbers judged differently")
            return None
        stored_advs = {str(lab[2]) for lab in region.labels.values() if lab[2] is not None}
        # the region's index rows: read by the network level now and written by the save (the networks'
        # other advertisers read below keep theirs: nothing in them changed)
        index_rows = _network_rows(part.ads, [x[2] for x in r.all_ids()])
        stored_index = ls.network_index()
        nets_of = _networks(stored_index, index_rows, r, s, stored_advs)
        if nets_of is None:
            return None
        new_net, old_net = nets_of
        t_net = time.perf_counter()
        missing = set(r.advertiser_ids) - set(new_net)
        if missing:  # cannot happen when the region is closed; never write a partial result
            log.warning("incremental linking clusters everything: %d advertisers without a network", len(missing))
            return None
        # every network that changes, or that has an advertiser in the region, is summarized whole: its
        # other advertisers are read with their stored ids (their persons cannot have changed)
        inside = set(r.advertiser_ids)
        nets |= {new_net[a] for a in inside} | {lab[3] for lab in region.labels.values()}
        nets |= {x for a, o in old_net.items() if new_net.get(a) != o for x in (o, new_net.get(a))}
        nets.discard(None)
        outside = {a for a, o in old_net.items() if a not in inside and (o in nets or new_net.get(a) in nets)}
        renamed = {a for a in outside if new_net.get(a) != old_net.get(a)}
    else:
        # only quiet site ads: nothing the network level reads changed, every advertiser keeps its network
        r = _empty_result()
        groups = {}
        stored_advs, index_rows = set(), []
        stored_index = ([], [])
        t_link = t_net = time.perf_counter()
        inside = set()
        nets.discard(None)
        outside = ls.advertisers_in_networks({n for n in nets if n is not None})
        renamed = set()
    quiet_advs = {str(labels[k][2]) for k in quiet_out} - inside
    outside |= quiet_advs
    # the networks' other advertisers without a quiet site ad or a new network: read for their
    # networks' rows only; their own ad, person and advertiser rows and network index rows stay as stored
    same = outside - quiet_advs - renamed
    # not clustered: their image hashes, signatures and template keys are not read (quiet ones are replaced below by
    # their full new versions, the only ones of them the save writes)
    extra, extra_ids = ls.load_advertisers(outside, clustered=False) if outside else ([], {})
    extra = [fresh.get(a.key, a) for a in extra]
    extra_new = _stored_ad_ids(extra, extra_ids, s)
    if not len(part):
        new_net = {str(v[2]): v[3] for v in extra_ids.values()}
    n_clustered = len(part)
    part, r = _with_networks(ls, part, r, extra, extra_new, new_net)
    summary = summarize(part, r)
    if same:
        summary = Summary(
            [x for x in summary.ads if x.advertiser_id not in same],
            [x for x in summary.persons if x.advertiser_id not in same],
            [x for x in summary.advertisers if x.advertiser_id not in same],
            summary.networks,
        )
    t_sum = time.perf_counter()
    seconds = time.perf_counter() - t0
    old = {k: v for k, v in (*region.labels.items(), *extra_ids.items())}
    all_ids = r.all_ids()
    # only the network index rows and image groups that differ from the stored ones are written again
    index_rows, index_advs = _changed_index_rows(stored_index[0], index_rows, stored_advs | inside)
    groups = {h: g for h, g in groups.items() if region.group_of.get(h) != g}
    from lagesbild.store.links import IndexWrite  # the store's link tables import this package's types

    totals = ls.save(
        part,
        changed,
        r,
        summary,
        {"mode": "incremental", "last_import_id": upto, "n_observations": len(new_obs), "seconds": seconds},
        full=False,
        old_labels=old,
        stale_ids={v for v in old.values() if v[2] not in same},
        ids=all_ids,
        index=IndexWrite(
            _index_of(s),
            rules=_fingerprint(s),
            shared_keys=shared_now,
            network_rows=(index_advs, index_rows) if index_advs else None,
            image_groups=(set(groups), list(groups.items())) if groups else None,
            same_index=quiet,  # their blocking keys and image hashes are as stored
            max_bucket=s.max_bucket,
        ),
        region=True,
    )
    t_save = time.perf_counter()
    log.info(
        "timings: read and region %.2f s (%d site ads clustered, %d quiet of %d seen, %d with the networks' other "
        "ones), link %.2f s, networks %.2f s, summarize %.2f s, save %.2f s",
        t_region - t0,
        n_clustered,
        len(quiet),
        len(changed),
        len(part),
        t_link - t_region,
        t_net - t_link,
        t_sum - t_net,
        t_save - t_sum,
    )
    out = LinkRun(
        "incremental",
        len(new_obs),
        totals["site_ads"],
        totals["ads"],
        totals["persons"],
        totals["advertisers"],
        totals["networks"],
        totals["suspected_fake"],
        time.perf_counter() - t0,
        n_clustered,
        len(quiet),
    )
    log.info("incremental linking: %s", out)
    return out


def relink_stored(store: Store, settings: LinkSettings | None = None) -> tuple[SiteAds, Linked]:
    """The linking of the stored site ads, recomputed in memory (for explanations); nothing is written."""
    from lagesbild.store.links import LinkStore

    ads = SiteAds.of(LinkStore(store).load_site_ads())
    return ads, link(ads, settings)
