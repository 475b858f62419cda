"""Swedish reference data bundled with lagesbild.

Municipalities (kommuner) and counties (län) with their codes, population by
municipality x sex x single-year age, SCB's generalised boundaries, a place-name
gazetteer and post codes. Sources and licences are in ``data/SOURCES.md`` and the
repository's ``NOTICE``; ``scripts/build_refdata.py`` rebuilds the files.

Example::

    >>> from lagesbild import refdata
    >>> refdata.municipality("0580").name
    'Linköping'
    >>> refdata.county("05").name
    'Östergötlands län'
    >>> refdata.bundled_population().count("05", sex="m", age_min=18, age_max=65)
    143982
"""

from __future__ import annotations

from lagesbild.refdata._areas import (
    County,
    Municipality,
    area_name,
    counties,
    county,
    is_county_code,
    is_municipality_code,
    municipalities,
    municipalities_in,
    municipality,
)
from lagesbild.refdata._calendar import SWEDISH_MONTHS, swedish_date
from lagesbild.refdata._gazetteer import GazetteerEntry, fold_name, gazetteer, postcodes
from lagesbild.refdata._geo import boundaries
from lagesbild.refdata._manifest import manifest
from lagesbild.refdata._population import (
    AGES,
    PROJECTION_END,
    PopulationTable,
    bundled_population,
    parse_pxweb_population,
    projected_population,
)

__all__ = [
    "AGES",
    "PROJECTION_END",
    "SWEDISH_MONTHS",
    "County",
    "GazetteerEntry",
    "Municipality",
    "PopulationTable",
    "area_name",
    "boundaries",
    "bundled_population",
    "counties",
    "county",
    "fold_name",
    "gazetteer",
    "is_county_code",
    "is_municipality_code",
    "manifest",
    "municipalities",
    "municipalities_in",
    "municipality",
    "parse_pxweb_population",
    "postcodes",
    "projected_population",
    "swedish_date",
]
