"""The one storage interface. SQLite is the embedded default; PostgreSQL the shared deployment.

Everything that reads or writes the database goes through :class:`Store`. Backend
differences live in :mod:`lagesbild.store._dialect` only. The schema is created and
upgraded by the forward-only migrations in :mod:`lagesbild.store.migrations`, applied
automatically when a store is opened.

Example::

    >>> store = Store.open("sqlite:///:memory:")
    >>> store.schema_version()
    1
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, MetaData, Table, inspect, select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from lagesbild.errors import InputError, KeyMismatchError, StoreError
from lagesbild.observations import Observation
from lagesbild.refdata import PopulationTable
from lagesbild.store import migrations as _migrations
from lagesbild.store._dialect import Dialect, dialect_for

__all__ = ["OBSERVATION_COLUMNS", "CountRow", "ImportSummary", "Store", "observation_row"]

log = logging.getLogger(__name__)

OBSERVATION_COLUMNS = (
    "site",
    "site_ad_id",
    "seen_at",
    "url",
    "title",
    "body",
    "location_text",
    "kommun_kod",
    "lan_kod",
    "place_confidence",
    "age",
    "price_text",
    "language",
    "name",
    "phones",
    "emails",
    "handles",
    "image_hashes",
    "posted_at",
    "import_id",
)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import did: records read, new observations stored, duplicates skipped."""

    import_id: int | None
    n_records: int
    n_new: int

    @property
    def n_duplicates(self) -> int:
        return self.n_records - self.n_new


@dataclass(frozen=True, slots=True)
class CountRow:
    """Observations and distinct ads in one area and period."""

    period: str
    lan_kod: str | None
    kommun_kod: str | None
    observations: int
    ads: int


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def observation_row(o: Observation) -> tuple[Any, ...]:
    """An observation in the column order of ``OBSERVATION_COLUMNS`` (without ``import_id``)."""
    return (*o[:14], " ".join(o.phones), " ".join(o.emails), " ".join(o.handles), " ".join(o.image_hashes), o.posted_at)


