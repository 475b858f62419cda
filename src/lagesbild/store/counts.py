"""Observations and distinct ads per period and place, kept as a small summary table.

:meth:`lagesbild.store.Store.observation_counts` used to count over every observation on each call
(on the national preset's 2.2 million observations 5-15 s per period kind; the dashboard's first view
waited for three of them). The counts now live in ``observation_counts`` (migration 16): one row per
period kind (``year``, ``month``, ``day``), period, county and municipality, with the observations
and the distinct ads (``site``, ``site_ad_id``) seen there then. ``observation_counts_state`` records
what the table holds: every observation with ``id <= upto``, ``n_rows`` of them.

The table is brought up to date when it is read (:func:`refresh`), so no write path needs to know about
it (imports, crawls, reprocessing, retention, restores):

* nothing new (``MAX(id) == upto``) and nothing gone (``COUNT(*) == n_rows``): as it is;
* new observations only: they are *folded in*: their observations are added, and an ad counts as new in
  a (period, place) unless an observation already counted has it there (an index lookup per new row on
  ``uq_observation_sighting``); cheap for a day's import or crawl;
* anything else (observations deleted or replaced, ids committed out of order, more new rows than a
  quarter of those counted, or a table never built): rebuilt from all observations, once.

Refreshing takes the state row's lock first, so two processes never fold the same rows twice.
A store that cannot be written (read-only) is counted directly instead, as before.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.store import CountRow

__all__ = ["KINDS", "count_rows", "refresh", "scan_rows"]

log = logging.getLogger(__name__)

KINDS: dict[str, int] = {"year": 4, "month": 7, "day": 10}
"""Each period kind and the width of its prefix of ``seen_at`` (``2025``, ``2025-03``, ``2025-03-01``)."""

FOLD_SHARE = 4
"""New observations are folded in while they are at most 1/``FOLD_SHARE`` of those counted; more are
counted by a rebuild (one grouping scan beats an index lookup per row)."""


def _filters(lan: str | None, kommun: str | None, *, blank: bool) -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    if lan is not None:
        where.append("lan_kod = :lan")
        params["lan"] = lan
    if kommun is not None:
        where.append("kommun_kod = :kommun")
        params["kommun"] = kommun
    return " AND ".join(where) if where else ("1=1" if blank else ""), params


def scan_rows(conn: Connection, width: int, lan: str | None, kommun: str | None) -> list[tuple[Any, ...]]:
    """``(period, lan_kod, kommun_kod, observations, ads)`` counted over the observations themselves."""
    clause, params = _filters(lan, kommun, blank=False)
    sql = f"""
        SELECT SUBSTR(seen_at, 1, {width}) AS period, lan_kod, kommun_kod,
               COUNT(*) AS observations, COUNT(DISTINCT site || '|' || site_ad_id) AS ads
        FROM observations {"WHERE " + clause if clause else ""}
        GROUP BY SUBSTR(seen_at, 1, {width}), lan_kod, kommun_kod
        ORDER BY 1, 2, 3
    """
    return [tuple(r) for r in conn.execute(text(sql), params).all()]


def count_rows(conn: Connection, kind: str, lan: str | None, kommun: str | None) -> list[CountRow]:
    """The kept counts of one period kind (an observation without a place: ``None``), in one pass."""
    clause, params = _filters(lan, kommun, blank=True)
    result = conn.execute(
        text(
            "SELECT period, lan_kod, kommun_kod, observations, ads FROM observation_counts "
            f"WHERE kind = :kind AND {clause} ORDER BY period, lan_kod, kommun_kod"
        ),
        {"kind": kind, **params},
    )
    return [CountRow(p, lan_kod or None, kommun_kod or None, int(n), int(a)) for p, lan_kod, kommun_kod, n, a in result]


def _state(conn: Connection) -> tuple[int, int, int, int, int]:
    """``(upto, n_rows, newest id, all observations, observations with id > upto)``; ``upto`` is -1
    when the table was never built. Cheap: ``MAX(id)`` and ``COUNT(*)`` read an index (not the wide
    table), and the new observations are a range at the end of the primary key."""
    row = conn.execute(text("SELECT upto, n_rows FROM observation_counts_state WHERE id = 1")).first()
    upto, n_rows = (int(row[0]), int(row[1])) if row else (-1, 0)
    top = int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM observations")).scalar_one())
    total = int(conn.execute(text("SELECT COUNT(*) FROM observations")).scalar_one())
    new = 0
    if top > upto:
        new = int(conn.execute(text("SELECT COUNT(*) FROM observations WHERE id > :u"), {"u": upto}).scalar_one())
    return upto, n_rows, top, total, new


def _place(col: str, alias: str = "") -> str:
    return f"COALESCE({alias}{col}, '')"


_UPSERT = """
    ON CONFLICT (kind, period, lan_kod, kommun_kod) DO UPDATE SET
        observations = observation_counts.observations + excluded.observations,
        ads = observation_counts.ads + excluded.ads
