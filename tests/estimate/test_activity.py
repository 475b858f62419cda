"""Activity from linked ads: distinct persons, advertisers, ads, ad-days and person-days with linking's range."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from tests.link.conftest import days

from lagesbild.errors import InputErrors
from lagesbild.estimate.activity import (
    DEFAULT_PERSONA_RETURN_SHARE,
    DEFAULT_SPLIT_SHARE,
    activity_distributions,
    activity_shares,
    activity_table,
    area_capture_histories,
    estimate_persons,
    linked_ads_from_result,
    measured_return_share,
    period_bounds,
    summarize_activity,
    with_measured_returns,
)
from lagesbild.estimate.assumptions import Distribution, Fixed, Normal, default_assumptions, parse_assumptions
from lagesbild.estimate.purchases import UncertainCount, estimate_purchases
from lagesbild.link import link_observations, run
from lagesbild.records.estimates import LinkedAd
from lagesbild.store import Store
from lagesbild.store.estimates import has_links, linked_ads

YEAR = (date(2024, 1, 1), date(2024, 12, 31))


def ad(
    site: str,
    days_: tuple[str, ...],
    person: str,
    *,
    kommun: str = "0580",
    fake: bool = False,
    ad_id: str | None = None,
    adv: str | None = None,
) -> LinkedAd:
    return LinkedAd(
        site, days_, kommun, kommun[:2], ad_id or f"ad_{site}_{person}", person, adv or f"adv_{person}", fake
    )


ROWS = [
    ad("s1", ("2024-03-01", "2024-03-02"), "pe_a"),
    ad("s2", ("2024-03-02", "2024-03-03"), "pe_a"),  # same woman on a second site: day 2 counts once
    ad("s1", ("2024-03-01",), "pe_b", kommun="0180"),
    ad("s1", ("2024-03-01", "2024-03-05"), "pe_f", fake=True),
]


def test_person_days_count_each_person_and_day_once_in_the_area() -> None:
    act = summarize_activity(ROWS, "05", *YEAR)
    assert act.person_days is not None and act.person_days.estimate == 3
    assert act.personas is not None and act.personas.estimate == 1
    assert act.persons is not None and act.persons.estimate == 1  # one persona: at least one woman
    assert act.ad_days is not None and act.ad_days.estimate == 4
    assert act.ads is not None and act.ads.estimate == 2


def test_suspected_fakes_are_left_out_but_widen_the_high_end() -> None:
    act = summarize_activity(ROWS, "SE", *YEAR)
    assert act.personas is not None and (act.personas.estimate, act.personas.high) == (2, 3)
    assert act.person_days is not None
    assert act.person_days.estimate == 4 and act.person_days.high == 6
    assert act.advertisers is not None and act.advertisers.high == 3


def test_persona_and_split_shares_are_named_assumptions_in_the_default_file() -> None:
    a = default_assumptions()
    assert a["persona_return_share"].distribution.nominal() == DEFAULT_PERSONA_RETURN_SHARE
    assert a["split_share"].distribution.nominal() == DEFAULT_SPLIT_SHARE
    assert "new_persona_share" in a["persona_return_share"].source
    assert activity_shares() == (DEFAULT_PERSONA_RETURN_SHARE, DEFAULT_SPLIT_SHARE)
    persona, split = activity_distributions()
    assert persona == a["persona_return_share"].distribution and split == a["split_share"].distribution
    assert activity_distributions(persona_return_share=0.2) == (Fixed(0.2), split)


# --- the persons estimate: women behind the counted personas ------------------------------------


def _default_shares() -> tuple[Distribution, Distribution]:
    return activity_distributions()


def test_persons_estimate_is_the_median_of_personas_less_returns_and_splits() -> None:
    persona, split = _default_shares()
    est = estimate_persons(200, persona, split, seed=3)
    # the expected women per persona at the shares' medians, computed independently of the draws
    centre = 200 * (1 - persona.median()) * (1 - split.median())
    assert abs(est.estimate - centre) <= 3
    assert est.level == 0.9 and est.low < est.estimate < est.high
    # the interval is no wider than the shares' extremes allow, and not as narrow as binomial noise alone
    assert est.low >= 200 * (1 - 0.35) * (1 - 0.05) - 5 and est.high <= 200 * (1 - 0.1) + 5
    noise_only = estimate_persons(200, Fixed(persona.median()), Fixed(split.median()), seed=3)
    assert est.high - est.low > 1.5 * (noise_only.high - noise_only.low)


def test_persons_estimate_without_count_noise_is_the_formula() -> None:
    est = estimate_persons(40, Fixed(0.25), Fixed(0.0), count_noise=False)
    assert (est.estimate, est.low, est.high) == (30.0, 30.0, 30.0)


def test_persons_count_noise_is_binomial() -> None:
    est = estimate_persons(400, Fixed(0.25), Fixed(0.0), seed=1, level=0.9)
    half = 1.645 * math.sqrt(400 * 0.25 * 0.75)  # normal approximation of Binomial(400, 0.25)
    assert abs(est.estimate - 300) <= 1
    assert abs((est.high - est.low) / 2 - half) <= 2


def test_measured_returns_replace_the_assumed_share_and_carry_their_interval() -> None:
    # an exact count: the women are the personas less it, whatever persona_return_share says
    for assumed in (Fixed(0.0), Fixed(0.9)):
        exact = estimate_persons(100, assumed, Fixed(0.0), returns=(20.0, 0.0), seed=2)
        assert (exact.estimate, exact.low, exact.high) == (80.0, 80.0, 80.0)
    # a count with standard error 5: the 90% interval is about 80 -+ 1.645 x 5
    est = estimate_persons(100, Fixed(0.5), Fixed(0.0), returns=(20.0, 5.0), seed=2)
    assert abs(est.estimate - 80) <= 0.5
    assert abs(est.low - (80 - 1.645 * 5)) <= 1 and abs(est.high - (80 + 1.645 * 5)) <= 1
    # clipped to what can be: no more returns than personas, none below zero
    assert estimate_persons(10, Fixed(0.0), Fixed(0.0), returns=(40.0, 0.0)).estimate == 1.0
    assert estimate_persons(10, Fixed(0.0), Fixed(0.0), returns=(-3.0, 0.0)).estimate == 10.0
    expected = estimate_persons(100, Fixed(0.5), Fixed(0.0), returns=(20.0, 5.0), count_noise=False)
    assert abs(expected.estimate - 80) < 0.5 and expected.low < 75 < 85 < expected.high
    with pytest.raises(ValueError, match="standard error"):
        estimate_persons(100, Fixed(0.0), Fixed(0.0), returns=(20.0, -1.0))


def test_a_measured_share_is_a_truncated_normal_kept_with_its_source() -> None:
    d = measured_return_share(12.0, 6.0, 100)
    assert isinstance(d, Normal) and (d.mean, d.sd, d.low, d.high) == (0.12, 0.06, 0.0, 0.95)
    assert measured_return_share(-4.0, 2.0, 100).mean == 0.0  # a count below zero: a share of about zero
    a = with_measured_returns(None, 12.0, 6.0, 100, source="Measured: test")
    assert a["persona_return_share"].distribution == d and a["persona_return_share"].source == "Measured: test"
    assert a["split_share"] == default_assumptions()["split_share"]
    # the persons estimate of an area then draws the measured share: about 12% fewer women
    persona, split = activity_distributions(a)
    est = estimate_persons(400, persona, Fixed(0.0), seed=4)
    assert abs(est.estimate - 400 * 0.88) <= 3 and split == default_assumptions()["split_share"].distribution
    with pytest.raises(ValueError):
        measured_return_share(1.0, 1.0, 0)


def test_persons_estimate_is_seeded_and_keeps_at_least_one_woman() -> None:
    persona, split = _default_shares()
    assert estimate_persons(37, persona, split, seed=5) == estimate_persons(37, persona, split, seed=5)
    one = estimate_persons(1, Fixed(0.9), Fixed(0.0), seed=1)
    assert one.low == one.estimate == one.high == 1.0
    assert estimate_persons(0, persona, split) == UncertainCount(0.0, 0.0, 0.0, 0.9)
    for bad in (-1, 2.5):
        with pytest.raises(ValueError):
            estimate_persons(bad, persona, split)


def test_persona_share_is_read_from_the_assumption_set_and_keywords_override_it() -> None:
    rows = [ad("s1", ("2024-03-01",), f"pe_{k}") for k in range(60)]
    base = summarize_activity(rows, "SE", *YEAR, seed=2)
    half = summarize_activity(
        rows, "SE", *YEAR, seed=2, assumptions=default_assumptions().with_fixed(persona_return_share=0.5)
    )
    assert base.persons is not None and half.persons is not None
    assert half.persons.estimate < base.persons.estimate and half.persons.high < base.persons.high
    assert abs(half.persons.estimate - 60 * 0.5 * (1 - DEFAULT_SPLIT_SHARE)) <= 2
    exact = summarize_activity(rows, "SE", *YEAR, persona_return_share=0.0, split_share=0.0)
    assert exact.persons == UncertainCount(60.0, 60.0, 60.0, 0.9)
    assert exact.personas is not None and exact.personas.estimate == 60


def test_assumption_set_without_the_activity_shares_is_an_input_error() -> None:
    bare = parse_assumptions(
        {"parameters": {"x": {"unit": "u", "source": "s", "distribution": {"kind": "fixed", "value": 1}}}}
    )
    with pytest.raises(InputErrors) as info:
        summarize_activity(ROWS, "SE", *YEAR, assumptions=bare)
    assert {e.field for e in info.value.errors} == {"parameters.persona_return_share", "parameters.split_share"}


def test_municipality_and_period_filters() -> None:
    assert summarize_activity(ROWS, "0180", *YEAR).person_days.estimate == 1  # type: ignore[union-attr]
    feb = summarize_activity(ROWS, "SE", date(2024, 2, 1), date(2024, 2, 29))
    assert feb.person_days is not None and feb.person_days.estimate == 0


def test_activity_table_by_month_county_and_week() -> None:
    months = activity_table(ROWS, period="month", level="lan")
    assert [(a.area, a.period_start, a.period_end) for a in months] == [
        ("01", date(2024, 3, 1), date(2024, 3, 31)),
        ("05", date(2024, 3, 1), date(2024, 3, 31)),
    ]
    weeks = activity_table(ROWS, period="week", level="riket")
    assert {a.period_start for a in weeks} == {date(2024, 2, 26), date(2024, 3, 4)}
    assert sum(a.person_days.estimate for a in weeks if a.person_days is not None) == 4


def test_period_bounds() -> None:
    assert period_bounds("month", "2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("week", "2024-W01") == (date(2024, 1, 1), date(2024, 1, 7))
    with pytest.raises(ValueError):
        period_bounds("day", "2024")  # type: ignore[arg-type]


def test_capture_histories_per_person_and_site() -> None:
    h = area_capture_histories(ROWS, "SE", *YEAR)
    assert h is not None
    assert dict(zip(h.patterns, h.counts, strict=True)) == {(1, 1): 1, (1, 0): 1}
    assert area_capture_histories(ROWS[:1], "SE", *YEAR) is None


def test_activity_feeds_the_purchases_model() -> None:
    est = estimate_purchases(summarize_activity(ROWS, "05", *YEAR), seed=1, n_draws=1000)
    assert est.basis == "person_days" and est.low <= est.median <= est.high


MARKET = days("s1", "A1", 1, 5, name="Anna", phones=("ph_n",)) + days("s2", "B1", 3, 6, name="Anna", phones=("ph_n",))


def test_rows_from_memory_and_from_store_agree(store: Store) -> None:
    assert not has_links(store) and linked_ads(store) == []
    store.import_observations([MARKET], source="a", sha256="a" * 64)
    run(store)
    stored = summarize_activity(linked_ads(store), "05", *YEAR)
    ads, linked = link_observations(MARKET)
    memory = summarize_activity(linked_ads_from_result(ads, linked.result), "05", *YEAR)
    assert stored == memory
    assert stored.personas is not None and stored.personas.estimate == 1
    assert stored.persons is not None and stored.persons.estimate == 1
    assert stored.person_days is not None and stored.person_days.estimate == 6


def test_persons_interval_is_calibrated_when_the_world_follows_the_assumptions() -> None:
    """Prior-predictive check at the level of one count: draw the shares from the default assumptions,
    make a world's women from 50 personas by the same binomial process, and count how often the
    90% interval holds them. 600 worlds: the count inside has a standard deviation of 1.2 points."""
    persona, split = _default_shares()
    rng = np.random.default_rng(2026)
    inside = 0
    worlds = 600
    for k in range(worlds):
        r, s = persona.sample(rng, 1)[0], split.sample(rng, 1)[0]
        returns = rng.binomial(50, r)
        women = 50 - returns - rng.binomial(50 - returns, s)
        est = estimate_persons(50, persona, split, seed=k, n_draws=2000, level=0.9)
        inside += est.low <= women <= est.high
        assert 1 <= est.low <= est.estimate <= est.high <= 50
    assert 0.86 <= inside / worlds <= 0.94
