"""End to end against the simulator's web server on loopback: the issue's 'done when' checks."""

from __future__ import annotations

import gzip
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from lagesbild.monitor import Profile, crawl, import_pages
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate.server import SimServer
from lagesbild.store import Store

from .conftest import fast, online_ids

SITES = ("annonsportalen", "nattkontakt", "kontaktlistan")
CHILD = Path(__file__).with_name("_crawl_child.py")


def _noon(server: SimServer, day: int) -> datetime:
    return datetime.combine(server.app.start_date, datetime.min.time(), UTC) + timedelta(days=day, hours=12)


def _sightings(store: Store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(text("SELECT site, site_ad_id, seen_at, title, body, phones FROM observations"))
        )


@pytest.mark.slow
def test_sixty_days_capture_every_ad_online_during_a_crawl(
    world: Path, profiles: dict[str, Profile], tmp_path: Path, pz: Pseudonymizer
) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'sixty.db'}")
    missed: dict[str, int] = {}
    with SimServer(world) as server:
        for day in range(60):
            server.app.set_day(day)
            for site in SITES:
                r = crawl(fast(profiles[site], server.url), store, pz, clock=lambda d=day: _noon(server, d))
                assert r.health is not None and not r.health.degraded, (site, day, r.health.reasons)
    with store.engine.connect() as conn:
        got = {(s, a, t[:10]) for s, a, t in conn.execute(text("SELECT site, site_ad_id, seen_at FROM observations"))}
    for site in SITES:
        for day in range(60):
            date = (_noon(server, day)).date().isoformat()
            truth = online_ids(world, site, day)
            missed[site] = missed.get(site, 0) + len({a for a in truth if (site, a, date) not in got})
            assert {(s, a) for s, a, d in got if s == site and d == date} <= {(site, a) for a in truth}
    assert missed == {s: 0 for s in SITES}


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_at_random_points_ends_with_the_same_observations(
    world: Path, profiles: dict[str, Profile], db_url: str, tmp_path: Path, pz: Pseudonymizer, seed: int
) -> None:
    rng = random.Random(seed)
    site = "kontaktlistan"
    with SimServer(world) as server:
        server.app.set_day(10)
        when = _noon(server, 10).isoformat()
        Store.open(db_url).close()  # migrate before the first child, so kills hit the crawl
        kills = 0
        for attempt in range(40):
            proc = subprocess.Popen(
                [sys.executable, str(CHILD), db_url, server.url, site, when],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            try:
                # the child needs its start-up (imports) plus the crawl, images included, to finish: the
                # allowance grows until it does (on a loaded machine start-up alone can take seconds)
                out, err = proc.communicate(timeout=rng.uniform(0.5, 1.4) + 0.35 * attempt)
            except subprocess.TimeoutExpired:
                proc.kill()  # SIGKILL
                proc.communicate()
                kills += 1
                continue
            assert proc.returncode == 0, err.decode()[-2000:]
            if out.startswith(b"done"):
                break
        else:
            pytest.fail("the crawl never finished")
        ref = Store.open(f"sqlite:///{tmp_path / 'ref.db'}")
        crawl(fast(profiles[site], server.url), ref, pz, clock=lambda: _noon(server, 10))
    killed = Store.open(db_url)
    assert kills >= 1
    assert _sightings(killed) == _sightings(ref)
    assert killed.count_observations() == len(online_ids(world, site, 10))
    killed.close()


def test_import_saved_pages_folder_and_warc(
    world: Path, profiles: dict[str, Profile], tmp_path: Path, pz: Pseudonymizer, store: Store
) -> None:
    site = "nattkontakt"
    ids = sorted(online_ids(world, site, 4))[:8]
    folder = tmp_path / "saved"
    folder.mkdir()
    warc = bytearray()
    with SimServer(world) as server:
        server.app.set_day(4)
        p = fast(profiles[site], server.url)
        for i, ad in enumerate(ids):
            url = f"{server.url}/{site}/annons/{ad}"
            r = httpx.get(url)
            (folder / f"page{i}.html").write_bytes(
                r.content.replace(b"<head>", f'<head><link rel="canonical" href="{url}">'.encode(), 1)
            )
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + r.content
            head = (
                f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
                f"WARC-Date: 2024-03-05T10:00:00Z\r\nContent-Length: {len(http)}\r\n\r\n"
            ).encode()
            warc += head + http + b"\r\n\r\n"
    (tmp_path / "pages.warc.gz").write_bytes(gzip.compress(bytes(warc)))
    r1 = import_pages(p, store, pz, folder, seen_at="2024-03-05T09:00:00Z")
    assert (r1.ads, r1.new_observations) == (8, 8)
    r2 = import_pages(p, store, pz, tmp_path / "pages.warc.gz")
    assert (r2.ads, r2.new_observations) == (8, 8)
    assert {o[1] for o in _sightings(store)} == set(ids)
    assert import_pages(p, store, pz, tmp_path / "pages.warc.gz").new_observations == 0
