"""``lagesbild verdicts``: import court judgments, then the buyers' age profile and travel flows.

Thin layer: parse options, call :mod:`lagesbild.verdicts` and :class:`~lagesbild.store.verdicts.VerdictStore`, render.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from lagesbild.cli._areas import parse_county_or_municipality
from lagesbild.cli._common import ExcelOption, OutOption, OutputFormat, console, emit, render, workspace
from lagesbild.refdata import area_name
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts import age_profile, travel_flows
from lagesbild.verdicts.importer import import_judgments

app = typer.Typer(help="Court judgments: import, buyers' age profile, travel flows.", no_args_is_help=True)

Lan = Annotated[
    str | None,
    typer.Option(
        "--lan",
        help="County or municipality of the offence: code or name (05, Östergötland, 0580, Linköping).",
        parser=parse_county_or_municipality,
    ),
]
Start = Annotated[str | None, typer.Option("--from", help="Judgments dated from this day (YYYY-MM-DD).")]
End = Annotated[str | None, typer.Option("--to", help="Judgments dated up to this day (YYYY-MM-DD).")]
Fmt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


@app.callback()
def main() -> None:
    """Court judgments for köp av sexuell tjänst: import, age profile, travel flows."""


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSONL with a 'text' field per judgment, or a folder of .txt files.")],
) -> None:
    """Extract age, home and offence municipality, sanction... from judgments in FILE and store the fields."""
    with workspace(ctx) as ws:
        done = import_judgments(ws.store, file)
    console.print(
        f"Read {done.n_read:,} judgments; {done.n_new:,} new stored; "
        f"{done.n_incomplete:,} without age or a municipality."
    )


@app.command("profile")
def profile(
    ctx: typer.Context,
    lan: Lan = None,
    start: Start = None,
    end: End = None,
    fmt: Fmt = OutputFormat.table,
    _excel: ExcelOption = False,
    _out: OutOption = None,
) -> None:
    """The defendants' age profile: bands, min, max, mean and median."""
    with workspace(ctx) as ws:
        p = age_profile(VerdictStore(ws.store).records(lan=lan, start=start, end=end))
    if fmt is OutputFormat.json:
        emit(json.dumps(asdict(p), ensure_ascii=False, indent=2) + "\n")
        return
    rows: list[dict[str, Any]] = [{"age": label, "verdicts": n} for label, n in p.bands]
    render(rows, fmt, title=f"Age profile, {p.n_with_age} of {p.n} judgments")
    if fmt is OutputFormat.table and p.mean is not None:
        console.print(f"Ages {p.min}-{p.max}, mean {p.mean:.1f}, median {p.median:.1f}.")


@app.command("flows")
def flows(
    ctx: typer.Context,
    lan: Lan = None,
    start: Start = None,
    end: End = None,
    fmt: Fmt = OutputFormat.table,
    _excel: ExcelOption = False,
    _out: OutOption = None,
) -> None:
    """Travel flows: where buyers lived and where they bought (origin-destination counts)."""
    with workspace(ctx) as ws:
        f = travel_flows(VerdictStore(ws.store).records(lan=lan, start=start, end=end), lan=lan)
    if fmt is OutputFormat.json:
        emit(json.dumps(asdict(f), ensure_ascii=False, indent=2) + "\n")
        return
    rows: list[dict[str, Any]] = [
        {
            "home": x.home,
            "home_name": area_name(x.home),
            "offence": x.offence,
            "offence_name": area_name(x.offence),
            "verdicts": x.count,
        }
        for x in f.flows
    ]
    render(rows, fmt, title=f"Travel flows, {f.n} judgments")
    if fmt is OutputFormat.table and f.n:
        largest = " and ".join(area_name(c) for c in f.largest)
        console.print(
            f"Bought in own municipality: {f.own_share:.0%}. In {largest}: {f.share_into_largest:.0%}"
            + (
                f" (of these, {f.share_travelled_into_largest:.0%} by buyers from elsewhere)."
                if f.share_travelled_into_largest is not None
                else "."
            )
        )
