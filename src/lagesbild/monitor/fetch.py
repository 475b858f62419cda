"""Polite fetching over an injected httpx transport.

:class:`Fetcher` is the only thing in the monitor that talks to the network, and it does so
through an ``httpx.Client`` that the caller may build with any transport (tests use
``httpx.MockTransport``; the simulator's server stands in for a site in end-to-end tests).

Politeness, per host: robots.txt (``urllib.robotparser``; a missing robots.txt allows
everything, an unreachable one forbids everything, as RFC 9309 says), a request rate that is
never exceeded (requests are given start slots ``1/rate`` apart, retries and redirects
included), a concurrency limit, ``Retry-After`` and exponential backoff with jitter on 429,
5xx and network failures, timeouts, a descriptive User-Agent and a maximum page size.

Safety against a hostile site (:class:`HostPolicy`): requests go only to the profile's hosts
(``base_url``'s and ``allowed_hosts``); redirects are followed by hand, one hop at a time, and a hop
to any other host is refused, never fetched. Unless the profile sets ``allow_private_network``, a
host that resolves to a private, loopback, link-local or otherwise non-public address is refused
too, and the transport the fetcher builds itself connects only to the addresses it checked (so a
site cannot switch its DNS answer to an internal address between the check and the connection).
Every request has an overall deadline (``politeness.deadline``) besides httpx's per-read
timeout, so a server that trickles a byte at a time cannot hold the crawl.

Errors are the monitor's branch of :mod:`lagesbild.errors`::

    TransientError
    └── FetchTransient        still failing after every retry (429, 5xx, timeout, lost connection)
        └── DeadlineExceeded  the request took longer than ``politeness.deadline`` (not retried)
    TerminalError
    ├── PageGone              404/410: the page (usually an ad) is no longer there
    ├── DisallowedByRobots    robots.txt forbids the page for our User-Agent
    ├── PageTooLarge          larger than ``max_page_bytes``
    ├── AddressRefused        a host outside the profile's, or a private address (redirects included)
    └── FetchTerminal         other 4xx, redirect loops, malformed addresses

Example::

    with Fetcher(profile.politeness, transport=httpx.MockTransport(handler)) as f:
        page = f.get("http://127.0.0.1:8700/annonsportalen/")
"""

from __future__ import annotations

import ipaddress
import logging
import os
import random
import re
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from lagesbild.errors import LagesbildError, TerminalError, TransientError
from lagesbild.monitor.spec import Politeness, Profile
from lagesbild.privacy import mask_identifiers

__all__ = [
    "AddressRefused",
    "DeadlineExceeded",
    "DisallowedByRobots",
    "FetchTerminal",
    "FetchTransient",
    "Fetcher",
    "HostLimiter",
    "HostPolicy",
    "Page",
    "PageGone",
    "PageTooLarge",
    "decode_html",
    "default_user_agent",
    "guarded_transport",
    "is_public_address",
    "resolve_host",
]

log = logging.getLogger(__name__)


class _MaskingFilter(logging.Filter):
    """Masks identifiers in httpx's own log lines (``HTTP Request: GET <url>`` names ad addresses,
    which can hold a phone number), so ``-v`` shows no identifier."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_identifiers(record.getMessage())
        record.args = None
        return True


for _name in ("httpx", "httpcore"):
    if not any(isinstance(f, _MaskingFilter) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(_MaskingFilter())


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


class DeadlineExceeded(FetchTransient):
    """The request took longer than ``politeness.deadline`` in all (a trickling server); not retried."""


class AddressRefused(TerminalError):
    """The address is outside the profile's hosts, or its host resolves to a non-public address."""


# ----------------------------------------------------------------------------- host policy

_DEFAULT_PORTS = {"http": 80, "https": 443}
_ANY_DEFAULT_PORT = (80, 443)
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def _split_host(entry: str) -> tuple[str, int | None]:
    """``host[:port]`` (or ``[v6]:port``) -> (host, port or None)."""
    entry = entry.strip().lower()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    host, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and host:
        return host, int(port)
    return entry, None


def _url_host_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not host or port is None:
        return None
    return host, port


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a globally routable unicast address (not private, loopback, link-local,
    reserved, multicast or shared; an IPv4-mapped IPv6 address is judged by its IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not ip.is_multicast


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``socket.getaddrinfo``)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


