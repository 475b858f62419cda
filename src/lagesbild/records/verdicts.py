"""The record of one court judgment as stored: only the extracted values (:class:`VerdictRecord`).

No name, personal identity number or judgment text is ever part of it. Extraction
(:mod:`lagesbild.verdicts.extract`) produces it; the store (:mod:`lagesbild.store.verdicts`) keeps
it with the :data:`EXTRACTOR_VERSION` that produced it; analysis and estimates read it. It lives
below all of them so that the store does not import the verdicts stage.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXTRACTOR_VERSION", "DefendantRecord", "VerdictRecord"]

EXTRACTOR_VERSION = 1
"""Bumped when the extraction rules change in a way that changes results."""


@dataclass(frozen=True, slots=True)
class VerdictRecord:
    """The plain extracted values of one judgment, as stored (no matched text, names or identity numbers)."""

    court: str | None
    case_number: str | None
    date: str | None
    offence_date: str | None
    defendant_age: int | None
    defendant_kommun: str | None
    offence_kommun: str | None
    ad_used: bool
    day_fines: int | None
    day_fine_amount: int | None
    conditional_sentence: bool

    @property
    def offence_lan(self) -> str | None:
        """The county of the offence (first two digits of the municipality code)."""
        return self.offence_kommun[:2] if self.offence_kommun else None


@dataclass(frozen=True, slots=True)
class DefendantRecord:
    """One defendant of a judgment as stored (see :mod:`lagesbild.verdicts.defendants`): no name,
    identity number, street address or text; ``offence_dates`` are ISO dates, ``confidence`` maps a
    field name to the extractor's confidence. ``id`` is ``None`` until stored."""

    case_key: str
    defendant_index: int
    court: str | None
    case_number: str | None
    date: str | None
    appeal: bool
    verdict: str
    offence: str
    human_trafficking: bool
    offence_dates: tuple[str, ...]
    defendant_age: int | None
    home_kommun: str | None
    offence_kommun: str | None
    website: str | None
    ad_used: bool
    day_fines: int | None
    day_fine_amount: int | None
    conditional_sentence: bool
    prison_months: int | None
    plea: str | None
    fines_only_after_reform: bool
    confidence: dict[str, float]
    corrected: bool = False
    id: int | None = None

    @property
    def offence_date(self) -> str | None:
        """The first offence date."""
        return self.offence_dates[0] if self.offence_dates else None

    def verdict_record(self) -> VerdictRecord:
        """The fields the age profile, travel flows, report and residence estimate read."""
        return VerdictRecord(
            court=self.court,
            case_number=self.case_number,
            date=self.date,
            offence_date=self.offence_date,
            defendant_age=self.defendant_age,
            defendant_kommun=self.home_kommun,
            offence_kommun=self.offence_kommun,
            ad_used=self.ad_used,
            day_fines=self.day_fines,
            day_fine_amount=self.day_fine_amount,
            conditional_sentence=self.conditional_sentence,
        )
