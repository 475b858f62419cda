#!/usr/bin/env python3
"""Benchmark: import throughput into SQLite (issue target: >= 50,000 observations/s, peak memory < 500 MB).

    python bench/bench_import.py [--n 1000000] [--keep]

Generates a JSONL file of synthetic observations (like a long monitoring run: ads seen on many
days, 1-2 phone numbers each, numbers also written in the text, Swedish place names), then imports
it with ``lagesbild.ingest.import_file`` into a fresh SQLite database, and prints observations per
second and the peak resident memory of the import. Phone numbers are drawn at random at run time
and never saved outside the temporary folder.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import orjson

from lagesbild.ingest import import_file
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store

PLACES = [
    "Linköping",
    "Norrköping city",
    "Sthlm",
    "Södermalm",
    "Gbg",
    "Hisingen",
    "Malmö",
    "Uppsala",
    "Västerås",
    "Örebro",
    "Nkpg",
    "Lkpg",
    "Motala",
    "Jönköping",
    "Umeå",
    "Kista",
    "nära Centralen",
    "Helsingborg",
]
WORDS = [
    "hej",
    "jag",
    "är",
    "ny",
    "i",
    "stan",
    "och",
    "finns",
    "här",
    "bara",
    "några",
    "dagar",
    "välkommen",
    "att",
    "höra",
    "av",
    "dig",
    "diskret",
    "trevlig",
    "mötesplats",
    "centralt",
    "läge",
    "ring",
    "eller",
    "sms",
    "bokning",
    "i",
    "förväg",
]


def generate(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    n_ads = max(1, n // 20)
    ads = []
    for a in range(n_ads):
        phones = [
            f"07{rng.choice('0236')}-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            for _ in range(rng.choice((1, 1, 2)))
        ]
        body = " ".join(rng.choices(WORDS, k=40))
        if rng.random() < 0.5:
            body += f" Ring {phones[0]}"
        ads.append((a, phones, body, rng.choice(PLACES), rng.randint(19, 45)))
    with path.open("wb") as f:
        for i in range(n):
            a, phones, body, place, age = ads[i % n_ads]
            day = i // n_ads
            rec = {
                "site": "bench",
                "site_ad_id": str(a),
                "seen_at": f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T12:00:00Z",
                "title": f"Ny i stan – {place}",
                "body": body,
                "location": place,
                "age": age,
                "phones": phones,
                "price": "1500kr/30min",
                "language": "sv",
            }
            f.write(orjson.dumps(rec) + b"\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=1_000_000, help="observations (default 1,000,000)")
    ap.add_argument("--single", action="store_true", help="one process (no worker) for reading and validating")
    ap.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file); e.g. a PostgreSQL schema")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bench.jsonl"
        t = time.perf_counter()
        generate(data, args.n)
        print(
            f"generated {args.n:,} observations ({data.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s"
        )
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store = Store.open(args.db or f"sqlite:///{tmp}/bench.db")
        t, c = time.perf_counter(), time.process_time()
        summary = import_file(store, Pseudonymizer(bytes(32)), data, parallel=not args.single)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
        store.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"imported {summary.n_new:,} observations in {elapsed:.1f} s: {summary.n_new / elapsed:,.0f} observations/s"
        )
        wcpu = worker_cpu.ru_utime + worker_cpu.ru_stime
        busiest = max(cpu, wcpu)
        print(
            f"CPU time: main process {cpu:.1f} s, worker {wcpu:.1f} s; the busier one bounds the rate on two idle "
            f"cores: {summary.n_new / busiest:,.0f} observations/s"
        )
        print(
            f"peak resident memory: main {peak:.0f} MB (before import: {rss_before:.0f} MB), "
            f"worker {worker_peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