@dataclass(frozen=True)
class HostPolicy:
    """Where the fetcher may go.

    Args:
        hosts: ``(host, port)`` pairs allowed (a port of None allows 80 and 443; a host ``*.site.se``
            allows every subdomain of site.se and site.se itself); None allows every host.
        allow_private_network: allow hosts resolving to non-public addresses (test servers only).
        resolve: ``(host, port) -> addresses``; injectable for tests.

    Example::

        policy = HostPolicy.for_profile(profile)
        policy.check("http://10.0.0.5/admin")   # raises AddressRefused
    """

    hosts: frozenset[tuple[str, int | None]] | None = None
    allow_private_network: bool = False
    resolve: Callable[[str, int], list[str]] = resolve_host
    _cache: dict[tuple[str, int], tuple[float, tuple[str, ...] | str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @classmethod
    def for_profile(cls, profile: Profile, *, resolve: Callable[[str, int], list[str]] | None = None) -> HostPolicy:
        """The profile's hosts (``base_url``'s and ``allowed_hosts``) and its ``allow_private_network``."""
        parts = urlsplit(profile.base_url)
        base = (parts.hostname or "").lower(), parts.port
        entries = {base, *(_split_host(h) for h in profile.allowed_hosts)}
        return cls(frozenset(entries), profile.allow_private_network, resolve or resolve_host)

    def host_allowed(self, url: str) -> bool:
        """Whether ``url``'s host and port are among the allowed ones (no DNS lookup)."""
        hp = _url_host_port(url)
        if hp is None:
            return False
        if self.hosts is None:
            return True
        host, port = hp
        for h, p in self.hosts:
            port_ok = (port == p) if p is not None else (port in _ANY_DEFAULT_PORT)
            if port_ok and (host == h or (h.startswith("*.") and (host == h[2:] or host.endswith(h[1:])))):
                return True
        return False

    def addresses(self, host: str, port: int) -> tuple[str, ...]:
        """The host's addresses if every one is allowed; cached for a minute.

        Raises:
            AddressRefused: an address is not public (and the policy does not allow private ones).
            FetchTransient: the host cannot be resolved.
        """
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get((host, port))
        if hit is None or hit[0] < now:
            try:
                found: tuple[str, ...] | str = tuple(self.resolve(host, port))
            except (OSError, UnicodeError) as exc:
                raise FetchTransient(f"cannot resolve host {host}: {exc.__class__.__name__}") from None
            if not found:
                raise FetchTransient(f"cannot resolve host {host}")
            if not self.allow_private_network:
                bad = [a for a in found if not is_public_address(a)]
                if bad:
                    found = f"host {host} resolves to a non-public address ({', '.join(bad)})"
            hit = (now + 60.0, found)
            with self._lock:
                self._cache[(host, port)] = hit
        if isinstance(hit[1], str):
            raise AddressRefused(
                f"{hit[1]}; refused (set allow_private_network: true in the profile for a test server)"
            )
        return hit[1]

    def check(self, url: str) -> None:
        """Refuse ``url`` unless its host is allowed and (unless private networks are) resolves publicly.

        Raises:
            AddressRefused: the host is not the profile's, or resolves to a non-public address.
            FetchTransient: the host cannot be resolved.
        """
        if not self.host_allowed(url):
            raise AddressRefused(f"{_host_of(url)} is not one of the profile's hosts (see allowed_hosts)")
        if self.allow_private_network:
            return
        hp = _url_host_port(url)
        assert hp is not None
        self.addresses(*hp)


def _host_of(url: str) -> str:
    try:
        return urlsplit(url).netloc[:200] or url[:200]
    except ValueError:
        return url[:200]


# ----------------------------------------------------------------------------- guarded transport

_DEADLINE = threading.local()
"""The monotonic deadline of the request the current thread is making (set by :meth:`Fetcher._once`)."""


def _remaining(timeout: float | None) -> float | None:
    at: float | None = getattr(_DEADLINE, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _GuardedStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the policy checked, and only within the request's deadline."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        targets: tuple[str, ...] = (host,)
        if not self.policy.allow_private_network:
            try:
                targets = self.policy.addresses(host.lower(), port)
            except (AddressRefused, FetchTransient) as exc:
                raise httpcore.ConnectError(str(exc)) from exc
        error: Exception | None = None
        for address in targets:  # connect to the very address that was checked
            try:
                stream = self._inner.connect_tcp(address, port, _remaining(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _GuardedStream(stream)
        assert error is not None
        raise error

    def sleep(self, seconds: float) -> None:  # pragma: no cover - used by httpcore's retries only
        time.sleep(seconds)


def guarded_transport(policy: HostPolicy, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An ``httpx.HTTPTransport`` whose connections obey ``policy`` and the per-request deadline."""
    transport = httpx.HTTPTransport(limits=limits)
    # httpx does not take a network backend; its connection pool does (httpcore's public API).
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(policy),
    )
    return transport


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

_SLOWEST = 60.0
"""After repeated 429s a host is fetched at most once a minute (seconds between requests)."""

_RECOVERY_STEPS = 50
"""Successful requests that win back the configured rate from zero (each adds a fiftieth of it)."""


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
        self.base_interval = self.interval  # the fastest this host is ever fetched
        self._next = 0.0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._sleep = sleep
        self._clock = clock

    @property
    def rate(self) -> float:
        """The current rate, requests per second (lower than the profile's after 429s)."""
        return _MARGIN / self.interval

    def slow_down(self, rate: float) -> None:
        """Lower the rate (e.g. to robots.txt's Crawl-delay); never raises it."""
        with self._lock:
            self.base_interval = max(self.base_interval, _MARGIN / rate)
            self.interval = max(self.interval, self.base_interval)

    def throttled(self) -> None:
        """The host answered 429: halve the rate (down to one request a minute at the slowest).

        Together with :meth:`succeeded` this is additive-increase, multiplicative-decrease: a site
        that throttles bursts gets a rate it accepts, instead of the same burst after every Retry-After.
        """
        with self._lock:
            self.interval = min(max(self.interval, self.base_interval) * 2, max(_SLOWEST, self.base_interval))

    def succeeded(self) -> None:
        """A request went through: win back a fiftieth of the configured rate (never above it)."""
        with self._lock:
            if self.interval > self.base_interval:
                rate = _MARGIN / self.interval + _MARGIN / self.base_interval / _RECOVERY_STEPS
                self.interval = max(self.base_interval, _MARGIN / rate)

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
        policy: where requests may go (default: any host, but no private or loopback address);
            :meth:`for_profile` uses the profile's hosts.
        sleep, clock, rng: injectable so that tests of backoff run instantly and repeatably.
    """

    def __init__(
        self,
        politeness: Politeness,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        policy: HostPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.p = politeness
        self.policy = policy or HostPolicy()
        self.user_agent = politeness.user_agent or default_user_agent()
        hdrs = {"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
        hdrs.update(headers or {})
        self._own_client = client is None
        limits = httpx.Limits(max_connections=politeness.concurrency * 2, max_keepalive_connections=32)
        if client is None and transport is None and not any(
            os.environ.get(v) or os.environ.get(v.upper()) for v in _PROXY_VARIABLES
        ):
            # Our own connections: only to checked addresses, within the deadline. (Behind a proxy the
            # proxy connects, so the addresses are checked before each request instead.)
            transport = guarded_transport(self.policy, limits)
        self.client = client or httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(min(politeness.timeout_seconds, politeness.deadline)),
            follow_redirects=False,
            limits=limits,
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
        self.throttled = 0  # 429 answers

    @classmethod
    def for_profile(
        cls,
        profile: Profile,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        resolve: Callable[[str, int], list[str]] | None = None,
        **kwargs: Any,
    ) -> Fetcher:
        """A fetcher with the profile's politeness, headers and hosts (:meth:`HostPolicy.for_profile`);
        a :class:`~lagesbild.monitor.browser.BrowserFetcher` for a profile with ``render: browser``."""
        if profile.render == "browser" and cls is Fetcher:
            from lagesbild.monitor.browser import BrowserFetcher  # Playwright only when asked for

            cls = BrowserFetcher
        return cls(
            profile.politeness,
            client=client,
            transport=transport,
            headers=profile.headers,
            policy=HostPolicy.for_profile(profile, resolve=resolve),
            **kwargs,
        )

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
            resp = self._robots_request(robots_url)
        except (TransientError, FetchTerminal, AddressRefused) as exc:
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

    def _robots_request(self, robots_url: str) -> tuple[int, bytes, str | None, str, Mapping[str, str]]:
        """robots.txt, following up to ``max_redirects`` redirects (RFC 9309), each hop checked by the policy."""
        current = robots_url
        seen = {current}
        for _ in range(self.p.max_redirects + 1):
            resp = self._request(current)  # checks the host policy first
            if not 300 <= resp[0] <= 399:
                return resp
            loc = resp[4].get("location")
            if not loc:
                raise FetchTerminal(f"HTTP {resp[0]} without a Location: {current}")
            current = urljoin(current, loc)
            if current in seen:
                raise FetchTerminal(f"redirect loop at {current}")
            seen.add(current)
        raise FetchTerminal(f"more than {self.p.max_redirects} redirects from {robots_url}")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (always True when ``obey_robots_txt`` is off)."""
        if not self.p.obey_robots_txt:
            return True
        rp = self._robots_for(url)
        return rp is not None and rp.can_fetch(self.user_agent, url)

    # -- fetching
    def _request(self, url: str) -> tuple[int, bytes, str | None, str, Mapping[str, str]]:
        """One GET with retries (no redirects): ``(status, body, content_type, url, headers)``."""
        self.policy.check(url)
        lim = self.limiter(url)
        attempt = 0
        while True:
            lim.acquire()
            try:
                self.requests += 1
                status, body, ctype, headers = self._once(url)
            except DeadlineExceeded:
                # retrying a server that trickles would only multiply the wait; a later pass may do better
                raise
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                status, body, ctype, headers = 0, b"", None, {}
                problem = f"{exc.__class__.__name__}"
            finally:
                lim.release()
            if status == 429:
                self.throttled += 1
                lim.throttled()
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
                log.debug("%s for %s; retry %d in %.2f s", problem, _host_of(url), attempt + 1, delay)
                self.retries += 1
                attempt += 1
                self._sleep(delay)
                continue
            lim.succeeded()
            if status in (404, 410):
                raise PageGone(f"HTTP {status}: {url}")
            if 400 <= status <= 499:
                raise FetchTerminal(f"HTTP {status}: {url}")
            return status, body, ctype, url, headers

    def _once(self, url: str) -> tuple[int, bytes, str | None, Mapping[str, str]]:
        """One GET within the deadline: its status, body (at most ``max_page_bytes``), type and headers.

        The deadline is enforced twice: our own transport shortens every socket read and write to the
        time left (so even trickled headers end on time), and the body loop checks the time between
        chunks (which is what bounds an injected transport).
        """
        limit = self.p.max_page_bytes
        budget = self.p.deadline
        started = time.monotonic()
        deadline = started + budget
        _DEADLINE.at = deadline
        try:
            with self.client.stream("GET", url, headers=self._headers) as r:
                headers = {k.lower(): v for k, v in r.headers.items()}
                if r.status_code >= 300:
                    r.close()
                    return r.status_code, b"", headers.get("content-type"), headers
                declared = headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise PageTooLarge(
                        f"page of {int(declared):,} bytes is larger than max_page_bytes {limit:,}: {url}"
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise PageTooLarge(f"page is larger than max_page_bytes {limit:,}: {url}")
                    if time.monotonic() > deadline:
                        raise DeadlineExceeded(f"no complete page within the deadline of {budget:g} s: {url}")
                    chunks.append(chunk)
                return r.status_code, b"".join(chunks), headers.get("content-type"), headers
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError):
            if time.monotonic() >= deadline - 0.01:
                raise DeadlineExceeded(f"no complete page within the deadline of {budget:g} s: {url}") from None
            raise
        finally:
            _DEADLINE.at = None

    def get(self, url: str) -> Page:
        """Fetch one page politely, following redirects by hand (each hop checked against the host
        policy and robots.txt).

        Raises:
            FetchTransient: still failing after every retry (DeadlineExceeded: too slow, not retried).
            AddressRefused: the address or a redirect leaves the profile's hosts or is a private address.
            PageGone, DisallowedByRobots, PageTooLarge, FetchTerminal: retrying will not help.
        """
        seen: set[str] = set()
        current = url
        for hop in range(self.p.max_redirects + 1):
            if not current.startswith(("http://", "https://")):
                raise FetchTerminal(f"not an http(s) address: {current[:200]}")
            try:
                self.policy.check(current)  # every hop, before robots.txt or the page is asked for
            except AddressRefused as exc:
                if hop:
                    log.warning("refused a redirect from %s: %s", _host_of(url), exc)
                    raise AddressRefused(f"redirect refused: {exc}") from None
                raise
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
