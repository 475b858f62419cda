"""The one place where SQLite and PostgreSQL differ."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text


class Dialect:
    """Backend-specific SQL and engine setup."""

    name = "base"
    placeholder = "?"

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

    def reset_sequences(self, conn: Connection, table: Table) -> None:
        """After rows were inserted with explicit ids (a restore), make new ids continue after them."""


class SQLiteDialect(Dialect):
    name = "sqlite"
    placeholder = "?"

    def create_engine(self, url: str) -> Engine:
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


class PostgresDialect(Dialect):
    name = "postgresql"
    placeholder = "%s"

    def create_engine(self, url: str) -> Engine:
        return create_engine(url, future=True, pool_pre_ping=True)

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
