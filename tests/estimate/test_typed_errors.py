"""Estimators raise typed errors from the one exception tree, which are still ValueErrors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lagesbild.errors import EstimateInputError, InputError, LagesbildError, NotEstimableError
from lagesbild.estimate.activity import estimate_persons
from lagesbild.estimate.crc import CaptureHistories, FrequencyCounts, fit_model, sample_coverage, zelterman
from lagesbild.estimate.intervals import wilson_interval, z_value

SRC = Path(__file__).resolve().parents[2] / "src" / "lagesbild"


def test_a_bad_argument_is_an_estimate_input_error_and_a_value_error() -> None:
    for call in (lambda: z_value(1.5), lambda: wilson_interval(0.2, 0), lambda: estimate_persons(3.5, 0.2, 0.02)):
        with pytest.raises(EstimateInputError) as exc:
            call()
        assert isinstance(exc.value, InputError) and isinstance(exc.value, ValueError)


def test_an_invalid_capture_history_is_an_estimate_input_error() -> None:
    with pytest.raises(EstimateInputError, match="only 0 and 1"):
        CaptureHistories(("a", "b"), ((1, 2),), (3,))
    with pytest.raises(EstimateInputError, match="unknown model"):
        fit_model(CaptureHistories.from_rows([[1, 0], [1, 1], [0, 1]]), "Mx")


def test_data_that_cannot_support_the_estimate_is_not_estimable_and_not_bad_input() -> None:
    with pytest.raises(NotEstimableError, match="twice") as exc:
        zelterman(FrequencyCounts((5, 0, 1)))
    assert isinstance(exc.value, LagesbildError) and isinstance(exc.value, ValueError)
    assert not isinstance(exc.value, InputError)  # the CLI answers it as a failure (exit 1), not bad input (2)
    no_overlap = CaptureHistories.from_counts({(1, 0, 0): 3, (0, 1, 0): 4, (0, 0, 1): 5})
    with pytest.raises(NotEstimableError, match="more than one list"):
        sample_coverage(no_overlap, "Indep")


@pytest.mark.parametrize("where", ["estimate", "records/capture.py"])
def test_no_bare_value_error_is_raised(where: str) -> None:
    """New estimator code raises the typed errors too (a bare ``ValueError`` names no part of the tree)."""
    bare = []
    root = SRC / where
    for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id == "ValueError":
                    bare.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert bare == []
