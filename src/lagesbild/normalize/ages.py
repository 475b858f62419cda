"""The advertiser's stated age.

Reads "22 år", "22-årig", "ålder: 22", "age 22", "22 y/o", "jag är 22", "I'm 22",
"Anna 22" at the start of a title, spelled-out ages ("tjugotvå år") and age words of
visitors' languages ("27 ani", "33 lata", "35 años"). Numbers next to cm, kg, min or a
currency are not ages. Ages outside the range in ``rules/ages.yaml`` are ignored.

When none of those is found, a name followed by a bare number is read as the age ("Nora 28,
bor ...", "Stephanie, 33, American", "Trevlig tjej, 33, i ..."), from 18 up, unless the number
is a price, a time, a range, a date, a duration or a street number, or the word before it is
one that numbers follow ("Vecka 47", "Ring 18-22", "Storgatan 12").

>>> find_age("Hej! Jag är Lisa, 23 år och ny i stan").value
23
>>> find_age("30 min 1500 kr") is None
True
>>> find_age("Nora 28, bor och tar emot i Uddevalla").value
28
>>> find_age("Vecka 47 i Sundsvall") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lagesbild.normalize._gate import triggers, with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["Age", "find_age"]

# The first half of a range of ages right before a number: "20-30 år", "20 – 28 y.o.", "18 till 25 år", "18 to 25".
_RANGE_BEFORE = re.compile(r"(?<!\d)(\d{2})\s?(?:[-–—]|till|to|och|and|bis|a|do)\s?$")
_NOT_AFTER = r"(?!\s*(?:cm|kg|min|kr|:-|%|sek|eur|euro|h\b|\d|[.,]\d|/))"


@dataclass(frozen=True, slots=True)
class Age:
    """A stated age and the text it was read from."""

    value: int
    raw: str


def _unwrapped(pattern: str) -> str:
    """The pattern without the first-character lookahead of :func:`with_first_chars`."""
    return pattern.split(")(?:", 1)[1][:-1] if pattern.startswith("(?=[") else pattern


@cache
def _gated() -> tuple[tuple[re.Pattern[str], tuple[str, ...] | None], ...]:
    """Each pattern with the literals one of which a match must contain (None: always run)."""
    out = []
    for pattern in _patterns():
        found = triggers(_unwrapped(pattern.pattern))
        # The first word of a whole-token trigger is a substring of every match, too.
        needs = None if found is None else tuple(sorted({text.split(" ")[0] for text, _ in found}))
        out.append((pattern, needs))
    return tuple(out)


def _expand(pattern: str, words: str) -> str:
    return pattern.replace("{not_after}", _NOT_AFTER).replace("{words}", words)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """The body patterns of ``rules/ages.yaml``, in order of trust."""
    cfg = rules("ages")
    words = "|".join(sorted((re.escape(fold_text(str(w))) for w in cfg["words"]), key=len, reverse=True))
    return tuple(re.compile(with_first_chars(_expand(str(p), words))) for p in cfg["patterns"])


@cache
def _title_patterns() -> tuple[re.Pattern[str], ...]:
    """The title patterns of ``rules/ages.yaml`` (on the title as written, case kept)."""
    return tuple(re.compile(with_first_chars(_expand(str(p), ""))) for p in rules("ages")["title_patterns"])


@cache
def _written_patterns() -> tuple[re.Pattern[str], ...]:
    """The written patterns of ``rules/ages.yaml`` (on the body and title as written: "26å")."""
    return tuple(re.compile(str(p)) for p in rules("ages").get("written_patterns") or ())


# After a name's number: not an age when a unit, a time, a range, a date or more digits follow.
_NAME_NOT_AFTER = re.compile(
    r"\s*(?:cm|kg|min|kr|:-|%|sek|eur|euro|h\b|tim|st\b|ggr|gang|x\b|(?:&|och|and|und)\s?\d|[.,:/]\d|\d|[-–—]\s?\d|\+|e?\s?(?:maj|juni|mars|april|jan|feb|aug|sep|okt|nov|dec)\b)",
    re.IGNORECASE,
)


# A name and its number as a part of their own ("Jennie 41\nTimme 1500", "| Elsa 34 | 1 tim 2000 kr |"): the part
# starts at the start of the text, a line or a bar or bullet, and ends right after the number, so the next part's number
# or unit ("Timme 1500") is not read as the number's unit. The next part must have a number of its own and not start
# with a unit that follows its number ("Massage 60\nmin 800 kr" is a duration over two lines).
_PART_END = re.compile(
    r"[ \t]*(?:\n|[|•·][ \t]*)(?!(?i:cm|kg|min|kr|sek|eur|euro|h|st|ggr|x)(?![^\W\d_]))(?:\d|[^\W\d_]+[ \t:=]{0,3}\d)"
)
_PART_START = re.compile(r"(?:^|\n|[|•·])[ \t]*$")


def _own_part(source: str, end: int) -> bool:
    """Whether the number ending at ``end`` ends a part and the next part starts with a number (or a word and one)."""
    return _PART_END.match(source, end) is not None


# One of the person words, then where ("Student in Umeå (Ålidhem), 22.", "Tjej i Malmö, 25."; folded text): the place a
# word with an optional bracketed area, a comma before the number, and the number ending its sentence.
_PERSON_AT_PLACE_WORDS = r"tjej|kvinna|dam|girl|lady|student|studentska|mamma|milf"
_PERSON_AT_PLACE = re.compile(
    rf"(?<![^\W\d_])(?:{_PERSON_AT_PLACE_WORDS})[ \t]+(?:i|in)[ \t]+[^\W\d_]{{2,20}}"
    r"(?:[ \t]+\([^()\n\d]{2,25}\))?,[ \t]+(\d{2})$"
)
_SENTENCE_END = re.compile(r"[ \t]*(?:[.!](?:\s|$)|\n|$)")


@cache
def _name_rules() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str], tuple[str, ...], int]:
    """The name-and-number pattern (as written) and the person-word pattern (folded), both ending at the
    end of the searched span, the stop words, the street suffixes and the lowest age."""
    cfg = rules("ages")
    persons = "|".join(sorted((re.escape(fold_text(str(w))) for w in cfg["person_words"]), key=len, reverse=True))
    return (
        re.compile(rf"{cfg['name_pattern']}$"),
        re.compile(rf"(?<![^\W\d_])(?:{persons}),?[ \t]+(\d{{2}})$"),
        frozenset(fold_text(str(w)) for w in cfg["name_not_before"]),
        tuple(fold_text(str(w)) for w in cfg["street_suffixes"]),
        int(cfg["name_min_age"]),
    )


@cache
def _person_words() -> tuple[str, ...]:
    return tuple(fold_text(str(w)) for w in rules("ages")["person_words"])


@cache
def _compound_stops() -> tuple[str, ...]:
    """Stop words a compound may end in ("Klänningsstorlek 36", "Telefonnummer 07"): name_compound_not_before."""
    return tuple(fold_text(str(w)) for w in rules("ages").get("name_compound_not_before") or ())


_TWO_DIGITS = re.compile(r"(?<!\d)\d{2}(?!\d)")


def _name_number(text: str, folded: str) -> Age | None:
    """A name (or "tjej") followed by a bare number in [name_min_age, max_age]: the age.

    Each two-digit number in range is looked at (numbers are rare in ads; a scan for names
    would try every capital letter), and the pattern is matched on the 40 characters before it.
    """
    name, person, stop, streets, lo = _name_rules()
    hi = _limits()[1]
    for source, pattern in ((text, name), (folded, person)):
        if pattern is person and not any(w in folded for w in _person_words()):
            break
        found: list[tuple[str, Age]] = []
        for d in _TWO_DIGITS.finditer(source):
            value = int(d.group(0))
            if not lo <= value <= hi:
                continue
            if _NAME_NOT_AFTER.match(source, d.end()) and not _own_part(source, d.end()):
                continue
            m = pattern.search(source, max(0, d.start() - 40), d.end())
            if not m and pattern is person:
                m = _PERSON_AT_PLACE.search(source, max(0, d.start() - 60), d.end())
                if m and not _SENTENCE_END.match(source, d.end()):
                    m = None  # "Tjej i Umeå, 25 kvadrat": no age
            if not m:
                continue
            if _NAME_NOT_AFTER.match(source, d.end()) and not _PART_START.search(source, 0, m.start()):
                continue  # "Massage 60\nTimme 1500": the name and number are no part of their own
            word = fold_text(m.group(1)) if m.lastindex == 2 else ""
            if word and (word in stop or word.endswith(streets) or word.endswith(_compound_stops())):
                continue
            found.append((word, Age(value, m.group(0).strip())))
        if len({w for w, _ in found}) > 1 and len({a.value for _, a in found}) > 1:
            return None  # "Lisa 25 och Nina 27": two people, no single advertiser's age
        if found:
            return found[0][1]
    return None


@cache
def _limits() -> tuple[int, int, dict[str, int]]:
    cfg = rules("ages")
    return int(cfg["min_age"]), int(cfg["max_age"]), {fold_text(str(k)): int(v) for k, v in cfg["words"].items()}


def find_age(
    text: str, *, title: str | None = None, folded: str | None = None, folded_title: str | None = None
) -> Age | None:
    """The first stated age in ``text`` (the body) or ``title``; None if none is stated.

    Args:
        text: the ad text.
        title: the ad title, where "Anna 22" means an age.
        folded: ``fold_text(text)`` if the caller already has it.
        folded_title: ``fold_text(title)`` if the caller already has it.
    """
    lo, hi, spelled = _limits()
    if title:
        stop = _name_rules()[2]
        for pattern in _title_patterns():
            m = pattern.search(title)
            if m and lo <= int(m.group(1)) <= hi and _first_word(m.group(0)) not in stop:
                if _RETRACTED.match(title, m.end(1)):
                    continue  # "Sexig 19-åring? Nej, 39": the number taken back, the body says the age
                return Age(int(m.group(1)), m.group(0).strip())
    if title and folded_title is None:
        folded_title = fold_text(title)
    if "-" in text or (title and "-" in title):
        for source in (folded_title if title else "", folded if folded is not None else fold_text(text)):
            split = _SPLIT_AGE.search(source) if source else None
            if (
                split is not None
                and source
                and _SPLIT_WORD.search(source)
                and lo <= int(split.group(1) + split.group(2)) <= hi
            ):
                # "J-e-s-s-y 2-4 år": one age with its digits split, no range (an age of 2 to 4 is none)
                return Age(int(split.group(1) + split.group(2)), split.group(0))
    for source in (folded_title if title else "", folded if folded is not None else fold_text(text)):
        if not source:
            continue
        for pattern, needs in _gated():
            if needs is not None and not any(n in source for n in needs):
                continue  # the pattern cannot match without one of its literals
            for m in pattern.finditer(source):
                g = m.group(1)
                value = int(g) if g.isdigit() else spelled.get(g, 0)
                r = _RANGE_BEFORE.search(source, max(0, m.start(1) - 12), m.start(1)) if g.isdigit() else None
                if r is not None and lo <= int(r.group(1)) < value:
                    continue  # "flickor 20-30 år", "models 20-28 y.o.", "18 till 25 år": ages of several people
                if lo <= value <= hi and not (g.isdigit() and _RETRACTED.match(source, m.end(1))):
                    return Age(value, m.group(0).strip())
    if "å" in text or "Å" in text or (title and ("å" in title or "Å" in title)):
        for source in (title or "", text):
            for pattern in _written_patterns():
                for m in pattern.finditer(source):
                    if lo <= int(m.group(1)) <= hi:
                        return Age(int(m.group(1)), m.group(0).strip())
    for source, folded_source in (
        (text, folded if folded is not None else fold_text(text)),
        (title or "", folded_title or ""),
    ):
        found = _name_number(source, folded_source) if source else None
        if found:
            return found
    lead = _TERSE_LEAD.match(text)
    if lead and _name_min() <= int(lead.group(1)) <= hi:
        return Age(int(lead.group(1)), lead.group(0).strip())  # "Falköping. 32. 1700/h.": a terse header
    if text.islower():  # a writer without capitals: "therese 22 bast eda timpris 1200"
        lead = _LOWER_LEAD.match(text)
        if lead and _name_min() <= int(lead.group(2)) <= hi and fold_text(lead.group(1)) not in _name_rules()[2]:
            return Age(int(lead.group(2)), lead.group(0).strip())
    return None


# digits of an age split by a hyphen, below any age as a range: "2-4 år" ("2.5 years" is a decimal)
_SPLIT_AGE = re.compile(r"(?<![\d\-.])(\d)-(\d)\s?(?:ar|years?|yo|y/o)(?![^\W\d_])")
# ... only from a writer who splits words the same way: "J-e-s-s-y" ("bott i Sverige 2-3 år" is a range)
_SPLIT_WORD = re.compile(r"(?<![^\W_])[^\W\d_](?:-[^\W\d_]){2,}(?![^\W_])")
# a body without capitals opening with a name and a number: "stina 42 bast kungsängen"
_LOWER_LEAD = re.compile(
    r"\W*([^\W\d_]{2,15}),?[ \t]+(\d{2})(?![\d.:/\-]|,\d)(?!\s*(?:cm|kg|min|kr|:-|%|sek|h\b|tim|år))"
    r"(?=,?[ \t]+[^\W\d_])"  # the ad goes on after the age ("ani 27" alone is no name and age)
)


# a number the ad takes back at once: "19-åring? Nej, 39", "22? No, 32", "25 år... nej förlåt, 35"
_RETRACTED = re.compile(
    r"[^\d\n]{0,14}?(?<![^\W_])(?i:nej|nä|no|nope|sorry|förlåt|forlat|oops|skämt|skamt|just kidding|jk)(?![^\W_])"
    r"[ ,.!:;\-–]{0,4}\d{2}(?!\d|[-–/.:]\d|-|\s?(?i:min|kr|h\b|tim|sek|:-|%))"
)
# a body opening with a place or name as a sentence, then a two-digit number as a sentence of its own: "Falköping. 32.
# 1700/h.", "Norsjö. 37. 1800/h." ("Vecka. 47" has no full stop after the number; a time, "10.30", no space)
_TERSE_LEAD = re.compile(r"\W{0,3}[^\W\d_]{2,20}(?:[ \-][^\W\d_]{2,20})?\.[ \t]+(\d{2})\.(?:[ \t\n]|$)")


def _name_min() -> int:
    return _name_rules()[4]


_WORD = re.compile(r"[^\W\d_]+")


def _first_word(text: str) -> str:
    m = _WORD.search(text)
    return fold_text(m.group(0)) if m else ""
