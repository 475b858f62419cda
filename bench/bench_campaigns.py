"""Campaign evaluation on simulated worlds: placebo calibration (training seeds) and the held-out benchmark.

**Seeds are split.** Round 1: ``calibrate`` used :data:`TRAINING_SEEDS` (1-40) to choose each
measure's GLM fit (:data:`lagesbild.campaigns.measures.CALIBRATED_BY_SERIES`), and ``heldout`` ran on
5001-5050. Round 2: those seeds were then seen, so ``coverage`` uses 1-40 and
:data:`TRAINING_PAIR_SEEDS` (5001-5050) to choose each measure's quantile and standard-error multiplier
(placebo false positives at most 6%, then 90% coverage of the true effect closest to 90%) and the STS
inflation (:data:`lagesbild.campaigns.sts.STS_INFLATION`); ``heldout`` uses :data:`HELD_OUT_SEEDS`
(6001-6050), never used to choose anything, and prints the published figures. Round 3: 6001-6050 were
seen too, so :data:`TRAINING_PAIR_SEEDS` is 5001-5050 and 6001-6050 (same ``coverage`` rule) and
:data:`HELD_OUT_SEEDS` is 7001-7050.

**The world** is the simulator's campaign benchmark world
(:func:`lagesbild.simulate.campaign.small_world`): Östergötland (05) with Södermanland, Jönköping
and Kronoberg (04, 06, 07) as control counties, two years from 2023-01-01, 12 active sellers per
100,000 inhabitants, and (held out) a -15% campaign of five weeks from 2024-04-15 in 05.

**The weekly series come from the simulator's output directly**
(:func:`lagesbild.simulate.campaign.weekly_series` / ``campaign_pair``, common random numbers:
the same seed with and without the campaign), because simulating, importing and linking 100
worlds does not fit on two shared cores. ``ad_days``, ``new_ads`` and ``active_persons`` are the
simulator's; the tool's *estimated purchases* are person-days times a constant factor, so they are
the simulator's genuine seller-days times :func:`~lagesbild.campaigns.measures.purchases_per_person_day`.
The evaluation is the library function the CLI, report and dashboard use
(:func:`lagesbild.campaigns.evaluate.evaluate_weekly` with each measure's calibrated setting), on
the campaign county against the sum of the other counties.

* ``calibrate``: per training seed, the world without campaign and :data:`PLACEBOS_PER_SEED`
  placebo campaigns (5 weeks, a random county, a random start week); every setting of the grid on
  every placebo and measure. Per measure, the setting whose false-positive rate at a nominal 5% is
  closest to 5%, then the narrowest median interval, is printed.
* ``coverage`` (round 2): see :func:`calibrate_coverage`.
* ``heldout``: per held-out seed, the pair with and without the campaign; placebo false-positive
  rate (two placebos per seed in the world without it), 90% interval coverage of the true effect
  (with vs without, same seed, per measure), detection rate, what ``campaigns power`` says, and
  the time to evaluate a campaign in each of the 21 counties of a national world.

    python bench/bench_campaigns.py calibrate
    python bench/bench_campaigns.py coverage
    python bench/bench_campaigns.py heldout
    python bench/bench_campaigns.py store-time --db postgresql+psycopg://postgres@127.0.0.1:5432/bench_web

* ``store-time``: see :func:`store_time` (a 21-county campaign evaluated from a store, reading included).
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
from lagesbild.campaigns.evaluate import GlmSettings, WeeklySeries, evaluate_weekly  # noqa: E402
from lagesbild.campaigns.measures import CALIBRATED_BY_SERIES, SERIES, purchases_per_person_day  # noqa: E402
from lagesbild.campaigns.sts import STS_INFLATION, sts_effect  # noqa: E402
from lagesbild.errors import InputError  # noqa: E402
from lagesbild.records.campaigns import Campaign  # noqa: E402

TRAINING_SEEDS = tuple(range(1, 41))
"""Round 1's training seeds (worlds without campaign: placebos only)."""
TRAINING_PAIR_SEEDS = (*range(5001, 5051), *range(6001, 6051))
"""Rounds 2-3's further training seeds: round 1's (5001-5050) and round 2's (6001-6050) held-out seeds,
seen once their figures were published; pairs with and without the campaign, so they give placebos
and the coverage of the true effect (round 2 trained on 5001-5050 only)."""
HELD_OUT_SEEDS = tuple(range(7001, 7051))
"""Round 3's held-out seeds, never used to choose anything (round 2's were 6001-6050)."""
COUNTIES = ("05", "04", "06", "07")
CAMPAIGN_START = date(2024, 4, 15)
CAMPAIGN_WEEKS = 5
EFFECT = -0.15
PLACEBOS_PER_SEED = 6
CACHE = Path("/tmp/lagesbild_bench_campaigns_v2")
SIM_SERIES = {
    "ad_days": "ad_days",
    "new_ads": "new_ads",
    "active_persons": "active_persons",
    "purchases": "seller_days",
}
"""The simulator's weekly series behind each measure (estimated purchases = seller-days x a constant)."""


