""":func:`find_phones`: the text the finders read (characters mapped, dates blanked, prices, articles and
"between" rewritten at the same length), the first pass, then the finders that need the whole ad, in order."""

from __future__ import annotations

import re

from lagesbild.normalize.identifiers._arith import (
    _ARITH_GATE,
    _BETWEEN,
    _BRACKET_GATE,
    _apply_additions,
    _between_value,
    _find_arith_tail,
    _find_group_arithmetic,
)
from lagesbild.normalize.identifiers._chars import _CHARS, _EXOTIC, _ROUND_RUN, _emoji_zeros
from lagesbild.normalize.identifiers._clauses import _find_blanks, _find_last_digits, _find_mask_named
from lagesbild.normalize.identifiers._common import _AD_LENGTH, _disown_word, _disowned
from lagesbild.normalize.identifiers._decoder import _DEC_MIN_WORDS_UNCUED, _MARK, _decoder, _find_decoded, _zero_word
from lagesbild.normalize.identifiers._digits import _mask_dates
from lagesbild.normalize.identifiers._hints import _HINT_GATE, _find_hinted, _may_hint, _symbol_hints
from lagesbild.normalize.identifiers._joined import _find_loose_chain
from lagesbild.normalize.identifiers._letters import (
    _find_keyed,
    _find_roman_tail,
    _find_roman_whole,
    _find_symbol_keyed,
    _find_symbol_separated,
    _find_variables,
)
from lagesbild.normalize.identifiers._morse import _find_morse
from lagesbild.normalize.identifiers._parts import (
    _find_given_apart,
    _find_joined_parts,
    _find_name_digits,
    _find_price_hidden,
    _find_title_start,
)
from lagesbild.normalize.identifiers._reorder import (
    _DROP_GATE,
    _NEW_NUMBER_GATE,
    _SWAP_GATE,
    _apply_new_number,
    _apply_swaps,
    _find_doubled,
    _find_dropped,
    _find_shifted,
)
from lagesbild.normalize.identifiers._scan import _find_all
from lagesbild.normalize.identifiers._spelled import _find_worded_clauses, _unstarred
from lagesbild.normalize.identifiers._trunk import _find_links

_ROUND_GATE = _ROUND_RUN
_ARTICLE_GATE = re.compile(r"(?i:en)\s+(?i:noll|etta|tvåa|trea|femma|sexa|sjua|nia)")
# "en nolla och en sexa": "en" before a digit noun is an article, not a 1 ("fyra" and "åtta" are words too: "en
# fyra" may be 1 4, so those two keep their reading)
_ARTICLE = re.compile(r"(?<![^\W_])(?i:en)(?=\s+(?i:nolla|nollor|etta|tvåa|trea|femma|sexa|sjua|nia)(?![^\W_]))")
# ... but in a pair with a digit noun they are nouns too: "och sist en fyra och en tvåa" is 4 2, as "en tvåa och en
# åtta" is 2 8 (both articles go; "en fyra och en åtta" alone, with no noun that is only one, keeps its reading)
_NOUN = r"(?i:nolla|etta|tvåa|trea|femma|sexa|sjua|nia)"
_ARTICLE_PAIR = re.compile(
    rf"(?<![^\W_])(?i:en)(\s+(?:(?i:fyra|åtta)(\s*(?:,|och|samt|&)\s*)(?i:en)\s+{_NOUN}"
    rf"|{_NOUN}(\s*(?:,|och|samt|&)\s*)(?i:en)\s+(?i:fyra|åtta))(?![^\W_]))"
)


def _no_swedish(out: list[tuple[int, int, str]]) -> bool:
    """No Swedish number found yet: the later finders read what the first ones left (a guard of each)."""
    return not any(x[2].startswith("+46") for x in out)


