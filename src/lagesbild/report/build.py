"""Build a :class:`ReportContext` from the store and the estimators.

Two steps, so a batch reads the store once:

1. :func:`load_report_data` reads activity for one period (per municipality, per day) and plans
   small-number suppression for the whole country;
2. :func:`build_context` makes the context for one area (``"SE"``, a county, a municipality),
   calling :func:`~lagesbild.estimate.purchases.estimate_purchases`,
   :func:`~lagesbild.estimate.purchases.tornado`, :func:`~lagesbild.estimate.demand.estimate_demand`
   and :func:`~lagesbild.estimate.triangulate.triangulate` with the options given, so every
   number equals what those functions return for the same inputs.

Example::

    data = load_report_data(store, date(2024, 1, 1), date(2024, 12, 31))
    ctx = build_context(data, "05", ReportOptions(lang="sv"))
"""

from __future__ import annotations

import csv
import logging
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from lagesbild.errors import InputError
from lagesbild.estimate.assumptions import AssumptionSet, default_assumptions
from lagesbild.estimate.crc import CaptureHistories, best_model, run_all_models
from lagesbild.estimate.demand import AgeBand, DemandEstimate, estimate_demand
from lagesbild.estimate.intervals import Proportion
from lagesbild.estimate.purchases import (
    ActivitySummary,
    PurchasesEstimate,
    UncertainCount,
    estimate_purchases,
    tornado,
)
from lagesbild.estimate.residence import where_buyers_live
from lagesbild.estimate.triangulate import triangulate
from lagesbild.refdata import (
    PopulationTable,
    area_name,
    bundled_population,
    counties,
    is_county_code,
    municipalities,
    municipality,
)
from lagesbild.report.context import (
    CONTEXT_VERSION,
    AreaRow,
    AssumptionRow,
    CampaignEvaluation,
    CampaignPeriod,
    CampaignsSection,
    Count,
    DataSource,
    DemandSection,
    Estimate,
    FlowLine,
    HiddenPopulationSection,
    KeyFigure,
    Level,
    MapLayer,
    MapSection,
    MapValue,
    MethodItem,
    MethodsSection,
    ModelRow,
    OrganizedSection,
    PurchasesSection,
    ReportContext,
    ResidenceLine,
    SeriesPoint,
    SupportService,
    TimeSeries,
    TornadoRow,
    TriangulationSection,
    VerdictsSection,
)
from lagesbild.report.fmt import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_signed_pct, round_estimate
from lagesbild.report.followup import compare
from lagesbild.report.organized import OrganizedAd, organized_section
from lagesbild.report.services import load_services, services_for
from lagesbild.report.strings import tr
from lagesbild.report.suppress import Mark, SuppressionPlan, plan_suppression, suppress_cells
from lagesbild.store import Store
from lagesbild.store.reports import ActivityRow, DailyRow, ReportStore
from lagesbild.verdicts import VerdictRecord, age_profile, travel_flows

__all__ = [
    "AGE_BAND",
    "PREVALENCE_12M",
    "PREVALENCE_EVER",
    "ReportData",
    "ReportOptions",
    "build_context",
    "load_report_data",
    "read_campaigns",
]

log = logging.getLogger(__name__)

AGE_BAND = AgeBand(18, 65)
"""The survey's base: men 18-65."""
PREVALENCE_EVER = Proportion.from_sample(0.075, 2_500)
"""Men 18-65 who ever bought sex: 7.5% (Länsstyrelsen Stockholm, rapport 2015:10); n = 2,500 is an assumption."""
PREVALENCE_12M = Proportion.from_sample(0.008, 2_500)
"""Men 18-65 who bought sex in the last 12 months: 0.8% (same survey); n as in ``default.yaml``."""


def _unplaced_key(lan: str) -> str:
    return f"{lan}?"


@dataclass(frozen=True)
class ReportData:
    """Activity for one period, read once and shared by every report of a batch.

    Attributes:
        start, end: the period (both days included).
        ads, ad_days: per municipality key (code, or ``"05?"`` for ads placed in a county only).
        unplaced_ads, unplaced_ad_days: ads placed in no county.
        daily: ad-days per (day, municipality key).
        observations: sightings in the period; observed_range: first and last day in the store.
        population: the population year used; campaigns: campaign periods to mark.
        threshold: the small-count threshold; plans: suppression per count (``ads``, ``ad_days``).
    """

    start: date
    end: date
    ads: dict[str, int]
    ad_days: dict[str, int]
    unplaced_ads: int
    unplaced_ad_days: int
    daily: dict[tuple[str, str], int]
    observations: int
    observed_range: tuple[str, str] | None
    population: PopulationTable
    campaigns: tuple[CampaignPeriod, ...]
    threshold: int
    kommun_lan: dict[str, str]
    plans: dict[str, SuppressionPlan] = field(default_factory=dict)

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1