def _cached(key: str, make: Any) -> Any:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{key}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    value = make()
    with path.open("wb") as fh:
        pickle.dump(value, fh)
    return value


def world_without(seed: int) -> Any:
    """The weekly series of the benchmark world without any campaign (weeks aligned on the campaign start)."""
    from lagesbild.simulate.campaign import counterfactual, small_world, weekly_series

    cfg = counterfactual(small_world(COUNTIES))
    return _cached(f"without-{seed}", lambda: weekly_series(cfg, seed, anchor=CAMPAIGN_START, purchases=False))


def pair(seed: int) -> Any:
    """The same seed with and without the -15% campaign in 05 (common random numbers)."""
    from lagesbild.simulate.campaign import campaign_pair, small_world

    cfg = small_world(COUNTIES, effect=EFFECT, weeks=CAMPAIGN_WEEKS, campaign_start=CAMPAIGN_START)
    return _cached(f"pair-{seed}", lambda: campaign_pair(cfg, seed))


def weekly(sim: Any, measure: str, county: str, campaign: Campaign) -> WeeklySeries:
    """One measure in ``county`` against the sum of the other counties, as the evaluation takes it."""
    name = SIM_SERIES[measure]
    f = purchases_per_person_day() if measure == "purchases" else 1.0
    area = f * sim[county][name].astype(np.float64)
    control = f * sum(sim[c][name].astype(np.float64) for c in sim.counts if c != county)
    inside = np.array([campaign.start <= w <= campaign.end for w in sim.weeks], dtype=bool)
    return WeeklySeries(tuple(sim.weeks), area, control, inside)


def placebos(seed: int, n: int, weeks: list[date]) -> list[Campaign]:
    """``n`` placebo campaigns of five weeks at random counties and week starts (seeded by ``seed``)."""
    rng = np.random.default_rng([seed, 16])
    out = []
    for i in range(n):
        county = str(rng.choice(COUNTIES))
        start = weeks[int(rng.integers(8, len(weeks) - CAMPAIGN_WEEKS - 8))]
        out.append(Campaign(f"placebo {i}", (county,), start, start + timedelta(days=7 * CAMPAIGN_WEEKS - 1)))
    return out


FITS = [
    GlmSettings(family="quasipoisson", hac_lags=lags, window_weeks=win)
    for lags, win in itertools.product((0, 4, 8), (None, 52, 26, 13))
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
        sim = world_without(seed)
        for j, c in enumerate(placebos(seed, PLACEBOS_PER_SEED, sim.weeks)):
            for s in SERIES:
                ws = weekly(sim, s, c.counties[0], c)
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
            (abs(flagged[i][s] / total[s] - 0.05), float(np.median(widths[i][s])), i) for i in range(len(GRID))
        )
        print(f" {s}:")
        old = GRID.index(GlmSettings(hac_lags=4))
        for _dev, w, i in [*rows[:5], next(r for r in rows if r[2] == old)]:
            k = flagged[i][s]
            print(f"   {GRID[i].describe():80s} FPR {k}/{total[s]} = {100 * k / total[s]:4.1f}%  "
                  f"median half-width {w:.3f}")  # fmt: skip
        print(f"   chosen: {GRID[rows[0][2]]!r}")
    for s, zs in sts_z.items():
        arr = np.array(zs)
        line = ", ".join(f"x{k:g}: {int(np.sum(arr > Z95 * k))}/{arr.size}" for k in STS_FACTORS)
        print(f"  STS {s}: false positives {line}")


