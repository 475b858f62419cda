"""`lagesbild init`, `import` and `stats`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from lagesbild import refdata
from lagesbild.cli._areas import parse_county, parse_municipality
from lagesbild.cli._common import (
    ExcelOption,
    OutOption,
    OutputFormat,
    XlsxOption,
    console,
    current_lang,
    format_number,
    friendly_errors,
    process_and_report,
    render,
    settings_from,
    workspace,
)
from lagesbild.ingest import import_file
from lagesbild.report.counts import published_counts
from lagesbild.store import CountRow
from lagesbild.workspace import init_workspace


def init(ctx: typer.Context) -> None:
    """Create the data folder, the database and the secret pseudonymization key.

    Safe to run again: an existing key is never overwritten. Keep the key file (mode 0600)
    out of the database's backups and back it up separately.
    """
    with friendly_errors():
        res = init_workspace(settings_from(ctx))
    console.print(f"Data folder: [bold]{res.home}[/]")
    console.print(f"Database:    {res.db} (schema version {res.schema_version})")
    state = "created" if res.key_created else "exists, kept as it was"
    console.print(f"Key:         {res.key_file} ({state})")


def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., help="JSONL or CSV files of ad observations (optionally .gz).", exists=True
    ),
    fmt: str | None = typer.Option(None, "--format", help="jsonl or csv; by default from the file name."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; store nothing."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    process: bool = typer.Option(
        True, "--process/--no-process", help="Normalize and link the new observations afterwards."
    ),
) -> None:
    """Import ad observations (see docs/import-format.md).

    Each file is validated line by line and stored in one transaction: a bad line stops
    the import with its file, line and field, and nothing of that file is stored.
    Re-importing a file stores nothing new. Phone numbers and e-mail addresses are
    pseudonymized before anything is stored.

    Example: lagesbild import ads.jsonl
    """
    with workspace(ctx) as ws:
        for path in files:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=console,
                disable=not progress,
                transient=True,
            ) as bar:
                task = bar.add_task(path.name, total=path.stat().st_size)
                summary = import_file(
                    ws.store,
                    ws.pseudonymizer,
                    path,
                    fmt=fmt,
                    dry_run=dry_run,
                    parallel=None,
                    progress=lambda n, t=task: bar.advance(t, n),  # type: ignore[misc]
                )
            if dry_run:
                console.print(f"{path}: {format_number(summary.n_records)} records valid (dry run, nothing stored)")
            else:
                console.print(
                    f"{path}: {format_number(summary.n_records)} records, {format_number(summary.n_new)} new, "
                    f"{format_number(summary.n_duplicates)} already stored"
                )
        if process and not dry_run:
            process_and_report(ws)


def stats(
    ctx: typer.Context,
    lan: str | None = typer.Option(
        None, "--lan", help="Only this county: code or name (05, 5, Östergötland).", parser=parse_county
    ),
    kommun: str | None = typer.Option(
        None, "--kommun", help="Only this municipality: code or name (0580, Linköping).", parser=parse_municipality
    ),
    period: str = typer.Option("month", "--period", help="year, month or day."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
    raw: bool = typer.Option(
        False, "--raw", help="Unsuppressed counts for the analyst's own checks: not for publication."
    ),
) -> None:
    """Observations and distinct ads per municipality and period.

    Counts are suppressed as in the report of the same period (<5, ..), so the output can be
    shared like a report; --raw shows every count.

    Example: lagesbild stats --lan Östergötland --format csv --excel --out stats.csv
    """
    with workspace(ctx) as ws:
        if lan is not None:
            refdata.county(lan)
        if kommun is not None:
            refdata.municipality(kommun)
        rows = ws.store.observation_counts(lan=lan, kommun=kommun, period=period)
        shown: list[tuple[CountRow, int | str, int | str]] = [(r, r.observations, r.ads) for r in rows]
        if not raw:
            threshold = settings_from(ctx).small_count_threshold
            published = published_counts(ws.store, rows, period=period, threshold=threshold)
            shown = [
                (r, p.observations.display if p.observations.value is None else p.observations.value,
                 p.ads.display if p.ads.value is None else p.ads.value)
                for r, p in zip(rows, published, strict=True)
            ]  # fmt: skip
        out = [
            {
                "period": r.period,
                "lan": r.lan_kod or "",
                "kommun": r.kommun_kod or "",
                "namn": refdata.municipality(r.kommun_kod).name if r.kommun_kod else "(okänd)",
                "observationer": obs,
                "annonser": ads,
            }
            for r, obs, ads in shown
        ]
        if current_lang() == "en":
            title = "Ads per municipality and " + period
        else:
            title = "Annonser per kommun och " + {"year": "år", "month": "månad", "day": "dag"}.get(period, period)
        if lan:
            title += f" – {refdata.county(lan).name}"
        render(out, fmt, title=title, empty=_no_observations(lan, kommun))


def _no_observations(lan: str | None, kommun: str | None) -> str:
    """What `stats` says when there is nothing to count, and how to get something."""
    area = refdata.county(lan).name if lan else refdata.municipality(kommun).name if kommun else ""
    if current_lang() == "en":
        return (
            f"No observations yet{' in ' + area if area else ''}. Import some with `lagesbild import FILE` "
            "(a simulated world: `lagesbild simulate --preset tiny --out world`, then "
            "`lagesbild import world/observations.jsonl.gz`) or crawl a site with `lagesbild crawl SITE`."
        )
    return (
        f"Inga observationer ännu{' i ' + area if area else ''}. Importera med `lagesbild import FIL` "
        "(en simulerad värld: `lagesbild simulate --preset tiny --out world`, sedan "
        "`lagesbild import world/observations.jsonl.gz`) eller bevaka en webbplats med `lagesbild crawl SITE`."
    )
