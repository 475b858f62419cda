"""Recovery of a known population size from simulated capture histories (fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from lagesbild.estimate.crc import CaptureHistories, fit_model, run_all_models, two_source


def _simulate(p: np.ndarray) -> CaptureHistories:
    """Capture histories for a population with capture probabilities ``p`` (units x occasions)."""
    rng = np.random.default_rng(20240611)
    caught = rng.random(p.shape) < p
    seen = caught[caught.any(axis=1)].astype(int)
    return CaptureHistories.from_rows(seen.tolist())


N_TRUE = 1000


@pytest.mark.parametrize(
    ("model", "probabilities", "tolerance"),
    [
        ("M0", np.full((N_TRUE, 5), 0.25), 0.05),
        ("Mt", np.tile([0.15, 0.3, 0.2, 0.35, 0.25], (N_TRUE, 1)), 0.05),
        (
            "Mh Darroch",
            np.tile(1 / (1 + np.exp(-np.random.default_rng(7).normal(-1.5, 1.0, (N_TRUE, 1)))), (1, 5)),
            0.15,
        ),
    ],
    ids=["M0", "Mt", "Mh"],
)
def test_recovers_known_size(model: str, probabilities: np.ndarray, tolerance: float) -> None:
    histories = _simulate(probabilities)
    res = fit_model(histories, model)
    assert res.ci_low <= N_TRUE <= res.ci_high, res
    assert abs(res.abundance - N_TRUE) / N_TRUE < tolerance, res.abundance
    assert res.ci_method == "profile likelihood"


def test_heterogeneity_biases_mt_downwards_and_mh_corrects() -> None:
    """With heterogeneous catchability, Mt underestimates; the Mh models get closer and are preferred by AIC."""
    logit = np.random.default_rng(7).normal(-1.5, 1.0, (N_TRUE, 1))
    histories = _simulate(np.tile(1 / (1 + np.exp(-logit)), (1, 5)))
    results = run_all_models(histories, profile_ci=False)
    by_name = {r.model: r for r in results}
    assert by_name["Mt"].abundance < 0.9 * N_TRUE
    assert abs(by_name["Mh Darroch"].abundance - N_TRUE) < abs(by_name["Mt"].abundance - N_TRUE)
    assert results[0].model.startswith(("Mh", "Mth"))
    assert [r.aic for r in results] == sorted(r.aic for r in results)


def test_two_source_recovers_known_size() -> None:
    rng = np.random.default_rng(11)
    in1 = rng.random(N_TRUE) < 0.3
    in2 = rng.random(N_TRUE) < 0.4
    res = two_source(int(in1.sum()), int(in2.sum()), int((in1 & in2).sum()))
    assert res.ci_low <= N_TRUE <= res.ci_high
    assert abs(res.chapman - N_TRUE) / N_TRUE < 0.1
