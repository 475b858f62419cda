"""Pages not fetched by this crawl: kept raw pages (reprocessing) and saved pages (folders, WARC files).

* :func:`reprocess` reads a source's kept raw ad pages (with ``listing.ads``: its kept listing pages)
  again with the (fixed) profile and replaces the sightings they produced, keeping each sighting's
  original time.
* :func:`import_pages` reads a folder of saved HTML files or a WARC file (``.warc`` or ``.warc.gz``)
  with a profile, for sites monitored by other means. Its sightings go through the importer's
  validation and pseudonymization and are stored like a file import (one transaction).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lagesbild.errors import InputError
from lagesbild.ingest.validate import RecordConverter
from lagesbild.monitor.compile import AdRead, CompiledProfile, compile_profile
from lagesbild.monitor.crawl import ad_observation, iso
from lagesbild.monitor.fetch import decode_html
from lagesbild.monitor.spec import Profile
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer, mask_identifiers
from lagesbild.store import Store, observation_row
from lagesbild.store.crawl import CrawlStore

__all__ = [
    "ImportPagesResult",
    "ReprocessResult",
    "SavedPage",
    "import_pages",
    "iter_saved_pages",
    "iter_warc",
    "reprocess",
]

log = logging.getLogger(__name__)

_CANONICAL = re.compile(
    r"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)|<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)""",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SavedPage:
    """A page saved by other means: its address, when it was seen, its bytes and content type."""

    url: str
    seen_at: str
    body: bytes
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class ImportPagesResult:
    """What :func:`import_pages` did."""

    pages: int
    ads: int
    new_observations: int
    skipped: int
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReprocessResult:
    """What :func:`reprocess` did."""

    pages: int
    ads: int
    replaced: int
    new: int
    errors: tuple[str, ...]


