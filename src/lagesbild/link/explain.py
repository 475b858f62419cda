"""Why two ads are or are not linked: the direct evidence between them and, when they are
linked through others, the chain of evidence that joins them; and per network, the evidence
that ties its persons (shared identifiers as pseudonyms, template similarity).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from lagesbild.errors import InputError
from lagesbild.i18n import label
from lagesbild.link._types import LinkSettings
from lagesbild.link.cluster import KINDS, Edges, Linked
from lagesbild.link.text import similarity
from lagesbild.records.link import SiteAds

__all__ = [
    "AdListing",
    "Explanation",
    "NetworkEvidence",
    "Signal",
    "Step",
    "explain",
    "explain_network",
    "list_ads",
    "parse_key",
    "term",
]


@dataclass(frozen=True)
class Step:
    """One evidence edge on a chain: from site ad, to site ad, and the kind of evidence."""

    a: str
    b: str
    kind: str


@dataclass(frozen=True)
class Signal:
    """One signal the linking rules look at for a pair of site ads, with its value and weight.

    The rules (:mod:`lagesbild.link.cluster`) are decisions, not a sum of scores; ``weight`` says
    what a signal can do: ``decisive`` (enough on its own when the profiles agree), ``veto`` (can
    only keep two ads apart), ``network`` (ties advertisers into a network only), ``none``
    (used by nothing here, e.g. a shared number).

    Attributes:
        name: ``phones``, ``emails``, ``images``, ``text``, ``name``, ``age``, ``template``.
        value: what the pair shows (a count, a distance, a similarity, yes/no), as text.
        threshold: the setting it is compared with, as text ("" when none).
        weight: decisive, veto, network or none.
        fired: whether it counted for this pair (an identifier shared, a veto that applies, ...).
    """

    name: str
    value: str
    threshold: str
    weight: str
    fired: bool


@dataclass(frozen=True)
class Explanation:
    """The evidence about two site ads (keys written ``site:site_ad_id``).

    Attributes:
        a, b: the two site ads.
        same: per level (``ad``, ``person``, ``advertiser``, ``network``): are they linked?
        ids: per site ad, its ad, person, advertiser and network id.
        shared_phones, shared_emails: pseudonyms both ads show (shared numbers marked ``(shared number)``).
        image_bits: the smallest Hamming distance between their photos (None without photos).
        same_name, age_difference: the profile comparison.
        text_similarity: estimated Jaccard similarity of their text templates.
        days_apart: days between the end of the earlier and the start of the later.
        person_chain, advertiser_chain: the shortest chain of evidence joining them at that level (empty if none).
        reasons: the explanation in plain sentences.
    """

    a: str
    b: str
    same: dict[str, bool]
    ids: dict[str, tuple[str, str, str, str | None]]
    shared_phones: list[str]
    shared_emails: list[str]
    image_bits: int | None
    same_name: bool | None
    age_difference: int | None
    text_similarity: float
    days_apart: int
    person_chain: list[Step] = field(default_factory=list)
    advertiser_chain: list[Step] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)


def term(code: str, lang: str = "en") -> str:
    """A code of an explanation (signal name, weight, level, evidence kind) in ``lang`` (``sv`` or ``en``).

    The words are the package's one catalogue's (:data:`lagesbild.i18n.STRINGS`, keys ``term_`` +
    code), which the dashboard reads too; a code without a word is said as it is.

    >>> term("decisive", "sv"), term("template", "en")
    ('avgörande', 'template tie')
    """
    return label("term", code, "sv" if lang == "sv" else "en")


def _say(lang: str, sv: str, en: str) -> str:
    return sv if lang == "sv" else en


def _num(x: float, lang: str, spec: str = "") -> str:
    """``format(x, spec)`` with the separators of the command line's numbers (``0,82`` in Swedish)."""
    text = format(x, spec)
    return text.replace(",", "\u00a0").replace(".", ",") if lang == "sv" else text


