"""Stored report contexts: what each published report said, kept for next year's follow-up.

A small class over :attr:`Store.engine <lagesbild.store.Store.engine>` (table ``report_contexts``
from migration 5). A report context is stored as the JSON the report writer also publishes, so
it holds only published (small-number-protected) figures. The SQL is plain and portable: the
same statements run on SQLite and PostgreSQL.

Example::

    rs = ReportStore(store)
    rs.save("05", "2024-01-01", "2024-12-31", "sv", {"key_figures": [...]}, version=1)
    prev = rs.previous("05", before="2025-01-01")   # the 2024 report, or None
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.store import Store

__all__ = ["ActivityRow", "DailyRow", "ReportStore", "StoredReport"]


@dataclass(frozen=True, slots=True)
class StoredReport:
    """One stored report context.

    Attributes:
        id: the row id (increasing with each save).
        area: ``"SE"``, a county code or a municipality code.
        period_start, period_end: the report's period (ISO dates, both included).
        lang: the report's language (``sv`` or ``en``).
        created_at: when it was stored (ISO 8601 UTC).
        context_version: the version of the context's JSON layout.
        context: the context as a JSON-friendly dict.
    """

    id: int
    area: str
    period_start: str
    period_end: str
    lang: str
    created_at: str
    context_version: int
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """Ad activity in one municipality over a period (``kommun_kod``/``lan_kod`` ``None`` when not placed).

    Attributes:
        observations: sightings stored.
        ads: distinct site ads seen (``site``, ``site_ad_id``).
        ad_days: distinct (site ad, day) pairs: days on which the ad was seen online.
    """

    lan_kod: str | None
    kommun_kod: str | None
    observations: int
    ads: int
    ad_days: int


@dataclass(frozen=True, slots=True)
class DailyRow:
    """Ad-days in one municipality on one day (``day`` as ``YYYY-MM-DD``)."""

    day: str
    lan_kod: str | None
    kommun_kod: str | None
    ad_days: int


_COLUMNS = "id, area, period_start, period_end, lang, created_at, context_version, context"


def _after(day: str) -> str:
    """An upper bound for times on ``day``: ``2024-12-31~`` sorts after every ``2024-12-31T...`` string."""
    return day + "~"


def _row(r: Any) -> StoredReport:
    return StoredReport(
        id=int(r[0]),
        area=str(r[1]),
        period_start=str(r[2]),
        period_end=str(r[3]),
        lang=str(r[4]),
        created_at=str(r[5]),
        context_version=int(r[6]),
        context=json.loads(r[7]),
    )


class ReportStore:
    """Save and find stored report contexts."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # -- activity read for a report -------------------------------------------------------------
    def activity(self, start: str, end: str) -> list[ActivityRow]:
        """Observations, distinct ads and ad-days per municipality for days ``start``..``end`` (ISO dates, included)."""
        sql = """
            SELECT lan_kod, kommun_kod, COUNT(*),
                   COUNT(DISTINCT site || '|' || site_ad_id),
                   COUNT(DISTINCT site || '|' || site_ad_id || '|' || SUBSTR(seen_at, 1, 10))
            FROM observations WHERE seen_at >= :s AND seen_at < :e
            GROUP BY lan_kod, kommun_kod ORDER BY lan_kod, kommun_kod
        """
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {"s": start, "e": _after(end)}).all()
        return [ActivityRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]

    def daily(self, start: str, end: str) -> list[DailyRow]:
        """Ad-days per municipality and day for days ``start``..``end`` (ISO dates, both included)."""
        sql = """
            SELECT SUBSTR(seen_at, 1, 10), lan_kod, kommun_kod, COUNT(DISTINCT site || '|' || site_ad_id)
            FROM observations WHERE seen_at >= :s AND seen_at < :e
            GROUP BY SUBSTR(seen_at, 1, 10), lan_kod, kommun_kod ORDER BY 1, 2, 3
        """
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {"s": start, "e": _after(end)}).all()
        return [DailyRow(str(r[0]), r[1], r[2], int(r[3])) for r in rows]

    def observed_range(self) -> tuple[str, str] | None:
        """The first and last day with an observation (ISO dates), or ``None`` for an empty store."""
        with self.engine.connect() as conn:
            r = conn.execute(text("SELECT MIN(seen_at), MAX(seen_at) FROM observations")).first()
        if r is None or r[0] is None:
            return None
        return str(r[0])[:10], str(r[1])[:10]

    # -- stored contexts ----------------------------------------------------------------------
    def save(
        self, area: str, period_start: str, period_end: str, lang: str, context: dict[str, Any], *, version: int
    ) -> int:
        """Store a context; returns its id. Saving the same report again adds a newer row.

        Raises:
            StoreError: if the database refuses the row.
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        payload = json.dumps(context, ensure_ascii=False, sort_keys=True)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO report_contexts (area, period_start, period_end, lang, created_at, "
                        "context_version, context) VALUES (:a, :s, :e, :l, :c, :v, :x)"
                    ),
                    {"a": area, "s": period_start, "e": period_end, "l": lang, "c": now, "v": version, "x": payload},
                )
                rid = conn.execute(
                    text("SELECT MAX(id) FROM report_contexts WHERE area = :a AND period_end = :e"),
                    {"a": area, "e": period_end},
                ).scalar_one()
        except SQLAlchemyError as exc:
            raise StoreError(f"storing the report context failed: {exc.__class__.__name__}") from exc
        return int(rid)

    def previous(self, area: str, *, before: str) -> StoredReport | None:
        """The latest stored report for ``area`` whose period ended before ``before`` (an ISO date).

        Among reports of the same period the most recently stored wins.
        """
        with self.engine.connect() as conn:
            r = conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM report_contexts WHERE area = :a AND period_end < :b "
                    "ORDER BY period_end DESC, id DESC LIMIT 1"
                ),
                {"a": area, "b": before},
            ).first()
        return None if r is None else _row(r)

    def history(self, area: str) -> list[StoredReport]:
        """Every stored report for ``area``, oldest period first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT {_COLUMNS} FROM report_contexts WHERE area = :a ORDER BY period_end, id"), {"a": area}
            ).all()
        return [_row(r) for r in rows]
