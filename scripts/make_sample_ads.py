#!/usr/bin/env python3
"""Write the small bundled sample of fictional ad observations used by the early demo and tests.

Everything in it is invented: names from a short list, phone numbers from the range
070-1740605..070-1740699 that the Swedish regulator PTS reserves for use in fiction,
e-mail addresses at example.invalid. Deterministic: the same bytes every run.

    python scripts/make_sample_ads.py  # writes src/lagesbild/demo/sample_ads.jsonl
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "lagesbild" / "demo" / "sample_ads.jsonl"
PLACES = [
    ("Linköping", 30),
    ("Norrköping city", 25),
    ("Nkpg", 5),
    ("Lkpg", 5),
    ("Motala", 6),
    ("Mjölby", 4),
    ("Finspång", 2),
    ("Sthlm", 12),
    ("Södermalm", 4),
    ("Gbg", 6),
    ("Malmö", 4),
]
NAMES = ["Lisa", "Nora", "Mia", "Sara", "Elin", "Julia", "Bella", "Nadia", "Vera", "Tina"]


def main() -> None:
    rng = random.Random(7)
    lines = []
    start = date(2025, 1, 1)
    for ad in range(60):
        place = rng.choices([p for p, _ in PLACES], weights=[w for _, w in PLACES])[0]
        name = rng.choice(NAMES)
        phone = f"070-174 06 {rng.randint(5, 99):02d}"
        age = rng.randint(19, 45)
        first = start + timedelta(days=rng.randint(0, 330))
        for k in range(rng.randint(1, 8)):
            seen = first + timedelta(days=k * rng.randint(1, 4))
            rec = {
                "site": rng.choice(["exempelsajten", "annonsportalen"]),
                "site_ad_id": f"S{ad:04d}",
                "seen_at": f"{seen.isoformat()}T{rng.randint(8, 22):02d}:00:00+01:00",
                "title": f"{name}, {age} – ny i stan!" if k == 0 else f"{name}, {age}",
                "body": f"Hej! Jag heter {name}. Ring {phone} eller skriv till {name.lower()}@example.invalid",
                "location": place,
                "age": age,
                "phones": [phone],
                "price": rng.choice(["1500kr/30min", "2000 kr/h", "2500:-/tim"]),
                "language": "sv",
                "name": name,
            }
            lines.append(json.dumps(rec, ensure_ascii=False))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} observations to {OUT}")


if __name__ == "__main__":
    main()
