"""Prices, and the hourly price in SEK where the text states the price of one hour.

The hourly price is the stated price of one hour only, never inferred from another duration:
"1500kr/30min" is a price for 30 minutes and gives no hourly price (its amount and unit are
kept), "30 min 1200:-, 1h 2000:-" gives two prices of which the hour price is the ad's
price, "200€/h" is converted with the fixed rate in ``rules/prices.yaml`` (the raw amount,
currency and unit are always kept). A night ("natt", "overnight"), two hours or 45 minutes
are kept as a unit but give no hourly price either. Hours are
also read in visitors' languages ("1 Stunde", "1 oră", "1 godzina", "1 hora"), and an
amount written right after a duration without a currency ("1h 1700", "60 min 1900",
"Timme 2000") or right before "/h" or "per timme" ("1600/h") is a price in SEK.

>>> find_prices("1500kr/30min")[0].sek_per_hour is None
True
>>> price_per_hour(find_prices("30 min 1200:-, 1h 2000:-"))
2000
>>> price_per_hour(find_prices("Nora 28. 1h 1700"))
1700
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["Price", "find_prices", "price_per_hour"]


@dataclass(frozen=True, slots=True)
class Price:
    """One price in an ad.

    Attributes:
        amount: the amount as written (in ``currency``).
        currency: ISO code, ``SEK`` when only "kr" or ":-" is written.
        minutes: the duration the price is for; None if not stated; 0 for a night.
        unit: the duration as written ("30min", "h", "natt"), None if not stated.
        sek_per_hour: the amount in SEK when the price is for one hour; None for any other
            duration (half an hour, 90 minutes, a night), none stated, or outside the plausible range.
        raw: the text the price was read from.
    """

    amount: int
    currency: str
    minutes: int | None
    unit: str | None
    sek_per_hour: int | None
    raw: str


@dataclass(frozen=True, slots=True)
class _Cfg:
    amount: re.Pattern[str]
    duration: re.Pattern[str]
    currencies: dict[str, str]
    durations: dict[str, Any]
    rates: dict[str, float]
    lo: int
    hi: int
    # Literals one of which every price contains (currency words and signs): the gate.
    signs: tuple[str, ...]
    bare_lo: int
    bare_hi: int
    # "godz. " -> "godz  ": an abbreviation's full stop does not end the price's segment.
    abbrev: re.Pattern[str]
    abbrev_dots: tuple[str, ...]


_NUMBER = r"(\d{1,3}(?:[ .]\d{3})+|\d{2,6})"
_LEAD = r"(?<!\d)"
_JOINED = re.compile(r"\s*(?:/|per|for|a|pro|-)\s*")
_SEGMENT = re.compile(with_first_chars(r"[,;\n|•*]+|\s{3,}|(?<=[a-z:\-)])\.\s"))


@cache
def _cfg() -> _Cfg:
    cfg = rules("prices")
    currencies = {fold_text(str(k)): str(v) for k, v in cfg["currencies"].items()}
    words = sorted(currencies, key=len, reverse=True)
    cur = "|".join(re.escape(w) for w in words)
    amount = re.compile(
        with_first_chars(
            rf"(?:(?P<pre>[€$])\s?{_NUMBER.replace('(', '(?P<a1>', 1)})"
            rf"|(?:{_LEAD}{_NUMBER.replace('(', '(?P<a2>', 1)}\s?(?P<cur>{cur})(?![^\W\d_]))"
        )
    )
    durations = {fold_text(str(k)): v for k, v in cfg["durations"].items()}
    named = "|".join(
        re.escape(w) for w in sorted((k for k, v in durations.items() if v is not None), key=len, reverse=True)
    )
    minute_words = "|".join(re.escape(k) for k, v in durations.items() if v is None)
    hours = "|".join(re.escape(fold_text(str(w))) for w in sorted(cfg["hour_words"], key=len, reverse=True))
    genitives = _alternation(cfg.get("hour_genitives"))
    not_service = _alternation(cfg.get("genitive_not_before"))
    half = _alternation(cfg.get("half_words"))
    one = _alternation(cfg.get("one_words"))
    span = (
        rf"(?<![\d.,])(?:(?P<n>\d{{1,3}})\s?(?P<mu>{minute_words})(?![^\W\d_])"
        rf"|(?P<h>\d(?:[.,]5)?)\s?(?:{hours})(?![^\W\d_])\.?"
        # "halv timme", "media hora": half an hour; "en timme", "una hora", "eine Stunde": one hour
        # "1 timmes helkroppsmassage 900 kr": a genitive hour before a service ("1 timmes väntan" none)
        rf"|(?P<g>1)\s?(?:{genitives})(?=[ \t]+(?!(?:{not_service})(?![^\W\d_]))[^\W\d_])"
        rf"|(?<![^\W\d_])(?P<half>{half})\s(?:{hours})(?![^\W\d_])\.?"
        rf"|(?<![^\W\d_])(?P<one>{one})\s(?:{hours})(?![^\W\d_])\.?"
        rf"|(?<![^\W\d_])(?P<named>{named})(?![^\W\d_]))"
    )
    duration = re.compile(with_first_chars(span))
    rates = {str(k): float(v) for k, v in cfg["sek_per_unit"].items()}
    signs = tuple(sorted({*currencies, "€", "$"}))
    return _Cfg(
        amount,
        duration,
        currencies,
        durations,
        rates,
        int(cfg["min_sek_per_hour"]),
        int(cfg["max_sek_per_hour"]),
        signs,
        int(cfg["bare_min"]),
        int(cfg["bare_max"]),
        re.compile(
            with_first_chars(rf"(?<![^\W\d_])({'|'.join(re.escape(str(w)) for w in cfg['abbreviations'])})\.(?=\s)")
        ),
        tuple(f"{w}." for w in cfg["abbreviations"]),
    )


_DIGIT = re.compile(r"\d")
_THREE_DIGITS = re.compile(r"\d{3}")


def _alternation(words: Any) -> str:
    folded = {fold_text(str(w)) for w in words or ()}
    return "|".join(re.escape(w).replace(r"\ ", r"\s") for w in sorted(folded, key=len, reverse=True)) or "(?!)"


def _minutes(m: re.Match[str], cfg: _Cfg) -> int | None:
    if m.group("n"):
        return int(m.group("n"))
    if m.group("h"):
        return round(float(m.group("h").replace(",", ".")) * 60)
    if m.group("g"):
        return 60
    if m.group("half"):
        return 30
    if m.group("one"):
        return 60
    value = cfg.durations.get(m.group("named"))
    if value == "overnight":
        return 0
    return int(value) if isinstance(value, int) else None


# An amount in thousands with "k" before a rate or after a duration: "2k/timme", "2k per h", "1h 2k", "1h: 2,5k"
_THOUSANDS_K = re.compile(
    r"(?<![\w.,])(?:(?<=\dh )|(?<=\dh: )|(?<=\btim )|(?<=\btimme ))(?P<a>\d{1,2}(?:[.,]\d)?)k(?![^\W\d_])"
    r"|(?<![\w.,])(?P<b>\d{1,2}(?:[.,]\d)?)k(?=\s?(?:/|per\b|kr\b|sek\b))"
)


def _thousands(m: re.Match[str]) -> str:
    return str(round(float((m.group("a") or m.group("b")).replace(",", ".")) * 1000))


def find_prices(text: str, *, folded: str | None = None) -> list[Price]:
    """Every price in ``text`` with its duration where one is written next to it.

    Args:
        text: the ad text.
        folded: ``fold_text(text)`` if the caller already has it.
    """
    cfg = _cfg()
    source = folded if folded is not None else fold_text(text)
    if not _DIGIT.search(source):
        return []  # a price needs an amount
    if "." in source and any(a in source for a in cfg.abbrev_dots):
        source = cfg.abbrev.sub(r"\1 ", source)
    if "k" in source and _THOUSANDS_K.search(source):
        source = _THOUSANDS_K.sub(_thousands, source)  # "2k/timme", "1h 2,5k": 2000, 2500
    out = _with_currency(source, cfg) if any(sign in source for sign in cfg.signs) else []
    if any(p.minutes == 60 and p.sek_per_hour is not None for p in out) or not _THREE_DIGITS.search(source):
        return out  # the hour's price is written with its currency, or no amount can be bare
    return out + _bare(source, cfg, out)


# After a bare amount: not a price when more digits, a time, a range or a unit follow ("/ 2h" after it is
# the next entry of a price list, "30min 1000 / 1h 1800 / 2h 3200 SEK", not a range).
_BARE_NOT_AFTER = (
    r"(?!\d|[.,:]\d|\s?(?:[-–]\s?\d|/\s?\d(?!\d{0,2}\s?(?:min|h\b|tim|hour))"
    r"|%|cm|kg|st\b|x\b|min|h\b|tim|kl\b|m\b|km\b|meter|mil\b))"
)
# "1h/1500", "1h-2000" too
_BARE_AFTER = re.compile(rf"\s?[:=/\-–]?\s?(\d{{1,2}} \d{{3}}(?!\d)|\d{{3,4}}){_BARE_NOT_AFTER}")
_BARE_BEFORE = re.compile(r"(?<![\d.,])(\d{3,4})\s?(?:/|per|a|à)\s?$")
_BARE_END = re.compile(_BARE_NOT_AFTER)
_HOUR_UNITS = frozenset({"h", "tim", "timme", "timmen", "hour"})


@cache
def _bare_words() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A bare amount after a duration and a verb ("En timme kostar 1500"), and a bare amount before a word
    and the duration it prices ("Pris 2000 för 60 min", "1500 för en timme")."""
    cfg = rules("prices")
    verbs, fors = _alternation(cfg.get("cost_verbs")), _alternation(cfg.get("price_for_words"))
    after = re.compile(rf"\s(?:{verbs})(?![^\W\d_])(?:\s?:)?{_BARE_AFTER.pattern}")
    before = re.compile(rf"(?<![\d.,])(\d{{3,4}})\s(?:{fors})\s$")
    return after, before


