"""The lägesbild report: a typed context rendered to self-contained HTML, PDF and JSON.

Data flow, in three steps: **gather** (:mod:`~lagesbild.report.gather`, :func:`load_report_data`) reads
one period's observed activity from the store (once per batch) and plans small-number suppression
for the whole country; **compute** is the stored estimate suite (:mod:`lagesbild.estimate.suite`),
which the report only reads; **present** (:mod:`~lagesbild.report.build`, :func:`build_context`)
makes the :class:`ReportContext` of one area from both; :func:`write_report` renders it to
``report.html`` (inline CSS, charts and maps as inline PNG), ``report.pdf`` (WeasyPrint) and
``report.json`` and checks every file for leaks (:func:`find_leaks`); :func:`run_report` and
:func:`run_batch` do all of it against a store, with the follow-up against the stored previous report.
"""

from lagesbild.report.build import ReportOptions, build_context
from lagesbild.report.context import CONTEXT_VERSION, ReportContext
from lagesbild.report.gather import ReportData, load_report_data, read_campaigns
from lagesbild.report.suppress import SuppressionPlan, plan_suppression, suppress_cells

__all__ = [
    "CONTEXT_VERSION",
    "ReportContext",
    "ReportData",
    "ReportOptions",
    "SuppressionPlan",
    "build_context",
    "load_report_data",
    "plan_suppression",
    "read_campaigns",
    "suppress_cells",
]
