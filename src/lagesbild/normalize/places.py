"""Place text -> municipality (kommun) and county (län).

The resolver reads, in order of trust, the location the ad states, its title and its
body, and looks every word span (up to three words) up in one dictionary built from
the bundled gazetteer plus the curated slang in ``rules/places.yaml`` (Sthlm, Gbg,
Norrkpg, Jkpg...). Only tokens that look like places and are unknown are fuzzy
matched (rapidfuzz), so misspellings such as "Götebrog" resolve without paying for a
fuzzy search over every word.

Names that exist in several municipalities are decided by, in turn, the site's own
city page (``site_city``), other places named in the same ad, and population; when
none of these separates the candidates the answer is an explicit unknown (with the
county if all candidates share one), never a guess. A municipality's own name wins over
same-named localities first; a locality named next to a municipality is a district of it
("Linköping, Valla"); a municipality named before its county's largest city is the place
("Nacka, Stockholm"). A title's weak answer (fuzzy, by population or county) gives way to a
surer one in the body, and an ad on tour that names several towns has no municipality.

Common words that are also place names ("Backe", "Vara", "Mark", "Ed") are a stop
list in the rules file: in a title or body they count only after a location word
("i Vara", "nära Mark", "bor i Ed"), or as a body's whole first sentence when the word is a
municipality's name and no given name ("Vara. Ring ...", not "Nora. 19 år").

>>> resolve_place("Gbg").kommun_kod
'1480'
>>> resolve_place("", body="Ny tjej i Vara, ring mig").kommun_kod
'1470'
>>> resolve_place("", body="Jag är bara här för dig").kommun_kod is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from lagesbild.normalize._rules import rules
from lagesbild.refdata import fold_name, gazetteer, municipalities, postcodes

__all__ = ["UNKNOWN", "PlaceMatch", "resolve_place"]

_KIND_RANK = {"alias": 0, "stadsdel": 0, "stadsdelsomrade": 0, "kommun": 1, "tatort": 2, "postort": 2, "lan": 3}
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'.][^\W\d_]+)*")
# (or with a word for its centre: "Sala centrum, lugnt och diskret", "Vara C. Ring ...")
_LEAD_SENTENCE = re.compile(r"\s*[^\W\d_]+(?: (?i:centrum|city|c|center|centre|innerstad|stad))?[.,:](?:\s|$)")
_DISTANCE_TO = frozenset(("om", "of", "fran", "from", "utanfor", "outside", "away", "bort"))  # folded
_POSTCODE = re.compile(r"(?=[1-9])(?<!\d)([1-9]\d{2}) ?(\d{2})(?!\d)")  # lookahead: see _gate.with_first_chars


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A resolved place.

    Attributes:
        kommun_kod: four-digit municipality code; None means unknown (or county only).
        lan_kod: two-digit county code; None when not even the county is known.
        confidence: 0..1, how sure the resolver is (0.0 for unknown).
        matched: the text that was matched, as written (kept for review).
        source: where it was found: ``location``, ``title``, ``body``, ``site_city``.
    """

    kommun_kod: str | None
    lan_kod: str | None
    confidence: float
    matched: str | None
    source: str | None = None


UNKNOWN = PlaceMatch(None, None, 0.0, None)


@dataclass(frozen=True, slots=True)
class _Cand:
    kommun: str | None  # None for a county name
    lan: str
    rank: int
    population: int


@dataclass(frozen=True, slots=True)
class _Hit:
    cands: tuple[_Cand, ...]
    matched: str
    fuzzy: bool = False
    start: int = 0  # token positions: hits next to each other are read together
    end: int = 0
    municipal: bool = False  # a municipality's own name or curated slang for one ("Nacka", "Hudik")
    origin: bool = False  # after "från"/"from": where the advertiser comes from, not a stop
    current: bool = False  # after "nu i"/"now in": where the ad is now, even on a tour
    placed: bool = False  # a district the ad places in the municipality named next to it


