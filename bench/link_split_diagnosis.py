"""Why networks are split: the missed pairs of true network members, and two ways tried to reach them.

For each seed's county world (cached as in ``bench_link_heldout.py``) the observations are
linked in memory with the defaults (or ``--set``) and every pair of linked advertisers that the
simulator puts in one network but the linking does not is classified by what the two have in
common: a text template key, the language most of their observations are written in, a
municipality. The pair's weight is the product of the two advertisers' observations (the pairs a
pairwise F1 over observations misses).

``--arrival BOUNDS`` also scores, offline, the co-arrival rule tried in round 11 of issue #18
(docs/link.md): two advertisers in different networks are tied when they share at least
``--arrival-places`` municipalities with Jaccard at least ``--arrival-jaccard`` and the expected
number of such pairs in the world is at most the bound: the share of all advertiser pairs whose
first days are at most as far apart, times the product of the shared municipalities' shares of
advertisers, times the number of advertiser pairs. Networks are formed again with the new ties
and scored (network pairwise F1 over observations, as the bench).

``--successive`` counts, within each linked advertiser, the successive personas (the second starting
after the first ended) with stated ages within 4 years and the same language: pairs of one true woman
returning under a new name on the same number, against pairs of two women (what merging them would
cost the person level).

``--translation-oracle`` measures what perfect translation could add: each observation's text is mapped
to the simulator's own template choices (title, opening line, contact phrase; ``lagesbild.simulate.text``,
which the linking never reads), the same choice in Swedish and in English counting as one, and pairs
of advertisers written mostly in different languages with a place in common are counted by whether
they share such a translated template (used in at least two observations by each).

``--classifier`` fits a gradient-boosted classifier (scikit-learn, not a dependency of lagesbild:
``pip install scikit-learn``) on the pairs of half of the worlds and scores the other half: how many
of the missed pairs any rule on these features could take, and at how many false pairs.

Usage::

    python bench/link_split_diagnosis.py --sim-src SIM/src --seeds 1-8,101-120 --arrival 0.15,0.3,1
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_link_heldout import linked_world, parse_seeds, world


def advertisers(w: Path, settings: dict[str, object]) -> dict[str, Any]:
    """Link world ``w`` in memory; per linked advertiser what the diagnosis reads."""
    _, ads, linked, truth = linked_world(w, settings)
    r = linked.result
    n = int(r.advertiser.max()) + 1 if len(r.advertiser) else 0
    net: list[Counter[str]] = [Counter() for _ in range(n)]
    lang: list[Counter[str]] = [Counter() for _ in range(n)]
    towns: list[set[str]] = [set() for _ in range(n)]
    keys: list[set[int]] = [set() for _ in range(n)]
    persons: list[set[int]] = [set() for _ in range(n)]
    first = [10**9] * n
    last = [0] * n
    nobs = np.zeros(n, np.int64)
    pnet = np.full(n, -1, np.int64)
    for i, a in enumerate(ads.ads):
        x = int(r.advertiser[i])
        net[x][truth.network[a.key] or ""] += a.n_obs
        lang[x][a.language or ""] += a.n_obs
        nobs[x] += a.n_obs
        pnet[x] = int(r.network[i])
        persons[x].add(int(r.person[i]))
        if a.kommun_kod:
            towns[x].add(a.kommun_kod)
        if a.template:
            keys[x].add(a.template)
        first[x] = min(first[x], date.fromisoformat(a.first_seen).toordinal())
        last[x] = max(last[x], date.fromisoformat(a.last_seen).toordinal())
    return {
        "tnet": [c.most_common(1)[0][0] for c in net],
        "lang": [c.most_common(1)[0][0] for c in lang],
        "towns": towns,
        "keys": keys,
        "persons": [len(p) for p in persons],
        "first": np.array(first),
        "last": np.array(last),
        "nobs": nobs,
        "pnet": pnet,
    }


def network_f1(unit: list[object], tnet: list[str], nobs: np.ndarray) -> tuple[float, float, float]:
    """Pairwise F1, precision, recall over observations (``lagesbild.link.pairwise`` on each advertiser's
    label repeated per observation); ``unit`` None and ``tnet`` '' pair with nothing."""
    from lagesbild.link import pairwise

    def per_obs(labels: list[Any]) -> np.ndarray:
        return np.repeat(np.array(labels, dtype=object), nobs)

    s = pairwise(per_obs(unit), per_obs([x or None for x in tnet]))
    return s.f1, s.precision, s.recall


def units_of(v: dict[str, Any]) -> list[object]:
    """The linking's network of each advertiser (None: in no network)."""
    return [int(p) if p >= 0 else None for p in v["pnet"].tolist()]


