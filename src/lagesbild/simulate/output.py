"""Writers of the output folder (layout in ``docs/dev/simulator-contract.md``).

Everything is byte-deterministic: gzip headers carry no name and mtime 0, JSON keys are
sorted, CSV rows are sorted, and nothing depends on the wall clock. Observations are
streamed: each ad version is serialized once, and its lines for every day it is online
are spliced from that template in day order.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from lagesbild.simulate.supply import Supply
from lagesbild.simulate.world import World

__all__ = ["assign_site_ad_ids", "gzip_writer", "write_csv", "write_observations", "write_sites", "write_supply_truth"]

_SEEN = b"@@SEEN@@"
_ID_FORMATS = {"classic": "A-{n}", "cards": "{n}", "table": "k{n:07x}"}
_ID_BASE = {"classic": 100_000, "cards": 4_000_000, "table": 0x10000}


def _dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


@contextmanager
def gzip_writer(path: Path) -> Iterator[gzip.GzipFile]:
    """A gzip file opened for writing with level 1, no name and mtime 0 (deterministic bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as gz:
        yield gz


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV with ``\\n`` line ends (rows in the order given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def assign_site_ad_ids(world: World, supply: Supply) -> list[str]:
    """Give every site-level ad its id, increasing with the day it first went online on its site.

    Ids reserved for ads a campaign removed count too (they are never shown), so a run with a
    campaign gives every ad it shows the id that ad has in the same seed's run without it.
    """
    sites = world.cfg.sites.sites
    order = sorted(range(len(supply.site_keys)), key=lambda k: (supply.site_keys[k][2], supply.site_keys[k][0], k))
    counters = [0] * len(sites)
    ids = [""] * len(order)
    for k in order:
        si = supply.site_keys[k][0]
        layout = sites[si].layout
        counters[si] += 1
        ids[k] = _ID_FORMATS[layout].format(n=_ID_BASE[layout] + counters[si] * 3)
    return ids


def _url(site: str, ad_id: str) -> str:
    return f"https://{site}.example.invalid/annons/{ad_id}"


def write_sites(out: Path, world: World, supply: Supply, ids: list[str]) -> None:
    """``sites/<site>.jsonl.gz`` (one line per ad version, by ``online_from``) and ``sites/sites.json``."""
    sites = world.cfg.sites.sites
    vf = np.array([v.online_from for v in supply.versions], dtype=np.int64)
    order = np.argsort(vf, kind="stable")
    writers = []
    meta: dict[str, Any] = {}
    try:
        for s in sites:
            cm = gzip_writer(out / "sites" / f"{s.name}.jsonl.gz")
            writers.append((cm, cm.__enter__()))
            meta[s.name] = {
                "name": s.name,
                "layout": s.layout,
                "cities": world.city_pages(s),
                "page_size": s.page_size,
                "assigns_new_id_on_repost": s.assigns_new_id_on_repost,
            }
        for i in order.tolist():
            v = supply.versions[i]
            rec = dict(v.text)
            rec.update(
                site=sites[v.site].name,
                site_ad_id=ids[v.site_key],
                city=v.city,
                online_from=v.online_from,
                online_to=v.online_to,
                posted_at=world.date_of(v.posted_day).isoformat(),
            )
            writers[v.site][1].write(_dumps(rec) + b"\n")
    finally:
        for cm, _ in writers:
            cm.__exit__(None, None, None)
    (out / "sites" / "sites.json").write_bytes(orjson.dumps(meta, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))


def write_observations(
    out: Path, world: World, supply: Supply, ids: list[str], progress: Callable[[str, float], None] | None = None
) -> tuple[int, dict[tuple[str, int], int]]:
    """``observations.jsonl.gz``: one line per ad version per day online, in day order.

    Returns:
        The number of lines, and the number per (county, year index) of the ad's true place.
    """
    sites = world.cfg.sites.sites
    vs = supply.versions
    n_v = len(vs)
    pre: list[bytes] = []
    suf: list[bytes] = []
    for v in vs:
        ad_id = ids[v.site_key]
        rec = dict(v.text)
        rec.update(
            site=sites[v.site].name,
            site_ad_id=ad_id,
            url=_url(sites[v.site].name, ad_id),
            posted_at=world.date_of(v.posted_day).isoformat(),
            seen_at="@@SEEN@@",
        )
        a, b = _dumps(rec).split(b'"' + _SEEN + b'"')
        pre.append(a)
        suf.append(b + b"\n")
    vf = np.fromiter((v.online_from for v in vs), dtype=np.int64, count=n_v)
    vt = np.fromiter((v.online_to for v in vs), dtype=np.int64, count=n_v)
    lengths = vt - vf + 1
    total = int(lengths.sum())
    idx = np.repeat(np.arange(n_v), lengths)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    day = vf[idx] + (np.arange(total) - offsets[idx])
    order = np.argsort(day, kind="stable")
    idx, day = idx[order], day[order]
    seen = [b'"' + d.encode() + b'T12:00:00Z"' for d in world.iso_dates(0, world.days - 1)]
    chunk = 200_000
    with gzip_writer(out / "observations.jsonl.gz") as f:
        for c0 in range(0, total, chunk):
            ii, dd = idx[c0 : c0 + chunk].tolist(), day[c0 : c0 + chunk].tolist()
            f.write(b"".join([pre[i] + seen[d] + suf[i] for i, d in zip(ii, dd, strict=True)]))
            if progress:
                progress("observations", min(1.0, (c0 + chunk) / max(total, 1)))
    # counts per county and year of the ad's true place
    code_county = {c: cc for c, cc in zip(world.codes, world.county_of, strict=True)}
    ad_county = np.array(
        [world.county_codes.index(code_county[str(supply.ads[supply.site_keys[v.site_key][1]]["kommun"])]) for v in vs],
        dtype=np.int64,
    )
    year_of_day = _year_index(world)
    cells = ad_county[idx] * 100 + year_of_day[day]
    counts = np.bincount(cells) if total else np.zeros(0, dtype=np.int64)
    by: dict[tuple[str, int], int] = {}
    for cell in np.flatnonzero(counts).tolist():
        by[(world.county_codes[cell // 100], cell % 100)] = int(counts[cell])
    return total, by


def _year_index(world: World) -> npt.NDArray[np.int64]:
    years = np.array([world.date_of(d).year for d in range(world.days)], dtype=np.int64)
    out: npt.NDArray[np.int64] = years - years[0]
    return out


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _e164(number: str) -> str:
    return "+46" + number[1:] if number.startswith("0") else number


def write_supply_truth(out: Path, world: World, supply: Supply, ids: list[str]) -> None:
    """``truth/sellers.csv``, ``ads.csv``, ``identifiers.csv``, ``networks.csv``, ``campaigns.csv``."""
    t = out / "truth"
    cols = (
        "seller_id",
        "person_id",
        "advertiser_id",
        "network_id",
        "home_kommun",
        "age",
        "stated_age",
        "languages",
        "first_day",
        "last_day",
        "active_days",
    )
    write_csv(t / "sellers.csv", cols, ([r[c] for c in cols] for r in supply.sellers))
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for v in supply.versions:
        first[v.site_key] = min(first.get(v.site_key, v.online_from), v.online_from)
        last[v.site_key] = max(last.get(v.site_key, v.online_to), v.online_to)
    sites = world.cfg.sites.sites
    rows = []
    for k, (si, uid, _) in enumerate(supply.site_keys):
        if k not in first:
            continue  # an id reserved for an ad or repost that a campaign removed: never shown
        a = supply.ads[uid]
        rows.append(
            (
                sites[si].name,
                ids[k],
                uid,
                a["seller_id"] if a["seller_id"] is not None else "",
                a["advertiser_id"],
                a["network_id"] if a["network_id"] is not None else "",
                a["kommun"],
                str(bool(a["is_scam"])).lower(),
                first[k],
                last[k],
            )
        )
    rows.sort(key=lambda r: (r[0], r[8], r[1]))
    write_csv(
        t / "ads.csv",
        (
            "site",
            "site_ad_id",
            "ad_uid",
            "seller_id",
            "advertiser_id",
            "network_id",
            "kommun",
            "is_scam",
            "first_day",
            "last_day",
        ),
        rows,
    )
    id_rows = sorted(
        (kind, _h(_e164(v) if kind == "phone" else v), aid, nid if nid is not None else "", str(shared).lower())
        for kind, v, aid, nid, shared in supply.identifiers
    )
    write_csv(t / "identifiers.csv", ("kind", "value_hash", "advertiser_id", "network_id", "shared"), id_rows)
    write_csv(
        t / "networks.csv",
        ("network_id", "n_sellers", "cities", "first_day", "last_day"),
        ([r["network_id"], r["n_sellers"], r["cities"], r["first_day"], r["last_day"]] for r in supply.networks),
    )
    camp = []
    for c in world.cfg.campaigns:
        end = c.start.toordinal() + 7 * c.weeks - 1
        for cc in c.counties:
            camp.append((c.name, cc, c.start.isoformat(), date.fromordinal(end).isoformat(), c.effect))
    write_csv(t / "campaigns.csv", ("name", "county", "start", "end", "effect"), camp)
