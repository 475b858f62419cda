"""Benchmark of linking: time and peak memory for 10k, 100k and 1M observations, and scores.

Each size runs in its own process (so that peak memory is its own): the first N observations
of a simulated world (whole days) are imported into a fresh SQLite store (not timed as
linking), fully linked, then each of the next ``--days`` days is imported and linked
incrementally, with the run's breakdown and how many site ads it clustered again (issue 18:
only the region the day's ads touch). After the last day the stored ids are compared with a
clustering of every stored site ad from scratch. The linking is scored against the
simulator's truth.

Usage::

    python bench/bench_link.py --world /tmp/world              # a folder written by `lagesbild simulate`
    python bench/bench_link.py --preset national --seed 7      # simulate first (about 90 s)
    python bench/bench_link.py --world /tmp/world --sizes 10000,100000
    python bench/bench_link.py --world /tmp/world --sizes 1000000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/
    python bench/bench_link.py --world /tmp/national7 --sizes 1000000,2150000 --days 3
    python bench/bench_link.py --world /tmp/long7 --one 5000000 --days 3 --keep /tmp/incr/5m.db  # again: same

Times are wall clock and CPU time of this process (``*_cpu_s``): on a shared machine the
difference shows how much of the wall time was waiting for the other core.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np


def _split(world: Path, n: int, out: Path, n_days: int = 1) -> tuple[Path, list[tuple[Path, str]]]:
    """Write the first ``n`` observations (whole days) and each of the ``n_days`` following days to files."""
    head = out / "head.jsonl.gz"
    lines: dict[str, list[str]] = {}
    last = None
    with (
        gzip.open(world / "observations.jsonl.gz", "rt", encoding="utf-8") as f,
        gzip.open(head, "wt", encoding="utf-8", compresslevel=1) as h,
    ):
        for k, line in enumerate(f):
            i = line.index('"seen_at":"') + 11
            when = line[i : i + 10]
            if not lines and (k < n or when == last):
                h.write(line)
                last = when
                continue
            if when not in lines and len(lines) == n_days:
                break
            lines.setdefault(when, []).append(line)
    days = []
    for k, (when, ls) in enumerate(lines.items()):
        path = out / f"day{k}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as d:
            d.writelines(ls)
        days.append((path, when))
    return head, days


class _Timings(logging.Handler):
    """Keeps the runner's ``timings:`` log lines (the breakdown of each run)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if msg.startswith("timings:"):
            self.lines.append(msg.removeprefix("timings: "))


