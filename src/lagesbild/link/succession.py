"""How many personas are women returning under a new name, number and photos: a count by succession.

A woman who stops advertising and comes back later under a new name, number and photos cannot
be linked to her earlier persona one by one (docs/link.md, "Limits"). She can be *counted*:
her two personas are a *successive* pair (the second starts after the first ended, at most
``max_gap_days`` later) that is *compatible* (same home municipality, stated ages within
``age_tolerance``, and the same languages when both are known). Unrelated personas are
compatible by chance too; the number of returns is the compatible successive pairs ``C_s`` in
excess of the number expected by chance among the ``N_s`` successive pairs::

    returning = C_s - N_s * p

The named parameters (each an assumption about what a returning woman keeps):

* ``age_tolerance`` (4): her stated ages differ by at most this (ads understate age by a few years,
  differently per persona);
* ``max_gap_days`` (365): her new persona starts within this many days after her earlier one's last
  ad (returns after longer breaks are not counted; None counts every gap);
* the languages: the same *first* language (the language her ads list first; a returning woman
  keeps it but may add or drop Swedish or English, so whole language sets are not compared).

Two ways to measure the chance rate ``p`` (``chance=``):

* ``"pooled"`` (default): ``p = P(same home and languages) * P(ages within tolerance)``, each
  share over all pairs of personas, with the ``returning`` pairs themselves taken out of both
  shares (solved by fixed-point iteration). It assumes that age is independent of home and
  language among unrelated personas.
* ``"concurrent"``: ``p = C_c / N_c``, the compatible share of pairs active at the same time
  (who cannot be one woman). It assumes nothing about independence but rests on few pairs in
  a small market (about four women active at a time in one county): very noisy.

A woman with ``k`` personas makes ``k (k - 1) / 2`` compatible pairs for ``k - 1`` returns; most
returning women have two personas (on the simulator's training worlds 383 related successive
pairs for 363 returns), so the count is not corrected for it. One persona that linking split in
two is counted as a return when its parts follow each other (docs/link.md measures how often).

Chosen on the training worlds (docs/link.md, "Succession count"): ``"pooled"``, tolerance 4 and
``max_gap_days`` 365, on the simulator's truth fields and on linked personas.

The interval is a normal approximation with a delete-a-group jackknife variance (``blocks``
groups of personas by position; each leave-out estimate scaled by ``(n / kept)**2`` since pairs
grow with the square of the personas), clipped at zero and at the number of personas; with
fewer than ``2 * blocks`` personas the chance pairs are taken as Poisson (``var = N_s * p``).
Pair counts are not independent (every persona is in many pairs), so a Poisson variance alone
was about half the spread seen on random markets.

Pure functions: :func:`succession_count` over persona records, :func:`personas_from_ads` to
build those records from linked site ads (home: the municipality of most of a person's
observations; age: the median stated age; languages: the languages her ads say are spoken,
read by the normalizer (:func:`lagesbild.normalize.languages_offered`)), and
:func:`personas_from_linked` for an in-memory linking.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from lagesbild.records.link import SiteAd, SiteAds

from .cluster import Linked

__all__ = [
    "MAX_GAP_DAYS",
    "Persona",
    "SuccessionCount",
    "personas_from_ads",
    "personas_from_linked",
    "returning_from_linked",
    "succession_count",
]

MAX_GAP_DAYS = 365
"""Default ``max_gap_days``: a return is counted when the new persona starts within a year of the
earlier one's last ad (chosen on the training worlds, docs/link.md)."""