@dataclass(frozen=True, slots=True)
class _Index:
    names: dict[str, tuple[_Cand, ...]]
    first_words: frozenset[str]
    stopwords: frozenset[str]
    given_names: frozenset[str]
    location_words: frozenset[str]
    suffixes: tuple[str, ...]
    foreign_suffixes: tuple[str, ...]
    foreign_min_stem: int
    fuzzy_choices: tuple[str, ...]
    conf: dict[str, float]
    # Lower-cased names as spelled (with å, ä, ö) -> municipalities: "Varberg" is not
    # "Vårberg" even though both fold to "varberg".
    spelled: dict[str, frozenset[str]]
    municipal_names: frozenset[str]
    region_cities: frozenset[str]  # each county's largest municipality: "Nacka, Stockholm" is Nacka
    origin_words: frozenset[str]
    origin_phrases: tuple[tuple[str, ...], ...]  # "uppvuxen" + a location word + the place
    origin_persons: frozenset[str]  # the place + "girl": "Oslo girl visiting Strömstad"
    near_words: frozenset[str]  # "nära Malmö, i Vellinge": a landmark that gives way to the place named
    current_phrases: tuple[tuple[str, ...], ...]  # "nu" + a location word + the place
    corrections: frozenset[str]  # "Hudik... nej, Söderhamn": the place after it replaces the one before
    age_units: frozenset[str]  # "Ulla 52 år, Nora.": a place may follow the age
    distance_words: frozenset[str]  # "20 km norr om Hudiksvall": a landmark, not the place
    weak_below: float
    tour: re.Pattern[str] | None
    # municipalities' own names spelled with å, ä or ö whose folded form is a stop word ("Åre" is no "are")
    accented_municipal: frozenset[str] = frozenset()
    cyrillic_endings: tuple[str, ...] = ()
    # "Plats: Mora", "📍 Mora": group 1 is the field's value (to the end of its sentence or line)
    field: re.Pattern[str] | None = None


