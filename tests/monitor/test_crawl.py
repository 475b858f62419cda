"""Crawling the simulated sites through an injected transport (no sockets), on both backends."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from lagesbild.monitor import Profile, crawl, reprocess, source_status
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate.server import Faults, SimApp
from lagesbild.store import Store
from lagesbild.store.crawl import CrawlStore

from .conftest import BASE, app_transport, day_clock, fast, online_ids


def _obs(store: Store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT site, site_ad_id, seen_at, title, body, age, phones, emails, image_hashes FROM observations"
                )
            )
        )


@pytest.mark.parametrize("site", ["annonsportalen", "nattkontakt", "kontaktlistan"])
def test_crawl_captures_every_online_ad_with_its_fields(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer, site: str
) -> None:
    app = SimApp(world)
    r = crawl(fast(profiles[site], BASE), store, pz, transport=app_transport(app), clock=day_clock(app, 3))
    assert r.status == "done" and r.health is not None and not r.health.degraded, r.health
    truth = online_ids(world, site, 3)
    stored = {o[1] for o in _obs(store)}
    assert stored == truth
    assert r.health.field_rates["title"] == 1.0 and r.health.field_rates["body"] == 1.0
    # identifiers are pseudonyms by the time they are stored
    assert all(p.startswith("ph_") for o in _obs(store) for p in str(o[6]).split())


def test_lifecycle_first_last_seen_and_disappearance(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    p = fast(profiles["annonsportalen"], BASE)
    for day in (0, 1, 2):
        crawl(p, store, pz, transport=app_transport(app), clock=day_clock(app, day))
    cs = CrawlStore(store)
    gone = online_ids(world, "annonsportalen", 1) - online_ids(world, "annonsportalen", 2)
    kept = online_ids(world, "annonsportalen", 0) & online_ids(world, "annonsportalen", 2)
    assert gone and kept
    ad = cs.ad_lifecycle("annonsportalen", sorted(gone)[0])
    assert ad is not None and ad["disappeared_at"] is not None and ad["last_seen"].endswith("T12:00:00Z")
    ad2 = cs.ad_lifecycle("annonsportalen", sorted(kept)[0])
    assert ad2 is not None and ad2["disappeared_at"] is None and ad2["first_seen"] < ad2["last_seen"]
    assert store.site_ad("annonsportalen", sorted(kept)[0])["n_observations"] >= 2  # type: ignore[index]


def test_interrupted_crawl_continues_with_the_same_observations(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer, tmp_path: Path
) -> None:
    app = SimApp(world)
    p = fast(profiles["kontaktlistan"], BASE)
    clock = day_clock(app, 5)
    parts = []
    while True:
        r = crawl(p, store, pz, transport=app_transport(app), clock=clock, max_pages=7, batch_size=3)
        parts.append(r)
        if r.status == "done":
            break
    assert len(parts) > 3 and all(x.run.id == parts[0].run.id for x in parts)
    ref = Store.open(f"sqlite:///{tmp_path / 'ref.db'}")
    crawl(p, ref, pz, transport=app_transport(app), clock=clock)
    assert _obs(store) == _obs(ref)
    assert store.count_observations() == len(online_ids(world, "kontaktlistan", 5))


def test_a_run_starts_with_its_first_pages_in_the_same_transaction(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    """A run killed as it starts must not resume with an empty frontier and finish with nothing seen."""
    app = SimApp(world)
    p = fast(profiles["kontaktlistan"], BASE)
    clock = day_clock(app, 4)
    cs = CrawlStore(store)
    seeded = cs.create_run("other-site", seen_at="x", started_at="y", profile_sha256="z", seeds=[(BASE, "listing", 0)])
    assert [i.url for i in cs.pending(seeded.id, 10)] == [BASE]
    # a run left without pages by an older version (killed between the two steps) is given them on resume
    started = clock().isoformat().replace("+00:00", "Z")
    empty = cs.create_run("kontaktlistan", seen_at=started, started_at=started, profile_sha256="z")
    r = crawl(p, store, pz, transport=app_transport(app), clock=clock)
    assert r.resumed and r.run.id == empty.id and r.status == "done"
    assert {o[1] for o in _obs(store)} == online_ids(world, "kontaktlistan", 4)


def test_stop_event_leaves_a_resumable_run(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    stop = threading.Event()
    stop.set()
    p = fast(profiles["nattkontakt"], BASE)
    r = crawl(p, store, pz, transport=app_transport(app), clock=day_clock(app, 0), stop=stop)
    assert r.status == "stopped" and source_status(store)[0].state == "running"
    r2 = crawl(p, store, pz, transport=app_transport(app), clock=day_clock(app, 0))
    assert r2.resumed and r2.status == "done"


def test_layout_change_is_reported_degraded_within_one_run(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    hooks: list[httpx.Request] = []
    sim = app_transport(app)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "hooks.test":
            hooks.append(request)
            return httpx.Response(200)
        return sim.handle_request(request)

    p = fast(profiles["annonsportalen"], BASE)
    p = p.model_copy(update={"health": p.health.model_copy(update={"webhook_url": "http://hooks.test/x"})})
    ok = crawl(p, store, pz, transport=httpx.MockTransport(handler), clock=day_clock(app, 0))
    assert ok.health is not None and not ok.health.degraded
    app.set_faults(Faults(layout_change=frozenset({"annonsportalen"})))
    bad = crawl(p, store, pz, transport=httpx.MockTransport(handler), clock=day_clock(app, 1))
    assert bad.health is not None and bad.health.degraded
    assert any("title" in reason and "layout" in reason for reason in bad.health.reasons)
    (st,) = source_status(store, ["annonsportalen"])
    assert st.state == "degraded" and st.reasons
    assert len(hooks) == 1 and b"degraded" in hooks[0].content
    # the ads are still stored (their ids come from the address), and none disappeared
    assert CrawlStore(store).count_ads("annonsportalen", online=False) == 0


def test_site_that_stops_answering_is_degraded(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(503)

    p = fast(profiles["annonsportalen"], BASE)
    p = p.model_copy(update={"politeness": p.politeness.model_copy(update={"max_retries": 1})})
    r = crawl(p, store, pz, transport=httpx.MockTransport(down))
    assert r.health is not None and r.health.degraded and "did not answer" in r.health.reasons[0]


def test_reprocess_after_a_profile_fix_replaces_sightings(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    good = fast(profiles["annonsportalen"], BASE)
    fields = dict(good.ad.fields)
    fields["title"] = fields["title"].model_copy(update={"css": "h1.no-such-class::text"})
    broken = good.model_copy(update={"ad": good.ad.model_copy(update={"fields": fields})})
    crawl(broken, store, pz, transport=app_transport(app), clock=day_clock(app, 0), keep_raw_pages=True)
    assert all(o[3] is None for o in _obs(store))
    n = store.count_observations()
    r = reprocess(good, store, pz, since="2000-01-01")
    assert r.ads == n and r.new == 0 and r.replaced == n
    assert store.count_observations() == n and all(o[3] for o in _obs(store))
    assert CrawlStore(store).purge_raw_pages("9999-01-01") == n
