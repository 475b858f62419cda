"""Robust template keys (``LinkSettings.template_key_robust``): what one organizer varies keeps the key.

Measured on training worlds (docs/link.md, "Held-out evaluation"): true networks split where a
template's sentence opened with a language name, a town other than the stated location, or a
misspelled word.
"""

from __future__ import annotations

from lagesbild.link import LinkSettings
from lagesbild.link.text import mask_sentences, template_key

TEXT = (
    "Hej! Jag heter {n} och är 24 år. Trevlig, ren och lugn. Jag pratar {langs}. "
    "Besöker {city} en kort tid. Pris 1200 kr/30 min."
)


def _key(body: str, *, robust: bool = True, name: str = "anna", location: str = "Linköping") -> int:
    title, sentences = mask_sentences(f"{name.title()} 24 i {location}", body, name=name, location=location)
    return template_key(title, sentences, robust=robust)


def test_robust_keys_are_the_default() -> None:
    assert LinkSettings().template_key_robust


def test_a_language_name_swap_keeps_the_robust_key() -> None:
    a = TEXT.format(n="Anna", langs="svenska", city="Motala")
    b = TEXT.format(n="Anna", langs="ryska, engelska och polska", city="Motala")
    assert _key(a) == _key(b)
    assert _key(a, robust=False) != _key(b, robust=False)  # the plain key splits them


def test_a_city_other_than_the_stated_location_keeps_the_robust_key() -> None:
    a = TEXT.format(n="Anna", langs="svenska", city="Motala")
    b = TEXT.format(n="Anna", langs="svenska", city="Norrköping")
    assert _key(a) == _key(b)
    assert _key(a, robust=False) != _key(b, robust=False)


def test_a_misspelling_inside_a_word_keeps_the_robust_key() -> None:
    a = TEXT.format(n="Anna", langs="svenska", city="Motala")
    swapped = a.replace("Trevlig", "Trevilg")
    dropped = a.replace("Besöker", "Besöer")
    assert _key(a) == _key(swapped) == _key(dropped)
    assert _key(a, robust=False) != _key(swapped, robust=False)


def test_different_templates_keep_different_robust_keys() -> None:
    a = TEXT.format(n="Anna", langs="svenska", city="Motala")
    other = (
        "Välkommen till mig! Jag är Anna, 24. Diskret och trevligt bemötande. "
        "Jag tar emot i egen lägenhet nära stationen. Pris 1200 kr/30 min."
    )
    reordered = "Trevlig, ren och lugn. Hej! Jag heter Anna och är 24 år. Jag pratar svenska. Pris 1200 kr/30 min."
    keys = {_key(a), _key(other), _key(reordered)}
    assert len(keys) == 3
    assert 0 not in keys


def test_robust_and_plain_keys_never_coincide() -> None:
    body = TEXT.format(n="Anna", langs="svenska", city="Motala")
    assert _key(body) != _key(body, robust=False)
