"""Deleting data by age or by source (retention and erasure), each step in one transaction.

The policy (which kinds, how many days) lives in :mod:`lagesbild.retention`; this module only
deletes. Deleting observations invalidates the links built on them: the same transaction
removes the erased site ads' link rows and marks every remaining one for a full relink (a site
ad without a template key makes the next ``link run`` relink in full, see
:func:`lagesbild.link.runner.run`), so that a kill before the relink still leaves a store whose
next link run rebuilds everything from what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.store import Store

__all__ = ["Deleted", "RetentionStore"]


@dataclass
class Deleted:
    """Rows deleted per table."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        if n:
            self.rows[table] = self.rows.get(table, 0) + n

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def observations(self) -> int:
        return self.rows.get("observations", 0)


def _where(site: str | None, before: str | None, *, site_col: str, time_col: str) -> tuple[str, dict[str, str]]:
    parts, params = [], {}
    if site is not None:
        parts.append(f"{site_col} = :site")
        params["site"] = site
    if before is not None:
        parts.append(f"{time_col} < :before")
        params["before"] = before
    return (" AND ".join(parts) or "1=1"), params


class RetentionStore:
    """Deletions for retention and erasure."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _exec(self, conn: Connection, sql: str, params: dict[str, str]) -> int:
        return int(conn.execute(text(sql), params).rowcount or 0)

    # -- by age ------------------------------------------------------------------------------
    def purge_raw_pages(self, before: str) -> int:
        """Delete raw pages fetched before ``before`` (ISO time)."""
        sql = "DELETE FROM raw_pages WHERE fetched_at < :b"
        return self._run("raw pages", lambda c: self._exec(c, sql, {"b": before}))

    def purge_frontier(self, before: str) -> int:
        """Delete the frontier (URLs, extracted fields, errors) of crawl runs finished before ``before``."""
        sql = (
            "DELETE FROM crawl_frontier WHERE run_id IN "
            "(SELECT id FROM crawl_runs WHERE finished_at IS NOT NULL AND finished_at < :b)"
        )
        return self._run("crawl frontier", lambda c: self._exec(c, sql, {"b": before}))

    def purge_report_contexts(self, before: str) -> int:
        """Delete stored report contexts created before ``before`` (the follow-up compares with the rest)."""
        sql = "DELETE FROM report_contexts WHERE created_at < :b"
        return self._run("report contexts", lambda c: self._exec(c, sql, {"b": before}))

    def _run(self, what: str, fn: Callable[[Connection], int]) -> int:
        try:
            with self.store.engine.begin() as conn:
                return fn(conn)
        except SQLAlchemyError as exc:
            raise StoreError(f"deleting {what} failed; nothing was deleted: {exc.__class__.__name__}") from exc

    # -- observations: by age or source ------------------------------------------------------
    def delete_observations(self, *, site: str | None = None, before: str | None = None) -> Deleted:
        """Delete observations of ``site`` and/or seen before ``before``, with everything derived from them.

        In one transaction: the observations, their normalized facts, the site ads' lifecycle
        (recomputed from what is left), the link rows of site ads with nothing left, and, for a
        site, its crawl state and raw pages (for a period: raw pages and crawl ads of that period).
        Remaining link rows are marked for a full relink.
        """
        if site is None and before is None:
            raise ValueError("give a site, a date, or both")
        out = Deleted()
        w_obs, p = _where(site, before, site_col="site", time_col="seen_at")
        try:
            with self.store.engine.begin() as conn:
                out.add(
                    "normalized_observations",
                    self._exec(
                        conn,
                        "DELETE FROM normalized_observations WHERE observation_id IN "
                        f"(SELECT id FROM observations WHERE {w_obs})",
                        p,
                    ),
                )
                out.add("observations", self._exec(conn, f"DELETE FROM observations WHERE {w_obs}", p))
                # the lifecycle of every touched site ad, recomputed from what is left
                w_site = "site = :site" if site is not None else "1=1"
                sp = {"site": site} if site is not None else {}
                self._exec(conn, f"DELETE FROM site_ads WHERE {w_site}", sp)
                conn.execute(
                    text(
                        "INSERT INTO site_ads (site, site_ad_id, first_seen, last_seen, n_observations) "
                        "SELECT site, site_ad_id, MIN(seen_at), MAX(seen_at), COUNT(*) FROM observations "
                        f"WHERE {w_site} GROUP BY site, site_ad_id"
                    ),
                    sp,
                )
                out.add(
                    "link_site_ads",
                    self._exec(
                        conn,
                        "DELETE FROM link_site_ads WHERE NOT EXISTS (SELECT 1 FROM site_ads s "
                        "WHERE s.site = link_site_ads.site AND s.site_ad_id = link_site_ads.site_ad_id)",
                        {},
                    ),
                )
                # NULL template keys make the next link run a full one (see the module docstring)
                self._exec(conn, "UPDATE link_site_ads SET template = NULL", {})
                w_raw, pr = _where(site, before, site_col="source", time_col="fetched_at")
                out.add("raw_pages", self._exec(conn, f"DELETE FROM raw_pages WHERE {w_raw}", pr))
                w_ads, pa = _where(site, before, site_col="source", time_col="last_seen")
                out.add("crawl_ads", self._exec(conn, f"DELETE FROM crawl_ads WHERE {w_ads}", pa))
                w_runs, pw = _where(site, before, site_col="source", time_col="started_at")
                runs = f"SELECT id FROM crawl_runs WHERE {w_runs}"
                out.add("crawl_frontier", self._exec(conn, f"DELETE FROM crawl_frontier WHERE run_id IN ({runs})", pw))
                if site is not None:
                    out.add("crawl_runs", self._exec(conn, f"DELETE FROM crawl_runs WHERE {w_runs}", pw))
        except SQLAlchemyError as exc:
            raise StoreError(f"erasing failed; nothing was deleted: {exc.__class__.__name__}") from exc
        return out

    def sites(self) -> list[str]:
        """The sites the store holds observations or crawl runs of."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(text("SELECT DISTINCT site FROM site_ads UNION SELECT DISTINCT source FROM crawl_runs"))
            return sorted(str(r[0]) for r in rows)
