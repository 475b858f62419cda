"""The split diagnosis of bench/link_split_diagnosis.py (round 11 of issue #18) on small hand-made worlds.

The bench classifies the pairs of one true network that the linking left apart, scores networks the way
``bench_link_heldout.py`` does (pairwise over observations, ads in no network pair with nothing) and scores
the co-arrival rule offline; these tests pin each of those on worlds small enough to count by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "link_split_diagnosis.py"


@pytest.fixture(scope="module")
def diag() -> ModuleType:
    spec = importlib.util.spec_from_file_location("link_split_diagnosis", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["link_split_diagnosis"] = mod
    spec.loader.exec_module(mod)
    return mod


def _world(**over: Any) -> dict[str, Any]:
    """Four advertisers: 0 and 1 one true network linked as one, 2 of that network left apart, 3 independent."""
    v: dict[str, Any] = {
        "tnet": ["7", "7", "7", ""],
        "lang": ["sv", "sv", "en", "sv"],
        "towns": [{"0580", "0583"}, {"0580", "0583"}, {"0580", "0583"}, {"0581"}],
        "keys": [{11, 12}, {11}, {99}, {12}],
        "persons": [2, 1, 1, 1],
        "first": np.array([100, 101, 103, 400]),
        "last": np.array([200, 150, 180, 500]),
        "nobs": np.array([10, 10, 5, 8]),
        "pnet": np.array([0, 0, -1, -1]),
    }
    v.update(over)
    return v


def test_network_f1_counts_pairs_of_observations_and_ignores_ads_in_no_network(diag: ModuleType) -> None:
    v = _world()
    f1, p, r = diag.network_f1(diag.units_of(v), v["tnet"], v["nobs"])
    # found: 20 observations together (190 pairs, all true); true: 25 together (300 pairs)
    assert p == 1.0
    assert r == pytest.approx(190 / 300)
    assert f1 == pytest.approx(2 * r / (1 + r))


def test_missed_pairs_are_classified_by_key_language_and_place(diag: ModuleType) -> None:
    m = diag.missed(_world())
    # advertiser 2 misses 0 and 1: no key in common, written in another language, same places
    assert m == {"no shared template key, other languages": 10 * 5 + 10 * 5}
    m = diag.missed(
        _world(keys=[{11}, {11}, {11}, set()], lang=["sv", "sv", "sv", "sv"], towns=[{"a"}, {"a"}, {"b"}, {"c"}])
    )
    assert m == {"shared template key, same language, no municipality in common": 100}


def test_co_arrival_ties_join_rare_circuits_that_start_together(diag: ModuleType) -> None:
    v = _world()
    units, n_true, n_false = diag.arrival_units(v, 10.0, 0.5, 2)
    assert (n_true, n_false) == (2, 0)
    assert units[2] is not None and units[2] == units[0] == units[1] and units[3] is None
    assert diag.network_f1(units, v["tnet"], v["nobs"])[0] == 1.0
    # a bound nothing meets ties nothing; one place in common is not a circuit
    assert diag.arrival_units(v, 0.0, 0.5, 2)[1:] == (0, 0)
    assert diag.arrival_units(_world(towns=[{"0580"}, {"0580"}, {"0580"}, {"0581"}]), 10.0, 0.5, 2)[1:] == (0, 0)


def test_pair_features_label_the_pairs_the_linking_missed(diag: ModuleType) -> None:
    x, y, miss = diag.pair_features(_world())
    # pairs with a place in common: (0, 1), (0, 2), (1, 2); advertiser 3 shares none
    assert x.shape == (3, 12)
    assert y.tolist() == [True, True, True]
    assert miss.tolist() == [False, True, True]
    assert x[0, 0] == 1 and x[1, 0] == 0  # shared template keys


def test_translation_oracle_reads_one_template_choice_in_swedish_and_english(diag: ModuleType) -> None:
    key = diag.translated_templates()
    sv = key("Massage och sällskap i Motala", "Välkommen till mig! Jag är Sara, 23. Pris 1000 kr Endast sms 070")
    en = key("Massage and company in Motala", "Welcome! My name is Sara, 23. Price 1000 kr SMS only 070")
    assert sv == en == (3, 2, 1)
    # "{name} {age} – {loc}" must not take a title with more literal text
    assert key("Sweet girl in Motala – Bella", "Hi! I am Bella, 31 years old. Phone 070")[0] == 1
    assert key("Söt tjej i Motala – Bella, 31", "Hej, Bella här, 31 år.")[:2] == (1, 1)
    assert key("Hello", "nothing known") == (-1, -1, -1)