def _key(row: ActivityRow | DailyRow) -> str | None:
    if row.kommun_kod:
        return row.kommun_kod
    if row.lan_kod:
        return _unplaced_key(row.lan_kod)
    return None


def load_report_data(
    store: Store,
    start: date,
    end: date,
    *,
    threshold: int = 5,
    campaigns: Sequence[CampaignPeriod] = (),
    population: PopulationTable | None = None,
) -> ReportData:
    """Read the period's activity from the store and plan suppression for the whole country.

    Args:
        store: the workspace's store.
        start, end: the period, both days included.
        threshold: the small-count threshold (setting ``small_count_threshold``).
        campaigns: campaign periods to mark on the time series.
        population: the population year (default: the newest year imported into the store, else the bundled one).

    Raises:
        InputError: if the period ends before it starts.
    """
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})", field="--to")
    rs = ReportStore(store)
    rows = rs.activity(start.isoformat(), end.isoformat())
    daily_rows = rs.daily(start.isoformat(), end.isoformat())
    if population is None:
        years = store.population_years()
        population = (store.population_table(max(years)) if years else None) or bundled_population()
    ads: dict[str, int] = defaultdict(int)
    ad_days: dict[str, int] = defaultdict(int)
    unplaced_ads = unplaced_ad_days = observations = 0
    for r in rows:
        observations += r.observations
        k = _key(r)
        if k is None:
            unplaced_ads += r.ads
            unplaced_ad_days += r.ad_days
        else:
            ads[k] += r.ads
            ad_days[k] += r.ad_days
    daily: dict[tuple[str, str], int] = defaultdict(int)
    for d in daily_rows:
        daily[(d.day, _key(d) or "?")] += d.ad_days
    kommun_lan = {code: m.county_code for code, m in municipalities().items()}
    for k in list(ads):
        if k.endswith("?"):
            kommun_lan[k] = k[:2]
    plans = {
        name: plan_suppression(values, kommun_lan, threshold=threshold, unplaced=unplaced)
        for name, values, unplaced in (("ads", ads, unplaced_ads), ("ad_days", ad_days, unplaced_ad_days))
    }
    log.info("report data %s..%s: %d observations, %d municipalities", start, end, observations, len(ads))
    return ReportData(
        start=start,
        end=end,
        ads=dict(ads),
        ad_days=dict(ad_days),
        unplaced_ads=unplaced_ads,
        unplaced_ad_days=unplaced_ad_days,
        daily=dict(daily),
        observations=observations,
        observed_range=rs.observed_range(),
        population=population,
        campaigns=tuple(campaigns),
        threshold=threshold,
        kommun_lan=kommun_lan,
        plans=plans,
    )


def read_campaigns(path: str | Path) -> list[CampaignPeriod]:
    """Campaign periods from a CSV with columns ``name, county, start, end`` (the campaign register's export).

    Rows of the same name and dates are merged (their counties listed together).

    Raises:
        InputError: for a missing column or a bad date (with the line number).
    """
    merged: dict[tuple[str, str, str], list[str]] = {}
    p = str(path)
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"name", "county", "start", "end"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(f"missing column(s) {', '.join(sorted(missing))}", path=p)
        for i, row in enumerate(reader, start=2):
            try:
                s, e = date.fromisoformat(row["start"]), date.fromisoformat(row["end"])
            except ValueError:
                raise InputError("start and end must be dates (YYYY-MM-DD)", path=p, line=i) from None
            merged.setdefault((row["name"], s.isoformat(), e.isoformat()), []).append(row["county"].strip())
    return [CampaignPeriod(n, s, e, tuple(sorted(c))) for (n, s, e), c in merged.items()]


