"""JSON sources: a listing API read with JMESPath paths (`format: json`)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from lagesbild.errors import InputErrors
from lagesbild.monitor import crawl
from lagesbild.monitor.compile import compile_profile, parse_json_page
from lagesbild.monitor.spec import parse_profile
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store

API = "http://api.test/"

PROFILE = {
    "source": "jsonsajten",
    "base_url": API,
    "format": "json",
    "allow_private_network": True,  # a test server: no DNS lookup of api.test
    "politeness": {"rate_per_second": 10000, "concurrency": 1, "obey_robots_txt": False},
    "start": {"urls": ["api/ads?page=1"]},
    "listing": {
        "ad_links": {"jmespath": "items[].links.self"},
        "next_pages": {"jmespath": "paging.next"},
    },
    "ad": {
        "fields": {
            "site_ad_id": {"jmespath": "id"},
            "title": {"jmespath": "title"},
            "body": {"jmespath": "description"},
            "age": {"jmespath": "person.age"},
            "location": {"jmespath": "place.city"},
            "phones": {"jmespath": "contact.phones[]"},
        }
    },
}

# fictional numbers from the PTS drama range
_ADS = {
    str(i): {
        "id": i,
        "title": f"Annons {i}",
        "description": f"Hej, ring {'070-174 06 0' + str(i)}",
        "person": {"age": 20 + i},
        "place": {"city": "Linköping"},
        "contact": {"phones": [f"070-174 06 0{i}"]},
    }
    for i in range(5, 10)
}


def _api() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/ads":
            page = int(request.url.params.get("page", "1"))
            ids = sorted(_ADS)[(page - 1) * 3 : page * 3]
            body = {
                "items": [{"links": {"self": f"/api/ad/{i}"}} for i in ids],
                "paging": {"next": f"/api/ads?page={page + 1}" if page * 3 < len(_ADS) else None},
            }
            return httpx.Response(200, json=body)
        if path.startswith("/api/ad/") and path.rsplit("/", 1)[1] in _ADS:
            return httpx.Response(200, json=_ADS[path.rsplit("/", 1)[1]])
        if path == "/api/ad/broken":
            return httpx.Response(200, content=b"<html>oops</html>", headers={"content-type": "text/html"})
        return httpx.Response(404, json={"error": "not found"})

    return httpx.MockTransport(handler)


def test_json_listing_is_crawled_with_its_next_pages_and_fields(store: Store, pz: Pseudonymizer) -> None:
    r = crawl(parse_profile(PROFILE), store, pz, transport=_api())
    assert r.health is not None and not r.health.degraded, r.health
    assert r.health.ads == 5 and r.health.listing_pages == 2
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT site_ad_id, title, age, phones, body FROM observations")).all()
    got = {row[0]: row for row in rows}
    assert set(got) == set(_ADS)
    assert got["7"][1] == "Annons 7" and got["7"][2] == 27
    assert all(str(row[3]).startswith("ph_") for row in rows)  # pseudonymized at the door
    assert not any("174 06" in str(row[4]) for row in rows)  # and scrubbed from the text


def test_a_page_that_is_not_json_fails_with_its_position() -> None:
    compiled = compile_profile(parse_profile(PROFILE))
    with pytest.raises(ValueError, match=r"not JSON: .* line 1, column 1"):
        compiled.read_ad("<html>oops</html>", API + "api/ad/broken")


def test_json_values_are_read_as_text() -> None:
    compiled = compile_profile(parse_profile(PROFILE))
    read = compiled.read_ad(json.dumps(_ADS["5"]), API + "api/ad/5")
    assert read.record["site_ad_id"] == "5" and read.record["age"] == "25"
    assert read.record["phones"] == ["070-174 06 05"]
    assert read.missing_required == ()


def test_deeply_nested_json_is_refused_quickly() -> None:
    with pytest.raises(ValueError, match="nested more than"):
        parse_json_page("[" * 100_000 + "]" * 100_000)


def test_css_in_a_json_profile_and_jmespath_in_an_html_profile_are_refused() -> None:
    bad = json.loads(json.dumps(PROFILE))
    bad["ad"]["fields"]["title"] = {"css": "h1::text"}
    with pytest.raises(InputErrors, match=r"format is json: use `jmespath` or `from_url`.*ad\.fields\.title"):
        parse_profile(bad)
    html = json.loads(json.dumps(PROFILE))
    del html["format"]
    with pytest.raises(InputErrors, match="`jmespath` selectors need `format: json`"):
        parse_profile(html)


def test_invalid_jmespath_names_the_field() -> None:
    bad = json.loads(json.dumps(PROFILE))
    bad["ad"]["fields"]["age"] = {"jmespath": "person.[age"}
    with pytest.raises(InputErrors) as exc:
        parse_profile(bad, path="my-api.yaml")
    (err,) = exc.value.errors
    assert err.field == "ad.fields.age.jmespath" and "invalid JMESPath" in err.message


# A JSON listing API whose ads have HTML pages (a common shape: the browser's network tab shows the API,
# the ad's address opens a page): `format: html` for the ad pages and `listing.format: json`.
MIXED = {
    **{k: v for k, v in PROFILE.items() if k not in ("format", "listing", "ad")},
    "listing": {
        "format": "json",
        "ad_links": {"jmespath": "data[?type=='ad'].url"},
        "next_pages": {"jmespath": "links.next"},
    },
    "ad": {
        "fields": {
            "site_ad_id": {"from_url": r"-(\d+)$"},
            "title": {"css": "h1::text"},
            "age": {"xpath": "//dl/dt[.='Ålder']/following-sibling::dd[1]/text()"},
            "phones": {"css": "a[href^='tel:']::text"},
        },
        "images": {"css": ".gallery img::attr(src)"},
    },
}


def _png(seed: int) -> bytes:
    """A real picture to fetch and hash (noise, so that every ad's differs)."""
    import io

    import numpy as np
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (40, 40), dtype=np.uint8), "L").save(buf, "PNG")
    return buf.getvalue()


