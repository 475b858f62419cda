"""What `lagesbild source status` and `lagesbild source test` show, as typed contexts.

Both return plain dataclasses (with ``to_json``) that the CLI renders; tests assert on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import httpx

from lagesbild.monitor.browser import BrowserFetcher
from lagesbild.monitor.compile import ListingRead, compile_profile
from lagesbild.monitor.fetch import Fetcher
from lagesbild.monitor.health import RunHealth
from lagesbild.monitor.images import hash_images
from lagesbild.monitor.spec import LIST_FIELDS, Profile
from lagesbild.privacy import mask_identifiers
from lagesbild.store import Store
from lagesbild.store.crawl import CrawlStore

__all__ = ["PageTest", "RunLine", "SourceStatus", "mask", "source_status", "test_page"]

_IDENTIFIERS = frozenset({"phones", "emails"})


@dataclass(frozen=True, slots=True)
class RunLine:
    """One run in a source's recent history."""

    run_id: int
    seen_at: str
    status: str
    degraded: bool
    pages: int
    ads: int


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source's state: its latest run's health and its ads' lifecycle.

    ``state`` is ``ok``, ``degraded``, ``failed`` (the latest pass raised; ``reasons`` says why),
    ``running`` (interrupted or in progress) or ``never crawled``.
    """

    source: str
    state: str
    last_run_id: int | None
    last_seen_at: str | None
    reasons: tuple[str, ...]
    health: RunHealth | None
    ads_seen: int
    ads_online: int
    ads_disappeared: int
    runs: tuple[RunLine, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["health"] = self.health.to_json() if self.health else None
        return d


def source_status(store: Store, sources: list[str] | None = None, *, history: int = 5) -> list[SourceStatus]:
    """The status of the given sources (default: every source ever crawled)."""
    cs = CrawlStore(store)
    out = []
    for src in sources if sources is not None else cs.sources():
        runs = cs.recent_runs(src, history)
        lines = []
        for r in runs:
            h = RunHealth.from_json(r.health) if r.health else None
            lines.append(RunLine(r.id, r.seen_at, r.status, r.degraded, h.pages_fetched if h else 0, h.ads if h else 0))
        finished = [r for r in runs if r.status != "running"]
        last = finished[0] if finished else None
        health = RunHealth.from_json(last.health) if last and last.health else None
        if not runs:
            state = "never crawled"
        elif runs[0].status == "running":
            state = "running"
        elif runs[0].status == "failed":
            state = "failed"
        elif last is not None and last.degraded:
            state = "degraded"
        else:
            state = "ok"
        out.append(
            SourceStatus(
                src,
                state,
                last.id if last else None,
                last.seen_at if last else None,
                health.reasons if health else (),
                health,
                cs.count_ads(src),
                cs.count_ads(src, online=True),
                cs.count_ads(src, online=False),
                tuple(lines),
            )
        )
    return out


def mask(value: str) -> str:
    """An identifier shown with its middle hidden (``070-•••••67``): enough to check, not to copy."""
    if len(value) <= 5:
        return "•" * len(value)
    return value[:3] + "•" * (len(value) - 5) + value[-2:]


@dataclass(frozen=True, slots=True)
class PageTest:
    """What one page yields under a profile (``lagesbild source test``).

    ``fields`` holds every ad field with its value, ``None`` when the selector found nothing (with
    ``listing.ads``, of the first ad the page shows; ``inline_ads`` counts them). Nothing
    here shows an identifier: the ``phones``, ``emails`` and ``name`` fields keep at most their first and
    last characters (``070-•••••67``), and every other text (title, body, name, addresses, links) has phone numbers,
    e-mail addresses, handles and long digit runs replaced by ``[masked]``
    (:func:`~lagesbild.privacy.mask_identifiers`).
    """

    url: str
    final_url: str
    status: int
    encoding: str
    n_bytes: int
    looks_like: str
    fields: dict[str, Any]
    missing_required: tuple[str, ...]
    ad_links: tuple[str, ...]
    next_pages: tuple[str, ...]
    start_links: tuple[str, ...]
    inline_ads: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def test_page(
    profile: Profile,
    url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    client: httpx.Client | None = None,
    resolve: Callable[[str, int], list[str]] | None = None,
) -> PageTest:
    """Fetch one page (politely: robots.txt is honoured, only the profile's hosts) and show what the
    profile reads from it, with every identifier masked.

    Args:
        profile: the profile to try.
        url: a page of the site.
        transport, client: where requests go (tests); resolve: DNS lookups (tests).

    Raises:
        TransientError / TerminalError: the page could not be fetched (AddressRefused: not the profile's host).
    """
    compiled = compile_profile(profile)
    with Fetcher.for_profile(profile, client=client, transport=transport, resolve=resolve) as f:
        page = f.render(url) if isinstance(f, BrowserFetcher) else f.get(url)
        try:
            listing = compiled.read_listing(page.text, page.url)
        except ValueError:  # a JSON listing's selectors on an HTML ad page (`listing.format: json`)
            listing = ListingRead((), (), ())
        if listing.ads:  # `listing.ads`: the page's first ad is shown, read as the crawl reads it
            read, image_urls = listing.ads[0].read, listing.ads[0].image_links
        else:
            read = compiled.read_ad(page.text, page.url)
            image_urls = compiled.read_image_links(page.text, page.url)
        if image_urls:  # hashed in memory, as the crawl does
            hashes, _problems = hash_images(f, image_urls)
            if hashes:
                record = dict(read.record)
                record["image_hashes"] = list(dict.fromkeys([*record.get("image_hashes", []), *hashes]))
                read = replace(read, record=record, found=read.found | {"image_hashes"})
    try:
        start = compiled.read_discovery(page.text, page.url)
    except ValueError:  # a JSON profile's discovery selectors on a page of another format
        start = ()
    fields: dict[str, Any] = {}
    names = compiled.field_names
    if compiled.fetches_images and "image_hashes" not in names:
        names = (*names, "image_hashes")
    for name in names:
        v = read.record.get(name)
        if v is not None and name in _IDENTIFIERS:
            v = [mask(x) for x in v]
        elif isinstance(v, str) and name == "name":
            v = mask(v)
        elif isinstance(v, list):
            v = [mask_identifiers(x) for x in v]
        elif isinstance(v, str):
            v = mask_identifiers(v)
        fields[name] = v if v is not None else ([] if name in LIST_FIELDS else None)
    if compiled.ad_url_pattern and compiled.is_ad_url(page.url):
        looks = "ad"
    elif listing.ad_links or listing.ads:
        looks = "listing"
    elif start:
        looks = "start"
    else:  # no links of any kind: an ad page if its required fields were found, else nothing the profile knows
        looks = "ad" if not read.missing_required else "unrecognized"

    def masked(urls: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(mask_identifiers(u) for u in urls)

    return PageTest(
        mask_identifiers(url),
        mask_identifiers(page.url),
        page.status,
        page.encoding,
        len(page.body),
        looks,
        fields,
        read.missing_required,
        masked(listing.ad_links),
        masked(listing.next_pages),
        masked(start),
        len(listing.ads),
    )


test_page.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
