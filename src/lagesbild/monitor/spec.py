"""Site profiles: the declarative format, parsed into frozen typed specs.

A profile is one YAML file per site. :func:`load_profile` reads it, validates every key and
reports *every* error at once (:class:`~lagesbild.errors.InputErrors`, each naming the file,
the line, the field path and the allowed values); :mod:`lagesbild.monitor.compile` turns the
valid :class:`Profile` into extractors. ``docs/profile-reference.md`` is generated from these
models by :func:`render_profile_reference`, and a test keeps it current.

Example::

    profile = load_profile("profiles/annonsportalen.yaml")
    profile.politeness.rate_per_second   # 1.0
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lagesbild.errors import InputError, InputErrors

__all__ = [
    "FIELD_NAMES",
    "LIST_FIELDS",
    "STEPS",
    "AdSpec",
    "DiscoverSpec",
    "FieldSpec",
    "HealthSpec",
    "InlineAdsSpec",
    "ListingSpec",
    "Politeness",
    "Profile",
    "Schedule",
    "StartSpec",
    "Step",
    "load_profile",
    "load_yaml",
    "parse_profile",
    "render_profile_reference",
]

FieldName = Literal[
    "site_ad_id",
    "title",
    "body",
    "location",
    "kommun",
    "age",
    "phones",
    "emails",
    "price",
    "language",
    "name",
    "image_hashes",
    "posted_at",
]
FIELD_NAMES: tuple[str, ...] = get_args(FieldName)
"""The fields a profile can extract: the import format's fields (``docs/import-format.md``)."""

LIST_FIELDS = frozenset({"phones", "emails", "image_hashes"})
"""Fields that hold several values (every match is kept)."""

_FIELD_HELP = {
    "site_ad_id": "The site's own id of the ad (required: without it a sighting cannot be stored).",
    "title": "The ad's title.",
    "body": "The ad's text. Phone numbers and e-mail addresses in it are pseudonymized before storage.",
    "location": "The location as the ad states it (resolved to a municipality at import).",
    "kommun": "A four-digit municipality code, if the site gives one.",
    "age": "The stated age (a whole number 10-99; use the `digits` step on `25 år`).",
    "phones": "Phone numbers (every match). Stored only as keyed pseudonyms.",
    "emails": "E-mail addresses (every match). Stored only as keyed pseudonyms.",
    "price": "The price as written.",
    "language": "ISO 639-1 code of the ad's language.",
    "name": "The name the advertiser uses.",
    "image_hashes": "Perceptual hashes of the ad's images, hexadecimal (every match), when the site gives them; to "
    "hash the images themselves, give `ad.images` instead (fetched and hashed in memory, never stored).",
    "posted_at": "The posting date or date-time (ISO 8601 after cleanup; see the `date` step).",
}


# ----------------------------------------------------------------------------- cleanup steps


@dataclass(frozen=True, slots=True)
class Step:
    """One cleanup step in the registry: its name, the argument it takes, and what it does."""

    name: str
    arg: Literal["none", "text", "pair"]
    help: str


STEPS: tuple[Step, ...] = (
    Step("strip", "none", "Remove whitespace at both ends."),
    Step("collapse_whitespace", "none", "Turn every run of whitespace (newlines included) into one space."),
    Step("lines", "none", "Strip every line and drop empty lines (keeps the line breaks of a text)."),
    Step("lower", "none", "Lower-case."),
    Step("digits", "none", "Keep only the digits (`25 år` -> `25`)."),
    Step("remove", "text", 'Remove every occurrence of the text (`remove: "#"`).'),
    Step("replace", "pair", "Replace text: `replace: [old, new]`."),
    Step("regex_replace", "pair", "Replace regular-expression matches: `regex_replace: [pattern, replacement]`."),
    Step("before", "text", "Keep what comes before the first occurrence of the text."),
    Step("after", "text", "Keep what comes after the first occurrence of the text."),
    Step(
        "date",
        "text",
        "Parse a date to ISO 8601: `date: iso`, `date: swedish` (`3 januari 2023 kl. 14:05`) or a strptime "
        'format such as `date: "%d/%m/%Y"`.',
    ),
    Step(
        "timezone",
        "text",
        "Give a date-time without a zone this zone: `timezone: UTC` (without it, it is read as Swedish local time).",
    ),
    Step("absolute_url", "none", "Resolve a relative link against the page's address."),
)
_STEP_BY_NAME = {s.name: s for s in STEPS}


