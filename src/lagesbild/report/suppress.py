"""Protection of small numbers: primary and complementary (secondary) suppression.

A published count below the threshold (setting ``small_count_threshold``, default 5) is shown
as ``<5`` (*primary* suppression). That alone is not enough when the table also publishes its
total: the total minus the other cells gives the hidden one back. So whenever a table with a
published total has hidden cells whose sum could be worked out and is below the threshold
(one hidden cell, or several that together are small), the next smallest non-zero cell is
hidden too (*secondary* suppression, shown as ``..``), and if no such cell is left, the total.

The report's tables are nested (municipalities in a county, counties in Sweden) and every report
publishes county totals, so suppression is planned once for the whole country
(:func:`plan_suppression`) and every report draws on the same plan: a county total hidden in the
national table is hidden in that county's own report as well.

Zero is shown as ``0``: the absence of ads identifies no one, and hiding zeros would hide the
map's most useful information.

Example::

    >>> suppress_cells({"a": 3, "b": 40, "c": 12}, threshold=5, total=55)
    ({'a': 'primary', 'b': None, 'c': 'secondary'}, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Mark", "SuppressionPlan", "is_small", "plan_suppression", "suppress_cells"]

Mark = Literal["primary", "secondary"] | None
"""How a cell is hidden: ``primary`` (below the threshold: ``<5``), ``secondary`` (``..``) or not at all."""


def is_small(value: int, threshold: int) -> bool:
    """A count that must not be published: between 1 and ``threshold - 1``."""
    return 0 < value < threshold


def suppress_cells(
    values: Mapping[str, int],
    *,
    threshold: int,
    total: int | None = None,
    forced: frozenset[str] = frozenset(),
    total_forced: bool = False,
) -> tuple[dict[str, Mark], Mark]:
    """Suppression marks for one table row whose cells add up to ``total`` (if the total is published).

    Args:
        values: the cells (true counts).
        threshold: counts ``1..threshold-1`` are hidden.
        total: the published total of the cells (``None`` if no total is published).
        forced: cells hidden already (for example because another table hides them); they count as
            secondary here.
        total_forced: the total is hidden already (by another table).

    Returns:
        The mark of each cell and the mark of the total.
    """
    marks: dict[str, Mark] = {}
    for k, v in values.items():
        if is_small(v, threshold):
            marks[k] = "primary"
        elif k in forced:
            marks[k] = "secondary"
        else:
            marks[k] = None
    total_mark: Mark = None
    if total is not None and is_small(total, threshold):
        total_mark = "primary"
    elif total_forced:
        total_mark = "secondary"
    if total is not None and total_mark == "secondary" and not any(m and values[k] > 0 for k, m in marks.items()):
        # The hidden total would follow from the cells: hide the smallest non-zero cell too.
        smallest = sorted((v, k) for k, v in values.items() if v > 0)
        if smallest:
            marks[smallest[0][1]] = "secondary"
    if total is None or total_mark is not None:
        return marks, total_mark
    while True:
        hidden = [k for k, m in marks.items() if m is not None]
        if not hidden:
            break
        hidden_sum = sum(values[k] for k in hidden)
        # Safe when at least two non-zero cells are hidden and their sum is not itself small.
        nonzero_hidden = sum(1 for k in hidden if values[k] > 0)
        if nonzero_hidden >= 2 and hidden_sum >= threshold:
            break
        if nonzero_hidden == 0:
            break
        candidates = sorted((v, k) for k, v in values.items() if marks[k] is None and v > 0)
        if not candidates:
            total_mark = "secondary"
            break
        marks[candidates[0][1]] = "secondary"
    return marks, total_mark


@dataclass(frozen=True)
class SuppressionPlan:
    """Which municipality cells, county totals and the national total are hidden, for one count.

    Attributes:
        threshold: the threshold used.
        kommun: mark per municipality code (``""`` prefixed by the county for unplaced ads, e.g. ``"05?"``).
        lan: mark per county total.
        national: mark of the national total.
    """

    threshold: int
    kommun: dict[str, Mark] = field(default_factory=dict)
    lan: dict[str, Mark] = field(default_factory=dict)
    national: Mark = None

    def mark(self, code: str) -> Mark:
        """The mark of a municipality (4 digits or ``"05?"``), county (2 digits) or ``"SE"``."""
        if code == "SE":
            return self.national
        if len(code) == 2:
            return self.lan.get(code)
        return self.kommun.get(code)


def plan_suppression(
    by_kommun: Mapping[str, int], kommun_lan: Mapping[str, str], *, threshold: int, unplaced: int = 0
) -> SuppressionPlan:
    """Plan suppression of one additive count over the whole country.

    Args:
        by_kommun: the count per municipality (keys as in ``kommun_lan``; missing means 0).
        kommun_lan: the county of every municipality key (all of them, so zeros are known).
        threshold: the small-count threshold.
        unplaced: counted in Sweden but in no county (ads whose place is unknown).

    Returns:
        The plan. County totals are protected in the national table first; each county's
        municipality table is then protected given whether its total is published.
    """
    lan_values: dict[str, int] = {}
    for k, lan in kommun_lan.items():
        lan_values[lan] = lan_values.get(lan, 0) + int(by_kommun.get(k, 0))
    national_total = sum(lan_values.values()) + unplaced
    cells = dict(lan_values)
    if unplaced:
        cells["?"] = unplaced
    lan_marks, national_mark = suppress_cells(cells, threshold=threshold, total=national_total)
    lan_marks.pop("?", None)
    kommun_marks: dict[str, Mark] = {}
    for lan, lan_total in lan_values.items():
        members = {k: int(by_kommun.get(k, 0)) for k, kl in kommun_lan.items() if kl == lan}
        marks, _ = suppress_cells(
            members, threshold=threshold, total=lan_total, total_forced=lan_marks.get(lan) is not None
        )
        kommun_marks.update(marks)
    return SuppressionPlan(threshold, kommun_marks, lan_marks, national_mark)
