"""Campaign evaluation on simulated worlds: placebo calibration (training seeds) and the held-out benchmark.

**Seeds are split.** ``calibrate`` uses :data:`TRAINING_SEEDS` (1-40) only, to choose the GLM
interval setting (:data:`lagesbild.campaigns.evaluate.CALIBRATED`) and the STS inflation
(:data:`lagesbild.campaigns.sts.STS_INFLATION`). ``heldout`` uses :data:`HELD_OUT_SEEDS`
(5001-5050), which were never used to choose anything, and prints the published figures.

**The world.** Six counties (05 Östergötland, 06, 07, 08, 10, 12), two years from 2023-01-01, at the
Östergötland preset's density (0.9 active sellers per 100,000; about four in county 05 at a time).

**The series are computed from the simulator's output directly** (simulating, importing and
linking 100 worlds does not fit on two shared cores): ad-days are the site ads online per day
(from the ad versions), new ads each site ad's first online day, active persons the distinct
sellers with a working day (what linking recovers: persona recall >= 0.998), placed by the ad's
or the working day's municipality; scam ads count in ad-days and new ads but not as persons.
The evaluation is the library code the CLI uses: :func:`lagesbild.campaigns.measures.evaluate_all_series`
on a :class:`~lagesbild.campaigns.measures.CampaignData`.

* ``calibrate``: per training seed, one world without campaign and :data:`PLACEBOS_PER_SEED`
  placebo campaigns (5 weeks, a random county of the six, a random start week); every setting of
  the grid is evaluated on every placebo and measure, and the setting whose false-positive rate
  at a nominal 5% is closest to 5% (largest deviation over the four measures) is printed.
* ``heldout``: per held-out seed, the world with a -15% five-week campaign in county 05 and the
  same seed without it (common random numbers); placebo false-positive rate (placebos in the
  no-campaign world), 90% interval coverage of the true effect (with vs without, same seed, per
  measure), detection rate, what ``campaigns power`` says for the same data, and the time to
  evaluate one campaign in each of the 21 counties of a national store.

    python bench/bench_campaigns.py calibrate
    python bench/bench_campaigns.py heldout
"""

from __future__ import annotations

import argparse
import itertools
import os
import pickle
import sys
import time
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # small fits: threads only contend
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

from lagesbild.campaigns.effect import t_or_z_quantile  # noqa: E402
from lagesbild.campaigns.evaluate import CALIBRATED, GlmSettings, evaluate_weekly  # noqa: E402
from lagesbild.campaigns.measures import SERIES, CampaignData, evaluate_all_series, series_weeks  # noqa: E402
from lagesbild.campaigns.sts import sts_effect  # noqa: E402
from lagesbild.errors import InputError  # noqa: E402
from lagesbild.records.campaigns import Campaign  # noqa: E402

TRAINING_SEEDS = tuple(range(1, 41))
HELD_OUT_SEEDS = tuple(range(5001, 5051))
COUNTIES = ("05", "06", "07", "08", "10", "12")
START = date(2023, 1, 1)
DAYS = 730
DENSITY = 0.9
PLACEBOS_PER_SEED = 6
CAMPAIGN_WEEKS = 5
EFFECT = -0.15
CAMPAIGN_START = date(2024, 4, 15)
CACHE = Path("/tmp/lagesbild_bench_campaigns")


def _config(campaign: bool) -> Any:
    from lagesbild.simulate.config import WorldConfig

    spec: dict[str, Any] = {
        "world": {"name": "bench-campaigns", "start": START.isoformat(), "days": DAYS, "counties": list(COUNTIES)},
        "sellers": {"active_per_100k": DENSITY},
        "campaigns": [],
    }
    if campaign:
        spec["campaigns"] = [
            {"name": "bench", "counties": ["05"], "start": CAMPAIGN_START.isoformat(), "weeks": CAMPAIGN_WEEKS,
             "effect": EFFECT}
        ]  # fmt: skip
    return WorldConfig.model_validate(spec)


def data_from_supply(supply: Any) -> CampaignData:
    """The four daily measures per county from a simulated supply (see the module docstring)."""
    ad_days: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    new_ads: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    first_of_key: dict[int, int] = {}
    for v in supply.versions:
        uid = supply.site_keys[v.site_key][1]
        lan = str(supply.ads[uid]["kommun"])[:2]
        lo, hi = max(v.online_from, 0), min(v.online_to, DAYS - 1)
        for d in range(lo, hi + 1):
            ad_days[lan][START + timedelta(days=d)] += 1
        if lo <= hi:
            first_of_key[v.site_key] = min(first_of_key.get(v.site_key, 10**9), lo)
    for key, d in first_of_key.items():
        uid = supply.site_keys[key][1]
        new_ads[str(supply.ads[uid]["kommun"])[:2]][START + timedelta(days=d)] += 1
    persons: dict[str, dict[date, set[str]]] = defaultdict(lambda: defaultdict(set))
    act = supply.activity
    for sid, d, k, genuine in zip(act.seller_id, act.day, act.kommun, act.genuine, strict=True):
        if genuine and 0 <= d < DAYS:
            persons[str(k)[:2]][START + timedelta(days=int(d))].add(str(int(sid)))
    from lagesbild.campaigns.measures import purchases_per_person_day

    return CampaignData(
        first_day=START,
        last_day=START + timedelta(days=DAYS - 1),
        ad_days={c: dict(v) for c, v in ad_days.items()},
        new_ads={c: dict(v) for c, v in new_ads.items()},
        persons={c: {d: frozenset(s) for d, s in v.items()} for c, v in persons.items()},
        purchases_factor=purchases_per_person_day(),
    )


