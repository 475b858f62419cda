"""Compile a validated :class:`~lagesbild.monitor.spec.Profile` into extractors.

Extractors are pure functions of a page (its HTML text and address): no I/O. A page that is
broken HTML, empty or enormous never raises out of them; a selector that matches nothing
simply yields no value, which the health report counts.

Example::

    compiled = compile_profile(profile)
    listing = compiled.read_listing(html, "http://127.0.0.1:8700/annonsportalen/stad/stockholm/")
    ad = compiled.read_ad(html, url)   # AdRead(record={...}, found=frozenset({...}))
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urldefrag, urljoin
from zoneinfo import ZoneInfo

import jmespath  # type: ignore[import-untyped]
from parsel import Selector

from lagesbild.monitor.spec import LIST_FIELDS, FieldSpec, InlineAdsSpec, Profile
from lagesbild.refdata import SWEDISH_MONTHS

__all__ = [
    "AdRead",
    "CompiledProfile",
    "InlineAd",
    "JsonDocument",
    "ListingRead",
    "compile_field",
    "compile_profile",
    "make_selector",
    "parse_json_page",
]

_MONTHS = {m: i + 1 for i, m in enumerate(SWEDISH_MONTHS)}
_SWEDISH_DATE = re.compile(r"(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})(?:\D+(\d{1,2})[:.](\d{2}))?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WS = re.compile(r"\s+")

Value = str | list[str]
Extract = Callable[[Selector, str], list[str]]


@dataclass(frozen=True, slots=True)
class JsonDocument:
    """A JSON page, decoded (what ``jmespath`` selectors search)."""

    data: Any


MAX_JSON_DEPTH = 200
"""JSON nested deeper than this is refused (Python's decoder would recurse until it fails)."""


def parse_json_page(text: str) -> JsonDocument:
    """Decode a JSON page.

    Raises:
        ValueError: not JSON (the message names the line and column), or nested too deeply.
    """
    depth = deepest = 0
    for ch in text[:5_000_000]:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    raise ValueError(f"the JSON page is nested more than {MAX_JSON_DEPTH} levels deep")
        elif ch in "]}":
            depth -= 1
    try:
        return JsonDocument(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _json_texts(value: Any) -> list[str]:
    """A JMESPath result as text pieces: strings as they are, numbers as digits, lists flattened."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        return [str(int(value)) if value.is_integer() else repr(value)]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for v in value for t in _json_texts(v)]
    return [json.dumps(value, ensure_ascii=False)]


def make_selector(html: str) -> Selector:
    """A parsel selector over ``html``, after removing characters lxml refuses (NUL and other controls)."""
    return Selector(text=_CONTROL.sub("", html) or "<html></html>", type="html")


def _step(name: str, args: tuple[str, ...]) -> Callable[[str, str], str | None]:
    """One cleanup step as ``f(value, page_url) -> value or None`` (None drops the value)."""
    if name == "strip":
        return lambda v, u: v.strip()
    if name == "collapse_whitespace":
        return lambda v, u: _WS.sub(" ", v).strip()
    if name == "lines":
        return lambda v, u: "\n".join(ln.strip() for ln in v.splitlines() if ln.strip())
    if name == "lower":
        return lambda v, u: v.lower()
    if name == "digits":
        return lambda v, u: "".join(c for c in v if c.isdigit()) or None
    if name == "remove":
        return lambda v, u: v.replace(args[0], "")
    if name == "replace":
        return lambda v, u: v.replace(args[0], args[1])
    if name == "regex_replace":
        pat = re.compile(args[0])
        return lambda v, u: pat.sub(args[1], v)
    if name == "before":
        return lambda v, u: v.split(args[0], 1)[0]
    if name == "after":
        return lambda v, u: v.split(args[0], 1)[1] if args[0] in v else None
    if name == "date":
        return _date_step(args[0])
    if name == "timezone":
        zone = ZoneInfo(args[0])

        def tz(v: str, u: str) -> str | None:
            try:
                t = dt.datetime.fromisoformat(v.strip())
            except ValueError:
                return v
            if t.tzinfo is None and ("T" in v or " " in v.strip()):
                t = t.replace(tzinfo=zone)
                return t.isoformat()
            return v

        return tz
    if name == "absolute_url":
        return lambda v, u: urljoin(u, v.strip())
    raise ValueError(f"unknown cleanup step {name!r}")  # the spec validated it: a programming error


def _date_step(fmt: str) -> Callable[[str, str], str | None]:
    def parse(v: str, u: str) -> str | None:
        s = v.strip()
        if not s:
            return None
        try:
            if fmt == "iso":
                return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).isoformat()
            if fmt == "swedish":
                m = _SWEDISH_DATE.search(s)
                if not m or m.group(2).lower() not in _MONTHS:
                    return None
                d, mon, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
                if m.group(4):
                    return dt.datetime(y, mon, d, int(m.group(4)), int(m.group(5))).isoformat()
                return dt.date(y, mon, d).isoformat()
            return dt.datetime.strptime(s, fmt).isoformat()
        except ValueError:
            return None

    return parse


def compile_field(spec: FieldSpec, *, many: bool = False) -> Callable[[Selector, str], Value | None]:
    """Compile one :class:`FieldSpec` into ``f(selector, page_url) -> value | None``.

    Args:
        spec: the field's spec.
        many: the default for ``all`` (true for list fields).

    Returns:
        A function giving a string, a list of strings (``all``), or None when nothing was found.
    """
    keep_all = spec.all if spec.all is not None else many
    rx = re.compile(spec.regex) if spec.regex else None
    steps = [_step(n, a) for n, a in spec.cleanup]
    join = spec.join
    raw: Extract
    if spec.css is not None:
        css = spec.css
        raw = lambda sel, url: sel.css(css).getall()  # noqa: E731
    elif spec.xpath is not None:
        xp = spec.xpath

        def raw(sel: Selector, url: str) -> list[str]:
            return [str(x) for x in sel.xpath(xp).getall()]
    elif spec.jmespath is not None:
        expr = jmespath.compile(spec.jmespath)

        def raw(sel: Any, url: str) -> list[str]:
            doc = sel.data if isinstance(sel, JsonDocument) else None
            return _json_texts(expr.search(doc)) if doc is not None else []
    else:
        url_rx = re.compile(spec.from_url or "")

        def raw(sel: Selector, url: str) -> list[str]:
            m = url_rx.search(url)
            if not m:
                return []
            return [m.group(1) if m.groups() else m.group(0)]

    def clean(v: str, url: str) -> str | None:
        if rx is not None:
            m = rx.search(v)
            if not m:
                return None
            v = m.group(1) if m.groups() else m.group(0)
        for f in steps:
            r = f(v, url)
            if r is None:
                return None
            v = r
        v = v.strip() if not steps else v
        return v or None

    def extract(sel: Selector, url: str) -> Value | None:
        values = raw(sel, url)
        if not values:
            return None
        if join is not None:
            values = [join.join(p for p in (x.strip() for x in values) if p)]
        if keep_all:
            out = [c for c in (clean(v, url) for v in values) if c is not None]
            return list(dict.fromkeys(out)) or None
        for v in values:
            c = clean(v, url)
            if c is not None:
                return c
        return None

    return extract


@dataclass(frozen=True, slots=True)
class AdRead:
    """What an ad page yields: a record in the import format, and which fields were found.

    ``record`` has ``site``, ``url`` and every field found (``seen_at`` is added by the crawl).
    ``missing_required`` lists required fields that were not found.
    """

    record: dict[str, Any]
    found: frozenset[str]
    missing_required: tuple[str, ...]

    @property
    def site_ad_id(self) -> str | None:
        v = self.record.get("site_ad_id")
        return v if isinstance(v, str) else None


@dataclass(frozen=True, slots=True)
class InlineAd:
    """One ad shown whole on a listing page (``listing.ads``): its fields and its images' addresses."""

    read: AdRead
    image_links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListingRead:
    """What a listing (or discovery) page links to, and the ads it shows whole (``listing.ads``)."""

    ad_links: tuple[str, ...]
    next_pages: tuple[str, ...]
    ads: tuple[InlineAd, ...] = ()


def _links(values: Value | None, base: str) -> tuple[str, ...]:
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else values
    out: list[str] = []
    for v in items:
        v = v.strip()
        if not v or v.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        out.append(urldefrag(urljoin(base, v))[0])
    return tuple(dict.fromkeys(out))


def _compile_elements(spec: InlineAdsSpec) -> Callable[[Any], list[Any]]:
    """``f(page document) -> [document of each ad]`` for ``listing.ads``.

    A JSON ad is its object; an HTML ad is its element parsed as a document of its own, so the ad's
    selectors (XPath's ``//`` included) see that element and nothing else on the page.
    """
    if spec.jmespath is not None:
        expr = jmespath.compile(spec.jmespath)

        def json_ads(doc: Any) -> list[Any]:
            found = expr.search(doc.data) if isinstance(doc, JsonDocument) else None
            items = found if isinstance(found, list) else [found]
            return [JsonDocument(x) for x in items if isinstance(x, dict)]

        return json_ads
    css, xp = spec.css, spec.xpath

    def html_ads(sel: Any) -> list[Any]:
        if not isinstance(sel, Selector):
            return []
        found = sel.css(css) if css is not None else sel.xpath(xp or "")
        return [make_selector(el.get()) for el in found]

    return html_ads


class CompiledProfile:
    """A profile's extractors. Build with :func:`compile_profile`."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.source = profile.source
        self.base_url = profile.base_url
        lst = profile.listing
        self._ad_links = compile_field(lst.ad_links, many=True) if lst.ad_links is not None else None
        self._inline = _compile_elements(lst.ads) if lst.ads is not None else None
        self._next = compile_field(profile.listing.next_pages, many=True) if profile.listing.next_pages else None
        disc = profile.start.discover
        self._discover = compile_field(disc.links, many=True) if disc else None
        self._discover_include = re.compile(disc.include) if disc and disc.include else None
        self._fields = {name: compile_field(spec, many=name in LIST_FIELDS) for name, spec in profile.ad.fields.items()}
        self._list_fields = {n for n in self._fields if n in LIST_FIELDS}
        self._required = tuple(n for n, s in profile.ad.fields.items() if s.required or n == "site_ad_id")
        self.ad_url_pattern = re.compile(profile.ad.url_pattern) if profile.ad.url_pattern else None
        self._images = compile_field(profile.ad.images, many=True) if profile.ad.images else None

    def _doc(self, text: str, fmt: str) -> Any:
        """What the selectors search: a parsel selector (HTML) or the decoded JSON (``json`` pages).

        ``fmt`` is the page's format: the profile's, or its listing's or ads' own (``listing.format``,
        ``ad.format``).

        Raises:
            ValueError: a JSON page is not JSON (the page fails; the crawl goes on).
        """
        if fmt == "json":
            return parse_json_page(text)
        return make_selector(text)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(self._fields)

    def start_urls(self) -> tuple[str, ...]:
        """The explicit listing start pages, absolute."""
        return tuple(urljoin(self.base_url, u) for u in self.profile.start.urls)

    def discovery_urls(self) -> tuple[str, ...]:
        """The pages listing start pages are discovered on, absolute."""
        d = self.profile.start.discover
        return tuple(urljoin(self.base_url, u) for u in d.pages) if d else ()

    def read_discovery(self, html: str, url: str) -> tuple[str, ...]:
        """Listing start pages linked from a discovery page."""
        if self._discover is None:
            return ()
        links = _links(self._discover(self._doc(html, self.profile.format), url), url)
        if self._discover_include is not None:
            links = tuple(u for u in links if self._discover_include.search(u))
        return links

    @property
    def inline(self) -> bool:
        """Whether the ads are read whole from the listing pages (``listing.ads``), not from pages of their own."""
        return self._inline is not None

    def read_listing(self, html: str, url: str) -> ListingRead:
        """Ad links (or inline ads) and further listing pages on a listing page."""
        sel = self._doc(html, self.profile.listing_format)
        links = _links(self._ad_links(sel, url), url) if self._ad_links is not None else ()
        inline: tuple[InlineAd, ...] = ()
        if self._inline is not None:
            inline = tuple(
                InlineAd(self._read_doc(el, url), self._image_links_doc(el, url) if self._images else ())
                for el in self._inline(sel)
            )
        nxt = _links(self._next(sel, url), url) if self._next else ()
        return ListingRead(links, tuple(u for u in nxt if u != url), inline)

    def inline_ad_url(self, site_ad_id: str) -> str:
        """The address an inline ad is known by in a pass (its frontier row): the site's address with the
        ad's id as fragment, the same on every listing page, so an ad shown twice is stored once."""
        return urldefrag(self.base_url)[0] + "#ad=" + quote(site_ad_id, safe="")

    def read_ad(self, html: str, url: str) -> AdRead:
        """Every field of an ad page, as an import-format record."""
        return self._read_doc(self._doc(html, self.profile.ad_format), url)

    def _read_doc(self, sel: Any, url: str) -> AdRead:
        rec: dict[str, Any] = {"site": self.source, "url": url}
        for name, f in self._fields.items():
            v = f(sel, url)
            if v is None:
                continue
            if name in self._list_fields:
                rec[name] = [v] if isinstance(v, str) else v
            else:
                rec[name] = v if isinstance(v, str) else "\n".join(v)
        found = frozenset(k for k in self._fields if k in rec)
        missing = tuple(n for n in self._required if n not in found)
        return AdRead(rec, found, missing)

    @property
    def fetches_images(self) -> bool:
        """Whether the profile reads image addresses (``ad.images``) to hash."""
        return self._images is not None

    def read_image_links(self, html: str, url: str) -> tuple[str, ...]:
        """The absolute addresses of an ad page's images (``ad.images``), at most ``ad.max_images``."""
        if self._images is None:
            return ()
        return self._image_links_doc(self._doc(html, self.profile.ad_format), url)

    def _image_links_doc(self, sel: Any, url: str) -> tuple[str, ...]:
        if self._images is None:
            return ()
        links = _links(self._images(sel, url), url)
        return tuple(u for u in links if not u.startswith("data:"))[: self.profile.ad.max_images]

    def is_ad_url(self, url: str) -> bool:
        """Whether ``url`` looks like an ad page (``ad.url_pattern``; every page if no pattern is given)."""
        return self.ad_url_pattern is None or bool(self.ad_url_pattern.search(url))


def compile_profile(profile: Profile) -> CompiledProfile:
    """Compile a validated profile into its extractors."""
    return CompiledProfile(profile)
