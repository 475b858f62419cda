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
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from lagesbild.errors import InputError, InputErrors
from lagesbild.ingest._worker import parallel_row_batches
from lagesbild.ingest.fields import FIELDS
from lagesbild.ingest.readers import detect_format, read_records
from lagesbild.ingest.validate import RecordConverter, RecordError
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer, mask_identifiers
from lagesbild.store import ImportSummary, Store

__all__ = ["FIELDS", "import_file", "iter_observations"]

log = logging.getLogger(__name__)

BATCH = 5_000
MAX_ERRORS = 20


def _open(path: Path) -> BinaryIO:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


Parts = tuple[str, str, str, tuple[Any, ...]]


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
    for batch in iter_parts(path, RecordConverter(pseudonymizer), fmt=fmt, progress=progress, max_errors=max_errors):
        yield [Observation(site, ad_id, seen_at, *content) for site, ad_id, seen_at, content in batch]


def iter_parts(
    path: str | Path,
    convert: RecordConverter,
    *,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    max_errors: int = MAX_ERRORS,
) -> Iterator[list[Parts]]:
    """The reading loop behind :func:`iter_observations`, yielding :meth:`RecordConverter.parts`."""
    p = Path(path)
    fmt = fmt or detect_format(p)
    errors: list[InputError] = []
    batch: list[Parts] = []
    parts = convert.parts
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
                        row = parts(rec)
                    except RecordError as exc:
                        # Messages never repeat values, but a field name can be data (a JSON key).
                        field = None if exc.field is None else mask_identifiers(exc.field)
                        errors.append(InputError(mask_identifiers(exc.message), path=str(p), line=lineno, field=field))
                    else:
                        if not errors:
                            batch.append(row)
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


PARALLEL_MIN_BYTES = 16 * 1024 * 1024
"""Files at least this large are read in a worker process (see :mod:`lagesbild.ingest._worker`)."""


def import_file(
    store: Store,
    pseudonymizer: Pseudonymizer,
    path: str | Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = False,
) -> ImportSummary:
    """Import one JSONL or CSV file of ad observations into the store, in one transaction.

    Args:
        store: the open store.
        pseudonymizer: built from the installation's key (checked against the store's fingerprint).
        path: the file (``.jsonl``/``.csv``, optionally gzipped).
        fmt: ``"jsonl"`` or ``"csv"``; detected from the name if omitted.
        dry_run: validate only, store nothing.
        progress: called with the number of bytes read, for progress bars.
        parallel: read and validate in a worker process while storing (uses two cores). ``None``
            decides by size (files of 16 MiB or more, on a machine with more than one core). The worker
            is started with ``spawn``, so a script that uses it needs the ``if __name__ == "__main__":``
            guard; the CLI uses ``None``.

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
    if parallel is None:
        try:
            parallel = p.stat().st_size >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1
        except OSError:
            parallel = False
    if fmt is None:
        fmt = detect_format(p)
    sha = file_sha256(p)
    if parallel:
        rows = parallel_row_batches(p, pseudonymizer.key, fmt, progress)
        summary = store.import_observation_rows(rows, source=p.name, sha256=sha, dry_run=dry_run)
    else:
        batches = iter_observations(p, pseudonymizer, fmt=fmt, progress=progress)
        summary = store.import_observations(batches, source=p.name, sha256=sha, dry_run=dry_run)
    log.info("imported %s: %d records, %d new", p.name, summary.n_records, summary.n_new)
    return summary
