"""Stored normalized facts: one row per observation, with the rules version it was read under.

A small class over :attr:`Store.engine <lagesbild.store.Store.engine>` (table
``normalized_observations`` from migration 4). The normalize runner
(:func:`lagesbild.normalize.run.normalize_store`) reads the observations still to do with
:meth:`NormalizedStore.pending`, normalizes them in memory and writes the facts back in
bulk with :meth:`NormalizedStore.save`. The SQL is plain and portable: the same statements
run on SQLite and PostgreSQL (the upsert is ``INSERT ... ON CONFLICT ... DO UPDATE``, which
both speak).

The ``indicators`` column holds analyst-only flags: never publish it.

Example::

    ns = NormalizedStore(store)
    todo = ns.pending(after_id=0, limit=10_000, rules_version=RULES_VERSION)
    ns.save([(obs_id, RULES_VERSION, "0580", "05", 1.0, ...), ...])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.store import Store

__all__ = ["NORMALIZED_COLUMNS", "NormalizedStore", "PendingObservation"]

NORMALIZED_COLUMNS = (
    "observation_id",
    "rules_version",
    "kommun_kod",
    "lan_kod",
    "place_confidence",
    "place_matched",
    "place_source",
    "age",
    "age_text",
    "price_sek_per_hour",
    "price_amount",
    "price_currency",
    "price_unit",
    "price_raw",
    "languages_offered",
    "language_written",
    "gender",
    "targets",
    "touring",
    "touring_dates",
    "indicators",
    "template",
)
"""The columns of ``normalized_observations``, in the order :meth:`NormalizedStore.save` takes them."""

PendingObservation = tuple[int, str | None, str | None, str | None, str | None]
"""``(observation id, title, body, location_text, price_text)`` of an observation still to normalize."""


class NormalizedStore:
    """Find observations to normalize and store their facts.

    Args:
        store: an open, migrated store.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        ph = store.dialect.placeholder
        cols = ", ".join(NORMALIZED_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in NORMALIZED_COLUMNS[1:])
        self._upsert = (
            f"INSERT INTO normalized_observations ({cols}) VALUES ({', '.join([ph] * len(NORMALIZED_COLUMNS))}) "
            f"ON CONFLICT (observation_id) DO UPDATE SET {updates}"
        )

    @staticmethod
    def _where(all_: bool) -> str:
        if all_:
            return "o.id > :after AND o.id <= :upto"
        return "o.id > :after AND o.id <= :upto AND (n.observation_id IS NULL OR n.rules_version <> :v)"

    def max_observation_id(self) -> int:
        """The newest observation's id (0 if there is none)."""
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM observations")).scalar_one())

    def count_pending(
        self, *, rules_version: str, all_: bool = False, upto: int | None = None, after_id: int = 0
    ) -> int:
        """How many observations after ``after_id`` are not normalized under ``rules_version`` (all with ``all_``)."""
        sql = (
            "SELECT COUNT(*) FROM observations o LEFT JOIN normalized_observations n ON n.observation_id = o.id "
            f"WHERE {self._where(all_)}"
        )
        params = {"after": after_id, "upto": self.max_observation_id() if upto is None else upto, "v": rules_version}
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())

    def done_up_to(self, *, rules_version: str) -> int:
        """An id up to which every observation is normalized under ``rules_version`` (0 if none is known).

        A run after an import starts there instead of walking the whole archive: the newest
        normalized id, when as many observations up to it exist as are normalized under
        ``rules_version`` (a run goes in id order, so this is the usual case); else 0.
        """
        with self.engine.connect() as conn:
            top = int(
                conn.execute(
                    text(
                        "SELECT COALESCE(MAX(observation_id), 0) FROM normalized_observations WHERE rules_version = :v"
                    ),
                    {"v": rules_version},
                ).scalar_one()
            )
            if top == 0:
                return 0
            n_obs = conn.execute(text("SELECT COUNT(*) FROM observations WHERE id <= :m"), {"m": top}).scalar_one()
            n_done = conn.execute(
                text("SELECT COUNT(*) FROM normalized_observations WHERE observation_id <= :m AND rules_version = :v"),
                {"m": top, "v": rules_version},
            ).scalar_one()
        return top if int(n_obs) == int(n_done) else 0

    def pending(
        self, *, after_id: int, limit: int, rules_version: str, all_: bool = False, upto: int | None = None
    ) -> list[PendingObservation]:
        """The next ``limit`` observations after ``after_id`` (by id) still to normalize.

        Args:
            after_id: only observations with a larger id (the last id of the previous batch).
            limit: at most this many.
            rules_version: observations normalized under another version are still to do.
            all_: every observation, normalized or not.
            upto: only observations up to this id (the newest when the run started).
        """
        ph = self.store.dialect.placeholder
        where = f"o.id > {ph} AND o.id <= {ph}"
        params: tuple[Any, ...] = (after_id, self.max_observation_id() if upto is None else upto)
        if not all_:
            where += f" AND (n.observation_id IS NULL OR n.rules_version <> {ph})"
            params += (rules_version,)
        sql = (
            "SELECT o.id, o.title, o.body, o.location_text, o.price_text FROM observations o "
            "LEFT JOIN normalized_observations n ON n.observation_id = o.id "
            f"WHERE {where} ORDER BY o.id LIMIT {int(limit)}"
        )
        # The driver's own cursor: plain tuples, without a result object per row (the batch
        # is read whole, and this is most of a re-normalization's reading time).
        with self.engine.connect() as conn:
            cursor = conn.connection.cursor()
            try:
                cursor.execute(sql, params)
                return [(int(r[0]), r[1], r[2], r[3], r[4]) for r in cursor.fetchall()]
            finally:
                cursor.close()

    def save(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert or replace the facts of ``rows`` (in :data:`NORMALIZED_COLUMNS` order), in one transaction.

        Raises:
            StoreError: if the database refuses the rows.
        """
        if not rows:
            return
        try:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(self._upsert, list(rows))
        except SQLAlchemyError as exc:
            raise StoreError(f"storing normalized facts failed: {exc.__class__.__name__}") from exc

    def get(self, observation_id: int) -> dict[str, Any] | None:
        """The stored facts of one observation, or None if it is not normalized."""
        sql = f"SELECT {', '.join(NORMALIZED_COLUMNS)} FROM normalized_observations WHERE observation_id = :i"
        with self.engine.connect() as conn:
            row = conn.execute(text(sql), {"i": observation_id}).first()
        return None if row is None else dict(zip(NORMALIZED_COLUMNS, row, strict=True))

    def rules_versions(self) -> dict[str, int]:
        """How many observations are normalized under each rules version."""
        sql = "SELECT rules_version, COUNT(*) FROM normalized_observations GROUP BY rules_version"
        with self.engine.connect() as conn:
            return {str(r[0]): int(r[1]) for r in conn.execute(text(sql))}
