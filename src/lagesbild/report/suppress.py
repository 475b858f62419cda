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

Every table of one period is protected together (:func:`plan_period`, :func:`protect`): the
county and municipality counts, each area's weekly series (the weeks add up to the area's ad-days,
and each week's municipalities to the county's week) and the organised-activity figures of every
area (:mod:`lagesbild.report.organized`). One plan per period gives each (table, cell) one mark,
which every report, section and export of that period applies, so a cell hidden in one output is
never published in another, and no hidden cell is a published total minus published cells.

Zero is shown as ``0``: the absence of ads identifies no one, and hiding zeros would hide the
map's most useful information.

Example::

    >>> suppress_cells({"a": 3, "b": 40, "c": 12}, threshold=5, total=55)
    ({'a': 'primary', 'b': None, 'c': 'secondary'}, None)
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from lagesbild.settings import is_small

__all__ = [
    "Cell",
    "Mark",
    "Relation",
    "SuppressionPlan",
    "area_relations",
    "hidden_areas",
    "is_small",
    "plan_period",
    "plan_suppression",
    "protect",
    "protect_breakdown",
    "suppress_cells",
    "week_cell",
    "weeks_of",
]

Mark = Literal["primary", "secondary"] | None
"""How a cell is hidden: ``primary`` (below the threshold: ``<5``), ``secondary`` (``..``) or not at all."""


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
        The plan: the same marks as the table of the same name in :func:`plan_period` for the
        same counts (both protect the relations of :func:`area_relations` with :func:`protect`),
        so a page that publishes only this count (the dashboard) agrees with the reports.
    """
    areas = _areas(kommun_lan)
    values = _area_values("count", by_kommun, areas, unplaced)
    marks = protect(values, area_relations("count", kommun_lan, unplaced=True), threshold=threshold)
    return _as_plan(threshold, "count", marks)


# --- one plan for every table of a period -------------------------------------------------------

Cell = tuple[str, str]
"""A published cell: ``(table, key)``, e.g. ``("ads", "0586")`` or ``("week", "0586|2024-03-04")``."""


@dataclass(frozen=True, slots=True)
class Relation:
    """An additive relation between published cells: ``total`` is the sum of ``parts``."""

    total: Cell
    parts: tuple[Cell, ...]


def _protect_one(rel: Relation, values: Mapping[Cell, int], marks: dict[Cell, Mark], threshold: int) -> Cell | None:
    """Hide one more cell of ``rel`` if a hidden cell could be worked out from it; returns that cell."""
    hidden = [p for p in rel.parts if marks.get(p) is not None and values.get(p, 0) > 0]
    published = sorted(
        (values.get(p, 0), p) for p in rel.parts if marks.get(p) is None and values.get(p, 0) > 0
    )
    if marks.get(rel.total) is not None:
        # the total is hidden: it must not be the sum of published parts
        if hidden or not published:
            return None
        marks[published[0][1]] = "secondary"
        return published[0][1]
    if not hidden:
        return None
    if len(hidden) >= 2 and sum(values.get(p, 0) for p in hidden) >= threshold:
        return None
    if published:
        marks[published[0][1]] = "secondary"
        return published[0][1]
    marks[rel.total] = "secondary"
    return rel.total


def protect(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    *,
    threshold: int,
    forced: Iterable[Cell] = (),
) -> dict[Cell, Mark]:
    """Primary and complementary suppression over any set of additive relations between cells.

    A cell of ``1..threshold-1`` is hidden (``primary``); then, until nothing changes, every relation
    whose total is published and whose hidden non-zero parts are one, or add up to less than the
    threshold, hides its smallest published non-zero part (or, if none is left, its total), and
    every relation whose total is hidden but whose parts are all published hides a part. So no
    hidden cell equals a published total minus published parts, and hidden cells of a relation
    never add up to a small number.

    Args:
        values: the true count of every cell (cells not given count as 0).
        relations: the additive relations (a total and its parts) the published tables imply.
        threshold: the small-count threshold.
        forced: cells hidden from the start (``secondary``), e.g. because the same cell is hidden elsewhere.

    Returns:
        The mark of every cell in ``values`` or in a relation.
    """
    rels = list(relations)
    marks: dict[Cell, Mark] = {}
    for c, v in values.items():
        marks[c] = "primary" if is_small(v, threshold) else None
    for c in forced:
        if marks.get(c) is None:
            marks[c] = "secondary"
    touching: dict[Cell, list[int]] = defaultdict(list)
    for i, r in enumerate(rels):
        marks.setdefault(r.total, None)
        touching[r.total].append(i)
        for p in r.parts:
            marks.setdefault(p, None)
            touching[p].append(i)
    queue = deque(range(len(rels)))
    queued = [True] * len(rels)
    while queue:
        i = queue.popleft()
        queued[i] = False
        changed = _protect_one(rels[i], values, marks, threshold)
        if changed is not None:
            for j in touching[changed]:
                if not queued[j]:
                    queued[j] = True
                    queue.append(j)
            if not queued[i]:  # the relation itself may need another cell
                queued[i] = True
                queue.append(i)
    return marks


def weeks_of(start: date, end: date) -> list[str]:
    """The Mondays (ISO dates) of the weeks that overlap ``start..end``: the points of a weekly series."""
    out = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        out.append(monday.isoformat())
        monday += timedelta(days=7)
    return out


def week_cell(area: str, week: str) -> str:
    """The key of an area's week in the ``week`` plan (``"0586|2024-03-04"``)."""
    return f"{area}|{week}"