@cache
def _index() -> _Index:
    cfg = rules("places")
    kommuner = municipalities()
    best: dict[tuple[str, str | None, str], tuple[int, int]] = {}
    for e in gazetteer():
        kommun = None if e.kind == "lan" else e.municipality_code
        rank = _KIND_RANK.get(e.kind, 3)
        pop = e.population if e.kind == "tatort" else 0
        if kommun is not None and e.kind in ("kommun", "alias", "stadsdel", "stadsdelsomrade"):
            pop = kommuner[kommun].population_total
        key = (e.folded, kommun, e.county_code)
        old = best.get(key)
        if old is None or (rank, -pop) < (old[0], -old[1]):
            best[key] = (rank, pop)
    # a postal town named like one part of a double-barrelled locality ("Nödinge" of "Nödinge-Nol", in Ale; a postal
    # area of the same name reaches into Göteborg) has that locality's population in its municipality
    for e in gazetteer():
        if e.kind == "tatort" and "-" in e.name and e.population > 0:
            for part in e.folded.split():
                key = (part, e.municipality_code, e.county_code)
                if key in best and best[key][0] == 2 and best[key][1] == 0:
                    best[key] = (2, e.population)
    spelled: dict[str, set[str]] = {}
    for e in gazetteer():
        if e.kind != "lan":
            spelled.setdefault(e.name.lower().replace("-", " "), set()).add(e.municipality_code)
    names: dict[str, list[_Cand]] = {}
    for (name, kommun, lan), (rank, pop) in best.items():
        names.setdefault(name, []).append(_Cand(kommun, lan, rank, pop))
    municipal = {fold_name(m.name) for m in kommuner.values()}
    # Curated aliases override the gazetteer; a null code makes the name explicitly foreign.
    for name, code in (cfg.get("aliases") or {}).items():
        folded = fold_name(str(name))
        if code is None:
            names[folded] = []
            municipal.add(folded)  # a foreign city: a stop of a tour like a town
            continue
        m = kommuner[str(code)]
        names[folded] = [_Cand(m.code, m.county_code, 0, m.population_total)]
        if folded == fold_name(m.name):
            municipal.add(folded)
    for name, code in (cfg.get("slang") or {}).items():  # a town's own slang: "Hudik", "Väsby"
        m = kommuner[str(code)]
        names[fold_name(str(name))] = [_Cand(m.code, m.county_code, 0, m.population_total)]
        municipal.add(fold_name(str(name)))
    for name, code in (cfg.get("districts") or {}).items():  # districts the gazetteer lacks: "Flemingsberg"
        m = kommuner[str(code)]
        names[fold_name(str(name))] = [_Cand(m.code, m.county_code, 0, m.population_total)]
    for phrase in cfg.get("generic_phrases") or ():  # "Stora torget" is no place "Stora"
        names[fold_name(str(phrase))] = []
    largest: dict[str, tuple[int, str]] = {}
    for m in kommuner.values():
        if m.population_total > largest.get(m.county_code, (-1, ""))[0]:
            largest[m.county_code] = (m.population_total, m.code)
    tour_patterns = list(rules("touring")["signals"].get("on_tour") or ())
    ordered = {k: tuple(sorted(v, key=lambda c: (c.rank, -c.population))) for k, v in names.items()}
    fuzzy_pop = int(cfg["fuzzy"]["min_locality_population"])
    stop = frozenset(fold_name(str(w)) for w in (*(cfg.get("stopwords") or ()), *(cfg.get("given_names") or ())))
    choices = sorted(
        {
            name
            for name, cands in ordered.items()
            if cands
            and len(name) >= int(cfg["fuzzy"]["min_length"])
            and name not in stop
            and any(c.rank <= 1 or (c.rank == 2 and c.population >= fuzzy_pop) for c in cands)
        }
    )
    return _Index(
        names=ordered,
        first_words=frozenset(n.split(" ", 1)[0] for n in ordered if " " in n),
        stopwords=stop,
        given_names=frozenset(fold_name(str(w)) for w in cfg.get("given_names") or ()),
        location_words=frozenset(fold_name(str(w)) for w in cfg.get("location_words") or ()),
        suffixes=tuple(fold_name(str(s)) for s in cfg.get("suffixes") or ()),
        foreign_suffixes=tuple(fold_name(str(s)) for s in cfg.get("foreign_suffixes") or ()),
        foreign_min_stem=int(cfg.get("foreign_suffix_min_stem") or 5),
        fuzzy_choices=tuple(choices),
        conf={str(k): float(v) for k, v in cfg["confidence"].items()},
        spelled={k: frozenset(v) for k, v in spelled.items()},
        municipal_names=frozenset(municipal),
        region_cities=frozenset(code for _, code in largest.values()),
        origin_words=frozenset(fold_name(str(w)) for w in cfg.get("origin_words") or ()),
        origin_phrases=tuple(tuple(fold_name(str(w)).split()) for w in cfg.get("origin_before_location_word") or ()),
        origin_persons=frozenset(fold_name(str(w)) for w in cfg.get("origin_person_words") or ()),
        near_words=frozenset(fold_name(str(w)) for w in cfg.get("near_words") or ()),
        current_phrases=tuple(tuple(fold_name(str(w)).split()) for w in cfg.get("current_words") or ()),
        corrections=frozenset(fold_name(str(w)) for w in cfg.get("correction_words") or ()),
        age_units=frozenset(fold_name(str(w)) for w in cfg.get("age_units_before_place") or ()),
        distance_words=frozenset(fold_name(str(w)) for w in cfg.get("distance_words") or ()),
        weak_below=float(cfg["confidence"].get("weak_below", 0.0)),
        tour=re.compile("|".join(f"(?:{p})" for p in tour_patterns)) if tour_patterns else None,
        accented_municipal=frozenset(
            m.name.lower() for m in kommuner.values() if not m.name.isascii() and fold_name(m.name) in stop
        ),
        cyrillic_endings=tuple(fold_name(str(s)) for s in cfg.get("cyrillic_case_endings") or ()),
        field=_field_pattern([str(w) for w in cfg.get("field_labels") or ()]),
    )


def _field_pattern(labels: list[str]) -> re.Pattern[str] | None:
    if not labels:
        return None
    words = "|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True))
    return re.compile(
        rf"(?:(?<![^\W_])(?:{words})\s?:|\U0001f4cd\ufe0f?:?)[ \t]*([^\W\d_][^.!?;|\n]{{0,59}})", re.IGNORECASE
    )


