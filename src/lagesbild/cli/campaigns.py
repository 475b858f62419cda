"""``lagesbild campaigns``: the campaign register and the evaluation of a campaign's effect.

Thin layer: parse options, call :class:`lagesbild.store.campaigns.CampaignStore` and
:mod:`lagesbild.campaigns`, render.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import typer

from lagesbild.campaigns import Campaign, CampaignEffect, campaign_from_fields, evaluate_stored, read_campaign_csv
from lagesbild.campaigns.measures import SeriesEffect
from lagesbild.campaigns.power import power_for_daily, power_for_series
from lagesbild.campaigns.runner import evaluate_stored_all, evaluate_stored_sts
from lagesbild.campaigns.series import evaluate_series, read_series_csv
from lagesbild.campaigns.sts import StsEffect
from lagesbild.campaigns.verdict import verdict_rate_ratio
from lagesbild.cli._common import (
    ExcelOption,
    OutOption,
    OutputFormat,
    console,
    err_console,
    friendly_errors,
    render,
    workspace,
)
from lagesbild.errors import InputError
from lagesbild.store.campaigns import CampaignStore

app = typer.Typer(help="Campaigns aimed at buyers: register them and measure their effect.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Campaigns aimed at buyers ("Du avgör", "Sluta köpa sex"): register them and measure their effect."""


def _row(c: Campaign) -> dict[str, Any]:
    return {
        "name": c.name,
        "counties": ",".join(c.counties),
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "note": c.note,
    }


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Name of the campaign."),
    counties: str = typer.Option(..., "--counties", help="County codes, comma-separated, e.g. 05,06."),
    start: str = typer.Option(..., "--start", help="First day (ISO date)."),
    end: str = typer.Option(..., "--end", help="Last day (ISO date)."),
    note: str = typer.Option("", "--note", help="Free text: channels, budget, source."),
    replace: bool = typer.Option(False, "--replace", help="Replace a campaign of the same name."),
) -> None:
    """Register a campaign.

    Example: lagesbild campaigns add "Sluta köpa sex" --counties 05 --start 2024-04-15 --end 2024-05-19
    """
    with friendly_errors():
        c = campaign_from_fields({"name": name, "counties": counties, "start": start, "end": end, "note": note})
    with workspace(ctx) as ws:
        CampaignStore(ws.store).add(c, replace=replace)
    console.print(f"registered {c.name} ({', '.join(c.counties)}, {c.period})")


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    csv_file: Path = typer.Argument(..., help="CSV with name, counties (or county), start, end[, note]."),
    replace: bool = typer.Option(False, "--replace", help="Replace campaigns of the same name."),
) -> None:
    """Register the campaigns of a CSV file (e.g. the simulator's truth/campaigns.csv).

    Example: lagesbild campaigns import world/truth/campaigns.csv
    """
    with friendly_errors():
        cs = read_campaign_csv(csv_file)
    with workspace(ctx) as ws:
        n = CampaignStore(ws.store).add_many(cs, replace=replace)
    console.print(f"registered {n} campaign(s) from {csv_file}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    _excel: ExcelOption = False,
    _out: OutOption = None,
) -> None:
    """List the registered campaigns.

    Example: lagesbild campaigns list --format json
    """
    with workspace(ctx) as ws:
        rows = [_row(c) for c in CampaignStore(ws.store).list()]
    render(rows, fmt, title="Campaigns")


def effect_row(name: str, e: CampaignEffect) -> dict[str, Any]:
    """A campaign effect as a flat row (the JSON the command prints)."""
    return {
        "name": name,
        "rate_ratio": e.rate_ratio,
        "low": e.low,
        "high": e.high,
        "level": e.level,
        "percent_change": e.percent_change,
        "dispersion": e.dispersion,
        "weeks": e.n,
        "campaign_weeks": e.n_intervention,
        "method": e.method,
        "terms": [asdict(t) for t in e.terms],
    }


def sts_row(name: str, e: StsEffect) -> dict[str, Any]:
    """A structural time-series effect as a flat row (the JSON the command prints)."""
    return {
        "name": name,
        "average_effect": e.average,
        "low": e.low,
        "high": e.high,
        "level": e.level,
        "relative": e.relative,
        "relative_low": e.relative_low,
        "relative_high": e.relative_high,
        "percent_change": 100 * e.relative,
        "cumulative_effect": e.cumulative,
        "points_before": e.n_pre,
        "campaign_points": e.n_post,
        "method": e.method,
        "verdict_sv": e.verdict_sv,
        "verdict_en": e.verdict_en,
    }


