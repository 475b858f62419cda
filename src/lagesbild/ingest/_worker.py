"""Read, validate and pseudonymize a file in a worker process while the parent stores.

Reading and validating is pure Python and takes most of an import's time; storing is mostly
SQLite's C code. Splitting them over two processes uses both cores. An ad seen on many days
has the same content in each sighting, so the worker sends each distinct content once
(``content id -> the row's content columns``) and per record only ``(site, site_ad_id,
seen_at, content id)``: far less to pickle. Messages: ``("rows", new_contents, rows,
bytes_read)``, then ``("done", ...)`` or ``("error", exception, ...)``; the parent re-raises
the error, so behaviour (one transaction, errors naming file and line) is the same as the
single-process path.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lagesbild.errors import LagesbildError
from lagesbild.privacy import mask_identifiers

log = logging.getLogger(__name__)

_QUEUE_BATCHES = 6  # bounds the memory in flight
_MAX_CONTENTS = 100_000  # both sides forget contents beyond this (a "reset" message)


def _content_row(c: tuple[Any, ...]) -> tuple[Any, ...]:
    # c = Observation fields from url to posted_at; lists of pseudonyms/hashes become space-separated text
    return (*c[:11], " ".join(c[11]), " ".join(c[12]), " ".join(c[13]), " ".join(c[14]), c[15])


def _produce(path: str, key: bytes, fmt: str | None, out: Any) -> None:
    from lagesbild.ingest import iter_parts
    from lagesbild.ingest.validate import RecordConverter
    from lagesbild.privacy import Pseudonymizer

    read = 0

    def count(n: int) -> None:
        nonlocal read
        read += n

    ids: dict[int, int] = {}
    alive: list[tuple[Any, ...]] = []  # keeps content objects alive so their id() stays unique
    try:
        for batch in iter_parts(path, RecordConverter(Pseudonymizer(key)), fmt=fmt, progress=count):
            if len(ids) > _MAX_CONTENTS:
                ids.clear()
                alive.clear()
                out.put(("reset", None, None, 0))
            new: list[tuple[int, tuple[Any, ...]]] = []
            rows = []
            for site, ad_id, seen_at, content in batch:
                cid = ids.get(id(content))
                if cid is None:
                    cid = ids[id(content)] = len(alive)
                    alive.append(content)
                    new.append((cid, _content_row(content)))
                rows.append((site, ad_id, seen_at, cid))
            out.put(("rows", new, rows, read))
            read = 0
        out.put(("done", None, None, read))
    except LagesbildError as exc:
        out.put(("error", exc, None, 0))
    except Exception as exc:  # an unexpected bug: pass its description, not its (maybe unpicklable) state
        msg = mask_identifiers(f"import worker failed: {exc.__class__.__name__}: {exc}")
        out.put(("error", LagesbildError(msg), None, 0))


def parallel_row_batches(
    path: Path, key: bytes, fmt: str | None, progress: Callable[[int], None] | None
) -> Iterator[list[tuple[Any, ...]]]:
    """Yield batches of database rows (:func:`lagesbild.store.observation_row` form) made by a worker.

    Raises:
        InputError / InputErrors: as the single-process reader would.
        LagesbildError: if the worker dies.
    """
    ctx = mp.get_context("spawn")
    q: Any = ctx.Queue(maxsize=_QUEUE_BATCHES)
    proc = ctx.Process(target=_produce, args=(str(path), key, fmt, q), daemon=True, name="lagesbild-import")
    proc.start()
    contents: dict[int, tuple[Any, ...]] = {}
    try:
        while True:
            try:
                kind, new, rows, nbytes = q.get(timeout=1.0)
            except queue.Empty:
                if not proc.is_alive():
                    raise LagesbildError(
                        f"the import worker stopped unexpectedly (exit code {proc.exitcode})"
                    ) from None
                continue
            if progress is not None and nbytes:
                progress(nbytes)
            if kind == "rows":
                contents.update(new)
                yield [(site, ad_id, seen_at, *contents[cid]) for site, ad_id, seen_at, cid in rows]
            elif kind == "reset":
                contents.clear()
            elif kind == "error":
                raise new
            else:
                break
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=10)
        q.close()
