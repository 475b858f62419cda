"""Who advertises (gender) and to whom (target), where the ad states it.

Patterns are in ``rules/gender.yaml``; the first matching gender in file order wins
(so "trans" beats "tjej"), targets are all collected.

>>> find_gender("Söt tjej tar emot herrar")
('female', ('men',))
"""

from __future__ import annotations

from collections.abc import Set
from functools import cache

from lagesbild.normalize._gate import Gate, tokens
from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["find_gender"]


@cache
def _compiled() -> tuple[Gate, int]:
    """One gate over the gender families (first ``n_genders``) and then the target families."""
    cfg = rules("gender")
    families = [(str(k), [str(p) for p in v]) for section in ("gender", "target") for k, v in cfg[section].items()]
    return Gate(families), len(cfg["gender"])


def find_gender(
    text: str, *, folded: str | None = None, toks: Set[str] | None = None
) -> tuple[str | None, tuple[str, ...]]:
    """``(gender, targets)``: ``female|male|trans|couple`` or None, and ``men|women|couples``.

    ``folded`` (``fold_text(text)``) and ``toks`` (its tokens) may be passed when the caller has them.
    """
    source = folded if folded is not None else fold_text(text)
    gate, n_genders = _compiled()
    opened = gate.open(tokens(source) if toks is None else toks, source)
    if not opened:
        return None, ()
    gender = next((gate.names[i] for i in range(n_genders) if gate.search(i, opened, source)), None)
    targets = tuple(gate.names[i] for i in range(n_genders, len(gate.names)) if gate.search(i, opened, source))
    return gender, targets
