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

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.records.verdicts import EXTRACTOR_VERSION, DefendantRecord, VerdictRecord
from lagesbild.store import Store

__all__ = ["DefendantStore", "VerdictStore"]

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



def _select(
    engine: Engine, select: str, order: str, lan: str | None, start: str | None, end: str | None,
    verdict: str | None = None,
) -> Sequence[Row[Any]]:
    """The rows of ``select`` (``SELECT ... FROM table``) in ``order``: only offences in ``lan`` (a county
    or municipality code), judgments dated ``start``..``end`` (ISO dates, both included) and, in
    ``verdict_defendants``, of one ``verdict``; ``None`` does not filter."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if lan is not None:
        where.append("offence_kommun LIKE :lan")
        params["lan"] = lan + "%"
    if start is not None:
        where.append("verdict_date >= :s")
        params["s"] = start
    if end is not None:
        where.append("verdict_date <= :e")
        params["e"] = end
    if verdict is not None:
        where.append("verdict = :v")
        params["v"] = verdict
    sql = select + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY " + order
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def _insert_new(
    store: Store, table: str, cols: tuple[str, ...], conflict: tuple[str, ...], rows: list[tuple[Any, ...]],
    *, what: str,
) -> int:  # fmt: skip
    """Insert ``rows``, skipping those whose ``conflict`` columns are stored already; the number inserted.

    Raises:
        StoreError: if the database refuses the rows (nothing is stored then).
    """
    sql = store.dialect.insert_ignore(table, cols, conflict)
    try:
        with store.engine.begin() as conn:
            before = int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            conn.exec_driver_sql(sql, rows)
            after = int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    except SQLAlchemyError as exc:
        raise StoreError(f"storing {what} failed: {exc.__class__.__name__}") from exc
    return after - before


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
        return _insert_new(self.store, "verdicts", _COLUMNS, ("text_sha256",), rows, what="verdicts")

    def count(self) -> int:
        """Number of stored judgments (legacy one-row judgments plus convicted defendants' rows)."""
        with self.engine.connect() as conn:
            legacy = int(conn.execute(text("SELECT COUNT(*) FROM verdicts")).scalar_one())
            rows = int(conn.execute(text("SELECT COUNT(*) FROM verdict_defendants WHERE verdict = 'convicted'"))
                       .scalar_one())
        return legacy + rows

    def records(
        self, *, lan: str | None = None, start: str | None = None, end: str | None = None
    ) -> list[VerdictRecord]:
        """Stored judgments, oldest first.

        Args:
            lan: only offences in this county (two-digit code) or municipality (four digits).
            start, end: only judgments dated in ``start``..``end`` (ISO dates, both included).
        """
        select = f"SELECT {', '.join(_FIELDS)} FROM verdicts"
        rows = _select(self.engine, select, "verdict_date, court, case_number, id", lan, start, end)
        legacy = [_record(r) for r in rows]
        convicted = DefendantStore(self.store).defendants(lan=lan, start=start, end=end, verdict="convicted")
        out = legacy + [d.verdict_record() for d in convicted]
        out.sort(key=lambda r: (r.date or "", r.court or "", r.case_number or ""))
        return out


_D_FIELDS = (
    "case_key", "defendant_index", "court", "case_number", "verdict_date", "appeal", "verdict", "offence",
    "human_trafficking", "offence_dates", "offence_date", "defendant_age", "home_kommun", "offence_kommun",
    "offence_lan", "website", "ad_used", "day_fines", "day_fine_amount", "conditional_sentence", "prison_months",
    "plea",
    "fines_only_after_reform", "confidence", "corrected",
)
_D_EDITABLE = (
    "verdict", "offence", "offence_dates", "defendant_age", "home_kommun", "offence_kommun", "website", "ad_used",
    "day_fines", "day_fine_amount", "conditional_sentence", "prison_months", "plea",
)


def _d_row(d: DefendantRecord) -> dict[str, Any]:
    return {
        "case_key": d.case_key, "defendant_index": d.defendant_index, "court": d.court,
        "case_number": d.case_number, "verdict_date": d.date, "appeal": int(d.appeal), "verdict": d.verdict,
        "offence": d.offence, "human_trafficking": int(d.human_trafficking),
        "offence_dates": ",".join(d.offence_dates), "offence_date": d.offence_date,
        "defendant_age": d.defendant_age, "home_kommun": d.home_kommun, "offence_kommun": d.offence_kommun,
        "offence_lan": d.offence_kommun[:2] if d.offence_kommun else None, "website": d.website,
        "ad_used": int(d.ad_used), "day_fines": d.day_fines, "day_fine_amount": d.day_fine_amount,
        "conditional_sentence": int(d.conditional_sentence), "prison_months": d.prison_months, "plea": d.plea,
        "fines_only_after_reform": int(d.fines_only_after_reform),
        "confidence": json.dumps(d.confidence, sort_keys=True), "corrected": int(d.corrected),
    }


def _d_record(r: Any) -> DefendantRecord:
    m = r._mapping
    def opt_int(k: str) -> int | None:
        return None if m[k] is None else int(m[k])

    return DefendantRecord(
        id=int(m["id"]), case_key=m["case_key"], defendant_index=int(m["defendant_index"]), court=m["court"],
        case_number=m["case_number"], date=m["verdict_date"], appeal=bool(m["appeal"]), verdict=m["verdict"],
        offence=m["offence"], human_trafficking=bool(m["human_trafficking"]),
        offence_dates=tuple(x for x in (m["offence_dates"] or "").split(",") if x),
        defendant_age=opt_int("defendant_age"), home_kommun=m["home_kommun"], offence_kommun=m["offence_kommun"],
        website=m["website"], ad_used=bool(m["ad_used"]), day_fines=opt_int("day_fines"),
        day_fine_amount=opt_int("day_fine_amount"),
        conditional_sentence=bool(m["conditional_sentence"]), prison_months=opt_int("prison_months"),
        plea=m["plea"], fines_only_after_reform=bool(m["fines_only_after_reform"]),
        confidence=json.loads(m["confidence"] or "{}"), corrected=bool(m["corrected"]),
    )


class DefendantStore:
    """Add, read and correct one row per defendant (table ``verdict_defendants``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def add(self, items: Iterable[tuple[str, DefendantRecord]]) -> int:
        """Store defendants given as (SHA-256 of the judgment text, record); returns how many were new.

        A defendant already stored for the same case (``case_key``, ``defendant_index``) is kept as
        it is, so duplicates of one case count once and a reviewer's corrections survive a re-import.

        Raises:
            StoreError: if the database refuses the rows.
        """
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        cols = ("text_sha256", *_D_FIELDS, "extractor_version", "imported_at")
        rows = [(sha, *_d_row(d).values(), EXTRACTOR_VERSION, now) for sha, d in items]
        if not rows:
            return 0
        conflict = ("case_key", "defendant_index")
        return _insert_new(self.store, "verdict_defendants", cols, conflict, rows, what="verdict defendants")

    def defendants(
        self, *, lan: str | None = None, start: str | None = None, end: str | None = None,
        verdict: str | None = None,
    ) -> list[DefendantRecord]:
        """Stored defendants, oldest judgment first (filters as :meth:`VerdictStore.records`; ``verdict``
        ``"convicted"`` or ``"acquitted"``)."""
        select = f"SELECT id, {', '.join(_D_FIELDS)} FROM verdict_defendants"
        order = "verdict_date, court, case_number, defendant_index, id"
        return [_d_record(r) for r in _select(self.engine, select, order, lan, start, end, verdict)]

    def correct(self, records: Iterable[DefendantRecord]) -> int:
        """Overwrite the reviewable fields of stored rows (by ``id``) and mark them corrected.

        Returns how many rows changed. One transaction: all corrections are applied or none.

        Raises:
            StoreError: if a record has no ``id`` or the database refuses the update.
        """
        updates = []
        for d in records:
            if d.id is None:
                raise StoreError("a correction needs the row id")
            row = _d_row(d)
            vals = {k: row[k] for k in _D_EDITABLE}
            vals["offence_date"] = row["offence_date"]
            vals["offence_lan"] = row["offence_lan"]
            vals["id"] = d.id
            updates.append(vals)
        if not updates:
            return 0
        sets = ", ".join(f"{k} = :{k}" for k in updates[0] if k != "id")
        sql = f"UPDATE verdict_defendants SET {sets}, corrected = 1 WHERE id = :id"
        changed = 0
        try:
            with self.engine.begin() as conn:
                for u in updates:
                    changed += conn.execute(text(sql), u).rowcount
        except SQLAlchemyError as exc:
            raise StoreError(f"correcting verdict defendants failed: {exc.__class__.__name__}") from exc
        return changed
