"""Languages offered ("pratar svenska, engelska") and the language an ad is written in.

Offered languages are read after a cue word from ``rules/languages.yaml`` ("pratar",
"speaks", "språk:", and the same in visitors' languages: "vorbesc", "mówię", "hablo"), and
from a sentence that is only a list of language names ("Deutsch und Englisch.", "English &
Swedish.", "日本語, English OK") or one name with "only"/"ok" ("English only."). The written
language is identified offline: a count of very common Swedish and English words (the rules
file's ``stopwords``) settles most ads at once, and ``py3langid`` restricted to the languages in
the rules file decides the rest (its model ships with the package; nothing is downloaded).

>>> languages_offered("Jag pratar svenska, engelska och lite spanska")
('sv', 'en', 'es')
>>> languages_offered("Hallo! Deutsch und Englisch. 1 Stunde 2000 kr")
('de', 'en')
>>> languages_offered("Svenska tjejer i Malmö")
()
>>> written_language("Hej! Jag heter Anna och är ny i stan, välkommen till mig")
'sv'
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text

__all__ = ["languages_offered", "written_language"]

_WORD = re.compile(r"[^\W\d_]+")
# Letters of scripts other than Latin (Greek to CJK; emoji and symbols are not letters).
_NON_LATIN = re.compile(r"[\u0370-\u1fff\u2c00-\ud7ff\uf900-\ufdff\ufe70-\ufeff]")
_STOP = re.compile(r"[.!?\n]")


@cache
def _names() -> tuple[dict[str, str | None], re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    """Language names, the cue pattern, the same without the "X-speaking" form, and the gate words."""
    cfg = rules("languages")
    names = {fold_text(str(k)): (None if v is None else str(v)) for k, v in cfg["names"].items()}
    words = sorted({fold_text(str(c)) for c in cfg["offered_cues"]}, key=len, reverse=True)
    cue = rf"(?<![^\W\d_])(?:{'|'.join(re.escape(w) for w in words)})(?![^\W\d_])\s*:?"
    pattern = re.compile(rf"{cue}|(?<![^\W\d_])(\w+)[ -]speaking\b")
    # Without "speaking" in the text the second form cannot match, and the first alone
    # starts with known letters, which the regex engine can skip to.
    cues_only = re.compile(with_first_chars(rf"{cue}()"))
    # Every match contains a cue word or "speaking": checking those first is the cheap gate.
    return names, pattern, cues_only, (*words, "speaking")


@cache
def _lists() -> tuple[re.Pattern[str], frozenset[str], re.Pattern[str]]:
    """The pattern of a list of language names (or one name and "only"), its first words, and fillers at an end."""
    cfg = rules("languages")
    names = sorted({fold_text(str(k)) for k in cfg["names"]}, key=len, reverse=True)
    name = "|".join(re.escape(n) for n in names)
    joins = "|".join(
        re.escape(w) if not w[0].isalpha() else rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])"
        for w in (fold_text(str(j)) for j in cfg["list_joins"])
    )
    fillers = "|".join(re.escape(fold_text(str(w))) for w in sorted(cfg["list_fillers"], key=len, reverse=True))
    only = "|".join(re.escape(fold_text(str(w))) for w in cfg["only_words"])
    one = rf"(?:(?:{fillers})[ \t]+)*(?:{name})(?![^\W\d_])"
    first = rf"(?:{name})(?![^\W\d_])"
    spoken = "|".join(re.escape(fold_text(str(w))) for w in cfg["spoken_words"])
    # a language's own name in its own script alone is a list of one ("... 60 min 700 kr. 中文.", "ภาษาไทย")
    own = "|".join(re.escape(n) for n in names if _NON_LATIN.search(n)) or "(?!)"
    pattern = re.compile(
        rf"(?<![^\W\d_])(?:{first}(?:[ \t]*(?:{joins})[ \t]*{one})*(?:[ \t]+(?:{spoken}))"
        rf"(?:[ \t]*(?:{joins})[ \t]*{one})*"  # more names after "I speak": "فارسی صحبت می‌کنم och svenska."
        rf"|{first}(?:[ \t]*(?:{joins})[ \t]*{one})+(?:[ \t]+(?:{only}))?|(?:{name})[ \t]+(?:{only})"
        # (a name in its own script needs no join before a name in Latin letters: "ไทย English")
        rf"|(?:{own})(?:[ \t]+{one}(?:[ \t]*(?:{joins})[ \t]*{one})*)?)(?![^\W\d_])"
    )
    fill = re.compile(rf"(?:(?<![^\W\d_])(?:{fillers})[ \t]*)+$")
    return pattern, frozenset(n.split()[0] for n in names), fill


@cache
def _joined_names() -> re.Pattern[str]:
    """Names joined after a glued cue's name: "พูดไทย, svenska lite", "说中文, lite svenska"."""
    cfg = rules("languages")
    names = sorted({fold_text(str(k)) for k in cfg["names"]}, key=len, reverse=True)
    joins = "|".join(
        re.escape(w) if not w[0].isalpha() else rf"(?<![^\W\d_]){re.escape(w)}(?![^\W\d_])"
        for w in (fold_text(str(j)) for j in cfg["list_joins"])
    )
    fillers = "|".join(re.escape(fold_text(str(w))) for w in sorted(cfg["list_fillers"], key=len, reverse=True))
    one = rf"(?:(?:{fillers})[ \t]+)*(?:{'|'.join(re.escape(n) for n in names)})(?![^\W\d_])"
    return re.compile(rf"(?:[ \t]*(?:{joins})[ \t]*{one})+")


