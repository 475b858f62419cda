"""Faults the simulated sites inject into their pages: server errors, slow answers, a changed layout."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from lagesbild.errors import InputError, InputErrors

__all__ = ["Faults"]


# --faults keys (CLI spelling and attribute names) -> Faults attribute
_FAULT_KEYS = {
    "errors": "error_rate",
    "error_rate": "error_rate",
    "slow": "slow_rate",
    "slow_rate": "slow_rate",
    "slow-seconds": "slow_seconds",
    "slow_seconds": "slow_seconds",
    "layout-change": "layout_change",
    "layout_change": "layout_change",
    "seed": "seed",
}


@dataclass(frozen=True)
class Faults:
    """Faults the server injects into site pages (never into robots.txt or the control API).

    Attributes:
        error_rate: share of requests answered ``500 Internal Server Error`` (0-1).
        slow_rate: share of requests delayed by ``slow_seconds`` before the answer (0-1).
        slow_seconds: the delay of a slow response.
        layout_change: sites whose markup is changed (class names renamed, table columns reordered);
            ``"*"`` means every site.
        seed: seed of the fault draws, so a run is repeatable.

    Example::

        Faults.parse("errors=0.05,slow=0.01,slow-seconds=3,layout-change=siteA+siteB")
    """

    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    layout_change: frozenset[str] = frozenset()
    seed: int = 0

    def __post_init__(self) -> None:
        errors = []
        for name in ("error_rate", "slow_rate"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                errors.append(InputError(f"must be between 0 and 1, got {v}", field=name))
        if self.slow_seconds < 0:
            errors.append(InputError(f"must not be negative, got {self.slow_seconds}", field="slow_seconds"))
        if errors:
            raise InputErrors(errors) if len(errors) > 1 else errors[0]

    def changes_layout(self, site: str) -> bool:
        """Whether ``site`` is shown with its changed layout."""
        return site in self.layout_change or "*" in self.layout_change

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["layout_change"] = sorted(self.layout_change)
        return d

    @classmethod
    def parse(cls, spec: str | Sequence[str], base: Faults | None = None) -> Faults:
        """Parse ``key=value`` pairs separated by commas (or given as a list).

        Keys: ``errors`` (rate), ``slow`` (rate), ``slow-seconds``, ``layout-change`` (site names joined
        by ``+``, or ``all``), ``seed``.

        Raises:
            InputErrors: every unknown key or bad value at once.
        """
        parts = [spec] if isinstance(spec, str) else list(spec)
        items = [p.strip() for s in parts for p in s.split(",") if p.strip()]
        return cls.from_mapping(dict(_split_kv(i) for i in items), base)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: Faults | None = None) -> Faults:
        """Apply ``values`` (keys as in :meth:`parse` or the attribute names) on top of ``base``."""
        errors: list[InputError] = []
        changes: dict[str, Any] = {}
        for key, value in values.items():
            attr = _FAULT_KEYS.get(key)
            try:
                if attr is None:
                    raise ValueError(f"unknown fault; use one of {', '.join(sorted(set(_FAULT_KEYS)))}")
                if attr == "layout_change":
                    changes[attr] = _parse_sites(value)
                elif attr == "seed":
                    changes[attr] = int(value)
                else:
                    changes[attr] = float(value)
            except (TypeError, ValueError) as exc:
                errors.append(InputError(str(exc), field=f"faults.{key}"))
        if errors:
            raise InputErrors(errors)
        return replace(base or cls(), **changes)


def _split_kv(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep:
        raise InputError(f"expected key=value, got {item!r}", field="faults")
    return key.strip(), value.strip()


def _parse_sites(value: object) -> frozenset[str]:
    if value is True or value in ("all", "*"):
        return frozenset({"*"})
    if value in (False, None, "", "none"):
        return frozenset()
    if isinstance(value, str):
        return frozenset(s for s in re.split(r"[+ ]", value) if s)
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(s) for s in value)
    raise ValueError(f"expected site names, 'all' or true/false, got {value!r}")
