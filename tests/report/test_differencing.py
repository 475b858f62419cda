"""No hidden count can be worked out from the published tables of a period (issue #13: secondary suppression).

A simulated county is imported and linked; the national report, the county report and every
municipality report of one period are built (their contexts are what HTML, PDF and JSON
render). The same reports with threshold 1 (nothing hidden) give the true value of every cell.
Then, over all those outputs:

* no cell hidden in one output is published in another (the same value everywhere it is shown);
* in every additive relation the outputs imply (Sweden and its counties, the county and its
  municipalities, an area's ad-days and its weeks, each week's county value and its
  municipalities, the organised-activity figures, ads in networks and the rest), a hidden cell is
  never the only unknown of a published total, hidden cells never add up to a small number, and a
  hidden total is never the sum of published parts.

Before the one plan per period, Mjölby's ad count was ``..`` in the county report while its own
report's organised-activity section published it, and a municipality's weekly series was
protected on its own (county week minus the other municipalities gave a hidden week back).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest

from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.refdata import counties, municipalities
from lagesbild.report.build import ReportOptions
from lagesbild.report.context import Count, ReportContext
from lagesbild.report.counts import published_counts
from lagesbild.report.gather import load_report_data
from lagesbild.report.organized import organized_ads
from lagesbild.report.run import context_for
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.workspace import init_workspace, open_workspace

OPTS = ReportOptions(n_draws=1000, generated_at=date(2025, 2, 1))
LAN = "05"
KOMMUNER = sorted(c for c, m in municipalities().items() if m.county_code == LAN)
COUNTIES = sorted(counties())
THRESHOLD = 5
PERIODS = {
    # period: tables expected to hide a cell in it (checked, so that the test cannot pass by hiding nothing)
    "march": ((date(2024, 3, 1), date(2024, 3, 31)), {"ads", "ad_days", "week", "org.persons"}),
    "two-weeks": ((date(2024, 6, 3), date(2024, 6, 16)), {"org.persons"}),
}

Cell = tuple[str, str]


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Östergötland simulated (seed 3, used by no other report test), imported and linked."""
    root = tmp_path_factory.mktemp("report-differencing")
    simulate(load_config("ostergotland"), seed=3, out_dir=root / "world")
    settings = load_settings(home=str(root / "data"), db=f"sqlite:///{root / 'data' / 'lagesbild.db'}")
    init_workspace(settings)
    ws = open_workspace(settings)
    import_file(ws.store, ws.pseudonymizer, root / "world" / "observations.jsonl.gz", parallel=None)
    process_new(ws.store)
    yield ws.store
    ws.close()


