"""Backup and restore of a store, portable between SQLite and PostgreSQL.

A backup is a ``tar.gz`` archive holding ``manifest.json`` (format version, schema version and
applied migrations, the source backend, per table the columns, row count and a content hash)
and one ``tables/<name>.jsonl`` per table, one JSON array per row. It does not depend on
``pg_dump`` or ``sqlite3`` versions and restores into an empty store of either backend.

What is *not* in a backup: the pseudonymization key. The store records only the key's
fingerprint; back the key file up separately, or the restored store cannot take new data.
The archive is written with mode 0600 (it holds pseudonymized data and ad text).

A SQLite store can also be copied page by page with SQLite's online backup API
(:func:`sqlite_snapshot`); :func:`restore` accepts such a file as well as an archive.

Example::

    >>> info = backup(store, Path("lagesbild-2025-03-01.tar.gz"))   # doctest: +SKIP
    >>> restore(Store.open("postgresql://…/empty"), Path("lagesbild-2025-03-01.tar.gz"))  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, MetaData, Table, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import InputError, StoreError
from lagesbild.store import Store
from lagesbild.store import migrations as _migrations

__all__ = [
    "BACKUP_FORMAT",
    "BackupInfo",
    "TableDigest",
    "backup",
    "read_manifest",
    "restore",
    "sqlite_snapshot",
    "table_digests",
]

log = logging.getLogger(__name__)

BACKUP_FORMAT = 1
_LEDGER = "schema_migrations"
_BATCH = 2_000


@dataclass(frozen=True, slots=True)
class TableDigest:
    """A table's row count and a hash of its content that does not depend on row order or backend."""

    table: str
    rows: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup holds (from its manifest) or what a restore wrote."""

    path: Path
    schema_version: int
    source_backend: str
    created_at: str
    tables: tuple[TableDigest, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


# -- values ------------------------------------------------------------------------------------
def _encode(v: Any) -> Any:
    if isinstance(v, bytes | bytearray | memoryview):
        return {"b64": base64.b64encode(bytes(v)).decode("ascii")}
    return v


def _decode(v: Any) -> Any:
    if isinstance(v, dict):
        return base64.b64decode(v["b64"])
    return v


def _line(row: tuple[Any, ...] | list[Any]) -> str:
    return json.dumps([_encode(v) for v in row], ensure_ascii=False, separators=(",", ":"), allow_nan=True)


class _Digest:
    """Order-independent content hash in constant memory: the sum of the rows' SHA-256 (mod 2**256).

    Rows come out of the two backends in different orders (text collation differs), so the hash
    must not depend on order; summing keeps memory flat for tables of any size. It detects damage
    and incomplete restores; the archive is not signed against deliberate tampering.
    """

    def __init__(self) -> None:
        self.n = 0
        self._acc = 0

    def add(self, line: str) -> None:
        self.n += 1
        self._acc = (self._acc + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")) % (1 << 256)

    def hexdigest(self) -> str:
        return hashlib.sha256(self._acc.to_bytes(32, "big") + self.n.to_bytes(8, "big")).hexdigest()


def _data_tables(conn: Connection) -> list[str]:
    return sorted(t for t in inspect(conn).get_table_names() if t != _LEDGER)


def _reflect(conn: Connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=conn)


def _columns(table: Table) -> list[str]:
    return sorted(c.name for c in table.columns)


def _rows(conn: Connection, table: Table, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    result = conn.execution_options(stream_results=True, yield_per=_BATCH).execute(
        select(*(table.c[c] for c in cols))
    )
    for row in result:
        yield tuple(row)


# -- digests -----------------------------------------------------------------------------------
def table_digests(store: Store) -> tuple[TableDigest, ...]:
    """Row count and content hash of every table (except the migration ledger), read in one transaction.

    Two stores with equal digests hold the same rows, whatever their backend.
    """
    out = []
    with store.engine.connect() as conn:
        for name in _data_tables(conn):
            t = _reflect(conn, name)
            cols = _columns(t)
            d = _Digest()
            for row in _rows(conn, t, cols):
                d.add(_line(row))
            out.append(TableDigest(name, d.n, d.hexdigest()))
    return tuple(out)


# -- backup ------------------------------------------------------------------------------------
def _private_file(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its mode otherwise
    return os.fdopen(fd, "wb")


def backup(store: Store, path: Path) -> BackupInfo:
    """Write every table of ``store`` to a portable archive at ``path`` (mode 0600).

    All tables are read in one transaction, so the backup is a consistent snapshot even while
    imports or crawls write (PostgreSQL: REPEATABLE READ; SQLite: one read transaction in WAL mode).

    Raises:
        StoreError: if the database cannot be read or the file cannot be written.
    """
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digests: list[TableDigest] = []
    tables_meta: dict[str, dict[str, Any]] = {}
    tmp = path.with_name(path.name + ".partial")
    try:
        with _private_file(tmp) as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            opts: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if store.backend == "postgresql" else {}
            with store.engine.connect().execution_options(**opts) as conn, conn.begin():
                applied = _migrations.applied(conn)
                for name in _data_tables(conn):
                    t = _reflect(conn, name)
                    cols = _columns(t)
                    d = _Digest()
                    with tempfile.TemporaryFile() as buf:
                        for row in _rows(conn, t, cols):
                            line = _line(row)
                            d.add(line)
                            buf.write(line.encode() + b"\n")
                        size = buf.tell()
                        buf.seek(0)
                        info = tarfile.TarInfo(f"tables/{name}.jsonl")
                        info.size = size
                        info.mode = 0o600
                        tar.addfile(info, buf)
                    digest = TableDigest(name, d.n, d.hexdigest())
                    digests.append(digest)
                    tables_meta[name] = {"columns": cols, "rows": digest.rows, "sha256": digest.sha256}
            manifest = {
                "format": BACKUP_FORMAT,
                "created_at": created,
                "source_backend": store.backend,
                "schema_version": max(applied, default=0),
                "migrations": applied,
                "key_included": False,
                "tables": tables_meta,
            }
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
        os.replace(tmp, path)
    except SQLAlchemyError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"reading {store.safe_url} for the backup failed: {exc.__class__.__name__}") from exc
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"writing the backup {path} failed: {exc.strerror or exc}") from exc
    log.info("backup of %s written to %s (%d rows)", store.safe_url, path, sum(d.rows for d in digests))
    return BackupInfo(path, max(applied, default=0), store.backend, created, tuple(digests))


def sqlite_snapshot(store: Store, path: Path) -> Path:
    """Copy a SQLite store to ``path`` (mode 0600) with SQLite's online backup API.

    The copy is consistent even while the store is written to. :func:`restore` takes the file.

    Raises:
        StoreError: if the store is not SQLite or the copy fails.
    """
    if store.backend != "sqlite":
        raise StoreError("an online SQLite snapshot needs a SQLite store; use the portable backup for PostgreSQL")
    path.parent.mkdir(parents=True, exist_ok=True)
    _private_file(path).close()
    raw = store.engine.raw_connection()
    try:
        src = raw.driver_connection
        assert isinstance(src, sqlite3.Connection)
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        path.unlink(missing_ok=True)
        raise StoreError(f"the SQLite snapshot to {path} failed: {exc}") from exc
    finally:
        raw.close()
    os.chmod(path, 0o600)
    return path


# -- reading an archive ------------------------------------------------------------------------
def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _open_archive(path: Path) -> tuple[tarfile.TarFile, dict[str, Any]]:
    try:
        tar = tarfile.open(path, mode="r:gz")  # noqa: SIM115 - returned open, closed by the caller
    except (OSError, tarfile.TarError) as exc:
        raise InputError(f"not a lagesbild backup (a tar.gz archive or a SQLite file): {exc}", path=str(path)) from None
    try:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise KeyError("manifest.json")
        manifest = json.loads(member.read())
    except (KeyError, ValueError, tarfile.TarError, OSError) as exc:
        tar.close()
        raise InputError(f"the archive has no readable manifest.json: {exc}", path=str(path)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        tar.close()
        raise InputError(f"unknown backup format (this version reads format {BACKUP_FORMAT})", path=str(path))
    return tar, manifest


def read_manifest(path: Path) -> BackupInfo:
    """What a backup archive holds, from its manifest.

    Raises:
        InputError: if the file is not a lagesbild backup.
    """
    tar, m = _open_archive(path)
    tar.close()
    tables = tuple(TableDigest(n, int(t["rows"]), str(t["sha256"])) for n, t in sorted(m["tables"].items()))
    return BackupInfo(path, int(m["schema_version"]), str(m["source_backend"]), str(m["created_at"]), tables)


# -- restore -----------------------------------------------------------------------------------
def _check_empty(conn: Connection, target: Store) -> None:
    for name in _data_tables(conn):
        if name == "meta":
            continue
        t = _reflect(conn, name)
        if conn.execute(select(t).limit(1)).first() is not None:
            raise StoreError(
                f"restore needs an empty store, but table {name} of {target.safe_url} holds data; "
                "restore into a new database (or a new data folder)"
            )


def _prepare_schema(conn: Connection, target: Store, migrations_in_backup: list[int]) -> None:
    """Bring the target to the backup's schema version (a new store), or check it is there already."""
    known = {m.id for m in _migrations.MIGRATIONS}
    unknown = set(migrations_in_backup) - known
    if unknown:
        raise StoreError(
            f"the backup has migrations {sorted(unknown)} that this version of lagesbild does not know; "
            "upgrade lagesbild to restore it"
        )
    have = _migrations.applied(conn)
    if not have:
        upto = tuple(m for m in _migrations.MIGRATIONS if m.id in set(migrations_in_backup))
        _migrations.migrate(conn, upto)
    elif sorted(have) != sorted(migrations_in_backup):
        raise StoreError(
            f"the target store {target.safe_url} is at schema {max(have)} and the backup at "
            f"{max(migrations_in_backup, default=0)}; restore into a new, empty database "
            "(it is brought to the backup's schema and then migrated forward)"
        )


