"""The hidden population across sites (estimate/hidden.py): recovery on simulated lists, warnings, limits.

Recovery uses lists with a known size and fixed seeds; the tolerances are explicit. The simulator's
sites are a case where no capture-recapture model covers the truth (docs/methods/calibration.md):
that is the calibration bench's finding and the reason the figure is not published.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lagesbild.estimate.crc import CaptureHistories
from lagesbild.estimate.hidden import DISAGREEMENT_RATIO, UNSTABLE_RATIO, hidden_population
from lagesbild.estimate.suite import PUBLISHED_QUANTITIES


def _lists(caught: np.ndarray, names: tuple[str, ...]) -> CaptureHistories:
    seen = caught[caught.any(axis=1)].astype(int)
    return CaptureHistories.from_rows(seen.tolist(), names)


def _independent(seed: int, n: int, probs: tuple[float, ...]) -> CaptureHistories:
    rng = np.random.default_rng(seed)
    return _lists(rng.random((n, len(probs))) < np.array(probs), tuple("ABCD"[: len(probs)]))


def _referral(seed: int, n: int = 3000) -> CaptureHistories:
    """Three lists; B takes referrals from A (0.5 if on A, else 0.1), C is independent of both."""
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.25
    b = rng.random(n) < np.where(a, 0.5, 0.1)
    c = rng.random(n) < 0.3
    return _lists(np.column_stack([a, b, c]), ("A", "B", "C"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_independent_lists_with_a_profile_interval(seed: int) -> None:
    n_true = 2000
    hp = hidden_population(_independent(seed, n_true, (0.3, 0.25, 0.35)), seed=seed)
    assert abs(hp.abundance - n_true) / n_true < 0.05, hp
    assert hp.ci_low <= n_true <= hp.ci_high and hp.ci_level == 0.9
    assert "profile likelihood" in hp.method
    assert not hp.unstable, hp.warnings
    assert {m.split(" ")[0] for m, _ in hp.cross_checks} == {"independent", "sample"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_finds_the_dependence_between_two_lists(seed: int) -> None:
    n_true = 3000
    hp = hidden_population(_referral(seed, n_true), seed=seed)
    assert "A:B" in hp.method, hp.method
    assert abs(hp.abundance - n_true) / n_true < 0.1, hp
    assert hp.ci_low <= n_true <= hp.ci_high


def test_the_independence_models_are_fooled_by_the_dependence() -> None:
    """Why the dependent-lists model is the choice: with referrals between A and B, the best model that
    assumes independent lists is far from the truth; the chosen one is not."""
    n_true = 3000
    hp = hidden_population(_referral(4, n_true), seed=4)
    independent = next(a for m, a in hp.cross_checks if m.startswith("independent"))
    assert abs(independent - n_true) > 2 * abs(hp.abundance - n_true)


def test_sparse_lists_are_flagged_unstable_with_finite_numbers() -> None:
    sparse = CaptureHistories.from_counts(
        {(1, 0, 0): 30, (0, 1, 0): 28, (0, 0, 1): 25, (1, 1, 0): 1, (0, 1, 1): 1}, ("a", "b", "c")
    )
    hp = hidden_population(sparse)
    assert hp.unstable
    assert any("wide interval" in w or "no finite upper limit" in w for w in hp.warnings), hp.warnings
    assert hp.ci_high / hp.ci_low > UNSTABLE_RATIO or not math.isfinite(hp.ci_high)
    d = hp.to_dict()
    assert d["unstable"] is True and d["warnings"] == list(hp.warnings)


def test_model_disagreement_is_a_warning() -> None:
    """Strong referrals from A to B (0.8 if on A, else 0.05): the independence models see half the truth."""
    rng = np.random.default_rng(2)
    a = rng.random(3000) < 0.2
    b = rng.random(3000) < np.where(a, 0.8, 0.05)
    c = rng.random(3000) < 0.2
    hp = hidden_population(_lists(np.column_stack([a, b, c]), ("A", "B", "C")), seed=2)
    independent = next(x for m, x in hp.cross_checks if m.startswith("independent"))
    assert hp.abundance / independent > DISAGREEMENT_RATIO
    assert hp.unstable and any("disagree by more than a factor" in w for w in hp.warnings), hp.warnings
    assert abs(hp.abundance - 3000) / 3000 < 0.1


def test_two_lists_say_that_independence_is_assumed() -> None:
    hp = hidden_population(_independent(5, 1000, (0.4, 0.3)))
    assert hp.method.startswith("two lists: Mt") and hp.unstable
    assert any("independent" in w for w in hp.warnings)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        hidden_population(_independent(1, 500, (0.3, 0.3, 0.3)), level=1.5)


def test_hidden_population_is_not_published() -> None:
    """It does not cover the truth on the simulator (calibration bench): computed, stored, not published."""
    assert "persons_crc" not in PUBLISHED_QUANTITIES
