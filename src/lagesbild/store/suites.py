"""Stored estimate suites (table ``estimate_suites``, migration 11) and what their coverage is read from.

The suite itself (:mod:`lagesbild.estimate.suite`) is a typed record; here it is a JSON payload
with a few columns to find it by: area, period, level, seed, a key of the parameters it was made
with (``params_key``) and a key of the data it was made from (``data_key``, see :func:`data_key`).
The SQL is plain and portable (SQLite and PostgreSQL).

Example::

    ss = SuiteStore(store)
    row = ss.newest("05", "2024-01-01", "2024-12-31")   # None when no suite was stored
    row.payload["figures"]["purchases"]["estimate"]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from lagesbild.store import Store

__all__ = ["SiteAreaRow", "StoredSuite", "SuiteStore"]


@dataclass(frozen=True, slots=True)
class StoredSuite:
    """One stored suite row: its columns and its JSON payload."""

    id: int
    run_id: str
    area: str
    period_start: str
    period_end: str
    level: float
    seed: int
    params_key: str
    data_key: str
    created_at: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SiteAreaRow:
    """Observations of one site in one municipality over a period (codes ``None`` when not placed)."""

    site: str
    lan_kod: str | None
    kommun_kod: str | None
    observations: int
    ads: int


_COLUMNS = "id, run_id, area, period_start, period_end, level, seed, params_key, data_key, created_at, payload"


def _after(day: str) -> str:
    return day + "~"  # sorts after every time on ``day``


class SuiteStore:
    """Save and find estimate suites; read the counts their coverage is made of."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def save_many(self, rows: list[dict[str, Any]]) -> None:
        """Store suites in one transaction (each dict: the columns but ``id``, ``payload`` a JSON-able dict)."""
        if not rows:
            return
        cols = [c.strip() for c in _COLUMNS.split(",")][1:]
        sql = text(f"INSERT INTO estimate_suites ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})")
        params = [{**r, "payload": json.dumps(r["payload"], ensure_ascii=False, sort_keys=True)} for r in rows]
        with self.engine.begin() as conn:
            conn.execute(sql, params)

    def newest(self, area: str, period_start: str, period_end: str) -> StoredSuite | None:
        """The most recently stored suite of ``area`` for exactly this period, or ``None``."""
        sql = text(
            f"SELECT {_COLUMNS} FROM estimate_suites WHERE area = :a AND period_start = :s AND period_end = :e "
            "ORDER BY id DESC LIMIT 1"
        )
        with self.engine.connect() as conn:
            r = conn.execute(sql, {"a": area, "s": period_start, "e": period_end}).first()
        if r is None:
            return None
        return StoredSuite(
            int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), float(r[5]), int(r[6]), str(r[7]), str(r[8]),
            str(r[9]), json.loads(r[10]),
        )  # fmt: skip

    def data_key(self) -> str:
        """What the store's data is now: newest observation, import, link run, rules, judgments, population years.

        Two equal keys mean the data a suite reads has not changed in between.
        """
        queries = {
            "observation": "SELECT COALESCE(MAX(id), 0) FROM observations",
            "import": "SELECT COALESCE(MAX(id), 0) FROM imports",
            "link_run": "SELECT COALESCE(MAX(id), 0) FROM link_runs",
            "rules": "SELECT MAX(rules_version) FROM normalized_observations",
            "verdicts": "SELECT COUNT(*) FROM verdicts",
            "verdict_max": "SELECT COALESCE(MAX(id), 0) FROM verdicts",
            "defendants": "SELECT COUNT(*) FROM verdict_defendants",
            "defendants_corrected": "SELECT COUNT(*) FROM verdict_defendants WHERE corrected <> 0",
            "population": "SELECT COUNT(*) FROM population_sources",
        }
        with self.engine.connect() as conn:
            vals = {k: conn.execute(text(q)).scalar_one() for k, q in queries.items()}
        return json.dumps({k: (None if v is None else str(v)) for k, v in vals.items()}, sort_keys=True)

    def site_areas(self, start: str, end: str) -> list[SiteAreaRow]:
        """Observations and distinct site ads per site and municipality for days ``start``..``end`` (included)."""
        sql = """
            SELECT site, lan_kod, kommun_kod, COUNT(*), COUNT(DISTINCT site_ad_id)
            FROM observations WHERE seen_at >= :s AND seen_at < :e
            GROUP BY site, lan_kod, kommun_kod ORDER BY site, lan_kod, kommun_kod
        """
        with self.engine.connect() as conn:
            rows = conn.execute(text(sql), {"s": start, "e": _after(end)}).all()
        return [SiteAreaRow(str(r[0]), r[1], r[2], int(r[3]), int(r[4])) for r in rows]