def area_relations(table: str, kommun_lan: Mapping[str, str], unplaced: bool) -> list[Relation]:
    """Municipality keys add up to their county, counties (and ``?``) to Sweden, for one table."""
    by_lan: dict[str, list[str]] = defaultdict(list)
    for k, lan in kommun_lan.items():
        by_lan[lan].append(k)
    rels = [Relation((table, lan), tuple((table, k) for k in sorted(ks))) for lan, ks in sorted(by_lan.items())]
    national = [(table, lan) for lan in sorted(by_lan)] + ([(table, "?")] if unplaced else [])
    rels.append(Relation((table, "SE"), tuple(national)))
    return rels


def _areas(kommun_lan: Mapping[str, str]) -> dict[str, list[str]]:
    """Every area a report can cover (municipality keys, counties, ``SE``) and its municipality keys."""
    out: dict[str, list[str]] = {k: [k] for k in kommun_lan}
    for k, lan in kommun_lan.items():
        out.setdefault(lan, []).append(k)
    out["SE"] = [*kommun_lan, "?"]
    out["?"] = ["?"]
    return out


def _area_values(
    table: str, by_key: Mapping[str, int], areas: Mapping[str, list[str]], unplaced: int
) -> dict[Cell, int]:
    """The count of every area (:func:`_areas`) from the counts per municipality key."""
    return {
        (table, area): sum(int(by_key.get(k, 0)) for k in keys if k != "?") + (unplaced if "?" in keys else 0)
        for area, keys in areas.items()
    }


