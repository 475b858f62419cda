"""Parity with the ``prevalence x population`` rows of the shared reference file.

The rows are copied here (the repository's ``tests/data/anchors`` copy predates them) and a test
checks the copy against ``../shared/anchors/expected_values.csv`` whenever that file is present.
Every row is either reproduced by lagesbild's code or listed in ``NOT_COMPUTABLE`` with the reason.
"""

# ruff: noqa: E501  (reference rows are copied verbatim, one per line)
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from lagesbild.estimate.demand import AgeBand, estimate_demand, prevalence_times_population
from lagesbild.estimate.intervals import Proportion, wilson_interval
from lagesbild.refdata import bundled_population

SHARED = Path(__file__).resolve().parents[3] / "shared" / "anchors" / "expected_values.csv"

ROWS_CSV = """id,domain,dataset,input_file,method,quantity,expected,rel_tol,source_type,source,produced_by
pub-Natsal3-ever,prevalence x population,-,-,survey proportion,p ever paid (men 16-74),0.11,0.0,published,"Jones et al. 2015 STI 91:116: 11.0% (95% CI 10.1-11.9), n=6293 men",
pub-Natsal3-5y,prevalence x population,-,-,survey proportion,p paid past 5 years,0.036,0.0,published,Jones et al. 2015: 3.6% (3.1-4.2),
pub-Lansstyrelsen2015-SE-ever,prevalence x population,-,-,survey proportion,"p ever bought sex, Swedish men 18-65 (about)",0.075,0.0,published,"Lansstyrelsen Stockholm 2015, Prostitutionen i Sverige 2014 (press summary)",
pub-PriebeSvedin2012-SE-men,prevalence x population,-,-,survey proportion,"p ever paid, men (2011 survey)",0.102,0.0,published,"Priebe & Svedin 2012, Salja och kopa sex i Sverige 2011",
pub-PriebeSvedin2012-SE-all-lo,prevalence x population,-,-,survey proportion,"persons ever paid, lower (5.0% of participants)",260000,0.0,published,Priebe & Svedin 2012,
pub-PriebeSvedin2012-SE-all-hi,prevalence x population,-,-,survey proportion,"persons ever paid, upper",330000,0.0,published,Priebe & Svedin 2012,
pub-Brewer2000-men,prevalence x population,-,-,survey proportion,"0.83931 x 88,748,000",74487000,1e-05,published,Brewer et al. 2000 PNAS suppl. appendix,
pub-Brewer2000-women,prevalence x population,-,-,survey proportion,"0.76370 x 96,529,000",73719000,1e-05,published,Brewer et al. 2000 PNAS suppl. appendix,
demand-2019-0180-men18_65,prevalence x population,kommun 0180 2019,shared/data/befolkning_kommun_alder_kon_2019.csv,sum(antal) where kon=='man' and 18<=alder<=65,men_18_65,322401,0.0,reference,register file,python/demand_municipal_example.py
demand-2019-0180-buyers,prevalence x population,kommun 0180 2019,shared/data/befolkning_kommun_alder_kon_2019.csv,0.075 * men_18_65,buyers_ever,24180.075,1e-09,reference,arithmetic,python/demand_municipal_example.py
"""
ROWS = list(csv.DictReader(io.StringIO(ROWS_CSV)))


def _men_0180() -> float:
    return bundled_population().count("0180", sex="m", age_min=18, age_max=65)


def _buyers_0180() -> float:
    return estimate_demand(bundled_population(), "0180", Proportion.exact(0.075), AgeBand(18, 65)).estimate


def _published(p: float, lo: float | None = None, hi: float | None = None) -> Callable[[], float]:
    """A survey share enters lagesbild as a Proportion; the estimate must survive unchanged."""

    def f() -> float:
        prop = Proportion.exact(p) if lo is None or hi is None else Proportion.from_interval(p, lo, hi)
        return prop.estimate

    return f


COMPUTE: dict[str, Callable[[], float]] = {
    "demand-2019-0180-men18_65": _men_0180,
    "demand-2019-0180-buyers": _buyers_0180,
    "pub-Brewer2000-men": lambda: prevalence_times_population(0.83931, 88_748_000),
    "pub-Brewer2000-women": lambda: prevalence_times_population(0.76370, 96_529_000),
    "pub-Natsal3-ever": _published(0.11, 0.101, 0.119),
    "pub-Natsal3-5y": _published(0.036, 0.031, 0.042),
    "pub-Lansstyrelsen2015-SE-ever": _published(0.075),
    "pub-PriebeSvedin2012-SE-men": _published(0.102),
}
NOT_COMPUTABLE = {
    "pub-PriebeSvedin2012-SE-all-lo": "the population base (age band, year, both sexes) of 5.0% is not given",
    "pub-PriebeSvedin2012-SE-all-hi": "the population base of the upper figure is not given",
}


def test_the_copied_rows_match_the_shared_reference_file() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not present")
    with SHARED.open(encoding="utf-8") as fh:
        shared = {r["id"]: r for r in csv.DictReader(fh) if r["domain"] == "prevalence x population"}
    assert shared == {r["id"]: r for r in ROWS}


def test_every_row_is_computed_or_explained() -> None:
    assert {r["id"] for r in ROWS} == set(COMPUTE) | set(NOT_COMPUTABLE)


@pytest.mark.parametrize("row", [r for r in ROWS if r["id"] in COMPUTE], ids=lambda r: r["id"])
def test_prevalence_row_is_reproduced(row: dict[str, str]) -> None:
    expected = float(row["expected"])
    rel = float(row["rel_tol"] or 0.0)
    got = COMPUTE[row["id"]]()
    assert got == pytest.approx(expected, rel=rel, abs=0.0 if rel else 1e-12)


def test_natsal_published_interval_is_wider_than_simple_random_sampling() -> None:
    """Natsal-3's 10.1-11.9% (n = 6,293) includes a design effect: Wilson's n = 6,293 interval is narrower."""
    lo, hi = wilson_interval(0.11, 6293)
    assert 0.101 < lo < hi < 0.119
    n_eff = Proportion.from_interval(0.11, 0.101, 0.119).effective_n()
    assert n_eff is not None and 4_500 < n_eff < 4_800  # design effect about 1.35
