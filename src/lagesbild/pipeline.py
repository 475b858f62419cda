"""What runs when new observations arrive: normalize them, then link them.

``lagesbild import``, ``crawl`` and ``monitor`` call :func:`process_new` after storing, so the store's
normalized facts and links are always current; both steps are incremental (only what is new, or what
older rules produced) and resumable.

Example::

    from lagesbild.pipeline import process_new
    done = process_new(ws.store)
    print(done.linked.n_persons, "persons")
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from lagesbild.link import LinkRun
from lagesbild.link import run as link_run
from lagesbild.normalize.run import NormalizeSummary, normalize_store
from lagesbild.store import Store

__all__ = ["Processed", "process_new"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Processed:
    """What :func:`process_new` did."""

    normalized: NormalizeSummary
    linked: LinkRun


def process_new(store: Store, *, progress: Callable[[int, int], None] | None = None) -> Processed:
    """Normalize the observations not yet normalized, then link incrementally.

    Args:
        store: the open store.
        progress: normalization progress, ``progress(done, total)``.
    """
    normalized = normalize_store(store, progress=progress)
    linked = link_run(store)
    log.info("processed new observations: %s; %s", normalized, linked)
    return Processed(normalized, linked)
