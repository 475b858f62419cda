"""The typed report context: everything a report says, as data, before any HTML.

The templates render a :class:`ReportContext`; tests assert on it; :meth:`ReportContext.to_dict`
is the JSON written beside the HTML and PDF and stored for next year's follow-up. The context
holds only *published* figures: a hidden count has ``value=None`` and a display such as ``<5``,
so no export can leak it.

Sections that depend on pipeline stages still to come (capture-recapture on linked persons,
verdicts, organised activity, campaign evaluation) are typed and ``None`` when their data is
missing; the report then says that the section is not yet available.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from lagesbild.report.suppress import Mark

__all__ = [
    "CONTEXT_VERSION",
    "AreaRow",
    "AssumptionRow",
    "CampaignEvaluation",
    "CampaignMeasure",
    "CampaignPeriod",
    "CampaignsSection",
    "Change",
    "Count",
    "DataSource",
    "DemandSection",
    "Estimate",
    "FlowLine",
    "FollowUp",
    "HiddenPopulationSection",
    "IndicatorShare",
    "KeyFigure",
    "Level",
    "MapLayer",
    "MapSection",
    "MapValue",
    "MethodItem",
    "MethodsSection",
    "ModelRow",
    "OrganizedSection",
    "PurchasesSection",
    "ReportContext",
    "ResidenceLine",
    "SeriesPoint",
    "SupportService",
    "TimeSeries",
    "TornadoRow",
    "TriangulationSection",
    "VerdictsSection",
]

CONTEXT_VERSION = 1
"""Version of the context's JSON layout (stored with each report for the follow-up)."""

Level = Literal["national", "county", "municipality"]


@dataclass(frozen=True)
class Count:
    """A published count: ``value`` is ``None`` when it is hidden (``display`` ``<5`` or ``..``)."""

    value: int | None
    display: str
    mark: Mark = None


@dataclass(frozen=True)
class Estimate:
    """An estimate with its interval (``level``: e.g. 0.9) and how it reads in the report."""

    estimate: float
    low: float
    high: float
    level: float
    display: str
    interval_display: str


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of the summary page.

    Attributes:
        key: a stable name (``ads``, ``ad_days``, ``purchases``, ``buyers_12m``, ``buyers_ever``...),
            used by the follow-up to pair figures across years.
        label, unit, note: how it reads.
        value, low, high: the published number and interval (``None`` when hidden or not an estimate).
        display, interval_display: formatted.
        kind: ``count`` (observed) or ``estimate`` (modelled).
    """

    key: str
    label: str
    value: float | None
    low: float | None
    high: float | None
    display: str
    interval_display: str | None
    unit: str
    kind: Literal["count", "estimate"]
    note: str | None = None
    level: float | None = None


@dataclass(frozen=True)
class Change:
    """A key figure compared with the previous report."""

    key: str
    label: str
    previous: float | None
    current: float | None
    relative: float | None
    significant: bool
    direction: Literal["up", "down", "same", "unknown"]
    display: str
    method: str


@dataclass(frozen=True)
class FollowUp:
    """The comparison with the previous stored report of the same area."""

    previous_period: str
    previous_created_at: str
    changes: tuple[Change, ...]
    note: str


@dataclass(frozen=True)
class AreaRow:
    """One row of the area table: a municipality in a county report, a county in the national one."""

    code: str
    name: str
    population: int
    ads: Count
    ad_days: Count
    ad_days_per_10k: str
    purchases: Estimate | None
    buyers_12m: Estimate | None


@dataclass(frozen=True)
class MapValue:
    """One area on a map: its value (``None`` when hidden) and the hiding mark."""

    code: str
    name: str
    value: float | None
    mark: Mark


@dataclass(frozen=True)
class MapLayer:
    """One choropleth: a quantity per area."""

    key: str
    title: str
    unit: str
    values: tuple[MapValue, ...]


@dataclass(frozen=True)
class MapSection:
    """The report's choropleths (``level`` ``kommun``: the county's municipalities; ``lan``: Sweden's counties)."""

    area: str
    level: Literal["kommun", "lan"]
    layers: tuple[MapLayer, ...]


@dataclass(frozen=True)
class CampaignPeriod:
    """A campaign's period, marked on the time series (from the campaign register)."""

    name: str
    start: str
    end: str
    areas: tuple[str, ...]


@dataclass(frozen=True)
class SeriesPoint:
    """One week of the time series (``start``: the Monday, ISO date)."""

    start: str
    label: str
    value: int | None
    display: str
    mark: Mark


