"""Stored court judgments: only the extracted fields (table ``verdicts``, migration 7).

No name, personal identity number or judgment text is stored: a judgment is kept as its
:class:`~lagesbild.records.verdicts.VerdictRecord` plus the SHA-256 of its text, which makes
importing the same judgment again a no-op. The SQL is plain and portable (SQLite and PostgreSQL).

Example::

    vs = VerdictStore(store)
    vs.add([(sha256_hex, extract_verdict(text).record())])
    rows = vs.records(lan="05", start="2024-01-01", end="2024-12-31")
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.records.verdicts import EXTRACTOR_VERSION, VerdictRecord
from lagesbild.store import Store

__all__ = ["VerdictStore"]

_FIELDS = (
    "court",
    "case_number",
    "verdict_date",
    "offence_date",
    "defendant_age",
    "defendant_kommun",
    "offence_kommun",
    "ad_used",
    "day_fines",
    "day_fine_amount",
    "conditional_sentence",
)
_COLUMNS = ("text_sha256", *_FIELDS, "offence_lan", "extractor_version", "imported_at")


def _bool(v: Any) -> bool:
    return bool(v) if v is not None else False


def _record(r: Any) -> VerdictRecord:
    return VerdictRecord(
        court=r[0],
        case_number=r[1],
        date=r[2],
        offence_date=r[3],
        defendant_age=None if r[4] is None else int(r[4]),
        defendant_kommun=r[5],
        offence_kommun=r[6],
        ad_used=_bool(r[7]),
        day_fines=None if r[8] is None else int(r[8]),
        day_fine_amount=None if r[9] is None else int(r[9]),
        conditional_sentence=_bool(r[10]),
    )


class VerdictStore:
    """Add and read extracted judgments."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def add(self, items: Iterable[tuple[str, VerdictRecord]]) -> int:
        """Store judgments given as (SHA-256 of the text, record) in one transaction; returns how many were new.

        Raises:
            StoreError: if the database refuses the rows.
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows = [
            (
                sha,
                r.court,
                r.case_number,
                r.date,
                r.offence_date,
                r.defendant_age,
                r.defendant_kommun,
                r.offence_kommun,
                int(r.ad_used),
                r.day_fines,
                r.day_fine_amount,
                int(r.conditional_sentence),
                r.offence_lan,
                EXTRACTOR_VERSION,
                now,
            )
            for sha, r in items
        ]
        if not rows:
            return 0
        sql = self.store.dialect.insert_ignore("verdicts", _COLUMNS, ("text_sha256",))
        try:
            with self.engine.begin() as conn:
                before = int(conn.execute(text("SELECT COUNT(*) FROM verdicts")).scalar_one())
                conn.exec_driver_sql(sql, rows)
                after = int(conn.execute(text("SELECT COUNT(*) FROM verdicts")).scalar_one())
        except SQLAlchemyError as exc:
            raise StoreError(f"storing verdicts failed: {exc.__class__.__name__}") from exc
        return after - before

    def count(self) -> int:
        """Number of stored judgments."""
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM verdicts")).scalar_one())

    def records(
        self, *, lan: str | None = None, start: str | None = None, end: str | None = None
    ) -> list[VerdictRecord]:
        """Stored judgments, oldest first.

        Args:
            lan: only offences in this county (two-digit code) or municipality (four digits).
            start, end: only judgments dated in ``start``..``end`` (ISO dates, both included).
        """
        where, params = [], {}
        if lan is not None:
            where.append("offence_kommun LIKE :lan")
            params["lan"] = lan + "%"
        if start is not None:
            where.append("verdict_date >= :s")
            params["s"] = start
        if end is not None:
            where.append("verdict_date <= :e")
            params["e"] = end
        sql = f"SELECT {', '.join(_FIELDS)} FROM verdicts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY verdict_date, court, case_number, id"
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), params).all()
        return [_record(r) for r in rows]
