"""The labelled evaluation set meets the issue's targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lagesbild.normalize.evaluation import EvalReport, evaluate

DATA = Path(__file__).parent / "data" / "eval_set.jsonl"


@pytest.fixture(scope="module")
def report() -> EvalReport:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    return evaluate(rows)


def test_eval_set_has_at_least_500_ads_with_hard_cases() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 500
    assert sum(r["kind"] == "hard" for r in rows) >= 50


def test_municipality_correct_or_correctly_unknown_for_97_percent(report: EvalReport) -> None:
    assert report.fields["municipality"].accuracy >= 0.97, report.errors["municipality"]


def test_phones_found_and_normalized_for_99_percent(report: EvalReport) -> None:
    s = report.fields["phones"]
    assert s.recall >= 0.99 and s.precision >= 0.99, report.errors["phones"]


def test_ages_correct_for_99_percent(report: EvalReport) -> None:
    assert report.fields["age"].accuracy >= 0.99, report.errors["age"]


def test_prices_and_languages_are_mostly_right(report: EvalReport) -> None:
    assert report.fields["price"].accuracy >= 0.95
    assert report.fields["languages"].accuracy >= 0.95


def test_eval_set_phones_are_fictional_only() -> None:
    allowed = (
        "+4670174060",
        "+4670174061",
        "+4670174062",
        "+4670174063",
        "+4670174064",
        "+4670174065",
        "+4670174066",
        "+4670174067",
        "+4670174068",
        "+4670174069",
        "+463139006",
        "+464062804",
        "+4684650040",
        "+4684650041",
        "+4684650042",
        "+4684650043",
        "+4684650044",
        "+4684650045",
        "+4684650046",
        "+4684650047",
        "+4684650048",
        "+4684650049",
        "+46980319",
        "+3319900",
    )
    for line in DATA.read_text(encoding="utf-8").splitlines():
        for phone in json.loads(line)["labels"]["phones"]:
            assert phone.startswith(allowed), phone
