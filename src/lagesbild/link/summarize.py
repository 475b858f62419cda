"""Summaries of a linking: one row per ad, person, advertiser and network (pure functions).

Networks carry their evidence: the phones and e-mail addresses (pseudonyms) shared by
several of their persons, the municipalities, the active period and indicator codes that
later stages and analysts read (codes as in :func:`lagesbild.normalize.indicator_catalogue`
where they exist).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lagesbild.link.collect import periods
from lagesbild.records.link import AdRow, AdvertiserRow, LinkResult, NetworkRow, PersonRow, SiteAd, SiteAds, Summary

__all__ = ["affected_rows", "summarize"]

VERY_YOUNG_AGE = 20  # as rules/indicators.yaml's very_young_age


def _join(values: object) -> str:
    return " ".join(sorted({str(v) for v in values if v is not None and v == v}))  # type: ignore[attr-defined]


def _iso(days: pd.Series) -> list[str]:
    return [str(d) for d in days.to_numpy(np.int64).astype("datetime64[D]")]


def _days_by(labels: np.ndarray, ads: list[SiteAd]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for lab, x in zip(labels.tolist(), ads, strict=True):
        out.setdefault(lab, set()).update(x.days)
    return out


def affected_rows(r: LinkResult, rows: np.ndarray) -> np.ndarray:
    """Every site ad in the advertisers and networks of ``rows`` (what must be summarized again)."""
    advs = np.unique(r.advertiser[rows])
    nets = np.unique(r.network[rows])
    nets = nets[nets >= 0]
    return np.flatnonzero(np.isin(r.advertiser, advs) | np.isin(r.network, nets))


def summarize(ads: SiteAds, r: LinkResult, rows: np.ndarray | None = None) -> Summary:
    """Summary rows of a linking of ``ads`` (vectorized: a national archive summarizes in seconds).

    Args:
        ads: the linked site ads.
        r: their linking.
        rows: only the clusters of these site ads (whole advertisers and networks, see
            :func:`affected_rows`); all when None.
    """
    a = ads.ads
    net = [r.network_ids[k] if k >= 0 else None for k in r.network.tolist()]
    if rows is None:
        rows = np.arange(len(ads))
    a_sel = [a[int(i)] for i in rows]
    df = pd.DataFrame(
        {
            "ad": r.ad[rows],
            "person": r.person[rows],
            "adv": r.advertiser[rows],
            "net": r.network[rows],
            "site": [x.site for x in a_sel],
            # days as integers: pandas aggregates numbers in C, strings in Python
            "first": np.array([x.first_seen for x in a_sel], dtype="datetime64[D]").astype(np.int64),
            "last": np.array([x.last_seen for x in a_sel], dtype="datetime64[D]").astype(np.int64),
            "n_obs": [x.n_obs for x in a_sel],
            "kommun": [x.kommun_kod for x in a_sel],
            "row": rows,
        }
    )
    g = df.groupby("ad", sort=True).agg(
        row=("row", "first"), first=("first", "min"), last=("last", "max"), n=("row", "size"), n_obs=("n_obs", "sum")
    )
    days = _days_by(r.ad[rows], a_sel)
    ad_rows = [
        AdRow(
            r.ad_ids[ad],
            a[r0].site,
            r.person_ids[int(r.person[r0])],
            r.advertiser_ids[int(r.advertiser[r0])],
            net[r0],
            a[r0].kommun_kod,
            a[r0].lan_kod,
            first,
            last,
            int(k),
            int(nobs),
            ";".join(f"{x}/{y}" for x, y in periods(sorted(days[ad]))),
        )
        for ad, r0, first, last, k, nobs in zip(
            g.index.tolist(),
            g["row"].tolist(),
            _iso(g["first"]),
            _iso(g["last"]),
            g["n"].tolist(),
            g["n_obs"].tolist(),
            strict=True,
        )
    ]
    # sites and municipalities per person (sets in plain dicts: groupby().agg(" ".join) calls Python per person)
    sites_of: dict[int, set[str]] = {}
    kommuns_of: dict[int, set[str]] = {}
    for p, site, kommun in zip(df["person"].tolist(), df["site"].tolist(), df["kommun"].tolist(), strict=True):
        sites_of.setdefault(p, set()).add(site)
        if isinstance(kommun, str):
            kommuns_of.setdefault(p, set()).add(kommun)
    sites = {p: " ".join(sorted(v)) for p, v in sites_of.items()}
    kommuns = {p: " ".join(sorted(kommuns_of.get(p, ()))) for p in sites_of}
    g = df.groupby("person", sort=True).agg(
        row=("row", "first"), first=("first", "min"), last=("last", "max"), n=("ad", "nunique")
    )
    person_rows = [
        PersonRow(
            r.person_ids[p],
            r.advertiser_ids[int(r.advertiser[r0])],
            net[r0],
            a[r0].name,
            a[r0].age,
            first,
            last,
            int(k),
            sites[p],
            kommuns[p],
            int(r.fake_person[p]),
        )
        for p, r0, first, last, k in zip(
            g.index.tolist(), g["row"].tolist(), _iso(g["first"]), _iso(g["last"]), g["n"].tolist(), strict=True
        )
    ]
    phones: dict[int, set[str]] = {}
    emails: dict[int, set[str]] = {}
    for lab, x in zip(r.advertiser[rows].tolist(), a_sel, strict=True):
        phones.setdefault(lab, set()).update(x.phones)
        emails.setdefault(lab, set()).update(x.emails)
    g = df.groupby("adv", sort=True).agg(
        row=("row", "first"),
        first=("first", "min"),
        last=("last", "max"),
        np_=("person", "nunique"),
        na=("ad", "nunique"),
    )
    adv_rows = [
        AdvertiserRow(
            r.advertiser_ids[v],
            net[r0],
            int(np_),
            int(na),
            first,
            last,
            _join(phones[v] - r.shared_numbers),
            _join(emails[v]),
        )
        for v, r0, first, last, np_, na in zip(
            g.index.tolist(),
            g["row"].tolist(),
            _iso(g["first"]),
            _iso(g["last"]),
            g["np_"].tolist(),
            g["na"].tolist(),
            strict=True,
        )
    ]
    net_rows = []
    nd = df[df["net"] >= 0]
    if len(nd):
        g = nd.groupby("net", sort=True).agg(
            n_p=("person", "nunique"),
            n_v=("adv", "nunique"),
            n_a=("ad", "nunique"),
            first=("first", "min"),
            last=("last", "max"),
        )
        # each network's rows in their order in ``df``, cut at the network changes (networks ascending)
        order = np.argsort(nd["net"].to_numpy(), kind="stable")
        net_sorted = nd["net"].to_numpy()[order]
        rows_sorted = nd["row"].to_numpy()[order].tolist()
        cuts = np.flatnonzero(np.diff(net_sorted)) + 1
        bounds = zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(order)].tolist(), strict=True)
        for (k, n_p, n_v, n_a), first, last, (lo, hi) in zip(
            g[["n_p", "n_v", "n_a"]].itertuples(name=None), _iso(g["first"]), _iso(g["last"]), bounds, strict=True
        ):
            persons_of: dict[str, set[int]] = {}
            emails_of: dict[str, set[int]] = {}
            places: set[str] = set()
            ages: list[int] = []
            langs: set[str] = set()
            for i in rows_sorted[lo:hi]:
                x = a[int(i)]
                pi = int(r.person[int(i)])
                for ph in x.phones - r.shared_numbers:
                    persons_of.setdefault(ph, set()).add(pi)
                for e in x.emails:
                    emails_of.setdefault(e, set()).add(pi)
                if x.kommun_kod is not None:
                    places.add(x.kommun_kod)
                if x.age is not None:
                    ages.append(x.age)
                if x.language:
                    langs.add(x.language)
            codes = []
            if any(len(v) > 1 for v in persons_of.values()):
                codes.append("shared_phone")
            if len(places) >= 3:
                codes.append("many_cities")
            if ages and min(ages) < VERY_YOUNG_AGE:
                codes.append("very_young_age")
            if langs and "sv" not in langs:
                codes.append("foreign_language")
            net_rows.append(
                NetworkRow(
                    r.network_ids[int(k)],
                    int(n_p),
                    int(n_v),
                    int(n_a),
                    _join(places),
                    first,
                    last,
                    _join(p for p, v in persons_of.items() if len(v) > 1),
                    _join(e for e, v in emails_of.items() if len(v) > 1),
                    " ".join(codes),
                )
            )
    return Summary(ad_rows, person_rows, adv_rows, net_rows)
