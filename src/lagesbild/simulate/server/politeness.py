"""Politeness the simulated sites ask for and enforce: robots.txt, and a per-client rate limit
(a token bucket per remote address and User-Agent, answering ``429`` with ``Retry-After``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

from lagesbild.errors import InputError
from lagesbild.simulate.server.responses import Response

__all__ = ["RateLimiter", "robots_txt"]


def robots_txt(names: Iterable[str], crawl_delay: int) -> str:
    """The robots.txt of the sites ``names``: their admin and search pages are disallowed, with a crawl delay."""
    lines = ["# Simulated ad sites (lagesbild). Be polite.", "User-agent: *", f"Crawl-delay: {crawl_delay}"]
    for n in names:
        lines += [f"Disallow: /{n}/admin/", f"Disallow: /{n}/sok"]
    lines += ["", "User-agent: BadBot", "Disallow: /", ""]
    return "\n".join(lines)


class RateLimiter:
    """At most ``rate`` requests per second per client, after a burst of ``burst`` (no limit when ``rate`` is None).

    Not thread-safe on its own: :class:`~lagesbild.simulate.server.app.SimApp` calls it under its lock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], list[float]] = {}
        self.rate: float | None = None
        self.burst = 1.0

    def configure(self, rate: float | None, burst: float | None = None) -> None:
        """Set the rate (``None``: no limit) and the burst (default: one second's worth, at least 1).

        Every client's bucket is forgotten.
        """
        if rate is not None and rate <= 0:
            raise InputError(f"the rate limit must be positive, got {rate}", field="rate_limit")
        if burst is not None and burst < 1:
            raise InputError(f"the burst must be at least 1, got {burst}", field="burst")
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate or 1.0)
        self._buckets.clear()

    def check(self, client: str, agent: str) -> Response | None:
        """``None`` when the request may go ahead, else the ``429`` answer with its ``Retry-After``."""
        if self.rate is None:
            return None
        now = self._clock()
        bucket = self._buckets.get((client, agent))
        if bucket is None:
            bucket = self._buckets[(client, agent)] = [self.burst, now]
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return None
        bucket[0] = tokens
        wait = max(1, math.ceil((1.0 - tokens) / self.rate))
        return Response(
            429,
            f"För många förfrågningar. Försök igen om {wait} s.\n".encode(),
            "text/plain; charset=utf-8",
            {"Retry-After": str(wait)},
        )
