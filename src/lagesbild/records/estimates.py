"""The records estimation reads and produces, which the store keeps: the linked site ads the
activity counts are made from (:class:`LinkedAd`), one :class:`EstimateResult` per quantity,
and the :class:`DataSnapshot` that says which data the numbers were computed from.

They live below both :mod:`lagesbild.estimate` and :mod:`lagesbild.store`
(:mod:`lagesbild.store.estimates` reads and writes them), so that neither imports the other's layer.

Example::

    >>> EstimateResult("purchases", 1500.0, 1000.0, 2200.0, 0.9, "Monte Carlo").to_dict()["quantity"]
    'purchases'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["QUANTITIES", "DataSnapshot", "EstimateResult", "LinkedAd"]

QUANTITIES: tuple[str, ...] = (
    "persons",
    "personas",
    "person_days",
    "advertisers",
    "ads",
    "ad_days",
    "purchases",
    "persons_crc",
    "demand_12m",
    "demand_ever",
)
"""The quantities ``lagesbild estimate run`` computes, in the order it reports them."""


@dataclass(frozen=True)
class EstimateResult:
    """One estimated quantity with its interval and how it was made.

    Attributes:
        quantity: one of :data:`QUANTITIES`.
        estimate: the headline number (a count, the Monte Carlo median, the model's abundance...).
        low, high: the interval (for the other activity counts: the range linking leaves).
        level: the interval's coverage (0.9, 0.95), or None for a range that is not a confidence
            interval (the activity counts other than ``persons``).
        method: how it was computed, in words, with the model or parameters that matter.
    """

    quantity: str
    estimate: float
    low: float
    high: float
    level: float | None
    method: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)


@dataclass(frozen=True)
class DataSnapshot:
    """Which data an estimate was computed from, so a stored number can always be traced.

    Attributes:
        max_observation_id: the newest observation in the store (0 if none).
        max_import_id: the newest import (0 if none).
        link_run_id: the newest linking run, or None if nothing was linked.
        rules_version: the newest normalization rules version used, or None.
    """

    max_observation_id: int
    max_import_id: int
    link_run_id: int | None
    rules_version: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)


@dataclass(frozen=True)
class LinkedAd:
    """One linked site ad: what the activity counts need.

    Attributes:
        site: the site it was seen on.
        days: the distinct days it was seen (``YYYY-MM-DD``).
        kommun_kod, lan_kod: where it was placed, or None.
        ad_id, person_id, advertiser_id: its linking ids.
        fake: its person is a suspected fake (stolen photos).
    """

    site: str
    days: tuple[str, ...]
    kommun_kod: str | None
    lan_kod: str | None
    ad_id: str
    person_id: str
    advertiser_id: str
    fake: bool
