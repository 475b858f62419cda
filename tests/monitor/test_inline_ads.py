"""Listings that carry each whole ad (`listing.ads`): JSON APIs with no address per ad, and HTML cards.

An inline ad is stored exactly like an ad read from its own page: the same observation (pseudonymized
at the door), health and field rates, image hashes (fetched once per picture), raw listing page kept,
one sighting per ad per pass however often the ad is shown and however often the pass is interrupted.
"""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from sqlalchemy import text

from lagesbild.errors import InputErrors
from lagesbild.monitor import crawl, test_page
from lagesbild.monitor.compile import compile_profile
from lagesbild.monitor.pages import import_pages, reprocess
from lagesbild.monitor.spec import parse_profile
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import OBSERVATION_COLUMNS, Store
from lagesbild.store.crawl import CrawlStore

API = "http://api.test/"
_FAST: dict[str, Any] = {"rate_per_second": 10000, "concurrency": 1, "obey_robots_txt": False, "backoff_seconds": 0}
_FIELDS: dict[str, Any] = {
    "site_ad_id": {"jmespath": "id"},
    "title": {"jmespath": "title"},
    "body": {"jmespath": "description"},
    "age": {"jmespath": "person.age"},
    "location": {"jmespath": "place.city"},
    "phones": {"jmespath": "contact.phones[]"},
}

INLINE: dict[str, Any] = {
    "source": "inlinesajten",
    "base_url": API,
    "format": "json",
    "allow_private_network": True,  # a test server: no DNS lookup of api.test
    "politeness": _FAST,
    "start": {"urls": ["api/list?page=1"]},
    "listing": {"ads": {"jmespath": "items[]"}, "next_pages": {"jmespath": "next"}},
    "ad": {"fields": _FIELDS, "images": {"jmespath": "photos[].url"}},
}

# the same site read the other way: a listing of links, one page per ad
PER_PAGE = copy.deepcopy(INLINE)
PER_PAGE["start"] = {"urls": ["api/links?page=1"]}
PER_PAGE["listing"] = {"ad_links": {"jmespath": "items[].self"}, "next_pages": {"jmespath": "next"}}


def _ad(i: int) -> dict[str, Any]:
    # fictional numbers from PTS's drama range (070-174 06 05..99)
    return {
        "id": i,
        "title": f"Annons {i}",
        "description": f"Hej! Ring 070-174 06 {i:02d} eller skriv.",
        "person": {"age": 20 + i % 10} if i != 13 else {},  # one ad states no age
        "place": {"city": "Linköping"},
        "contact": {"phones": [f"070-174 06 {i:02d}"]},
        # ads 11 and 12 show the same picture: it is fetched once
        "photos": [{"url": f"/img/{12 if i == 11 else i}.png"}, {"url": f"/img/{i}b.png"}],
    }


ADS = {i: _ad(i) for i in range(10, 17)}
# page 1 starts with a premium ad (15), shown again in its place on page 2
PAGES = [[15, 10, 11, 12, 13], [14, 15, 16]]


def _png(name: str) -> bytes:
    rng = np.random.default_rng(sum(map(ord, name)))
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (40, 40), dtype=np.uint8), "L").save(buf, "PNG")
    return buf.getvalue()