def _fields(title: str | None, body: str | None) -> tuple[str, str] | None:
    """The values of the place fields an ad fills ("Plats: Mora") as text to scan, and where they were."""
    pattern = _index().field
    if pattern is None:
        return None
    for name, value in (("title", title), ("body", body)):
        if value and (":" in value or "\U0001f4cd" in value):
            found = [m.group(1).strip() for m in pattern.finditer(value)]
            if found:
                # each value read as after a location word: "i Mora. i Södermalm, Stockholm."
                return " ".join(f"i {v}." for v in found), name
    return None


@lru_cache(maxsize=200_000)
def _fold(token: str) -> str:
    return fold_name(token).replace(".", "")


@lru_cache(maxsize=100_000)
def _fuzzy(token: str) -> str | None:
    idx = _index()
    cfg = rules("places")["fuzzy"]
    if len(token) < int(cfg["min_length"]):
        return None
    found = process.extractOne(token, idx.fuzzy_choices, scorer=fuzz.ratio, score_cutoff=float(cfg["score_cutoff"]))
    return None if found is None else str(found[0])


@lru_cache(maxsize=200_000)
def _lookup(key: str) -> tuple[_Cand, ...] | None:
    """The candidates of a folded name (or of the name without a suffix such as "-området").

    Cached: most tokens of ad text are the same few thousand words, and an unknown word
    costs a dictionary lookup per suffix.
    """
    idx = _index()
    cands = idx.names.get(key)
    if cands is not None or " " in key:
        return cands
    for suffix in idx.suffixes:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            cands = idx.names.get(key[: -len(suffix)])
            if cands:
                return cands
    # a Finnish case ending on a longer name: "Haparandassa" (in), "Tukholmasta" (from)
    for suffix in idx.foreign_suffixes:
        if key.endswith(suffix) and len(key) - len(suffix) >= idx.foreign_min_stem:
            cands = idx.names.get(key[: -len(suffix)])
            if cands:
                return cands
    # a Russian or Ukrainian case ending: "в Уппсале" (Уппсала), "в Стокгольме" (Стокгольм)
    if "\u0400" <= key[-1:] <= "\u04ff":
        for suffix in idx.cyrillic_endings:
            if key.endswith(suffix) and len(key) - len(suffix) >= 4:
                stem = key[: -len(suffix)]
                cands = idx.names.get(stem) or idx.names.get(stem + "а")
                if cands:
                    return cands
    return None


