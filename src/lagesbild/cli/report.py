"""``lagesbild report``: write the lägesbild (HTML, PDF, JSON) for a county, a municipality or Sweden.

Thin: parse options, call :func:`lagesbild.report.run.run_report` or :func:`~lagesbild.report.run.run_batch`,
print the paths. The estimates are the stored estimate suites (computed first if not current).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from lagesbild.cli._areas import parse_county, parse_municipality
from lagesbild.cli._common import audit_export, console, friendly_errors, settings_from, workspace
from lagesbild.errors import InputError
from lagesbild.estimate.assumptions import load_assumptions
from lagesbild.estimate.suite import DEFAULT_SEED
from lagesbild.report.build import ReportOptions, read_campaigns
from lagesbild.report.run import run_batch, run_report
from lagesbild.report.services import load_services


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"expected a date YYYY-MM-DD, not {text!r}", field=option) from None


def report(
    ctx: typer.Context,
    lan: Annotated[
        str | None, typer.Option("--lan", help="County: code or name (05, Östergötland).", parser=parse_county)
    ] = None,
    kommun: Annotated[
        str | None,
        typer.Option("--kommun", help="Municipality: code or name (0580, Linköping).", parser=parse_municipality),
    ] = None,
    national: Annotated[bool, typer.Option("--national", help="The report for all of Sweden.")] = False,
    all_counties: Annotated[
        bool, typer.Option("--all-counties", help="Batch: all 21 county reports and the national one.")
    ] = False,
    year: Annotated[int | None, typer.Option("--year", help="Calendar year of the report.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day of the period (YYYY-MM-DD).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language: sv or en.")] = "sv",
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("reports"),
    campaigns: Annotated[
        Path | None, typer.Option("--campaigns", help="Campaign periods CSV (name,county,start,end) to mark.")
    ] = None,
    assumptions: Annotated[Path | None, typer.Option(help="Assumptions YAML (default: bundled default.yaml).")] = None,
    services: Annotated[
        Path | None, typer.Option(help="Support services YAML with local services (default: the bundled file).")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Monte Carlo seed of the estimates (the same default as estimate run).")
    ] = DEFAULT_SEED,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write the PDF.")] = True,
) -> None:
    """Write the lägesbild as self-contained HTML, PDF and JSON, compared with the previous report.

    Example: lagesbild report --lan 05 --year 2025
    """
    with friendly_errors():
        if lang not in ("sv", "en"):
            raise InputError("must be sv or en", field="--lang")
        start, end = _date(from_, "--from"), _date(to, "--to")
        if year is not None:
            start, end = start or date(year, 1, 1), end or date(year, 12, 31)
        if start is None or end is None:
            raise InputError("give --year, or --from and --to", field="--year")
        chosen = [x for x in (lan, kommun, national or None, all_counties or None) if x]
        if len(chosen) != 1:
            raise InputError("give exactly one of --lan, --kommun, --national, --all-counties", field="--lan")
        options = ReportOptions(
            lang=lang,
            assumptions=load_assumptions(assumptions) if assumptions else None,
            services=tuple(load_services(services, lang=lang)) if services else None,
            seed=seed,
        )
        marks = tuple(read_campaigns(campaigns)) if campaigns else ()
        threshold = settings_from(ctx).small_count_threshold
    with workspace(ctx) as ws:
        if all_counties:
            results = run_batch(ws.store, start, end, out, options=options, threshold=threshold, campaigns=marks,
                                pdf=pdf)  # fmt: skip
            audit_export(ws.store, "report", f"{len(results)} counties, {start} to {end}")
            for r in results:
                console.print(f"{r.context.area_name}: {r.files.html}")
            return
        area = "SE" if national else (kommun or lan or "SE")
        result = run_report(ws.store, area, start, end, out, options=options, threshold=threshold, campaigns=marks,
                            pdf=pdf)  # fmt: skip
        audit_export(ws.store, "report", f"{area}, {start} to {end}")
    console.print(f"HTML: {result.files.html}")
    if result.files.pdf:
        console.print(f"PDF:  {result.files.pdf}")
    console.print(f"JSON: {result.files.json}")