@dataclass(frozen=True)
class ReportOptions:
    """How a report is made.

    Attributes:
        lang: ``sv`` (default) or ``en``.
        assumptions: the purchases model's assumption set (the bundled default if ``None``).
        n_draws, seed, level: the Monte Carlo simulation and the intervals' level.
        services: support services (the bundled file if ``None``).
        generated_at: the date printed on the report (today if ``None``; fixed in tests and samples).
    """

    lang: str = "sv"
    assumptions: AssumptionSet | None = None
    n_draws: int = 20_000
    seed: int = 0
    level: float = 0.9
    services: Sequence[SupportService] | None = None
    generated_at: date | None = None


# --- helpers -------------------------------------------------------------------------------------


def _count(value: int, mark: Mark, threshold: int, lang: str) -> Count:
    if mark == "primary":
        return Count(None, f"<{threshold}", mark)
    if mark == "secondary":
        return Count(None, "..", mark)
    return Count(value, fmt_int(value, lang), None)


def _estimate(est: float, low: float, high: float, level: float, lang: str) -> Estimate:
    r = round_estimate(est, low, high)
    lo, hi = round_estimate(low, low, high), round_estimate(high, low, high)
    return Estimate(est, low, high, level, fmt_int(r, lang), f"{fmt_int(lo, lang)}–{fmt_int(hi, lang)}")


def _demand_estimate(d: DemandEstimate, lang: str) -> Estimate:
    return _estimate(d.estimate, d.low, d.high, d.prevalence.level, lang)


def _area_codes(data: ReportData, area: str) -> list[str]:
    """The municipality keys whose counts add up to ``area``."""
    if area == "SE":
        return list(data.kommun_lan)
    if len(area) == 2:
        return [k for k, lan in data.kommun_lan.items() if lan == area]
    return [area]


def _total(values: Mapping[str, int], keys: Sequence[str]) -> int:
    return sum(values.get(k, 0) for k in keys)


def _area_mark(plan: SuppressionPlan, area: str) -> Mark:
    return plan.mark(area)


def _level(area: str) -> Level:
    return "national" if area == "SE" else "county" if len(area) == 2 else "municipality"


def _period_label(start: date, end: date, lang: str) -> str:
    if start.month == 1 and start.day == 1 and end == date(start.year, 12, 31):
        return str(start.year)
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"


def _population(pop: PopulationTable, code: str) -> int:
    if code.endswith("?"):
        return 0
    return pop.count(code)


# --- the builder --------------------------------------------------------------------------------