def _common_sv(count: int) -> str:
    return "gemensamt" if count == 1 else "gemensamma"


def parse_key(text: str) -> tuple[str, str]:
    """``"site:site_ad_id"`` -> ``(site, site_ad_id)``.

    >>> parse_key("annonsportalen:A-100003")
    ('annonsportalen', 'A-100003')
    """
    site, sep, ad = text.partition(":")
    if not sep or not site or not ad:
        raise InputError(f"write an ad as site:site_ad_id, not {text!r}")
    return site, ad


def _chain(edges: Edges, start: int, goal: int, keys: list[str]) -> list[Step]:
    adj: dict[int, list[tuple[int, int]]] = {}
    for i, j, k in zip(edges.i.tolist(), edges.j.tolist(), edges.kind.tolist(), strict=True):
        adj.setdefault(i, []).append((j, k))
        adj.setdefault(j, []).append((i, k))
    prev: dict[int, tuple[int, int]] = {start: (-1, -1)}
    q = deque([start])
    while q:
        x = q.popleft()
        if x == goal:
            break
        for y, k in adj.get(x, ()):
            if y not in prev:
                prev[y] = (x, k)
                q.append(y)
    if goal not in prev or start == goal:
        return []
    steps = []
    x = goal
    while x != start:
        p, k = prev[x]
        steps.append(Step(keys[p], keys[x], KINDS[k]))
        x = p
    return steps[::-1]


def _bits(h1: set[str], h2: set[str]) -> int | None:
    if not h1 or not h2:
        return None
    a = np.array([int(x, 16) for x in h1], dtype=np.uint64)
    b = np.array([int(x, 16) for x in h2], dtype=np.uint64)
    x = a[:, None] ^ b[None, :]
    return int(np.unpackbits(x.reshape(-1).view(np.uint8)).reshape(-1, 64).sum(axis=1).min())


