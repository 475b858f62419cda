"""Serve the simulator's ad sites over HTTP on loopback, in simulated time.

The simulator writes what each site shows into ``DIR/sites/`` (see ``docs/dev/simulator-contract.md``):
``sites.json`` (per site: name, layout, cities, page_size) and ``<site>.jsonl.gz`` (one line per ad
version, online from ``online_from`` to ``online_to`` inclusive, in simulated days). This module
turns that folder into real websites a crawler can be developed and benchmarked against.

Two layers, so that tests need no sockets (datasette's ``--get`` idea):

* :class:`SimApp` is the whole site logic as a plain function of a request: routing, simulated
  time, rendering (Jinja2 templates in ``templates/``, one set per layout), robots.txt, rate
  limiting, faults, the access log and the control API. ``app.get("/site/")`` renders a page.
* :class:`SimServer` puts a :class:`SimApp` behind a small asyncio HTTP/1.1 server (keep-alive,
  pipelining, ``Content-Length`` bodies) in a background thread, on ``127.0.0.1`` only.

URL scheme (one port for all sites, the site is the first path segment)::

    /robots.txt                      rules for every site (the host-level file crawlers fetch)
    /                                an index of the sites
    /<site>/                         start page: links to the city listing pages
    /<site>/robots.txt               the same rules, for this site only
    /<site>/stad/<slug>/?page=N      city listing, newest first, page_size ads a page, "next" links
    /<site>/annons/<site_ad_id>      ad detail page (404 when the ad is not online that day)
    /<site>/img/<phash>.png          a tiny placeholder image
    /<site>/admin/...                a login page, disallowed by robots.txt
    /_control/...                    the control API (not rate limited, not faulted, not logged)

Simulated time: the server's clock is a day number (``POST /_control/day``, ``POST /_control/advance``);
a request may instead name its day with the header ``X-Sim-Day: N``. Pages depend only on
(site, day, layout version, page), so they are rendered once and cached.

Example::

    with SimServer(out_dir, rate_limit=20) as server:
        httpx.post(f"{server.url}/_control/day", json={"day": 3})
        html = httpx.get(f"{server.url}/annonsportalen/stad/stockholm/").text
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gzip
import json
import logging
import math
import random
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, quote, unquote

import jinja2
import numpy as np
import orjson
import typer
from markupsafe import Markup, escape

from lagesbild.errors import InputError, InputErrors
from lagesbild.refdata import swedish_date

__all__ = [
    "LAYOUTS",
    "AdPage",
    "AdVersion",
    "CityLink",
    "Faults",
    "ListingPage",
    "Response",
    "SimApp",
    "SimServer",
    "SiteSpec",
    "StartPage",
    "load_sites",
    "register",
    "write_sample_sites",
]

log = logging.getLogger(__name__)

LAYOUTS = ("classic", "cards", "table")
"""The page layouts a site can have (``layout`` in ``sites.json``)."""

DEFAULT_START = dt.date(2023, 1, 1)
_TEMPLATES = Path(__file__).parent / "templates"
# A valid 1x1 grey PNG: images are represented by their perceptual hash, never by real pictures.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a1f0cd220000000049454e44ae426082"
)
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# CSS class names per layout: (before, after) a layout change. Same keys, different names, so
# a crawler's selectors written for one version stop matching in the other.
_CLASSES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "classic": (
        {
            "item": "ad",
            "title": "ad-title",
            "location": "ad-location",
            "age": "ad-age",
            "price": "ad-price",
            "date": "ad-date",
            "pager": "pagination",
            "next": "next",
            "prev": "prev",
            "detail": "ad-detail",
            "body": "ad-text",
            "phone": "phone",
            "email": "email",
            "images": "gallery",
            "adid": "ad-id",
            "name": "ad-name",
            "cities": "cities",
            "city": "city",
            "header": "top",
            "footer": "footer",
            "attr_id": "ad-id",
        },
        {
            "item": "annons",
            "title": "rubrik",
            "location": "ort",
            "age": "alder",
            "price": "pris",
            "date": "datum",
            "pager": "sidor",
            "next": "nasta",
            "prev": "foregaende",
            "detail": "annons-visning",
            "body": "annonstext",
            "phone": "tfn",
            "email": "epost",
            "images": "bilder",
            "adid": "annons-nr",
            "name": "namn",
            "cities": "stader",
            "city": "stad",
            "header": "sidhuvud",
            "footer": "sidfot",
            "attr_id": "annons-nr",
        },
    ),
    "cards": (
        {
            "item": "card",
            "title": "card-title",
            "location": "card-city",
            "age": "card-age",
            "price": "card-price",
            "date": "card-date",
            "pager": "pager",
            "next": "pager-next",
            "prev": "pager-prev",
            "detail": "profile",
            "body": "profile-text",
            "phone": "contact-phone",
            "email": "contact-mail",
            "images": "photos",
            "adid": "profile-id",
            "name": "profile-name",
            "cities": "city-grid",
            "city": "city-tile",
            "header": "site-header",
            "footer": "site-footer",
            "attr_id": "ad-id",
        },
        {
            "item": "tile",
            "title": "tile-heading",
            "location": "tile-place",
            "age": "tile-years",
            "price": "tile-cost",
            "date": "tile-when",
            "pager": "paging",
            "next": "fwd",
            "prev": "back",
            "detail": "listing-view",
            "body": "description",
            "phone": "call",
            "email": "mail",
            "images": "media",
            "adid": "ref",
            "name": "alias",
            "cities": "regions",
            "city": "region",
            "header": "masthead",
            "footer": "colophon",
            "attr_id": "ref",
        },
    ),
    "table": (
        {
            "item": "row",
            "title": "subject",
            "location": "town",
            "age": "years",
            "price": "cost",
            "date": "posted",
            "pager": "pages",
            "next": "next-page",
            "prev": "prev-page",
            "detail": "details",
            "body": "message",
            "phone": "tel",
            "email": "mail",
            "images": "pics",
            "adid": "adnr",
            "name": "nick",
            "cities": "towns",
            "city": "town-link",
            "header": "head",
            "footer": "foot",
            "attr_id": "adnr",
        },
        {
            "item": "r",
            "title": "c1",
            "location": "c2",
            "age": "c3",
            "price": "c4",
            "date": "c5",
            "pager": "nav",
            "next": "n",
            "prev": "p",
            "detail": "info",
            "body": "txt",
            "phone": "nr",
            "email": "adress",
            "images": "img",
            "adid": "id",
            "name": "anv",
            "cities": "orter",
            "city": "ortlank",
            "header": "hd",
            "footer": "ft",
            "attr_id": "id",
        },
    ),
}


# --------------------------------------------------------------------------------------------- data


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


def _read_start(out_dir: Path) -> dt.date:
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


# --------------------------------------------------------------------------------------------- faults


# --faults keys (CLI spelling and attribute names) -> Faults attribute
_FAULT_KEYS = {
    "errors": "error_rate",
    "error_rate": "error_rate",
    "slow": "slow_rate",
    "slow_rate": "slow_rate",
    "slow-seconds": "slow_seconds",
    "slow_seconds": "slow_seconds",
    "layout-change": "layout_change",
    "layout_change": "layout_change",
    "seed": "seed",
}


@dataclass(frozen=True)
class Faults:
    """Faults the server injects into site pages (never into robots.txt or the control API).

    Attributes:
        error_rate: share of requests answered ``500 Internal Server Error`` (0-1).
        slow_rate: share of requests delayed by ``slow_seconds`` before the answer (0-1).
        slow_seconds: the delay of a slow response.
        layout_change: sites whose markup is changed (class names renamed, table columns reordered);
            ``"*"`` means every site.
        seed: seed of the fault draws, so a run is repeatable.

    Example::

        Faults.parse("errors=0.05,slow=0.01,slow-seconds=3,layout-change=siteA+siteB")
    """

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    layout_change: frozenset[str] = frozenset()
    seed: int = 0

    def __post_init__(self) -> None:
        errors = []
        for name in ("error_rate", "slow_rate"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                errors.append(InputError(f"must be between 0 and 1, got {v}", field=name))
        if self.slow_seconds < 0:
            errors.append(InputError(f"must not be negative, got {self.slow_seconds}", field="slow_seconds"))
        if errors:
            raise InputErrors(errors) if len(errors) > 1 else errors[0]

    def changes_layout(self, site: str) -> bool:
        """Whether ``site`` is shown with its changed layout."""
        return site in self.layout_change or "*" in self.layout_change

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["layout_change"] = sorted(self.layout_change)
        return d

    @classmethod
    def parse(cls, spec: str | Sequence[str], base: Faults | None = None) -> Faults:
        """Parse ``key=value`` pairs separated by commas (or given as a list).

        Keys: ``errors`` (rate), ``slow`` (rate), ``slow-seconds``, ``layout-change`` (site names joined
        by ``+``, or ``all``), ``seed``.

        Raises:
            InputErrors: every unknown key or bad value at once.
        """
        parts = [spec] if isinstance(spec, str) else list(spec)
        items = [p.strip() for s in parts for p in s.split(",") if p.strip()]
        return cls.from_mapping(dict(_split_kv(i) for i in items), base)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: Faults | None = None) -> Faults:
        """Apply ``values`` (keys as in :meth:`parse` or the attribute names) on top of ``base``."""
        errors: list[InputError] = []
        changes: dict[str, Any] = {}
        for key, value in values.items():
            attr = _FAULT_KEYS.get(key)
            try:
                if attr is None:
                    raise ValueError(f"unknown fault; use one of {', '.join(sorted(set(_FAULT_KEYS)))}")
                if attr == "layout_change":
                    changes[attr] = _parse_sites(value)
                elif attr == "seed":
                    changes[attr] = int(value)
                else:
                    changes[attr] = float(value)
            except (TypeError, ValueError) as exc:
                errors.append(InputError(str(exc), field=f"faults.{key}"))
        if errors:
            raise InputErrors(errors)
        return replace(base or cls(), **changes)


def _split_kv(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise InputError(f"expected key=value, got {item!r}", field="faults")
    return key.strip(), value.strip()


def _parse_sites(value: object) -> frozenset[str]:
    if value is True or value in ("all", "*"):
        return frozenset({"*"})
    if value in (False, None, "", "none"):
        return frozenset()
    if isinstance(value, str):
        return frozenset(s for s in re.split(r"[+ ]", value) if s)
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(s) for s in value)
    raise ValueError(f"expected site names, 'all' or true/false, got {value!r}")


# --------------------------------------------------------------------------------------------- contexts


@dataclass(frozen=True, slots=True)
class CityLink:
    """A city on a start page."""

    slug: str
    name: str
    count: int
    href: str


@dataclass(frozen=True, slots=True)
class StartPage:
    """What a site's start page shows on one day."""

    site: SiteSpec
    day: int
    date: dt.date
    cities: list[CityLink]


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a city listing on one day (ads newest first)."""

    site: SiteSpec
    day: int
    date: dt.date
    city: str
    city_name: str
    page: int
    pages: int
    total: int
    ads: list[AdVersion]
    next_href: str | None
    prev_href: str | None


@dataclass(frozen=True, slots=True)
class AdPage:
    """An ad's detail page on one day."""

    site: SiteSpec
    day: int
    date: dt.date
    ad: AdVersion
    city_name: str