def build_context(
    data: ReportData,
    area: str,
    options: ReportOptions | None = None,
    *,
    previous: Mapping[str, Any] | None = None,
    previous_created_at: str = "",
    activity: ActivitySummary | None = None,
    capture_histories: CaptureHistories | None = None,
    verdicts: Sequence[VerdictRecord] | None = None,
    organized: Sequence[OrganizedAd] | OrganizedSection | None = None,
) -> ReportContext:
    """The report context for ``area`` (``"SE"``, a county code or a municipality code).

    Args:
        data: the period's activity (:func:`load_report_data`).
        area: what the report covers.
        options: language, assumptions, simulation settings.
        previous: the previous report's stored context (:class:`~lagesbild.store.reports.ReportStore`), for
            the follow-up.
        previous_created_at: when the previous report was stored.
        activity: person-days and persons from linking, when available (the purchases model then uses
            person-days instead of ad-days).
        capture_histories: linked persons' capture histories for the hidden-population section.
        verdicts: the area's extracted judgments dated in the period (``lagesbild verdicts import``), for the
            verdicts section; ``None`` or empty leaves the section out.
        organized: the stored linked site ads with networks and indicators
            (:func:`lagesbild.report.organized.organized_ads`), for the organised-activity section;
            ``None`` or empty leaves the section out; a ready :class:`OrganizedSection` (a batch
            aggregates in the parent process) is used as is.

    Raises:
        RefdataError: for an unknown area code.
    """
    o = options or ReportOptions()
    lang = o.lang
    aset = o.assumptions if o.assumptions is not None else default_assumptions()
    level = _level(area)
    name = tr(lang, "level_national") if area == "SE" else area_name(area)
    if level == "municipality":
        municipality(area)  # raises RefdataError for an unknown code
    threshold = data.threshold
    plan_ads, plan_days = data.plans["ads"], data.plans["ad_days"]
    keys = _area_codes(data, area)
    ads_total = _total(data.ads, keys) + (data.unplaced_ads if area == "SE" else 0)
    days_total = _total(data.ad_days, keys) + (data.unplaced_ad_days if area == "SE" else 0)
    ads_count = _count(ads_total, _area_mark(plan_ads, area), threshold, lang)
    days_count = _count(days_total, _area_mark(plan_days, area), threshold, lang)
    pop = data.population

    def purchases_for(code: str, ad_days: int, summary: ActivitySummary | None = None) -> PurchasesEstimate:
        act = summary or ActivitySummary(code, data.start, data.end, ad_days=UncertainCount.exact(ad_days))
        return estimate_purchases(act, aset, n_draws=o.n_draws, seed=o.seed, level=o.level)

    # -- the area table: municipalities of the county, or counties of Sweden ----------------------
    county = "SE" if level == "national" else area[:2]
    row_codes = list(counties()) if level == "national" else _area_codes(data, county)
    rows: list[AreaRow] = []
    for code in row_codes:
        if level == "national":
            r_ads = _total(data.ads, _area_codes(data, code))
            r_days = _total(data.ad_days, _area_codes(data, code))
        else:
            r_ads, r_days = data.ads.get(code, 0), data.ad_days.get(code, 0)
            if code.endswith("?") and r_ads == 0:
                continue
        rows.append(_row(code, r_ads, r_days, plan_ads.mark(code), plan_days.mark(code), purchases_for, o, data))
    total_row = _row(
        county, ads_total if level != "municipality" else _total(data.ads, _area_codes(data, county)),
        days_total if level != "municipality" else _total(data.ad_days, _area_codes(data, county)),
        plan_ads.mark(county), plan_days.mark(county), purchases_for, o, data,
    )  # fmt: skip

    # -- the area's own estimates ------------------------------------------------------------------
    purchases_est: PurchasesEstimate | None = None
    if days_count.value is not None or activity is not None:
        purchases_est = purchases_for(area, days_total, activity)
    demand_12m = estimate_demand(pop, area, PREVALENCE_12M, AGE_BAND, measure="12m")
    demand_ever = estimate_demand(pop, area, PREVALENCE_EVER, AGE_BAND, measure="ever")
    purchases_section = _purchases_section(purchases_est, aset, o) if purchases_est is not None else None
    triangulation = None
    if purchases_est is not None:
        t = triangulate(pop, area, purchases_est, aset, age_band=AGE_BAND, n_draws=o.n_draws, seed=o.seed,
                        level=o.level)  # fmt: skip
        triangulation = TriangulationSection(
            buyers=_estimate(t.buyers.median, t.buyers.low, t.buyers.high, t.level, lang),
            demand=_estimate(t.demand.median, t.demand.low, t.demand.high, t.level, lang),
            supply=_estimate(t.supply.median, t.supply.low, t.supply.high, t.level, lang),
            ratio=Estimate(
                t.ratio.median,
                t.ratio.low,
                t.ratio.high,
                t.level,
                fmt_num(t.ratio.median, lang, 2),
                f"{fmt_num(t.ratio.low, lang, 2)}–{fmt_num(t.ratio.high, lang, 2)}",
            ),
            agreement=tr(lang, f"agreement_{t.agreement}"),
        )

    # -- summary -------------------------------------------------------------------------------------
    pe = (
        _estimate(purchases_est.median, purchases_est.low, purchases_est.high, o.level, lang) if purchases_est else None
    )
    b12 = _demand_estimate(demand_12m, lang)
    bever = _demand_estimate(demand_ever, lang)
    summary = (
        KeyFigure("ads", tr(lang, "ads"), ads_count.value, None, None, ads_count.display, None,
                  tr(lang, "ads_unit"), "count", tr(lang, "ads_note")),
        KeyFigure("ad_days", tr(lang, "ad_days"), days_count.value, None, None, days_count.display, None,
                  tr(lang, "ad_days_unit"), "count", tr(lang, "ad_days_note")),
        KeyFigure("purchases", tr(lang, "purchases"), pe.estimate if pe else None, pe.low if pe else None,
                  pe.high if pe else None, pe.display if pe else days_count.display,
                  pe.interval_display if pe else None, tr(lang, "purchases_unit"), "estimate",
                  tr(lang, "purchases_note"), o.level),
        KeyFigure("buyers_12m", tr(lang, "buyers_12m"), b12.estimate, b12.low, b12.high, b12.display,
                  b12.interval_display, tr(lang, "buyers_unit"), "estimate", None, b12.level),
        KeyFigure("buyers_ever", tr(lang, "buyers_ever"), bever.estimate, bever.low, bever.high, bever.display,
                  bever.interval_display, tr(lang, "buyers_unit"), "estimate", None, bever.level),
    )  # fmt: skip
    highlights = _highlights(lang, ads_count, days_count, pe, b12, rows, o.level)

    generated = o.generated_at or datetime.now(UTC).date()
    ctx_wo_followup = dict(
        version=CONTEXT_VERSION,
        lang=lang,
        area=area,
        area_name=name,
        level=level,
        period_start=data.start.isoformat(),
        period_end=data.end.isoformat(),
        period_label=_period_label(data.start, data.end, lang),
        title=tr(lang, "title", area=name),
        generated_at=generated.isoformat(),
        threshold=threshold,
        summary=summary,
        highlights=highlights,
    )
    followup = (
        compare(summary, previous, lang, previous_created_at, purchases_est.assumptions_name if purchases_est else None)
        if previous
        else None
    )
    services = o.services if o.services is not None else load_services(lang=lang)
    return ReportContext(
        **ctx_wo_followup,  # type: ignore[arg-type]
        followup=followup,
        rows=tuple(rows),
        total=total_row,
        map=_map_section(county, level, rows, lang),
        orientation_area=area[:2] if area != "SE" else "SE",
        series=_series(data, area, keys, days_count.mark, lang),
        purchases=purchases_section,
        demand=DemandSection(
            population_year=pop.year,
            population_source=pop.source,
            age_band=str(AGE_BAND),
            men=demand_12m.men,
            prevalence_ever=PREVALENCE_EVER.estimate,
            prevalence_12m=PREVALENCE_12M.estimate,
            ever=bever,
            last_12m=b12,
        ),
        triangulation=triangulation,
        hidden_population=_hidden(capture_histories, lang) if capture_histories is not None else None,
        verdicts=_verdicts(verdicts, area, threshold, lang, _residence_input(data, area, purchases_est), o, aset)
        if verdicts
        else None,
        organized=(
            organized
            if isinstance(organized, OrganizedSection)
            else organized_section(organized, area, data.start, data.end, threshold, lang)
            if organized
            else None
        ),
        campaigns=_campaigns(data, area, lang),
        support=services_for(list(services), area),
        methods=_methods(lang, aset, purchases_section, o, threshold, pop),
        sources=_sources(lang, data, aset),
    )