def world_data(seed: int, *, campaign: bool) -> CampaignData:
    """The measures of one seed's world (cached on disk: simulating takes ~1.5 s)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{seed}-{int(campaign)}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            data: CampaignData = pickle.load(fh)
            return data
    from lagesbild.simulate.supply import simulate_supply
    from lagesbild.simulate.world import World

    supply = simulate_supply(World.build(_config(campaign)), np.random.SeedSequence(seed).spawn(2)[0])
    data = data_from_supply(supply)
    with path.open("wb") as fh:
        pickle.dump(data, fh)
    return data


def placebos(seed: int, n: int) -> list[Campaign]:
    """``n`` placebo campaigns of five weeks at random counties and start weeks (seeded by ``seed``)."""
    rng = np.random.default_rng([seed, 16])
    out = []
    for i in range(n):
        county = str(rng.choice(COUNTIES))
        week = int(rng.integers(8, DAYS // 7 - CAMPAIGN_WEEKS - 8))
        start = START + timedelta(days=7 * week)
        out.append(Campaign(f"placebo {i}", (county,), start, start + timedelta(days=7 * CAMPAIGN_WEEKS - 1)))
    return out


FITS = [
    GlmSettings(family="quasipoisson", hac_lags=lags, dispersion_floor=floor, window_weeks=win)
    for lags, floor, win in itertools.product((0, 4, 8, 13), (0.0, 1.0), (None, 52, 26, 13))
]
"""One fit per setting; the t quantile and the standard-error multipliers of the same fit are derived
from it (the library's difference-in-differences uses t with weeks - 2 degrees of freedom)."""
MULTIPLIERS = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
DERIVED = [(t, k) for t in (False, True) for k in MULTIPLIERS]
GRID = [replace(st, t_quantile=t, se_multiplier=k) for st in FITS for t, k in DERIVED]
STS_FACTORS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
Z95 = 1.959963984540054


def calibrate(seeds: tuple[int, ...], *, sts_placebos: int = 1) -> None:
    """Placebo false-positive rates of every setting on ``seeds``; print the best one per measure.

    The chosen setting of a measure is the one whose false-positive rate is closest to 5%; among
    equally close ones, the one with the narrowest median interval (the most power).
    """
    flagged: dict[int, dict[str, int]] = {i: defaultdict(int) for i in range(len(GRID))}
    widths: dict[int, dict[str, list[float]]] = {i: defaultdict(list) for i in range(len(GRID))}
    total: dict[str, int] = defaultdict(int)
    sts_z: dict[str, list[float]] = defaultdict(list)  # |average| / sd of each placebo
    t0 = time.time()
    for seed in seeds:
        data = world_data(seed, campaign=False)
        for j, c in enumerate(placebos(seed, PLACEBOS_PER_SEED)):
            for s in SERIES:
                ws = series_weeks(data, s, c)
                total[s] += 1
                for i, st in enumerate(FITS):
                    base = i * len(DERIVED)
                    try:
                        e = evaluate_weekly(ws, c, settings=st, level=0.95)
                    except InputError:
                        for m in range(len(DERIVED)):  # counts as a failure, not as a pass
                            flagged[base + m][s] += 1
                        continue
                    b, half = np.log(e.rate_ratio), (np.log(e.high) - np.log(e.low)) / 2
                    tz = t_or_z_quantile(0.95, e.n - 2) / Z95
                    for m, (t, k) in enumerate(DERIVED):
                        h = half * k * (tz if t else 1.0)
                        flagged[base + m][s] += bool(abs(b) > h)
                        widths[base + m][s].append(h)
                if j < sts_placebos and s in ("ad_days", "active_persons") and ws.control is not None:
                    idx = np.flatnonzero(ws.in_campaign)
                    try:
                        r = sts_effect(ws.counts, ws.control, int(idx[0]), int(idx[-1]) + 1, level=0.95)
                    except InputError:
                        continue
                    sd = (r.high - r.low) / (2 * Z95)
                    sts_z[s].append(abs(r.average) / sd if sd > 0 else float("inf"))
        print(f"seed {seed} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    n = total[SERIES[0]]
    print(f"training seeds {seeds[0]}-{seeds[-1]}: {n} placebo campaigns per measure, nominal 5%")
    for s in SERIES:
        rows = sorted(
            ((abs(flagged[i][s] / total[s] - 0.05), float(np.median(widths[i][s])), i) for i in range(len(GRID))),
        )
        print(f" {s}:")
        default = GRID.index(GlmSettings(hac_lags=4))
        for _dev, w, i in [*rows[:5], next(r for r in rows if r[2] == default)]:
            print(f"   {GRID[i].describe():95s} FPR {100 * flagged[i][s] / total[s]:5.1f}%  "
                  f"median half-width {w:.3f}")  # fmt: skip
        print(f"   chosen: {GRID[rows[0][2]]!r}")
    for s, zs in sts_z.items():
        arr = np.array(zs)
        line = ", ".join(f"x{k:g}: {100 * np.mean(arr > Z95 * k):.1f}%" for k in STS_FACTORS)
        print(f"  STS {s}: {arr.size} placebos, false positives {line}")


def _power_mde(data: CampaignData) -> float:
    """What ``campaigns power --counties 05 --weeks 5`` says on this world's ad-days before the campaign."""
    from lagesbild.campaigns.power import power_for_daily

    area = {d: n for d, n in data.ad_days.get("05", {}).items() if d < CAMPAIGN_START}
    ctrl: dict[date, float] = defaultdict(float)
    for c, per in data.ad_days.items():
        if c != "05":
            for d, n in per.items():
                if d < CAMPAIGN_START:
                    ctrl[d] += n
    return power_for_daily(area, CAMPAIGN_WEEKS, dict(ctrl)).decrease_pct


def heldout(seeds: tuple[int, ...], *, level: float = 0.90) -> None:
    """The published figures on ``seeds`` (never used to choose anything)."""
    camp = Campaign("bench", ("05",), CAMPAIGN_START, CAMPAIGN_START + timedelta(days=7 * CAMPAIGN_WEEKS - 1))
    fp: dict[str, list[bool]] = defaultdict(list)
    cover: dict[str, list[bool]] = defaultdict(list)
    detect: dict[str, list[bool]] = defaultdict(list)
    truth: dict[str, list[float]] = defaultdict(list)
    est: dict[str, list[float]] = defaultdict(list)
    mdes: list[float] = []
    for seed in seeds:
        with_c, without = world_data(seed, campaign=True), world_data(seed, campaign=False)
        for c in placebos(seed, 2):
            for r in evaluate_all_series(without, c, level=0.95):
                fp[r.series].append(r.effect is None or not (r.effect.low <= 1 <= r.effect.high))
        res = evaluate_all_series(with_c, camp, level=level)
        res95 = {r.series: r for r in evaluate_all_series(with_c, camp, level=0.95)}
        for r in res:
            a = series_weeks(with_c, r.series, camp, control=False)
            b = series_weeks(without, r.series, camp, control=False)
            true_rr = float(a.counts[a.in_campaign].sum() / max(b.counts[b.in_campaign].sum(), 1e-9))
            truth[r.series].append(true_rr)
            e = r.effect
            if e is None:
                cover[r.series].append(False)
                continue
            est[r.series].append(e.rate_ratio)
            cover[r.series].append(e.low <= true_rr <= e.high)
            e95 = res95[r.series].effect
            detect[r.series].append(e95 is not None and e95.high < 1)
        mdes.append(_power_mde(with_c))
        print(f"seed {seed} done", file=sys.stderr)
    n = len(seeds)
    print(f"held-out seeds {seeds[0]}-{seeds[-1]} ({n} seeds), setting: {CALIBRATED.describe()}")
    for s in SERIES:
        print(
            f"  {s:15s} placebo FPR (95%) {sum(fp[s])}/{len(fp[s])} = {100 * np.mean(fp[s]):.1f}%; "
            f"{100 * level:.0f}% coverage of the true effect {sum(cover[s])}/{n} = {100 * np.mean(cover[s]):.1f}%; "
            f"true RR median {np.median(truth[s]):.3f}, "
            f"estimate median {np.median(est[s]) if est[s] else float('nan'):.3f}; "
            f"detected (95% excludes 1, below) {sum(detect[s])}/{n} = {100 * np.mean(detect[s]):.1f}%"
        )
    print(f"  power said (ad-days, 80% power, alpha 5%): median minimum detectable decrease {np.median(mdes):.1f}% "
          f"(IQR {np.percentile(mdes, 25):.1f}-{np.percentile(mdes, 75):.1f}%)")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=("calibrate", "heldout", "timing"))
    p.add_argument("--seeds", type=int, default=0, help="use only the first N seeds of the split")
    a = p.parse_args()
    if a.what == "calibrate":
        calibrate(TRAINING_SEEDS[: a.seeds or None])
    elif a.what == "heldout":
        heldout(HELD_OUT_SEEDS[: a.seeds or None])


if __name__ == "__main__":
    main()
