"""No Swedish mobile number outside PTS's fiction range is written anywhere in ``src/`` or ``docs/``.

Examples, doctests, help texts and docs need phone numbers, and a made-up one such as 070-123 45 67
may belong to someone. PTS keeps 070-174 06 05..99 for fiction (besides landline ranges in 031, 040,
08 and 0980); every mobile number the repository writes must be one of those.

What counts as a mobile number here (:data:`MOBILE`): ``07`` and eight more digits, written

* with the trunk 0 (``070-174 06 12``, ``0701740612``, ``070 174 06 12``) or the country code
  (``+46701740612``, ``+46 70 174 06 12``, ``0046 70 ...``, ``+46 (0)70 ...``);
* with at most one space or hyphen between two digits;
* with letters typed for digits as ads do (``O`` for 0; ``l`` and ``I`` for 1: ``O7O-l74 O6 l2``).

Not matched, on purpose (they would be false alarms or need the normalizer's judgement):

* a run inside a longer word or number (hex digests, pseudonyms ``ph_0701...``, ``ads.jsonl:1234567``,
  an 11th digit): the number must stand alone, not touch a letter, digit, ``_`` or ``+``;
* ad and order ids shorter than ten digits (``Annons-ID: 07204426``), clock times (``0730 till 1800``);
* digits spelled as words (``noll sju noll ...``), emoji or line breaks between the groups, and masked
  numbers (``070-174 06 xx``), which cannot be completed;
* landline and foreign numbers (the fiction landline ranges are listed in the contributor rules).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("src", "docs")

_D = r"[\dOlI]"  # a digit, or a letter typed for one
MOBILE = re.compile(rf"(?<![\w+])(?:(?:\+|00)46[ -]?(?:\(0\)[ -]?)?|[0O])(7{_D}(?:[ -]?{_D}){{7}})(?!\w)")
"""A Swedish mobile number in a common spelling; group 1 is everything after the trunk 0 / country code."""

FICTION = re.compile(r"07017406(?:0[5-9]|[1-9]\d)")
"""PTS's fiction range for mobiles, 070-174 06 05..99, as ten digits."""


def ten_digits(match: re.Match[str]) -> str:
    """The matched number as ten digits with the trunk 0 (``O7O-l74 O6 l2`` is ``0701740612``)."""
    return "0" + re.sub(r"\D", "", match.group(1).translate(str.maketrans("OlI", "011")))


def not_fictional(text: str) -> list[tuple[int, str]]:
    """Each mobile number in ``text`` outside the fiction range, with its line number."""
    return [
        (text.count("\n", 0, m.start()) + 1, m.group(0))
        for m in MOBILE.finditer(text)
        if not FICTION.fullmatch(ten_digits(m))
    ]


@pytest.mark.parametrize(
    "text",
    ["070-123 45 67", "0701234567", "+46701234567", "+46 73 918 26 70", "0046 70 123 45 67", "+46 (0)70-123 45 67",
     "07O 1234567", "O7O-l23 45 67", "ring 076-1234567.", "(0791234567)", "070-174 06 04"],
)  # fmt: skip
def test_a_mobile_number_outside_the_fiction_range_is_found(text: str) -> None:
    assert [n for _, n in not_fictional(text)] != []


@pytest.mark.parametrize(
    "text",
    ["070-174 06 05", "070-174 06 99", "+46701740612", "O7O 1740612", "O7O-l74 O6 l2", "0 7 0 1 7 4 0 6 1 2",
     # not numbers that stand alone, or not mobiles: no false alarm
     "ph_0701234567", "a90701234567f", "ads.jsonl:1234567", "07012345678", "Annons-ID: 07204426", "0730 till 1800",
     "+46 8 123 456 78", "070-123 45 xx", "noll sju noll ett två tre fyra fem sex sju"],
)  # fmt: skip
def test_fiction_numbers_and_other_digits_pass(text: str) -> None:
    assert not_fictional(text) == []


def test_no_mobile_number_outside_the_fiction_range_in_src_or_docs() -> None:
    found = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:  # images, fonts and other binary files
                continue
            found += [f"{path.relative_to(ROOT)}:{line}: {number}" for line, number in not_fictional(text)]
    assert found == [], "use PTS's fiction range 070-174 06 05..99 instead:\n" + "\n".join(found)
