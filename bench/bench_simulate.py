"""Benchmark: time and peak memory of a simulator run (prints figures; not a timed test).

Usage::

    .venv/bin/python bench/bench_simulate.py [--preset national] [--seed 7] [--out /tmp/lagesbild-bench]

Target (issue 3): the ``national`` preset's two years in under 3 minutes and 2 GB on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from lagesbild.simulate import load_config, simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="national")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="lagesbild-bench-"))
    t0 = time.perf_counter()
    r = simulate(load_config(args.preset), args.seed, out)
    secs = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    print(f"preset            {args.preset} (seed {args.seed})")
    print(f"wall time         {secs:.1f} s  ({', '.join(f'{k} {v:.1f} s' for k, v in r.seconds.items())})")
    print(f"peak memory (RSS) {peak_mb:.0f} MB")
    print(f"observations      {r.observations:,}")
    print(f"ad versions       {r.ad_versions:,}")
    print(f"site ads          {r.ads:,}")
    print(f"sellers           {r.sellers:,}")
    print(f"purchases         {r.purchases if r.purchases is not None else 'n/a'}")
    print(f"output            {out} ({size_mb:.0f} MB)")


if __name__ == "__main__":
    main()
