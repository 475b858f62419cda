"""Per-defendant extraction from realistic (fictional) judgments: the dev corpus and targeted cases.

The held-out corpus (``corpus/heldout``) is deliberately not scored here: it is scored once by
``bench/bench_verdicts.py`` for the benchmark figure.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from lagesbild.verdicts.defendants import extract_judgment, strip_page_furniture

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
ROOT = HERE.parent.parent


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_verdicts", ROOT / "bench" / "bench_verdicts.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_verdicts"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_dev_corpus_is_large_and_varied() -> None:
    truths = [json.loads(x) for x in (CORPUS / "dev" / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(truths) >= 40
    defs = [d for t in truths for d in t["defendants"]]
    assert sum(len(t["defendants"]) > 1 for t in truths) >= 5
    assert {d["offence"] for d in defs} == {"kop", "forsok", "barn", "koppleri"}
    assert any(d["verdict"] == "acquitted" for d in defs)
    assert any(t["appeal"] for t in truths)
    assert any(not t["defendants"] for t in truths)  # theft-only judgments
    assert len(list((CORPUS / "heldout").glob("*.txt"))) >= 15


def test_corpus_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", HERE / "make_corpus.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = mod
    spec.loader.exec_module(mod)
    mod.ROOT = tmp_path
    mod.write("dev", 15, 48)
    for f in (CORPUS / "dev").iterdir():
        assert (tmp_path / "dev" / f.name).read_text(encoding="utf-8") == f.read_text(encoding="utf-8"), f.name


def test_dev_corpus_per_field_accuracy() -> None:
    res = _bench().score("dev")
    assert res["missed"] == 0
    assert res["spurious"] == 0
    assert res["acquitted_counted"] == 0
    assert res["case_and_date"] >= 0.95
    for field, acc in res["accuracy"].items():
        assert acc >= 0.95, (field, acc)


def test_no_name_identity_number_or_street_in_any_extracted_value() -> None:
    for f in sorted((CORPUS / "dev").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        j = extract_judgment(text)
        values = json.dumps([dataclasses.asdict(d) for d in j.defendants], ensure_ascii=False, default=str)
        for bad in ("Testsson", "Exempelberg", "Fiktivsson", "Påhittad", "Provström", "Dummelin", "Storgatan",
                    "Kungsgatan", "-00"):
            assert bad not in values, (f.name, bad)


JUDGMENT = """\
NORRKÖPINGS TINGSRÄTT
DOM 2024-02-01 Meddelad i Norrköping
Mål nr B 555-23
\f
NORRKÖPINGS TINGSRÄTT
DOM 2024-02-01
Mål nr B 555-23
Sida 2 (3)

PARTER (antal tilltalade: 2)
Tilltalad 1
Test Testsson, 850610-0012
c/o Exempelberg, Storgatan 1, 581 50 MOTALA
Tilltalad 2
Per Exempelberg, 19900101-0099
Utan känd hemvist

