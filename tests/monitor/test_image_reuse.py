"""A picture is fetched once per source, not every day its ad stays online (issue 17): the crawl
remembers the perceptual hash of each picture address it fetched (``crawl_image_hashes``, keyed by
the address's hash) and reuses it; the hashes stored are the same as a fresh fetch's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

from lagesbild.monitor import Profile, crawl
from lagesbild.privacy import Pseudonymizer
from lagesbild.retention import apply_retention
from lagesbild.settings import load_settings
from lagesbild.simulate.server import SimApp
from lagesbild.store import Store
from lagesbild.store.crawl import CrawlStore, url_hash

from .conftest import BASE, app_transport, day_clock, fast

SITE = "annonsportalen"


class _Recorder:
    def __init__(self, app: SimApp) -> None:
        self.inner = app_transport(app)
        self.asked: list[str] = []

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            self.asked.append(str(request.url))
            return self.inner.handle_request(request)

        return httpx.MockTransport(handler)

    def images(self) -> list[str]:
        return [u for u in self.asked if "/img/" in u]


def _day_hashes(store: Store, seen_at: str) -> dict[str, str]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT site_ad_id, image_hashes FROM observations WHERE site = :s AND seen_at = :d"),
            {"s": SITE, "d": seen_at},
        ).all()
    return {r[0]: str(r[1] or "") for r in rows}


def _crawl_day(p: Profile, store: Store, pz: Pseudonymizer, app: SimApp, day: int) -> tuple[_Recorder, object]:
    rec = _Recorder(app)
    r = crawl(p, store, pz, transport=rec.transport(), clock=day_clock(app, day))
    assert r.status == "done" and r.health is not None and not r.health.degraded, r.health
    return rec, r


def test_day_two_fetches_only_the_new_pictures(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer, tmp_path: Path
) -> None:
    app = SimApp(world)
    p = fast(profiles[SITE], BASE)
    day1, r1 = _crawl_day(p, store, pz, app, 3)
    day2, r2 = _crawl_day(p, store, pz, app, 4)
    h1, h2 = r1.health, r2.health  # type: ignore[attr-defined]
    img1, img2 = day1.images(), day2.images()
    assert img1 and len(img1) == len(set(img1)) == h1.images_fetched and h1.images_reused == 0
    # day 2 asks for no picture day 1 fetched, and for each new one once
    assert not set(img2) & set(img1)
    assert len(img2) == len(set(img2)) == h2.images_fetched
    assert h2.images_reused > 0

    # a fresh store crawling day 2 alone fetches every picture shown that day: the reusing crawl
    # fetched exactly those not fetched the day before, and stored the same hashes
    fresh = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        full, rf = _crawl_day(p, fresh, pz, SimApp(world), 4)
        assert set(img2) == set(full.images()) - set(img1)
        assert rf.health.images_reused == 0  # type: ignore[attr-defined]
        assert h2.images_reused == len(set(full.images()) & set(img1))
        seen_at = r2.run.seen_at  # type: ignore[attr-defined]
        reused, fetched = _day_hashes(store, seen_at), _day_hashes(fresh, seen_at)
        assert reused and reused == fetched
        assert any(v for v in reused.values())
    finally:
        fresh.close()

    # only address hashes are kept, never the addresses; retention forgets them with the frontier
    cs = CrawlStore(store)
    n = cs.count_image_hashes(SITE)
    assert n == len(set(img1) | set(img2))
    with store.engine.connect() as conn:
        keys = {r[0] for r in conn.execute(text("SELECT url_hash FROM crawl_image_hashes")).all()}
    assert keys == {url_hash(u) for u in set(img1) | set(img2)}
    # 30 days after day 4 began: the cutoff falls between day 1's crawl (day 3, noon) and day 2's (day 4, noon)
    later = datetime.combine(app.start_date, datetime.min.time(), UTC) + timedelta(days=4 + 30)
    settings = load_settings(home=str(tmp_path / "home"), frontier_retention_days=30)
    res = apply_retention(store, settings, now=later, relink=lambda s: None)
    assert res.deleted.rows.get("crawl_image_hashes") == len(set(img1))  # day 2's are younger than 30 days
    assert cs.count_image_hashes(SITE) == len(set(img2))