def _pair_articles(m: re.Match[str]) -> str:
    """Both articles of "en fyra och en tvåa" as spaces (same length)."""
    joint = m.group(2) if m.group(2) is not None else m.group(3)
    first, rest = m.group(1).split(joint, 1)
    return f"  {first}{joint}  {rest[2:]}"


# a line cut after digits by an ellipsis ("Ny i stan 070-174…" as a listing page shortens a title): the line ends
# there, read as a full stop (same length), so only a cue carries the number on ("... Fortsättning: 06 12"), or an
# ellipsis that starts the next line ("Ring 070-174…" / "…06 94 (resten av numret står i rubriken)")
_CUT_LINE = re.compile(r"(?<=\d)[ \t]?(?:…|\.\.\.)(?=[ \t]*\n(?![ \t]*(?:…|\.\.\.)))")


def _cut(m: re.Match[str]) -> str:
    return "." + " " * (len(m.group(0)) - 1)  # right after the digit: "070-174 …" reads "070-174. "


# "8 400:-": a price mark, read as "kr" (same length)
_PRICE_MARK = re.compile(r":-(?!\d)")


def find_phones(text: str) -> list[tuple[int, int, str]]:
    """Every phone number in ``text``, as ``(start, end, e164)`` sorted by position.

    Finds digits, split digits, letters typed for digits and spelled-out digits; spans
    never overlap. Prices, dates, clock times and post codes are not returned, nor numbers
    whose last digits are masked ("070-174 06 xx").
    """
    if not text:
        return []
    raw = text
    if "…" in text or "..." in text:
        text = raw = _CUT_LINE.sub(_cut, text)  # "070-174…\nPris 1500 kr": the title was cut, no number goes on
    written = text  # (before any sign is swapped for another, same length)
    if _EXOTIC.search(text):
        if len(text) <= _AD_LENGTH and _may_hint(text.lower()):
            text = raw = _symbol_hints(text)
        if _ROUND_GATE.search(text):
            text = _emoji_zeros(text)  # "⭕7⭕ 174 ⭕6 14": round emoji touching digits are zeros (same length)
        text = text.translate(_CHARS)
    text = _mask_dates(text)
    if ":-" in text:
        text = _PRICE_MARK.sub("kr", text)  # "8 400:-": the price ends there (same length, still a price)
    if _ARTICLE_GATE.search(text):  # "en nolla och en sexa": an article, not a 1 (same length)
        text = _ARTICLE_PAIR.sub(_pair_articles, text)
        text = _ARTICLE.sub("  ", text)
    if "mellan" in text or "between" in text or "zwischen" in text:  # "ett tal mellan 47 och 49": 48 (same length)
        text = _BETWEEN.sub(_between_value, text)
    if "*" in text and len(text) <= _AD_LENGTH:
        text = _unstarred(text)  # "n*ll sj* n*ll *tt ...": number words with letters starred out (same length)
    low = text.lower()
    short = len(text) <= _AD_LENGTH  # the readers that pair cues, labels and hints run on ad-length texts only
    out = _find_all(text, low, raw)
    if short and _no_swedish(out):
        n = len(out)
        if "siffr" in low or "digit" in low:
            _find_shifted(text, out)
        _find_symbol_separated(text, out)
        if len(out) > n:
            pass  # a mobile from symbols between digits or a digit shift: nothing left to decode
        elif _decoder()[1].search(low):
            _find_decoded(raw, text, out)
        elif _zero_word().search(low if raw is text else _MARK.sub("", raw.lower())):  # a number in words, no cue
            _find_decoded(raw, text, out, min_words=_DEC_MIN_WORDS_UNCUED)
    if short and _no_swedish(out) and _DROP_GATE.search(low):
        _find_dropped(text, out)
    if "+" in text and short and _no_swedish(out):
        _find_joined_parts(text, out)
    if "_" in text and short:
        _find_blanks(text, out)
    if ("sista" in low or "last" in low) and short:
        _find_last_digits(text, out)
    if short and (
        "gånger" in low
        or "twice" in low
        or "dubb" in low
        or "doubl" in low
        or "zweimal" in low
        or "varannan" in low
        or "every other" in low
        or "every second" in low
        or "zweite" in low
    ):
        _find_doubled(text, out)
    if out and ("plus" in low or "+" in text) and short:
        _apply_additions(text, out)
    if ("xx" in low or "??" in text or "**" in text or "##" in text) and short:
        _find_mask_named(text, out)
    if short and _ARITH_GATE.search(low):
        _find_arith_tail(text, out)
    if out and ("telefonn" in low or "phone" in low or "order" in low or "ocr" in low or _disown_word(low)):
        out = [item for item in out if not _disowned(text, item[0], item[1])]
    if short and _may_hint(low) and _HINT_GATE.search(text):
        _find_hinted(text, low, out)
    if short:
        _find_given_apart(text, low, out)
    if short and _no_swedish(out) and _BRACKET_GATE.search(text):
        _find_group_arithmetic(text, raw, out)  # "0(7·10) – (100+74) – 0(2·3) – (45+3)"
    if short and _no_swedish(out) and "07" in text:
        _find_loose_chain(text, out)  # "070 och sedan, efter en liten paus, 174 — glöm inte 06 och till sist 10"
    if ("zero" in low or "noll" in low or "nought" in low or "n0ll" in low) and short and _no_swedish(out):
        _find_worded_clauses(text, out)  # "zero seven zero like every mobile, then one hundred seventy-four, ..."
    if ("rubrik" in low or "titel" in low or "title" in low or "headline" in low) and short and _no_swedish(out):
        _find_title_start(text, out)  # "070-174…" / "…06 78 (början står i rubriken)"
    if "orse" in written and short and _no_swedish(out):
        _find_morse(written, out)  # "Mitt nummer i morse: ----- --... ----- .---- --... ....- ----- -.... ..... -...."
    if ("göm" in low or "dol" in low or "hid" in low or "versteckt" in low) and short and _no_swedish(out):
        _find_price_hidden(text, out)  # "Mitt nummer står gömt som 'priser' – ...: Paket A 070:- Paket B 174:- ..."
    if ("siffr" in low or "digit" in low or "number" in low) and short and _no_swedish(out):
        _find_name_digits(text, out)  # "användarnamn ... mimmi0701740 – ta siffrorna i det, lägg till 6 och sedan 57"
    if "wa.me/" in text or "phone=" in text:
        _find_links(text, out)
    if "=" in text and short:
        _find_keyed(text, out)
        if _no_swedish(out):
            _find_variables(text, out)  # "A = 070, B = 174, C = 06, D = 92 Ring A B C D"
        if _EXOTIC.search(written) and _no_swedish(out):
            _find_symbol_keyed(written, out)  # "🍩=0 🍒=1 🍋=4 ...: 🍩🍇🍩 🍒🍇🍋 🍩🍓 🍑🍑"
    elif ":" in text and short and _no_swedish(out):
        _find_variables(text, out)  # "sätt ihop C+A+B:" / "A: 74 06" / "B: 19" / "C: 0701"
    if ("romersk" in low or "roman" in low or "römisch" in low) and short:
        _find_roman_tail(text, out)  # "070-174 06 XXXV (sista två med romerska siffror)"
        _find_roman_whole(text, out)  # "Number in roman (0 = zero): 0 VII 0 I VII IV 0 VI II IV"
    if out and _SWAP_GATE.search(low) and short:
        _apply_swaps(text, out)
    if out and short and _NEW_NUMBER_GATE.search(low):
        _apply_new_number(text, out)  # "mitt gamla nr ... funkar inte längre ... byt sista siffran 1 mot 2"
    if len(out) < 2:
        return out
    out.sort(key=lambda t: (t[0], -t[1]))
    merged: list[tuple[int, int, str]] = []
    for item in out:
        if merged and item[0] < merged[-1][1]:
            continue
        merged.append(item)
    return merged
