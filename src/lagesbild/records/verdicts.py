"""The record of one court judgment as stored: only the extracted values (:class:`VerdictRecord`).

No name, personal identity number or judgment text is ever part of it. Extraction
(:mod:`lagesbild.verdicts.extract`) produces it; the store (:mod:`lagesbild.store.verdicts`) keeps
it with the :data:`EXTRACTOR_VERSION` that produced it; analysis and estimates read it. It lives
below all of them so that the store does not import the verdicts stage.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXTRACTOR_VERSION", "VerdictRecord"]

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
