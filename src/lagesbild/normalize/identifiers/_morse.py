"""A mobile written in Morse code, when the ad says so ("Mitt nummer i morse: ----- --... ----- .---- ...").

Read only when the ad names Morse code before the run, and only a run of exactly ten five-symbol codes, each a digit's
code, that together are a whole Swedish mobile from 07 (dots and dashes as typed: ``.`` ``·`` ``•`` for a dot, ``-``
``–`` ``—`` ``−`` ``_`` for a dash, codes parted by spaces or a slash)."""

from __future__ import annotations

import re

from lagesbild.normalize.identifiers._common import _take
from lagesbild.normalize.identifiers._e164 import normalize_phone

_DOT = ".·•"
_DASH = "-–—−_"
_SIGN = rf"[{re.escape(_DOT + _DASH)}]"
_CODE = rf"{_SIGN}{{5}}"
# a whole run of codes (read only when it is exactly ten: eleven codes are no mobile)
_RUN = re.compile(rf"(?<![\w{_SIGN[1:-1]}]){_CODE}(?:(?:[ \t]+|[ \t]*/[ \t]*){_CODE})*(?![\w{_SIGN[1:-1]}])")
_CUE = re.compile(r"(?<![^\W_])(?i:morse|morsekod|morsekoden|morse code|morsealfabetet)(?![^\W_])")
_DIGITS = {
    "-----": "0",
    ".----": "1",
    "..---": "2",
    "...--": "3",
    "....-": "4",
    ".....": "5",
    "-....": "6",
    "--...": "7",
    "---..": "8",
    "----.": "9",
}
_PLAIN = str.maketrans({**{c: "." for c in _DOT}, **{c: "-" for c in _DASH}})


def _find_morse(written: str, out: list[tuple[int, int, str]]) -> None:
    """Ten five-symbol Morse codes after the ad names Morse code: the digits they code, when a whole Swedish mobile."""
    cue = _CUE.search(written)
    if cue is None:
        return
    for m in _RUN.finditer(written, cue.end()):
        codes = re.findall(_CODE, m.group(0))
        if len(codes) != 10:
            continue
        digits = "".join(_DIGITS.get(c.translate(_PLAIN), "?") for c in codes)
        if "?" in digits or not digits.startswith("07"):
            continue
        if _take(out, m.start(), m.end(), normalize_phone(digits), alone=True):
            return
