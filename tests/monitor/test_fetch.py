"""Politeness over httpx.MockTransport: robots.txt, rate, retries, limits, encodings, redirects."""

from __future__ import annotations

import itertools

import httpx
import pytest

from lagesbild.monitor.fetch import (
    DisallowedByRobots,
    Fetcher,
    FetchTerminal,
    FetchTransient,
    HostLimiter,
    HostPolicy,
    PageGone,
    PageTooLarge,
    decode_html,
)
from lagesbild.monitor.spec import Politeness

ROBOTS = "User-agent: *\nDisallow: /admin/\nCrawl-delay: 2\n"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


def make(handler, **pol: object) -> tuple[Fetcher, FakeTime]:  # type: ignore[no-untyped-def]
    t = FakeTime()
    f = Fetcher(
        Politeness(**pol),  # type: ignore[arg-type]
        transport=httpx.MockTransport(handler),
        policy=HostPolicy(allow_private_network=True),  # no DNS for the fictional hosts
        sleep=t.sleep,
        clock=t.clock,
    )
    return f, t


def test_robots_disallow_and_crawl_delay_and_user_agent() -> None:
    seen: list[httpx.Request] = []

    def h(r: httpx.Request) -> httpx.Response:
        seen.append(r)
        return httpx.Response(200, text=ROBOTS if r.url.path == "/robots.txt" else "<p>ok</p>")

    f, _ = make(h, rate_per_second=100)
    with pytest.raises(DisallowedByRobots):
        f.get("http://s.test/admin/login")
    f.get("http://s.test/a")
    f.get("http://s.test/b")
    assert [r.url.path for r in seen] == ["/robots.txt", "/a", "/b"]
    assert seen[1].headers["user-agent"].startswith("lagesbild-monitor/")
    assert f.limiter("http://s.test/").interval >= 2.0  # Crawl-delay wins over 100/s


def test_429_retry_after_then_success() -> None:
    calls = {"n": 0}

    def h(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        calls["n"] += 1
        if calls["n"] < 3:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return httpx.Response(200, text="ok")

    f, t = make(h, backoff_seconds=1)
    assert f.get("http://s.test/x").text == "ok"
    assert sum(1 for s in t.sleeps if s >= 7) >= 2 and f.retries == 2


def test_5xx_backoff_is_exponential_with_jitter_then_gives_up() -> None:
    def h(r: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if r.url.path == "/robots.txt" else httpx.Response(503)

    f, t = make(h, backoff_seconds=1, max_retries=3, rate_per_second=1000)
    with pytest.raises(FetchTransient):
        f.get("http://s.test/x")
    waits = [s for s in t.sleeps if s > 0.01]
    assert len(waits) == 3
    for i, w in enumerate(waits):
        assert 0.5 * 2**i <= w <= 1.5 * 2**i


def test_rate_limit_gives_requests_slots_apart() -> None:
    t = FakeTime()
    lim = HostLimiter(4.0, 1, sleep=t.sleep, clock=t.clock)
    starts = []
    for _ in range(9):
        lim.acquire()
        starts.append(t.now)
        lim.release()
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(starts))


@pytest.mark.parametrize(
    ("resp", "error"),
    [
        (httpx.Response(404), PageGone),
        (httpx.Response(403), FetchTerminal),
        (httpx.Response(200, content=b"x" * 5000), PageTooLarge),
        (httpx.Response(301, headers={"Location": "/loop"}), FetchTerminal),
    ],
)
def test_terminal_failures(resp: httpx.Response, error: type[Exception]) -> None:
    def h(r: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if r.url.path == "/robots.txt" else resp

    f, _ = make(h, max_page_bytes=1000)
    with pytest.raises(error):
        f.get("http://s.test/loop")


def test_unreachable_robots_txt_forbids_the_host() -> None:
    def h(r: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    f, _ = make(h, max_retries=0)
    with pytest.raises(DisallowedByRobots):
        f.get("http://s.test/x")


def test_encodings() -> None:
    assert decode_html("Å".encode("cp1252"), "text/html; charset=windows-1252")[0] == "Å"
    assert decode_html(b'<meta charset="iso-8859-1"><p>\xe5</p>', None)[0].endswith("<p>å</p>")
    text, enc, guessed = decode_html(b"<p>\xe5\xe4\xf6</p>", None)
    assert text == "<p>åäö</p>" and enc == "cp1252" and guessed
    assert decode_html("åäö".encode(), "text/html; charset=bogus-charset")[0] == "åäö"