def missed(v: dict[str, Any]) -> Counter[str]:
    """Missed pair weight (product of observations) by what the two advertisers have in common."""
    out: Counter[str] = Counter()
    tnet, pnet, n = v["tnet"], v["pnet"], len(v["tnet"])
    for a in range(n):
        for b in range(a + 1, n):
            if not tnet[a] or tnet[a] != tnet[b] or (pnet[a] >= 0 and pnet[a] == pnet[b]):
                continue
            what = "shared template key" if v["keys"][a] & v["keys"][b] else "no shared template key"
            what += ", same language" if v["lang"][a] == v["lang"][b] else ", other languages"
            if not v["towns"][a] & v["towns"][b]:
                what += ", no municipality in common"
            out[what] += int(v["nobs"][a]) * int(v["nobs"][b])
    return out


def arrival_units(v: dict[str, Any], bound: float, jaccard: float, places: int) -> tuple[list[object], int, int]:
    """Networks with the co-arrival ties added; the ties within one true network and across."""
    n = len(v["tnet"])
    units = units_of(v)
    key = [("n", u) if u is not None else ("a", i) for i, u in enumerate(units)]
    parent = {k: k for k in key}

    def find(k: Any) -> Any:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    share = Counter(m for t in v["towns"] for m in t)
    first = v["first"]
    gaps = np.sort(np.abs(first[:, None] - first[None, :])[np.triu_indices(n, 1)])
    n_pairs = max(len(gaps), 1)
    true_ties = false_ties = 0
    for a in range(n):
        for b in range(a + 1, n):
            both = v["towns"][a] & v["towns"][b]
            if key[a] == key[b] or len(both) < places:
                continue
            if len(both) / len(v["towns"][a] | v["towns"][b]) < jaccard:
                continue
            p_time = np.searchsorted(gaps, abs(int(first[a]) - int(first[b])), side="right") / n_pairs
            p_place = float(np.prod([share[m] / n for m in both]))
            if p_time * p_place * n_pairs <= bound:
                same = bool(v["tnet"][a]) and v["tnet"][a] == v["tnet"][b]
                true_ties += same
                false_ties += not same
                parent[find(key[a])] = find(key[b])
    roots = [find(k) for k in key]
    size = Counter(roots)
    joined: list[object] = [r if (k[0] == "n" or size[r] > 1) else None for k, r in zip(key, roots, strict=True)]
    return joined, true_ties, false_ties


def successive_personas(w: Path, settings: dict[str, object]) -> tuple[int, int]:
    """Successive compatible personas within one linked advertiser: (one true woman, two women)."""
    _, ads, linked, truth = linked_world(w, settings)
    r = linked.result
    per: dict[int, dict[str, Any]] = {}
    for i, a in enumerate(ads.ads):
        p = int(r.person[i])
        if r.fake_person[p]:
            continue
        d = per.setdefault(p, {"adv": 0, "ages": [], "lang": Counter(), "first": 10**9, "last": 0, "women": Counter()})
        d["adv"] = int(r.advertiser[i])
        if a.age:
            d["ages"].append(a.age)
        d["lang"][a.language or ""] += a.n_obs
        d["first"] = min(d["first"], date.fromisoformat(a.first_seen).toordinal())
        d["last"] = max(d["last"], date.fromisoformat(a.last_seen).toordinal())
        d["women"][truth.person[a.key]] += a.n_obs
    by_adv: dict[int, list[dict[str, Any]]] = {}
    for d in per.values():
        if d["ages"]:
            by_adv.setdefault(d["adv"], []).append(d)
    one = two = 0
    for ds in by_adv.values():
        ds.sort(key=lambda d: d["first"])
        for i, x in enumerate(ds):
            for y in ds[i + 1 :]:
                if y["first"] <= x["last"] or abs(float(np.median(x["ages"])) - float(np.median(y["ages"]))) > 4:
                    continue
                if x["lang"].most_common(1)[0][0] != y["lang"].most_common(1)[0][0]:
                    continue
                same = x["women"].most_common(1)[0][0] == y["women"].most_common(1)[0][0]
                one, two = one + same, two + (not same)
    return one, two


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template)
    return re.compile("^" + "".join(".*?" if x.startswith("{") else re.escape(x) for x in parts) + "$")