def _check_step(raw: Any) -> tuple[str, tuple[str, ...]]:
    args: tuple[str, ...]
    if isinstance(raw, str):
        name, args = raw, ()
    elif isinstance(raw, Mapping) and len(raw) == 1:
        name, value = next(iter(raw.items()))
        args = tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)
    else:
        raise ValueError("a cleanup step is a name (`strip`) or one `name: argument` pair")
    step = _STEP_BY_NAME.get(str(name))
    if step is None:
        raise ValueError(
            f"unknown cleanup step {name!r}{_did_you_mean(str(name), _STEP_BY_NAME)}; allowed: "
            f"{', '.join(_STEP_BY_NAME)}"
        )
    want = {"none": 0, "text": 1, "pair": 2}[step.arg]
    if len(args) != want:
        raise ValueError(f"cleanup step {name!r} takes {want} argument(s), got {len(args)}")
    if step.name == "regex_replace":
        _check_regex(args[0])
        _check_template(args[0], args[1])
    if step.name == "date" and args[0] not in ("iso", "swedish") and "%" not in args[0]:
        raise ValueError("date takes `iso`, `swedish` or a strptime format with % codes")
    if step.name == "timezone":
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(args[0])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {args[0]!r} (e.g. UTC, Europe/Stockholm)") from None
    return step.name, args


def _check_regex(pattern: str) -> None:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None


def _check_template(pattern: str, replacement: str) -> None:
    """Try a ``regex_replace`` replacement the way the crawl uses it, so a bad group reference
    (``\\9`` in a pattern with one group) fails here and not on the first page that matches."""
    rx = re.compile(pattern)
    try:
        probe = re.compile(f"(?:{pattern})|").match("")
    except re.error:  # e.g. a pattern starting with global flags (?i): not wrappable
        probe = None
    try:
        rx.sub(replacement, "")
        if probe is not None:  # the pattern's groups, all unmatched: expand the template against them
            probe.expand(replacement)
    except (re.error, IndexError) as exc:
        raise ValueError(f"invalid replacement {replacement!r} for {pattern!r}: {exc}") from None


_CSS = HTMLTranslator()
_PROBE = Selector(text="<html></html>")


def _check_css(css: str) -> None:
    try:
        _CSS.css_to_xpath(css)
        _PROBE.css(css)  # as the crawl runs it (parsel's pseudo-elements included)
    except Exception as exc:  # cssselect raises SelectorError and ExpressionError; lxml, ValueError
        raise ValueError(f"invalid CSS selector {css!r}: {exc}") from None


_XPATH_STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'")
_XPATH_CALL = re.compile(r"(?<![\w.:@-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_XPATH_FUNCTIONS = frozenset(
    # XPath 1.0's functions and node tests, and parsel's has-class (prefixed EXSLT names pass)
    [
        "last",
        "position",
        "count",
        "id",
        "local-name",
        "namespace-uri",
        "name",
        "string",
        "concat",
        "starts-with",
        "contains",
        "substring-before",
        "substring-after",
        "substring",
        "string-length",
        "normalize-space",
        "translate",
        "boolean",
        "not",
        "true",
        "false",
        "lang",
        "number",
        "sum",
        "floor",
        "ceiling",
        "round",
        "text",
        "node",
        "comment",
        "processing-instruction",
        "has-class",
    ]
)


def _check_xpath(xpath: str) -> None:
    # Variables are bound at evaluation, and only on a node the expression reaches: on the empty
    # probe document `//div[@id=$v]` evaluates nothing and passes, then fails on every real page.
    code = _XPATH_STRINGS.sub("''", xpath)
    if "$" in code:
        raise ValueError(f"invalid XPath {xpath!r}: XPath variables ($name) are not supported")
    # Likewise an unknown function inside a predicate is only looked up on a node that reaches it.
    unknown = sorted({f for f in _XPATH_CALL.findall(code) if ":" not in f and f not in _XPATH_FUNCTIONS})
    if unknown:
        raise ValueError(f"invalid XPath {xpath!r}: unknown function(s) {', '.join(f + '()' for f in unknown)}")
    try:
        _PROBE.xpath(xpath)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"invalid XPath {xpath!r}: {exc}") from None


def _check_jmespath(expression: str) -> None:
    import jmespath  # type: ignore[import-untyped]
    from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped]

    try:
        jmespath.compile(expression)
    except (JMESPathError, RecursionError, ValueError) as exc:
        raise ValueError(f"invalid JMESPath {expression!r}: {str(exc).splitlines()[0]}") from None