"""


def _rebuild(conn: Connection, top: int) -> int:
    conn.execute(text("DELETE FROM observation_counts"))
    for kind, w in KINDS.items():
        conn.execute(
            text(
                f"""
                INSERT INTO observation_counts (kind, period, lan_kod, kommun_kod, observations, ads)
                SELECT '{kind}', SUBSTR(seen_at, 1, {w}), {_place("lan_kod")}, {_place("kommun_kod")},
                       COUNT(*), COUNT(DISTINCT site || '|' || site_ad_id)
                FROM observations WHERE id <= :top
                GROUP BY SUBSTR(seen_at, 1, {w}), {_place("lan_kod")}, {_place("kommun_kod")}
                """
            ),
            {"top": top},
        )
    return int(conn.execute(text("SELECT COUNT(*) FROM observations WHERE id <= :t"), {"t": top}).scalar_one())


def _fold(conn: Connection, upto: int, top: int) -> int:
    for kind, w in KINDS.items():
        # an ad is new in a (period, place) unless an observation counted before has it there
        seen_before = f"""
            EXISTS (SELECT 1 FROM observations o
                    WHERE o.site = n.site AND o.site_ad_id = n.site_ad_id AND o.id <= :upto
                      AND SUBSTR(o.seen_at, 1, {w}) = SUBSTR(n.seen_at, 1, {w})
                      AND {_place("lan_kod", "o.")} = {_place("lan_kod", "n.")}
                      AND {_place("kommun_kod", "o.")} = {_place("kommun_kod", "n.")})
        """
        conn.execute(
            text(
                f"""
                INSERT INTO observation_counts (kind, period, lan_kod, kommun_kod, observations, ads)
                SELECT '{kind}', SUBSTR(n.seen_at, 1, {w}), {_place("lan_kod", "n.")}, {_place("kommun_kod", "n.")},
                       COUNT(*), COUNT(DISTINCT CASE WHEN NOT {seen_before} THEN n.site || '|' || n.site_ad_id END)
                FROM observations n WHERE n.id > :upto AND n.id <= :top
                GROUP BY SUBSTR(n.seen_at, 1, {w}), {_place("lan_kod", "n.")}, {_place("kommun_kod", "n.")}
                {_UPSERT}
                """
            ),
            {"upto": upto, "top": top},
        )
    return int(
        conn.execute(
            text("SELECT COUNT(*) FROM observations WHERE id > :u AND id <= :t"), {"u": upto, "t": top}
        ).scalar_one()
    )


def refresh(engine: Engine) -> bool:
    """Bring the summary table up to date with the observations (see the module docstring).

    Returns:
        False when the table cannot be kept (the store cannot be written): count directly then.
    """
    try:
        with engine.connect() as conn:
            upto, n_rows, top, total, new = _state(conn)
        if upto == top and total == n_rows:
            return True  # the common case: no lock, cheap reads
        with engine.begin() as conn:
            # the state row's lock: one refresh at a time (another process waits, then finds it done)
            conn.execute(
                text(
                    "INSERT INTO observation_counts_state (id, upto, n_rows) VALUES (1, -1, 0) "
                    "ON CONFLICT (id) DO NOTHING"
                )
            )
            conn.execute(text("UPDATE observation_counts_state SET upto = upto WHERE id = 1"))
            upto, n_rows, top, total, new = _state(conn)
            if upto == top and total == n_rows:
                return True
            if upto < 0 or total - new != n_rows or new * FOLD_SHARE > n_rows:
                # never built; observations counted before are gone (retention, reprocessing) or came
                # in below ``upto`` (ids committed out of order); or too many new ones to fold
                n_rows = _rebuild(conn, top)
                log.info("observation counts rebuilt: %d observations", n_rows)
            else:
                n_rows += _fold(conn, upto, top)
            conn.execute(
                text("UPDATE observation_counts_state SET upto = :t, n_rows = :n WHERE id = 1"), {"t": top, "n": n_rows}
            )
        return True
    except SQLAlchemyError as exc:
        log.warning("the observation counts could not be kept (%s); counting directly", type(exc).__name__)
        return False
