"""What a crawl or an import stored, one row per sighting: the read behind ``lagesbild export observations``.

A new user who has crawled a site wants to see the values the profile extracted (title, age,
place, price, posting date, how many phones and pictures) without writing SQL. This module reads
them: the observation as stored (its texts already scrubbed at the door, its phones and e-mails
already pseudonyms) together with the municipality, age and price that normalizing read from it
when the site gave none.

Nothing here holds or can return a raw identifier: every column is read from the store, which
never keeps one (``ARCHITECTURE.md``, "No raw identifier is ever stored").

Example::

    rows = stored_observations(store, ObservationQuery(site="annonsportalen", latest=True), limit=20)
    rows[0].title, rows[0].kommun_kod, len(rows[0].phones)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from lagesbild.errors import InputError
from lagesbild.store import Store

__all__ = ["ObservationQuery", "StoredObservation", "count_stored_observations", "stored_observations"]


@dataclass(frozen=True, slots=True)
class StoredObservation:
    """One stored sighting of one ad, with what normalizing read from it.

    Attributes:
        site, site_ad_id, seen_at: the sighting (``seen_at`` ISO 8601 UTC).
        url, title, body, location_text, name, price_text: as stored (scrubbed: ``[telefon]``, ``[e-post]``).
        age: the stated age, else the age normalizing read from the text.
        kommun_kod, lan_kod: the municipality and county given or resolved at the door, else normalized.
        price_sek_per_hour: the normalized price per hour in kronor, if one was read.
        posted_at: the posting date the site shows (ISO 8601 UTC), if any.
        language: the language the ad is written in (ISO 639-1), if known.
        languages_offered: the languages the ad offers (normalized; ISO 639-1 codes).
        phones, emails, handles: pseudonyms (``ph_…``, ``em_…``, ``hd_…``).
        image_hashes: perceptual hashes (hex) of the ad's pictures.
        normalized: whether normalizing has read this sighting yet.
    """

    site: str
    site_ad_id: str
    seen_at: str
    url: str | None
    title: str | None
    body: str | None
    location_text: str | None
    kommun_kod: str | None
    lan_kod: str | None
    age: int | None
    price_text: str | None
    price_sek_per_hour: int | None
    posted_at: str | None
    language: str | None
    languages_offered: tuple[str, ...]
    name: str | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    handles: tuple[str, ...]
    image_hashes: tuple[str, ...]
    normalized: bool


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    """Which sightings to read: every filter of ``export observations`` (``None``/``False``: no filter).

    Attributes:
        site: only this site's sightings.
        since, until: only sightings on or after / on or before these days (``YYYY-MM-DD``, UTC).
        lan, kommun: only sightings in this county (two-digit code) / municipality (four digits),
            as given by the site or resolved from the text.
        latest: one row per ad: its last sighting in the period.
    """

    site: str | None = None
    since: str | None = None
    until: str | None = None
    lan: str | None = None
    kommun: str | None = None
    latest: bool = False

    def describe(self) -> str:
        """The filters chosen, as ``name=value`` words (for the audit log)."""
        return " ".join(f"{k}={v}" for k in self.__slots__ if (v := getattr(self, k)) not in (None, False))


def _day(value: str, option: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD, not {value[:20]!r}", field=option) from None


def _where(q: ObservationQuery, alias: str = "o") -> tuple[list[str], dict[str, Any]]:
    """The filters as SQL conditions on ``observations AS alias`` (joined with ``normalized_observations AS n``)."""
    site, since, until, lan, kommun = q.site, q.since, q.until, q.lan, q.kommun
    where: list[str] = []
    params: dict[str, Any] = {}
    if site is not None:
        where.append(f"{alias}.site = :site")
        params["site"] = site
    if since is not None:
        where.append(f"{alias}.seen_at >= :since")
        params["since"] = _day(since, "--since")
    if until is not None:
        # --until is a whole day: every sighting before the next midnight (UTC, as stored)
        where.append(f"{alias}.seen_at < :until")
        params["until"] = (dt.date.fromisoformat(_day(until, "--until")) + dt.timedelta(days=1)).isoformat()
    if since is not None and until is not None and params["since"] >= params["until"]:
        raise InputError(f"--since {since} is after --until {until}", field="--since")
    if lan is not None:
        where.append("COALESCE(o.lan_kod, n.lan_kod) = :lan")
        params["lan"] = lan
    if kommun is not None:
        where.append("COALESCE(o.kommun_kod, n.kommun_kod) = :kommun")
        params["kommun"] = kommun
    return where, params


_SELECT = (
    "SELECT o.site, o.site_ad_id, o.seen_at, o.url, o.title, o.body, o.location_text, "
    "COALESCE(o.kommun_kod, n.kommun_kod), COALESCE(o.lan_kod, n.lan_kod), COALESCE(o.age, n.age), "
    "o.price_text, n.price_sek_per_hour, o.posted_at, o.language, n.languages_offered, o.name, "
    "o.phones, o.emails, o.handles, o.image_hashes, n.observation_id "
    "FROM observations o LEFT JOIN normalized_observations n ON n.observation_id = o.id"
)


def _query(q: ObservationQuery) -> tuple[str, dict[str, Any]]:
    where, params = _where(q)
    if q.latest:
        # the ad's last sighting within the period (observations are unique on site, site_ad_id, seen_at)
        inner, _ = _where(ObservationQuery(since=q.since, until=q.until), alias="o2")
        cond = " AND ".join(["o2.site = o.site", "o2.site_ad_id = o.site_ad_id", *inner])
        where.append(f"o.seen_at = (SELECT MAX(o2.seen_at) FROM observations o2 WHERE {cond})")
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    return clause, params


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


def stored_observations(
    store: Store, query: ObservationQuery = ObservationQuery(), *, limit: int | None = None
) -> list[StoredObservation]:
    """Stored sightings, newest first, with what normalizing read from them.

    Args:
        store: an open store.
        query: which sightings (:class:`ObservationQuery`; every one by default).
        limit: at most this many rows (the newest).

    Returns:
        The rows, newest ``seen_at`` first.

    Raises:
        InputError: a limit below 1, a date that is not ``YYYY-MM-DD``, or --since after --until.
    """
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}", field="--limit")
    clause, params = _query(query)
    sql = f"{_SELECT}{clause} ORDER BY o.seen_at DESC, o.id DESC"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    with store.engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    return [
        StoredObservation(
            site=r[0],
            site_ad_id=r[1],
            seen_at=r[2],
            url=r[3],
            title=r[4],
            body=r[5],
            location_text=r[6],
            kommun_kod=r[7],
            lan_kod=r[8],
            age=None if r[9] is None else int(r[9]),
            price_text=r[10],
            price_sek_per_hour=None if r[11] is None else int(r[11]),
            posted_at=r[12],
            language=r[13],
            languages_offered=_split(r[14]),
            name=r[15],
            phones=_split(r[16]),
            emails=_split(r[17]),
            handles=_split(r[18]),
            image_hashes=_split(r[19]),
            normalized=r[20] is not None,
        )
        for r in rows
    ]


def count_stored_observations(store: Store, query: ObservationQuery = ObservationQuery()) -> int:
    """How many rows :func:`stored_observations` would give for ``query`` without a limit."""
    clause, params = _query(query)
    sql = f"SELECT COUNT(*) FROM observations o LEFT JOIN normalized_observations n ON n.observation_id = o.id{clause}"
    with store.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())