@dataclass(frozen=True)
class Persona:
    """One persona as the succession count sees it.

    Attributes:
        home: home municipality code (None: unknown, compatible with nobody).
        age: stated age (None: unknown, compatible with nobody).
        first_day, last_day: first and last day active (any integer day scale, inclusive).
        languages: languages spoken; compared only when both personas have some.
    """

    home: str | None
    age: float | None
    first_day: int
    last_day: int
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SuccessionCount:
    """The succession count and its parts.

    Attributes:
        personas: personas counted.
        returning: estimated returns (personas that are an earlier persona's woman again).
        low, high: the approximate 95% interval of ``returning``.
        women: ``personas - returning``.
        successive_pairs, successive_compatible: ``N_s`` and ``C_s``.
        concurrent_pairs, concurrent_compatible: ``N_c`` and ``C_c``.
        expected_by_chance: ``N_s * p``.
        chance: how ``p`` was measured (``"pooled"`` or ``"concurrent"``).
        sd: the standard error of ``returning`` (jackknife, or Poisson for few personas).
        max_gap_days: the longest gap a successive pair may have (None: any).
    """

    personas: int
    returning: float
    low: float
    high: float
    women: float
    successive_pairs: int
    successive_compatible: int
    concurrent_pairs: int
    concurrent_compatible: int
    expected_by_chance: float
    chance: str = "pooled"
    sd: float = 0.0
    max_gap_days: int | None = None


def succession_count(
    personas: Sequence[Persona],
    *,
    age_tolerance: float = 4,
    chance: Literal["pooled", "concurrent"] = "pooled",
    z: float = 1.96,
    blocks: int = 20,
    max_gap_days: int | None = MAX_GAP_DAYS,
) -> SuccessionCount:
    """Count returning women among ``personas`` by compatible successive pairs in excess of chance.

    ``max_gap_days``: a successive pair counts only when the second persona starts at most this
    many days after the first one's last day (None: any gap).

    >>> p = [Persona("0580", 25, 0, 10), Persona("0580", 26, 20, 30), Persona("0581", 40, 0, 30)]
    >>> succession_count(p).successive_compatible
    1

    Raises:
        ValueError: a persona's last day is before its first day, ``age_tolerance < 0``,
            ``max_gap_days < 0`` or an unknown ``chance``.
    """
    if age_tolerance < 0:
        raise ValueError("age_tolerance must be >= 0")
    if max_gap_days is not None and max_gap_days < 0:
        raise ValueError("max_gap_days must be >= 0")
    if chance not in ("pooled", "concurrent"):
        raise ValueError(f"chance must be 'pooled' or 'concurrent', not {chance!r}")
    first = np.array([p.first_day for p in personas], dtype=np.int64)
    last = np.array([p.last_day for p in personas], dtype=np.int64)
    bad = np.flatnonzero(last < first)
    if len(bad):
        raise ValueError(f"persona {int(bad[0])}: last_day {int(last[bad[0]])} before first_day {int(first[bad[0]])}")
    n = len(personas)
    parts = _parts(personas, age_tolerance, max_gap_days)
    returning, expected = _estimate(parts, n, chance)
    # delete-a-group jackknife over `blocks` groups of personas (pairs scale with the square of
    # the personas kept, so each estimate is scaled back by (n / kept)**2)
    thetas = []
    for g in range(blocks if n >= 2 * blocks else 0):
        keep = [p for i, p in enumerate(personas) if i % blocks != g]
        r_g, _ = _estimate(_parts(keep, age_tolerance, max_gap_days), len(keep), chance)
        thetas.append(r_g * (n / len(keep)) ** 2)
    if thetas:
        t = np.array(thetas)
        var = (len(t) - 1) / len(t) * float(((t - t.mean()) ** 2).sum())
    else:
        var = max(expected, 0.0)
    n_succ, c_succ, n_conc, c_conc = parts[0], parts[1], parts[2], parts[3]
    half = z * math.sqrt(var)
    return SuccessionCount(
        personas=n,
        returning=returning,
        low=min(max(0.0, returning - half), float(n)),
        high=min(max(0.0, returning + half), float(n)),
        women=n - returning,
        successive_pairs=n_succ,
        successive_compatible=c_succ,
        concurrent_pairs=n_conc,
        concurrent_compatible=c_conc,
        expected_by_chance=expected,
        chance=chance,
        sd=math.sqrt(var),
        max_gap_days=max_gap_days,
    )