# --------------------------------------------------------------------------------------------- responses


@dataclass(slots=True)
class Response:
    """An HTTP response as the app produces it; :meth:`encode` gives the bytes on the wire.

    Attributes:
        status: the HTTP status code.
        body: the body bytes.
        content_type: the ``Content-Type`` header.
        headers: extra headers (``Retry-After``, ``Location``, ``Allow``).
        delay: seconds the server waits before sending (slow-response fault).
    """

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return orjson.loads(self.body)

    def encode(self, *, keep_alive: bool = True, head: bool = False) -> bytes:
        """The response as HTTP/1.1 bytes (without the body for ``HEAD``)."""
        lines = [
            f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Unknown')}",
            f"Content-Type: {self.content_type}",
            f"Content-Length: {len(self.body)}",
            "Server: lagesbild-sim",
            "Connection: keep-alive" if keep_alive else "Connection: close",
        ]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head_bytes if head else head_bytes + self.body


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
}


def _json_response(data: Any, status: int = 200) -> Response:
    return Response(status, orjson.dumps(data), "application/json")


def _text_response(text: str, status: int = 200) -> Response:
    return Response(status, text.encode("utf-8"), "text/plain; charset=utf-8")


# --------------------------------------------------------------------------------------------- rendering


def _fmt_date(value: str | None, style: str) -> str:
    """A posting date the way each layout writes it (``iso``, ``long`` Swedish, or ``short``)."""
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    has_time = "T" in value or " " in value
    if style == "iso":
        return t.strftime("%Y-%m-%d %H:%M") if has_time else t.strftime("%Y-%m-%d")
    if style == "long":
        s = swedish_date(t)
        return f"{s} kl. {t:%H:%M}" if has_time else s
    return t.strftime("%Y-%m-%d")


