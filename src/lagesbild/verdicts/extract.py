"""Court judgment text (Swedish) -> the fields a situation picture needs.

The extractor reads a district-court judgment for *köp av sexuell tjänst* and returns the
defendant's age, his home municipality (folkbokförd / bosatt / hemmahörande / bostadsort),
the municipality where the offence took place, the court, case number, dates, whether an ad
was used, and the sanction (day-fines, their amount, conditional sentence). Every field keeps
the text it was read from (:class:`Field`), so a reviewer can check it; that text is a short
phrase ("bosatt i Motala", "41 år"), never the defendant's name or identity number.

Municipality names are looked up exactly (short name, "X kommun" or "Xs kommun") and, failing
that, through :func:`lagesbild.normalize.places.resolve_place`, which also knows locality names.

>>> v = extract_verdict("Linköpings tingsrätt, dom 3 maj 2024, mål B 123-24. Test Testsson, 41 år, "
...                     "bosatt i Motala, döms för köp av sexuell tjänst till 50 dagsböter à 100 kr. "
...                     "Gärningen begicks den 2 februari 2024 i en lägenhet i Linköping.")
>>> (v.age.value, v.home_kommun.value, v.offence_kommun.value, v.day_fines.value)
(41, '0583', '0580', 50)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Generic, TypeVar

from lagesbild.normalize.places import resolve_place
from lagesbild.records.verdicts import VerdictRecord
from lagesbild.refdata import SWEDISH_MONTHS, municipalities

__all__ = ["Field", "Verdict", "extract_verdict", "kommun_from_name"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Field(Generic[T]):
    """One extracted value and the short phrase it was read from (``matched``)."""

    value: T
    matched: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The fields of one judgment; a field is ``None`` when the text does not state it.

    Attributes:
        age: the defendant's age in years.
        home_kommun: the defendant's home municipality (four-digit code).
        offence_kommun: the municipality of the offence (four-digit code).
        date: the judgment's date (ISO), offence_date: the offence's date (ISO).
        court: e.g. ``"Linköpings tingsrätt"``; case_number: e.g. ``"B 1234-24"``.
        ad_used: whether contact was made through an ad (``False`` also when not stated).
        day_fines: number of day-fines; day_fine_amount: kronor per day-fine.
        conditional_sentence: whether the sanction includes villkorlig dom.
    """

    age: Field[int] | None
    home_kommun: Field[str] | None
    offence_kommun: Field[str] | None
    date: Field[str] | None
    offence_date: Field[str] | None
    court: Field[str] | None
    case_number: Field[str] | None
    ad_used: Field[bool]
    day_fines: Field[int] | None
    day_fine_amount: Field[int] | None
    conditional_sentence: Field[bool]

    def record(self) -> VerdictRecord:
        """The plain values, without the matched phrases."""
        return VerdictRecord(
            court=_v(self.court),
            case_number=_v(self.case_number),
            date=_v(self.date),
            offence_date=_v(self.offence_date),
            defendant_age=_v(self.age),
            defendant_kommun=_v(self.home_kommun),
            offence_kommun=_v(self.offence_kommun),
            ad_used=self.ad_used.value,
            day_fines=_v(self.day_fines),
            day_fine_amount=_v(self.day_fine_amount),
            conditional_sentence=self.conditional_sentence.value,
        )


def _v(f: Field[T] | None) -> T | None:
    return None if f is None else f.value