@cache
def _fill_after() -> re.Pattern[str]:
    """A filler after the last name of a list: "Türkçe, English, svenska lite."."""
    words = sorted((fold_text(str(w)) for w in rules("languages")["list_fillers"]), key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(re.escape(w) for w in words)})(?![^\W\d_])[ \t]*")


@cache
def _only_before() -> re.Pattern[str]:
    """One of ``only_words`` right before a list: "Endast svenska och engelska."."""
    words = sorted((fold_text(str(w)) for w in rules("languages")["only_words"]), key=len, reverse=True)
    return re.compile(rf"(?<![^\W\d_])(?:{'|'.join(re.escape(w) for w in words)})$")


@cache
def _glued() -> re.Pattern[str] | None:
    """A cue of a script without spaces glued to a name in its own script: "พูดไทย", "也说中文"."""
    cfg = rules("languages")
    cues = sorted((fold_text(str(w)) for w in cfg.get("glued_cues") or ()), key=len, reverse=True)
    own = sorted((n for n in (fold_text(str(k)) for k in cfg["names"]) if _NON_LATIN.search(n)), key=len, reverse=True)
    if not cues or not own:
        return None
    return re.compile(rf"(?:{'|'.join(map(re.escape, cues))})({'|'.join(map(re.escape, own))})")


@cache
def _lead_before() -> re.Pattern[str]:
    """One of ``list_leads`` right before a list: "Jag kan svenska, engelska och persiska."."""
    words = sorted((fold_text(str(w)) for w in rules("languages").get("list_leads") or ()), key=len, reverse=True)
    alternation = "|".join(r"[ \t]+".join(map(re.escape, w.split())) for w in words) or "(?!)"
    return re.compile(rf"(?<![^\W\d_])(?:{alternation})$")


@cache
def _only_one() -> tuple[re.Pattern[str], frozenset[str]]:
    """A sentence of one of ``only_words`` and one name: "Bara svenska.", "Only English please.", "Nur Deutsch!"."""
    cfg = rules("languages")
    words = sorted((fold_text(str(w)) for w in cfg["only_words"]), key=len, reverse=True)
    names = sorted({fold_text(str(k)) for k in cfg["names"]}, key=len, reverse=True)
    polite = sorted((fold_text(str(w)) for w in cfg.get("polite_words") or ()), key=len, reverse=True)
    pattern = re.compile(
        rf"(?:^|(?<=[.!?:;|•(\n]))[ \t]*(?:{'|'.join(re.escape(w) for w in words)})[ \t]+"
        rf"({'|'.join(re.escape(n) for n in names)})(?:[ \t]+(?:{'|'.join(re.escape(w) for w in polite)}))?"
        rf"[ \t]*(?=[.!?;|)\n]|$)"
    )
    return pattern, frozenset(w for w in words if " " not in w)


def _boundary(ch: str) -> bool:
    """A character a list may start after: a sentence sign, or an emoji or symbol ("✨ Svenska / English ✨")."""
    return ch in _BEFORE_LIST or ch == "\ufe0f" or unicodedata.category(ch) in ("So", "Sk")


_BEFORE_LIST = frozenset(".!?:;|•·(\n")  # ("Olivia · 24 · Swedish/English · Linnéstaden")
# a Swedish compound of a language and "talande" that ends its clause or a list ("svensktalande kunder" is about the
# clients)
_TALANDE = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,14}?)[ -]?talande(?![^\W\d_])(?=[ \t]*(?:[.!?,;:)/&\n]|$|och |and ))")
_ONLY_END = re.compile(r"[ \t][^\W\d_]+$")  # a list match that ends in a word after a name: "English only"
_WORDISH = re.compile(r"[^\W_]")


