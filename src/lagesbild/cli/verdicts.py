"""``lagesbild verdicts``: import court judgments, then the buyers' age profile and travel flows.

Thin layer: parse options, call :mod:`lagesbild.verdicts` and :class:`~lagesbild.store.verdicts.VerdictStore`, render.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from lagesbild.cli._areas import parse_county_or_municipality
from lagesbild.cli._common import (
    ExcelOption,
    OutOption,
    OutputFormat,
    XlsxOption,
    audit_export,
    console,
    emit,
    format_number,
    render,
    say,
    settings_from,
    workspace,
)
from lagesbild.refdata import area_name
from lagesbild.report.suppress import protect_breakdown
from lagesbild.store.verdicts import DefendantStore, VerdictStore
from lagesbild.verdicts import age_profile, travel_flows, yearly
from lagesbild.verdicts.importer import import_judgments
from lagesbild.verdicts.review import export_csv, read_corrections

app = typer.Typer(help="Court judgments: import, buyers' age profile, travel flows.", no_args_is_help=True)

Lan = Annotated[
    str | None,
    typer.Option(
        "--lan",
        help="County or municipality of the offence: code or name (05, Östergötland, 0580, Linköping).",
        parser=parse_county_or_municipality,
    ),
]


def _iso_day(value: str) -> str:
    """Typer parser for a day: a real calendar date written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2024-01-31") from None


Start = Annotated[
    str | None, typer.Option("--from", help="Judgments dated from this day (YYYY-MM-DD).", parser=_iso_day)
]
End = Annotated[str | None, typer.Option("--to", help="Judgments dated up to this day (YYYY-MM-DD).", parser=_iso_day)]
Raw = Annotated[
    bool, typer.Option("--raw", help="Unsuppressed counts for the analyst's own checks: not for publication.")
]


def _shown(values: dict[str, int], total: int, threshold: int, raw: bool) -> dict[str, int | str]:
    """Counts as published: below the threshold '<N', hidden with it '..' (see report.suppress)."""
    if raw:
        return dict(values)
    marks, _ = protect_breakdown(values, total, threshold=threshold)
    return {
        k: (f"<{threshold}" if marks.get(k) == "primary" else ".." if marks.get(k) else v) for k, v in values.items()
    }


Fmt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


@app.callback()
def main() -> None:
    """Court judgments for köp av sexuell tjänst: import, age profile, travel flows."""


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="JSONL with a 'text' field per judgment, a judgment (.txt, .pdf, .docx) or a folder of them."
        ),
    ],
) -> None:
    """Extract age, home and offence municipality, sanction... from judgments in FILE and store the fields."""
    with workspace(ctx) as ws:
        done = import_judgments(ws.store, file)
    console.print(
        f"Read {done.n_read:,} judgments; {done.n_new:,} new stored; "
        f"{done.n_incomplete:,} without age or a municipality."
        + (
            f" {done.n_defendants:,} defendants ({done.n_acquitted:,} acquitted, not counted); "
            f"{done.n_unrelated:,} judgments with no sex-purchase charge."
            if done.n_defendants or done.n_unrelated
            else ""
        )
    )