def explain(ads: SiteAds, linked: Linked, a: tuple[str, str], b: tuple[str, str], *, lang: str = "en") -> Explanation:
    """Explain the linking of site ads ``a`` and ``b``.

    The texts (signal values and thresholds, reasons, the shared-number mark) are in ``lang``
    (``en`` or ``sv``, numbers with that language's separators); the codes (signal names, weights,
    levels, evidence kinds) are English in every language: :func:`term` says them in ``lang``.

    Raises:
        InputError: if either is not among ``ads``.
    """
    idx = ads.index()
    for k in (a, b):
        if k not in idx:
            raise InputError(
                f"{k[0]}:{k[1]} has not been linked (no such site ad; run `lagesbild link run` after importing)"
            )
    i, j = idx[a], idx[b]
    x, y = ads.ads[i], ads.ads[j]
    r = linked.result
    keys = [f"{s}:{ad}" for s, ad in r.keys]
    same = {
        "ad": bool(r.ad[i] == r.ad[j]),
        "person": bool(r.person[i] == r.person[j]),
        "advertiser": bool(r.advertiser[i] == r.advertiser[j]),
        "network": bool(r.network[i] >= 0 and r.network[i] == r.network[j]),
    }
    phones = sorted(x.phones & y.phones)
    shared_mark = _say(lang, " (delat nummer)", " (shared number)")
    shown = [p + (shared_mark if p in r.shared_numbers else "") for p in phones]
    emails = sorted(x.emails & y.emails)
    bits = _bits(x.images, y.images)
    same_name = None if x.name is None or y.name is None else x.name == y.name
    age_diff = None if x.age is None or y.age is None else abs(x.age - y.age)
    sim = similarity(x.signature, y.signature)
    first, second = (x, y) if x.first_seen <= y.first_seen else (y, x)
    days = int((np.datetime64(second.first_seen) - np.datetime64(first.last_seen)).astype(int))
    person_chain = _chain(linked.person_edges, i, j, keys) if same["person"] else []
    adv_chain = (
        _chain(Edges.concat([linked.person_edges, linked.advertiser_edges]), i, j, keys) if same["advertiser"] else []
    )
    template_tie = _template_tie(linked, int(r.advertiser[i]), int(r.advertiser[j]))
    st = linked.settings
    usable = [p for p in phones if p not in r.shared_numbers]

    def n(x: float, spec: str = ",") -> str:
        return _num(x, lang, spec)

    n_phones, n_unusable, n_emails = n(len(phones)), n(len(phones) - len(usable)), n(len(emails))
    similar = n(sim, ".2f")
    signals = [
        Signal(
            "phones",
            _say(lang, f"{n_phones} {_common_sv(len(phones))}", f"{n_phones} in common")
            + (
                _say(
                    lang,
                    f", varav {n_unusable} används av många orelaterade annonser (räknas inte)",
                    f", {n_unusable} of them used by many unrelated ads (not counted)",
                )
                if len(usable) < len(phones)
                else ""
            ),
            "",
            "decisive",
            bool(usable),
        ),
        Signal(
            "emails",
            _say(lang, f"{n_emails} {_common_sv(len(emails))}", f"{n_emails} shared"),
            "",
            "decisive",
            bool(emails),
        ),
        Signal(
            "images",
            _say(lang, "inga bilder", "no photos")
            if bits is None
            else _say(lang, f"{n(bits)} bitar ifrån varandra", f"{n(bits)} bits apart"),
            _say(lang, f"högst {n(st.image_max_bits)} bitar", f"at most {n(st.image_max_bits)} bits"),
            "decisive",
            bits is not None and bits <= st.image_max_bits,
        ),
        Signal(
            "text",
            _say(lang, f"likhet {similar}", f"similarity {similar}"),
            _say(lang, "minst ", "at least ") + n(st.text_threshold, ".2f"),
            "decisive",
            sim >= st.text_threshold,
        ),
        Signal(
            "name",
            _say(lang, "okänt", "unknown")
            if same_name is None
            else (_say(lang, "samma", "same") if same_name else _say(lang, "olika", "different")),
            _say(lang, "måste vara samma för en person", "must be the same for one person"),
            "veto",
            same_name is False,
        ),
        Signal(
            "age",
            _say(lang, "okänd", "unknown")
            if age_diff is None
            else _say(lang, f"{n(age_diff)} års skillnad", f"{n(age_diff)} years apart"),
            _say(lang, f"högst {n(st.age_tolerance)} års skillnad", f"at most {n(st.age_tolerance)} years apart"),
            "veto",
            age_diff is not None and age_diff > st.age_tolerance,
        ),
        Signal(
            "template",
            _template_value(linked, int(r.advertiser[i]), int(r.advertiser[j]), template_tie, lang),
            _template_rule(st, lang) if st.template_networks else _say(lang, "avstängt", "off"),
            "network",
            template_tie,
        ),
    ]
    reasons = []
    if usable:
        reasons.append(
            _say(lang, f"de delar {n(len(usable))} telefonnummer", f"they share {n(len(usable))} phone number(s)")
        )
    if len(usable) < len(phones):
        reasons.append(
            _say(
                lang,
                "ett gemensamt nummer som båda visar står bredvid många andras egna nummer: det länkar ingenting",
                "a shared number they both show is used next to many other people's own numbers: it links nothing",
            )
        )
    if emails:
        reasons.append(_say(lang, f"de delar {n_emails} e-postadress(er)", f"they share {n_emails} e-mail address(es)"))
    if bits is not None and bits <= linked.settings.image_max_bits:
        reasons.append(
            _say(
                lang,
                f"de visar samma bild ({n(bits)} bitar ifrån varandra)",
                f"they show the same photo ({n(bits)} bits apart)",
            )
        )
    if same_name is False:
        reasons.append(
            _say(
                lang,
                "namnen skiljer sig: inte en person (högst en annonsör)",
                "the names differ: not one person (one advertiser at most)",
            )
        )
    if age_diff is not None and age_diff > linked.settings.age_tolerance:
        reasons.append(
            _say(
                lang,
                f"de angivna åldrarna skiljer sig med {n(age_diff)} år: inte en person",
                f"the stated ages differ by {n(age_diff)} years: not one person",
            )
        )
    if sim >= linked.settings.text_threshold:
        reasons.append(
            _say(
                lang,
                f"texterna kommer från en mall (likhet {similar})",
                f"their texts come from one template (similarity {similar})",
            )
        )
    for level in ("person", "advertiser"):
        chain = person_chain if level == "person" else adv_chain
        if same[level] and len(chain) > 1:
            reasons.append(
                _say(
                    lang,
                    f"samma {term(level, lang)} genom {n(len(chain))} steg av belägg via andra annonser",
                    f"same {level} through {n(len(chain))} steps of evidence via other ads",
                )
            )
    if not same["advertiser"]:
        reasons.append(
            _say(
                lang,
                "ingen kedja av belägg förenar dem: olika annonsörer",
                "no chain of evidence joins them: different advertisers",
            )
        )
    return Explanation(
        a=keys[i],
        b=keys[j],
        same=same,
        ids={keys[i]: r.ids_of(i), keys[j]: r.ids_of(j)},
        shared_phones=shown,
        shared_emails=emails,
        image_bits=bits,
        same_name=same_name,
        age_difference=age_diff,
        text_similarity=sim,
        days_apart=days,
        person_chain=person_chain,
        advertiser_chain=adv_chain,
        reasons=reasons,
        signals=signals,
    )


