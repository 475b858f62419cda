"""Images: fetched like pages, hashed in memory (the imagehash DCT hash), only the hash stored."""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from pathlib import Path

import httpx
import numpy as np
import orjson
import pytest
from PIL import Image
from sqlalchemy import text

from lagesbild.monitor import Profile, crawl
from lagesbild.monitor.fetch import Fetcher
from lagesbild.monitor.images import MAX_IMAGE_PIXELS, ImageError, hamming, perceptual_hash
from lagesbild.monitor.spec import FieldSpec
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate.server import SimApp
from lagesbild.simulate.server.images import image_png
from lagesbild.store import Store

from .conftest import BASE, app_transport, day_clock, fast


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr.astype(np.uint8), "L").save(buf, "PNG")
    return buf.getvalue()


def test_hash_is_imagehash_phash() -> None:
    # str(imagehash.phash(...)) of this gradient, computed with imagehash 4.3 (Pillow 13, SciPy 1.17)
    arr = np.arange(48 * 48).reshape(48, 48) % 251
    assert perceptual_hash(_png(arr)) == "bf603e603f116b1a"


def test_near_duplicates_hash_close_and_different_pictures_far() -> None:
    rng = np.random.default_rng(5)
    photo = Image.fromarray((rng.random((12, 12)) * 255).astype(np.uint8), "L").resize((200, 160))
    original = io.BytesIO()
    photo.save(original, "PNG")
    recoded = io.BytesIO()
    photo.resize((150, 120)).save(recoded, "JPEG", quality=70)
    other = _png(rng.random((160, 200)) * 255)
    a, b, c = (perceptual_hash(x) for x in (original.getvalue(), recoded.getvalue(), other))
    assert hamming(a, b) <= 6
    assert hamming(a, c) >= 16


def test_not_an_image_is_a_clear_error() -> None:
    with pytest.raises(ImageError, match="not a readable image"):
        perceptual_hash(b"<html>not found</html>")


def test_enormous_image_is_refused_before_decoding() -> None:
    side = int(MAX_IMAGE_PIXELS**0.5) + 10
    buf = io.BytesIO()
    Image.new("1", (side, side)).save(buf, "PNG")  # small file, huge picture
    with pytest.raises(ImageError, match="larger than"):
        perceptual_hash(buf.getvalue())


def test_simulator_pictures_hash_near_their_identity() -> None:
    rng = np.random.default_rng(11)
    far = []
    for _ in range(40):
        ident = int(rng.integers(0, 2**62)) * 4 + int(rng.integers(0, 4))
        h = f"{ident:016x}"
        near = f"{ident ^ (1 << int(rng.integers(64))) ^ (1 << int(rng.integers(64))):016x}"
        assert image_png(h) == image_png(h)  # deterministic
        assert Image.open(io.BytesIO(image_png(h))).size == (128, 128)
        assert hamming(perceptual_hash(image_png(h)), h) <= 16
        assert hamming(perceptual_hash(image_png(h)), perceptual_hash(image_png(near))) <= 8
        far.append(hamming(perceptual_hash(image_png(h)), perceptual_hash(image_png(f"{~ident & (2**64 - 1):016x}"))))
    assert min(far) >= 40