def _pg_store(server: str, name: str) -> object:
    """A fresh PostgreSQL database ``name`` on ``server`` (a URL ending in ``/``), as a Store."""
    from lagesbild.store import Store

    _pg_admin(server, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    return Store.open(server + name)


def _pg_admin(server: str, *sql: str) -> None:
    """Run statements on ``server``'s maintenance database (outside a transaction, as CREATE DATABASE needs)."""
    import sqlalchemy as sa

    e = sa.create_engine(server + "postgres", isolation_level="AUTOCOMMIT")
    with e.connect() as c:
        for q in sql:
            c.execute(sa.text(q))
    e.dispose()


def _pg_kept(keep: str, n: int) -> str:
    """The name of the template database a PostgreSQL ``--keep`` run keeps its linked store in."""
    return f"bench_kept_{n}_" + "".join(ch if ch.isalnum() else "_" for ch in Path(keep).stem.lower())


def one(
    world: Path,
    n: int,
    pg: str | None = None,
    n_days: int = 1,
    profile: str | None = None,
    keep: str | None = None,
    check: bool = True,
) -> dict[str, object]:
    """Run one size in this process and return its figures (SQLite, or PostgreSQL on server ``pg``)."""
    from lagesbild.ingest import import_file
    from lagesbild.link import bcubed, pairwise, relink_stored, run, simulator_truth
    from lagesbild.privacy import Pseudonymizer
    from lagesbild.store import Store
    from lagesbild.store.links import LinkStore

    timings = _Timings()
    logging.getLogger("lagesbild.link.runner").addHandler(timings)
    logging.getLogger("lagesbild.link.runner").setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        pz = Pseudonymizer(bytes(range(32)))
        reuse = bool(keep and Path(keep).exists())
        store: object
        if reuse and pg:
            # a PostgreSQL store kept by an earlier --keep run: a copy of its template database, its days
            assert keep is not None
            kept = Path(keep).with_suffix(".days")
            name = f"bench_link_{n}"
            _pg_admin(
                pg,
                f"DROP DATABASE IF EXISTS {name}",
                f"CREATE DATABASE {name} TEMPLATE {Path(keep).read_text().strip()}",
            )
            n_kept = len(list(kept.glob("day*.jsonl.gz")))
            day_files = [(kept / f"day{k}.jsonl.gz", f"day{k}") for k in range(min(n_days, n_kept))]
            opened = Store.open(pg + name)
            n_head = opened.count_observations()
            store = opened
            imp, t_import, full, full_cpu = None, 0.0, None, 0.0
        elif reuse:
            # a store kept by an earlier --keep run (fully linked), and its days: measure the days again
            import shutil

            assert keep is not None
            kept = Path(keep).with_suffix(".days")
            # the copy beside the days holds the store with its write-ahead log, if any
            for name in ("bench.db", "bench.db-wal"):
                if (kept / name).exists():
                    shutil.copy(kept / name, t / name)
            if not (kept / "bench.db").exists():
                shutil.copy(keep, t / "bench.db")
            n_kept = len(list(kept.glob("day*.jsonl.gz")))
            day_files = [(kept / f"day{k}.jsonl.gz", f"day{k}") for k in range(min(n_days, n_kept))]
            opened = Store.open(f"sqlite:///{t / 'bench.db'}")
            n_head = opened.count_observations()
            store = opened
            imp, t_import, full, full_cpu = None, 0.0, None, 0.0
        else:
            head, day_files = _split(world, n, t, n_days)
            store = _pg_store(pg, f"bench_link_{n}") if pg else Store.open(f"sqlite:///{t / 'bench.db'}")
            t0 = time.perf_counter()
            imp = import_file(store, pz, head, parallel=n >= 200_000)  # type: ignore[arg-type]
            t_import = time.perf_counter() - t0
            c0 = time.process_time()
            full = run(store, full=True)  # type: ignore[arg-type]
            full_cpu = time.process_time() - c0
            n_head = imp.n_new
            if keep and pg:
                # the linked store as a template database (no connection may be open to copy it), the days beside
                import shutil

                store.close()  # type: ignore[attr-defined]
                kept_db = _pg_kept(keep, n)
                _pg_admin(
                    pg, f"DROP DATABASE IF EXISTS {kept_db}", f"CREATE DATABASE {kept_db} TEMPLATE bench_link_{n}"
                )
                shutil.copytree(t, Path(keep).with_suffix(".days"), dirs_exist_ok=True)
                Path(keep).write_text(kept_db + "\n", encoding="utf-8")
                store = Store.open(pg + f"bench_link_{n}")
            elif keep:
                import shutil

                with store.engine.connect() as conn:  # type: ignore[attr-defined]
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone is the store
                shutil.copy(t / "bench.db", keep)
                shutil.copytree(t, Path(keep).with_suffix(".days"), dirs_exist_ok=True)
        days = []
        n_inc = 0
        for path, day_name in day_files:
            import_file(store, pz, path)  # type: ignore[arg-type]
            timings.lines.clear()
            c0 = time.process_time()
            if profile and not days:
                import cProfile

                with cProfile.Profile() as prof:
                    inc = run(store)  # type: ignore[arg-type]
                prof.dump_stats(profile)
            else:
                inc = run(store)  # type: ignore[arg-type]
            inc_cpu = time.process_time() - c0
            n_inc += inc.n_observations
            days.append(
                {
                    "day": day_name,
                    "obs": inc.n_observations,
                    "wall_s": round(inc.seconds, 2),
                    "cpu_s": round(inc_cpu, 2),
                    "clustered_site_ads": inc.n_clustered,
                    "quiet_site_ads": inc.n_quiet,
                    "site_ads": inc.n_site_ads,
                    "breakdown": timings.lines[-1] if timings.lines else "",
                }
            )
            print(f"day {len(days)}: {json.dumps(days[-1])}", file=sys.stderr, flush=True)  # as it goes
        if not check:  # timings only (a repeat on a kept store): no clustering from scratch, no scores
            store.close()  # type: ignore[attr-defined]
            return {
                "observations": n_head + n_inc,
                "backend": "postgresql" if pg else "sqlite",
                "incremental_days": days,
            }
        stored = LinkStore(store).labels()  # type: ignore[arg-type]
        ads, linked = relink_stored(store)  # type: ignore[arg-type]
        store.close()  # type: ignore[attr-defined]
    # the incremental runs' stored ids against a clustering of every stored site ad from scratch
    equal = stored == dict(zip(linked.result.keys, linked.result.all_ids(), strict=True))
    print(f"equal to a clustering from scratch: {equal}", file=sys.stderr, flush=True)
    truth = simulator_truth(world)
    r = linked.result
    w = np.array([a.n_obs for a in ads.ads])

    def labels(d: Mapping[tuple[str, str], object]) -> np.ndarray:
        return np.repeat(np.array([d[k] for k in r.keys], dtype=object), w)

    scores = {
        name: bcubed(np.repeat(pred, w), labels(t)).__dict__
        for name, pred, t in (
            ("ad", r.ad, truth.ad),
            ("person", r.person, truth.person),
            ("advertiser", r.advertiser, truth.advertiser),
        )
    }
    persona = {k: v or truth.person[k] for k, v in truth.seller.items()}  # scams: their advertiser
    scores["persona"] = bcubed(np.repeat(r.person, w), labels(persona)).__dict__
    scores["network_pairwise"] = pairwise(np.repeat(r.network, w).astype(object), labels(truth.network)).__dict__
    seen = {truth.person[k] for k in r.keys}
    return {
        "observations": n_head + n_inc,
        "import_s": round(t_import, 1),
        "backend": "postgresql" if pg else "sqlite",
        "full_s": round(full.seconds, 1) if full else 0.0,
        "full_cpu_s": round(full_cpu, 1),
        "incremental_day": days[0]["day"],
        "incremental_obs": days[0]["obs"],
        "incremental_s": days[0]["wall_s"],
        "incremental_cpu_s": days[0]["cpu_s"],
        "incremental_days": days,
        "incremental_equals_full": equal,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "site_ads": inc.n_site_ads,
        "ads": inc.n_ads,
        "persons": inc.n_persons,
        "personas": len(r.person_ids),
        "suspected_scams": inc.n_suspected_fake,
        "advertisers": inc.n_advertisers,
        "networks": inc.n_networks,
        "true_persons": len({p for p in seen if not p.startswith("scam-")}),
        "true_sellers": len({truth.seller[k] for k in r.keys if truth.seller[k]}),
        "true_scams": len({p for p in seen if p.startswith("scam-")}),
        "true_networks": len({truth.network[k] for k in r.keys} - {None}),
        "shared_numbers": len(r.shared_numbers),
        "scores": scores,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--world", type=Path, help="a simulator output folder")
    p.add_argument("--preset", default="national")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--pg", help="link on PostgreSQL: a server URL ending in '/' (databases bench_link_N are made)")
    p.add_argument("--days", type=int, default=1, help="incremental days linked one by one after the first N")
    p.add_argument("--profile", help="with --one: write a cProfile of the first incremental day to this file")
    p.add_argument(
        "--keep",
        help="with --one: copy the fully linked store to this file (with --pg: to a template database named in "
        "this file), the days beside it; when the file exists, link its days again on a copy of it (no import, "
        "no full run)",
    )
    p.add_argument(
        "--no-check",
        action="store_true",
        help="with --one: time the days only (no comparison with a clustering from scratch, no scores)",
    )
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)
    a = p.parse_args()
    world = a.world
    if world is None or not (world / "observations.jsonl.gz").exists():
        world = world or Path(tempfile.mkdtemp()) / a.preset
        print(f"simulating {a.preset} (seed {a.seed}) into {world} ...", flush=True)
        subprocess.run(
            [
                str(Path(sys.executable).parent / "lagesbild"),
                "simulate",
                "--preset",
                a.preset,
                "--seed",
                str(a.seed),
                "--out",
                str(world),
                "-q",
            ],
            check=True,
        )
    if a.one:
        print(json.dumps(one(world, a.one, a.pg, a.days, a.profile, a.keep, not a.no_check)))
        return
    rows = []
    for n in (int(x) for x in a.sizes.split(",")):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--world",
                str(world),
                "--one",
                str(n),
                "--days",
                str(a.days),
                *(["--pg", a.pg] if a.pg else []),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(res)
        s = res["scores"]
        print(
            f"{res['observations']:>9,} obs ({res['backend']}): full {res['full_s']:6.1f} s "
            f"(cpu {res['full_cpu_s']:.1f} s), incremental day ({res['incremental_obs']:,} obs) "
            f"{res['incremental_s']:5.2f} s (cpu {res['incremental_cpu_s']:.2f} s), "
            f"peak {res['peak_mb']:,} MB | B3 F1 person {s['person']['f1']:.4f} "
            f"persona {s['persona']['f1']:.4f} "
            f"advertiser {s['advertiser']['f1']:.4f} ad {s['ad']['f1']:.4f} | network pairwise F1 "
            f"{s['network_pairwise']['f1']:.4f} (P {s['network_pairwise']['precision']:.4f} R "
            f"{s['network_pairwise']['recall']:.4f}) | equal to a full relink: {res['incremental_equals_full']} "
            f"| persons {res['persons']:,} "
            f"(personas {res['personas']:,}) vs true "
            f"{res['true_persons']:,} persons / {res['true_sellers']:,} sellers; scams {res['suspected_scams']} vs "
            f"{res['true_scams']}; networks {res['networks']} vs {res['true_networks']}",
            flush=True,
        )
        for d in res["incremental_days"]:
            print(
                f"    day {d['day']}: {d['obs']:,} obs, {d['wall_s']:.2f} s (cpu {d['cpu_s']:.2f} s), "
                f"{d['clustered_site_ads']:,} of {d['site_ads']:,} site ads clustered "
                f"({d['quiet_site_ads']:,} seen again as they were); {d['breakdown']}",
                flush=True,
            )
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
