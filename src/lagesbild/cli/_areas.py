"""The one parser of area options (``--lan``, ``--kommun``, ``--area``) for every command.

A county or municipality is accepted as its code, padded or not (``05``, ``5``, ``0580``, ``580``), or
by name, case- and diacritic-insensitive, with or without "län"/"kommun" (``Östergötland``,
``"Östergötlands län"``, ``ostergotland``, ``Linköping``). An unknown value is refused with the valid
choices listed, so a user never has to look the codes up elsewhere.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import typer

from lagesbild import refdata

__all__ = [
    "area_code",
    "county_code",
    "municipality_code",
    "parse_area",
    "parse_county",
    "parse_county_or_municipality",
    "parse_municipality",
]

_NATIONAL = {"se", "sverige", "sweden", "riket", "national"}


def _key(text: str) -> str:
    """Casefolded, without diacritics and spaces/dashes: ``"Östergötlands län"`` → ``"ostergotlandslan"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


@cache
def _county_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, c in refdata.counties().items():
        full = _key(c.name)  # "ostergotlandslan"
        names[full] = code
        stem = full.removesuffix("lan")  # "ostergotlands"
        names[stem] = code
        if stem.endswith("s"):
            names[stem[:-1]] = code  # "ostergotland"
    return names


@cache
def _municipality_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, m in refdata.municipalities().items():
        names[_key(m.name)] = code
        names[_key(m.long_name)] = code
    return names


def county_code(value: str) -> str | None:
    """The two-digit county code ``value`` names (code, unpadded code or name), or ``None``."""
    text = value.strip()
    if text.isdigit() and len(text) <= 2:
        code = text.zfill(2)
        return code if refdata.is_county_code(code) else None
    return _county_names().get(_key(text))


def municipality_code(value: str) -> str | None:
    """The four-digit municipality code ``value`` names (code, unpadded code or name), or ``None``."""
    text = value.strip()
    if text.isdigit() and 3 <= len(text) <= 4:
        code = text.zfill(4)
        return code if code in refdata.municipalities() else None
    return _municipality_names().get(_key(text))


def area_code(value: str) -> str | None:
    """``SE``, a county code or a municipality code for ``value``, or ``None``.

    A bare number of one or two digits is a county; three or four digits a municipality. A name is
    looked up among counties first ("Gotland" is both; the county has the same single municipality).
    """
    if _key(value) in _NATIONAL:
        return "SE"
    return county_code(value) or municipality_code(value)


def _county_choices() -> str:
    return ", ".join(f"{code} {c.name}" for code, c in refdata.counties().items())


def parse_county(value: str) -> str:
    """Typer parser for ``--lan``: the county code, or a usage error listing every county."""
    code = county_code(value)
    if code is None:
        raise typer.BadParameter(f"unknown county {value!r}; choose a code or name: {_county_choices()}")
    return code


def parse_municipality(value: str) -> str:
    """Typer parser for ``--kommun``: the municipality code, or a usage error saying how to list them."""
    code = municipality_code(value)
    if code is None:
        raise typer.BadParameter(
            f"unknown municipality {value!r}; give its four-digit SCB code (0580, or 580) "
            "or its name (Linköping)"
        )
    return code


def parse_area(value: str) -> str:
    """Typer parser for ``--area``: ``SE``, a county or a municipality code; ``all`` passes through."""
    if value.strip().lower() == "all":
        return "all"
    code = area_code(value)
    if code is None:
        raise typer.BadParameter(
            f"unknown area {value!r}; give SE, a county or a municipality (code or name). Counties: {_county_choices()}"
        )
    return code


def parse_county_or_municipality(value: str) -> str:
    """Typer parser for an option that takes a county or a municipality (not the whole country)."""
    code = county_code(value) or municipality_code(value)
    if code is None:
        raise typer.BadParameter(
            f"unknown county or municipality {value!r}; give a code or a name. Counties: {_county_choices()}"
        )
    return code