_MONTHS = "|".join(SWEDISH_MONTHS)
_LONG_DATE = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}) (\d{{4}})\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_COURT = re.compile(r"\b([A-ZÅÄÖ][\wåäöÅÄÖ-]+ (?:TINGSRÄTT|tingsrätt|HOVRÄTT|hovrätt))")
_CASE = re.compile(r"\b(B \d{1,6}-\d{2})\b")
_PLACE = r"(?P<place>[A-ZÅÄÖ][\w-]*(?:[ ][A-ZÅÄÖ][\w-]*)*(?:[ ]kommun)?)"
_HOME = re.compile(
    rf"\b(?:[Ff]olkbokförd|[Bb]osatt|[Hh]emmahörande|[Bb]oende|[Bb]ostadsort:?|[Hh]emort:?)[ ]+(?:i[ ]+)?{_PLACE}"
)
_OFFENCE = (
    re.compile(rf"\b[Bb]rottsplats:?[ ]+{_PLACE}"),
    re.compile(rf"\bi[ ]+{_PLACE}[ ]+(?:skaffat|den[ ]\d|mot[ ]ersättning)"),
    re.compile(rf"\b(?:[Gg]ärningen[ ]begicks|[Bb]rottet[ ]begicks)[^.\n]*?[ ]i[ ]+{_PLACE}"),
)
_AGE = (
    re.compile(r"(?:[Åå]lder(?: vid gärningen)?:?|som är|,)[ ]*(\d{2}) år\b"),
    re.compile(r"(?<!\bi )(?<!\d)(\d{2}) år\b"),
)
_DAY_FINES = re.compile(r"(\d{1,3}) dagsböter|[Dd]agsböter:? (\d{1,3})\b")
_AMOUNT = re.compile(r"dagsböter[^\n.]*?(?:à|om|á|a) (\d{2,4}) (?:kr|kronor)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"villkorlig dom", re.IGNORECASE)
_AD_NO = re.compile(r"\bAnnons: ?nej\b", re.IGNORECASE)
_AD_YES = re.compile(r"[^.\n]*\bannons[^.\n]*", re.IGNORECASE)
_OFFENCE_SENTENCE = re.compile(r"[^.\n]*(?:skaffat sig|begicks|Gärningsdag|gärningsdag)[^\n]*")


@cache
def _names() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, m in municipalities().items():
        out[m.name.lower()] = code
        out[m.long_name.lower()] = code
        out[f"{m.name.lower()} kommun"] = code
    return out


def kommun_from_name(name: str) -> str | None:
    """A municipality code from a name as written in a judgment ("Motala", "Linköpings kommun").

    Exact names first; then the place resolver (localities, misspellings), accepting only a
    municipality it is sure of.

    >>> kommun_from_name("Norrköpings kommun")
    '0581'
    """
    key = " ".join(name.split()).lower()
    code = _names().get(key)
    if code is not None:
        return code
    match = resolve_place(name)
    return match.kommun_kod if match.kommun_kod is not None and match.confidence >= 0.5 else None


def _place(pattern: re.Pattern[str], text: str) -> Field[str] | None:
    for m in pattern.finditer(text):
        place = m.group("place")
        # Try the longest capitalised phrase first, then drop trailing words ("Motala Test" -> "Motala").
        words = place.split(" ")
        for n in range(len(words), 0, -1):
            code = kommun_from_name(" ".join(words[:n]))
            if code is not None:
                return Field(code, m.group(0))
    return None


def _date(m: re.Match[str]) -> str | None:
    try:
        if m.re is _ISO_DATE:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        month = [x.lower() for x in SWEDISH_MONTHS].index(m.group(2).lower()) + 1
        return date(int(m.group(3)), month, int(m.group(1))).isoformat()
    except ValueError:
        return None


def _first_date(text: str) -> Field[str] | None:
    hits = sorted([*_ISO_DATE.finditer(text), *_LONG_DATE.finditer(text)], key=lambda m: m.start())
    for m in hits:
        d = _date(m)
        if d is not None:
            return Field(d, m.group(0))
    return None


def extract_verdict(text: str) -> Verdict:
    """Extract the fields of one judgment.

    Args:
        text: the judgment as plain text (Swedish).

    Returns:
        A :class:`Verdict`; fields the text does not state are ``None``.

    Example::

        >>> extract_verdict("Bostadsort: Motala\\nBrottsplats: Linköping (i en bil)").offence_kommun.value
        '0580'
    """
    age: Field[int] | None = None
    for pattern in _AGE:
        m = pattern.search(text)
        if m:
            age = Field(int(m.group(1)), m.group(0).lstrip(", "))
            break
    home = _place(_HOME, text)
    offence = None
    for pattern in _OFFENCE:
        offence = _place(pattern, text)
        if offence is not None:
            break
    court_m = _COURT.search(text)
    court = None
    if court_m:
        name = court_m.group(1)
        court = Field(name[0] + name[1:].lower() if name.isupper() else name, court_m.group(0))
    case_m = _CASE.search(text)
    sentence = _OFFENCE_SENTENCE.search(text)
    offence_date = _first_date(sentence.group(0)) if sentence else None
    fines_m = _DAY_FINES.search(text)
    fines = Field(int(fines_m.group(1) or fines_m.group(2)), fines_m.group(0)) if fines_m else None
    amount_m = _AMOUNT.search(text)
    amount = Field(int(amount_m.group(1)), amount_m.group(0)) if amount_m else None
    cond_m = _CONDITIONAL.search(text)
    no_ad = _AD_NO.search(text)
    yes_ad = _AD_YES.search(text)
    if no_ad:
        ad_used = Field(False, no_ad.group(0))
    elif yes_ad:
        ad_used = Field(True, yes_ad.group(0).strip())
    else:
        ad_used = Field(False, "")
    return Verdict(
        age=age,
        home_kommun=home,
        offence_kommun=offence,
        date=_first_date(text),
        offence_date=offence_date,
        court=court,
        case_number=Field(case_m.group(1), case_m.group(0)) if case_m else None,
        ad_used=ad_used,
        day_fines=fines,
        day_fine_amount=amount,
        conditional_sentence=Field(bool(cond_m), cond_m.group(0) if cond_m else ""),
    )