@cache
def _cue_first_words() -> frozenset[str]:
    """The longest token of every cue and "speaking": a cue can only match where that is a token."""
    return frozenset(max(_TOKEN.findall(w), key=len) for w in _names()[3] if _TOKEN.findall(w))


_TOKEN = re.compile(r"[^\W_]+")


@cache
def _symbol_cues() -> tuple[str, ...]:
    """Cues that are no words ("🗣"): the token gate cannot see them."""
    return tuple(w for w in _names()[3] if not _TOKEN.findall(w))


def _cue_gate_open(source: str, toks: frozenset[str] | None, gate: tuple[str, ...]) -> bool:
    if any(sym in source for sym in _symbol_cues()):
        return True
    if toks is not None:
        return not _cue_first_words().isdisjoint(toks)
    return any(word in source for word in gate)


# After a symbol cue the names run to the next emoji or sign: "🗣 polska 💰 1h 1200"
_SYMBOL_STOP = re.compile(r"[.!?\n|•\u2600-\u27bf\U0001f300-\U0001faff]")


@cache
def _polite() -> re.Pattern[str]:
    words = sorted((fold_text(str(w)) for w in rules("languages").get("polite_words") or ()), key=len, reverse=True)
    alternation = "|".join(re.escape(w) for w in words) or "(?!)"
    return re.compile(rf",?[ \t]*(?:{alternation})(?![^\W\d_])[ \t]*(?:[.!?;|)\n]|$)")  # "English only, sorry!"


@cache
def _denied() -> re.Pattern[str]:
    """A negation right before a language name: "ingen svenska", "no Swedish" (rules: negations)."""
    words = sorted({fold_text(str(w)) for w in rules("languages").get("negations") or ()}, key=len, reverse=True)
    return re.compile(rf"(?<![^\W\d_])(?:{'|'.join(re.escape(w) for w in words) or '(?!)'})[ \t]+$")


def _listed(source: str, toks: frozenset[str] | set[str] | None) -> list[tuple[int, str]]:
    """Names (position, code) in sentences that are only a list of languages ("Deutsch und Englisch.")."""
    pattern, firsts, fill = _lists()
    present = firsts.intersection(toks if toks is not None else _TOKEN.findall(source))
    if not present:
        return []
    starts: list[int] = []
    for word in present:  # where each name occurs: str.find, not a scan over every word
        i = source.find(word)
        while i >= 0:
            starts.append(i)
            i = source.find(word, i + 1)
    names = _names()[0]
    out: list[tuple[int, str]] = []
    end = 0
    for start in sorted(starts):
        if start < end:
            continue
        m = pattern.match(source, start)
        if not m:
            continue
        end = m.end()
        before = source[max(0, m.start() - 40) : m.start()].rstrip(" \t")
        if before and not _boundary(before[-1]):
            before = fill.sub("", before).rstrip(" \t")  # "Tiếng Việt, English.": a filler first
        if before and not _boundary(before[-1]) and (only := _only_before().search(before)) is not None:
            before = before[: only.start()].rstrip(" \t")  # "Bara svenska.", "Only English.": "only" first
        if before and not _boundary(before[-1]) and _lead_before().search(before) is not None:
            before = "."  # "1h 3000kr Jag kan svenska och engelska.": a lead starts the clause, whatever is before
        after = source[m.end() : m.end() + 20].lstrip(" \t")
        if after and (tail := _fill_after().match(after)) and m.group(0) not in names:
            after = after[tail.end() :]  # "svenska lite.": a filler after the last name
        # after a comma only a list of two or more that ends its sentence: "Julia, 25 y/o, Swedish & English."
        ends = not after or after[0] in ".!\n"
        listed_after_comma = before[-1:] == "," and ends and m.group(0) not in names
        # a wide gap is a boundary too: where a phone number stood before it was blanked ("โทร ________ ไทย English")
        gap = source.endswith("   ", 0, m.start())
        if (before and not _boundary(before[-1]) and not listed_after_comma and not gap) or (
            not before and m.start() > 40
        ):
            continue  # inside a sentence: "svenska och engelska kunder"
        polite = _ONLY_END.search(m.group(0)) is not None and _polite().match(after) is not None
        if after and (after[0] == "," or (_WORDISH.match(after[0]) and not after[0].isdigit())) and not polite:
            continue  # a word after the list: inside a sentence (but "English only please." ends politely)
        out += [(m.start() + x.start(), c) for x in _WORD.finditer(m.group(0)) if (c := names.get(x.group(0)))]
    return out