def _parse_warc_date(value: str) -> str:
    try:
        return iso(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return iso(datetime.now(UTC))


def iter_warc(f: BinaryIO, path: str = "<warc>") -> Iterator[SavedPage]:
    """The HTTP responses in a WARC file (records of type ``response``).

    Raises:
        InputError: the file is not a WARC file (names the byte offset of the bad record).
    """
    offset = 0
    while True:
        line = f.readline()
        if not line:
            return
        if not line.strip():
            offset += len(line)
            continue
        if not line.startswith(b"WARC/"):
            raise InputError(f"not a WARC record at byte {offset}", path=path)
        headers: dict[str, str] = {}
        while True:
            h = f.readline()
            if not h or not h.strip():
                break
            k, _, v = h.decode("utf-8", "replace").partition(":")
            headers[k.strip().lower()] = v.strip()
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            raise InputError(f"WARC record at byte {offset} has no Content-Length", path=path) from None
        block = f.read(length)
        offset += length
        if headers.get("warc-type") != "response" or "warc-target-uri" not in headers:
            continue
        head, sep, body = block.partition(b"\r\n\r\n")
        if not sep:
            continue
        status_line, *hlines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ")
        if len(parts) < 2 or not parts[1].isdigit() or not 200 <= int(parts[1]) < 300:
            continue
        ctype = None
        chunked = False
        for hl in hlines:
            k, _, v = hl.partition(":")
            if k.strip().lower() == "content-type":
                ctype = v.strip()
            if k.strip().lower() == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
        if chunked:
            body = _dechunk(body)
        uri = headers["warc-target-uri"].strip("<>")
        yield SavedPage(uri, _parse_warc_date(headers.get("warc-date", "")), body, ctype)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        j = data.find(b"\r\n", i)
        if j < 0:
            break
        try:
            size = int(data[i:j].split(b";")[0], 16)
        except ValueError:
            return data
        if size == 0:
            break
        out += data[j + 2 : j + 2 + size]
        i = j + 2 + size + 2
    return bytes(out)


def iter_saved_pages(path: Path, profile: Profile, *, seen_at: str | None = None) -> Iterator[SavedPage]:
    """Pages in a folder of HTML files (``*.html``, ``*.htm``, recursively) or a WARC file.

    A saved HTML file's address is its ``<link rel="canonical">`` (or ``og:url``) if it has one, else
    ``base_url`` plus its path in the folder; it was seen at ``seen_at`` or else at the file's time.
    """
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.suffix.lower() not in (".html", ".htm") or not p.is_file():
                continue
            body = p.read_bytes()
            m = _CANONICAL.search(body[:65536].decode("utf-8", "replace"))
            url = (m.group(1) or m.group(2)) if m else profile.base_url + p.relative_to(path).as_posix()
            when = seen_at or iso(datetime.fromtimestamp(p.stat().st_mtime, UTC))
            yield SavedPage(url, when, body)
        return
    name = path.name.lower()
    if not (name.endswith(".warc") or name.endswith(".warc.gz")):
        raise InputError("expected a folder of HTML files or a .warc / .warc.gz file", path=str(path))
    raw = path.open("rb")
    with raw, gzip.open(raw, "rb") if name.endswith(".gz") else raw as f:
        for page in iter_warc(f, str(path)):  # type: ignore[arg-type]
            yield page if seen_at is None else SavedPage(page.url, seen_at, page.body, page.content_type)


def _ads_on(compiled: CompiledProfile, text: str, url: str) -> list[AdRead]:
    """The ads on a page: the ad page itself, or with ``listing.ads`` every ad the listing page shows."""
    return [read for read, _ in _ads_and_images_on(compiled, text, url)]


def _ads_and_images_on(compiled: CompiledProfile, text: str, url: str) -> list[tuple[AdRead, tuple[str, ...]]]:
    """:func:`_ads_on`, each ad with the addresses of its pictures (``ad.images``)."""
    if compiled.inline:
        return [(a.read, a.image_links) for a in compiled.read_listing(text, url).ads]
    links = compiled.read_image_links(text, url) if compiled.fetches_images else ()
    return [(compiled.read_ad(text, url), links)]


def _with_remembered_images(read: AdRead, links: tuple[str, ...], remembered: dict[str, str]) -> AdRead:
    """The ad with the hashes the crawl stored for its pictures (``crawl_image_hashes``), in page order as
    the crawl adds them: reprocessing fetches nothing, and must not lose the pictures' hashes."""
    hashes = list(dict.fromkeys(remembered[u] for u in links if u in remembered))
    if not hashes:
        return read
    record = dict(read.record)
    record["image_hashes"] = list(dict.fromkeys([*record.get("image_hashes", []), *hashes]))
    return replace(read, record=record, found=read.found | {"image_hashes"})


def import_pages(
    profile: Profile,
    store: Store,
    pseudonymizer: Pseudonymizer,
    path: str | Path,
    *,
    seen_at: str | None = None,
) -> ImportPagesResult:
    """Read saved pages with ``profile`` and store their ads' sightings (one transaction).

    Pages that are not ad pages (their address does not match ``ad.url_pattern``, or no ad id is
    found on them) are skipped and counted. With ``listing.ads`` every page is read as a listing
    page and each ad it shows is a sighting (an ad shown twice at one time, once).

    Raises:
        InputError: the path is neither a folder nor a WARC file, or the WARC file is malformed.
        KeyMismatchError: the key is not the store's.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", path=str(p))
    store.bind_key(pseudonymizer.fingerprint)
    compiled = compile_profile(profile)
    convert = RecordConverter(pseudonymizer)
    obs: list[Observation] = []
    errors: list[str] = []
    pages = skipped = 0
    seen: set[tuple[str, str]] = set()
    digest = hashlib.sha256()
    for page in iter_saved_pages(p, profile, seen_at=seen_at):
        pages += 1
        digest.update(page.url.encode())
        digest.update(hashlib.sha256(page.body).digest())
        if not compiled.is_ad_url(page.url):
            skipped += 1
            continue
        text, _, _ = decode_html(page.body, page.content_type)
        try:
            reads = _ads_on(compiled, text, page.url)
        except Exception as exc:  # a page the extractors choke on is skipped and reported, not the import
            errors.append(mask_identifiers(f"{page.url}: ParseError: {exc.__class__.__name__}: {exc}"))
            skipped += 1
            continue
        reads = [r for r in reads if r.site_ad_id is not None]
        if not reads:
            skipped += 1
            continue
        for read in reads:
            o, dropped = ad_observation(read, page.seen_at, convert)
            if dropped:
                errors.append(mask_identifiers(f"{page.url}: " + "; ".join(dropped)))
            if o is not None and (o.site_ad_id, o.seen_at) not in seen:  # an inline ad shown twice: once
                seen.add((o.site_ad_id, o.seen_at))
                obs.append(o)
    summary = store.import_observations([obs], source=f"pages:{profile.source}:{p.name}", sha256=digest.hexdigest())
    log.info("imported %d saved page(s) of %s: %d ads, %d new", pages, profile.source, len(obs), summary.n_new)
    return ImportPagesResult(pages, len(obs), summary.n_new, skipped, tuple(errors[:100]))


def reprocess(
    profile: Profile,
    store: Store,
    pseudonymizer: Pseudonymizer,
    *,
    since: str | None = None,
    batch_size: int = 500,
) -> ReprocessResult:
    """Read the source's kept raw ad pages again with ``profile``; replace the sightings they gave.

    Each sighting keeps its original time; one extracted better now replaces the stored one. Nothing is
    fetched: the ad's pictures (``ad.images``) get the hashes the crawl remembered for their addresses
    (a picture forgotten by retention is left out).

    Args:
        since: only pages fetched at or after this ISO date or date-time.

    Raises:
        KeyMismatchError: the key is not the store's.
    """
    store.bind_key(pseudonymizer.fingerprint)
    compiled = compile_profile(profile)
    convert = RecordConverter(pseudonymizer)
    cs = CrawlStore(store)
    import_id = cs.create_import(
        f"reprocess:{profile.source}", hashlib.sha256(b"reprocess").hexdigest(), iso(datetime.now(UTC))
    )
    rows: list[tuple[object, ...]] = []
    runs: list[int] = []
    pages = ads = new = 0
    errors: list[str] = []

    def flush() -> None:
        nonlocal new
        if rows:
            new += cs.replace_observations(import_id, rows, runs)
            rows.clear()
            runs.clear()

    done: set[tuple[str, str]] = set()  # an inline ad shown on two kept listing pages of a pass is read once
    for raw in cs.raw_pages(profile.source, since=since, kind="listing" if compiled.inline else "ad"):
        pages += 1
        try:
            body = zlib.decompress(raw.body)
        except zlib.error as exc:
            errors.append(mask_identifiers(f"{raw.url}: cannot decompress the kept page: {exc}"))
            continue
        text, _, _ = decode_html(body, f"text/html; charset={raw.encoding}" if raw.encoding else None)
        try:
            reads = _ads_and_images_on(compiled, text, raw.url)
        except Exception as exc:  # a page the extractors choke on is reported; the others are still read
            errors.append(mask_identifiers(f"{raw.url}: ParseError: {exc.__class__.__name__}: {exc}"))
            continue
        links = [u for _, ls in reads for u in ls]
        remembered = cs.image_hashes(profile.source, links) if links else {}
        for read, image_links in reads:
            if read.site_ad_id is None:
                errors.append(mask_identifiers(f"{raw.url}: no site_ad_id"))
                continue
            read = _with_remembered_images(read, image_links, remembered)
            o, dropped = ad_observation(read, raw.seen_at, convert)
            if dropped:
                errors.append(mask_identifiers(f"{raw.url}: " + "; ".join(dropped)))
            if o is None or (o.site_ad_id, o.seen_at) in done:
                continue
            done.add((o.site_ad_id, o.seen_at))
            ads += 1
            rows.append((*observation_row(o), None))
            runs.append(raw.run_id or 0)
            if len(rows) >= batch_size:
                flush()
    flush()
    cs.finish_import(import_id, ads, new)
    log.info("reprocessed %d page(s) of %s: %d ads, %d new sightings", pages, profile.source, ads, new)
    return ReprocessResult(pages, ads, ads - new, new, tuple(errors[:100]))
