"""Campaign evaluation on simulated worlds: placebo calibration (training seeds) and the held-out benchmark.

**Seeds are split.** Round 1: ``calibrate`` used :data:`TRAINING_SEEDS` (1-40) to choose each
measure's GLM fit (:data:`lagesbild.campaigns.measures.CALIBRATED_BY_SERIES`), and ``heldout`` ran on
5001-5050. Round 2: those seeds were then seen, so ``coverage`` uses 1-40 and
:data:`TRAINING_PAIR_SEEDS` (5001-5050) to choose each measure's quantile and standard-error multiplier
(placebo false positives at most 6%, then 90% coverage of the true effect closest to 90%) and the STS
inflation (:data:`lagesbild.campaigns.sts.STS_INFLATION`); ``heldout`` uses :data:`HELD_OUT_SEEDS`
(6001-6050), never used to choose anything, and prints the published figures. Round 3: 6001-6050 were
seen too, so :data:`TRAINING_PAIR_SEEDS` is 5001-5050 and 6001-6050 (same ``coverage`` rule) and
:data:`HELD_OUT_SEEDS` is 7001-7050. Round 4 (``round4``): every seed seen so far is a training seed
(:data:`ROUND4_TRAINING_SEEDS`: 1-40, 5001-5050, 6001-6050, 7001-7050; 190, all simulated as pairs, so 190
coverage pairs and 8 placebos per seed), the fit (Newey-West lags, window) is chosen again along with the
quantile and the multiplier, with and without the control region, by a rule aimed at the middle of both
targets (:func:`calibrate_round4`); its held-out seeds were 8001-8100 (:data:`ROUND4_HELD_OUT_SEEDS`).
Round 5 (``round5``): training is every seen seed (:data:`ROUND5_TRAINING_SEEDS`, 290: round 4's and
8001-8100, whose fits are collected the same way), in five seed blocks (:data:`ROUND5_BLOCKS`); a setting must
meet the targets pooled and in every block, false positives count only above 5%, and the rule was chosen
among five by leave-one-block-out (:func:`round5_rules`, :func:`calibrate_round5`); STS gets a third
history tier. :data:`HELD_OUT_SEEDS` is 10001-10100 (100 seeds, never used before).

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
* ``coverage`` (rounds 2-3): see :func:`calibrate_coverage`.
* ``round4``: see :func:`collect_round4` (raw fits, cached) and :func:`calibrate_round4` (the rule).
* ``round5``: :func:`collect_round4`'s raw fits of all 290 seeds, :func:`calibrate_round5` (the rule, with
  :func:`round5_rules`' comparison); checks that the library holds the chosen settings.
* ``heldout``: per held-out seed, the pair with and without the campaign; placebo false-positive
  rate (:data:`HELD_OUT_PLACEBOS_PER_SEED` placebos per seed in the world without it), 90% interval
  coverage of the true effect (with vs without, same seed, per measure), detection rate, with the
  control region and without it (``--no-control``), the STS counterfactual, and what ``campaigns power``
  says. (``timing``: a campaign in each of the 21 counties of a national world.)

    python bench/bench_campaigns.py calibrate
    python bench/bench_campaigns.py coverage
    python bench/bench_campaigns.py round4
    python bench/bench_campaigns.py round5 --cache /tmp/camp_cache
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
from lagesbild.campaigns.measures import (  # noqa: E402
    CALIBRATED_BY_SERIES,
    CALIBRATED_NO_CONTROL_BY_SERIES,
    SERIES,
    purchases_per_person_day,
)
from lagesbild.campaigns.sts import (  # noqa: E402
    STS_INFLATION,
    STS_LONG_PRE,
    STS_SHORT_PRE,
    sts_effect,
    sts_inflation,
)
from lagesbild.errors import InputError  # noqa: E402
from lagesbild.records.campaigns import Campaign  # noqa: E402

TRAINING_SEEDS = tuple(range(1, 41))
"""Round 1's training seeds (worlds without campaign: placebos only)."""
TRAINING_PAIR_SEEDS = (*range(5001, 5051), *range(6001, 6051), *range(7001, 7051))
"""Rounds 2-4's further training seeds: the held-out seeds of rounds 1-3 (5001-5050, 6001-6050, 7001-7050),
seen once their figures were published; pairs with and without the campaign, so they give placebos
and the coverage of the true effect (round 2 trained on 5001-5050 only, round 3 on 5001-5050 and 6001-6050)."""
ROUND4_TRAINING_SEEDS = (*TRAINING_SEEDS, *TRAINING_PAIR_SEEDS)
"""Round 4 trains on every seed seen so far (190), all simulated as pairs (1-40 too)."""
ROUND4_HELD_OUT_SEEDS = tuple(range(8001, 8101))
"""Round 4's held-out seeds (run once for round 4's figures; training seeds from round 5 on)."""
ROUND5_TRAINING_SEEDS = (*ROUND4_TRAINING_SEEDS, *ROUND4_HELD_OUT_SEEDS)
"""Round 5 trains on every seed seen so far (290), all simulated as pairs."""
ROUND5_BLOCKS = ((1, 40), (5001, 5050), (6001, 6050), (7001, 7050), (8001, 8100))
"""The five seed blocks of round 5's training seeds (each was one earlier round's training or held-out set)."""
HELD_OUT_SEEDS = tuple(range(10001, 10101))
"""Round 5's held-out seeds, never used by anyone before its one run (round 4's were 8001-8100, round 3's
7001-7050, round 2's 6001-6050, round 1's 5001-5050)."""
HELD_OUT_PLACEBOS_PER_SEED = 4
"""Placebos per held-out seed (rounds 1-3: 2, the first two of these)."""
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