COVERAGE_MULTIPLIERS = tuple(round(1.0 + 0.05 * i, 2) for i in range(41))
"""Round 2's multiplier step (1 to 3 by 0.05), on each measure's round-1 fit (lags, window)."""
MAX_FPR = 0.06
STS_FACTORS_2 = tuple(round(1.0 + 0.05 * i, 2) for i in range(61))


def calibrate_coverage(placebo_seeds: tuple[int, ...], pair_seeds: tuple[int, ...], *, sts: bool = True) -> None:
    """Round 2: placebo false positives and 90% coverage of the true effect, per measure; print the choice.

    The rule: per measure, among the settings whose placebo false-positive rate at a nominal 5% is at
    most :data:`MAX_FPR` (6%), the one whose 90% interval covers the true effect (with vs without the
    campaign, same seed) closest to 90% of the time; ties go to the narrowest median placebo interval.
    The grid (narrowed for time, on two shared cores) is each measure's round-1 fit (Newey-West lags,
    window) with the normal or t quantile and a standard-error multiplier from 1 to 3 by 0.05.
    Placebos: :data:`PLACEBOS_PER_SEED` per world without campaign of ``placebo_seeds``, two per
    ``pair_seeds`` world without campaign (as ``heldout``). Coverage: the -15% campaign in 05 of each
    ``pair_seeds`` pair. STS (ad-days): the smallest inflation with a placebo false-positive rate at most
    6% (one placebo per seed of both lists).
    """
    camp = Campaign("bench", ("05",), CAMPAIGN_START, CAMPAIGN_START + timedelta(days=7 * CAMPAIGN_WEEKS - 1))
    derived = [(t, k) for t in (False, True) for k in COVERAGE_MULTIPLIERS]
    z: dict[str, list[tuple[float, float, int]]] = defaultdict(list)  # placebo (|b|, half95/z95, df)
    cov: dict[str, list[tuple[float, float, float, int]]] = defaultdict(list)  # (b, true log rr, half95/z95, df)
    sts_z: list[float] = []
    sts_cov: list[tuple[float, float, float]] = []  # (relative, sd, true relative)
    t0 = time.time()
    worlds: list[tuple[int, Any, int, Any]] = [(sd, world_without(sd), PLACEBOS_PER_SEED, None) for sd in placebo_seeds]
    for seed, sim, n_pl, p in [*worlds, *((sd, None, 2, None) for sd in pair_seeds)]:
        if sim is None:
            p = pair(seed)
            sim = p.without_campaign
        for j, c in enumerate(placebos(seed, n_pl, sim.weeks)):
            for s in SERIES:
                ws = weekly(sim, s, c.counties[0], c)
                base = replace(CALIBRATED_BY_SERIES[s], t_quantile=False, se_multiplier=1.0)
                try:
                    e = evaluate_weekly(ws, c, settings=base, level=0.95)
                except InputError:
                    z[s].append((float("inf"), 1.0, 1))
                    continue
                z[s].append((abs(np.log(e.rate_ratio)), (np.log(e.high) - np.log(e.low)) / 2 / Z95, e.n - 2))
                if sts and j == 0 and s == "ad_days":
                    idx = np.flatnonzero(ws.in_campaign)
                    assert ws.control is not None
                    r = sts_effect(ws.counts, ws.control, int(idx[0]), int(idx[-1]) + 1, level=0.95)
                    sd_ = (r.high - r.low) / (2 * Z95)
                    sts_z.append(abs(r.average) / sd_ if sd_ > 0 else float("inf"))
        if p is not None:
            for s in SERIES:
                ws = weekly(p.with_campaign, s, "05", camp)
                base = replace(CALIBRATED_BY_SERIES[s], t_quantile=False, se_multiplier=1.0)
                e = evaluate_weekly(ws, camp, settings=base, level=0.95)
                true_rr = 1 + p.effect(SIM_SERIES[s], ["05"])
                cov[s].append((np.log(e.rate_ratio), np.log(true_rr), (np.log(e.high) - np.log(e.low)) / 2 / Z95,
                               e.n - 2))  # fmt: skip
                if sts and s == "ad_days":
                    idx = np.flatnonzero(ws.in_campaign)
                    assert ws.control is not None
                    r = sts_effect(ws.counts, ws.control, int(idx[0]), int(idx[-1]) + 1, level=0.95)
                    sts_cov.append((r.relative, (r.relative_high - r.relative_low) / (2 * Z95), true_rr - 1))
        print(f"seed {seed} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    z90 = t_or_z_quantile(0.90, None)
    print(f"training: placebos on seeds {placebo_seeds[0]}-{placebo_seeds[-1]} and {len(pair_seeds)} pair seeds "
          f"{pair_seeds[0]}-{pair_seeds[-1]}, coverage on the pair seeds; FPR at most {MAX_FPR:.0%}")  # fmt: skip
    for s in SERIES:
        rows = []
        for t, k in derived:
            q95 = [t_or_z_quantile(0.95, df) if t else Z95 for _, _, df in z[s]]
            fpr = float(np.mean([b > k * h * q for (b, h, _), q in zip(z[s], q95, strict=True)]))
            q90 = [t_or_z_quantile(0.90, df) if t else z90 for *_, df in cov[s]]
            c90 = float(np.mean([abs(b - tr) <= k * h * q for (b, tr, h, _), q in zip(cov[s], q90, strict=True)]))
            width = float(np.median([k * h * q for (_, h, _), q in zip(z[s], q95, strict=True)]))
            rows.append((fpr, c90, width, t, k))
        ok = [r for r in rows if r[0] <= MAX_FPR + 1e-12]
        best = min(ok, key=lambda r: (abs(r[1] - 0.90), r[2]))
        r1 = next(r for r in rows if r[3] == CALIBRATED_BY_SERIES[s].t_quantile
                  and abs(r[4] - CALIBRATED_BY_SERIES[s].se_multiplier) < 1e-9)  # fmt: skip
        for label, row in (("current", r1), ("chosen", best)):
            st = replace(CALIBRATED_BY_SERIES[s], t_quantile=row[3], se_multiplier=row[4])
            print(f"  {s:15s} {label:8s} {st.describe():75s} placebo FPR {100 * row[0]:4.1f}% (n={len(z[s])}); "
                  f"90% coverage {100 * row[1]:4.1f}% (n={len(cov[s])}); median half-width {row[2]:.3f}")  # fmt: skip
        near = sorted(ok, key=lambda r: (abs(r[1] - 0.90), r[2]))[:5]
        print("      next: " + "; ".join(f"{'t' if r[3] else 'z'} x{r[4]:g} FPR {100 * r[0]:.1f}% cov {100 * r[1]:.1f}%"
                                         for r in near[1:]))  # fmt: skip
    if sts:
        arr = np.array(sts_z)
        okf = [k for k in STS_FACTORS_2 if np.mean(arr > Z95 * k) <= MAX_FPR + 1e-12]
        fac = okf[0] if okf else float("nan")
        c_sts = np.mean([abs(rel - tr) <= fac * sd_ * z90 for rel, sd_, tr in sts_cov]) if okf else float("nan")
        line = ", ".join(f"x{k:g}: {int(np.sum(arr > Z95 * k))}" for k in (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0))
        print(f"  STS ad-days: {arr.size} placebos, false positives {line}; chosen x{fac:g} "
              f"(FPR {100 * np.mean(arr > Z95 * fac):.1f}%), 90% coverage of the true effect {100 * c_sts:.1f}% "
              f"(n={len(sts_cov)})")  # fmt: skip


def _power_mde(sim: Any) -> tuple[float, float]:
    """What ``campaigns power --counties 05 --weeks 5`` says on ad-days before the campaign (same model):
    the minimum detectable decrease (%) and the standard error of the log rate ratio."""
    from lagesbild.campaigns.power import power_from_interval

    pre = [i for i, w in enumerate(sim.weeks) if w < CAMPAIGN_START]
    last = pre[-CAMPAIGN_WEEKS:]
    end = sim.weeks[last[-1]] + timedelta(days=6)
    placebo = Campaign("power placebo", ("05",), sim.weeks[last[0]], end)
    ws = weekly(sim, "ad_days", "05", placebo)
    cut = last[-1] + 1
    ws = WeeklySeries(ws.starts[:cut], ws.counts[:cut], None if ws.control is None else ws.control[:cut],
                      ws.in_campaign[:cut])  # fmt: skip
    e = evaluate_weekly(ws, placebo, settings=CALIBRATED_BY_SERIES["ad_days"], level=0.95)
    m = power_from_interval(e.low, e.high, level=0.95)
    return m.decrease_pct, m.se


def heldout(seeds: tuple[int, ...], *, level: float = 0.90) -> None:
    """The published figures on ``seeds`` (never used to choose anything)."""
    camp = Campaign("bench", ("05",), CAMPAIGN_START, CAMPAIGN_START + timedelta(days=7 * CAMPAIGN_WEEKS - 1))
    fp: dict[str, list[bool]] = defaultdict(list)
    cover: dict[str, list[bool]] = defaultdict(list)
    cover_true_purchases: list[bool] = []
    detect: dict[str, list[bool]] = defaultdict(list)
    truth: dict[str, list[float]] = defaultdict(list)
    est: dict[str, list[float]] = defaultdict(list)
    true_purchases: list[float] = []
    mdes: list[float] = []
    predicted: dict[str, list[float]] = defaultdict(list)  # power's detection probability of the true effect
    sts_cover: list[bool] = []
    sts_fp: list[bool] = []
    t0 = time.time()
    for seed in seeds:
        p = pair(seed)
        for c in placebos(seed, 2, p.without_campaign.weeks):
            for s in SERIES:
                e = evaluate_weekly(weekly(p.without_campaign, s, c.counties[0], c), c,
                                    settings=CALIBRATED_BY_SERIES[s], level=0.95)  # fmt: skip
                fp[s].append(not (e.low <= 1 <= e.high))
        for s in SERIES:
            ws = weekly(p.with_campaign, s, "05", camp)
            e = evaluate_weekly(ws, camp, settings=CALIBRATED_BY_SERIES[s], level=level)
            e95 = evaluate_weekly(ws, camp, settings=CALIBRATED_BY_SERIES[s], level=0.95)
            true_rr = 1 + p.effect(SIM_SERIES[s], ["05"])
            truth[s].append(true_rr)
            est[s].append(e.rate_ratio)
            cover[s].append(e.low <= true_rr <= e.high)
            detect[s].append(e95.high < 1)
            if s == "purchases":
                tp = 1 + p.effect("purchases", ["05"])
                true_purchases.append(tp)
                cover_true_purchases.append(e.low <= tp <= e.high)
            if s == "ad_days":
                idx = np.flatnonzero(ws.in_campaign)
                assert ws.control is not None
                r = sts_effect(ws.counts, ws.control, int(idx[0]), int(idx[-1]) + 1, level=level,
                               inflation=STS_INFLATION)  # fmt: skip
                sts_cover.append(r.relative_low <= true_rr - 1 <= r.relative_high)
                c0 = placebos(seed, 1, p.without_campaign.weeks)[0]
                wp = weekly(p.without_campaign, s, c0.counties[0], c0)
                ip = np.flatnonzero(wp.in_campaign)
                assert wp.control is not None
                rp = sts_effect(wp.counts, wp.control, int(ip[0]), int(ip[-1]) + 1, level=0.95,
                                inflation=STS_INFLATION)  # fmt: skip
                sts_fp.append(not (rp.low <= 0 <= rp.high))
        mde, se = _power_mde(p.with_campaign)
        mdes.append(mde)
        from scipy.stats import norm

        for label, rr in (("true ad-days effect", truth["ad_days"][-1]), ("a -15% effect on ad-days", 0.85)):
            predicted[label].append(float(norm.cdf(-np.log(rr) / se - Z95)))
        print(f"seed {seed} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    n = len(seeds)
    print(f"held-out seeds {seeds[0]}-{seeds[-1]} ({n} seeds); world: 05 + controls 04, 06, 07, 12 per 100,000; "
          f"campaign {EFFECT:+.0%} for {CAMPAIGN_WEEKS} weeks in 05")  # fmt: skip
    for s in SERIES:
        print(
            f"  {s:15s} [{CALIBRATED_BY_SERIES[s].describe()}]\n"
            f"      placebo FPR (95%) {sum(fp[s])}/{len(fp[s])} = {100 * np.mean(fp[s]):.1f}%; "
            f"{100 * level:.0f}% coverage of the true effect {sum(cover[s])}/{n} = {100 * np.mean(cover[s]):.1f}%; "
            f"true RR median {np.median(truth[s]):.3f}, estimate median {np.median(est[s]):.3f}; "
            f"detected (95% interval below 1) {sum(detect[s])}/{n} = {100 * np.mean(detect[s]):.1f}%"
        )
    ctp = cover_true_purchases
    print(f"  estimated purchases against TRUE purchases (demand side): true RR median "
          f"{np.median(true_purchases):.3f}; {100 * level:.0f}% coverage {sum(ctp)}/{n} "
          f"= {100 * np.mean(ctp):.1f}%")  # fmt: skip
    print(f"  STS (ad-days, x{STS_INFLATION:g}): placebo FPR {sum(sts_fp)}/{n}; "
          f"{100 * level:.0f}% coverage of the true effect {sum(sts_cover)}/{n}")  # fmt: skip
    print(f"  power said (ad-days, 80% power, alpha 5%, last {CAMPAIGN_WEEKS} weeks before the campaign): median "
          f"minimum detectable decrease {np.median(mdes):.1f}% (IQR {np.percentile(mdes, 25):.1f}-"
          f"{np.percentile(mdes, 75):.1f}%)")  # fmt: skip
    for label, ps in predicted.items():
        print(f"  power's detection probability of {label}: mean {100 * np.mean(ps):.1f}%")


def timing() -> None:
    """Evaluate one campaign (every measure) in each of the 21 counties of a national world, timed."""
    from lagesbild.refdata import counties
    from lagesbild.simulate.campaign import counterfactual, small_world, weekly_series

    codes = tuple(sorted(counties()))
    cfg = counterfactual(small_world(codes))
    t = time.time()
    sim = _cached("national-5001", lambda: weekly_series(cfg, 5001, anchor=CAMPAIGN_START, purchases=False))
    t_sim = time.time() - t
    camp_end = CAMPAIGN_START + timedelta(days=7 * CAMPAIGN_WEEKS - 1)
    t = time.time()
    for c in codes:
        camp = Campaign("bench", (c,), CAMPAIGN_START, camp_end)
        for s in SERIES:
            evaluate_weekly(weekly(sim, s, c, camp), camp, settings=CALIBRATED_BY_SERIES[s], level=0.95)
    t_eval = time.time() - t
    print(f"national world (21 counties, seed 5001): simulated in {t_sim:.1f} s (cached if 0); "
          f"one campaign evaluated on 4 measures in each of the 21 counties: {t_eval:.2f} s")  # fmt: skip


STORE_TIME_CAMPAIGN = "bench store-time (removed after)"


def store_time(db: str, *, start: date = CAMPAIGN_START, weeks: int = CAMPAIGN_WEEKS) -> None:
    """Time one campaign over all 21 counties evaluated from a store, reading the store included.

    Registers :data:`STORE_TIME_CAMPAIGN` (all 21 counties, ``start``, ``weeks``
    weeks) in the store at ``db``, times (1) a fresh Python process that opens the store, reads it
    (:func:`~lagesbild.campaigns.measures.load_campaign_data`) and evaluates every measure
    (:func:`~lagesbild.campaigns.runner.evaluate_stored_all`), wall and CPU, process start included,
    and (2) the same library calls in this process, split into reading and evaluating; then removes
    the campaign again (also on failure). The store is otherwise left unchanged. The CLI
    (``lagesbild --db URL campaigns evaluate NAME``) runs the same two calls, after checking the
    installation's key.
    """
    import resource
    import subprocess

    from lagesbild.campaigns.measures import load_campaign_data
    from lagesbild.campaigns.runner import evaluate_stored_all
    from lagesbild.store import Store
    from lagesbild.store.campaigns import CampaignStore

    store = Store.open(db, migrate=False)
    cs = CampaignStore(store)
    from lagesbild.refdata import counties

    counties_ = tuple(sorted(counties()))
    camp = Campaign(STORE_TIME_CAMPAIGN, counties_, start, start + timedelta(days=7 * weeks - 1), "timing")
    if any(c.name == STORE_TIME_CAMPAIGN for c in cs.list()):
        raise SystemExit(f"{STORE_TIME_CAMPAIGN!r} is already registered in {db}; remove it first")
    cs.add(camp)
    try:
        code = (
            "import sys, time\n"
            "from lagesbild.store import Store\n"
            "from lagesbild.campaigns.runner import evaluate_stored_all\n"
            "rows = evaluate_stored_all(Store.open(sys.argv[1], migrate=False), sys.argv[2])\n"
            "print(' | '.join(f'{r.series}: ' + ('-' if r.effect is None else f'{r.effect.rate_ratio:.3f}') "
            "for r in rows))\n"
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code, db, STORE_TIME_CAMPAIGN], check=True,
                             capture_output=True, text=True)  # fmt: skip
        wall_proc = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_proc = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        c0, t = time.process_time(), time.perf_counter()
        data = load_campaign_data(store)
        wall_read, cpu_read = time.perf_counter() - t, time.process_time() - c0
        c0, t = time.process_time(), time.perf_counter()
        rows = evaluate_stored_all(store, STORE_TIME_CAMPAIGN, data=data)
        wall_eval, cpu_eval = time.perf_counter() - t, time.process_time() - c0
    finally:
        removed = cs.remove(STORE_TIME_CAMPAIGN)
    print(f"store {db.split('@')[-1]}: campaign over "
          f"{len(counties_)} counties, {camp.start} - {camp.end}; removed again: {removed}")  # fmt: skip
    print(f"  fresh process (start, import, open, read, evaluate 4 measures): wall {wall_proc:.1f} s, "
          f"CPU {cpu_proc:.1f} s; result {out.stdout.strip()}")  # fmt: skip
    print(f"  library, this process: load_campaign_data wall {wall_read:.1f} s (CPU {cpu_read:.1f} s); "
          f"evaluate_stored_all wall {wall_eval:.2f} s (CPU {cpu_eval:.2f} s); {len(rows)} measures")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("what", choices=("calibrate", "coverage", "heldout", "timing", "store-time"))
    p.add_argument("--seeds", type=int, default=0, help="use only the first N seeds of the split")
    p.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_web",
                   help="store-time: the store (a linked national world)")  # fmt: skip
    a = p.parse_args()
    if a.what == "calibrate":
        calibrate(TRAINING_SEEDS[: a.seeds or None])
    elif a.what == "coverage":
        calibrate_coverage(TRAINING_SEEDS[: a.seeds or None], TRAINING_PAIR_SEEDS[: a.seeds or None])
    elif a.what == "heldout":
        heldout(HELD_OUT_SEEDS[: a.seeds or None])
    elif a.what == "store-time":
        store_time(a.db)
    else:
        timing()


if __name__ == "__main__":
    main()
