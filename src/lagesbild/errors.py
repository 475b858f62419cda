"""The one exception tree of lagesbild.

Every error the library raises on purpose derives from :class:`LagesbildError`.
The CLI and the web layer turn these into friendly messages; library code never
prints them and never swallows them::

    LagesbildError
    ├── ConfigError            settings, data folder or profile/assumption files are wrong
    │   └── KeyMismatchError   the pseudonymization key is missing or does not match the store
    ├── InputError             a file or value given by the user is invalid (names file, line, field)
    │   ├── InputErrors        several InputError at once (validation reports every error)
    │   └── EstimateInputError an estimator's argument or input record is invalid (also a ValueError)
    ├── NotEstimableError      valid data that cannot support the estimate asked for (also a ValueError)
    ├── StoreError             the database cannot be reached, or a migration failed
    ├── RefdataError           reference data (municipalities, population...) is missing or malformed
    ├── TransientError         worth retrying later (network hiccup, 429, 5xx)
    └── TerminalError          retrying will not help (403, robots.txt disallows, page too large)

``TransientError`` and ``TerminalError`` decide retries in the monitor. The two estimate errors
are also ``ValueError`` so that code written against plain Python errors keeps catching them; the
CLI answers an ``EstimateInputError`` like any bad input (exit code 2) and a ``NotEstimableError``
as a failure of the data (exit code 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigError",
    "EstimateInputError",
    "InputError",
    "InputErrors",
    "KeyMismatchError",
    "LagesbildError",
    "NotEstimableError",
    "RefdataError",
    "StoreError",
    "TerminalError",
    "TransientError",
]


class LagesbildError(Exception):
    """Base class of every error lagesbild raises on purpose."""


class ConfigError(LagesbildError):
    """Settings, the data folder or a declarative file (profile, assumptions) is wrong."""


class KeyMismatchError(ConfigError):
    """The pseudonymization key is missing, or is not the key this store was created with."""


class InputError(LagesbildError):
    """A file or value given by the user is invalid.

    Args:
        message: what is wrong, in plain words.
        path: the file, if the input came from one.
        line: 1-based line number in that file.
        field: the field (column, JSON key, or dotted path) that is wrong.

    ``str(error)`` reads ``ads.jsonl:12: field 'seen_at': not a date``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[object, ...]:  # keep path/line/field across processes
        return (_rebuild_input_error, (type(self), self.message, self.path, self.line, self.field))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        if self.field is not None:
            where += f"field '{self.field}': "
        return where + self.message


class InputErrors(InputError):
    """Several input errors found at once (validation reports every error, not the first)."""

    def __init__(self, errors: Sequence[InputError], *, path: str | None = None) -> None:
        self.errors = list(errors)
        summary = f"{len(self.errors)} error(s)"
        super().__init__(summary, path=path)

    def __reduce__(self) -> tuple[object, ...]:
        return (InputErrors, (self.errors,), {"path": self.path})

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.path = (state or {}).get("path")

    def __str__(self) -> str:
        lines = [f"{len(self.errors)} error(s):"]
        lines += [f"  - {e}" for e in self.errors]
        return "\n".join(lines)


def _rebuild_input_error(
    cls: type[InputError], message: str, path: str | None, line: int | None, field: str | None
) -> InputError:
    err = cls.__new__(cls)
    InputError.__init__(err, message, path=path, line=line, field=field)
    return err


class EstimateInputError(InputError, ValueError):
    """An estimator was given an argument or input record it cannot use.

    A level outside 0..1, too few Monte Carlo draws, a share outside ``[0, 1)``, a period that
    ends before it starts, an unknown model name, a capture history that is not 0/1. The message
    names the argument; ``field`` is set when the value came from a named field.
    """


class NotEstimableError(LagesbildError, ValueError):
    """The data are valid but cannot support the estimate asked for.

    A log-linear model whose terms are not identifiable from the histories, a maximum likelihood
    estimate that does not exist, lists that share no unit, a profile likelihood that cannot be
    evaluated. Callers that try several models catch it and go on with the others.
    """


class StoreError(LagesbildError):
    """The database cannot be reached, or a migration or write failed."""


class RefdataError(LagesbildError):
    """Reference data (municipalities, counties, population, boundaries) is missing or malformed."""


class TransientError(LagesbildError):
    """A failure that may pass: worth retrying later (timeouts, 429, 5xx)."""


class TerminalError(LagesbildError):
    """A failure that retrying will not fix (403, disallowed by robots.txt, page too large)."""