def _row(
    code: str,
    ads: int,
    ad_days: int,
    mark_ads: Mark,
    mark_days: Mark,
    purchases_for: Any,
    o: ReportOptions,
    data: ReportData,
) -> AreaRow:
    lang, threshold = o.lang, data.threshold
    if code.endswith("?"):
        name = tr(lang, "unplaced")
    elif code == "SE":
        name = tr(lang, "total")
    else:
        name = area_name(code)
    pop = _population(data.population, code)
    days = _count(ad_days, mark_days, threshold, lang)
    per_10k = fmt_num(ad_days / pop * 10_000, lang, 1) if (days.value is not None and pop > 0) else days.display
    purchases = None
    if days.value is not None:
        est: PurchasesEstimate = purchases_for(code, ad_days)
        purchases = _estimate(est.median, est.low, est.high, o.level, lang)
    buyers = (
        _demand_estimate(estimate_demand(data.population, code, PREVALENCE_12M, AGE_BAND, measure="12m"), lang)
        if not code.endswith("?")
        else Estimate(0, 0, 0, 0.95, "–", "–")
    )
    return AreaRow(code, name, pop, _count(ads, mark_ads, threshold, lang), days, per_10k, purchases, buyers)


def _map_section(county: str, level: Level, rows: list[AreaRow], lang: str) -> MapSection:
    placed = [r for r in rows if not r.code.endswith("?")]

    def layer(key: str, title: str, unit: str, value: Any) -> MapLayer:
        return MapLayer(key, title, unit, tuple(MapValue(r.code, r.name, *value(r)) for r in placed))

    def activity(r: AreaRow) -> tuple[float | None, Mark]:
        if r.ad_days.value is None or r.population <= 0:
            return None, r.ad_days.mark
        return r.ad_days.value / r.population * 10_000, None

    def purchases(r: AreaRow) -> tuple[float | None, Mark]:
        return (r.purchases.estimate, None) if r.purchases is not None else (None, r.ad_days.mark)

    def demand(r: AreaRow) -> tuple[float | None, Mark]:
        return r.buyers_12m.estimate, None

    return MapSection(
        area=county,
        level="lan" if level == "national" else "kommun",
        layers=(
            layer("activity", tr(lang, "map_activity"), tr(lang, "ad_days_unit"), activity),
            layer("purchases", tr(lang, "map_purchases"), tr(lang, "purchases_unit"), purchases),
            layer("demand", tr(lang, "map_demand"), tr(lang, "buyers_unit"), demand),
        ),
    )