def _glm_row(name: str, e: CampaignEffect) -> dict[str, Any]:
    row = effect_row(name, e)
    row["verdict_sv"], row["verdict_en"] = verdict_rate_ratio(e.rate_ratio, e.low, e.high, level=e.level)
    return row


def _parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {text!r}", field=option) from None


@app.command("evaluate")
def evaluate_cmd(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The campaign's name (not needed with --series)."),
    control: bool = typer.Option(True, "--control/--no-control", help="Use the other counties as a control."),
    level: float = typer.Option(0.95, "--level", help="Interval coverage."),
    series: Path | None = typer.Option(
        None, "--series", help="Evaluate an external CSV series instead: date;value[;control...] (one row per period)."
    ),
    start: str | None = typer.Option(None, "--start", help="With --series: the campaign's first day (ISO date)."),
    end: str | None = typer.Option(None, "--end", help="With --series: its last day (default: to the end)."),
    method: str = typer.Option(
        "glm", "--method", help="glm (interrupted time series / difference-in-differences) or sts (counterfactual)."
    ),
    exposure: str | None = typer.Option(
        None, "--exposure", help="With --series: a column used as exposure (log offset), not as a control."
    ),
    family: str = typer.Option("quasipoisson", "--family", help="With --series and glm: quasipoisson or poisson."),
    seasonality: int = typer.Option(0, "--seasonality", help="With --series, glm: Fourier pairs, yearly season."),
    slope_change: bool = typer.Option(False, "--slope-change", help="With --series, glm: also fit a trend change."),
    hac_lags: int = typer.Option(0, "--hac-lags", help="With --series and glm: Newey-West lags (0: model-based)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    plot: Path | None = typer.Option(
        None, "--plot", help="With --method sts: write the three-panel PNG (observed vs counterfactual, effects)."
    ),
) -> None:
    """Estimate a campaign's effect on four weekly measures, or on an external series.

    One row per measure (ad-days, new ads, active persons, estimated purchases): rate ratio,
    calibrated interval and a plain verdict that says when the data cannot tell.

    Example: lagesbild campaigns evaluate "Sluta köpa sex" --format json

    Example: lagesbild campaigns evaluate --series kast.csv --start 2024-04-15 --end 2024-05-19 --method sts
    """
    if series is not None:
        with friendly_errors():
            if start is None:
                raise InputError("--series needs --start (the campaign's first day)", field="--start")
            if method not in ("glm", "sts"):
                raise InputError(f"--method must be glm or sts, not {method!r}", field="--method")
            if family not in ("quasipoisson", "poisson"):
                raise InputError(f"--family must be quasipoisson or poisson, not {family!r}", field="--family")
            s = read_series_csv(series, exposure=exposure)
            eff = evaluate_series(
                s,
                _parse_day(start, "--start"),
                None if end is None else _parse_day(end, "--end"),
                method="sts" if method == "sts" else "glm",
                family="poisson" if family == "poisson" else "quasipoisson",
                seasonality=seasonality,
                slope_change=slope_change,
                level=level,
                hac_lags=hac_lags,
            )
        label = name or series.name
        _maybe_plot(plot, eff, label)
        row = sts_row(label, eff) if isinstance(eff, StsEffect) else _glm_row(label, eff)
        if fmt is OutputFormat.json:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, indent=2) + "\n")
            return
        _render_effect(label, eff)
        console.print(row["verdict_sv"], highlight=False)
        return
    if name is None:
        with friendly_errors():
            raise InputError("give a campaign name, or --series FILE.csv --start DATE", field="name")
    if method == "sts":
        with workspace(ctx) as ws:
            se = evaluate_stored_sts(ws.store, name, level=level)
        _maybe_plot(plot, se, name)
        if fmt is OutputFormat.json:
            sys.stdout.write(json.dumps(sts_row(name, se), ensure_ascii=False, indent=2) + "\n")
            return
        _render_effect(name, se)
        console.print(se.verdict_sv, highlight=False)
        return
    if method != "glm":
        with friendly_errors():
            raise InputError(f"--method must be glm or sts, not {method!r}", field="--method")
    _maybe_plot(plot, None, name)
    with workspace(ctx) as ws, friendly_errors():
        rows = evaluate_stored_all(ws.store, name, control=control, level=level)
        # ad-days that cannot be evaluated: evaluate_stored raises the precise InputError
        e = rows[0].effect or evaluate_stored(ws.store, name, control=control, level=level)
    row = _glm_row(name, e)
    row["series"] = [r.to_dict() for r in rows]
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, indent=2) + "\n")
        return
    _render_series(name, rows, level)