def languages_offered(text: str, *, folded: str | None = None, toks: frozenset[str] | None = None) -> tuple[str, ...]:
    """ISO 639-1 codes of the languages the ad says are spoken, in the order written.

    Args:
        text: the ad text.
        folded: ``fold_text(text)`` if the caller already has it.
        toks: :func:`lagesbild.normalize._gate.tokens` of ``folded`` if the caller already has them.
    """
    names, both, cues_only, gate = _names()
    source = folded if folded is not None else fold_text(text)
    found = _listed(source, toks)
    only, only_words = _only_one()
    if not only_words.isdisjoint(toks if toks is not None else _TOKEN.findall(source)):
        for m in only.finditer(source):  # "Bara svenska.": one name after "only"
            if (code := names.get(m.group(1))) and all(p != m.start(1) for p, _ in found):
                found.append((m.start(1), code))
    if "talande" in source:  # "Svensktalande.", "Bara svenska talande.", "engelsktalande, ryska": a language spoken
        for m in _TALANDE.finditer(source):
            code = names.get(m.group(1) + "a") or names.get(m.group(1))
            if code:
                found.append((m.start(), code))
    if (glued := _glued()) is not None and _NON_LATIN.search(source):  # "พูดไทย", "也说中文": a glued cue
        for m in glued.finditer(source):
            if not (code := names.get(m.group(1))):
                continue
            found.append((m.start(1), code))
            # names joined after it that end the sentence: "พูดไทย, svenska lite", "说中文, lite svenska."
            if (tail := _joined_names().match(source, m.end())) is not None:
                after = source[tail.end() : tail.end() + 20].lstrip(" \t")
                if after and (fill := _fill_after().match(after)):
                    after = after[fill.end() :]
                if not after or after[0] in ".!\n":
                    found += [
                        (m.end() + w.start(), c) for w in _WORD.finditer(tail.group(0)) if (c := names.get(w.group(0)))
                    ]
    if _cue_gate_open(source, toks, gate):
        for m in (both if "speaking" in source else cues_only).finditer(source):
            if m.group(1):
                start, window = m.start(1), m.group(1)
            else:
                rest = source[m.end() : m.end() + 80]
                stop = (_SYMBOL_STOP if m.group(0).strip(" \t:") in _symbol_cues() else _STOP).search(rest)
                start, window = m.end(), rest[: stop.start()] if stop else rest
            found += [(start + w.start(), code) for w in _WORD.finditer(window) if (code := names.get(w.group(0)))]
    if found:
        denied = _denied()
        found = [(p, c) for p, c in found if not denied.search(source, max(0, p - 12), p)]
    out: list[str] = []
    for _, code in sorted(found) if len(found) > 1 else found:
        if code not in out:
            out.append(code)
    return tuple(out)


@cache
def _identifier() -> Any:
    import py3langid.langid as langid  # imported lazily: loading the model takes ~1 s

    ident = langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE)
    ident.set_languages([str(code) for code in rules("languages")["identify"]])
    return ident


@cache
def _stopwords() -> tuple[frozenset[str], frozenset[str], int, int, int, int]:
    cfg = rules("languages")
    words = cfg["stopwords"]
    d = cfg["decide"]
    return (
        frozenset(str(w) for w in words["sv"]),
        frozenset(str(w) for w in words["en"]),
        int(cfg["min_chars"]),
        int(d["min_words"]),
        int(d["ratio"]),
        int(d["min_words_alone"]),
    )


@lru_cache(maxsize=50_000)
def written_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in; None if too short to tell."""
    sv_words, en_words, min_chars, min_words, ratio, alone = _stopwords()
    if len(text) < min_chars:
        return None
    words = _WORD.findall(text[:600].lower())
    sv = sum(map(sv_words.__contains__, words))
    en = sum(map(en_words.__contains__, words))
    # Two stop words settle a Latin-script ad, not one that also has another script
    # (a Thai or Russian opening followed by a few English words).
    latin = _NON_LATIN.search(text, 0, 600) is None
    if (sv >= min_words and sv >= ratio * en) or (latin and sv >= alone and en == 0):
        return "sv"
    if (en >= min_words and en >= ratio * sv) or (latin and en >= alone and sv == 0):
        return "en"
    code, _ = _identifier().classify(text[:600])
    return str(code)