def _mixed_site() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/ads":
            page = int(request.url.params.get("page", "1"))
            ids = sorted(_ADS)[(page - 1) * 3 : page * 3]
            items = [{"type": "ad", "url": f"/annons/stad/ad-{i}"} for i in ids]
            if page == 1:
                items.insert(0, {"type": "promo", "url": None})
            nxt = f"/api/ads?page={page + 1}" if page * 3 < len(_ADS) else None
            return httpx.Response(200, json={"data": items, "links": {"next": nxt}})
        if path.startswith("/annons/stad/ad-"):
            i = path.rsplit("-", 1)[1]
            ad: dict[str, Any] = _ADS[i]
            html = (
                f"<html><h1>{ad['title']}</h1><dl><dt>Ålder</dt><dd>{ad['person']['age']}</dd></dl>"
                f"<a href='tel:x'>{ad['contact']['phones'][0]}</a>"
                f"<div class='gallery'><img src='/media/{i}.png'></div></html>"
            )
            return httpx.Response(200, text=html, headers={"content-type": "text/html"})
        if path.startswith("/media/"):
            seed = int(path.split("/")[-1].split(".")[0])
            return httpx.Response(200, content=_png(seed), headers={"content-type": "image/png"})
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def test_json_listing_with_html_ad_pages(store: Store, pz: Pseudonymizer) -> None:
    profile = parse_profile(MIXED)
    assert profile.format == "html" and profile.listing_format == "json" and profile.ad_format == "html"
    r = crawl(profile, store, pz, transport=_mixed_site())
    assert r.health is not None and not r.health.degraded, r.health
    assert r.health.ads == 5 and r.health.listing_pages == 2
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT site_ad_id, title, age, phones, image_hashes FROM observations")).all()
    got = {row[0]: row for row in rows}
    assert set(got) == set(_ADS)
    assert got["8"][1] == "Annons 8" and got["8"][2] == 28
    assert all(str(row[3]).startswith("ph_") for row in rows)
    assert all(len(str(row[4]).split()) == 1 for row in rows)  # each ad page's one picture, hashed
    assert len({row[4] for row in rows}) == 5


def test_section_formats_are_checked_against_their_selectors() -> None:
    bad = json.loads(json.dumps(MIXED))
    bad["listing"]["next_pages"] = {"css": "a[rel=next]::attr(href)"}  # the listing is JSON
    with pytest.raises(InputErrors, match=r"format is json: .*listing\.next_pages"):
        parse_profile(bad)
    bad = json.loads(json.dumps(MIXED))
    bad["ad"]["fields"]["title"] = {"jmespath": "title"}  # the ad pages are HTML
    with pytest.raises(InputErrors, match=r"`jmespath` selectors need `format: json` \(used in ad\.fields\.title"):
        parse_profile(bad)
    inline = json.loads(json.dumps(PROFILE))
    inline["listing"] = {"ads": {"jmespath": "items[]"}}
    inline["ad"]["format"] = "html"  # inline ads are read on the (JSON) listing page
    with pytest.raises(InputErrors, match=r"leave ad\.format out"):
        parse_profile(inline)


def test_source_test_reads_both_kinds_of_page_of_a_mixed_profile() -> None:
    from lagesbild.monitor.status import test_page

    profile = parse_profile(MIXED)
    listing = test_page(profile, API + "api/ads?page=1", transport=_mixed_site())
    assert listing.looks_like == "listing" and len(listing.ad_links) == 3
    ad = test_page(profile, API + "annons/stad/ad-6", transport=_mixed_site())  # HTML: the JSON listing reads nothing
    assert ad.looks_like == "ad" and ad.fields["title"] == "Annons 6" and ad.fields["age"] == "26"
    assert len(ad.fields["image_hashes"]) == 1


def test_nulls_are_skipped_and_two_phone_fields_read_as_one_list() -> None:
    """What docs/monitor.md promises for inline JSON ads: no filter needed for JSON nulls."""
    inline = {
        **{k: v for k, v in PROFILE.items() if k not in ("listing", "ad")},
        "listing": {"ads": {"jmespath": "data[]"}},
        "ad": {
            "fields": {
                "site_ad_id": {"jmespath": "id"},
                "age": {"jmespath": "age"},
                "phones": {"jmespath": "[contact.phone, contact.phone_alt]"},
            }
        },
    }
    page = {
        "data": [
            {"id": 1, "age": None, "contact": {"phone": "070-174 06 12", "phone_alt": None}},
            {"id": 2, "age": 30, "contact": {"phone": "070-174 06 13", "phone_alt": "070-174 06 14"}},
        ]
    }
    ads = compile_profile(parse_profile(inline)).read_listing(json.dumps(page), API + "api/ads").ads
    first, second = (a.read.record for a in ads)
    assert "age" not in first and first["phones"] == ["070-174 06 12"]
    assert second["age"] == "30" and second["phones"] == ["070-174 06 13", "070-174 06 14"]
