"""`lagesbild crawl | monitor | reprocess | import-pages` and `lagesbild source check | test | status`.

Thin: each command resolves profiles, calls one function of :mod:`lagesbild.monitor` and renders
its result. Profiles are looked up by source name in ``--profiles`` (default ``<home>/profiles``),
then among the shipped profiles (the simulator's sites); a path to a YAML file works too.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lagesbild.cli._common import console, err_console, friendly_errors, process_and_report, settings_from, workspace
from lagesbild.errors import InputError, InputErrors
from lagesbild.monitor import (
    CrawlProgress,
    CrawlResult,
    Profile,
    load_profile,
    monitor_loop,
    run_due,
    shipped_profiles,
    source_status,
    test_page,
    with_base_url,
)
from lagesbild.monitor import (
    crawl as crawl_source,
)
from lagesbild.monitor import (
    import_pages as import_saved_pages,
)
from lagesbild.monitor import (
    reprocess as reprocess_source,
)

__all__ = ["crawl", "import_pages", "monitor", "reprocess", "source_app"]

source_app = typer.Typer(
    help="Site profiles: check, try on a page, and see each source's health.", no_args_is_help=True
)

_PROFILES = typer.Option(None, "--profiles", help="Folder of site profiles (default: <home>/profiles).")
_BASE_URL = typer.Option(
    None, "--base-url", help="Use this site address instead of the profile's (e.g. a test server)."
)


def _profile_dir(ctx: typer.Context, profiles: Path | None) -> Path:
    return profiles if profiles is not None else settings_from(ctx).home / "profiles"


def _all_profiles(folder: Path) -> dict[str, Profile]:
    """Profiles in ``folder`` by source (every file validated; all errors reported together)."""
    out: dict[str, Profile] = {}
    errors: list[InputError] = []
    for f in sorted(folder.glob("*.y*ml")) if folder.is_dir() else []:
        try:
            p = load_profile(f)
        except InputErrors as exc:
            errors += exc.errors
            continue
        except InputError as exc:
            errors.append(exc)
            continue
        out[p.source] = p
    if errors:
        raise InputErrors(errors)
    return out


def _resolve(ctx: typer.Context, source: str, profiles: Path | None, base_url: str | None) -> Profile:
    path = Path(source)
    if path.suffix in (".yaml", ".yml") and path.exists():
        p = load_profile(path)
    else:
        found = _all_profiles(_profile_dir(ctx, profiles))
        if source not in found:
            found = {**shipped_profiles(), **found}
        if source not in found:
            raise InputError(f"no profile for source {source!r}; known: {', '.join(sorted(found)) or 'none'}")
        p = found[source]
    return with_base_url(p, base_url) if base_url else p


def _summary(r: CrawlResult) -> None:
    h = r.health
    t = Table(
        title=f"{r.run.source}: run {r.run.id} ({r.status}{', resumed' if r.resumed else ''})", show_header=False
    )
    t.add_column("")
    t.add_column("", justify="right")
    t.add_row("seen at", r.run.seen_at)
    t.add_row("pages this call", str(r.pages))
    t.add_row("new sightings", str(r.new_observations))
    if h is not None:
        # with `listing.ads` every ad shown whole counts as a page of the pass (its sighting), not a request
        t.add_row("listing pages", str(h.listing_pages))
        t.add_row("pages fetched / failed / gone", f"{h.pages_fetched} / {h.pages_failed} / {h.pages_gone}")
        t.add_row("ads", str(h.ads))
        t.add_row("disappeared", str(r.disappeared))
        t.add_row("429 answers / retries", f"{h.http_429} / {h.retries}")
        if h.images_fetched or h.images_reused:
            t.add_row(
                "pictures fetched / reused / failed", f"{h.images_fetched} / {h.images_reused} / {h.images_failed}"
            )
        for f, rate in h.field_rates.items():
            t.add_row(f"  {f}", f"{rate:.0%}")
        for k, n in h.error_counts.items():
            t.add_row(f"errors: {k}", str(n))
    t.add_row("seconds", f"{r.seconds:.1f}")
    console.print(t)
    for w in h.warnings if h is not None else ():
        console.print(f"note: {w}", markup=False)
    if h is not None and h.degraded:
        err_console.print(f"[bold red]DEGRADED[/] {r.run.source}: " + "; ".join(h.reasons))
    elif r.status == "stopped":
        err_console.print(f"[yellow]stopped[/] {r.run.source}: the next run continues where this one stopped")


def _progress_bar(quiet: bool) -> tuple[Progress, Any]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("ads {task.fields[ads]} · errors {task.fields[errors]}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(p: CrawlProgress) -> None:
        if p.source not in tasks:
            tasks[p.source] = bar.add_task(p.source, total=None, ads=0, errors=0)
        bar.update(
            tasks[p.source],
            completed=p.pages_done,
            total=p.pages_done + p.pages_pending,
            ads=p.ads,
            errors=p.errors,
        )

    return bar, update


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError):  # not in the main thread
            signal.signal(sig, handler)
    return stop


def crawl(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source name (a profile's `source`) or a profile file."),
    profiles: Path | None = _PROFILES,
    base_url: str | None = _BASE_URL,
    keep_raw_pages: bool | None = typer.Option(
        None,
        "--keep-raw-pages/--no-keep-raw-pages",
        help="Keep ad pages for `reprocess` (default: the profile's setting).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run one crawl pass over a source (continuing an interrupted one); Ctrl-C or SIGTERM stop it cleanly."""
    with workspace(ctx) as ws:
        p = _resolve(ctx, source, profiles, base_url)
        stop = _stop_on_signals()
        bar, update = _progress_bar(quiet or as_json)
        with bar:
            r = crawl_source(
                p,
                ws.store,
                ws.pseudonymizer,
                keep_raw_pages=keep_raw_pages,
                raw_page_retention_days=ws.settings.raw_page_retention_days,
                progress=update,
                stop=stop,
            )
        if r.new_observations:
            process_and_report(ws, quiet=as_json)
    if as_json:
        sys.stdout.write(json.dumps(_result_json(r), ensure_ascii=False, indent=2) + "\n")
    else:
        _summary(r)
    if r.health is not None and r.health.degraded:
        raise typer.Exit(3)