def plan_period(
    *,
    ads: Mapping[str, int],
    ad_days: Mapping[str, int],
    daily: Mapping[tuple[str, str], int],
    kommun_lan: Mapping[str, str],
    start: date,
    end: date,
    threshold: int,
    unplaced_ads: int = 0,
    unplaced_ad_days: int = 0,
) -> dict[str, SuppressionPlan]:
    """One suppression plan for every count table of a period, whichever report publishes it.

    The tables: ads and ad-days per municipality key, county and Sweden (``"?"``: ads placed
    nowhere); and the weekly ad-days series of every area (:func:`weeks_of`), whose weeks add up
    to the area's ad-days and whose municipalities add up to the county's week. An area whose
    ad-days are hidden shows none of its weeks.

    Args:
        ads, ad_days: per municipality key (``"0580"``, or ``"05?"`` for ads placed in a county only).
        daily: ad-days per (ISO day, municipality key or ``"?"``).
        kommun_lan: the county of every municipality key (all of them, so zeros are known).
        start, end: the period (both days included).
        threshold: the small-count threshold.
        unplaced_ads, unplaced_ad_days: counted in Sweden but in no county.

    Returns:
        ``{"ads": plan, "ad_days": plan, "week": plan}``; the week plan's keys are :func:`week_cell`.
    """
    areas = _areas(kommun_lan)
    values = _area_values("ads", ads, areas, unplaced_ads)
    values.update(_area_values("ad_days", ad_days, areas, unplaced_ad_days))
    weeks = weeks_of(start, end)
    week_of_day: dict[str, str] = {}
    per_key: dict[tuple[str, str], int] = defaultdict(int)
    for (day, key), n in daily.items():
        w = week_of_day.get(day)
        if w is None:
            d = date.fromisoformat(day)
            w = week_of_day[day] = (d - timedelta(days=d.weekday())).isoformat()
        per_key[(key, w)] += int(n)
    for area, keys in areas.items():
        for w in weeks:
            values[("week", week_cell(area, w))] = sum(per_key.get((k, w), 0) for k in keys)
    relations: list[Relation] = []
    relations += area_relations("ads", kommun_lan, unplaced=True)
    relations += area_relations("ad_days", kommun_lan, unplaced=True)
    for area in areas:
        relations.append(Relation(("ad_days", area), tuple(("week", week_cell(area, w)) for w in weeks)))
    by_lan: dict[str, list[str]] = defaultdict(list)
    for k, lan in kommun_lan.items():
        by_lan[lan].append(k)
    for w in weeks:
        for lan, ks in by_lan.items():
            relations.append(Relation(("week", week_cell(lan, w)), tuple(("week", week_cell(k, w)) for k in ks)))
        parts = [*(("week", week_cell(lan, w)) for lan in by_lan), ("week", week_cell("?", w))]
        relations.append(Relation(("week", week_cell("SE", w)), tuple(parts)))
    # An area whose ad-days are hidden publishes none of its weeks (as before the one plan): hiding
    # them can hide more totals, so repeat until no new area total is hidden.
    forced: set[Cell] = set()
    while True:
        marks = protect(values, relations, threshold=threshold, forced=forced)
        more = {
            ("week", week_cell(area, w))
            for area in areas
            if marks.get(("ad_days", area)) is not None
            for w in weeks
        } - forced
        if not more:
            break
        forced |= more
    return {table: _as_plan(threshold, table, marks) for table in ("ads", "ad_days", "week")}


def _as_plan(threshold: int, table: str, marks: Mapping[Cell, Mark]) -> SuppressionPlan:
    kommun: dict[str, Mark] = {}
    lan: dict[str, Mark] = {}
    national: Mark = None
    for (t, key), m in marks.items():
        if t != table:
            continue
        if key == "SE":
            national = m
        elif len(key) == 2:
            lan[key] = m
        else:
            kommun[key] = m
    return SuppressionPlan(threshold, kommun, lan, national)


def hidden_areas(plans: Mapping[str, SuppressionPlan], tables: Sequence[str] = ("ads", "ad_days")) -> set[str]:
    """The areas (municipality keys, counties, ``SE``, ``?``) whose count is hidden in any of ``tables``."""
    out: set[str] = set()
    for t in tables:
        plan = plans.get(t)
        if plan is None:
            continue
        out.update(k for k, m in plan.kommun.items() if m is not None)
        out.update(k for k, m in plan.lan.items() if m is not None)
        if plan.national is not None:
            out.add("SE")
    return out


def protect_breakdown(values: Mapping[str, int], total: int, *, threshold: int) -> tuple[dict[str, Mark], Mark]:
    """Marks for the parts of a published ``total`` that need not add up to it (some units are in no part).

    The unpublished rest (``total`` minus the parts) can be worked out by a reader, so it is
    protected like a cell: when it is small, a part is hidden with it. Used for the verdict
    section's age bands and travel flows, whose totals are the number of judgments.

    Returns:
        The mark of each part and of the total.
    """
    rest = "\x00rest"
    cells = {**values, rest: max(0, total - sum(values.values()))}
    marks, total_mark = suppress_cells(cells, threshold=threshold, total=total)
    marks.pop(rest, None)
    return marks, total_mark
