"""Import ad observations from JSONL or CSV files.

Every record is validated; identifiers are pseudonymized at the door; the whole file is
stored in one transaction, so a bad line leaves the database as it was; a re-import of
the same file stores nothing new.

Example::

    from lagesbild.ingest import import_file
    summary = import_file(store, pseudonymizer, "ads.jsonl")
    print(summary.n_new, "new observations")
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from lagesbild.errors import InputError, InputErrors
from lagesbild.ingest.fields import FIELDS
from lagesbild.ingest.readers import detect_format, read_records
from lagesbild.ingest.validate import RecordError, to_observation
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import ImportSummary, Store

__all__ = ["FIELDS", "import_file", "iter_observations"]

log = logging.getLogger(__name__)

BATCH = 5_000
MAX_ERRORS = 20


def _open(path: Path) -> BinaryIO:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def iter_observations(
    path: str | Path,
    pseudonymizer: Pseudonymizer,
    *,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_errors: int = MAX_ERRORS,
) -> Iterator[list[Observation]]:
    """Read, validate and pseudonymize a file, yielding batches of observations.

    Raises (when the file has been read, or after ``max_errors`` errors):
        InputError / InputErrors: naming file, line and field of every problem found.
    """
    p = Path(path)
    fmt = fmt or detect_format(p)
    errors: list[InputError] = []
    batch: list[Observation] = []
    try:
        f = _open(p)
    except OSError as exc:
        raise InputError(f"cannot open file: {exc.strerror}", path=str(p)) from None
    with f:
        try:
            for lineno, rec in read_records(f, str(p), fmt, progress):
                if isinstance(rec, InputError):
                    errors.append(rec)
                else:
                    try:
                        obs = to_observation(rec, pseudonymizer)
                    except RecordError as exc:
                        errors.append(InputError(exc.message, path=str(p), line=lineno, field=exc.field))
                    else:
                        if not errors:
                            batch.append(obs)
                if len(errors) >= max_errors:
                    break
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            errors.append(InputError(f"cannot read file: {exc}", path=str(p)))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors, path=str(p))
    if batch:
        yield batch


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def import_file(
    store: Store,
    pseudonymizer: Pseudonymizer,
    path: str | Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one JSONL or CSV file of ad observations into the store, in one transaction.

    Args:
        store: the open store.
        pseudonymizer: built from the installation's key (checked against the store's fingerprint).
        path: the file (``.jsonl``/``.csv``, optionally gzipped).
        fmt: ``"jsonl"`` or ``"csv"``; detected from the name if omitted.
        dry_run: validate only, store nothing.
        progress: called with the number of bytes read, for progress bars.

    Raises:
        InputError: naming file, line and field; nothing is stored.
        KeyMismatchError: the key is not the store's.
    """
    p = Path(path)
    if dry_run:
        stored = store.get_meta("key_fingerprint")
        if stored is not None and stored != pseudonymizer.fingerprint:
            store.bind_key(pseudonymizer.fingerprint)  # raises KeyMismatchError
    else:
        store.bind_key(pseudonymizer.fingerprint)
    batches = iter_observations(p, pseudonymizer, fmt=fmt, progress=progress)
    summary = store.import_observations(batches, source=p.name, sha256=file_sha256(p), dry_run=dry_run)
    log.info("imported %s: %d records, %d new", p.name, summary.n_records, summary.n_new)
    return summary
