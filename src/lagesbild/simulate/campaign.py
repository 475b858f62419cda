"""A campaign's true effect: the same seed with and without it, as weekly series per county.

The simulator draws every random component from its own stream and lets a campaign only
remove what was drawn (thinned spell starts, working days, days with the ads offline,
skipped reposts; fewer clients per seller-day on the demand side). A run of the same seed
without the campaign is therefore the campaign's counterfactual, and the difference of the
two runs is its true effect (``docs/simulator.md``, "Campaigns and common random numbers").

The series come straight from the simulator's truth, not from an import of the observations:

* ``ad_days``: site-level ads online per day, summed over the week (what the importer counts
  as ad-days, with each ad placed in its true municipality);
* ``new_ads``: site-level ads first shown in the week;
* ``seller_days``: genuine sellers' working days;
* ``active_sellers``, ``active_persons``: distinct genuine sellers (personas) and persons
  working in the county at least one day of the week;
* ``purchases``: purchases made in the county (demand side; ``purchases=False`` skips it).

Weeks are 7 days aligned on the campaign's first day (whole weeks inside the simulated
period only), as the campaign evaluation aligns them.

Example::

    from lagesbild.simulate import load_config
    from lagesbild.simulate.campaign import campaign_pair, small_world

    cfg = small_world()                      # Östergötland + three control counties, 2 years
    pair = campaign_pair(cfg, seed=1)
    pair.with_campaign["05"]["ad_days"]      # weekly counts, numpy array
    pair.without_campaign["05"]["ad_days"]   # the counterfactual
    pair.effect("ad_days")                   # true relative effect over the campaign weeks, e.g. -0.08
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from lagesbild.simulate.config import CampaignConfig, WorldConfig
from lagesbild.simulate.supply import Supply, simulate_supply
from lagesbild.simulate.world import World

__all__ = [
    "SERIES",
    "CampaignPair",
    "WeeklySeries",
    "campaign_pair",
    "counterfactual",
    "small_world",
    "weekly_series",
    "write_campaign_effects",
]

SERIES = ("ad_days", "new_ads", "seller_days", "active_sellers", "active_persons", "purchases")
"""The weekly series, in the order of :attr:`WeeklySeries.rows`."""


@dataclass(frozen=True)
class WeeklySeries:
    """Weekly counts per county of one simulated world.

    Attributes:
        weeks: the first day of each week (7-day weeks aligned on ``anchor``).
        counts: ``{county: {series: int array, one entry per week}}`` for every county of the
            world (``purchases`` is missing when the demand side was skipped).
    """

    weeks: list[date]
    counts: dict[str, dict[str, npt.NDArray[np.int64]]]

    def __getitem__(self, county: str) -> dict[str, npt.NDArray[np.int64]]:
        return self.counts[county]

    def rows(self) -> list[tuple[str, str, str, int]]:
        """``(county, week start ISO date, series, count)``, sorted by county, week and series order."""
        out = []
        for c in sorted(self.counts):
            for i, w in enumerate(self.weeks):
                for s in SERIES:
                    if s in self.counts[c]:
                        out.append((c, w.isoformat(), s, int(self.counts[c][s][i])))
        return out


@dataclass(frozen=True)
class CampaignPair:
    """One seed with and without one campaign.

    Attributes:
        campaign: the campaign (its counties, start, weeks and configured demand effect).
        with_campaign, without_campaign: the weekly series of the two runs.
        campaign_weeks: indices into ``weeks`` of the campaign's weeks.
    """

    campaign: CampaignConfig
    with_campaign: WeeklySeries
    without_campaign: WeeklySeries
    campaign_weeks: npt.NDArray[np.int64]

    @property
    def weeks(self) -> list[date]:
        """The first day of each week (shared by both runs)."""
        return self.with_campaign.weeks

    def totals(self, series: str, counties: list[str] | None = None) -> tuple[int, int]:
        """Observed and counterfactual totals of ``series`` over the campaign weeks.

        Args:
            series: one of :data:`SERIES`.
            counties: the counties to sum (default: the campaign's counties in the world).
        """
        cs = counties if counties is not None else self.counties
        w = self.campaign_weeks
        obs = sum(int(self.with_campaign[c][series][w].sum()) for c in cs)
        cf = sum(int(self.without_campaign[c][series][w].sum()) for c in cs)
        return obs, cf

    def effect(self, series: str, counties: list[str] | None = None) -> float:
        """The true relative effect ``observed / counterfactual - 1`` over the campaign weeks (nan if 0/0)."""
        obs, cf = self.totals(series, counties)
        return obs / cf - 1.0 if cf else float("nan")

    @property
    def counties(self) -> list[str]:
        """The campaign's counties that are part of the simulated world."""
        return [c for c in self.campaign.counties if c in self.with_campaign.counts]

    def truth_rows(self) -> list[dict[str, Any]]:
        """Per campaign county, week of the campaign and series: observed, counterfactual and their ratio.

        The rows of ``truth/campaign_effects.csv``; ``counterfactual`` is the same seed without
        the campaign, ``relative`` is ``observed / counterfactual - 1`` (empty if 0/0).
        """
        out: list[dict[str, Any]] = []
        for c in self.counties:
            for i in self.campaign_weeks.tolist():
                for s in SERIES:
                    if s not in self.with_campaign[c]:
                        continue
                    o, cf = int(self.with_campaign[c][s][i]), int(self.without_campaign[c][s][i])
                    out.append(
                        {
                            "campaign": self.campaign.name,
                            "county": c,
                            "week_start": self.weeks[i].isoformat(),
                            "series": s,
                            "observed": o,
                            "counterfactual": cf,
                            "relative": round(o / cf - 1.0, 6) if cf else "",
                        }
                    )
        return out


def counterfactual(cfg: WorldConfig, campaign: str | None = None) -> WorldConfig:
    """``cfg`` without its campaigns (or without the one named ``campaign``): the counterfactual world.

    Run with the same seed it differs from ``cfg``'s run only by the campaigns' effect.
    """
    keep = [c for c in cfg.campaigns if campaign is not None and c.name != campaign]
    return cfg.model_copy(update={"campaigns": keep})


def small_world(
    counties: tuple[str, ...] = ("05", "04", "06", "07"),
    *,
    campaign_county: str = "05",
    start: date = date(2023, 1, 1),
    days: int = 728,
    campaign_start: date = date(2024, 4, 15),
    weeks: int = 5,
    effect: float = -0.15,
    active_per_100k: float = 12.0,
    overrides: dict[str, Any] | None = None,
) -> WorldConfig:
    """A small world for campaign benchmarks: Östergötland with a campaign and a few control counties.

    Defaults: Östergötland (05) with Södermanland, Jönköping and Kronoberg (04, 06, 07) as
    controls, two years from 2023-01-01, a -15% campaign of five weeks from 2024-04-15 in 05,
    12 active sellers per 100,000 inhabitants (the config default; the ``ostergotland``
    preset's 0.9 is too thin for weekly series). One world takes about 2 s of CPU without writing files.

    Args:
        counties: the counties of the world.
        campaign_county: where the campaign runs.
        start, days: the simulated period.
        campaign_start, weeks, effect: the campaign.
        active_per_100k: market density (``sellers.active_per_100k``).
        overrides: further config sections merged in (e.g. ``{"sellers": {"campaign_offline_share": 0}}``).
    """
    data: dict[str, Any] = {
        "world": {
            "name": "campaign-benchmark",
            "start": start.isoformat(),
            "days": days,
            "counties": list(counties),
            "burn_in_days": 120,
        },
        "sellers": {"active_per_100k": active_per_100k},
        "campaigns": [
            {
                "name": "kampanj",
                "counties": [campaign_county],
                "start": campaign_start.isoformat(),
                "weeks": weeks,
                "effect": effect,
            }
        ],
    }
    for section, values in (overrides or {}).items():
        if isinstance(values, dict):
            data.setdefault(section, {}).update(values)
        else:
            data[section] = values
    return WorldConfig.model_validate(data)


def _streams(seed: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """The supply and demand seed sequences of a run (as :func:`lagesbild.simulate.simulate` spawns them)."""
    supply_seq, demand_seq = np.random.SeedSequence(seed).spawn(2)
    return supply_seq, demand_seq


def _week_index(
    days: npt.NDArray[np.int64], w0: int, n_weeks: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    wk = np.floor_divide(days - w0, 7)
    return wk, (days >= w0) & (wk < n_weeks)


def _count(
    county: npt.NDArray[np.str_], wk: npt.NDArray[np.int64], ok: npt.NDArray[np.bool_], counties: list[str], n: int
) -> dict[str, npt.NDArray[np.int64]]:
    out = {}
    for c in counties:
        sel = ok & (county == c)
        out[c] = np.bincount(wk[sel], minlength=n).astype(np.int64)
    return out


def weekly_series(cfg: WorldConfig, seed: int, *, anchor: date | None = None, purchases: bool = True) -> WeeklySeries:
    """Simulate ``cfg`` with ``seed`` (no files written) and count the weekly series per county.

    Args:
        cfg: the configuration.
        seed: the seed (the same as :func:`lagesbild.simulate.simulate` takes: the same world).
        anchor: a day the weeks are aligned on (default: the first campaign's start, else day 0).
        purchases: also run the demand side and count purchases.
    """
    world = World.build(cfg)
    supply_seq, demand_seq = _streams(seed)
    supply = simulate_supply(world, supply_seq, texts=False)
    truth = None
    if purchases:
        from lagesbild.simulate.demand import simulate_demand

        truth = simulate_demand(cfg, supply.activity, np.random.Generator(np.random.PCG64(demand_seq)))
    if anchor is None:
        anchor = cfg.campaigns[0].start if cfg.campaigns else cfg.world.start
    return _series(world, supply, truth, anchor)


def _series(world: World, supply: Supply, truth: Any, anchor: date) -> WeeklySeries:
    days = world.days
    w0 = (anchor - world.cfg.world.start).days % 7
    n_weeks = (days - w0) // 7
    weeks = [world.date_of(w0 + 7 * k) for k in range(n_weeks)]
    counties = list(world.county_codes)
    res: dict[str, dict[str, npt.NDArray[np.int64]]] = {c: {} for c in counties}

    def put(name: str, by: dict[str, npt.NDArray[np.int64]]) -> None:
        for c in counties:
            res[c][name] = by[c]

    # ad-days: each version's online days (a site ad's versions do not overlap)
    vs = supply.versions
    kommun_of = {uid: str(a["kommun"]) for uid, a in supply.ads.items()}
    v_county = np.array([kommun_of[supply.site_keys[v.site_key][1]][:2] for v in vs], dtype="<U2")
    vf = np.fromiter((v.online_from for v in vs), dtype=np.int64, count=len(vs))
    vt = np.fromiter((v.online_to for v in vs), dtype=np.int64, count=len(vs))
    lengths = vt - vf + 1
    idx = np.repeat(np.arange(len(vs)), lengths)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(vs) else np.zeros(0, dtype=np.int64)
    day = vf[idx] + (np.arange(len(idx)) - offsets[idx]) if len(vs) else np.zeros(0, dtype=np.int64)
    wk, ok = _week_index(day, w0, n_weeks)
    put("ad_days", _count(v_county[idx], wk, ok, counties, n_weeks))
    # new ads: a site ad's first day shown
    first: dict[int, int] = {}
    for v in vs:
        if v.online_from < first.get(v.site_key, 10**9):
            first[v.site_key] = v.online_from
    keys = sorted(first)
    k_day = np.array([first[k] for k in keys], dtype=np.int64)
    k_county = np.array([kommun_of[supply.site_keys[k][1]][:2] for k in keys], dtype="<U2")
    wk, ok = _week_index(k_day, w0, n_weeks)
    put("new_ads", _count(k_county, wk, ok, counties, n_weeks))
    # genuine activity
    act = supply.activity
    g = act.genuine
    a_day = act.day[g].astype(np.int64)
    a_county = act.kommun[g].astype("<U2")
    a_seller = act.seller_id[g].astype(np.int64)
    wk, ok = _week_index(a_day, w0, n_weeks)
    put("seller_days", _count(a_county, wk, ok, counties, n_weeks))
    person_of = {int(r["seller_id"]): int(r["person_id"]) for r in supply.sellers}  # type: ignore[call-overload]
    a_person = np.array([person_of[s] for s in a_seller.tolist()], dtype=np.int64)
    for name, who in (("active_sellers", a_seller), ("active_persons", a_person)):
        by: dict[str, npt.NDArray[np.int64]] = {}
        for c in counties:
            sel = ok & (a_county == c)
            pairs = np.unique(np.stack([wk[sel], who[sel]]), axis=1) if sel.any() else np.zeros((2, 0), np.int64)
            by[c] = np.bincount(pairs[0], minlength=n_weeks).astype(np.int64)
        put(name, by)
    if truth is not None:
        p_day = np.asarray(truth.day, dtype=np.int64)
        p_county = np.asarray(truth.seller_kommun).astype("<U2")
        wk, ok = _week_index(p_day, w0, n_weeks)
        put("purchases", _count(p_county, wk, ok, counties, n_weeks))
    return WeeklySeries(weeks=weeks, counts=res)


def campaign_pair(
    cfg: WorldConfig, seed: int, campaign: CampaignConfig | str | None = None, *, purchases: bool = True
) -> CampaignPair:
    """Weekly series of the same seed with and without one campaign, and the campaign's true effect.

    Args:
        cfg: the configuration (e.g. :func:`small_world`); its other campaigns stay in both runs.
        seed: the seed.
        campaign: the campaign (a :class:`CampaignConfig`, which replaces ``cfg``'s campaigns, or
            the name of one of ``cfg``'s campaigns; default: ``cfg``'s first campaign). A campaign
            with ``effect`` 0 is a placebo: both runs are then identical.
        purchases: also simulate the demand side (about as long again for small worlds).

    Returns:
        A :class:`CampaignPair`; :meth:`CampaignPair.effect` is the true relative effect over the
        campaign weeks, :meth:`CampaignPair.truth_rows` the weekly observed and counterfactual values.

    Raises:
        ValueError: ``cfg`` has no campaign and none is given, or the name is unknown.
    """
    if isinstance(campaign, CampaignConfig):
        cfg = cfg.model_copy(update={"campaigns": [campaign]})
        chosen = campaign
    else:
        named = [c for c in cfg.campaigns if campaign is None or c.name == campaign]
        if not named:
            raise ValueError(f"no campaign {campaign!r} in the config" if campaign else "the config has no campaign")
        chosen = named[0]
    without = counterfactual(cfg, chosen.name)
    a = weekly_series(cfg, seed, anchor=chosen.start, purchases=purchases)
    b = weekly_series(without, seed, anchor=chosen.start, purchases=purchases)
    d0 = chosen.start
    idx = [i for i, w in enumerate(a.weeks) if d0 <= w < d0 + timedelta(days=7 * chosen.weeks)]
    return CampaignPair(
        campaign=chosen,
        with_campaign=a,
        without_campaign=b,
        campaign_weeks=np.array(idx, dtype=np.int64),
    )


EFFECT_COLUMNS = ("campaign", "county", "week_start", "series", "observed", "counterfactual", "relative")


def write_campaign_effects(out_dir: str | Path, cfg: WorldConfig, seed: int) -> Path:
    """Write ``truth/campaign_effects.csv``: every campaign's weekly observed and counterfactual series.

    One row per campaign, campaign county, campaign week and series (:data:`SERIES`), with
    ``observed`` (this seed as configured), ``counterfactual`` (the same seed without that
    campaign) and ``relative`` (``observed / counterfactual - 1``, empty if 0/0). Reruns the
    world twice per campaign without writing texts (a few seconds for a county, minutes for
    the national preset).

    Returns:
        The path written.
    """
    path = Path(out_dir) / "truth" / "campaign_effects.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for c in cfg.campaigns:
        rows.extend(campaign_pair(cfg, seed, c.name).truth_rows())
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=EFFECT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path
