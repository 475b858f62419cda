"""Benchmark: observations normalized per second on one core; an archive re-normalized on two.

Prints, for one core (this process; the best of three runs, as CPU time so that other
work on the machine counts less):

* novel text, labelled-set style: 20,000 distinct ads from the evaluation set's generator
  (``tests/normalize/make_eval_set.py``), every text-level cache cleared first;
* novel text, simulator style: every distinct ad text of a simulated market (preset
  ``ostergotland``, seed 7), caches cleared;
* repeated text as an archive holds it: the same market's observation stream in order
  (one line per ad per day it is online; each text recurs about nine times), with the
  per-ad cache, which is what re-normalizing stored observations costs per observation;
* the privacy scrub path (``find_phones``, ``find_emails``, ``find_handles``) per text;

and then builds a SQLite archive of ``--archive`` observations (default 1,000,000) with
the simulator's repeat structure (scrubbed texts, each seen 1-16 days) and re-normalizes
it with :func:`lagesbild.normalize.run.normalize_store` (``all=True``) on two worker
processes, timing the real run and scaling it to 5 million observations.

Run: ``python bench/bench_normalize.py [--archive 5000000] [--skip-archive]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from lagesbild.normalize import ad as ad_module
from lagesbild.normalize import languages, places
from lagesbild.normalize.identifiers import find_emails, find_handles, find_phones
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store

ROOT = Path(__file__).resolve().parents[1]
Ad = tuple[str | None, str | None, str | None]
ARCHIVE_TARGET = 5_000_000
START = date(2024, 1, 1)


def _clear_text_caches() -> None:
    """Forget every answer keyed by a whole text (word-level caches stay warm, as in any long run)."""
    # getattr: the benchmark also runs against older versions of the package, for before/after figures
    for cached in (
        ad_module._normalize,
        places.resolve_place,
        getattr(places, "_scan_location", None),
        languages.written_language,
    ):
        if cached is not None:
            cached.cache_clear()


def _generated(n: int, seed: int = 11) -> list[Ad]:
    sys.path.insert(0, str(ROOT / "tests" / "normalize"))
    import make_eval_set as gen

    rng = random.Random(seed)
    out: dict[Ad, None] = {}
    i = 0
    while len(out) < n:
        r = gen.templated(rng, i)
        out[(r["title"], r["body"], r["location"])] = None
        i += 1
    return list(out)


def _market(folder: Path) -> tuple[list[Ad], list[Ad]]:
    """(distinct ad texts, the observation stream) of a simulated market."""
    simulate(load_config("ostergotland"), 7, folder)
    with gzip.open(folder / "observations.jsonl.gz", "rt", encoding="utf-8") as f:
        stream = [(r.get("title"), r.get("body"), r.get("location")) for r in map(json.loads, f)]
    return list(dict.fromkeys(stream)), stream


def _best_rate(items: Sequence[Ad], run: Callable[[Ad], object], *, clear: bool = True, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        if clear:
            _clear_text_caches()
        t = time.process_time()
        for item in items:
            run(item)
        best = min(best, time.process_time() - t)
    return len(items) / best


def _normalize(a: Ad) -> object:
    return ad_module.normalize_ad(*a)


def _scrub(a: Ad) -> object:
    text = a[1] or ""
    return find_phones(text), find_emails(text), find_handles(text)


def _archive(path: Path, n: int, seed: int = 5) -> int:
    """A store of ``n`` observations: distinct scrubbed ads, each seen on 1-16 consecutive days."""
    rng = random.Random(seed)
    pz = Pseudonymizer(bytes(range(32)))
    contents = _generated(n // 8 + 1, seed=seed)
    rows: list[tuple[object, ...]] = []
    site_ad = 0
    while len(rows) < n:
        title, body, location = contents[site_ad % len(contents)]
        title_s, body_s = (pz.scrub(title).text if title else None), (pz.scrub(body).text if body else None)
        first = rng.randrange(700)
        for day in range(first, first + rng.randint(1, 16)):
            seen = (START + timedelta(days=day)).strftime("%Y-%m-%dT12:00:00Z")
            rows.append((
                "bench", f"ad{site_ad}", seen, None, title_s, body_s, location,
                None, None, None, None, None, None, None, "", "", "", "", None,
            ))  # fmt: skip
        site_ad += 1
    rows = rows[:n]
    with Store.open(f"sqlite:///{path}") as store:
        batches = (rows[i : i + 50_000] for i in range(0, len(rows), 50_000))
        store.import_observation_rows(batches, source="bench", sha256="0" * 64)
    return len(contents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=int, default=1_000_000, help="observations in the archive run")
    parser.add_argument("--skip-archive", action="store_true", help="one-core figures only")
    args = parser.parse_args()

    generated = _generated(20_000)
    ad_module.normalize_ad(*generated[0])  # load rules, gazetteer, language model
    with tempfile.TemporaryDirectory() as tmp:
        distinct, stream = _market(Path(tmp) / "market")
        novel_gen = _best_rate(generated, _normalize)
        novel_sim = _best_rate(distinct, _normalize)
        repeated = _best_rate(stream, _normalize)
        scrub = _best_rate(generated, _scrub)
        print("One core (best of 3, CPU time):")
        print(f"  novel text, generated ads ({len(generated):,} distinct):        {novel_gen:10,.0f} observations/s")
        print(f"  novel text, simulator ad texts ({len(distinct):,} distinct):      {novel_sim:10,.0f} observations/s")
        print(
            f"  simulator observation stream ({len(stream):,} obs, "
            f"{len(stream) / len(distinct):.1f} per text): {repeated:10,.0f} observations/s"
        )
        print(f"  privacy scrub path (phones, e-mails, handles):        {scrub:10,.0f} texts/s")
        if args.skip_archive:
            return
        db = Path(tmp) / "archive.db"
        t = time.perf_counter()
        n_contents = _archive(db, args.archive)
        built = time.perf_counter() - t
        print(f"Archive: {args.archive:,} observations, {n_contents:,} distinct ads, built in {built:.0f} s")
        from lagesbild.normalize.run import normalize_store  # not in versions before the runner

        _clear_text_caches()
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        with Store.open(f"sqlite:///{db}") as store:
            s = normalize_store(store, all=True, workers=2)
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        main_cpu, workers_cpu = (
            a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before, strict=True)
        )
        scale = ARCHIVE_TARGET / s.n_normalized
        # With two free cores the run takes about the larger of the main process's CPU time
        # and half of all CPU time; on a shared machine the wall time is longer.
        ideal = max(main_cpu, (main_cpu + workers_cpu) / 2)
        print(
            f"  normalize --all, 2 workers: {s.n_normalized:,} observations ({s.n_distinct:,} texts normalized) "
            f"in {s.seconds:.1f} s wall = {s.per_second:,.0f} observations/s; "
            f"CPU {main_cpu:.1f} s main + {workers_cpu:.1f} s workers"
        )
        print(
            f"  5,000,000 observations: {s.seconds * scale / 60:.1f} min at this wall time, "
            f"{ideal * scale / 60:.1f} min on two free cores (target: under 10 min)"
        )


if __name__ == "__main__":
    main()
