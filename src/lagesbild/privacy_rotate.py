"""Key rotation: re-key the store's pseudonyms without losing a link between them.

Pseudonyms are HMACs of raw identifiers, and raw identifiers are never kept, so a store
cannot be re-computed under a fresh key. Rotation therefore maps every stored pseudonym
through the new key::

    new_pseudonym = kind + "_" + HMAC-SHA256(new_key, old_pseudonym)[:24 hex]

(:func:`lagesbild.privacy.rekey_pseudonym`). Pseudonyms after a rotation are a function of
the old ones, so every equality between them holds as before: linking, counts and estimates
are unchanged. The key file becomes a *chain*: one hex key per line, oldest first, and
:class:`~lagesbild.privacy.Pseudonymizer` applies the chain to new identifiers, so that a
number imported after the rotation gets the same pseudonym as the rotated one.

What rotation buys: an old copy of the key file (or a leaked one) no longer turns raw numbers
into the store's pseudonyms, and a database copy taken before the rotation no longer matches
the current store's pseudonyms. What it does not: the key file must still be guarded as a
whole, since it holds every generation.

The steps are ordered so that a crash never loses the key:

1. the new chain is written next to the key as ``<key>.new`` (mode 0600, synced);
2. the store is re-keyed and its fingerprint updated in one transaction;
3. ``<key>.new`` replaces the key file.

After a crash between 2 and 3, running ``lagesbild key rotate`` again finds ``<key>.new``
matching the store and completes step 3; before 2, the stale ``<key>.new`` is discarded.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from lagesbild.errors import ConfigError, KeyMismatchError
from lagesbild.privacy import KEY_BYTES, key_fingerprint, load_key, rekey_pseudonym
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.store.rekey import rekey_store

__all__ = ["RotationResult", "pending_key_path", "rotate_key"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RotationResult:
    """What a rotation did."""

    key_file: Path
    old_fingerprint: str
    new_fingerprint: str
    generations: int
    pseudonyms: int
    values: int
    resumed: bool = False


def pending_key_path(key_file: Path) -> Path:
    """Where the new key chain waits while the store is re-keyed."""
    return key_file.with_name(key_file.name + ".new")


def _write_chain(path: Path, chain: bytes) -> None:
    lines = "".join(chain[i : i + KEY_BYTES].hex() + "\n" for i in range(0, len(chain), KEY_BYTES))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(lines)
        f.flush()
        os.fsync(f.fileno())


def _replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)
    dir_fd = os.open(dst.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def rotate_key(settings: Settings) -> RotationResult:
    """Re-key the store with a fresh key appended to the key chain (see the module docstring).

    Raises:
        KeyMismatchError: the key is missing, or is not the store's key.
        ConfigError: the store has no key bound yet (run ``lagesbild init``).
        StoreError: the re-keying failed; the store and the key file are as they were.
    """
    key_file = settings.key_file
    pending = pending_key_path(key_file)
    old = load_key(key_file)
    with Store.open(settings.db) as store:
        stored = store.get_meta("key_fingerprint")
        if stored is None:
            raise ConfigError(f"the store {store.safe_url} has no key yet; run `lagesbild init` first")
        if pending.exists():
            chain = load_key(pending)
            if key_fingerprint(chain) == stored:
                # The store was re-keyed but the key file not yet replaced: finish the rotation.
                _replace(pending, key_file)
                log.warning("completed an interrupted key rotation: %s now holds the new key chain", key_file)
                n = len(chain) // KEY_BYTES
                return RotationResult(key_file, key_fingerprint(old), stored, n, 0, 0, resumed=True)
            pending.unlink()  # left by a rotation that never reached the store
        old_fp = key_fingerprint(old)
        if old_fp != stored:
            raise KeyMismatchError(
                f"the key at {key_file} (fingerprint {old_fp}) is not the key of {store.safe_url} "
                f"(fingerprint {stored}); rotate with the installation's own key file"
            )
        new_key = secrets.token_bytes(KEY_BYTES)
        chain = old + new_key
        new_fp = key_fingerprint(chain)
        _write_chain(pending, chain)
        try:
            res = rekey_store(
                store,
                lambda p: rekey_pseudonym(p, new_key),
                expected_fingerprint=stored,
                new_fingerprint=new_fp,
            )
        except BaseException:
            # Decide by what the store holds now; when that cannot be read, keep <key>.new for the next run.
            try:
                now = store.get_meta("key_fingerprint")
            except Exception:  # the original error is re-raised below
                now = None
            if now == new_fp:
                _replace(pending, key_file)
            elif now == stored:
                pending.unlink(missing_ok=True)
            raise
        _replace(pending, key_file)
    log.info("rotated the key: %s -> %s, %d pseudonyms re-keyed", old_fp, new_fp, res.pseudonyms)
    return RotationResult(key_file, old_fp, new_fp, len(chain) // KEY_BYTES, res.pseudonyms, res.n_values)
