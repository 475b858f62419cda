"""normalize_ad: ages, prices, languages, touring, gender and indicators from one ad."""

from __future__ import annotations

import pytest

from lagesbild.normalize import (
    RULES_VERSION,
    find_age,
    find_prices,
    find_touring,
    foreign_language_templates,
    indicator_catalogue,
    languages_offered,
    many_cities,
    normalize_ad,
    price_per_hour,
    shared_phones,
    written_language,
)


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("23 år", 23),
        ("22-årig", 22),
        ("Ålder: 21", 21),
        ("age 34", 34),
        ("I'm 31", 31),
        ("jag är 29", 29),
        ("24 y/o", 24),
        ("(25)", 25),
        ("tjugotvå år", 22),
        ("Jag är Bella, 29.", 29),
        ("My name is Gabriela, 19.", 19),
        ("Lucia here, 24.", 24),
        ("jag är ledig, 18-23", None),
        ("I am available, 24/7", None),
        ("170 cm", None),
        ("1500 kr", None),
        ("18+ only", None),
    ],
)
def test_find_age_reads_stated_age(text: str, age: int | None) -> None:
    found = find_age(f"Hej {text} välkommen")
    assert (found.value if found else None) == age


@pytest.mark.parametrize(
    ("title", "age"), [("Söt tjej i Linköping – Bella, 29", 29), ("Anna 22 år", 22), ("Linköping, 24/7", None)]
)
def test_find_age_reads_name_and_age_in_title(title: str, age: int | None) -> None:
    found = find_age("Välkommen", title=title)
    assert (found.value if found else None) == age


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("1500kr/30min", None),  # a half hour's price is not doubled: the hourly price is stated only
        ("30 min 1200:-, 1h 2000:-", 2000),
        ("200€/h", 2300),
        ("Pris: 2 500 kr per timme", 2500),
        ("halvtimme 1000 kr", None),
        ("90 min 1900 kr", None),
        ("2h 3000 kr", None),
        ("45 min 900:-", None),
        ("Halvtimme 800 kr, timme 1400 kr", 1400),
        ("1 tim 1500 kr", 1500),
        ("60 min 1700 kr", 1700),
        ("natt 10000 kr", None),
        ("Storlek 36 200€/h", 2300),
        ("Pris i sms", None),
    ],
)
def test_find_prices_normalizes_to_sek_per_hour(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


def test_find_prices_keeps_raw_unit_and_currency() -> None:
    (p,) = find_prices("150 euro 30 min")
    assert (p.amount, p.currency, p.minutes, p.unit) == (150, "EUR", 30, "30 min")


def test_languages_offered_reads_list_after_cue() -> None:
    assert languages_offered("Jag pratar svenska, engelska och lite spanska") == ("sv", "en", "es")
    assert languages_offered("I speak English and Russian.") == ("en", "ru")


def test_written_language_identifies_offline() -> None:
    assert written_language("Hej! Jag heter Anna och är ny i stan, välkommen till mig") == "sv"
    assert written_language("Привет, я новенькая в городе, звони мне") == "ru"
    assert written_language("kort") is None


def test_written_language_takes_two_swedish_stop_words_for_swedish() -> None:
    # The identifier alone calls short Swedish ads Danish.
    assert written_language("Ring mig så ses vi (30) Nr: (070) 174 06 40 Öppet kl 10-22") == "sv"


def test_written_language_lets_the_identifier_decide_mixed_scripts() -> None:
    text = "สวัสดีค่ะ ฉันชื่อ Ploy อายุ 19 ปี อยู่ที่ Jönköping Welcome! My name is Ploy, 19."
    assert written_language(text) == "th"


def test_find_touring_reads_signals_and_visit_dates() -> None:
    t = find_touring("Ny i stan! Bara tre dagar, 12/5-15/5, på turné")
    assert t.kinds == ("new_in_town", "short_stay", "on_tour")
    assert t.dates == ("12/5-15/5",)
    assert not find_touring("Välkommen hem till mig").touring


def test_normalize_ad_flags_indicators_without_verdict() -> None:
    ad = normalize_ad(None, "Hon är 19 år och ny i stan. Nya tjejer varje vecka, 24/7", "Malmö")
    codes = {i.code for i in ad.indicators}
    assert {"third_person", "new_girls", "always_available", "very_young_age"} <= codes


def test_normalize_ad_does_not_flag_plain_first_person_ad() -> None:
    ad = normalize_ad("Anna 30", "Hej, jag är Anna, 30 år. Ring mig", "Lund")
    assert ad.indicators == ()


def test_normalize_ad_reads_everything_from_one_ad() -> None:
    ad = normalize_ad(
        "Lisa 23", "Ny i stan! Ring 070-174 06 12. 1500kr/30min, 1h 2800kr. Pratar svenska och engelska.", "Gbg"
    )
    assert ad.place.kommun_kod == "1480"
    assert ad.phones == ("+46701740612",)
    assert (ad.age, ad.price_sek_per_hour) == (23, 2800)
    assert ad.languages_offered == ("sv", "en")
    assert ad.touring.kinds == ("new_in_town",)
    assert ad.rules_version == RULES_VERSION


@pytest.mark.parametrize(
    "body", ["", "x" * 1_000_000, "💋" * 10_000, "Привет 你好 مرحبا שלום", "<p>&amp;<br/>&#x27;</p>", "\x00\x01\x02"]
)
def test_normalize_ad_survives_bad_input_without_false_phone(body: str) -> None:
    ad = normalize_ad(None, body, None)
    assert ad.phones == ()
    assert ad.place.kommun_kod is None


def test_shared_phones_flags_phone_in_many_ads() -> None:
    ads = [normalize_ad(None, f"Tjej {i}, ring 0701740612", "Malmö") for i in range(3)]
    ads.append(normalize_ad(None, "Ring 0701740655", "Malmö"))
    (flag,) = shared_phones(ads, min_ads=3)
    assert (flag.key, flag.ad_indices) == ("+46701740612", (0, 1, 2))


def test_many_cities_flags_phone_in_three_municipalities_in_a_week() -> None:
    places = ["Malmö", "Lund", "Umeå"]
    ads = [(f"2025-03-0{i + 1}T12:00:00Z", normalize_ad(None, "Ring 0701740612", p)) for i, p in enumerate(places)]
    assert [f.key for f in many_cities(ads)] == ["+46701740612"]
    assert many_cities(ads, min_municipalities=4) == []


def test_foreign_language_templates_groups_identical_foreign_ads() -> None:
    body = "Buna! Sunt noua in oras, frumoasa si discreta. Te astept la mine. Suna-ma oricand. Nr {i}"
    ads = [normalize_ad(None, body.format(i=i), "Malmö") for i in range(3)]
    ads.append(normalize_ad(None, "Hej! Jag är ny i stan och väntar på dig hemma hos mig", "Malmö"))
    (flag,) = foreign_language_templates(ads)
    assert flag.ad_indices == (0, 1, 2)


def test_indicator_catalogue_documents_every_indicator() -> None:
    for info in indicator_catalogue():
        assert info.meaning and info.false_positives
