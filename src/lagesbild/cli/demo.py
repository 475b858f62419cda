"""`lagesbild demo`: the whole chain on a simulated market, estimates beside the truth."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from lagesbild import refdata
from lagesbild.cli._common import OutputFormat, console, format_number, friendly_errors, render
from lagesbild.demo import run_demo


def _bound(x: float) -> str:
    """An interval end; an upper limit the data cannot bound is shown as ∞."""
    return format_number(round(x)) if math.isfinite(x) else "∞"


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for the simulated world and the workspace."),
    preset: str = typer.Option("ostergotland", "--preset", help="Simulator preset: tiny, ostergotland or national."),
    seed: int = typer.Option(7, "--seed", help="The simulator's seed (the same seed gives the same world)."),
    county: str = typer.Option("05", "--lan", help="The county the summary is about."),
) -> None:
    """Run the demo: simulate a Swedish ad market, then run the whole chain on it.

    Simulates the market with known ground truth, creates a workspace, imports what a daily
    crawl of the simulated sites sees (identifiers pseudonymized at the door), counts ads per
    municipality and estimates, printing every estimate beside the simulated truth.

    Example: lagesbild demo --out /tmp/demo --preset ostergotland --seed 7
    """
    with friendly_errors(), console.status("Starting") as status:
        res = run_demo(out, preset=preset, seed=seed, county=county, step=lambda msg: status.update(msg + " …"))
    console.print(f"[bold]Simulated world:[/] {res.world}   [bold]Workspace:[/] {res.home}")
    console.print(
        f"Archive: imported {res.imported.n_records:,} observations ({res.imported.n_new:,} new); phone numbers, "
        "e-mail addresses and handles stored only as pseudonyms."
    )
    live = res.live
    health = "all healthy" if not live.degraded else "DEGRADED: " + ", ".join(live.degraded)
    console.print(
        f"Live monitoring of the simulated sites, {live.days[0]} – {live.days[-1]}: {live.pages:,} pages, "
        f"{live.new_observations:,} new observations in {live.seconds:.1f} s ({health})."
    )
    rows = [
        {
            "år": r.period,
            "kommun": refdata.municipality(r.kommun_kod).name if r.kommun_kod else "(okänd)",
            "observationer": r.observations,
            "annonser": r.ads,
        }
        for r in res.counts
    ]
    render(rows, OutputFormat.table, title=f"Annonser per kommun och år – {refdata.county(res.county).name}")
    table = []
    notes: list[str] = []
    for c in res.comparisons:
        if c.note not in notes:
            notes.append(c.note)
        interval = "" if c.low is None or c.high is None else f"{_bound(c.low)}–{_bound(c.high)}"
        table.append(
            {
                "storhet": f"{c.what} [{notes.index(c.note) + 1}]",
                "år": c.period,
                "skattning": format_number(round(c.estimate)),
                "intervall": interval,
                "sanning": "" if c.truth is None else format_number(round(c.truth)),
            }
        )
    render(table, OutputFormat.table, title="Skattningar bredvid den simulerade sanningen")
    for i, note in enumerate(notes, start=1):
        console.print(f"  [{i}] {note}", highlight=False)
    if res.reports:
        last = res.reports[-1]
        console.print(f"[bold]Lägesbild:[/] {last.files.html}")
        if last.files.pdf is not None:
            console.print(f"[bold]PDF:[/] {last.files.pdf}")
    console.print(
        f"[bold]Dashboard:[/] lagesbild --home {res.home} users add admin --role admin --scope SE   "
        f"then   lagesbild --home {res.home} serve   and open http://127.0.0.1:8000/",
        highlight=False,
    )
