"""Validate one import record and turn it into a pseudonymized :class:`Observation`.

Hand-written rather than a pydantic model: it runs per row at 50,000 rows per second.
Error messages name the field and never repeat a raw identifier.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from lagesbild.ingest.fields import BY_NAME, REQUIRED
from lagesbild.normalize.places import resolve_place
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer
from lagesbild.refdata import municipalities

__all__ = ["RecordConverter", "RecordError", "to_observation"]

_SITE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HEX = re.compile(r"^[0-9a-fA-F]{8,64}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_STOCKHOLM = ZoneInfo("Europe/Stockholm")
_MIN_DATE = datetime(1995, 1, 1, tzinfo=UTC)
_MAX_TEXT = 1_000_000
_KNOWN = frozenset(BY_NAME)
_good_sites: set[str] = set()


class RecordError(Exception):
    """A field error inside one record; the reader adds file and line."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@lru_cache(maxsize=100_000)
def _parse_time(value: str) -> str:
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("not an ISO 8601 date or date-time (e.g. 2025-03-01 or 2025-03-01T14:05:00Z)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_STOCKHOLM)
    dt = dt.astimezone(UTC)
    if dt < _MIN_DATE or dt > datetime.now(UTC) + timedelta(days=1):
        raise ValueError(f"date {value.strip()!r} is out of range (1995-01-01 to tomorrow)")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(rec: dict[str, Any], name: str, limit: int = _MAX_TEXT) -> str | None:
    v = rec.get(name)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise RecordError(name, f"must be text, not {type(v).__name__}")
    if len(v) > limit:
        raise RecordError(name, f"is {len(v):,} characters long; at most {limit:,}")
    return v


def _list(rec: dict[str, Any], name: str) -> list[str]:
    v = rec.get(name)
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [p for p in (s.strip() for s in v.split(";")) if p]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return [x for x in v if x.strip()]
    raise RecordError(name, "must be a list of strings or one string separated by ';'")


_CONTENT_FIELDS = tuple(f for f in BY_NAME if f not in ("site", "site_ad_id", "seen_at"))
_LIST_IDX = tuple(i for i, f in enumerate(_CONTENT_FIELDS) if f in ("phones", "emails", "image_hashes"))
_CACHE_MAX = 200_000


class RecordConverter:
    """Validates records and builds pseudonymized observations, one import at a time.

    An ad seen on many days has the same content in every sighting, so the content part
    (text, identifiers, place, ...) is validated and pseudonymized once and reused; only
    site, ad id and time are checked per record.
    """

    def __init__(self, pz: Pseudonymizer) -> None:
        self.pz = pz
        self._cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def __call__(self, rec: Any) -> Observation:
        """Validate one record (a dict from JSON or CSV) and build the observation.

        Raises:
            RecordError: naming the first invalid field.
        """
        site, ad_id, seen_at, content = self.parts(rec)
        return Observation(site, ad_id, seen_at, *content)

    def parts(self, rec: Any) -> tuple[str, str, str, tuple[Any, ...]]:
        """Like calling the converter, but returns ``(site, site_ad_id, seen_at, content)``.

        ``content`` holds the observation's remaining fields and is the same object for every
        record with the same content, which lets a caller send each distinct content once.
        """
        if not isinstance(rec, dict):
            raise RecordError(None, f"a record must be a JSON object, not {type(rec).__name__}")
        if not _KNOWN.issuperset(rec):
            unknown = [k for k in rec if k not in BY_NAME]
            raise RecordError(unknown[0], f"unknown field; known fields: {', '.join(BY_NAME)}")
        for name in REQUIRED:
            if rec.get(name) in (None, ""):
                raise RecordError(name, "is required")
        site = rec["site"]
        if site not in _good_sites:
            if not isinstance(site, str) or not _SITE.match(site):
                raise RecordError("site", "must be 1-64 letters, digits, '.', '_' or '-'")
            _good_sites.add(site)
        ad_id = rec["site_ad_id"]
        if isinstance(ad_id, int) and not isinstance(ad_id, bool):
            ad_id = str(ad_id)
        if not isinstance(ad_id, str) or len(ad_id) > 128:
            raise RecordError("site_ad_id", "must be text of at most 128 characters")
        seen_at = _time(rec, "seen_at")
        assert seen_at is not None
        vals: list[Any] = list(map(rec.get, _CONTENT_FIELDS))
        for i in _LIST_IDX:
            if type(vals[i]) is list:
                vals[i] = tuple(vals[i])
        key = tuple(vals)
        try:
            content = self._cache.get(key)
        except TypeError:  # an unhashable value (a nested object): validation names it
            content = None
            key = ()
        if content is None:
            content = _content(rec, self.pz)
            if key:
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                self._cache[key] = content
        return site, ad_id, seen_at, content


def to_observation(rec: Any, pz: Pseudonymizer) -> Observation:
    """Validate one record and build its observation (see :class:`RecordConverter` for many).

    Raises:
        RecordError: naming the first invalid field.
    """
    return RecordConverter(pz)(rec)


def _time(rec: dict[str, Any], name: str) -> str | None:
    v = rec.get(name)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise RecordError(name, "must be an ISO 8601 date or date-time string")
    try:
        return _parse_time(v)
    except ValueError as exc:
        raise RecordError(name, str(exc)) from None


def _content(rec: dict[str, Any], pz: Pseudonymizer) -> tuple[Any, ...]:
    """Validate and pseudonymize the content fields; returns Observation's fields after seen_at."""
    posted_at = _time(rec, "posted_at")
    age_raw = rec.get("age")
    age: int | None = None
    if age_raw not in (None, ""):
        if isinstance(age_raw, str) and age_raw.strip().isdigit():
            age_raw = int(age_raw.strip())
        if not isinstance(age_raw, int) or isinstance(age_raw, bool) or not 10 <= age_raw <= 99:
            raise RecordError("age", "must be a whole number from 10 to 99")
        age = age_raw

    lang = _text(rec, "language", 8)
    if lang is not None and not _LANG.match(lang):
        raise RecordError("language", "must be an ISO 639-1 code such as 'sv' or 'en'")
    hashes = _list(rec, "image_hashes")
    for i, h in enumerate(hashes):
        if not _HEX.match(h):
            raise RecordError(f"image_hashes[{i}]", "must be 8-64 hexadecimal digits")

    phones: list[str] = []
    for i, raw in enumerate(_list(rec, "phones")):
        p = pz.phone(raw)
        if p is None:
            raise RecordError(f"phones[{i}]", "is not a phone number (value withheld)")
        phones.append(p)
    emails: list[str] = []
    for i, raw in enumerate(_list(rec, "emails")):
        e = pz.email(raw)
        if e is None:
            raise RecordError(f"emails[{i}]", "is not an e-mail address (value withheld)")
        emails.append(e)

    title = _text(rec, "title")
    body = _text(rec, "body")
    handles: list[str] = []
    if title:
        s = pz.scrub(title)
        title, phones, emails, handles = s.text, phones + list(s.phones), emails + list(s.emails), list(s.handles)
    if body:
        s = pz.scrub(body)
        body, phones, emails, handles = (
            s.text,
            phones + list(s.phones),
            emails + list(s.emails),
            handles + list(s.handles),
        )

    location = _text(rec, "location", 500)
    kommun = _text(rec, "kommun", 4)
    lan: str | None
    conf: float | None
    if kommun is not None:
        m = municipalities().get(kommun)
        if m is None:
            raise RecordError("kommun", f"unknown municipality code {kommun!r} (four digits such as '0580')")
        lan, conf = m.county_code, 1.0
    else:
        place = resolve_place(location)
        kommun, lan = place.kommun_kod, place.lan_kod
        conf = place.confidence if lan else None

    return (
        _text(rec, "url", 2048),
        title,
        body,
        location,
        kommun,
        lan,
        conf,
        age,
        _text(rec, "price", 200),
        lang,
        _text(rec, "name", 200),
        tuple(dict.fromkeys(phones)),
        tuple(dict.fromkeys(emails)),
        tuple(dict.fromkeys(handles)),
        tuple(h.lower() for h in hashes),
        posted_at,
    )
