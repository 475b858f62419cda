"""Estimators that allow dependent sources: sample coverage (CARE1) and multiple systems estimation (SparseMSE).

Parity with the R reference values is in ``test_crc_reference.py``; here: recovery of a known size on
simulated lists with fixed seeds, the existence checks, and the edge cases.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from lagesbild.estimate.crc import (
    MODELS,
    CaptureHistories,
    check_model,
    describe,
    fit_mse,
    mse_all,
    sample_coverage,
    sample_coverage_all,
    stepwise_mse,
)
from lagesbild.estimate.crc_io import read_capture_histories

ANCHORS = Path(__file__).resolve().parents[1] / "data" / "anchors"


def _histories(caught: np.ndarray, names: tuple[str, ...]) -> CaptureHistories:
    seen = caught[caught.any(axis=1)].astype(int)
    return CaptureHistories.from_rows(seen.tolist(), names)


def _heterogeneous_lists(seed: int, n: int = 2000) -> CaptureHistories:
    """Three lists that depend on each other through the persons: some are visible everywhere.

    Person k's chance to be on list j is logit^-1(a_j + u_k), u_k ~ N(0, 1): the same persons tend to
    be on all lists (like an advertiser who posts on every site), so the lists are positively dependent.
    """
    rng = np.random.default_rng(seed)
    u = rng.normal(0.0, 1.0, (n, 1))
    p = 1 / (1 + np.exp(-(np.array([0.0, -0.2, 0.2]) + u)))
    return _histories(rng.random(p.shape) < p, ("A", "B", "C"))


def _independent_lists(seed: int, n: int, probs: tuple[float, ...]) -> CaptureHistories:
    rng = np.random.default_rng(seed)
    names = tuple("ABCDEF"[: len(probs)])
    return _histories(rng.random((n, len(probs))) < np.array(probs), names)


def _referral_lists(seed: int, n: int = 5000) -> CaptureHistories:
    """Four lists; list B takes referrals from list A (0.5 if on A, else 0.1), the others are independent."""
    rng = np.random.default_rng(seed)
    a = rng.random(n) < 0.2
    b = rng.random(n) < np.where(a, 0.5, 0.1)
    c = rng.random(n) < 0.25
    d = rng.random(n) < 0.15
    return _histories(np.column_stack([a, b, c, d]), ("A", "B", "C", "D"))


# --------------------------------------------------------------------------- sample coverage


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sample_coverage_indep_recovers_independent_lists(seed: int) -> None:
    n_true = 3000
    h = _independent_lists(seed, n_true, (0.3, 0.25, 0.35))
    res = sample_coverage(h, "Indep", n_bootstrap=200, seed=seed)
    assert abs(res.abundance - n_true) / n_true < 0.05, res
    assert res.ci_low <= n_true <= res.ci_high, res
    assert res.gammas == (("A", "B", 0.0), ("A", "C", 0.0), ("B", "C", 0.0))
    # With independent lists, the dependence corrections are noisier but still cover the truth.
    for method in ("HSC", "LSC"):
        other = sample_coverage(h, method, n_bootstrap=200, seed=seed)  # type: ignore[arg-type]
        assert other.ci_low <= n_true <= other.ci_high, (method, other)
        assert other.stderr > res.stderr


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_sample_coverage_hsc_and_lsc_correct_dependent_lists(seed: int) -> None:
    """Heterogeneity makes the lists dependent: Indep is too low, LSC less so, HSC closest (within 10%)."""
    n_true = 2000
    h = _heterogeneous_lists(seed, n_true)
    indep, hsc, lsc = sample_coverage_all(h, n_bootstrap=0)
    assert indep.abundance < 0.93 * n_true
    assert indep.abundance < lsc.abundance < hsc.abundance
    assert abs(hsc.abundance - n_true) / n_true < 0.10, hsc.abundance
    assert abs(lsc.abundance - n_true) < abs(indep.abundance - n_true)
    assert all(g > 0 for _, _, g in hsc.gammas), hsc.gammas  # positive dependence detected


def test_sample_coverage_bootstrap_se_matches_sampling_spread() -> None:
    """The bootstrap SE on one data set is close to the spread of the estimate over repeated populations."""
    n_true = 1000
    probs = (0.3, 0.4, 0.35)
    estimates = [
        sample_coverage(_independent_lists(s, n_true, probs), "Indep", n_bootstrap=0).abundance for s in range(300)
    ]
    spread = float(np.std(estimates, ddof=1))
    ses = [
        sample_coverage(_independent_lists(s, n_true, probs), "Indep", n_bootstrap=200, seed=s).stderr for s in range(5)
    ]
    for se in ses:
        assert 0.7 * spread < se < 1.4 * spread, (se, spread)


def test_sample_coverage_bootstrap_is_reproducible_with_a_seed() -> None:
    h = read_capture_histories(ANCHORS / "CARE1_HAV_histories.csv")
    a = sample_coverage(h, "LSC", seed=5)
    b = sample_coverage(h, "LSC", seed=5)
    c = sample_coverage(h, "LSC", seed=6)
    assert a == b
    assert a.stderr != c.stderr
    assert a.abundance == c.abundance
    assert a.n_bootstrap == 200 and a.ci_low < a.abundance < a.ci_high
    assert a.ci_low >= h.n_observed
    none = sample_coverage(h, "LSC", n_bootstrap=0)
    assert math.isnan(none.stderr) and none.to_dict()["ci_low"] is None


def test_sample_coverage_statistics_by_hand() -> None:
    """HAV: M = 271, D = (202 + 216 + 208)/3, C = 1 - (69/135 + 55/122 + 63/126)/3 (Chao et al. 2001)."""
    h = read_capture_histories(ANCHORS / "CARE1_HAV_histories.csv")
    res = sample_coverage(h, "Indep", n_bootstrap=0)
    assert res.n_observed == 271
    assert res.d == pytest.approx((202 + 216 + 208) / 3)
    assert res.coverage == pytest.approx(1 - (69 / 135 + 55 / 122 + 63 / 126) / 3)
    assert res.abundance == pytest.approx(res.d / res.coverage)


def test_sample_coverage_hsc_without_finite_solution_is_infinite() -> None:
    """Small lists with little overlap: C <= S_b/3, the HSC equation has no finite solution."""
    h = CaptureHistories.from_counts(
        {(0, 0, 1): 27, (0, 1, 0): 8, (0, 1, 1): 3, (1, 0, 0): 17, (1, 0, 1): 2, (1, 1, 0): 3, (1, 1, 1): 2},
        ("A", "B", "C"),
    )
    res = sample_coverage(h, "HSC")
    assert math.isinf(res.abundance)
    assert res.n_bootstrap == 0 and any("no finite solution" in n for n in res.method_notes)
    assert res.to_dict()["abundance"] is None
    assert math.isfinite(sample_coverage(h, "LSC", n_bootstrap=0).abundance)


def test_sample_coverage_needs_three_lists() -> None:
    with pytest.raises(ValueError, match="exactly three"):
        sample_coverage(_independent_lists(1, 100, (0.5, 0.5)), "Indep")
    with pytest.raises(ValueError, match="exactly three"):
        sample_coverage(_independent_lists(1, 100, (0.5, 0.5, 0.5, 0.5)), "Indep")
    with pytest.raises(ValueError, match="unknown"):
        sample_coverage(_independent_lists(1, 100, (0.5, 0.5, 0.5)), "Chao")  # type: ignore[arg-type]
    no_overlap = CaptureHistories.from_counts({(1, 0, 0): 3, (0, 1, 0): 4, (0, 0, 1): 5})
    with pytest.raises(ValueError, match="coverage is zero"):
        sample_coverage(no_overlap, "Indep")


# --------------------------------------------------------------------------- multiple systems estimation


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_mse_main_recovers_independent_lists(seed: int) -> None:
    n_true = 5000
    h = _independent_lists(seed, n_true, (0.2, 0.15, 0.25, 0.1))
    main = fit_mse(h)
    assert main.method == "main" and main.interactions == ()
    assert abs(main.abundance - n_true) / n_true < 0.05
    assert main.ci_low <= n_true <= main.ci_high
    step = stepwise_mse(h)
    assert abs(step.abundance - n_true) / n_true < 0.06


@pytest.mark.parametrize("seed", [200, 201, 202, 203])
def test_mse_stepwise_finds_the_referral_and_recovers_the_size(seed: int) -> None:
    """B takes referrals from A: main effects underestimate; stepwise adds A:B and its interval covers N."""
    n_true = 5000
    h = _referral_lists(seed, n_true)
    main, step = mse_all(h)
    assert main.ci_high < n_true  # independence is clearly wrong here
    assert ("A", "B") in step.interactions
    assert step.steps[0].lists == ("A", "B") and step.steps[0].observed > step.steps[0].expected
    assert step.ci_low <= n_true <= step.ci_high, step
    assert abs(step.abundance - n_true) / n_true < 0.05
    assert step.aic < main.aic


def test_mse_stepwise_threshold_zero_is_main_effects() -> None:
    h = _referral_lists(200)
    assert stepwise_mse(h, pthresh=0).abundance == fit_mse(h).abundance
    assert stepwise_mse(h, pthresh=0).steps == ()


def test_mse_fixed_interaction_equals_loglinear_custom_model() -> None:
    """Main effects + A:B is the Rcapture-style custom model Mt + 1:2 (same likelihood, same N)."""
    from lagesbild.estimate.crc import LoglinearSpec, fit_model

    h = _referral_lists(201)
    mse = fit_mse(h, [(0, 1)])
    custom = fit_model(h, LoglinearSpec("Mt", interactions=((0, 1),)), profile_ci=False)
    assert mse.method == "fixed"
    assert mse.abundance == pytest.approx(custom.abundance, rel=1e-8)
    assert mse.aic == pytest.approx(custom.aic, rel=1e-8)


def test_mse_empty_overlap_is_the_limit_of_the_ordinary_fit() -> None:
    """A pair without common units: its parameter is -inf; R's glm gets there by a very negative value."""
    import statsmodels.api as sm

    h = read_capture_histories(ANCHORS / "SparseMSE_Ned.csv")
    pairs = [(1, 4), (2, 5)]  # K:R has no common unit, O:Z has 64
    res = fit_mse(h, pairs)
    assert res.empty_overlaps == (("K", "R"),)
    assert any("minus infinity" in n for n in res.method_notes)
    hist, y = h.cell_counts()
    x = np.column_stack([np.ones(len(y)), hist, hist[:, 1] * hist[:, 4], hist[:, 2] * hist[:, 5]])
    glm = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-12, maxiter=500)
    assert glm.params[-2] < -15
    assert res.abundance == pytest.approx(h.n_observed + math.exp(glm.params[0]), rel=1e-6)
    assert res.n_parameters == 1 + 6 + 2


