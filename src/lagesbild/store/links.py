"""Storage of linking results: site-ad features, the ids of each site ad, and the summaries.

A small class over :attr:`lagesbild.store.Store.engine`; plain SQL that runs on SQLite and
PostgreSQL alike (tables from migration 3). Linking itself never touches the database: the
runner (:mod:`lagesbild.link.runner`) reads with :meth:`LinkStore.observations` and
:meth:`LinkStore.load_site_ads`, links in memory, and writes back in bulk with :meth:`LinkStore.save`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from lagesbild.observations import Observation
from lagesbild.records.link import LinkResult, SiteAd, SiteAds, Summary
from lagesbild.store import Store

__all__ = ["Labels", "LinkStore", "RunInfo"]

log = logging.getLogger(__name__)

_SITE_AD_COLS = (
    "site",
    "site_ad_id",
    "first_seen",
    "last_seen",
    "days",
    "n_obs",
    "name",
    "age",
    "kommun_kod",
    "lan_kod",
    "language",
    "phones",
    "emails",
    "images",
    "signature",
    "template",
    "ad_id",
    "person_id",
    "advertiser_id",
    "network_id",
)
# the observation columns Observation has (the foundation may add fields; read what both know)
_TABLES = {
    "link_ads": (
        "ad_id",
        "site",
        "person_id",
        "advertiser_id",
        "network_id",
        "kommun_kod",
        "lan_kod",
        "first_seen",
        "last_seen",
        "n_site_ads",
        "n_obs",
        "periods",
    ),
    "link_persons": (
        "person_id",
        "advertiser_id",
        "network_id",
        "name",
        "age",
        "first_seen",
        "last_seen",
        "n_ads",
        "sites",
        "kommuns",
        "suspected_fake",
    ),
    "link_advertisers": (
        "advertiser_id",
        "network_id",
        "n_persons",
        "n_ads",
        "first_seen",
        "last_seen",
        "phones",
        "emails",
    ),
    "link_networks": (
        "network_id",
        "n_persons",
        "n_advertisers",
        "n_ads",
        "kommuns",
        "first_seen",
        "last_seen",
        "shared_phones",
        "shared_emails",
        "indicators",
    ),
}
RunInfo = dict[str, Any]
Labels = tuple[str | None, str | None, str | None, str | None]
BATCH = 20_000
_RULES = ("", "rules")  # the link_keys row holding the fingerprint of the linking rules (no site ad)
RULES_ROW = _RULES
# every table a full link run rewrites (their statistics are refreshed after it)
_LINK_TABLES = (
    "link_site_ads",
    "link_keys",
    "link_image_chunks",
    "link_image_groups",
    "link_network_index",
    "link_ads",
    "link_persons",
    "link_advertisers",
    "link_networks",
)


def _as_keyed(
    part: tuple[Collection[Any] | None, Iterable[tuple[Any, ...]]],
) -> tuple[list[tuple[Any, ...]] | None, Iterable[tuple[Any, ...]]]:
    """``(replaced keys, rows)`` with each replaced key as a one-column key tuple (None: every row)."""
    replaced, rows = part
    return (None if replaced is None else [(k,) for k in replaced]), rows


_NETWORK_INDEX = ("advertiser_id", "template", "language", "kommun_kod", "first_seen", "site", "site_ad_id")
# link_keys rows that are no site ad's: the phone keys judged shared numbers by the last run, and the image
# chunks shared by more than 2000 hashes
_SHARED = ("", "shared")
_CROWDED = ("", "crowded")
# ... and the blocking keys filed under more than ``max_bucket`` site ads (an incremental run follows such a text
# bucket of an unchanged site ad whole: its stored size is read here, not counted)
_BIG = ("", "big")
STALE_RULES = 0
"""Written over the rules fingerprint when the key index no longer matches the stored pseudonyms (after a
key rotation): the next link run finds other rules and relinks in full, which rebuilds the index."""
KeyIndex = Callable[[SiteAd], tuple[Iterable[int], Iterable[tuple[int, int]]]]


@dataclass(frozen=True)
class IndexWrite:
    """What a link run keeps for incremental runs beside the site ads and ids (:meth:`LinkStore.save`).

    Attributes:
        index_of: the blocking keys and image chunks of a site ad (``link_keys``,
            ``link_image_chunks``), written for every site ad written.
        rules: the fingerprint of the linking rules and settings, kept with the key index.
        shared_keys: the blocking keys of every phone judged a shared number (all of the store's,
            not only the clustered part's), kept with the key index.
        crowded: the image chunk keys shared by more than 2000 hashes (all of the store's).
        network_rows: the advertisers whose ``link_network_index`` rows are replaced (None: all of
            them) and their new rows; None writes none.
        image_groups: the image hashes whose ``link_image_groups`` rows are replaced (None: all of
            them) and their new ``(hash, group)`` rows; None writes none.
        same_index: stored site ads among the changed ones whose blocking keys and image hashes are
            as stored (an incremental run's quiet site ads): their ``link_keys`` and
            ``link_image_chunks`` rows are kept (only the advertiser is updated if it changed).
        max_bucket: keep the marker rows of the blocking keys filed under more than this many site
            ads (:meth:`LinkStore.big_keys`): a full run counts every key, an incremental one the old
            and new keys of the site ads whose keys it rewrote.
    """

    index_of: KeyIndex
    rules: int | None = None
    shared_keys: Iterable[int] | None = None
    crowded: Iterable[int] | None = None
    network_rows: tuple[Collection[str] | None, Iterable[tuple[Any, ...]]] | None = None
    image_groups: tuple[Collection[int] | None, Iterable[tuple[int, int]]] | None = None
    same_index: Collection[tuple[str, str]] = ()
    max_bucket: int | None = None


_FEATURES = _SITE_AD_COLS[:16]
_NO_SIGNATURE = np.zeros(0, np.uint32)
_IDS = _SITE_AD_COLS[16:]
# in place of images, signature and template when a site ad is read to be summarized, not clustered
_UNCLUSTERED = ("''", "NULL", "NULL")


def _site_ad(r: Any) -> SiteAd:
    """A stored ``link_site_ads`` row (the feature columns) as a :class:`SiteAd`."""
    return SiteAd(
        site=r[0],
        site_ad_id=r[1],
        first_seen=r[2],
        last_seen=r[3],
        days=r[4].split(),
        n_obs=int(r[5]),
        name=r[6],
        age=r[7],
        kommun_kod=r[8],
        lan_kod=r[9],
        language=r[10],
        phones=set(r[11].split()) if r[11] else set(),
        emails=set(r[12].split()) if r[12] else set(),
        images=set(r[13].split()) if r[13] else set(),
        signature=_NO_SIGNATURE if r[14] is None else np.frombuffer(r[14], dtype=np.uint32).copy(),
        template=int(r[15] or 0),
    )


def _row_tuple(rows: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A fast ``astuple`` for the flat summary rows (``dataclasses.astuple`` deep-copies every field)."""
    if not rows:
        return lambda r: ()
    getter = attrgetter(*(f.name for f in fields(rows[0])))
    return lambda r: getter(r)


class LinkStore:
    """Reads what linking needs and writes what it found.

    Args:
        store: an open, migrated store.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        self._ph = store.dialect.placeholder

    # -- reading -------------------------------------------------------------------------------
    def max_import_id(self) -> int:
        """The newest import that stored observations (0 if none)."""
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT COALESCE(MAX(import_id), 0) FROM observations")).scalar_one())

    def last_linked_import(self) -> int | None:
        """The newest import the last linking run included, or None if nothing was linked yet."""
        with self.engine.connect() as conn:
            v = conn.execute(text("SELECT MAX(last_import_id) FROM link_runs")).scalar_one()
        return None if v is None else int(v)

    def observations(
        self, *, after_import: int = 0, up_to_import: int | None = None, batch_size: int = 20_000
    ) -> Iterator[Observation]:
        """Stored observations of imports ``after_import < import_id <= up_to_import``, oldest first."""
        return self.store.iter_observations(after_import=after_import, up_to_import=up_to_import, batch_size=batch_size)

    def load_site_ads(self) -> list[SiteAd]:
        """The site ads collected by earlier runs."""
        return self.load_state()[0]

    def load_state(self) -> tuple[list[SiteAd], dict[tuple[str, str], Labels]]:
        """The stored site ads and their ids, in one read (what an incremental run starts from)."""
        cols = ", ".join((*_FEATURES, *_IDS))
        ads: list[SiteAd] = []
        labels: dict[tuple[str, str], Labels] = {}
        sigs: list[bytes] = []
        with self.engine.connect() as conn:
            # the driver's cursor directly: SQLAlchemy's row objects cost more than the query here
            cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cur.execute(f"SELECT {cols} FROM link_site_ads")
                append, sig = ads.append, sigs.append
                while batch := cur.fetchmany(20_000):
                    for r in batch:  # _site_ad inlined (an incremental run reads every stored site ad)
                        append(
                            SiteAd(
                                r[0],
                                r[1],
                                r[2],
                                r[3],
                                r[4].split(),
                                r[5],
                                r[6],
                                r[7],
                                r[8],
                                r[9],
                                r[10],
                                set(r[11].split()) if r[11] else set(),
                                set(r[12].split()) if r[12] else set(),
                                set(r[13].split()) if r[13] else set(),
                                _NO_SIGNATURE,
                                r[15] or 0,
                            )
                        )
                        sig(bytes(r[14]))
                        labels[(r[0], r[1])] = (r[16], r[17], r[18], r[19])
            finally:
                cur.close()
        if ads:
            matrix = np.frombuffer(b"".join(sigs), dtype=np.uint32).reshape(len(ads), -1).copy()
            for a, row in zip(ads, matrix, strict=True):
                a.signature = row
        return ads, labels

    # -- the blocking-key index (migration 14): what an incremental run reads instead of every site ad --
    def rules(self) -> int | None:
        """The fingerprint of the linking rules the stored key index was written under (None: no index)."""
        rows = self._raw(f"SELECT k FROM link_keys WHERE site = {self._ph} AND site_ad_id = {self._ph}", _RULES)
        return int(rows[0][0]) if rows else None

    def _select_ads(
        self, where: Callable[[int], str], params: Sequence[tuple[Any, ...]], *, clustered: bool = True
    ) -> tuple[list[SiteAd], dict[tuple[str, str], Labels]]:
        """Stored site ads (features and ids) matching ``where``, once per batch of parameters (``clustered``:
        see :meth:`load_advertisers`)."""
        cols = ", ".join((*_FEATURES, *_IDS) if clustered else (*_FEATURES[:13], *_UNCLUSTERED, *_IDS))
        ads: dict[tuple[str, str], SiteAd] = {}
        labels: dict[tuple[str, str], Labels] = {}
        for p in params:
            for r in self._raw(f"SELECT {cols} FROM link_site_ads WHERE {where(len(p))}", p):
                key = (r[0], r[1])
                if key not in ads:
                    ads[key] = _site_ad(r)
                    labels[key] = (r[16], r[17], r[18], r[19])
        return list(ads.values()), labels

    def _raw(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """All rows of one query through the driver's cursor (SQLAlchemy's rows cost more than the query)."""
        with self.engine.connect() as conn:
            cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cur.execute(sql, tuple(params))
                return list(cur.fetchall())
            finally:
                cur.close()

    def _parts(self, values: Iterable[Any]) -> Iterator[list[Any]]:
        """``values`` sorted, without repeats, in lists of at most the backend's ``list_size``."""
        flat = sorted(set(values))
        size = self.store.dialect.list_size
        for i in range(0, len(flat), size):
            yield flat[i : i + size]

    def _rows_in(self, sql: str, values: Iterable[Any], conn: Connection | None = None) -> Iterator[Any]:
        """The rows of ``sql`` for these values, ``{in_}`` in it replaced by a membership test (``col {in_}``)."""
        d = self.store.dialect
        for part in self._parts(values):
            q = sql.format(in_=d.member_of(len(part)))
            if conn is None:
                yield from self._raw(q, d.member_params(part))
            else:
                yield from conn.exec_driver_sql(q, d.member_params(part)).fetchall()

    def load_keys(self, keys: Iterable[tuple[str, str]]) -> tuple[list[SiteAd], dict[tuple[str, str], Labels]]:
        """The stored site ads with these keys (those not stored are left out), with their ids."""
        by_site: dict[str, list[str]] = {}
        for site, ad_id in sorted(set(keys)):
            by_site.setdefault(site, []).append(ad_id)
        # one site and a list of its ids (the primary key's order): a list of (site, id) pairs is not
        # looked up by the key in SQLite (3,000 site ads: 1.6 s at 5M observations)
        d = self.store.dialect
        batches = [(site, *d.member_params(part)) for site, ids in by_site.items() for part in self._parts(ids)]
        return self._select_ads(lambda n: f"site = {self._ph} AND site_ad_id {d.member_of(n - 1)}", batches)

    def load_advertisers(
        self, advertiser_ids: Iterable[str], *, clustered: bool = True
    ) -> tuple[list[SiteAd], dict[tuple[str, str], Labels]]:
        """Every stored site ad of these advertisers, with its ids.

        With ``clustered=False`` the columns only clustering reads are left out (image hashes, MinHash
        signature, template key: empty, as if the site ad had none): what the summaries and the ad level
        of site ads kept with their stored ids read (an incremental run's networks' other advertisers).
        """
        d = self.store.dialect
        batches = [d.member_params(part) for part in self._parts(advertiser_ids)]
        return self._select_ads(lambda n: f"advertiser_id {d.member_of(n)}", batches, clustered=clustered)

    def advertisers_in_networks(self, network_ids: Iterable[str]) -> set[str]:
        """The stored advertisers of these networks."""
        sql = "SELECT DISTINCT advertiser_id FROM link_site_ads WHERE network_id {in_}"
        return {r[0] for r in self._rows_in(sql, network_ids) if r[0] is not None}

    def count_site_ads(self, advertiser_ids: Iterable[str]) -> int:
        """How many stored site ads these advertisers have."""
        return sum(
            int(r[0])
            for r in self._rows_in("SELECT COUNT(*) FROM link_site_ads WHERE advertiser_id {in_}", advertiser_ids)
        )

    def advertisers_with_keys(self, keys: Iterable[int]) -> set[str]:
        """The advertisers of the stored site ads filed under any of these blocking keys.

        Read from the key index alone (each row holds its site ad's advertiser, migration 19): a
        join with ``link_site_ads`` read a wide row per key.
        """
        sql = "SELECT DISTINCT advertiser_id FROM link_keys WHERE k {in_}"
        return {r[0] for r in self._rows_in(sql, keys) if r[0] is not None}

    def shared_number_keys(self) -> set[int]:
        """The blocking keys of the phones the last run judged shared numbers (rule 1 of linking)."""
        rows = self._raw(f"SELECT k FROM link_keys WHERE site = {self._ph} AND site_ad_id = {self._ph}", _SHARED)
        return {int(r[0]) for r in rows}

    def big_keys(self) -> set[int]:
        """The blocking keys filed under more than ``max_bucket`` stored site ads (kept by every save)."""
        rows = self._raw(f"SELECT k FROM link_keys WHERE site = {self._ph} AND site_ad_id = {self._ph}", _BIG)
        return {int(r[0]) for r in rows}

    def crowded_chunks(self) -> set[int]:
        """The image chunk keys shared by more than 2000 stored hashes (image groups ignore them)."""
        rows = self._raw(f"SELECT k FROM link_keys WHERE site = {self._ph} AND site_ad_id = {self._ph}", _CROWDED)
        return {int(r[0]) for r in rows}

    def image_groups_with(self, hashes: Iterable[int]) -> list[tuple[int, int]]:
        """``(hash, group)`` of every stored image hash (number) in the image group of one of these hashes.

        One query per list of hashes (their groups and the groups' members): an incremental run's closure asked
        for the groups, then for their members, two round trips a round.
        """
        sql = (
            "SELECT hash, grp FROM link_image_groups WHERE grp IN (SELECT grp FROM link_image_groups WHERE hash {in_})"
        )
        return [(int(h), int(g)) for h, g in self._rows_in(sql, hashes)]

    def phone_rows(self, keys: Iterable[int]) -> list[tuple[str, str, str | None, int | None, str]]:
        """``(site, site_ad_id, name, age, phones)`` of the stored site ads under these phone keys.

        What rule 1 (shared numbers) reads of every site ad with a number: an incremental run
        judges a number on a new site ad again from these narrow rows instead of clustering
        every advertiser that uses it.
        """
        sql = (
            "SELECT DISTINCT l.site, l.site_ad_id, l.name, l.age, l.phones FROM link_keys k JOIN link_site_ads l "
            "ON l.site = k.site AND l.site_ad_id = k.site_ad_id WHERE k.k {in_}"
        )
        return [(r[0], r[1], r[2], r[3], r[4] or "") for r in self._rows_in(sql, keys)]

    def image_chunks(self, keys: Iterable[int]) -> list[tuple[int, int]]:
        """``(chunk key, image number)`` of every stored image hash with one of these chunks."""
        return list(self._rows_in("SELECT k, hash FROM link_image_chunks WHERE k {in_}", keys))

    def network_index(self) -> tuple[list[tuple[Any, ...]], list[tuple[str, str | None, int]]]:
        """What the network level reads of every stored advertiser (not of every site ad).

        Returns the ``link_network_index`` rows ``(advertiser_id, template, language, kommun_kod,
        first_seen, site, site_ad_id)`` (a template row, a municipality row or the advertiser's
        earliest site ad) and ``(advertiser_id, network_id, n_persons)`` of every stored advertiser:
        template ties are scored over all advertisers, not only those new ads touch.
        """
        cols = "advertiser_id, template, language, kommun_kod, first_seen, site, site_ad_id"
        index = self._raw(f"SELECT {cols} FROM link_network_index", ())
        advs = self._raw("SELECT advertiser_id, network_id, n_persons FROM link_advertisers", ())
        return index, advs

    def stored_fake(self, person_ids: Iterable[str]) -> dict[str, bool]:
        """Whether each of these stored persons is a suspected scam."""
        sql = "SELECT person_id, suspected_fake FROM link_persons WHERE person_id {in_}"
        return {r[0]: bool(r[1]) for r in self._rows_in(sql, person_ids)}

    def stored_phones(self, advertiser_ids: Iterable[str]) -> dict[str, set[str]]:
        """The phones of each of these stored advertisers that are their own (shared numbers left out)."""
        sql = "SELECT advertiser_id, phones FROM link_advertisers WHERE advertiser_id {in_}"
        return {r[0]: set((r[1] or "").split()) for r in self._rows_in(sql, advertiser_ids)}

    def stored_site_ads(self) -> int:
        """How many site ads the last run stored (its record in ``link_runs``; counted when there is none)."""
        rows = self._raw("SELECT n_site_ads FROM link_runs ORDER BY id DESC LIMIT 1", ())
        if rows:
            return int(rows[0][0])
        return int(self._raw("SELECT COUNT(*) FROM link_site_ads", ())[0][0])

    def totals(self) -> dict[str, int]:
        """Stored counts: site ads, ads, persons (suspected scams left out), advertisers, networks, scams."""
        with self.engine.connect() as conn:
            return self._totals(conn)

    @staticmethod
    def _totals(conn: Connection) -> dict[str, int]:
        def one(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar_one())

        return {
            "site_ads": one("SELECT COUNT(*) FROM link_site_ads"),
            "ads": one("SELECT COUNT(*) FROM link_ads"),
            "persons": one("SELECT COUNT(*) FROM link_persons WHERE suspected_fake = 0"),
            "advertisers": one("SELECT COUNT(*) FROM link_advertisers"),
            "networks": one("SELECT COUNT(*) FROM link_networks"),
            "suspected_fake": one("SELECT COUNT(*) FROM link_persons WHERE suspected_fake <> 0"),
        }

    def lacks_templates(self) -> bool:
        """True when some stored site ad has no template key (linked before migration 9): relink in full."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1 FROM link_site_ads WHERE template IS NULL LIMIT 1")).first() is not None

    def labels(self) -> dict[tuple[str, str], Labels]:
        """The stored ad, person, advertiser and network id of each site ad."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT site, site_ad_id, ad_id, person_id, advertiser_id, network_id FROM link_site_ads")
            )
            return {(r[0], r[1]): (r[2], r[3], r[4], r[5]) for r in rows}

    def site_ad(self, site: str, site_ad_id: str) -> SiteAd | None:
        """One stored site ad, or None."""
        sql = text(f"SELECT {', '.join(_FEATURES)} FROM link_site_ads WHERE site = :s AND site_ad_id = :i")
        with self.engine.connect() as conn:
            row = conn.execute(sql, {"s": site, "i": site_ad_id}).first()
        return None if row is None else _site_ad(row)

    def export_rows(self) -> Iterator[tuple[Any, ...]]:
        """One row per observation: observation id, site, site ad id, seen at, ad, person, advertiser, network id."""
        sql = text(
            "SELECT o.id, o.site, o.site_ad_id, o.seen_at, l.ad_id, l.person_id, l.advertiser_id, l.network_id "
            "FROM observations o LEFT JOIN link_site_ads l ON l.site = o.site AND l.site_ad_id = o.site_ad_id "
            "ORDER BY o.id"
        )
        with self.engine.connect() as conn:
            for row in conn.execution_options(stream_results=True, yield_per=20_000).execute(sql):
                yield tuple(row)

    def table(self, name: str) -> list[dict[str, Any]]:
        """Every row of one of the summary tables (``link_ads``, ``link_persons``, ...)."""
        if name not in _TABLES:
            raise ValueError(f"not a link summary table: {name!r}")
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(f"SELECT * FROM {name}")).mappings()]

    # -- writing -------------------------------------------------------------------------------
    def _insert(self, conn: Connection, table: str, cols: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        self.store.dialect.insert_rows(conn, table, cols, rows, BATCH)

    def save(
        self,
        ads: SiteAds,
        changed: set[tuple[str, str]],
        result: LinkResult,
        summary: Summary,
        run: RunInfo,
        *,
        full: bool,
        old_labels: dict[tuple[str, str], Any] | None = None,
        stale_ids: set[Any] | None = None,
        ids: Sequence[Labels] | None = None,
        index: IndexWrite | None = None,
        region: bool = False,
    ) -> dict[str, int]:
        """Write the site ads that changed, every site ad's ids, the summaries and the run, in one transaction.

        Args:
            ads: all site ads (those in ``changed`` are new or have new observations).
            changed: keys of the site ads to (re)write with their features.
            result: the linking of ``ads``.
            summary: its summary rows.
            run: the run record (``mode``, ``last_import_id``, ``n_observations``, ``seconds``).
            full: a full relink: every site ad and summary is rewritten.
            old_labels: the stored ids per site ad (read again when not given).
            stale_ids: ids tuples ``(ad, person, advertiser, network)`` whose summary rows are replaced
                (incremental runs; ``summary`` then holds only the rows of the affected clusters).
            ids: ``result.all_ids()``, when the caller has it already.
            index: what is kept for incremental runs (the key index, its markers, the network index
                and image groups); None writes none of it.
            region: ``ads`` are only the site ads an incremental run clustered again (whole
                clusters); the run's totals are then counted in the tables.

        Returns:
            The totals stored with the run (site ads, ads, persons, advertisers, networks, scams).
        """
        ix = index
        index_of, rules, shared_keys = (ix.index_of, ix.rules, ix.shared_keys) if ix else (None, None, None)
        network_rows, image_groups, crowded = (ix.network_rows, ix.image_groups, ix.crowded) if ix else (None,) * 3
        same_index, max_bucket = (ix.same_index, ix.max_bucket) if ix else ((), None)
        old = {} if full else (old_labels if old_labels is not None else self.labels())
        if ids is None:
            ids = list(result.all_ids())
        touched: set[int] = set()
        with self.engine.begin() as conn:
            write = [i for i, a in enumerate(ads.ads) if full or a.key in changed]
            if full:
                conn.execute(text("DELETE FROM link_site_ads"))
                conn.execute(text("DELETE FROM link_keys"))
                conn.execute(text("DELETE FROM link_image_chunks"))
            else:
                rewritten = [k for k in changed if k in old]
                self._delete_by_site_ad(conn, "link_site_ads", rewritten)
                if index_of is not None:
                    unindexed = [k for k in rewritten if k not in same_index]
                    if max_bucket is not None:  # the keys they leave: those buckets' sizes change
                        touched = {int(r[0]) for r in self._by_site_ad(conn, "SELECT k FROM link_keys", unindexed)}
                    self._delete_by_site_ad(conn, "link_keys", unindexed)
            if index_of is not None:
                reindex = [i for i in write if full or ads.ads[i].key not in same_index or ads.ads[i].key not in old]
                written = self._write_index(
                    conn, [ads.ads[i] for i in reindex], [ids[i][2] for i in reindex], index_of, full=full
                )
                if max_bucket is not None:
                    self._keep_big(conn, max_bucket, None if full else touched | written)
            for marker, keys in (
                (_RULES, None if rules is None else [rules]),
                (_SHARED, shared_keys),
                (_CROWDED, crowded),
            ):
                if keys is not None:
                    self._replace(
                        conn,
                        "link_keys",
                        ("k", "site", "site_ad_id"),
                        ("site", "site_ad_id"),
                        [marker],
                        [(k, *marker) for k in sorted(keys)],
                    )
            if network_rows is not None:
                self._replace(conn, "link_network_index", _NETWORK_INDEX, ("advertiser_id",), *_as_keyed(network_rows))
            if image_groups is not None:
                self._replace(conn, "link_image_groups", ("hash", "grp"), ("hash",), *_as_keyed(image_groups))
            self._insert(
                conn,
                "link_site_ads",
                _SITE_AD_COLS,
                (
                    (
                        a.site,
                        a.site_ad_id,
                        a.first_seen,
                        a.last_seen,
                        " ".join(a.days),
                        a.n_obs,
                        a.name,
                        a.age,
                        a.kommun_kod,
                        a.lan_kod,
                        a.language,
                        " ".join(sorted(a.phones)),
                        " ".join(sorted(a.emails)),
                        " ".join(sorted(a.images)),
                        a.signature.astype(np.uint32).tobytes(),
                        a.template,
                        *ids[i],
                    )
                    for i in write
                    for a in (ads.ads[i],)
                ),
            )
            # ids of untouched site ads change only when their clusters merged with new ones
            moved = [
                (*ids[i], a.site, a.site_ad_id)
                for i, a in enumerate(ads.ads)
                if not full and a.key not in changed and old.get(a.key) != ids[i]
            ]
            if moved:
                conn.exec_driver_sql(
                    f"UPDATE link_site_ads SET ad_id = {self._ph}, person_id = {self._ph}, advertiser_id = {self._ph}, "
                    f"network_id = {self._ph} WHERE site = {self._ph} AND site_ad_id = {self._ph}",
                    moved,
                )
            # the key index holds each site ad's advertiser too: of the site ads whose rows in it were kept
            readvertised = [
                (ids[i][2], a.site, a.site_ad_id)
                for i, a in enumerate(ads.ads)
                if not full
                and (a.key not in changed or a.key in same_index)
                and a.key in old
                and old[a.key][2] != ids[i][2]
            ]
            if readvertised and index_of is not None:
                conn.exec_driver_sql(
                    f"UPDATE link_keys SET advertiser_id = {self._ph} WHERE site = {self._ph} "
                    f"AND site_ad_id = {self._ph}",
                    readvertised,
                )
            for level, (table, cols) in enumerate(_TABLES.items()):
                rows = getattr(summary, table.removeprefix("link_"))
                as_tuple = _row_tuple(rows)
                out_rows: Iterable[tuple[Any, ...]] = (as_tuple(r) for r in rows)
                if full or stale_ids is None:
                    conn.execute(text(f"DELETE FROM {table}"))
                else:
                    # only rows that differ from the stored ones are deleted and written again (an incremental
                    # run summarizes whole clusters, most of them as they were)
                    mine = {t[0]: t for t in map(as_tuple, rows)}
                    gone = {t[level] for t in stale_ids if t[level] is not None} | set(mine)
                    kept = {t[0] for t in self._rows_by_id(conn, table, cols, gone) if mine.get(t[0]) == t}
                    self._delete_in(conn, table, cols[0], gone - kept)
                    out_rows = (t for k, t in mine.items() if k not in kept)
                self._insert(conn, table, cols, out_rows)
            totals = (
                self._totals(conn)
                if region
                else {
                    "site_ads": len(ads),
                    "ads": len(result.ad_ids),
                    "persons": result.n_persons,
                    "advertisers": len(result.advertiser_ids),
                    "networks": len(result.network_ids),
                    "suspected_fake": int(result.fake_person.sum()),
                }
            )
            conn.execute(
                text(
                    "INSERT INTO link_runs (started_at, mode, last_import_id, n_observations, n_site_ads, n_ads, "
                    "n_persons, n_advertisers, n_networks, seconds) VALUES (:t, :m, :li, :no, :ns, :na, :np, :nv, "
                    ":nn, :s)"
                ),
                {
                    "t": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "m": run["mode"],
                    "li": run["last_import_id"],
                    "no": run["n_observations"],
                    "ns": totals["site_ads"],
                    "na": totals["ads"],
                    "np": totals["persons"],
                    "nv": totals["advertisers"],
                    "nn": totals["networks"],
                    "s": run["seconds"],
                },
            )
        if full:
            with self.engine.connect() as conn:
                self.store.dialect.refresh_statistics(
                    conn.execution_options(isolation_level="AUTOCOMMIT"), _LINK_TABLES
                )
        log.info("saved linking: %d site ads written, %d moved", len(write), len(moved))
        return totals

    def _replace(
        self,
        conn: Connection,
        table: str,
        cols: Sequence[str],
        key: Sequence[str],
        replaced: Iterable[tuple[Any, ...]] | None,
        rows: Iterable[tuple[Any, ...]],
    ) -> None:
        """Delete the rows of ``table`` whose ``key`` columns are one of ``replaced`` (None: all), insert ``rows``."""
        if replaced is None:
            conn.execute(text(f"DELETE FROM {table}"))
        elif len(key) == 1:
            self._delete_in(conn, table, key[0], [k for (k,) in replaced])
        else:
            where = " AND ".join(f"{c} = {self._ph}" for c in key)
            gone = sorted(replaced)
            if gone:
                conn.exec_driver_sql(f"DELETE FROM {table} WHERE {where}", gone)
        self._insert(conn, table, cols, rows)

    def _delete_in(self, conn: Connection, table: str, col: str, values: Iterable[Any]) -> None:
        """Delete the rows of ``table`` whose ``col`` is one of ``values`` (on PostgreSQL one statement per list)."""
        d = self.store.dialect
        for part in self._parts(values):
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE {col} {d.member_of(len(part))}", d.member_params(part))

    def _delete_by_site_ad(self, conn: Connection, table: str, keys: Iterable[tuple[str, str]]) -> None:
        """Delete the rows of ``table`` of these site ads (``(site, site_ad_id)``), a list of ids per site."""
        self._by_site_ad(conn, f"DELETE FROM {table}", keys, rows=False)

    def _by_site_ad(
        self, conn: Connection, sql: str, keys: Iterable[tuple[str, str]], *, rows: bool = True
    ) -> list[Any]:
        """``sql`` (a SELECT or DELETE without WHERE) for these site ads, a list of ids per site; the rows read."""
        by_site: dict[str, list[str]] = {}
        for site, ad_id in keys:
            by_site.setdefault(site, []).append(ad_id)
        d = self.store.dialect
        out: list[Any] = []
        for site, ad_ids in sorted(by_site.items()):
            for part in self._parts(ad_ids):
                res = conn.exec_driver_sql(
                    f"{sql} WHERE site = {self._ph} AND site_ad_id {d.member_of(len(part))}",
                    (site, *d.member_params(part)),
                )
                if rows:
                    out.extend(res.fetchall())
        return out

    def _keep_big(self, conn: Connection, max_bucket: int, keys: set[int] | None) -> None:
        """The marker rows of the blocking keys under more than ``max_bucket`` site ads, for ``keys`` (None: all)."""
        marker = f"site = {self._ph} AND site_ad_id = {self._ph}"
        if keys is None:
            conn.exec_driver_sql(f"DELETE FROM link_keys WHERE {marker}", _BIG)
            conn.exec_driver_sql(
                f"INSERT INTO link_keys (k, site, site_ad_id) SELECT k, {self._ph}, {self._ph} FROM link_keys "
                f"WHERE site <> '' GROUP BY k HAVING COUNT(*) > {self._ph}",
                (*_BIG, max_bucket),
            )
            return
        d = self.store.dialect
        big: list[int] = []
        for part in self._parts(keys):
            p = d.member_params(part)
            conn.exec_driver_sql(f"DELETE FROM link_keys WHERE {marker} AND k {d.member_of(len(part))}", (*_BIG, *p))
            counted = conn.exec_driver_sql(
                f"SELECT k FROM link_keys WHERE k {d.member_of(len(part))} AND site <> '' GROUP BY k "
                f"HAVING COUNT(*) > {self._ph}",
                (*p, max_bucket),
            )
            big.extend(int(r[0]) for r in counted)
        self._insert(conn, "link_keys", ("k", "site", "site_ad_id"), [(k, *_BIG) for k in sorted(big)])

    def _rows_by_id(
        self, conn: Connection, table: str, cols: Sequence[str], ids: Iterable[str]
    ) -> Iterator[tuple[Any, ...]]:
        """The stored rows of a summary table with these ids (its first column), as tuples."""
        sql = f"SELECT {', '.join(cols)} FROM {table} WHERE {cols[0]} {{in_}}"
        yield from (tuple(r) for r in self._rows_in(sql, ids, conn))

    def _write_index(
        self,
        conn: Connection,
        ads: Sequence[SiteAd],
        advertisers: Sequence[str | None],
        index_of: KeyIndex,
        *,
        full: bool,
    ) -> set[int]:
        """The blocking keys (with each site ad's advertiser) and image chunks of ``ads`` (their old keys are deleted
        by the caller); returns the keys written (none on a full run)."""
        keys: list[tuple[int, str, str, str | None]] = []
        chunks: set[tuple[int, int]] = set()
        for a, adv in zip(ads, advertisers, strict=True):
            ks, cs = index_of(a)
            keys.extend((k, a.site, a.site_ad_id, adv) for k in ks)
            chunks.update(cs)
        self._insert(conn, "link_keys", ("k", "site", "site_ad_id", "advertiser_id"), keys)
        written: set[int] = set() if full else {k for k, _, _, _ in keys}
        if full:
            self._insert(conn, "link_image_chunks", ("k", "hash"), sorted(chunks))
        elif chunks:
            sql = (
                f"INSERT INTO link_image_chunks (k, hash) VALUES ({self._ph}, {self._ph}) "
                "ON CONFLICT (k, hash) DO NOTHING"
            )
            conn.exec_driver_sql(sql, sorted(chunks))
        return written
