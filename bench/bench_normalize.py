"""Benchmark: observations normalized per second on one core.

Prints two figures: unique ads (every text different, the cache never hits) and an
archive-like stream where each ad is observed several times (as the monitor sees it),
which is what re-normalizing an archive costs. Run: ``python bench/bench_normalize.py``.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from lagesbild.normalize import normalize_ad
from lagesbild.normalize.ad import _normalize
from lagesbild.normalize.identifiers import find_emails, find_phones

EVAL = Path(__file__).resolve().parents[1] / "tests" / "normalize" / "data" / "eval_set.jsonl"


def _ads(n: int, seed: int = 1) -> list[tuple[str, str, str | None, str | None]]:
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if len(r["body"]) < 2000]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = rng.choice(rows)
        # A unique suffix makes every text different, so no cache can help.
        out.append((r["title"] or "", f"{r['body']} #{i}", r["location"], r["site_city"]))
    return out


def main() -> None:
    n = 40_000
    ads = _ads(n)
    normalize_ad(*ads[0][:3])  # load rules, gazetteer, language model
    _normalize.cache_clear()
    t = time.perf_counter()
    for title, body, loc, site in ads:
        normalize_ad(title, body, loc, site_city=site)
    unique = n / (time.perf_counter() - t)

    _normalize.cache_clear()
    distinct = ads[: n // 8]
    pick = random.Random(2)
    stream = [distinct[pick.randrange(len(distinct))] for _ in range(n)]
    t = time.perf_counter()
    for title, body, loc, site in stream:
        normalize_ad(title, body, loc, site_city=site)
    repeated = n / (time.perf_counter() - t)

    texts = [body for _, body, _, _ in ads]
    t = time.perf_counter()
    for body in texts:
        find_phones(body)
        find_emails(body)
    scrub = n / (time.perf_counter() - t)

    print(f"normalize_ad, unique ads:                {unique:10,.0f} observations/s")
    print(f"normalize_ad, each ad seen ~8 times:     {repeated:10,.0f} observations/s")
    print(f"find_phones + find_emails (scrub path):  {scrub:10,.0f} texts/s")


if __name__ == "__main__":
    main()