def test_check_model_detects_nonexistence_and_nonidentifiability() -> None:
    # Saturated three-list model with an empty 111 cell: the estimate would need a cell of zero.
    saturated = CaptureHistories.from_counts(
        {(1, 0, 0): 10, (0, 1, 0): 10, (0, 0, 1): 10, (1, 1, 0): 3, (1, 0, 1): 3, (0, 1, 1): 3}, ("A", "B", "C")
    )
    check = check_model(saturated, [(0, 1), (0, 2), (1, 2)])
    assert check.identifiable and not check.exists and not check.ok
    assert check_model(saturated, [(0, 1)]).ok
    with pytest.raises(ValueError, match="does not exist"):
        fit_mse(saturated, [(0, 1), (0, 2), (1, 2)])
    # A and B never together: with all pairs, five cells are left for six parameters.
    apart = CaptureHistories.from_counts(
        {(1, 0, 0): 10, (0, 1, 0): 10, (0, 0, 1): 10, (1, 0, 1): 3, (0, 1, 1): 3}, ("A", "B", "C")
    )
    check = check_model(apart, [(0, 1), (0, 2), (1, 2)])
    assert not check.identifiable
    with pytest.raises(ValueError, match="not identifiable"):
        fit_mse(apart, [(0, 1), (0, 2), (1, 2)])
    assert check_model(apart, [(0, 1)]).ok  # A:B alone is an extended estimate that exists


