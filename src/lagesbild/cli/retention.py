"""`lagesbild retention apply` and `lagesbild retention erase`."""

from __future__ import annotations

from datetime import date, datetime

import typer

from lagesbild.cli._common import console, workspace
from lagesbild.errors import InputError
from lagesbild.retention import RetentionResult, apply_retention, erase

app = typer.Typer(
    help="Retention: delete each kind of data past its days, or erase one source or period.", no_args_is_help=True
)


def _summary(res: RetentionResult) -> None:
    rows = ", ".join(f"{n:,} {t}" for t, n in sorted(res.deleted.rows.items())) or "no rows"
    files = ", ".join(f"{n:,} in {f}/" for f, n in sorted(res.files.items()) if n) or "no files"
    console.print(f"Deleted {rows}; {files}.")
    if res.relinked:
        console.print("Relinked in full from what is left; stored estimates are recomputed when next asked for.")


@app.command("apply")
def apply(ctx: typer.Context) -> None:
    """Delete every kind of data older than its retention setting.

    Raw pages (raw_page_retention_days), the crawl frontier (frontier_retention_days),
    observations (observation_retention_days, 0 keeps them), report contexts and report files
    in the data folder (report_retention_days, 0 keeps them) and export files
    (export_retention_days). See docs/settings.md. Run it daily, e.g. from cron.

    Example: lagesbild retention apply
    """
    with workspace(ctx) as ws:
        _summary(apply_retention(ws.store, ws.settings))


@app.command("erase")
def erase_cmd(
    ctx: typer.Context,
    site: str | None = typer.Option(None, "--site", help="Erase everything of this site (source)."),
    before: str | None = typer.Option(None, "--before", help="Erase everything seen before this date (YYYY-MM-DD)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Erase one source, one period, or both: observations, raw pages, crawl state; then relink.

    The deletion is one transaction; the links (ads, persons, networks) are rebuilt in full
    from what is left. With both options, only that site's data before the date is erased.

    Example: lagesbild retention erase --site annonsportalen --yes
    """
    with workspace(ctx) as ws:
        day: date | None = None
        if before is not None:
            try:
                day = datetime.strptime(before, "%Y-%m-%d").date()
            except ValueError:
                raise InputError("not a date (YYYY-MM-DD)", field="--before") from None
        parts = (f"site {site}" if site else "", f"everything before {before}" if day else "")
        what = " and ".join(x for x in parts if x)
        if what and not yes and not typer.confirm(f"Erase {what}? This cannot be undone", default=False):
            raise typer.Exit(1)
        _summary(erase(ws.store, site=site, before=day))
