"""`lagesbild demo`: the whole chain on simulated data."""

from __future__ import annotations

from pathlib import Path

import typer

from lagesbild import refdata
from lagesbild.cli._common import OutputFormat, console, friendly_errors, render
from lagesbild.demo import run_demo


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for the demo's data folder and outputs."),
) -> None:
    """Run the demo: the whole chain on simulated data, as far as it exists.

    Example: lagesbild demo --out /tmp/demo
    """
    with friendly_errors():
        res = run_demo(out)
    console.print(f"[bold]Demo data folder:[/] {res.home}")
    console.print(
        f"Imported {res.imported.n_records:,} fictional observations ({res.imported.n_new:,} new); "
        "phone numbers and e-mail addresses stored only as pseudonyms."
    )
    by_kommun: dict[str, list[int]] = {}
    for r in res.counts:
        key = refdata.municipality(r.kommun_kod).name if r.kommun_kod else "(okänd)"
        agg = by_kommun.setdefault(key, [0, 0])
        agg[0] += r.observations
        agg[1] += r.ads
    rows = [
        {"kommun": k, "observationer": v[0], "annonser (kommun x månad)": v[1]} for k, v in sorted(by_kommun.items())
    ]
    render(rows, OutputFormat.table, title="Annonser per kommun (hela perioden)")