def _hashes_by_ad(store: Store) -> dict[tuple[str, str], set[str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT site, site_ad_id, image_hashes FROM observations")).all()
    return {(r[0], r[1]): set(str(r[2]).split()) for r in rows}


def _identities(world: Path, site: str, day: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with gzip.open(world / "sites" / f"{site}.jsonl.gz") as f:
        for line in f:
            d = orjson.loads(line)
            if d["online_from"] <= day <= d["online_to"]:
                for h in d.get("image_hashes", []):
                    out.setdefault(h, set()).add(d["site_ad_id"])
    return out


def test_same_simulated_image_on_two_sites_gets_the_same_hash(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    fetchers = {}
    for site in ("annonsportalen", "nattkontakt"):
        p = fast(profiles[site], BASE)
        f = Fetcher.for_profile(p, transport=app_transport(app))
        fetchers[site] = f
        r = crawl(p, store, pz, fetcher=f, clock=day_clock(app, 3))
        f.close()
        assert r.status == "done" and r.health is not None and not r.health.degraded, r.health
        assert r.health.field_rates.get("image_hashes", 0) > 0.5
    stored = _hashes_by_ad(store)
    a = _identities(world, "annonsportalen", 3)
    b = _identities(world, "nattkontakt", 3)
    shared = sorted(set(a) & set(b))
    assert shared, "the tiny world shows some image on both sites on day 3"
    for ident in shared:
        expected = perceptual_hash(image_png(ident))
        on_a = [stored[("annonsportalen", ad)] for ad in a[ident]]
        on_b = [stored[("nattkontakt", ad)] for ad in b[ident]]
        assert all(expected in hs for hs in on_a + on_b), ident
    # every image was a request of the crawl's own fetcher (same rate limit), one per distinct image
    n_ads = sum(1 for s, _ in stored if s == "annonsportalen")
    n_images = sum(len(v) for (s, _), v in stored.items() if s == "annonsportalen")
    assert fetchers["annonsportalen"].requests >= n_ads + n_images
    # only hashes are stored: 16 hexadecimal digits, no image bytes anywhere
    assert all(len(h) == 16 and int(h, 16) >= 0 for hs in stored.values() for h in hs)
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT count(*) FROM raw_pages")).scalar_one()
    assert raw == 0


def test_images_off_the_profiles_hosts_are_not_fetched(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    asked: list[str] = []
    inner = app_transport(app)

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return inner.handle_request(request)

    p = fast(profiles["annonsportalen"], BASE)
    ad = p.ad.model_copy(
        update={
            "images": FieldSpec.model_validate(
                {
                    "css": ".ad-detail .gallery img::attr(src)",
                    "cleanup": ["absolute_url", {"replace": ["http://sim.test/", "http://elsewhere.test/"]}],
                }
            )
        }
    )
    p = p.model_copy(update={"ad": ad})
    r = crawl(p, store, pz, transport=httpx.MockTransport(handler), clock=day_clock(app, 3))
    assert r.health is not None and not r.health.degraded
    assert not any("elsewhere.test" in u for u in asked)
    assert any("other hosts" in w for w in r.health.warnings)
    assert all(not hs for hs in _hashes_by_ad(store).values())


def test_a_broken_image_is_noted_and_the_ad_kept(
    world: Path, profiles: dict[str, Profile], store: Store, pz: Pseudonymizer
) -> None:
    app = SimApp(world)
    inner = app_transport(app)

    def handler(request: httpx.Request) -> httpx.Response:
        if "/img/" in request.url.path:
            return httpx.Response(200, content=b"GIF89a broken", headers={"content-type": "image/gif"})
        return inner.handle_request(request)

    p = fast(profiles["annonsportalen"], BASE)
    r = crawl(p, store, pz, transport=httpx.MockTransport(handler), clock=day_clock(app, 3))
    assert r.health is not None and r.health.ads > 0 and r.health.pages_failed == 0
    assert all(not hs for hs in _hashes_by_ad(store).values())
    # and the run says so: a count and a warning naming the first (it was visible only as a lower field rate)
    assert r.health.images_failed == r.health.images_fetched > 0
    (w,) = [w for w in r.health.warnings if "picture(s) could not be fetched or read" in w]
    assert w.startswith(f"{r.health.images_failed} picture(s)")


def _versions(world: Path, site: str, day: int) -> dict[str, list[str]]:
    """The truth: each ad online on ``day`` and the image identities its page shows."""
    out: dict[str, list[str]] = {}
    with gzip.open(world / "sites" / f"{site}.jsonl.gz") as f:
        for line in f:
            d = orjson.loads(line)
            if d["online_from"] <= day <= d["online_to"]:
                out[d["site_ad_id"]] = list(d.get("image_hashes", []))
    return out


def test_shipped_profiles_fetch_the_served_images_and_store_only_their_hashes(
    world: Path, profiles: dict[str, Profile], pz: Pseudonymizer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A day's crawl of the three simulated sites with the shipped profiles as they are (no simulator-only
    attribute): every ad's stored hashes are the perceptual hashes of the pictures the server sent, and
    no picture is written anywhere (the data folder, the raw-page store and the log are searched)."""
    caplog.set_level(logging.DEBUG, logger="lagesbild")
    data = tmp_path / "data"
    data.mkdir()
    store = Store.open(f"sqlite:///{data / 'store.db'}")
    app = SimApp(world)
    served: dict[str, bytes] = {}
    inner = app_transport(app)

    def handler(request: httpx.Request) -> httpx.Response:
        r = inner.handle_request(request)
        if "/img/" in request.url.path:
            served[request.url.path] = r.read()
        return r

    assert all(p.ad.images is not None and "image_hashes" not in p.ad.fields for p in profiles.values())
    for site, p in profiles.items():
        r = crawl(
            fast(p, BASE),
            store,
            pz,
            transport=httpx.MockTransport(handler),
            clock=day_clock(app, 3),
            keep_raw_pages=True,
        )
        assert r.status == "done" and r.health is not None and not r.health.degraded, (site, r.health)
    stored = _hashes_by_ad(store)
    n_with_images = 0
    for site in profiles:
        for ad_id, identities in _versions(world, site, 3).items():
            expected = {perceptual_hash(served[f"/{site}/img/{h}.png"]) for h in identities}
            assert stored[(site, ad_id)] - {""} == expected, (site, ad_id)
            n_with_images += bool(identities)
    assert n_with_images > 20
    assert served and all(b.startswith(b"\x89PNG") for b in served.values())
    # nothing of a picture is kept: no PNG in the data folder's files, in the raw pages or in the log
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT url, body FROM raw_pages")).all()
    assert raw and all("/img/" not in str(u) for u, _ in raw)
    assert not any(zlib.decompress(b).startswith(b"\x89PNG") for _, b in raw)
    store.close()
    samples = [b[8:40] for b in served.values()]  # past the signature: the IHDR chunk and the start of the data
    for f in data.rglob("*"):
        if f.is_file():
            content = f.read_bytes()
            assert b"\x89PNG" not in content and not any(x in content for x in samples), f
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("lagesbild"))
    assert "\\x89PNG" not in logged and "\x89PNG" not in logged and "IDAT" not in logged
