"""Retention per data kind, and erasure of one source or period.

Each kind of data has its own retention setting (days; see ``docs/settings.md``):

=========================  ====================================================  ==========
setting                    what is deleted                                       default
=========================  ====================================================  ==========
raw_page_retention_days    raw crawled pages (they hold the sites' raw HTML)     90
frontier_retention_days    crawl frontier of finished runs (URLs, fields)        30
                           and the hashes of fetched pictures (by address hash)
observation_retention_days observations and what is derived from them            0 (keep)
report_retention_days      stored report contexts; files in ``reports/`` and     0 (keep)
                           ``web-reports/`` of the data folder
export_retention_days      files in ``exports/`` of the data folder              30
=========================  ====================================================  ==========

:func:`apply_retention` applies them all (``lagesbild retention apply``); :func:`erase` deletes
one source and/or everything before a date (``lagesbild retention erase``). Deleting
observations deletes their normalized facts, recomputes the site ads' lifecycle and relinks
in full, so that ads, persons and networks are rebuilt from what is left; stored estimates
become stale by construction (their data snapshot names the previous link run) and are
recomputed when next asked for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from lagesbild.errors import ConfigError, InputError
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.store.crawl import CrawlStore
from lagesbild.store.retention import Deleted, RetentionStore

__all__ = ["RetentionResult", "apply_retention", "erase"]

log = logging.getLogger(__name__)

#: Folders of the data folder whose files follow ``report_retention_days`` / ``export_retention_days``.
REPORT_FOLDERS = ("reports", "web-reports")
EXPORT_FOLDERS = ("exports",)


@dataclass
class RetentionResult:
    """What was deleted: rows per table, files per folder, and whether the links were rebuilt."""

    deleted: Deleted = field(default_factory=Deleted)
    files: dict[str, int] = field(default_factory=dict)
    relinked: bool = False

    @property
    def n_files(self) -> int:
        return sum(self.files.values())


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _days(settings: Settings, name: str) -> int:
    value = int(getattr(settings, name))
    if value < 0:
        raise ConfigError(f"setting {name!r} must be 0 or more days, got {value}")
    return value


def _delete_files(folder: Path, before: float) -> int:
    n = 0
    if not folder.is_dir():
        return 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_mtime < before:
            path.unlink()
            n += 1
    return n


def _relink(store: Store) -> None:
    from lagesbild.link.runner import run  # linking sits above retention's store layer

    run(store, full=True)


def apply_retention(
    store: Store, settings: Settings, *, now: datetime | None = None, relink: Callable[[Store], None] = _relink
) -> RetentionResult:
    """Delete every kind of data older than its retention setting.

    Args:
        store: the open store.
        settings: the retention settings and the data folder.
        now: the reference time (default: now, UTC).
        relink: rebuilds the links after observations were deleted (default: a full link run).

    Raises:
        ConfigError: a retention setting is negative.
        StoreError: a deletion failed (each kind is one transaction; kinds done before stay done).
    """
    now = now or datetime.now(UTC)
    rs = RetentionStore(store)
    out = RetentionResult()

    def cutoff(name: str) -> str:
        return _iso(now - timedelta(days=_days(settings, name)))

    out.deleted.add("raw_pages", rs.purge_raw_pages(cutoff("raw_page_retention_days")))
    out.deleted.add("crawl_frontier", rs.purge_frontier(cutoff("frontier_retention_days")))
    out.deleted.add("crawl_image_hashes", CrawlStore(store).purge_image_hashes(cutoff("frontier_retention_days")))
    if _days(settings, "observation_retention_days"):
        gone = rs.delete_observations(before=cutoff("observation_retention_days"))
        for table, n in gone.rows.items():
            out.deleted.add(table, n)
        if gone.observations:
            relink(store)
            out.relinked = True
    if days := _days(settings, "report_retention_days"):
        out.deleted.add("report_contexts", rs.purge_report_contexts(cutoff("report_retention_days")))
        before = (now - timedelta(days=days)).timestamp()
        for name in REPORT_FOLDERS:
            out.files[name] = _delete_files(settings.home / name, before)
    before = (now - timedelta(days=_days(settings, "export_retention_days"))).timestamp()
    for name in EXPORT_FOLDERS:
        out.files[name] = _delete_files(settings.home / name, before)
    log.info("retention: deleted %d rows and %d files", out.deleted.total, out.n_files)
    return out


def erase(
    store: Store,
    *,
    site: str | None = None,
    before: date | None = None,
    relink: Callable[[Store], None] = _relink,
) -> RetentionResult:
    """Erase one source (``site``), one period (everything seen ``before`` a date), or both at once.

    The deletion is one transaction; then the links are rebuilt in full from what is left.

    Raises:
        InputError: neither given, or a site the store holds nothing of (the known sites are named).
        StoreError: the deletion failed; nothing was deleted.
    """
    if site is None and before is None:
        raise InputError("say what to erase: a site (--site), a date (--before), or both")
    rs = RetentionStore(store)
    if site is not None:
        known = rs.sites()
        if site not in known:
            raise InputError(
                f"the store holds nothing of site {site!r}; sites: {', '.join(known) or '(none)'}", field="site"
            )
    t0 = time.perf_counter()
    # Stored times are ISO UTC strings: comparing with the date's string erases what was seen before
    # midnight UTC of that date.
    deleted = rs.delete_observations(site=site, before=None if before is None else before.isoformat())
    out = RetentionResult(deleted)
    relink(store)
    out.relinked = True
    log.info("erased %d rows (site %s, before %s) in %.1f s", deleted.total, site, before, time.perf_counter() - t0)
    return out
