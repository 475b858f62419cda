"""Polite fetching over an injected httpx transport.

:class:`Fetcher` is the only thing in the monitor that talks to the network, and it does so
through an ``httpx.Client`` that the caller may build with any transport (tests use
``httpx.MockTransport``; the simulator's server stands in for a site in end-to-end tests).

Politeness, per host: robots.txt (``urllib.robotparser``; a missing robots.txt allows
everything, an unreachable one forbids everything, as RFC 9309 says), a request rate that is
never exceeded (requests are given start slots ``1/rate`` apart, retries and redirects
included), a concurrency limit, ``Retry-After`` and exponential backoff with jitter on 429,
5xx and network failures, timeouts, a descriptive User-Agent and a maximum page size.

Errors are the monitor's branch of :mod:`lagesbild.errors`::

    TransientError
    └── FetchTransient        still failing after every retry (429, 5xx, timeout, lost connection)
    TerminalError
    ├── PageGone              404/410: the page (usually an ad) is no longer there
    ├── DisallowedByRobots    robots.txt forbids the page for our User-Agent
    ├── PageTooLarge          larger than ``max_page_bytes``
    └── FetchTerminal         other 4xx, redirect loops, malformed addresses

Example::

    with Fetcher(profile.politeness, transport=httpx.MockTransport(handler)) as f:
        page = f.get("http://127.0.0.1:8700/annonsportalen/")
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit

import httpx

from lagesbild.errors import LagesbildError, TerminalError, TransientError
from lagesbild.monitor.spec import Politeness

__all__ = [
    "DisallowedByRobots",
    "FetchTerminal",
    "FetchTransient",
    "Fetcher",
    "HostLimiter",
    "Page",
    "PageGone",
    "PageTooLarge",
    "decode_html",
    "default_user_agent",
]

log = logging.getLogger(__name__)


class FetchTransient(TransientError):
    """The page could not be fetched after every retry; a later pass may succeed."""


class PageGone(TerminalError):
    """404 or 410: the page is not there (an ad taken down between listing and fetch)."""


class DisallowedByRobots(TerminalError):
    """robots.txt forbids this page for our User-Agent."""


class PageTooLarge(TerminalError):
    """The page is larger than ``politeness.max_page_bytes``."""


class FetchTerminal(TerminalError):
    """Retrying will not help: 4xx other than 404/408/410/429, a redirect loop, a bad address."""


def default_user_agent() -> str:
    """``lagesbild-monitor/<version> (...)``: says who we are and why, as polite crawlers do."""
    try:
        v = version("lagesbild")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        v = "dev"
    return f"lagesbild-monitor/{v} (Swedish county board situation picture; +https://lagesbild.invalid/crawler)"


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page, decoded.

    Attributes:
        url: the address after redirects.
        status: the HTTP status (2xx).
        text: the decoded body.
        body: the raw bytes.
        encoding: the encoding used to decode.
        encoding_guessed: True when the page declared no usable charset and one was guessed.
        fetched_at: Unix time of the response.
    """

    url: str
    status: int
    text: str
    body: bytes
    encoding: str
    encoding_guessed: bool
    fetched_at: float


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str, bool]:
    """Decode a page: the header's charset, else a ``<meta>`` charset, else UTF-8, else cp1252.

    Returns:
        ``(text, encoding, guessed)``; never raises (undecodable bytes become U+FFFD).
    """
    candidates: list[str] = []
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
        if m:
            candidates.append(m.group(1))
    m2 = _META_CHARSET.search(body[:4096])
    if m2:
        candidates.append(m2.group(1).decode("ascii", "replace"))
    for enc in candidates:
        try:
            return body.decode(enc), enc.lower(), False
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return body.decode("utf-8"), "utf-8", bool(candidates) or True
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252", True


_MARGIN = 1.03
"""Slots are 3% wider than ``1/rate``, so that timing noise on the site's side never shows a higher rate."""


