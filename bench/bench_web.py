"""Benchmark the dashboard: latency of the overview and a county page with many concurrent users.

Loads a simulated world into a store (PostgreSQL by default), starts ``lagesbild serve`` in its own
process on loopback, logs in ``--users`` accounts and lets them request the overview (``/area/SE``)
and a county page (``/area/NN``, a random county per request) as fast as the server answers, for
``--seconds`` seconds or ``--requests`` requests, whichever comes first. Prints p50/p95/p99 latency
per page and the throughput. The first request of each page (computing and storing the estimate
suites) is timed separately as the cold start.

    python bench/bench_web.py --world /tmp/national --db postgresql+psycopg://postgres@127.0.0.1:5432/bench_web
    python bench/bench_web.py --preset ostergotland            # simulate a world first

Prints figures; it asserts nothing (docs/benchmarks.md keeps them).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer, create_key, load_key
from lagesbild.refdata import counties
from lagesbild.settings import _normalize_db_url
from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web.security import hash_password

PASSWORD = "bench-lösenord-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _head(src: Path, n: int | None, dst: Path) -> Path:
    if n is None:
        return src
    with gzip.open(src, "rt", encoding="utf-8") as fin, gzip.open(dst, "wt", encoding="utf-8") as fout:
        for i, line in enumerate(fin):
            if i >= n:
                break
            fout.write(line)
    return dst


def load(world: Path, db: str, home: Path, max_obs: int | None) -> None:
    create_key(home / "secret.key")
    pz = Pseudonymizer(load_key(home / "secret.key"))
    with Store.open(db) as store:
        store.bind_key(pz.fingerprint)
        t = time.perf_counter()
        src = _head(world / "observations.jsonl.gz", max_obs, home / "head.jsonl.gz")
        s = import_file(store, pz, src, parallel=None)
        print(f"imported {s.n_records:,} observations in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        process_new(store)
        print(f"normalized and linked in {time.perf_counter() - t:.1f} s", flush=True)


def add_users(db: str, n: int) -> list[str]:
    names = [f"bench{i:03d}" for i in range(n)]
    h = hash_password(PASSWORD)
    with Store.open(db) as store:
        ws = WebStore(store)
        for name in names:
            if ws.user(name) is None:
                ws.add_user(name, h, role="viewer", scope=("SE",))
    return names


async def _login(client: httpx.AsyncClient, name: str) -> None:
    r = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text)
    assert token
    r = await client.post("/login", data={"username": name, "password": PASSWORD, "csrf": token.group(1)})
    assert r.status_code in (200, 303), r.status_code


async def run_load(base: str, names: list[str], seconds: float, max_requests: int, year: int) -> dict[str, list[float]]:
    codes = list(counties())
    lat: dict[str, list[float]] = {"overview": [], "county": []}
    errors = 0
    done = 0
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=60, follow_redirects=False) for _ in names]
    t = time.perf_counter()
    for c, name in zip(clients, names, strict=True):  # one at a time: logins are deliberately slow (argon2)
        await _login(c, name)
    print(f"{len(names)} logins in {time.perf_counter() - t:.1f} s", flush=True)
    stop = time.monotonic() + seconds

    async def user(c: httpx.AsyncClient) -> None:
        nonlocal errors, done
        try:
            while time.monotonic() < stop and done < max_requests:
                page = random.choice(("overview", "county"))
                path = f"/area/SE?year={year}" if page == "overview" else f"/area/{random.choice(codes)}?year={year}"
                t = time.perf_counter()
                r = await c.get(path)
                dt = time.perf_counter() - t
                done += 1
                if r.status_code != 200:
                    errors += 1
                    continue
                lat[page].append(dt)
        finally:
            await c.aclose()

    t0 = time.perf_counter()
    await asyncio.gather(*(user(c) for c in clients))
    wall = time.perf_counter() - t0
    n = sum(len(v) for v in lat.values())
    print(f"{n:,} requests in {wall:.1f} s ({n / wall:.0f}/s), {errors} errors, {len(names)} concurrent users")
    return lat


def server_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every process in the server's process group (Linux /proc)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--world", type=Path, help="a simulated world (lagesbild simulate --out DIR)")
    ap.add_argument("--preset", default="national", help="simulate this preset when --world is not given")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-observations", type=int, default=None, help="import only the first N observations")
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_web",
                    help="the store (an empty database; PostgreSQL by default)")  # fmt: skip
    ap.add_argument("--skip-load", action="store_true", help="the store is loaded already")
    ap.add_argument("--no-precompute", action="store_true", help="let the first page views compute the estimates")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2, help="web worker processes")
    ap.add_argument("--year", type=int, default=2024)
    args = ap.parse_args()

    db = _normalize_db_url(args.db)
    home = Path(tempfile.mkdtemp(prefix="bench-web-"))
    if not args.skip_load:
        world = args.world
        if world is None:
            from lagesbild.simulate import load_config, simulate

            world = home / "world"
            t = time.perf_counter()
            simulate(load_config(args.preset), seed=args.seed, out_dir=world)
            print(f"simulated {args.preset} in {time.perf_counter() - t:.1f} s", flush=True)
        load(world, db, home, args.max_observations)
    else:
        create_key(home / "secret.key")
    if not args.no_precompute:
        # As a deployment does after each import (`lagesbild estimate run --area all`): the estimates of
        # Sweden and the counties computed together and stored; the pages then only read them.
        from datetime import date

        from lagesbild.estimate.suite import ensure_suites

        t = time.perf_counter()
        with Store.open(db) as store:
            ensure_suites(store, ["SE", *counties()], date(args.year, 1, 1), date(args.year, 12, 31))
        print(f"estimates of SE and 21 counties computed and stored in {time.perf_counter() - t:.1f} s", flush=True)
    names = add_users(db, args.users)

    port = _free_port()
    env = {**os.environ, "LAGESBILD_DB": db, "LAGESBILD_HOME": str(home)}
    cmd = [sys.executable, "-m", "uvicorn", "lagesbild.web._factory:app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(args.workers), "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)

        async def cold() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=600) as c:
                await _login(c, names[0])
                for path in [f"/area/SE?year={args.year}"] + [f"/area/{k}?year={args.year}" for k in counties()]:
                    t = time.perf_counter()
                    r = await c.get(path)
                    print(f"cold {path}: {r.status_code} {time.perf_counter() - t:.2f} s", flush=True)

        asyncio.run(cold())
        cpu0 = server_cpu_seconds(server.pid)
        lat = asyncio.run(run_load(base, names, args.seconds, args.requests, args.year))
        cpu = server_cpu_seconds(server.pid) - cpu0
        n = sum(len(v) for v in lat.values())
        print(f"server CPU {cpu:.1f} s for {n:,} requests: {1000 * cpu / max(n, 1):.2f} ms per request "
              f"(includes logins' argon2 checks: none in this window)")  # fmt: skip
        for page, xs in lat.items():
            if xs:
                print(f"{page:9s} n={len(xs):5d}  p50 {pct(xs, 0.5):6.1f} ms  p95 {pct(xs, 0.95):6.1f} ms  "
                      f"p99 {pct(xs, 0.99):6.1f} ms  mean {statistics.mean(xs) * 1000:6.1f} ms")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
