"""`lagesbild link`: link reposts into ads, ads into persons, advertisers and networks.

Thin commands over :mod:`lagesbild.link`. ``export_links`` is the body of
``lagesbild export links --format csv`` (wired by the ``export`` group).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from contextlib import nullcontext
from pathlib import Path

import typer

from lagesbild.cli._common import (
    OutputFormat,
    audit_export,
    console,
    current_lang,
    export_format,
    format_number,
    render,
    say,
    workspace,
)
from lagesbild.i18n import t
from lagesbild.link import capture_histories, explain, explain_network, parse_key, relink_stored, run, to_csv
from lagesbild.link.explain import list_ads, term
from lagesbild.privacy import open_private, private_dir, write_private
from lagesbild.store.links import LinkStore

__all__ = ["app", "export_links"]

app = typer.Typer(no_args_is_help=True, help="Link reposts into ads, and ads into persons, advertisers and networks.")

EXPORT_COLUMNS = (
    "observation_id",
    "site",
    "site_ad_id",
    "seen_at",
    "ad_id",
    "person_id",
    "advertiser_id",
    "network_id",
)


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    full: bool = typer.Option(False, "--full", help="Relink every observation from scratch (same result)."),
) -> None:
    """Link the observations imported since the last run (or everything with --full).

    The summary line is in the output language (--lang sv or en).

    Example: lagesbild link run
    """
    with workspace(ctx) as ws:
        r = run(ws.store, full=full)
    lang = current_lang()

    def n(v: int) -> str:
        return format_number(v, lang)

    summary = t(
        "link_run_summary",
        lang,
        mode=t(f"link_mode_{r.mode}", lang),
        n_observations=n(r.n_observations),
        seconds=format_number(r.seconds, lang, decimals=1),
        n_site_ads=n(r.n_site_ads),
        n_ads=n(r.n_ads),
        n_persons=n(r.n_persons),
        n_suspected_fake=n(r.n_suspected_fake),
        n_advertisers=n(r.n_advertisers),
        n_networks=n(r.n_networks),
    )
    console.print(summary, markup=False)


@app.command("explain")
def explain_cmd(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="An ad as site:site_ad_id."),
    b: str = typer.Argument(..., help="Another ad as site:site_ad_id."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Why two ads are or are not linked: every signal with its value, threshold and weight, and the chain.

    The table is in the output language (--lang sv or en); --format json is data, its texts English.

    Example: lagesbild link explain annonsportalen:A-100003 kontaktlistan:k0010006
    """
    lang = "en" if fmt is OutputFormat.json else current_lang()
    with workspace(ctx) as ws:
        # An ad id that holds a phone number or e-mail address is stored keyed: look it up the same way.
        ka, kb = ((site, ws.pseudonymizer.ad_id(ad)) for site, ad in (parse_key(a), parse_key(b)))
        ads, linked = relink_stored(ws.store)
        e = explain(ads, linked, ka, kb, lang=lang)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(dataclasses.asdict(e), ensure_ascii=False, indent=2) + "\n")
        return
    yes, no = say("ja", "yes", lang), say("nej", "no", lang)
    render(
        [{"level": term(k, lang), "linked": yes if v else no} for k, v in e.same.items()],
        OutputFormat.table,
        title=f"{e.a} {say('och', 'and', lang)} {e.b}",
    )
    render(
        [
            {
                "signal": term(g.name, lang),
                "value": g.value,
                "threshold": g.threshold,
                "weight": term(g.weight, lang),
                "counted": yes if g.fired else no,
            }
            for g in e.signals
        ],
        OutputFormat.table,
        title=say("signaler", "signals", lang),
    )
    for reason in e.reasons:
        console.print(f"- {reason}", markup=False)
    chain = e.person_chain or e.advertiser_chain
    if chain:  # the evidence path between the two ads ("[phone]" is text, not console markup)
        console.print(say("kedja:", "chain:", lang))
    for step in chain:
        console.print(f"  {step.a} -[{term(step.kind, lang)}]- {step.b}", markup=False)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    site: str | None = typer.Option(None, "--site", help="Only this site's ads."),
    kommun: str | None = typer.Option(None, "--kommun", help="Only ads in this municipality (four-digit code)."),
    limit: int = typer.Option(50, "--limit", help="At most this many ads (newest first)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """List linked ads with the key `link explain` takes (site:site_ad_id) and their ids.

    Example: lagesbild link list --site annonsportalen --limit 5
    """
    with workspace(ctx) as ws:
        ads, linked = relink_stored(ws.store)
        rows = list_ads(ads, linked, site=site, kommun=kommun, limit=limit)
    # a table shows the days, so that the keys fit an 80-column terminal; CSV and JSON the full times
    day = 10 if export_format(fmt) is OutputFormat.table else None
    render(
        [
            {
                "ad": r.key,
                "kommun": r.kommun or "",
                "first_seen": r.first_seen[:day],
                "last_seen": r.last_seen[:day],
                "person": r.person_id,
                "network": r.network_id or "none",
            }
            for r in rows
        ],
        fmt,
        title=f"{len(rows)} {say('annonser', 'ads')}",
        whole=("ad", "network"),  # copied into `link explain` and `link network`
    )


@app.command("network")
def network_cmd(
    ctx: typer.Context,
    network_id: str = typer.Argument(..., help="A network id (nw_...)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """The evidence of one network: its persons, shared numbers and e-mails (pseudonyms), template similarity.

    Example: lagesbild link network nw_1bec3a49959c
    """
    with workspace(ctx) as ws:
        ads, linked = relink_stored(ws.store)
        e = explain_network(ads, linked, network_id)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(dataclasses.asdict(e), ensure_ascii=False, indent=2) + "\n")
        return
    render(
        [{"person": p, "name": n or "", "age": a if a is not None else "", "site_ads": k} for p, n, a, k in e.persons],
        OutputFormat.table,
        title=f"{e.network_id}: {len(e.persons)} {say('personer', 'persons')}, {e.first_seen} - {e.last_seen}",
        whole=("person",),
    )
    console.print(f"{say('delade nummer', 'shared phones')}: {' '.join(e.shared_phones) or '-'}")
    console.print(f"{say('delade e-postadresser', 'shared e-mails')}: {' '.join(e.shared_emails) or '-'}")
    console.print(
        f"{say('mallens likhet (median)', 'template similarity (median)')}: {format_number(e.template_similarity)}"
    )
    console.print(f"{say('kommuner', 'municipalities')}: {' '.join(e.kommuns)}")


@app.command("overlap")
def overlap_cmd(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", "-o", help="Folder for one CSV per period and area."),
    period: str = typer.Option("month", "--period", help="year, month or day."),
    level: str = typer.Option("lan", "--level", help="lan, kommun or riket."),
) -> None:
    """Write which persons were seen on which sites, per period and area (input for `estimate crc`).

    Example: lagesbild link overlap --out crc --period month --level lan
    """
    with workspace(ctx) as ws:
        ads, linked = relink_stored(ws.store)
        tables = capture_histories(ads, linked.result, period=period, level=level)
        private_dir(out)
        for t in tables:
            write_private(out / f"{t.period}_{t.area}.csv", to_csv(t))
        audit_export(ws.store, "capture histories", f"{len(tables)} tables, {period}, {level}")
    console.print(f"wrote {len(tables)} capture-history tables to {out}")


def export_links(
    ctx: typer.Context,
    fmt: str = typer.Option("csv", "--format", help="csv (the only format)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
) -> None:
    """One CSV row per observation with its ad, person, advertiser and network ids (and site, site ad id).

    network_id is "none" for an ad that belongs to no network (an advertiser with one person and no
    template tie), never left empty.

    Example: lagesbild export links --format csv > links.csv
    """
    if fmt != "csv":
        raise typer.BadParameter(f"only csv is supported, not {fmt!r}", param_hint="--format")
    dest = open_private(out, "w", encoding="utf-8", newline="") if out else nullcontext(sys.stdout)
    with workspace(ctx) as ws, dest as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(EXPORT_COLUMNS)
        net = EXPORT_COLUMNS.index("network_id")
        n = 0
        for row in LinkStore(ws.store).export_rows():
            # every row says its network: "none" for an ad in no network (not an unknown one)
            w.writerow([("none" if k == net else "") if v is None else v for k, v in enumerate(row)])
            n += 1
        audit_export(ws.store, "links", f"{n} rows, csv")
