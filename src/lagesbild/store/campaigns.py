"""The campaign register in the store (table ``campaigns`` from migration 8), and the daily counts to evaluate on.

A small class over :attr:`Store.engine <lagesbild.store.Store.engine>`; plain portable SQL that
runs on SQLite and PostgreSQL. Counties are stored comma-separated.

Example::

    cs = CampaignStore(store)
    cs.add(Campaign("Du avgör", ("05",), date(2024, 4, 15), date(2024, 5, 19)))
    area = cs.daily_ad_days(("05",))        # {date: ad-days}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lagesbild.errors import InputError, StoreError
from lagesbild.records.campaigns import Campaign
from lagesbild.store import Store

__all__ = ["CampaignStore"]


def _row(r: Any) -> Campaign:
    return Campaign(
        str(r[0]),
        tuple(c for c in str(r[1]).split(",") if c),
        date.fromisoformat(str(r[2])),
        date.fromisoformat(str(r[3])),
        str(r[4] or ""),
    )


class CampaignStore:
    """Add, replace, list and remove campaigns; read the daily activity to evaluate them on."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def add(self, campaign: Campaign, *, replace: bool = False) -> None:
        """Register a campaign.

        Raises:
            InputError: if a campaign of that name exists and ``replace`` is False.
            StoreError: if the database refuses the row.
        """
        params = {
            "n": campaign.name,
            "c": ",".join(campaign.counties),
            "s": campaign.start.isoformat(),
            "e": campaign.end.isoformat(),
            "note": campaign.note,
            "t": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        try:
            with self.engine.begin() as conn:
                if replace:
                    conn.execute(text("DELETE FROM campaigns WHERE name = :n"), params)
                conn.execute(
                    text(
                        "INSERT INTO campaigns (name, counties, start_date, end_date, note, created_at) "
                        "VALUES (:n, :c, :s, :e, :note, :t)"
                    ),
                    params,
                )
        except IntegrityError:
            raise InputError(f"a campaign called {campaign.name!r} is already registered", field="name") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot store campaign {campaign.name!r}: {exc}") from exc

    def add_many(self, campaigns: Iterable[Campaign], *, replace: bool = False) -> int:
        """Register several campaigns; returns how many."""
        n = 0
        for c in campaigns:
            self.add(c, replace=replace)
            n += 1
        return n

    def get(self, name: str) -> Campaign:
        """The campaign called ``name``.

        Raises:
            InputError: if there is none.
        """
        with self.engine.connect() as conn:
            r = conn.execute(
                text("SELECT name, counties, start_date, end_date, note FROM campaigns WHERE name = :n"), {"n": name}
            ).first()
        if r is None:
            raise InputError(f"no campaign called {name!r} (see `lagesbild campaigns list`)", field="name")
        return _row(r)

    def list(self) -> list[Campaign]:
        """Every registered campaign, by start date and name."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT name, counties, start_date, end_date, note FROM campaigns ORDER BY start_date, name")
            ).all()
        return [_row(r) for r in rows]

    def remove(self, name: str) -> bool:
        """Remove a campaign; returns whether one was removed."""
        with self.engine.begin() as conn:
            res = conn.execute(text("DELETE FROM campaigns WHERE name = :n"), {"n": name})
        return bool(res.rowcount)

    def daily_ad_days(self, counties: Sequence[str] | None, *, exclude: Sequence[str] = ()) -> dict[date, int]:
        """Ad-days per day (distinct site ads seen that day) summed over ``counties``.

        Args:
            counties: county codes, or ``None`` for every county with placed observations.
            exclude: counties to leave out (e.g. the campaign's, for a control region).
        """
        wanted = None if counties is None else set(counties)
        out: Counter[date] = Counter()
        for row in self.store.observation_counts(period="day"):
            if row.lan_kod is None or row.lan_kod in exclude or (wanted is not None and row.lan_kod not in wanted):
                continue
            out[date.fromisoformat(row.period)] += row.ads
        return dict(out)

    def daily_by_county(self) -> tuple[dict[str, dict[date, int]], dict[str, dict[date, int]]]:
        """Ad-days and new ads per county and day, in one pass over the observations.

        Returns:
            ``(ad_days, new_ads)``, each ``{county: {day: count}}``. Ad-days are distinct site ads
            seen that day; a site ad is *new* on the first day it was seen in that county.
            Observations placed in no county are left out.
        """
        # Counted in the database: only (county, day, count) rows cross the wire (a national store
        # has millions of observations; fetching one row per ad and day took most of the time).
        sql_ad_days = """
            SELECT lan_kod, day, COUNT(*) FROM (
                SELECT DISTINCT lan_kod, SUBSTR(seen_at, 1, 10) AS day, site, site_ad_id
                FROM observations WHERE lan_kod IS NOT NULL
            ) AS d GROUP BY lan_kod, day
        """
        sql_new_ads = """
            SELECT lan_kod, first_day, COUNT(*) FROM (
                SELECT lan_kod, site, site_ad_id, MIN(SUBSTR(seen_at, 1, 10)) AS first_day
                FROM observations WHERE lan_kod IS NOT NULL
                GROUP BY lan_kod, site, site_ad_id
            ) AS f GROUP BY lan_kod, first_day
        """
        ad_days: dict[str, Counter[date]] = {}
        new_ads: dict[str, Counter[date]] = {}
        with self.engine.connect() as conn:
            for lan, day, n in conn.execute(text(sql_ad_days)):
                ad_days.setdefault(str(lan), Counter())[date.fromisoformat(str(day))] += int(n)
            for lan, day, n in conn.execute(text(sql_new_ads)):
                new_ads.setdefault(str(lan), Counter())[date.fromisoformat(str(day))] += int(n)
        return {k: dict(v) for k, v in ad_days.items()}, {k: dict(v) for k, v in new_ads.items()}

    def daily_persons(self) -> dict[str, dict[date, set[str]]] | None:
        """Linked persons with an ad online per county and day, suspected fakes left out.

        Returns:
            ``{county: {day: person ids}}``, or ``None`` when linking has not run (or linked nothing). Reads only the
            three columns it needs of the stored linking (not the whole link state).
        """
        sql = """
            SELECT a.lan_kod, a.days, a.person_id FROM link_site_ads a
            WHERE a.lan_kod IS NOT NULL AND a.ad_id IS NOT NULL AND a.person_id IS NOT NULL
              AND a.advertiser_id IS NOT NULL
              AND a.person_id NOT IN (SELECT person_id FROM link_persons WHERE suspected_fake <> 0)
        """
        out: dict[str, dict[date, set[str]]] = {}
        with self.engine.connect() as conn:
            if conn.execute(text("SELECT MAX(last_import_id) FROM link_runs")).scalar_one() is None:
                return None
            parse: dict[str, date] = {}
            for lan, days, person in conn.execute(text(sql)):
                per = out.setdefault(str(lan), {})
                for d in str(days).split():
                    day = parse.get(d)
                    if day is None:
                        day = parse[d] = date.fromisoformat(d)
                    per.setdefault(day, set()).add(str(person))
        return out or None
