"""Messaging handles after a cue word or in a link (``Telegram: anna_xx``, ``t.me/anna_xx``); rules in
``rules/identifiers.yaml``."""

from __future__ import annotations

import re
from functools import cache

from lagesbild.normalize._gate import with_first_chars
from lagesbild.normalize._rules import rules


@cache
def _handle_gate() -> re.Pattern[str]:
    """One pattern for every cue word and host: most ads have none, and then one scan is all."""
    cues: list[str] = []
    for spec in rules("identifiers")["handles"].values():
        cues += [re.escape(str(w)) for w in spec.get("words") or ()]
        cues += [re.escape(str(h)) for h in spec.get("hosts") or ()]
    return re.compile(
        with_first_chars(rf"(?<![^\W_])(?:{'|'.join(sorted(cues, key=len, reverse=True))})\s*[:=@/-]"), re.I
    )


@cache
def _handle_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out: list[tuple[str, re.Pattern[str]]] = []
    for platform, spec in rules("identifiers")["handles"].items():
        hosts = [re.escape(h) for h in spec.get("hosts") or ()]
        if hosts:
            out.append(
                (
                    str(platform),
                    re.compile(rf"(?:https?://)?(?:www\.)?(?:{'|'.join(hosts)})/@?([A-Za-z0-9_.+-]{{2,40}})", re.I),
                )
            )
        words = "|".join(re.escape(str(w)) for w in spec.get("words") or ())
        if words:
            out.append(
                (
                    str(platform),
                    re.compile(rf"(?<![^\W_])(?:{words})\s*(?:[:=]\s*@?|-\s*@?|\s@)\s*([A-Za-z][\w.]{{2,31}})", re.I),
                )
            )
    return tuple(out)


def find_handles(text: str) -> list[tuple[int, int, str, str]]:
    """Messaging handles in ``text``, as ``(start, end, platform, handle)``.

    Platforms and their cue words and link hosts are in ``rules/identifiers.yaml``
    (``Telegram: anna_xx``, ``t.me/anna_xx``, ``snap: anna.xx``). Handles that are
    phone numbers are left to :func:`find_phones`.

    >>> find_handles("Skriv på Telegram: anna_fiktiv")
    [(9, 30, 'telegram', 'anna_fiktiv')]
    """
    if not text or not _handle_gate().search(text):
        return []
    out: list[tuple[int, int, str, str]] = []
    for platform, pattern in _handle_patterns():
        for m in pattern.finditer(text):
            handle = m.group(1).rstrip(".").lower()
            if sum(c.isdigit() for c in handle) > len(handle) // 2:
                continue
            if any(a < m.end() and m.start() < b for a, b, _, _ in out):
                continue
            out.append((m.start(), m.end(), platform, handle))
    out.sort()
    return out
