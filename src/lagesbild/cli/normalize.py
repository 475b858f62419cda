"""``lagesbild normalize``: normalize stored observations, or see what is read from one ad text.

Thin: ``run`` (also ``lagesbild normalize --all``) calls
:func:`lagesbild.normalize.run.normalize_store`; ``text`` calls
:func:`lagesbild.normalize.normalize_ad` and renders the result. Phone numbers, e-mail
addresses and handles are shown raw (E.164) only in ``text``, this interactive command,
so an analyst can check a rule; the pipeline stores pseudonyms only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from lagesbild.cli._common import console, workspace
from lagesbild.normalize import NormalizedAd, normalize_ad
from lagesbild.normalize.run import NormalizeSummary, normalize_store
from lagesbild.refdata import area_name

app = typer.Typer(
    help="Normalize ad text: places, identifiers, age, price, languages, indicators.", no_args_is_help=True
)


class Format(StrEnum):
    json = "json"
    table = "table"


_ALL_HELP = "Redo every observation, not only new ones and those normalized under older rules."
_PROGRESS_HELP = "Show a progress bar."


@app.callback(invoke_without_command=True)
def _main(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=_ALL_HELP)] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help=_PROGRESS_HELP)] = True,
) -> None:
    """Normalize ad text: places, identifiers, age, price, languages, indicators.

    `lagesbild normalize --all` re-normalizes every stored observation (after a rules update).
    """
    if ctx.invoked_subcommand is None:
        if not all_:
            typer.echo(ctx.get_help())
            raise typer.Exit(0)
        _run(ctx, all_=True, progress=progress)


@app.command("run")
def run_command(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help=_ALL_HELP)] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help=_PROGRESS_HELP)] = True,
) -> None:
    """Normalize the stored observations that are new or were read under older rules.

    Each batch is committed: an interrupted run resumes where it stopped.

    Example: lagesbild normalize run
    """
    _run(ctx, all_=all_, progress=progress)


def _run(ctx: typer.Context, *, all_: bool, progress: bool) -> None:
    with (
        workspace(ctx) as ws,
        Progress(
            TextColumn("[bold]normalize"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not progress,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("normalize", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = normalize_store(ws.store, all=all_, progress=advance)
    console.print(_describe(summary))


def _describe(s: NormalizeSummary) -> str:
    if s.n_normalized == 0:
        return f"nothing to normalize: every observation is normalized under rules {s.rules_version}"
    return (
        f"normalized {s.n_normalized:,} observations ({s.n_distinct:,} distinct texts) in {s.seconds:.1f} s "
        f"({s.per_second:,.0f}/s, {s.workers} workers), rules {s.rules_version}"
    )


@app.command("text")
def text_command(
    text: Annotated[str, typer.Argument(help="The ad text (body).")],
    title: Annotated[str | None, typer.Option("--title", help="The ad title.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="The location the ad states.")] = None,
    site_city: Annotated[str | None, typer.Option("--site-city", help="The site's city page the ad is under.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """Show what is extracted from one ad text (raw identifiers: for checking rules only)."""
    ad = normalize_ad(title, text, location, site_city=site_city)
    if fmt is Format.json:
        typer.echo(orjson.dumps(_view(ad), option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="Normalized ad", show_header=True)
    table.add_column("field")
    table.add_column("value")
    for key, value in _view(ad).items():
        table.add_row(key, value if isinstance(value, str) else orjson.dumps(value).decode())
    Console().print(table)


def _view(ad: NormalizedAd) -> dict[str, object]:
    d = ad.to_dict()
    place = d.pop("place")
    place["kommun_namn"] = area_name(place["kommun_kod"]) if place["kommun_kod"] else None
    place["lan_namn"] = area_name(place["lan_kod"]) if place["lan_kod"] else None
    return {"place": place, **d}
