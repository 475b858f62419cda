"""Municipalities (kommuner) and counties (län)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lagesbild.errors import RefdataError
from lagesbild.refdata._files import read_csv


@dataclass(frozen=True, slots=True)
class Municipality:
    """A Swedish municipality (kommun).

    Attributes:
        code: the four-digit SCB code, e.g. ``"0580"``.
        name: short name, e.g. ``"Linköping"``.
        long_name: e.g. ``"Linköpings kommun"``.
        county_code: two-digit county code, e.g. ``"05"``.
        lat, lon: a point inside the municipality (WGS84).
        population_total: total population (latest year bundled).
    """

    code: str
    name: str
    long_name: str
    county_code: str
    lat: float
    lon: float
    population_total: int


@dataclass(frozen=True, slots=True)
class County:
    """A Swedish county (län), e.g. ``County("05", "Östergötlands län", "E", 13)``."""

    code: str
    name: str
    letter: str
    n_municipalities: int


@cache
def municipalities() -> dict[str, Municipality]:
    """All 290 municipalities, keyed by code, in code order."""
    totals = {r["kommun_kod"]: int(r["totalt_2025"]) for r in read_csv("befolkning_kommun_summering.csv")}
    return {
        r["kommun_kod"]: Municipality(
            code=r["kommun_kod"],
            name=r["kommun_namn"],
            long_name=r["kommun_namn_lang"],
            county_code=r["lan_kod"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            population_total=totals[r["kommun_kod"]],
        )
        for r in read_csv("kommuner.csv")
    }


@cache
def counties() -> dict[str, County]:
    """All 21 counties, keyed by code."""
    return {
        r["lan_kod"]: County(r["lan_kod"], r["lan_namn"], r["lan_bokstav"], int(r["antal_kommuner"]))
        for r in read_csv("lan.csv")
    }


def is_municipality_code(code: str) -> bool:
    """True for a current four-digit municipality code such as ``"0180"``."""
    return code in municipalities()


def is_county_code(code: str) -> bool:
    """True for a current two-digit county code such as ``"05"``."""
    return code in counties()


def municipality(code: str) -> Municipality:
    """The municipality with this code.

    Raises:
        RefdataError: for an unknown code.
    """
    try:
        return municipalities()[code]
    except KeyError:
        raise RefdataError(f"unknown municipality code {code!r} (expected four digits such as '0580')") from None


def county(code: str) -> County:
    """The county with this code.

    Raises:
        RefdataError: for an unknown code.
    """
    try:
        return counties()[code]
    except KeyError:
        raise RefdataError(f"unknown county code {code!r} (expected two digits such as '05')") from None


def municipalities_in(county_code: str) -> list[Municipality]:
    """The municipalities of a county, in code order."""
    county(county_code)
    return [m for m in municipalities().values() if m.county_code == county_code]


def area_name(code: str) -> str:
    """A readable name for ``SE``, a county code or a municipality code."""
    if code == "SE":
        return "Sverige"
    if len(code) == 2:
        return county(code).name
    return municipality(code).name
