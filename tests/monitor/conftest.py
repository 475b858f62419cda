"""Fixtures for the monitor's tests: a small simulated world, served without sockets (SimApp behind
httpx.MockTransport) or on loopback (SimServer), and the shipped profiles pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from lagesbild.monitor import Profile, shipped_profiles, with_base_url
from lagesbild.simulate.server import SimApp

BASE = "http://sim.test"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `tiny` preset (60 days, three sites), simulated once per session."""
    from lagesbild.simulate import load_config, simulate

    out = tmp_path_factory.mktemp("world")
    simulate(load_config("tiny"), 7, out)
    return out


def fast(p: Profile, base: str) -> Profile:
    """A shipped profile pointed at ``base`` with politeness lifted (test servers only)."""
    p = with_base_url(p, f"{base}/{p.source}/")
    pol = p.politeness.model_copy(
        update={"rate_per_second": 10_000, "concurrency": 1, "obey_crawl_delay": False, "backoff_seconds": 0}
    )
    return p.model_copy(update={"politeness": pol})


@pytest.fixture(scope="session")
def profiles() -> dict[str, Profile]:
    return shipped_profiles()


def app_transport(app: SimApp) -> httpx.MockTransport:
    """SimApp as an httpx transport: the whole site logic, no sockets."""

    def handler(request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode()
        r = app.handle(request.method, target, {k.lower(): v for k, v in request.headers.items()}, b"", "127.0.0.1")
        return httpx.Response(r.status, content=r.body, headers={"content-type": r.content_type, **r.headers})

    return httpx.MockTransport(handler)


def day_clock(app: SimApp, day: int) -> Callable[[], datetime]:
    """Set the app's simulated day; return a clock at noon (UTC) of that day."""
    app.set_day(day)
    when = datetime.combine(app.start_date, datetime.min.time(), UTC) + timedelta(days=day, hours=12)
    return lambda: when


def online_ids(world: Path, site: str, day: int) -> set[str]:
    """Ground truth: the ad ids the server shows on ``day``."""
    import gzip

    import orjson

    ids = set()
    with gzip.open(world / "sites" / f"{site}.jsonl.gz") as f:
        for line in f:
            d = orjson.loads(line)
            if d["online_from"] <= day <= d["online_to"]:
                ids.add(d["site_ad_id"])
    return ids
