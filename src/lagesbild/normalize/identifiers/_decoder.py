"""The fallback decoder: any token that can stand for a digit, the filler between skipped, and the numbering plan
as the guard (a whole valid Swedish mobile or nothing). It runs in an ad that asks to be contacted (or has a
number in words without a cue) and where the finders found no Swedish number."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from itertools import combinations

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize.identifiers._chars import _EXOTIC, _HOMOGLYPHS
from lagesbild.normalize.identifiers._common import _SENTENCE_END, _accept, _phrases, _trie
from lagesbild.normalize.identifiers._e164 import _SE_MOBILE_PLUS, normalize_phone
from lagesbild.normalize.identifiers._spelled import _spelled, _spelled_groups
from lagesbild.normalize.identifiers._trunk import _AREA_HINT, _ZERO_HINT

# ---- the fallback decoder: any token that can stand for a digit, the filler between skipped, and the numbering
# plan as the guard (a whole valid Swedish mobile or nothing). It runs only in an ad that asks to be contacted and
# where the finders above found no Swedish number, so a new trick made of known parts is read without a rule of its
# own: digit words of many languages, glued or not ("ศูนย์เจ็ดศูนย์ ...", "sıfır yedi sıfır ..."), any Unicode digit
# (CJK numerals too), letters that look like digits next to digits ("O7O-l74-O6-S2"), words or emoji between
# single digits ("0 hej 7 hej 0 ...").

# a word may hold combining marks ("ศูนย์", "0̶7̶0̶"), which are no word characters to the regex engine
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0900-\u0903\u093a-\u094f"
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u20d0-\u20ff"
)
_MARK = re.compile(f"[{_MARKS}]")
_DEC_SPLIT = re.compile(rf"(?:[^\W_]|[{_MARKS}])+|[+]|[*?#]{{2,}}")
_DEC_MAX_FILL = 3  # filler words between two digit tokens
_DEC_MAX_GAP = 60  # characters between two digit tokens
_DEC_MIN_WORDS_UNCUED = 7  # number words in a number decoded from an ad that does not ask for contact


_HOMOGLYPH_MAP = str.maketrans({k: v.lower() for k, v in _HOMOGLYPHS.items()})
_SV_DIGITS = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio")
_SV_TENS = ("tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio")
_SV_TEENS = ("tio", "elva", "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton")


@cache
def _decoder() -> tuple[
    dict[str, str], re.Pattern[str], frozenset[str], frozenset[str], dict[str, str], int, frozenset[str]
]:
    """(word -> its value as the spelled finder reads it, the contact cues, units after digits, words before
    digits, lookalike letters, the longest word, the words of the spelled finder's own vocabulary)."""
    cfg = rules("identifiers")
    own = _spelled()[2]
    words = {w: v for w, v in own.items() if v != "f"}  # fillers ("och", "sen") are filler here
    # another language's number word reads as the Swedish one ("setenta cuatro" as "sjuttio fyra": 74)
    for key, canon in (
        ("decoder_digit_words", _SV_DIGITS),
        ("decoder_tens_words", _SV_TENS),
        ("decoder_teens_words", _SV_TEENS),
    ):
        for spelled in (cfg.get(key) or {}).values():
            for w, sv in zip(spelled, canon, strict=True):
                plain = _unmarked(str(w).lower())
                words.setdefault(plain, sv)
                words.setdefault(plain.translate(_HOMOGLYPH_MAP), sv)  # the finders read a Cyrillic o as a Latin one
    # a hundred ("ciento setenta y cuatro", "sto siedemdziesiąt cztery" -> 174), read as "hundra"
    for w in cfg.get("decoder_hundred_words") or ():
        plain = _unmarked(str(w).lower())
        words.setdefault(plain, "hundra")
        words.setdefault(plain.translate(_HOMOGLYPH_MAP), "hundra")
    cue_words = [str(c) for c in cfg["contact_cues"]]
    cue_words = list(dict.fromkeys([*cue_words, *(c.translate(_HOMOGLYPH_MAP) for c in cue_words)]))
    # a longer cue also ends a compound ("landsnummer", "telefonnumret", "mobilnr" has "mobil")
    short, long = [c for c in cue_words if len(c) < 5], [c for c in cue_words if len(c) >= 5]
    # (a trie: the cues are looked for in every ad without a number, at every position; the text is lower case)
    cues = re.compile(
        with_first_chars(rf"(?<![^\W_])(?:{_trie([c.lower() for c in short])})|{_trie([c.lower() for c in long])}")
    )
    after = frozenset(str(w).lower() for w in cfg.get("decoder_units_after") or ())
    before = frozenset(str(w).lower() for w in cfg.get("decoder_words_before") or ())
    look = {str(k): str(v) for k, v in (cfg.get("decoder_lookalikes") or {}).items()}
    return words, cues, after, before, look, max(map(len, words)), frozenset(w for w in own if own[w] != "f")


@cache
def _compound_tens() -> tuple[re.Pattern[str] | None, dict[str, int]]:
    """Tens made of words and what follows them (rules: decoder_compound_tens): the pattern and each word's value
    ("soixante" 60, "quatre-vingt" 80, "douze" 12, "dix-sept" 17, "un" 1)."""
    values: dict[str, int] = {}
    tens: list[str] = []
    rests: list[str] = []
    joins: list[str] = []
    for lang in (rules("identifiers").get("decoder_compound_tens") or {}).values():
        for w, t in lang["tens"].items():
            key = _compound_key(str(w))
            values[key] = 10 * int(t)
            tens.append(key)
        for v, w in enumerate([*lang["units"], *lang["teens"]]):
            key = _compound_key(str(w))
            values.setdefault(key, v)
            rests.append(key)
        joins += [_compound_key(str(j)) for j in lang.get("joins") or ()]
    if not tens:
        return None, values

    def alt(words: list[str]) -> str:
        return "|".join(r"[\s-]+".join(map(re.escape, w.split())) for w in sorted(set(words), key=len, reverse=True))

    sep = rf"[\s-]+(?:(?:{alt(joins) or '(?!)'})[\s-]+)?"
    teens = [w for w in rests if values[w] >= 10]
    return (
        re.compile(rf"(?<![^\W_])(?:(?P<t>{alt(tens)})(?:{sep}(?P<r>{alt(rests)}))?|(?P<teen>{alt(teens)}))(?![^\W_])"),
        values,
    )


@cache
def _homophones() -> dict[str, str]:
    """English words that sound like a digit (rules: decoder_homophones), read only next to a number word."""
    words = _decoder()[0]
    return {
        str(k).lower(): str(v)
        for k, v in (rules("identifiers").get("decoder_homophones") or {}).items()
        if str(k).lower() not in words
    }


def _number_word(toks: list[re.Match[str]], n: int, homophones: dict[str, str]) -> bool:
    """True when token ``n`` is a number word (no digits, no homophone): "won seven", "for oh"."""
    if n >= len(toks):
        return False
    tok = toks[n].group(0)
    if not tok.isalpha() or tok.lower() in homophones:
        return False
    read = _read_token(tok)
    return read is not None and read[1] > 0


def _compound_key(word: str) -> str:
    return " ".join(_unmarked(unicodedata.normalize("NFKD", word.lower())).replace("-", " ").split())


def _compounds(view: str) -> dict[int, tuple[int, str]]:
    """Compound tens in ``view`` by start: (end, their reading in Swedish words: "soixante-douze" -> "sjuttio två").
    Only a compound of more than one word; a lone tens or unit word is read by the word lists."""
    pattern, values = _compound_tens()
    if pattern is None:
        return {}
    out: dict[int, tuple[int, str]] = {}
    plain = view.lower() if view.isascii() else "".join(unicodedata.normalize("NFKD", c)[0].lower()[:1] for c in view)
    for m in pattern.finditer(plain):  # (one character for one: accents dropped, spans still index the view)
        whole = _compound_key(m.group(0))
        if " " not in whole:
            continue
        if m.group("teen"):
            n = values[_compound_key(m.group("teen"))]
        else:
            n = values[_compound_key(m.group("t"))] + (values[_compound_key(m.group("r"))] if m.group("r") else 0)
        if not 10 <= n <= 99:
            continue
        reading = (
            _SV_TEENS[n - 10] if n < 20 else _SV_TENS[n // 10 - 2] + ("" if n % 10 == 0 else " " + _SV_DIGITS[n % 10])
        )
        out[m.start()] = (m.end(), reading)
    return out


@cache
def _zero_word() -> re.Pattern[str]:
    """Any language's word for zero (as the finders read it, Cyrillic o as Latin): a number in words starts with one."""
    zeros = sorted({w for w, v in _decoder()[0].items() if v in ("0", "noll")}, key=len, reverse=True)
    latin = [w for w in zeros if _latin(w)]
    other = [w for w in zeros if not _latin(w)]  # Thai and CJK words are glued to their neighbours
    return re.compile(with_first_chars(rf"(?<![^\W_])(?:{_trie(latin)})(?![^\W_])|{_trie(other)}"))


@cache
def _country_cue() -> re.Pattern[str]:
    """Words that say a number starts with its country code: "Landsnummer 46, sedan sjuttio, ..."."""
    return re.compile(_phrases([str(c) for c in rules("identifiers").get("country_code_cues") or ()]), re.IGNORECASE)


_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8", "IX": "9"}
# digits typed for letters inside a number word ("sev3n", "zer0", "s1x")
_DELEET = str.maketrans("0134578", "oieastb")
_DELEET_L = str.maketrans("0134578", "oleastb")


def _unmarked(word: str) -> str:
    """``word`` without combining marks: "ศูนย์" and "0̶7̶0̶" as the decoder compares them."""
    return word if word.isascii() else "".join(c for c in word if not unicodedata.category(c).startswith("M"))


def _latin(word: str) -> bool:
    return all(ord(c) < 0x250 for c in word)


@lru_cache(maxsize=8192)
def _read_token(tok: str) -> tuple[str, int, int] | None:
    """``tok`` as the spelled finder reads it (its own number words kept, other digit words and lookalike
    letters as digits), how many number words and lookalike letters it was read from; None when it is
    no number token.

    A token glued from several words needs words of three letters or more (or a digit): "entre" is no
    "en tre"; a lookalike letter counts only in a token that holds a written digit ("O7O", not "Oslo").
    """
    if tok.isascii() and tok.isdigit():
        return tok, 0, 0
    if tok in _ROMAN:  # "Tel: 0 VII 0 I VII IV 0 VI V IX": capitals only, read like lookalike letters
        return _ROMAN[tok], 0, 1
    words, _, _, _, look, longest, own = _decoder()
    if not tok.isascii():
        tok = unicodedata.normalize("NFKC", tok)  # "ｓｊｕ", "𝐬𝐣𝐮": letters in other styles
    low = _unmarked(tok).lower()
    if not low:
        return None
    if low in words:
        v = words[low]
        return (low if low in own else v), 1, 0
    if not low.isalpha() and not low.isdigit():
        for deleet in (low.translate(_DELEET), low.translate(_DELEET_L)):  # "sev3n", "zer0", "f0ur"
            if deleet in words and deleet.isalpha():
                v = words[deleet]
                return (deleet if deleet in own else v), 1, 0
    n = len(low)
    # best[i]: (lookalikes, pieces, canonical pieces, short words, number words) for low[i:]
    best: list[tuple[int, int, tuple[str, ...], int, int] | None] = [None] * (n + 1)
    best[n] = (0, 0, (), 0, 0)
    original = tok if len(tok) == n else low  # lookalikes are case-sensitive; marks stripped: no lookalikes
    has_digit = False
    for i in range(n - 1, -1, -1):
        options: list[tuple[int, str, int, int, int]] = []  # (length, canonical, lookalike, short, word)
        d = unicodedata.digit(low[i], None)
        if d is not None:
            options.append((1, str(d), 0, 0, 0))
            has_digit = True
        for k in range(min(longest, n - i), 0, -1):
            w = low[i : i + k]
            value = words.get(w)
            if value is not None:
                options.append((k, w if w in own else value, 0, int(k < 3 and _latin(w)), 1))
        if d is None and original[i] in look:
            options.append((1, look[original[i]], 1, 0, 0))
        for k, canon, lk, short, word in options:
            rest = best[i + k]
            if rest is None:
                continue
            cand = (rest[0] + lk, rest[1] + 1, (canon, *rest[2]), rest[3] + short, rest[4] + word)
            cur = best[i]
            if cur is None or cand[:2] < cur[:2]:
                best[i] = cand
    got = best[0]
    if got is None:
        return None
    lookalikes, pieces, read, short, nwords = got
    if lookalikes and not has_digit:
        return None
    if pieces > 1 and short and not has_digit:
        return None
    return "".join(read), nwords, lookalikes


def _decode_view(raw: str, text: str) -> str:
    """What the decoder reads: ``text`` (digits in any script already ASCII, dates blanked) with the marks of
    ``raw`` put back into words ("ศูนย์", "0̶7̶0̶"), and every other sign but "+" and masks as a space."""
    if raw is text or not _EXOTIC.search(raw):
        return text
    chars = list(text)
    for i, (a, b) in enumerate(zip(raw, text, strict=True)):
        if a != b and b in " \x01" and unicodedata.category(a)[0] == "M":
            chars[i] = a
    return "".join(chars)


# an apostrophe inside a Cyrillic word ("п'ять", "п’ять", "дев'ять": Ukrainian spells it with one) is the modifier
# letter apostrophe of the digit words, so the word stays one token
_CYRILLIC_APOSTROPHE = re.compile(r"(?<=[\u0400-\u04ff])['\u2019\u02bc`](?=[\u0400-\u04ff])")


def _find_decoded(raw: str, text: str, out: list[tuple[int, int, str]], min_words: int = 0) -> None:
    """Swedish mobiles in any spelling of their digits (see the section comment); ``raw`` is the ad before the
    finders' character map, ``text`` after it, one character for one.

    Tokens are read one by one: a number token (digits, number words, lookalikes next to digits), a filler
    (any other word; emoji and signs are no tokens), a unit after digits or a word before them (which take those
    digits with them and end the chain), a mask ("xx", "**": what came before is no number). A chain of number
    tokens with at most three fillers between two of them is read like a spelled number, and every run of its
    digit groups that is a whole Swedish mobile is a candidate when it holds something the digit finder cannot
    read (a number word, a lookalike, or words between single digits: "0 hej 7 hej 0 ...") and, if it holds
    number words, three of them or no filler ("... 070-174 06, resten får du i chatten när du ..." has two, "du"
    being Lithuanian for 2). In an ad that does not ask for contact a number needs ``min_words`` number words.
    """
    _, _, after, before, _, _, _ = _decoder()
    view = _decode_view(raw, text)
    if "\u2019" in raw or "'" in raw or "`" in raw:
        apostrophes = [m.start() for m in _CYRILLIC_APOSTROPHE.finditer(raw)]
        if apostrophes:
            chars = list(view)
            for i in apostrophes:
                chars[i] = "\u02bc"  # (one character for one: spans still index the text)
            view = "".join(chars)
    chains: list[list[tuple[int, int, str, int, int, bool]]] = []
    cur: list[tuple[int, int, str, int, int, bool]] = []
    fill, skip = 0, False
    compounds = _compounds(view) if _compound_tens()[0] is not None else {}
    inside_compound = 0
    homophones = _homophones() if min_words == 0 else {}
    toks = list(_DEC_SPLIT.finditer(view))
    heard = -2  # the last token that was a number word or a homophone read as a digit
    for n, m in enumerate(toks):
        if m.start() < inside_compound:
            heard = n
            continue  # the later words of a compound read with its first ("soixante-douze")
        tok = m.group(0)
        low = tok.lower()
        if m.start() in compounds and not skip:
            inside_compound, reading = compounds[m.start()]
            if cur and m.start() - cur[-1][1] > _DEC_MAX_GAP:
                chains.append(cur)
                cur = []
            cur.append((m.start(), inside_compound, reading, 2, 0, fill > 0 and bool(cur)))
            fill, heard = 0, n
            continue
        if tok[0] in "*?#" or low in ("x", "xx", "xxx"):
            cur, fill, skip = [], 0, False  # "070 174 06 **": what came before is masked
            continue
        if low in after:
            if cur and fill == 0 and cur[-1][2] != "plus" and not _SENTENCE_END.search(view, cur[-1][1], m.start()):
                cur.pop()  # "25 år", "1500 kr": the digits before belong to the unit ("... noll. Timme": not)
            chains.append(cur)
            cur, fill, skip = [], 0, False
            continue
        if low in before:
            chains.append(cur)
            cur, fill, skip = [], 0, True  # "kl 20", "från 0730": the digits after belong to the word
            continue
        read = ("plus", 0, 0) if tok == "+" else _read_token(tok)
        if read is None and low in homophones and (heard == n - 1 or _number_word(toks, n + 1, homophones)):
            read = (_SV_DIGITS[int(homophones[low])], 1, 0)  # "won seven for", "oh six, ate ate": next to a number word
        if read is not None and read[1] > 0 and tok.isalpha():
            heard = n
        if read is None:
            fill += 1
            skip = False
            if fill > _DEC_MAX_FILL:
                chains.append(cur)
                cur, fill = [], 0
            continue
        if skip:
            skip = False
            continue
        if cur and m.start() - cur[-1][1] > _DEC_MAX_GAP:
            chains.append(cur)
            cur = []
        cur.append((m.start(), m.end(), read[0], read[1], read[2], fill > 0 and bool(cur)))
        fill = 0
    chains.append(cur)
    piece, spelled_words = _spelled()[1], _spelled()[2]
    country: bool | None = None  # the ad says the number starts with its country code
    zero: bool | None = None  # the ad says the trunk 0 is left out ("sjuttio ett ..., med nolla först")
    area = ""  # the area code the ad names apart ("riktnummer 08")
    for chain in chains:
        if sum(len(t[2]) for t in chain) < 7 or not any(t[3] or t[4] or t[5] for t in chain):
            continue  # plain digits with signs between: the digit finder's
        skeleton, tokens = "", {}
        for t in chain:
            if skeleton:
                skeleton += " "
            tokens[len(skeleton)] = t
            skeleton += t[2]
        ends = {k + len(t[2]): t[1] for k, t in tokens.items()}
        groups, fills = _spelled_groups(skeleton, 0, piece, spelled_words)
        tries = [frozenset(c) for k in range(1, len(fills) + 1) for c in combinations(fills[:4], k)]
        if country is None:
            country = _country_cue().search(view) is not None
        for no_fill in (frozenset(), *tries):
            if no_fill:
                groups, _ = _spelled_groups(skeleton, 0, piece, spelled_words, no_fill)
            if zero is None:
                zero = _ZERO_HINT.search(view) is not None
                hint = _AREA_HINT.search(view)
                area = hint.group(1) if hint is not None else ""
            if _decoded_windows(text, groups, tokens, ends, out, country, min_words, zero, area):
                break


def _weak_part(text: str, inside: list[tuple[int, int, str, int, int, bool]]) -> bool:
    """True when a part of a decoded number between filler words is only short words that are common words too:
    "noll sju noll ett sju fyra noll sex ... resten får du i chatten, en eller två timmar" is no 0701740621 ("du" is
    Lithuanian for 2, "en" Swedish for 1)."""
    parts: list[list[tuple[int, int, str, int, int, bool]]] = []
    for t in inside:
        if t[5] or not parts:
            parts.append([])
        parts[-1].append(t)
    return any(all(t[3] and t[1] - t[0] <= 2 and _latin(text[t[0] : t[1]]) for t in part) for part in parts)


def _decoded_windows(
    text: str,
    groups: list[tuple[int, int, str, int, int]],
    tokens: dict[int, tuple[int, int, str, int, int, bool]],
    ends: dict[int, int],
    out: list[tuple[int, int, str]],
    country: bool,
    min_words: int = 0,
    zero: bool = False,
    area: str = "",
) -> bool:
    """Add the whole Swedish mobiles among consecutive digit ``groups`` of a decoded chain (skeleton offsets;
    ``tokens`` by skeleton offset, ``ends`` the text offset of each token's end); True when one was added.
    A number starts with 0 or a plus, or with a group "46" when the ad says it starts with the ``country`` code,
    or with a 7 when it says the trunk ``zero`` is left out; or, when it names an ``area`` code ("riktnummer 08"), a
    landline of that area whose words start with the code without its 0 ("åtta, fyra sex fem, ... (riktnummer 08)")."""
    added = False
    taken: list[tuple[int, int]] = []
    for i in range(len(groups)):
        landline = bool(area) and "".join(g[2] for g in groups[i : i + 3]).startswith(area[1:])
        trunk = (zero and groups[i][2][:1] == "7") or landline
        if groups[i][2][:1] not in ("0", "+") and not (country and groups[i][2] == "46") and not trunk:
            continue
        digits = "0" if trunk else ""
        for j in range(i, len(groups)):
            digits += groups[j][2]
            if len(digits) > 14:
                break
            if len(digits) < 10:
                continue
            e164 = normalize_phone(digits)
            if e164 is None or not (_SE_MOBILE_PLUS.match(e164) or (landline and e164.startswith("+46" + area[1:]))):
                continue
            if landline and len(digits) != 10:
                continue  # the whole landline: ten digits with the area code
            inside = [t for k, t in tokens.items() if groups[i][0] <= k < groups[j][1]]
            words, looks = sum(t[3] for t in inside), sum(t[4] for t in inside)
            filled = any(t[5] for t in inside[1:])
            if (
                words < min_words
                or (0 < words < 3 and filled)
                or not (words or looks or (filled and all(len(t[2]) == 1 for t in inside)))
            ):
                continue  # written digit groups with words between are the joiner's ("070 sen 174 ...")
            if filled and _weak_part(text, inside):
                continue
            a, b = inside[0][0], ends.get(groups[j][1])
            if b is None or any(x <= j and i < y for x, y in taken) or not _accept(text, a, b, e164):
                continue
            if any(_SE_MOBILE_PLUS.match(x[2]) and x[0] < b and a < x[1] for x in out):
                continue
            out[:] = [x for x in out if not (x[0] < b and a < x[1])]  # a partial reading inside it
            out.append((a, b, e164))
            taken.append((i, j + 1))
            added = True
            break
    return added