def _copy_from(conn: Connection, target: Store, source: Iterator[tuple[str, list[str], Iterator[list[Any]]]]) -> None:
    for name, cols, rows in source:
        t = _reflect(conn, name)
        missing = [c for c in cols if c not in t.c]
        if missing:
            raise StoreError(f"table {name} of the backup has column(s) {missing} the target lacks")
        if name == "meta":
            conn.execute(t.delete())
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(cols, row, strict=True)))
            if len(batch) >= _BATCH:
                conn.execute(t.insert(), batch)
                batch = []
        if batch:
            conn.execute(t.insert(), batch)
        target.dialect.reset_sequences(conn, t)


def _archive_source(
    tar: tarfile.TarFile, manifest: dict[str, Any], path: Path
) -> Iterator[tuple[str, list[str], Iterator[list[Any]]]]:
    def rows(name: str, member: IO[bytes]) -> Iterator[list[Any]]:
        for i, raw in enumerate(member, start=1):
            try:
                values = json.loads(raw)
            except ValueError as exc:
                where = f"{path}:tables/{name}.jsonl"
                raise InputError(f"bad row: {exc.__class__.__name__}", path=where, line=i) from None
            yield [_decode(v) for v in values]

    for name, t in sorted(manifest["tables"].items()):
        member = tar.extractfile(f"tables/{name}.jsonl")
        if member is None:
            raise InputError(f"the archive lacks tables/{name}.jsonl", path=str(path))
        yield name, list(t["columns"]), rows(name, member)


