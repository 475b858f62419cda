"""The simulator's ``sites/`` folder as the server reads it, and the simulated calendar.

``sites.json`` describes each site (:class:`SiteSpec`); ``<site>.jsonl.gz`` holds one line per ad
version (:class:`AdVersion`), kept compact in :class:`_SiteData` and decoded per requested day.
Days are numbers counted from the world's start (``config.yaml``'s ``world.start``); a request
may name its day with the header ``X-Sim-Day``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from lagesbild.errors import InputError, InputErrors

__all__ = ["DEFAULT_START", "LAYOUTS", "AdVersion", "SiteSpec", "day_header", "load_sites", "parse_day", "read_start"]

log = logging.getLogger(__name__)

LAYOUTS = ("classic", "cards", "table")
"""The page layouts a site can have (``layout`` in ``sites.json``)."""

DEFAULT_START = dt.date(2023, 1, 1)


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """One site as described in ``sites/sites.json``.

    Attributes:
        name: the site's short name, also the first path segment of its URLs.
        layout: ``classic`` (a list of ``<div class="ad">``), ``cards`` (a grid of ``<article>``
            cards with data attributes) or ``table`` (an HTML table).
        cities: city page slug -> display name, in the order the start page lists them.
        page_size: ads per listing page.
        assigns_new_id_on_repost: whether a repost gets a new ``site_ad_id`` (informational here).
    """

    name: str
    layout: str
    cities: dict[str, str]
    page_size: int
    assigns_new_id_on_repost: bool = False


@dataclass(frozen=True, slots=True)
class AdVersion:
    """One version of an ad as the site shows it while it is online (a line of ``<site>.jsonl.gz``)."""

    site: str
    site_ad_id: str
    city: str
    online_from: int
    online_to: int
    posted_at: str | None = None
    title: str | None = None
    body: str | None = None
    location: str | None = None
    age: int | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    price: str | None = None
    language: str | None = None
    name: str | None = None
    image_hashes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AdVersion:
        """Build from a decoded JSON line; raises ``KeyError``/``ValueError``/``TypeError`` when malformed."""
        price = d.get("price")
        age = d.get("age")
        return cls(
            site=str(d["site"]),
            site_ad_id=str(d["site_ad_id"]),
            city=str(d["city"]),
            online_from=int(d["online_from"]),
            online_to=int(d["online_to"]),
            posted_at=_opt_str(d.get("posted_at")),
            title=_opt_str(d.get("title")),
            body=_opt_str(d.get("body")),
            location=_opt_str(d.get("location")),
            age=None if age is None or age == "" else int(age),
            phones=_str_tuple(d.get("phones")),
            emails=_str_tuple(d.get("emails")),
            price=None if price is None or price == "" else str(price),
            language=_opt_str(d.get("language")),
            name=_opt_str(d.get("name")),
            image_hashes=_str_tuple(d.get("image_hashes")),
        )


def _opt_str(v: object) -> str | None:
    return None if v is None else str(v)


def _str_tuple(v: object) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(p.strip() for p in v.split(";") if p.strip())
    if isinstance(v, list | tuple):
        return tuple(str(x) for x in v)
    raise TypeError(f"expected a list, got {type(v).__name__}")


class _SiteData:
    """All versions of one site's ads, kept compact: raw JSON lines plus numpy day arrays.

    Only the ads online on a requested day are decoded (:meth:`online`), so a two-year national
    world costs about the size of its JSON, not millions of Python objects.
    """

    def __init__(self, spec: SiteSpec, rows: list[bytes], online_from: np.ndarray, online_to: np.ndarray) -> None:
        self.spec = spec
        self.rows = rows
        self.online_from = online_from
        self.online_to = online_to

    def online(self, day: int) -> list[AdVersion]:
        """The ad versions online on ``day``, one per ``site_ad_id`` (the latest version wins)."""
        idx = np.flatnonzero((self.online_from <= day) & (self.online_to >= day))
        by_id: dict[str, AdVersion] = {}
        for i in idx.tolist():
            ad = AdVersion.from_json(orjson.loads(self.rows[i]))
            prev = by_id.get(ad.site_ad_id)
            if prev is None or ad.online_from >= prev.online_from:
                by_id[ad.site_ad_id] = ad
        return list(by_id.values())


def load_sites(out_dir: Path) -> dict[str, _SiteData]:
    """Read ``out_dir/sites/sites.json`` and every ``<site>.jsonl.gz`` it names.

    Args:
        out_dir: a simulator output folder (or any folder with a ``sites/`` subfolder in the contract's format).

    Returns:
        site name -> the site's data, in the order of ``sites.json``.

    Raises:
        InputErrors: every problem found (missing files, unknown layouts, malformed lines) at once.
    """
    sites_dir = Path(out_dir) / "sites"
    index = sites_dir / "sites.json"
    try:
        raw = orjson.loads(index.read_bytes())
    except FileNotFoundError:
        raise InputError("no sites.json: is this a simulator output folder?", path=str(index)) from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=str(index)) from None
    entries = raw["sites"] if isinstance(raw, dict) and isinstance(raw.get("sites"), list) else raw
    if isinstance(entries, dict):  # {name: {...}} is accepted as well as [{name: ...}, ...]
        entries = [{"name": k, **v} for k, v in entries.items()]
    if not isinstance(entries, list):
        raise InputError("expected a list of sites", path=str(index))
    errors: list[InputError] = []
    specs: list[SiteSpec] = []
    for i, e in enumerate(entries):
        where = f"[{i}]"
        try:
            spec = SiteSpec(
                name=str(e["name"]),
                layout=str(e["layout"]),
                cities={str(k): str(v) for k, v in dict(e["cities"]).items()},
                page_size=int(e["page_size"]),
                assigns_new_id_on_repost=bool(e.get("assigns_new_id_on_repost", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(InputError(f"missing or malformed: {exc}", path=str(index), field=where))
            continue
        if spec.layout not in LAYOUTS:
            errors.append(
                InputError(
                    f"layout {spec.layout!r} is not one of {', '.join(LAYOUTS)}",
                    path=str(index),
                    field=f"{where}.layout",
                )
            )
        if spec.page_size < 1:
            errors.append(InputError("page_size must be at least 1", path=str(index), field=f"{where}.page_size"))
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", spec.name) or spec.name.startswith("_"):
            errors.append(
                InputError(f"site name {spec.name!r} is not a safe URL segment", path=str(index), field=f"{where}.name")
            )
        specs.append(spec)
    sites: dict[str, _SiteData] = {}
    for spec in specs:
        path = sites_dir / f"{spec.name}.jsonl.gz"
        rows: list[bytes] = []
        starts: list[int] = []
        ends: list[int] = []
        try:
            with gzip.open(path, "rb") as fh:
                data = fh.read()
            for n, line in enumerate(data.split(b"\n"), 1):
                if not line.strip():
                    continue
                # Only the fields that place a version in time and on a page are checked here;
                # the rest is decoded (and checked) when a day that shows the version is asked for.
                try:
                    d = orjson.loads(line)
                    ad_id, city, start, end = d["site_ad_id"], d["city"], int(d["online_from"]), int(d["online_to"])
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    errors.append(InputError(f"malformed ad version: {exc!r}", path=str(path), line=n))
                    continue
                if city not in spec.cities:
                    errors.append(
                        InputError(
                            f"city {city!r} is not among the site's cities", path=str(path), line=n, field="city"
                        )
                    )
                elif not isinstance(ad_id, str | int) or str(ad_id) == "":
                    errors.append(InputError("missing site_ad_id", path=str(path), line=n, field="site_ad_id"))
                elif end < start:
                    errors.append(InputError("online_to is before online_from", path=str(path), line=n))
                else:
                    rows.append(line)
                    starts.append(start)
                    ends.append(end)
        except FileNotFoundError:
            errors.append(InputError("missing ad file for a site listed in sites.json", path=str(path)))
            continue
        except (OSError, EOFError) as exc:
            errors.append(InputError(f"cannot read: {exc}", path=str(path)))
            continue
        sites[spec.name] = _SiteData(spec, rows, np.asarray(starts, dtype=np.int32), np.asarray(ends, dtype=np.int32))
        log.info("site %s (%s): %d ad versions", spec.name, spec.layout, len(rows))
    if errors:
        raise InputErrors(errors, path=str(sites_dir))
    return sites


def read_start(out_dir: Path) -> dt.date:
    """``world.start`` from the resolved ``config.yaml``, else the contract's default start."""
    path = Path(out_dir) / "config.yaml"
    if not path.exists():
        return DEFAULT_START
    import yaml  # only needed when a config is present

    try:
        cfg = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        start = cfg.get("world", {}).get("start")
    except (yaml.YAMLError, AttributeError) as exc:
        raise InputError(f"cannot read world.start: {exc}", path=str(path)) from None
    if start is None:
        return DEFAULT_START
    if isinstance(start, dt.date):
        return start
    try:
        return dt.date.fromisoformat(str(start))
    except ValueError:
        raise InputError(f"world.start {start!r} is not a date", path=str(path), field="world.start") from None



def parse_day(header: str | None, default: int) -> int:
    if header is None:
        return default
    try:
        day = int(header.strip())
    except ValueError:
        raise ValueError(f"X-Sim-Day must be a day number, got {header!r}") from None
    if day < 0:
        raise ValueError(f"X-Sim-Day must not be negative, got {day}")
    return day


def day_header(headers: Mapping[str, str], default: int) -> int:
    try:
        return parse_day(headers.get("x-sim-day"), default)
    except ValueError:
        return default
