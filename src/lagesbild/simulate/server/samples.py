"""A small folder of sample sites in the contract's ``sites/`` format, for tests and crawler development."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from pathlib import Path

import orjson

from lagesbild.simulate.server.pages import tel
from lagesbild.simulate.server.sites import DEFAULT_START

__all__ = ["write_sample_sites"]


_SAMPLE_SITES = (
    ("annonsportalen", "classic", 4),
    ("kortsajten", "cards", 6),
    ("listan", "table", 5),
)
_SAMPLE_CITIES = {
    "stockholm": "Stockholm",
    "goteborg": "Göteborg",
    "norrkoping": "Norrköping",
    "linkoping": "Linköping",
}
_SAMPLE_PLACES = {
    "stockholm": ["Sthlm", "Södermalm", "nära Centralen", "Kista"],
    "goteborg": ["Gbg", "Hisingen", "Göteborg city"],
    "norrkoping": ["Norrköping city", "Nkpg"],
    "linkoping": ["Linköping", "Lkpg", "Ryd"],
}


def write_sample_sites(out_dir: Path, *, n_ads: int = 40, days: int = 10, seed: int = 0) -> Path:
    """Write a small folder in the contract's ``sites/`` format (three sites, one per layout).

    Meant for tests and for developing a crawler before the full simulator's output exists.
    Phones come only from PTS's fiction range 070-1740605..070-1740699 and e-mails end in
    ``@example.invalid``.

    Args:
        out_dir: the folder to write (``sites/`` is created inside it).
        n_ads: ad versions per site.
        days: the simulated days the ads spread over (``0 .. days-1``).
        seed: the random seed; the same seed writes the same bytes.

    Returns:
        ``out_dir``.
    """
    rng = random.Random(seed)
    sites_dir = Path(out_dir) / "sites"
    sites_dir.mkdir(parents=True, exist_ok=True)
    index = []
    for name, layout, page_size in _SAMPLE_SITES:
        index.append(
            {
                "name": name,
                "layout": layout,
                "cities": _SAMPLE_CITIES,
                "page_size": page_size,
                "assigns_new_id_on_repost": layout == "cards",
            }
        )
        rows = []
        for i in range(n_ads):
            city = rng.choice(list(_SAMPLE_CITIES))
            start = rng.randrange(days)
            end = min(days - 1, start + rng.choice((0, 1, 2, 3, 5, 8)))
            phone = f"070-174 06 {rng.randint(5, 99):02d}"
            written = rng.choice((phone, phone.replace(" ", ""), "+46" + tel(phone)[1:], phone.replace("0", "O", 1)))
            posted = DEFAULT_START + dt.timedelta(days=start)
            rows.append(
                {
                    "site": name,
                    "site_ad_id": f"{name[:2].upper()}-{1000 + i}",
                    "city": city,
                    "online_from": start,
                    "online_to": end,
                    "posted_at": f"{posted.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
                    "title": rng.choice(("Ny i stan!", "Söt tjej väntar på dig", "Bara 3 dagar här", "Massage & mer")),
                    "body": f"Hej älskling!\nJag finns i {_SAMPLE_CITIES[city]} några dagar.\nRing {written} 💋",
                    "location": rng.choice(_SAMPLE_PLACES[city]),
                    "age": rng.choice((19, 22, 25, 31, None)),
                    "phones": [written],
                    "emails": [f"tjej{i}@example.invalid"] if rng.random() < 0.5 else [],
                    "price": rng.choice(("1500kr/30min", "2000", "2500 kr/h", None)),
                    "language": "sv",
                    "name": rng.choice(("Lisa", "Anna", "Mia", "Sofia")),
                    "image_hashes": [f"{rng.getrandbits(64):016x}" for _ in range(rng.randint(0, 3))],
                }
            )
        rows.sort(key=lambda r: (r["online_from"], r["site_ad_id"]))
        data = b"".join(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) + b"\n" for r in rows)
        with open(sites_dir / f"{name}.jsonl.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(data)
    (sites_dir / "sites.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return Path(out_dir)