def restore(target: Store, path: Path) -> BackupInfo:
    """Restore a backup (archive or SQLite snapshot) into an empty ``target`` store, in one transaction.

    A target without a schema is brought to the backup's schema version first, filled, then
    migrated forward to this version of lagesbild. The restored content is checked against the
    backup's per-table hashes before the transaction commits.

    Raises:
        InputError: if the file is not a lagesbild backup or is damaged.
        StoreError: if the target is not empty, has another schema, or the restore fails
            (nothing is written then).
    """
    if not path.is_file():
        raise InputError("backup file not found", path=str(path))
    if _is_sqlite_file(path):
        # Read the snapshot through the same portable path, into a temporary archive.
        with Store.open(f"sqlite:///{path}", migrate=False) as src, tempfile.TemporaryDirectory() as d:
            tmp = Path(d) / "snapshot.tar.gz"
            backup(src, tmp)
            return _restore_archive(target, tmp, shown=path)
    return _restore_archive(target, path, shown=path)


def _restore_archive(target: Store, path: Path, *, shown: Path) -> BackupInfo:
    tar, manifest = _open_archive(path)
    expected = {n: (int(t["rows"]), str(t["sha256"])) for n, t in manifest["tables"].items()}
    try:
        with tar, target.engine.begin() as conn:
            _prepare_schema(conn, target, list(manifest["migrations"]))
            _check_empty(conn, target)
            _copy_from(conn, target, _archive_source(tar, manifest, shown))
            got = []
            for name in sorted(expected):
                t = _reflect(conn, name)
                d = _Digest()
                for row in _rows(conn, t, list(manifest["tables"][name]["columns"])):
                    d.add(_line(row))
                got.append(TableDigest(name, d.n, d.hexdigest()))
                if (d.n, d.hexdigest()) != expected[name]:
                    raise StoreError(
                        f"table {name} restored with {d.n} rows but the backup has {expected[name][0]} "
                        "or its content differs; nothing was restored"
                    )
            _migrations.migrate(conn)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"restoring into {target.safe_url} failed, nothing was restored: {exc.__class__.__name__}: "
            f"{str(getattr(exc, 'orig', exc)).splitlines()[0]}"
        ) from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InputError(f"the backup archive is damaged: {exc}", path=str(shown)) from None
    log.info("restored %s into %s", shown, target.safe_url)
    return BackupInfo(
        shown, int(manifest["schema_version"]), str(manifest["source_backend"]), str(manifest["created_at"]), tuple(got)
    )
