"""The one place where SQLite and PostgreSQL differ."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, make_url, text

from lagesbild.errors import StoreError
from lagesbild.private_files import PRIVATE_FILE_MODE, private_dir, tighten

log = logging.getLogger(__name__)


class Dialect:
    """Backend-specific SQL and engine setup."""

    name = "base"
    placeholder = "?"
    # values per membership test (``member_of``): SQLite binds each as its own parameter
    list_size = 400

    def member_of(self, n: int) -> str:
        """SQL that tests a column against ``n`` values bound by :meth:`member_params` (``col <this>``)."""
        return "IN (" + ", ".join([self.placeholder] * n) + ")"

    def member_params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """The parameters for :meth:`member_of`."""
        return tuple(values)

    def create_engine(self, url: str) -> Engine:
        raise NotImplementedError

    def insert_ignore(
        self, table: str, columns: Sequence[str], conflict: Sequence[str], *, literal_last: str | None = None
    ) -> str:
        """An INSERT that silently skips rows whose ``conflict`` key exists already.

        With ``literal_last``, the last column gets that SQL literal instead of a parameter.
        """
        cols = ", ".join(columns)
        params = [self.placeholder] * len(columns)
        if literal_last is not None:
            params[-1] = literal_last
        vals = ", ".join(params)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({vals})"
        if conflict:
            sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
        return sql

    def insert_rows(
        self, conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], batch: int = 20_000
    ) -> None:
        """Insert many rows into ``table`` in the connection's transaction (a prepared INSERT per batch of rows)."""
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([self.placeholder] * len(columns))})"
        part: list[tuple[Any, ...]] = []
        for r in rows:
            part.append(r)
            if len(part) >= batch:
                conn.exec_driver_sql(sql, part)
                part = []
        if part:
            conn.exec_driver_sql(sql, part)

    def reset_sequences(self, conn: Connection, table: Table) -> None:
        """After rows were inserted with explicit ids (a restore), make new ids continue after them."""

    def refresh_statistics(self, conn: Connection, tables: Sequence[str]) -> None:
        """After a bulk rewrite of ``tables``: let the query planner see their new sizes (SQLite: nothing to do).

        ``conn`` is in autocommit mode (PostgreSQL's VACUUM runs outside a transaction).
        """


class SQLiteDialect(Dialect):
    name = "sqlite"
    placeholder = "?"

    def create_engine(self, url: str) -> Engine:
        _private_database_file(url)
        engine = create_engine(url, future=True)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-65536")  # 64 MiB: index inserts of large imports stay in memory
            cur.close()

        return engine


def _private_database_file(url: str) -> None:
    """Create the SQLite file with mode 0600 (in a 0700 folder if the folder is new) before SQLite does.

    SQLite creates its ``-wal``, ``-shm`` and journal files with the database file's mode, so they
    are private too. An existing database (and its ``-wal``/``-shm``) readable by others is tightened.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        private_dir(path.parent)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
            os.chmod(path, PRIVATE_FILE_MODE)  # os.open's mode is filtered by the umask; make it exact
        except FileExistsError:
            for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                try:
                    if tighten(p):
                        log.info("made %s readable by its owner only (mode 0600)", p)
                except PermissionError:  # not ours to change (a shared, read-only copy): say so, go on
                    log.warning("%s is readable by other users and cannot be changed here (not its owner)", p)
    except OSError as exc:
        raise StoreError(f"cannot create the database file {path}: {exc.strerror}") from None


class PostgresDialect(Dialect):
    name = "postgresql"
    placeholder = "%s"
    # one array parameter per test: one round trip and one plan for a whole list (a list of 400
    # parameters per query made an incremental link day's ~370 reads 1-2 s slower)
    list_size = 100_000

    def member_of(self, n: int) -> str:
        return "= ANY(%s)"

    def member_params(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return (list(values),)

    def create_engine(self, url: str) -> Engine:
        return create_engine(url, future=True, pool_pre_ping=True)

    def insert_rows(
        self, conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], batch: int = 20_000
    ) -> None:
        # COPY: one stream instead of one statement per row (an INSERT executed many times costs the server a
        # statement per row; the key index of a linking run's ~3,000 written site ads is ~50,000 rows)
        it = iter(rows)
        first = next(it, None)
        if first is None:
            return
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write_row(first)
                for r in it:
                    copy.write_row(r)
        finally:
            cur.close()

    def refresh_statistics(self, conn: Connection, tables: Sequence[str]) -> None:
        # Without statistics (autovacuum has not analyzed the new rows yet) the planner takes a key list
        # for a table scan: an incremental link run after a full one read its keys 20 times slower.
        # VACUUM too: it marks the new pages all-visible, so that the key lookups of the next incremental runs are
        # read from the indexes alone (an index-only scan of link_keys' (k, advertiser_id); without it every key
        # visits the table too)
        for t in tables:
            conn.execute(text(f"VACUUM (ANALYZE) {t}"))

    def reset_sequences(self, conn: Connection, table: Table) -> None:
        for col in table.primary_key.columns:
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": col.name}
            ).scalar_one_or_none()
            if seq is not None:
                conn.execute(
                    text(f"SELECT setval(:s, COALESCE((SELECT MAX({col.name}) FROM {table.name}), 0) + 1, false)"),
                    {"s": seq},
                )


def dialect_for(url: str) -> Dialect:
    if url.startswith("sqlite"):
        return SQLiteDialect()
    if url.startswith("postgresql"):
        return PostgresDialect()
    raise ValueError(f"unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:/// or postgresql://")