def _bare(source: str, cfg: _Cfg, found: list[Price]) -> list[Price]:
    """Amounts without a currency next to a duration ("1h 1700", "1600/h"), in SEK.

    Read only when no price for one hour was found with a currency. Each duration the (gated) duration
    pattern finds is tried: an amount right after it ("1 tim 1700") or, for an hour unit, right before
    it with "/" or "per" ("1600/h").
    """
    out: list[Price] = []
    taken = [p.raw.split(" / ")[0] for p in found]
    verb_after, for_before = _bare_words()
    for d in cfg.duration.finditer(source):
        after = _BARE_AFTER.match(source, d.end()) or verb_after.match(source, d.end())
        if after:
            number, minutes, unit, raw = (
                after.group(1),
                _minutes(d, cfg),
                d.group(0).strip(),
                source[d.start() : after.end()],
            )
            end = after.end()
        elif d.group("named") in _HOUR_UNITS and (
            before := _BARE_BEFORE.search(source, max(0, d.start() - 12), d.start())
        ):
            if not _BARE_END.match(source, d.end()):
                continue
            number, minutes, unit, raw = before.group(1), 60, "h", source[before.start() : d.end()]
            end = d.end()
        elif (before := for_before.search(source, max(0, d.start() - 12), d.start())) and _BARE_END.match(
            source, d.end()
        ):
            # "Pris 2000 för 60 min", "1500 för en timme per tjej": the duration after "för" is the amount's
            number, minutes, unit, raw = (
                before.group(1),
                _minutes(d, cfg),
                d.group(0).strip(),
                source[before.start() : d.end()],
            )
            end = d.end()
        else:
            continue
        amount = int(number.replace(" ", ""))
        if not cfg.bare_lo <= amount <= cfg.bare_hi or _followed_by_currency(source, end, cfg):
            continue
        if any(number in t for t in taken):
            continue  # "1 h 2 000:-" was read with its currency
        out.append(Price(amount, "SEK", minutes, unit, _per_hour(amount, "SEK", minutes, cfg), raw.strip()))
    return out