def _result_json(r: CrawlResult) -> dict[str, Any]:
    return {
        "source": r.run.source,
        "run_id": r.run.id,
        "seen_at": r.run.seen_at,
        "status": r.status,
        "resumed": r.resumed,
        "pages": r.pages,
        "new_observations": r.new_observations,
        "disappeared": r.disappeared,
        "seconds": round(r.seconds, 2),
        "health": r.health.to_json() if r.health else None,
    }


def monitor(
    ctx: typer.Context,
    profiles: Path | None = _PROFILES,
    once: bool = typer.Option(
        False, "--once", help="Run the sources that are due, then exit (for cron/systemd timers)."
    ),
    force: bool = typer.Option(False, "--force", help="With --once: run every enabled source, due or not."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Run every enabled source on its schedule; stops cleanly on SIGTERM (a pass in progress is continued later)."""
    with workspace(ctx) as ws:
        found = _all_profiles(_profile_dir(ctx, profiles))
        if not found:
            raise InputError(f"no profiles in {_profile_dir(ctx, profiles)}; write one (see docs/monitor.md)")
        stop = _stop_on_signals()
        bar, update = _progress_bar(quiet)
        opts: dict[str, Any] = {"raw_page_retention_days": ws.settings.raw_page_retention_days, "progress": update}
        with bar:
            if once:
                results = run_due(list(found.values()), ws.store, ws.pseudonymizer, force=force, stop=stop, **opts)
                if any(r.new_observations for r in results):
                    process_and_report(ws, quiet=quiet)
            else:
                results = []

                def after(r: CrawlResult) -> None:
                    results.append(r)
                    if r.new_observations:  # link after each crawl, so the store stays current
                        process_and_report(ws, quiet=quiet)

                monitor_loop(list(found.values()), ws.store, ws.pseudonymizer, stop, on_result=after, **opts)
    for r in results:
        _summary(r)
    if once and not results:
        console.print("No source was due.")


def reprocess(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source name or profile file (the fixed profile)."),
    since: str | None = typer.Option(None, "--since", help="Only pages fetched on or after this date (YYYY-MM-DD)."),
    profiles: Path | None = _PROFILES,
) -> None:
    """Read a source's kept raw pages again with its (fixed) profile and replace the sightings they gave."""
    with workspace(ctx) as ws:
        p = _resolve(ctx, source, profiles, None)
        r = reprocess_source(p, ws.store, ws.pseudonymizer, since=since)
    console.print(f"{p.source}: {r.pages} kept page(s) read, {r.ads} ads, {r.replaced} replaced, {r.new} new")
    for e in r.errors[:10]:
        err_console.print(f"  [yellow]warning:[/] {e}")


def import_pages(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="Source name or profile file."),
    path: Path = typer.Argument(..., help="A folder of saved HTML files, or a .warc / .warc.gz file."),
    seen_at: str | None = typer.Option(
        None, "--seen-at", help="When the pages were seen (ISO); default: the WARC dates or the files' times."
    ),
    profiles: Path | None = _PROFILES,
) -> None:
    """Import saved pages (a folder of HTML files or a WARC file) with a site's profile."""
    with workspace(ctx) as ws:
        p = _resolve(ctx, source, profiles, None)
        r = import_saved_pages(p, ws.store, ws.pseudonymizer, path, seen_at=seen_at)
    console.print(f"{p.source}: {r.pages} page(s), {r.ads} ads, {r.new_observations} new, {r.skipped} skipped")
    for e in r.errors[:10]:
        err_console.print(f"  [yellow]warning:[/] {e}")


@source_app.command("check")
def check(files: list[Path] = typer.Argument(..., help="Profile files to validate.")) -> None:
    """Validate profiles, reporting every error at once (file, line, field path, allowed values)."""
    errors: list[InputError] = []
    for f in files:
        try:
            p = load_profile(f)
        except InputErrors as exc:
            errors += exc.errors
        except InputError as exc:
            errors.append(exc)
        else:
            console.print(f"[green]ok[/] {f} (source {p.source}, {len(p.ad.fields)} fields)")
    if errors:
        with friendly_errors():
            raise InputErrors(errors)


@source_app.command("test")
def test(
    profile: Path = typer.Argument(..., help="The profile file."),
    url: str = typer.Argument(..., help="A page of the site (an ad page or a listing page)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Fetch one page (honouring robots.txt) and show what each field of the profile extracts."""
    with friendly_errors():
        r = test_page(load_profile(profile), url)
    if as_json:
        sys.stdout.write(json.dumps(r.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    kind = {
        "ad": "an ad page",
        "listing": "a listing page",
        "start": "a start page (listing pages found on it)",
        "unrecognized": "neither: no ad links, listing pages or required ad fields found (check the selectors)",
    }.get(r.looks_like, r.looks_like)
    console.print(
        f"{r.final_url}: HTTP {r.status}, {r.n_bytes:,} bytes, {r.encoding}; looks like {kind}",
        markup=False,
    )
    found_any = any(v not in (None, []) for v in r.fields.values())
    if r.looks_like in ("listing", "start") and not found_any:  # an ad page's fields are not on a listing page
        console.print("ad fields: none on this page (as expected on a listing page; try an ad page's address)")
    else:
        t = Table(title="fields (identifiers masked)")
        t.add_column("field")
        t.add_column("value")
        for k, v in r.fields.items():  # values are escaped: "[masked]" is text, not console markup
            text = ", ".join(v) if isinstance(v, list) else str(v)
            t.add_row(k, "[red]— nothing found[/]" if v in (None, []) else escape(text[:300]))
        console.print(t)
    console.print(
        f"ad links: {len(r.ad_links)}, further listing pages: {len(r.next_pages)}, start pages: {len(r.start_links)}"
    )
    for u in r.ad_links[:5]:
        console.print(f"  {u}", markup=False)
    for u in r.next_pages[:3]:  # so that a built next-page address can be checked before a crawl
        console.print(f"  next: {u}", markup=False)
    for u in r.start_links[:3]:
        console.print(f"  start: {u}", markup=False)
    if r.inline_ads:
        console.print(f"ads shown whole on the page (listing.ads): {r.inline_ads}; the fields above are the first's")


test.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


@source_app.command("status")
def status(
    ctx: typer.Context,
    sources: list[str] | None = typer.Argument(None, help="Sources (default: every source crawled)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Each source's latest run: ok or DEGRADED (and why), pages, ads, field extraction rates."""
    with workspace(ctx) as ws:
        rows = source_status(ws.store, sources or None)
    if as_json:
        sys.stdout.write(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title="sources")
    for c in ("source", "state", "last pass", "pages", "ads", "online", "gone", "weakest field"):
        t.add_column(c)
    for r in rows:
        h = r.health
        weakest = min(h.field_rates.items(), key=lambda kv: kv[1]) if h and h.field_rates else None
        state = {"degraded": "[bold red]DEGRADED[/]", "failed": "[bold red]FAILED[/]", "ok": "[green]ok[/]"}.get(
            r.state, r.state
        )
        t.add_row(
            r.source,
            state,
            r.last_seen_at or "—",
            str(h.pages_fetched) if h else "—",
            str(h.ads) if h else "—",
            str(r.ads_online),
            str(r.ads_disappeared),
            f"{weakest[0]} {weakest[1]:.0%}" if weakest else "—",
        )
    console.print(t)
    for r in rows:
        for reason in r.reasons:
            err_console.print(f"[bold red]{r.source}:[/] {reason}")
