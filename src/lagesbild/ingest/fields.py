"""The import format's fields: the single source of truth for validation and docs.

``docs/import-format.md`` is generated from :data:`FIELDS` (``python -m lagesbild.ingest.fields``)
and a test keeps it in step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIELDS", "REQUIRED", "Field", "render_markdown"]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str
    required: bool
    help: str
    example: str


FIELDS: tuple[Field, ...] = (
    Field(
        "site", "text", True, "Short name of the site (letters, digits, `.`, `_`, `-`; at most 64).", "annonsportalen"
    ),
    Field(
        "site_ad_id",
        "text",
        True,
        "The site's own id of the ad (at most 128 characters). An id that holds a phone number, e-mail address "
        "or handle is stored as a keyed pseudonym (`id_…`), the same for every sighting.",
        "A-102934",
    ),
    Field(
        "seen_at",
        "datetime",
        True,
        "When the ad was seen: ISO 8601 date or date-time; without a zone it is read as Swedish local time. "
        "Between 1995-01-01 and tomorrow.",
        "2025-03-01T14:05:00+01:00",
    ),
    Field(
        "url",
        "text",
        False,
        "The ad's address. Identifiers in it (also percent-encoded ones) are replaced by placeholders.",
        "https://example.invalid/annons/A-102934",
    ),
    Field("title", "text", False, "The ad's title (at most 1 MB).", "Ny i stan! Bara 3 dagar"),
    Field(
        "body",
        "text",
        False,
        "The ad's text (at most 1 MB). Phone numbers and e-mail addresses in it are "
        "replaced by placeholders before storage and their pseudonyms kept.",
        "Söt tjej, ring [telefon]",
    ),
    Field(
        "location",
        "text",
        False,
        "The location as stated in the ad or by the site's city page (identifiers replaced by placeholders).",
        "Norrköping city",
    ),
    Field(
        "kommun",
        "code",
        False,
        "The municipality code if the source knows it (four digits); otherwise it is resolved from `location`.",
        "0581",
    ),
    Field("age", "integer", False, "The stated age (10-99).", "24"),
    Field(
        "phones",
        "list",
        False,
        "Phone numbers in any common format (a list, or one string with numbers "
        "separated by `;`). Stored only as keyed pseudonyms.",
        '["070-174 06 05"]',
    ),
    Field("emails", "list", False, "E-mail addresses. Stored only as keyed pseudonyms.", '["exempel@example.invalid"]'),
    Field("price", "text", False, "The price as written (identifiers replaced by placeholders).", "1500kr/30min"),
    Field("language", "code", False, "ISO 639-1 code of the ad's language.", "sv"),
    Field(
        "name",
        "text",
        False,
        "The name the advertiser uses (at most 200 characters; identifiers replaced by placeholders).",
        "Lisa",
    ),
    Field(
        "image_hashes",
        "list",
        False,
        "Perceptual hashes of the ad's images, hexadecimal (8-64 digits each). Images themselves are never imported.",
        '["c3d4e1f0a9b88776"]',
    ),
    Field("posted_at", "datetime", False, "The posting date the site shows.", "2025-02-27"),
)

REQUIRED = tuple(f.name for f in FIELDS if f.required)
BY_NAME = {f.name: f for f in FIELDS}


def render_markdown() -> str:
    """The field table of ``docs/import-format.md``."""
    lines = ["| field | type | required | meaning | example |", "|---|---|---|---|---|"]
    for f in FIELDS:
        lines.append(f"| `{f.name}` | {f.kind} | {'yes' if f.required else 'no'} | {f.help} | `{f.example}` |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(), end="")