def _followed_by_currency(source: str, end: int, cfg: _Cfg) -> bool:
    rest = source[end : end + 12].lstrip()
    return any(rest.startswith(sign) for sign in cfg.signs)


def _with_currency(source: str, cfg: _Cfg) -> list[Price]:
    out: list[Price] = []
    prev = ""  # the segment before, when it has digits and no amount: "Minst 1 timme," may price the next
    for segment in _SEGMENT.split(source):
        if not _DIGIT.search(segment):
            prev = ""
            continue  # most segments are words: no amount without a digit
        amounts = list(cfg.amount.finditer(segment))
        if not amounts:
            prev = segment
            continue
        durations = [d for d in cfg.duration.finditer(segment) if not any(_overlaps(d, a) for a in amounts)]
        if (
            prev
            and not durations
            and len(amounts) == 1
            and amounts[0].start() <= 1
            and not _SURCHARGE.search(segment, 0, amounts[0].start())
        ):
            last = list(cfg.duration.finditer(prev))
            if last and not prev[last[-1].end() :].strip():
                out.append(_price(amounts[0], last[-1], cfg))  # "Minst 1 timme, 2000 kr + resa": that hour's price
                prev = ""
                continue
        prev = ""
        carried: re.Match[str] | None = None
        for i, a in enumerate(amounts):
            prev_end = amounts[i - 1].end() if i else 0
            next_start = amounts[i + 1].start() if i + 1 < len(amounts) else len(segment)
            after = [d for d in durations if a.end() <= d.start() and d.end() <= next_start]
            before = [d for d in durations if prev_end <= d.start() and d.end() <= a.start()]
            # "1500kr/30min", "2000 kr per timme": a duration joined to the amount wins;
            # otherwise "30 min 1200 kr" reads the duration written before the amount.
            # "30 min 400 kr / 60 min 700 kr": a duration right before the next amount is that amount's.
            joined = [
                d
                for d in after
                if _JOINED.fullmatch(segment, a.end(), d.start())
                # (also with a dash or colon between: "60 min - 1700 SEK / 30 min - 1000 SEK")
                and not (next_start < len(segment) and not segment[d.end() : next_start].strip(" \t-–—:="))
                # "1h 2000 SEK / 1/2h 1400": the half hour before a bare amount is that amount's
                and not (before and _BARE_AFTER.match(segment, d.end()))
            ]
            chosen = joined[0] if joined else (before[-1] if before else (after[0] if after else None))
            if _SURCHARGE.search(segment, max(0, a.start() - 3), a.start()):
                chosen = None  # "Outcall +300 kr taxi · 1h 1500 kr": an amount added on is no duration's price
            if chosen is None and carried is not None:
                chosen = carried  # "1h 2000 kr => 1700 kr": the new price is for the old one's duration
            carried = None
            if i + 1 < len(amounts) and ("\u2192" in segment or "->" in segment or "=>" in segment):
                tail = chosen.end() if joined and chosen is not None else a.end()
                if _SUPERSEDED.fullmatch(segment, tail, next_start):
                    carried = chosen
                    continue  # "Ordinarie 2000 kr/timme → 1600 kr": the price after the arrow replaces it
            out.append(_price(a, chosen, cfg))
    return out