def _did_you_mean(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# ----------------------------------------------------------------------------- models


class _AtField(ValueError):
    """A check across sections whose error belongs to one key (``parse_profile`` reports it there)."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Selectors(_Spec):
    """The selector checks shared by a field (`FieldSpec`) and the ads' elements (`InlineAdsSpec`): each
    subclass declares its `css`, `xpath` and `jmespath` fields with their own descriptions."""

    @field_validator("css", check_fields=False)
    @classmethod
    def _css_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _check_css(v)
        return v

    @field_validator("xpath", check_fields=False)
    @classmethod
    def _xpath_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _check_xpath(v)
        return v

    @field_validator("jmespath", check_fields=False)
    @classmethod
    def _jmespath_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _check_jmespath(v)
        return v


class FieldSpec(_Selectors):
    """How one value is found on a page: a selector, then an optional regex, then cleanup steps."""

    css: str | None = Field(
        None, description="CSS selector; `::text` and `::attr(name)` select text and attributes (parsel syntax)."
    )
    xpath: str | None = Field(None, description="XPath expression (instead of `css`).")
    jmespath: str | None = Field(
        None,
        description="A JMESPath expression (jmespath.org) on a JSON page (`format: json`), e.g. `items[].url`, "
        "`next`, `ad.contact.phones[]`. Strings are taken as they are, numbers as digits, lists element by element.",
    )
    from_url: str | None = Field(
        None,
        description="A regular expression applied to the page's address instead of its content; its first group "
        "(or the whole match) is the value. Handy for ad ids in URLs.",
    )
    all: bool | None = Field(
        None,
        description="Keep every match (a list). Default: true for phones, emails and image_hashes, false otherwise "
        "(the first match, or all matches joined by `join`).",
    )
    join: str | None = Field(
        None, description='Join every matched text piece with this separator into one value (e.g. `"\\n"` for a body).'
    )
    regex: str | None = Field(
        None, description="Applied to each value: the first group (or the whole match) is kept; no match, no value."
    )
    cleanup: tuple[tuple[str, tuple[str, ...]], ...] = Field(
        (), description="Cleanup steps applied in order (see the table of steps below)."
    )
    required: bool = Field(False, description="A page where this finds nothing counts as an extraction error.")

    @field_validator("regex", "from_url")
    @classmethod
    def _regex_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _check_regex(v)
        return v

    @field_validator("cleanup", mode="before")
    @classmethod
    def _steps_ok(cls, v: Any) -> Any:
        if v is None:
            return ()
        if not isinstance(v, list | tuple):
            v = [v]
        return tuple(_check_step(s) for s in v)

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        given = [k for k in ("css", "xpath", "jmespath", "from_url") if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) or "none"
            raise ValueError(f"give exactly one of css, xpath, jmespath or from_url (found {found})")
        return self


class Schedule(_Spec):
    """When `lagesbild monitor` crawls the site."""

    every_hours: float = Field(24.0, gt=0, description="Hours between the starts of two passes.")
    jitter_minutes: float = Field(
        30.0, ge=0, description="A random delay of up to this many minutes, so passes do not start like clockwork."
    )


class Politeness(_Spec):
    """How gently the site is fetched. The defaults are polite; lift them only for your own test servers."""

    rate_per_second: float = Field(
        1.0, gt=0, description="Most requests per second to the site's host (never exceeded, retries included)."
    )
    concurrency: int = Field(2, ge=1, le=32, description="Most requests in flight at once to the host.")
    obey_robots_txt: bool = Field(True, description="Never fetch a page robots.txt disallows for our User-Agent.")
    obey_crawl_delay: bool = Field(
        True, description="Also keep robots.txt's `Crawl-delay` (the slower of it and `rate_per_second` wins)."
    )
    timeout_seconds: float = Field(
        20.0, gt=0, description="Give up on a request when the site sends nothing for this many seconds."
    )
    deadline_seconds: float | None = Field(
        None,
        gt=0,
        description="Give up on a request (headers and body) that takes longer than this in all, however "
        "steadily the site trickles bytes. Default: three times `timeout_seconds`.",
    )
    max_retries: int = Field(
        4, ge=0, le=20, description="Retries of a page after 429, 5xx, timeouts or lost connections."
    )
    backoff_seconds: float = Field(
        2.0,
        ge=0,
        description="First retry delay; doubled each retry, with random jitter; `Retry-After` wins if longer.",
    )
    max_backoff_seconds: float = Field(300.0, ge=0, description="Longest single wait before a retry.")
    max_page_bytes: int = Field(5_000_000, ge=1_000, description="Pages larger than this are not read (an error).")
    max_redirects: int = Field(
        5, ge=0, le=20, description="Redirects followed before a page counts as a redirect loop."
    )
    user_agent: str | None = Field(
        None, description="User-Agent header. Default: `lagesbild-monitor/<version> (+contact in docs/monitor.md)`."
    )

    @property
    def deadline(self) -> float:
        """The overall limit of one request, in seconds (``deadline_seconds`` or its default)."""
        return self.deadline_seconds if self.deadline_seconds is not None else 3 * self.timeout_seconds


class DiscoverSpec(_Spec):
    """Find the listing start pages (one per city or region) on a page of the site."""

    pages: tuple[str, ...] = Field(
        ("",), description='Pages to look on, relative to `base_url` (`""` is the start page).'
    )
    links: FieldSpec = Field(description="Selector for the links to the listing pages (`::attr(href)`).")
    include: str | None = Field(None, description="Only links whose address matches this regular expression.")

    @field_validator("include")
    @classmethod
    def _regex_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _check_regex(v)
        return v


class StartSpec(_Spec):
    """Where a pass starts: listing pages given explicitly, discovered, or both."""

    urls: tuple[str, ...] = Field((), description="Listing start pages, relative to `base_url` or absolute.")
    discover: DiscoverSpec | None = Field(None, description="Find listing start pages on the site itself.")

    @model_validator(mode="after")
    def _something(self) -> StartSpec:
        if not self.urls and self.discover is None:
            raise ValueError("give `urls`, `discover`, or both")
        return self


class InlineAdsSpec(_Selectors):
    """Ads shown whole on the listing page (`listing.ads`), for sites and APIs with no page per ad.

    Each element the selector finds is one ad, read as if it were the ad's own page: the selectors of
    `ad.fields` and `ad.images` are evaluated on the element alone (a JMESPath on the element's object,
    CSS or XPath inside the element, `//` included). `site_ad_id` is required and must come from the
    element (there is no address to take it from). The listing page is the ad's address (`url`) and
    the raw page kept. An ad shown twice in a pass (a premium ad at the top and in its place) is stored
    once.
    """

    css: str | None = Field(None, description="CSS selector of each ad's element (`article.ad`).")
    xpath: str | None = Field(None, description="XPath of each ad's element (`//li[has-class('ad')]`).")
    jmespath: str | None = Field(
        None,
        description="JMESPath of the list of ads on a JSON page (`items[]`, `data.ads`); each object in it is "
        "one ad (a single object is one ad).",
    )

    @model_validator(mode="after")
    def _one_selector(self) -> InlineAdsSpec:
        given = [k for k in ("css", "xpath", "jmespath") if getattr(self, k) is not None]
        if len(given) != 1:
            found = ", ".join(given) or "none"
            raise ValueError(f"give exactly one of css, xpath or jmespath (found {found})")
        return self


class ListingSpec(_Spec):
    """A listing page: links to ads (or the ads themselves), and links to further listing pages."""

    ad_links: FieldSpec | None = Field(
        None,
        description="Selector for the links to ad pages (`::attr(href)`). Give this or `ads`.",
    )
    ads: InlineAdsSpec | None = Field(
        None,
        description="Each ad is shown whole on the listing page, with no page of its own: the selector of each "
        "ad's element (see `listing.ads` below). Give this or `ad_links`.",
    )
    next_pages: FieldSpec | None = Field(
        None, description="Selector for further listing pages (a 'next' link, or every page number); all are followed."
    )
    max_pages: int = Field(
        200, ge=1, description="Most listing pages followed from one start page (a guard against endless pagination)."
    )
    format: Literal["html", "json"] | None = Field(
        None,
        description="The listing pages' format when it differs from the profile's `format`: a JSON listing API "
        "whose ads have HTML pages is `format: html` with `listing: {format: json, ...}` (or the reverse). "
        "Default: the profile's `format`.",
    )

    @model_validator(mode="after")
    def _links_or_ads(self) -> ListingSpec:
        if (self.ad_links is None) == (self.ads is None):
            both = "not both" if self.ads is not None else "one is required"
            raise ValueError(
                f"give `ad_links` (a link to each ad's page) or `ads` (each ad whole on the listing page), {both}"
            )
        return self


class AdSpec(_Spec):
    """An ad page (or, with `listing.ads`, an ad's element on the listing page) and the fields read from it."""

    url_pattern: str | None = Field(
        None, description="Regular expression an ad page's address matches (used when importing saved pages)."
    )
    fields: dict[FieldName, FieldSpec] = Field(description="Field name -> how to read it (see the table of fields).")
    images: FieldSpec | None = Field(
        None,
        description="Selector for the addresses of the ad's images (`img::attr(src)`). Each image is fetched "
        "like a page (same rate limit, robots.txt and hosts: add an image host to `allowed_hosts`), its "
        "perceptual hash computed in memory and added to `image_hashes`; the image itself is never stored.",
    )
    max_images: int = Field(10, ge=0, le=100, description="Most images fetched per ad page (the first ones).")
    format: Literal["html", "json"] | None = Field(
        None,
        description="The ad pages' format when it differs from the profile's `format` (HTML ad pages behind a "
        "JSON listing API: `format: html` here, `format: json` in `listing`). Default: the profile's `format`. "
        "With `listing.ads` the ads are read on the listing page, so this must be the listing's format.",
    )

    @field_validator("url_pattern")
    @classmethod
    def _regex_ok(cls, v: str | None) -> str | None:
        if v is not None:
            _check_regex(v)
        return v

    @model_validator(mode="after")
    def _has_id(self) -> AdSpec:
        if "site_ad_id" not in self.fields:
            raise ValueError('`fields` must include site_ad_id (e.g. `from_url: "/annons/([^/?#]+)"`)')
        return self


class HealthSpec(_Spec):
    """When a pass counts as degraded, and whom to tell."""

    min_field_rate: dict[FieldName, float] = Field(
        {}, description="Field -> the least share of ads it must be found in (0-1), checked on every pass."
    )
    collapse_ratio: float = Field(
        0.5,
        gt=0,
        lt=1,
        description="A field whose rate falls below this share of its usual rate (the median of recent healthy "
        "passes) has collapsed: the layout probably changed.",
    )
    baseline_runs: int = Field(5, ge=1, description="Recent healthy passes that make a field's usual rate.")
    max_error_rate: float = Field(
        0.2, ge=0, le=1, description="A pass where a larger share of pages failed is degraded."
    )
    webhook_url: str | None = Field(
        None, description="POSTed a JSON summary when a pass is degraded (Slack/Teams/Matrix-style hooks)."
    )

    @field_validator("min_field_rate")
    @classmethod
    def _rates_ok(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, r in v.items() if not 0 <= r <= 1]
        if bad:
            raise ValueError(f"rates must be between 0 and 1 ({', '.join(bad)})")
        return v


_HOST_PATTERN = re.compile(r"^(\*\.)?([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class Profile(_Spec):
    """One monitored site."""

    source: str = Field(
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="Short name of the site; stored as `site` in every observation.",
    )
    description: str = Field("", description="Free text for people: what the site is, who wrote the profile.")
    enabled: bool = Field(True, description="`lagesbild monitor` crawls only enabled sources.")
    base_url: str = Field(description="The site's address; relative URLs in the profile are resolved against it.")
    allowed_hosts: tuple[str, ...] = Field(
        (),
        description="Other hosts the crawl may fetch from or be redirected to (`img.site.se`, `*.site.se`, "
        "`site.se:8443`), besides `base_url`'s host. A host without a port allows ports 80 and 443. Links and "
        "redirects to any other host are refused.",
    )
    allow_private_network: bool = Field(
        False,
        description="Allow hosts that resolve to private, loopback, link-local or reserved addresses (127.0.0.1, "
        "10.x, 192.168.x, ...). Off, so that a hostile site cannot point the crawler at internal services; turn "
        "it on only for your own test servers (the simulator's profiles do).",
    )
    format: Literal["html", "json"] = Field(
        "html",
        description="What the site's pages are: `html` (selectors `css`/`xpath`) or `json` (an API: selector "
        "`jmespath`). `from_url` works with both.",
    )
    render: Literal["http", "browser"] = Field(
        "http",
        description="`browser`: load pages in a headless Chromium (Playwright) and read them after their "
        "scripts ran, for sites that build listings with JavaScript. Slower; off by default. Same rate limit, "
        "robots.txt and hosts; the browser's own requests off the profile's hosts are aborted.",
    )
    headers: dict[str, str] = Field({}, description="Extra request headers.")
    keep_raw_pages: bool = Field(
        False,
        description="Keep fetched pages (compressed) for `lagesbild reprocess`; deleted after "
        "`raw_page_retention_days`.",
    )
    resume_within_hours: float = Field(
        12.0, gt=0, description="An interrupted pass younger than this is continued; an older one is closed."
    )
    schedule: Schedule = Field(Schedule(), description="When `lagesbild monitor` runs it.")
    politeness: Politeness = Field(Politeness(), description="Rate, concurrency, robots.txt, retries, limits.")
    start: StartSpec = Field(description="Where a pass starts.")
    listing: ListingSpec = Field(description="How listing pages are read.")
    ad: AdSpec = Field(description="How ad pages are read.")
    health: HealthSpec = Field(HealthSpec(), description="Degraded-pass rules and alerts.")

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts_ok(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [h for h in v if not _HOST_PATTERN.match(h)]
        if bad:
            raise ValueError(
                f"not a host name ({', '.join(repr(h) for h in bad)}); write `host`, `host:port` or `*.domain`, "
                "without a scheme or path"
            )
        return tuple(h.lower() for h in v)

    @field_validator("base_url")
    @classmethod
    def _url_ok(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+", v):
            raise ValueError("must be an http:// or https:// address")
        return v if v.endswith("/") else v + "/"

    @property
    def listing_format(self) -> Literal["html", "json"]:
        """The listing pages' format: `listing.format`, else the profile's."""
        return self.listing.format or self.format

    @property
    def ad_format(self) -> Literal["html", "json"]:
        """The ad pages' format: `ad.format`, else the profile's (with `listing.ads`, the listing's)."""
        return self.ad.format or (self.listing_format if self.listing.ads is not None else self.format)

    @model_validator(mode="after")
    def _selectors_fit_format(self) -> Profile:
        if self.listing.ads is not None and self.ad.format is not None and self.ad.format != self.listing_format:
            raise _AtField(
                ("ad", "format"),
                f"ad.format is {self.ad.format} but the ads are read on the listing pages (listing.ads), which are "
                f"{self.listing_format}: leave ad.format out",
            )
        sections: list[tuple[str, str, FieldSpec | InlineAdsSpec | None]] = [
            (self.listing_format, "listing.ad_links", self.listing.ad_links),
            (self.listing_format, "listing.ads", self.listing.ads),
            (self.listing_format, "listing.next_pages", self.listing.next_pages),
            (self.format, "start.discover.links", self.start.discover.links if self.start.discover else None),
            (self.ad_format, "ad.images", self.ad.images),
            *((self.ad_format, f"ad.fields.{k}", v) for k, v in self.ad.fields.items()),
        ]
        bad_json = [n for fmt, n, f in sections if fmt == "json" and f is not None and (f.css or f.xpath)]
        if bad_json:
            raise _AtField(
                tuple(bad_json[0].split(".")),
                f"format is json: use `jmespath` or `from_url`, not css/xpath, in {', '.join(bad_json)} "
                "(a JSON listing with HTML ad pages: `format: html` and `listing: {format: json}`)",
            )
        bad_html = [n for fmt, n, f in sections if fmt == "html" and f is not None and f.jmespath is not None]
        if bad_html:
            raise _AtField(
                tuple(bad_html[0].split(".")),
                f"`jmespath` selectors need `format: json` (used in {', '.join(bad_html)}; for JSON listing "
                "pages only, `format: json` in `listing`, for JSON ad pages only, in `ad`)",
            )
        return self

    @model_validator(mode="after")
    def _inline_ads_fit(self) -> Profile:
        if self.listing.ads is None:
            return self
        if self.ad.fields["site_ad_id"].from_url is not None:
            raise _AtField(
                ("ad", "fields", "site_ad_id", "from_url"),
                "site_ad_id is required for inline ads (listing.ads) and cannot come from the address: they have "
                "no address of their own; read it from the ad's element (e.g. `jmespath: id` or "
                '`css: "::attr(data-id)"`)',
            )
        if self.ad.url_pattern is not None:
            raise _AtField(
                ("ad", "url_pattern"),
                "inline ads (listing.ads) have no pages of their own, so there is no ad address to match; "
                "remove url_pattern (saved listing pages are read for their ads)",
            )
        return self

    @model_validator(mode="after")
    def _start_on_own_hosts(self) -> Profile:
        from urllib.parse import urljoin

        from lagesbild.monitor.fetch import HostPolicy  # fetch builds on this module

        policy = HostPolicy.for_profile(self)
        pages = list(self.start.urls) + (list(self.start.discover.pages) if self.start.discover else [])
        off = [u for u in pages if not policy.host_allowed(urljoin(self.base_url, u))]
        if off:
            raise ValueError(
                f"start page(s) {', '.join(repr(u) for u in off)} are not on the profile's hosts; add their host "
                "to allowed_hosts"
            )
        return self


_MODELS: tuple[type[BaseModel], ...] = (
    Profile,
    Schedule,
    Politeness,
    StartSpec,
    DiscoverSpec,
    ListingSpec,
    InlineAdsSpec,
    AdSpec,
    FieldSpec,
    HealthSpec,
)


# ----------------------------------------------------------------------------- loading


def _line_index(text: str) -> dict[tuple[str, ...], int]:
    """Map YAML key paths to 1-based line numbers (best effort, for error messages)."""
    out: dict[tuple[str, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return out

    seen: set[int] = set()

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        out.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:  # an alias: its anchor was walked already (and an alias bomb is not expanded)
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = (*path, str(k.value))
                out[key] = k.start_mark.line + 1
                walk(v, key)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, str(i)))

    if root is not None:
        with contextlib.suppress(RecursionError):  # line numbers are a courtesy; load_yaml refuses deep files
            walk(root, ())
    return out


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str] | None:
    """The keys allowed at ``loc``'s parent, for 'unknown key' errors."""
    model: Any = Profile
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        fi = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if fi is None:
            if model is AdSpec or model is None:
                model = FieldSpec  # fields.<name> -> FieldSpec
                continue
            return None
        ann = fi.annotation
        nxt = None
        for cand in (ann, *get_args(ann)):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                nxt = cand
        if nxt is None and part == "fields":
            nxt = FieldSpec
        model = nxt
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return None


def parse_profile(data: Any, *, path: str = "<profile>", text: str | None = None) -> Profile:
    """Validate a decoded profile (a mapping) into a :class:`Profile`.

    Raises:
        InputErrors: every problem, each with file, line, field path and allowed values.
    """
    lines = _line_index(text) if text is not None else {}
    if not isinstance(data, Mapping):
        raise InputErrors([InputError("a profile is a YAML mapping (key: value)", path=path)], path=path)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        errors: list[InputError] = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            at = (e.get("ctx") or {}).get("error")
            if isinstance(at, _AtField):
                loc = (*loc, *at.loc)
            # pydantic adds the validator or union member to the location; keep the user's keys (an unknown key is
            # the user's whatever it holds: "allow_private[network")
            keep = loc[-1:] if e["type"] == "extra_forbidden" else ()
            loc = (
                tuple(
                    p
                    for p in loc[: len(loc) - len(keep)]
                    if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
                )
                + keep
            )
            field = ".".join(str(p) for p in loc) or None
            msg = str(e["msg"]).removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                allowed = _allowed_keys(loc) or []
                msg = f"unknown key{_did_you_mean(str(loc[-1]), allowed)}; allowed: {', '.join(allowed)}"
            elif e["type"] == "literal_error":
                msg = f"{msg}{_did_you_mean(str(e.get('input')), FIELD_NAMES)}"
            elif e["type"] == "missing":
                msg = "is required"
            line = None
            for n in range(len(loc), -1, -1):
                line = lines.get(tuple(str(p) for p in loc[:n]))
                if line is not None:
                    break
            errors.append(InputError(msg, path=path, line=line, field=field))
        raise InputErrors(errors, path=path) from None


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file.

    Raises:
        InputError: the file cannot be read or is not YAML.
        InputErrors: every validation problem at once.
    """
    p = Path(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read profile: {exc.strerror}", path=str(p)) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise InputError(f"the profile is larger than {MAX_PROFILE_BYTES:,} bytes", path=str(p))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the profile is not UTF-8 text", path=str(p)) from None
    return parse_profile(load_yaml(text, path=str(p)), path=str(p), text=text)


MAX_PROFILE_BYTES = 256_000
"""A profile is a few kilobytes; a larger file is refused before it is parsed."""

MAX_YAML_NODES = 100_000
"""The most values a profile may hold once its aliases are expanded (a "billion laughs" guard)."""


def load_yaml(text: str, *, path: str = "<profile>") -> Any:
    """Parse YAML safely, refusing documents whose aliases expand past :data:`MAX_YAML_NODES` values.

    PyYAML shares an aliased value instead of copying it, so an alias bomb (nine anchors, each nine
    aliases of the one before: a billion values) parses quickly, but everything that walks the result
    (validation, error reporting) would take forever. The document is composed first, its expanded
    size counted with each node counted once per path (memoized, so the count itself is quick), and
    only then built.

    Raises:
        InputError: not YAML, too large once expanded, self-referencing, or nested too deeply.
    """
    depth = _flow_depth(text)
    if depth > MAX_YAML_DEPTH:
        # PyYAML's scanner takes seconds to minutes on thousands of nested brackets: refuse before parsing
        raise InputError(f"not valid YAML: nested more than {MAX_YAML_DEPTH} levels deep", path=path)
    try:
        # the reader checks for control characters as soon as the loader is built
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", path=path) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path, line=mark.line + 1 if mark else None
            ) from None
        except RecursionError:
            raise InputError("not valid YAML: nested too deeply", path=path) from None
        if node is None:
            return None
        size = _expanded_size(node, path)
        if size > MAX_YAML_NODES:
            raise InputError(
                f"the profile expands to more than {MAX_YAML_NODES:,} values (YAML aliases `*name` repeat "
                "their anchor's value; a profile never needs that many)",
                path=path,
                line=node.start_mark.line + 1,
            )
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path, line=mark.line + 1 if mark else None
            ) from None
    finally:
        loader.dispose()


MAX_YAML_DEPTH = 64
"""The deepest nesting of ``[...]``/``{...}`` a profile may have (a profile needs five or so)."""

_YAML_SKIP = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|(?:^|(?<=\s))#[^\n]*", re.MULTILINE)
_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest outside quoted strings and comments (a quick upper bound)."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(_YAML_SKIP.sub("", text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_YAML_DEPTH:
                break
        elif depth:
            depth -= 1
    return deepest


def _expanded_size(root: yaml.Node, path: str) -> int:
    """The number of values ``root`` stands for with every alias expanded (iterative, memoized)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1
            for child in _children(node):
                total += sizes[id(child)]
                if total > MAX_YAML_NODES:
                    break
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise InputError(
                "a YAML alias refers to a value that contains it", path=path, line=node.start_mark.line + 1
            )
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise InputError(
                    "a YAML alias refers to a value that contains it", path=path, line=child.start_mark.line + 1
                )
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for kv in node.value for n in kv]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def profile_sha256(profile: Profile) -> str:
    """A checksum of the validated profile, recorded with each pass."""
    return hashlib.sha256(profile.model_dump_json().encode()).hexdigest()


# ----------------------------------------------------------------------------- docs


def _type_name(ann: Any) -> str:
    s = str(ann).replace("typing.", "").replace("lagesbild.monitor.spec.", "").replace("__main__.", "")
    s = re.sub(r"<class '([\w.]+)'>", lambda m: m.group(1).rsplit(".", 1)[-1], s)
    if "Literal[" in s and "site_ad_id" in s:
        s = re.sub(r"Literal\[[^\]]*\]", "field", s)
    return s.replace("NoneType", "None")


def _default(fi: Any) -> str:
    if fi.is_required():
        return "*required*"
    d = fi.default
    if isinstance(d, BaseModel):
        return "(see below)"
    if d is None:
        return "—"
    if isinstance(d, bool):
        return "`true`" if d else "`false`"
    if d == () or d == {}:
        return "empty"
    if isinstance(d, tuple):
        return "`" + ", ".join(repr(x) for x in d) + "`"
    return f"`{d}`"


def render_profile_reference() -> str:
    """``docs/profile-reference.md``, generated from the spec models, the field names and the steps."""
    out = [
        "# Site profile reference",
        "",
        "<!-- Generated by `python -m lagesbild.monitor.spec` from lagesbild/monitor/spec.py; do not edit. -->",
        "",
        "A site profile is a YAML file describing one monitored site. Check it with "
        "`lagesbild source check FILE`, try it on one page with `lagesbild source test FILE URL`. "
        "See `docs/monitor.md` for a walk-through and `src/lagesbild/monitor/profiles/` for complete examples.",
        "",
    ]
    titles = {
        Profile: "Top level",
        Schedule: "`schedule`",
        Politeness: "`politeness`",
        StartSpec: "`start`",
        DiscoverSpec: "`start.discover`",
        ListingSpec: "`listing`",
        InlineAdsSpec: "`listing.ads`",
        AdSpec: "`ad`",
        FieldSpec: "A selector (`ad.fields.<field>`, `listing.ad_links`, `listing.next_pages`, `start.discover.links`)",
        HealthSpec: "`health`",
    }
    for model in _MODELS:
        out += [f"## {titles[model]}", "", inspect.cleandoc(model.__doc__ or ""), ""]
        out += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for name, fi in model.model_fields.items():
            typ = _type_name(fi.annotation)
            if name == "cleanup":
                typ = "list of steps"
            out.append(f"| `{name}` | {typ} | {_default(fi)} | {fi.description or ''} |")
        out.append("")
    out += ["## Fields (`ad.fields`)", "", "| field | kind | meaning |", "|---|---|---|"]
    for f in FIELD_NAMES:
        out.append(f"| `{f}` | {'list' if f in LIST_FIELDS else 'one value'} | {_FIELD_HELP[f]} |")
    out += [
        "",
        "## Cleanup steps (`cleanup`)",
        "",
        "Write a step as its name (`- strip`) or as `- name: argument`.",
        "",
    ]
    out += ["| step | argument | what it does |", "|---|---|---|"]
    for s in STEPS:
        arg = {"none": "—", "text": "text", "pair": "[a, b]"}[s.arg]
        out.append(f"| `{s.name}` | {arg} | {s.help} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(render_profile_reference(), end="")