def _tel(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _nl2br(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup("<br>\n").join(escape(line) for line in text.splitlines())


def _price(p: str | None) -> str:
    if p is None:
        return ""
    return f"{p} kr" if p.isdigit() else p


def _make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )
    env.filters["fmt_date"] = _fmt_date
    env.filters["tel"] = _tel
    env.filters["nl2br"] = _nl2br
    env.filters["price"] = _price
    env.filters["q"] = lambda s: quote(str(s), safe="")
    return env


# --------------------------------------------------------------------------------------------- the app


class _LRU:
    """A small least-recently-used cache (the app runs on one thread; callers hold its lock)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._d: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        v = self._d.get(key)
        if v is not None:
            self._d.move_to_end(key)
        return v

    def put(self, key: Any, value: Any) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        while len(self._d) > self.maxsize:
            self._d.popitem(last=False)

    def clear(self) -> None:
        self._d.clear()


@dataclass(slots=True)
class _DayView:
    by_city: dict[str, list[AdVersion]]
    by_id: dict[str, AdVersion]


_LOG_FIELDS = ("seq", "time", "client", "method", "path", "status", "bytes", "day", "user_agent")


class SimApp:
    """The simulated sites as a function from request to :class:`Response`; no sockets, no threads of its own.

    Args:
        out_dir: a simulator output folder (``sites/sites.json`` and ``sites/<site>.jsonl.gz``).
        day: the simulated day the clock starts at.
        rate_limit: allowed requests per second per client (remote address + User-Agent); ``None`` for no limit.
        burst: how many requests a client may make at once before the rate applies (default: one
            second's worth, at least 1).
        faults: faults to inject (:class:`Faults`); none by default.
        crawl_delay: the ``Crawl-delay`` robots.txt announces, in whole seconds (what ``urllib.robotparser`` reads).
        log_size: how many access-log entries are kept in memory (oldest dropped first).
        access_log: an open text file to which every logged request is also written as a JSON line.
        cache_pages: how many rendered pages are kept.
        clock: monotonic seconds, injectable for tests of the rate limit.

    Raises:
        InputErrors: when the folder does not follow the contract.

    Example::

        app = SimApp(out_dir)
        page = app.get("/annonsportalen/stad/stockholm/?page=2", headers={"x-sim-day": "4"})
        assert page.status == 200
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        day: int = 0,
        rate_limit: float | None = None,
        burst: float | None = None,
        faults: Faults | None = None,
        crawl_delay: int = 1,
        log_size: int = 1_000_000,
        access_log: IO[str] | None = None,
        cache_pages: int = 20_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.sites = load_sites(self.out_dir)
        self.start_date = _read_start(self.out_dir)
        self.day = day
        self.crawl_delay = crawl_delay
        self._clock = clock
        self._lock = threading.RLock()
        self._env = _make_env()
        self._pages = _LRU(cache_pages)
        self._days = _LRU(8 * max(1, len(self.sites)))
        self._log: deque[tuple[Any, ...]] = deque(maxlen=log_size)
        self._seq = 0
        self._access_log = access_log
        self._buckets: dict[tuple[str, str], list[float]] = {}
        self.rate_limit: float | None = None
        self.burst = 1.0
        self.set_rate_limit(rate_limit, burst)
        self.faults = Faults()
        self._rng = random.Random(0)
        self.set_faults(faults or Faults())
        firsts = [int(s.online_from.min()) for s in self.sites.values() if len(s.online_from)]
        lasts = [int(s.online_to.max()) for s in self.sites.values() if len(s.online_to)]
        self.first_day = min(firsts) if firsts else 0
        self.last_day = max(lasts) if lasts else 0

    # ----------------------------------------------------------------- settings

    def set_day(self, day: int) -> None:
        """Set the simulated clock (the day pages show unless a request sends ``X-Sim-Day``)."""
        if day < 0:
            raise InputError(f"the day must not be negative, got {day}", field="day")
        with self._lock:
            self.day = day
        log.info("simulated day is now %d", day)

    def advance(self, days: int = 1) -> int:
        """Move the simulated clock forward by ``days``; returns the new day."""
        with self._lock:
            self.set_day(self.day + days)
            return self.day

    def set_faults(self, faults: Faults) -> None:
        """Switch faults on or off (replaces the current faults; reseeds the fault draws)."""
        with self._lock:
            changed = faults.layout_change != self.faults.layout_change
            self.faults = faults
            self._rng = random.Random(faults.seed)
            if changed:
                self._pages.clear()
        log.info("faults: %s", faults)

    def set_rate_limit(self, rate: float | None, burst: float | None = None) -> None:
        """Limit each client to ``rate`` requests per second (``None``: no limit), with a burst allowance."""
        if rate is not None and rate <= 0:
            raise InputError(f"the rate limit must be positive, got {rate}", field="rate_limit")
        if burst is not None and burst < 1:
            raise InputError(f"the burst must be at least 1, got {burst}", field="burst")
        with self._lock:
            self.rate_limit = rate
            self.burst = burst if burst is not None else max(1.0, rate or 1.0)
            self._buckets.clear()

    def state(self) -> dict[str, Any]:
        """The clock and settings, as ``GET /_control/state`` returns them."""
        with self._lock:
            return {
                "day": self.day,
                "date": (self.start_date + dt.timedelta(days=self.day)).isoformat(),
                "start": self.start_date.isoformat(),
                "first_day": self.first_day,
                "last_day": self.last_day,
                "sites": {
                    n: {
                        "layout": s.spec.layout,
                        "cities": list(s.spec.cities),
                        "page_size": s.spec.page_size,
                        "ad_versions": len(s.rows),
                        "layout_changed": self.faults.changes_layout(n),
                    }
                    for n, s in self.sites.items()
                },
                "rate_limit": self.rate_limit,
                "burst": self.burst if self.rate_limit else None,
                "crawl_delay": self.crawl_delay,
                "faults": self.faults.to_json(),
                "requests_logged": self._seq,
            }

    # ----------------------------------------------------------------- access log

    def access_log(self, since: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """Logged requests with ``seq > since`` (oldest first), as dicts with keys
        seq, time (Unix seconds), client, method, path, status, bytes, day, user_agent."""
        with self._lock:
            rows = [r for r in self._log if r[0] > since]
        if limit is not None:
            rows = rows[:limit]
        return [dict(zip(_LOG_FIELDS, r, strict=True)) for r in rows]

    def clear_log(self) -> None:
        """Forget the in-memory access log (the sequence numbers keep counting)."""
        with self._lock:
            self._log.clear()

    # ----------------------------------------------------------------- requests

    def get(self, target: str, headers: Mapping[str, str] | None = None, client: str = "127.0.0.1") -> Response:
        """Handle ``GET target``: a page without a server (handy in tests and scripts)."""
        return self.handle("GET", target, {k.lower(): v for k, v in (headers or {}).items()}, b"", client)

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes, client: str) -> Response:
        """Answer one request.

        Args:
            method: the HTTP method.
            target: the request target (path and query).
            headers: request headers with lower-case names.
            body: the request body.
            client: the remote address.

        Returns:
            The response; its ``delay`` says how long the server should wait before sending it.
        """
        path, _, query = target.partition("?")
        if path.startswith("/_control/"):
            return self._control(method, path, query, body)
        now = time.time()
        with self._lock:
            resp = self._serve(method, path, query, headers, client)
            self._seq += 1
            entry = (
                self._seq,
                now,
                client,
                method,
                target,
                resp.status,
                len(resp.body),
                _day_header(headers, self.day),
                headers.get("user-agent", ""),
            )
            self._log.append(entry)
            if self._access_log is not None:
                self._access_log.write(orjson.dumps(dict(zip(_LOG_FIELDS, entry, strict=True))).decode() + "\n")
        return resp

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str], client: str) -> Response:
        if method not in ("GET", "HEAD"):
            return Response(405, b"Method not allowed\n", "text/plain; charset=utf-8", {"Allow": "GET, HEAD"})
        limited = self._rate_check(client, headers.get("user-agent", ""))
        if limited is not None:
            return limited
        try:
            day = _parse_day(headers.get("x-sim-day"), self.day)
        except ValueError as exc:
            return _text_response(f"{exc}\n", 400)
        if path == "/robots.txt":
            return _text_response(self._robots(list(self.sites)))
        if path == "/":
            return self._render_cached(
                ("index", day),
                "index.html",
                lambda: {"sites": [(n, s.spec.layout) for n, s in self.sites.items()], "today": self._date(day)},
            )
        segs = path.split("/")[1:]
        site = self.sites.get(unquote(segs[0]))
        if site is None:
            return self._not_found(None, day)
        name = site.spec.name
        if len(segs) == 1:
            return Response(301, b"", headers={"Location": f"/{name}/" + (f"?{query}" if query else "")})
        rest = [unquote(s) for s in segs[1:]]
        if rest == ["robots.txt"]:
            return _text_response(self._robots([name]))
        faulted = self._fault()
        if faulted is not None and faulted.status == 500:
            return faulted
        resp = self._route_site(site, rest, path, query, day)
        if faulted is not None:
            resp.delay = faulted.delay
        return resp

    def _route_site(self, site: _SiteData, rest: list[str], path: str, query: str, day: int) -> Response:
        name = site.spec.name
        if rest == [""]:
            return self._render_cached(
                (name, "start", day), self._tpl(site, "start"), lambda: self._ctx(site, self.start_page(name, day))
            )
        if rest[0] == "stad" and len(rest) >= 2 and rest[1] in site.spec.cities:
            if len(rest) == 2:
                return Response(301, b"", headers={"Location": path + "/" + (f"?{query}" if query else "")})
            if rest[2:] == [""]:
                page = _parse_page(query)
                return self._render_cached(
                    (name, "city", rest[1], page, day),
                    self._tpl(site, "listing"),
                    lambda: self._ctx(site, self.listing_page(name, rest[1], page, day)),
                )
        elif rest[0] == "annons" and len(rest) == 2:
            ctx = self.ad_page(name, rest[1], day)
            if ctx is not None:
                return self._render_cached(
                    (name, "ad", rest[1], day), self._tpl(site, "ad"), lambda: self._ctx(site, ctx)
                )
            return self._not_found(site, day, gone=True)
        elif rest[0] == "img" and len(rest) == 2 and re.fullmatch(r"[0-9a-fA-F]{4,64}\.png", rest[1]):
            return Response(200, _PNG, "image/png", {"Cache-Control": "max-age=86400"})
        elif rest[0] == "admin":
            return self._render_cached((name, "admin", day), "admin.html", lambda: self._ctx(site, None))
        elif rest in (["om"], ["villkor"]):
            return self._render_cached(
                (name, rest[0], day), "info.html", lambda: {**self._ctx(site, None), "topic": rest[0]}
            )
        return self._not_found(site, day)

    # ----------------------------------------------------------------- page contexts

    def _view(self, name: str, day: int) -> _DayView:
        key = (name, day)
        view: _DayView | None = self._days.get(key)
        if view is None:
            site = self.sites[name]
            ads = site.online(day)
            # newest first as ad sites list them; the id breaks ties so the order is stable
            ads.sort(key=lambda a: a.site_ad_id, reverse=True)
            ads.sort(key=lambda a: a.posted_at or "", reverse=True)
            by_city: dict[str, list[AdVersion]] = {c: [] for c in site.spec.cities}
            for ad in ads:
                by_city[ad.city].append(ad)
            view = _DayView(by_city, {a.site_ad_id: a for a in ads})
            self._days.put(key, view)
        return view

    def _date(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def start_page(self, site: str, day: int) -> StartPage:
        """The context of ``/<site>/`` on ``day``."""
        with self._lock:
            spec = self.sites[site].spec
            view = self._view(site, day)
            cities = [
                CityLink(slug, name, len(view.by_city[slug]), f"stad/{quote(slug)}/")
                for slug, name in spec.cities.items()
            ]
            return StartPage(spec, day, self._date(day), cities)

    def listing_page(self, site: str, city: str, page: int, day: int) -> ListingPage:
        """The context of ``/<site>/stad/<city>/?page=<page>`` on ``day`` (pages count from 1)."""
        with self._lock:
            spec = self.sites[site].spec
            ads = self._view(site, day).by_city[city]
            size = spec.page_size
            pages = max(1, math.ceil(len(ads) / size))
            chunk = ads[(page - 1) * size : page * size]
            return ListingPage(
                spec,
                day,
                self._date(day),
                city,
                spec.cities[city],
                page,
                pages,
                len(ads),
                chunk,
                next_href=f"?page={page + 1}" if page < pages else None,
                prev_href=f"?page={page - 1}" if 1 < page <= pages + 1 else None,
            )

    def ad_page(self, site: str, site_ad_id: str, day: int) -> AdPage | None:
        """The context of ``/<site>/annons/<site_ad_id>`` on ``day``, or ``None`` when the ad is not online."""
        with self._lock:
            spec = self.sites[site].spec
            ad = self._view(site, day).by_id.get(site_ad_id)
            if ad is None:
                return None
            return AdPage(spec, day, self._date(day), ad, spec.cities[ad.city])

    def _tpl(self, site: _SiteData, kind: str) -> str:
        return f"{site.spec.layout}/{kind}.html"

    def _ctx(self, site: _SiteData, page: Any) -> dict[str, Any]:
        spec = site.spec
        changed = self.faults.changes_layout(spec.name)
        day = page.day if page is not None else self.day
        return {
            "page": page,
            "site": spec,
            "site_title": spec.name.replace("-", " ").replace("_", " ").title(),
            "root": f"/{quote(spec.name)}/",
            "layout": spec.layout,
            "changed": changed,
            "c": _CLASSES[spec.layout][1 if changed else 0],
            "today": self._date(day),
            "year": self._date(day).year,
        }

    def _render_cached(self, key: tuple[Any, ...], template: str, ctx: Callable[[], dict[str, Any]]) -> Response:
        site = key[0] if isinstance(key[0], str) and key[0] in self.sites else None
        full_key = (*key, site is not None and self.faults.changes_layout(site))
        body: bytes | None = self._pages.get(full_key)
        if body is None:
            body = self._env.get_template(template).render(**ctx()).encode("utf-8")
            self._pages.put(full_key, body)
        return Response(200, body)

    def _not_found(self, site: _SiteData | None, day: int, *, gone: bool = False) -> Response:
        if site is None:
            return Response(404, b'<!DOCTYPE html><html lang="sv"><body><h1>Sidan finns inte</h1></body></html>\n')
        key = (site.spec.name, "404", gone, day)
        resp = self._render_cached(key, "notfound.html", lambda: {**self._ctx(site, None), "gone": gone})
        resp.status = 404
        return resp

    def _robots(self, names: list[str]) -> str:
        lines = ["# Simulated ad sites (lagesbild). Be polite.", "User-agent: *", f"Crawl-delay: {self.crawl_delay}"]
        for n in names:
            lines += [f"Disallow: /{n}/admin/", f"Disallow: /{n}/sok"]
        lines += ["", "User-agent: BadBot", "Disallow: /", ""]
        return "\n".join(lines)

    # ----------------------------------------------------------------- politeness and faults

    def _rate_check(self, client: str, agent: str) -> Response | None:
        if self.rate_limit is None:
            return None
        now = self._clock()
        bucket = self._buckets.get((client, agent))
        if bucket is None:
            bucket = self._buckets[(client, agent)] = [self.burst, now]
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate_limit)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return None
        bucket[0] = tokens
        wait = max(1, math.ceil((1.0 - tokens) / self.rate_limit))
        return Response(
            429,
            f"För många förfrågningar. Försök igen om {wait} s.\n".encode(),
            "text/plain; charset=utf-8",
            {"Retry-After": str(wait)},
        )

    def _fault(self) -> Response | None:
        f = self.faults
        if f.error_rate and self._rng.random() < f.error_rate:
            return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>\n")
        if f.slow_rate and self._rng.random() < f.slow_rate:
            return Response(200, delay=f.slow_seconds)
        return None

    # ----------------------------------------------------------------- control API

    def _control(self, method: str, path: str, query: str, body: bytes) -> Response:
        try:
            data = orjson.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise InputError("the body must be a JSON object")
            action = path[len("/_control/") :].rstrip("/")
            if action == "state" and method == "GET":
                return _json_response(self.state())
            if action == "day" and method == "POST":
                self.set_day(_int_field(data, "day"))
                return _json_response(self.state())
            if action == "advance" and method == "POST":
                self.advance(_int_field(data, "days", 1))
                return _json_response(self.state())
            if action == "faults" and method == "POST":
                self.set_faults(Faults.from_mapping(data, base=None if data.pop("reset", False) else self.faults))
                return _json_response(self.state())
            if action == "rate-limit" and method == "POST":
                rate, burst = data.get("rate"), data.get("burst")
                self.set_rate_limit(None if rate is None else float(rate), None if burst is None else float(burst))
                return _json_response(self.state())
            if action == "log" and method == "GET":
                q = parse_qs(query)
                since = int(q.get("since", ["0"])[0])
                limit = int(q["limit"][0]) if "limit" in q else None
                entries = self.access_log(since, limit)
                return _json_response({"entries": entries, "last_seq": entries[-1]["seq"] if entries else since})
            if (action == "log" and method == "DELETE") or (action == "log/clear" and method == "POST"):
                self.clear_log()
                return _json_response({"cleared": True})
        except orjson.JSONDecodeError as exc:
            return _json_response({"error": f"not valid JSON: {exc}"}, 400)
        except InputError as exc:
            return _json_response({"error": str(exc)}, 400)
        except (TypeError, ValueError) as exc:
            return _json_response({"error": str(exc)}, 400)
        return _json_response({"error": f"no control action {method} {path}"}, 404)


