"""Read what the estimates need from the store (the linked site ads, :class:`LinkedAd` rows), and
store their results (:class:`EstimateStore`, table ``estimate_results``).

Example::

    from lagesbild.store.estimates import EstimateStore, linked_ads
    rows = linked_ads(store)      # [] when nothing was linked yet
    es = EstimateStore(store)
    es.results(area="05")         # the stored results, newest run first
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text

from lagesbild.records.estimates import DataSnapshot, EstimateResult, LinkedAd
from lagesbild.records.link import SiteAd
from lagesbild.store import Store
from lagesbild.store.links import LinkStore

__all__ = ["EstimateStore", "StoredEstimate", "has_links", "linked_ads", "linked_person_ads"]


def has_links(store: Store) -> bool:
    """Whether linking has run on this store."""
    return LinkStore(store).last_linked_import() is not None


def linked_ads(store: Store) -> list[LinkedAd]:
    """Every linked site ad with its days, place, ids and whether its person is a suspected fake.

    Returns:
        One :class:`LinkedAd` per stored site ad (empty when linking has not run).
    """
    ls = LinkStore(store)
    if ls.last_linked_import() is None:
        return []
    ads, labels = ls.load_state()
    with store.engine.connect() as conn:
        fakes = {str(r[0]) for r in conn.execute(text("SELECT person_id FROM link_persons WHERE suspected_fake <> 0"))}
    out: list[LinkedAd] = []
    for a in ads:
        ad_id, person_id, adv_id, _ = labels[a.key]
        if ad_id is None or person_id is None or adv_id is None:
            continue  # not linked yet (cannot happen after a run; kept safe)
        out.append(
            LinkedAd(a.site, tuple(a.days), a.kommun_kod, a.lan_kod, ad_id, person_id, adv_id, person_id in fakes)
        )
    return out


def linked_person_ads(store: Store) -> tuple[list[SiteAd], list[str | None], dict[tuple[str, str], tuple[str, ...]]]:
    """What the succession count of returning women reads from a linked store (no persona logic here).

    Returns:
        ``(ads, person, offered)``: the stored site ads; each site ad's person id, or None for a site
        ad without a person or whose person is a suspected fake; and per ``(site, site_ad_id)`` the
        normalizer's ``languages_offered`` of the first observation that lists any. Empty when
        linking has not run. :func:`lagesbild.estimate.suite.linked_personas` builds the personas.
    """
    ls = LinkStore(store)
    if ls.last_linked_import() is None:
        return [], [], {}
    ads, labels = ls.load_state()
    offered: dict[tuple[str, str], tuple[str, ...]] = {}
    with store.engine.connect() as conn:
        fakes = {str(r[0]) for r in conn.execute(text("SELECT person_id FROM link_persons WHERE suspected_fake <> 0"))}
        rows = conn.execute(
            text(
                "SELECT o.site, o.site_ad_id, n.languages_offered FROM observations o "
                "JOIN normalized_observations n ON n.observation_id = o.id "
                "WHERE n.languages_offered <> '' ORDER BY o.id"
            )
        )
        for site, site_ad_id, langs in rows:
            offered.setdefault((str(site), str(site_ad_id)), tuple(str(langs).split()))
    person: list[str | None] = []
    for a in ads:
        pid = labels[a.key][1] if a.key in labels else None
        person.append(None if pid is None or pid in fakes else pid)
    return ads, person, offered


@dataclass(frozen=True)
class StoredEstimate:
    """One stored row of ``estimate_results``: a result with where it came from.

    Attributes:
        id: the row id.
        run_id: the run it belongs to (all quantities of one ``estimate run`` share it).
        area, start, end: the area code and period.
        result: the quantity, estimate, interval, level and method.
        seed: the Monte Carlo seed.
        assumptions: the assumptions used (name, file, each parameter's distribution).
        snapshot: the data it was computed from.
        created_at: when it was stored (ISO 8601, UTC).
    """

    id: int
    run_id: str
    area: str
    start: date
    end: date
    result: EstimateResult
    seed: int | None
    assumptions: dict[str, Any]
    snapshot: DataSnapshot
    created_at: str


_COLUMNS = (
    "run_id, area, period_start, period_end, quantity, estimate, low, high, level, method, seed, "
    "assumptions, max_observation_id, max_import_id, link_run_id, rules_version, created_at"
)


def _finite_or_none(x: float | None) -> float | None:
    # NaN has no portable SQL form (SQLite stores it as NULL); infinities are kept (open intervals).
    return None if x is None or math.isnan(x) else float(x)


def _float(x: Any) -> float:
    return math.nan if x is None else float(x)


class EstimateStore:
    """Estimate results in the store, with their parameters and data snapshot (portable SQL)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    def snapshot(self) -> DataSnapshot:
        """The store's data as of now: newest observation, import, link run and rules version."""
        with self.engine.connect() as conn:

            def one(sql: str) -> Any:
                return conn.execute(text(sql)).scalar_one()

            return DataSnapshot(
                max_observation_id=int(one("SELECT COALESCE(MAX(id), 0) FROM observations")),
                max_import_id=int(one("SELECT COALESCE(MAX(id), 0) FROM imports")),
                link_run_id=(None if (r := one("SELECT MAX(id) FROM link_runs")) is None else int(r)),
                rules_version=one("SELECT MAX(rules_version) FROM normalized_observations"),
            )

    def save(
        self,
        run_id: str,
        area: str,
        start: date,
        end: date,
        results: Sequence[EstimateResult],
        *,
        assumptions: Mapping[str, Any],
        snapshot: DataSnapshot,
        seed: int | None = None,
        created_at: str | None = None,
    ) -> None:
        """Store the results of one run, in one transaction.

        Args:
            run_id: the run's id (shared by its rows).
            area, start, end: the area code and period.
            results: one row per quantity.
            assumptions: JSON-serializable description of the assumptions used.
            snapshot: the data the results were computed from.
            seed: the Monte Carlo seed.
            created_at: ISO timestamp (now, UTC, if None).
        """
        created = created_at or datetime.now(UTC).isoformat()
        params = ", ".join(":" + c.strip() for c in _COLUMNS.split(","))
        sql = text(f"INSERT INTO estimate_results ({_COLUMNS}) VALUES ({params})")
        blob = json.dumps(assumptions, ensure_ascii=False, sort_keys=True)
        rows = [
            {
                "run_id": run_id,
                "area": area,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "quantity": r.quantity,
                "estimate": _finite_or_none(r.estimate),
                "low": _finite_or_none(r.low),
                "high": _finite_or_none(r.high),
                "level": r.level,
                "method": r.method,
                "seed": seed,
                "assumptions": blob,
                "max_observation_id": snapshot.max_observation_id,
                "max_import_id": snapshot.max_import_id,
                "link_run_id": snapshot.link_run_id,
                "rules_version": snapshot.rules_version,
                "created_at": created,
            }
            for r in results
        ]
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(sql, rows)

    def results(
        self, *, run_id: str | None = None, area: str | None = None, quantity: str | None = None
    ) -> list[StoredEstimate]:
        """Stored results, newest first (by row id), optionally for one run, area or quantity."""
        where: list[str] = []
        params: dict[str, Any] = {}
        for col, val in (("run_id", run_id), ("area", area), ("quantity", quantity)):
            if val is not None:
                where.append(f"{col} = :{col}")
                params[col] = val
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        sql = text(f"SELECT id, {_COLUMNS} FROM estimate_results{clause} ORDER BY id DESC")
        with self.engine.connect() as conn:
            rows = conn.execute(sql, params).mappings().all()
        return [
            StoredEstimate(
                id=int(r["id"]),
                run_id=str(r["run_id"]),
                area=str(r["area"]),
                start=date.fromisoformat(r["period_start"]),
                end=date.fromisoformat(r["period_end"]),
                result=EstimateResult(
                    str(r["quantity"]),
                    _float(r["estimate"]),
                    _float(r["low"]),
                    _float(r["high"]),
                    None if r["level"] is None else float(r["level"]),
                    str(r["method"]),
                ),
                seed=None if r["seed"] is None else int(r["seed"]),
                assumptions=json.loads(r["assumptions"]),
                snapshot=DataSnapshot(
                    int(r["max_observation_id"] or 0),
                    int(r["max_import_id"] or 0),
                    None if r["link_run_id"] is None else int(r["link_run_id"]),
                    r["rules_version"],
                ),
                created_at=str(r["created_at"]),
            )
            for r in rows
        ]
