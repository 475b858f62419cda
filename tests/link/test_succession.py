"""The succession count of returning women (lagesbild.link.succession)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lagesbild.link.evaluate import simulator_personas
from lagesbild.link.succession import Persona, succession_count
from lagesbild.simulate import load_config, simulate


def _market(seed: int, n_women: int = 1000, p_return: float = 0.2) -> tuple[list[Persona], int]:
    """Random personas: women with independent home, age and languages; some return after a gap."""
    rng = np.random.default_rng(seed)
    homes = [f"{k:04d}" for k in range(100)]
    langs = [frozenset({"sv", "en"}), frozenset({"en"}), frozenset({"ro", "en"}), frozenset({"th", "en"})]
    out: list[Persona] = []
    returns = 0
    for _ in range(n_women):
        home = homes[int(rng.integers(len(homes)))]
        age = float(rng.integers(19, 45))
        lang = langs[int(rng.integers(len(langs)))]
        start = int(rng.integers(0, 600))
        end = start + int(rng.integers(5, 60))
        out.append(Persona(home, age, start, end, lang))
        if rng.random() < p_return and end + 10 < 720:
            s2 = end + int(rng.integers(10, 100))
            out.append(Persona(home, age + float(rng.integers(-2, 3)), s2, s2 + int(rng.integers(5, 60)), lang))
            returns += 1
    return out, returns


@pytest.mark.parametrize("chance", ["pooled", "concurrent"])
def test_recovers_the_returns_of_a_random_market(chance: str) -> None:
    # one market of 1,000 women has about 500 chance-compatible successive pairs (Poisson sd 22)
    # for about 200 returns: the total over five markets is checked, and each interval
    est = true = 0.0
    for seed in range(1, 6):
        personas, returns = _market(seed)
        c = succession_count(personas, chance=chance)  # type: ignore[arg-type]
        assert c.women == pytest.approx(len(personas) - c.returning)
        assert c.low <= returns <= c.high, (seed, c, returns)
        est += c.returning
        true += returns
    assert abs(est - true) <= 0.1 * true, (est, true)
    # without returns the count is near zero, far below the market with them
    none_back, _ = _market(1, p_return=0.0)
    assert abs(succession_count(none_back, chance=chance).returning) < 0.3 * true  # type: ignore[arg-type]


def test_counts_pairs_by_hand() -> None:
    p = [
        Persona("0580", 25, 0, 10, frozenset({"sv"})),
        Persona("0580", 27, 20, 30, frozenset({"sv"})),  # follows the first, compatible
        Persona("0580", 26, 5, 15, frozenset({"en"})),  # overlaps the first, before the second; other language
        Persona("0581", 25, 40, 50),  # another home: compatible with nobody
    ]
    c = succession_count(p, chance="concurrent")
    assert (c.successive_pairs, c.successive_compatible) == (5, 1)  # 0->1, 0->3, 1->3, 2->1, 2->3
    assert (c.concurrent_pairs, c.concurrent_compatible) == (1, 0)  # 0 and 2
    assert c.returning == 1.0


def test_pairs_further_apart_than_max_gap_days_are_not_successive() -> None:
    p = [
        Persona("0580", 25, 0, 10, frozenset({"ro"})),
        Persona("0580", 26, 20, 30, frozenset({"ro"})),  # 10 days after the first
        Persona("0580", 25, 500, 510, frozenset({"ro"})),  # 490 and 470 days after them
    ]
    every = succession_count(p, max_gap_days=None)
    assert (every.successive_pairs, every.successive_compatible) == (3, 3)
    year = succession_count(p, max_gap_days=365)
    assert (year.successive_pairs, year.successive_compatible) == (1, 1)
    assert year.max_gap_days == 365 and year.sd >= 0
    # concurrent pairs do not depend on the window
    assert every.concurrent_pairs == year.concurrent_pairs == 0
    with pytest.raises(ValueError, match="max_gap_days"):
        succession_count(p, max_gap_days=-1)


_Row = tuple[str, float, int, int, tuple[str, ...]]


def _market_adding_swedish(seed: int, n_women: int = 1000) -> tuple[list[_Row], int]:
    """A market whose returning women keep their first language but add or drop Swedish, per persona."""
    rng = np.random.default_rng(seed)
    homes = [f"{k:04d}" for k in range(100)]
    natives = ["ro", "th", "es", "pl", "en"]
    out: list[_Row] = []
    returns = 0

    def spoken(native: str) -> tuple[str, ...]:
        extra = ("en",) if native != "en" else ()
        return (native, *extra, "sv") if rng.random() < 0.5 else (native, *extra)

    for _ in range(n_women):
        home, age = homes[int(rng.integers(len(homes)))], float(rng.integers(19, 45))
        native = natives[int(rng.integers(len(natives)))]
        start = int(rng.integers(0, 600))
        end = start + int(rng.integers(5, 60))
        out.append((home, age, start, end, spoken(native)))
        if rng.random() < 0.2:
            s2 = end + int(rng.integers(10, 100))
            out.append((home, age + float(rng.integers(-2, 3)), s2, s2 + int(rng.integers(5, 60)), spoken(native)))
            returns += 1
    return out, returns


def test_the_first_language_recovers_women_who_add_swedish_and_whole_language_sets_do_not() -> None:
    # what failed on the simulator's truth fields: comparing every spoken language misses the
    # returns whose personas differ in Swedish (half of each woman's personas list it here)
    first = every = true = 0.0
    for seed in range(1, 4):
        market, returns = _market_adding_swedish(seed)
        first += succession_count([Persona(h, a, f, la, frozenset(g[:1])) for h, a, f, la, g in market]).returning
        every += succession_count([Persona(h, a, f, la, frozenset(g)) for h, a, f, la, g in market]).returning
        true += returns
    assert abs(first - true) <= 0.1 * true, (first, true)
    assert every < 0.7 * true, (every, true)


def test_personas_from_ads_reads_a_period_and_leaves_out_ads_without_a_person() -> None:
    from tests.link.conftest import obs

    from lagesbild.link import link_observations
    from lagesbild.link.succession import personas_from_ads

    o = [
        obs("s1", "a1", 1, name="Anna", age=24, phones=("ph_a",)),
        obs("s1", "a2", 25, name="Anna", age=26, phones=("ph_a",)),
        obs("s1", "b1", 20, name="Bella", age=30, phones=("ph_b",)),
    ]
    ads, _ = link_observations(o)
    person = ["anna" if a.site_ad_id.startswith("a") else None for a in ads.ads]  # Bella: a suspected scam
    every = personas_from_ads(ads.ads, person, lambda key: ("ro", "en"))
    assert len(every) == 1 and every[0].age == 25.0 and every[0].languages == frozenset({"ro"})
    assert every[0].last_day - every[0].first_day == 24
    first_day = ads.ads[0].first_seen[:10]
    only_first = personas_from_ads(ads.ads, person, None, period=(first_day, first_day))
    assert len(only_first) == 1 and only_first[0].first_day == only_first[0].last_day
    assert only_first[0].age == 24.0 and not only_first[0].languages


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="persona 1: last_day 3 before first_day 5"):
        succession_count([Persona("0580", 25, 0, 1), Persona("0580", 25, 5, 3)])
    with pytest.raises(ValueError, match="chance"):
        succession_count([], chance="nope")  # type: ignore[arg-type]
    assert succession_count([]).returning == 0.0


def test_recovers_the_returns_of_simulated_county_worlds(tmp_path: Path) -> None:
    # Training seeds 1-8 of Östergötland, truth fields (home, stated age, first language). One
    # world is too small to tell (9-23 returns, errors of ±15), so each world's interval must
    # cover its truth and the eight together must be far from the whole-language-set count that
    # failed (docs/link.md has the figures over 68 training worlds: the total there is the check).
    est = every = true = 0.0
    for seed in range(1, 9):
        simulate(load_config("ostergotland"), seed, tmp_path / str(seed))
        personas, returns = simulator_personas(tmp_path / str(seed))
        c = succession_count(personas)
        est += c.returning
        every += succession_count(simulator_personas(tmp_path / str(seed), language_rule="all")[0]).returning
        true += returns
        assert c.low <= returns <= c.high, (seed, c, returns)
    assert abs(est - true) <= 0.4 * true, (est, true)
    assert est - every > 0.1 * true, (est, every, true)  # the first language keeps more returns (+0.17 here)


def test_linked_personas_take_the_first_language_their_ads_offer() -> None:
    from tests.link.conftest import obs

    from lagesbild.link import link_observations
    from lagesbild.link.succession import personas_from_linked, returning_from_linked

    o = [
        obs("s1", "a1", 1, name="Anna", age=24, phones=("ph_a",)),
        obs("s1", "a2", 3, name="Anna", age=24, phones=("ph_a",)),
        obs("s1", "b1", 20, name="Bella", age=25, phones=("ph_b",)),
    ]
    ads, linked = link_observations(o)
    offered = {("s1", "a1"): ("ro", "en"), ("s1", "a2"): ("ro", "en", "sv"), ("s1", "b1"): ("sv", "en")}
    first = personas_from_linked(ads, linked, offered)
    assert sorted(p.languages for p in first) == [frozenset({"ro"}), frozenset({"sv"})]
    every = personas_from_linked(ads, linked, offered, language_rule="all")
    assert sorted(sorted(p.languages) for p in every) == [["en", "ro", "sv"], ["en", "sv"]]
    assert all(not p.languages for p in personas_from_linked(ads, linked))  # none given: not compared
    # same home, ages within 4, one after the other: compatible without languages, not with them
    assert returning_from_linked(ads, linked).successive_compatible == 1
    assert returning_from_linked(ads, linked, offered).successive_compatible == 0