def _series(data: ReportData, area: str, keys: Sequence[str], area_mark: Mark, lang: str) -> TimeSeries:
    keyset = set(keys) | ({"?"} if area == "SE" else set())
    weeks: dict[date, int] = {}
    monday = data.start - timedelta(days=data.start.weekday())
    while monday <= data.end:
        weeks[monday] = 0
        monday += timedelta(days=7)
    for (day, key), n in data.daily.items():
        if key in keyset:
            d = date.fromisoformat(day)
            weeks[d - timedelta(days=d.weekday())] = weeks.get(d - timedelta(days=d.weekday()), 0) + n
    values = {w.isoformat(): n for w, n in sorted(weeks.items())}
    if area_mark is not None:
        # The area's own total is hidden: the weeks would add up to it, so none is published.
        marks: dict[str, Mark] = dict.fromkeys(values, "secondary")
    else:
        marks, _ = suppress_cells(values, threshold=data.threshold, total=sum(values.values()))
    points = tuple(
        SeriesPoint(w, f"v{date.fromisoformat(w).isocalendar()[1]}" if lang == "sv" else
                    f"w{date.fromisoformat(w).isocalendar()[1]}", *_point(n, marks[w], data.threshold, lang))
        for w, n in values.items()
    )  # fmt: skip
    lan = area[:2]
    campaigns = tuple(
        c for c in data.campaigns
        if c.start <= data.end.isoformat() and c.end >= data.start.isoformat()
        and (area == "SE" or lan in c.areas or "SE" in c.areas)
    )  # fmt: skip
    return TimeSeries("ad_days", tr(lang, "series_title"), tr(lang, "series_unit"), points, campaigns)


def _campaigns(data: ReportData, area: str, lang: str) -> CampaignsSection | None:
    """The area's campaigns evaluated on the period's weekly ad-days (``docs/methods/campaigns.md``).

    The other counties with ad-days in the period are the control region; without any, a plain
    interrupted time series. A campaign the period cannot evaluate (no whole week before it or
    inside it) is left out of the section, with a warning in the log.
    """
    from lagesbild.campaigns import Campaign, evaluate_campaign

    lan = area[:2]
    out: list[CampaignEvaluation] = []
    for c in data.campaigns:
        if not (c.start <= data.end.isoformat() and c.end >= data.start.isoformat()):
            continue
        if not (area == "SE" or lan in c.areas or "SE" in c.areas):
            continue
        where = tuple(a for a in c.areas if a != "SE") or tuple(counties())
        in_area: dict[str, float] = defaultdict(float)
        control: dict[str, float] = defaultdict(float)
        for (day, key), n in data.daily.items():
            if key != "?":
                (in_area if data.kommun_lan.get(key, key[:2]) in where else control)[day] += n
        start, end = date.fromisoformat(c.start), date.fromisoformat(c.end)
        try:
            eff = evaluate_campaign(in_area, Campaign(c.name, where, start, end), control or None)
        except InputError as exc:
            log.warning("campaign %s not evaluated for %s: %s", c.name, area, exc)
            continue
        interval = f"{fmt_signed_pct(eff.low - 1, lang)}–{fmt_signed_pct(eff.high - 1, lang)}"
        effect = Estimate(
            eff.rate_ratio, eff.low, eff.high, eff.level, fmt_signed_pct(eff.rate_ratio - 1, lang), interval
        )
        out.append(CampaignEvaluation(c.name, f"{fmt_date(start, lang)} – {fmt_date(end, lang)}", effect))
    return CampaignsSection(tuple(out)) if out else None


def _point(n: int, mark: Mark, threshold: int, lang: str) -> tuple[int | None, str, Mark]:
    c = _count(n, mark, threshold, lang)
    return c.value, c.display, c.mark