class HostLimiter:
    """Start slots for one host's requests: at most ``rate`` per second and ``concurrency`` at once.

    Every request (retries and redirects included) takes the next free slot, ``1/rate`` seconds after
    the previous one, so no window of ``w`` seconds ever holds more than ``w * rate + 1`` requests.

    Args:
        rate: requests per second.
        concurrency: requests in flight at once.
        sleep, clock: injectable for tests.
    """

    def __init__(
        self,
        rate: float,
        concurrency: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = _MARGIN / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._sleep = sleep
        self._clock = clock

    def slow_down(self, rate: float) -> None:
        """Lower the rate (e.g. to robots.txt's Crawl-delay); never raises it."""
        with self._lock:
            self.interval = max(self.interval, _MARGIN / rate)

    def pause(self, seconds: float) -> None:
        """No request starts in the next ``seconds`` (after a 429 with Retry-After)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)

    def acquire(self) -> None:
        """Wait for a concurrency slot and then for the next start slot."""
        self._slots.acquire()
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)

    def release(self) -> None:
        self._slots.release()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Fetcher:
    """Fetches pages politely. Thread-safe; :meth:`get_many` fetches concurrently.

    Args:
        politeness: the profile's politeness settings.
        client: an ``httpx.Client`` to use (its transport decides where requests go); or
        transport: a transport for a client built here (``httpx.MockTransport`` in tests).
        headers: extra request headers.
        sleep, clock, rng: injectable so that tests of backoff run instantly and repeatably.
    """

    def __init__(
        self,
        politeness: Politeness,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.p = politeness
        self.user_agent = politeness.user_agent or default_user_agent()
        hdrs = {"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
        hdrs.update(headers or {})
        self._own_client = client is None
        self.client = client or httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(politeness.timeout_seconds),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=politeness.concurrency * 2, max_keepalive_connections=32),
        )
        self._headers = hdrs
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._limiters: dict[str, HostLimiter] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.requests = 0
        self.retries = 0

    # -- lifecycle
    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- politeness
    def limiter(self, url: str) -> HostLimiter:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            lim = self._limiters.get(host)
            if lim is None:
                lim = self._limiters[host] = HostLimiter(
                    self.p.rate_per_second, self.p.concurrency, sleep=self._sleep, clock=self._clock
                )
        return lim

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        """The host's robots.txt, fetched once (None: fetching it failed, so nothing is allowed)."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if host in self._robots:
                return self._robots[host]
        robots_url = host + "/robots.txt"
        rp: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser(robots_url)
        assert rp is not None
        try:
            resp = self._request(robots_url)
        except (TransientError, FetchTerminal) as exc:
            log.warning("robots.txt of %s is unreachable (%s): not crawling the host in this pass", host, exc)
            rp = None
        except (PageGone, PageTooLarge):
            rp.parse([])  # no robots.txt: everything is allowed
        else:
            text, _, _ = decode_html(resp[1], resp[2])
            rp.parse(text.splitlines())
            delay = rp.crawl_delay(self.user_agent)
            if delay and self.p.obey_crawl_delay:
                self.limiter(url).slow_down(1.0 / float(delay))
                log.info("robots.txt of %s asks for Crawl-delay %s s; obeying", host, delay)
        with self._lock:
            self._robots[host] = rp
        return rp

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (always True when ``obey_robots_txt`` is off)."""
        if not self.p.obey_robots_txt:
            return True
        rp = self._robots_for(url)
        return rp is not None and rp.can_fetch(self.user_agent, url)

    # -- fetching
    def _request(self, url: str) -> tuple[int, bytes, str | None, str, Mapping[str, str]]:
        """One GET with retries (no redirects): ``(status, body, content_type, url, headers)``."""
        lim = self.limiter(url)
        attempt = 0
        while True:
            lim.acquire()
            try:
                self.requests += 1
                status, body, ctype, headers = self._once(url)
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                status, body, ctype, headers = 0, b"", None, {}
                problem = f"{exc.__class__.__name__}"
            finally:
                lim.release()
            if status == 0 or status == 429 or status == 408 or 500 <= status <= 599:
                if status:
                    problem = f"HTTP {status}"
                wait_for = _retry_after(headers.get("retry-after")) if status else None
                if attempt >= self.p.max_retries:
                    raise FetchTransient(f"{problem} after {attempt + 1} attempt(s): {url}")
                backoff = min(self.p.max_backoff_seconds, self.p.backoff_seconds * (2**attempt))
                delay = backoff * self._rng.uniform(0.5, 1.5)
                if wait_for is not None:
                    if wait_for > self.p.max_backoff_seconds:
                        raise FetchTransient(f"{problem}, Retry-After {wait_for:.0f} s is too long: {url}")
                    delay = max(delay, wait_for)
                    lim.pause(wait_for)  # other threads wait too: the host asked us to
                log.debug("%s for %s; retry %d in %.2f s", problem, url, attempt + 1, delay)
                self.retries += 1
                attempt += 1
                self._sleep(delay)
                continue
            if status in (404, 410):
                raise PageGone(f"HTTP {status}: {url}")
            if 400 <= status <= 499:
                raise FetchTerminal(f"HTTP {status}: {url}")
            return status, body, ctype, url, headers

    def _once(self, url: str) -> tuple[int, bytes, str | None, Mapping[str, str]]:
        limit = self.p.max_page_bytes
        with self.client.stream("GET", url, headers=self._headers) as r:
            headers = {k.lower(): v for k, v in r.headers.items()}
            if r.status_code >= 300:
                r.close()
                return r.status_code, b"", headers.get("content-type"), headers
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise PageTooLarge(f"page of {int(declared):,} bytes is larger than max_page_bytes {limit:,}: {url}")
            chunks: list[bytes] = []
            size = 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise PageTooLarge(f"page is larger than max_page_bytes {limit:,}: {url}")
                chunks.append(chunk)
            return r.status_code, b"".join(chunks), headers.get("content-type"), headers

    def get(self, url: str) -> Page:
        """Fetch one page politely, following redirects (each hop checked against robots.txt).

        Raises:
            FetchTransient: still failing after every retry.
            PageGone, DisallowedByRobots, PageTooLarge, FetchTerminal: retrying will not help.
        """
        seen: set[str] = set()
        current = url
        for _ in range(self.p.max_redirects + 1):
            if not current.startswith(("http://", "https://")):
                raise FetchTerminal(f"not an http(s) address: {current[:200]}")
            if not self.allowed(current):
                raise DisallowedByRobots(f"robots.txt disallows {current}")
            seen.add(current)
            status, body, ctype, final, headers = self._request(current)
            if 300 <= status <= 399:
                loc = headers.get("location")
                if not loc:
                    raise FetchTerminal(f"HTTP {status} without a Location: {current}")
                nxt = urljoin(current, loc)
                if nxt in seen:
                    raise FetchTerminal(f"redirect loop at {current}")
                current = nxt
                continue
            text, enc, guessed = decode_html(body, ctype)
            return Page(final, status, text, body, enc, guessed, time.time())
        raise FetchTerminal(f"more than {self.p.max_redirects} redirects from {url}")

    def get_many(self, urls: Sequence[str]) -> Iterator[tuple[str, Page | LagesbildError]]:
        """Fetch concurrently (up to ``concurrency`` at once); yields ``(url, page or error)`` in order."""
        if self.p.concurrency <= 1 or len(urls) <= 1:
            for u in urls:
                yield u, self._safe_get(u)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.p.concurrency, thread_name_prefix="lagesbild-fetch")
        futures = [self._pool.submit(self._safe_get, u) for u in urls]
        for u, fut in zip(urls, futures, strict=True):
            yield u, fut.result()

    def _safe_get(self, url: str) -> Page | LagesbildError:
        try:
            return self.get(url)
        except LagesbildError as exc:
            return exc
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError) as exc:
            # e.g. an address httpx cannot parse; reported on the page, never lost
            return FetchTerminal(f"{exc.__class__.__name__}: {exc}"[:500])
