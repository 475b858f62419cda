"""A crawl that a hostile or broken site cannot wedge: failed runs end, off-site links are not followed,
work is committed every couple of seconds, and `source test` shows no identifier."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest

from lagesbild.monitor import Profile, crawl, source_status, test_page, with_base_url
from lagesbild.monitor.spec import FieldSpec
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate.server import SimApp
from lagesbild.store import Store
from lagesbild.store.crawl import CrawlStore

from .conftest import BASE, app_transport, day_clock, fast, online_ids

PHONE = "070-174 06 05"  # PTS fiction range
PHONE_DIGITS = "0701740605"


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def test_a_crawl_that_raises_ends_its_run_failed_and_the_next_one_starts_afresh(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    p = fast(profiles["kontaktlistan"], BASE)
    clock = day_clock(app, 2)

    def explode(progress: object) -> None:
        raise RuntimeError(f"boom while calling {PHONE} about lisa@example.invalid")

    with pytest.raises(RuntimeError, match="boom"):
        crawl(p, store, pz, transport=app_transport(app), clock=clock, progress=explode)
    cs = CrawlStore(store)
    (failed,) = cs.recent_runs("kontaktlistan")
    assert failed.status == "failed" and failed.degraded and failed.finished_at is not None
    assert failed.health is not None
    error = failed.health["error"]
    assert error.startswith("RuntimeError: boom") and "[masked]" in error
    stored = json.dumps(failed.health)
    assert PHONE_DIGITS not in _digits(stored) and "lisa@example.invalid" not in stored
    (st,) = source_status(store, ["kontaktlistan"])
    assert st.state == "failed" and st.reasons[0].startswith("the crawl failed: RuntimeError: boom")
    # not resumed: a new run, which completes
    r = crawl(p, store, pz, transport=app_transport(app), clock=clock)
    assert not r.resumed and r.run.id != failed.id and r.status == "done"
    assert {o for o in store_ids(store)} == online_ids(world, "kontaktlistan", 2)


def store_ids(store: Store) -> set[str]:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT site_ad_id FROM observations"))}


def test_an_extractor_that_raises_fails_its_pages_not_the_run(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    """The profile from the issue (an invalid group reference), built past validation as an older check let it."""
    app = SimApp(world)
    p = fast(profiles["kontaktlistan"], BASE)
    fields = dict(p.ad.fields)
    bad = FieldSpec.model_construct(**{**dict(fields["title"]), "cleanup": (("regex_replace", ("[a-zåäö]", "\\9")),)})
    fields["title"] = bad
    p = p.model_copy(update={"ad": p.ad.model_copy(update={"fields": fields})})
    r = crawl(p, store, pz, transport=app_transport(app), clock=day_clock(app, 1))
    assert r.status == "done" and r.health is not None and r.health.degraded
    assert r.health.error_counts.get("ParseError", 0) == r.health.pages_failed > 0
    assert any("invalid group reference" in s for s in r.health.error_samples)
    assert CrawlStore(store).unfinished_run("kontaktlistan") is None


def test_links_to_other_hosts_are_not_followed(store: Store, pz: Pseudonymizer, profiles: dict[str, Profile]) -> None:
    asked: list[str] = []
    listing = (
        '<html><a href="/annonsportalen/annons/11">x</a>'
        '<a href="http://evil.test/annonsportalen/annons/12">y</a>'
        '<a href="http://127.0.0.1:6379/annonsportalen/annons/13">z</a></html>'
    )
    ad = '<div class="ad-detail"><h1 class="ad-title">Hej</h1><div class="ad-text"><p>Text</p></div></div>'

    def handler(r: httpx.Request) -> httpx.Response:
        asked.append(str(r.url))
        if r.url.host != "site.test":
            return httpx.Response(200, text="should never be asked")
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        if "/annons/" in r.url.path:
            return httpx.Response(200, text=ad, headers={"content-type": "text/html; charset=utf-8"})
        return httpx.Response(200, text=listing, headers={"content-type": "text/html; charset=utf-8"})

    p = with_base_url(profiles["annonsportalen"], "http://site.test/annonsportalen/")
    p = p.model_copy(update={"start": p.start.model_copy(update={"urls": ("stad/x/",), "discover": None})})
    r = crawl(p, store, pz, transport=httpx.MockTransport(handler))
    assert all(u.startswith("http://site.test/") for u in asked), asked
    assert r.health is not None and r.health.ads == 1
    assert "2 link(s) to other hosts than the profile's were not followed" in r.health.warnings


def test_a_slow_site_is_committed_every_commit_seconds(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    sim = app_transport(app)

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.02)
        return sim.handle_request(request)

    p = fast(profiles["kontaktlistan"], BASE)
    marks: list[tuple[float, int]] = []
    r = crawl(
        p,
        store,
        pz,
        transport=httpx.MockTransport(slow),
        clock=day_clock(app, 3),
        max_pages=48,
        batch_size=16,
        commit_seconds=0.15,
        progress=lambda pr: marks.append((time.monotonic(), pr.pages_done)),
    )
    # the tiny world's kontaktlistan has more than 48 pages on day 3, so the cap is what stops the crawl
    assert r.pages == 48
    done = [n for _, n in marks]
    # a 16-page batch at ~0.02 s a page takes ~0.35 s: committed in several pieces, not once at its end
    assert len(set(done)) > 48 // 16 * 2, done
    assert any(n % 16 for n in done)
    # and what was committed is in the store (a kill now would lose nothing of it)
    cs = CrawlStore(store)
    (run,) = cs.recent_runs("kontaktlistan")
    assert sum(1 for row in cs.frontier_rows(run.id) if row["status"] != "pending") == 48


def test_source_test_shows_no_identifier(profiles: dict[str, Profile]) -> None:
    ad = (
        '<html><head><meta charset="utf-8"></head><body><div class="ad-detail">'
        f'<h1 class="ad-title">Ring {PHONE} nu</h1>'
        f'<div class="ad-text"><p>Sms 070-1740606 eller maila lisa@example.invalid</p></div>'
        '<span class="ad-name">Lisa</span>'
        f'<a class="phone">{PHONE}</a><a class="email">lisa@example.invalid</a>'
        f'<a href="/annonsportalen/annons/{PHONE_DIGITS}">en till</a>'
        "</div></body></html>"
    )

    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, text=ad, headers={"content-type": "text/html; charset=utf-8"})

    p = with_base_url(profiles["annonsportalen"], "http://site.test/annonsportalen/")
    t = test_page(p, f"http://site.test/annonsportalen/annons/{PHONE_DIGITS}", transport=httpx.MockTransport(handler))
    shown = json.dumps(t.to_json(), ensure_ascii=False)
    assert t.fields["title"] == "Ring [masked] nu" and t.fields["phones"] and t.fields["emails"]
    for raw in (PHONE_DIGITS, "0701740606"):
        assert raw not in _digits(shown), shown
    assert "lisa@example.invalid" not in shown and "example.invalid" not in shown
    assert "Lisa" not in shown and t.fields["name"] == "••••"
    assert t.ad_links and "[masked]" in t.ad_links[0]


def test_page_errors_are_recorded_without_identifiers(
    store: Store, pz: Pseudonymizer, profiles: dict[str, Profile], caplog: pytest.LogCaptureFixture
) -> None:
    listing = f'<a href="/annonsportalen/annons/{PHONE_DIGITS}">x</a><a href="/annonsportalen/annons/0701740607">y</a>'

    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        if r.url.path.endswith(PHONE_DIGITS):
            return httpx.Response(403)
        if "/annons/" in r.url.path:
            return httpx.Response(410)
        return httpx.Response(200, text=listing, headers={"content-type": "text/html; charset=utf-8"})

    p = with_base_url(profiles["annonsportalen"], "http://site.test/annonsportalen/")
    p = p.model_copy(update={"start": p.start.model_copy(update={"urls": ("stad/x/",), "discover": None})})
    with caplog.at_level("DEBUG"):
        r = crawl(p, store, pz, transport=httpx.MockTransport(handler))
    cs = CrawlStore(store)
    errors = [str(row["error"]) for row in cs.frontier_rows(r.run.id) if row["error"]]
    assert len(errors) == 2 and any(e.startswith("FetchTerminal: HTTP 403") for e in errors), errors
    for text in [*errors, json.dumps(r.health.to_json() if r.health else {}), caplog.text]:
        assert PHONE_DIGITS not in text and "0701740607" not in text


def test_stop_takes_effect_within_a_batch_and_the_pass_continues_later(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    import threading

    app = SimApp(world)
    sim = app_transport(app)
    stop = threading.Event()
    served: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        served.append(request.url.path)
        if sum("/annons/" in u for u in served) == 3:
            stop.set()  # SIGTERM arrives while the third ad page is read
        return sim.handle_request(request)

    p = fast(profiles["kontaktlistan"], BASE)
    clock = day_clock(app, 6)
    r = crawl(p, store, pz, transport=httpx.MockTransport(handler), clock=clock, stop=stop, batch_size=64)
    assert r.status == "stopped" and r.new_observations == 3  # not the rest of a 64-page batch
    r2 = crawl(p, store, pz, transport=app_transport(app), clock=clock)
    assert r2.resumed and r2.status == "done"
    assert store_ids(store) == online_ids(world, "kontaktlistan", 6)
