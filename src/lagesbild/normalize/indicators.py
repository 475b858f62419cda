"""Indicators analysts use when judging whether an ad MAY involve exploitation.

Each indicator is a flag for a human to look at, never a verdict: every one of them
also occurs in ads by people who sell sex on their own terms. Their meanings and known
false positives are in ``rules/indicators.yaml`` and in ``docs/normalize.md``, and
the flags are for the analyst role only.

Ad-level flags come from one ad's text (:func:`ad_indicators`). Set-level flags need
several ads and are functions over a set of normalized ads: many ads sharing one phone
(:func:`shared_phones`), one phone in many cities in a short time
(:func:`many_cities`), and foreign-language-only ads sharing one template
(:func:`foreign_language_templates`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from lagesbild.normalize._gate import Gate, tokens
from lagesbild.normalize._rules import rules

if TYPE_CHECKING:
    from lagesbild.normalize.ad import NormalizedAd

__all__ = [
    "Indicator",
    "IndicatorInfo",
    "SetIndicator",
    "ad_indicators",
    "foreign_language_templates",
    "indicator_catalogue",
    "many_cities",
    "shared_phones",
]


@dataclass(frozen=True, slots=True)
class Indicator:
    """One ad-level flag: its code and the text that raised it."""

    code: str
    evidence: str


@dataclass(frozen=True, slots=True)
class SetIndicator:
    """A flag over several ads: its code, the shared key (phone, template) and the ads."""

    code: str
    key: str
    ad_indices: tuple[int, ...]
    detail: str


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """What an indicator means and when it misleads (for the analysts' documentation)."""

    code: str
    level: str
    meaning: str
    false_positives: str


_SET_LEVEL = (
    IndicatorInfo(
        "very_young_age",
        "ad",
        "The stated age is under the limit in rules/indicators.yaml (20): possibly a minor, or advertised as one.",
        "Adults who state a young age for marketing; a typo in the age.",
    ),
    IndicatorInfo(
        "shared_phone",
        "set",
        "One phone number in many ads (different names, photos or cities): one person or organisation manages them.",
        "One seller posting several ads for themself; agencies and receptionists; reposted ads.",
    ),
    IndicatorInfo(
        "many_cities",
        "set",
        "One phone number advertised in many municipalities within a short time: a person moved around by others.",
        "Independent sellers who travel by choice; ads that list several cities they serve.",
    ),
    IndicatorInfo(
        "foreign_language_template",
        "set",
        "Several ads written only in a language other than Swedish or English, from one template: a third party "
        "writing for people who may not speak the language.",
        "Sellers from one country who copy each other's wording; translation services.",
    ),
)


@cache
def _compiled() -> tuple[Gate, int]:
    cfg = rules("indicators")
    gate = Gate([(str(code), [str(p) for p in spec["patterns"]]) for code, spec in cfg["ad_level"].items()])
    return gate, int(cfg["very_young_age"])


def indicator_catalogue() -> tuple[IndicatorInfo, ...]:
    """Every indicator with its meaning and false positives (ad-level ones from the rules file)."""
    ad_level = tuple(
        IndicatorInfo(
            str(code), "ad", " ".join(str(spec["meaning"]).split()), " ".join(str(spec["false_positives"]).split())
        )
        for code, spec in rules("indicators")["ad_level"].items()
    )
    return ad_level + _SET_LEVEL


def ad_indicators(folded: str, age: int | None, *, toks: Set[str] | None = None) -> tuple[Indicator, ...]:
    """Ad-level flags for one ad, from its folded text (``fold_text``) and stated age.

    ``toks`` (the tokens of ``folded``) may be passed when the caller has them.
    """
    gate, limit = _compiled()
    opened = gate.open(tokens(folded) if toks is None else toks, folded)
    out = [Indicator(code, m.group(0)) for i, code in enumerate(gate.names) if (m := gate.search(i, opened, folded))]
    if age is not None and age < limit:
        out.append(Indicator("very_young_age", str(age)))
    return tuple(out)


def shared_phones(ads: Sequence[NormalizedAd], *, min_ads: int = 3) -> list[SetIndicator]:
    """Phones that occur in at least ``min_ads`` of ``ads``.

    >>> shared_phones([], min_ads=2)
    []
    """
    by_phone: dict[str, list[int]] = defaultdict(list)
    for i, ad in enumerate(ads):
        for phone in set(ad.phones):
            by_phone[phone].append(i)
    return [
        SetIndicator("shared_phone", phone, tuple(idx), f"{len(idx)} ads share one phone")
        for phone, idx in sorted(by_phone.items())
        if len(idx) >= min_ads
    ]


def many_cities(
    ads: Sequence[tuple[str, NormalizedAd]], *, window_days: int = 14, min_municipalities: int = 3
) -> list[SetIndicator]:
    """Phones seen in at least ``min_municipalities`` municipalities within ``window_days``.

    Args:
        ads: ``(seen_at, ad)`` pairs, ``seen_at`` an ISO 8601 time.
    """
    seen: dict[str, list[tuple[datetime, str, int]]] = defaultdict(list)
    for i, (when, ad) in enumerate(ads):
        if ad.place.kommun_kod is None:
            continue
        t = datetime.fromisoformat(when.replace("Z", "+00:00"))
        for phone in set(ad.phones):
            seen[phone].append((t, ad.place.kommun_kod, i))
    out: list[SetIndicator] = []
    window = timedelta(days=window_days)
    for phone, events in sorted(seen.items()):
        events.sort()
        lo = 0
        for hi in range(len(events)):
            while events[hi][0] - events[lo][0] > window:
                lo += 1
            places = {e[1] for e in events[lo : hi + 1]}
            if len(places) >= min_municipalities:
                idx = tuple(e[2] for e in events[lo : hi + 1])
                out.append(
                    SetIndicator("many_cities", phone, idx, f"{len(places)} municipalities in {window_days} days")
                )
                break
    return out


def foreign_language_templates(ads: Sequence[NormalizedAd], *, min_ads: int = 3) -> list[SetIndicator]:
    """Groups of at least ``min_ads`` foreign-language-only ads that share one template.

    An ad is foreign-language-only when it is written in neither Swedish nor English and
    offers neither; ads share a template when their :attr:`NormalizedAd.template` (a
    hash of the text without digits and punctuation) is equal.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, ad in enumerate(ads):
        if ad.language_written in (None, "sv", "en"):
            continue
        if {"sv", "en"} & set(ad.languages_offered):
            continue
        groups[ad.template].append(i)
    return [
        SetIndicator("foreign_language_template", key, tuple(idx), f"{len(idx)} ads in one template")
        for key, idx in sorted(groups.items())
        if key and len(idx) >= min_ads
    ]
