"""Court judgments for köp av sexuell tjänst: text extraction, age profile and travel flows.

Pure functions, no I/O: :func:`extract_judgment` reads a judgment into one row per defendant
(:class:`DefendantRow`, each field with a confidence and a span); :func:`extract_verdict` reads an
older one-paragraph judgment into a typed :class:`Verdict` (each field with the phrase it came
from); :func:`age_profile` and :func:`travel_flows` summarise many. :func:`read_document` (I/O) reads
.txt, .pdf and .docx files. Storage is :class:`lagesbild.store.verdicts.VerdictStore`.

Example::

    >>> v = extract_verdict("Tilltalad, 41 år, bosatt i Motala, döms till 50 dagsböter. "
    ...                     "Gärningen begicks den 2 februari 2024 i en bil i Linköping.")
    >>> travel_flows([v.record()], lan="05").own_share
    0.0
"""

from __future__ import annotations

from lagesbild.records.verdicts import EXTRACTOR_VERSION, DefendantRecord, VerdictRecord
from lagesbild.verdicts.analyze import (
    AGE_BANDS,
    AgeProfile,
    Flow,
    TravelFlows,
    YearCount,
    age_profile,
    travel_flows,
    yearly,
)
from lagesbild.verdicts.defendants import DefendantRow, Extracted, Judgment, extract_judgment, strip_page_furniture
from lagesbild.verdicts.documents import read_document
from lagesbild.verdicts.extract import Field, Verdict, extract_verdict, kommun_from_name

__all__ = [
    "AGE_BANDS",
    "EXTRACTOR_VERSION",
    "AgeProfile",
    "DefendantRecord",
    "DefendantRow",
    "Extracted",
    "Field",
    "Flow",
    "Judgment",
    "TravelFlows",
    "Verdict",
    "VerdictRecord",
    "YearCount",
    "age_profile",
    "extract_judgment",
    "extract_verdict",
    "kommun_from_name",
    "read_document",
    "strip_page_furniture",
    "travel_flows",
    "yearly",
]
