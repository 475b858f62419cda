"""``lagesbild estimate``: estimators from the command line.

Thin layer: parse options, call :mod:`lagesbild.estimate` (``crc``, ``demand``, ``purchases``,
``triangulate``; ``run`` and ``residence``: :func:`lagesbild.estimate.runner.run_estimates` and
:func:`~lagesbild.estimate.runner.run_residence` on the store), render.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from lagesbild.cli._areas import parse_area
from lagesbild.cli._common import (
    ExcelOption,
    OutOption,
    OutputFormat,
    XlsxOption,
    console,
    emit,
    err_console,
    export_format,
    format_number,
    friendly_errors,
    label,
    render,
    workspace,
    write_rows,
)
from lagesbild.errors import InputError, InputErrors
from lagesbild.estimate.assumptions import AssumptionSet, default_assumptions, load_assumptions
from lagesbild.estimate.charts import ImageFormat, tornado_chart
from lagesbild.estimate.crc import (
    DEFAULT_PTHRESH,
    CaptureHistories,
    CRCResult,
    MSEResult,
    SampleCoverageResult,
    SingleSourceResult,
    chao_lower_bound,
    fit_mse,
    run_all_models,
    sample_coverage_all,
    stepwise_mse,
    two_source_from_histories,
    zelterman,
)
from lagesbild.estimate.crc_io import read_capture_file
from lagesbild.estimate.demand import (
    DEFAULT_DESIGN_EFFECT,
    DEFAULT_TRANSFER_SIGMA,
    MEASURE_LABELS,
    AgeBand,
    Measure,
    demand_by_area,
    estimate_demand,
)
from lagesbild.estimate.intervals import DEFAULT_LEVEL, Proportion
from lagesbild.estimate.purchases import (
    PARAMETER_RANGES,
    ActivitySummary,
    PurchasesEstimate,
    estimate_purchases,
    parameter_errors,
    tornado,
)
from lagesbild.estimate.runner import all_areas
from lagesbild.estimate.suite import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    NO_DATA,
    NOT_PUBLISHED,
    EstimateSuite,
    Figure,
    compute_suites,
    residence,
)
from lagesbild.estimate.triangulate import Summary, SupplyInterval, triangulate
from lagesbild.refdata import PopulationTable, bundled_population

app = typer.Typer(
    help="Estimates with intervals: capture-recapture, demand, purchases, triangulation.", no_args_is_help=True
)


@app.callback()
def main() -> None:
    """Estimates with intervals: capture-recapture, demand from population, purchases, triangulation."""


_COLUMNS = ("model", "abundance", "stderr", "deviance", "df", "aic", "bic", "ci_low", "ci_high", "ci_method")


def _num(x: float | None, digits: int = 1) -> str:
    if x is None or not math.isfinite(x):
        return "-" if x is None or math.isnan(x) else "∞"
    return format_number(float(x), decimals=digits)  # the output language's separators, never wrapped


@app.command("crc")
def crc(
    file: Annotated[Path, typer.Argument(help="CSV: 0/1 columns per source (+ optional freq), or nbcap,freq.")],
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
    level: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    profile: Annotated[bool, typer.Option(help="Profile-likelihood intervals (slower).")] = True,
    rcapture_mbh_se: Annotated[
        bool, typer.Option("--rcapture-mbh-se", help="Report Rcapture 1.4-4's (inexact) standard error for Mbh.")
    ] = False,
    occasions: Annotated[
        int | None, typer.Option(help="For nbcap,freq files: number of capture occasions, if known.")
    ] = None,
    ordered: Annotated[
        bool,
        typer.Option(
            "--ordered",
            help="The sources are occasions in time (first, second, ...): also fit the behavioural models Mb "
            "and Mbh. Left out by default: lists such as websites seen in the same period have no order.",
        ),
    ] = False,
    dependent: Annotated[
        bool,
        typer.Option(
            "--dependent-lists",
            help="With 3+ sources, also the estimators that allow dependent sources: sample coverage "
            "(Indep/HSC/LSC, exactly 3 sources) and multiple systems estimation (main effects, stepwise).",
        ),
    ] = False,
    bootstrap: Annotated[
        int, typer.Option(help="Bootstrap replicates for the sample-coverage standard errors (0: none).")
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the sample-coverage bootstrap.")] = 0,
    pthresh: Annotated[
        float, typer.Option(help="Stepwise multiple systems estimation: p-value below which a dependence is added.")
    ] = DEFAULT_PTHRESH,
) -> None:
    """Fit the closed-population capture-recapture models to FILE and print them sorted by AIC.

    The behavioural models Mb and Mbh are fitted only with --ordered (sources that are occasions in time).

    Example: lagesbild estimate crc overlap.csv --dependent-lists
    """
    output = export_format(output)
    with friendly_errors():
        payload, models, singles, dependence = _estimate(
            file,
            level,
            profile,
            rcapture_mbh_se,
            occasions,
            _Dependence(dependent, bootstrap, seed, pthresh),
            ordered=ordered,
        )
    if output is OutputFormat.json:
        _write_json(payload)
    elif output is OutputFormat.csv:
        _render_csv(models, singles, dependence)
    else:
        _render_table(payload, models, singles, dependence, level)


@dataclass(frozen=True)
class _Dependence:
    enabled: bool
    bootstrap: int
    seed: int
    pthresh: float


def _dependent_estimates(
    data: CaptureHistories, level: float, options: _Dependence, payload: dict[str, Any]
) -> list[SampleCoverageResult | MSEResult]:
    """Sample coverage (3 sources) and multiple systems estimation (3+ sources); problems become notes."""
    out: list[SampleCoverageResult | MSEResult] = []
    notes: list[str] = []
    if data.n_occasions < 3:
        notes.append("the estimators for dependent sources need at least three sources")
    if data.n_occasions == 3:
        try:
            out.extend(sample_coverage_all(data, ci_level=level, n_bootstrap=options.bootstrap, seed=options.seed))
        except ValueError as exc:
            notes.append(f"sample coverage: {exc}")
    elif data.n_occasions > 3:
        notes.append("sample coverage is only defined for exactly three sources")
    if data.n_occasions >= 3:
        try:
            out.append(fit_mse(data, ci_level=level))
        except ValueError as exc:
            notes.append(f"multiple systems estimation (main): {exc}")
        try:
            out.append(stepwise_mse(data, pthresh=options.pthresh, ci_level=level))
        except ValueError as exc:
            notes.append(f"multiple systems estimation (stepwise): {exc}")
    payload["sample_coverage"] = [r.to_dict() for r in out if isinstance(r, SampleCoverageResult)]
    payload["multiple_systems"] = [r.to_dict() for r in out if isinstance(r, MSEResult)]
    payload["dependence_notes"] = notes
    return out


def _estimate(
    file: Path,
    level: float,
    profile: bool,
    rcapture_mbh_se: bool,
    occasions: int | None,
    options: _Dependence,
    *,
    ordered: bool = False,
) -> tuple[dict[str, Any], list[CRCResult], list[SingleSourceResult], list[SampleCoverageResult | MSEResult]]:
    try:
        data = read_capture_file(file, n_occasions=occasions)
        payload: dict[str, Any] = {"file": str(file), "n_observed": data.n_observed}
        models: list[CRCResult] = []
        singles: list[SingleSourceResult] = []
        dependence: list[SampleCoverageResult | MSEResult] = []
        if isinstance(data, CaptureHistories):
            payload["n_occasions"] = data.n_occasions
            payload["sources"] = list(data.sources)
            models = run_all_models(
                data, ci_level=level, profile_ci=profile, rcapture_mbh_se=rcapture_mbh_se, behavioural=ordered
            )
            payload["ordered"] = ordered
            if data.n_occasions == 2:
                payload["two_source"] = two_source_from_histories(data, ci_level=level).to_dict()
            if options.enabled:
                dependence = _dependent_estimates(data, level, options, payload)
        else:
            payload["n_occasions"] = data.n_occasions
            singles.append(chao_lower_bound(data, ci_level=level))
            if data.f(1) > 0 and data.f(2) > 0:
                singles.append(zelterman(data, ci_level=level))
    except ValueError as exc:  # a model or a count the data cannot support
        raise InputError(str(exc), path=str(file)) from None
    payload["models"] = [m.to_dict() for m in models]
    payload["single_source"] = [s.to_dict() for s in singles]
    return payload, models, singles, dependence


def _render_csv(
    models: list[CRCResult], singles: list[SingleSourceResult], dependence: list[SampleCoverageResult | MSEResult]
) -> None:
    rows: list[dict[str, Any]] = []
    for m in models:
        d = m.to_dict()
        rows.append({c: "" if d[c] is None else d[c] for c in _COLUMNS})
    for single in singles:
        d = single.to_dict()
        row = {**d, "model": d["method"], "ci_method": "Chao log-normal"}
        rows.append({c: "" if row.get(c) is None else row[c] for c in _COLUMNS})
    for result in dependence:
        d = result.to_dict()
        rows.append({c: "" if d.get(c) is None else d[c] for c in _COLUMNS})
    write_rows(rows, columns=list(_COLUMNS))  # honours --excel and --out


def _render_table(
    payload: dict[str, Any],
    models: list[CRCResult],
    singles: list[SingleSourceResult],
    dependence: list[SampleCoverageResult | MSEResult],
    level: float,
) -> None:
    pct = f"{level * 100:g}%"
    console.print(f"[bold]{payload['file']}[/bold]: {payload['n_observed']} units observed")
    if models:
        table = Table(title="Closed-population models, best AIC first")
        for col in ("Model", "N", "SE", "Deviance", "df", "AIC", "BIC", f"{pct} interval", "CI method"):
            left = col in ("Model", "CI method")
            table.add_column(label(col), justify="left" if left else "right", no_wrap=col == "Model")
        for m in models:
            table.add_row(
                m.model,
                _num(m.abundance),
                _num(m.stderr),
                _num(m.deviance, 3),
                str(m.df),
                _num(m.aic, 3),
                _num(m.bic, 3),
                f"{_num(m.ci_low)} - {_num(m.ci_high)}",
                m.ci_method,
            )
        console.print(table)
        for m in models:
            for note in m.method_notes:
                console.print(f"  [dim]{m.model}: {note}[/dim]")
    two = payload.get("two_source")
    if two:
        console.print(
            f"Two sources: Lincoln-Petersen {_num(two['lincoln_petersen'])}, Chapman {_num(two['chapman'])} "
            f"(SE {_num(two['stderr'])}, {pct} {_num(two['ci_low'])} - {_num(two['ci_high'])})"
        )
    if singles:
        table = Table(title="Single-source frequency estimators")
        for col in ("Method", "N", "SE", f"{pct} interval"):
            table.add_column(label(col), justify="left" if col == "Method" else "right")
        for s in singles:
            table.add_row(s.method, _num(s.abundance), _num(s.stderr), f"{_num(s.ci_low)} - {_num(s.ci_high)}")
        console.print(table)
    if dependence:
        table = Table(title="Estimators allowing dependent sources")
        for col in ("Method", "N", "SE", f"{pct} interval", "Dependence"):
            table.add_column(label(col), justify="left" if col in ("Method", "Dependence") else "right")
        for r in dependence:
            if isinstance(r, SampleCoverageResult):
                what = f"coverage {r.coverage:.2f}; " + ", ".join(f"γ {a}:{b} {g:.2f}" for a, b, g in r.gammas)
            else:
                what = ", ".join(f"{a}:{b}" for a, b in r.interactions) or "none (independent sources)"
            table.add_row(
                r.model.split(":")[0], _num(r.abundance), _num(r.stderr), f"{_num(r.ci_low)} - {_num(r.ci_high)}", what
            )
        console.print(table)
        for r in dependence:
            for note in r.method_notes:
                console.print(f"  [dim]{r.model.split(':')[0]}: {note}[/dim]")
    for note in payload.get("dependence_notes", []):
        console.print(f"  [dim]{note}[/dim]")


# --- demand, purchases, triangulation ------------------------------------------------------------
# Thin: parse options into the library's typed inputs, call one function, render its to_dict().


def _population(ctx: typer.Context, year: int | None) -> PopulationTable:
    """The bundled population, or a year imported into the store (the store is opened only then)."""
    bundled = bundled_population()
    if year is None or year == bundled.year:
        return bundled
    with workspace(ctx) as ws:
        table = ws.store.population_table(year)
        years = sorted(ws.store.population_years())
    if table is None:
        have = ", ".join(str(y) for y in sorted({bundled.year, *years}))
        raise InputError(
            f"no population for {year}; available: {have}. Import a year with "
            "`lagesbild refdata import-population FILE`",
            field="--year",
        )
    return table


def _age(text: str, option: str = "--age") -> AgeBand:
    try:
        return AgeBand.parse(text)
    except ValueError as exc:
        raise InputError(str(exc), field=option) from None


def _pair(text: str, option: str) -> tuple[float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"expected LOW,HIGH (two numbers), not {text!r}", field=option) from None
    return lo, hi


def _count(text: str | None, option: str) -> tuple[float, float, float] | None:
    """``"1365"`` or ``"1365,1200,1500"`` (estimate, low, high)."""
    if text is None:
        return None
    try:
        vals = [float(p) for p in text.split(",")]
    except ValueError:
        vals = []
    if len(vals) == 1:
        vals = [vals[0]] * 3
    if len(vals) != 3 or not 0 <= vals[1] <= vals[0] <= vals[2]:
        raise InputError(f"expected N or N,LOW,HIGH with LOW <= N <= HIGH, not {text!r}", field=option)
    return vals[0], vals[1], vals[2]


def _proportion(p: float, n_survey: float | None, ci: str | None, level: float, option: str) -> Proportion:
    try:
        if n_survey is not None and ci is not None:
            raise InputError("give either --n-survey or --ci, not both", field="--ci")
        if n_survey is not None:
            return Proportion.from_sample(p, n_survey, level)
        if ci is not None:
            lo, hi = _pair(ci, "--ci")
            return Proportion.from_interval(p, lo, hi, level)
        return Proportion.exact(p)
    except ValueError as exc:
        raise InputError(str(exc), field=option) from None


_SET_HELP = (
    "Fix an assumption: NAME=VALUE (repeatable). The purchases model's parameters must be more than "
    "LOW and at most HIGH: " + ", ".join(f"{n} {lo:g}-{hi:g}" for n, (lo, hi) in PARAMETER_RANGES.items()) + "."
)


def _assumption_set(path: Path | None, sets: list[str] | None) -> AssumptionSet:
    a = load_assumptions(path) if path is not None else default_assumptions()
    errors: list[InputError] = []
    for item in sets or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not math.isfinite(number):
            errors.append(InputError(f"expected NAME=NUMBER, not {item!r}", field="--set"))
        elif name not in a:
            errors.append(InputError(f"unknown parameter {name!r}; known: {', '.join(a.names())}", field="--set"))
        elif name in PARAMETER_RANGES and (bad := parameter_errors({name: number})):
            errors.extend(bad)  # the dashboard's ranges and messages
        else:
            a = a.with_fixed(**{name: number})
    if errors:
        raise InputErrors(errors)
    return a


def _activity(
    area: str,
    days: int,
    person_days: str | None,
    ad_days: str | None,
    persons: str | None,
    advertisers: str | None,
    ads: str | None,
) -> ActivitySummary:
    if person_days is None and ad_days is None:
        raise InputError("give --person-days or --ad-days", field="--person-days")
    if days < 1:
        raise InputError("must be at least 1", field="--days")
    return ActivitySummary.from_numbers(
        area,
        person_days=_count(person_days, "--person-days"),
        ad_days=_count(ad_days, "--ad-days"),
        persons=_count(persons, "--persons"),
        advertisers=_count(advertisers, "--advertisers"),
        ads=_count(ads, "--ads"),
        days=days,
    )


def _write_json(payload: object) -> None:
    emit(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _write_csv(rows: list[dict[str, Any]]) -> None:
    write_rows(rows)  # honours --excel and --out


_DEMAND_COLUMNS = ("area", "area_name", "men", "estimate", "low", "high")


@app.command("demand")
def demand(
    ctx: typer.Context,
    area: Annotated[
        str, typer.Option(help="SE, a county or a municipality: code or name (01, Stockholm, 0180).", parser=parse_area)
    ],
    prevalence: Annotated[float, typer.Option(help="Survey share, 0-1 (0.075 = 7.5%).")],
    age: Annotated[str, typer.Option(help="Age band of the men counted: 18-65, or 18+ for no upper limit.")] = "18-65",
    year: Annotated[
        int | None, typer.Option(help="Population year: the bundled 2019 table, or a year imported into the store.")
    ] = None,
    n_survey: Annotated[
        float | None, typer.Option("--n-survey", help="The survey's sample size (Wilson interval).")
    ] = None,
    ci: Annotated[str | None, typer.Option("--ci", help="The survey's published interval: LOW,HIGH (0-1).")] = None,
    level: Annotated[float, typer.Option(help="Confidence level of the interval.")] = 0.95,
    measure: Annotated[str, typer.Option(help="What the share measures: ever or 12m.")] = "ever",
    design_effect: Annotated[
        float,
        typer.Option(
            "--design-effect",
            help="With --n-survey: the survey's design effect (the published figures use "
            f"{DEFAULT_DESIGN_EFFECT:g}); 1 for a simple random sample.",
        ),
    ] = 1.0,
    transfer_sigma: Annotated[
        float,
        typer.Option(
            "--transfer-sigma",
            help="Log-scale spread of the area's share around the national one (the published figures use "
            f"{DEFAULT_TRANSFER_SIGMA:g}); 0 applies the national share as it is. Not applied to SE.",
        ),
    ] = 0.0,
    by_municipality: Annotated[
        bool, typer.Option("--by-municipality", help="Also list every municipality in the area.")
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Men in an area who have bought sex: survey share x men in the age band, with an interval.

    Without --n-survey or --ci the share has no known uncertainty and no interval is shown.

    Example: lagesbild estimate demand --area 01 --prevalence 0.10 --age 18+ --n-survey 2000
    """
    output = export_format(output)
    with friendly_errors():
        if measure not in ("ever", "12m"):
            raise InputError("must be 'ever' or '12m'", field="--measure")
        band = _age(age)
        prop = _proportion(prevalence, n_survey, ci, level, "--prevalence")
        pop = _population(ctx, year)
        m: Measure = "ever" if measure == "ever" else "12m"
        try:
            if by_municipality:
                results = demand_by_area(
                    pop, prop, band, within=area, measure=m, design_effect=design_effect, transfer_sigma=transfer_sigma
                )
            else:
                results = [
                    estimate_demand(
                        pop, area, prop, band, measure=m, design_effect=design_effect, transfer_sigma=transfer_sigma
                    )
                ]
        except ValueError as exc:
            option = "--design-effect" if "design" in str(exc) else "--transfer-sigma"
            raise InputError(str(exc), field=option) from None
    rows = [r.to_dict() for r in results]
    if output is OutputFormat.json:
        _write_json(rows if by_municipality else rows[0])
    elif output is OutputFormat.csv:
        _write_csv(rows)
    else:
        first = results[0]
        what = f"Men {first.age_band} who {MEASURE_LABELS[first.measure]}: {first.prevalence.estimate:.2%} of the men"
        if first.has_interval:
            widened = [f"design effect {first.design_effect:g}"] if first.design_effect != 1.0 else []
            widened += [f"transfer spread {transfer_sigma:g}"] if transfer_sigma > 0 else []
            how = f"{first.prevalence.method}" + "".join(f", {w}" for w in widened)
            columns: tuple[str, ...] = _DEMAND_COLUMNS
            title = f"{what} in {first.year}, {level:.0%} interval ({how})"
        else:
            columns = tuple(c for c in _DEMAND_COLUMNS if c not in ("low", "high"))
            title = f"{what} in {first.year}; no interval: give the survey's --n-survey or --ci"
        render(
            [{k: round(r[k]) if k in ("estimate", "low", "high") else r[k] for k in columns} for r in rows],
            output,
            title=title,
        )