@dataclass(frozen=True)
class TimeSeries:
    """Activity over the period, week by week, with the campaign periods that overlap it."""

    key: str
    title: str
    unit: str
    points: tuple[SeriesPoint, ...]
    campaigns: tuple[CampaignPeriod, ...]


@dataclass(frozen=True)
class AssumptionRow:
    """One model input as it is used: its distribution, nominal value, 5% and 95% quantiles, source."""

    name: str
    description: str
    distribution: str
    nominal: float
    q05: float
    q95: float
    source: str
    display: str


@dataclass(frozen=True)
class TornadoRow:
    """Purchases per year with one input at its 5% and at its 95% quantile."""

    name: str
    result_low: float
    result_high: float


@dataclass(frozen=True)
class PurchasesSection:
    """Estimated sex purchases per year from ad activity (:func:`lagesbild.estimate.purchases.estimate_purchases`)."""

    estimate: Estimate
    central: float
    basis: str
    activity_days: float
    period_days: int
    assumptions_name: str
    n_draws: int
    seed: int
    inputs: tuple[AssumptionRow, ...]
    tornado_base: float
    tornado: tuple[TornadoRow, ...]


@dataclass(frozen=True)
class DemandSection:
    """Men who bought sex, from the population (:func:`lagesbild.estimate.demand.estimate_demand`)."""

    population_year: int
    population_source: str
    age_band: str
    men: int
    prevalence_ever: float
    prevalence_12m: float
    ever: Estimate
    last_12m: Estimate


@dataclass(frozen=True)
class TriangulationSection:
    """Supply-side purchases beside purchases by the area's resident buyers."""

    buyers: Estimate
    demand: Estimate
    supply: Estimate
    ratio: Estimate
    agreement: str


@dataclass(frozen=True)
class ModelRow:
    """One capture-recapture model."""

    model: str
    abundance: float
    ci_low: float
    ci_high: float
    aic: float


@dataclass(frozen=True)
class HiddenPopulationSection:
    """Capture-recapture estimate of the active persons, from linked capture histories."""

    n_observed: int
    sources: tuple[str, ...]
    best: Estimate
    best_model: str
    models: tuple[ModelRow, ...]


@dataclass(frozen=True)
class FlowLine:
    """One travel flow drawn on the map: judgments of buyers from ``home`` buying in ``offence`` (codes).

    Only flows with a count at or above the threshold are drawn one by one (``count`` is published).
    """

    home: str
    offence: str
    count: int


@dataclass(frozen=True)
class ResidenceLine:
    """One municipality: purchases that happen there (ads) and purchases its residents make (judgments).

    ``visitor_share`` is shown only where the municipality has at least the threshold of judgments
    (a share from one or two judgments would tell where those buyers lived).
    """

    name: str
    purchases_in: Estimate | None
    by_residents: Estimate
    visitor_share: str


@dataclass(frozen=True)
class VerdictsSection:
    """Buyers' age profile and travel flows from sex-purchase verdicts (when verdicts are extracted).

    Attributes:
        flows: every flow as (home name, offence name, count), small counts hidden.
        flow_lines: the flows drawn on the map (count >= threshold).
        other_flows: the judgments of the flows not drawn, together (``<5`` when small, ``0`` when none).
        residence: county reports: where purchases happen versus where the buyers live, per
            municipality (:mod:`lagesbild.estimate.residence`); ``outside`` the purchases by buyers
            living outside the county.
    """

    n_verdicts: Count
    age_bands: tuple[tuple[str, Count], ...]
    flows: tuple[tuple[str, str, Count], ...]
    flow_lines: tuple[FlowLine, ...] = ()
    other_flows: Count = Count(0, "0")
    residence: tuple[ResidenceLine, ...] = ()
    outside: Estimate | None = None


@dataclass(frozen=True)
class IndicatorShare:
    """The share of the area's linked ads carrying one ad-level indicator (aggregated; hidden when small)."""

    code: str
    label: str
    ads: Count
    share: str