def _render_series(name: str, rows: tuple[SeriesEffect, ...], level: float) -> None:
    """One table row per measure (change, rate ratio, interval, weeks), then each measure's verdict."""
    en = _lang_en()
    out = []
    for r in rows:
        e = r.effect
        out.append(
            {
                "measure" if en else "mått": r.label_en if en else r.label_sv,
                "change" if en else "förändring": "–" if e is None else f"{e.percent_change:+.1f}%",
                "rate ratio" if en else "kvot": "–" if e is None else round(e.rate_ratio, 3),
                f"{100 * level:.0f}% interval" if en else f"{100 * level:.0f} % intervall": "–"
                if e is None
                else f"{e.low:.3f}–{e.high:.3f}",
                "weeks (campaign)" if en else "veckor (kampanj)": "–" if e is None else f"{e.n} ({e.n_intervention})",
            }
        )
    method = next((r.effect.method for r in rows if r.effect is not None), "")
    render(out, OutputFormat.table, title=f"{name}: {method}")
    for r in rows:
        label, verdict = (r.label_en, r.verdict_en) if en else (r.label_sv, r.verdict_sv)
        console.print(f"{label}: {verdict}", highlight=False)


def _lang_en() -> bool:
    from lagesbild.cli._common import current_lang

    return current_lang() == "en"


def _maybe_plot(path: Path | None, eff: CampaignEffect | StsEffect | None, title: str) -> None:
    """Write the --plot PNG of an STS evaluation (an error for the glm method)."""
    if path is None:
        return
    with friendly_errors():
        if not isinstance(eff, StsEffect):
            raise InputError("--plot needs --method sts", field="--plot")
        from lagesbild.campaigns.plot import plot_sts
        from lagesbild.cli._common import current_lang

        plot_sts(eff, path, title=title, lang="en" if current_lang() == "en" else "sv")
    err_console.print(f"wrote {path}", highlight=False)


def _render_effect(name: str, e: CampaignEffect | StsEffect) -> None:
    if isinstance(e, StsEffect):
        render(
            [
                {
                    "campaign": name,
                    "change": f"{100 * e.relative:+.1f}%",
                    "average effect": round(e.average, 3),
                    f"{100 * e.level:.0f}% interval": f"{e.low:.3f}–{e.high:.3f}",
                    "cumulative": round(e.cumulative, 1),
                    "points (campaign)": f"{e.n_pre + e.n_post} ({e.n_post})",
                }
            ],
            OutputFormat.table,
            title=e.method,
        )
        return
    render(
        [
            {
                "campaign": name,
                "change": f"{e.percent_change:+.1f}%",
                "rate ratio": round(e.rate_ratio, 3),
                f"{100 * e.level:.0f}% interval": f"{e.low:.3f}–{e.high:.3f}",
                "weeks (campaign)": f"{e.n} ({e.n_intervention})",
            }
        ],
        OutputFormat.table,
        title=e.method,
    )