@app.command("profile")
def profile(
    ctx: typer.Context,
    lan: Lan = None,
    start: Start = None,
    end: End = None,
    fmt: Fmt = OutputFormat.table,
    raw: Raw = False,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """The convicted defendants' age profile: bands, min, max, mean and median.

    Band counts below the small-count threshold are shown as <5 (and a band that would give a
    hidden one back as ..), unless --raw.
    """
    with workspace(ctx) as ws:
        p = age_profile(VerdictStore(ws.store).records(lan=lan, start=start, end=end))
        threshold = settings_from(ctx).small_count_threshold
    if fmt is OutputFormat.json:
        emit(json.dumps(asdict(p), ensure_ascii=False, indent=2) + "\n")
        return
    shown = _shown(dict(p.bands), p.n, threshold, raw)
    rows: list[dict[str, Any]] = [{"age": label, "verdicts": shown[label]} for label, _ in p.bands]
    render(
        rows,
        fmt,
        title=say(f"Åldersprofil, {p.n_with_age} av {p.n} domar", f"Age profile, {p.n_with_age} of {p.n} judgments"),
    )
    if fmt is OutputFormat.table and p.mean is not None:
        mean = format_number(p.mean, decimals=1)
        median = format_number(p.median, decimals=1) if p.median is not None else "-"
        console.print(
            say(
                f"Åldrar {p.min}-{p.max}, medel {mean}, median {median}.",
                f"Ages {p.min}-{p.max}, mean {mean}, median {median}.",
            )
        )


@app.command("flows")
def flows(
    ctx: typer.Context,
    lan: Lan = None,
    start: Start = None,
    end: End = None,
    fmt: Fmt = OutputFormat.table,
    raw: Raw = False,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Travel flows: where convicted buyers lived and where they bought (origin-destination counts).

    Counts below the small-count threshold are shown as <5 (and a flow that would give a hidden
    one back as ..), unless --raw.
    """
    with workspace(ctx) as ws:
        f = travel_flows(VerdictStore(ws.store).records(lan=lan, start=start, end=end), lan=lan)
        threshold = settings_from(ctx).small_count_threshold
    if fmt is OutputFormat.json:
        emit(json.dumps(asdict(f), ensure_ascii=False, indent=2) + "\n")
        return
    shown = _shown({f"{x.home}>{x.offence}": x.count for x in f.flows}, f.n, threshold, raw)
    rows: list[dict[str, Any]] = [
        {
            "home": x.home,
            "home_name": area_name(x.home),
            "offence_kommun": x.offence,
            "offence_name": area_name(x.offence),
            "verdicts": shown[f"{x.home}>{x.offence}"],
        }
        for x in f.flows
    ]
    render(rows, fmt, title=say(f"Resemönster, {f.n} domar", f"Travel flows, {f.n} judgments"))
    if fmt is OutputFormat.table and f.n:
        largest = say(" och ", " and ").join(area_name(c) for c in f.largest)
        travelled = f.share_travelled_into_largest
        console.print(
            say(
                f"Köpt i egen kommun: {f.own_share:.0%}. I {largest}: {f.share_into_largest:.0%}"
                + (f" (av dessa {travelled:.0%} av köpare från annat håll)." if travelled is not None else "."),
                f"Bought in own municipality: {f.own_share:.0%}. In {largest}: {f.share_into_largest:.0%}"
                + (f" (of these, {travelled:.0%} by buyers from elsewhere)." if travelled is not None else "."),
            )
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    lan: Lan = None,
    start: Start = None,
    end: End = None,
    fmt: Fmt = OutputFormat.table,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """One row per defendant (convicted and acquitted) for review: no names or identity numbers are stored."""
    with workspace(ctx) as ws:
        ds = DefendantStore(ws.store).defendants(lan=lan, start=start, end=end)
    rows: list[dict[str, Any]] = []
    for d in ds:
        sanction = []
        if d.prison_months:
            sanction.append(f"fängelse {d.prison_months} mån")
        if d.conditional_sentence:
            sanction.append("villkorlig dom")
        if d.day_fines:
            sanction.append(f"{d.day_fines} dagsböter" + (f" à {d.day_fine_amount} kr" if d.day_fine_amount else ""))
        rows.append(
            {
                "id": d.id,
                "court": d.court or "",
                "case": d.case_number or "",
                "date": d.date or "",
                "defendant": d.defendant_index,
                "verdict": d.verdict,
                "offence": d.offence,
                "offence_dates": ",".join(d.offence_dates),
                "age": "" if d.defendant_age is None else d.defendant_age,
                "home": area_name(d.home_kommun) if d.home_kommun else "",
                "offence_place": area_name(d.offence_kommun) if d.offence_kommun else "",
                "sanction": " och ".join(sanction),
                "corrected": "ja" if d.corrected else "",
            }
        )
    render(
        rows,
        fmt,
        title=say(f"{len(rows)} tilltalade", f"{len(rows)} defendants"),
        whole=("case",),  # a case number ("B 1234-22") is looked up whole
        empty=say(
            "Inga tilltalade sparade; kör 'verdicts import' först.",
            "No defendants stored; run 'verdicts import' first.",
        ),
    )


@app.command("export")
def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The CSV file to write (semicolons, UTF-8 with BOM, for Excel).")],
    lan: Lan = None,
    start: Start = None,
    end: End = None,
) -> None:
    """Write the stored defendants to a CSV to review in Excel; read it back with 'verdicts corrections'."""
    with workspace(ctx) as ws:
        ds = DefendantStore(ws.store).defendants(lan=lan, start=start, end=end)
        export_csv(ds, file)
        audit_export(ws.store, "defendants", f"{len(ds)} rows, csv" + (f", län {lan}" if lan else ""))
    console.print(f"Wrote {len(ds):,} defendants to {file}.")


@app.command("corrections")
def corrections(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV written by 'verdicts export' and edited.")],
) -> None:
    """Store a reviewer's corrections from an edited export; a later re-import keeps them."""
    with workspace(ctx) as ws:
        store = DefendantStore(ws.store)
        changed = store.correct(read_corrections(file, store.defendants()))
    console.print(f"Corrected {changed:,} defendants.")


@app.command("trends")
def trends(
    ctx: typer.Context,
    lan: Lan = None,
    start: Start = None,
    end: End = None,
    fmt: Fmt = OutputFormat.table,
    raw: Raw = False,
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Convicted defendants per year of the offence, and of them bought in their own municipality.

    Counts below the small-count threshold are shown as <5 (and one that would give a hidden one
    back as ..), unless --raw.
    """
    with workspace(ctx) as ws:
        years = yearly(VerdictStore(ws.store).records(lan=lan, start=start, end=end))
        threshold = settings_from(ctx).small_count_threshold
    total = sum(y.n for y in years)
    shown = _shown({str(y.year): y.n for y in years}, total, threshold, raw)
    rows: list[dict[str, Any]] = []
    for y in years:
        own = _shown({"own": y.own_municipality, "other": y.n - y.own_municipality}, y.n, threshold, raw)
        rows.append(
            {
                "year": y.year,
                "verdicts": shown[str(y.year)],
                "own_municipality": own["own"] if shown[str(y.year)] == y.n else "..",
            }
        )
    render(
        rows,
        fmt,
        title=say(f"Domar per år, {total} totalt", f"Judgments per year, {total} in all"),
        empty=say("Inga domar sparade.", "No judgments stored."),
    )
