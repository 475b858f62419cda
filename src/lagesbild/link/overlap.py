"""Cross-site overlap: which persons were seen on which sites, per period and area.

These are the capture histories capture-recapture needs (each site is a source): the rows of
:class:`lagesbild.records.capture.CaptureHistories`, or CSV files in the layout
:mod:`lagesbild.estimate.crc_io` reads (one 0/1 column per site, then ``freq``). Suspected
scams (persons whose photos are all stolen) are left out: they are nobody.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lagesbild.records.capture import CaptureHistories
from lagesbild.records.link import LinkResult, SiteAds

__all__ = ["Overlap", "capture_histories", "to_csv"]

_WIDTH = {"year": 4, "month": 7, "day": 10}


@dataclass(frozen=True)
class Overlap:
    """Capture histories of one period and area.

    Attributes:
        period: ``2024``, ``2024-03`` or ``2024-03-05``.
        area: county or municipality code (``"SE"`` for the whole country).
        histories: persons per pattern of sites (sources are the site names).
    """

    period: str
    area: str
    histories: CaptureHistories


def capture_histories(ads: SiteAds, result: LinkResult, *, period: str = "month", level: str = "lan") -> list[Overlap]:
    """Which persons were seen on which sites, for every period and area with at least one person.

    Args:
        ads: the linked site ads.
        result: their linking.
        period: ``"year"``, ``"month"`` or ``"day"``.
        level: ``"lan"`` (county), ``"kommun"`` (municipality) or ``"riket"`` (whole country).

    Returns:
        One :class:`Overlap` per period and area, sorted; sources are every site in ``ads`` (sorted),
        so that all tables have the same columns. Empty when fewer than two sites were monitored.
    """
    width = _WIDTH.get(period)
    if width is None:
        raise ValueError(f"period must be year, month or day, not {period!r}")
    if level not in ("lan", "kommun", "riket"):
        raise ValueError(f"level must be lan, kommun or riket, not {level!r}")
    sites = sorted({a.site for a in ads.ads})
    if len(sites) < 2 or not len(ads):
        return []
    site_idx = {s: k for k, s in enumerate(sites)}
    lengths = np.array([len(a.days) for a in ads.ads])
    rows = np.repeat(np.arange(len(ads)), lengths)
    days: npt.NDArray[np.str_] = (
        np.concatenate([np.array(a.days, dtype=f"<U{width}") for a in ads.ads if a.days])
        if lengths.sum()
        else np.zeros(0, dtype=f"<U{width}")
    )
    area_of = ["SE" if level == "riket" else (a.lan_kod if level == "lan" else a.kommun_kod) for a in ads.ads]
    df = pd.DataFrame(
        {
            "person": result.person[rows],
            "site": np.array([site_idx[a.site] for a in ads.ads])[rows],
            "period": days,
            "area": np.array(area_of, dtype=object)[rows],
        }
    )
    df = df[df["area"].notna() & ~result.fake_person[df["person"].to_numpy()]].drop_duplicates()
    out: list[Overlap] = []
    for (per, area), g in df.groupby(["period", "area"], sort=True):
        bits = np.zeros((g["person"].nunique(), len(sites)), dtype=np.int64)
        codes, _ = pd.factorize(g["person"])
        bits[codes, g["site"].to_numpy()] = 1
        patterns, counts = np.unique(bits, axis=0, return_counts=True)
        hist = CaptureHistories.from_counts(
            {tuple(int(v) for v in p): int(c) for p, c in zip(patterns, counts, strict=True)}, sites
        )
        out.append(Overlap(str(per), str(area), hist))
    return out


def to_csv(overlap: Overlap) -> str:
    """One table as CSV in the layout ``lagesbild estimate crc`` reads (site columns, then ``freq``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    h = overlap.histories
    w.writerow([*h.sources, "freq"])
    for p, c in zip(h.patterns, h.counts, strict=True):
        w.writerow([*p, c])
    return buf.getvalue()