@app.command("purchases")
def purchases(
    person_days: Annotated[
        str | None, typer.Option(help="Active person-days in the period: N or N,LOW,HIGH (the range linking leaves).")
    ] = None,
    ad_days: Annotated[
        str | None, typer.Option(help="Ad-days in the period (if persons are not linked): N or N,LOW,HIGH.")
    ] = None,
    persons: Annotated[str | None, typer.Option(help="Distinct active persons (reported, not used).")] = None,
    advertisers: Annotated[str | None, typer.Option(help="Distinct advertisers (reported, not used).")] = None,
    ads: Annotated[str | None, typer.Option(help="Distinct ads (reported, not used).")] = None,
    days: Annotated[int, typer.Option(help="Length of the period the counts cover, in days.")] = 365,
    area: Annotated[str, typer.Option(help="Label of the area the counts are for.")] = "-",
    assumptions: Annotated[
        Path | None, typer.Option(help="Assumptions YAML file (default: the bundled default.yaml).")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=_SET_HELP)] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result).")] = 0,
    level: Annotated[float, typer.Option(help="Level of the interval.")] = 0.9,
    count_noise: Annotated[bool, typer.Option(help="Include Poisson noise around the expected count.")] = True,
    tornado_file: Annotated[
        Path | None, typer.Option("--tornado", help="Write a tornado chart (.png or .svg) to this file.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Sex purchases per year from ad activity, with a Monte Carlo interval and a sensitivity analysis.

    Example: lagesbild estimate purchases --person-days 1365 --set clients_per_working_day=2 --tornado t.png
    """
    output = export_format(output)
    with friendly_errors():
        activity = _activity(area, days, person_days, ad_days, persons, advertisers, ads)
        aset = _assumption_set(assumptions, set_)
        try:
            est = estimate_purchases(activity, aset, n_draws=draws, seed=seed, level=level, count_noise=count_noise)
            sens = tornado(activity, aset, basis=est.basis)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if tornado_file is not None:
            fmt: ImageFormat = "svg" if tornado_file.suffix.lower() == ".svg" else "png"
            try:
                tornado_file.write_bytes(tornado_chart(sens, fmt=fmt))
            except OSError as exc:
                raise InputError(f"cannot write the chart: {exc.strerror}", path=str(tornado_file)) from None
    payload = {**est.to_dict(), "tornado": sens.to_dict()}
    if output is OutputFormat.json:
        _write_json(payload)
    elif output is OutputFormat.csv:
        _write_csv(
            [
                {
                    "area": activity.area,
                    "median": est.median,
                    "low": est.low,
                    "high": est.high,
                    "level": est.level,
                    "central": est.central,
                    "basis": est.basis,
                    "assumptions": est.assumptions_name,
                    "n_draws": est.n_draws,
                    "seed": est.seed,
                }
            ]
        )
    else:
        pct = f"{level:.0%}"
        console.print(
            f"[bold]Purchases per year[/bold]: {_num(est.median, 0)} ({pct} interval {_num(est.low, 0)} - "
            f"{_num(est.high, 0)}; point value {_num(est.central, 0)}), assumptions '{est.assumptions_name}'"
        )
        table = Table(title="Inputs")
        for col in ("Input", "Distribution", "5%", "Median", "95%"):
            table.add_column(label(col), justify="left" if col in ("Input", "Distribution") else "right")
        for row in payload["inputs"]:
            table.add_row(row["name"], row["distribution"], *(f"{row[k]:.4g}" for k in ("q05", "median", "q95")))
        console.print(table)
        tt = Table(title=f"Sensitivity (one at a time, {sens.q_low:.0%}-{sens.q_high:.0%} quantiles)")
        for col in ("Input", "Result at low", "Result at high", "Swing"):
            tt.add_column(label(col), justify="left" if col == "Input" else "right")
        for b in sens.bars:
            tt.add_row(b.name, _num(b.result_low, 0), _num(b.result_high, 0), _num(b.swing, 0))
        console.print(tt)
        if tornado_file is not None:
            console.print(f"Tornado chart written to {tornado_file}")


@app.command("triangulate")
def triangulate_cmd(
    ctx: typer.Context,
    area: Annotated[
        str, typer.Option(help="SE, a county or a municipality: code or name (05, Östergötland).", parser=parse_area)
    ],
    supply_purchases: Annotated[
        str | None,
        typer.Option(help="Supply-side purchases per year: N or N,LOW,HIGH (a 90% interval)."),
    ] = None,
    person_days: Annotated[
        str | None, typer.Option(help="Or: active person-days (N or N,LOW,HIGH), run through the purchases model.")
    ] = None,
    ad_days: Annotated[str | None, typer.Option(help="Or: ad-days, run through the purchases model.")] = None,
    days: Annotated[int, typer.Option(help="Length of the period the activity counts cover, in days.")] = 365,
    assumptions: Annotated[
        Path | None, typer.Option(help="Assumptions YAML file (default: the bundled default.yaml).")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=_SET_HELP)] = None,
    prevalence_12m: Annotated[
        float | None, typer.Option("--prevalence-12m", help="Override the share who bought in the last 12 months.")
    ] = None,
    n_survey: Annotated[float | None, typer.Option("--n-survey", help="Sample size of that share.")] = None,
    ci: Annotated[str | None, typer.Option("--ci", help="Published 95% interval of that share: LOW,HIGH.")] = None,
    age: Annotated[str, typer.Option(help="Age band of the men counted (the survey's base).")] = "18-65",
    year: Annotated[int | None, typer.Option(help="Population year (bundled 2019 or imported).")] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    level: Annotated[float, typer.Option(help="Level of the intervals.")] = 0.9,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Purchases from the ads beside purchases reported by men in the area, and their ratio.

    Example: lagesbild estimate triangulate --area 05 --supply-purchases 1500,1100,2000
    """
    output = export_format(output)
    with friendly_errors():
        aset = _assumption_set(assumptions, set_)
        supply: PurchasesEstimate | SupplyInterval
        if supply_purchases is not None:
            if person_days is not None or ad_days is not None:
                raise InputError("give --supply-purchases or activity counts, not both", field="--supply-purchases")
            s = _count(supply_purchases, "--supply-purchases")
            assert s is not None
            try:
                supply = SupplyInterval(*s)
            except ValueError as exc:
                raise InputError(str(exc), field="--supply-purchases") from None
        else:
            activity = _activity(area, days, person_days, ad_days, None, None, None)
            supply = estimate_purchases(activity, aset, n_draws=draws, seed=seed, level=level)
        prop = None
        if prevalence_12m is not None:
            prop = _proportion(prevalence_12m, n_survey, ci, 0.95, "--prevalence-12m")
        elif n_survey is not None or ci is not None:
            raise InputError("--n-survey and --ci go with --prevalence-12m", field="--prevalence-12m")
        band = _age(age)
        pop = _population(ctx, year)
        result = triangulate(
            pop, area, supply, aset, age_band=band, prevalence_12m=prop, n_draws=draws, seed=seed, level=level
        )
    payload = result.to_dict()
    if output is OutputFormat.json:
        _write_json(payload)
        return
    named = [
        ("buyers (last 12 months)", result.buyers),
        ("purchases/year, demand side", result.demand),
        ("purchases/year, supply side", result.supply),
        ("ratio supply/demand", result.ratio),
    ]
    if output is OutputFormat.csv:
        _write_csv([{"area": area, "year": result.year, "quantity": q, **s.to_dict()} for q, s in named])
        return
    table = Table(title=f"{result.area_name}: {result.men:,} men {result.age_band} ({result.year})".replace(",", " "))
    for col in ("Quantity", "Point", "Median", f"{level:.0%} interval"):
        table.add_column(label(col), justify="left" if col == "Quantity" else "right")
    for q, sm in named:
        digits = 2 if q.startswith("ratio") else 0
        table.add_row(
            q, _num(sm.central, digits), _num(sm.median, digits), f"{_num(sm.low, digits)} - {_num(sm.high, digits)}"
        )
    console.print(table)
    console.print(f"Agreement: [bold]{result.agreement}[/bold] (assumptions '{result.assumptions_name}')")


# --- run: every estimate for an area and period, from the store, stored -------------------------

# Options shared by the commands that read the store for an area and period.
AreaOption = Annotated[
    str, typer.Option(help="SE, a county or a municipality: code or name (05, Östergötland, 0580).", parser=parse_area)
]
YearOption = Annotated[int | None, typer.Option(help="The calendar year (--from/--to override its ends).")]
FromOption = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")]
AssumptionsOption = Annotated[
    Path | None, typer.Option(help="Assumptions YAML file (default: the bundled default.yaml).")
]


class ReturnsChoice(StrEnum):
    """``estimate run --returns``: where the persons estimate's returning women come from."""

    assumption = "assumption"
    measured = "measured"


def _period(year: int | None, from_: str | None, to: str | None) -> tuple[date, date]:
    def day(text: str, option: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InputError(f"expected a date YYYY-MM-DD, not {text!r}", field=option) from None

    if year is None and (from_ is None or to is None):
        raise InputError("give --year, or both --from and --to", field="--year")
    start = day(from_, "--from") if from_ is not None else date(year or 0, 1, 1)
    end = day(to, "--to") if to is not None else date(year or 0, 12, 31)
    return start, end


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    area: Annotated[
        str,
        typer.Option(
            help="SE, a county or a municipality (code or name: 05, Östergötland, 0580), or all (every one of them).",
            parser=parse_area,
        ),
    ],
    year: YearOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    assumptions: AssumptionsOption = None,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result).")] = DEFAULT_SEED,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws.")] = DEFAULT_DRAWS,
    level: Annotated[float, typer.Option(help="Level of every interval.")] = DEFAULT_LEVEL,
    returns: Annotated[
        ReturnsChoice,
        typer.Option(
            help="Returning women in the persons estimate: the assumption persona_return_share (default), or "
            "measured by the succession count of the period's linked personas (docs/methods/persons.md)."
        ),
    ] = ReturnsChoice.assumption,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Every estimate for an area and period, stored as the suite the report, demo and dashboard read.

    Each figure carries the data behind it (sites, days monitored, observations, judgments); where
    nothing was monitored it says "no data", never zero. Figures not published yet (the
    capture-recapture hidden population, until calibrated) are labelled so. --area all runs
    Sweden, every county and every municipality in one go (the store is read once) and prints one
    line per area.

    Example: lagesbild estimate run --area 05 --year 2024 --format json
    """
    output = export_format(output)
    with friendly_errors():
        start, end = _period(year, from_, to)
        aset = load_assumptions(assumptions) if assumptions is not None else default_assumptions()
    areas = all_areas() if area == "all" else [area]
    with workspace(ctx) as ws, Progress(TextColumn("estimates"), BarColumn(), MofNCompleteColumn(),
                                       TimeRemainingColumn(), console=err_console, transient=True) as bar:  # fmt: skip
        task = bar.add_task("areas", total=len(areas))
        suites = compute_suites(
            ws.store, areas, start, end, assumptions=aset, seed=seed, n_draws=draws, level=level,
            progress=lambda n, total: bar.update(task, completed=n) if total > 1 else None, returns=returns.value,
        )  # fmt: skip
    if output is OutputFormat.json:
        _write_json([s.to_dict() for s in suites] if area == "all" else suites[0].to_dict())
        return
    if output is OutputFormat.csv:
        _write_csv([row for s in suites for row in s.rows()])
        return
    if area == "all":
        _print_all(suites, start, end, aset.name)
    else:
        _print_suite(suites[0], aset.name)


def _figure_cell(f: Figure | None, digits: int = 0) -> str:
    """A figure as a table cell: value (interval), "no data", or labelled when not published."""
    if f is None:
        return "-"
    if f.estimate is None:
        return "no data" if f.note == NO_DATA else "not estimated"
    text = _num(f.estimate, digits)
    if f.low is not None and f.high is not None and (f.low != f.estimate or f.high != f.estimate):
        text += f" ({_num(f.low, digits)}-{_num(f.high, digits)})"
    return text if f.published else f"{text} [not published]"


def _coverage_line(s: EstimateSuite) -> str:
    c = s.coverage
    if not c.has_data:
        return f"no data: nothing was monitored in {s.area_name} ({s.area}) from {s.start} to {s.end}"
    return (
        f"Data: {len(c.sites)} sites, {c.days_monitored} days monitored ({c.first_day} - {c.last_day}), "
        f"{c.observations:,} observations, {c.ads:,} ads, {c.judgments} judgments".replace(",", " ")
    )


def _print_suite(s: EstimateSuite, assumptions_name: str) -> None:
    table = Table(
        title=f"Estimates for {s.area_name} ({s.area}), {s.start} - {s.end} (run {s.run_id}, "
        f"assumptions '{assumptions_name}', {s.level:.0%} intervals)"
    )
    for col in ("Quantity", "Estimate (interval)", "Level", "Method or note"):
        table.add_column(label(col), justify="right" if col in ("Estimate (interval)", "Level") else "left")
    for f in s.figures.values():
        level = "-" if f.estimate is None else "range" if f.level is None else f"{f.level:.0%}"
        table.add_row(f.quantity, _figure_cell(f), level, f.note if f.note and f.estimate is None else f.method)
    console.print(table)
    console.print(_coverage_line(s))
    for note in s.notes:
        console.print(f"[dim]{note}[/dim]")
    hidden = [f.quantity for f in s.figures.values() if not f.published and f.estimate is not None]
    if hidden:
        why = NOT_PUBLISHED.removeprefix("not published: ")
        console.print(f"[dim]not published: {', '.join(hidden)} ({why})[/dim]")


def _print_all(suites: list[EstimateSuite], start: date, end: date, assumptions_name: str) -> None:
    level = suites[0].level if suites else DEFAULT_LEVEL
    table = Table(
        title=f"Estimates for every area, {start} - {end} (assumptions '{assumptions_name}', {level:.0%} intervals)"
    )
    cols = ("persons", "purchases", "demand_12m")
    for col in ("Area", "Days monitored", *cols):
        table.add_column(label(col), justify="left" if col == "Area" else "right")
    for s in suites:
        days = str(s.coverage.days_monitored) if s.has_data else "no data"
        table.add_row(f"{s.area_name} ({s.area})", days, *(_figure_cell(s.figure(q)) for q in cols))
    console.print(table)


@app.command("residence")
def residence_cmd(
    ctx: typer.Context,
    area: AreaOption,
    year: YearOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    assumptions: AssumptionsOption = None,
    prior_weight: Annotated[
        float, typer.Option(help="Weight, in judgments, of the area's pattern for a municipality with few of its own.")
    ] = 2.0,
    seed: Annotated[
        int | None, typer.Option(help="Random seed (default: the stored estimate suite's, else 1).")
    ] = None,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws of where buyers live.")] = 4000,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Where purchases happen (ads) versus where the buyers live (judgments), per municipality, with intervals.

    Needs linked ads (lagesbild link run) and imported judgments (lagesbild verdicts import);
    without judgments it says "no data". The purchases in each municipality are the estimate
    suite's (as estimate run and the report show them), and each
    municipality's purchases over the buyers' homes as the judgments of purchases there show
    (docs/methods/residence.md). The demand side (men 18-65 x prevalence_12m x purchases per
    buyer) stands beside the purchases by residents.

    Example: lagesbild estimate residence --area 05 --year 2024 --format csv
    """
    output = export_format(output)
    with friendly_errors():
        start, end = _period(year, from_, to)
        aset = load_assumptions(assumptions) if assumptions is not None else default_assumptions()
    with workspace(ctx) as ws:
        res = residence(
            ws.store, area, start, end, assumptions=aset, seed=seed, n_draws=draws, prior_weight=prior_weight
        )
    if res.judgments == 0:
        # Without judgments nothing says where buyers live: the prior alone would fill every
        # municipality with the same made-up share, so nothing is shown.
        note = (
            f"no data: no judgments with the offence in {res.area_name} ({area}); "
            "import them with `lagesbild verdicts import`"
        )
        if output is OutputFormat.json:
            _write_json({"area": area, "area_name": res.area_name, "period_start": start.isoformat(),
                         "period_end": end.isoformat(), "judgments": 0, "has_data": False, "note": note,
                         "rows": []})  # fmt: skip
        elif output is OutputFormat.csv:
            err_console.print(note)
        else:
            console.print(note)
        return
    # A municipality without monitored ads has no purchases figure (no data), not zero.
    unmonitored = {r.kommun for r in res.rows if r.person_days <= 0}
    if output is OutputFormat.json:
        payload = res.to_dict()
        for row in payload["rows"]:
            if row["kommun"] in unmonitored:
                row["purchases_in"] = None
        _write_json({**payload, "has_data": True})
        return
    if output is OutputFormat.csv:
        flat = [r.flat() for r in res.rows]
        for row in flat:
            if row["kommun"] in unmonitored:
                row |= {"purchases_in": None, "purchases_in_low": None, "purchases_in_high": None}
        _write_csv(flat)
        return
    table = Table(
        title=f"Where purchases happen and where buyers live: {res.area_name}, {start} - {end} "
        f"({res.judgments} judgments, {res.level:.0%} intervals)"
    )
    for col in ("Municipality", "Purchases here", "By residents", "Visitors' share", "Demand side", "Judgments"):
        table.add_column(label(col), justify="left" if col == "Municipality" else "right")

    def iv(s: Summary | None, share: bool = False) -> str:
        if s is None:
            return "-"
        if share:
            return f"{s.median:.0%} ({s.low:.0%}-{s.high:.0%})"
        return f"{_num(s.median, 0)} ({_num(s.low, 0)}-{_num(s.high, 0)})"

    for r in res.rows:
        table.add_row(
            f"{r.name} ({r.kommun})",
            iv(r.purchases_in) if r.person_days > 0 else "no data",  # no monitored ads there: not zero
            iv(r.by_residents),
            iv(r.visitor_share, share=True),
            iv(r.demand),
            str(r.judgments),
        )
    table.add_row("Outside the area", "-", iv(res.outside), "-", "-", "-")
    console.print(table)