def _scan(text: str, *, strict: bool, title: bool = False) -> list[_Hit]:
    """Every place name in ``text``.

    ``strict`` applies the title and body rules (stop list, case, fuzzy only after a
    location word); in a ``title`` any capitalized word after the first may be fuzzy
    matched ("Nikki - Götebrog").
    """
    idx = _index()
    # a word glued to an underscore is part of a user name or handle ("lina_sthlm_93"), no place
    matches = [
        m
        for m in _TOKEN.finditer(text)
        if text[m.start() - 1 : m.start()] != "_" and text[m.end() : m.end() + 1] != "_"
    ]
    toks = [(m.group(0), _fold(m.group(0))) for m in matches]
    # a body that opens with a municipality's name as a sentence of its own: "Vara. 070 ...", "Sala. Ring ...",
    # or as a heading with a colon: "Sala: erfaren massös ..."
    # ... or a title that is the name alone: "Sala", "Vara 💋"
    lead = strict and ((not title and _LEAD_SENTENCE.match(text) is not None) or (title and len(toks) == 1))
    # a writer who uses no capitals at all ("therese 32år tumba") writes places in lower case too
    lower = strict and not title and len(text) <= 2000 and text.islower()
    hits: list[_Hit] = []
    i, n = 0, len(toks)
    while i < n:
        raw, folded = toks[i]
        context = i > 0 and toks[i - 1][1] in idx.location_words
        if strict and not context and i > 0 and toks[i - 1][1] in idx.age_units:
            # "Ulla 52 år, Nora.": a name closing the clause after the advertiser's age is where she is
            context = text[matches[i - 1].end() : matches[i].start()].strip() == "," and (
                text[matches[i].end() : matches[i].end() + 1] in ("", ".", ",", "!", "\n")
            )
        if i == 0 and lead and folded not in idx.given_names:
            lead_cands = _lookup(folded) or ()
            context = bool(lead_cands) and lead_cands[0].rank <= 1 and lead_cands[0].kommun is not None
        capital = raw[:1].isupper() or (lower and len(folded) >= 5 and folded not in idx.given_names)
        step = 1
        for length in (3, 2, 1):
            if i + length > n or (length > 1 and folded not in idx.first_words):
                continue
            key = " ".join(t[1] for t in toks[i : i + length]) if length > 1 else folded
            cands = _lookup(key)
            if cands is None:
                continue
            if strict and length == 1 and not capital and key not in idx.names:
                break  # a common word that holds a name only with a suffix stripped: "anges" is no "Ånges"
            if strict and length == 1 and key not in idx.names and key[:-1] in idx.given_names and key[-1:] == "s":
                break  # a given name's genitive: "Sannas sista siffror" is Sanna's, no "Sanna"
            if (
                strict
                and length == 1
                and not _accept(key, cands, capital=capital, context=context or raw.lower() in idx.accented_municipal)
            ):
                break
            origin = i > 0 and toks[i - 1][1] in idx.origin_words
            origin = origin or (strict and _said_before(toks, i, idx.origin_phrases))
            origin = origin or (strict and i + length < n and toks[i + length][1] in idx.origin_persons)
            # "Nära Malmö, i Vellinge": a place near which the ad is gives way, like an origin, to another Swedish place
            origin = origin or (strict and i > 0 and toks[i - 1][1] in idx.near_words)
            current = strict and _said_before(toks, i, idx.current_phrases)
            if (
                strict
                and i > 1
                and toks[i - 1][1] in _DISTANCE_TO
                and any(t[1] in idx.distance_words for t in toks[max(0, i - 4) : i - 1])
            ):
                step = length
                break  # "20 km norr om Hudiksvall", "2 mil från Umeå": a landmark to find the way, not the place
            if strict and i > 0 and toks[i - 1][1] in idx.corrections and hits and i - hits[-1].end <= 3:
                current = current or hits[-1].current
                hits.pop()  # "now in Hässleholm... sorry, Kristinehamn": the place named before is taken back
            hits.append(
                _Hit(
                    cands,
                    " ".join(t[0] for t in toks[i : i + length]),
                    start=i,
                    end=i + length,
                    municipal=key in idx.municipal_names,
                    origin=origin,
                    current=current,
                )
            )
            step = length
            break
        else:
            # Unknown word: fuzzy only if it looks like a place name.
            # (in a title, any capitalized word but the first, or the title's only word: "Helsingborgh")
            looks_like_place = not strict or (capital and (context or (title and (i > 0 or n == 1))))
            generic = folded in idx.location_words or folded in idx.stopwords
            if len(folded) >= 5 and looks_like_place and not generic:
                name = _fuzzy(folded)
                if name is not None:
                    hits.append(_Hit(idx.names[name], raw, fuzzy=True, start=i, end=i + 1))
        i += step
    return _neighbours(hits, breadcrumb=not strict)


