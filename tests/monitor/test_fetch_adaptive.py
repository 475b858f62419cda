"""429 bursts: the rate halves on each 429 and recovers slowly (AIMD), and the counts are reported."""

from __future__ import annotations

import itertools

import httpx

from lagesbild.monitor.fetch import HostLimiter

from .test_fetch import FakeTime, make


def test_each_429_halves_the_rate_and_successes_win_it_back_slowly() -> None:
    lim = HostLimiter(4.0, 1)
    full = lim.rate
    lim.throttled()
    assert abs(lim.rate - full / 2) < 1e-9
    lim.throttled()
    assert abs(lim.rate - full / 4) < 1e-9
    for _ in range(5):
        lim.succeeded()
    assert full / 4 < lim.rate < full  # additive: five successes do not undo two halvings
    for _ in range(60):
        lim.succeeded()
    assert abs(lim.rate - full) < 1e-9  # never above the profile's rate
    for _ in range(30):
        lim.throttled()
    assert lim.interval <= 60.0 + 1e-9  # at worst once a minute


def test_recovery_never_undercuts_robots_crawl_delay() -> None:
    lim = HostLimiter(10.0, 1)
    lim.slow_down(0.5)  # Crawl-delay: 2
    lim.throttled()
    for _ in range(100):
        lim.succeeded()
    assert lim.interval >= 2.0


def test_a_site_that_throttles_bursts_sees_fewer_429s_than_a_fixed_rate() -> None:
    """The site allows 2 requests per second (a sliding second); the profile asks for 10/s."""

    def run(adaptive: bool) -> tuple[int, int, list[float]]:
        starts: list[float] = []
        t_holder: list[FakeTime] = []

        def h(r: httpx.Request) -> httpx.Response:
            if r.url.path == "/robots.txt":
                return httpx.Response(404)
            now = t_holder[0].now
            recent = [s for s in starts if now - s < 1.0]
            starts.append(now)
            if len(recent) >= 2:
                return httpx.Response(429, headers={"Retry-After": "1"})
            return httpx.Response(200, text="ok")

        f, t = make(h, rate_per_second=10, backoff_seconds=0.1, max_retries=10)
        t_holder.append(t)
        if not adaptive:
            lim = f.limiter("http://s.test/")
            lim.throttled = lambda: None  # type: ignore[method-assign]
        for i in range(40):
            f.get(f"http://s.test/p{i}")
        return f.throttled, f.retries, starts

    adaptive_429, adaptive_retries, starts = run(True)
    fixed_429, _, _ = run(False)
    assert adaptive_retries == adaptive_429  # every 429 was retried and counted
    print(f"429 answers for 40 pages: adaptive {adaptive_429}, fixed rate {fixed_429}")
    assert adaptive_429 < fixed_429 / 2, (adaptive_429, fixed_429)
    # and the adaptive crawl settles near what the site accepts: the last requests are not throttled
    gaps = [b - a for a, b in itertools.pairwise(starts[-10:])]
    assert min(gaps) >= 0.2
