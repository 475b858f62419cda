"""Normalize: turn raw ad observations into clean, typed facts.

Places (municipality and county), identifiers (phones, e-mail, messaging handles),
age, prices in SEK per hour, languages, gender and target, touring signals and the
indicators analysts use. Every vocabulary and pattern is data in ``rules/``;
:data:`RULES_VERSION` changes with any rule so old observations can be reprocessed.

>>> ad = normalize_ad(None, "Anna 24 år, ring 070-174 06 12", "Sthlm")
>>> ad.place.kommun_kod, ad.age, ad.phones
('0180', 24, ('+46701740612',))
"""

from lagesbild.normalize._rules import RULES_VERSION
from lagesbild.normalize.ad import Handle, NormalizedAd, normalize_ad
from lagesbild.normalize.ages import Age, find_age
from lagesbild.normalize.gender import find_gender
from lagesbild.normalize.identifiers import find_emails, find_handles, find_phones, normalize_email, normalize_phone
from lagesbild.normalize.indicators import (
    Indicator,
    IndicatorInfo,
    SetIndicator,
    ad_indicators,
    foreign_language_templates,
    indicator_catalogue,
    many_cities,
    shared_phones,
)
from lagesbild.normalize.languages import languages_offered, written_language
from lagesbild.normalize.places import UNKNOWN, PlaceMatch, resolve_place
from lagesbild.normalize.prices import Price, find_prices, price_per_hour
from lagesbild.normalize.touring import Touring, find_touring

__all__ = [
    "RULES_VERSION",
    "UNKNOWN",
    "Age",
    "Handle",
    "Indicator",
    "IndicatorInfo",
    "NormalizedAd",
    "PlaceMatch",
    "Price",
    "SetIndicator",
    "Touring",
    "ad_indicators",
    "find_age",
    "find_emails",
    "find_gender",
    "find_handles",
    "find_phones",
    "find_prices",
    "find_touring",
    "foreign_language_templates",
    "indicator_catalogue",
    "languages_offered",
    "many_cities",
    "normalize_ad",
    "normalize_email",
    "normalize_phone",
    "price_per_hour",
    "resolve_place",
    "shared_phones",
    "written_language",
]