def _said_before(toks: list[tuple[str, str]], i: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
    """True when a location word stands right before token ``i`` and one of ``phrases`` right before it."""
    if i < 2 or toks[i - 1][1] not in _index().location_words:
        return False
    return any(i - 1 >= len(p) and tuple(t[1] for t in toks[i - 1 - len(p) : i - 1]) == p for p in phrases)


def _focus(hits: tuple[_Hit, ...]) -> tuple[_Hit, ...]:
    """The hits that say where the ad is: those after "nu i"/"now in" when there are any, else those that are not
    the advertiser's origin when one of them is a Swedish place ("uppvuxen i Örebro men bor nu i Kumla": Kumla)."""
    current = tuple(h for h in hits if h.current and h.cands)
    if current:
        return current
    if any(h.origin for h in hits):
        rest = tuple(h for h in hits if not h.origin)
        if any(c.kommun is not None for h in rest for c in h.cands):
            return rest
    return hits


def _neighbours(hits: list[_Hit], *, breadcrumb: bool = False) -> list[_Hit]:
    """Read names written next to each other together.

    A locality next to a municipality's name is a district of it ("Linköping, Valla", "Malmö Värnhem"):
    it keeps only its candidate in that municipality, or, when it has none (the gazetteer knows only a
    same-named locality elsewhere), it is placed in that municipality. A municipality named before or after its
    county's largest city is the place and the city names the region ("Nacka, Stockholm"); in a stated location
    (``breadcrumb``, from broad to narrow) also after it ("Sthlm/Solna", "Göteborg - Mölndal"), while in prose the
    first sure name stays ("Göteborg, Mölndal" is Göteborg)."""
    if len(hits) < 2:
        return hits
    idx = _index()
    drop: set[int] = set()
    out = list(hits)
    for k in range(len(hits) - 1):
        a, b = hits[k], hits[k + 1]
        if a.end != b.start or not a.cands or not b.cands or a.fuzzy or b.fuzzy:
            continue
        for town, other, j in ((a, b, k + 1), (b, a, k)):
            if not town.municipal or other.municipal:
                continue
            code = town.cands[0].kommun
            if all(c.rank >= 2 for c in other.cands) and code is not None:
                inside = tuple(c for c in other.cands if c.kommun == code)
                # the ad says where the district lies: its name elsewhere in the ad (a title "Gränby") is it too
                out[j] = _Hit(inside or town.cands[:1], other.matched, start=other.start, end=other.end, placed=True)
        ka, kb = a.cands[0].kommun, b.cands[0].kommun
        for first, second, j in ((a, b, k + 1), (b, a, k))[: 2 if breadcrumb else 1]:
            # the county's largest city (its name or an alias, "Sthlm") after another municipality's own name:
            # "Nacka, Stockholm" is Nacka; in a stated location before it too ("Sthlm/Solna" is Solna)
            region = (
                second.cands[0].kommun in idx.region_cities
                and second.cands[0].rank <= 1
                and len({c.kommun for c in second.cands}) == 1
            )
            narrow = first.municipal and first.cands[0].kommun not in idx.region_cities
            if narrow and region and ka != kb and a.cands[0].lan == b.cands[0].lan:
                drop.add(j)
    return [h for j, h in enumerate(out) if j not in drop]


def _accept(key: str, cands: tuple[_Cand, ...], *, capital: bool, context: bool) -> bool:
    if not cands:
        return True  # an explicitly foreign name: keep it so it can block a guess
    if key in _index().stopwords:
        return capital and context
    if cands[0].rank >= 2 or len(key) <= 3:
        return capital
    return True


def _decide(hit: _Hit, site: PlaceMatch | None, context: Callable[[], list[_Cand]]) -> PlaceMatch:
    """Decide one hit. ``context`` gives the unambiguous places of the whole ad; it is called
    only for a name that exists in several municipalities and the site's city does not decide."""
    conf = _index().conf
    cands = hit.cands
    if not cands:
        return PlaceMatch(None, None, 0.0, hit.matched)
    base = conf["fuzzy"] if hit.fuzzy else 1.0
    kommun_cands = [c for c in cands if c.kommun is not None]
    exact = _index().spelled.get(hit.matched.lower().replace("-", " "))
    if exact and not hit.fuzzy and len(kommun_cands) > 1:
        narrowed = [c for c in kommun_cands if c.kommun in exact]
        kommun_cands = narrowed or kommun_cands
    if not kommun_cands:
        return PlaceMatch(None, cands[0].lan, conf["county_only"] * base, hit.matched)
    distinct = {c.kommun for c in kommun_cands}
    top = kommun_cands[0]
    if len(distinct) == 1:
        return PlaceMatch(top.kommun, top.lan, min(conf["unique"], base), hit.matched)
    if hit.municipal and top.rank <= 1 < kommun_cands[1].rank:
        # A municipality's own name against localities or postal towns of the same name: "Nacka" is
        # Nacka even on Stockholm's city page (a Stockholm postal area is also called Nacka).
        return PlaceMatch(top.kommun, top.lan, conf["ambiguous_rank"] * base, hit.matched)
    if site is not None and site.kommun_kod is not None:
        for c in kommun_cands:
            if c.kommun == site.kommun_kod:
                return PlaceMatch(c.kommun, c.lan, conf["ambiguous_site_city"] * base, hit.matched)
        for c in kommun_cands:
            if c.lan == site.lan_kod:
                return PlaceMatch(c.kommun, c.lan, conf["ambiguous_site_city"] * 0.9 * base, hit.matched)
    ctx = context()
    for c in kommun_cands:
        if any(o.kommun == c.kommun for o in ctx):
            return PlaceMatch(c.kommun, c.lan, conf["ambiguous_context"] * base, hit.matched)
    for c in kommun_cands:
        if any(o.lan == c.lan for o in ctx):
            return PlaceMatch(c.kommun, c.lan, conf["ambiguous_context"] * 0.9 * base, hit.matched)
    second = kommun_cands[1]
    if top.rank <= 1 < second.rank:
        # A municipality or curated name against localities elsewhere: "Lund".
        return PlaceMatch(top.kommun, top.lan, conf["ambiguous_rank"] * base, hit.matched)
    if top.rank < second.rank or top.population >= 3 * max(second.population, 1):
        return PlaceMatch(top.kommun, top.lan, conf["ambiguous_population"] * base, hit.matched)
    lans = {c.lan for c in kommun_cands}
    if len(lans) == 1:
        return PlaceMatch(None, top.lan, conf["county_only"] * base, hit.matched)
    return PlaceMatch(None, None, 0.0, hit.matched)


def _postcode(text: str) -> PlaceMatch | None:
    m = _POSTCODE.search(text)
    if m is None:
        return None
    codes = postcodes().get(m.group(1) + m.group(2))
    if not codes or len(set(codes)) != 1:
        return None
    k = municipalities()[codes[0]]
    return PlaceMatch(k.code, k.county_code, _index().conf["postcode"], m.group(0))


@lru_cache(maxsize=50_000)
def resolve_place(
    text: str | None,
    *,
    title: str | None = None,
    body: str | None = None,
    site_city: str | None = None,
) -> PlaceMatch:
    """Resolve an ad's place to a municipality and county.

    Args:
        text: the location as the ad or the site states it, e.g. ``"Sthlm Södermalm"``.
        title: the ad's title, searched when the location gives nothing.
        body: the ad's body, searched last, with the stricter body rules.
        site_city: the site's own city page the ad was listed under; it decides names
            that exist in several municipalities and is the fallback (with low
            confidence) when the ad names no place at all.

    Returns:
        A :class:`PlaceMatch`; ``kommun_kod`` None means unknown.

    >>> resolve_place("Norrköping city").kommun_kod
    '0581'
    >>> resolve_place("nowhere at all").kommun_kod is None
    True
    """
    conf = _index().conf
    site = _resolve_site(site_city) if site_city else None
    # A labelled field ("Plats: Mora") is the ad's own statement: after the stated location, before title and body.
    field = _fields(title, body)
    sources = (
        ("location", text, False, 1.0),
        ("field", field[0] if field else None, True, conf["from_title"]),
        ("title", title, True, conf["from_title"]),
        ("body", body, True, conf["from_body"]),
    )
    # Sources are scanned lazily: the stated location usually settles the place, and the
    # title and body are then read only if a name in it needs the ad's other places.
    scans: dict[str, tuple[_Hit, ...]] = {}

    def hits_of(name: str, value: str | None, strict: bool) -> tuple[_Hit, ...]:
        if name not in scans:
            scans[name] = (
                ()
                if not value
                else _scan_location(value)
                if name == "location"
                else tuple(_scan(value, strict=strict, title=name == "title"))
            )
        return scans[name]

    context: list[_Cand] | None = None

    def get_context() -> list[_Cand]:
        nonlocal context
        if context is None:
            context = [
                h.cands[0]
                for name, value, strict, _ in sources
                for h in hits_of(name, value, strict)
                if len({c.kommun for c in h.cands}) == 1
            ]
        return context

    weak: PlaceMatch | None = None  # a guess (by population, fuzzy, county) that a surer later source overrules
    county_first: PlaceMatch | None = None  # a county named in the title, before the body is read
    for name, value, strict, factor in sources:
        if not value:
            continue
        hits = hits_of(name, value, strict)
        if name != "body" and body and any(h.cands and all(c.rank >= 2 for c in h.cands) for h in hits):
            # a locality the body places in a town next to it ("i Gränby, Uppsala") is that district here too
            placed = {_fold(h.matched): h for h in hits_of("body", body, True) if h.placed}
            hits = tuple(placed.get(_fold(h.matched), h) for h in hits)
        where = field[1] if name == "field" and field else name
        if name != "location":
            hits = _focus(hits)
        if name != "location" and _is_tour(hits, title, body):
            if name in ("title", "field") and body and any(h.current and h.cands for h in hits_of("body", body, True)):
                continue  # a tour in the title, and the body says where the ad is now ("Now in Gävle until Friday")
            return PlaceMatch(None, None, 0.0, None, where)
        decided = [_decide(h, site, get_context) for h in hits]
        known = [d for d in decided if d.kommun_kod is not None]
        if known and county_first is not None:
            known = [d for d in known if d.lan_kod == county_first.lan_kod]  # "Åker ut i hela Skåne" ... "bor i Ystad"
            if not known:
                return county_first
        if known:
            best = max(known, key=lambda d: d.confidence)
            found = PlaceMatch(best.kommun_kod, best.lan_kod, round(best.confidence * factor, 3), best.matched, where)
            if best.confidence >= _index().weak_below or name == "location":
                return found if weak is None or found.confidence >= weak.confidence else weak
            if weak is None or found.confidence > weak.confidence:
                weak = found
            continue
        if weak is not None:
            continue
        if name == "location" and text:
            by_post = _postcode(text)
            if by_post is not None:
                return PlaceMatch(by_post.kommun_kod, by_post.lan_kod, by_post.confidence, by_post.matched, name)
        county = [d for d in decided if d.lan_kod is not None]
        if county and name != "field" and county_first is None:  # "Plats: Skåne" leaves the town in the text to decide
            best = county[0]
            county_match = PlaceMatch(None, best.lan_kod, round(best.confidence * factor, 3), best.matched, where)
            if name not in ("title", "location") or not (body or (name == "location" and title)):
                return county_match
            # a county in the title or as the stated location: a town of it in the title or body is narrower
            # ("Stockholms län" / "Jag tar emot i Stockholm" is Stockholm)
            county_first = county_match
    if weak is not None:
        return weak
    if county_first is not None:
        return county_first
    if site is not None and site.kommun_kod is not None:
        return PlaceMatch(site.kommun_kod, site.lan_kod, conf["site_city_fallback"], site_city, "site_city")
    return UNKNOWN


def _is_tour(hits: tuple[_Hit, ...], title: str | None, body: str | None) -> bool:
    """An ad on tour that names several stops (towns or foreign cities, not where the advertiser comes
    from) has no single municipality: "Touring Norrland: Umeå 3-5/3, Luleå 6-8/3, Kiruna 9/3"."""
    stops = {h.cands[0].kommun if h.cands else _fold(h.matched) for h in hits if h.municipal and not h.origin}
    tour = _index().tour
    if len(stops) < 2 or tour is None:
        return False
    return tour.search(fold_name(f"{title or ''} {body or ''}")) is not None


@lru_cache(maxsize=50_000)
def _scan_location(text: str) -> tuple[_Hit, ...]:
    """The hits of a stated location (few distinct strings, seen by many ads)."""
    return tuple(_scan(text, strict=False))


def _no_context() -> list[_Cand]:
    return []


@lru_cache(maxsize=1_000)
def _resolve_site(site_city: str) -> PlaceMatch:
    for hit in _scan(site_city, strict=False):
        decided = _decide(hit, None, _no_context)
        if decided.kommun_kod is not None or decided.lan_kod is not None:
            return decided
    return UNKNOWN
