"""The normalizers scored on the simulator's output: the issue's targets hold on a simulated market."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.normalize.evaluation import evaluate_simulation
from lagesbild.simulate import load_config, simulate


@pytest.fixture(scope="module")
def tiny_market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    simulate(load_config("tiny"), 7, out)
    return out


def test_evaluate_simulation_meets_targets_on_tiny_market(tiny_market: Path) -> None:
    report = evaluate_simulation(tiny_market)
    assert report.n_ads > 500
    f = report.fields
    assert f["municipality"].accuracy >= 0.97
    assert f["municipality_no_site_city"].accuracy >= 0.97
    assert f["age"].accuracy >= 0.99
    assert f["phones"].recall >= 0.99
    assert f["phones"].precision >= 0.99


def test_evaluate_simulation_scores_every_ad_version(tiny_market: Path) -> None:
    report = evaluate_simulation(tiny_market)
    assert {name for name, s in report.fields.items() if s.total == report.n_ads} == {
        "municipality",
        "municipality_no_site_city",
        "phones",
        "language_written",
    }
    assert 0 < report.fields["age"].total < report.n_ads  # scam ads have no true age
