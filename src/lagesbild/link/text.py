"""Text templates: masked ad text, word shingles and MinHash signatures, with LSH candidates.

Two ads written from one template (the same seller reposting, or one organizer writing for
several women) share most word 3-grams once the slot fillers are masked: the ad's own name,
numbers (age, price, days) and the stated location. The Jaccard similarity of those shingle
sets is estimated by MinHash (the method of ``datasketch``, vectorized here with numpy so
that a million ads need no Python loop per permutation) and candidate pairs come from
banded locality-sensitive hashing; every candidate is verified on its signatures.

A coarser *template key* (:func:`template_key`) captures the shape of a copied text: the
opening words of each sentence, in order. An organizer who writes all her sellers' ads from
one text keeps that shape while names, ages, cities, prices and languages spoken change; how
distinctive a key is depends on how many advertisers use it, which linking measures
(:mod:`lagesbild.link.cluster`, networks).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from lagesbild.normalize._rules import rules
from lagesbild.normalize._text import fold_text
from lagesbild.refdata import gazetteer

__all__ = [
    "bucket_pairs",
    "lsh_pairs",
    "mask_sentences",
    "mask_text",
    "minhash",
    "shingles",
    "similarity",
    "template_key",
]

_PRIME = np.uint64((1 << 61) - 1)
_MAX = np.uint32(0xFFFFFFFF)
_WORD = re.compile(r"[^\W\d_]+|\d+|\[[a-z-]+\]")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
TEMPLATE_OPENING_WORDS = 3  # words of each sentence that make its opening in a template key
_LANGUAGE = "<l>"  # a language name in a robust template key
_JOINERS = frozenset({"och", "and", "samt", "eller", "or"})  # between two language names


def _perms(n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(1)  # fixed: signatures must be comparable across runs
    a = rng.integers(1, 1 << 31, n, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, n, dtype=np.uint64)
    return a, b


def mask_text(text: str, *, name: str | None = None, location: str | None = None) -> list[str]:
    """The words of ``text`` with slot fillers masked: name -> ``<n>``, numbers -> ``0``, place words dropped.

    >>> mask_text("Hej! Jag heter Anna och är 24 år i Lkpg", name="anna", location="Lkpg")
    ['hej', 'jag', 'heter', '<n>', 'och', 'ar', '0', 'ar', 'i']
    """
    folded = fold_text(text)
    drop = set(fold_text(location).split()) if location else set()
    out: list[str] = []
    for w in _WORD.findall(folded):
        if name is not None and w == name:
            out.append("<n>")
        elif w in drop:
            continue
        elif _DIGITS.fullmatch(w):
            out.append("0")
        else:
            out.append(w)
    return out


def mask_sentences(
    title: str | None, body: str | None, *, name: str | None = None, location: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """The masked words of the title and of each body sentence (see :func:`mask_text`).

    Sentences end at ``.``, ``!`` or ``?`` followed by white space. The title's words followed
    by every sentence's words are exactly ``mask_text(f"{title} . {body}")``.

    >>> mask_sentences("Anna 24", "Hej! Jag heter Anna. Ring", name="anna")
    (['<n>', '0'], [['hej'], ['jag', 'heter', '<n>'], ['ring']])
    """
    t = mask_text(title or "", name=name, location=location)
    sentences = [mask_text(x, name=name, location=location) for x in _SENTENCE_END.split(body or "")]
    return t, [x for x in sentences if x]


@cache
def _template_words() -> tuple[frozenset[str], frozenset[str]]:
    """Folded language names (``rules/languages.yaml``) and one-word Swedish place names (the gazetteer)."""
    languages = frozenset(fold_text(str(k)) for k in rules("languages")["names"])
    places: set[str] = set()
    for e in gazetteer():
        words = _WORD.findall(fold_text(e.name))
        if len(words) == 1 and not _DIGITS.fullmatch(words[0]):
            places.add(words[0])
    return languages, frozenset(places - languages)


def _robust_words(words: list[str]) -> list[str]:
    """Place names dropped, each run of language names ("svenska, engelska och ryska") one ``<l>``."""
    languages, places = _template_words()
    out: list[str] = []
    for i, w in enumerate(words):
        after_language = bool(out) and out[-1] == _LANGUAGE
        if w in languages:
            if not after_language:
                out.append(_LANGUAGE)
            continue
        joins = w in _JOINERS and after_language and i + 1 < len(words) and words[i + 1] in languages
        if w not in places and not joins:
            out.append(w)
    return out


def _reduce(word: str) -> str:
    """A word's first and last letters: a swapped or dropped letter inside the word keeps both."""
    return word if len(word) <= 2 or word.startswith("<") else word[0] + word[-1]


