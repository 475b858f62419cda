"""``lagesbild campaigns``: the campaign register and the evaluation of a campaign's effect.

Thin layer: parse options, call :class:`lagesbild.store.campaigns.CampaignStore` and
:mod:`lagesbild.campaigns`, render.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from lagesbild.campaigns import Campaign, CampaignEffect, campaign_from_fields, evaluate_stored, read_campaign_csv
from lagesbild.cli._common import ExcelOption, OutOption, OutputFormat, console, friendly_errors, render, workspace
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


@app.command("evaluate")
def evaluate_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The campaign's name."),
    control: bool = typer.Option(True, "--control/--no-control", help="Use the other counties as a control."),
    level: float = typer.Option(0.95, "--level", help="Interval coverage."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Estimate a campaign's effect on weekly ad-days (rate ratio with interval).

    Example: lagesbild campaigns evaluate "Sluta köpa sex" --format json
    """
    with workspace(ctx) as ws:
        e = evaluate_stored(ws.store, name, control=control, level=level)
    row = effect_row(name, e)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, indent=2) + "\n")
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
