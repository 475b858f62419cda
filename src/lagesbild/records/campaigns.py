"""The campaign record: a campaign aimed at buyers, validated on construction (:class:`Campaign`).

The register is read from files by :mod:`lagesbild.campaigns.spec`, kept by
:mod:`lagesbild.store.campaigns` and evaluated by :mod:`lagesbild.campaigns`; the record lives
below all of them so that the store does not import the campaigns stage.

Example::

    c = Campaign("Sluta köpa sex", ("05",), date(2024, 4, 15), date(2024, 5, 19), "bus stops, web banners")
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lagesbild.errors import InputError, InputErrors

__all__ = ["Campaign"]


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign aimed at buyers (e.g. "Du avgör", "Sluta köpa sex").

    Attributes:
        name: unique name in the register.
        counties: two-digit county codes where it ran (sorted, no duplicates).
        start, end: first and last day (both included).
        note: free text (channels, budget, source).
    """

    name: str
    counties: tuple[str, ...]
    start: date
    end: date
    note: str = ""

    def __post_init__(self) -> None:
        errors = _problems(self.name, self.counties, self.start, self.end)
        if errors:
            raise errors[0] if len(errors) == 1 else InputErrors(errors)
        object.__setattr__(self, "counties", tuple(sorted(set(self.counties))))

    @property
    def days(self) -> int:
        """Length in days (both ends included)."""
        return (self.end - self.start).days + 1

    @property
    def period(self) -> str:
        """``2024-04-15 – 2024-05-19``."""
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def _problems(name: str, counties: Iterable[str], start: date, end: date) -> list[InputError]:
    from lagesbild.refdata import counties as known_counties

    errors: list[InputError] = []
    if not name.strip():
        errors.append(InputError("a campaign needs a name", field="name"))
    cs = list(counties)
    if not cs:
        errors.append(InputError("a campaign needs at least one county", field="counties"))
    known = known_counties()
    bad = sorted(c for c in cs if c not in known)
    if bad:
        errors.append(
            InputError(f"unknown county code(s) {bad}; expected two-digit codes such as 05", field="counties")
        )
    if end < start:
        errors.append(InputError(f"end {end} is before start {start}", field="end"))
    return errors