DOMSLUT
Tilltalad 1: Test Testsson
Brott som den tilltalade döms för
Köp av sexuell handling av barn, 6 kap. 9 § brottsbalken, 2023-09-01
Stöld, 8 kap. 1 § brottsbalken, 2023-09-03
Påföljd
Fängelse 3 månader
Tilltalad 2: Per Exempelberg
Åtal som ogillas
Försök till köp av sexuell tjänst, 2023-10-05
NORRKÖPINGS TINGSRÄTT
DOM 2024-02-01
Mål nr B 555-23
Sida 3 (3)
DOMSKÄL
Tilltalad 1 (Test Testsson)
Testsson har den 1 september 2023 i Norrköping förmått en flicka under 18 år att mot ersättning företa en
sexuell handling. Flickan var 16 år. Testsson erkänner.
Tilltalad 2 (Per Exempelberg)
Exempelberg har den 5 oktober 2023 i Söderköping försökt köpa en sexuell tjänst. Han bor i Finspång.
Exempelberg förnekar brott. Åtalet ogillas.
"""


def test_targeted_judgment() -> None:
    j = extract_judgment(JUDGMENT)
    assert (j.court, j.case_number, j.date) == ("Norrköpings tingsrätt", "B 555-23", "2024-02-01")
    a, b = j.defendants
    assert (a.offence.value, a.verdict.value) == ("barn", "convicted")
    assert a.age is not None and a.age.value == 38  # from 850610 at 2023-09-01, not the child's "under 18"
    # post code 581 50 lies in Linköping municipality although the postal town is written Motala
    assert a.home_kommun is not None and a.home_kommun.value == "0580"
    assert a.offence_kommun is not None and a.offence_kommun.value == "0581"
    assert a.offence_dates is not None and a.offence_dates.value == ("2023-09-01",)  # not the theft's date
    assert a.prison_months is not None and a.prison_months.value == 3
    assert a.day_fines is None and a.conditional_sentence.value is False
    assert (b.offence.value, b.verdict.value) == ("forsok", "acquitted")
    assert b.day_fines is None and b.prison_months is None
    assert b.home_kommun is not None and b.home_kommun.value == "0562"  # "bor i Finspång"
    assert b.offence_kommun is not None and b.offence_kommun.value == "0582"
    assert b.age is not None and b.age.value == 33


def test_theft_only_gives_no_row() -> None:
    text = JUDGMENT.replace("Köp av sexuell handling av barn, 6 kap. 9 § brottsbalken", "Stöld, 8 kap. 1 §")
    text = text.replace("Försök till köp av sexuell tjänst", "Snatteri")
    text = text.replace("försökt köpa en sexuell tjänst", "snattat")
    text = text.replace("förmått en flicka under 18 år att mot ersättning företa en\nsexuell handling", "stulit")
    assert extract_judgment(text).defendants == ()


@pytest.mark.parametrize(
    ("sanction", "expected", "flag"),
    [
        ("50 dagsböter à 200 kr", (50, 200, False, None), True),
        ("Villkorlig dom och 60 dagsböter om vardera 150 kronor", (60, 150, True, None), False),
        ("Fängelse i 2 månader", (None, None, False, 2), False),
    ],
)
def test_sanctions_and_the_2022_reform_flag(sanction: str, expected: tuple[Any, ...], flag: bool) -> None:
    text = ("SOLNA TINGSRÄTT\nDOM 2023-06-01\nB 1-23\nPARTER\nTilltalad\nTest Testsson, 19800101-0000\n"
            f"DOMSLUT\nKöp av sexuell tjänst, 2022-09-01\nPåföljd\n{sanction}\n")
    (d,) = extract_judgment(text).defendants
    got = (d.day_fines and d.day_fines.value, d.day_fine_amount and d.day_fine_amount.value,
           d.conditional_sentence.value, d.prison_months and d.prison_months.value)
    assert got == expected
    assert d.fines_only_after_reform is flag


def test_page_furniture_is_removed_but_body_kept() -> None:
    out = strip_page_furniture(JUDGMENT)
    assert "Sida 2" not in out and "Sida 3" not in out
    assert out.count("Mål nr B 555-23") == 1  # the first page's title block stays
    assert "Försök till köp av sexuell tjänst, 2023-10-05" in out


REAL_STYLE = """Sida 1 (6)
NORRKÖPINGS TINGSRÄTT                DOM                     Mål nr B 4321-23
Avdelning 2                          2023-11-20
                                     Meddelad i Norrköping

PARTER (Antal tilltalade: 1)

Åklagare
Kammaråklagare Test Åklagarsson
Åklagarmyndigheten, Åklagarkammaren i Norrköping

Tilltalad
JOHAN Testsson, 19850312-0012
Medborgare i Sverige
Storgatan 1 Lgh 1102
603 36 Norrköping

Offentlig försvarare:
Advokat Test Advokatsson
Box 123
581 02 Linköping

DOMSLUT
Brott som den tilltalade döms för
1. Köp av sexuell tjänst enligt 6 kap 11 § brottsbalken (2023-03-04)
2. Köp av sexuell tjänst enligt 6 kap 11 § brottsbalken (2023-04-19)

Påföljd m.m.
Villkorlig dom
Dagsböter 60 å 100 kr

DOMSKÄL
Åtalet och yrkanden
Åklagaren har yrkat ansvar för köp av sexuell tjänst enligt stämningsansökan, bilaga 1.
Johan Testsson har den 4 mars och den 19 april 2023 i Motala skaffat sig tillfälliga sexuella
förbindelser mot ersättning. Kontakten togs via en annons på sidan sexannonser.example.
Johan Testsson har erkänt gärningarna.
Påföljd
Johan Testsson är 38 år gammal.
"""


def test_a_hand_written_judgment_in_another_court_layout() -> None:
    """Columns in the title block, counsel with his own post code, numbered counts, 'å' for 'à'."""
    j = extract_judgment(REAL_STYLE)
    assert (j.court, j.case_number, j.date) == ("Norrköpings tingsrätt", "B 4321-23", "2023-11-20")
    (d,) = j.defendants
    assert d.offence_dates is not None and d.offence_dates.value == ("2023-03-04", "2023-04-19")
    assert d.age is not None and d.age.value == 37  # born 12 March 1985, first offence 4 March 2023
    assert d.home_kommun is not None and d.home_kommun.value == "0581"  # not the counsel's Linköping box
    assert d.offence_kommun is not None and d.offence_kommun.value == "0583"
    assert (d.day_fines and d.day_fines.value, d.day_fine_amount and d.day_fine_amount.value) == (60, 100)
    assert d.conditional_sentence.value is True and d.plea is not None and d.plea.value == "erkänner"


NUMBERED_PARTIES = """GÖTEBORGS TINGSRÄTT
DOM 2024-03-01
Mål nr B 777-23

PARTER (Antal tilltalade: 2)

