"""Fold observations into site ads (the unit of linking), from scratch or onto stored ones.

Incremental linking folds a day's observations onto the site ads already collected; a full
relink folds every observation from scratch. Both give the same site ads because each field
is either a union (days, identifiers) or taken from the earliest observation (profile, text).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date

import numpy as np

from lagesbild.link._types import LinkSettings
from lagesbild.link.text import mask_sentences, minhash, shingles, template_key
from lagesbild.normalize._text import fold_text
from lagesbild.observations import Observation
from lagesbild.records.link import SiteAd, SiteAds

__all__ = ["blocking_keys", "chunk_keys", "collect", "fold_name", "image_number", "key_kinds", "periods", "phone_key"]

log = logging.getLogger(__name__)


def fold_name(name: str | None) -> str | None:
    """The name as compared: folded, first word only; None if empty.

    >>> fold_name("  Ängla Rose ")
    'angla'
    """
    if not name:
        return None
    words = fold_text(name).split()
    return words[0] if words else None


_MASK64 = (1 << 64) - 1
_NO_TEXT = np.uint32(0xFFFFFFFF)


def _h64(*parts: object) -> int:
    """A signed 64-bit hash of ``parts`` (stable across processes, unlike ``hash``)."""
    d = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(d, "big", signed=True)


def phone_key(phone: str) -> int:
    """The blocking key of a phone pseudonym (as stored in ``link_keys``)."""
    return _h64("p", phone)


def image_number(h: str) -> int:
    """An image hash (hex, 64 bit) as a signed 64-bit number (as stored in ``link_keys``)."""
    v = int(h, 16) & _MASK64
    return v - (1 << 64) if v >= 1 << 63 else v


def chunk_keys(v: int) -> list[int]:
    """The four 16-bit chunks of an image number, each as ``position * 65536 + value``.

    Two hashes at most 3 bits apart share one of them (``lagesbild.link.cluster.image_groups``).

    >>> chunk_keys(0x0001000200030004)
    [4, 65539, 131074, 196609]
    """
    u = v & _MASK64
    return [c * 65536 + ((u >> (16 * c)) & 0xFFFF) for c in range(4)]


def key_kinds(ad: SiteAd, settings: LinkSettings | None = None) -> tuple[set[int], set[int], set[int], set[int]]:
    """The blocking keys of ``ad`` by kind: phones, e-mails, images, text LSH buckets (:func:`blocking_keys`)."""
    s = settings or LinkSettings()
    phones = {phone_key(p) for p in ad.phones}
    emails = {_h64("e", e) for e in ad.emails}
    images = {image_number(h) for h in ad.images}
    texts: set[int] = set()
    sig = ad.signature
    profiled = ad.name is not None and ad.age is not None and ad.kommun_kod is not None
    if profiled and len(sig) and not bool((sig == _NO_TEXT).all()):
        r = len(sig) // s.lsh_bands
        for b in range(s.lsh_bands):
            texts.add(_h64("t", b, sig[b * r : (b + 1) * r].tobytes().hex(), ad.name, ad.age, ad.kommun_kod))
    return phones, emails, images, texts


def blocking_keys(ad: SiteAd, settings: LinkSettings | None = None) -> set[int]:
    """The keys under which linking can pair ``ad`` with another site ad (the ``link_keys`` index).

    A hash of each phone and e-mail pseudonym; each image hash as a number (nearby hashes are
    found through :func:`chunk_keys`); and, for an ad with a name, age and municipality and a
    text, one hash per LSH band of its signature within that profile and place (the buckets
    :func:`lagesbild.link.text.lsh_pairs` draws text candidates from). Every rule of
    :func:`lagesbild.link.cluster.link` pairs two site ads only when they share one of these
    (or, for images, hashes within ``image_max_bits``); template ties between advertisers are
    computed over all advertisers instead (:mod:`lagesbild.link.runner`).
    """
    phones, emails, images, texts = key_kinds(ad, settings)
    return phones | emails | images | texts


def _text_features(o: Observation, name: str | None, settings: LinkSettings) -> tuple[np.ndarray, int]:
    """MinHash signature of the masked text (title, then body) and its template key."""
    title, sentences = mask_sentences(o.title, o.body, name=name, location=o.location_text)
    words = [w for x in (title, *sentences) for w in x]
    key = template_key(title, sentences, robust=settings.template_key_robust)
    return minhash(shingles(words), settings.minhash_perm), key


def _earlier(o: Observation, ad: SiteAd) -> bool:
    return o.seen_at[:10] < ad.first_seen


def collect(
    observations: Iterable[Observation],
    existing: Iterable[SiteAd] = (),
    *,
    settings: LinkSettings | None = None,
) -> tuple[SiteAds, set[tuple[str, str]]]:
    """Fold ``observations`` onto ``existing`` site ads.

    Args:
        observations: observations in any order.
        existing: site ads collected before (they are updated in place).
        settings: linking settings (signature length).

    Returns:
        All site ads in canonical order, and the keys of those that are new or changed.
    """
    s = settings or LinkSettings()
    by_key: dict[tuple[str, str], SiteAd] = {a.key: a for a in existing}
    days: dict[tuple[str, str], set[str]] = {}
    changed: set[tuple[str, str]] = set()
    n = 0
    for o in observations:
        n += 1
        key = (o.site, o.site_ad_id)
        day = o.seen_at[:10]
        ad = by_key.get(key)
        if ad is None:
            name = fold_name(o.name)
            signature, template = _text_features(o, name, s)
            ad = SiteAd(
                site=o.site,
                site_ad_id=o.site_ad_id,
                first_seen=day,
                last_seen=day,
                days=[],
                n_obs=0,
                name=name,
                age=o.age,
                kommun_kod=o.kommun_kod,
                lan_kod=o.lan_kod,
                language=o.language,
                phones=set(),
                emails=set(),
                images=set(),
                signature=signature,
                template=template,
            )
            by_key[key] = ad
        elif _earlier(o, ad):
            # an older observation arrived late: the profile and text come from the earliest one
            ad.name, ad.age, ad.language = fold_name(o.name), o.age, o.language
            ad.kommun_kod, ad.lan_kod = o.kommun_kod, o.lan_kod
            ad.signature, ad.template = _text_features(o, ad.name, s)
            ad.first_seen = day  # so that a later, less early observation does not replace it again
        else:
            if ad.name is None and o.name:
                ad.name = fold_name(o.name)
            if ad.age is None and o.age is not None:
                ad.age = o.age
            if ad.kommun_kod is None and o.kommun_kod is not None:
                ad.kommun_kod, ad.lan_kod = o.kommun_kod, o.lan_kod
            if ad.language is None and o.language:
                ad.language = o.language
        ad.n_obs += 1
        ad.phones.update(o.phones)
        ad.emails.update(o.emails)
        ad.emails.update(getattr(o, "handles", ()))  # messaging handles are contacts too
        ad.images.update(o.image_hashes)
        ds = days.get(key)
        if ds is None:
            ds = days[key] = set(ad.days)
        ds.add(day)
        changed.add(key)
    for key, ds in days.items():
        ad = by_key[key]
        ad.days = sorted(ds)
        ad.first_seen, ad.last_seen = ad.days[0], ad.days[-1]
    log.info("collected %d observations into %d site ads (%d new or changed)", n, len(by_key), len(changed))
    return SiteAds.of(list(by_key.values())), changed


def periods(days: list[str], *, max_gap_days: int = 1) -> list[tuple[str, str]]:
    """Periods of visibility: runs of days (sorted ``YYYY-MM-DD``) at most ``max_gap_days`` apart.

    >>> periods(["2024-03-01", "2024-03-02", "2024-03-05"])
    [('2024-03-01', '2024-03-02'), ('2024-03-05', '2024-03-05')]
    """
    if not days:
        return []
    out = []
    start = prev = days[0]
    p = date.fromisoformat(prev).toordinal()
    for d in days[1:]:
        o = date.fromisoformat(d).toordinal()
        if o - p > max_gap_days:
            out.append((start, prev))
            start = d
        prev, p = d, o
    out.append((start, prev))
    return out