def _parts(personas: Sequence[Persona], tol: float, max_gap: int | None = None) -> tuple[int, int, int, int, int, int]:
    """``(N_s, C_s, N_c, C_c, same home and languages, ages within tol)`` pair counts."""
    n = len(personas)
    first = np.array([p.first_day for p in personas], dtype=np.int64)
    last = np.array([p.last_day for p in personas], dtype=np.int64)
    # successive ordered pairs (a before b): for each b, the personas that ended before it started
    ends = np.sort(last)
    before_b = np.searchsorted(ends, first, side="left")
    n_conc = n * (n - 1) // 2 - int(before_b.sum())
    if max_gap is not None:  # only those that ended at most max_gap days before it started
        before_b = before_b - np.searchsorted(ends, first - max_gap, side="left")
    n_succ = int(before_b.sum())
    c_succ = c_conc = same_hl = 0
    groups: dict[str, list[int]] = {}
    known: list[float] = []
    for i, p in enumerate(personas):
        if p.home is not None and p.age is not None and not math.isnan(p.age):
            groups.setdefault(p.home, []).append(i)
            known.append(float(p.age))
    for rows in groups.values():
        if len(rows) < 2:
            continue
        idx = np.array(rows)
        age = np.array([float(personas[i].age) for i in rows])  # type: ignore[arg-type]
        langs = [personas[i].languages for i in rows]
        ok = np.abs(age[:, None] - age[None, :]) <= tol
        upper = np.triu(np.ones_like(ok), 1)
        same = np.ones_like(ok)
        if any(langs):
            codes: dict[frozenset[str], int] = {}
            code = np.array([codes.setdefault(x, len(codes)) if x else -1 for x in langs])
            # the same languages, or unknown for either
            same = (code[:, None] == code[None, :]) | (code[:, None] < 0) | (code[None, :] < 0)
            ok &= same
        same_hl += int((same & upper).sum())
        f, la = first[idx], last[idx]
        before = la[:, None] < f[None, :]  # a (row) ended before b (column) started
        c_conc += int((ok & upper & ~before & ~before.T).sum())
        if max_gap is not None:
            before &= f[None, :] - la[:, None] <= max_gap
        c_succ += int((ok & before).sum())
    ages = np.sort(np.array(known))
    same_age = int((np.searchsorted(ages, ages + tol, side="right") - np.arange(len(ages)) - 1).sum())
    return n_succ, c_succ, n_conc, c_conc, same_hl, same_age


def _estimate(parts: tuple[int, int, int, int, int, int], n: int, chance: str) -> tuple[float, float]:
    """``(returning, expected by chance)`` from :func:`_parts`."""
    n_succ, c_succ, n_conc, c_conc, same_hl, same_age = parts
    if chance == "concurrent":
        expected = n_succ * c_conc / n_conc if n_conc else 0.0
        return c_succ - expected, expected
    n_all = n * (n - 1) / 2
    returning = 0.0
    for _ in range(100):  # the returns are compatible pairs too: take them out of both shares
        p_hl = max(same_hl - returning, 0.0) / n_all if n_all else 0.0
        p_age = max(same_age - returning, 0.0) / n_all if n_all else 0.0
        nxt = c_succ - n_succ * p_hl * p_age
        if abs(nxt - returning) < 1e-9:
            break
        returning = nxt
    return returning, c_succ - returning