@dataclass
class Published:
    """Every cell the outputs show: cell -> the values shown (``None``: hidden), and where."""

    shown: dict[Cell, list[tuple[str, int | None]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, output: str, cell: Cell, count: Count | None) -> None:
        if count is None or (count.value is None and count.display not in ("..", f"<{THRESHOLD}")):
            return  # not published here ("inga data": a municipality without ads in the period)
        self.shown[cell].append((output, count.value))

    def value(self, cell: Cell) -> int | None:
        """The published value (``None``: hidden or never published)."""
        vals = [v for _, v in self.shown.get(cell, [])]
        return vals[0] if vals and all(v is not None for v in vals) else None


def _collect(ctx: ReportContext, pub: Published) -> None:
    out = f"report {ctx.area}"
    for kf in ctx.summary:
        if kf.key in ("ads", "ad_days"):
            pub.add(out, (kf.key, ctx.area), Count(kf.value, kf.display))
    for row in (*ctx.rows, ctx.total):
        pub.add(out, ("ads", row.code), row.ads)
        pub.add(out, ("ad_days", row.code), row.ad_days)
    for p in ctx.series.points:
        pub.add(out, ("week", f"{ctx.area}|{p.start}"), Count(p.value, p.display))
    org = ctx.organized
    if org is not None:
        for name in ("ads", "persons", "networks", "persons_in_networks", "ads_in_networks", "multi_municipality",
                     "multi_county"):  # fmt: skip
            pub.add(out, (f"org.{name}", ctx.area), getattr(org, name))
        for ind in org.indicators:
            pub.add(out, (f"org.ind.{ind.code}", ctx.area), ind.ads)


def _outputs(store: Store, start: date, end: date, threshold: int) -> list[ReportContext]:
    data = load_report_data(store, start, end, threshold=threshold)
    ads = organized_ads(store)
    assert ads, "the fixture is linked"
    return [context_for(store, data, area, OPTS, organized=ads) for area in ["SE", LAN, *KOMMUNER]]


def _relations(truth: Published, weeks: list[str]) -> list[tuple[Cell, list[Cell]]]:
    """The additive relations between the cells (total, parts); unpublished parts count as unknown."""
    keys = [*KOMMUNER, f"{LAN}?"]
    rels: list[tuple[Cell, list[Cell]]] = []
    tables = {t for t, _ in truth.shown}
    lans = [c for c in COUNTIES if c != "SE"]
    for t in ("ads", "ad_days"):
        rels.append(((t, LAN), [(t, k) for k in keys]))
        rels.append(((t, "SE"), [(t, c) for c in [*lans, "?"]]))
    for area in ["SE", LAN, *KOMMUNER]:
        rels.append((("ad_days", area), [("week", f"{area}|{w}") for w in weeks]))
    for w in weeks:
        rels.append((("week", f"{LAN}|{w}"), [("week", f"{k}|{w}") for k in keys]))
        rels.append((("week", f"SE|{w}"), [("week", f"{c}|{w}") for c in [*lans, "?"]]))
    for t in sorted(x for x in tables if x.startswith("org.")):
        rels.append(((t, LAN), [(t, k) for k in keys]))
        rels.append(((t, "SE"), [(t, c) for c in [*lans, "?"]]))
    for area in ["SE", LAN, *KOMMUNER]:
        for part, rest in (("ads_in_networks", "ads_outside"), ("persons_in_networks", "persons_outside")):
            whole = "ads" if part.startswith("ads") else "persons"
            rels.append(((f"org.{whole}", area), [(f"org.{part}", area), (f"org.{rest}", area)]))
    return rels


def _true_value(truth: Published, cell: Cell) -> int:
    t, area = cell
    if t in ("org.ads_outside", "org.persons_outside"):
        whole, part = ("ads", "ads_in_networks") if t == "org.ads_outside" else ("persons", "persons_in_networks")
        return (truth.value((f"org.{whole}", area)) or 0) - (truth.value((f"org.{part}", area)) or 0)
    return truth.value(cell) or 0


@pytest.mark.parametrize("name", sorted(PERIODS))
def test_no_hidden_cell_can_be_worked_out_from_the_published_tables(linked: Store, name: str) -> None:
    (start, end), expect_hidden = PERIODS[name]
    pub, truth = Published(), Published()
    outputs = _outputs(linked, start, end, THRESHOLD)
    for ctx in outputs:
        _collect(ctx, pub)
    for ctx in _outputs(linked, start, end, 1):
        _collect(ctx, truth)
    # the outputs do hide something, and do publish the organised-activity section
    hidden = {c for c, shown in pub.shown.items() if any(v is None for _, v in shown)}
    assert expect_hidden <= {t for t, _ in hidden}, {t for t, _ in hidden}
    assert any(t.startswith("org.") for t, _ in pub.shown)

    # 1. one cell, one fate: hidden everywhere or shown with the same value everywhere
    for cell, shown in pub.shown.items():
        values = {v for _, v in shown}
        assert len(values) == 1, f"{cell} is {sorted(shown, key=str)}"
        if None not in values:
            assert values == {truth.value(cell)}, cell
    # a municipality's purchases (proportional to its ad-days) are hidden in its own report's summary
    # when the county table hides its row
    hidden_days = [c.area for c in outputs if c.area in KOMMUNER and ("ad_days", c.area) in hidden]
    assert hidden_days or name != "march"
    for ctx in outputs:
        if ctx.area in hidden_days:
            assert next(k for k in ctx.summary if k.key == "purchases").value is None, ctx.area
    # the organised-activity section hides what the county table hides (Mjölby's case in issue #13)
    for k in KOMMUNER:
        if pub.value(("ads", k)) is None and (("org.ads", k) in pub.shown):
            assert pub.value(("org.ads", k)) is None, k

    # 2. no differencing: total minus published parts never isolates or bounds a hidden cell
    weeks = sorted({c[1].split("|")[1] for c in truth.shown if c[0] == "week"})
    failures = []
    for total, parts in _relations(truth, weeks):
        unknown = [p for p in parts if pub.value(p) is None and _true_value(truth, p) > 0]
        if pub.value(total) is not None:
            if not unknown:
                continue
            s = sum(_true_value(truth, p) for p in unknown)
            if len(unknown) == 1 and (unknown[0] in hidden or s < THRESHOLD):
                failures.append(f"{unknown[0]} = {total} - published parts = {s}")
            elif 0 < s < THRESHOLD:
                failures.append(f"{unknown} add up to {s} = {total} - published parts")
        elif total in hidden and _true_value(truth, total) > 0 and not unknown:
            failures.append(f"hidden {total} is the sum of its published parts")
    assert not failures, "\n".join(failures[:20])


def test_stats_publishes_what_the_report_of_the_same_month_publishes(linked: Store) -> None:
    """``lagesbild stats`` is an export of the same cells: it applies the report's plan, cell by cell."""
    (start, end), _ = PERIODS["march"]
    pub = Published()
    for ctx in _outputs(linked, start, end, THRESHOLD):
        _collect(ctx, pub)
    rows = [r for r in linked.observation_counts(lan=LAN, period="month") if r.period == "2024-03"]
    published = published_counts(linked, rows, period="month", threshold=THRESHOLD)
    assert published and any(p.ads.value is None for p in published)
    for p in published:
        key = p.kommun_kod or f"{p.lan_kod}?"
        assert p.ads.value == pub.value(("ads", key)), key
        if p.ads.value is None:
            assert p.observations.value is None, "observations bound a hidden ad count"
