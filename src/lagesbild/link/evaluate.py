"""Scores of a linking against a ground truth: B-cubed and pairwise precision, recall and F1.

Pure functions over two label arrays of the same items (observations or site ads). The
simulator's truth files are read by :func:`simulator_truth`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    from .succession import Persona

__all__ = ["Scores", "SimulatorTruth", "bcubed", "pairwise", "simulator_personas", "simulator_truth"]


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of a clustering, and the number of clusters found and true."""

    precision: float
    recall: float
    f1: float
    n_predicted: int
    n_true: int


def _cells(pred: npt.ArrayLike, true: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    df = pd.DataFrame({"p": np.asarray(pred), "t": np.asarray(true)})
    cells = df.groupby(["p", "t"], sort=False).size()
    n_p = df.groupby("p", sort=False).size()
    n_t = df.groupby("t", sort=False).size()
    nij = cells.to_numpy(np.float64)
    ni = n_p.reindex(cells.index.get_level_values(0)).to_numpy(np.float64)
    nj = n_t.reindex(cells.index.get_level_values(1)).to_numpy(np.float64)
    return nij, ni, nj


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(pred: npt.ArrayLike, true: npt.ArrayLike) -> Scores:
    """B-cubed precision and recall (Bagga and Baldwin 1998) of predicted against true labels.

    >>> bcubed([1, 1, 2], ["a", "a", "b"]).f1
    1.0
    """
    nij, ni, nj = _cells(pred, true)
    total = nij.sum()
    p = float((nij**2 / ni).sum() / total)
    r = float((nij**2 / nj).sum() / total)
    return Scores(p, r, _f1(p, r), len(set(np.asarray(pred).tolist())), len(set(np.asarray(true).tolist())))


def pairwise(pred: npt.ArrayLike, true: npt.ArrayLike) -> Scores:
    """Pairwise precision and recall: pairs of items put together, against pairs truly together.

    Items whose label is None or -1 (in no cluster) pair with nothing.

    >>> pairwise([1, 1, -1], ["a", "a", None]).f1
    1.0
    """
    pa = pd.Series(np.asarray(pred, dtype=object))
    ta = pd.Series(np.asarray(true, dtype=object))
    none_p = pa.isna() | (pa == -1) | (pa == "")
    none_t = ta.isna() | (ta == -1) | (ta == "")
    both = ~none_p & ~none_t

    def pairs(counts: pd.Series) -> float:
        c = counts.to_numpy(np.float64)
        return float((c * (c - 1) / 2).sum())

    tp = pairs(pd.DataFrame({"p": pa[both], "t": ta[both]}).groupby(["p", "t"]).size())
    pp = pairs(pa[~none_p].value_counts())
    tt = pairs(ta[~none_t].value_counts())
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    return Scores(p, r, _f1(p, r), int(pa[~none_p].nunique()), int(ta[~none_t].nunique()))


@dataclass(frozen=True)
class SimulatorTruth:
    """The simulator's truth per site ad: ``(site, site_ad_id) -> labels``.

    Attributes:
        ad: the underlying ad per site (``site|ad_uid``).
        person: the person (``person_id``; scam ads: ``scam-<advertiser_id>``).
        advertiser: the advertiser (``advertiser_id``).
        network: the network (``network_id``, None for independent sellers and scams).
        n_persons: persons with at least one ad (scams left out).
        seller: the seller (persona) per site ad (``''`` for scams).
        n_sellers: sellers (personas: a person returning under a new name, phone and photos is a new seller) with ads.
    """

    ad: dict[tuple[str, str], str]
    person: dict[tuple[str, str], str]
    advertiser: dict[tuple[str, str], str]
    network: dict[tuple[str, str], str | None]
    n_persons: int
    n_sellers: int
    seller: dict[tuple[str, str], str]


def simulator_truth(folder: str | Path) -> SimulatorTruth:
    """Read ``truth/ads.csv`` and ``truth/sellers.csv`` of a simulator output folder."""
    d = Path(folder) / "truth"
    with (d / "sellers.csv").open(encoding="utf-8") as f:
        person_of = {r["seller_id"]: r["person_id"] for r in csv.DictReader(f)}
    ad: dict[tuple[str, str], str] = {}
    person: dict[tuple[str, str], str] = {}
    adv: dict[tuple[str, str], str] = {}
    net: dict[tuple[str, str], str | None] = {}
    seller: dict[tuple[str, str], str] = {}
    with (d / "ads.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            k = (r["site"], r["site_ad_id"])
            ad[k] = f"{r['site']}|{r['ad_uid']}"
            scam = r["is_scam"] == "true" or not r["seller_id"]
            person[k] = (
                f"scam-{r['advertiser_id']}" if scam else person_of.get(r["seller_id"], f"seller-{r['seller_id']}")
            )
            adv[k] = r["advertiser_id"]
            seller[k] = r["seller_id"]
            net[k] = r["network_id"] or None
    sellers: set[str] = set()
    for k, p in person.items():
        if not p.startswith("scam-"):
            sellers.add(seller[k])
    n_persons = len({p for p in person.values() if not p.startswith("scam-")})
    return SimulatorTruth(ad, person, adv, net, n_persons, len(sellers), seller)


def simulator_personas(
    folder: str | Path, *, language_rule: Literal["first", "all"] = "first"
) -> tuple[list[Persona], int]:
    """The simulator's personas with ads (truth fields) and the true number of returns among them.

    Home, stated age and spoken languages come from ``truth/sellers.csv``, the first and last
    day of the persona's ads from ``truth/ads.csv`` (sellers without an ad are left out). Returns are personas
    minus distinct persons. ``language_rule``: ``"first"`` keeps her first language (the one
    listed first, her native language), as :func:`lagesbild.link.succession.personas_from_ads`
    reads linked personas; ``"all"`` every spoken language (a persona may add Swedish, so two
    personas of one woman often differ: docs/link.md).
    """
    from .succession import Persona

    d = Path(folder) / "truth"
    span: dict[str, tuple[int, int]] = {}
    with (d / "ads.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["seller_id"] and r["is_scam"] != "true":
                a, b = int(r["first_day"]), int(r["last_day"])
                lo, hi = span.get(r["seller_id"], (a, b))
                span[r["seller_id"]] = (min(lo, a), max(hi, b))
    out: list[Persona] = []
    persons: set[str] = set()
    with (d / "sellers.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["seller_id"] not in span:
                continue
            persons.add(r["person_id"])
            langs = [x for x in r["languages"].split(";") if x]
            out.append(
                Persona(
                    r["home_kommun"] or None,
                    float(r["stated_age"]) if r["stated_age"] else None,
                    *span[r["seller_id"]],
                    frozenset(langs[:1] if language_rule == "first" else langs),
                )
            )
    return out, len(out) - len(persons)
