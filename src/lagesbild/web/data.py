"""The data behind the pages and the API: typed contexts read from the store, never from the request.

Every figure comes from the same stored estimates as the report. Reading them goes through one
adapter, :func:`suite_for`: it uses :mod:`lagesbild.estimate.suite` (``ensure_suite``) when that
module is present, and otherwise the stored rows of ``estimate_results`` for the area and period
(computing and storing them with :func:`lagesbild.estimate.runner.run_estimates` the first time).

Counts of ads are published with the reports' small-count suppression
(:func:`lagesbild.report.suppress.plan_suppression`, one national plan per year): a suppressed
cell is shown as ``<5`` or ``..`` and its value is never sent. An area without data says so
(``has_data`` False: "inga data"), it is never shown as 0: in the API its coverage counts and the
months of its series are ``null`` with ``shown`` "inga data" / "no data" (:data:`NO_DATA`).
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TypeVar

from lagesbild import refdata
from lagesbild.errors import InputError, LagesbildError
from lagesbild.estimate.intervals import DEFAULT_LEVEL
from lagesbild.report.suppress import Mark, SuppressionPlan, plan_suppression
from lagesbild.store import CountRow, Store
from lagesbild.web.i18n import t

__all__ = [
    "NO_DATA",
    "AreaContext",
    "Cell",
    "Coverage",
    "FigureView",
    "SeriesPoint",
    "SuiteView",
    "WebData",
    "area_level",
    "suite_for",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

# The order figures are shown in (quantities of lagesbild.records.estimates.QUANTITIES): the headline
# estimates first, then the activity counts behind them.
DISPLAY_ORDER = (
    "persons", "purchases", "demand_12m", "demand_ever", "persons_crc", "personas", "advertisers", "ads",
    "ad_days", "person_days",
)  # fmt: skip


def _display_order(figures: tuple[FigureView, ...]) -> tuple[FigureView, ...]:
    rank = {q: i for i, q in enumerate(DISPLAY_ORDER)}
    return tuple(sorted(figures, key=lambda f: (rank.get(f.quantity, len(rank)), f.quantity)))


def area_level(code: str) -> str:
    """``"SE"``, ``"lan"`` or ``"kommun"`` for an area code.

    Raises:
        InputError: for a code that is no Swedish county or municipality.
    """
    if code == "SE":
        return "SE"
    if refdata.is_county_code(code):
        return "lan"
    if refdata.is_municipality_code(code):
        return "kommun"
    raise InputError(f"unknown area code {code!r}: use SE, a county (05) or a municipality (0580)", field="area")


def area_county(code: str) -> str:
    """The county of an area code (``SE`` for Sweden)."""
    level = area_level(code)
    return "SE" if level == "SE" else code[:2] if level == "lan" else refdata.municipality(code).county_code


@dataclass(frozen=True)
class Cell:
    """A published count: ``value`` is None when suppressed (``shown`` says ``<5`` or ``..``)."""

    value: int | None
    shown: str
    mark: Mark = None


NO_DATA = Cell(None, "inga data", None)
"""The cell of a period without data: no value (never 0), ``shown`` in the reader's language by ``to_json``."""


def cell(n: int, mark: Mark, threshold: int) -> Cell:
    if mark == "primary":
        return Cell(None, f"<{threshold}", mark)
    if mark == "secondary":
        return Cell(None, "..", mark)
    return Cell(n, f"{n:,}".replace(",", "\u00a0"), None)


@dataclass(frozen=True)
class FigureView:
    """One estimated quantity as published."""

    quantity: str
    estimate: float | None
    low: float | None
    high: float | None
    level: float | None
    method: str
    published: bool = True
    note: str = ""


@dataclass(frozen=True)
class Coverage:
    """What data an area's figures rest on."""

    observations: int | None  # None: no data in the period (never 0)
    ads: Cell  # NO_DATA when there is no data
    days_monitored: int
    first_day: str | None
    last_day: str | None
    has_data: bool