Åklagare
Kammaråklagare Test Åklagarsson

1. Tilltalad
EXEMPELBERG, Per Anders, 19900101-0099
Skolvägen 3
431 30 Mölndal

Offentlig försvarare:
Advokat Test Advokatsson

2. Tilltalad
FIKTIVSSON, Karl Johan, 640505-0011
Utan känd hemvist

DOMSLUT

1. PER EXEMPELBERG
Brott som den tilltalade döms för
Köp av sexuell tjänst, 6 kap 11 § brottsbalken (2023-05-06)
Påföljd m.m.
Fängelse 1 månad

2. KARL FIKTIVSSON
Åtalet för köp av sexuell handling av barn (2023-06-01) ogillas.

DOMSKÄL
Exempelberg
Per Exempelberg har den 6 maj 2023 i Göteborg köpt en sexuell tjänst. Han förnekar brott.
Fiktivsson
Karl Fiktivsson åtalades för att den 1 juni 2023 i Borås ha köpt en sexuell handling av en flicka
som var 16 år. Fiktivsson förnekar. Han bor i Alingsås. Åtalet ogillas.
"""


def test_numbered_parties_with_surname_first() -> None:
    """'1. Tilltalad', 'EXEMPELBERG, Per Anders', headings '1. PER EXEMPELBERG', a surname alone."""
    a, b = extract_judgment(NUMBERED_PARTIES).defendants
    assert (a.index, a.verdict.value, a.offence.value) == (1, "convicted", "kop")
    assert a.prison_months is not None and a.prison_months.value == 1 and a.day_fines is None
    assert (a.age and a.age.value, a.home_kommun and a.home_kommun.value) == (33, "1481")  # 431 30 Mölndal
    assert a.offence_kommun is not None and a.offence_kommun.value == "1480"
    assert (b.index, b.verdict.value, b.offence.value) == (2, "acquitted", "barn")
    assert (b.age and b.age.value, b.home_kommun and b.home_kommun.value) == (59, "1489")  # "bor i Alingsås"
    assert b.offence_kommun is not None and b.offence_kommun.value == "1490"
    assert b.offence_dates is not None and b.offence_dates.value == ("2023-06-01",)


def test_sanction_is_read_from_the_operative_part_not_the_reasons() -> None:
    text = ("MALMÖ TINGSRÄTT\nDOM 2024-01-10\nMål nr B 9-23\n\nPARTER\nTilltalad\nTest Testsson, 19800101-0000\n"
            "Storgatan 1, 211 20 Malmö\n\nDOMSLUT\nKöp av sexuell tjänst, 2023-09-01\nPåföljd\nFängelse 2 månader\n\n"
            "DOMSKÄL\nTesttsson har den 1 september 2023 i Malmö köpt en sexuell tjänst.\nPåföljd\nDet finns inte "
            "förutsättningar för villkorlig dom och 60 dagsböter à 100 kr räcker inte.\n")
    (d,) = extract_judgment(text).defendants
    assert d.prison_months is not None and d.prison_months.value == 2
    assert d.conditional_sentence.value is False and d.day_fines is None


def test_appeal_court_changing_the_sanction() -> None:
    text = ("SVEA HOVRÄTT\nDOM 2024-06-10\nMål nr B 55-24\n\nPARTER\nTilltalad\nTest Testsson, 19800101-0000\n"
            "Storgatan 1, 211 20 Malmö\n\nÖVERKLAGAD DOM\nSolna tingsrätts dom 2024-01-10 i mål B 9-23\n\n"
            "HOVRÄTTENS DOMSLUT\nHovrätten ändrar tingsrättens dom på så sätt att påföljden bestäms till "
            "villkorlig dom och 80 dagsböter à 150 kr.\n\nTINGSRÄTTENS DOMSLUT\n"
            "Köp av sexuell tjänst, 2023-09-01\n"
            "Påföljd\nFängelse 1 månad\n\nDOMSKÄL\n"
            "Testsson har den 1 september 2023 i Solna köpt en sexuell tjänst.\n")
    j = extract_judgment(text)
    assert j.appeal and j.court == "Svea hovrätt"
    (d,) = j.defendants
    assert (d.day_fines and d.day_fines.value, d.day_fine_amount and d.day_fine_amount.value) == (80, 150)
    assert d.conditional_sentence.value is True and d.prison_months is None
    assert d.offence_kommun is not None and d.offence_kommun.value == "0184"


def test_equal_lines_at_page_ends_that_are_content_are_kept() -> None:
    """Two defendants' offence lines, each last on its page, look like a running footer but are not."""
    page = "Tilltalad {n}: Namn\nKöp av sexuell tjänst, 6 kap. 11 § brottsbalken, 2023-0{n}-01"
    text = "\n\f".join(page.format(n=n) for n in (1, 2, 3))
    out = strip_page_furniture(text)
    assert out.count("Köp av sexuell tjänst") == 3
