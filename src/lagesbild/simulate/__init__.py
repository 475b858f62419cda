"""A simulated Swedish sex-ad market with known ground truth.

Real ad data never enters this repository; the simulator stands in for it in the demo,
the tests and the benchmarks. One seeded run writes the observations a perfect daily
crawl would see, the pages the local server shows, and the truth to score against
(``docs/simulator.md``; interfaces in ``docs/dev/simulator-contract.md``).

Example::

    from lagesbild.simulate import load_config, simulate
    result = simulate(load_config("tiny"), seed=7, out_dir="world")
    print(result.observations, "observations")
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from lagesbild.simulate.config import PRESETS, WorldConfig, load_config
from lagesbild.simulate.output import (
    assign_site_ad_ids,
    write_observations,
    write_sites,
    write_supply_truth,
)
from lagesbild.simulate.supply import Supply, SupplyActivity, simulate_supply
from lagesbild.simulate.world import World

__all__ = ["PRESETS", "SimulationResult", "SupplyActivity", "WorldConfig", "load_config", "simulate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulationResult:
    """What a run wrote (no wall-clock data goes into the files; ``seconds`` is for the caller).

    Attributes:
        out_dir: the output folder.
        observations: lines in ``observations.jsonl.gz``.
        ad_versions: lines in ``sites/*.jsonl.gz``.
        sellers, ads: rows in ``truth/sellers.csv`` and ``truth/ads.csv``.
        purchases: simulated purchases (None when the demand side is not available).
        seconds: run time per stage.
    """

    out_dir: Path
    observations: int
    ad_versions: int
    sellers: int
    ads: int
    purchases: int | None
    seconds: dict[str, float] = field(default_factory=dict)


def _demand() -> Callable[..., Any] | None:
    try:
        from lagesbild.simulate.demand import simulate_demand
    except ModuleNotFoundError as exc:  # the demand part may not be installed yet
        if exc.name != "lagesbild.simulate.demand":
            raise
        log.warning("lagesbild.simulate.demand is not available: no purchase truth is written")
        return None
    return simulate_demand


def _summary(
    world: World, supply: Supply, obs_by: dict[tuple[str, int], int], demand: dict[str, Any] | None
) -> dict[str, Any]:
    """Totals per county and year, and national totals (merged with the demand side's)."""
    act = supply.activity
    first_year = world.cfg.world.start.year
    years = np.array([world.date_of(d).year for d in range(world.days)])
    person_of = {int(r["seller_id"]): int(r["person_id"]) for r in supply.sellers}  # type: ignore[call-overload]
    adv_of = {int(r["seller_id"]): int(r["advertiser_id"]) for r in supply.sellers}  # type: ignore[call-overload]
    net_of = {int(r["seller_id"]): r["network_id"] for r in supply.sellers}  # type: ignore[call-overload]
    g = act.genuine
    sid = act.seller_id[g].tolist()
    yr = years[act.day[g]].tolist()
    cty = [k[:2] for k in act.kommun[g].tolist()]
    cells: dict[tuple[str, str], dict[str, set[Any]]] = {}
    for s, y, c in zip(sid, yr, cty, strict=True):
        for key in ((c, str(y)), ("SE", str(y))):
            d = cells.setdefault(key, {"p": set(), "a": set(), "n": set()})
            d["p"].add(person_of.get(s))
            d["a"].add(adv_of.get(s))
            if net_of.get(s) != "":
                d["n"].add(net_of.get(s))
    ads: dict[tuple[str, str], set[int]] = {}
    for v in supply.versions:
        uid = supply.site_keys[v.site_key][1]
        c = str(supply.ads[uid]["kommun"])[:2]
        y = str(world.date_of(v.online_from).year)
        ads.setdefault((c, y), set()).add(uid)
        ads.setdefault(("SE", y), set()).add(uid)
    out: dict[str, Any] = {"counties": {}, "national": {}}
    keys = sorted(set(cells) | set(ads) | {(c, str(first_year + yi)) for c, yi in obs_by})
    for c, y in keys:
        obs = sum(n for (cc, yi), n in obs_by.items() if str(first_year + yi) == y and (c in ("SE", cc)))
        d = cells.get((c, y), {"p": set(), "a": set(), "n": set()})
        row: dict[str, Any] = {
            "active_persons": len(d["p"]),
            "advertisers": len(d["a"]),
            "networks": len(d["n"]),
            "ads": len(ads.get((c, y), set())),
            "observations": obs,
        }
        src = (demand or {}).get("national" if c == "SE" else "counties", {})
        src = src if c == "SE" else src.get(c, {})
        row.update(src.get(y, {}))
        (out["national"] if c == "SE" else out["counties"].setdefault(c, {}))[y] = row
    return out


def simulate(
    cfg: WorldConfig,
    seed: int,
    out_dir: str | Path,
    progress: Callable[[str, float], None] | None = None,
    *,
    campaign_effects: bool = False,
) -> SimulationResult:
    """Run the simulator and write the output folder.

    Args:
        cfg: the configuration (:func:`load_config`).
        seed: the seed; the same seed and config give byte-identical files.
        out_dir: the folder to write (created; existing files are overwritten).
        progress: optional callback ``(stage, fraction done)``, e.g. for a progress bar.
        campaign_effects: also write ``truth/campaign_effects.csv``, each campaign's weekly series
            against the same seed without it (:func:`lagesbild.simulate.campaign.write_campaign_effects`;
            runs the world again twice per campaign).

    Returns:
        A :class:`SimulationResult` with counts and timings.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    supply_seq, demand_seq = np.random.SeedSequence(seed).spawn(2)
    world = World.build(cfg)
    (out / "config.yaml").write_text(cfg.to_yaml(), encoding="utf-8")
    supply = simulate_supply(world, supply_seq, progress)
    timings["supply"] = time.perf_counter() - t0
    ids = assign_site_ad_ids(world, supply)
    t1 = time.perf_counter()
    write_sites(out, world, supply, ids)
    n_obs, obs_by = write_observations(out, world, supply, ids, progress)
    write_supply_truth(out, world, supply, ids)
    timings["write"] = time.perf_counter() - t1
    demand_summary: dict[str, Any] | None = None
    purchases: int | None = None
    fn = _demand()
    if fn is not None:
        t2 = time.perf_counter()
        truth = fn(cfg, supply.activity, np.random.Generator(np.random.PCG64(demand_seq)))
        demand_summary = truth.write(out)
        purchases = len(truth)
        timings["demand"] = time.perf_counter() - t2
        if progress:
            progress("demand", 1.0)
    summary = _summary(world, supply, obs_by, demand_summary)
    summary["world"] = {
        "name": cfg.world.name,
        "seed": seed,
        "start": cfg.world.start.isoformat(),
        "days": cfg.world.days,
    }
    (out / "truth").mkdir(exist_ok=True)
    (out / "truth" / "summary.json").write_bytes(
        orjson.dumps(summary, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )
    if campaign_effects and cfg.campaigns:
        from lagesbild.simulate.campaign import write_campaign_effects

        t3 = time.perf_counter()
        write_campaign_effects(out, cfg, seed)
        timings["campaign_effects"] = time.perf_counter() - t3
    log.info("simulated %s: %d observations, %d ad versions", out, n_obs, len(supply.versions))
    return SimulationResult(
        out_dir=out,
        observations=n_obs,
        ad_versions=len(supply.versions),
        sellers=len(supply.sellers),
        ads=len({v.site_key for v in supply.versions}),
        purchases=purchases,
        seconds=timings,
    )
