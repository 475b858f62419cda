"""What the simulated sites' pages show: typed page contexts, the CSS class names of each layout
(before and after a layout change), and the Jinja2 environment that renders them.

The templates are ``lagesbild/simulate/templates/<layout>/{start,listing,ad}.html`` plus shared
pages (``index.html``, ``admin.html``, ``info.html``, ``notfound.html``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from lagesbild.refdata import swedish_date
from lagesbild.simulate.server.sites import AdVersion, SiteSpec

__all__ = ["CLASSES", "AdPage", "CityLink", "ListingPage", "StartPage", "make_env", "tel"]

_TEMPLATES = Path(__file__).parent.parent / "templates"

# CSS class names per layout: (before, after) a layout change. Same keys, different names, so
# a crawler's selectors written for one version stop matching in the other.
CLASSES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "classic": (
        {
            "item": "ad",
            "title": "ad-title",
            "location": "ad-location",
            "age": "ad-age",
            "price": "ad-price",
            "date": "ad-date",
            "pager": "pagination",
            "next": "next",
            "prev": "prev",
            "detail": "ad-detail",
            "body": "ad-text",
            "phone": "phone",
            "email": "email",
            "images": "gallery",
            "adid": "ad-id",
            "name": "ad-name",
            "cities": "cities",
            "city": "city",
            "header": "top",
            "footer": "footer",
            "attr_id": "ad-id",
        },
        {
            "item": "annons",
            "title": "rubrik",
            "location": "ort",
            "age": "alder",
            "price": "pris",
            "date": "datum",
            "pager": "sidor",
            "next": "nasta",
            "prev": "foregaende",
            "detail": "annons-visning",
            "body": "annonstext",
            "phone": "tfn",
            "email": "epost",
            "images": "bilder",
            "adid": "annons-nr",
            "name": "namn",
            "cities": "stader",
            "city": "stad",
            "header": "sidhuvud",
            "footer": "sidfot",
            "attr_id": "annons-nr",
        },
    ),
    "cards": (
        {
            "item": "card",
            "title": "card-title",
            "location": "card-city",
            "age": "card-age",
            "price": "card-price",
            "date": "card-date",
            "pager": "pager",
            "next": "pager-next",
            "prev": "pager-prev",
            "detail": "profile",
            "body": "profile-text",
            "phone": "contact-phone",
            "email": "contact-mail",
            "images": "photos",
            "adid": "profile-id",
            "name": "profile-name",
            "cities": "city-grid",
            "city": "city-tile",
            "header": "site-header",
            "footer": "site-footer",
            "attr_id": "ad-id",
        },
        {
            "item": "tile",
            "title": "tile-heading",
            "location": "tile-place",
            "age": "tile-years",
            "price": "tile-cost",
            "date": "tile-when",
            "pager": "paging",
            "next": "fwd",
            "prev": "back",
            "detail": "listing-view",
            "body": "description",
            "phone": "call",
            "email": "mail",
            "images": "media",
            "adid": "ref",
            "name": "alias",
            "cities": "regions",
            "city": "region",
            "header": "masthead",
            "footer": "colophon",
            "attr_id": "ref",
        },
    ),
    "table": (
        {
            "item": "row",
            "title": "subject",
            "location": "town",
            "age": "years",
            "price": "cost",
            "date": "posted",
            "pager": "pages",
            "next": "next-page",
            "prev": "prev-page",
            "detail": "details",
            "body": "message",
            "phone": "tel",
            "email": "mail",
            "images": "pics",
            "adid": "adnr",
            "name": "nick",
            "cities": "towns",
            "city": "town-link",
            "header": "head",
            "footer": "foot",
            "attr_id": "adnr",
        },
        {
            "item": "r",
            "title": "c1",
            "location": "c2",
            "age": "c3",
            "price": "c4",
            "date": "c5",
            "pager": "nav",
            "next": "n",
            "prev": "p",
            "detail": "info",
            "body": "txt",
            "phone": "nr",
            "email": "adress",
            "images": "img",
            "adid": "id",
            "name": "anv",
            "cities": "orter",
            "city": "ortlank",
            "header": "hd",
            "footer": "ft",
            "attr_id": "id",
        },
    ),
}



@dataclass(frozen=True, slots=True)
class CityLink:
    """A city on a start page."""

    slug: str
    name: str
    count: int
    href: str


@dataclass(frozen=True, slots=True)
class StartPage:
    """What a site's start page shows on one day."""

    site: SiteSpec
    day: int
    date: dt.date
    cities: list[CityLink]


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a city listing on one day (ads newest first)."""

    site: SiteSpec
    day: int
    date: dt.date
    city: str
    city_name: str
    page: int
    pages: int
    total: int
    ads: list[AdVersion]
    next_href: str | None
    prev_href: str | None


@dataclass(frozen=True, slots=True)
class AdPage:
    """An ad's detail page on one day."""

    site: SiteSpec
    day: int
    date: dt.date
    ad: AdVersion
    city_name: str



def _fmt_date(value: str | None, style: str) -> str:
    """A posting date the way each layout writes it (``iso``, ``long`` Swedish, or ``short``)."""
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    has_time = "T" in value or " " in value
    if style == "iso":
        return t.strftime("%Y-%m-%d %H:%M") if has_time else t.strftime("%Y-%m-%d")
    if style == "long":
        s = swedish_date(t)
        return f"{s} kl. {t:%H:%M}" if has_time else s
    return t.strftime("%Y-%m-%d")


def tel(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _nl2br(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup("<br>\n").join(escape(line) for line in text.splitlines())


def _price(p: str | None) -> str:
    if p is None:
        return ""
    return f"{p} kr" if p.isdigit() else p


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )
    env.filters["fmt_date"] = _fmt_date
    env.filters["tel"] = tel
    env.filters["nl2br"] = _nl2br
    env.filters["price"] = _price
    env.filters["q"] = lambda s: quote(str(s), safe="")
    return env
