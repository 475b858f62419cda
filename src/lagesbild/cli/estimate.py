"""``lagesbild estimate``: population-size estimators from the command line.

Thin layer: parse options, call :mod:`lagesbild.estimate.crc`, render.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lagesbild.cli._common import OutputFormat, console, friendly_errors
from lagesbild.errors import InputError
from lagesbild.estimate.crc import (
    CaptureHistories,
    CRCResult,
    SingleSourceResult,
    chao_lower_bound,
    run_all_models,
    two_source_from_histories,
    zelterman,
)
from lagesbild.estimate.crc_io import read_capture_file

app = typer.Typer(help="Estimate the size of a hidden population (capture-recapture).", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Estimate the size of a hidden population (capture-recapture)."""


_COLUMNS = ("model", "abundance", "stderr", "deviance", "df", "aic", "bic", "ci_low", "ci_high", "ci_method")


def _num(x: float | None, digits: int = 1) -> str:
    if x is None or not math.isfinite(x):
        return "-" if x is None or math.isnan(x) else "∞"
    return f"{x:,.{digits}f}".replace(",", " ")


@app.command("crc")
def crc(
    file: Annotated[Path, typer.Argument(help="CSV: 0/1 columns per source (+ optional freq), or nbcap,freq.")],
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.table,
    level: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    profile: Annotated[bool, typer.Option(help="Profile-likelihood intervals (slower).")] = True,
    rcapture_mbh_se: Annotated[
        bool, typer.Option("--rcapture-mbh-se", help="Report Rcapture 1.4-4's (inexact) standard error for Mbh.")
    ] = False,
    occasions: Annotated[
        int | None, typer.Option(help="For nbcap,freq files: number of capture occasions, if known.")
    ] = None,
) -> None:
    """Fit the closed-population capture-recapture models to FILE and print them sorted by AIC."""
    with friendly_errors():
        payload, models, singles = _estimate(file, level, profile, rcapture_mbh_se, occasions)
    if output is OutputFormat.json:
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif output is OutputFormat.csv:
        _render_csv(models, singles)
    else:
        _render_table(payload, models, singles, level)


def _estimate(
    file: Path, level: float, profile: bool, rcapture_mbh_se: bool, occasions: int | None
) -> tuple[dict[str, Any], list[CRCResult], list[SingleSourceResult]]:
    try:
        data = read_capture_file(file, n_occasions=occasions)
        payload: dict[str, Any] = {"file": str(file), "n_observed": data.n_observed}
        models: list[CRCResult] = []
        singles: list[SingleSourceResult] = []
        if isinstance(data, CaptureHistories):
            payload["n_occasions"] = data.n_occasions
            payload["sources"] = list(data.sources)
            models = run_all_models(data, ci_level=level, profile_ci=profile, rcapture_mbh_se=rcapture_mbh_se)
            if data.n_occasions == 2:
                payload["two_source"] = two_source_from_histories(data, ci_level=level).to_dict()
        else:
            payload["n_occasions"] = data.n_occasions
            singles.append(chao_lower_bound(data, ci_level=level))
            if data.f(1) > 0 and data.f(2) > 0:
                singles.append(zelterman(data, ci_level=level))
    except ValueError as exc:  # a model or a count the data cannot support
        raise InputError(str(exc), path=str(file)) from None
    payload["models"] = [m.to_dict() for m in models]
    payload["single_source"] = [s.to_dict() for s in singles]
    return payload, models, singles


def _render_csv(models: list[CRCResult], singles: list[SingleSourceResult]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for m in models:
        d = m.to_dict()
        writer.writerow(["" if d[c] is None else d[c] for c in _COLUMNS])
    for single in singles:
        d = single.to_dict()
        row = {**d, "model": d["method"], "ci_method": "Chao log-normal"}
        writer.writerow(["" if row.get(c) is None else row[c] for c in _COLUMNS])
    sys.stdout.write(buf.getvalue())


def _render_table(
    payload: dict[str, Any], models: list[CRCResult], singles: list[SingleSourceResult], level: float
) -> None:
    pct = f"{level * 100:g}%"
    console.print(f"[bold]{payload['file']}[/bold]: {payload['n_observed']} units observed")
    if models:
        table = Table(title="Closed-population models, best AIC first")
        for col in ("Model", "N", "SE", "Deviance", "df", "AIC", "BIC", f"{pct} interval", "CI method"):
            table.add_column(col, justify="left" if col in ("Model", "CI method") else "right", no_wrap=col == "Model")
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
            table.add_column(col, justify="left" if col == "Method" else "right")
        for s in singles:
            table.add_row(s.method, _num(s.abundance), _num(s.stderr), f"{_num(s.ci_low)} - {_num(s.ci_high)}")
        console.print(table)
