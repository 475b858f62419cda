"""Fuzz targets shared by the hypothesis properties and the atheris harnesses.

Each target takes bytes and feeds them to one parser. The contract under test: any input gives
a result or a :class:`~lagesbild.errors.LagesbildError` subclass, never another exception, and
within :data:`TIME_BOUND_S`. A target returns ``"ok"`` or ``"error"`` (a clean error) and
raises anything else, so that a fuzzer reports it as a crash.

Not a test module: ``tests/fuzz/test_*.py`` import it by path and the harnesses run it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from lagesbild.errors import LagesbildError

TIME_BOUND_S = 2.0
"""The most one input may take (per call of a target), in the properties and the fuzzer."""

_TMP = Path(tempfile.gettempdir())


@cache
def _pz():  # type: ignore[no-untyped-def]
    from lagesbild.privacy import Pseudonymizer

    return Pseudonymizer(bytes(range(32)))


@cache
def _profiles():  # type: ignore[no-untyped-def]
    from lagesbild.monitor.compile import compile_profile
    from lagesbild.monitor.spec import load_profile

    folder = Path(__import__("lagesbild.monitor", fromlist=["x"]).__file__).parent / "profiles"
    return tuple(compile_profile(load_profile(p)) for p in sorted(folder.glob("*.yaml")))


def _text(data: bytes) -> str:
    # Pages and stored text are decoded strictly or with replacement: no lone surrogates reach parsers.
    return data.decode("utf-8", errors="replace")


def _import(data: bytes, suffix: str) -> str:
    """The file importer's reading and validation (everything before the store)."""
    from lagesbild.ingest import iter_observations

    fd, name = tempfile.mkstemp(suffix=suffix, dir=_TMP)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            for _ in iter_observations(name, _pz()):
                pass
        except LagesbildError:
            return "error"
        return "ok"
    finally:
        os.unlink(name)


def ingest_jsonl(data: bytes) -> str:
    return _import(data, ".jsonl")


def ingest_csv(data: bytes) -> str:
    return _import(data, ".csv")


def profile_yaml(data: bytes) -> str:
    """Profile loading, validation and compiling, as ``source check`` does it."""
    from lagesbild.monitor.compile import compile_profile
    from lagesbild.monitor.spec import load_profile

    fd, name = tempfile.mkstemp(suffix=".yaml", dir=_TMP)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            compile_profile(load_profile(name))
        except LagesbildError:
            return "error"
        return "ok"
    finally:
        os.unlink(name)


def profile_extract(data: bytes) -> str:
    """The shipped profiles' extraction (listing and ad pages) on arbitrary HTML."""
    html = _text(data)
    try:
        for prof in _profiles():
            urls = prof.start_urls()
            url = urls[0] if urls else "http://127.0.0.1/"
            prof.read_listing(html, url)
            prof.read_ad(html, url + "annons/x1")
            prof.read_discovery(html, url)
    except LagesbildError:
        return "error"
    return "ok"


def normalize_text(data: bytes) -> str:
    """Phone, e-mail and handle finders, places, prices, ages, the whole-ad normalizer and scrubbing.

    These promise never to raise on odd text: a LagesbildError here is a failure too.
    """
    from lagesbild.normalize.ad import normalize_ad
    from lagesbild.normalize.ages import find_age
    from lagesbild.normalize.identifiers import (
        find_emails,
        find_handles,
        find_phones,
        normalize_email,
        normalize_phone,
    )
    from lagesbild.normalize.places import resolve_place
    from lagesbild.normalize.prices import find_prices, price_per_hour

    text = _text(data)
    third = max(1, len(text) // 3)
    title, body, loc = text[:third], text[third : 2 * third], text[2 * third :]
    normalize_phone(text)
    normalize_email(text)
    for start, end, value in find_phones(text):
        assert 0 <= start < end <= len(text) and value.startswith("+"), (start, end)
    find_emails(text)
    find_handles(text)
    resolve_place(loc, title=title, body=body, site_city=title[:20] or None)
    price_per_hour(find_prices(text))
    find_age(body, title=title)
    normalize_ad(title, body, loc)
    _pz().scrub(text)
    return "ok"


def normalize_phone_only(data: bytes) -> str:
    from lagesbild.normalize.identifiers import normalize_phone

    out = normalize_phone(_text(data))
    assert out is None or (out.startswith("+") and out[1:].isdigit()), out
    return "ok"


TARGETS: dict[str, Callable[[bytes], str]] = {
    "ingest_jsonl": ingest_jsonl,
    "ingest_csv": ingest_csv,
    "profile_yaml": profile_yaml,
    "profile_extract": profile_extract,
    "normalize_text": normalize_text,
    "normalize_phone": normalize_phone_only,
}

NAMES = tuple(TARGETS)

KNOWN_DEFECTS: dict[str, str] = {
    # exception class (module.qualname) -> the defect; each has a strict xfail in test_regressions.py.
    # Remove an entry when its defect is fixed (the xfail then fails and is flipped). None open now.
}


def _known(exc: BaseException) -> bool:
    return f"{type(exc).__module__}.{type(exc).__qualname__}" in KNOWN_DEFECTS


def any_target(data: bytes) -> str:
    """All targets in one: the first byte picks the target (one fuzzer process for CI).

    Returns ``"known"`` for an exception listed in :data:`KNOWN_DEFECTS`; raises any other.
    """
    if not data:
        return "ok"
    try:
        return TARGETS[NAMES[data[0] % len(NAMES)]](data[1:])
    except Exception as exc:
        if _known(exc):
            return "known"
        raise


__all__ = ["KNOWN_DEFECTS", "NAMES", "TARGETS", "TIME_BOUND_S", "any_target"]