# a plus right before an amount: a surcharge on the price ("Outcall +300 SEK taxi fee", "+ 500 kr resa")
_SURCHARGE = re.compile(r"(?<![\d+])\+\s?$")
# an arrow from an old price to the new one: "2000 kr/timme → 1600 kr", "1800:- -> 1500:-"
_SUPERSEDED = re.compile(r"\s*(?:\u2192|->|=>)\s*")


def _overlaps(d: re.Match[str], a: re.Match[str]) -> bool:
    return d.start() < a.end() and a.start() < d.end()


def _price(a: re.Match[str], d: re.Match[str] | None, cfg: _Cfg) -> Price:
    number = a.group("a1") or a.group("a2")
    currency = "EUR" if a.group("pre") == "€" else "USD" if a.group("pre") == "$" else cfg.currencies[a.group("cur")]
    minutes = _minutes(d, cfg) if d is not None else None
    amount = int(number.replace(" ", "").replace(".", ""))
    per_hour = _per_hour(amount, currency, minutes, cfg)
    if " " in number and per_hour is None and amount * cfg.rates.get(currency, 0.0) > _MAX_PLAIN_SEK:
        # "Storlek 36 200€/h": a number before the price, not a thousands separator.
        amount = int(number.rsplit(" ", 1)[1])
        per_hour = _per_hour(amount, currency, minutes, cfg)
    raw = a.group(0) if d is None else f"{a.group(0)} / {d.group(0)}"
    return Price(amount, currency, minutes, d.group(0) if d is not None else None, per_hour, raw)


_MAX_PLAIN_SEK = 30_000


def _per_hour(amount: int, currency: str, minutes: int | None, cfg: _Cfg) -> int | None:
    if minutes != 60:
        return None  # the hourly price is stated, never inferred from another duration
    value = round(amount * cfg.rates.get(currency, 0.0))
    return value if cfg.lo <= value <= cfg.hi else None


def price_per_hour(prices: Sequence[Price]) -> int | None:
    """The ad's hourly price: the first price stated for one hour, else None (a half hour is not doubled)."""
    for p in prices:
        if p.sek_per_hour is not None:
            return p.sek_per_hour
    return None
