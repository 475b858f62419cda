"""Extraction recovers the simulator's true fields from judgment text, for several seeds."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from lagesbild.refdata import municipalities
from lagesbild.simulate.verdicts import VerdictsConfig, sample_verdicts
from lagesbild.verdicts import extract_verdict, kommun_from_name

FIELDS = (
    "defendant_age",
    "defendant_kommun",
    "offence_kommun",
    "day_fines",
    "day_fine_amount",
    "date",
    "offence_date",
    "court",
    "case_number",
    "ad_used",
    "conditional_sentence",
)
REQUIRED = {"defendant_age": 0.98, "defendant_kommun": 0.98, "offence_kommun": 0.98, "day_fines": 0.98}


def simulated(seed: int, n: int = 8000) -> list[dict[str, Any]]:
    """Judgments over all 290 municipalities (every name the writer can use) from the simulator's writer."""
    codes = np.array(sorted(municipalities()))
    rng = np.random.default_rng(seed)
    return sample_verdicts(
        VerdictsConfig(verdict_share=0.05),
        start=date(2021, 1, 1),
        days=1460,
        purchase_day=np.sort(rng.integers(0, 1460, n)).astype(np.int32),
        buyer_id=np.arange(n, dtype=np.int64),
        buyer_kommun=rng.choice(codes, n),
        seller_kommun=rng.choice(codes, n),
        buyer_age=rng.integers(19, 70, n).astype(np.int16),
        draw=rng.random(n),
        seeds=rng.integers(0, 2**63, n, dtype=np.uint64),
    )


def accuracy(verdicts: list[dict[str, Any]]) -> dict[str, float]:
    hits = dict.fromkeys(FIELDS, 0)
    for v in verdicts:
        rec = extract_verdict(v["text"]).record()
        for f in FIELDS:
            hits[f] += getattr(rec, f) == v[f]
    return {f: hits[f] / len(verdicts) for f in FIELDS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_extraction_recovers_simulated_fields_for_seed(seed: int) -> None:
    verdicts = simulated(seed)
    assert len(verdicts) > 300
    acc = accuracy(verdicts)
    for field, floor in REQUIRED.items():
        assert acc[field] >= floor, (field, acc[field])
    assert min(acc.values()) >= 0.95, acc


def test_each_field_keeps_the_phrase_it_was_read_from_without_the_name() -> None:
    text = (
        "Linköpings tingsrätt, dom 3 maj 2024, mål B 123-24.\n"
        "Test Testsson (85XXXX-XXXX), 38 år, bosatt i Motala, döms för köp av sexuell tjänst "
        "(6 kap. 11 § brottsbalken) till villkorlig dom och 60 dagsböter om 120 kronor.\n"
        "Gärningen begicks den 2 februari 2024 på ett hotell i Linköpings kommun. "
        "Han hade hittat personen genom en annons på internet.\n"
    )
    v = extract_verdict(text)
    assert v.age is not None and (v.age.value, v.age.matched) == (38, "38 år")
    assert v.home_kommun is not None and (v.home_kommun.value, v.home_kommun.matched) == ("0583", "bosatt i Motala")
    assert v.offence_kommun is not None and v.offence_kommun.value == "0580"
    assert v.court is not None and v.court.value == "Linköpings tingsrätt"
    assert v.case_number is not None and v.case_number.value == "B 123-24"
    assert v.date is not None and v.date.value == "2024-05-03"
    assert v.offence_date is not None and v.offence_date.value == "2024-02-02"
    assert v.day_fines is not None and v.day_fines.value == 60
    assert v.day_fine_amount is not None and v.day_fine_amount.value == 120
    assert v.ad_used.value and v.conditional_sentence.value
    for f in (v.age, v.home_kommun, v.offence_kommun, v.day_fines):
        assert f is not None and "Testsson" not in f.matched and "XXXX" not in f.matched


def test_unstated_fields_are_none() -> None:
    v = extract_verdict("Tingsrätten har meddelat dom i ett mål om köp av sexuell tjänst.")
    assert (v.age, v.home_kommun, v.offence_kommun, v.day_fines, v.case_number) == (None, None, None, None, None)
    assert v.ad_used.value is False


def test_municipality_names_resolve_in_short_long_and_genitive_forms() -> None:
    assert kommun_from_name("Upplands Väsby") == "0114"
    assert kommun_from_name("Norrköpings kommun") == "0581"
    assert kommun_from_name("Borås kommun") == "1490"
    assert kommun_from_name("Ingenstans") is None