@dataclass(frozen=True)
class SuiteView:
    """The stored estimates of one area and period (what the report shows)."""

    area: str
    start: date
    end: date
    run_id: str | None
    created_at: str | None
    level: float
    figures: tuple[FigureView, ...]
    source: str

    @property
    def has_data(self) -> bool:
        return bool(self.figures)

    def figure(self, quantity: str) -> FigureView | None:
        return next((f for f in self.figures if f.quantity == quantity), None)


@dataclass(frozen=True)
class SeriesPoint:
    period: str
    ads: Cell


@dataclass(frozen=True)
class AreaContext:
    """Everything the overview and an area page show."""

    area: str
    area_name: str
    level: str
    year: int
    threshold: int
    coverage: Coverage
    suite: SuiteView
    series: tuple[SeriesPoint, ...]
    children: dict[str, Cell] = field(default_factory=dict)  # per municipality (county page) or county (SE)
    children_names: dict[str, str] = field(default_factory=dict)

    def to_json(self, lang: str = "sv") -> dict[str, Any]:
        """The API's answer; cells without data say "inga data" / "no data" in ``lang``."""
        d = asdict(self)
        no_data = t("no_data", lang)
        for c in [d["coverage"]["ads"], *(p["ads"] for p in d["series"]), *d["children"].values()]:
            if c["value"] is None and c["mark"] is None:
                c["shown"] = no_data
        d["suite"]["start"] = self.suite.start.isoformat()
        d["suite"]["end"] = self.suite.end.isoformat()
        d["suite"]["has_data"] = self.suite.has_data
        d["suite"]["figures"] = [_json_figure(f) for f in self.suite.figures]
        return d


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _json_figure(f: FigureView) -> dict[str, Any]:
    d = asdict(f)
    for k in ("estimate", "low", "high"):
        d[k] = _finite(d[k])
    return d


def _suite_module() -> Any | None:
    try:
        return importlib.import_module("lagesbild.estimate.suite")
    except ImportError:
        return None


def _figures_from_suite(suite: Any) -> tuple[FigureView, ...]:
    figs = suite.figures
    out = []
    for f in figs.values() if isinstance(figs, Mapping) else figs:
        out.append(
            FigureView(
                str(f.quantity), f.estimate, f.low, f.high, f.level, str(f.method),
                bool(getattr(f, "published", True)), str(getattr(f, "note", "") or ""),
            )
        )
    return _display_order(tuple(out))


def suite_for(store: Store, area: str, start: date, end: date, *, compute: bool = True) -> SuiteView:
    """The stored estimates of ``area`` for ``start..end`` (the same rows the report reads).

    Args:
        compute: when nothing is stored yet, compute and store the estimates (as the report would);
            False returns an empty view instead.

    Returns:
        The view; ``has_data`` is False when nothing could be estimated (nothing linked).
    """
    mod = _suite_module()
    if mod is not None:
        fn = mod.ensure_suite if compute else mod.load_suite
        try:
            s = fn(store, area, start, end)
        except InputError:
            s = None
        if s is None:
            return SuiteView(area, start, end, None, None, DEFAULT_LEVEL, (), "suite")
        return SuiteView(
            area, start, end, s.run_id, s.created_at, float(s.level), _figures_from_suite(s) if s.has_data else (),
            "suite",
        )  # fmt: skip
    from lagesbild.store.estimates import EstimateStore  # the store before estimate suites

    es = EstimateStore(store)
    rows = [r for r in es.results(area=area) if r.start == start and r.end == end]
    if not rows and compute:
        from lagesbild.estimate.runner import run_estimates

        try:
            run_estimates(store, area, start, end, save=True)
        except LagesbildError as exc:
            log.info("no estimates for %s %s..%s: %s", area, start, end, exc)
        rows = [r for r in es.results(area=area) if r.start == start and r.end == end]
    if not rows:
        return SuiteView(area, start, end, None, None, DEFAULT_LEVEL, (), "estimate_results")
    run_id = rows[0].run_id
    mine = sorted((r for r in rows if r.run_id == run_id), key=lambda r: r.id)
    figures = _display_order(tuple(
        FigureView(r.result.quantity, r.result.estimate, r.result.low, r.result.high, r.result.level, r.result.method)
        for r in mine
    ))  # fmt: skip
    return SuiteView(area, start, end, run_id, mine[0].created_at, DEFAULT_LEVEL, figures, "estimate_results")