def _purchases_section(est: PurchasesEstimate, aset: AssumptionSet, o: ReportOptions) -> PurchasesSection:
    lang = o.lang
    rows: list[AssumptionRow] = []
    for name, dist, nominal, _median, q05, q95 in est.inputs:
        if name.startswith("activity."):
            continue
        a = aset[name]
        digits = 2 if abs(nominal) < 10 else 0
        disp = f"{fmt_num(nominal, lang, digits)} ({fmt_num(q05, lang, digits)}–{fmt_num(q95, lang, digits)})"
        rows.append(
            AssumptionRow(name, " ".join(a.description.split()), dist, nominal, q05, q95, " ".join(a.source.split()),
                          disp)
        )  # fmt: skip
    t = tornado(est.activity, aset, basis=est.basis)
    act = est.activity.person_days if est.basis == "person_days" else est.activity.ad_days
    return PurchasesSection(
        estimate=_estimate(est.median, est.low, est.high, est.level, lang),
        central=est.central,
        basis=est.basis,
        activity_days=act.estimate if act is not None else math.nan,
        period_days=est.activity.period_days,
        assumptions_name=est.assumptions_name,
        n_draws=est.n_draws,
        seed=est.seed,
        inputs=tuple(rows),
        tornado_base=t.base,
        tornado=tuple(TornadoRow(b.name, b.result_low, b.result_high) for b in t.bars),
    )


def _hidden(histories: CaptureHistories, lang: str) -> HiddenPopulationSection | None:
    # The sources are websites seen in the same period: behavioural models (Mb, Mbh) do not apply.
    models = run_all_models(histories, ci_level=0.95, profile_ci=False, behavioural=False)
    best = best_model(models)
    if best is None:
        return None
    return HiddenPopulationSection(
        n_observed=histories.n_observed,
        sources=histories.sources,
        best=_estimate(best.abundance, best.ci_low, best.ci_high, best.ci_level, lang),
        best_model=best.model,
        models=tuple(ModelRow(m.model, m.abundance, m.ci_low, m.ci_high, m.aic) for m in models),
    )


def _small(n: int, threshold: int, lang: str) -> Count:
    """A verdict count, hidden when below the threshold (judgments are few; a cell must not single one out)."""
    return _count(n, "primary" if 0 < n < threshold else None, threshold, lang)


def _residence_input(
    data: ReportData, area: str, purchases: PurchasesEstimate | None
) -> tuple[PurchasesEstimate, dict[str, float]] | None:
    """A county report's purchases and ad-days per municipality, for where purchases happen vs where buyers live."""
    if purchases is None or not is_county_code(area):
        return None
    days = {k: float(data.ad_days.get(k, 0)) for k in _area_codes(data, area)}
    return (purchases, days) if sum(days.values()) > 0 else None


def _verdicts(
    records: Sequence[VerdictRecord],
    area: str,
    threshold: int,
    lang: str,
    residence_input: tuple[PurchasesEstimate, dict[str, float]] | None = None,
    o: ReportOptions | None = None,
    aset: AssumptionSet | None = None,
) -> VerdictsSection:
    profile = age_profile(records)
    flows = travel_flows(records, lan=area if is_county_code(area) else None)  # "SE" and municipalities: None
    lines = tuple(FlowLine(f.home, f.offence, f.count) for f in flows.flows if f.count >= threshold)
    # the small flows are drawn together as "other" (never one by one): their sum, hidden when small
    other = sum(f.count for f in flows.flows if f.count < threshold)
    residence: tuple[ResidenceLine, ...] = ()
    outside = None
    if residence_input is not None and flows.n:
        o = o or ReportOptions()
        purchases, days = residence_input
        res = where_buyers_live(
            purchases.draws, days, flows.flows, area, assumptions=aset, n_draws=min(o.n_draws, 4000), seed=o.seed,
            level=o.level,
        )  # fmt: skip
        residence = tuple(
            ResidenceLine(
                name=r.name,
                purchases_in=_estimate(r.purchases_in.median, r.purchases_in.low, r.purchases_in.high, res.level, lang),
                by_residents=_estimate(r.by_residents.median, r.by_residents.low, r.by_residents.high, res.level, lang),
                visitor_share=(
                    fmt_pct(r.visitor_share.median, lang)
                    if r.visitor_share is not None and r.judgments >= threshold
                    else "–"
                ),
            )
            for r in res.rows
        )
        outside = _estimate(res.outside.median, res.outside.low, res.outside.high, res.level, lang)
    return VerdictsSection(
        n_verdicts=_small(profile.n, threshold, lang),
        age_bands=tuple((band, _small(n, threshold, lang)) for band, n in profile.bands),
        flows=tuple((area_name(f.home), area_name(f.offence), _small(f.count, threshold, lang)) for f in flows.flows),
        flow_lines=lines,
        other_flows=_small(other, threshold, lang),
        residence=residence,
        outside=outside,
    )