ROUND4_FITS = tuple(
    GlmSettings(family="quasipoisson", hac_lags=lags, window_weeks=win)
    for lags, win in itertools.product((0, 4, 8), (None, 52, 26))
)
"""Round 4's fits (Newey-West lags x window), with and without the control region; the quantile and the
standard-error multiplier are derived from each fit's raw interval."""
ROUND4_PLACEBOS_PER_SEED = 8
ROUND4_STS_PLACEBOS_PER_SEED = 2


def _raw(e: Any) -> tuple[float, float, int]:
    """(log rate ratio, 95% half-width / z95 = the standard error on the log scale, residual df)."""
    return float(np.log(e.rate_ratio)), float((np.log(e.high) - np.log(e.low)) / 2 / Z95), int(e.n - 2)


def collect_round4(seeds: tuple[int, ...], out: Path) -> dict[str, Any]:
    """Round 4's raw training data: every fit of :data:`ROUND4_FITS` on placebos and on the true campaign.

    Per seed (all simulated as pairs with and without the -15% campaign in 05, common random numbers):
    :data:`ROUND4_PLACEBOS_PER_SEED` placebos in the world without the campaign (the first two are
    ``heldout``'s), each measure with and without the control region; the campaign in 05 against its true
    effect, each measure and fit; STS on ad-days (:data:`ROUND4_STS_PLACEBOS_PER_SEED` placebos and the
    campaign). Stored as raw log rate ratios and standard errors, so every quantile and multiplier can be
    scored without refitting (:func:`calibrate_round4`).
    """
    camp = Campaign("bench", ("05",), CAMPAIGN_START, CAMPAIGN_START + timedelta(days=7 * CAMPAIGN_WEEKS - 1))
    data: dict[str, Any] = {"placebo": defaultdict(list), "pair": defaultdict(list), "sts_placebo": [],
                            "sts_pair": [], "seeds": seeds}  # fmt: skip
    t0 = time.time()

    def fits(ws: WeeklySeries, c: Campaign) -> dict[tuple[bool, int], tuple[float, float, int]]:
        res = {}
        for ctrl in (True, False):
            w = ws if ctrl else WeeklySeries(ws.starts, ws.counts, None, ws.in_campaign)
            for i, st in enumerate(ROUND4_FITS):
                try:
                    res[(ctrl, i)] = _raw(evaluate_weekly(w, c, settings=st, level=0.95))
                except InputError:
                    res[(ctrl, i)] = (float("inf"), 1.0, 1)
        return res

    def sts_rel(ws: WeeklySeries) -> tuple[float, float]:
        idx = np.flatnonzero(ws.in_campaign)
        assert ws.control is not None
        r = sts_effect(ws.counts, ws.control, int(idx[0]), int(idx[-1]) + 1, level=0.95)
        return r.relative, (r.relative_high - r.relative_low) / (2 * Z95)

    for seed in seeds:
        p = pair(seed)
        sim = p.without_campaign
        for j, c in enumerate(placebos(seed, ROUND4_PLACEBOS_PER_SEED, sim.weeks)):
            pos = sim.weeks.index(c.start)
            for s in SERIES:
                ws = weekly(sim, s, c.counties[0], c)
                data["placebo"][s].append((seed, c.counties[0], pos, fits(ws, c)))
                if s == "ad_days" and j < ROUND4_STS_PLACEBOS_PER_SEED:
                    data["sts_placebo"].append((seed, c.counties[0], pos, *sts_rel(ws)))
        for s in SERIES:
            ws = weekly(p.with_campaign, s, "05", camp)
            true_log = float(np.log(1 + p.effect(SIM_SERIES[s], ["05"])))
            data["pair"][s].append((seed, true_log, fits(ws, camp)))
            if s == "ad_days":
                data["sts_pair"].append((seed, float(np.exp(true_log) - 1), *sts_rel(ws)))
        print(f"seed {seed} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    data["placebo"], data["pair"] = dict(data["placebo"]), dict(data["pair"])
    with out.open("wb") as fh:
        pickle.dump(data, fh)
    return data


ROUND4_MULTIPLIERS = tuple(round(1.0 + 0.05 * i, 2) for i in range(81))
"""Round 4's standard-error multipliers (1 to 5 by 0.05: the series without control need more than 3)."""
ROUND4_MAX_FPR = 0.06


def _its_df(n_minus_2: int) -> int:
    """The interrupted time series' residual df from ``n - 2`` (trend, level, campaign; one Fourier pair
    from 104 weeks): what ``its_effect`` uses with the t quantile."""
    n = n_minus_2 + 2
    return n - 3 - (2 if n >= 104 else 0)


def _score(
    plac: list[tuple[float, float, int]], pairs: list[tuple[float, float, float, int]], *, its: bool
) -> list[tuple[float, float, float, float, bool, float]]:
    """(loss, FPR, coverage, median width, t quantile, multiplier) of every quantile and multiplier."""
    bp = np.array([abs(b) for b, _, _ in plac])
    hp = np.array([h for _, h, _ in plac])
    dp = np.array([_its_df(d) if its else d for *_, d in plac])
    err = np.array([abs(b - tr) for tr, b, _, _ in pairs])
    hc = np.array([h for _, _, h, _ in pairs])
    dc = np.array([_its_df(d) if its else d for *_, d in pairs])
    n_p, n_c = bp.size, err.size
    se_f, se_c = np.sqrt(0.05 * 0.95 / n_p), np.sqrt(0.10 * 0.90 / n_c)
    out = []
    for t in (False, True):
        q95 = np.array([t_or_z_quantile(0.95, int(d)) for d in dp]) if t else np.full(n_p, Z95)
        q90 = np.array([t_or_z_quantile(0.90, int(d)) for d in dc]) if t else np.full(n_c, t_or_z_quantile(0.90, None))
        for k in ROUND4_MULTIPLIERS:
            fpr = float(np.mean(bp > k * q95 * hp))
            cov = float(np.mean(err <= k * q90 * hc))
            loss = ((fpr - 0.05) / se_f) ** 2 + ((cov - 0.90) / se_c) ** 2
            out.append((loss, fpr, cov, float(np.median(k * q95 * hp)), t, k))
    return out


def calibrate_round4(data: dict[str, Any]) -> dict[Any, Any]:
    """Round 4's rule on :func:`collect_round4`'s data; prints and returns the chosen settings.

    Per measure (with the control region, and again without it), over every fit of :data:`ROUND4_FITS`,
    the normal or t quantile and a multiplier of :data:`ROUND4_MULTIPLIERS`: among the settings whose
    placebo false-positive rate at a nominal 5% is at most :data:`ROUND4_MAX_FPR`, the one nearest to both
    targets at once, a 5% false-positive rate and a 90% coverage of the true effect, in standard errors:
    ``((FPR - 5%) / se_FPR)^2 + ((coverage - 90%) / se_coverage)^2``, with the binomial standard errors at
    the targets (placebos, pairs); ties go to the narrowest median placebo interval. The rule no longer
    takes the narrowest setting under the false-positive limit (rounds 2-3 did, and landed on its edge:
    new ads 5.2% in training, 11% held out). STS (ad-days): placebos with fewer than
    :data:`~lagesbild.campaigns.sts.STS_SHORT_PRE` weeks before them flag far more often than later ones
    (a local level's variances from a few points), and the true campaign has 67; so the factor for 26
    weeks or more is chosen by the same loss (placebos with 26 weeks or more before them, FPR at most 6%),
    and the factor for shorter histories is the smallest (1 to 4 by 0.05) flagging at most 5% of the
    placebos with a short history.
    """
    chosen: dict[Any, Any] = {}
    seeds = data["seeds"]
    for ctrl in (True, False):
        print(f"{'with the control region (difference-in-differences)' if ctrl else 'without control (ITS)'}; "
              f"{len(seeds)} training seeds")  # fmt: skip
        for s in SERIES:
            best = None
            per_fit = []
            for i, st in enumerate(ROUND4_FITS):
                plac = [r[3][(ctrl, i)] for r in data["placebo"][s]]
                pairs = [(r[1], *r[2][(ctrl, i)]) for r in data["pair"][s]]
                rows = [r for r in _score(plac, pairs, its=not ctrl) if r[1] <= ROUND4_MAX_FPR + 1e-12]
                if not rows:
                    continue
                r = min(rows, key=lambda r: (r[0], r[3]))
                per_fit.append((r, st))
                if best is None or (r[0], r[3]) < (best[0][0], best[0][3]):
                    best = (r, st)
            assert best is not None
            for r, st in sorted(per_fit, key=lambda x: (x[0][0], x[0][3]))[:4]:
                mark = "*" if (r, st) == best else " "
                print(f"  {mark} {s:15s} {replace(st, t_quantile=r[4], se_multiplier=r[5]).describe():80s} "
                      f"FPR {100 * r[1]:4.1f}% (n={len(data['placebo'][s])}) cov90 {100 * r[2]:4.1f}% "
                      f"(n={len(data['pair'][s])}) loss {r[0]:5.2f} median half-width {r[3]:.3f}")  # fmt: skip
            r, st = best
            chosen[(ctrl, s)] = replace(st, t_quantile=r[4], se_multiplier=r[5])
    pre = np.array([r[2] for r in data["sts_placebo"]])
    zp_all = np.array([abs(r[3]) / r[4] for r in data["sts_placebo"]])
    zc = np.array([abs(r[2] - r[1]) / r[3] for r in data["sts_pair"]])
    z90 = t_or_z_quantile(0.90, None)
    short = pre < STS_SHORT_PRE
    zp = zp_all[~short]
    se_f, se_c = np.sqrt(0.05 * 0.95 / zp.size), np.sqrt(0.10 * 0.90 / zc.size)
    sts_rows: list[tuple[float, float, float, float]] = []
    for k in STS_FACTORS_2:
        fpr, cov = float(np.mean(zp > k * Z95)), float(np.mean(zc <= k * z90))
        sts_rows.append((((fpr - 0.05) / se_f) ** 2 + ((cov - 0.90) / se_c) ** 2, k, fpr, cov))
    ok = [r for r in sts_rows if r[2] <= ROUND4_MAX_FPR + 1e-12]
    best_sts = min(ok, key=lambda r: (r[0], r[1]))
    print(f"  STS ad-days, {STS_SHORT_PRE} weeks or more before the campaign ({zp.size} placebos, {zc.size} pairs):")
    for row in sts_rows:
        if row[1] in (0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, best_sts[1]):
            print(f"  {'*' if row == best_sts else ' '}  x{row[1]:g}: FPR {100 * row[2]:.1f}%, cov90 "
                  f"{100 * row[3]:.1f}%, loss {row[0]:.2f}")  # fmt: skip
    zs = zp_all[short]
    k_short = next(k for k in STS_FACTORS_2 if np.mean(zs > k * Z95) <= 0.05 + 1e-12)
    line = ", ".join(f"x{k:g}: {int(np.sum(zs > k * Z95))}" for k in (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, k_short))
    print(f"  STS ad-days, fewer than {STS_SHORT_PRE} weeks before ({zs.size} placebos): flagged {line}; "
          f"chosen x{k_short:g} (the smallest with at most 5%)")  # fmt: skip
    both = np.where(short, k_short, best_sts[1])
    print(f"  STS all placebos with both factors: FPR {100 * np.mean(zp_all > both * Z95):.1f}% (n={zp_all.size}); "
          f"one factor for all (x{best_sts[1]:g}): {100 * np.mean(zp_all > best_sts[1] * Z95):.1f}%")  # fmt: skip
    chosen["sts"] = (best_sts[1], k_short)
    return chosen


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`collect_round4`'s data of several seed lists as one."""
    out: dict[str, Any] = {"placebo": defaultdict(list), "pair": defaultdict(list), "sts_placebo": [],
                           "sts_pair": [], "seeds": ()}  # fmt: skip
    for d in parts:
        for key in ("placebo", "pair"):
            for s, rows in d[key].items():
                out[key][s].extend(rows)
        out["sts_placebo"].extend(d["sts_placebo"])
        out["sts_pair"].extend(d["sts_pair"])
        out["seeds"] = (*out["seeds"], *d["seeds"])
    out["placebo"], out["pair"] = dict(out["placebo"]), dict(out["pair"])
    return out


ROUND5_AIM_COVERAGE = 0.90
"""Round 5's coverage aim. 91% (a margin for the control counties' contamination, which biases the
difference-in-differences toward no effect) was scored too and lost on leave-one-block-out
(:func:`round5_rules`): 6 of 40 row-blocks outside 85-95% against 3 at 90% with the one-sided
false-positive term, which already widens the rows that need it (active persons with control: x 1.8,
3.2% false positives)."""
ROUND5_ONE_SIDED_FPR = True
"""Round 5 penalises only false-positive rates above 5% (a ceiling target; coverage is a band): round 4's
two-sided term pulled the multipliers down to exactly 5% false positives, at the cost of coverage."""
ROUND5_POOLED_MAX_FPR = 0.06
ROUND5_POOLED_COVERAGE = (0.87, 0.93)
ROUND5_BLOCK_MAX_FPR = 0.07
ROUND5_BLOCK_MIN_COVERAGE = 0.85
ROUND5_STS_FACTORS = tuple(round(0.8 + 0.05 * i, 2) for i in range(65))
"""STS factors scored in round 5 (0.8 to 4 by 0.05)."""


ROUND4_SETTINGS = {
    True: {
        "ad_days": GlmSettings(hac_lags=4, window_weeks=None, se_multiplier=1.8),
        "new_ads": GlmSettings(hac_lags=8, window_weeks=52, se_multiplier=1.3),
        "active_persons": GlmSettings(hac_lags=4, window_weeks=52, se_multiplier=1.65),
        "purchases": GlmSettings(hac_lags=0, window_weeks=52, t_quantile=True, se_multiplier=1.75),
    },
    False: {
        "ad_days": GlmSettings(hac_lags=0, window_weeks=52, se_multiplier=1.9),
        "new_ads": GlmSettings(hac_lags=0, window_weeks=52, se_multiplier=1.4),
        "active_persons": GlmSettings(hac_lags=4, window_weeks=52, t_quantile=True, se_multiplier=1.7),
        "purchases": GlmSettings(hac_lags=4, window_weeks=52, t_quantile=True, se_multiplier=1.75),
    },
}
"""Round 4's settings (with and without the control region), printed beside round 5's for comparison."""


def _block(seed: int) -> int:
    return next(i for i, (lo, hi) in enumerate(ROUND5_BLOCKS) if lo <= seed <= hi)


def _block_counts(
    zp: np.ndarray, pblk: np.ndarray, zc: np.ndarray, cblk: np.ndarray, factors: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per factor and seed block: placebos flagged (``zp > k``) and pairs covered (``zc <= k``), where
    ``zp`` is each placebo's |estimate| over its unscaled 95% half-width and ``zc`` each pair's |estimate -
    truth| over its unscaled 90% half-width."""
    nb = len(ROUND5_BLOCKS)
    flag = (zp[None, :] > factors[:, None]).astype(np.float64) @ np.eye(nb)[pblk]
    cov = (zc[None, :] <= factors[:, None]).astype(np.float64) @ np.eye(nb)[cblk]
    return flag, cov


def _round5_pick(
    flag: np.ndarray,
    n_p: np.ndarray,
    cov: np.ndarray,
    n_c: np.ndarray,
    width: np.ndarray,
    use: np.ndarray,
    *,
    aim: float = ROUND5_AIM_COVERAGE,
    one_sided: bool = ROUND5_ONE_SIDED_FPR,
    blocks: bool = True,
) -> tuple[int, bool, np.ndarray, np.ndarray]:
    """Round 5's rule over candidate rows (flagged and covered counts per block, block sizes, median
    placebo half-widths) on the blocks ``use``: (chosen row, whether it met every condition, pooled FPR
    and pooled coverage of every row).

    A row qualifies if its pooled false-positive rate is at most :data:`ROUND5_POOLED_MAX_FPR`, its pooled
    coverage within :data:`ROUND5_POOLED_COVERAGE`, and in every used block the false-positive rate is at
    most :data:`ROUND5_BLOCK_MAX_FPR` and the coverage at least :data:`ROUND5_BLOCK_MIN_COVERAGE`. Among the
    qualifying rows the one nearest to 5% false positives (``one_sided``: only rates above 5% count) and
    ``aim`` coverage in binomial standard errors, then the narrowest. If none qualifies: the fewest broken
    conditions, then the same loss. ``blocks=False``: only the pooled false-positive limit (round 4's rule).
    """
    np_, nc_ = n_p[use].sum(), n_c[use].sum()
    fpr, cv = flag[:, use].sum(1) / np_, cov[:, use].sum(1) / nc_
    bf, bc = flag[:, use] / n_p[use], cov[:, use] / n_c[use]
    eps = 1e-12
    broken = (fpr > ROUND5_POOLED_MAX_FPR + eps).astype(int)
    if blocks:
        broken += (
            (cv < ROUND5_POOLED_COVERAGE[0] - eps)
            + (cv > ROUND5_POOLED_COVERAGE[1] + eps)
            + (bf > ROUND5_BLOCK_MAX_FPR + eps).sum(1)
            + (bc < ROUND5_BLOCK_MIN_COVERAGE - eps).sum(1)
        )
    se_f = np.sqrt(0.05 * 0.95 / np_)
    se_c = np.sqrt(aim * (1 - aim) / nc_)
    excess = np.maximum(fpr - 0.05, 0.0) if one_sided else fpr - 0.05
    loss = (excess / se_f) ** 2 + ((cv - aim) / se_c) ** 2
    i = int(np.lexsort((width, loss, broken))[0])
    return i, bool(broken[i] == 0), fpr, cv


def _fmt_blocks(flag: np.ndarray, n_p: np.ndarray, cov: np.ndarray, n_c: np.ndarray) -> str:
    return ", ".join(
        f"{lo}-{hi}: {100 * f / a:.1f}%/{100 * c / b:.0f}%"
        for (lo, hi), f, a, c, b in zip(ROUND5_BLOCKS, flag, n_p, cov, n_c, strict=True)
    )


def _round5_grid(data: dict[str, Any], ctrl: bool, s: str) -> tuple[Any, ...]:
    """Every setting of round 4's grid for measure ``s`` (with or without the control region): flagged
    placebos and covered pairs per seed block, the block sizes, median placebo half-widths and the settings."""
    ks = np.array(ROUND4_MULTIPLIERS)
    z90 = t_or_z_quantile(0.90, None)
    nb = len(ROUND5_BLOCKS)
    pblk = np.array([_block(r[0]) for r in data["placebo"][s]])
    cblk = np.array([_block(r[0]) for r in data["pair"][s]])
    n_p = np.bincount(pblk, minlength=nb).astype(np.float64)
    n_c = np.bincount(cblk, minlength=nb).astype(np.float64)
    flags, covs, widths = [], [], []
    meta: list[tuple[GlmSettings, bool, float]] = []
    for i, st in enumerate(ROUND4_FITS):
        plac = [r[3][(ctrl, i)] for r in data["placebo"][s]]
        pairs = [(r[1], *r[2][(ctrl, i)]) for r in data["pair"][s]]
        bp = np.array([abs(b) for b, _, _ in plac])
        hp = np.array([h for _, h, _ in plac])
        dp = [_its_df(d) if not ctrl else d for *_, d in plac]
        err = np.array([abs(b - tr) for tr, b, _, _ in pairs])
        hc = np.array([h for _, _, h, _ in pairs])
        dc = [_its_df(d) if not ctrl else d for *_, d in pairs]
        for t in (False, True):
            q95 = np.array([t_or_z_quantile(0.95, int(d)) for d in dp]) if t else np.full(bp.size, Z95)
            q90 = np.array([t_or_z_quantile(0.90, int(d)) for d in dc]) if t else np.full(err.size, z90)
            with np.errstate(invalid="ignore", divide="ignore"):
                zp = np.where(np.isfinite(bp), bp / (q95 * hp), np.inf)
                zc = np.where(np.isfinite(err), err / (q90 * hc), np.inf)
            f, c = _block_counts(zp, pblk, zc, cblk, ks)
            flags.append(f)
            covs.append(c)
            widths.append(ks * float(np.median(q95 * hp)))
            meta.extend((st, t, float(k)) for k in ks)
    flag, cov, width = np.vstack(flags), np.vstack(covs), np.concatenate(widths)
    return flag, n_p, cov, n_c, width, meta


ROUND5_RULES: dict[str, dict[str, Any]] = {
    "round 4 (aim 90%, FPR two-sided, no block conditions)": {"aim": 0.90, "one_sided": False, "blocks": False},
    "aim 90%, FPR two-sided, blocks": {"aim": 0.90, "one_sided": False, "blocks": True},
    "aim 91%, FPR two-sided, blocks": {"aim": 0.91, "one_sided": False, "blocks": True},
    "aim 90%, FPR one-sided, blocks (chosen)": {"aim": 0.90, "one_sided": True, "blocks": True},
    "aim 91%, FPR one-sided, blocks": {"aim": 0.91, "one_sided": True, "blocks": True},
}
"""The rules compared by leave-one-block-out before round 5's was fixed (:func:`round5_rules`)."""


def round5_rules(grids: dict[Any, tuple[Any, ...]]) -> None:
    """Leave-one-block-out of each rule of :data:`ROUND5_RULES`: per measure (with and without control) and
    seed block, the rule applied to the other four blocks and its choice scored on the block; prints how many
    of the 40 row-blocks fall outside the held-out targets (false positives above 7%, coverage outside
    85-95%). Blocks hold 40-100 seeds, so single row-blocks are noisy; the counts compare the rules."""
    print("leave-one-block-out per rule (40 row-blocks: 8 rows x 5 blocks):")
    for name, rule in ROUND5_RULES.items():
        fp_hi = low = high = 0
        covs = []
        for flag, n_p, cov, n_c, width, _meta in grids.values():
            allb = (n_p > 0) & (n_c > 0)
            for b in np.flatnonzero(allb):
                use = allb.copy()
                use[b] = False
                r, *_ = _round5_pick(flag, n_p, cov, n_c, width, use, **rule)
                f, c = flag[r, b] / n_p[b], cov[r, b] / n_c[b]
                fp_hi += bool(f > ROUND5_BLOCK_MAX_FPR + 1e-12)
                low += bool(c < 0.85 - 1e-12)
                high += bool(c > 0.95 + 1e-12)
                covs.append(c)
        print(f"  {name:55s} FPR > 7%: {fp_hi}; coverage < 85%: {low}; > 95%: {high}; "
              f"mean coverage {100 * np.mean(covs):.1f}%, lowest {100 * min(covs):.0f}%")  # fmt: skip


def calibrate_round5(data: dict[str, Any]) -> dict[Any, Any]:
    """Round 5's rule on :func:`collect_round4`'s data for :data:`ROUND5_TRAINING_SEEDS`; prints and returns it.

    The grid is round 4's (:data:`ROUND4_FITS` x normal or t quantile x :data:`ROUND4_MULTIPLIERS`), with
    and without the control region; the rule is :func:`_round5_pick` on all five seed blocks
    (:data:`ROUND5_BLOCKS`): pooled false positives at most 6% and coverage within 87-93%, and every block at
    most 7% false positives and at least 85% coverage, then nearest to 5% / :data:`ROUND5_AIM_COVERAGE`.
    Leave-one-block-out: the same rule on four blocks, scored on the fifth, shows how far the chosen rows
    move on seeds they were not chosen on. STS (ad-days): the same rule over :data:`ROUND5_STS_FACTORS` on
    the placebos with :data:`~lagesbild.campaigns.sts.STS_SHORT_PRE` weeks or more before them; the factor
    for shorter histories is again the smallest flagging at most 5% of those placebos (pooled).
    """
    chosen: dict[Any, Any] = {}
    z90 = t_or_z_quantile(0.90, None)
    nb = len(ROUND5_BLOCKS)
    grids = {(ctrl, s): _round5_grid(data, ctrl, s) for ctrl in (True, False) for s in SERIES}
    round5_rules(grids)
    print(f"round 5's rule: {len(data['seeds'])} training seeds in blocks "
          + ", ".join(f"{lo}-{hi}" for lo, hi in ROUND5_BLOCKS)
          + f"; aim: 5% false positives, {100 * ROUND5_AIM_COVERAGE:.0f}% coverage; per block FPR <= "
          f"{100 * ROUND5_BLOCK_MAX_FPR:.0f}%, coverage >= {100 * ROUND5_BLOCK_MIN_COVERAGE:.0f}%")  # fmt: skip
    current = ROUND4_SETTINGS
    for ctrl in (True, False):
        print("with the control region (difference-in-differences)" if ctrl else "without control (ITS)")
        for s in SERIES:
            flag, n_p, cov, n_c, width, meta = grids[(ctrl, s)]
            allb = (n_p > 0) & (n_c > 0)
            i, ok, fpr, cv = _round5_pick(flag, n_p, cov, n_c, width, allb)
            st, t, k = meta[i]
            chosen[(ctrl, s)] = replace(st, t_quantile=t, se_multiplier=k)
            cur = current[ctrl][s]
            j = next((m for m, (st2, t2, k2) in enumerate(meta)
                      if st2 == replace(cur, t_quantile=False, se_multiplier=1.0) and t2 == cur.t_quantile
                      and abs(k2 - cur.se_multiplier) < 1e-9), None)  # fmt: skip
            for label, row in (("round 5", i), ("round 4", j)):
                if row is None:
                    continue
                stx = replace(meta[row][0], t_quantile=meta[row][1], se_multiplier=meta[row][2])
                print(f"  {s:15s} {label} {'' if label == 'round 4' or ok else '(NOT all conditions met) '}"
                      f"{stx.describe()}: FPR {100 * fpr[row]:.1f}% (n={int(n_p.sum())}), cov90 "
                      f"{100 * cv[row]:.1f}% (n={int(n_c.sum())}), median half-width {width[row]:.3f}; "
                      f"blocks FPR/cov {_fmt_blocks(flag[row], n_p, cov[row], n_c)}")  # fmt: skip
            lobo = []
            for b in np.flatnonzero(allb):
                use = allb.copy()
                use[b] = False
                r, okb, *_ = _round5_pick(flag, n_p, cov, n_c, width, use)
                lobo.append(f"{ROUND5_BLOCKS[b][0]}-{ROUND5_BLOCKS[b][1]} x{meta[r][2]:g}{'' if okb else '!'} "
                            f"{100 * flag[r, b] / n_p[b]:.1f}%/{100 * cov[r, b] / n_c[b]:.0f}%")  # fmt: skip
            print(f"      leave-one-block-out (chosen on the other four, FPR/cov on the block): {'; '.join(lobo)}")
    # STS on ad-days, three history tiers (round 4 had two): the local level's variances estimated on few
    # points are too small, so placebos early in the series flag more; the campaign has 67 weeks before it.
    pre = np.array([r[2] for r in data["sts_placebo"]])
    long_ = pre >= STS_LONG_PRE
    pblk = np.array([_block(r[0]) for r in data["sts_placebo"]])[long_]
    cblk = np.array([_block(r[0]) for r in data["sts_pair"]])
    zp_all = np.array([abs(r[3]) / r[4] / Z95 for r in data["sts_placebo"]])
    zc = np.array([abs(r[2] - r[1]) / r[3] / z90 for r in data["sts_pair"]])
    fs = np.array(ROUND5_STS_FACTORS)
    flag, cov = _block_counts(zp_all[long_], pblk, zc, cblk, fs)
    n_p = np.bincount(pblk, minlength=nb).astype(np.float64)
    n_c = np.bincount(cblk, minlength=nb).astype(np.float64)
    i, ok, fpr, cv = _round5_pick(flag, n_p, cov, n_c, fs, (n_p > 0) & (n_c > 0))
    print(f"  STS ad-days, {STS_LONG_PRE} weeks or more before ({int(n_p.sum())} placebos, {int(n_c.sum())} pairs):")
    for row in sorted({i, *(int(np.argmin(np.abs(fs - k))) for k in (0.9, 0.95, 1.0, 1.05, 1.1, 1.2))}):
        print(f"  {'*' if row == i else ' '}  x{fs[row]:g}{'' if row != i or ok else ' (NOT all conditions met)'}: "
              f"FPR {100 * fpr[row]:.1f}%, cov90 {100 * cv[row]:.1f}%; blocks "
              f"{_fmt_blocks(flag[row], n_p, cov[row], n_c)}")  # fmt: skip
    tiers = []
    for lo, hi in ((0, STS_SHORT_PRE), (STS_SHORT_PRE, STS_LONG_PRE)):
        zs = zp_all[(pre >= lo) & (pre < hi)]
        k = next(float(k) for k in ROUND5_STS_FACTORS if k >= 1 and np.mean(zs > k) <= 0.05 + 1e-12)
        tiers.append(k)
        print(f"  STS {lo}-{hi - 1} weeks before ({zs.size} placebos): x{k:g} (the smallest from 1 with at most "
              f"5%) flags {int(np.sum(zs > k))}; x1 flags {int(np.sum(zs > 1))}")  # fmt: skip
    both = np.where(pre < STS_SHORT_PRE, tiers[0], np.where(pre < STS_LONG_PRE, tiers[1], fs[i]))
    print(f"  STS all {zp_all.size} placebos with the three factors: FPR {100 * np.mean(zp_all > both):.1f}%")
    chosen["sts"] = (float(fs[i]), *tiers)
    return chosen


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
    """The published figures on ``seeds`` (never used to choose anything).

    Per seed, the pair with and without the -15% campaign in 05: placebo false positives at 95%
    (:data:`HELD_OUT_PLACEBOS_PER_SEED` placebos in the world without it; STS: the first two), the
    ``level`` coverage of the true effect and the detection rate (95% interval below 1), for every
    measure with the control region (difference-in-differences) and without it (interrupted time series
    of the campaign county alone, :data:`~lagesbild.campaigns.measures.CALIBRATED_NO_CONTROL_BY_SERIES`),
    and the STS counterfactual on ad-days; what ``campaigns power`` says beforehand.
    """
    camp = Campaign("bench", ("05",), CAMPAIGN_START, CAMPAIGN_START + timedelta(days=7 * CAMPAIGN_WEEKS - 1))
    fp: dict[str, list[bool]] = defaultdict(list)  # keys: measure, and "its:" + measure without control
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
    sts_detect: list[bool] = []
    calibrated = {**CALIBRATED_BY_SERIES, **{f"its:{s}": st for s, st in CALIBRATED_NO_CONTROL_BY_SERIES.items()}}

    def ws_for(sim: Any, key: str, county: str, c: Campaign) -> WeeklySeries:
        ws = weekly(sim, key.removeprefix("its:"), county, c)
        return WeeklySeries(ws.starts, ws.counts, None, ws.in_campaign) if key.startswith("its:") else ws

    def sts(ws: WeeklySeries, lev: float) -> Any:
        idx = np.flatnonzero(ws.in_campaign)
        assert ws.control is not None
        start = int(idx[0])
        return sts_effect(ws.counts, ws.control, start, int(idx[-1]) + 1, level=lev, inflation=sts_inflation(start))

    t0, c0 = time.time(), time.process_time()
    for seed in seeds:
        p = pair(seed)
        for j, c in enumerate(placebos(seed, HELD_OUT_PLACEBOS_PER_SEED, p.without_campaign.weeks)):
            for key, st in calibrated.items():
                e = evaluate_weekly(ws_for(p.without_campaign, key, c.counties[0], c), c, settings=st, level=0.95)
                fp[key].append(not (e.low <= 1 <= e.high))
            if j < 2:
                rp = sts(weekly(p.without_campaign, "ad_days", c.counties[0], c), 0.95)
                sts_fp.append(not (rp.low <= 0 <= rp.high))
        for key, st in calibrated.items():
            s = key.removeprefix("its:")
            ws = ws_for(p.with_campaign, key, "05", camp)
            e = evaluate_weekly(ws, camp, settings=st, level=level)
            e95 = evaluate_weekly(ws, camp, settings=st, level=0.95)
            true_rr = 1 + p.effect(SIM_SERIES[s], ["05"])
            truth[key].append(true_rr)
            est[key].append(e.rate_ratio)
            cover[key].append(e.low <= true_rr <= e.high)
            detect[key].append(e95.high < 1)
            if key == "purchases":
                tp = 1 + p.effect("purchases", ["05"])
                true_purchases.append(tp)
                cover_true_purchases.append(e.low <= tp <= e.high)
            if key == "ad_days":
                r = sts(ws, level)
                sts_cover.append(r.relative_low <= true_rr - 1 <= r.relative_high)
                sts_detect.append(sts(ws, 0.95).high < 0)
        mde, se = _power_mde(p.with_campaign)
        mdes.append(mde)
        from scipy.stats import norm

        for label, rr in (("true ad-days effect", truth["ad_days"][-1]), ("a -15% effect on ad-days", 0.85)):
            predicted[label].append(float(norm.cdf(-np.log(rr) / se - Z95)))
        print(f"seed {seed} done ({time.time() - t0:.0f} s)", file=sys.stderr)
    n = len(seeds)
    print(f"held-out seeds {seeds[0]}-{seeds[-1]} ({n} seeds); world: 05 + controls 04, 06, 07, 12 per 100,000; "
          f"campaign {EFFECT:+.0%} for {CAMPAIGN_WEEKS} weeks in 05; "
          f"{HELD_OUT_PLACEBOS_PER_SEED} placebos per seed")  # fmt: skip
    for key in calibrated:
        if key == "its:ad_days":
            print("  without control (interrupted time series of the campaign county alone, --no-control):")
        print(
            f"  {key:19s} [{calibrated[key].describe()}]\n"
            f"      placebo FPR (95%) {sum(fp[key])}/{len(fp[key])} = {100 * np.mean(fp[key]):.1f}%; "
            f"{100 * level:.0f}% coverage of the true effect {sum(cover[key])}/{n} = {100 * np.mean(cover[key]):.1f}%; "
            f"true RR median {np.median(truth[key]):.3f}, estimate median {np.median(est[key]):.3f}; "
            f"detected (95% interval below 1) {sum(detect[key])}/{n} = {100 * np.mean(detect[key]):.1f}%"
        )
    ctp = cover_true_purchases
    print(f"  estimated purchases against TRUE purchases (demand side): true RR median "
          f"{np.median(true_purchases):.3f}; {100 * level:.0f}% coverage {sum(ctp)}/{n} "
          f"= {100 * np.mean(ctp):.1f}%")  # fmt: skip
    print(f"  STS (ad-days, x{STS_INFLATION:g}; x{sts_inflation(STS_SHORT_PRE):g} before {STS_LONG_PRE} weeks, "
          f"x{sts_inflation(0):g} before {STS_SHORT_PRE}): "
          f"placebo FPR {sum(sts_fp)}/{len(sts_fp)} = "
          f"{100 * np.mean(sts_fp):.1f}%; "
          f"{100 * level:.0f}% coverage of the true effect {sum(sts_cover)}/{n} = {100 * np.mean(sts_cover):.1f}%; "
          f"detected {sum(sts_detect)}/{n} = {100 * np.mean(sts_detect):.1f}%")  # fmt: skip
    print(f"  power said (ad-days, 80% power, alpha 5%, last {CAMPAIGN_WEEKS} weeks before the campaign): median "
          f"minimum detectable decrease {np.median(mdes):.1f}% (IQR {np.percentile(mdes, 25):.1f}-"
          f"{np.percentile(mdes, 75):.1f}%)")  # fmt: skip
    for label, ps in predicted.items():
        print(f"  power's detection probability of {label}: mean {100 * np.mean(ps):.1f}%")
    print(f"  time: wall {time.time() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s")


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
    global CACHE
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("what", choices=("calibrate", "coverage", "round4", "round5", "heldout", "timing", "store-time"))
    p.add_argument("--seeds", type=int, default=0, help="use only the first N seeds of the split")
    p.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_web",
                   help="store-time: the store (a linked national world)")  # fmt: skip
    p.add_argument("--cache", type=Path, default=CACHE, help="where simulated worlds and round 4's fits are cached")
    a = p.parse_args()
    CACHE = a.cache
    if a.what == "calibrate":
        calibrate(TRAINING_SEEDS[: a.seeds or None])
    elif a.what == "coverage":
        calibrate_coverage(TRAINING_SEEDS[: a.seeds or None], TRAINING_PAIR_SEEDS[: a.seeds or None])
    elif a.what == "round4":
        seeds = ROUND4_TRAINING_SEEDS[: a.seeds or None]
        path = CACHE / f"round4-{seeds[0]}-{seeds[-1]}-{len(seeds)}.pkl"
        if path.exists():
            with path.open("rb") as fh:
                data = pickle.load(fh)
        else:
            data = collect_round4(seeds, path)
        calibrate_round4(data)
    elif a.what == "round5":
        parts = []
        for seeds in (ROUND4_TRAINING_SEEDS, ROUND4_HELD_OUT_SEEDS):  # round 4's cache, then 8001-8100
            path = CACHE / f"round4-{seeds[0]}-{seeds[-1]}-{len(seeds)}.pkl"
            if path.exists():
                with path.open("rb") as fh:
                    parts.append(pickle.load(fh))
            else:
                parts.append(collect_round4(seeds, path))
        chosen = calibrate_round5(_merge(parts))
        lib = all(chosen[(True, s)] == CALIBRATED_BY_SERIES[s] for s in SERIES) and all(
            chosen[(False, s)] == CALIBRATED_NO_CONTROL_BY_SERIES[s] for s in SERIES
        )
        sts_lib = chosen["sts"] == (STS_INFLATION, sts_inflation(0), sts_inflation(STS_SHORT_PRE))
        print(f"the library's settings are these: GLM {'yes' if lib else 'NO'}, STS {'yes' if sts_lib else 'NO'}")
    elif a.what == "heldout":
        heldout(HELD_OUT_SEEDS[: a.seeds or None])
    elif a.what == "store-time":
        store_time(a.db)
    else:
        timing()


if __name__ == "__main__":
    main()
