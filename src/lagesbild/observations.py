"""The ad observation: one ad seen on one site at one time.

This is the record every entry point produces (file import, the monitor) and the
store keeps. Every entry point builds it through one converter,
:class:`lagesbild.ingest.validate.RecordConverter`, so none can skip its privacy work:
identifiers in it are already pseudonyms; every text field (title, body, url, location,
price, name) has had phone numbers, e-mail addresses and handles replaced by placeholders;
an ad id that held an identifier is a keyed pseudonym (see :mod:`lagesbild.privacy`);
no text holds a control character.
Times are ISO 8601 UTC strings (``2025-03-01T14:05:00Z``), which sort and group the
same way on every backend.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Observation"]


class Observation(NamedTuple):
    """One sighting of one ad, ready to store (an immutable named tuple: cheap to build by the million).

    Attributes:
        site: short name of the site, e.g. ``"annonsportalen"``.
        site_ad_id: the site's own id of the ad, or its keyed pseudonym (``id_…``) if it held an identifier.
        seen_at: when it was seen (ISO 8601 UTC).
        url: the ad's address, if known (identifiers replaced by placeholders).
        title, body: the ad's text, with identifiers replaced by placeholders.
        location_text: the location as stated in the ad or on the site's page (scrubbed).
        kommun_kod, lan_kod: the municipality and county, given or resolved; None if unknown.
        place_confidence: 1.0 when given, lower when resolved from text, None when unknown.
        age: the stated age.
        price_text: the price as written (scrubbed).
        language: ISO 639-1 code of the ad's language, if known.
        name: the name the advertiser uses in the ad (scrubbed).
        phones, emails: pseudonyms (``ph_…``, ``em_…``).
        handles: pseudonyms of messaging handles found in the text (``hd_…``).
        image_hashes: perceptual hashes (hex) of the ad's images.
        posted_at: the posting date the site shows, if any (ISO 8601 UTC).
    """

    site: str
    site_ad_id: str
    seen_at: str
    url: str | None = None
    title: str | None = None
    body: str | None = None
    location_text: str | None = None
    kommun_kod: str | None = None
    lan_kod: str | None = None
    place_confidence: float | None = None
    age: int | None = None
    price_text: str | None = None
    language: str | None = None
    name: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    image_hashes: tuple[str, ...] = ()
    posted_at: str | None = None
