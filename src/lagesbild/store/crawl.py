"""The monitor's storage: crawl runs, the per-run frontier, ad lifecycle and raw pages.

A small class over :attr:`Store.engine <lagesbild.store.Store.engine>` (tables from migration 2).
Every write is a short transaction, so a crawl killed at any point (SIGKILL included) leaves the
database consistent: a page is either fully recorded (its frontier row done, the links it found
queued, its observation stored, its raw copy kept) or not at all, and is then fetched again.
The SQL is plain and portable: the same statements run on SQLite and PostgreSQL.

Example::

    cs = CrawlStore(store)
    run = cs.create_run("annonsportalen", seen_at="2025-03-01T12:00:00Z", started_at=..., profile_sha256="...")
    cs.add_frontier(run.id, [("http://127.0.0.1:8700/annonsportalen/", "discover", 0)])
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.store import OBSERVATION_COLUMNS, Store

__all__ = ["CrawlStore", "FrontierItem", "PageRecord", "RawPage", "RunInfo"]

_KIND_ORDER = "CASE kind WHEN 'discover' THEN 0 WHEN 'listing' THEN 1 ELSE 2 END"
_OBS_SQL = text(
    f"INSERT INTO observations ({', '.join(OBSERVATION_COLUMNS)}) VALUES "
    f"({', '.join(':' + c for c in OBSERVATION_COLUMNS)}) ON CONFLICT (site, site_ad_id, seen_at) DO NOTHING"
)
_DELETE_SIGHTING = text(
    "DELETE FROM observations WHERE site = :site AND site_ad_id = :site_ad_id AND seen_at = :seen_at"
)
_SITE_ADS_SQL = text(
    """
    INSERT INTO site_ads (site, site_ad_id, first_seen, last_seen, n_observations)
    VALUES (:site, :site_ad_id, :seen_at, :seen_at, 1)
    ON CONFLICT (site, site_ad_id) DO UPDATE SET
        first_seen = CASE WHEN excluded.first_seen < site_ads.first_seen
                          THEN excluded.first_seen ELSE site_ads.first_seen END,
        last_seen = CASE WHEN excluded.last_seen > site_ads.last_seen
                         THEN excluded.last_seen ELSE site_ads.last_seen END,
        n_observations = site_ads.n_observations + 1
    """
)
_CRAWL_ADS_SQL = text(
    """
    INSERT INTO crawl_ads (source, site_ad_id, url, first_seen, last_seen, first_run_id, last_run_id,
                           n_sightings, disappeared_at)
    VALUES (:site, :site_ad_id, :url, :seen_at, :seen_at, :run_id, :run_id, 1, NULL)
    ON CONFLICT (source, site_ad_id) DO UPDATE SET
        url = excluded.url,
        first_seen = CASE WHEN excluded.first_seen < crawl_ads.first_seen
                          THEN excluded.first_seen ELSE crawl_ads.first_seen END,
        last_seen = CASE WHEN excluded.last_seen > crawl_ads.last_seen
                         THEN excluded.last_seen ELSE crawl_ads.last_seen END,
        last_run_id = CASE WHEN excluded.last_run_id > crawl_ads.last_run_id
                           THEN excluded.last_run_id ELSE crawl_ads.last_run_id END,
        n_sightings = crawl_ads.n_sightings + 1,
        disappeared_at = NULL
    """
)


_IMAGE_HASH_SQL = text(
    "INSERT INTO crawl_image_hashes (source, url_hash, phash, hashed_at) VALUES (:s, :u, :p, :t) "
    "ON CONFLICT (source, url_hash) DO UPDATE SET phash = excluded.phash, hashed_at = excluded.hashed_at"
)


def url_hash(url: str) -> str:
    """The frontier's key for an address (URLs can be longer than an index allows)."""
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A crawl run (one pass over one source)."""

    id: int
    source: str
    started_at: str
    seen_at: str
    status: str
    import_id: int
    finished_at: str | None = None
    degraded: bool = False
    health: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class FrontierItem:
    """A page queued in a run."""

    id: int
    url: str
    kind: str
    depth: int


@dataclass(slots=True)
class PageRecord:
    """Everything one processed page changes, written in one transaction by :meth:`CrawlStore.commit_pages`.

    Attributes:
        item_id: the frontier row.
        status: ``done``, ``failed``, ``gone`` or ``skipped``.
        http_status, error, fetched_at: what happened.
        links: new pages to queue, as ``(url, kind, depth)``.
        observation: a row in ``OBSERVATION_COLUMNS`` order (``import_id`` last), or None.
        site_ad_id, fields: the ad's id and the fields found (for health).
        raw: ``(url, kind, http_status, encoding, compressed body)`` to keep, or None.
        image_hashes: address -> perceptual hash of the ad's pictures fetched for this page (remembered
            by address hash in ``crawl_image_hashes``, so that they are not fetched again).
        inline_ads: the ads a listing page shows whole (``listing.ads``), each a record of its own
            with its ``url`` (the address the ad is known by) and no ``item_id``: each becomes a
            processed ``ad`` row of the run, unless the run has that address already (an ad shown
            twice), in which case it is skipped with everything it carries.
        url: an inline ad's address (None for a fetched page, whose row exists).
    """

    item_id: int
    status: str
    http_status: int | None = None
    error: str | None = None
    fetched_at: str | None = None
    links: list[tuple[str, str, int]] = field(default_factory=list)
    observation: tuple[Any, ...] | None = None
    site_ad_id: str | None = None
    fields: Sequence[str] = ()
    raw: tuple[str, str, int, str, bytes] | None = None
    image_hashes: dict[str, str] = field(default_factory=dict)
    inline_ads: list[PageRecord] = field(default_factory=list)
    url: str | None = None


@dataclass(frozen=True, slots=True)
class RawPage:
    """A kept page, for reprocessing."""

    id: int
    source: str
    run_id: int | None
    url: str
    kind: str
    fetched_at: str
    seen_at: str
    http_status: int
    encoding: str | None
    body: bytes


def _run(row: Any) -> RunInfo:
    health = json.loads(row.health) if row.health else None
    return RunInfo(
        int(row.id),
        row.source,
        row.started_at,
        row.seen_at,
        row.status,
        int(row.import_id or 0),
        row.finished_at,
        bool(row.degraded),
        health,
    )


class CrawlStore:
    """Crawl state in the store. Build over an open :class:`~lagesbild.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # -- runs ------------------------------------------------------------------------------
    def create_run(
        self,
        source: str,
        *,
        seen_at: str,
        started_at: str,
        profile_sha256: str,
        seeds: Iterable[tuple[str, str, int]] = (),
    ) -> RunInfo:
        """Start a run: an ``imports`` row (its observations' import), a ``crawl_runs`` row and its first pages.

        All in one transaction, so that a run killed as it starts never resumes with an empty
        frontier (which would finish it at once with nothing seen).
        """
        try:
            with self.engine.begin() as conn:
                import_id = int(
                    conn.execute(
                        text(
                            "INSERT INTO imports (source, sha256, started_at, n_records, n_new) "
                            "VALUES (:s, :h, :t, 0, 0) RETURNING id"
                        ),
                        {"s": f"crawl:{source}", "h": profile_sha256, "t": started_at},
                    ).scalar_one()
                )
                run_id = int(
                    conn.execute(
                        text(
                            "INSERT INTO crawl_runs (source, started_at, seen_at, status, degraded, import_id, "
                            "profile_sha256) VALUES (:s, :t, :seen, 'running', 0, :i, :h) RETURNING id"
                        ),
                        {"s": source, "t": started_at, "seen": seen_at, "i": import_id, "h": profile_sha256},
                    ).scalar_one()
                )
                self._add_frontier(conn, run_id, seeds)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot start a crawl run: {exc.__class__.__name__}: {exc}") from exc
        return RunInfo(run_id, source, started_at, seen_at, "running", import_id)

    def unfinished_run(self, source: str) -> RunInfo | None:
        """The latest run of ``source`` still marked running (interrupted), if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT * FROM crawl_runs WHERE source = :s AND status = 'running' ORDER BY id DESC LIMIT 1"),
                {"s": source},
            ).first()
        return _run(row) if row else None

    def run(self, run_id: int) -> RunInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(text("SELECT * FROM crawl_runs WHERE id = :i"), {"i": run_id}).first()
        return _run(row) if row else None

    def recent_runs(self, source: str | None = None, limit: int = 10, *, finished_only: bool = False) -> list[RunInfo]:
        """Runs, newest first (of one source, or of all)."""
        where = []
        params: dict[str, Any] = {"n": limit}
        if source is not None:
            where.append("source = :s")
            params["s"] = source
        if finished_only:
            where.append("status <> 'running'")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT * FROM crawl_runs {clause} ORDER BY id DESC LIMIT :n"), params).all()
        return [_run(r) for r in rows]

    def sources(self) -> list[str]:
        """Every source that has been crawled."""
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT DISTINCT source FROM crawl_runs ORDER BY source"))]

    def finish_run(self, run_id: int, *, status: str, finished_at: str, degraded: bool, health: dict[str, Any]) -> None:
        """Close a run with its health and its import's counts."""
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE crawl_runs SET status = :st, finished_at = :f, degraded = :d, health = :h WHERE id = :i"),
                {"st": status, "f": finished_at, "d": int(degraded), "h": json.dumps(health), "i": run_id},
            )
            conn.execute(
                text(
                    "UPDATE imports SET n_new = (SELECT COUNT(*) FROM observations WHERE import_id = imports.id), "
                    "n_records = (SELECT COUNT(*) FROM crawl_frontier WHERE run_id = :i AND kind = 'ad' "
                    "AND site_ad_id IS NOT NULL) "
                    "WHERE id = (SELECT import_id FROM crawl_runs WHERE id = :i)"
                ),
                {"i": run_id},
            )

    def fail_run(self, run_id: int, *, finished_at: str, health: dict[str, Any]) -> bool:
        """Close a run that raised as ``failed`` (degraded, its error in ``health``), if it is still running.

        Returns:
            Whether the run was running (a run already finished keeps its status).
        """
        with self.engine.begin() as conn:
            r = conn.execute(
                text(
                    "UPDATE crawl_runs SET status = 'failed', finished_at = :f, degraded = 1, health = :h "
                    "WHERE id = :i AND status = 'running'"
                ),
                {"f": finished_at, "h": json.dumps(health), "i": run_id},
            )
            return bool(r.rowcount)

    def mark_disappeared(self, source: str, run_id: int, seen_at: str) -> int:
        """Ads of ``source`` not seen in run ``run_id`` (a complete pass) disappeared at ``seen_at``."""
        with self.engine.begin() as conn:
            r = conn.execute(
                text(
                    "UPDATE crawl_ads SET disappeared_at = :t "
                    "WHERE source = :s AND last_run_id < :r AND disappeared_at IS NULL"
                ),
                {"t": seen_at, "s": source, "r": run_id},
            )
            return int(r.rowcount or 0)

    def ad_lifecycle(self, source: str, site_ad_id: str) -> dict[str, Any] | None:
        """An ad's first and last sighting, number of sightings and disappearance (None if never seen)."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    text("SELECT * FROM crawl_ads WHERE source = :s AND site_ad_id = :a"),
                    {"s": source, "a": site_ad_id},
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def count_ads(self, source: str, *, online: bool | None = None) -> int:
        """Ads of ``source`` ever seen (``online=True``: not disappeared; ``False``: disappeared)."""
        cond = (
            "" if online is None else (" AND disappeared_at IS NULL" if online else " AND disappeared_at IS NOT NULL")
        )
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text(f"SELECT COUNT(*) FROM crawl_ads WHERE source = :s{cond}"), {"s": source}
                ).scalar_one()
            )

    # -- frontier --------------------------------------------------------------------------
    def add_frontier(self, run_id: int, items: Iterable[tuple[str, str, int]]) -> int:
        """Queue pages (``(url, kind, depth)``); pages already queued in the run are skipped."""
        with self.engine.begin() as conn:
            return self._add_frontier(conn, run_id, items)

    def _add_frontier(self, conn: Connection, run_id: int, items: Iterable[tuple[str, str, int]]) -> int:
        rows = [{"r": run_id, "h": url_hash(u), "u": u, "k": k, "d": d} for u, k, d in items]
        if not rows:
            return 0
        r = conn.execute(
            text(
                "INSERT INTO crawl_frontier (run_id, url_hash, url, kind, depth, status) "
                "VALUES (:r, :h, :u, :k, :d, 'pending') ON CONFLICT (run_id, url_hash) DO NOTHING"
            ),
            rows,
        )
        return int(r.rowcount or 0)

    def pending(self, run_id: int, limit: int) -> list[FrontierItem]:
        """The next pages to fetch: discovery pages, then listings, then ads, in queue order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT id, url, kind, depth FROM crawl_frontier WHERE run_id = :r AND status = 'pending' "
                    f"ORDER BY {_KIND_ORDER}, id LIMIT :n"
                ),
                {"r": run_id, "n": limit},
            ).all()
        return [FrontierItem(int(r[0]), r[1], r[2], int(r[3])) for r in rows]

    def known_urls(self, run_id: int) -> set[str]:
        """Every address queued in the run (to stop following links already known)."""
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT url FROM crawl_frontier WHERE run_id = :r"), {"r": run_id})}

    def count_pending(self, run_id: int) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT COUNT(*) FROM crawl_frontier WHERE run_id = :r AND status = 'pending'"), {"r": run_id}
                ).scalar_one()
            )

    def frontier_rows(self, run_id: int) -> list[dict[str, Any]]:
        """The run's processed pages with what happened (for the health report)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT kind, depth, status, http_status, site_ad_id, fields, n_links, error, url "
                    "FROM crawl_frontier WHERE run_id = :r ORDER BY id"
                ),
                {"r": run_id},
            ).mappings()
            return [dict(r) for r in rows]

    def commit_pages(self, run: RunInfo, records: Sequence[PageRecord]) -> int:
        """Record processed pages in one transaction; returns the number of new observations.

        Raises:
            StoreError: the write failed; nothing of these pages was recorded.
        """
        new = 0
        try:
            with self.engine.begin() as conn:
                for rec in records:
                    new += self._record_page(conn, run, rec)
                    for ad in rec.inline_ads:
                        if self._insert_inline_row(conn, run.id, ad):
                            new += self._record_page(conn, run, ad)
        except SQLAlchemyError as exc:
            raise StoreError(f"recording crawled pages failed: {exc.__class__.__name__}: {exc}") from exc
        return new

    def _record_page(self, conn: Connection, run: RunInfo, rec: PageRecord) -> int:
        """Write what one page (or inline ad) changes; returns 1 for a new observation, else 0."""
        new = 0
        if rec.links:
            self._add_frontier(conn, run.id, rec.links)
        if rec.observation is not None:
            params = dict(zip(OBSERVATION_COLUMNS, rec.observation, strict=True))
            params["import_id"] = run.import_id
            if conn.execute(_OBS_SQL, params).rowcount:
                new += 1
                conn.execute(_SITE_ADS_SQL, params)
                conn.execute(_CRAWL_ADS_SQL, {**params, "run_id": run.id})
        for url, phash in rec.image_hashes.items():
            conn.execute(_IMAGE_HASH_SQL, {"s": run.source, "u": url_hash(url), "p": phash, "t": run.seen_at})
        if rec.raw is not None:
            url, kind, status, enc, body = rec.raw
            conn.execute(
                text(
                    "INSERT INTO raw_pages (source, run_id, url, kind, fetched_at, seen_at, http_status, "
                    "encoding, body) VALUES (:s, :r, :u, :k, :f, :seen, :st, :e, :b)"
                ),
                {
                    "s": run.source,
                    "r": run.id,
                    "u": url,
                    "k": kind,
                    "f": rec.fetched_at or run.seen_at,
                    "seen": run.seen_at,
                    "st": status,
                    "e": enc,
                    "b": body,
                },
            )
        if rec.url is None:  # a fetched page: its row is queued already
            conn.execute(
                text(
                    "UPDATE crawl_frontier SET status = :st, http_status = :hs, error = :e, fetched_at = :f, "
                    "site_ad_id = :a, fields = :fl, n_links = :n WHERE id = :i"
                ),
                {**self._outcome(rec), "i": rec.item_id},
            )
        return new

    def _insert_inline_row(self, conn: Connection, run_id: int, rec: PageRecord) -> bool:
        """The processed ``ad`` row of an inline ad; False if the run has its address already (a duplicate)."""
        assert rec.url is not None
        r = conn.execute(
            text(
                "INSERT INTO crawl_frontier (run_id, url_hash, url, kind, depth, status, http_status, error, "
                "fetched_at, site_ad_id, fields, n_links) VALUES (:r, :h, :u, 'ad', 0, :st, :hs, :e, :f, :a, :fl, :n) "
                "ON CONFLICT (run_id, url_hash) DO NOTHING"
            ),
            {**self._outcome(rec), "r": run_id, "h": url_hash(rec.url), "u": rec.url},
        )
        return bool(r.rowcount)

    @staticmethod
    def _outcome(rec: PageRecord) -> dict[str, Any]:
        return {
            "st": rec.status,
            "hs": rec.http_status,
            "e": rec.error[:1000] if rec.error else None,
            "f": rec.fetched_at,
            "a": rec.site_ad_id,
            "fl": " ".join(rec.fields) if rec.fields else None,
            "n": len(rec.links) + len(rec.inline_ads),
        }

    # -- pictures already hashed -------------------------------------------------------------
    def image_hashes(self, source: str, urls: Iterable[str]) -> dict[str, str]:
        """Address -> perceptual hash of the pictures of ``source`` already fetched (among ``urls``)."""
        by_hash = {url_hash(u): u for u in urls}
        if not by_hash:
            return {}
        stmt = text("SELECT url_hash, phash FROM crawl_image_hashes WHERE source = :s AND url_hash IN :h").bindparams(
            bindparam("h", expanding=True)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt, {"s": source, "h": list(by_hash)}).all()
        return {by_hash[h]: p for h, p in rows}

    def count_image_hashes(self, source: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM crawl_image_hashes" + (" WHERE source = :s" if source else "")
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql), {"s": source}).scalar_one())

    def purge_image_hashes(self, before: str) -> int:
        """Forget the pictures fetched before ``before`` (they are fetched again once when next seen)."""
        with self.engine.begin() as conn:
            res = conn.execute(text("DELETE FROM crawl_image_hashes WHERE hashed_at < :b"), {"b": before})
            return int(res.rowcount)

    # -- reprocessing and saved pages ------------------------------------------------------
    def replace_observations(self, import_id: int, rows: Sequence[tuple[Any, ...]], run_ids: Sequence[int]) -> int:
        """Store re-extracted sightings, replacing the stored ones with the same (site, ad, time).

        ``run_ids`` (aligned with ``rows``) update the ads' lifecycle for sightings that are new.
        Returns the number of sightings that did not exist before.
        """
        new = 0
        with self.engine.begin() as conn:
            for row, run_id in zip(rows, run_ids, strict=True):
                params = dict(zip(OBSERVATION_COLUMNS, row, strict=True))
                params["import_id"] = import_id
                gone = conn.execute(
                    _DELETE_SIGHTING,
                    params,
                ).rowcount
                conn.execute(_OBS_SQL, params)
                if not gone:
                    new += 1
                    conn.execute(_SITE_ADS_SQL, params)
                    conn.execute(_CRAWL_ADS_SQL, {**params, "run_id": run_id})
        return new

    def create_import(self, source: str, sha256: str, started_at: str) -> int:
        """An ``imports`` row for a reprocessing or a saved-page import."""
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    text(
                        "INSERT INTO imports (source, sha256, started_at, n_records, n_new) "
                        "VALUES (:s, :h, :t, 0, 0) RETURNING id"
                    ),
                    {"s": source, "h": sha256, "t": started_at},
                ).scalar_one()
            )

    def finish_import(self, import_id: int, n_records: int, n_new: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("UPDATE imports SET n_records = :r, n_new = :n WHERE id = :i"),
                {"r": n_records, "n": n_new, "i": import_id},
            )

    def raw_pages(self, source: str, *, since: str | None = None, kind: str | None = None) -> Iterator[RawPage]:
        """Kept pages of ``source`` fetched at or after ``since`` (ISO), oldest first."""
        sql = "SELECT * FROM raw_pages WHERE source = :s"
        params: dict[str, Any] = {"s": source}
        if since is not None:
            sql += " AND fetched_at >= :t"
            params["t"] = since
        if kind is not None:
            sql += " AND kind = :k"
            params["k"] = kind
        with self.engine.connect() as conn:
            for r in conn.execute(text(sql + " ORDER BY id"), params):
                yield RawPage(
                    int(r.id),
                    r.source,
                    r.run_id,
                    r.url,
                    r.kind,
                    r.fetched_at,
                    r.seen_at,
                    int(r.http_status),
                    r.encoding,
                    bytes(r.body),
                )

    def purge_raw_pages(self, before: str) -> int:
        """Delete kept pages fetched before ``before`` (ISO); returns how many."""
        with self.engine.begin() as conn:
            return int(conn.execute(text("DELETE FROM raw_pages WHERE fetched_at < :t"), {"t": before}).rowcount or 0)

    def count_raw_pages(self, source: str | None = None) -> int:
        with self.engine.connect() as conn:
            if source is None:
                return int(conn.execute(text("SELECT COUNT(*) FROM raw_pages")).scalar_one())
            return int(
                conn.execute(text("SELECT COUNT(*) FROM raw_pages WHERE source = :s"), {"s": source}).scalar_one()
            )
