"""Benchmark the observation counts behind the dashboard's first view (``store/counts.py``).

Imports a simulated world into a SQLite store (or uses one already imported), then times

* counting directly over every observation, per year, month and day (what the first view waited for
  before the counts were kept in a table), one after the other;
* the first read of the kept counts (the table is built: once in a store's life);
* a later read in a new process (the common cold start: nothing new since the last read);
* a small import (one simulated day's sightings, re-dated) folded in at the next read;
* the dashboard's data for the overview (``WebData.area("SE", year, compute=False)``) in a fresh
  ``WebData``: the counts without the estimates, directly and from the kept table.

Usage::

    lagesbild simulate --preset national --seed 11 --out /tmp/national
    python bench/bench_counts.py --world /tmp/national --db /tmp/national.db      # imports once, then times

Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from lagesbild.ingest import import_file
from lagesbild.privacy import Pseudonymizer, create_key, load_key
from lagesbild.store import Store, counts
from lagesbild.web.data import WebData


def _timed(label: str, fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    dt = time.perf_counter() - t
    print(f"{label:<62} {dt:8.2f} s", flush=True)
    return dt


def _one_day(world: Path, home: Path, shift: int) -> Path:
    """The sightings of the world's last day, moved ``shift`` days later (new observations, mostly known ads)."""
    lines: list[dict[str, object]] = []
    with gzip.open(world / "observations.jsonl.gz", "rt", encoding="utf-8") as f:
        last = ""
        for line in f:
            rec = json.loads(line)
            day = str(rec["seen_at"])[:10]
            if day != last:
                last, lines = day, []
            lines.append(rec)
    out = home / "next-day.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for rec in lines:
            d = str(rec["seen_at"])
            rec["seen_at"] = (date.fromisoformat(d[:10]) + timedelta(days=shift)).isoformat() + d[10:]
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--world", type=Path, required=True, help="A simulated world (lagesbild simulate --out).")
    ap.add_argument("--db", type=Path, required=True, help="The SQLite file (imported into when it is new).")
    ap.add_argument(
        "--shift-days", type=int, default=1, help="Days after the last the extra day is put (a new one per run)."
    )
    args = ap.parse_args()
    home = args.db.parent
    key = home / (args.db.stem + ".key")
    url = f"sqlite:///{args.db}"
    if not args.db.exists():
        create_key(key)
        with Store.open(url) as store:
            pz = Pseudonymizer(load_key(key))
            store.bind_key(pz.fingerprint)
            t = time.perf_counter()
            s = import_file(store, pz, args.world / "observations.jsonl.gz", parallel=None)
            print(f"imported {s.n_records:,} observations in {time.perf_counter() - t:.1f} s", flush=True)
    pz = Pseudonymizer(load_key(key))
    with Store.open(url) as store:
        with store.engine.begin() as conn:  # start from a store whose counts were never kept
            conn.execute(text("DELETE FROM observation_counts"))
            conn.execute(text("DELETE FROM observation_counts_state"))
            n = conn.execute(text("SELECT COUNT(*) FROM observations")).scalar_one()
        print(f"{n:,} observations in {args.db}")

        def direct() -> None:
            with store.engine.connect() as conn:
                for w in counts.KINDS.values():
                    counts.scan_rows(conn, w, None, None)

        def kept() -> None:
            for period in counts.KINDS:
                store.observation_counts(period=period)

        _timed("counted directly (year, month, day, one after the other)", direct)
        _timed("kept counts, first read (built)", kept)
    with Store.open(url) as store:
        _timed("kept counts, a new process, nothing new", kept)
        rows = store.observation_counts(period="year")
        per_year: dict[str, int] = {}
        for r in rows:
            per_year[r.period] = per_year.get(r.period, 0) + r.observations
        year = int(max(per_year, key=lambda p: per_year[p]))  # the busiest year
        _timed(
            f"overview data, fresh WebData, kept counts ({year})",
            lambda: WebData(store).area("SE", year, compute=False),
        )
        real = counts.refresh
        counts.refresh = lambda engine: False
        try:
            _timed(
                f"overview data, fresh WebData, counted directly ({year})",
                lambda: WebData(store).area("SE", year, compute=False),
            )
        finally:
            counts.refresh = real
        day = _one_day(args.world, home, args.shift_days)
        t = time.perf_counter()
        s = import_file(store, pz, day, parallel=None)
        print(f"imported one more day: {s.n_new:,} new observations in {time.perf_counter() - t:.1f} s")
        _timed("kept counts after that import (folded in)", kept)
        _timed("kept counts, nothing new", kept)


if __name__ == "__main__":
    main()