class Store:
    """A lagesbild database (SQLite file or PostgreSQL server).

    Open with :meth:`Store.open`; the schema is migrated on open.
    """

    def __init__(self, engine: Engine, dialect: Dialect, url: str) -> None:
        self.engine = engine
        self.dialect = dialect
        self.url = url
        self._tables: dict[str, Table] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Open (and by default migrate) the database at ``url``.

        Raises:
            StoreError: if the database cannot be reached or a migration fails.
        """
        try:
            dialect = dialect_for(url)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        engine = dialect.create_engine(url)
        store = cls(engine, dialect, url)
        if migrate:
            try:
                with engine.begin() as conn:
                    for m in _migrations.migrate(conn):
                        log.info("database migrated to %04d (%s)", m.id, m.name)
            except OperationalError as exc:
                engine.dispose()
                raise StoreError(f"cannot open the database {store.safe_url}: {exc.orig}") from None
            except SQLAlchemyError as exc:
                engine.dispose()
                raise StoreError(f"migrating {store.safe_url} failed: {exc}") from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.dialect.name

    @property
    def safe_url(self) -> str:
        """The URL without a password, for messages and logs."""
        return self.engine.url.render_as_string(hide_password=True)

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            ids = _migrations.applied(conn)
        return max(ids, default=0)

    def _table(self, name: str) -> Table:
        if name not in self._tables:
            self._tables[name] = Table(name, MetaData(), autoload_with=self.engine)
        return self._tables[name]

    # -- meta and key ------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        t = self._table("meta")
        with self.engine.connect() as conn:
            return conn.execute(select(t.c.value).where(t.c.key == key)).scalar_one_or_none()

    def set_meta(self, key: str, value: str) -> None:
        t = self._table("meta")
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.key == key))
            conn.execute(t.insert().values(key=key, value=value))

    def bind_key(self, fingerprint: str) -> None:
        """Record the key's fingerprint, or check it against the recorded one.

        Raises:
            KeyMismatchError: if the database was created with another key.
        """
        stored = self.get_meta("key_fingerprint")
        if stored is None:
            self.set_meta("key_fingerprint", fingerprint)
        elif stored != fingerprint:
            raise KeyMismatchError(
                "the pseudonymization key does not match the one this database was created with "
                f"(database expects fingerprint {stored}, key has {fingerprint}); "
                "use the installation's original key file"
            )

    # -- observations ------------------------------------------------------------------------
    def import_observations(
        self,
        batches: Iterable[Sequence[Observation]],
        *,
        source: str,
        sha256: str,
        dry_run: bool = False,
    ) -> ImportSummary:
        """Store observations, all in one transaction; sightings already stored are skipped.

        Args:
            batches: observations in batches (a generator is fine; it is consumed inside the transaction,
                so an error raised while producing a batch rolls everything back).
            source: where they came from (a file name, a crawl run), recorded with the import.
            sha256: a checksum of the source, recorded with the import.
            dry_run: consume and count, store nothing.
        """
        rows = ([observation_row(o) for o in batch] for batch in batches)
        return self.import_observation_rows(rows, source=source, sha256=sha256, dry_run=dry_run)

    def import_observation_rows(
        self,
        batches: Iterable[Sequence[tuple[Any, ...]]],
        *,
        source: str,
        sha256: str,
        dry_run: bool = False,
    ) -> ImportSummary:
        """Like :meth:`import_observations`, for rows already in :func:`observation_row` form (the fast path)."""
        if dry_run:
            n = sum(len(b) for b in batches)
            return ImportSummary(None, n, 0)
        imports = self._table("imports")
        n_records = 0
        try:
            with self.engine.begin() as conn:
                import_id = int(
                    conn.execute(
                        imports.insert().values(source=source, sha256=sha256, started_at=_now()).returning(imports.c.id)
                    ).scalar_one()
                )
                # import_id is our own integer, so it can be a literal: the rows need no extra column.
                sql = self.dialect.insert_ignore(
                    "observations", OBSERVATION_COLUMNS, ("site", "site_ad_id", "seen_at"), literal_last=str(import_id)
                )
                for batch in batches:
                    if batch:
                        conn.exec_driver_sql(sql, list(batch))
                        n_records += len(batch)
                n_new = conn.execute(
                    text("SELECT COUNT(*) FROM observations WHERE import_id = :i"), {"i": import_id}
                ).scalar_one()
                self._update_site_ads(conn, import_id)
                conn.execute(imports.update().where(imports.c.id == import_id).values(n_records=n_records, n_new=n_new))
        except SQLAlchemyError as exc:
            raise StoreError(f"storing observations failed; nothing was stored: {exc.__class__.__name__}") from exc
        return ImportSummary(import_id, n_records, int(n_new))

    def _update_site_ads(self, conn: Connection, import_id: int) -> None:
        conn.execute(
            text(
                """
                INSERT INTO site_ads (site, site_ad_id, first_seen, last_seen, n_observations)
                SELECT site, site_ad_id, MIN(seen_at), MAX(seen_at), COUNT(*)
                FROM observations WHERE import_id = :i GROUP BY site, site_ad_id
                ON CONFLICT (site, site_ad_id) DO UPDATE SET
                    first_seen = CASE WHEN excluded.first_seen < site_ads.first_seen
                                      THEN excluded.first_seen ELSE site_ads.first_seen END,
                    last_seen = CASE WHEN excluded.last_seen > site_ads.last_seen
                                     THEN excluded.last_seen ELSE site_ads.last_seen END,
                    n_observations = site_ads.n_observations + excluded.n_observations
                """
            ),
            {"i": import_id},
        )

    def count_observations(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM observations")).scalar_one())

    def iter_observations(
        self, *, after_import: int | None = None, up_to_import: int | None = None, batch_size: int = 10_000
    ) -> Iterator[Observation]:
        """Stored observations in insertion order; optionally only those of imports
        ``after_import < import_id <= up_to_import`` (crawl runs count as imports)."""
        cols = [c for c in OBSERVATION_COLUMNS if c != "import_id"]
        where = []
        if after_import is not None:
            where.append("import_id > :a")
        if up_to_import is not None:
            where.append("import_id <= :b")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(
                text(f"SELECT {', '.join(cols)} FROM observations {clause} ORDER BY id"),
                {"a": after_import, "b": up_to_import},
            )
            for row in result:
                d = dict(zip(cols, row, strict=True))
                for k in ("phones", "emails", "handles", "image_hashes"):
                    d[k] = tuple(d[k].split()) if d[k] else ()
                yield Observation(**d)

    def site_ad(self, site: str, site_ad_id: str) -> dict[str, Any] | None:
        """An ad's lifecycle on its site: first and last seen, number of sightings."""
        t = self._table("site_ads")
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.site == site, t.c.site_ad_id == site_ad_id)).mappings().first()
        return dict(row) if row else None

    def observation_counts(
        self, *, lan: str | None = None, kommun: str | None = None, period: str = "month"
    ) -> list[CountRow]:
        """Observations and distinct ads per municipality and period.

        Read from the counts the store keeps (:mod:`lagesbild.store.counts`: new observations are
        folded in first), not counted over every observation; a store that cannot be written is
        counted directly. Rows are ordered by period, county and municipality.

        Args:
            lan: only this county (two-digit code).
            kommun: only this municipality (four-digit code).
            period: ``"month"`` (``2025-03``), ``"year"`` (``2025``) or ``"day"``.

        Raises:
            InputError: for any other period (field ``period``).
        """
        from lagesbild.store import counts  # the summary table and how it is kept

        width = counts.KINDS.get(period)
        if width is None:
            raise InputError(f"must be year, month or day, not {period[:20]!r}", field="period")
        kept = counts.refresh(self.engine)
        with self.engine.connect() as conn:
            if kept:
                return counts.count_rows(conn, period, lan, kommun)
            rows = counts.scan_rows(conn, width, lan, kommun)
        return [CountRow(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]

    # -- population --------------------------------------------------------------------------
    def put_population(self, table: PopulationTable) -> None:
        """Store (or replace) one year of population, atomically."""
        sql = self.dialect.insert_ignore("population", ("year", "kommun_kod", "kon", "alder", "antal"), ())
        src = self._table("population_sources")
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM population WHERE year = :y"), {"y": table.year})
            conn.execute(src.delete().where(src.c.year == table.year))
            conn.exec_driver_sql(sql, [(table.year, c, s, a, n) for c, s, a, n in table.rows()])
            conn.execute(src.insert().values(year=table.year, source=table.source, imported_at=_now()))

    def population_years(self) -> dict[int, str]:
        """Years of population imported into this store, with their sources."""
        src = self._table("population_sources")
        with self.engine.connect() as conn:
            return {int(r[0]): str(r[1]) for r in conn.execute(select(src.c.year, src.c.source).order_by(src.c.year))}

    def population_table(self, year: int) -> PopulationTable | None:
        """An imported year of population, or None if that year was not imported."""
        sources = self.population_years()
        if year not in sources:
            return None
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT kommun_kod, kon, alder, antal FROM population WHERE year = :y"), {"y": year}
            ).all()
        table = PopulationTable.from_rows(year, ((r[0], r[1], int(r[2]), int(r[3])) for r in rows), sources[year])
        assert table.counts.dtype == np.int64
        return table

    # -- inspection --------------------------------------------------------------------------
    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dump_rows(self) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """Every row of every table, as ``(table, row)``: for audits such as the raw-identifier scan."""
        for name in self.table_names():
            with self.engine.connect() as conn:
                for row in conn.execute(select(self._table(name))):
                    yield name, tuple(row)