def _int_field(data: Mapping[str, Any], key: str, default: int | None = None) -> int:
    v = data.get(key, default)
    if v is None:
        raise InputError("required", field=key)
    if isinstance(v, bool) or not isinstance(v, int | str):
        raise InputError(f"expected an integer, got {v!r}", field=key)
    try:
        return int(v)
    except ValueError:
        raise InputError(f"expected an integer, got {v!r}", field=key) from None


def _parse_day(header: str | None, default: int) -> int:
    if header is None:
        return default
    try:
        day = int(header.strip())
    except ValueError:
        raise ValueError(f"X-Sim-Day must be a day number, got {header!r}") from None
    if day < 0:
        raise ValueError(f"X-Sim-Day must not be negative, got {day}")
    return day


def _day_header(headers: Mapping[str, str], default: int) -> int:
    try:
        return _parse_day(headers.get("x-sim-day"), default)
    except ValueError:
        return default


def _parse_page(query: str) -> int:
    """The ``page`` query parameter; like many sites, anything unusable means page 1."""
    if not query:
        return 1
    values = parse_qs(query).get("page")
    if not values:
        return 1
    try:
        return max(1, min(int(values[0]), 1_000_000))
    except ValueError:
        return 1


# --------------------------------------------------------------------------------------------- the server


