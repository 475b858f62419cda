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

import csv
import gzip
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lagesbild.normalize.ad import NormalizedAd, normalize_ad

__all__ = ["EvalReport", "FieldScore", "SimulationReport", "evaluate", "evaluate_simulation"]


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


@dataclass(slots=True)
class SimulationReport:
    """Per-field scores on a simulator run's ad versions (see :func:`evaluate_simulation`)."""

    n_ads: int
    fields: dict[str, FieldScore]
    notes: dict[str, str] = field(default_factory=dict)


# How the simulator introduces a phone in an ad body (simulate/text.py): the recall base.
_PHONE_CUES = (
    "Ring eller sms:",
    "Endast sms ",
    "Tel ",
    "Ring ",
    "SMS/WhatsApp ",
    "Call or SMS:",
    "SMS only ",
    "Phone ",
    "WhatsApp ",
)


def _score_single(s: FieldScore, want: Any, got: Any) -> None:
    s.total += 1
    ok = want == got
    s.correct += ok
    if ok and got is not None:
        s.tp += 1
    else:
        s.fp += got is not None
        s.fn += want is not None


def evaluate_simulation(out_dir: Path) -> SimulationReport:
    """Normalize every ad version a simulator run wrote and score it against its truth.

    Reads ``sites/*.jsonl.gz`` (the ads as the sites show them, with the site's city
    page), ``sites/sites.json``, ``truth/ads.csv`` (the true municipality and seller of
    each site ad), ``truth/sellers.csv`` (stated ages) and ``truth/identifiers.csv``
    (sha256 of each advertiser's raw E.164 numbers). Fields:

    * ``municipality``: the code equals the true municipality; with the site's city page.
    * ``municipality_no_site_city``: the same from location, title and body only (what a
      stored observation gives the runner, which has no city page).
    * ``age``: equals the age the seller states (ads of scam advertisers, which have no
      seller, are left out).
    * ``phones``: each number found in title and body is right when its hash is one of the
      advertiser's phones (precision); recall counts ads whose body introduces a phone
      with one of the simulator's phrases ("Ring eller sms:", ...) and where at least one
      of the advertiser's numbers is found.
    * ``language_written``: equals the language the simulator wrote the ad in.

    Args:
        out_dir: the ``--out`` folder of ``lagesbild simulate``.
    """
    sites = json.loads((out_dir / "sites" / "sites.json").read_text(encoding="utf-8"))
    with (out_dir / "truth" / "ads.csv").open(encoding="utf-8", newline="") as f:
        truth = {(r["site"], r["site_ad_id"]): r for r in csv.DictReader(f)}
    with (out_dir / "truth" / "sellers.csv").open(encoding="utf-8", newline="") as f:
        stated = {r["seller_id"]: int(r["stated_age"]) for r in csv.DictReader(f)}
    phones_of: dict[str, set[str]] = {}
    with (out_dir / "truth" / "identifiers.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["kind"] == "phone":
                phones_of.setdefault(r["advertiser_id"], set()).add(r["value_hash"])
    names = ("municipality", "municipality_no_site_city", "age", "phones", "language_written")
    scores = {n: FieldScore(n) for n in names}
    n = 0
    for path in sorted((out_dir / "sites").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                ad = json.loads(line)
                t = truth[(ad["site"], ad["site_ad_id"])]
                n += 1
                city = sites[ad["site"]]["cities"].get(ad.get("city") or "")
                got = normalize_ad(ad.get("title"), ad.get("body"), ad.get("location"), site_city=city)
                bare = normalize_ad(ad.get("title"), ad.get("body"), ad.get("location"))
                _score_single(scores["municipality"], t["kommun"], got.place.kommun_kod)
                _score_single(scores["municipality_no_site_city"], t["kommun"], bare.place.kommun_kod)
                if t["seller_id"] in stated:  # scam ads have no seller, so no true age
                    _score_single(scores["age"], stated[t["seller_id"]], got.age)
                _score_single(scores["language_written"], ad.get("language"), got.language_written)
                s = scores["phones"]
                own = phones_of.get(t["advertiser_id"], set())
                hashes = {hashlib.sha256(p.encode()).hexdigest() for p in got.phones}
                s.total += 1
                s.tp += len(hashes & own)
                s.fp += len(hashes - own)
                if any(cue in (ad.get("body") or "") for cue in _PHONE_CUES):
                    found = bool(hashes & own)
                    s.fn += not found
                    s.correct += found
                else:  # no phrase (or a typo in it): right when nothing false is found
                    s.correct += hashes <= own
    notes = {
        "age": "ads of sellers only (scam ads have no true age)",
        "phones": "precision over numbers found; recall over ads whose body introduces a phone",
        "municipality_no_site_city": "location, title and body only, as the runner sees stored observations",
    }
    return SimulationReport(n, scores, notes)