def translated_templates() -> Callable[[str, str], tuple[int, int, int]]:
    """``(title, body) -> (title, opening, contact phrase)`` as the simulator's template numbers (-1: none)."""
    from lagesbild.simulate import text as sim

    # the most literal text first: "{name} {age} – {loc}" also matches "Sweet girl in {loc} – {name}"
    shapes = [(i, t) for group in (sim._T_SV, sim._T_EN) for i, t in enumerate(group)]
    shapes.sort(key=lambda x: -len(re.sub(r"\{[a-z_]+\}", "", x[1])))
    titles = [(i, _template_pattern(t)) for i, t in shapes]
    opens = [(i, t.split("{")[0]) for group in (sim._OPEN_SV, sim._OPEN_EN) for i, t in enumerate(group)]
    # the contact phrases that are translations of each other share a number
    contact = {"Ring eller sms": 0, "Endast sms": 1, "Tel ": 2, "SMS/WhatsApp": 4}
    contact |= {"Call or SMS": 0, "SMS only": 1, "Phone ": 2, "WhatsApp": 4}

    def key(title: str, body: str) -> tuple[int, int, int]:
        t = next((i for i, r in titles if r.match(title)), -1)
        o = next((i for i, x in opens if x in body), -1)
        c = next((v for x, v in contact.items() if x in body), -1)
        return (t, o, c)

    return key


def translation_oracle(w: Path, settings: dict[str, object]) -> Counter[tuple[str, bool]]:
    """Pairs of advertisers in other languages with a place in common, by truth and a shared translated template."""
    obs, ads, linked, truth = linked_world(w, settings)
    r, idx, key = linked.result, ads.index(), translated_templates()
    n = int(r.advertiser.max()) + 1 if len(r.advertiser) else 0
    used: list[Counter[tuple[int, int, int]]] = [Counter() for _ in range(n)]
    for o in obs:
        used[int(r.advertiser[idx[(o.site, o.site_ad_id)]])][key(o.title or "", o.body or "")] += 1
    lang: list[Counter[str]] = [Counter() for _ in range(n)]
    net: list[Counter[str]] = [Counter() for _ in range(n)]
    towns: list[set[str]] = [set() for _ in range(n)]
    pnet = np.full(n, -1, np.int64)
    for i, a in enumerate(ads.ads):
        x = int(r.advertiser[i])
        lang[x][a.language or ""] += a.n_obs
        net[x][truth.network[a.key] or ""] += a.n_obs
        pnet[x] = int(r.network[i])
        if a.kommun_kod:
            towns[x].add(a.kommun_kod)
    main_lang = [c.most_common(1)[0][0] for c in lang]
    tnet = [c.most_common(1)[0][0] for c in net]
    full = [{k for k, c in u.items() if c >= 2 and min(k) >= 0} for u in used]
    out: Counter[tuple[str, bool]] = Counter()
    for x in range(n):
        for y in range(x + 1, n):
            if main_lang[x] == main_lang[y] or not towns[x] & towns[y]:
                continue
            same = bool(tnet[x]) and tnet[x] == tnet[y]
            kind = "missed" if same and not (pnet[x] >= 0 and pnet[x] == pnet[y]) else "found" if same else "strangers"
            out[(kind, bool(full[x] & full[y]))] += 1
    return out