@dataclass(frozen=True)
class OrganizedSection:
    """Aggregated indicators of organised activity (never individual ads, networks or persons).

    Attributes:
        ads, persons: linked ads and persons active in the area in the period (the base of the shares).
        networks: networks with at least one ad in the area in the period.
        persons_in_networks, ads_in_networks: how many of them belong to a network, and their shares.
        multi_municipality, multi_county: of those networks, the ones active in two or more
            municipalities / counties in the period (anywhere in Sweden).
        indicators: ad-level indicator shares (empty when ads were not normalized).
    """

    ads: Count
    persons: Count
    networks: Count
    persons_in_networks: Count
    persons_share: str
    ads_in_networks: Count
    ads_share: str
    multi_municipality: Count
    multi_county: Count
    indicators: tuple[IndicatorShare, ...]


@dataclass(frozen=True)
class CampaignMeasure:
    """A campaign's effect on one measure (ad-days, new ads, active persons, estimated purchases).

    ``effect`` is ``None`` when the measure cannot be evaluated; ``verdict`` then says why.
    """

    key: str
    label: str
    effect: Estimate | None
    verdict: str


@dataclass(frozen=True)
class CampaignEvaluation:
    """A campaign's estimated effect on activity (``effect``: on ad-days; ``measures``: one per measure)."""

    name: str
    period: str
    effect: Estimate
    measures: tuple[CampaignMeasure, ...] = ()


@dataclass(frozen=True)
class CampaignsSection:
    """Campaign evaluations in the area."""

    evaluations: tuple[CampaignEvaluation, ...]


@dataclass(frozen=True)
class SupportService:
    """A service buyers or people in prostitution can turn to (from ``data/support_services.yaml``)."""

    name: str
    audience: tuple[str, ...]
    description: str
    contact: str
    area: str
    source: str


@dataclass(frozen=True)
class MethodItem:
    """One paragraph of the methods appendix."""

    title: str
    text: str


@dataclass(frozen=True)
class MethodsSection:
    """The methods appendix, generated from the parameters actually used."""

    items: tuple[MethodItem, ...]
    parameters: tuple[AssumptionRow, ...]


@dataclass(frozen=True)
class DataSource:
    """A data source and its date or period."""

    name: str
    detail: str
    date: str


@dataclass(frozen=True)
class ReportContext:
    """Everything one report says.

    Attributes:
        area, area_name, level: what the report covers (``"SE"``, ``"05"`` or ``"0580"``).
        period_start, period_end, period_label: the period (ISO dates, both included).
        lang: ``sv`` or ``en``. threshold: the small-count threshold applied.
        summary: the key figures; highlights: the summary's sentences.
        followup: the comparison with the previous report (``None`` for the first).
        rows, total: the area table (municipalities of a county, counties of Sweden) and its total.
        map: the choropleths; orientation_area: the area highlighted on the national map.
        series: activity week by week.
        purchases, demand, triangulation: the estimates (purchases ``None`` without activity).
        hidden_population, verdicts, organized, campaigns: later stages (``None`` until available).
        support: support services; methods: the appendix; sources: data sources and dates.
        has_data: False when nothing was monitored in the area and period (the report says "inga data").
        simulated: the data came from the simulator (the report says so at the top).
        coverage: the data behind the estimates, in words; suite_run_id: the estimate suite every
            estimate was read from (:mod:`lagesbild.estimate.suite`).
        notices: what the report must say first (simulated data, no data).
        hidden_reason: the string key of why the hidden-population section is empty.
    """

    version: int
    lang: str
    area: str
    area_name: str
    level: Level
    period_start: str
    period_end: str
    period_label: str
    title: str
    generated_at: str
    threshold: int
    summary: tuple[KeyFigure, ...]
    highlights: tuple[str, ...]
    followup: FollowUp | None
    rows: tuple[AreaRow, ...]
    total: AreaRow
    map: MapSection
    orientation_area: str
    series: TimeSeries
    purchases: PurchasesSection | None
    demand: DemandSection
    triangulation: TriangulationSection | None
    hidden_population: HiddenPopulationSection | None
    verdicts: VerdictsSection | None
    organized: OrganizedSection | None
    campaigns: CampaignsSection | None
    support: tuple[SupportService, ...]
    methods: MethodsSection
    sources: tuple[DataSource, ...]
    has_data: bool = True
    simulated: bool = False
    coverage: str = ""
    suite_run_id: str = ""
    notices: tuple[str, ...] = ()
    hidden_reason: str = "why_hidden"

    def to_dict(self) -> dict[str, Any]:
        """The context as JSON-friendly data (tuples become lists)."""
        return dataclasses.asdict(self)

    def key_figure(self, key: str) -> KeyFigure | None:
        """The summary's key figure named ``key``, if any."""
        return next((k for k in self.summary if k.key == key), None)