class SimServer:
    """:class:`SimApp` behind a small asyncio HTTP/1.1 server on loopback, in a background thread.

    Use as a context manager (or :meth:`start` / :meth:`stop`); ``port=0`` picks a free port.
    Keyword arguments other than ``host``/``port`` are passed to :class:`SimApp`.

    Attributes:
        app: the :class:`SimApp` (set the day, faults or rate limit directly from tests).
        url: ``http://127.0.0.1:<port>`` once started.
        port: the bound port once started.

    Raises:
        ValueError: for a host other than a loopback address.

    Example::

        with SimServer(out_dir, port=0, faults=Faults(error_rate=0.1)) as server:
            r = httpx.get(server.url + "/robots.txt")
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: float | None = None,
        faults: Faults | None = None,
        **app_options: Any,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError(f"the simulator serves on loopback only, not {host!r}")
        self.host = host
        self.port = port
        self.app = SimApp(out_dir, rate_limit=rate_limit, faults=faults, **app_options)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._conns: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Bind and start serving in a background thread; returns once the port is open."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="lagesbild-sim-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        log.info("serving %d site(s) at %s", len(self.app.sites), self.url)

    def stop(self, timeout: float = 10.0) -> None:
        """Close the listening socket and every open connection, and join the thread."""
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or loop is None or stop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError("the server thread did not stop")
        self._thread = None
        log.info("server at %s stopped", self.url)

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C stops it)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start(); never swallowed
            if not self._ready.is_set():
                self._error = exc
                self._ready.set()
            else:
                log.exception("the simulator server failed")
                raise

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._client, self.host, self.port, backlog=1024, limit=65536)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._conns):
                task.cancel()
            await asyncio.gather(*self._conns, return_exceptions=True)
            await server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        peer = writer.get_extra_info("peername")
        client = str(peer[0]) if peer else "?"
        try:
            await self._serve_connection(reader, writer, client)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except asyncio.CancelledError:
            # Only _main cancels connections, at shutdown. Ending the task normally keeps asyncio's
            # stream callback (which calls task.exception()) from logging a spurious traceback.
            pass
        finally:
            self._conns.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, client: str) -> None:
        app = self.app
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if exc.partial.strip():
                    log.debug("incomplete request from %s", client)
                return
            except asyncio.LimitOverrunError:
                writer.write(_text_response("Request headers too large\n", 431).encode(keep_alive=False))
                await writer.drain()
                return
            lines = head[:-4].decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                writer.write(_text_response("Bad request line\n", 400).encode(keep_alive=False))
                await writer.drain()
                return
            method, target, version = parts
            headers: dict[str, str] = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            conn = headers.get("connection", "").lower()
            keep_alive = conn != "close" if version == "HTTP/1.1" else conn == "keep-alive"
            if "transfer-encoding" in headers:
                writer.write(_text_response("Chunked request bodies are not supported\n", 411).encode(keep_alive=False))
                await writer.drain()
                return
            body = b""
            if "content-length" in headers:
                try:
                    n = int(headers["content-length"])
                except ValueError:
                    n = -1
                if not 0 <= n <= 1_000_000:
                    writer.write(_text_response("Bad Content-Length\n", 413).encode(keep_alive=False))
                    await writer.drain()
                    return
                body = await reader.readexactly(n)
            try:
                resp = app.handle(method, target, headers, body, client)
            except Exception:  # a bug or a malformed ad line: log it and answer like a broken site would
                log.exception("error answering %s %s", method, target)
                resp = _text_response("Internal server error\n", 500)
            if resp.delay:
                await asyncio.sleep(resp.delay)
            writer.write(resp.encode(keep_alive=keep_alive, head=method == "HEAD"))
            await writer.drain()
            if not keep_alive:
                return


# --------------------------------------------------------------------------------------------- sample data


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
            written = rng.choice((phone, phone.replace(" ", ""), "+46" + _tel(phone)[1:], phone.replace("0", "O", 1)))
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


# --------------------------------------------------------------------------------------------- CLI


def serve_command(
    out_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="A simulator output folder (with sites/)."),
    port: int = typer.Option(8700, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    day: int = typer.Option(0, "--day", help="The simulated day the clock starts at."),
    rate_limit: float | None = typer.Option(
        None, "--rate-limit", help="Requests per second allowed per client; faster gets 429 with Retry-After."
    ),
    burst: float | None = typer.Option(
        None, "--burst", help="Requests a client may make at once (default: one second's worth)."
    ),
    faults: list[str] = typer.Option(
        [],
        "--faults",
        help="Faults as key=value[,key=value]: errors=RATE, slow=RATE, slow-seconds=S, "
        "layout-change=SITE[+SITE]|all, seed=N.",
    ),
    crawl_delay: int = typer.Option(1, "--crawl-delay", help="Crawl-delay announced in robots.txt (seconds)."),
    access_log: Path | None = typer.Option(
        None, "--access-log", help="Also append every request as a JSON line to this file."
    ),
) -> None:
    """Serve the simulated ad sites on loopback, day by day in simulated time.

    One port serves every site under /<site>/ on 127.0.0.1.

    Set the clock with POST /_control/day {"day": N}, POST /_control/advance or the header X-Sim-Day: N.

    GET /_control/state shows the settings, GET /_control/log the access log. See docs/simulator-server.md.
    """
    from lagesbild.cli._common import friendly_errors  # the CLI edge turns library errors into messages

    with friendly_errors(), contextlib.ExitStack() as stack:
        log_fh = stack.enter_context(access_log.open("a", encoding="utf-8", buffering=1)) if access_log else None
        server = SimServer(
            out_dir,
            port=port,
            day=day,
            rate_limit=rate_limit,
            burst=burst,
            faults=Faults.parse(faults) if faults else None,
            crawl_delay=crawl_delay,
            access_log=log_fh,
        )
        with server:
            typer.echo(f"Serving {len(server.app.sites)} site(s) on {server.url}/ (day {day}); Ctrl-C stops.")
            for name, site in server.app.sites.items():
                typer.echo(f"  {server.url}/{name}/  ({site.spec.layout}, {len(site.rows)} ad versions)")
            _stop_on_sigterm(server)
            server.wait()


def _stop_on_sigterm(server: SimServer) -> None:
    import signal

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not in the main thread (e.g. under a test runner)
        signal.signal(signal.SIGTERM, handler)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the ``lagesbild simulate`` command group."""
    app.command("serve")(serve_command)
