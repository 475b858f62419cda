"""Specification of simulated court judgments: Swedish court text with its true fields beside it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pytest

from lagesbild.refdata import municipalities
from lagesbild.simulate.verdicts import COURT_SEATS, VerdictsConfig, court_for, sample_verdicts

START = date(2023, 1, 1)
DAYS = 730


def make_verdicts(n: int = 4000, share: float = 0.05, seed: int = 3, **cfg: Any) -> list[dict[str, Any]]:
    """Judgments from ``n`` purchases spread over Östergötland and a few other municipalities."""
    rng = np.random.default_rng(seed)
    places = np.array(["0580", "0581", "0562", "0180", "1480", "2523", "0114", "1492"])
    return sample_verdicts(
        VerdictsConfig(verdict_share=share, **cfg),
        start=START,
        days=DAYS,
        purchase_day=np.sort(rng.integers(0, DAYS, n)).astype(np.int32),
        buyer_id=rng.integers(0, n // 2, n).astype(np.int64),
        buyer_kommun=rng.choice(places, n),
        seller_kommun=rng.choice(places, n),
        buyer_age=rng.integers(19, 70, n).astype(np.int16),
        draw=rng.random(n),
        seeds=rng.integers(0, 2**63, n, dtype=np.uint64),
    )


@pytest.fixture(scope="module")
def verdicts() -> list[dict[str, Any]]:
    return make_verdicts()


AGE = re.compile(r"\b(\d{2}) år\b")
DAY_FINES = re.compile(r"(\d+) dagsböter|[Dd]agsböter (\d+)")
CASE = re.compile(r"\bB \d{3,5}-\d{2}\b")


def test_a_simple_regex_recovers_age_and_day_fines(verdicts: list[dict[str, Any]]) -> None:
    assert len(verdicts) > 50
    for v in verdicts:
        assert [int(a) for a in AGE.findall(v["text"])] == [v["defendant_age"]], v["text"]
        m = DAY_FINES.search(v["text"])
        assert m and int(m.group(1) or m.group(2)) == v["day_fines"], v["text"]
        assert f"{v['day_fine_amount']} k" in v["text"]  # "à 100 kr" or "om 100 kronor"


def test_text_names_court_case_municipalities_and_the_law(verdicts: list[dict[str, Any]]) -> None:
    ms = municipalities()
    for v in verdicts:
        text = v["text"]
        assert v["court"].lower() in text.lower()
        assert CASE.findall(text) == [v["case_number"]]
        assert ms[v["defendant_kommun"]].name in text
        assert ms[v["offence_kommun"]].name in text
        assert "6 kap. 11 § brottsbalken" in text
        assert "köp av sexuell tjänst" in text.lower()


def test_ad_use_is_stated_when_true(verdicts: list[dict[str, Any]]) -> None:
    for v in verdicts:
        says_ad = bool(re.search(r"\bannons\b(?!: nej)", v["text"], re.IGNORECASE))
        assert says_ad == v["ad_used"], v["text"]
    assert {v["ad_used"] for v in verdicts} == {True, False}


def test_several_phrasings_occur(verdicts: list[dict[str, Any]]) -> None:
    openings = {v["text"].split("\n", 1)[0].split(" ")[0] for v in verdicts}
    # "LINKÖPINGS" (two formal layouts), "Linköpings", "Dom" ... : at least four kinds of first word
    assert len({o.isupper() for o in openings}) == 2
    layouts = {
        ("DOMSKÄL" in v["text"], "Yrkanden" in v["text"], "Brottsplats:" in v["text"], ", dom " in v["text"])
        for v in verdicts
    }
    assert len(layouts) == 4


def test_names_and_identity_numbers_are_obviously_fictional(verdicts: list[dict[str, Any]]) -> None:
    for v in verdicts:
        text = v["text"]
        assert not re.search(r"\d{6}-?\d{4}", text), "no real-looking personnummer"
        assert re.search(r"(Test|Prov|Exempel|Fiktiv|Påhittad) \w+sson", text)


def test_court_matches_the_offence_area() -> None:
    assert court_for("0580") == "Linköpings tingsrätt"
    assert court_for("0562") == "Norrköpings tingsrätt"  # Finspång
    assert court_for("0180") == "Stockholms tingsrätt"
    assert court_for("1480") == "Göteborgs tingsrätt"
    assert court_for("1496") == "Skaraborgs tingsrätt"
    ms = municipalities()
    assert set(COURT_SEATS) == {m.county_code for m in ms.values()}
    for county, seats in COURT_SEATS.items():
        assert all(ms[s].county_code == county for s in seats)


def test_sanction_is_day_fines_with_conditional_sentence_after_2022(verdicts: list[dict[str, Any]]) -> None:
    for v in verdicts:
        assert 50 <= v["day_fine_amount"] <= 1000  # brottsbalken 25 kap. 2 §
        assert ("illkorlig dom" in v["text"]) == v["conditional_sentence"]
    assert 0.3 < np.mean([v["conditional_sentence"] for v in verdicts]) < 0.7
    fines = [v["day_fines"] for v in verdicts]
    assert max(set(fines), key=fines.count) == 50


def test_no_conditional_sentence_for_offences_before_the_2022_reform() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    out = sample_verdicts(
        VerdictsConfig(verdict_share=0.05),
        start=date(2020, 1, 1),
        days=900,
        purchase_day=np.sort(rng.integers(0, 900, n)).astype(np.int32),
        buyer_id=np.arange(n, dtype=np.int64),
        buyer_kommun=np.full(n, "0580"),
        seller_kommun=np.full(n, "0580"),
        buyer_age=np.full(n, 40, dtype=np.int16),
        draw=rng.random(n),
        seeds=rng.integers(0, 2**63, n, dtype=np.uint64),
    )
    for v in out:
        if v["offence_date"] < "2022-07-01":
            assert not v["conditional_sentence"]


def test_one_judgment_per_buyer_dated_after_offence_within_period(verdicts: list[dict[str, Any]]) -> None:
    ids = [v["buyer_id"] for v in verdicts]
    assert len(ids) == len(set(ids))
    for v in verdicts:
        offence, judged = date.fromisoformat(v["offence_date"]), date.fromisoformat(v["date"])
        assert 60 <= (judged - offence).days <= 365
        assert judged <= date(2024, 12, 30)
    assert [v["date"] for v in verdicts] == sorted(v["date"] for v in verdicts)
    cases = [(v["court"], v["case_number"]) for v in verdicts]
    assert len(cases) == len(set(cases))


def test_share_of_purchases_becoming_judgments() -> None:
    out = make_verdicts(n=20000, share=0.01, seed=9, lag_days_min=0, lag_days_max=0)
    # 200 expected; buyers repeat (10,000 ids over 20,000 purchases) so a few are dropped: sd ~ 14
    assert 150 < len(out) <= 230


def test_same_seed_same_judgments() -> None:
    assert make_verdicts(seed=4) == make_verdicts(seed=4)
    assert make_verdicts(seed=4) != make_verdicts(seed=5)


def test_zero_share_gives_no_judgments() -> None:
    assert make_verdicts(share=0.0) == []


def test_config_rejects_inconsistent_values() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="lag_days_min"):
        VerdictsConfig(lag_days_min=100, lag_days_max=10)
    with pytest.raises(ValidationError, match="day_fines"):
        VerdictsConfig(day_fines={})
