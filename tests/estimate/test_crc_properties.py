"""Consistency between estimators, model descriptions and typed inputs."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from lagesbild.estimate.crc import (
    MODELS,
    STANDARD_MODELS,
    CaptureHistories,
    FrequencyCounts,
    best_model,
    chao_lower_bound,
    describe,
    fit_model,
    run_all_models,
    two_source,
    zelterman,
)
from lagesbild.estimate.crc.runner import aic_order
from lagesbild.estimate.crc_io import read_capture_histories, read_frequency_counts

ANCHORS = Path(__file__).resolve().parents[1] / "data" / "anchors"


def test_chao_lower_bound_from_frequencies_equals_loglinear_mh_chao() -> None:
    """Chao's bound with the (t-1)/t factor is the log-linear Mh Chao estimate when one eta is kept."""
    hare = read_capture_histories(ANCHORS / "hare.csv")
    freq = read_frequency_counts(ANCHORS / "hare.csv")
    assert freq == FrequencyCounts((25, 22, 13, 5, 1, 2), n_occasions=6)
    bound = chao_lower_bound(freq)
    loglinear = fit_model(hare, "Mh Chao (LB)")
    assert bound.abundance == pytest.approx(loglinear.abundance, rel=1e-9)
    assert bound.stderr == pytest.approx(loglinear.stderr, rel=1e-5)


def test_single_source_estimators_by_hand() -> None:
    freq = FrequencyCounts((30, 10, 4))
    assert chao_lower_bound(freq).abundance == pytest.approx(44 + 30**2 / 20)
    assert chao_lower_bound(freq, bias_corrected=True).abundance == pytest.approx(44 + 30 * 29 / 22)
    z = zelterman(freq)
    assert z.abundance == pytest.approx(44 / (1 - math.exp(-2 * 10 / 30)))
    assert z.ci_low < z.abundance < z.ci_high
    with pytest.raises(ValueError, match="f2"):
        zelterman(FrequencyCounts((5,)))


def test_two_occasion_mt_is_lincoln_petersen() -> None:
    two = read_capture_histories(ANCHORS / "synthetic_two_source.csv")
    assert fit_model(two, "Mt").abundance == pytest.approx(two_source(250, 200, 50).lincoln_petersen)
    assert [r.model for r in run_all_models(two)] == ["Mt", "Mb", "M0"]


def test_two_source_edge_cases() -> None:
    res = two_source(10, 12, 0)
    assert res.lincoln_petersen == float("inf")
    assert res.chapman == pytest.approx(11 * 13 - 1)
    assert res.to_dict()["lincoln_petersen"] is None
    with pytest.raises(ValueError):
        two_source(5, 5, 6)


def test_every_standard_model_has_assumptions() -> None:
    for name in STANDARD_MODELS:
        description = MODELS[name]
        assert description.assumptions, name
        assert any("closed" in a for a in description.assumptions)
    assert describe("Mt + 1:2").name == "Mt"
    for name in ("Chapman", "Lincoln-Petersen", "Chao lower bound", "Zelterman"):
        assert MODELS[name].assumptions


def test_results_are_frozen_and_serializable() -> None:
    res = fit_model(read_capture_histories(ANCHORS / "hare.csv"), "M0")
    with pytest.raises(AttributeError):
        res.abundance = 1.0  # type: ignore[misc]
    d = res.to_dict()
    assert d["model"] == "M0" and d["df"] == 61 and d["ci_method"] == "profile likelihood"


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError):
        CaptureHistories(("a",), ((1,),), (3,))
    with pytest.raises(ValueError):
        CaptureHistories(("a", "b"), ((0, 0),), (3,))
    with pytest.raises(ValueError, match="unknown model"):
        fit_model(CaptureHistories.from_rows([[1, 0], [1, 1], [0, 1]]), "Mx")
    many = CaptureHistories.from_rows([[1] * 16, [1] + [0] * 15])
    with pytest.raises(ValueError, match="occasions"):
        run_all_models(many)


def test_best_model_skips_unusable_fits_and_behavioural_models_can_be_left_out() -> None:
    """Sites are not occasions in time: Mb/Mbh can be excluded, and a fit below the units seen is never chosen."""
    import dataclasses

    from lagesbild.estimate.crc import CaptureHistories, best_model, run_all_models

    hist = CaptureHistories.from_counts(
        {(1, 0, 0): 40, (0, 1, 0): 35, (0, 0, 1): 30, (1, 1, 0): 12, (1, 0, 1): 10, (0, 1, 1): 9, (1, 1, 1): 4},
        ("a", "b", "c"),
    )
    without = run_all_models(hist, profile_ci=False, behavioural=False)
    assert without and not {"Mb", "Mbh"} & {r.model for r in without}
    assert {"Mb", "Mbh"} <= {r.model for r in run_all_models(hist, profile_ci=False)}
    best = best_model(without)
    assert best is not None and best.usable and best.abundance >= hist.n_observed
    broken = dataclasses.replace(without[0], abundance=hist.n_observed - 5.0, aic=-1e9)
    assert best_model([broken, *without]) == best


def test_aic_ties_are_broken_the_same_way_everywhere() -> None:
    two = read_capture_histories(ANCHORS / "synthetic_two_source.csv")
    fits = {r.model: r for r in run_all_models(two)}
    mt, mb = fits["Mt"], fits["Mb"]
    assert round(mt.aic, 6) == round(mb.aic, 6) and mt.n_parameters == mb.n_parameters  # a real tie
    # a difference in the last bits (as between machines) must not change the order, in either direction
    for eps in (1e-10, -1e-10):
        nudged = dataclasses.replace(mb, aic=mt.aic + eps)
        assert sorted([nudged, mt], key=aic_order)[0].model == "Mt"
        assert best_model([nudged, mt]) is mt


def test_a_finite_upper_profile_limit_beyond_the_search_range_is_found() -> None:
    # Few recaptures: the upper limit lies far beyond 3 x N; it must be a number, not infinity.
    counts = {(1, 0, 0): 30, (0, 1, 0): 28, (0, 0, 1): 25, (1, 1, 0): 1, (0, 1, 1): 1}
    sparse = CaptureHistories.from_counts(counts, ("a", "b", "c"))
    fit = fit_model(sparse, "M0", ci_level=0.95)
    assert math.isfinite(fit.ci_high) and fit.ci_high > 3 * fit.abundance
    assert fit.ci_low < fit.abundance < fit.ci_high