def _highlights(
    lang: str, ads: Count, days: Count, pe: Estimate | None, b12: Estimate, rows: list[AreaRow], level: float
) -> tuple[str, ...]:
    out = [tr(lang, "highlight_ads", ads=ads.display, ad_days=days.display)]
    if pe is not None:
        interval = f"{tr(lang, 'interval', level=round(level * 100))} {pe.interval_display}"
        out.append(tr(lang, "highlight_purchases", value=pe.display, interval=interval))
    out.append(
        tr(lang, "highlight_buyers", value=b12.display,
           interval=f"{tr(lang, 'interval', level=round(b12.level * 100))} {b12.interval_display}")
    )  # fmt: skip
    ranked = sorted(
        (r for r in rows if r.ad_days.value and not r.code.endswith("?")), key=lambda r: -(r.ad_days.value or 0)
    )
    if ranked:
        out.append(tr(lang, "highlight_top", names=", ".join(r.name for r in ranked[:3])))
    return tuple(out)


def _methods(
    lang: str,
    aset: AssumptionSet,
    purchases: PurchasesSection | None,
    o: ReportOptions,
    threshold: int,
    pop: PopulationTable,
) -> MethodsSection:
    per_person = ""
    if purchases is not None and purchases.basis == "ad_days":
        per_person = " / " + ("annonser per persondag" if lang == "sv" else "ads per person-day")
    items = [
        MethodItem(tr(lang, "method_data"), tr(lang, "method_data_text", sites="de")
                   if lang == "sv" else tr(lang, "method_data_text", sites="the")),
        MethodItem(tr(lang, "method_activity"), tr(lang, "method_activity_text")),
        MethodItem(
            tr(lang, "method_purchases"),
            tr(lang, "method_purchases_text", per_person=per_person, level=round(o.level * 100),
               draws=fmt_int(o.n_draws, lang), name=aset.name),
        ),
        MethodItem(
            tr(lang, "method_demand"),
            tr(lang, "method_demand_text", band=str(AGE_BAND), source=pop.source, year=pop.year,
               n=fmt_int(PREVALENCE_12M.n or 0, lang)),
        ),
        MethodItem(tr(lang, "method_suppression"), tr(lang, "suppression_note", threshold=threshold)),
        MethodItem(tr(lang, "method_followup"), tr(lang, "followup_note")),
    ]  # fmt: skip
    params: list[AssumptionRow] = []
    for a in aset:
        d = a.distribution
        nominal, q05, q95 = d.nominal(), d.quantile(0.05), d.quantile(0.95)
        digits = 3 if abs(nominal) < 0.1 else 2 if abs(nominal) < 10 else 0
        disp = f"{fmt_num(nominal, lang, digits)} ({fmt_num(q05, lang, digits)}–{fmt_num(q95, lang, digits)})"
        params.append(
            AssumptionRow(a.name, " ".join(a.description.split()), d.describe(), nominal, q05, q95,
                          " ".join(a.source.split()), disp)
        )  # fmt: skip
    return MethodsSection(tuple(items), tuple(params))


def _sources(lang: str, data: ReportData, aset: AssumptionSet) -> tuple[DataSource, ...]:
    rng = data.observed_range
    out = [
        DataSource(
            tr(lang, "source_observations"),
            f"{fmt_int(data.observations, lang)} " + ("observationer i perioden" if lang == "sv" else
                                                        "observations in the period"),
            f"{rng[0]} – {rng[1]}" if rng else "–",
        ),
        DataSource(tr(lang, "source_population"), data.population.source, str(data.population.year)),
        DataSource(tr(lang, "source_boundaries"), "SCB", "2024-05-17"),
        DataSource(tr(lang, "source_survey"), tr(lang, "source_survey_detail"), "2014"),
        DataSource(tr(lang, "source_assumptions"), aset.name + (f" ({aset.path})" if aset.path else ""), "–"),
    ]  # fmt: skip
    if data.campaigns:
        out.append(DataSource(tr(lang, "source_campaigns"), ", ".join(sorted({c.name for c in data.campaigns})), "–"))
    return tuple(out)
