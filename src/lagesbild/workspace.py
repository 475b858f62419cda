"""The installation: its data folder, database and key, opened together.

``lagesbild init`` creates a workspace; every other command opens one. The key file is
kept outside the database; the database records the key's fingerprint so that a wrong
key is refused.

The data folder is private: created with mode 0700 (``init`` also tightens an existing one),
and the files the package writes into it (the SQLite database and its ``-wal``/``-shm``, the
key, reports, exports) are 0600 (see :mod:`lagesbild.privacy`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from lagesbild.errors import KeyMismatchError
from lagesbild.privacy import Pseudonymizer, create_key, load_key, private_dir, tighten
from lagesbild.settings import Settings
from lagesbild.store import Store

__all__ = ["InitResult", "Workspace", "init_workspace", "open_workspace"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InitResult:
    home: Path
    key_file: Path
    key_created: bool
    db: str
    schema_version: int


@dataclass
class Workspace:
    """An open installation: settings, store and pseudonymizer."""

    settings: Settings
    store: Store
    pseudonymizer: Pseudonymizer

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def init_workspace(settings: Settings) -> InitResult:
    """Create the data folder, the key (mode 0600, never overwritten) and the database.

    Running it again on an existing folder keeps the key and the data; it only makes the
    data folder private (mode 0700) if it was readable by others.

    Raises:
        KeyMismatchError: if the database exists and was created with another key.
        StoreError: if the database cannot be reached.
    """
    private_dir(settings.home)
    if tighten(settings.home):
        log.warning("the data folder %s was readable by other users; it is now private (mode 0700)", settings.home)
    if not settings.key_file.exists():
        # A store that already has a key must never get a fresh one: new pseudonyms would not match.
        with Store.open(settings.db) as store:
            bound = store.get_meta("key_fingerprint")
            if bound is not None:
                raise KeyMismatchError(
                    f"the database {store.safe_url} was created with a key (fingerprint {bound}), but no key "
                    f"file is at {settings.key_file}. Restore the installation's key file there from its backup "
                    "(or point --key-file / LAGESBILD_KEY_FILE at it); a new key would not match the stored data."
                )
    created = create_key(settings.key_file)
    if created:
        log.info("created a new pseudonymization key at %s", settings.key_file)
    key = load_key(settings.key_file)
    pz = Pseudonymizer(key)
    with Store.open(settings.db) as store:
        store.bind_key(pz.fingerprint)
        version = store.schema_version()
        url = store.safe_url
    return InitResult(settings.home, settings.key_file, created, url, version)


def open_workspace(settings: Settings) -> Workspace:
    """Open the store and the key, and check that they belong together.

    Raises:
        KeyMismatchError: missing key, or a key other than the one the database was created with.
        StoreError: the database cannot be reached.
    """
    key = load_key(settings.key_file)
    _warn_if_shared(settings.home)
    store = Store.open(settings.db)
    try:
        pz = Pseudonymizer(key, expected_fingerprint=store.get_meta("key_fingerprint"))
    except Exception:
        store.close()
        raise
    return Workspace(settings, store, pz)


def _warn_if_shared(home: Path) -> None:
    try:
        mode = home.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        log.warning("the data folder %s is readable by other users; `lagesbild init` makes it private", home)
