"""Score the normalizers against a labelled set of ads (per-field precision and recall).

Each labelled ad is a mapping with ``title``, ``body``, ``location``, ``site_city`` and
``labels`` (``kommun_kod``, ``phones``, ``emails``, ``age``, ``price_sek_per_hour``,
``languages_offered``). Single-valued fields count a true positive when the answer
equals the label, a false positive when an answer is given that is wrong, and a false
negative when a label exists and the answer is missing or wrong. Municipality also
reports accuracy: correct, or correctly unknown. Set-valued fields (phones, e-mails,
languages) count items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lagesbild.normalize.ad import NormalizedAd, normalize_ad

__all__ = ["EvalReport", "FieldScore", "evaluate"]


@dataclass(slots=True)
class FieldScore:
    """Counts for one field; ``correct``/``total`` is accuracy over all ads."""

    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    correct: int = 0
    total: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(slots=True)
class EvalReport:
    """Per-field scores and the ads each field got wrong (ids)."""

    n_ads: int
    fields: dict[str, FieldScore]
    errors: dict[str, list[str]] = field(default_factory=dict)


_SINGLE = {"kommun_kod": "municipality", "age": "age", "price_sek_per_hour": "price"}
_MULTI = {"phones": "phones", "emails": "emails", "languages_offered": "languages"}


def _answer(ad: NormalizedAd, key: str) -> Any:
    if key == "kommun_kod":
        return ad.place.kommun_kod
    return getattr(ad, key)


def evaluate(rows: Iterable[Mapping[str, Any]]) -> EvalReport:
    """Normalize every labelled ad in ``rows`` and score each field."""
    scores = {name: FieldScore(name) for name in (*_SINGLE.values(), *_MULTI.values())}
    errors: dict[str, list[str]] = {name: [] for name in scores}
    n = 0
    for row in rows:
        n += 1
        ad = normalize_ad(row.get("title"), row.get("body"), row.get("location"), site_city=row.get("site_city"))
        labels = row["labels"]
        for key, name in _SINGLE.items():
            s, want, got = scores[name], labels.get(key), _answer(ad, key)
            s.total += 1
            ok = want == got
            s.correct += ok
            if got is not None and want is not None and ok:
                s.tp += 1
            else:
                s.fp += got is not None
                s.fn += want is not None
            if not ok:
                errors[name].append(str(row.get("id")))
        for key, name in _MULTI.items():
            s, want_set, got_set = scores[name], set(labels.get(key) or ()), set(_answer(ad, key))
            s.total += 1
            s.correct += want_set == got_set
            s.tp += len(want_set & got_set)
            s.fp += len(got_set - want_set)
            s.fn += len(want_set - got_set)
            if want_set != got_set:
                errors[name].append(str(row.get("id")))
    return EvalReport(n, scores, errors)
