"""Benchmark the dashboard: latency of the overview and a county page with many concurrent users.

Loads a simulated world into a store (PostgreSQL by default), starts the app of ``lagesbild serve``
in its own process on loopback (uvicorn with uvloop and httptools; 1 or more worker processes), logs
in ``--users`` accounts and lets them request the overview (``/area/SE``) and the county pages
(``/area/NN``, the 21 counties in turn) as fast as the server answers, one page kind per run, for
``--seconds`` seconds. Prints p50/p95/p99 latency, the throughput, the server's CPU time per request
and the machine's load average per run. The first overview and county page after the server starts
are timed separately as the cold start.

The load generator is ``wrk`` (Debian package ``wrk``: ``apt-get install wrk``), with 50 connections
from one thread by default; each request carries the session cookie of one of the logged-in users in
turn (a Lua script), and every answer other than 200 is counted as an error. ``--tool python`` uses
an httpx generator in this process instead (slower: it competes with the server for the CPU).

Load once, then measure as often as needed against the loaded database::

    lagesbild simulate --preset national --seed 11 --out /tmp/national
    python bench/bench_web.py --world /tmp/national --load-only       # import, link, store estimates
    python bench/bench_web.py --reuse --workers 1,2 --year 2023        # measure (one command)

    python bench/bench_web.py --preset ostergotland --db postgresql+psycopg://postgres@127.0.0.1:5432/x

Prints figures; it asserts nothing (docs/benchmarks.md keeps them).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import re
import shutil
import signal
import socket
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


async def run_load(
    base: str, names: list[str], seconds: float, max_requests: int, year: int, pages: set[str] | None = None
) -> dict[str, list[float]]:
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
                page = random.choice(sorted(pages or {"overview", "county"}))
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


WRK_SCRIPT = """
cookies = {%(cookies)s}
paths = {%(paths)s}
local i = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function request()
  i = i + 1
  local cookie = "lagesbild_session=" .. cookies[(i %% #cookies) + 1]
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Cookie"] = cookie})
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  local fmt = "RESULT n=%%d seconds=%%.3f bad=%%d socket_errors=%%d p50=%%.3f p95=%%.3f p99=%%.3f max=%%.3f\\n"
  io.write(string.format(fmt,
    summary.requests, summary.duration / 1e6, b, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def run_wrk(
    base: str, cookies: list[str], paths: list[str], seconds: float, connections: int, home: Path
) -> dict[str, float]:
    """One wrk run; returns n, seconds, bad (non-200 answers), socket_errors, p50/p95/p99/max (ms)."""
    script = home / "bench.lua"

    def quote(xs: list[str]) -> str:
        return ", ".join(f'"{x}"' for x in xs)  # session tokens and paths hold no quotes

    script.write_text(WRK_SCRIPT % {"cookies": quote(cookies), "paths": quote(paths)})
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds:.0f}s", "--timeout", "10s", "--latency",
           "-s", str(script), base]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise SystemExit("wrk printed no result:\n" + out)
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


async def _cookies(base: str, names: list[str]) -> list[str]:
    out = []
    for name in names:  # one at a time: logins are deliberately slow (argon2)
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            await _login(c, name)
            out.append(c.cookies["lagesbild_session"])
    return out


def start_server(db: str, home: Path, workers: int) -> tuple[subprocess.Popen[bytes], str, float]:
    """``lagesbild serve``'s app under uvicorn; returns the process, its address and the seconds until
    the login page answered."""
    port = _free_port()
    env = {**os.environ, "LAGESBILD_DB": db, "LAGESBILD_HOME": str(home)}
    cmd = [sys.executable, "-m", "uvicorn", "lagesbild.web._factory:app", "--factory", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
           "--loop", "uvloop", "--http", "httptools"]  # fmt: skip
    t = time.perf_counter()
    server = subprocess.Popen(cmd, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(base + "/login", timeout=2)
            return server, base, time.perf_counter() - t
        except httpx.TransportError:
            if time.monotonic() > deadline:
                os.killpg(server.pid, signal.SIGTERM)
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def measure(args: argparse.Namespace, db: str, home: Path, names: list[str], workers: int) -> None:
    server, base, ready = start_server(db, home, workers)
    y = args.year
    try:
        print(f"\n== {workers} worker(s): login page answered {ready:.1f} s after start", flush=True)

        async def cold() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=600) as c:
                await _login(c, names[0])
                for path in (f"/area/SE?year={y}", f"/area/01?year={y}", f"/area/SE?year={y}"):
                    t = time.perf_counter()
                    r = await c.get(path)
                    print(f"first {path}: {r.status_code} {1000 * (time.perf_counter() - t):.0f} ms", flush=True)

        asyncio.run(cold())
        cookies = asyncio.run(_cookies(base, names))
        for c in cookies:  # every session works (a redirect to the login would look like a fast answer)
            assert httpx.get(f"{base}/area/SE?year={y}", cookies={"lagesbild_session": c}).status_code == 200
        runs = {"overview": [f"/area/SE?year={y}"], "county": [f"/area/{k}?year={y}" for k in counties()]}
        for page, paths in runs.items():
            for p in paths:  # each county page once, so that no run starts with a first view
                httpx.get(base + p, cookies={"lagesbild_session": cookies[0]}, timeout=600)
            load = os.getloadavg()
            cpu0 = server_cpu_seconds(server.pid)
            if args.tool == "wrk":
                r = run_wrk(base, cookies, paths, args.seconds, args.users, home)
            else:
                lat = asyncio.run(run_load(base, names, args.seconds, args.requests, y, {page}))[page]
                r = {"n": len(lat), "seconds": args.seconds, "bad": 0, "socket_errors": 0, "p50": pct(lat, 0.5),
                     "p95": pct(lat, 0.95), "p99": pct(lat, 0.99), "max": pct(lat, 1.0)}  # fmt: skip
            cpu = server_cpu_seconds(server.pid) - cpu0
            print(f"{page:8s} workers={workers} {args.tool} c={args.users}: {r['n']:,.0f} requests in "
                  f"{r['seconds']:.0f} s = {r['n'] / r['seconds']:,.0f}/s; p50 {r['p50']:.1f} ms, "
                  f"p95 {r['p95']:.1f} ms, "
                  f"p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms; {r['bad']:.0f} non-200, "
                  f"{r['socket_errors']:.0f} socket errors; server CPU {1000 * cpu / max(r['n'], 1):.2f} ms/request; "
                  f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--world", type=Path, help="a simulated world (lagesbild simulate --out DIR)")
    ap.add_argument("--preset", default="national", help="simulate this preset when --world is not given")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-observations", type=int, default=None, help="import only the first N observations")
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_web",
                    help="the store (an empty database unless --reuse; PostgreSQL by default)")  # fmt: skip
    ap.add_argument("--reuse", "--skip-load", dest="reuse", action="store_true",
                    help="the store is loaded already (by an earlier --load-only): measure only")  # fmt: skip
    ap.add_argument("--load-only", action="store_true", help="load the world, store the estimates, add the users; stop")
    ap.add_argument("--no-precompute", action="store_true", help="let the first page views compute the estimates")
    ap.add_argument("--users", type=int, default=50, help="logged-in users = concurrent connections")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    ap.add_argument("--requests", type=int, default=1_000_000, help="--tool python: stop after this many")
    ap.add_argument("--workers", default="1,2", help="web worker processes; several counts separated by commas")
    ap.add_argument("--tool", choices=("wrk", "python"), default="wrk", help="the load generator")
    ap.add_argument("--year", type=int, default=2024, help="the year the pages show (the estimates stored for it)")
    args = ap.parse_args()
    if args.tool == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --tool python")

    db = _normalize_db_url(args.db)
    home = Path(tempfile.mkdtemp(prefix="bench-web-"))
    if args.reuse:
        create_key(home / "secret.key")
    else:
        world = args.world
        if world is None:
            from lagesbild.simulate import load_config, simulate

            world = home / "world"
            t = time.perf_counter()
            simulate(load_config(args.preset), seed=args.seed, out_dir=world)
            print(f"simulated {args.preset} in {time.perf_counter() - t:.1f} s", flush=True)
        load(world, db, home, args.max_observations)
    if not args.no_precompute and not args.reuse:
        # As a deployment does after each import (`lagesbild estimate run --area all`): the estimates of
        # Sweden and the counties computed together and stored, for every year; the pages then only read them.
        from datetime import date

        from lagesbild.estimate.suite import ensure_suites

        with Store.open(db) as store:
            years = sorted({int(r.period) for r in store.observation_counts(period="year")})
            for y in years:
                t = time.perf_counter()
                ensure_suites(store, ["SE", *counties()], date(y, 1, 1), date(y, 12, 31))
                print(f"estimates of SE and 21 counties for {y} computed and stored in {time.perf_counter() - t:.1f} s",
                      flush=True)  # fmt: skip
    names = add_users(db, args.users)
    if args.load_only:
        print(f"loaded; measure with: python {sys.argv[0]} --reuse --db {args.db}")
        return
    for w in (int(x) for x in args.workers.split(",")):
        measure(args, db, home, names, w)


if __name__ == "__main__":
    main()
