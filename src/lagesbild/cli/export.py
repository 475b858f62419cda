"""`lagesbild export observations`: what a crawl or an import stored, one row per sighting.

Thin over :func:`lagesbild.store.observed.stored_observations`. The rows hold what the store
holds: texts scrubbed at the door (``[telefon]``, ``[e-post]``), phones and e-mails as pseudonyms
(``ph_…``, ``em_…``), never a raw identifier. Every export is written to the audit log (user
``cli``, action ``export``), as the dashboard's downloads are.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import typer

from lagesbild import refdata
from lagesbild.cli._areas import parse_county, parse_municipality
from lagesbild.cli._common import (
    ExcelOption,
    OutOption,
    OutputFormat,
    XlsxOption,
    audit_export,
    err_console,
    export_format,
    render,
    say,
    wants_file,
    workspace,
    write_rows,
)
from lagesbild.store.observed import (
    ObservationQuery,
    StoredObservation,
    count_stored_observations,
    stored_observations,
)

__all__ = ["COLUMNS", "export_observations"]

COLUMNS = (
    "site",
    "site_ad_id",
    "seen_at",
    "title",
    "age",
    "location",
    "kommun",
    "kommun_name",
    "lan",
    "price",
    "price_sek_per_hour",
    "posted_at",
    "language",
    "languages",
    "name",
    "n_phones",
    "phones",
    "n_emails",
    "emails",
    "handles",
    "n_pictures",
    "picture_hashes",
    "url",
    "body",
)
"""The columns of the export, in order (CSV header and JSON keys; tables show them in the output language)."""

TABLE_ROWS = 20
"""Sightings a terminal shows without --limit (the newest)."""


def _day(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def _kommun_name(code: str | None) -> str:
    m = refdata.municipalities().get(code) if code else None
    return m.name if m is not None else ""


def _row(o: StoredObservation, *, lists: bool) -> dict[str, Any]:
    """One export row; ``lists`` keeps pseudonyms and hashes as lists (JSON), else space-separated (CSV)."""

    def many(values: tuple[str, ...]) -> list[str] | str:
        return list(values) if lists else " ".join(values)

    return {
        "site": o.site,
        "site_ad_id": o.site_ad_id,
        "seen_at": o.seen_at,
        "title": o.title,
        "age": o.age,
        "location": o.location_text,
        "kommun": o.kommun_kod,
        "kommun_name": _kommun_name(o.kommun_kod),
        "lan": o.lan_kod,
        "price": o.price_text,
        "price_sek_per_hour": o.price_sek_per_hour,
        "posted_at": o.posted_at,
        "language": o.language,
        "languages": many(o.languages_offered),
        "name": o.name,
        "n_phones": len(o.phones),
        "phones": many(o.phones),
        "n_emails": len(o.emails),
        "emails": many(o.emails),
        "handles": many(o.handles),
        "n_pictures": len(o.image_hashes),
        "picture_hashes": many(o.image_hashes),
        "url": o.url,
        "body": o.body,
    }


def _compact(o: StoredObservation, *, seen: bool) -> dict[str, Any]:
    """A sighting as a line of the terminal table: the values a profile's author checks first.

    The day it was seen only for sightings (``seen``); with --latest the row is the ad, and an
    80-column terminal has more room for its title.
    """
    return {
        "ad": f"{o.site}:{o.site_ad_id}",
        **({"seen_at": o.seen_at[:10]} if seen else {}),
        "title": o.title or "",
        "age": o.age,
        "place": _kommun_name(o.kommun_kod) or o.location_text or "",  # the municipality, else as written
        "price": o.price_text or "",
        "n_phones": len(o.phones),
        "n_pictures": len(o.image_hashes),
    }


def export_observations(
    ctx: typer.Context,
    site: str | None = typer.Option(None, "--site", help="Only this site's ads."),
    since: str | None = typer.Option(
        None, "--since", help="Only sightings on or after this day (YYYY-MM-DD, UTC).", parser=_day
    ),
    until: str | None = typer.Option(
        None, "--until", help="Only sightings on or before this day (YYYY-MM-DD, UTC).", parser=_day
    ),
    lan: str | None = typer.Option(
        None, "--lan", help="Only this county: code or name (05, 5, Östergötland).", parser=parse_county
    ),
    kommun: str | None = typer.Option(
        None, "--kommun", help="Only this municipality: code or name (0580, Linköping).", parser=parse_municipality
    ),
    latest: bool = typer.Option(False, "--latest", help="One row per ad: its last sighting (in the period)."),
    limit: int | None = typer.Option(
        None, "--limit", help=f"At most this many rows, the newest (a terminal table: {TABLE_ROWS} unless given)."
    ),
    fmt: OutputFormat | None = typer.Option(
        None,
        "--format",
        help="csv, json or table; default a short table on a terminal, CSV to a file or a pipe.",
    ),
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """What was stored, one row per sighting of an ad (or per ad with --latest), newest first.

    Columns: site, site_ad_id, seen_at, title, age, location, kommun (code and name), lan, price
    (as written, and kronor per hour when normalizing read one), posted_at, language(s), name,
    phones and e-mails as pseudonyms (ph_..., em_...) and how many, handles, how many pictures and
    their hashes, url and body, as stored: every phone number and e-mail address in a text was
    replaced by a placeholder (telefon, e-post in square brackets) at the door, so no raw number or
    address is in any format. Age, municipality and price fall back to
    what normalizing read from the text when the site gave none. Written to the audit log.

    Example: lagesbild export observations --site annonsportalen --latest --format csv --out ads.csv
    """
    terminal = fmt is None and sys.stdout.isatty() and not wants_file()
    chosen = export_format(OutputFormat.table if terminal else (fmt or OutputFormat.csv))
    table = chosen is OutputFormat.table
    shown = limit if limit is not None else (TABLE_ROWS if table else None)
    query = ObservationQuery(site=site, since=since, until=until, lan=lan, kommun=kommun, latest=latest)
    with workspace(ctx) as ws:
        rows = stored_observations(ws.store, query, limit=shown)
        total = count_stored_observations(ws.store, query) if table else len(rows)
        detail = f"{len(rows)} rows, {chosen.value}" + (f", limit {shown}" if shown is not None else "")
        audit_export(ws.store, "observations", detail + (f", {query.describe()}" if query.describe() else ""))
    if table:
        render(
            [_compact(o, seen=not latest) for o in rows],
            OutputFormat.table,
            title=say(
                f"{len(rows)} av {total} {'annonser' if latest else 'observationer'}, senaste först",
                f"{len(rows)} of {total} {'ads' if latest else 'observations'}, newest first",
            ),
            empty=say("Inga observationer med de valen.", "No observations with those choices."),
            whole=("ad",),
        )
        if rows:
            err_console.print(
                say(
                    "Alla kolumner och rader: lagesbild export observations --format csv --out observationer.csv "
                    "(eller --xlsx --out observationer.xlsx); en rad per annons: --latest.",
                    "Every column and row: lagesbild export observations --format csv --out observations.csv "
                    "(or --xlsx --out observations.xlsx); one row per ad: --latest.",
                ),
                highlight=False,
                soft_wrap=True,
            )
        return
    if chosen is OutputFormat.json:
        render([_row(o, lists=True) for o in rows], chosen)
    else:
        write_rows([_row(o, lists=False) for o in rows], columns=COLUMNS)  # the header also when there are no rows