def _template_rule(st: LinkSettings, lang: str = "en") -> str:
    """The template-tie rule of ``st`` in words (rule 4 of :mod:`lagesbild.link.cluster`)."""

    def n(x: float) -> str:
        return _num(x, lang)

    part = (
        _say(
            lang,
            f" eller inneslutning minst {n(st.network_place_containment)} på {n(st.network_containment_min_places)}+"
            f" orter och Jaccard minst {n(st.network_containment_jaccard)}",
            f" or containment at least {n(st.network_place_containment)} in {n(st.network_containment_min_places)}+"
            f" places and Jaccard at least {n(st.network_containment_jaccard)}",
        )
        if st.network_place_containment > 0
        else ""
    )
    one_part = part if st.network_single_key_containment else ""
    variants = (
        _say(
            lang,
            f", sidan med färre nycklar på sitt språk högst {n(st.network_single_key_max_variants)}",
            f", the side with fewer keys in its language at most {n(st.network_single_key_max_variants)}",
        )
        if st.network_single_key_max_variants > 0
        else ""
    )
    no_tie = _say(lang, "inget band", "no tie")
    one_key = (
        _say(
            lang,
            f"slump högst {n(st.network_single_key_chance)}, orternas Jaccard minst ",
            f"chance at most {n(st.network_single_key_chance)}, places Jaccard at least ",
        )
        + f"{n(st.network_single_key_jaccard)}{one_part}{variants}"
        if st.network_single_key_chance > 0
        else no_tie
    )
    unorganized = (
        _say(lang, "slump högst ", "chance at most ") + n(st.network_unorganized_chance)
        if st.network_unorganized_chance > 0
        else no_tie
    )

    def bound(x: float) -> str:
        return _say(lang, "högst ", "at most ") + n(x) if x > 0 else no_tie

    persons = (
        _say(lang, ", högst ", ", at most ")
        + n(st.network_world_single_max_persons)
        + _say(lang, " personer på den mindre sidan", " persons on the smaller side")
        if st.network_world_single_max_persons > 0
        else ""
    )
    world = (
        _say(
            lang,
            f"; i hela världen (slump gånger annonsörer med kandidater): {n(st.network_min_templates)}+ nycklar, "
            f"egna nummer eller del av rundan: {bound(st.network_world_chance)}; en nyckel: "
            f"{bound(st.network_world_single_chance)} (en text som andra skriver på annat håll: "
            f"{bound(st.network_world_single_elsewhere_chance)}{persons}); en kvinna på del av en organisatörs "
            f"runda: {bound(st.network_world_part_chance)}; två kvinnor på egna nummer, samma runda: "
            f"{bound(st.network_world_free_chance)}",
            f"; in the whole world (chance times advertisers with candidates): {n(st.network_min_templates)}+ keys, "
            f"own numbers or part of the circuit: {bound(st.network_world_chance)}; one key: "
            f"{bound(st.network_world_single_chance)} (a text others write elsewhere: "
            f"{bound(st.network_world_single_elsewhere_chance)}{persons}); one woman on part of an organizer's "
            f"circuit: {bound(st.network_world_part_chance)}; two women on their own numbers, one circuit: "
            f"{bound(st.network_world_free_chance)}",
        )
        if st.world_bound
        else ""
    )
    return _say(
        lang,
        f"{n(st.network_min_templates)}+ gemensamma nycklar: slump högst {n(st.network_template_chance)}, orternas "
        f"Jaccard minst {n(st.network_place_jaccard)}{part}; en nyckel: {one_key}; ingen av annonsörerna med "
        f"{n(st.template_min_persons)}+ personer: {unorganized}{world}",
        f"{n(st.network_min_templates)}+ shared keys: chance at most {n(st.network_template_chance)}, places Jaccard "
        f"at least {n(st.network_place_jaccard)}{part}; one key: {one_key}; neither advertiser with "
        f"{n(st.template_min_persons)}+ persons: {unorganized}{world}",
    )


