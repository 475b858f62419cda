"""E-mail addresses, plain and obfuscated (``anna (at) example (dot) com``, ``anna snabel-a example punkt se``)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}(?![\w])")
_AT = r"(?:\s*(?:\(at\)|\[at\]|\{at\}|\(snabel-?a\))\s*|\s+(?:at|snabel-?a)\s+)"
_DOT = r"(?:\s*(?:\(dot\)|\[dot\]|\{dot\}|\(punkt\))\s*|\s+(?:dot|punkt)\s+|\.)"
_TLD = r"(?:com|se|net|org|nu|eu|info|ru|de|uk|co|io|me|ro|pl|es|fr|it|nl|fi|dk|no|ua|lt|lv|ee|bg|hu)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])([\w.+-]{{1,64}}){_AT}([\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}})*?){_DOT}({_TLD})(?![\w])",
    re.IGNORECASE,
)
_EMAIL_GATE = re.compile(r"\(at\)|\[at\]|\{at\}|snabel|\s+at\s+\S+\s+(?:dot|punkt)\s", re.IGNORECASE)
_SPLIT_DOT = re.compile(_DOT, re.IGNORECASE)
# "E-mail: julia @ example.com": spaces around the at-sign, read only after a word for e-mail on the same line
# and with a whole domain after it ("Insta: @anna_93", "Träffas @ 20:00", "priser @ 1500 kr" are no addresses)
_SPACED_AT = re.compile(
    rf"(?<![\w.+@-])([\w.+-]{{1,64}})(?:[ \t]+@[ \t]*|[ \t]*@[ \t]+)"
    rf"([\w-]{{1,63}}(?:\.[\w-]{{1,63}})*\.{_TLD})(?![\w@])",
    re.IGNORECASE,
)
_MAIL_CUE = re.compile(r"(?i:e-?mail|mail|mejl|e-?post)(?:a|en|et)?(?![^\W\d_])[^\n@]{0,30}$")


def normalize_email(raw: str) -> str | None:
    """Lower-case and trim an e-mail address; None if it is not one."""
    s = raw.strip().lower()
    m = _EMAIL.fullmatch(s)
    return s if m else None


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """Every e-mail address in ``text``, as ``(start, end, normalized)``.

    Also finds the obfuscated forms ``anna (at) example (dot) com`` and
    ``anna snabel-a example punkt se``.
    """
    if not text:
        return []
    out = [(m.start(), m.end(), m.group(0).lower()) for m in _EMAIL.finditer(text)] if "@" in text else []
    if _EMAIL_GATE.search(text):
        for m in _OBFUSCATED_EMAIL.finditer(text):
            if any(a < m.end() and m.start() < b for a, b, _ in out):
                continue
            domain = _SPLIT_DOT.sub(".", m.group(2))
            address = f"{m.group(1)}@{domain}.{m.group(3)}".lower()
            if normalize_email(address) is not None:
                out.append((m.start(), m.end(), address))
        out.sort()
    if " @" in text or "@ " in text or "@\t" in text:
        for m in _SPACED_AT.finditer(text):
            line = text[max(0, text.rfind("\n", 0, m.start()) + 1, m.start() - 60) : m.start()]
            if not _MAIL_CUE.search(line) or any(a < m.end() and m.start() < b for a, b, _ in out):
                continue
            address = f"{m.group(1)}@{m.group(2)}".lower()
            if normalize_email(address) is not None:
                out.append((m.start(), m.end(), address))
        out.sort()
    return out
