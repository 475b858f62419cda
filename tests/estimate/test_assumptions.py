"""Assumption files: parsed into frozen typed specs; every problem reported at once, located."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

from lagesbild.errors import InputError, InputErrors
from lagesbild.estimate.assumptions import (
    Beta,
    Fixed,
    LogNormal,
    Normal,
    Requirement,
    Triangular,
    Uniform,
    bundled_assumption_files,
    check_requirements,
    default_assumptions,
    load_assumptions,
    parse_assumptions,
)
from lagesbild.estimate.purchases import PURCHASES_REQUIREMENTS
from lagesbild.estimate.triangulate import TRIANGULATION_REQUIREMENTS


def test_every_bundled_file_is_valid_and_sourced() -> None:
    files = bundled_assumption_files()
    assert "default" in files
    for path in files.values():
        a = load_assumptions(path)
        check_requirements(a, PURCHASES_REQUIREMENTS + TRIANGULATION_REQUIREMENTS)
        for p in a:
            assert p.unit and p.source and p.description


def test_default_carries_the_survey_share_of_the_2014_report() -> None:
    a = default_assumptions()
    p12 = a["prevalence_12m"].distribution
    assert isinstance(p12, Beta) and p12.nominal() == pytest.approx(0.008)
    assert "2015:10" in a["prevalence_12m"].source


def test_specs_are_frozen() -> None:
    a = default_assumptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a["share_genuine"].unit = "x"  # type: ignore[misc]


def test_round_trip_through_yaml() -> None:
    a = default_assumptions()
    b = parse_assumptions(yaml.safe_load(yaml.safe_dump(a.to_dict(), allow_unicode=True, sort_keys=False)))
    assert [(p.name, p.distribution) for p in a] == [(p.name, p.distribution) for p in b]


def test_every_error_is_reported_at_once_with_field_paths(tmp_path: Path) -> None:
    bad = {
        "name": "bad",
        "colour": "red",
        "parameters": {
            "a": {"unit": "x", "source": "s", "distribution": {"kind": "gaussian", "mean": 1}},
            "b": {"unit": "x", "source": "s", "distribution": {"kind": "triangular", "low": 3, "mode": 1, "high": 2}},
            "c": {"unit": "x", "distribution": {"kind": "lognormal", "median": -1, "sigma": 0}},
            "d": {"unit": "x", "source": "s", "distribution": {"kind": "uniform", "low": 0}},
            "e": {"unit": "x", "source": "s", "distribution": {"kind": "beta", "mean": "high", "n": 10}},
            "f": {"unit": "x", "source": "s", "distrib": {}},
        },
    }
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_assumptions(path)
    errs = info.value.errors
    fields = [e.field for e in errs]
    assert all(e.path == str(path) for e in errs)
    assert "colour" in fields
    assert "parameters.a.distribution.kind" in fields
    kind_err = next(e for e in errs if e.field == "parameters.a.distribution.kind")
    assert "allowed: fixed, uniform, triangular, normal, lognormal, beta" in kind_err.message
    assert "parameters.b.distribution" in fields
    assert {"parameters.c.source", "parameters.c.distribution.median", "parameters.c.distribution.sigma"} <= set(fields)
    d_err = next(e for e in errs if e.field == "parameters.d.distribution")
    assert "{low, high}" in d_err.message
    assert "parameters.e.distribution.mean" in fields
    assert {"parameters.f.distrib", "parameters.f.distribution"} <= set(fields)
    assert len(errs) == 10
    assert str(info.value).startswith("10 error(s):")


def test_not_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nparameters: [\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_assumptions(path)
    assert info.value.path == str(path) and info.value.line is not None


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_assumptions(tmp_path / "nope.yaml")


def test_requirements_report_missing_and_out_of_range_parameters_together() -> None:
    a = default_assumptions().with_distribution("share_genuine", Uniform(0.5, 1.5))
    reqs = (*PURCHASES_REQUIREMENTS, Requirement("not_there", "positive", "something"))
    with pytest.raises(InputErrors) as info:
        check_requirements(a, reqs)
    fields = {e.field for e in info.value.errors}
    assert fields == {"parameters.share_genuine.distribution", "parameters.not_there"}


def test_with_fixed_replaces_one_parameter() -> None:
    a = default_assumptions()
    b = a.with_fixed(clients_per_working_day=2)
    assert b["clients_per_working_day"].distribution == Fixed(2.0)
    assert b["share_genuine"] == a["share_genuine"] and b.names() == a.names()


@pytest.mark.parametrize(
    ("dist", "ref"),
    [
        (Uniform(1, 3), stats.uniform(1, 2)),
        (Triangular(0.5, 0.75, 1.0), stats.triang(0.5, loc=0.5, scale=0.5)),
        (Normal(10, 2), stats.norm(10, 2)),
        (Normal(1, 1, low=0), stats.truncnorm(-1, np.inf, loc=1, scale=1)),
        (LogNormal(1.5, 0.5), stats.lognorm(0.5, scale=1.5)),
        (Beta(20, 2480), stats.beta(20, 2480)),
    ],
    ids=lambda x: x.describe() if hasattr(x, "describe") else "",
)
def test_draws_follow_the_distribution(dist: object, ref: object) -> None:
    rng = np.random.default_rng(3)
    x = dist.sample(rng, 50_000)  # type: ignore[attr-defined]
    for q in (0.05, 0.5, 0.95):
        assert np.quantile(x, q) == pytest.approx(ref.ppf(q), rel=0.02, abs=0.01)  # type: ignore[attr-defined]
    assert dist.median() == pytest.approx(ref.median(), rel=1e-9)  # type: ignore[attr-defined]


def test_nominal_values_are_what_the_file_states() -> None:
    assert Fixed(2).nominal() == 2 and Uniform(1, 3).nominal() == 2
    assert Triangular(0, 1, 4).nominal() == 1 and LogNormal(1.5, 0.5).nominal() == pytest.approx(1.5)
    assert Beta(8, 992).nominal() == pytest.approx(0.008) and Normal(3, 1).nominal() == 3


def test_beta_from_mean_and_n() -> None:
    a = parse_assumptions(
        {
            "parameters": {
                "p": {"unit": "share", "source": "s", "distribution": {"kind": "beta", "mean": 0.008, "n": 2500}}
            }
        }
    )
    assert a["p"].distribution == Beta(20.0, 2480.0)
