"""Benchmark and check of the estimate stage (demand, purchases, triangulation).

    .venv/bin/python bench/bench_estimate.py                 # timings for every county and municipality
    .venv/bin/python bench/bench_estimate.py --ostergotland 5  # + the purchases model against the simulator
    .venv/bin/python bench/bench_estimate.py --store sqlite:///linked.db --year 2023  # + every area from a linked store

Part 1 times every estimate for all 21 counties and 290 municipalities with the bundled population:
demand (ever, 18-65, Wilson interval), the purchases model (Monte Carlo, 20,000 draws) and the
triangulation. The supply-side activity is made up (person-days proportional to population) until the
linking stage produces it from the store.

Part 2 (``--ostergotland N``) simulates the ``ostergotland`` preset for seeds 1..N and, with the
simulator's true linking (oracle: ads -> sellers -> persons from ``truth/``), counts person-days in
county 05 per year, runs the purchases model with the default assumptions and prints the estimate
beside the simulated truth. It measures the model and its assumptions, not the linking.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from lagesbild.estimate.assumptions import default_assumptions
from lagesbild.estimate.demand import AgeBand, estimate_demand
from lagesbild.estimate.intervals import Proportion
from lagesbild.estimate.purchases import ActivitySummary, estimate_purchases
from lagesbild.estimate.triangulate import triangulate
from lagesbild.refdata import bundled_population, counties, municipalities
from lagesbild.simulate import load_config, simulate


def bench_all_areas() -> None:
    pop = bundled_population()
    a = default_assumptions()
    areas = list(counties()) + list(municipalities())
    prop = Proportion.from_sample(0.075, 2000)
    t0 = time.perf_counter()
    for area in areas:
        estimate_demand(pop, area, prop, AgeBand(18, 65))
    t1 = time.perf_counter()
    ests = []
    for area in areas:
        men = pop.count(area, sex="m", age_min=18, age_max=65)
        act = ActivitySummary.from_numbers(area, person_days=(men / 100, men / 120, men / 85))
        ests.append(estimate_purchases(act, a, n_draws=20_000, seed=1))
    t2 = time.perf_counter()
    for area, est in zip(areas, ests, strict=True):
        triangulate(pop, area, est, a, n_draws=20_000, seed=1)
    t3 = time.perf_counter()
    print(f"areas: {len(areas)} (21 counties + 290 municipalities)")
    print(f"demand:        {t1 - t0:6.2f} s")
    print(f"purchases MC:  {t2 - t1:6.2f} s (20,000 draws each)")
    print(f"triangulation: {t3 - t2:6.2f} s (20,000 draws each)")
    print(f"total:         {t3 - t0:6.2f} s")


def _person_days_05(folder: Path) -> dict[str, int]:
    """Distinct (person, day) with an ad online in county 05, per year, by the simulator's true linking."""
    person_of_seller = {}
    with (folder / "truth" / "sellers.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            person_of_seller[r["seller_id"]] = "p" + r["person_id"]
    who: dict[tuple[str, str], str] = {}
    with (folder / "truth" / "ads.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not r["kommun"].startswith("05"):
                continue
            # a scam advertiser counts as its own "person": linking cannot tell it from a seller
            who[(r["site"], r["site_ad_id"])] = person_of_seller.get(r["seller_id"], "a" + r["advertiser_id"])
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with gzip.open(folder / "observations.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            o = json.loads(line)
            person = who.get((o["site"], o["site_ad_id"]))
            if person is not None:
                seen[o["seen_at"][:4]].add((person, o["seen_at"][:10]))
    return {year: len(s) for year, s in sorted(seen.items())}


def check_ostergotland(n_seeds: int) -> None:
    a = default_assumptions()
    rows = []
    for seed in range(1, n_seeds + 1):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "sim"
            simulate(load_config("ostergotland"), seed, out)
            summary = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))["counties"]["05"]
            for year, days in _person_days_05(out).items():
                truth = summary[year]["purchases"]
                est = estimate_purchases(ActivitySummary.from_numbers("05", person_days=days), a, seed=seed)
                rows.append((seed, year, days, truth, est.central, est.median, est.low, est.high))
    print("seed year person_days truth  point  median  90% interval   covered")
    for seed, year, days, truth, c, m, lo, hi in rows:
        print(f"{seed:4} {year} {days:11} {truth:5} {c:6.0f} {m:7.0f}  {lo:5.0f}-{hi:5.0f}   {lo <= truth <= hi}")
    cover = np.mean([lo <= t <= hi for _, _, _, t, _, _, lo, hi in rows])
    rel = np.median([abs(m - t) / t for _, _, _, t, _, m, _, _ in rows])
    print(f"coverage of the 90% interval: {cover:.2f} over {len(rows)} county-years; median relative error {rel:.2f}")


def bench_store(url: str, year: int) -> None:
    """Every estimate (``run_estimates_for``: activity, persons, purchases, CRC, demand) for all areas of a store."""
    from datetime import date

    from lagesbild.estimate.runner import all_areas, run_estimates_for
    from lagesbild.store import Store

    store = Store.open(url)
    areas = all_areas()
    t0, c0 = time.perf_counter(), time.process_time()
    runs = run_estimates_for(store, areas, date(year, 1, 1), date(year, 12, 31), save=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    n = sum(len(r.results) for r in runs)
    print(f"linked store {url}: {len(areas)} areas, {year}, {n} results")
    print(f"  runner: {wall:.1f} s wall, {cpu:.1f} s CPU (target < 60 s)")
    # the estimate suites of `estimate run --area all` (the runner's figures plus coverage, the
    # allocation to municipalities, triangulation and where buyers live), not stored
    from lagesbild.estimate.suite import compute_suites

    t0, c0 = time.perf_counter(), time.process_time()
    suites = compute_suites(store, areas, date(year, 1, 1), date(year, 12, 31), save=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with_data = sum(s.has_data for s in suites)
    print(f"  suites: {wall:.1f} s wall, {cpu:.1f} s CPU, {with_data} of {len(suites)} areas with data")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ostergotland", type=int, default=0, metavar="N", help="check against N simulated seeds")
    parser.add_argument("--store", metavar="URL", help="also time every estimate for every area from this linked store")
    parser.add_argument("--year", type=int, default=2023, help="the year for --store")
    args = parser.parse_args()
    bench_all_areas()
    if args.ostergotland:
        check_ostergotland(args.ostergotland)
    if args.store:
        bench_store(args.store, args.year)


if __name__ == "__main__":
    main()
