"""Small hand-built markets for the linking tests (fictional pseudonyms and hashes)."""

from __future__ import annotations

from lagesbild.observations import Observation

TEXT = "Hej! Jag heter {n} och är {a} år. Jag är en glad och diskret tjej. Pris 1500 kr/30 min. Ring [telefon]"


def obs(
    site: str,
    ad_id: str,
    day: int,
    *,
    name: str = "Anna",
    age: int = 24,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    images: tuple[str, ...] = (),
    kommun: str = "0580",
    body: str | None = None,
) -> Observation:
    """One observation on day ``day`` of March 2024."""
    return Observation(
        site=site,
        site_ad_id=ad_id,
        seen_at=f"2024-03-{day:02d}T12:00:00Z",
        title=f"{name} {age} år",
        body=body if body is not None else TEXT.format(n=name, a=age),
        location_text="Linköping",
        kommun_kod=kommun,
        lan_kod=kommun[:2],
        age=age,
        language="sv",
        name=name,
        phones=phones,
        emails=emails,
        image_hashes=images,
    )


def days(site: str, ad_id: str, first: int, last: int, **kw: object) -> list[Observation]:
    """Daily observations of one site ad from ``first`` to ``last`` (inclusive)."""
    return [obs(site, ad_id, d, **kw) for d in range(first, last + 1)]  # type: ignore[arg-type]