def test_mse_stepwise_skips_a_pair_whose_model_cannot_be_estimated() -> None:
    """Every pair overlaps but no unit is on all three lists: the third pair would need a zero cell."""
    h = CaptureHistories.from_counts(
        {(1, 0, 0): 500, (0, 1, 0): 500, (0, 0, 1): 500, (1, 1, 0): 400, (1, 0, 1): 400, (0, 1, 1): 400},
        ("A", "B", "C"),
    )
    res = stepwise_mse(h)
    assert len(res.interactions) == 2
    missing = ({("A", "B"), ("A", "C"), ("B", "C")} - set(res.interactions)).pop()
    note = next(n for n in res.method_notes if "passed over" in n)
    assert note.startswith(f"{missing[0]}:{missing[1]} (p = ") and "would not exist" in note
    p_value = float(note.split("p = ")[1].split(")")[0])
    assert p_value < 0.02  # it would have been added on its p-value
    assert not check_model(h, [(0, 1), (0, 2), (1, 2)]).exists


def test_mse_needs_three_lists_and_valid_pairs() -> None:
    two = _independent_lists(1, 200, (0.5, 0.5))
    with pytest.raises(ValueError, match="three lists"):
        fit_mse(two)
    three = _independent_lists(1, 200, (0.5, 0.5, 0.5))
    with pytest.raises(ValueError, match="two different lists"):
        fit_mse(three, [(0, 3)])
    with pytest.raises(ValueError, match="two different lists"):
        fit_mse(three, [(1, 1)])


def test_new_methods_have_descriptions() -> None:
    for name in ("Sample coverage Indep", "Sample coverage HSC", "Sample coverage LSC", "MSE main", "MSE stepwise"):
        assert any("closed" in a for a in MODELS[name].assumptions)
    h = _referral_lists(200)
    assert describe(stepwise_mse(h).model).name == "MSE stepwise"
    assert describe(sample_coverage(_heterogeneous_lists(0), "LSC", n_bootstrap=0).model).name == "Sample coverage LSC"
