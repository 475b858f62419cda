"""Activity from the linked ads: persons, advertisers, ads, ad-days and person-days per area and period.

The purchases model (:mod:`lagesbild.estimate.purchases`) needs *person-days*: the distinct
(person, day) pairs with at least one ad online in the area. This module counts them, and the
other activity measures, from the linking stage's output, as pure functions of typed rows
(:class:`LinkedAd`, one per site ad). The store reader is
:func:`lagesbild.store.estimates.linked_ads`; :func:`linked_ads_from_result` builds the same rows
from an in-memory linking.

Suspected fake persons (stolen photos, ``suspected_fake``) are left out of every count: they are
nobody. Ads without a known place count for Sweden (``SE``) only.

The uncertainty linking leaves (``docs/link.md``, "Limits"; ``docs/benchmarks.md``, linking) is
expressed as an :class:`~lagesbild.estimate.purchases.UncertainCount` per measure:

* **persons** are an *estimate of women*, not the persona count. Linking counts personas: a woman
  who returns under a new name, number and photos is counted twice, and nothing in the ads joins
  the two. :func:`estimate_persons` corrects the count with two named assumptions of the set
  (``assumptions/default.yaml``), by Monte Carlo over their distributions::

      persons = personas - returns - splits
      returns ~ Binomial(personas, persona_return_share)          share of counted personas that are
                                                                  a returning woman's new persona
      splits  ~ Binomial(personas - returns, split_share)         one woman linking failed to join
                                                                  across sites

  (at least one person when a persona was seen). The binomial draws are the chance in how many of
  *this* area-year's personas are returns, on top of what we do not know about the share. The
  estimate is the median of the draws and ``low..high`` the equal-tailed ``level`` interval
  (``UncertainCount.level``); docs/methods/calibration.md checks its coverage on the simulator.

  *Measured instead of assumed* (an option, not the default: docs/methods/persons.md): the
  succession count of returning women (:mod:`lagesbild.link.succession`) measures the returns
  among the personas of the data with a standard error. :func:`estimate_persons` takes it as
  ``returns=(count, sd)`` (each draw's returns from that normal, clipped to ``0..personas``), and
  :func:`with_measured_returns` turns it into a measured ``persona_return_share`` (a truncated
  normal of ``count / personas``, sd ``sd / personas``) for every area of the period.
* **person-days** are hardly touched by personas (two personas of one woman are not online on the
  same days), but a woman linking fails to join across sites is counted twice on a day she is on
  both: the low end removes ``split_share`` (its *nominal* value, 0.02: persona recall is at least
  0.998 on the simulator; 2% is a generous bound). The high end adds the person-days of the
  suspected fakes, in case the flag is wrong. This is a range (``level`` None), which the
  purchases model draws from.
* **advertisers, ads, ad-days**: the count without fakes, and with them as the high end (a range).

The shares are read from an :class:`~lagesbild.estimate.assumptions.AssumptionSet`; the keyword
arguments ``persona_return_share`` and ``split_share`` override them with a fixed value.

Example::

    >>> from datetime import date
    >>> rows = [LinkedAd("s1", ("2024-01-01", "2024-01-02"), "0580", "05", "ad_1", "pe_1", "adv_1", False)]
    >>> act = summarize_activity(rows, "05", date(2024, 1, 1), date(2024, 12, 31))
    >>> act.person_days.estimate
    2.0
    >>> act.persons.estimate, act.persons.level
    (1.0, 0.9)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.assumptions import (
    AssumptionSet,
    Distribution,
    Fixed,
    Normal,
    Requirement,
    check_requirements,
    default_assumptions,
)
from lagesbild.estimate.crc import CaptureHistories
from lagesbild.estimate.intervals import quantile_interval
from lagesbild.estimate.purchases import ActivitySummary, UncertainCount
from lagesbild.records.estimates import LinkedAd
from lagesbild.records.link import LinkResult, SiteAds

__all__ = [
    "ACTIVITY_REQUIREMENTS",
    "DEFAULT_PERSONA_RETURN_SHARE",
    "DEFAULT_SPLIT_SHARE",
    "PERSONS_DRAWS",
    "PERSONS_LEVEL",
    "Level",
    "LinkedFrame",
    "Period",
    "activity_distributions",
    "activity_shares",
    "activity_table",
    "area_capture_histories",
    "estimate_persons",
    "in_period",
    "linked_ads_from_result",
    "linked_frame",
    "measured_return_share",
    "period_bounds",
    "person_days_by_kommun",
    "summarize_activity",
    "with_measured_returns",
]

Period = Literal["year", "month", "week"]
Level = Literal["riket", "lan", "kommun"]

ACTIVITY_REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("persona_return_share", "share", "share of counted personas that are a returning woman's new persona"),
    Requirement("split_share", "share", "share of personas or person-days that may be one woman counted twice"),
)
"""The parameters the activity counts read from an assumption set (persons: their distributions)."""

DEFAULT_PERSONA_RETURN_SHARE = 0.13
"""The nominal ``persona_return_share`` of the bundled ``default.yaml`` (kept for old callers; the
file is the source, and a test keeps the two equal)."""

DEFAULT_SPLIT_SHARE = 0.02
"""The nominal ``split_share`` of the bundled ``default.yaml`` (kept for old callers)."""

PERSONS_LEVEL = 0.9
"""Coverage of the persons interval (as the purchases interval)."""

PERSONS_DRAWS = 20_000
"""Monte Carlo draws of the persons estimate."""


def activity_shares(
    assumptions: AssumptionSet | None = None,
    *,
    persona_return_share: float | None = None,
    split_share: float | None = None,
) -> tuple[float, float]:
    """``(persona_return_share, split_share)``: the overrides if given, else the set's nominal values.

    Args:
        assumptions: the assumption set (the bundled ``default.yaml`` if ``None``).
        persona_return_share, split_share: explicit values that win over the set.

    Raises:
        InputErrors: if the set lacks a needed parameter or has one outside 0..1.
        EstimateInputError: for an override outside ``[0, 1)``.
    """
    if persona_return_share is None or split_share is None:
        a = assumptions if assumptions is not None else default_assumptions()
        needed = [
            r for r, v in zip(ACTIVITY_REQUIREMENTS, (persona_return_share, split_share), strict=True) if v is None
        ]
        check_requirements(a, needed)
        if persona_return_share is None:
            persona_return_share = a["persona_return_share"].distribution.nominal()
        if split_share is None:
            split_share = a["split_share"].distribution.nominal()
    _check_shares(persona_return_share, split_share)
    return persona_return_share, split_share


def activity_distributions(
    assumptions: AssumptionSet | None = None,
    *,
    persona_return_share: float | None = None,
    split_share: float | None = None,
) -> tuple[Distribution, Distribution]:
    """The distributions of ``(persona_return_share, split_share)`` the persons estimate draws from.

    The set's distributions, or a :class:`~lagesbild.estimate.assumptions.Fixed` value for an override.

    Raises:
        InputErrors: if the set lacks a needed parameter or has one outside 0..1.
        EstimateInputError: for an override outside ``[0, 1)``.
    """
    activity_shares(assumptions, persona_return_share=persona_return_share, split_share=split_share)  # checks
    a = assumptions if assumptions is not None else default_assumptions()
    persona = a["persona_return_share"].distribution if persona_return_share is None else Fixed(persona_return_share)
    split = a["split_share"].distribution if split_share is None else Fixed(split_share)
    return persona, split


def estimate_persons(
    personas: float,
    persona_return_share: Distribution,
    split_share: Distribution,
    *,
    seed: int = 0,
    n_draws: int = PERSONS_DRAWS,
    level: float = PERSONS_LEVEL,
    count_noise: bool = True,
    returns: tuple[float, float] | None = None,
) -> UncertainCount:
    """Distinct women behind ``personas`` counted personas: median and equal-tailed interval.

    Per draw, the two shares are drawn from their distributions; ``returns`` (a returning woman's
    new persona) and ``splits`` (one woman linking failed to join across sites) are drawn as
    binomial counts of the personas, and ``persons = personas - returns - splits``, at least 1
    when a persona was seen. With ``count_noise=False`` the draw is the expected number,
    ``personas x (1 - persona_return_share) x (1 - split_share)``, instead. The interval of the
    whole-number draws is continuity-corrected (each draw spread over its unit interval), so that
    its ends are not whole numbers that the interval holds with extra probability.

    Args:
        personas: the persona count of linking (suspected fakes left out).
        persona_return_share, split_share: the assumptions' distributions (:func:`activity_distributions`).
        seed: seed of the numpy random generator (same seed, same result).
        n_draws: Monte Carlo draws (at least 100).
        level: coverage of the interval.
        count_noise: draw the number of returns and splits (True), or use their expected number.
        returns: ``(count, sd)``: the returns *measured* among these personas (the succession
            count, :func:`lagesbild.link.succession.succession_count`, and its standard error)
            instead of ``persona_return_share``: each draw's returns are a normal draw of it,
            rounded and clipped to ``0..personas`` (not rounded without ``count_noise``), so that
            the count's interval carries into the persons interval; ``persona_return_share``
            is not used.

    Returns:
        The median as ``estimate``, the interval as ``low..high``, and ``level``.

    Raises:
        EstimateInputError: for a negative or non-integer persona count, too few draws, a bad
            level or a negative or non-finite ``returns`` standard error.
    """
    if personas < 0 or personas != int(personas):
        raise EstimateInputError(f"personas must be a count, not {personas}")
    if n_draws < 100:
        raise EstimateInputError("use at least 100 Monte Carlo draws")
    if not 0 < level < 1:
        raise EstimateInputError(f"level must be between 0 and 1, not {level}")
    if returns is not None and not (math.isfinite(returns[0]) and math.isfinite(returns[1]) and returns[1] >= 0):
        raise EstimateInputError(f"returns must be a finite count and standard error >= 0, not {returns}")
    n = int(personas)
    if n == 0:
        return UncertainCount(0.0, 0.0, 0.0, level)
    rng = np.random.default_rng(seed)
    if returns is None:
        r = np.clip(persona_return_share.sample(rng, n_draws), 0.0, 1.0)
    else:  # measured: the count's normal, as a share of the personas
        measured = rng.normal(returns[0], returns[1], n_draws)
        r = np.clip((np.rint(measured) if count_noise else measured) / n, 0.0, 1.0)
    s = np.clip(split_share.sample(rng, n_draws), 0.0, 1.0)
    if count_noise:
        ret = np.rint(r * n).astype(np.int64) if returns is not None else rng.binomial(n, r)
        splits = rng.binomial(n - ret, s)
        draws = np.maximum(n - ret - splits, 1).astype(np.float64)
        # Continuity correction: the draws are whole numbers, and an interval between two of their
        # quantiles holds both end values with their whole probability. Spreading each draw over its
        # unit interval gives the interval of the continuous version (on the training seeds of the
        # calibration, prior market: 97 -> 95 of 100 county-years inside the 90% interval).
        spread = draws + rng.uniform(-0.5, 0.5, n_draws)
        low, high = quantile_interval(spread, level)
        low, high = max(low, float(draws.min())), min(high, float(draws.max()))  # never outside what can be
    else:
        draws = np.maximum(n * (1 - r) * (1 - s), 1.0)
        low, high = quantile_interval(draws, level)
    median = float(np.median(draws))
    return UncertainCount(median, min(low, median), max(high, median), level)


def measured_return_share(returning: float, sd: float, personas: int) -> Normal:
    """``persona_return_share`` measured by a count of returns among ``personas``, as a distribution.

    A normal of ``returning / personas`` with sd ``sd / personas`` (at least 0.001), truncated to
    ``0..0.95``; its mean is clipped to that range too (a count below zero measures a share of
    about zero).

    >>> measured_return_share(12.0, 6.0, 100).mean, measured_return_share(12.0, 6.0, 100).sd
    (0.12, 0.06)

    Raises:
        EstimateInputError: for no personas or a negative or non-finite count or sd.
    """
    if personas <= 0:
        raise EstimateInputError("a measured return share needs at least one persona")
    if not (math.isfinite(returning) and math.isfinite(sd) and sd >= 0):
        raise EstimateInputError(f"returns must be a finite count and standard error >= 0, not {returning}, {sd}")
    return Normal(min(max(returning / personas, 0.0), 0.95), max(sd / personas, 1e-3), 0.0, 0.95)


def with_measured_returns(
    assumptions: AssumptionSet | None, returning: float, sd: float, personas: int, *, source: str
) -> AssumptionSet:
    """The set with ``persona_return_share`` measured (:func:`measured_return_share`) instead of assumed.

    Args:
        assumptions: the set (the bundled ``default.yaml`` if None).
        returning, sd, personas: the measured returns, their standard error and the personas counted.
        source: where the measurement comes from (kept with the parameter, so every result
            that used it says so).

    Raises:
        EstimateInputError: as :func:`measured_return_share`.
        KeyError: for a set without ``persona_return_share``.
    """
    a = assumptions if assumptions is not None else default_assumptions()
    old = a["persona_return_share"]
    new = replace(old, distribution=measured_return_share(returning, sd, personas), source=source)
    params = tuple(new if p.name == old.name else p for p in a.parameters)
    return AssumptionSet(a.name, params, a.description, a.path)


def linked_ads_from_result(ads: SiteAds, result: LinkResult) -> list[LinkedAd]:
    """The rows of an in-memory linking (:func:`lagesbild.link.link_observations`)."""
    out: list[LinkedAd] = []
    for i, a in enumerate(ads.ads):
        ad_id, person_id, adv_id, _ = result.ids_of(i)
        fake = bool(result.fake_person[int(result.person[i])])
        out.append(LinkedAd(a.site, tuple(a.days), a.kommun_kod, a.lan_kod, ad_id, person_id, adv_id, fake))
    return out


def period_bounds(period: Period, key: str) -> tuple[date, date]:
    """First and last day of a period key (``2024``, ``2024-03`` or ``2024-W09``, ISO weeks)."""
    if period == "year":
        y = int(key)
        return date(y, 1, 1), date(y, 12, 31)
    if period == "month":
        y, m = (int(p) for p in key.split("-"))
        nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
        return date(y, m, 1), nxt - timedelta(days=1)
    if period == "week":
        yy, ww = key.split("-W")
        start = date.fromisocalendar(int(yy), int(ww), 1)
        return start, start + timedelta(days=6)
    raise EstimateInputError(f"period must be year, month or week, not {period!r}")


@dataclass(frozen=True)
class LinkedFrame:
    """The linked ads as one row per (site ad, day), built once (:func:`linked_frame`) for many areas.

    Attributes:
        df: columns ``site, day, kommun, lan, ad, person, advertiser, fake``.
        sites: every site in the rows (sorted), the sources of capture histories.
    """

    df: pd.DataFrame
    sites: tuple[str, ...]


def linked_frame(rows: Iterable[LinkedAd]) -> LinkedFrame:
    """Build the per-day table once, to summarize many areas or periods from it."""
    rows = list(rows)
    return LinkedFrame(_frame(rows), tuple(sorted({r.site for r in rows})))


Rows = Iterable[LinkedAd] | LinkedFrame


def _as_frame(rows: Rows) -> LinkedFrame:
    return rows if isinstance(rows, LinkedFrame) else linked_frame(rows)


def _frame(rows: Iterable[LinkedAd]) -> pd.DataFrame:
    """One row per (site ad, day)."""
    recs = [
        (r.site, d, r.kommun_kod, r.lan_kod, r.ad_id, r.person_id, r.advertiser_id, r.fake)
        for r in rows
        for d in r.days
    ]
    return pd.DataFrame(recs, columns=["site", "day", "kommun", "lan", "ad", "person", "advertiser", "fake"])


def _in_period(df: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    return df[(df["day"] >= start.isoformat()) & (df["day"] <= end.isoformat())]


def in_period(rows: Rows, start: date, end: date) -> LinkedFrame:
    """The linked rows seen in ``start..end`` (both included), to summarize many areas of one period."""
    frame = _as_frame(rows)
    return LinkedFrame(_in_period(frame.df, start, end), frame.sites)


def person_days_by_kommun(rows: Rows, area: str, start: date, end: date) -> dict[str, float]:
    """Advertised person-days per municipality of ``area`` in ``start..end`` (suspected fakes left out)."""
    df = _in_period(_as_frame(rows).df, start, end)
    df = _in_area(df[~df["fake"]], area)
    counts = df[["kommun", "person", "day"]].drop_duplicates().groupby("kommun").size()
    return {str(k): float(v) for k, v in counts.items()}


def _in_area(df: pd.DataFrame, area: str) -> pd.DataFrame:
    if area == "SE":
        return df
    col = "lan" if len(area) == 2 else "kommun"
    return df[df[col] == area]


@dataclass(frozen=True)
class _Shares:
    """What the activity counts read from the assumptions, and how the persons estimate is drawn."""

    split_nominal: float
    persona: Distribution
    split: Distribution
    seed: int
    n_draws: int
    level: float


def _shares(
    assumptions: AssumptionSet | None,
    persona_return_share: float | None,
    split_share: float | None,
    seed: int,
    n_draws: int,
    level: float,
) -> _Shares:
    _, split_nominal = activity_shares(assumptions, persona_return_share=persona_return_share, split_share=split_share)
    persona, split = activity_distributions(
        assumptions, persona_return_share=persona_return_share, split_share=split_share
    )
    return _Shares(split_nominal, persona, split, seed, n_draws, level)


def _summary(df: pd.DataFrame, area: str, start: date, end: date, sh: _Shares) -> ActivitySummary:
    real = df[~df["fake"]]

    def n(frame: pd.DataFrame, cols: list[str]) -> float:
        return float(len(frame[cols].drop_duplicates())) if len(frame) else 0.0

    def with_fakes(cols: list[str]) -> UncertainCount:
        est = n(real, cols)
        return UncertainCount(est, est, max(est, n(df, cols)))

    personas = n(real, ["person"])
    pdays = n(real, ["person", "day"])
    return ActivitySummary(
        area,
        start,
        end,
        person_days=UncertainCount(pdays, pdays * (1 - sh.split_nominal), max(pdays, n(df, ["person", "day"]))),
        persons=estimate_persons(personas, sh.persona, sh.split, seed=sh.seed, n_draws=sh.n_draws, level=sh.level),
        advertisers=with_fakes(["advertiser"]),
        ads=with_fakes(["ad"]),
        ad_days=with_fakes(["ad", "day"]),
        personas=with_fakes(["person"]),
    )


def _check_shares(persona_return_share: float, split_share: float) -> None:
    for name, v in (("persona_return_share", persona_return_share), ("split_share", split_share)):
        if not 0 <= v < 1:
            raise EstimateInputError(f"{name} must be in [0, 1), not {v}")


def summarize_activity(
    rows: Rows,
    area: str,
    start: date,
    end: date,
    *,
    assumptions: AssumptionSet | None = None,
    persona_return_share: float | None = None,
    split_share: float | None = None,
    seed: int = 0,
    n_draws: int = PERSONS_DRAWS,
    level: float = PERSONS_LEVEL,
) -> ActivitySummary:
    """Activity in one area (``SE``, county or municipality code) over ``start..end`` (both included).

    Args:
        rows: the linked site ads (or their :func:`linked_frame`).
        area: ``"SE"``, a two-digit county code or a four-digit municipality code.
        start, end: the period.
        assumptions: where ``persona_return_share`` and ``split_share`` are read (the bundled
            ``default.yaml`` if ``None``): the persons estimate draws from their distributions,
            the person-days range uses ``split_share``'s nominal value.
        persona_return_share: override (fixed): share of counted personas that are a returning
            woman's new persona.
        split_share: override (fixed): share that may be one woman counted twice.
        seed, n_draws, level: the persons estimate's Monte Carlo (:func:`estimate_persons`).

    Returns:
        The :class:`ActivitySummary` the purchases model takes (zeros when nothing was seen).

    Raises:
        EstimateInputError: for a period ending before it starts, a share outside ``[0, 1)``, too few
            draws or a bad level.
        InputErrors: if ``assumptions`` lacks a share or has one outside 0..1.
    """
    sh = _shares(assumptions, persona_return_share, split_share, seed, n_draws, level)
    if end < start:
        raise EstimateInputError(f"the period ends ({end}) before it starts ({start})")
    df = _as_frame(rows).df
    return _summary(_in_area(_in_period(df, start, end), area), area, start, end, sh)


def activity_table(
    rows: Rows,
    *,
    period: Period = "year",
    level: Level = "lan",
    assumptions: AssumptionSet | None = None,
    persona_return_share: float | None = None,
    split_share: float | None = None,
    seed: int = 0,
    n_draws: int = PERSONS_DRAWS,
    interval_level: float = PERSONS_LEVEL,
) -> list[ActivitySummary]:
    """Activity for every period and area with at least one ad, sorted by period then area.

    Args:
        rows: the linked site ads.
        period: ``"year"``, ``"month"`` or ``"week"`` (ISO weeks).
        level: ``"riket"`` (Sweden, ``SE``), ``"lan"`` (counties) or ``"kommun"`` (municipalities).
        assumptions, persona_return_share, split_share, seed, n_draws: as in :func:`summarize_activity`.
        interval_level: coverage of the persons interval (``level`` there).
    """
    sh = _shares(assumptions, persona_return_share, split_share, seed, n_draws, interval_level)
    if level not in ("riket", "lan", "kommun"):
        raise EstimateInputError(f"level must be riket, lan or kommun, not {level!r}")
    df = _as_frame(rows).df
    if df.empty:
        return []
    days = pd.to_datetime(df["day"])
    if period == "year":
        keys = df["day"].str[:4]
    elif period == "month":
        keys = df["day"].str[:7]
    elif period == "week":
        iso = days.dt.isocalendar()
        keys = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    else:
        raise EstimateInputError(f"period must be year, month or week, not {period!r}")
    df = df.assign(_period=keys.to_numpy(), _area="SE" if level == "riket" else df[level].to_numpy())
    df = df[df["_area"].notna()]
    out: list[ActivitySummary] = []
    for (key, area), g in df.groupby(["_period", "_area"], sort=True):
        start, end = period_bounds(period, str(key))
        out.append(_summary(g, str(area), start, end, sh))
    return out


def area_capture_histories(rows: Rows, area: str, start: date, end: date) -> CaptureHistories | None:
    """Which (non-fake) persons were seen on which sites in the area and period.

    The same tables as :func:`lagesbild.link.capture_histories`, but for any period (a report's)
    and from stored rows, without relinking. Sources are every site in ``rows`` (sorted).

    Returns:
        The capture histories, or None when fewer than two sites were monitored or nobody was seen.
    """
    frame = _as_frame(rows)
    sites = frame.sites
    if len(sites) < 2:
        return None
    df = frame.df
    df = _in_period(df, start, end)
    df = _in_area(df[~df["fake"]], area)[["person", "site"]].drop_duplicates()
    if df.empty:
        return None
    idx = {s: k for k, s in enumerate(sites)}
    codes, uniques = pd.factorize(df["person"])
    bits = np.zeros((len(uniques), len(sites)), dtype=np.int64)
    bits[codes, df["site"].map(idx).to_numpy()] = 1
    patterns, counts = np.unique(bits, axis=0, return_counts=True)
    return CaptureHistories.from_counts(
        {tuple(int(v) for v in p): int(c) for p, c in zip(patterns, counts, strict=True)}, sites
    )