@app.command("power")
def power_cmd(
    ctx: typer.Context,
    counties: str | None = typer.Option(None, "--counties", help="County codes of the planned campaign, e.g. 05."),
    weeks: int = typer.Option(5, "--weeks", help="Planned duration in weeks (with --series: in rows of the file)."),
    control: bool = typer.Option(True, "--control/--no-control", help="Use the other counties as a control."),
    series: Path | None = typer.Option(None, "--series", help="An external CSV series date;value[;control...]."),
    method: str = typer.Option("glm", "--method", help="With --series: glm or sts."),
    alpha: float = typer.Option(0.05, "--alpha", help="Two-sided significance level."),
    power: float = typer.Option(0.8, "--power", help="Wanted probability of detecting the effect."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Minimum detectable effect of a planned campaign (areas, duration, series), before it runs.

    A placebo campaign of the planned length on the latest data is evaluated with the same model;
    its interval width gives the detectable effect.

    Example: lagesbild campaigns power --counties 05 --weeks 5

    Example: lagesbild campaigns power --series kast.csv --weeks 8 --method sts
    """
    with friendly_errors():
        if series is not None:
            if method not in ("glm", "sts"):
                raise InputError(f"--method must be glm or sts, not {method!r}", field="--method")
            s = read_series_csv(series)
            m = power_for_series(s, weeks, method="sts" if method == "sts" else "glm", alpha=alpha, power=power)
            area_label = series.name
        else:
            if not counties:
                raise InputError("give --counties (e.g. 05) or --series FILE.csv", field="--counties")
            day = "2000-01-01"  # only the counties are validated and used
            c = campaign_from_fields({"name": "power", "counties": counties, "start": day, "end": day})
    if series is None:
        with workspace(ctx) as ws, friendly_errors():
            cs = CampaignStore(ws.store)
            area = cs.daily_ad_days(c.counties)
            ctrl = cs.daily_ad_days(None, exclude=c.counties) if control else {}
            m = power_for_daily(area, weeks, ctrl or None, alpha=alpha, power=power)
        area_label = ",".join(c.counties)
    row = {
        "area": area_label,
        "duration": m.points,
        "minimum_detectable_decrease_pct": m.decrease_pct,
        "se": m.se,
        "alpha": m.alpha,
        "power": m.power,
        "method": m.method,
    }
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, indent=2) + "\n")
        return
    render(
        [
            {
                "area": area_label,
                "duration": m.points,
                "detectable decrease": f"{m.decrease_pct:.1f}%",
                "power": f"{100 * m.power:.0f}%",
                "alpha": m.alpha,
            }
        ],
        OutputFormat.table,
        title=m.method,
    )
    console.print(
        f"En kampanj måste minska serien med minst {m.decrease_pct:.0f} % för att upptäckas "
        f"med {100 * m.power:.0f} % sannolikhet.",
        highlight=False,
    )


@app.command("target")
def target_cmd(
    ctx: typer.Context,
    lan: str | None = typer.Option(
        None, "--lan", help="Rank the municipalities of this county (e.g. 05); default: the counties."
    ),
    year: int = typer.Option(..., "--year", help="Calendar year of the estimate suite."),
    top: int | None = typer.Option(None, "--top", help="Show only the best N areas."),
    threshold: int = typer.Option(5, "--threshold", help="Inflow shares resting on fewer judgments are not shown."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    _excel: ExcelOption = False,
    _out: OutOption = None,
) -> None:
    """Where to aim a campaign: areas ranked by demand, activity and buyer inflow.

    The score is the mean of the component ranks (1 = highest) over the components with data;
    a missing component is "inga data", never 0. See docs/methods/campaigns.md.

    Example: lagesbild campaigns target --lan 05 --year 2025 --top 5
    """
    from lagesbild.campaigns.target import inputs_from_suite, rank_targets
    from lagesbild.cli._areas import parse_area
    from lagesbild.estimate.suite import ensure_suite

    with friendly_errors():
        area = "SE" if lan is None else parse_area(lan)
        if area != "SE" and len(area) != 2:
            raise InputError(f"--lan must be a county (e.g. 05), not {lan!r}", field="--lan")
    with workspace(ctx) as ws, friendly_errors():
        suite = ensure_suite(ws.store, area, date(year, 1, 1), date(year, 12, 31))
        rows = rank_targets(inputs_from_suite(suite), threshold=threshold, top=top)
    if fmt is OutputFormat.json:
        render([r.to_dict() for r in rows], fmt)
        return
    out = [
        {"rank": r.rank, "area": r.code, "name": r.name,
         "score": "inga data" if r.score is None else round(r.score, 2),
         "based on": ", ".join(r.based_on) or "inga data", "reasons": "; ".join(r.reasons)}
        for r in rows
    ]  # fmt: skip
    render(out, fmt, title=f"Kampanjmål {suite.area_name} {year}", empty="inga områden")
