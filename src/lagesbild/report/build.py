"""Present: format the stored estimate suite and the gathered counts into a :class:`ReportContext`.

A report is made in three steps:

1. **gather** (:mod:`lagesbild.report.gather`): the period's observed activity per municipality
   and day, read once per batch, with small-number suppression planned for the whole country;
2. **compute**: nothing here. Every estimate is the stored
   :class:`~lagesbild.estimate.suite.EstimateSuite` of the area and period
   (:func:`~lagesbild.estimate.suite.ensure_suite`), the same figures ``estimate run``, the demo
   and the dashboard show;
3. **present** (this module): :func:`build_context` formats them, in Swedish or English.

So every estimate in a report equals the stored figure: the headline, the area table
(municipalities: the suite's allocations, which add up to the headline), the maps, the purchases
and demand sections. An area and period without observations says "inga data" and computes no
change; a figure the suite does not publish (the hidden population until it is calibrated) is
left out, and the methods appendix says why.

Example::

    data = load_report_data(store, date(2024, 1, 1), date(2024, 12, 31))
    suite = ensure_suite(store, "05", data.start, data.end)
    ctx = build_context(data, "05", ReportOptions(lang="sv"), suite=suite)
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lagesbild.campaigns.effect import CampaignEffect
from lagesbild.errors import InputError
from lagesbild.estimate.assumptions import (
    Assumption,
    AssumptionSet,
    Beta,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    default_assumptions,
)
from lagesbild.estimate.intervals import DEFAULT_LEVEL
from lagesbild.estimate.suite import AGE_BAND, DEFAULT_DRAWS, DEFAULT_SEED, EstimateSuite, Figure
from lagesbild.refdata import area_name, counties, is_county_code, municipality
from lagesbild.report.context import (
    CONTEXT_VERSION,
    AreaRow,
    AssumptionRow,
    CampaignEvaluation,
    CampaignMeasure,
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
from lagesbild.report.gather import ReportData, load_report_data, read_campaigns
from lagesbild.report.organized import OrganizedAd, organized_section
from lagesbild.report.services import load_services, services_for
from lagesbild.report.strings import STRINGS, tr
from lagesbild.report.suppress import Mark, protect_breakdown, suppress_cells, week_cell
from lagesbild.verdicts import VerdictRecord, age_profile, travel_flows

__all__ = [
    "AGE_BAND",
    "ReportData",
    "ReportOptions",
    "build_context",
    "load_report_data",
    "read_campaigns",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportOptions:
    """How a report is made.

    Attributes:
        lang: ``sv`` (default) or ``en``.
        assumptions: the assumption set of the estimates (``None``: the stored suite's, else the bundled default).
        n_draws, seed, level: the estimate suite's Monte Carlo draws, seed and interval level (a stored suite
            made with other values is recomputed).
        services: support services (the bundled file if ``None``).
        generated_at: the date printed on the report (today if ``None``; fixed in tests and samples).
    """

    lang: str = "sv"
    assumptions: AssumptionSet | None = None
    n_draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    level: float = DEFAULT_LEVEL
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


def _from_figure(f: Figure | None, lang: str, level: float) -> Estimate | None:
    """A stored figure as the report shows it (``None`` without a value)."""
    if f is None or f.estimate is None or f.low is None or f.high is None:
        return None
    return _estimate(f.estimate, f.low, f.high, f.level if f.level is not None else level, lang)


def _summary_of(s: Mapping[str, Any] | None, level: float, lang: str) -> Estimate | None:
    if not s:
        return None
    return _estimate(float(s["median"]), float(s["low"]), float(s["high"]), level, lang)


def _area_codes(data: ReportData, area: str) -> list[str]:
    """The municipality keys whose counts add up to ``area``."""
    if area == "SE":
        return list(data.kommun_lan)
    if len(area) == 2:
        return [k for k, lan in data.kommun_lan.items() if lan == area]
    return [area]


def _total(values: Mapping[str, int], keys: Sequence[str]) -> int:
    return sum(values.get(k, 0) for k in keys)


def _level(area: str) -> Level:
    return "national" if area == "SE" else "county" if len(area) == 2 else "municipality"


def _period_label(start: date, end: date, lang: str) -> str:
    if start.month == 1 and start.day == 1 and end == date(start.year, 12, 31):
        return str(start.year)
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"


def _population(data: ReportData, code: str) -> int:
    if code.endswith("?"):
        return 0
    return data.population.count(code)


def _mode(d: Any) -> float:
    """The most likely value of an assumption's distribution (for the analyst's table)."""
    if isinstance(d, Triangular):
        return float(d.mode)
    if isinstance(d, LogNormal):
        return float(d.median_ * pow(2.718281828459045, -(d.sigma**2)))
    if isinstance(d, Beta) and d.alpha > 1 and d.beta > 1:
        return float((d.alpha - 1) / (d.alpha + d.beta - 2))
    if isinstance(d, Normal):
        return float(d.mean)
    return float(d.nominal())


def _digits(x: float) -> int:
    return 3 if abs(x) < 0.1 else 2 if abs(x) < 10 else 0


def assumption_row(a: Assumption, lang: str, level: float = DEFAULT_LEVEL) -> AssumptionRow:
    """One assumption as an analyst reads it: what it is, its most likely value and where the probability lies.

    E.g. "Andel äkta annonser: troligast 0,90 (90 % av sannolikheten mellan 0,83 och 0,95)".
    """
    d = a.distribution
    lo, hi = d.quantile((1 - level) / 2), d.quantile((1 + level) / 2)
    mode = _mode(d)
    n = _digits(mode)
    if isinstance(d, Fixed):
        display = tr(lang, "assumption_fixed", value=fmt_num(d.value, lang, n))
    elif isinstance(d, Uniform):
        display = tr(lang, "assumption_uniform", low=fmt_num(lo, lang, n), high=fmt_num(hi, lang, n))
    else:
        display = tr(lang, "assumption_display", mode=fmt_num(mode, lang, n), level=round(level * 100),
                     low=fmt_num(lo, lang, n), high=fmt_num(hi, lang, n))  # fmt: skip
    kind = str(d.to_dict()["kind"])
    label_key, source_key = f"param_{a.name}", f"param_{a.name}_src"
    if label_key in STRINGS["en"]:
        label, source = tr(lang, label_key), tr(lang, source_key)
    else:  # a parameter of a custom assumption set: its own description, and what kind of source it has
        label = " ".join(a.description.split()).split(".")[0] or a.name
        first = a.source.strip().split(":")[0].lower()
        source = tr(lang, "src_convention" if first == "convention" else "src_assumption")
    return AssumptionRow(a.name, label, tr(lang, f"dist_{kind}"), mode, lo, hi, source, display)


# --- the builder --------------------------------------------------------------------------------


def build_context(
    data: ReportData,
    area: str,
    options: ReportOptions | None = None,
    *,
    suite: EstimateSuite,
    rows_suite: EstimateSuite | None = None,
    previous: Mapping[str, Any] | None = None,
    previous_created_at: str = "",
    verdicts: Sequence[VerdictRecord] | None = None,
    organized: Sequence[OrganizedAd] | OrganizedSection | None = None,
) -> ReportContext:
    """The report context for ``area`` (``"SE"``, a county code or a municipality code).

    Args:
        data: the period's observed activity (:func:`load_report_data`).
        area: what the report covers.
        options: language and how the suite was made.
        suite: the area's stored estimate suite for the period (every estimate shown comes from it).
        rows_suite: the suite the area table reads (its ``by_kommun``/``by_lan``): the county's for a
            municipality report; ``suite`` itself otherwise.
        previous: the previous report's stored context, for the follow-up (ignored without data).
        previous_created_at: when the previous report was stored.
        verdicts: the area's extracted judgments dated in the period, for the verdicts section
            (``None`` or empty leaves the section out).
        organized: the stored linked site ads with networks and indicators, or a ready
            :class:`OrganizedSection`; ``None`` or empty leaves the section out.

    Raises:
        InputError: if the suite is not the area's or the period's.
        RefdataError: for an unknown area code.
    """
    o = options or ReportOptions()
    lang = o.lang
    level = _level(area)
    name = tr(lang, "level_national") if area == "SE" else area_name(area)
    if level == "municipality":
        municipality(area)  # raises RefdataError for an unknown code
    if suite.area != area or suite.start != data.start or suite.end != data.end:
        raise InputError(f"the estimate suite is for {suite.area} {suite.start}..{suite.end}", field="suite")
    county = "SE" if level == "national" else area[:2]
    rs = rows_suite if rows_suite is not None else suite
    if rs.area != county:
        raise InputError(f"the area table needs the suite of {county}, not {rs.area}", field="rows_suite")
    has_data = suite.has_data
    threshold = data.threshold
    plan_ads, plan_days = data.plans["ads"], data.plans["ad_days"]
    keys = _area_codes(data, area)
    ads_total = _total(data.ads, keys) + (data.unplaced_ads if area == "SE" else 0)
    days_total = _total(data.ad_days, keys) + (data.unplaced_ad_days if area == "SE" else 0)
    no_data = tr(lang, "no_data")
    ads_count = _count(ads_total, plan_ads.mark(area), threshold, lang) if has_data else Count(None, no_data)
    days_count = _count(days_total, plan_days.mark(area), threshold, lang) if has_data else Count(None, no_data)

    # -- the area table: municipalities of the county, or counties of Sweden ----------------------
    rows: list[AreaRow] = []
    if level == "national":
        for code in counties():
            r_keys = _area_codes(data, code)
            rows.append(_row(code, _total(data.ads, r_keys), _total(data.ad_days, r_keys), plan_ads.mark(code),
                             plan_days.mark(code), rs.by_lan.get(code, {}), o, data, has_data))  # fmt: skip
        if data.unplaced_ads:
            rows.append(_row("?", data.unplaced_ads, data.unplaced_ad_days, plan_ads.mark("?"), plan_days.mark("?"),
                             rs.by_kommun.get("?", {}), o, data, has_data))  # fmt: skip
    else:
        for code in _area_codes(data, county):
            r_ads, r_days = data.ads.get(code, 0), data.ad_days.get(code, 0)
            if code.endswith("?") and r_ads == 0:
                continue
            rows.append(_row(code, r_ads, r_days, plan_ads.mark(code), plan_days.mark(code),
                             rs.by_kommun.get(code, {}), o, data, has_data))  # fmt: skip
    c_keys = _area_codes(data, county)
    total_row = _row(
        county, _total(data.ads, c_keys) + (data.unplaced_ads if county == "SE" else 0),
        _total(data.ad_days, c_keys) + (data.unplaced_ad_days if county == "SE" else 0),
        plan_ads.mark(county), plan_days.mark(county), rs.figures, o, data, has_data,
    )  # fmt: skip

    # -- the area's own estimates, as stored -------------------------------------------------------
    # purchases are proportional to the activity: hidden with the area's ad-days, as in the area table's rows
    published_days = has_data and days_count.value is not None
    pe = _from_figure(suite.figure("purchases"), lang, suite.level) if published_days else None
    persons_fig = suite.figure("persons")
    shown = persons_fig is not None and persons_fig.published
    persons = _from_figure(persons_fig, lang, suite.level) if shown else None
    b12 = _from_figure(suite.figure("demand_12m"), lang, suite.level)
    bever = _from_figure(suite.figure("demand_ever"), lang, suite.level)
    if b12 is None or bever is None:
        raise InputError("the estimate suite has no demand figures", field="suite")
    purchases_section = _purchases_section(suite, pe, lang) if pe is not None else None

    # -- summary -------------------------------------------------------------------------------------
    summary: list[KeyFigure] = [
        KeyFigure("ads", tr(lang, "ads"), ads_count.value, None, None, ads_count.display, None,
                  tr(lang, "ads_unit"), "count", tr(lang, "ads_note")),
        KeyFigure("ad_days", tr(lang, "ad_days"), days_count.value, None, None, days_count.display, None,
                  tr(lang, "ad_days_unit"), "count", tr(lang, "ad_days_note")),
        KeyFigure("purchases", tr(lang, "purchases"), pe.estimate if pe else None, pe.low if pe else None,
                  pe.high if pe else None, pe.display if pe else (days_count.display if has_data else no_data),
                  pe.interval_display if pe else None, tr(lang, "purchases_unit"), "estimate",
                  tr(lang, "purchases_note"), pe.level if pe else None),
    ]  # fmt: skip
    if persons_fig is not None and persons_fig.published:
        summary.append(
            KeyFigure("persons", tr(lang, "persons"), persons.estimate if persons else None,
                      persons.low if persons else None, persons.high if persons else None,
                      persons.display if persons else no_data, persons.interval_display if persons else None,
                      tr(lang, "persons_unit"), "estimate", tr(lang, "persons_note"),
                      persons.level if persons else None)
        )  # fmt: skip
    summary += [
        KeyFigure("buyers_12m", tr(lang, "buyers_12m"), b12.estimate, b12.low, b12.high, b12.display,
                  b12.interval_display, tr(lang, "buyers_unit"), "estimate", None, b12.level),
        KeyFigure("buyers_ever", tr(lang, "buyers_ever"), bever.estimate, bever.low, bever.high, bever.display,
                  bever.interval_display, tr(lang, "buyers_unit"), "estimate", None, bever.level),
    ]  # fmt: skip
    highlights = _highlights(lang, ads_count, days_count, pe, b12, rows, suite.level, has_data, name)

    generated = o.generated_at or datetime.now(UTC).date()
    followup = (
        compare(tuple(summary), previous, lang, previous_created_at, suite.assumptions_name)
        if previous and has_data
        else None
    )
    notices: list[str] = []
    if suite.simulated:
        notices.append(tr(lang, "simulated_banner"))
    if not has_data:
        notices.append(tr(lang, "no_data_highlight", area=name))
        if previous:
            notices.append(tr(lang, "no_data_followup"))
    services = o.services if o.services is not None else load_services(lang=lang)
    aset = o.assumptions if o.assumptions is not None else default_assumptions()
    crc = suite.figure("persons_crc")
    hidden = None
    if crc is not None and crc.published and crc.estimate is not None:
        best = _from_figure(crc, lang, suite.level)
        assert best is not None
        hidden = HiddenPopulationSection(
            n_observed=int(suite.details.get("hidden_population", {}).get("n_observed", 0)),
            sources=suite.coverage.sites, best=best, best_model=crc.method, models=(),
        )  # fmt: skip
    return ReportContext(
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
        summary=tuple(summary),
        highlights=highlights,
        followup=followup,
        rows=tuple(rows),
        total=total_row,
        map=_map_section(county, level, rows, lang),
        orientation_area=area[:2] if area != "SE" else "SE",
        series=_series(data, area, keys, days_count.mark, lang),
        purchases=purchases_section,
        demand=_demand_section(suite, b12, bever),
        triangulation=_triangulation(suite, pe, b12, lang) if pe is not None else None,
        hidden_population=hidden,
        verdicts=_verdicts(verdicts, area, threshold, lang, rs if is_county_code(area) else None)
        if verdicts
        else None,
        organized=(
            organized
            if isinstance(organized, OrganizedSection)
            else organized_section(organized, area, data.start, data.end, threshold, lang, plans=data.plans)
            if organized
            else None
        ),
        campaigns=_campaigns(data, area, lang) if has_data else None,
        support=services_for(list(services), area),
        methods=_methods(lang, aset, suite, purchases_section, threshold),
        sources=_sources(lang, data, suite),
        has_data=has_data,
        simulated=suite.simulated,
        coverage=_coverage_text(suite, lang),
        suite_run_id=suite.run_id,
        notices=tuple(notices),
        hidden_reason=(
            "no_data" if not has_data
            else "why_hidden_unpublished" if crc is not None and not crc.published and crc.estimate is not None
            else "why_hidden"
        ),
    )


def _coverage_text(suite: EstimateSuite, lang: str) -> str:
    c = suite.coverage
    if not c.has_data:
        return tr(lang, "no_data")
    return tr(lang, "coverage_text", sites=len(c.sites), days=c.days_monitored,
              first=fmt_date(c.first_day, lang) if c.first_day else "–",
              last=fmt_date(c.last_day, lang) if c.last_day else "–",
              observations=fmt_int(c.observations, lang), judgments=fmt_int(c.judgments, lang))  # fmt: skip


def _row(
    code: str,
    ads: int,
    ad_days: int,
    mark_ads: Mark,
    mark_days: Mark,
    figures: Mapping[str, Figure],
    o: ReportOptions,
    data: ReportData,
    has_data: bool = True,
) -> AreaRow:
    lang, threshold = o.lang, data.threshold
    if not has_data:  # nothing monitored in the report's area and period: no counts, not zeros
        no = Count(None, tr(lang, "no_data"))
        return AreaRow(code, _row_name(code, lang), _population(data, code), no, no, no.display, None,
                       _from_figure(figures.get("demand_12m"), lang, DEFAULT_LEVEL))  # fmt: skip
    if code.endswith("?"):
        name = tr(lang, "unplaced")
    elif code == "SE":
        name = tr(lang, "total")
    else:
        name = area_name(code)
    pop = _population(data, code)
    days = _count(ad_days, mark_days, threshold, lang)
    per_10k = fmt_num(ad_days / pop * 10_000, lang, 1) if (days.value is not None and pop > 0) else days.display
    # A hidden count hides the purchases made from it too (they are proportional to the activity).
    purchases = _from_figure(figures.get("purchases"), lang, DEFAULT_LEVEL) if days.value is not None else None
    buyers = _from_figure(figures.get("demand_12m"), lang, DEFAULT_LEVEL)
    return AreaRow(code, name, pop, _count(ads, mark_ads, threshold, lang), days, per_10k, purchases, buyers)


def _row_name(code: str, lang: str) -> str:
    if code.endswith("?"):
        return tr(lang, "unplaced")
    return tr(lang, "total") if code == "SE" else area_name(code)


def _purchases_section(suite: EstimateSuite, pe: Estimate, lang: str) -> PurchasesSection | None:
    d = suite.details.get("purchases")
    if not d:
        return None
    aset = default_assumptions()
    rows: list[AssumptionRow] = []
    for i in d["inputs"]:
        if i["name"] in aset:
            rows.append(assumption_row(aset[i["name"]], lang, suite.level))
    return PurchasesSection(
        estimate=pe,
        central=float(d["central"]),
        basis=str(d["basis"]),
        activity_days=float(d["activity_days"]),
        period_days=int(d["period_days"]),
        assumptions_name=str(d["assumptions_name"]),
        n_draws=int(d["n_draws"]),
        seed=int(d["seed"]),
        inputs=tuple(rows),
        tornado_base=float(d["tornado_base"]),
        tornado=tuple(TornadoRow(b["name"], float(b["result_low"]), float(b["result_high"])) for b in d["tornado"]),
    )


def _demand_section(suite: EstimateSuite, b12: Estimate, bever: Estimate) -> DemandSection:
    d = suite.details.get("demand", {})
    return DemandSection(
        population_year=int(d.get("population_year", 0)),
        population_source=str(d.get("population_source", "")),
        age_band=str(d.get("age_band", AGE_BAND)),
        men=int(d.get("men", 0)),
        prevalence_ever=float(d.get("prevalence_ever", 0.0)),
        prevalence_12m=float(d.get("prevalence_12m", 0.0)),
        ever=bever,
        last_12m=b12,
    )


def _triangulation(suite: EstimateSuite, pe: Estimate, b12: Estimate, lang: str) -> TriangulationSection | None:
    t = suite.details.get("triangulation")
    if not t:
        return None
    demand = _summary_of(t["demand"], float(t["level"]), lang)
    r = t["ratio"]
    if demand is None:
        return None
    return TriangulationSection(
        buyers=b12,
        demand=demand,
        supply=pe,
        ratio=Estimate(
            float(r["median"]), float(r["low"]), float(r["high"]), float(t["level"]), fmt_num(r["median"], lang, 2),
            f"{fmt_num(r['low'], lang, 2)}–{fmt_num(r['high'], lang, 2)}",
        ),
        agreement=tr(lang, f"agreement_{t['agreement']}"),
    )


def _verdicts(
    records: Sequence[VerdictRecord],
    area: str,
    threshold: int,
    lang: str,
    county_suite: EstimateSuite | None = None,
) -> VerdictsSection:
    profile = age_profile(records)
    flows = travel_flows(records, lan=area if is_county_code(area) else None)  # "SE" and municipalities: None
    # bands and flows are parts of the published number of judgments: protected against it (suppress.py)
    band_marks, n_mark = protect_breakdown(dict(profile.bands), profile.n, threshold=threshold)
    flow_marks, _ = protect_breakdown(
        {f"{f.home}>{f.offence}": f.count for f in flows.flows}, profile.n, threshold=threshold
    )

    def fmark(f: Any) -> Mark:
        return flow_marks.get(f"{f.home}>{f.offence}")

    drawn = [f for f in flows.flows if fmark(f) is None and f.count >= threshold]
    lines = tuple(FlowLine(f.home, f.offence, f.count) for f in drawn)
    # the hidden flows are drawn together as "other" (never one by one): their sum, hidden when small
    other = sum(f.count for f in flows.flows if fmark(f) is not None or f.count < threshold)
    residence: tuple[ResidenceLine, ...] = ()
    outside = None
    res = county_suite.details.get("residence") if county_suite is not None else None
    if res:
        lvl = float(res["level"])
        lines_: list[ResidenceLine] = []
        for r in res["rows"]:
            pin, by = _summary_of(r["purchases_in"], lvl, lang), _summary_of(r["by_residents"], lvl, lang)
            if by is None:
                continue
            vs = r.get("visitor_share")
            share = fmt_pct(float(vs["median"]), lang) if vs is not None and r["judgments"] >= threshold else "–"
            lines_.append(ResidenceLine(name=str(r["name"]), purchases_in=pin, by_residents=by, visitor_share=share))
        residence = tuple(lines_)
        outside = _summary_of(res.get("outside"), lvl, lang)
    return VerdictsSection(
        n_verdicts=_count(profile.n, n_mark, threshold, lang),
        age_bands=tuple((band, _count(n, band_marks.get(band), threshold, lang)) for band, n in profile.bands),
        flows=tuple(
            (area_name(f.home), area_name(f.offence), _count(f.count, fmark(f), threshold, lang)) for f in flows.flows
        ),
        flow_lines=lines,
        other_flows=_small(other, threshold, lang),
        residence=residence,
        outside=outside,
    )


def _highlights(
    lang: str, ads: Count, days: Count, pe: Estimate | None, b12: Estimate, rows: list[AreaRow], level: float,
    has_data: bool, name: str,
) -> tuple[str, ...]:  # fmt: skip
    out = []
    if has_data:  # without data the notice at the top says so (not repeated here)
        out.append(tr(lang, "highlight_ads", ads=ads.display, ad_days=days.display))
    if pe is not None:
        interval = f"{tr(lang, 'interval', level=round(pe.level * 100))} {pe.interval_display}"
        out.append(tr(lang, "highlight_purchases", value=pe.display, interval=interval))
    out.append(
        tr(lang, "highlight_buyers", value=b12.display,
           interval=f"{tr(lang, 'interval', level=round(b12.level * 100))} {b12.interval_display}")
    )  # fmt: skip
    ranked = sorted(
        (r for r in rows if r.ad_days.value and not r.code.endswith("?")), key=lambda r: -(r.ad_days.value or 0)
    )
    if ranked and has_data:
        out.append(tr(lang, "highlight_top", names=", ".join(r.name for r in ranked[:3])))
    return tuple(out)


def _methods(
    lang: str,
    aset: AssumptionSet,
    suite: EstimateSuite,
    purchases: PurchasesSection | None,
    threshold: int,
) -> MethodsSection:
    per_person = ""
    if purchases is not None and purchases.basis == "ad_days":
        per_person = " / " + ("annonser per persondag" if lang == "sv" else "ads per person-day")
    demand = suite.details.get("demand", {})
    pop_year, asked = demand.get("population_year"), demand.get("requested_year")
    demand_text = tr(lang, "method_demand_text", band=str(AGE_BAND), source=demand.get("population_source", ""),
                     year=pop_year, n=fmt_int(float(demand.get("survey_n") or 0), lang))  # fmt: skip
    if demand.get("population_note"):
        demand_text += " " + tr(lang, "population_fallback", used=pop_year, year=asked)
    items = [
        MethodItem(tr(lang, "method_coverage"), _coverage_text(suite, lang)),
        MethodItem(tr(lang, "method_data"), tr(lang, "method_data_text", sites=len(suite.coverage.sites))),
        MethodItem(tr(lang, "method_activity"), tr(lang, "method_activity_text")),
        MethodItem(
            tr(lang, "method_purchases"),
            tr(lang, "method_purchases_text", per_person=per_person, level=round(suite.level * 100),
               draws=fmt_int(suite.n_draws, lang), name=suite.assumptions_name),
        ),
        MethodItem(tr(lang, "method_allocation"),
                   tr(lang, "method_allocation_text", basis=tr(lang, f"basis_{suite.basis}"))),
        MethodItem(tr(lang, "method_demand"), demand_text),
    ]  # fmt: skip
    crc = suite.figure("persons_crc")
    if crc is not None and not crc.published:
        items.append(MethodItem(tr(lang, "method_hidden"), tr(lang, "method_hidden_text")))
    items += [
        MethodItem(tr(lang, "method_suppression"), tr(lang, "suppression_note", threshold=threshold)),
        MethodItem(tr(lang, "method_followup"), tr(lang, "followup_note")),
    ]
    params = tuple(assumption_row(a, lang, suite.level) for a in aset)
    return MethodsSection(tuple(items), params)


def _sources(lang: str, data: ReportData, suite: EstimateSuite) -> tuple[DataSource, ...]:
    c = suite.coverage
    demand = suite.details.get("demand", {})
    out = [
        DataSource(
            tr(lang, "source_observations"),
            f"{fmt_int(c.observations, lang)} " + ("observationer i perioden" if lang == "sv" else
                                                     "observations in the period"),
            f"{c.first_day} – {c.last_day}" if c.first_day else tr(lang, "no_data"),
        ),
        DataSource(tr(lang, "source_population"), str(demand.get("population_source", data.population.source)),
                   str(demand.get("population_year", data.population.year))),
        DataSource(tr(lang, "source_boundaries"), "SCB", "2024-05-17"),
        DataSource(tr(lang, "source_survey"), tr(lang, "source_survey_detail"), "2014"),
        DataSource(tr(lang, "source_assumptions"), suite.assumptions_name, "–"),
    ]  # fmt: skip
    if data.campaigns:
        out.append(DataSource(tr(lang, "source_campaigns"), ", ".join(sorted({c.name for c in data.campaigns})), "–"))
    return tuple(out)


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
        return (r.buyers_12m.estimate if r.buyers_12m is not None else None), None

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
    week_plan = data.plans.get("week")
    if week_plan is not None:  # the period's one plan (suppress.plan_period): the same marks in every report
        marks: dict[str, Mark] = {w: week_plan.mark(week_cell(area, w)) for w in values}
    elif area_mark is not None:
        # The area's own total is hidden: the weeks would add up to it, so none is published.
        marks = dict.fromkeys(values, "secondary")
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
    """The area's campaigns evaluated on every measure (``docs/methods/campaigns.md``).

    The evaluation is the one ``lagesbild campaigns evaluate`` prints
    (:func:`~lagesbild.campaigns.measures.evaluate_all_series` on every stored week, the other
    counties as control region, calibrated intervals). Without the stored measures (no
    ``campaign_data``), ad-days of the period alone. A campaign whose ad-days cannot be evaluated
    (no whole week before it or inside it) is left out of the section, with a warning in the log.
    """
    from lagesbild.campaigns import Campaign, evaluate_campaign
    from lagesbild.campaigns.measures import evaluate_all_series

    lan = area[:2]
    out: list[CampaignEvaluation] = []
    for c in data.campaigns:
        if not (c.start <= data.end.isoformat() and c.end >= data.start.isoformat()):
            continue
        if not (area == "SE" or lan in c.areas or "SE" in c.areas):
            continue
        where = tuple(a for a in c.areas if a != "SE") or tuple(counties())
        start, end = date.fromisoformat(c.start), date.fromisoformat(c.end)
        campaign = Campaign(c.name, where, start, end)
        period = f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"
        if data.campaign_data is not None:
            rows = evaluate_all_series(data.campaign_data, campaign)
            if rows[0].effect is None:
                log.warning("campaign %s not evaluated for %s: %s", c.name, area, rows[0].verdict_en)
                continue
            measures = tuple(
                CampaignMeasure(
                    r.series,
                    r.label_en if lang == "en" else r.label_sv,
                    None if r.effect is None else _rr_estimate(r.effect, lang),
                    r.verdict_en if lang == "en" else r.verdict_sv,
                )
                for r in rows
            )
            first = measures[0].effect
            assert first is not None
            out.append(CampaignEvaluation(c.name, period, first, measures))
            continue
        in_area: dict[str, float] = defaultdict(float)
        control: dict[str, float] = defaultdict(float)
        for (day, key), n in data.daily.items():
            if key != "?":
                (in_area if data.kommun_lan.get(key, key[:2]) in where else control)[day] += n
        try:
            eff = evaluate_campaign(in_area, campaign, control or None)
        except InputError as exc:
            log.warning("campaign %s not evaluated for %s: %s", c.name, area, exc)
            continue
        out.append(CampaignEvaluation(c.name, period, _rr_estimate(eff, lang)))
    return CampaignsSection(tuple(out)) if out else None


def _rr_estimate(eff: CampaignEffect, lang: str) -> Estimate:
    """A rate ratio as a signed percent change with its interval (``-15 %``, ``-25 %–-5 %``)."""
    interval = f"{fmt_signed_pct(eff.low - 1, lang)}–{fmt_signed_pct(eff.high - 1, lang)}"
    return Estimate(eff.rate_ratio, eff.low, eff.high, eff.level, fmt_signed_pct(eff.rate_ratio - 1, lang), interval)


def _point(n: int, mark: Mark, threshold: int, lang: str) -> tuple[int | None, str, Mark]:
    c = _count(n, mark, threshold, lang)
    return c.value, c.display, c.mark


def _small(n: int, threshold: int, lang: str) -> Count:
    """A verdict count, hidden when below the threshold (judgments are few; a cell must not single one out)."""
    return _count(n, "primary" if 0 < n < threshold else None, threshold, lang)
