"""Phone extraction on the training cases in data/phone_train.jsonl (issue 17).

Each line is one obfuscation family or one precision trap: ``text`` as an ad writer types it and
the E.164 numbers it holds (``[]`` for prices, ages, dates, clock times, post codes, heights and
weights, ad ids, years, masked numbers and number words that are not phones). Every text is tried
inside an ad sentence, so the number has words and an emoji around it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lagesbild.normalize import find_phones
from lagesbild.normalize.ad import normalize_ad

_CASES = [json.loads(x) for x in (Path(__file__).parent / "data" / "phone_train.jsonl").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("case", _CASES, ids=[f"{c['family']}:{c['text'][:40]}" for c in _CASES])
def test_find_phones_reads_training_case_as_labelled(case: dict[str, object]) -> None:
    text = f"Hej! {case['text']} 💋"
    found = find_phones(text)
    assert list(dict.fromkeys(v for _, _, v in found)) == case["phones"]
    for start, end, _ in found:  # a span never takes the words around the number
        assert text[start:end].strip() == text[start:end] and "Hej" not in text[start:end]


def test_training_cases_cover_every_family_and_trap() -> None:
    families = {str(c["family"]).split("/")[0] for c in _CASES}
    traps = {str(c["family"]).split("/")[1] for c in _CASES if "/" in str(c["family"])}
    assert {"punctuation_after_prefix", "letters_for_digits", "spelled_swedish", "spelled_english"} <= families
    assert {"split_digits", "line_break", "international_se", "foreign", "repeated"} <= families
    assert {"masked", "prices", "ages", "dates", "times", "postcodes", "heights_weights", "ad_ids", "years"} <= traps


def test_number_repeated_in_several_forms_gives_one_phone_per_ad() -> None:
    body = "Ring O7O-174 O6 12 eller noll sju noll ett sju fyra noll sex ett två (070 174 06 12)"
    ad = normalize_ad("Ny i stan", body, None)
    assert ad.phones == ("+46701740612",)
