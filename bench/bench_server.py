#!/usr/bin/env python3
"""Benchmark: pages per second the simulator's web server serves on loopback (target: >= 500).

    python bench/bench_server.py [--dir OUT] [--ads 20000] [--days 60] [--threads 4] [--day N]

Serves a simulator output folder (``--dir``; by default a generated sample: three sites, one
per layout, ``--ads`` ad versions each over ``--days`` days) with :class:`SimServer` in a
separate process, so that the clients do not share its interpreter. Then ``--threads`` plain
``http.client`` keep-alive connections crawl one simulated day the way a crawler would (each
city's listing pages through their "next" links, then every ad's detail page), twice:

* cold: every page is rendered for the first time;
* warm: the same pages again, served from the server's page cache.

Prints pages per second for both, and the server's own count from its access log.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from queue import Empty, Queue
from typing import Any
from urllib.parse import urljoin

import orjson

from lagesbild.simulate.server import SimServer, write_sample_sites

AD_LINK = re.compile(r'href="([^"]*/annons/[^"]+)"')
NEXT_TAG = re.compile(r'<a [^>]*(?:rel="next"|class="next-page")[^>]*>')
HREF = re.compile(r'href="([^"]*)"')


def _serve(out_dir: str, conn: Connection) -> None:
    with SimServer(Path(out_dir), port=0) as server:
        conn.send(server.port)
        conn.recv()  # wait for "stop"


class Crawler:
    """One keep-alive connection crawling a day's pages; counts pages and bytes."""

    def __init__(self, port: int, day: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"X-Sim-Day": str(day), "User-Agent": "lagesbild-bench/1.0"}
        self.pages = 0
        self.bytes = 0

    def get(self, path: str) -> str:
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: HTTP {r.status}")
        self.pages += 1
        self.bytes += len(body)
        return body.decode("utf-8")

    def city(self, start: str) -> Iterator[str]:
        """Follow a city's listing pages; yield the ad detail paths found."""
        url: str | None = start
        while url is not None:
            html = self.get(url)
            for href in AD_LINK.findall(html):
                yield urljoin(url, href.replace("&amp;", "&"))
            tag = NEXT_TAG.search(html)
            url = urljoin(url, HREF.findall(tag.group(0))[0]) if tag else None


def crawl_day(port: int, day: int, cities: list[str], threads: int) -> tuple[int, float]:
    """Crawl every city with ``threads`` connections: listings first, then ad pages. Returns (pages, seconds)."""
    tasks: Queue[str] = Queue()
    for c in cities:
        tasks.put(c)
    ad_paths: Queue[str] = Queue()
    crawlers = [Crawler(port, day) for _ in range(threads)]

    def listings(cr: Crawler) -> None:
        while True:
            try:
                city = tasks.get_nowait()
            except Empty:
                return
            for p in cr.city(city):
                ad_paths.put(p)

    def details(cr: Crawler) -> None:
        while True:
            try:
                path = ad_paths.get_nowait()
            except Empty:
                return
            cr.get(path)

    t0 = time.perf_counter()
    for stage in (listings, details):
        workers = [threading.Thread(target=stage, args=(cr,)) for cr in crawlers]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    elapsed = time.perf_counter() - t0
    for cr in crawlers:
        cr.conn.close()
    return sum(cr.pages for cr in crawlers), elapsed


def _get_json(port: int, path: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    data = orjson.loads(conn.getresponse().read())
    conn.close()
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, help="a simulator output folder (default: a generated sample)")
    ap.add_argument("--ads", type=int, default=20000, help="ad versions per site in the generated sample")
    ap.add_argument("--days", type=int, default=60, help="days of the generated sample")
    ap.add_argument("--day", type=int, default=None, help="the simulated day to crawl (default: the middle day)")
    ap.add_argument("--threads", type=int, default=4, help="client connections")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = args.dir
        if out is None:
            out = Path(tmp)
            t = time.perf_counter()
            write_sample_sites(out, n_ads=args.ads, days=args.days, seed=1)
            print(f"generated sample: 3 sites x {args.ads} ad versions in {time.perf_counter() - t:.1f} s")
        parent, child = mp.Pipe()
        proc = mp.get_context("spawn").Process(target=_serve, args=(str(out), child), daemon=True)
        t = time.perf_counter()
        proc.start()
        port = parent.recv()
        print(f"server up on 127.0.0.1:{port} in {time.perf_counter() - t:.1f} s (loading included)")
        state = _get_json(port, "/_control/state")
        cities = [f"/{name}/stad/{c}/" for name, site in state["sites"].items() for c in site["cities"]]
        day = args.day if args.day is not None else (state["first_day"] + state["last_day"]) // 2
        try:
            for label in ("cold", "warm"):
                pages, secs = crawl_day(port, day, cities, args.threads)
                print(
                    f"{label}: {pages} pages in {secs:.2f} s = {pages / secs:,.0f} pages/s "
                    f"({args.threads} keep-alive connections, day {day})"
                )
            state = _get_json(port, "/_control/state")
            print(f"server log: {state['requests_logged']} requests")
        finally:
            parent.send("stop")
            proc.join(10)


if __name__ == "__main__":
    main()