def _template_value(linked: Linked, adv_a: int, adv_b: int, tied: bool, lang: str = "en") -> str:
    """The template evidence between two advertisers: the direct tie's scores, or how they are joined."""
    t = linked.ties
    if tied and len(t.a):
        hit = np.flatnonzero(((t.a == adv_a) & (t.b == adv_b)) | ((t.a == adv_b) & (t.b == adv_a)))
        if len(hit):
            q = int(hit[0])
            keys = _num(int(t.n_templates[q]), lang, ",")
            chance = _num(float(t.chance[q]), lang, ".2g")
            jaccard = _num(float(t.place_jaccard[q]), lang, ".2f")
            containment = _num(float(t.place_containment[q]), lang, ".2f")
            return _say(
                lang,
                f"band: {keys} gemensamma nycklar, slump {chance}, orternas Jaccard {jaccard}, "
                f"inneslutning {containment}",
                f"tied: {keys} shared key(s), chance {chance}, places Jaccard {jaccard}, containment {containment}",
            )
    if tied:
        return _say(
            lang,
            "deras annonsörer delar en särpräglad mall på samma orter",
            "their advertisers share a distinctive template in the same places",
        )
    net = linked.result.network
    rows_a = np.flatnonzero(linked.result.advertiser == adv_a)
    rows_b = np.flatnonzero(linked.result.advertiser == adv_b)
    if adv_a != adv_b and len(rows_a) and len(rows_b) and net[rows_a[0]] >= 0 and net[rows_a[0]] == net[rows_b[0]]:
        return _say(
            lang,
            "inget direkt band; ett nätverk genom andra annonsörer",
            "no direct tie; one network through other advertisers",
        )
    return _say(lang, "inget mallband", "no template tie")


def _template_tie(linked: Linked, adv_a: int, adv_b: int) -> bool:
    """Whether a template edge joins the two advertisers (rule 4 of :mod:`lagesbild.link.cluster`)."""
    if adv_a == adv_b:
        return False
    e, adv = linked.template_edges, linked.result.advertiser
    if not len(e.i):
        return False
    x, y = adv[e.i], adv[e.j]
    return bool(np.any(((x == adv_a) & (y == adv_b)) | ((x == adv_b) & (y == adv_a))))


