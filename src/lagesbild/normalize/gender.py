"""Who advertises (gender) and to whom (target), where the ad states it.

Patterns are in ``rules/gender.yaml``; the first matching gender in file order wins
(so "trans" beats "tjej"), targets are all collected.

>>> find_gender("Söt tjej tar emot herrar")
('female', ('men',))
"""

from __future__ import annotations

import re
from functools import cache

from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["find_gender"]

_Table = tuple[tuple[str, re.Pattern[str]], ...]


@cache
def _compiled() -> tuple[_Table, _Table]:
    cfg = rules("gender")

    def table(section: str) -> _Table:
        return tuple((str(k), re.compile("|".join(f"(?:{p})" for p in v))) for k, v in cfg[section].items())

    return table("gender"), table("target")


def find_gender(text: str, *, folded: str | None = None) -> tuple[str | None, tuple[str, ...]]:
    """``(gender, targets)``: ``female|male|trans|couple`` or None, and ``men|women|couples``."""
    source = folded if folded is not None else fold_text(text)
    genders, targets = _compiled()
    gender = next((k for k, p in genders if p.search(source)), None)
    return gender, tuple(k for k, p in targets if p.search(source))