def pair_features(v: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (one true network) and 'missed by the linking' per advertiser pair with a place in common."""
    n = len(v["tnet"])
    users = Counter(k for ks in v["keys"] for k in ks)
    share = Counter(m for t in v["towns"] for m in t)
    rows, label, miss = [], [], []
    for a in range(n):
        for b in range(a + 1, n):
            both = v["towns"][a] & v["towns"][b]
            if not both:
                continue
            shared = sorted(users[k] for k in v["keys"][a] & v["keys"][b])
            rows.append(
                [
                    len(shared),
                    shared[0] if shared else 0,
                    shared[1] if len(shared) > 1 else 0,
                    len(both),
                    len(both) / len(v["towns"][a] | v["towns"][b]),
                    float(np.sum(np.log([share[m] / n for m in both]))),
                    abs(int(v["first"][a]) - int(v["first"][b])),
                    min(int(v["last"][a]), int(v["last"][b])) - max(int(v["first"][a]), int(v["first"][b])),
                    float(v["lang"][a] == v["lang"][b]),
                    min(v["persons"][a], v["persons"][b]),
                    max(v["persons"][a], v["persons"][b]),
                    n,
                ]
            )
            same = bool(v["tnet"][a]) and v["tnet"][a] == v["tnet"][b]
            label.append(same)
            miss.append(same and not (v["pnet"][a] >= 0 and v["pnet"][a] == v["pnet"][b]))
    return np.array(rows, float).reshape(-1, 12), np.array(label, bool), np.array(miss, bool)


def classifier(worlds: dict[int, dict[str, Any]]) -> None:
    """Fit on half of the worlds, score the other half (both ways)."""
    from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-not-found]

    parts = {s: pair_features(v) for s, v in worlds.items()}
    seeds = np.array(sorted(parts))
    np.random.default_rng(0).shuffle(seeds)
    halves = (set(seeds[: len(seeds) // 2].tolist()), set(seeds[len(seeds) // 2 :].tolist()))
    for fit_on, test_on in (halves, halves[::-1]):

        def stack(which: set[int], j: int) -> np.ndarray:
            return np.concatenate([parts[s][j] for s in sorted(which)])

        model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=0)
        model.fit(stack(fit_on, 0), stack(fit_on, 1))
        p = model.predict_proba(stack(test_on, 0))[:, 1]
        y, m = stack(test_on, 1), stack(test_on, 2)
        for thr in (0.5, 0.9, 0.97):
            sel = p >= thr
            print(
                f"classifier (fitted on {len(fit_on)} worlds, scored on {len(test_on)}), threshold {thr}: "
                f"{int((sel & m).sum())} of {int(m.sum())} missed pairs taken, {int((sel & y).sum())} true and "
                f"{int((sel & ~y).sum())} false pairs in all"
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default="1-8")
    p.add_argument("--preset", default="ostergotland")
    p.add_argument("--cache", type=Path, default=Path("/tmp/lagesbild-link-worlds"))
    p.add_argument("--sim-src", type=Path, help="run the simulator from this source tree (holding lagesbild/)")
    p.add_argument("--set", action="append", default=[], help="a LinkSettings field: name=value (repeatable)")
    p.add_argument("--arrival", help="co-arrival rule bounds to score, comma-separated (e.g. 0.15,0.3,1)")
    p.add_argument("--arrival-jaccard", type=float, default=0.5)
    p.add_argument("--arrival-places", type=int, default=2)
    p.add_argument("--successive", action="store_true", help="count successive compatible personas per advertiser")
    p.add_argument("--translation-oracle", action="store_true", help="count shared translated templates (oracle)")
    p.add_argument("--classifier", action="store_true", help="fit and score the pair classifier (scikit-learn)")
    a = p.parse_args()
    settings = {k: json.loads(v) for k, _, v in (x.partition("=") for x in a.set)}
    worlds: dict[int, dict[str, Any]] = {}
    total: Counter[str] = Counter()
    for seed in parse_seeds(a.seeds):
        v = worlds[seed] = advertisers(world(a.cache, a.preset, seed, a.sim_src), settings)
        f1 = network_f1(units_of(v), v["tnet"], v["nobs"])[0]
        m = missed(v)
        total.update(m)
        print(f"seed {seed}: network F1 {f1:.3f}, missed pair weight {sum(m.values())}", flush=True)
    weight = sum(total.values()) or 1
    print("missed pairs of one true network, by what the two advertisers have in common (share of weight):")
    for what, k in total.most_common():
        print(f"  {what}: {k / weight:.1%}")
    base = np.array([network_f1(units_of(v), v["tnet"], v["nobs"])[0] for v in worlds.values()])
    print(f"network F1: mean {base.mean():.4f}, worst {base.min():.3f}, below 0.90: {int((base < 0.9).sum())}")
    for bound in [float(x) for x in a.arrival.split(",")] if a.arrival else []:
        f1s, p_min, n_true, n_false = [], 1.0, 0, 0
        for v in worlds.values():
            units, t, f = arrival_units(v, bound, a.arrival_jaccard, a.arrival_places)
            f1, prec, _ = network_f1(units, v["tnet"], v["nobs"])
            f1s.append(f1)
            p_min = min(p_min, prec)
            n_true, n_false = n_true + t, n_false + f
        scores = np.array(f1s)
        print(
            f"co-arrival bound {bound}: mean {scores.mean():.4f}, worst {scores.min():.3f}, "
            f"below 0.90: {int((scores < 0.9).sum())}, "
            f"precision min {p_min:.3f}; ties within a true network {n_true}, across {n_false}"
        )
    if a.successive:
        one = two = 0
        for seed in worlds:
            same, other = successive_personas(world(a.cache, a.preset, seed, a.sim_src), settings)
            one, two = one + same, two + other
        print(f"successive compatible personas within one advertiser: {one} of one woman, {two} of two women")
    if a.translation_oracle:
        pairs: Counter[tuple[str, bool]] = Counter()
        for seed in worlds:
            pairs.update(translation_oracle(world(a.cache, a.preset, seed, a.sim_src), settings))
        print("pairs in other languages with a place in common, sharing a translated template (oracle):")
        for kind in ("missed", "found", "strangers"):
            k, n = pairs[(kind, True)], pairs[(kind, True)] + pairs[(kind, False)]
            print(f"  {kind}: {k} of {n} ({k / max(n, 1):.1%})")
    if a.classifier:
        classifier(worlds)


if __name__ == "__main__":
    main()