@dataclass(frozen=True)
class NetworkEvidence:
    """Why a network is one: its persons and the identifiers and template that tie them.

    Attributes:
        network_id: the network.
        persons: per person: id, name, age, number of site ads.
        shared_phones, shared_emails: pseudonyms used by more than one of its persons.
        template_similarity: median estimated Jaccard similarity of the persons' text templates
            (first site ad of each person against each other), 0 with one person.
        kommuns: municipalities of its ads.
        first_seen, last_seen: its active period.
    """

    network_id: str
    persons: list[tuple[str, str | None, int | None, int]]
    shared_phones: list[str]
    shared_emails: list[str]
    template_similarity: float
    kommuns: list[str]
    first_seen: str
    last_seen: str


def explain_network(ads: SiteAds, linked: Linked, network_id: str) -> NetworkEvidence:
    """The evidence of one network.

    Raises:
        InputError: if there is no network with that id.
    """
    r = linked.result
    if network_id not in r.network_ids:
        raise InputError(f"no network {network_id!r} (see the link_networks table or `lagesbild link run`)")
    k = r.network_ids.index(network_id)
    rows = np.flatnonzero(r.network == k)
    persons: dict[int, list[int]] = {}
    for i in rows.tolist():
        persons.setdefault(int(r.person[i]), []).append(i)
    users: dict[str, set[int]] = {}
    email_users: dict[str, set[int]] = {}
    for p, members in persons.items():
        for i in members:
            for ph in ads.ads[i].phones - r.shared_numbers:
                users.setdefault(ph, set()).add(p)
            for e in ads.ads[i].emails:
                email_users.setdefault(e, set()).add(p)
    firsts = [ads.ads[m[0]].signature for m in persons.values()]
    sims = [similarity(firsts[x], firsts[y]) for x in range(len(firsts)) for y in range(x + 1, len(firsts))]
    return NetworkEvidence(
        network_id=network_id,
        persons=[(r.person_ids[p], ads.ads[m[0]].name, ads.ads[m[0]].age, len(m)) for p, m in sorted(persons.items())],
        shared_phones=sorted(ph for ph, v in users.items() if len(v) > 1),
        shared_emails=sorted(e for e, v in email_users.items() if len(v) > 1),
        template_similarity=float(np.median(sims)) if sims else 0.0,
        kommuns=sorted({x for i in rows.tolist() if (x := ads.ads[i].kommun_kod)}),
        first_seen=min(ads.ads[i].first_seen for i in rows.tolist()),
        last_seen=max(ads.ads[i].last_seen for i in rows.tolist()),
    )


@dataclass(frozen=True)
class AdListing:
    """One site ad as `link list` shows it: the key `link explain` takes, and its linked ids."""

    key: str
    site: str
    site_ad_id: str
    kommun: str | None
    first_seen: str
    last_seen: str
    ad_id: str
    person_id: str
    advertiser_id: str
    network_id: str | None


def list_ads(
    ads: SiteAds, linked: Linked, *, site: str | None = None, kommun: str | None = None, limit: int | None = 50
) -> list[AdListing]:
    """The linked site ads, newest first, optionally of one site or municipality (four-digit code).

    Raises:
        InputError: a limit below 1.
    """
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}", field="--limit")
    r = linked.result
    out: list[AdListing] = []
    order = sorted(range(len(ads.ads)), key=lambda n: (ads.ads[n].last_seen, r.keys[n]), reverse=True)
    for n in order:
        x = ads.ads[n]
        s_name, ad_id = r.keys[n]
        if (site is not None and s_name != site) or (kommun is not None and x.kommun_kod != kommun):
            continue
        ad, person, advertiser, network = r.ids_of(n)
        out.append(
            AdListing(
                f"{s_name}:{ad_id}",
                s_name,
                ad_id,
                x.kommun_kod,
                x.first_seen,
                x.last_seen,
                ad,
                person,
                advertiser,
                network,
            )
        )
        if limit is not None and len(out) >= limit:
            break
    return out