class _VersionedCache:
    """A thread-safe cache of what the pages read, valid while the store's data does not change.

    The data version (newest import and linking run) is checked at most every ``check`` seconds, by
    one thread at a time (the others use what is kept meanwhile, rather than all asking the store);
    when it changes, everything cached is dropped. Entries also expire after ``max_age`` seconds, so
    that estimates stored by another process appear without a restart.
    """

    def __init__(self, version: Callable[[], Any], *, check: float, max_age: float, limit: int = 5000) -> None:
        self._version_fn = version
        self.check = check
        self.max_age = max_age
        self.limit = limit  # entries kept at most (the oldest go first): rendered pages add up
        self._version: Any = None
        self._checked = -math.inf
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._checking = threading.Lock()  # one version check at a time; the others do not wait for it
        self._key_locks: dict[Any, threading.Lock] = {}

    def _current(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check:
            return
        if not self._checking.acquire(blocking=False):
            return  # another thread is asking the store right now: meanwhile what is kept is used
        try:
            version = self._version_fn()
            with self._lock:
                self._checked = now
                if version != self._version:
                    self._version = version
                    self._data.clear()
        finally:
            self._checking.release()

    def peek(self, key: Any) -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is cached and the data version was checked within ``check``
        seconds (or is being checked); ``(False, None)`` otherwise. Never reads the store, so it may run
        on the event loop."""
        if time.monotonic() - self._checked >= self.check and not self._checking.locked():
            return False, None
        return self._hit(key)

    def _hit(self, key: Any) -> tuple[bool, Any]:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.max_age:
                return True, hit[1]
            return False, None

    def get(self, key: Any, make: Callable[[], T]) -> T:
        self._current()
        ok, value = self._hit(key)
        if ok:
            return value  # type: ignore[no-any-return]
        with self._lock:
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:  # one computation per key at a time; the others wait for it
            ok, value = self._hit(key)
            if ok:
                return value  # type: ignore[no-any-return]
            value = make()
            self.put(key, value)
            return value

    def put(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key`` as if it had just been made."""
        with self._lock:
            self._data.pop(key, None)  # re-inserted at the end: the oldest entries are evicted first
            self._data[key] = (time.monotonic(), value)
            while len(self._data) > self.limit:
                del self._data[next(iter(self._data))]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass(frozen=True)
class _YearCounts:
    """Ads per municipality in one year, and the national suppression plan."""

    by_kommun: dict[str, int]
    unplaced_by_lan: dict[str, int]
    unplaced: int
    plan: SuppressionPlan
    observations: dict[str, int]  # per municipality


class WebData:
    """Reads and caches what the pages show, for one store and threshold."""

    def __init__(self, store: Store, *, threshold: int = 5, ttl: float = 5.0, max_age: float = 300.0) -> None:
        """Args:
        ttl: how often (seconds) to check whether the store's data changed; 0 checks on every read.
        max_age: how long anything is kept at most (estimates stored by another process).
        """
        from lagesbild.store.web import WebStore

        self.store = store
        self.threshold = threshold
        self._cache = _VersionedCache(WebStore(store).data_version, check=ttl, max_age=max_age)

    def invalidate(self) -> None:
        self._cache.clear()

    def cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()``, kept under ``key`` while the store's data is unchanged (at most ``max_age``
        seconds), e.g. a rendered page body; one computation per key at a time."""
        return self._cache.get(("cached", *key), make)

    def peek(self, key: tuple[Any, ...]) -> Any | None:
        """What :meth:`cached` keeps under ``key``, or None when it is not cached or the data version is
        due to be checked. Never reads the store: safe on the event loop."""
        ok, value = self._cache.peek(("cached", *key))
        return value if ok else None

    def years(self) -> list[int]:
        """Years with observations, newest first."""

        def make() -> list[int]:
            return sorted({int(r.period) for r in self._year_rows()}, reverse=True)

        return self._cache.get(("years",), make)

    def default_year(self) -> int:
        ys = self.years()
        return ys[0] if ys else date.today().year

    def _year_counts(self, year: int) -> _YearCounts:
        def make() -> _YearCounts:
            by_kommun: dict[str, int] = {}
            obs: dict[str, int] = {}
            unplaced_by_lan: dict[str, int] = {}
            unplaced = 0
            for r in self._year_rows():
                if r.period != str(year):
                    continue
                if r.kommun_kod:
                    by_kommun[r.kommun_kod] = by_kommun.get(r.kommun_kod, 0) + r.ads
                    obs[r.kommun_kod] = obs.get(r.kommun_kod, 0) + r.observations
                elif r.lan_kod:
                    unplaced_by_lan[r.lan_kod] = unplaced_by_lan.get(r.lan_kod, 0) + r.ads
                else:
                    unplaced += r.ads
            kl = {k: m.county_code for k, m in refdata.municipalities().items()}
            plan = plan_suppression(
                by_kommun, kl, threshold=self.threshold, unplaced=unplaced + sum(unplaced_by_lan.values())
            )
            return _YearCounts(by_kommun, unplaced_by_lan, unplaced, plan, obs)

        return self._cache.get(("year", year), make)

    @staticmethod
    def _in(area: str, lan: str | None, kommun: str | None) -> bool:
        if area == "SE":
            return True
        if len(area) == 2:
            return lan == area
        return kommun == area

    def _year_rows(self) -> list[CountRow]:
        """Observations and ads per year and municipality: one scan, shared by the years and their counts."""
        return self._cache.get(("year-rows",), lambda: self.store.observation_counts(period="year"))

    def _day_rows(self) -> list[CountRow]:
        """Observations and ads per day and municipality: one scan, shared by every area's coverage."""
        return self._cache.get(("day-rows",), lambda: self.store.observation_counts(period="day"))

    def _national_months(self) -> list[CountRow]:
        return self._cache.get(("months",), lambda: self.store.observation_counts(period="month"))

    def _days(self, area: str, year: int) -> tuple[int, str | None, str | None]:
        def make() -> tuple[int, str | None, str | None]:
            area_level(area)
            y = str(year)
            days = sorted({r.period for r in self._day_rows() if r.period.startswith(y)
                           and self._in(area, r.lan_kod, r.kommun_kod)})  # fmt: skip
            return len(days), (days[0] if days else None), (days[-1] if days else None)

        return self._cache.get(("days", area, year), make)

    def _series(self, area: str, year: int) -> tuple[SeriesPoint, ...]:
        def make() -> tuple[SeriesPoint, ...]:
            area_level(area)
            rows = [r for r in self._national_months() if r.period.startswith(f"{year}-")]
            # Months the monitoring ran (anywhere) count from 0; the others have no data and are left out.
            months: dict[str, int] = {p: 0 for p in sorted({r.period for r in rows})}
            for r in rows:
                if self._in(area, r.lan_kod, r.kommun_kod):
                    months[r.period] += r.ads
            if self._days(area, year)[0] == 0:
                # nothing monitored in the area that year: its months have no data, they are not 0
                return tuple(SeriesPoint(p, NO_DATA) for p in months)
            return tuple(
                SeriesPoint(p, cell(n, "primary" if 0 < n < self.threshold else None, self.threshold))
                for p, n in months.items()
            )

        return self._cache.get(("series", area, year), make)

    def warm(self, year: int | None = None) -> None:
        """Read what the overview and the county pages need (for the newest year), so that the first
        visitors do not wait for it; the estimates are computed together where that is possible. The
        counts per year, month and day come from the store's kept counts (``store/counts.py``): a read
        of a small table, after new observations are folded in (built once in a store's life)."""
        try:
            for read in (self._year_rows, self._national_months, self._day_rows):
                read()
        except Exception:  # the page that needs them reads them again (and shows the error)
            log.exception("warming the dashboard's counts failed")
        y = self.default_year() if year is None else year
        areas = ["SE", *refdata.counties()]
        mod = _suite_module()
        if mod is not None and hasattr(mod, "ensure_suites"):
            try:
                mod.ensure_suites(self.store, areas, date(y, 1, 1), date(y, 12, 31))
            except LagesbildError as exc:
                log.info("warming the estimates failed: %s", exc)
        for a in areas:
            self.area(a, y)

    def area_cells(self, year: int, level: str) -> dict[str, Cell]:
        """Published ads per municipality (``level="kommun"``) or per county (``"lan"``) for a year.

        An area without any observation in the year is left out: it has no data ("inga data"), as
        its own page says, rather than a 0.
        """
        yc = self._year_counts(year)
        if level == "kommun":
            return {
                k: cell(yc.by_kommun[k], yc.plan.mark(k), self.threshold)
                for k in refdata.municipalities()
                if yc.by_kommun.get(k, 0) > 0
            }
        out: dict[str, Cell] = {}
        for lan in refdata.counties():
            n = sum(v for k, v in yc.by_kommun.items() if k[:2] == lan) + yc.unplaced_by_lan.get(lan, 0)
            if n > 0:
                out[lan] = cell(n, yc.plan.mark(lan), self.threshold)
        return out

    def area(self, area: str, year: int, *, compute: bool = True) -> AreaContext:
        """The context of the overview (``SE``), a county or a municipality page for one year.

        Raises:
            InputError: for an unknown area code.
        """
        level = area_level(area)
        yc = self._year_counts(year)
        if level == "SE":
            name = "Sverige"
            members = list(yc.by_kommun)
            ads = sum(yc.by_kommun.values()) + yc.unplaced + sum(yc.unplaced_by_lan.values())
            children = self.area_cells(year, "lan")
            names = {c: x.name for c, x in refdata.counties().items()}
        elif level == "lan":
            name = refdata.county(area).name
            members = [k for k in yc.by_kommun if k[:2] == area]
            ads = sum(yc.by_kommun[k] for k in members) + yc.unplaced_by_lan.get(area, 0)
            children = {k: c for k, c in self.area_cells(year, "kommun").items() if k[:2] == area}
            names = {m.code: m.name for m in refdata.municipalities_in(area)}
        else:
            name = refdata.municipality(area).name
            members = [area] if area in yc.by_kommun else []
            ads = yc.by_kommun.get(area, 0)
            children, names = {}, {}
        observations = sum(yc.observations.get(k, 0) for k in members)
        n_days, first, last = self._days(area, year)
        coverage = Coverage(
            observations=observations if n_days > 0 else None,
            ads=cell(ads, yc.plan.mark(area), self.threshold) if n_days > 0 else NO_DATA,
            days_monitored=n_days,
            first_day=first,
            last_day=last,
            has_data=n_days > 0,
        )
        start, end = date(year, 1, 1), date(year, 12, 31)
        suite = self._cache.get(("suite", area, year, compute), lambda: suite_for(self.store, area, start, end,
                                                                                  compute=compute and n_days > 0))
        if compute and suite.run_id is not None:
            # a read-only view cached before the suite was computed must not keep saying "no estimates"
            self._cache.put(("suite", area, year, False), suite)
        if coverage.ads.mark is not None and suite.figures:
            # The area's own count is suppressed: its estimates would give it away.
            hidden = tuple(
                FigureView(f.quantity, None, None, None, f.level, f.method, False, "för få annonser för att publicera")
                for f in suite.figures
            )
            suite = SuiteView(suite.area, suite.start, suite.end, suite.run_id, suite.created_at, suite.level, hidden,
                              suite.source)  # fmt: skip
        return AreaContext(area, name, level, year, self.threshold, coverage, suite, self._series(area, year),
                           children, names)  # fmt: skip
