"""Languages offered ("pratar svenska, engelska") and the language an ad is written in.

Offered languages are read after a cue word from ``rules/languages.yaml`` ("pratar",
"speaks", "språk:"). The written language is identified offline: a count of very
common Swedish and English words (the rules file's ``stopwords``) settles most ads at
once, and ``py3langid`` restricted to the languages in the rules file decides the rest
(its model ships with the package; nothing is downloaded).

>>> languages_offered("Jag pratar svenska, engelska och lite spanska")
('sv', 'en', 'es')
>>> written_language("Hej! Jag heter Anna och är ny i stan, välkommen till mig")
'sv'
"""

from __future__ import annotations

import re
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


def languages_offered(text: str, *, folded: str | None = None) -> tuple[str, ...]:
    """ISO 639-1 codes of the languages the ad says are spoken, in the order written."""
    names, both, cues_only, gate = _names()
    source = folded if folded is not None else fold_text(text)
    if not any(word in source for word in gate):
        return ()
    out: list[str] = []
    for m in (both if "speaking" in source else cues_only).finditer(source):
        if m.group(1):
            window = m.group(1)
        else:
            rest = source[m.end() : m.end() + 80]
            stop = _STOP.search(rest)
            window = rest[: stop.start()] if stop else rest
        for word in _WORD.findall(window):
            code = names.get(word)
            if code and code not in out:
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
