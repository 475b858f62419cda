"""One ad in, one :class:`NormalizedAd` out: the entry point of the normalize stage.

>>> ad = normalize_ad("Lisa 23", "Ny i stan! Ring 070-174 06 12. 1500kr/30min", "Gbg")
>>> ad.place.kommun_kod, ad.phones, ad.age, ad.price_sek_per_hour
('1480', ('+46701740612',), 23, 3000)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from typing import Any

from lagesbild.normalize._gate import tokens
from lagesbild.normalize._rules import RULES_VERSION, rules
from lagesbild.normalize._text import clean_text, fold_text
from lagesbild.normalize.ages import find_age
from lagesbild.normalize.gender import find_gender
from lagesbild.normalize.identifiers import find_emails, find_handles, find_phones
from lagesbild.normalize.indicators import Indicator, ad_indicators
from lagesbild.normalize.languages import languages_offered, written_language
from lagesbild.normalize.places import PlaceMatch, resolve_place
from lagesbild.normalize.prices import Price, find_prices, price_per_hour
from lagesbild.normalize.touring import Touring, find_touring

__all__ = ["Handle", "NormalizedAd", "normalize_ad"]


@dataclass(frozen=True, slots=True)
class Handle:
    """A messaging handle: platform (``telegram``, ``snapchat``...) and the handle."""

    platform: str
    handle: str


@dataclass(frozen=True, slots=True)
class NormalizedAd:
    """What the normalize stage reads from one ad.

    Attributes:
        place: municipality and county with confidence and the matched text.
        phones: E.164 numbers (raw: pseudonymize before storing).
        emails: lower-cased addresses (raw: pseudonymize before storing).
        handles: messaging handles (raw: pseudonymize before storing).
        age: the stated age; ``age_text`` the text it was read from.
        prices: every price found; ``price_sek_per_hour`` the ad's hourly price in SEK.
        languages_offered: ISO 639-1 codes of languages the ad says are spoken.
        language_written: ISO 639-1 code of the language the ad is written in.
        gender, targets: who advertises and to whom, where stated.
        touring: touring and movement signals.
        indicators: ad-level flags for an analyst (never a verdict).
        template: a short hash of the text without digits and punctuation, to spot
            ads written from one template.
        rules_version: the :data:`RULES_VERSION` the ad was normalized with.
    """

    place: PlaceMatch
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[Handle, ...] = ()
    age: int | None = None
    age_text: str | None = None
    prices: tuple[Price, ...] = ()
    price_sek_per_hour: int | None = None
    languages_offered: tuple[str, ...] = ()
    language_written: str | None = None
    gender: str | None = None
    targets: tuple[str, ...] = ()
    touring: Touring = field(default_factory=Touring)
    indicators: tuple[Indicator, ...] = ()
    template: str = ""
    rules_version: str = RULES_VERSION

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return asdict(self)


_TEMPLATE_NOISE = re.compile(r"[\d\W_]+")


def normalize_ad(
    title: str | None,
    body: str | None,
    location: str | None,
    *,
    site_city: str | None = None,
    price_text: str | None = None,
) -> NormalizedAd:
    """Normalize one ad's title, body and stated location.

    Args:
        title: the ad title.
        body: the ad text (HTML remnants are stripped; text past 20,000 characters is ignored).
        location: the location as the ad or the site states it.
        site_city: the site's city page the ad was listed under, if any.
        price_text: the price as the site states it in a field of its own (the import format's
            ``price``, e.g. "1500 kr / timme"); its prices come first, so its hourly price wins over one
            found in the text.

    Returns:
        A :class:`NormalizedAd`. Never raises on odd text: empty, huge, emoji or
        mixed-script input gives an ad with fewer facts, not an error.

    Identical inputs are answered from a cache: the same ad is observed many times.
    """
    return _normalize(title or "", body or "", location or "", site_city or "", price_text or "")


@lru_cache(maxsize=20_000)
def _normalize(title: str, body: str, location: str, site_city: str, price_text: str = "") -> NormalizedAd:
    title = clean_text(title)
    body = clean_text(body)
    location = clean_text(location)
    text = f"{title}\n{body}" if title else body
    found = find_phones(text)
    phones = tuple(dict.fromkeys(e for _, _, e in found))
    # Phone digits must not be read as ages or prices: blank them out for the rest.
    for start, end, _ in found:
        text = text[:start] + " " * (end - start) + text[end:]
    if found and title:
        title, body = text[: len(title)], text[len(title) + 1 :]
    elif found:
        body = text
    # Fold and tokenize once; every extractor below reads these, and the token set is the
    # gate that decides which of their patterns can match at all.
    folded_title = fold_text(title) if title else ""
    folded_body = fold_text(body)
    folded = f"{folded_title}\n{folded_body}" if title else folded_body
    toks = tokens(folded)
    place = resolve_place(location or None, title=title or None, body=body or None, site_city=site_city or None)
    emails = tuple(dict.fromkeys(e for _, _, e in find_emails(text))) if _may_have_email(text, toks) else ()
    handles = (
        tuple(dict.fromkeys(Handle(p, h) for _, _, p, h in find_handles(text)))
        if not toks.isdisjoint(_handle_words())
        else ()
    )
    age = find_age(body, title=title or None, folded=folded_body, folded_title=folded_title)
    prices = tuple(find_prices(text, folded=folded))
    # The site's own price field ("Pris: 1500 kr / timme") comes first, and its hourly price wins.
    stated = tuple(find_prices(clean_text(price_text))) if price_text else ()
    prices = (*stated, *(p for p in prices if p not in stated))
    gender, targets = find_gender(text, folded=folded, toks=toks)
    skeleton = _TEMPLATE_NOISE.sub(" ", folded_body)[:200].strip()
    return NormalizedAd(
        place=place,
        phones=phones,
        emails=emails,
        handles=handles,
        age=age.value if age else None,
        age_text=age.raw if age else None,
        prices=prices,
        price_sek_per_hour=price_per_hour(stated) or price_per_hour(prices),
        languages_offered=languages_offered(text, folded=folded, toks=toks),
        language_written=written_language(body or title),
        gender=gender,
        targets=targets,
        touring=find_touring(text, folded=folded, toks=toks),
        indicators=ad_indicators(folded, age.value if age else None, toks=toks),
        template=hashlib.blake2b(skeleton.encode(), digest_size=6).hexdigest() if skeleton else "",
    )


_EMAIL_WORDS = frozenset({"at", "snabel", "snabela"})


def _may_have_email(text: str, toks: frozenset[str]) -> bool:
    """False when no e-mail form can occur: no "@" and no "at"/"snabel-a" word."""
    return "@" in text or not toks.isdisjoint(_EMAIL_WORDS)


@cache
def _handle_words() -> frozenset[str]:
    """The first word of every handle cue and host ("telegram", "t" of "t.me"), folded."""
    out: set[str] = set()
    for spec in rules("identifiers")["handles"].values():
        for cue in (*(spec.get("words") or ()), *(spec.get("hosts") or ())):
            out.update(_FIRST_WORD.findall(fold_text(str(cue)))[:1])
    return frozenset(out)


_FIRST_WORD = re.compile(r"[^\W_]+")
