"""Synthetic identifiers: phone numbers, e-mail addresses and image perceptual hashes.

Everything here is drawn from a seeded generator at run time and never committed
(see ``docs/dev/simulator-contract.md``). Phone numbers are Swedish mobile numbers
(``07x`` + seven digits); e-mail addresses use the reserved ``.invalid`` top-level
domain so that they can never reach a real mailbox. Images are represented by stable
64-bit perceptual hashes; a re-encoded or cropped copy of an image is a near-duplicate
with a few bits flipped, which is what a real pHash of a re-uploaded image looks like.

Phones can be *written* in many ways (:func:`format_phone`); the site's own contact
field uses only formats a parser reads, while the ad body also uses obfuscated ones
("O7O 1740612", digits as words) that a reader has to decode.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "BODY_PHONE_STYLES",
    "FIELD_PHONE_STYLES",
    "email_for",
    "flip_bits",
    "format_phone",
    "new_image_hashes",
    "new_phones",
]

_PREFIXES = np.array([70, 72, 73, 76, 79])
_DOMAINS = ("post.example.invalid", "mejl.example.invalid", "mail.example.invalid", "inbox.example.invalid")
_WORDS_SV = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio")

FIELD_PHONE_STYLES = ("dash_space", "plain", "e164", "spaced_e164", "dash")
"""Styles a site's phone field shows; every one of them parses as a phone number."""

BODY_PHONE_STYLES = (*FIELD_PHONE_STYLES, "letter_o", "split", "words")
"""Styles used in ad text, including obfuscations that need the normalizer's rules."""


def new_phones(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct synthetic Swedish mobile numbers as ten digits (``0701740612``)."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        k = n - len(out)
        pre = rng.choice(_PREFIXES, size=k)
        rest = rng.integers(0, 10_000_000, size=k)
        for p, r in zip(pre.tolist(), rest.tolist(), strict=True):
            s = f"0{p}{r:07d}"
            if s not in seen:
                seen.add(s)
                out.append(s)
    return out


def format_phone(number: str, style: str) -> str:
    """Write a ten-digit Swedish mobile number the way ads do.

    >>> format_phone("0701740612", "dash_space")
    '070-174 06 12'
    >>> format_phone("0701740612", "e164")
    '+46701740612'
    >>> format_phone("0701740612", "letter_o")
    'O7O 1740612'
    """
    a, b = number[:3], number[3:]
    if style == "dash_space":
        return f"{a}-{b[:3]} {b[3:5]} {b[5:]}"
    if style == "plain":
        return number
    if style == "e164":
        return "+46" + number[1:]
    if style == "spaced_e164":
        return f"+46 {number[1:3]} {b[:3]} {b[3:5]} {b[5:]}"
    if style == "dash":
        return f"{a}-{b}"
    if style == "letter_o":
        return f"{a.replace('0', 'O')} {b}"
    if style == "split":
        return f"{a} {b[:2]} {b[2:4]} {b[4:]}"
    if style == "words":
        return " ".join(_WORDS_SV[int(c)] for c in number)
    raise ValueError(f"unknown phone style {style!r}")


def email_for(name: str, rng: np.random.Generator) -> str:
    """A synthetic e-mail address on a reserved ``.invalid`` domain."""
    base = "".join(c for c in name.lower() if c.isascii() and c.isalpha()) or "kontakt"
    return f"{base}{int(rng.integers(1, 999))}@{_DOMAINS[int(rng.integers(len(_DOMAINS)))]}"


def new_image_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random 64-bit perceptual hashes (uint64)."""
    return rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)


def flip_bits(h: int, rng: np.random.Generator, max_bits: int) -> int:
    """A near-duplicate of hash ``h``: 1..``max_bits`` distinct bits flipped."""
    k = int(rng.integers(1, max_bits + 1))
    for bit in rng.choice(64, size=k, replace=False).tolist():
        h ^= 1 << int(bit)
    return h
