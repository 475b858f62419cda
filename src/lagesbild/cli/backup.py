"""`lagesbild backup` and `lagesbild restore`."""

from __future__ import annotations

from pathlib import Path

import typer

from lagesbild.cli._common import console, err_console, friendly_errors, settings_from
from lagesbild.errors import LagesbildError
from lagesbild.privacy import key_fingerprint, load_key
from lagesbild.store import Store
from lagesbild.store.backup import backup as backup_store
from lagesbild.store.backup import restore as restore_store
from lagesbild.store.backup import sqlite_snapshot


def backup(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The backup file to write (a .tar.gz archive, or with --sqlite a .db file)."),
    sqlite: bool = typer.Option(
        False, "--sqlite", help="Copy a SQLite store with SQLite's online backup API instead of the portable archive."
    ),
) -> None:
    """Back the store up to one file (mode 0600), readable by `lagesbild restore` on either backend.

    The portable archive holds every table as JSON lines with a manifest (schema version, row
    counts and content hashes), read in one consistent snapshot. The pseudonymization key is
    NOT in the backup: back the key file up separately and keep the two apart.

    Example: lagesbild backup lagesbild-2025-03-01.tar.gz
    """
    with friendly_errors(), Store.open(settings_from(ctx).db) as store:
        if sqlite:
            sqlite_snapshot(store, path)
            console.print(f"SQLite snapshot written to {path} (mode 0600). The key is not in it.")
            return
        info = backup_store(store, path)
    console.print(
        f"Backup written to {path} (mode 0600): {len(info.tables)} tables, {info.rows:,} rows, "
        f"schema version {info.schema_version}. The pseudonymization key is not in it: back it up separately."
    )


def restore(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A backup archive or SQLite snapshot written by `lagesbild backup`."),
) -> None:
    """Restore a backup into an empty store (the configured database, on either backend).

    The restore is one transaction, checked table by table against the backup's content hashes;
    a store that holds data is refused. Afterwards the key file is checked against the restored
    store: restore the key file from its own backup if it is missing.

    Example: lagesbild --db postgresql://lagesbild@db/lagesbild restore lagesbild-2025-03-01.tar.gz
    """
    settings = settings_from(ctx)
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    with friendly_errors(), Store.open(settings.db, migrate=False) as store:
        info = restore_store(store, path)
        expected = store.get_meta("key_fingerprint")
    console.print(f"Restored {info.rows:,} rows in {len(info.tables)} tables from {path} into {store.safe_url}.")
    try:
        fp = key_fingerprint(load_key(settings.key_file))
    except LagesbildError as exc:
        err_console.print(f"[bold yellow]Warning:[/] {exc}", highlight=False)
        return
    if expected is not None and fp != expected:
        err_console.print(
            f"[bold yellow]Warning:[/] the key at {settings.key_file} (fingerprint {fp}) is not the restored "
            f"store's key (fingerprint {expected}); restore the installation's key file before importing.",
            highlight=False,
        )
