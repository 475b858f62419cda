"""Benchmark the monitor against the simulator's server on loopback; prints figures.

1. Throughput with politeness lifted: pages per second fetched, parsed and stored (SQLite).
2. Politeness on: the configured rate is never exceeded, measured from the server's access log
   (the most requests in any sliding window of one second, and the smallest gap between requests).
3. A full pass over the `national` preset's three sites for one simulated day.

The server runs in a child process (``lagesbild simulate serve``) so that it does not share the
crawler's interpreter lock: the two together use the machine's two cores, as in production.

Usage::

    python bench/bench_crawl.py [--world DIR] [--national DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from lagesbild.monitor import Profile, crawl, shipped_profiles, with_base_url
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store

PZ = Pseudonymizer(bytes(range(32)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(world: Path, *extra: str) -> Iterator[str]:
    port = _free_port()
    cmd = [
        sys.executable,
        "-c",
        "from lagesbild.cli import main; main()",
        "simulate",
        "serve",
        str(world),
        "--port",
        str(port),
        *extra,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(url + "/_control/state", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(
                "the simulator server did not start: " + (proc.stderr.read() if proc.stderr else b"").decode()
            )
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def tuned(p: Profile, url: str, **politeness: Any) -> Profile:
    p = with_base_url(p, f"{url}/{p.source}/")
    return p.model_copy(update={"politeness": p.politeness.model_copy(update=politeness)})


def noon(start: str, day: int) -> datetime:
    return datetime.fromisoformat(start).replace(tzinfo=UTC) + timedelta(days=day, hours=12)


def world_start(world: Path) -> str:
    import yaml

    cfg = yaml.safe_load((world / "config.yaml").read_text(encoding="utf-8"))
    return str(cfg["world"]["start"])


def throughput(world: Path, tmp: Path) -> None:
    profiles = shipped_profiles()
    store = Store.open(f"sqlite:///{tmp / 'throughput.db'}")
    start = world_start(world)
    with serve(world) as url:
        pages = 0
        t0 = time.perf_counter()
        for day in range(5):
            httpx.post(url + "/_control/day", json={"day": day})
            for p in profiles.values():
                r = crawl(
                    tuned(p, url, rate_per_second=100_000, concurrency=4, obey_crawl_delay=False),
                    store,
                    PZ,
                    clock=lambda d=day: noon(start, d),
                )
                pages += r.pages
        dt = time.perf_counter() - t0
    print(
        f"throughput, politeness lifted: {pages} pages in {dt:.1f} s = {pages / dt:.0f} pages/s "
        f"(fetched, parsed, validated, pseudonymized, stored; SQLite; {store.count_observations()} sightings)"
    )


def rate_respected(world: Path, tmp: Path, rate: float = 10.0) -> None:
    p = shipped_profiles()["annonsportalen"]
    store = Store.open(f"sqlite:///{tmp / 'rate.db'}")
    log = tmp / "access.jsonl"
    with serve(world, "--access-log", str(log), "--crawl-delay", "0") as url:
        t0 = time.perf_counter()
        r = crawl(
            tuned(p, url, rate_per_second=rate, concurrency=4),
            store,
            PZ,
            clock=lambda: noon(world_start(world), 0),
            max_pages=120,
        )
        dt = time.perf_counter() - t0
    times = sorted(json.loads(line)["time"] for line in log.read_text().splitlines() if line.strip())
    worst = 0
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        worst = max(worst, i - j + 1)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    print(
        f"politeness on at {rate:g}/s (concurrency 4): {len(times)} requests in {dt:.1f} s; most in any 1 s window: "
        f"{worst} ({'never above' if worst <= rate else 'ABOVE'} the rate); "
        f"smallest gap {min(gaps) * 1000:.0f} ms (target {1000 / rate:.0f} ms); pages {r.pages}"
    )


def national_pass(national: Path, tmp: Path) -> None:
    store = Store.open(f"sqlite:///{tmp / 'national.db'}")
    start = world_start(national)
    with serve(national) as url:
        httpx.post(url + "/_control/day", json={"day": 100})
        t0 = time.perf_counter()
        pages = ads = 0
        for p in shipped_profiles().values():
            r = crawl(
                tuned(p, url, rate_per_second=100_000, concurrency=4, obey_crawl_delay=False),
                store,
                PZ,
                clock=lambda: noon(start, 100),
            )
            pages += r.pages
            ads += r.health.ads if r.health else 0
        dt = time.perf_counter() - t0
    print(
        f"national preset, one simulated day, three sites: {pages} pages, {ads} ads in {dt:.1f} s "
        f"({'under' if dt < 120 else 'OVER'} 2 minutes)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--world", type=Path, help="a simulator output folder (default: the tiny preset, simulated now)")
    ap.add_argument("--national", type=Path, help="the national preset's output (default: simulated now)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from lagesbild.simulate import load_config, simulate

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        world = args.world
        if world is None:
            world = tmp / "tiny"
            simulate(load_config("tiny"), 7, world)
        throughput(world, tmp)
        rate_respected(world, tmp)
        national = args.national
        if national is None:
            national = tmp / "national"
            t = time.perf_counter()
            simulate(load_config("national"), 7, national)
            print(f"(simulated the national preset in {time.perf_counter() - t:.0f} s)")
        national_pass(national, tmp)


if __name__ == "__main__":
    main()
