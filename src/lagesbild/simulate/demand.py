"""The demand side of the simulated market: buyers, purchases and court judgments.

Supply (``simulate/supply.py``) says where and when genuine sellers are active. Demand turns
that into purchases with a known truth, in four steps:

1. **Clients per active seller-day.** Each genuine active seller-day gets a number of clients,
   Poisson with a gamma-distributed mean (negative binomial: mean
   ``buyers.clients_per_active_day``, shape ``buyers.clients_dispersion``), multiplied by
   ``1 + effect`` of every campaign covering the seller's county on that day. The gamma mean
   and the count are drawn by inverting their distribution functions at uniform numbers
   keyed by (seller, day), and each purchase's own draws (buyer's home, buyer, judgment) are
   keyed by (seller, day, rank of the purchase that day). Nothing depends on the order or the
   number of other entries, so a run with a campaign (on buyers or, through the supply side,
   on sellers) differs from the same seed without it only by the purchases the campaign
   removes (common random numbers).
2. **A pool of buyers.** Men in each municipality (bundled SCB population) times
   ``buyers.prevalence_ever`` form a pool of persons who buy sex at some time, with ages
   drawn from the population in ``age_min..age_max`` weighted by a bell-shaped age profile
   (the profile is what buyers in a given year look like: convicted buyers in the
   Östergötland report were 19-69 years old, mean 37). Each calendar year a share
   ``prevalence_12m / prevalence_ever`` of the pool is active (a Markov chain with
   ``activity_persistence``); active buyers differ in how often they buy (gamma weights).
3. **Where buyers come from (gravity model).** A buyer living in municipality *o* chooses
   among the municipalities *d* that have supply with weights
   ``A_d * exp(-km(o, d) / distance_decay_km) * (own_municipality_preference if o == d)``,
   where ``A_d`` is the mean number of genuine sellers active per day in *d* (without
   campaigns, when the supply side gives that: buyers know the usual market) raised to
   ``attraction_exponent``, against an outside option ``outside_option`` (buying elsewhere, or
   not in this market). Each purchase at *d* then gets its buyer's home *o* with probability
   proportional to ``men(o) * P(d | o)``, and a buyer from *o*'s active pool by his weight.
   Most purchases are thus made by residents; large markets draw buyers from smaller
   municipalities around them, as in the Östergötland report.
4. **Judgments.** A share ``verdicts.verdict_share`` of purchases becomes a court judgment,
   written as text by :mod:`lagesbild.simulate.verdicts`.

Everything is vectorized with numpy; only a few loops over municipalities remain.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lagesbild.refdata import bundled_population, municipalities
from lagesbild.simulate.verdicts import VerdictsConfig, sample_verdicts

__all__ = [
    "BuyersConfig",
    "DemandTruth",
    "SupplyActivityLike",
    "VerdictsConfig",
    "WorldConfigLike",
    "campaign_multiplier",
    "expected_purchases",
    "origin_probabilities",
    "simulate_demand",
]


class BuyersConfig(BaseModel):
    """Buyers and purchases (section ``buyers`` of the world config)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prevalence_ever: float = Field(
        default=0.075,
        gt=0.0,
        le=1.0,
        description=(
            "Share of men 18-65 who have ever bought sex: 7.5% (Länsstyrelsen Stockholm, Prostitutionen i "
            "Sverige 2014, rapport 2015:10, from national surveys). Sizes the pool of buyers per municipality."
        ),
    )
    prevalence_12m: float = Field(
        default=0.008,
        gt=0.0,
        le=1.0,
        description=(
            "Share of men 18-65 who bought sex in the last 12 months: 0.8% (2014 survey, same report). "
            "Each calendar year this share of men, drawn from the pool, is active."
        ),
    )
    prevalence_age_min: int = Field(default=18, ge=0, le=100, description="Lower age of the surveys' base (18).")
    prevalence_age_max: int = Field(default=65, ge=0, le=100, description="Upper age of the surveys' base (65).")
    age_min: int = Field(
        default=18,
        ge=15,
        le=100,
        description="Youngest buyer (the age of consent for the purpose; convicted buyers were 19-69, Östergötland).",
    )
    age_max: int = Field(
        default=69,
        ge=15,
        le=100,
        description=(
            "Oldest buyer (Östergötland report: convicted buyers 19-69). Men older than this at the start of a "
            "calendar year are not active that year, so a purchase is made at most at age_max + 1."
        ),
    )
    age_peak: float = Field(
        default=35.0,
        description=(
            "Age at which a man is most likely to be an active buyer (bell-shaped profile times the male "
            "population). With age_spread 13.5 the mean buyer age is about 37, the mean of convicted buyers "
            "in the Östergötland report."
        ),
    )
    age_spread: float = Field(
        default=13.5,
        gt=0,
        description="Standard deviation (years) of the bell-shaped age profile (calibrated with age_peak, see there).",
    )
    activity_persistence: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "Probability that a buyer active one year is active the next (assumption). Newly active buyers "
            "are drawn so that the active share stays prevalence_12m / prevalence_ever."
        ),
    )
    purchase_frequency_shape: float = Field(
        default=0.5,
        gt=0,
        description=(
            "Gamma shape of how often active buyers buy relative to each other (assumption; below 1 means a "
            "few frequent buyers account for many purchases)."
        ),
    )
    clients_per_active_day: float = Field(
        default=1.5,
        ge=0,
        description=(
            "Mean number of clients per genuine seller per active day (assumption; county estimates such as "
            "Östergötland's 1,500 purchases a year multiply ad-days by such a rate)."
        ),
    )
    clients_dispersion: float = Field(
        default=2.0,
        gt=0,
        description=(
            "Gamma shape of the seller-day's client mean (negative binomial dispersion; assumption). Smaller "
            "values make busy and empty days more common."
        ),
    )
    own_municipality_preference: float = Field(
        default=3.0,
        gt=0,
        description=(
            "Multiplier of the attraction of the buyer's own municipality (assumption, calibrated so that most "
            "purchases are by residents of the municipality, as in the Östergötland report)."
        ),
    )
    distance_decay_km: float = Field(
        default=20.0,
        gt=0,
        description="Distance (km) over which the attraction of another municipality falls by a factor e (assumption).",
    )
    attraction_exponent: float = Field(
        default=1.0,
        ge=0,
        description=(
            "Exponent on a municipality's market size (mean genuine sellers active per day) in its attraction "
            "(assumption; 1 = proportional to the size of the market)."
        ),
    )
    outside_option: float = Field(
        default=1.0,
        ge=0,
        description=(
            "Attraction of buying outside the simulated market (other channels, places outside the simulated "
            "world), relative to the attraction of the largest market (assumption). Keeps men far from any "
            "supply from being sent across the country, and makes travel rarer than staying home."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> BuyersConfig:
        errors = []
        if self.prevalence_12m > self.prevalence_ever:
            errors.append("prevalence_12m must not exceed prevalence_ever")
        if self.age_min > self.age_max:
            errors.append("age_min must not exceed age_max")
        if self.prevalence_age_min > self.prevalence_age_max:
            errors.append("prevalence_age_min must not exceed prevalence_age_max")
        if errors:
            raise ValueError("; ".join(errors))
        return self


# --- what demand reads from the rest of the simulator (structural types, no import cycle) ---


class CampaignLike(Protocol):
    """A campaign as defined by ``simulate/config.py`` (``CampaignConfig``)."""

    @property
    def name(self) -> str: ...
    @property
    def counties(self) -> Sequence[str]: ...
    @property
    def start(self) -> date: ...
    @property
    def weeks(self) -> int: ...
    @property
    def effect(self) -> float: ...


class WorldSectionLike(Protocol):
    """The ``world`` section: simulated day 0 is ``start``; days run ``0 .. days-1``."""

    @property
    def start(self) -> date: ...
    @property
    def days(self) -> int: ...


class WorldConfigLike(Protocol):
    """The parts of ``WorldConfig`` that demand uses."""

    @property
    def world(self) -> WorldSectionLike: ...
    @property
    def buyers(self) -> BuyersConfig: ...
    @property
    def verdicts(self) -> VerdictsConfig: ...
    @property
    def campaigns(self) -> Sequence[CampaignLike]: ...


class SupplyActivityLike(Protocol):
    """``SupplyActivity`` from ``simulate/supply.py``: one entry per seller active day."""

    @property
    def seller_id(self) -> npt.NDArray[np.int32]: ...
    @property
    def day(self) -> npt.NDArray[np.int32]: ...
    @property
    def kommun(self) -> npt.NDArray[np.str_]: ...
    @property
    def genuine(self) -> npt.NDArray[np.bool_]: ...
    @property
    def seller_age(self) -> dict[int, int]: ...


# --- the result ---


@dataclass(frozen=True)
class DemandTruth:
    """The simulated purchases, one array entry per purchase, and the judgments.

    Purchases are sorted by day, seller and buyer. ``buyer_id`` identifies a person across
    the whole run; ``buyer_age`` is his age on the day of the purchase.
    """

    start: date
    day: npt.NDArray[np.int32]
    seller_id: npt.NDArray[np.int32]
    seller_kommun: npt.NDArray[np.str_]
    buyer_id: npt.NDArray[np.int64]
    buyer_kommun: npt.NDArray[np.str_]
    buyer_age: npt.NDArray[np.int16]
    verdicts: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.day)

    def _labels(self, width: int) -> tuple[list[str], npt.NDArray[np.int64]]:
        """Sorted date labels (``YYYY`` or ``YYYY-MM``: the first ``width`` characters) and each purchase's index."""
        days = np.unique(self.day)
        text = [(self.start + timedelta(days=int(d))).isoformat()[:width] for d in days]
        labels = sorted(set(text))
        of_day = np.array([labels.index(t) for t in text], dtype=np.int64)
        return labels, of_day[np.searchsorted(days, self.day)] if len(days) else np.zeros(0, dtype=np.int64)

    def summary(self) -> dict[str, Any]:
        """Totals for ``truth/summary.json``.

        Returns:
            ``{"counties": {county: {year: {...}}}, "national": {year: {...}}}`` where each
            ``{...}`` holds ``purchases`` (made in the county), ``buyers`` (distinct buyers
            who bought in the county) and ``resident_buyers`` (distinct buyers living in the
            county who bought anywhere). Years and counties are strings, sorted.
        """
        years, year = self._labels(4)
        s_county = self.seller_kommun.astype("<U2")
        b_county = self.buyer_kommun.astype("<U2")
        counties: dict[str, dict[str, dict[str, int]]] = {}
        national: dict[str, dict[str, int]] = {}
        for y, label in enumerate(years):
            in_year = year == y
            national[label] = {
                "purchases": int(in_year.sum()),
                "buyers": len(np.unique(self.buyer_id[in_year])),
            }
            for c in sorted(set(np.unique(s_county[in_year]).tolist()) | set(np.unique(b_county[in_year]).tolist())):
                sold = in_year & (s_county == c)
                lived = in_year & (b_county == c)
                counties.setdefault(c, {})[label] = {
                    "purchases": int(sold.sum()),
                    "buyers": len(np.unique(self.buyer_id[sold])),
                    "resident_buyers": len(np.unique(self.buyer_id[lived])),
                }
        return {"counties": dict(sorted(counties.items())), "national": national}

    def write(self, directory: Path) -> dict[str, Any]:
        """Write the demand truth files under ``directory/truth/``.

        Writes ``purchases_kommun_month.csv`` (kommun, month, purchases),
        ``od_flows.csv`` (buyer_kommun, seller_kommun, purchases), ``buyer_ages.csv``
        (age, purchases) and ``verdicts.jsonl`` (one judgment per line, sorted keys).
        Rows are sorted, so the same truth gives byte-identical files.

        Returns:
            :meth:`summary`, for the supply side to merge into ``truth/summary.json``.
        """
        out = Path(directory) / "truth"
        out.mkdir(parents=True, exist_ok=True)
        codes = np.array(list(municipalities()), dtype="<U4")  # sorted by code
        seller = np.searchsorted(codes, self.seller_kommun)
        buyer = np.searchsorted(codes, self.buyer_kommun)
        months, month = self._labels(7)
        _write_counts(out / "purchases_kommun_month.csv", ("kommun", "month"), seller, codes.tolist(), month, months)
        _write_counts(
            out / "od_flows.csv", ("buyer_kommun", "seller_kommun"), buyer, codes.tolist(), seller, codes.tolist()
        )
        ages, n = np.unique(self.buyer_age, return_counts=True)
        with (out / "buyer_ages.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(("age", "purchases"))
            w.writerows(zip(ages.tolist(), n.tolist(), strict=True))
        with (out / "verdicts.jsonl").open("wb") as fb:
            for v in self.verdicts:
                fb.write(orjson.dumps(v, option=orjson.OPT_SORT_KEYS) + b"\n")
        return self.summary()


def _write_counts(
    path: Path,
    names: tuple[str, str],
    a: npt.NDArray[np.int64],
    a_labels: list[str],
    b: npt.NDArray[np.int64],
    b_labels: list[str],
) -> None:
    """Write ``a, b, purchases`` counts of index pairs, non-zero only, sorted by a then b (labels are sorted)."""
    counts = np.bincount(a.astype(np.int64) * len(b_labels) + b, minlength=len(a_labels) * len(b_labels))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow((*names, "purchases"))
        for k in np.flatnonzero(counts).tolist():
            w.writerow((a_labels[k // len(b_labels)], b_labels[k % len(b_labels)], int(counts[k])))


# --- the simulation ---


def campaign_multiplier(
    cfg: WorldConfigLike, day: npt.NDArray[np.int32], kommun: npt.NDArray[np.str_]
) -> npt.NDArray[np.float64]:
    """Demand multiplier ``prod(1 + effect)`` of the campaigns covering each (day, municipality).

    A campaign covers its counties from ``start`` for ``weeks`` weeks (``start`` included).
    """
    mult = np.ones(len(day), dtype=np.float64)
    county = kommun.astype("<U2")
    for c in cfg.campaigns:
        first = (c.start - cfg.world.start).days
        hit = (day >= first) & (day < first + 7 * c.weeks) & np.isin(county, list(c.counties))
        mult[hit] *= 1.0 + c.effect
    return mult


def _poisson_quantile(u: npt.NDArray[np.float64], lam: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Poisson counts by inverting the distribution function at ``u`` (vectorized, for small means).

    Used instead of ``rng.poisson`` so that the count moves monotonically with the mean for a
    fixed ``u``: a campaign changes counts only where it applies.
    """
    lam = np.minimum(lam, 600.0)  # exp(-lam) stays representable; means are a few clients a day
    k = np.zeros(len(u), dtype=np.int64)
    p = np.exp(-lam)
    cdf = p.copy()
    idx = np.flatnonzero(u > cdf)
    n = 0
    while len(idx):
        n += 1
        k[idx] = n
        p[idx] *= lam[idx] / n
        cdf[idx] += p[idx]
        # Stop on round-off: once the term underflows the remaining mass is zero.
        idx = idx[(u[idx] > cdf[idx]) & (p[idx] > 0)]
    return k


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """The SplitMix64 finalizer: a bijective scramble of 64-bit integers."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return np.asarray(x ^ (x >> np.uint64(31)), dtype=np.uint64)


def keyed_bits(key: int, stream: int, *cols: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.uint64]:
    """64 random bits per row, a fixed function of ``key``, ``stream`` and the row's ``cols`` values.

    Counter-based draws: a row's number depends on nothing but its own key values, so removing
    or adding rows (a campaign) does not change the others'.
    """
    n = len(cols[0]) if cols else 0
    with np.errstate(over="ignore"):
        h = np.full(n, np.uint64(key % 2**64) ^ (np.uint64(stream) * _GOLDEN), dtype=np.uint64)
        for c in cols:
            h = _mix(h ^ (np.asarray(c).astype(np.int64).astype(np.uint64) + _GOLDEN))
    return _mix(h)


def keyed_uniforms(key: int, stream: int, *cols: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.float64]:
    """Uniform numbers in [0, 1) keyed like :func:`keyed_bits`."""
    return np.asarray((keyed_bits(key, stream, *cols) >> np.uint64(11)) * (1.0 / 2**53), dtype=np.float64)


def _distances_km(codes: Sequence[str], dest: Sequence[str]) -> npt.NDArray[np.float64]:
    """Great-circle distances (km) between municipality points, ``[len(codes), len(dest)]``."""
    ms = municipalities()
    lat1 = np.radians([ms[c].lat for c in codes])[:, None]
    lon1 = np.radians([ms[c].lon for c in codes])[:, None]
    lat2 = np.radians([ms[c].lat for c in dest])[None, :]
    lon2 = np.radians([ms[c].lon for c in dest])[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1))), dtype=np.float64)


def origin_probabilities(
    b: BuyersConfig, dest: Sequence[str], sellers_per_day: npt.NDArray[np.float64]
) -> tuple[list[str], npt.NDArray[np.float64]]:
    """The gravity model: for each destination with supply, the distribution of buyers' homes.

    Counties without any supply lie outside the simulated world, but their men still buy
    somewhere. They get stand-in markets ("outside the world") of the world's supply per man,
    which compete for buyers like simulated ones but produce no purchases; without them a
    one-county world would draw buyers from the whole country.

    Args:
        b: buyer parameters (preference for the own municipality, distance decay, attraction).
        dest: municipality codes with supply.
        sellers_per_day: mean genuine sellers active per day in each of ``dest``.

    Returns:
        All municipality codes (origins) and a matrix ``[len(dest), len(origins)]`` whose row
        *d* is ``P(home = o | purchase in d)``.
    """
    ms = municipalities()
    codes = list(ms)
    by_code = bundled_population().by_municipality(sex="m", age_min=b.prevalence_age_min, age_max=b.prevalence_age_max)
    men = np.array([by_code[c] for c in codes], dtype=np.float64)
    world = {ms[d].county_code for d in dest}
    in_world = np.array([ms[c].county_code in world for c in codes])
    per_man = float(np.sum(sellers_per_day)) / max(float(men[in_world].sum()), 1.0)
    outside_codes = [c for c, w in zip(codes, in_world, strict=True) if not w]
    all_dest = [*dest, *outside_codes]
    size = np.concatenate([sellers_per_day, per_man * men[~in_world]])
    att = np.power(size, b.attraction_exponent)
    util = att[None, :] * np.exp(-_distances_km(codes, all_dest) / b.distance_decay_km)  # [origin, dest]
    own = np.array(codes)[:, None] == np.array(all_dest)[None, :]
    util[own] *= b.own_municipality_preference
    outside = b.outside_option * (att[: len(dest)].max() if len(dest) else 0.0)
    choice = util[:, : len(dest)] / (outside + util.sum(axis=1, keepdims=True))  # P(d | o)
    flow = men[:, None] * choice
    total = flow.sum(axis=0, keepdims=True)
    return codes, np.asarray((flow / np.where(total > 0, total, 1.0)).T, dtype=np.float64)


def _draw_from_rows(
    cdf_rows: npt.NDArray[np.float64], row: npt.NDArray[np.int64], u: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Draw a column per entry from the distribution in ``row`` (rows of cumulative sums ending at 1)."""
    n_rows, n_cols = cdf_rows.shape
    flat = (cdf_rows + np.arange(n_rows)[:, None]).ravel()
    pos = np.searchsorted(flat, row + u, side="right")
    return np.asarray(np.clip(pos - row * n_cols, 0, n_cols - 1), dtype=np.int64)


@dataclass(frozen=True)
class _Pool:
    home: npt.NDArray[np.int64]  # index into municipalities(), sorted
    age0: npt.NDArray[np.int64]  # age on day 0
    birthday: npt.NDArray[np.int64]  # the age goes up on days where (day + birthday) % 365 == 0
    weight: npt.NDArray[np.float64]  # relative purchase frequency
    bounds: npt.NDArray[np.int64]  # pool slice per municipality: bounds[i]..bounds[i+1]


def _buyer_pool(b: BuyersConfig, rng: np.random.Generator) -> _Pool:
    """The men who buy sex at some time, per municipality, with their ages and frequencies."""
    pop = bundled_population().counts[:, 0, :].astype(np.float64)  # men [municipality, age]
    base = pop[:, b.prevalence_age_min : b.prevalence_age_max + 1].sum(axis=1)
    size = rng.poisson(base * b.prevalence_ever)
    ages = np.arange(pop.shape[1])
    profile = np.exp(-0.5 * ((ages - b.age_peak) / b.age_spread) ** 2)
    profile[(ages < b.age_min) | (ages > b.age_max)] = 0.0
    w = pop * profile[None, :]
    w_sum = w.sum(axis=1, keepdims=True)
    cdf = np.cumsum(w / np.where(w_sum > 0, w_sum, 1.0), axis=1)
    cdf[:, -1] = 1.0
    home = np.repeat(np.arange(len(size), dtype=np.int64), size)
    age0 = _draw_from_rows(cdf, home, rng.random(len(home)))
    return _Pool(
        home=home,
        age0=age0,
        birthday=rng.integers(0, 365, len(home)),
        weight=rng.gamma(b.purchase_frequency_shape, 1.0, len(home)),
        bounds=np.concatenate([[0], np.cumsum(size)]).astype(np.int64),
    )


def _activity(b: BuyersConfig, n: int, years: int, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Which pool members are active in each year, ``[years, n]``: a stationary two-state chain."""
    p = b.prevalence_12m / b.prevalence_ever
    stay = b.activity_persistence
    enter = p * (1 - stay) / (1 - p) if p < 1 else 1.0
    active = np.zeros((years, n), dtype=bool)
    if years:
        active[0] = rng.random(n) < p
    for y in range(1, years):
        u = rng.random(n)
        active[y] = np.where(active[y - 1], u < stay, u < enter)
    return active


def simulate_demand(cfg: WorldConfigLike, activity: SupplyActivityLike, rng: np.random.Generator) -> DemandTruth:
    """Simulate purchases and judgments from the sellers' active days.

    Args:
        cfg: the world config; reads ``world``, ``buyers``, ``verdicts`` and ``campaigns``.
        activity: one entry per seller active day (``SupplyActivity``); scam entries
            (``genuine`` False) and days outside ``0 .. world.days-1`` get no purchases.
        rng: the generator; the same state gives the same result.

    Returns:
        The purchases and judgments (:class:`DemandTruth`).

    Raises:
        ValueError: for a municipality code that is not a current municipality.

    Example::

        truth = simulate_demand(cfg, activity, np.random.default_rng(7))
        truth.write(out_dir)
    """
    b = cfg.buyers
    start, n_days = cfg.world.start, cfg.world.days
    codes = list(municipalities())

    # 1. Clients per genuine active seller-day, in a canonical order (independent of supply's order).
    raw_day = np.asarray(activity.day, dtype=np.int32)
    g = np.asarray(activity.genuine, dtype=bool) & (raw_day >= 0) & (raw_day < n_days)  # no burn-in days
    day = raw_day[g]
    seller = np.asarray(activity.seller_id, dtype=np.int32)[g]
    kommun = np.asarray(activity.kommun).astype("<U4")[g]
    unknown = sorted(set(np.unique(kommun).tolist()) - set(codes))
    if unknown:
        raise ValueError(f"supply activity has unknown municipality codes: {unknown[:5]}")
    order = np.lexsort((kommun, seller, day))
    day, seller, kommun = day[order], seller[order], kommun[order]
    # Counter-based draws (common random numbers): the generator gives keys and the buyer pool,
    # drawn before anything that depends on the activity.
    key = int(rng.integers(0, 2**63))
    pool_rng = np.random.Generator(np.random.Philox(key=int(rng.integers(0, 2**63))))
    k_code = kommun.astype(np.int64)
    u_mean = keyed_uniforms(key, 1, seller, day, k_code)
    u = keyed_uniforms(key, 2, seller, day, k_code)
    from scipy.special import gammaincinv  # lazily: scipy is slow to import

    gamma = gammaincinv(b.clients_dispersion, u_mean) / b.clients_dispersion
    mean = b.clients_per_active_day * np.asarray(gamma, dtype=np.float64)
    mult = campaign_multiplier(cfg, day, kommun)
    clients = _poisson_quantile(u, mean * mult)
    # A purchase is (seller-day, rank that day); its draws are keyed by both, so a campaign that
    # lowers the count keeps a prefix of the counterfactual's purchases, each unchanged.
    entry = np.repeat(np.arange(len(day)), clients)
    rank = np.arange(len(entry)) - np.repeat(np.cumsum(clients) - clients, clients)

    p_day = day[entry]
    p_seller = seller[entry]
    p_kommun = kommun[entry]
    p_code = k_code[entry]
    n = len(p_day)

    # 2. The buyer pool and who is active in which calendar year.
    years_of_day = np.array([(start + timedelta(days=d)).year for d in range(max(n_days, 1))], dtype=np.int64)
    first_year = int(years_of_day[0])
    n_years = int(years_of_day[-1]) - first_year + 1
    pool = _buyer_pool(b, pool_rng)
    active = _activity(b, len(pool.home), n_years, pool_rng)
    for y in range(1, n_years):
        active[y] &= pool.age0 + y <= b.age_max  # men who have aged out of the band stop buying

    # 3. Gravity model: home municipality of each purchase's buyer, then the buyer himself.
    # Destinations are the municipalities with supply (some may have had no client at all); their
    # size is the supply without campaigns when the supply side gives it.
    baseline = getattr(activity, "baseline_days", None)
    if baseline:
        dest = np.array(sorted(baseline), dtype="<U4")
        seller_days = np.array([baseline[d] for d in dest.tolist()], dtype=np.float64)
    else:
        dest, counts = np.unique(kommun, return_counts=True)
        seller_days = counts.astype(np.float64)
    dest_idx = np.searchsorted(dest, p_kommun)
    _, p_origin = origin_probabilities(b, dest.tolist(), seller_days / max(n_days, 1))
    cdf = np.cumsum(p_origin, axis=1)
    if len(cdf):
        cdf[:, -1] = 1.0
    p_keys = (p_seller, p_day, p_code, rank)
    origin = _draw_from_rows(cdf, dest_idx.astype(np.int64), keyed_uniforms(key, 3, *p_keys))

    buyer = np.zeros(n, dtype=np.int64)
    year_idx = years_of_day[p_day] - first_year if n else np.zeros(0, dtype=np.int64)
    u = keyed_uniforms(key, 4, *p_keys)
    for y in range(n_years):
        here = np.flatnonzero(year_idx == y)
        lo_b, hi_b = pool.bounds[origin[here]], pool.bounds[origin[here] + 1]
        cum = np.concatenate([[0.0], np.cumsum(pool.weight * active[y])])
        lo, hi = cum[lo_b], cum[hi_b]
        pick = np.searchsorted(cum, lo + u[here] * (hi - lo), side="right") - 1
        # A small municipality may have no active buyer in a year: any man of its pool buys then.
        uniform = lo_b + np.floor(u[here] * (hi_b - lo_b)).astype(np.int64)
        buyer[here] = np.where(hi > lo, np.clip(pick, lo_b, hi_b - 1), uniform)

    verdict_draw = keyed_uniforms(key, 5, *p_keys)
    verdict_seed = keyed_bits(key, 6, *p_keys) >> np.uint64(1)

    age = pool.age0[buyer] + (p_day + pool.birthday[buyer]) // 365
    p_age = age.astype(np.int16)
    code_arr = np.array(codes, dtype="<U4")
    b_kommun = code_arr[pool.home[buyer]]

    order = np.lexsort((rank, buyer, p_seller, p_day))
    p_day, p_seller, p_kommun = p_day[order], p_seller[order], p_kommun[order]
    buyer, b_kommun, p_age = buyer[order], b_kommun[order], p_age[order]
    verdict_draw, verdict_seed = verdict_draw[order], verdict_seed[order]

    # 4. Judgments.
    verdicts = sample_verdicts(
        cfg.verdicts,
        start=start,
        days=n_days,
        purchase_day=p_day,
        buyer_id=buyer,
        buyer_kommun=b_kommun,
        seller_kommun=p_kommun,
        buyer_age=p_age,
        draw=verdict_draw,
        seeds=verdict_seed,
    )
    return DemandTruth(
        start=start,
        day=p_day,
        seller_id=p_seller,
        seller_kommun=p_kommun,
        buyer_id=buyer,
        buyer_kommun=b_kommun,
        buyer_age=p_age,
        verdicts=verdicts,
    )


def expected_purchases(cfg: WorldConfigLike, activity: SupplyActivityLike) -> float:
    """The expected number of purchases: genuine active days times clients per day, with campaigns."""
    raw_day = np.asarray(activity.day, dtype=np.int32)
    g = np.asarray(activity.genuine, dtype=bool) & (raw_day >= 0) & (raw_day < cfg.world.days)
    day = raw_day[g]
    kommun = np.asarray(activity.kommun).astype("<U4")[g]
    return float(cfg.buyers.clients_per_active_day * campaign_multiplier(cfg, day, kommun).sum())