class _Site:
    """The test API, recording what was asked of it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def images(self) -> list[str]:
        return [u for u in self.asked if "/img/" in u]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.url.path)
        path = request.url.path
        page = int(request.url.params.get("page", "1"))
        nxt = f"{path}?page={page + 1}" if page < len(PAGES) else None
        if path == "/api/list" and page <= len(PAGES):
            return httpx.Response(200, json={"items": [ADS[i] for i in PAGES[page - 1]], "next": nxt})
        if path == "/api/links" and page <= len(PAGES):
            return httpx.Response(200, json={"items": [{"self": f"/api/ad/{i}"} for i in PAGES[page - 1]], "next": nxt})
        if path.startswith("/api/ad/") and int(path.rsplit("/", 1)[1]) in ADS:
            return httpx.Response(200, json=ADS[int(path.rsplit("/", 1)[1])])
        if path.startswith("/img/"):
            return httpx.Response(200, content=_png(path), headers={"content-type": "image/png"})
        return httpx.Response(404, json={"error": "not found"})


def _observations(store: Store, site: str) -> dict[str, dict[str, Any]]:
    cols = [c for c in OBSERVATION_COLUMNS if c != "import_id"]
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {', '.join(cols)} FROM observations WHERE site = :s"), {"s": site})
        return {r.site_ad_id: dict(r._mapping) for r in rows}


def test_json_listing_with_inline_ads_is_stored_ad_by_ad(store: Store, pz: Pseudonymizer) -> None:
    site = _Site()
    r = crawl(parse_profile(INLINE), store, pz, transport=site.transport())
    assert r.status == "done" and r.health is not None and not r.health.degraded, r.health
    # 8 ads shown on 2 pages, one of them twice: 7 ads, 7 sightings
    assert r.health.listing_pages == 2 and r.health.ads == 7 and r.health.ad_links == 7
    assert r.new_observations == 7 and r.pages == 2  # the ads were not fetched: only the two pages
    got = _observations(store, "inlinesajten")
    assert set(got) == {str(i) for i in ADS}
    assert got["12"]["title"] == "Annons 12" and got["12"]["age"] == 22 and got["13"]["age"] is None
    assert all(o["url"].startswith(API + "api/list?page=") for o in got.values())  # the page it was shown on
    assert all(str(o["phones"]).startswith("ph_") for o in got.values())  # pseudonymized at the door
    assert not any("174 06" in str(o["body"]) for o in got.values())  # and scrubbed from the text
    # health and field rates are counted per ad, as for ad pages
    assert r.health.field_rates["title"] == 1.0 and r.health.field_rates["age"] == round(6 / 7, 4)
    assert r.health.field_rates["image_hashes"] == 1.0
    # pictures: two per ad, the one ads 11 and 12 share and the premium ad's fetched once each
    imgs = site.images()
    assert len(imgs) == len(set(imgs)) == 13 == r.health.images_fetched
    assert got["11"]["image_hashes"].split()[0] == got["12"]["image_hashes"].split()[0]
    assert len(set(got["10"]["image_hashes"].split())) == 2
    with store.engine.connect() as conn:
        sightings = conn.execute(
            text("SELECT site_ad_id, n_sightings FROM crawl_ads WHERE source = 'inlinesajten'")
        ).all()
    assert sorted(int(a) for a, _ in sightings) == sorted(ADS) and {n for _, n in sightings} == {1}


def test_inline_observations_equal_those_of_the_per_ad_page_profile(
    store: Store, pz: Pseudonymizer, tmp_path: Path
) -> None:
    noon = datetime(2026, 3, 1, 12, tzinfo=UTC)
    crawl(parse_profile(INLINE), store, pz, transport=_Site().transport(), clock=lambda: noon)
    per_page = Store.open(f"sqlite:///{tmp_path / 'per-page.db'}")
    try:
        r = crawl(parse_profile(PER_PAGE), per_page, pz, transport=_Site().transport(), clock=lambda: noon)
        assert r.health is not None and r.health.ads == 7
        inline, pages = _observations(store, "inlinesajten"), _observations(per_page, "inlinesajten")
    finally:
        per_page.close()
    assert set(inline) == set(pages) == {str(i) for i in ADS}
    for ad_id, o in inline.items():
        p = pages[ad_id]
        assert p["url"] == f"{API}api/ad/{ad_id}"  # the only difference: an ad page has an address of its own
        assert {k: v for k, v in o.items() if k != "url"} == {k: v for k, v in p.items() if k != "url"}


def test_a_second_pass_reuses_the_pictures_and_adds_one_sighting_per_ad(store: Store, pz: Pseudonymizer) -> None:
    day1, day2 = datetime(2026, 3, 1, 12, tzinfo=UTC), datetime(2026, 3, 2, 12, tzinfo=UTC)
    first, second = _Site(), _Site()
    crawl(parse_profile(INLINE), store, pz, transport=first.transport(), clock=lambda: day1)
    r = crawl(parse_profile(INLINE), store, pz, transport=second.transport(), clock=lambda: day2)
    assert r.health is not None and r.health.images_reused == 14 and second.images() == []
    with store.engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM observations WHERE site = 'inlinesajten'")).scalar_one()
        counts = {row[0] for row in conn.execute(text("SELECT n_sightings FROM crawl_ads"))}
    assert n == 14 and counts == {2}


def test_an_interrupted_pass_resumes_without_counting_an_ad_twice(store: Store, pz: Pseudonymizer) -> None:
    profile = parse_profile({**INLINE, "keep_raw_pages": True})
    first = crawl(profile, store, pz, transport=_Site().transport(), max_pages=1)
    assert first.status == "stopped" and first.new_observations == 5
    site = _Site()
    r = crawl(profile, store, pz, transport=site.transport())
    assert r.resumed and r.status == "done" and r.new_observations == 2
    assert site.asked.count("/api/list") == 1  # only page 2 is read again
    assert r.health is not None and r.health.ads == 7 and not r.health.degraded
    # the pictures of ad 15 (page 1) were not fetched again for its second showing on page 2
    assert not {"/img/15.png", "/img/15b.png"} & set(site.images())
    assert len(_observations(store, "inlinesajten")) == 7
    # the listing pages are the raw pages kept
    raw = list(CrawlStore(store).raw_pages("inlinesajten"))
    assert sorted(p.url for p in raw) == [API + "api/list?page=1", API + "api/list?page=2"]
    assert {p.kind for p in raw} == {"listing"}


def test_kept_listing_pages_are_reprocessed_into_the_same_sightings(store: Store, pz: Pseudonymizer) -> None:
    profile = parse_profile({**INLINE, "keep_raw_pages": True})
    crawl(profile, store, pz, transport=_Site().transport())
    before = _observations(store, "inlinesajten")
    r = reprocess(profile, store, pz)
    assert r.pages == 2 and r.ads == 7 and r.replaced == 7 and r.new == 0 and r.errors == ()
    # the same sightings, pictures included (their remembered hashes: reprocessing fetches nothing)
    assert _observations(store, "inlinesajten") == before


def test_reprocessed_ad_pages_keep_their_picture_hashes(store: Store, pz: Pseudonymizer) -> None:
    profile = parse_profile({**PER_PAGE, "keep_raw_pages": True})
    crawl(profile, store, pz, transport=_Site().transport())
    before = _observations(store, "inlinesajten")
    assert all(len(o["image_hashes"].split()) == 2 for o in before.values())
    r = reprocess(profile, store, pz)
    assert r.pages == 7 and r.replaced == 7
    assert _observations(store, "inlinesajten") == before


# ----------------------------------------------------------------------------- HTML cards

HTML_PROFILE: dict[str, Any] = {
    "source": "kortsajten",
    "base_url": "http://cards.test/",
    "allow_private_network": True,
    "politeness": _FAST,
    "start": {"urls": ["annonser"]},
    "listing": {"ads": {"css": "article.ad"}, "next_pages": {"css": "a[rel=next]::attr(href)"}},
    "ad": {
        "fields": {
            "site_ad_id": {"css": "article::attr(data-id)"},
            "title": {"xpath": "//h2/text()"},  # `//` is the card, not the page (which has an h2 of its own)
            "body": {"css": "p.text ::text", "join": "\n"},
            "age": {"css": "span.age::text", "cleanup": ["digits"]},
            "phones": {"css": "a[href^='tel:']::text"},
        },
        "images": {"css": "img::attr(src)"},
    },
    "health": {"min_field_rate": {"title": 0.9}},
}


def _card(ad_id: str | None, title: str, age: str, phone: str) -> str:
    attr = f' data-id="{ad_id}"' if ad_id else ""
    return (
        f'<article class="ad"{attr}><h2>{title}</h2><p class="text">Ring {phone}</p>'
        f'<span class="age">{age}</span><a href="tel:{phone}">{phone}</a><img src="/bild/{ad_id}.png"></article>'
    )


_CARD_PAGES = {
    "/annonser": "<html><body><h2>Senaste annonserna</h2>"
    + _card("A1", "Första", "25 år", "031-390 06 01")
    + _card("A2", "Andra", "31 år", "031-390 06 02")
    + _card(None, "Utan id", "40 år", "031-390 06 03")
    + '<a rel="next" href="/annonser?sida=2">Nästa</a></body></html>',
    "/annonser?sida=2": "<html><body><h2>Senaste annonserna</h2>"
    + _card("A3", "Tredje", "22 år", "031-390 06 04")
    + _card("A1", "Första", "25 år", "031-390 06 01")
    + "</body></html>",
}


def _cards() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode()
        if target in _CARD_PAGES:
            return httpx.Response(200, text=_CARD_PAGES[target], headers={"content-type": "text/html; charset=utf-8"})
        if target.startswith("/bild/"):
            return httpx.Response(200, content=_png(target), headers={"content-type": "image/png"})
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def test_html_cards_are_read_each_as_its_own_page(store: Store, pz: Pseudonymizer) -> None:
    r = crawl(parse_profile(HTML_PROFILE), store, pz, transport=_cards())
    assert r.health is not None and r.health.listing_pages == 2
    assert r.health.ads == 3 and r.new_observations == 3  # A1 twice, stored once
    got = _observations(store, "kortsajten")
    assert {k: v["title"] for k, v in got.items()} == {"A1": "Första", "A2": "Andra", "A3": "Tredje"}
    assert got["A2"]["age"] == 31 and str(got["A2"]["phones"]).startswith("ph_")
    assert all(len(v["image_hashes"].split()) == 1 for v in got.values())
    # the card without an id is a failed ad of the pass, named in its health
    assert r.health.pages_failed == 1
    assert any("no site_ad_id on the ad's element" in e for e in r.health.error_samples)
    assert r.health.field_rates["title"] == 1.0


def test_a_layout_change_degrades_the_pass_as_for_ad_pages(store: Store, pz: Pseudonymizer) -> None:
    p = copy.deepcopy(HTML_PROFILE)
    p["ad"]["fields"]["title"] = {"css": "h3::text"}  # the site's cards no longer match
    r = crawl(parse_profile(p), store, pz, transport=_cards())
    assert r.health is not None and r.health.degraded
    assert any("field 'title' was found in 0% of ads" in x for x in r.health.reasons)
    none = copy.deepcopy(HTML_PROFILE)
    none["listing"]["ads"] = {"css": "section.annons"}
    r2 = crawl(parse_profile({**none, "source": "kort2"}), store, pz, transport=_cards())
    assert r2.health is not None and r2.health.degraded
    assert any("check listing.ads" in x for x in r2.health.reasons)


def test_saved_listing_pages_are_imported_ad_by_ad(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    for i, html in enumerate(_CARD_PAGES.values(), 1):
        (folder / f"sida{i}.html").write_text(html, encoding="utf-8")
    r = import_pages(parse_profile(HTML_PROFILE), store, pz, folder, seen_at="2026-03-01T12:00:00Z")
    assert r.pages == 2 and r.ads == 3 and r.new_observations == 3 and r.skipped == 0
    assert set(_observations(store, "kortsajten")) == {"A1", "A2", "A3"}


def test_source_test_shows_the_first_card_masked_and_counts_the_cards() -> None:
    t = test_page(parse_profile(HTML_PROFILE), "http://cards.test/annonser", transport=_cards())
    assert t.looks_like == "listing" and t.inline_ads == 3 and t.ad_links == ()
    assert t.fields["site_ad_id"] == "A1" and t.fields["title"] == "Första" and t.fields["age"] == "25"
    assert t.fields["phones"] and "390 06 01" not in json.dumps(t.to_json(), ensure_ascii=False)
    assert len(t.fields["image_hashes"]) == 1


def test_compiled_listing_yields_each_card_and_its_images() -> None:
    compiled = compile_profile(parse_profile(HTML_PROFILE))
    lr = compiled.read_listing(_CARD_PAGES["/annonser"], "http://cards.test/annonser")
    assert compiled.inline and lr.ad_links == ()
    assert [a.read.site_ad_id for a in lr.ads] == ["A1", "A2", None]
    assert lr.ads[0].image_links == ("http://cards.test/bild/A1.png",)
    assert lr.next_pages == ("http://cards.test/annonser?sida=2",)
    one = copy.deepcopy(INLINE)
    one["listing"]["ads"] = {"jmespath": "featured"}
    single = compile_profile(parse_profile(one)).read_listing(json.dumps({"featured": ADS[10]}), API + "api/list")
    assert [a.read.site_ad_id for a in single.ads] == ["10"]  # a single object is one ad


# ----------------------------------------------------------------------------- validation


def _errors(data: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(InputErrors) as exc:
        parse_profile(data, path="my-inline.yaml")
    return [(e.field, e.message) for e in exc.value.errors]


def test_site_ad_id_from_the_address_is_refused_for_inline_ads() -> None:
    bad = copy.deepcopy(INLINE)
    bad["ad"]["fields"]["site_ad_id"] = {"from_url": "/ad/([0-9]+)"}
    ((field, msg),) = _errors(bad)
    assert field == "ad.fields.site_ad_id.from_url"
    assert "site_ad_id is required for inline ads" in msg and "no address of their own" in msg


def test_ad_links_and_ads_are_one_or_the_other() -> None:
    both = copy.deepcopy(INLINE)
    both["listing"]["ad_links"] = {"jmespath": "items[].self"}
    ((field, msg),) = _errors(both)
    assert field == "listing" and "not both" in msg
    neither = copy.deepcopy(INLINE)
    del neither["listing"]["ads"]
    ((field, msg),) = _errors(neither)
    assert field == "listing" and "give `ad_links`" in msg and "one is required" in msg


def test_listing_ads_selectors_are_checked_and_fit_the_format() -> None:
    bad = copy.deepcopy(INLINE)
    bad["listing"]["ads"] = {"jmespath": "items[?"}
    ((field, msg),) = _errors(bad)
    assert field == "listing.ads.jmespath" and "invalid JMESPath" in msg
    css_in_json = copy.deepcopy(INLINE)
    css_in_json["listing"]["ads"] = {"css": "article.ad"}
    ((_, msg),) = _errors(css_in_json)
    assert "format is json" in msg and "listing.ads" in msg
    jmes_in_html = copy.deepcopy(HTML_PROFILE)
    jmes_in_html["listing"]["ads"] = {"jmespath": "items[]"}
    ((_, msg),) = _errors(jmes_in_html)
    assert "need `format: json`" in msg and "listing.ads" in msg
    two = copy.deepcopy(HTML_PROFILE)
    two["listing"]["ads"] = {"css": "article", "xpath": "//article"}
    ((field, msg),) = _errors(two)
    assert field == "listing.ads" and "exactly one of css, xpath or jmespath" in msg
    typo = copy.deepcopy(HTML_PROFILE)
    typo["listing"]["ads"] = {"csss": "article"}
    errs = _errors(typo)
    assert ("listing.ads.csss", "unknown key (did you mean 'css'?); allowed: css, xpath, jmespath") in errs


def test_an_ad_url_pattern_is_refused_for_inline_ads() -> None:
    bad = copy.deepcopy(INLINE)
    bad["ad"]["url_pattern"] = "/ad/[0-9]+$"
    ((field, msg),) = _errors(bad)
    assert field == "ad.url_pattern" and "no pages of their own" in msg
