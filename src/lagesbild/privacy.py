"""Pseudonymization at the door.

People in ads may be victims. Raw phone numbers, e-mail addresses and messaging handles
never reach the database, the logs or an error message: they are normalized (phones to
E.164, e-mails lower-cased) and replaced by keyed HMAC-SHA256 pseudonyms. The key lives
in a file outside the database (mode 0600); the store records only a fingerprint of it,
so that a missing or wrong key is detected instead of silently producing new pseudonyms.

Three more duties live here, because they are about the same promise:

- :meth:`Pseudonymizer.scrub`, :meth:`Pseudonymizer.clean_url` and :meth:`Pseudonymizer.ad_id`
  are what every text field of an observation passes through (the importer's
  ``RecordConverter`` uses them for file imports and for the crawler alike);
- :func:`mask_identifiers` is the last line of defence for messages that echo input;
- :func:`private_dir`, :func:`write_private` and :func:`open_private` create the data
  folder's folders (0700) and files (0600), so that nothing is readable by other users
  (defined in :mod:`lagesbild.private_files`, below the store, and re-exported here).

Example::

    >>> p = Pseudonymizer(b"k" * 32)
    >>> p.phone("070-174 06 12") == p.phone("+46701740612")
    True
    >>> p.phone("070-174 06 12").startswith("ph_")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote_plus

from lagesbild.errors import ConfigError, KeyMismatchError
from lagesbild.normalize.identifiers import find_emails, find_handles, find_phones, normalize_email, normalize_phone
from lagesbild.private_files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    open_private,
    private_dir,
    tighten,
    write_private,
)

__all__ = [
    "KEY_BYTES",
    "MASK",
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "Pseudonymizer",
    "ScrubbedText",
    "create_key",
    "key_fingerprint",
    "load_key",
    "mask_identifiers",
    "open_private",
    "private_dir",
    "rekey_pseudonym",
    "tighten",
    "write_private",
]

KEY_BYTES = 32
_PSEUDONYM_HEX = 24  # 96 bits: collisions are negligible at any realistic scale

MASK = "[masked]"
"""What :func:`mask_identifiers` puts in place of anything that could be an identifier."""


def create_key(path: Path) -> bool:
    """Create a new random key file with mode 0600, unless one exists.

    Returns:
        True if a key was created, False if the file already existed (it is never overwritten).
    """
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    os.chmod(path, 0o600)
    return True


def load_key(path: Path) -> bytes:
    """Read the key file.

    Raises:
        KeyMismatchError: if the file is missing or malformed.
        ConfigError: if the file can be read by other users (it must be 0600).
    """
    try:
        text = path.read_text(encoding="ascii").strip()
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyMismatchError(
            f"pseudonymization key not found at {path}. Run `lagesbild init`, or point "
            "LAGESBILD_KEY_FILE at the installation's key (restore it from backup)."
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"key file {path} is readable by other users; run `chmod 600 {path}`")
    # One hex key per line, oldest first: `lagesbild key rotate` appends a generation (privacy_rotate).
    try:
        key = bytes.fromhex("".join(text.split()))
    except ValueError:
        raise KeyMismatchError(f"key file {path} is not a hex key") from None
    if not key or len(key) % KEY_BYTES:
        raise KeyMismatchError(
            f"key file {path} must hold {KEY_BYTES} bytes per line (one line per key generation), found {len(key)}"
        )
    return key


def rekey_pseudonym(pseudonym: str, key: bytes) -> str:
    """The pseudonym under a new key generation: ``kind_`` + HMAC-SHA256(key, pseudonym) (key rotation)."""
    digest = hmac.new(key, pseudonym.encode(), hashlib.sha256).hexdigest()
    return f"{pseudonym.split('_', 1)[0]}_{digest[:_PSEUDONYM_HEX]}"


def key_fingerprint(key: bytes) -> str:
    """A fingerprint of the key that reveals nothing about it; the store records it."""
    return hmac.new(key, b"lagesbild key fingerprint v1", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ScrubbedText:
    """Text with identifiers replaced by placeholders, and the pseudonyms found in it."""

    text: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    handles: tuple[str, ...] = ()


class Pseudonymizer:
    """Turns raw identifiers into keyed pseudonyms (``ph_…``, ``em_…``, ``hd_…``; ad ids ``id_…``).

    Args:
        key: the installation's secret key (see :func:`load_key`).
        expected_fingerprint: if given, the key must have this fingerprint.

    Raises:
        KeyMismatchError: if the key does not match ``expected_fingerprint``.
    """

    def __init__(self, key: bytes, expected_fingerprint: str | None = None) -> None:
        if expected_fingerprint is not None and key_fingerprint(key) != expected_fingerprint:
            raise KeyMismatchError(
                "the pseudonymization key does not match the one this database was created with; "
                "new identifiers would not match stored ones. Use the installation's original key file."
            )
        self._key = key
        self.fingerprint = key_fingerprint(key)
        self._mac = lru_cache(maxsize=200_000)(self._mac_uncached)
        # The same ad text is seen on every daily sighting: scrub each distinct text once.
        self.scrub = lru_cache(maxsize=100_000)(self._scrub_uncached)  # type: ignore[method-assign]

    @property
    def key(self) -> bytes:
        """The raw key, for handing to a worker process. Never log or store it."""
        return self._key

    def _mac_uncached(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key[:KEY_BYTES], f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        pseudonym = f"{kind}_{digest[:_PSEUDONYM_HEX]}"
        # A rotated key is a chain of generations: each later one re-keys the pseudonym (privacy_rotate).
        for i in range(KEY_BYTES, len(self._key), KEY_BYTES):
            pseudonym = rekey_pseudonym(pseudonym, self._key[i : i + KEY_BYTES])
        return pseudonym

    def phone(self, raw: str) -> str | None:
        """The pseudonym of a phone number in any common format, or None if it is not a phone number."""
        e164 = normalize_phone(raw)
        return None if e164 is None else self._mac("ph", e164)

    def email(self, raw: str) -> str | None:
        """The pseudonym of an e-mail address, or None if it is not one."""
        norm = normalize_email(raw)
        return None if norm is None else self._mac("em", norm)

    def handle(self, service: str, raw: str) -> str:
        """The pseudonym of a messaging handle on a service (e.g. ``telegram``)."""
        return self._mac("hd", f"{service.lower()}:{raw.strip().lstrip('@').lower()}")

    def scrub(self, text: str) -> ScrubbedText:
        """Replace every phone number and e-mail address in ``text`` with a placeholder (cached per text)."""
        return self._scrub_uncached(text)

    def _scrub_uncached(self, text: str) -> ScrubbedText:
        """Replace every phone number, e-mail address and messaging handle in ``text`` with a placeholder.

        Returns the cleaned text and the pseudonyms of what was found, so that a number
        written only in the ad text still links the ad.
        """
        if not text:
            return ScrubbedText(text, (), ())
        spans: list[tuple[int, int, str, str]] = [(s, e, "ph", v) for s, e, v in find_phones(text)]
        spans += [(s, e, "em", v) for s, e, v in find_emails(text)]
        spans += [(s, e, "hd:" + platform, v) for s, e, platform, v in find_handles(text)]
        if not spans:
            return ScrubbedText(text, (), ())
        spans.sort()
        found: dict[str, list[str]] = {"ph": [], "em": [], "hd": []}
        parts: list[str] = []
        pos = 0
        for start, end, kind, value in spans:
            if start < pos:
                continue
            parts.append(text[pos:start])
            if kind == "ph":
                parts.append("[telefon]")
                found["ph"].append(self._mac("ph", value))
            elif kind == "em":
                parts.append("[e-post]")
                found["em"].append(self._mac("em", value))
            else:
                platform = kind[3:]
                parts.append(f"[{platform}]")
                found["hd"].append(self.handle(platform, value))
            pos = end
        parts.append(text[pos:])
        return ScrubbedText(
            "".join(parts),
            tuple(dict.fromkeys(found["ph"])),
            tuple(dict.fromkeys(found["em"])),
            tuple(dict.fromkeys(found["hd"])),
        )

    def ad_id(self, raw: str) -> str:
        """The site's ad id as stored: unchanged, or keyed (``id_…``) if it holds an identifier.

        Some sites use the advertiser's phone number (or e-mail) as the ad's id. Such an id
        is replaced by a keyed pseudonym of the whole id, so it still identifies the ad
        across sightings and imports (the same id always gets the same pseudonym) without
        being stored. Ordinary ids (``A-102934``, ``5512345``) are kept as they are.

        >>> p = Pseudonymizer(b"k" * 32)
        >>> p.ad_id("A-102934")
        'A-102934'
        >>> p.ad_id("0701740605").startswith("id_")
        True
        """
        s = self._scrub_uncached(raw)  # not the text cache: ids would evict ad texts
        if s.text == raw:
            return raw
        return self._mac("id", raw)

    def clean_url(self, url: str) -> ScrubbedText:
        """Scrub an address, also where it hides an identifier behind percent-encoding.

        ``https://example.invalid/ad?tel=070%20174%2006%2005`` is scrubbed in its decoded
        form; an address without an identifier is kept exactly as given.
        """
        s = self.scrub(url)
        if "%" in url or "+" in url:
            decoded = unquote_plus(url)
            if decoded != url:
                d = self.scrub(decoded)
                if d.text != decoded:
                    return ScrubbedText(
                        d.text,
                        tuple(dict.fromkeys(s.phones + d.phones)),
                        tuple(dict.fromkeys(s.emails + d.emails)),
                        tuple(dict.fromkeys(s.handles + d.handles)),
                    )
        return s


# -- masking input echoed in messages -----------------------------------------------------------

# A date or date-time is not masked, whatever its digits ("2025-03-01", "2025-03-01T12:00:00").
# Every other run of digits with the separators people type in phone numbers is, from 7 digits
# on: a number that is not quite a phone number (a typo, a foreign format) is still one.
_ECHO = re.compile(
    r"(?P<date>(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}){1,2}(?:\.\d+)?)?)"
    r"|(?P<run>\+?\d(?:[ \t\-./()]{0,2}\d)*)"
)
_ANY_EMAIL = re.compile(r"[^\s,;:'\"<>()\[\]]*@[^\s,;:'\"<>()\[\]]+")
_AT_HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_YYYYMMDD = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")
_MIN_MASKED_DIGITS = 7


def _mask_run(m: re.Match[str]) -> str:
    run = m.group("run")
    if run is None:
        return m.group(0)
    digits = sum(c.isdigit() for c in run)
    if digits < _MIN_MASKED_DIGITS or _YYYYMMDD.match(run):
        return run
    return MASK


def mask_identifiers(text: str, *, strict: bool = True) -> str:
    """``text`` with everything that could be an identifier replaced by ``[masked]``.

    For messages that echo input (error messages, log lines): phone numbers in any form
    :func:`~lagesbild.normalize.identifiers.find_phones` knows, and every other run of 7 or
    more digits (dates excepted), e-mail addresses and anything with an ``@``, messaging
    handles; control characters and lone surrogates become ``?``. It errs on the side of
    masking: a masked line number or size is a small price.

    Args:
        text: the message.
        strict: also mask digit runs that are not valid phone numbers (for error messages);
            ``False`` masks what the store's scrubber finds and anything with an ``@``, and
            leaves counts such as ``1234567`` readable (for log lines).

    >>> mask_identifiers("unknown column(s) 070-174 06 05, testperson@example.invalid")
    'unknown column(s) [masked], [masked]'
    >>> mask_identifiers("ads.jsonl:12: field 'seen_at': date '2099-01-01' is out of range")
    "ads.jsonl:12: field 'seen_at': date '2099-01-01' is out of range"
    """
    if not text:
        return text
    spans = [(a, b) for a, b, _ in find_phones(text)]
    spans += [(a, b) for a, b, _ in find_emails(text)]
    spans += [(a, b) for a, b, _, _ in find_handles(text)]
    if spans:
        spans.sort()
        parts: list[str] = []
        pos = 0
        for a, b in spans:
            if a < pos:
                continue
            parts.append(text[pos:a])
            parts.append(MASK)
            pos = b
        parts.append(text[pos:])
        text = "".join(parts)
    text = _ANY_EMAIL.sub(MASK, text)
    text = _AT_HANDLE.sub(MASK, text)
    if strict:
        text = _ECHO.sub(_mask_run, text)
    return _CONTROL.sub("?", text)
