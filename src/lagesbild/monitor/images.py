"""Perceptual hashes of ad images, computed in memory; the image itself is never kept.

A crawl that has ``ad.images`` in its profile fetches each image of an ad page through the same
:class:`~lagesbild.monitor.fetch.Fetcher` as the pages (same rate limit, concurrency, robots.txt,
host rules and size limit), hashes the bytes with :func:`perceptual_hash` and drops them: only the
64-bit hash reaches the observation (``image_hashes``). Images are never written to disk, to the
raw-page store or to a log.

The hash is the DCT perceptual hash of the ``imagehash`` package (``imagehash.phash``, hash size 8):
grey scale, 32x32 Lanczos, 2-D DCT-II, the 8x8 lowest frequencies compared with their median, first
coefficient as the most significant bit. It is computed here with Pillow and SciPy (both already
dependencies), so hashes agree with ``imagehash`` bit for bit (a test checks against a known value).
Near-duplicate pictures (re-encoded, resized, slightly cropped) get hashes a few bits apart, which
is how :mod:`lagesbild.link.cluster` compares them.

A picture is fetched once per source: the crawl passes the hashes it already knows (by the
picture's address, from the store's ``crawl_image_hashes``) to :func:`hash_image_urls`, which fetches
only the others (issue 17: an ad that stays online for weeks is not fetched again every day).

Example::

    h = perceptual_hash(png_bytes)   # '8f3a...' (16 hex digits)
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy.fft import dct

from lagesbild.errors import InputError, LagesbildError

__all__ = [
    "MAX_IMAGE_PIXELS",
    "ImageError",
    "ImageHashes",
    "hamming",
    "hash_image_urls",
    "hash_images",
    "perceptual_hash",
]

MAX_IMAGE_PIXELS = 40_000_000
"""Images with more pixels than this are refused before they are decoded (a decompression-bomb guard)."""

_SIZE = 32
_LOW = 8


class ImageError(InputError):
    """The bytes are not an image Pillow can read, or the image is too large."""


def perceptual_hash(data: bytes) -> str:
    """The 64-bit DCT perceptual hash of an image, as 16 hexadecimal digits.

    Args:
        data: the image file's bytes (PNG, JPEG, GIF, WebP, ... whatever Pillow reads).

    Returns:
        The hash, identical to ``str(imagehash.phash(Image.open(...)))``.

    Raises:
        ImageError: not an image, broken, or more than :data:`MAX_IMAGE_PIXELS` pixels.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
                if w * h > MAX_IMAGE_PIXELS:
                    raise ImageError(f"image of {w}x{h} pixels is larger than {MAX_IMAGE_PIXELS:,} pixels")
                grey = im.convert("L").resize((_SIZE, _SIZE), Image.Resampling.LANCZOS)
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"not a readable image: {exc.__class__.__name__}") from None
    except Image.DecompressionBombError:
        raise ImageError(f"image is larger than {MAX_IMAGE_PIXELS:,} pixels") from None
    pixels = np.asarray(grey, dtype=np.float64)
    low = dct(dct(pixels, axis=0), axis=1)[:_LOW, :_LOW]
    bits = (low > np.median(low)).flatten()
    value = 0
    for b in bits:
        value = (value << 1) | int(b)
    return f"{value:016x}"


def hamming(a: str, b: str) -> int:
    """The number of bits two hexadecimal hashes differ in."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


class _Getter(Protocol):
    def get(self, url: str) -> Any: ...


def _fetched(fetcher: _Getter, urls: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """``(url, page or error)`` in order; concurrently (within the fetcher's limits) when it can."""
    many = getattr(fetcher, "get_many", None)
    if many is not None:
        yield from many(urls)
        return
    for u in urls:
        try:
            yield u, fetcher.get(u)
        except (LagesbildError, httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError) as exc:
            yield u, exc


@dataclass(slots=True)
class ImageHashes:
    """What :func:`hash_image_urls` found.

    Attributes:
        hashes: the pictures' hashes in page order, without repeats.
        problems: one short line per picture that could not be fetched or read.
        fetched: address -> hash of the pictures fetched now (for the store to remember).
        reused: pictures whose hash was known, so not fetched.
    """

    hashes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fetched: dict[str, str] = field(default_factory=dict)
    reused: int = 0


def hash_image_urls(fetcher: _Getter, urls: Sequence[str], known: Mapping[str, str] | None = None) -> ImageHashes:
    """Hash an ad's pictures, fetching only those whose address is not in ``known`` (address -> hash).

    The others are fetched with ``fetcher`` (its rate limit, concurrency, robots.txt and host rules
    apply) and hashed in memory; their bytes are dropped at once.
    """
    known = known or {}
    out = ImageHashes()
    order = list(dict.fromkeys(urls))
    todo = [u for u in order if u not in known]
    out.reused = len(order) - len(todo)
    for url, page in _fetched(fetcher, todo):
        try:
            if isinstance(page, BaseException):
                raise page
            out.fetched[url] = perceptual_hash(page.body)
        except (LagesbildError, httpx.HTTPError, httpx.InvalidURL, ValueError, UnicodeError) as exc:
            out.problems.append(f"{exc.__class__.__name__}: {exc}"[:300])
        finally:
            page = None  # never kept beyond the hash
    by_url = {**out.fetched, **{u: known[u] for u in order if u in known}}
    out.hashes = list(dict.fromkeys(by_url[u] for u in order if u in by_url))
    return out


def hash_images(fetcher: _Getter, urls: Sequence[str]) -> tuple[list[str], list[str]]:
    """Fetch each image with ``fetcher`` (a :class:`~lagesbild.monitor.fetch.Fetcher`: its rate limit,
    concurrency, robots.txt and host rules apply) and hash it in memory; the bytes are dropped at once.

    Returns:
        ``(hashes, problems)``: the hashes in page order without repeats, and one short line per
        image that could not be fetched or read (the error's class and message; the crawl masks it).
    """
    r = hash_image_urls(fetcher, urls)
    return r.hashes, r.problems
