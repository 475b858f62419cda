"""Linking scored on many simulated county worlds: training seeds to tune on, held-out seeds to report.

Each seed's Östergötland world (the ``ostergotland`` preset, two years) is simulated once and
cached under ``--cache`` (default ``/tmp/lagesbild-link-worlds``), in a folder named by the preset,
the seed and a hash of the simulator's code (every file of ``lagesbild/simulate`` and
``lagesbild/refdata``): a change to the simulator makes new worlds instead of reusing stale
ones, uncommitted edits included. ``--sim-src DIR`` runs the simulator from another source tree
(e.g. ``git archive HEAD src | tar -x -C DIR``) while linking runs from this one. Its observations are
pseudonymized and linked in memory (``link_observations``, no store) and scored against the
simulator's truth, one seed after another in this one process.

Seeds: thresholds and rules are chosen on the *training* seeds; the *held-out* seeds of a
round are run once and only reported, then become training (round 1 held out 2001-2020,
round 2 3001-3020, round 3 4001-4020, round 4 6001-6020, round 5 9001-9020, rounds 6-11 11001-11020,
12001-12020, 13001-13020, 14001-14020, 15001-15020 and 16001-16020; docs/link.md, "Held-out evaluation";
the next round holds out 17001-17020).

Usage::

    python bench/bench_link_heldout.py --seeds 4001-4020            # held out: report only
    python bench/bench_link_heldout.py --seeds 101-120 --json out.json

Per seed it prints the network pairwise F1 (precision, recall), person B-cubed F1 against the
personas (what linking can see) and against the true persons, and, when ``--succession`` is
given, the succession-based count of returning women against the truth.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


def parse_seeds(text: str) -> list[int]:
    """``"2001-2020"`` or ``"1,3,5-8"`` -> a list of seeds."""
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def simulator_version(src: Path | None = None) -> str:
    """A hash of the simulator's code and reference data under ``src`` (default: the imported package)."""
    if src is None:
        import lagesbild

        root = Path(lagesbild.__file__).parent
    else:
        root = src / "lagesbild"
    h = hashlib.sha256()
    for sub in ("simulate", "refdata"):
        for f in sorted((root / sub).rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def world(cache: Path, preset: str, seed: int, sim_src: Path | None = None) -> Path:
    """The cached world of ``preset`` and ``seed`` for the current simulator code, simulated on first use."""
    w = cache / f"{preset}-{seed}-sim{simulator_version(sim_src)}"
    if not (w / "truth" / "ads.csv").exists():
        run = "import sys; from lagesbild.cli import main; sys.argv[0] = 'lagesbild'; main()"
        cmd = [sys.executable, "-c", run, "simulate", "--preset", preset, "--seed", str(seed)]
        cmd += ["--out", str(w), "-q"]
        env = dict(os.environ)
        if sim_src is not None:
            env["PYTHONPATH"] = str(sim_src)
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return w


def linked_world(w: Path, settings: dict[str, object]) -> tuple[list[Any], Any, Any, Any]:
    """World ``w``'s observations, linked in memory: ``(observations, site ads, linked, truth)``."""
    from lagesbild.ingest import iter_observations
    from lagesbild.link import LinkSettings, link_observations, simulator_truth
    from lagesbild.privacy import Pseudonymizer

    obs = [o for b in iter_observations(w / "observations.jsonl.gz", Pseudonymizer(bytes(range(32)))) for o in b]
    ads, linked = link_observations(obs, LinkSettings(**settings) if settings else None)  # type: ignore[arg-type]
    return obs, ads, linked, simulator_truth(w)


def score(
    w: Path,
    succession: bool = False,
    settings: dict[str, object] | None = None,
    language_rule: str = "first",
    max_gap_days: int | None = 365,
) -> dict[str, object]:
    """Link one world in memory and score it against its truth."""
    from lagesbild.link import bcubed, pairwise

    t0 = time.perf_counter()
    obs, ads, linked, truth = linked_world(w, settings or {})
    seconds = time.perf_counter() - t0
    r = linked.result
    wt = [a.n_obs for a in ads.ads]

    def labels(d: Mapping[tuple[str, str], object]) -> np.ndarray:
        return np.repeat(np.array([d[a.key] for a in ads.ads], dtype=object), wt)

    def pred(x: np.ndarray) -> np.ndarray:
        return np.repeat(x, wt)

    persona = {k: v or truth.person[k] for k, v in truth.seller.items()}
    net = pairwise(pred(r.network).astype(object), labels(truth.network))
    out: dict[str, object] = {
        "world": w.name,
        "observations": len(obs),
        "seconds": round(seconds, 1),
        "network_f1": round(net.f1, 4),
        "network_precision": round(net.precision, 4),
        "network_recall": round(net.recall, 4),
        "networks": net.n_predicted,
        "true_networks": net.n_true,
        "persona_b3": round(bcubed(pred(r.person), labels(persona)).f1, 4),
        "person_b3": round(bcubed(pred(r.person), labels(truth.person)).f1, 4),
        "advertiser_b3": round(bcubed(pred(r.advertiser), labels(truth.advertiser)).f1, 4),
        "persons": r.n_persons,
        "true_personas": truth.n_sellers,
        "true_persons": truth.n_persons,
    }
    if succession:
        from collections import Counter

        from lagesbild.link.evaluate import simulator_personas
        from lagesbild.link.succession import personas_from_linked, succession_count
        from lagesbild.normalize import languages_offered

        # the languages each site ad says are spoken, as the normalizer reads them (first
        # observation that lists any)
        offered: dict[tuple[str, str], tuple[str, ...]] = {}
        for o in obs:
            k = (o.site, o.site_ad_id)
            if k not in offered or not offered[k]:
                offered[k] = languages_offered(f"{o.title or ''}. {o.body or ''}")
        linked_personas = personas_from_linked(ads, linked, offered, language_rule=language_rule)  # type: ignore[arg-type]
        est = succession_count(linked_personas, max_gap_days=max_gap_days)
        bare = personas_from_linked(ads, linked)
        out["succession_no_languages"] = round(succession_count(bare, max_gap_days=max_gap_days).returning, 1)
        out["succession_returning"] = round(est.returning, 1)
        out["succession_interval"] = [round(est.low, 1), round(est.high, 1)]
        # split personas: linked persons whose ads are mostly one true persona's (seller's) that
        # another linked person has too; each extra part looks like a return when it follows
        seller_obs: dict[int, Counter[str]] = {}
        for i, a in enumerate(ads.ads):
            p = int(r.person[i])
            if not r.fake_person[p]:
                seller_obs.setdefault(p, Counter())[truth.seller[a.key] or f"scam-{truth.advertiser[a.key]}"] += a.n_obs
        majority = [seller_obs[p].most_common(1)[0][0] for p in sorted(seller_obs)]
        parts = Counter(majority)
        out["split_personas"] = sum(v - 1 for v in parts.values())
        out["split_successive_compatible"] = _split_pairs(linked_personas, majority, 4, max_gap_days)
        out["linked_personas"] = len(linked_personas)
        personas, true_returns = simulator_personas(w)  # the truth's home, stated age and first language
        on_truth = succession_count(personas, max_gap_days=max_gap_days)
        out["succession_truth_fields"] = round(on_truth.returning, 1)
        out["succession_truth_interval"] = [round(on_truth.low, 1), round(on_truth.high, 1)]
        out["true_returning"] = true_returns
        out["succession_sd"] = round(est.sd, 2)
        out["persons_by_year"] = _persons_by_year(w, ads, linked, offered, max_gap_days)
    return out


def _persons_by_year(
    w: Path, ads: Any, linked: Any, offered: Mapping[tuple[str, str], tuple[str, ...]], max_gap: int | None
) -> list[dict[str, Any]]:
    """Per calendar year: the true women, and the persons estimate with returns assumed and measured.

    The unit of the persons estimate (docs/methods/runner.md): the linked personas seen in the year
    (suspected fakes left out), less returns and splits; the truth: the simulator's persons with a
    genuine ad up in the year.
    """
    import csv
    from datetime import date, timedelta

    import yaml

    from lagesbild.estimate.activity import activity_distributions, estimate_persons
    from lagesbild.link.succession import personas_from_ads, succession_count

    start = date.fromisoformat(str(yaml.safe_load((w / "config.yaml").read_text())["world"]["start"]))
    with (w / "truth" / "sellers.csv").open(encoding="utf-8") as f:
        person_of = {r["seller_id"]: r["person_id"] for r in csv.DictReader(f)}
    women: dict[int, set[str]] = {}
    with (w / "truth" / "ads.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["seller_id"] and r["is_scam"] != "true":
                y0 = (start + timedelta(days=int(r["first_day"]))).year
                y1 = (start + timedelta(days=int(r["last_day"]))).year
                for y in range(y0, y1 + 1):
                    women.setdefault(y, set()).add(person_of[r["seller_id"]])
    res = linked.result
    person = [None if res.fake_person[int(res.person[i])] else int(res.person[i]) for i in range(len(ads.ads))]
    persona_dist, split_dist = activity_distributions()
    out = []
    for y in sorted(women):
        personas = personas_from_ads(ads.ads, person, offered, period=(f"{y}-01-01", f"{y}-12-31"))
        c = succession_count(personas, max_gap_days=max_gap)
        assumed = estimate_persons(len(personas), persona_dist, split_dist, seed=1)
        measured = estimate_persons(len(personas), persona_dist, split_dist, seed=1, returns=(c.returning, c.sd))
        out.append(
            {
                "year": y,
                "true_women": len(women[y]),
                "personas": len(personas),
                "returning": round(c.returning, 1),
                "sd": round(c.sd, 2),
                "assumed": [assumed.estimate, round(assumed.low, 1), round(assumed.high, 1)],
                "measured": [measured.estimate, round(measured.low, 1), round(measured.high, 1)],
            }
        )
    return out


def _split_pairs(personas: list[Any], majority: list[str], tol: float, max_gap: int | None) -> int:
    """Compatible successive pairs of linked personas that are parts of one true persona (split by linking)."""
    parts: dict[str, list[Any]] = {}
    for p, m in zip(personas, majority, strict=True):
        parts.setdefault(m, []).append(p)
    n = 0
    for group in parts.values():
        for a in group:
            for b in group:
                if not a.last_day < b.first_day:
                    continue
                if max_gap is not None and b.first_day - a.last_day > max_gap:
                    continue
                if a.home is None or a.home != b.home or a.age is None or b.age is None or abs(a.age - b.age) > tol:
                    continue
                n += not a.languages or not b.languages or a.languages == b.languages
    return n


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default="2001-2020")
    p.add_argument("--preset", default="ostergotland")
    p.add_argument("--cache", type=Path, default=Path("/tmp/lagesbild-link-worlds"))
    p.add_argument("--succession", action="store_true", help="also score the succession count of returning women")
    p.add_argument(
        "--language-rule", choices=["first", "all"], default="first", help="languages of a persona (succession)"
    )
    p.add_argument(
        "--max-gap", default="365", help="succession: longest gap of a successive pair in days, or none (any)"
    )
    p.add_argument("--sim-src", type=Path, help="run the simulator from this source tree (holding lagesbild/)")
    p.add_argument("--json", type=Path, help="write the per-seed rows here")
    p.add_argument("--set", action="append", default=[], help="a LinkSettings field: name=value (repeatable)")
    a = p.parse_args()
    settings = {k: json.loads(v) for k, _, v in (x.partition("=") for x in a.set)}
    max_gap = None if a.max_gap == "none" else int(a.max_gap)
    print(f"simulator {simulator_version(a.sim_src)}", flush=True)
    rows: list[dict[str, Any]] = []
    for seed in parse_seeds(a.seeds):
        res = score(world(a.cache, a.preset, seed, a.sim_src), a.succession, settings, a.language_rule, max_gap)
        res["seed"] = seed
        rows.append(res)
        line = (
            f"seed {seed:>5}: network F1 {res['network_f1']:.3f} (P {res['network_precision']:.3f} "
            f"R {res['network_recall']:.3f}; {res['networks']} vs {res['true_networks']}) | B3 persona "
            f"{res['persona_b3']:.3f} person {res['person_b3']:.3f} advertiser {res['advertiser_b3']:.3f}"
        )
        if a.succession:
            line += (
                f" | returning: true {res['true_returning']}, on linked {res['succession_returning']} "
                f"{res['succession_interval']}, on truth fields {res['succession_truth_fields']} "
                f"{res['succession_truth_interval']}; split personas {res['split_personas']} "
                f"({res['split_successive_compatible']} counted as returns)"
            )
        print(line, flush=True)
    f1 = [float(r["network_f1"]) for r in rows]
    print(f"network F1 below 0.90: {sum(x < 0.9 for x in f1)} of {len(f1)}")
    for key in ("network_f1", "network_precision", "persona_b3", "person_b3", "advertiser_b3"):
        v = [float(r[key]) for r in rows]
        worst = rows[int(np.argmin(v))]["seed"]
        print(f"{key:>14}: median {np.median(v):.3f}  min {min(v):.3f} (seed {worst})  mean {np.mean(v):.3f}")
    if a.succession:
        pairs = (
            ("succession_returning", "succession_interval"),
            ("succession_truth_fields", "succession_truth_interval"),
        )
        total = sum(float(r["true_returning"]) for r in rows)
        for key, iv in pairs:
            err = [float(r[key]) - float(r["true_returning"]) for r in rows]
            inside = [r[iv][0] <= r["true_returning"] <= r[iv][1] for r in rows]
            width = np.median([r[iv][1] - r[iv][0] for r in rows])
            print(
                f"{key}: error median {np.median(err):+.1f}, median absolute {np.median(np.abs(err)):.1f}, "
                f"sum {sum(err):+.1f} ({sum(err) / max(total, 1):+.1%}) of {total:.0f} true; interval covers "
                f"{sum(inside)} of {len(rows)} ({np.mean(inside):.0%}), median width {width:.1f}"
            )
        years = [y for r in rows for y in r["persons_by_year"]]
        true_w = sum(y["true_women"] for y in years)
        for how in ("assumed", "measured"):
            e = [y[how][0] - y["true_women"] for y in years]
            rel = [abs(y[how][0] - y["true_women"]) / max(y["true_women"], 1) for y in years]
            inside = [y[how][1] <= y["true_women"] <= y[how][2] for y in years]
            print(
                f"persons (women per county-year), returns {how}: error median {np.median(e):+.1f}, median relative "
                f"{np.median(rel):.1%}, sum {sum(e):+.1f} ({sum(e) / max(true_w, 1):+.1%}) of {true_w} true; 90% "
                f"interval covers {sum(inside)} of {len(years)} ({np.mean(inside):.0%}), median width "
                f"{np.median([y[how][2] - y[how][1] for y in years]):.1f}"
            )
        splits = sum(int(r["split_personas"]) for r in rows)
        counted = sum(int(r["split_successive_compatible"]) for r in rows)
        linked_n = sum(int(r["linked_personas"]) for r in rows)
        print(
            f"split personas (one true persona linked as several): {splits} of {linked_n} linked personas "
            f"({splits / max(linked_n, 1):.1%}); {counted} compatible successive pairs among their parts"
        )
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
