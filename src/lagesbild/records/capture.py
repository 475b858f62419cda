"""Capture histories: the record linking produces (:mod:`lagesbild.link.overlap`) and
capture-recapture reads (:mod:`lagesbild.estimate.crc`).

:class:`CaptureHistories` (one 0/1 column per occasion or source) and :class:`FrequencyCounts`
(single-source frequencies) live below both stages, so that linking can build the estimators'
input without importing the estimation layer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lagesbild.errors import EstimateInputError

__all__ = ["CaptureHistories", "FloatArray", "FrequencyCounts", "IntArray", "all_histories"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def all_histories(t: int) -> IntArray:
    """All ``2**t - 1`` observable capture histories of ``t`` occasions, as a 0/1 matrix.

    Rows are in a fixed order: the binary expansion of 1 .. 2**t - 1 (first occasion is the
    most significant digit). The all-zero history (never captured) is not included.
    """
    if t < 1:
        raise EstimateInputError("at least one capture occasion is needed")
    rows = [h for h in itertools.product((0, 1), repeat=t) if any(h)]
    return np.array(rows, dtype=np.int64)


@dataclass(frozen=True)
class CaptureHistories:
    """Capture histories of a closed population: one 0/1 column per occasion (or list/source).

    Attributes:
        sources: names of the occasions/sources, in column order.
        patterns: the distinct capture histories observed (tuples of 0/1, one entry per source).
        counts: how many units have each history (same order as ``patterns``). Zeros are allowed.

    Units never captured (all-zero history) cannot be observed and are rejected.
    """

    sources: tuple[str, ...]
    patterns: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        t = len(self.sources)
        if t < 2:
            raise EstimateInputError("capture-recapture needs at least two occasions or sources")
        if len(set(self.sources)) != t:
            raise EstimateInputError("source names must be unique")
        if len(self.patterns) != len(self.counts):
            raise EstimateInputError("patterns and counts must have the same length")
        seen: set[tuple[int, ...]] = set()
        for pattern, count in zip(self.patterns, self.counts, strict=True):
            if len(pattern) != t:
                raise EstimateInputError(f"history {pattern} has {len(pattern)} entries, expected {t}")
            if any(v not in (0, 1) for v in pattern):
                raise EstimateInputError(f"history {pattern} must contain only 0 and 1")
            if not any(pattern):
                raise EstimateInputError("the all-zero history (never captured) cannot be observed")
            if count < 0:
                raise EstimateInputError(f"history {pattern} has a negative count")
            if pattern in seen:
                raise EstimateInputError(f"history {pattern} is listed twice")
            seen.add(pattern)
        if sum(self.counts) <= 0:
            raise EstimateInputError("no captured unit")

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[int]], sources: Sequence[str] | None = None) -> CaptureHistories:
        """Build from one 0/1 row per captured unit."""
        tally: dict[tuple[int, ...], int] = {}
        for row in rows:
            key = tuple(int(v) for v in row)
            tally[key] = tally.get(key, 0) + 1
        return cls.from_counts(tally, sources)

    @classmethod
    def from_counts(cls, counts: dict[tuple[int, ...], int], sources: Sequence[str] | None = None) -> CaptureHistories:
        """Build from a mapping history -> number of units (repeated histories are not possible here)."""
        if not counts:
            raise EstimateInputError("no capture history given")
        t = len(next(iter(counts)))
        names = tuple(sources) if sources is not None else tuple(f"c{i + 1}" for i in range(t))
        patterns = tuple(sorted(counts, reverse=True))
        return cls(names, patterns, tuple(int(counts[p]) for p in patterns))

    @property
    def n_occasions(self) -> int:
        """Number of capture occasions or sources (``t``)."""
        return len(self.sources)

    @property
    def n_observed(self) -> int:
        """Number of distinct units captured at least once (``n``)."""
        return int(sum(self.counts))

    def cell_counts(self) -> tuple[IntArray, FloatArray]:
        """The full table: all ``2**t - 1`` observable histories and their counts (zeros filled in)."""
        hist = all_histories(self.n_occasions)
        index = {tuple(int(v) for v in row): i for i, row in enumerate(hist)}
        y = np.zeros(len(hist), dtype=np.float64)
        for pattern, count in zip(self.patterns, self.counts, strict=True):
            y[index[pattern]] += count
        return hist, y

    def capture_frequencies(self) -> FrequencyCounts:
        """Collapse to ``f_k`` = number of units captured exactly ``k`` times, k = 1..t."""
        f = [0] * self.n_occasions
        for pattern, count in zip(self.patterns, self.counts, strict=True):
            f[sum(pattern) - 1] += count
        return FrequencyCounts(tuple(f), n_occasions=self.n_occasions)

    def pair(self, i: int, j: int) -> tuple[int, int, int]:
        """Two-source summary of sources ``i`` and ``j`` (0-based): ``(n_i, n_j, m_ij)``.

        Units seen in neither of the two sources are ignored.
        """
        ni = nj = m = 0
        for pattern, count in zip(self.patterns, self.counts, strict=True):
            ni += count * pattern[i]
            nj += count * pattern[j]
            m += count * pattern[i] * pattern[j]
        return ni, nj, m


@dataclass(frozen=True)
class FrequencyCounts:
    """Single-source frequency counts: ``counts[k-1]`` units were seen exactly ``k`` times.

    Attributes:
        counts: ``f_1, f_2, ...``; zeros are allowed.
        n_occasions: the number of occasions ``t`` if the counts come from ``t`` occasions;
            ``None`` when the number of sightings is unbounded (for example repeated contacts
            with a service over a period).
    """

    counts: tuple[int, ...]
    n_occasions: int | None = None

    def __post_init__(self) -> None:
        if not self.counts:
            raise EstimateInputError("no frequency given")
        if any(c < 0 for c in self.counts):
            raise EstimateInputError("frequencies must be non-negative")
        if sum(self.counts) <= 0:
            raise EstimateInputError("no observed unit")
        if self.n_occasions is not None and len(self.counts) > self.n_occasions:
            raise EstimateInputError(f"units seen {len(self.counts)} times but only {self.n_occasions} occasions")

    @property
    def n_observed(self) -> int:
        """Number of distinct units observed."""
        return int(sum(self.counts))

    def f(self, k: int) -> int:
        """``f_k``, the number of units observed exactly ``k`` times (0 beyond the table)."""
        return self.counts[k - 1] if 1 <= k <= len(self.counts) else 0