def personas_from_ads(
    ads: Iterable[SiteAd],
    person: Iterable[str | int | None],
    languages: Mapping[tuple[str, str], Sequence[str]] | Callable[[tuple[str, str]], Sequence[str]] | None = None,
    *,
    language_rule: Literal["first", "all"] = "first",
    period: tuple[str, str] | None = None,
) -> list[Persona]:
    """One :class:`Persona` per person of linked site ads (pure; the store and the in-memory linking use it).

    Home is the municipality of most of the person's observations, age the median stated age,
    days the first and last day any of her site ads was seen (ordinal days).

    Args:
        ads: the site ads.
        person: each ad's person (same order as ``ads``); None leaves the ad out (a suspected scam).
        languages: the languages offered per site ad key (``(site, site_ad_id)`` -> ISO 639-1
            codes in the order the ad lists them, as the normalizer reads them), a mapping or a
            function; missing keys or None: not known (a persona without any is compared on home
            and age only).
        language_rule: ``"first"``: the language a person's ads list first most often (her
            first language: it stays when a returning woman adds or drops a second one);
            ``"all"``: every language her ads list. Chosen on training seeds (docs/link.md).
        period: ``(first, last)`` days ``YYYY-MM-DD``: only the days seen in it count (an ad
            without any is left out); None: every day.

    Returns:
        The personas in the order of their person (sorted).
    """
    lookup: Callable[[tuple[str, str]], Sequence[str]]
    if languages is None:
        lookup = lambda _key: ()  # noqa: E731
    elif callable(languages):
        lookup = languages
    else:
        table = languages
        lookup = lambda key: table.get(key, ())  # noqa: E731
    homes: dict[str | int, Counter[str]] = {}
    ages: dict[str | int, list[int]] = {}
    span: dict[str | int, list[int]] = {}
    spoken: dict[str | int, Counter[str]] = {}
    for a, p in zip(ads, person, strict=True):
        if p is None:
            continue
        if period is None:
            first, last = a.first_seen[:10], a.last_seen[:10]
        else:
            days = [d for d in a.days if period[0] <= d[:10] <= period[1]]
            if not days:
                continue
            first, last = min(days)[:10], max(days)[:10]
        if a.kommun_kod:
            homes.setdefault(p, Counter())[a.kommun_kod] += a.n_obs
        if a.age is not None:
            ages.setdefault(p, []).append(a.age)
        offered = lookup(a.key)
        if offered:
            c = spoken.setdefault(p, Counter())
            for code in offered[:1] if language_rule == "first" else offered:
                c[code] += a.n_obs
        f, la = date.fromisoformat(first).toordinal(), date.fromisoformat(last).toordinal()
        s = span.setdefault(p, [f, la])
        s[0], s[1] = min(s[0], f), max(s[1], la)
    out = []
    for p in sorted(span, key=lambda x: (isinstance(x, str), x)):
        h = homes.get(p)
        home = sorted(h.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if h else None
        age = float(np.median(ages[p])) if p in ages else None
        lc = spoken.get(p)
        if not lc:
            langs: frozenset[str] = frozenset()
        elif language_rule == "first":
            langs = frozenset({sorted(lc.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]})
        else:
            langs = frozenset(lc)
        out.append(Persona(home, age, span[p][0], span[p][1], langs))
    return out


def personas_from_linked(
    ads: SiteAds,
    linked: Linked,
    languages: Mapping[tuple[str, str], Sequence[str]] | None = None,
    *,
    language_rule: Literal["first", "all"] = "first",
) -> list[Persona]:
    """One :class:`Persona` per person of an in-memory linking (suspected scams left out).

    See :func:`personas_from_ads` for how home, age, days and ``languages`` are read.
    """
    r = linked.result
    person = [None if r.fake_person[int(r.person[i])] else int(r.person[i]) for i in range(len(ads.ads))]
    return personas_from_ads(ads.ads, person, languages, language_rule=language_rule)


def returning_from_linked(
    ads: SiteAds,
    linked: Linked,
    languages: Mapping[tuple[str, str], Sequence[str]] | None = None,
    *,
    age_tolerance: float = 4,
    chance: Literal["pooled", "concurrent"] = "pooled",
    language_rule: Literal["first", "all"] = "first",
    max_gap_days: int | None = MAX_GAP_DAYS,
) -> SuccessionCount:
    """:func:`succession_count` of the persons of a linking (``languages``: see :func:`personas_from_ads`)."""
    personas = personas_from_linked(ads, linked, languages, language_rule=language_rule)
    return succession_count(personas, age_tolerance=age_tolerance, chance=chance, max_gap_days=max_gap_days)
