"""The simulated sites as a function from request to response (:class:`SimApp`): routing, the
simulated clock, cached rendering, faults and the access log; no sockets, no threads of its own."""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, quote, unquote

import orjson

from lagesbild.errors import InputError
from lagesbild.simulate.server.control import control
from lagesbild.simulate.server.faults import Faults
from lagesbild.simulate.server.images import image_png
from lagesbild.simulate.server.pages import CLASSES, AdPage, CityLink, ListingPage, StartPage, make_env
from lagesbild.simulate.server.politeness import RateLimiter, robots_txt
from lagesbild.simulate.server.responses import Response, text_response
from lagesbild.simulate.server.sites import AdVersion, _SiteData, day_header, load_sites, parse_day, read_start

__all__ = ["SimApp"]

log = logging.getLogger(__name__)



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
        self.start_date = read_start(self.out_dir)
        self.day = day
        self.crawl_delay = crawl_delay
        self._clock = clock
        self._lock = threading.RLock()
        self._env = make_env()
        self._pages = _LRU(cache_pages)
        self._days = _LRU(8 * max(1, len(self.sites)))
        self._log: deque[tuple[Any, ...]] = deque(maxlen=log_size)
        self._seq = 0
        self._access_log = access_log
        self._limiter = RateLimiter(clock)
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
        with self._lock:
            self._limiter.configure(rate, burst)

    @property
    def rate_limit(self) -> float | None:
        """Requests per second allowed per client, or ``None`` for no limit."""
        return self._limiter.rate

    @property
    def burst(self) -> float:
        """Requests a client may make at once before the rate applies."""
        return self._limiter.burst

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
            return control(self, method, path, query, body)
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
                day_header(headers, self.day),
                headers.get("user-agent", ""),
            )
            self._log.append(entry)
            if self._access_log is not None:
                self._access_log.write(orjson.dumps(dict(zip(_LOG_FIELDS, entry, strict=True))).decode() + "\n")
        return resp

    def _serve(self, method: str, path: str, query: str, headers: Mapping[str, str], client: str) -> Response:
        if method not in ("GET", "HEAD"):
            return Response(405, b"Method not allowed\n", "text/plain; charset=utf-8", {"Allow": "GET, HEAD"})
        limited = self._limiter.check(client, headers.get("user-agent", ""))
        if limited is not None:
            return limited
        try:
            day = parse_day(headers.get("x-sim-day"), self.day)
        except ValueError as exc:
            return text_response(f"{exc}\n", 400)
        if path == "/robots.txt":
            return text_response(robots_txt(self.sites, self.crawl_delay))
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
            return text_response(robots_txt([name], self.crawl_delay))
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
            return Response(200, image_png(rest[1][:-4].lower()), "image/png", {"Cache-Control": "max-age=86400"})
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
            "c": CLASSES[spec.layout][1 if changed else 0],
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

    # ----------------------------------------------------------------- politeness and faults

    def _fault(self) -> Response | None:
        f = self.faults
        if f.error_rate and self._rng.random() < f.error_rate:
            return Response(500, b"<html><body><h1>500 Internal Server Error</h1></body></html>\n")
        if f.slow_rate and self._rng.random() < f.slow_rate:
            return Response(200, delay=f.slow_seconds)
        return None


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