def template_key(title_words: list[str], sentences: list[list[str]], *, robust: bool = False) -> int:
    """A 64-bit key of a text's shape: the first word of the title and the opening words of each sentence.

    Sentences shorter than :data:`TEMPLATE_OPENING_WORDS` words (greetings, sign-offs such as
    "Puss!") are left out: they vary from ad to ad. 0 when no sentence is long enough (no key).
    Two texts with one key have the same sentences in the same order, whatever their slot
    fillers (names, numbers, places, languages, landmarks) say.

    With ``robust`` (``LinkSettings.template_key_robust``) the key also survives what splits
    one organizer's texts that the masking leaves: Swedish place names other than the ad's
    stated location (a municipality, locality or post town of the gazetteer) are dropped, each
    run of language names becomes one ``<l>`` ("jag pratar svenska" and "jag pratar ryska,
    engelska" open alike), and every word is reduced to its first and last letters, so a
    misspelling inside a word ("trevilg", "trevig") keeps the key.

    >>> a = template_key(["<n>", "0"], [["hej", "jag", "heter", "<n>"], ["pris", "0", "kr", "0", "min"]])
    >>> a == template_key(["<n>"], [["hej", "jag", "heter", "ar"], ["pris", "0", "kr"], ["puss"]])
    True
    >>> template_key(["<n>"], [["hej"]])
    0
    >>> one = [["jag", "pratar", "svenska", "och", "engelska"], ["besoker", "motala", "en", "dag"]]
    >>> other = [["jag", "praatr", "ryska"], ["besoker", "norrkoping", "en", "dag"]]
    >>> template_key([], one, robust=True) == template_key([], other, robust=True)
    True
    """
    k = TEMPLATE_OPENING_WORDS
    if robust:
        title_words = _robust_words(title_words)
        sentences = [[_reduce(w) for w in _robust_words(x)] for x in sentences]
        title_words = [_reduce(w) for w in title_words[:1]]
    openings = [" ".join(x[:k]) for x in sentences if len(x) >= k]
    if not openings:
        return 0
    text = "|".join(openings) + "#" + (title_words[0] if title_words else "")
    if robust:
        text = "robust:" + text
    value = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)
    return value or 1


def shingles(words: Sequence[str], k: int = 3) -> npt.NDArray[np.uint64]:
    """Stable 32-bit hashes (CRC-32) of the word ``k``-grams (the words themselves if fewer)."""
    if len(words) < k:
        grams = [" ".join(words)] if words else []
    else:
        grams = [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]
    return np.array(sorted({zlib.crc32(g.encode()) for g in grams}), dtype=np.uint64)


def minhash(hashes: npt.NDArray[np.uint64], n_perm: int) -> npt.NDArray[np.uint32]:
    """MinHash signature (``n_perm`` values) of a set of shingle hashes; all-max for an empty set."""
    if len(hashes) == 0:
        return np.full(n_perm, _MAX, dtype=np.uint32)
    a, b = _perms(n_perm)
    values = (hashes[:, None] * a[None, :] + b[None, :]) % _PRIME
    sig: npt.NDArray[np.uint32] = (values.min(axis=0) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return sig


def similarity(sig_a: npt.NDArray[np.uint32], sig_b: npt.NDArray[np.uint32]) -> float:
    """Estimated Jaccard similarity of two signatures (0 when either text was empty)."""
    if (sig_a == _MAX).all() or (sig_b == _MAX).all():
        return 0.0
    return float(np.mean(sig_a == sig_b))


def bucket_pairs(
    keys: npt.NDArray[np.generic], *, max_bucket: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All pairs of positions with equal ``keys``, leaving out groups larger than ``max_bucket``.

    Vectorized per group size (one ``triu_indices`` per size, not per group).

    >>> [a.tolist() for a in bucket_pairs(np.array([5, 1, 5, 5]), max_bucket=10)]
    [[0, 0, 2], [2, 3, 3]]
    """
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    sizes = np.diff(np.r_[starts, len(sk)])
    ii: list[npt.NDArray[np.int64]] = []
    jj: list[npt.NDArray[np.int64]] = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= max_bucket)]).tolist():
        st = starts[sizes == size]
        members = order[st[:, None] + np.arange(size)[None, :]].astype(np.int64)
        a, b = np.triu_indices(size, k=1)
        ii.append(members[:, a].ravel())
        jj.append(members[:, b].ravel())
    if not ii:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(ii), np.concatenate(jj)
    return np.minimum(i, j), np.maximum(i, j)


def lsh_pairs(
    signatures: npt.NDArray[np.uint32],
    *,
    bands: int,
    threshold: float,
    max_bucket: int,
    blocks: npt.NDArray[np.int64] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Pairs of rows whose signatures agree on a whole band and whose estimated similarity is at least ``threshold``.

    Args:
        signatures: one signature per row, shape ``(n, n_perm)``.
        bands: number of LSH bands.
        threshold: verification threshold on the estimated Jaccard similarity.
        max_bucket: buckets with more rows than this are boilerplate; they give no pairs (their rows
            still meet through other bands).
        blocks: optional block number per row: only rows of one block pair (rows with a negative
            block pair with nothing). Blocking by profile keeps boilerplate out of the buckets.

    Returns:
        ``(i, j, similarity)`` arrays with ``i < j``, each pair once.
    """
    n, n_perm = signatures.shape
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
    if n < 2:
        return empty
    r = n_perm // bands
    valid = ~(signatures == _MAX).all(axis=1)
    if blocks is not None:
        valid &= blocks >= 0
    ii: list[npt.NDArray[np.int64]] = []
    jj: list[npt.NDArray[np.int64]] = []
    rows = np.flatnonzero(valid).astype(np.int64)
    for band in range(bands):
        block = signatures[rows, band * r : (band + 1) * r]
        if blocks is not None:
            block = np.column_stack(
                [block, (blocks[rows] & 0xFFFFFFFF).astype(np.uint32), (blocks[rows] >> 32).astype(np.uint32)]
            )
        block = np.ascontiguousarray(block)
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * block.shape[1]))).ravel()
        a, b = bucket_pairs(keys, max_bucket=max_bucket)
        ii.append(rows[a])
        jj.append(rows[b])
    if not ii:
        return empty
    i = np.concatenate(ii)
    j = np.concatenate(jj)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    pair = np.unique(lo * n + hi)
    lo, hi = pair // n, pair % n
    sim = (signatures[lo] == signatures[hi]).mean(axis=1)
    keep = sim >= threshold
    return lo[keep], hi[keep], sim[keep]
