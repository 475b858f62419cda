"""Phones, e-mail and handles: every obfuscated form is found, nothing else is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lagesbild.normalize import find_emails, find_handles, find_phones, normalize_phone

P = "+46701740612"  # PTS range reserved for fiction


def phones(text: str) -> list[str]:
    return [e for _, _, e in find_phones(text)]


@pytest.mark.parametrize(
    "text",
    [
        "070-174 06 12",
        "0701740612",
        "070 174 06 12",
        "070 17 40 612",
        "+46 70 174 06 12",
        "+46701740612",
        "0046 70 174 06 12",
        "+46 (0)70-174 06 12",
        "0 7 0 1 7 4 0 6 1 2",
        "070.174.06.12",
        "(070) 174 06 12",
        "O7O-l74 O6 l2",
        "noll sju noll ett sju fyra noll sex ett två",
        "noll sju noll, ett sju fyra, noll sex, ett två",
        "zero seven zero one seven four zero six one two",
        "46 70 174 06 12",
        "Tel0701740612",
        "Ring 0701740612kr",
        "1h 1500 SEK 070-1740612",
        "Pris 200 EUR 070 174 06 12",
    ],
)
def test_find_phones_reads_obfuscated_form_when_written_in_ad(text: str) -> None:
    assert phones(f"Hej! Ring {text} nu 💋") == [P]


def test_find_phones_returns_spans_that_cover_the_number_when_scrubbing() -> None:
    text = "Ring O7O-l74 O6 l2 eller noll sju noll ett sju fyra noll sex fem fem"
    spans = find_phones(text)
    assert [text[a:b] for a, b, _ in spans] == ["O7O-l74 O6 l2", "noll sju noll ett sju fyra noll sex fem fem"]


def test_find_phones_finds_several_numbers_when_written_next_to_each_other() -> None:
    assert phones("0701740612 / 0701740655, 031-390 06 12") == [P, "+46701740655", "+46313900612"]


@pytest.mark.parametrize(
    "text",
    [
        "1500 kr",
        "1 500:-",
        "Pris 2000kr/h",
        "2025-05-12",
        "12/05/2025",
        "12.05.2025 - 15.05.2025",
        "kl 08.00-20.00",
        "10:00-22:00",
        "Postnr 123 45",
        "113 45 Stockholm",
        "Längd 168 cm, vikt 55 kg",
        "Order 07012345",
        "tre dagar",
        "sex och sju",
        "",
        "💋" * 50,
        "Привет 你好 مرحبا",
        "<br/>&amp;<p>",
    ],
)
def test_find_phones_takes_nothing_when_text_has_no_phone(text: str) -> None:
    assert phones(text) == []


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 99_999),
    st.sampled_from(["kr", " kr", ":-", " SEK", "€", " euro"]),
)
def test_find_phones_never_takes_price_for_phone(amount: int, currency: str) -> None:
    assert phones(f"Pris {amount}{currency}, {amount // 2}{currency}/30min") == []


@settings(max_examples=300, deadline=None)
@given(st.dates(), st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]))
def test_find_phones_never_takes_date_for_phone(day: object, fmt: str) -> None:
    text = day.strftime(fmt)  # type: ignore[attr-defined]
    assert phones(f"Ledig {text} och {text}") == []


@settings(max_examples=300, deadline=None)
@given(st.integers(10_000, 99_999), st.integers(0, 23), st.integers(0, 59))
def test_find_phones_never_takes_postcode_or_time_for_phone(postcode: int, hour: int, minute: int) -> None:
    code = f"{postcode // 100} {postcode % 100:02d}"
    assert phones(f"Postnr {code}, öppet {hour:02d}:{minute:02d}-{hour:02d}.{minute:02d}") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_find_phones_never_crashes_on_any_text(text: str) -> None:
    for start, end, e164 in find_phones(text):
        assert 0 <= start < end <= len(text)
        assert e164.startswith("+")


def test_find_phones_handles_one_megabyte_quickly() -> None:
    text = ("Hej 💋 ring 1500 kr 2025-05-12 " * 40_000)[:1_000_000]
    assert phones(text) == []


@pytest.mark.parametrize(
    "unit",
    [
        "X7X-174 X6 12 (X = noll) ",  # hints: one substitution for the whole text, not one per hint
        "baklänges 12 34 56 78 90 12 34 56 ",
        "Första delen 070-174. 12 34 56 78 slutet 06 12 ",
        "a=0 b=1 c=2 ab ba cd ",
        "Ring 70 174 06 12 ",
        "Första delen 0701. ",
    ],
)
def test_find_phones_reads_long_text_of_new_forms_in_linear_time(unit: str) -> None:
    """The finders that pair cues, labels and hints with numbers run on ad-length texts only (20,000
    characters); a 400,000-character page is read by the others, without pairing everything with everything."""
    for size in (400_000, 19_000):
        text = unit * (size // len(unit))
        for start, end, _ in find_phones(text):
            assert 0 <= start < end <= len(text)


def test_normalize_phone_rejects_number_without_trunk_prefix() -> None:
    assert normalize_phone("1500") is None
    assert normalize_phone("12345678") is None
    assert normalize_phone("+33 1 99 00 12 34") == "+33199001234"


def test_find_emails_reads_obfuscated_address() -> None:
    found = [e for _, _, e in find_emails("Mail anna.fiktiv (at) example (dot) com eller bo@example.se")]
    assert found == ["anna.fiktiv@example.com", "bo@example.se"]


def test_find_handles_reads_platform_and_handle() -> None:
    found = [(p, h) for _, _, p, h in find_handles("Telegram: anna_fiktiv, snap: lisa.fiktiv, t.me/sara_fiktiv")]
    assert found == [("telegram", "anna_fiktiv"), ("snapchat", "lisa.fiktiv"), ("telegram", "sara_fiktiv")]


def test_find_handles_ignores_platform_word_without_handle() -> None:
    assert find_handles("Finns på WhatsApp och Telegram") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070\u00a0174\u00a006\u00a012 idag",  # &nbsp; between the groups, as a parsed page has it
        "Ring 070\u2011174 06 12",  # non-breaking hyphen
        "Ring 070\u2013174 06 12 tack",  # en dash
        "Ring 070_174_06_12",
        "Ring 070\u00b7174\u00b706\u00b712",
        "Ring 070*174*06*12",
        "Ring O7O ett sju fyra noll sex ett två",  # letters for digits, then spelled words
        "Ring noll sju noll 174 06 12",  # spelled prefix, written groups
        "Ring noll sju 0174 0612",
        "Ring noll sju noll ett 740612 efter kl 12",
        "SMS noll-sju-noll-ett-sju-fyra-noll-sex-ett-två - 1500 kr halvtimme",  # a price after it
    ],
)
def test_find_phones_reads_obfuscated_forms(text: str) -> None:
    found = find_phones(text)
    assert [v for _, _, v in found] == ["+46701740612"]
    start, end, _ = found[0]
    # the span is the number, in the caller's text: from after "Ring"/"SMS", without the price after it
    assert text[:start].strip() in ("Ring", "SMS") and "kr" not in text[start:end]


@pytest.mark.parametrize(
    "text",
    ["sex tre 1500 2000 kr", "tre 1500 kr, två 2500 kr", "Pris 1500\u20132000 kr", "Öppet 10\u201322", "fem sju 2 tre"],
)
def test_number_words_and_dashes_next_to_prices_are_not_phones(text: str) -> None:
    assert find_phones(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # eight digits in words: a hundred and the tens word after it are one group (174), never read apart as
        # 100 74 to make a short number long enough (a false number: the hundred read as 100)
        "Call zero seven zero, one hundred seventy-four, zero six",
        "zero seven zero, then one hundred seventy-four, then zero six, and \u2026",
        "Ring noll sju noll, hundra sjuttiofyra, noll sex",
        "Ring noll sju noll, etthundra fyra, noll sex",
    ],
)
def test_a_hundred_and_what_completes_it_are_not_read_apart(text: str) -> None:
    assert find_phones(text) == []


def test_a_word_whose_last_o_is_written_twice_is_no_zero() -> None:
    # nine digits: "too" is "two" (or "to"), not 2 0 (it gave +46701740620)
    assert find_phones("Call me: oh seven oh one seven four oh six too") == []
    assert [v for _, _, v in find_phones("Call me: oh seven oh one seven four oh six too two")] == ["+46701740622"]
    assert [v for _, _, v in find_phones("Call zero seven zero one seven four zero six two zeroo")] == ["+46701740620"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Ring noll sju noll, hundra sjuttiofyra, noll sex sextiofem", "+46701740665"),
        ("zero seven zero one hundred seventy four zero six five five", "+46701740655"),
        ("noll sjuttio ett sjuttiofyra noll sex sextiofem", "+46701740665"),  # a unit after a tens word alone
    ],
)
def test_a_hundred_with_its_tens_reads_whole_numbers(text: str, want: str) -> None:
    assert [v for _, _, v in find_phones(text)] == [want]


# Issue 17, round 4: families closely related to held-out set H's misses. Each family has its no-phone traps.
_FAMILIES_ROUND_4 = {
    "reversed": [
        ("Läs baklänges: 2160471070", P),
        ("Nummer (läs baklänges): 21-60-471-070", P),
        ("read backwards: 21 60 47 10 70, kram", P),
        ("2160 4710 70 (omvänd ordning)", P),
        ("Läs baklänges: två ett sex noll fyra sju ett noll sju noll", P),
        ("Baklänges, i grupper: 12 06 390 031", "+46313900612"),  # groups backwards: the digits backwards are no number
    ],
    "spelled_tens_alone": [
        ("noll sjuttio ett sjuttiofyra noll sex tolv", P),  # "sjuttio ett" is 70 1 here, not 71
        ("noll sjuttio, ett sjuttiofyra, noll sex, tolv", P),
        ("noll sjuttio etthundrasjuttiofyra nollsex tolv", P),
        ("zero seventy one seventy four zero six twelve", P),
        ("+46 sjuttio 174 06 12", P),
        ("070 hundrasjuttiofyra noll sex tolv", P),
    ],
    "spelled_plurals": [
        ("noll sju noll ett sju fyra noll sex två femmor", "+46701740655"),
        ("noll sju noll ett sju fyra noll sex dubbla femmor", "+46701740655"),
        ("zero seven zero one seven four zero six two fives", "+46701740655"),
        ("n0ll sju n0ll ett sju fyra n0ll sex ett två", P),
    ],
    "split_by_cue": [
        ("Numret börjar på 070 174 och slutar på 06 12", P),
        ("Nummer börjar med 0701 och slutar med 740612", P),
        ("Ring 070 174. Fortsättning: 06 12", P),
        ("Sms 070-174. Sen 06 12.", P),
        ("Ring 070-174... sen 06 12", P),
        ("070 174 sen 06 12", P),
    ],
    "letters_and_signs_between": [
        ("070 x 174 x 06 x 12", P),
        ("070x174x06x12", P),
        ("Mitt nr: 07a01b74c06d12 – ta bort bokstäverna.", P),
        ("0x7x0x1x7x4x0x6x1x2", P),
        ("070 + 174 + 06 + 12", P),
        ("070 & 174 & 06 & 12", P),
        ("070 ..... 174 ..... 06 ..... 12", P),
        ("070 🔥🔥🔥🔥🔥🔥 174 🔥🔥🔥🔥🔥🔥 06 12", P),
    ],
    "letter_spaced_words": [
        ("n o l l  s j u  n o l l  e t t  s j u  f y r a  n o l l  s e x  t o l v", P),
        ("N-O-L-L S-J-U N-O-L-L E-T-T S-J-U F-Y-R-A N-O-L-L S-E-X E-T-T T-V-Å", P),
        ("z e r o s e v e n z e r o o n e s e v e n f o u r z e r o s i x o n e t w o", P),
    ],
}
# Issue 17, round 5: the families training set J (data/unseen_set_j.jsonl) brought, and close relatives.
_FAMILIES_ROUND_5 = {
    "uk_national": [
        ("Text 07700 900495 (UK sim)", "+447700900495"),
        ("UK nr 0.7.7.0.0.9.0.0.7.0.4", "+447700900704"),
        ("Mobile is oh double seven double oh, nine double oh, double nine one", "+447700900991"),
        ("My UK phone: zero seven seven zero zero nine zero zero eight four two", "+447700900842"),
    ],
    "chat_links": [
        ("Only WhatsApp wa.me/447700900812", "+447700900812"),
        ("https://api.whatsapp.com/send?phone=46701740612", P),
    ],
    "other_languages": [
        ("Telefon: null sieben null eins sieben vier null sechs eins zwei", P),
        ("Llámame: cero siete cero uno siete cuatro cero seis uno dos", P),
        ("zéro sept zéro un sept quatre zéro six un deux", P),
        ("zero siedem zero jeden siedem cztery zero sześć jeden dwa", P),
        ("zero șapte zero unu șapte patru zero șase unu doi", P),
        ("ноль семь ноль один семь четыре ноль шесть один два", P),
    ],
    "stretched_words": [
        ("nollll sjuuu nollll etttt sjuuu fyraaa nollll sexxx etttt tvååå", P),
        ("nooll sjuu nooll ett sju fyra noll sex ett två", P),
    ],
    "comma_between_digits": [("Nummer: 0,7,0,1,7,4,0,6,1,2. 1500 kr/h.", P), ("0, 7, 0, 1, 7, 4, 0, 6, 1, 2", P)],
    "sum_for_last_digits": [
        ("070-174 06 + sista två siffrorna = 10+2. 1h 1600.", P),
        ("Ring 070-174 06 och de två sista siffrorna är 5+7.", P),
        ("Tel 070-174 06 och sen summan av 4+8 som sista två siffror.", P),
        ("070-174 06 och sista två siffrorna är 10 plus 2", P),
    ],
    "age_for_last_digits": [
        ("Kvinna 45 år. Ring 070-174 06 följt av min ålder.", "+46701740645"),
        ("Jag är 23 år. Numret är 070-174 06 + min ålder 😉", "+46701740623"),
    ],
    "labelled_parts": [
        ("Andra halvan av numret: 40612. Första halvan: 07017.", P),
        ("Slutet: 40612, början: 07017", P),
        ("Första delen 070-174, ring efter 20. Sista delen 06 12.", P),
        ("Numret börjar med 070-174. Tjej 29 i Jönköping. Och slutar på 06 12.", P),
        ("174 06 12 (börjar med 070)", P),
        ("Numret är 174 06 12, med 070 först.", P),
        ("Ring 174 06 12 – sätt 070 framför.", P),
        ("Nummer del 1: 070 174, del 2: 06 12", P),
    ],
    "area_code_by_label": [
        ("Tel 628 04 87, riktnr Malmö.", "+46406280487"),
        ("Ring 465 004 62 (riktnummer Stockholm).", "+46846500462"),
        ("riktnummer 08, sen 465 004 12", "+46846500412"),
    ],
    "sign_for_a_digit": [
        ("X7X-174 X6 12 (X = noll)", P),
        ("Tel: X4X-628 X4 63 (byt X mot 0)", "+46406280463"),
        ("Ring X7X-174 X6 12, alla X är nollor.", P),
        ("070-174 06 1# (# = två)", P),
        ("Ring 070-174 06 1#, där # är två.", P),
    ],
    "letter_key": [("Kod a=0 b=1 c=2 d=3 e=4 f=5 g=6 h=7 i=8 j=9: aha bhe ag bc", P)],
    "missing_trunk_zero": [
        ("Ring 70 174 06 12", P),
        ("Tel: 70-174 06 12", P),
        ("Nummer (utan nollan): 70 174 06 12", P),
        ("Lägg till en nolla först: 701740612", P),
    ],
    "next_part_cue": [("Första tre: 070, nästa tre: 174, sen 06 och 12", P)],
    "groups_backwards": [
        ("Numret grupp för grupp, läs från höger: 12 06 174 070.", P),
        ("Mitt nr med grupperna bakifrån: 12 06 174 070. Ring inte dolt.", P),
    ],
}
_TRAPS_ROUND_5 = {
    "uk_national": ["Order 07712345678", "Ref 07812 345678", "1b07472272401d37"],
    "chat_links": ["wa.me/annasida", "Boka: example.com/?phone=1234"],
    "other_languages": ["null and void 1 2 3 4 5 6 7", "dos tres cuatro cinco seis siete ocho", "zero dos tres"],
    "stretched_words": ["Ollie och Nooa, sjuuu dagar", "nollll koll"],
    "comma_between_digits": ["1, 2, 3, 4, 5, 6, 7, 8", "Dagar: 01, 02, 03, 04, 05 juni"],
    "sum_for_last_digits": [
        "070-174 06 + (10+2)",
        "Ring 070-174 06 och sen 12 + 3 kr",
        "070-174 06 och sista två siffrorna är 20 minus 8",
        "070-174 06 och sista två är 3 x 4",
    ],
    "age_for_last_digits": ["23 år och 25 år. 070-174 06 + min ålder", "Nummer 070-174 06 + min ålder"],
    "labelled_parts": [
        "Mitt nr börjar på 070-174 06, resten får du i chatten när du verifierat dig 😉 25 år, 1500 kr/h.",
        "Nummer börjar på 070 och slutar på 12",
        "Öppet: börjar 0730, slutar 1800",
        "Numret börjar med 070 174 och slutar på 06",
    ],
    "area_code_by_label": [
        "Postnr 211 22, riktnr Malmö",
        "Postnr 211 22 Malmö, riktnummer 040",
        "riktnummer Stockholm är 08",
    ],
    "sign_for_a_digit": ["X7X-174 X6 31", "070-174 06 9#", "Pris 15X0 kr (X = 0)"],
    "letter_key": ["a=0 b=1 c=2: abc", "x=1, y=2, z=3"],
    "missing_trunk_zero": [
        "Tel 70 kr/min. Sms 10 kr.",
        "Annons 702 345 678 uppdaterad 2025-01-12.",
        "Boka 70 minuter för 1700 kr.",
        "Ring 70-talister välkomna!",
    ],
    "next_part_cue": ["Första timmen 1500 kr, nästa 1000 kr", "Ring 070, nästa vecka 174 06 kr"],
    "groups_backwards": ["Läs grupperna baklänges: 1500 kr, 2025-06-12"],
}


@pytest.mark.parametrize(("text", "e164"), [case for cases in _FAMILIES_ROUND_5.values() for case in cases])
def test_find_phones_reads_round_5_family(text: str, e164: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [e164]


@pytest.mark.parametrize("text", [trap for traps in _TRAPS_ROUND_5.values() for trap in traps])
def test_find_phones_takes_no_number_from_round_5_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


def test_round_5_families_each_have_traps() -> None:
    assert _FAMILIES_ROUND_5.keys() == _TRAPS_ROUND_5.keys()


# Issue 17, round 6: the misses of held-out set I (data/unseen_set_i.jsonl) and close relatives.
_FAMILIES_ROUND_6 = {
    "nordic_and_dutch_words": [
        ("Ring null sju null en sju fire null seks fem tre. Snakker norsk", "+46701740653"),
        ("Ring nul syv nul et syv fire nul seks fem tre", "+46701740653"),
        ("Bel nul zeven nul een zeven vier nul zes vijf drie", "+46701740653"),
        ("Soita nolla seitsemän nolla yksi seitsemän neljä nolla kuusi viisi kolme", "+46701740653"),
    ],
    "double_after_digits": [
        ("Ring 070-174 06 dubbel-fyra. 2 000:- per timme.", "+46701740644"),
        ("070 174 06 double four", "+46701740644"),
    ],
    "symbol_with_hint": [
        ("⭕7⭕-174-⭕6-34 (⭕ = noll)", "+46701740634"),
        ("🌸7🌸-174 🌸6 12, byt 🌸 mot 0", P),
    ],
    "product_after_cue": [
        ("Ring 070-174 06 och sista två siffrorna är 9 gånger 3 😉 1500kr/h", "+46701740627"),
        ("070-174 06, sista två siffrorna: 4 gånger 3", P),
    ],
    "assembly": [
        ("Bygg numret själv: börja med 070, lägg till 174, sedan 06 och sist 31.", "+46701740631"),
        ("Start with 070, add 174, then 06 and 12", P),
    ],
}
_TRAPS_ROUND_6 = {
    "nordic_and_dutch_words": ["null stress, to timer, fire roser", "nul procent, een zeven dagen per week"],
    "double_after_digits": ["Öppet 08 dubbel 20", "Pris 1500 dubbelt så bra"],
    # a round emoji touching digits is a zero (sets X and Y), any other symbol needs its hint
    "symbol_with_hint": ["🌸7🌸-174-🌸6-34 💋", "💋 Öppet 10-22 (💋 = kyss)"],
    "product_after_cue": [
        "070-174 06, sista två siffrorna är 20 minus 8",
        "070 174 06 3 x 4",
        "070-174 06, sista två är 3 x 4",
        "Ring 070-174. Sen 06 12 20 min",
    ],
    "assembly": ["Börja med 1500 kr, lägg till 500 för outcall", "Öppet 07 och 23, lägg till 30 min"],
}


@pytest.mark.parametrize(("text", "e164"), [case for cases in _FAMILIES_ROUND_6.values() for case in cases])
def test_find_phones_reads_round_6_family(text: str, e164: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [e164]


@pytest.mark.parametrize("text", [trap for traps in _TRAPS_ROUND_6.values() for trap in traps])
def test_find_phones_takes_no_number_from_round_6_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


def test_round_6_families_each_have_traps() -> None:
    assert _FAMILIES_ROUND_6.keys() == _TRAPS_ROUND_6.keys()


# Issue 17, round 7: held-out set K (data/unseen_set_k.jsonl): its false number and misses, and close relatives.
_FAMILIES_ROUND_7 = {
    "product_x_after_cue": [
        ("Umeå, 26 år. Ring 070-174 06 och sen 6x8 😉", "+46701740648"),
        ("070 174 06, sen 3 x 4", P),
    ],
    "leetspeak": [
        ("H3j fr4n Jönköping 😜 O7O I7A O6 E3", "+46701740633"),
        ("O7O-I7A-O6-I2", P),
    ],
    "country_code_in_words": [
        ("Trollhättan, ring +fyrtiosex 70 174 06 94", "+46701740694"),
        ("ring + fyrtiosex sjuttio 174 06 12", P),
        ("plus fyrtiosex 70 174 06 12", P),
    ],
    "hint_with_where": [
        ("Gävle, ring 07X-174 X6 95 där X är noll.", "+46701740695"),
        ("ring 07X-174 X6 12, där X är 0", P),
    ],
    "sum_keeps_leading_zero": [
        ("Kalmar. Mobil 070-174 och sista fyra siffrorna = 0600 + 14", "+46701740614"),
        ("070-174, sista fyra: 0600+12", P),
    ],
    "last_digit_in_words_after_cue": [
        ("Göteborg Kortedala, 23 år. 070.174.06.4 och sen en åtta på slutet 🙈", "+46701740648"),
        ("070 174 06 1 och sen två", P),
    ],
    "words_over_sentences": [
        ("Ring noll sjuttio. Sedan etthundrasjuttiofyra. Sist noll sex nittioett.", "+46701740691"),
        ("noll sjuttio. Sedan hundrasjuttiofyra. Sist noll sex tolv.", P),
    ],
}
_TRAPS_ROUND_7 = {
    "product_x_after_cue": [
        "070-174 06, sista två är 3 x 4",
        "070 174 06 3 x 4",
        "Ring 070-174 06, sen 6x8 cm",
        "Ring 070-174 06 och sen 6 x 8 st",
        "070-174 06 sen 6x8x2",
    ],
    "leetspeak": ["BMW E39 A6 S40 T5", "E3 A4 B5 A6 I7 O8", "O7O I7A O6 E3 kr", "O7O I7A OG EE"],
    "country_code_in_words": ["Pris +fyrtio 174 06 94", "+fyrtiosex 1500 kr", "Extra +fyrtio min, 174 06 12 kr"],
    "hint_with_where": ["070-174 06 XX där X är ditt val", "Ring 07X-174 X6 12 där du vill"],
    "sum_keeps_leading_zero": ["070-174 och sista fyra = 0600 + 14 kr", "070-174, sista fyra: 0600 minus 12"],
    "last_digit_in_words_after_cue": [
        "070 174 06 1 och sen en timme",
        "070 174 06 1 och sen fem kr",
        "070 174 06 1 sen sex 1500",
    ],
    "words_over_sentences": ["Ring noll sjuttio sist", "noll sjuttio. Sedan tolv. Sist fem."],
}


@pytest.mark.parametrize(("text", "e164"), [case for cases in _FAMILIES_ROUND_7.values() for case in cases])
def test_find_phones_reads_round_7_family(text: str, e164: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [e164]


@pytest.mark.parametrize("text", [trap for traps in _TRAPS_ROUND_7.values() for trap in traps])
def test_find_phones_takes_no_number_from_round_7_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


def test_round_7_families_each_have_traps() -> None:
    assert _FAMILIES_ROUND_7.keys() == _TRAPS_ROUND_7.keys()


@pytest.mark.parametrize(
    "text",
    [
        "Order-nr: 0701 7406 99 (ej telefonnummer, bara för kvitto). Massage Göteborg, 60 min 700 kr.",
        "Ordernummer 0701740612",
        "OCR: 070 174 06 12",
        "Kvitto nr 0701740612",
        "Referens 070-174 06 12",
        "Swish 070-174 06 12 (inte ett telefonnummer, ring inte!)",
        "Obs, inget telefonnummer: 070 174 06 12",
        "0701740612 is not a phone number",
    ],
)
def test_find_phones_takes_no_number_the_ad_disowns(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


@pytest.mark.parametrize(
    "text",
    [
        "Kik id 0701740612",  # a chat name that is a number: kept, or it would stay in the stored text
        "Swish 123 456 78 90 (inget telefonnummer). Ring 070-174 06 12",
        "Ring 070-174 06 12, not phone calls before 10",
        "Sms 070-174 06 12, ingen telefon efter 22",
        "Ring 070-174 06 12, not a phone call after 22",
    ],
)
def test_find_phones_keeps_a_number_near_other_denials(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == [P]


_TRAPS_ROUND_4 = {
    "reversed": [
        "Läs baklänges: 1500 kr",
        "Baklänges: 2025-06-12",
        "Omvänd ordning 21.30 - 22.00",
        "Läs baklänges: 0051 rk",
        "Läs baklänges: 21 60 47 10 xx",
    ],
    "spelled_tens_alone": ["noll sjuttio ett", "seventy four", "sjuttio fyra kronor"],
    "spelled_plurals": ["två femmor och tre sjuor", "fem ettor i rad", "tre sjuor, noll sju noll"],
    "split_by_cue": [
        "Ring 070-174 06 xx. Sen 20 min 1500 kr",
        "Ring 070-174 06 xx. Sen 12",
        "Ring 070 174 06 **, sen 55",
        "Nummer börjar på 070 och slutar på 12",
        "Numret börjar med 070 174 och slutar på 06",
        "Jag är 070-talist. Sen 1974 bor jag här.",
        "Buss 070 går 17.40, sen 06.12",
        "Pris 0700 kr. Sen 1740 kr för natten",
        "Ring 070 174. Sen 06 12 15 18",
        "Ring 070 174. Sen 06 12 kr",
    ],
    "letters_and_signs_between": [
        "bild 34cb070c093b8211",  # hashes and ids mix letters and digits
        "hash 0f72c5b8c56c9e06",
        "070 x 2 timmar 1500 kr",
        "0730 x 1800 x 2000",
        "073 år, 165 cm, 55 kg",
        "072 & 18 & 20",
    ],
    "letter_spaced_words": [
        "n o l l i t a n o j o",
        "o h h h h h h h h h h h h h h h h h h",
        "s e x t i o m i n u t e r",
    ],
}


@pytest.mark.parametrize(
    ("text", "e164"),
    [case for cases in _FAMILIES_ROUND_4.values() for case in cases],
)
def test_find_phones_reads_round_4_family(text: str, e164: str) -> None:
    assert phones(f"Hej! {text} 💋") == [e164]


@pytest.mark.parametrize("text", [trap for traps in _TRAPS_ROUND_4.values() for trap in traps])
def test_find_phones_takes_no_number_from_round_4_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


def test_round_4_families_each_have_traps() -> None:
    assert _FAMILIES_ROUND_4.keys() == _TRAPS_ROUND_4.keys()


def test_unseen_sets_used_for_fixing_stay_fixed() -> None:
    """Sets A-E of data/unseen_set.jsonl, F of data/unseen_set_f.jsonl, G of data/unseen_set_g.jsonl and J of
    data/unseen_set_j.jsonl found the misses fixed in issue 17: all are training data now (a regression test); the
    held-out figure comes from a set the finder was never run on. The committed F and G keep only numbers from the
    ranges PTS reserves for fiction: other Swedish mobiles were rewritten into them, and ads whose number could not
    be rewritten (foreign, landline or spelled-out forms, or 070-17406 00-04) were left out (F 183 of 200, G 165).
    J was written with fiction-range numbers only and is committed whole (250 ads); so were I (200 ads, held out
    and scored once at 43f7f70 before it became training data), K (200 ads, scored once at 805c0e2; two texts
    corrected, each a digit short of its label: K-017 and K-168, see their "note"), M (200 ads, scored once at
    98275aa; committed as written, every label checked against its text) and S (200 ads, scored once at 617b23a;
    five numbers moved into the fiction range, see their "note")."""
    import json
    from pathlib import Path

    from lagesbild.normalize.evaluation import evaluate

    data = Path(__file__).parent / "data"
    rows = [json.loads(x) for x in (data / "unseen_set.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) >= 600
    report = evaluate(rows)
    assert report.fields["phones"].recall == 1.0 and report.fields["phones"].precision == 1.0
    assert report.fields["municipality"].accuracy >= 0.97
    # set F: digit groups joined by words ("070 sen 174 sist 0621"), glued number words, colon forms
    rows_f = [json.loads(x) for x in (data / "unseen_set_f.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_f) >= 180 and sum(len(r["labels"]["phones"]) for r in rows_f) >= 140
    report_f = evaluate(rows_f)
    assert report_f.fields["phones"].recall == 1.0 and report_f.fields["phones"].precision == 1.0
    # set G: any word between digit groups ("076 kärlek 234 kyss 56 puss 78"), number words glued to digits
    # ("O7O-fem5fem 12 12"), "hundra" starting a group ("noll sjuttio, hundratjugotre, ...")
    rows_g = [json.loads(x) for x in (data / "unseen_set_g.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_g) >= 160 and sum(len(r["labels"]["phones"]) for r in rows_g) >= 130
    report_g = evaluate(rows_g)
    assert report_g.fields["phones"].recall == 1.0 and report_g.fields["phones"].precision == 1.0
    assert report_g.fields["municipality"].accuracy >= 0.99  # "Vara. 070 ...", "Haparandassa", "Arlöv"
    # set J (250 ads, 60 % obfuscated, written as training data; scored once before fixing: recall 0.782,
    # precision 0.944): numbers written backwards or in labelled parts, a sign for a digit with a hint, sums and
    # the age for the last digits, other languages' digit words, stretched words, British numbers written
    # nationally, chat links, a letter key
    rows_j = [json.loads(x) for x in (data / "unseen_set_j.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_j) == 250 and sum(len(r["labels"]["phones"]) for r in rows_j) >= 210
    report_j = evaluate(rows_j)
    assert report_j.fields["phones"].recall == 1.0 and report_j.fields["phones"].precision == 1.0
    assert report_j.fields["municipality"].accuracy == 1.0  # tours of several towns have none ("Turné: ...")
    # set I (200 ads; scored once at 43f7f70: phone recall 0.972, precision 1.0, municipality 0.955): digit words
    # of Nordic languages, "dubbel-fyra" after digits, an emoji for a digit with a hint, a product or assembly
    # instructions for the last groups; districts next to their town, slang ("Hudik", "Väsby"), tours
    rows_i = [json.loads(x) for x in (data / "unseen_set_i.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_i) == 200 and sum(len(r["labels"]["phones"]) for r in rows_i) >= 175
    report_i = evaluate(rows_i)
    assert report_i.fields["phones"].recall == 1.0 and report_i.fields["phones"].precision == 1.0
    assert report_i.fields["municipality"].accuracy == 1.0
    # set K (200 ads; scored once at 805c0e2: phone recall 0.949, precision 0.989, municipality 0.970): a number
    # the ad disowns ("Order-nr: ... (ej telefonnummer)"), a product with an x after a cue ("och sen 6x8"),
    # leetspeak capitals ("O7O I7A O6 E3"), a country code in words after a plus ("+fyrtiosex 70 ..."), a hint
    # "där X är noll", a sum "0600 + 14", the last digit in words after a cue, number words over sentences
    rows_k = [json.loads(x) for x in (data / "unseen_set_k.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_k) == 200 and sum(len(r["labels"]["phones"]) for r in rows_k) >= 175
    report_k = evaluate(rows_k)
    assert report_k.fields["phones"].precision == 1.0
    assert report_k.fields["phones"].recall == 1.0
    assert report_k.fields["municipality"].accuracy >= 0.97
    # set M (200 ads, written without sight of the code; scored once at 98275aa: phone recall 0.989, precision 1.0,
    # municipality 1.0; the fallback decoder found "070-174 och sen noll sex, trettiofem"): a country code named in
    # words ("Landsnummer 46, sedan sjuttio, ..."), a number in three labelled parts ("början", "mitten", "slutet")
    rows_m = [json.loads(x) for x in (data / "unseen_set_m.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_m) == 200 and sum(len(r["labels"]["phones"]) for r in rows_m) >= 175
    report_m = evaluate(rows_m)
    assert report_m.fields["phones"].recall == 1.0 and report_m.fields["phones"].precision == 1.0
    assert report_m.fields["municipality"].accuracy >= 0.99
    # set L (200 ads, written without sight of the code; scored once at c97ff99: phone recall 0.955, precision
    # 0.994, municipality 0.995; committed as written, every label checked against its text): roman numerals,
    # "en nolla och en sexa" (an article, not a 1), "börja med ... avsluta med ...", a digit shift, "samma men
    # sista två siffrorna är ...", "@" between digit groups, the last digits in the body after a title, a product
    # for masked last digits; "Npk" and "Knäppingsborg" (Norrköping)
    rows_l = [json.loads(x) for x in (data / "unseen_set_l.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_l) == 200 and sum(len(r["labels"]["phones"]) for r in rows_l) >= 175
    report_l = evaluate(rows_l)
    assert report_l.fields["phones"].recall == 1.0 and report_l.fields["phones"].precision == 1.0
    assert report_l.fields["municipality"].accuracy == 1.0
    # set N (200 ads, 174 from the writer's own generator; scored once at 3f108ec: phone recall 0.989, precision
    # 0.995, municipality 0.995): an ordinary number after a price in SEK ("Timme: 1500 SEK 070-1740665"), an
    # instruction to swap the last two digits ("byt plats på de två sista siffrorna") and a labelled place field
    # outranking a place in prose ("Välkommen till Nora. Plats: Mora."), each fixed in general form
    rows_n = [json.loads(x) for x in (data / "unseen_set_n.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_n) == 200 and sum(len(r["labels"]["phones"]) for r in rows_n) >= 185
    report_n = evaluate(rows_n)
    assert report_n.fields["phones"].recall == 1.0 and report_n.fields["phones"].precision == 1.0
    assert report_n.fields["municipality"].accuracy == 1.0
    # set S (200 ads, written without sight of the code; scored once at 617b23a: phone recall 0.983, precision 0.989,
    # municipality 0.975, age 0.980, price 0.955, languages recall 0.899; five numbers outside the fiction range moved
    # into it, see their "note"): a unit before a hundred after a tens word ("noll fyrtio – sexhundratjugoåtta"), words
    # glued between groups ("070kyss174kram06puss59"), arithmetic in brackets ("070-174 06 (3×8)"); "nu i" on a tour,
    # an origin against the place now, "Sthlm/Solna"; age ranges, hours in words, the 🗣 cue. Left: two EUR hourly
    # prices the writer left unlabelled (S-038, S-172; converted by the documented convention)
    rows_s = [json.loads(x) for x in (data / "unseen_set_s.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_s) == 200 and sum(len(r["labels"]["phones"]) for r in rows_s) >= 180
    report_s = evaluate(rows_s)
    assert report_s.fields["phones"].recall == 1.0 and report_s.fields["phones"].precision == 1.0
    assert report_s.fields["municipality"].accuracy == 1.0
    assert report_s.fields["age"].accuracy == 1.0 and report_s.fields["languages"].recall == 1.0
    assert report_s.errors["price"] == ["heldout-S-038", "heldout-S-172"]
    # sets Q and R (200 ads each, written without sight of the code; scored once at 7f44800: phone recall Q 0.978,
    # R 0.950, precision Q 0.994; municipality Q 0.970, R 0.960; languages recall Q 0.913, R 0.862; fifteen numbers
    # outside the fiction range moved into it, R-127 one word corrected (it spelled eleven digits) and R-090's
    # languages label corrected, see their "note"): the age for the last digits stated anywhere, masked digits named
    # again ("xx där xx = 7 x 4"), every digit twice, "plus 47 (räkna ihop)", number words without the trunk 0, "ett
    # tal mellan 47 och 49"; a correction ("Hudik... nej, Söderhamn"), "today and tomorrow in", a county in the
    # title; lists of languages after emoji, a language's own name in its script; a body without capitals. Left:
    # languages R-064 (flags for languages); prices in EUR the
    # writers left unlabelled (Q-122, Q-127, Q-142, R-006, R-048; converted by the documented convention) and an
    # agency's "Timpris från 2200 kr" (R-089)
    rows_q = [json.loads(x) for x in (data / "unseen_set_q.jsonl").read_text("utf-8").splitlines()]
    rows_r = [json.loads(x) for x in (data / "unseen_set_r.jsonl").read_text("utf-8").splitlines()]
    assert len(rows_q) == 200 and sum(len(r["labels"]["phones"]) for r in rows_q) >= 175
    assert len(rows_r) == 200 and sum(len(r["labels"]["phones"]) for r in rows_r) >= 175
    report_q, report_r = evaluate(rows_q), evaluate(rows_r)
    assert report_q.fields["phones"].recall == 1.0 and report_q.fields["phones"].precision == 1.0
    assert report_r.fields["phones"].recall == 1.0 and report_r.fields["phones"].precision == 1.0
    for report in (report_q, report_r):
        assert report.fields["municipality"].accuracy == 1.0
        assert report.fields["age"].accuracy == 1.0
        assert report.fields["languages"].precision == 1.0
    assert report_q.fields["languages"].recall == 1.0
    assert report_r.errors["languages"] == ["heldout-R-064"]
    assert report_q.errors["price"] == _Q_PRICE_LEFT
    assert report_r.errors["price"] == _R_PRICE_LEFT

    # sets T and U (200 ads each, written without sight of the code; scored once at 1b90c64: phone recall T 0.983,
    # U 0.945, precision T 0.989 (a reference number with a check digit read as a mobile), U 0.989; municipality
    # T 0.990, U 1.0; languages recall T 0.972, U 0.871; fifteen numbers outside the fiction range moved into it and
    # three languages labels corrected, a nationality or the written language being none, see their "note"): a
    # reference label, digits doubled in pairs, each group turned, the last two digits as a product
    # after a cue. The misses left are named.
    _check_left(data, {"t": _T_LEFT, "u": _U_LEFT})

    # sets V and W (200 ads each, written without sight of the code; scored once at e4af75b: phone recall V 0.960,
    # W 0.950, precision V 1.0, W 0.977 (four false numbers in obfuscated ads); municipality V 0.985, W 0.990; age
    # V 0.995, W 0.985; price V 0.990, W 0.985; languages recall V 0.914, W 0.774; thirteen numbers outside the
    # fiction range moved into it, two texts corrected to their labels and nine languages labels corrected, a
    # nationality or the written language being none, see their "note"). The misses left are named.
    _check_left(data, {"v": _V_LEFT, "w": _W_LEFT})

    # sets X and Y (200 ads each, written without sight of the code; scored once at f0b6107: phone recall X 0.960,
    # Y 0.967, precision X 1.0, Y 0.994 (a letter key read with one of its pairs as a hint); municipality X 0.984,
    # Y 1.0; price recall X 0.989, Y 1.0; languages recall X 0.986, Y 0.908; committed as written, every label in the
    # fiction range): "0046 701 740 672" after a price in SEK, ⭕ for zero, the last group in words after a cue ("070
    # 174 06 then fifteen", "... och sen två sjuor"), a letter key with O and I, a list of languages after "jag kan".
    # The misses left are named.
    _check_left(data, {"x": _X_LEFT, "y": _Y_LEFT})

    # sets Z and AB (200 ads each, written without sight of the code; scored once at e6ab845: phone recall Z 0.946,
    # AB 0.959, precision Z 0.994, AB 0.984; municipality Z 0.989, AB 0.989; age recall AB 0.911 ("26å"); languages
    # precision AB 0.979 ("tyvärr ingen svenska"); two phantom second numbers removed from Z's labels, see their
    # "note", and an ad id moved into the fiction range in AB): groups with clauses between, parts out of order with
    # counted labels, the start in the title, a cipher key, signs for digits, punctuation noise, the age plus 8,
    # arithmetic per group, roman numerals, a shift cipher. The misses left are named.
    _check_left(data, {"z": _Z_LEFT, "ab": _AB_LEFT})

    # set AC (200 ads, written without sight of the code; scored once at ac6e01e: phone recall 0.973, precision 0.994
    # ("en fyra och en tvåa" read as 1 4); e-mail recall 0.844 (spaces around the at-sign); price 12 wrong: two
    # surcharges read as the hour's price and ten EUR hourly prices the writer left unlabelled; municipality, age and
    # languages 1.0; committed as written): parts numbered with "Del N", an article pair, number words with clauses
    # between, Ukrainian digit words with an ASCII apostrophe, a roman last group after words. The ten EUR prices are
    # converted by the documented convention (docs/normalize.md, "Price") and named as left, as Q's, R's and Z's are.
    _check_left(data, {"ac": _AC_LEFT})

    # set AD (200 ads, written without sight of the code; scored once at 4e6f6ae: phone recall 0.978 (174/178),
    # precision 1.0; languages recall 0.924; age and price 0.995; municipality and e-mails 1.0; committed as written):
    # numbered parts spread across the ad after "av numret", an emoji key, the last digits from the height, a number
    # hidden in a price list the ad points to; bare lists of language names in English, Bosnian, Turkish and Dutch;
    # "50+" in the title; a Dutch hour word. Nothing is left.
    _check_left(data, {"ad": _AD_LEFT})

    # set AE (200 ads, written without sight of the code; scored once at 811fb11: phone recall 0.961 (171/178),
    # precision 0.994 (an old number the ad says no longer works); languages recall 0.947; age and price 0.995;
    # municipality and e-mails 1.0; committed as written): the rest of the number after the title, a number disowned
    # with its last digit replaced, the digits of a user name and more, French compound tens, a room number as the
    # last digits, letters set to digit groups, English homophones of digits; a list with "OK", names between bars,
    # Somali, Estonian and Ukrainian names; "рік"; "1 timmes helkroppsmassage". Nothing is left.
    _check_left(data, {"ae": _AE_LEFT})

    # set AF (200 ads, written without sight of the code; scored once at 23d5bf6: phone recall 0.966 (169/175),
    # precision 1.0; municipality 0.995; age recall 0.974; price 0.99; languages recall 0.924; e-mails 1.0; AF-153's
    # number label removed, see its "note": "noll sjuttio – sjutton – fyrtio – sextiofem" is nine digits, no number;
    # otherwise committed as written): the rest after the title with a bracketed remark, blanks named again, Morse
    # code, the first digits of the hourly price, letters on lines joined in a stated order; "Name NN" as a part of
    # its own; Vietnamese, Thai, Chinese, Hungarian and Persian cues and joins; Ukrainian and Estonian hour words; an
    # itinerary of two towns. Nothing is left.
    _check_left(data, {"af": _AF_LEFT})


def _check_left(data: Path, sets: dict[str, dict[str, list[str]]]) -> None:
    """Committed unseen sets (200 ads, 170 numbers or more each): no false number, exactly the misses named."""
    from lagesbild.normalize.evaluation import evaluate

    for letter, left in sets.items():
        rows = [json.loads(x) for x in (data / f"unseen_set_{letter}.jsonl").read_text("utf-8").splitlines()]
        assert len(rows) == 200 and sum(len(r["labels"]["phones"]) for r in rows) >= 170
        report = evaluate(rows)
        assert report.fields["phones"].precision == 1.0, letter
        for name, ids in left.items():
            assert report.errors[name] == ids, (letter, name)


_Q_PRICE_LEFT = ["heldout-Q-122", "heldout-Q-127", "heldout-Q-142"]
_R_PRICE_LEFT = ["heldout-R-006", "heldout-R-048", "heldout-R-089"]
# set T: T-060 "followed by 100 minus 9" (differences stay text by convention); prices in EUR and USD the writer left
# unlabelled (T-068, T-142, T-178; converted by the documented convention)
_T_LEFT = {
    "phones": ["heldout-T-060"],
    "municipality": [],
    "age": [],
    "price": ["heldout-T-068", "heldout-T-142", "heldout-T-178"],
    "emails": [],
    "languages": [],
}
_U_LEFT = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": ["heldout-U-113"],  # EUR left unlabelled by the writer (converted by the documented convention)
    "emails": [],
    "languages": ["heldout-U-099"],  # one name after a comma ("Jenny 34, svenska."): a list needs two there
}  # fmt: skip
_V_LEFT = {
    "phones": [
        "heldout-V-034", "heldout-V-102", "heldout-V-159",
    ],
    "municipality": ["heldout-V-001", "heldout-V-150"],  # "Greta, 22 år. Nora." (also a name); "Now: Luleå"
    "age": [],
    "price": ["heldout-V-095", "heldout-V-098"],  # V-095 in EUR left unlabelled by the writer; '1 val.' (Lithuanian)
    "emails": [],
    # flags only (V-027), "Svenska lite." alone after "พูดไทย." (V-066; the glued Thai cue is read since set X), a list
    # ended by a comma (V-120), a name after a place
    "languages": ["heldout-V-027", "heldout-V-066", "heldout-V-120", "heldout-V-190"],
}  # fmt: skip
_W_LEFT = {
    "phones": [
        "heldout-W-119",
    ],
    "municipality": ["heldout-W-047", "heldout-W-182"],
    "age": ["heldout-W-070", "heldout-W-192"],
    "price": ["heldout-W-142"],  # in EUR, left unlabelled by the writer
    "emails": [],
    # abbreviations "Sv/En." ("พูดไทย / English", W-011, is read since set AF: names joined after a glued cue's name)
    "languages": ["heldout-W-124"],
}  # fmt: skip

# set X: X-194 a riddle ("XY, X = antal dagar i en vecka")
_X_LEFT = {
    "phones": [
        "heldout-X-194",
    ],
    "municipality": [],
    "age": [],
    "price": [],
    "emails": [],
    "languages": [],
}  # fmt: skip
_Y_LEFT = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": [],
    "emails": [],
    "languages": [],
}  # fmt: skip

_Z_LEFT = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": ["heldout-Z-152"],  # EUR left unlabelled by the writer (converted by the documented convention)
    "emails": [],
    "languages": [],
}  # fmt: skip
# set AB: AB-002 a number in four parts in another order ("Sista delen är 34, första 070, sedan 174 och före sista
# delen 06": a part before the last has no label the parts finder reads)
_AB_LEFT = {
    "phones": ["heldout-AB-002"],
    "municipality": [],
    "age": [],
    "price": [],
    "emails": [],
    "languages": [],
}  # fmt: skip


# set AC: hourly prices in EUR the writer left unlabelled (converted by the documented convention)
_AC_LEFT = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": [
        "heldout-AC-012", "heldout-AC-034", "heldout-AC-040", "heldout-AC-093", "heldout-AC-130", "heldout-AC-137",
        "heldout-AC-142", "heldout-AC-152", "heldout-AC-160", "heldout-AC-167",
    ],
    "emails": [],
    "languages": [],
}  # fmt: skip


# set AD: nothing left
_AD_LEFT: dict[str, list[str]] = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": [],
    "emails": [],
    "languages": [],
}


# set AE: nothing left
_AE_LEFT: dict[str, list[str]] = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": [],
    "emails": [],
    "languages": [],
}


# set AF: nothing left
_AF_LEFT: dict[str, list[str]] = {
    "phones": [],
    "municipality": [],
    "age": [],
    "price": [],
    "emails": [],
    "languages": [],
}


_FIXTURES = (
    "unseen_set.jsonl",
    "unseen_set_f.jsonl",
    "unseen_set_g.jsonl",
    "unseen_set_j.jsonl",
    "unseen_set_i.jsonl",
    "unseen_set_k.jsonl",
    "unseen_set_m.jsonl",
    "unseen_set_l.jsonl",
    "unseen_set_n.jsonl",
    "unseen_set_s.jsonl",
    "unseen_set_q.jsonl",
    "unseen_set_r.jsonl",
    "unseen_set_t.jsonl",
    "unseen_set_u.jsonl",
    "unseen_set_v.jsonl",
    "unseen_set_w.jsonl",
    "unseen_set_x.jsonl",
    "unseen_set_y.jsonl",
    "unseen_set_z.jsonl",
    "unseen_set_ab.jsonl",
    "unseen_set_ac.jsonl",
    "unseen_set_ad.jsonl",
    "unseen_set_ae.jsonl",
    "unseen_set_af.jsonl",
    "phone_train.jsonl",
)


def _fixture_rows(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (Path(__file__).parent / "data" / name).read_text("utf-8").splitlines()]


def test_committed_phone_fixtures_hold_only_fictional_numbers() -> None:
    """Real ad data never enters the repository: every labelled number is in a fiction range
    (PTS: 070-1740605..699, 031-3900600..699, 040-6280400..499, 08-46500400..499, 0980-319200..299;
    Ofcom: 07700 900000..999)."""
    fiction = re.compile(
        r"\+46(?:7017406(?:0[5-9]|[1-9]\d)|3139006\d\d|4062804\d\d|846500\d{3}|9803192\d\d)|\+447700900\d{3}"
    )
    for name in _FIXTURES:
        for row in _fixture_rows(name):
            phones = row["labels"]["phones"] if "labels" in row else row.get("phones") or []
            assert all(fiction.fullmatch(p) for p in phones), (name, row.get("id"), phones)


def test_committed_fixtures_hold_only_example_email_addresses() -> None:
    """A made-up address at a real provider (gmail.com, an agency's .se) may belong to someone: the labelled
    sets use the example domains only, in the labels and in the text."""
    example = re.compile(r"[^@\s]+@example\.(?:com|net|org|se)")
    providers = re.compile(r"gmail|hotmail|outlook|proton|icloud|yahoo", re.IGNORECASE)
    for name in (*_FIXTURES, "eval_set.jsonl"):
        for row in _fixture_rows(name):
            emails = row["labels"].get("emails") or [] if "labels" in row else row.get("emails") or []
            assert all(example.fullmatch(e) for e in emails), (name, row.get("id"), emails)
            text = " ".join(str(row.get(k) or "") for k in ("title", "body", "location", "text"))
            assert not providers.search(text), (name, row.get("id"))


# Issue 17, round 8: the fallback decoder. Not one rule per trick: in an ad that asks to be contacted and where no
# Swedish number was found, any token that can stand for a digit is read and a whole valid Swedish mobile is the
# guard. These forms were never in a labelled set; each family is a kind of token the decoder reads.
_DECODED = {
    "digit_words_of_more_languages": [
        "Ring: sıfır yedi sıfır bir yedi dört sıfır altı bir iki",
        "Hívj: nulla hét nulla egy hét négy nulla hat egy kettő",
        "WhatsApp: nula sedam nula jedan sedam četiri nula šest jedan dva",
        "Ruf an: null sieben null eins sieben vier null sechs eins zwo",
    ],
    "words_of_other_scripts_glued": [
        "โทร ศูนย์เจ็ดศูนย์หนึ่งเจ็ดสี่ศูนย์หกหนึ่งสอง",
        "Call 零七零一七四零六一二",
        "Ring ０ｓｊｕ０ ett sju fyra noll sex tolv",
    ],
    "words_between_single_digits": [
        "Ring 0 hej 7 hej 0 hej 1 hej 7 hej 4 hej 0 hej 6 hej 1 hej 2",
        "Ring: 0 och 7 och 0 och 1 och 7 och 4 och 0 och 6 och 1 och 2",
    ],
    "lookalikes_and_digits_in_words": [
        "sms O7Q-174-Q6-12",
        "sms 07o-1T4-o6-12",
        "Call me: zer0 sev3n zer0 0ne sev3n f0ur zer0 s1x 0ne tw0",
        "Ring 07zero 1seven4 zero6 one2",
    ],
    "tens_and_teens_of_more_languages": [
        "Звони: ноль семьдесят, один семьдесят четыре, ноль шесть, двенадцать",
        "Ruf an: null siebzig eins siebzig vier null sechs zwölf",
        "Sună: zero șaptezeci unu șaptezeci și patru zero șase doisprezece",
    ],
    "wholly_in_words_without_a_contact_word": [
        "sıfır yedi sıfır bir yedi dört sıfır altı bir iki",
        "Uppsala 🌸 ศูนย์เจ็ดศูนย์หนึ่งเจ็ดสี่ศูนย์หกหนึ่งสอง",
        "Τηλέφωνο: μηδέν εφτά μηδέν ένα εφτά τέσσερα μηδέν έξι ένα δύο",
    ],
}
_NOT_DECODED = [
    "Ring mig! Jag är en sexig tjej, 25 år, 0 tabun. Sju dagar i veckan, noll stress, 1 h 1500 kr",
    "Ring 070-174 06 ** så får du resten",
    "Sms:a mig, nya bilder 2024 07 01, ring 17-23 sex dagar",
    "Ring! Pris: 1h 1500, 2h 2800, natt 7000. Noll dolda avgifter. Sju dagar i veckan",
    "Call me, 0 7 0 and then guess the rest",
    "Tel 070-17. Sen 4 06 12 timmar",
    "Ring mig, 0730 till 1800 dagligen 20 kr",
    "Ring nu! en timme 1500, två timmar 2500, sex sju noll",
    "Numret börjar på 070-174 06.. resten får du när du bokar",  # "du" is Lithuanian for 2: two words, filler
    "Ring 070 174 06 xx, 12 timmar",
    # a part between fillers made only of short common words: "du" is Lithuanian for 2, "en" Swedish for 1
    "Sms: noll sju noll ett sju fyra noll sex ... resten får du i chatten, en eller två timmar",
    "Call me, zero drama, seven days a week, one hour 150, two hours 280, available 24 7",
    "Звони, мне двадцать пять лет, ноль проблем, семь дней в неделю, один час 2000",
    "Tel: 0 stress, 7 dagar i veckan, 0 dolda avgifter, 1 timme 1700, 4 timmar 6000, 6 12",
    "0 yedi 0 bir 7 dört 0 altı 1 iki",  # no word asks for contact: a number needs seven number words then
    "sıfır 7 0 bir 7 4 0 6 1 iki",
]


@pytest.mark.parametrize("text", [t for texts in _DECODED.values() for t in texts])
def test_find_phones_decodes_a_number_in_any_spelling(text: str) -> None:
    found = find_phones(f"Hej! {text} 💋")
    assert [e for _, _, e in found] == [P]
    a, b, _ = found[0]
    rest = f"Hej! {text} 💋"[:a] + f"Hej! {text} 💋"[b:]
    assert find_phones(rest) == []  # the span covers the whole number, so scrubbing removes it


@pytest.mark.parametrize("text", _NOT_DECODED)
def test_find_phones_decodes_no_number_from_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


def test_decoder_needs_a_whole_valid_swedish_mobile() -> None:
    assert phones("Ring: sıfır yedi sıfır bir yedi dört sıfır altı bir") == []  # a digit short
    assert phones("Ring: sıfır yedi bir bir yedi dört sıfır altı bir iki") == []  # 071 is no mobile range
    assert phones("Ring: sıfır yedi üç bir yedi dört sıfır altı bir iki") == ["+46731740612"]


# Issue 17, set M: its misses and close relatives (a country code named in words, three labelled parts), and traps.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Landsnummer 46, sedan sjuttio, sedan etthundrasjuttiofyra, sen noll sex och sist tolv.", P),
        ("Landskod 46, sen sju noll ett sju fyra noll sex ett två", P),
        ("Numret i tre bitar: slutet är 0612, början är 070, mitten är 174.", P),
        ("Början: 070. Mitten: 174. Slutet: 06 12.", P),
    ],
)
def test_find_phones_reads_set_m_family(text: str, e164: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [e164]


@pytest.mark.parametrize(
    "text",
    [
        "Ring mig, 46 år, sjuttio kilo, etthundrasjuttiofyra cm, noll sex nittiofyra",  # no country code named
        "Början 070, mitten 174 och slutet är hemligt, 25 år",
        "Centralt, 070-174 06, resten i chatten 25 år",  # an age after a labelled rest is no part
        "Början 070, mitten 174, slutet 12 kr",
    ],
)
def test_find_phones_takes_no_number_from_set_m_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


# Issue 17, set L: its misses as families (each with other members than the ad), and traps.
_SET_L_FAMILIES = {
    "symbols_between_digit_groups": [
        "Tel 07@0174@06@12",
        "Ring 070§174§06§12",
        "sms 070 & 174 & 06 & 12",
        "Ring 0701%740%612",
    ],
    "labelled_parts": [
        "Numret: börja med 0701 och avsluta med 740612.",
        "Börja med 070 174 och sist 06 12.",
        "Ring 070 174 …\nSista fyra siffrorna är 06 12.",
    ],
    "article_before_digit_nouns": [
        "Mitt nr: först 070, sedan 174, sen en nolla och en sexa, och sist ett och två.",
        "Ring: noll sju noll ett sju fyra, en nolla, en sexa, en etta och en tvåa",
    ],
    "masked_last_digits_given_apart": [
        "Nummer: 070-174 06 ?? – de två sista siffrorna är 6 gånger 2.",
        "Ring 070 174 06 xx, sista två siffrorna: ett två",
        "Call 070-174 06 ** the last two digits are 3 times 4",
    ],
    "digit_shift": [
        "Mitt nummer: ta bort 1 från varje siffra i 1812851723.",
        "Nummer: lägg till 1 på varje siffra i 9690639501",
        "My number: subtract 2 from each digit of 2923962834",
    ],
    "roman_numerals": [
        "Tel: 0 VII 0 I VII IV 0 VI I II",
        "Ring 0 VII 0 - I VII IV - 0 VI - I II",
    ],
}


@pytest.mark.parametrize("text", [t for texts in _SET_L_FAMILIES.values() for t in texts])
def test_find_phones_reads_set_l_family(text: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [P]


def test_find_phones_reads_a_variant_of_the_number_before() -> None:
    text = "Lova: noll sju noll – ett sju fyra – noll sex – ett två. Signe: samma men sista två siffrorna är sju tre."
    assert phones(text) == [P, "+46701740673"]
    assert phones("Ring 070-174 06 12, min vän har samma men sista siffran är 5") == [P, "+46701740615"]


@pytest.mark.parametrize(
    "text",
    [
        "Ring mig! Priser: 1@500 kr, 2@800 kr, adress 07@01@74",  # symbols, but no whole mobile
        "Ring 070-174 06 ?? – de sista siffrorna får du i chatten",
        "Ring 070 174 06 xx, sista två siffrorna är hemliga",
        "Ring 070 174 06 ??, sista två siffrorna är 20 minus 8",  # only products and sums are worked out
        "Ring 070 174 06 ??, sista tre siffrorna är 6 gånger 8",  # 48 is two digits, not three
        "Samma men sista två siffrorna är sju tre",  # a variant of no number
        "Ring mig! Ta bort 1 från varje siffra, 25 år, 1h 1500",
        "Call me, I am new, I love V.I.P. clients, VI VII",  # roman numerals, but no number
        "Ring: en nolla på dejten, en sexa i betyg",
    ],
)
def test_find_phones_takes_no_number_from_set_l_trap(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


@pytest.mark.parametrize(
    "text",
    [
        # an instruction to swap the last two digits of the number next to it (set N), in several phrasings
        "Nummer: 070-174 06 21 – men byt plats på de två sista siffrorna!",
        "Ring 070 174 06 21 (swap the last two digits)",
        "Tel 0701740621. De två sista siffrorna är omvända.",
        "Byt plats på de två sista siffrorna: 070-174 06 21",
        "070-174 06 21, vänd på de två sista",
        "SMS 070-174 06 21 men de sista två ska byta plats",
        "Call 070 174 06 21 - last two digits are switched",
        "WhatsApp 070 174 06 21, the final two digits are the other way round",
    ],
)
def test_find_phones_swaps_the_last_two_digits_when_told(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == [P]


@pytest.mark.parametrize(
    "text",
    [
        # a swap that is not of the last two cannot be read safely: the number as written is known to be wrong
        "Ring 070-174 06 21 men byt plats på siffra 3 och 4",
        "Tel 070 174 06 21. Swap the middle digits!",
        "070 174 06 21 – de två första siffrorna efter 070 har bytt plats",
    ],
)
def test_find_phones_gives_no_number_for_a_swap_it_cannot_read(text: str) -> None:
    assert phones(f"Hej! {text}") == []


@pytest.mark.parametrize(
    "text",
    [
        "Jag har bytt nummer! Nya: 070-174 06 12",
        "Bytt nummer, de nya siffrorna: 070-174 06 12",
        "Ring 070-174 06 12. Byte av tid? sms",
        "Numret baklänges: 21 60 471 070",
    ],
)
def test_find_phones_a_new_number_is_no_swap(text: str) -> None:
    assert phones(text) == [P]


# Issue 17, generalization (written before any new labelled set, as an advertiser hiding a number from a filter
# would): kinds that are plausible but were in no labelled set. The first three families were missed and are now
# read; the others were already read and are kept so.
_GENERALIZED = {
    "reversed_cue_in_more_languages": [
        "Mitt nummer åt andra hållet: 21 60 471 070",
        "Numer czytaj od tyłu: 2160471070",
        "Número al revés: 2160471070",
        "Nummer rückwärts: 21 60 471 070",
    ],
    "hundreds_in_more_languages": [
        "Llámame: cero setenta, ciento setenta y cuatro, cero seis, doce",
        "Zadzwoń: zero siedemdziesiąt sto siedemdziesiąt cztery zero sześć dwanaście",
        "Chiamami: zero settanta, cento settanta quattro, zero sei, dodici",
        "Sună: zero șaptezeci, o sută șaptezeci și patru, zero șase, doisprezece",
    ],
    "country_code_given_apart": [
        "landskod 46, sen 70 174 06 12",
        "country code 46 then 70 174 06 12",
        "prefix +46 then 701740612",
        "+ fyra sex 70 174 06 12",
    ],
    "digits_of_other_styles": [
        "0️⃣7️⃣0️⃣ 1️⃣7️⃣4️⃣ 0️⃣6️⃣ 1️⃣2️⃣",
        "⓿❼⓿❶❼❹⓿❻❶❷",
        "₀₇₀₁₇₄₀₆₁₂",
        "۰۷۰۱۷۴۰۶۱۲",
        "०७०१७४०६१२",
        "𝟘𝟟𝟘𝟙𝟟𝟜𝟘𝟞𝟙𝟚",
        "0̶7̶0̶1̶7̶4̶0̶6̶1̶2̶",
    ],
    "digits_between_emoji_and_signs": [
        "0🌹7🌹0🌹1🌹7🌹4🌹0🌹6🌹1🌹2",
        "0|7|0|1|7|4|0|6|1|2",
        "0~7~0~1~7~4~0~6~1~2",
        "070 🍑 174 🍑 06 🍑 12",
        "[070][174][06][12]",
        "070 • 174 • 06 • 12",
    ],
    "words_and_digits_mixed": [
        "noll 7 noll 1 sju 4 0 sex 1 två",
        "070 one seven four zero six one two",
        "07 noll 17 fyra 06 12",
        "noll70-ett74-noll6-ett2",
        "Tel 070 1 seven 4 0 6 one 2",
    ],
    "parts_named": [
        "Första delen: 070-174. Andra delen: 06 12",
        "First half 07017, second half 40612",
        "Numret börjar på 070-174 och slutar på 06 12",
        "Start with 070 174, end with 06 12",
    ],
    "number_words_of_more_languages": [
        "zero șapte zero unu șapte patru zero șase unu doi",
        "ноль семь ноль один семь четыре ноль шесть один два",
        "nulis septyni nulis vienas septyni keturi nulis šeši vienas du",
        "μηδέν επτά μηδέν ένα επτά τέσσερα μηδέν έξι ένα δύο",
    ],
    "country_code_in_words": [
        "plus fyrtiosex sjuttio etthundrasjuttiofyra noll sex tolv",
        "plus four six seven zero one seven four zero six one two",
        "+46-seven-zero-one-seven-four-zero-six-one-two",
    ],
}


@pytest.mark.parametrize("text", [t for texts in _GENERALIZED.values() for t in texts])
def test_find_phones_reads_a_generalized_family(text: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! Ring mig: {text} 💋"))) == [P]


@pytest.mark.parametrize(
    "text",
    [
        "Plus: 46 år. Pris 700 kr",
        "Country code 46. Call me on WhatsApp.",
        "Landskod 46. Ordernr 701740612",
        "Läs baklänges: sagor, 2160 kr",
        "Cento per cento discreta. Chiamami! 150 euro",
        "Sto procent diskret. Ring! 1500 kr/h, 30 min 900",
        "ciento por ciento, llámame, 1 hora 200 euro",
        "Pris: 1 h 1500, 2 h 2800, natt 7000. Ålder 46. Plus size. Ring inte.",
    ],
)
def test_find_phones_takes_no_number_from_a_generalized_trap(text: str) -> None:
    assert phones(text) == []


def test_a_number_split_between_title_and_body_is_read() -> None:
    from lagesbild.normalize import normalize_ad

    for title, body in [
        ("Linda 070-174", "Resten: 06 12. Ring!"),
        ("Ring 070", "174 06 12 efter 18"),
        ("Mia 07017", "40612 sms"),
    ]:
        assert normalize_ad(title, body, None).phones == (P,)


# Set S (issue 17; 200 ads written without sight of the code, scored once at 617b23a: phone recall 0.983, precision
# 0.989): a unit that counts the hundreds after a tens word ("noll fyrtio – sexhundratjugoåtta" is 040 628, not
# 046 128), any word glued between digit groups ("070kyss174kram06puss59"), a digit group written as arithmetic in
# brackets ("070-174 06 (3×8)"). Phrasings of my own, not the set's.
_SET_S_FAMILIES = {
    "unit_counts_hundreds_after_tens": [
        ("Tidsbokning: noll fyrtio – sexhundratjugoåtta – noll fyra – sextiotre", "+46406280463"),
        ("Ring noll fyrtio, sexhundra tjugoåtta, noll fyra, sextiotre", "+46406280463"),
        ("Call zero forty, six hundred twenty eight, zero four, sixty three", "+46406280463"),
        ("Ring noll sjuttio, etthundrasjuttiofyra, noll sex, tolv", P),
    ],
    "word_glued_between_groups": [
        ("Tel 070kyss174kram06puss12 😘", P),
        ("Ring 070love174kiss06hug12", P),
        ("sms: 070hej174då06puss12", P),
        ("Nr 070ring174mig06nu12!", P),
    ],
    "arithmetic_group_in_brackets": [
        ("Tel 070-174 06 (3×4). Räkna själv 😉", P),
        ("Ring 070-174 06 (6*2)", P),
        ("Nummer 070 174 06 (20-8)", P),
        ("sms 070-174 06 [24/2]", P),
        ("Ring 070 (58×3) 06 12", P),
        ("Tel 070-174 06 (7 plus 5)", P),
        ("Call 070-174 06 (4 times 3)", P),
    ],
}
_SET_S_TRAPS = {
    "unit_counts_hundreds_after_tens": [
        "Hon är fyrtio, sexhundra kronor för en timme, noll stress",
        "Fyrtiosex år, sexhundra kronor, noll problem",
    ],
    "word_glued_between_groups": [
        "id070kyss174kram06puss12",
        "Order 070abc174def06bad12",
        "60min800kr 30min500kr 1tim1500kr",
        "Tel 070kyss174 och resten i chatten",
        "Art 070kyss174kram06puss1212",
    ],
    "arithmetic_group_in_brackets": [
        "070-174 06 + (10+2)",
        "Ring 070-174 06 (1/3)",
        "Tel 070-174 06 (2×3)",
        "Tel 070-174 (3×4)",
        "Pris (2×30 min) 1500 kr, 070 nej",
        "Ring 070-174 06 (1÷3) 😉",
    ],
}


@pytest.mark.parametrize(("text", "e164"), [case for cases in _SET_S_FAMILIES.values() for case in cases])
def test_find_phones_reads_set_s_family(text: str, e164: str) -> None:
    assert phones(text) == [e164]


@pytest.mark.parametrize("text", [trap for traps in _SET_S_TRAPS.values() for trap in traps])
def test_find_phones_takes_no_number_from_set_s_trap(text: str) -> None:
    assert phones(text) == []


def test_set_s_families_each_have_traps() -> None:
    assert _SET_S_FAMILIES.keys() == _SET_S_TRAPS.keys()


# Sets Q and R (issue 17; 200 ads each, scored once at 7f44800: phone recall Q 0.978, R 0.950): the last digits are
# the age stated elsewhere in the ad (in any form, with text after the cue), arithmetic of digit words in brackets,
# masked last digits given by a clue before the number or named again after it ("xx där xx = 7 x 4"), a letter in a
# group explained by a hint ("06 X7, X = 1"), every digit written twice, a whole number plus an amount with an
# instruction to add. Phrasings of my own, not the sets'.
_SET_QR_FAMILIES = {
    "age_stated_elsewhere": [
        ("Mia, 23 år. Ring 070-174 06 och sen min ålder 😉 1h 1500 kr", "+46701740623"),
        ("Mia 23, Borås. Nummer 070-174 06 + min ålder. Timme 1500", "+46701740623"),
        ("Lena, 23 years. Call 070 174 06 followed by my age 🙂 1 hour 1500 SEK", "+46701740623"),
        ("Ines, 23 años. Llámame 070-174 06 y luego mi edad", "+46701740623"),
    ],
    "digit_words_arithmetic_in_brackets": [
        ("Ring 070-174 06 [tre gånger fyra]. 1h 1800 kr", P),
        ("Call 070 174 06 (six times two)", P),
        ("Tel 070-174 06 (fem plus sju)", P),
    ],
    "masked_last_digits_clue_first": [
        ("Sista siffrorna i mitt nummer = 8+4. Nummer: 070-174 06 ??", P),
        ("De två sista siffrorna i numret är 3 gånger 4. Ring 070 174 06 xx", P),
        ("The last two digits of my number are 6 x 2. Call 070 174 06 **", P),
    ],
    "masked_digits_named_again": [
        ("Nummer: 070 174 06 xx där xx = 3 x 4. 1h 2000 kr", P),
        ("Call 070-174 06 ?? where ?? is 12", P),
        ("Ring 070 174 06 ** (** = 6 + 6)", P),
    ],
    "letter_in_group_with_hint": [
        ("Ring 070-174 06 X2, X = 1.", P),
        ("sms 070-174 06 1Y (Y är 2)", P),
    ],
    "every_digit_twice": [
        ("nr: 00770011774400661122 (varje siffra står två gånger)", P),
        ("Every digit written twice: 0077 0011 7744 0066 1122", P),
        ("Dubbla siffror: 00-77-00-11-77-44-00-66-11-22", P),
    ],
    "the_one_number_between_two": [
        ("Ring 070-174 06 och sen ett tal mellan 11 och 13", P),
        ("Call 070 174 06 then a number between 11 and 13", P),
        ("Numret börjar med 070-174 och slutar med 06 och ett tal mellan 11 och 13 🙈", P),
    ],
    "whole_number_plus_amount_to_add": [
        ("Mitt nummer är 0701740600 plus 12 🤓 (räkna ihop)", P),
        ("Call 070 174 06 00 + 12, add them up", P),
        ("Nummer 070-1740600 plus 12 och räkna ut summan", P),
    ],
    "number_words_over_sentences_before_a_unit": [
        ("Numret börjar med noll sju noll. Sen kommer ett sju fyra. Och sist noll sex ett två. Timme 1600 kr", P),
        ("Ring: noll sju noll. Ett sju fyra. Noll sex ett två. Timmar: 1-2", P),
    ],
    "number_words_without_the_trunk_zero": [
        ("Mitt nummer: sjuttio ett sjuttiofyra noll sex tolv, med nolla först. 1h 2000 kr.", P),
        ("Call seventy one seventy four zero six twelve, add a zero first", P),
        ("Ring sju noll ett sju fyra noll sex ett två (lägg till en nolla först)", P),
    ],
}
_SET_QR_TRAPS = {
    "age_stated_elsewhere": [
        "Ring 070-174 06 och sen min ålder 😉 1h 1500 kr",
        "Mia 22 år och Lisa 24 år. Ring 070-174 06 + min ålder",
    ],
    "digit_words_arithmetic_in_brackets": [
        "Ring 070-174 06 [hej och hå]",
        "Tel 070-174 06 (tre till fem)",
        "Ring 070-174 (tre gånger fyra)",
    ],
    "masked_last_digits_clue_first": [
        "Sista siffrorna = 8+4. Pris 1500 kr. Bokning 2 tim ??",
        "Sista siffrorna i mitt nummer får du i chatten. Nummer: 070-174 06 ??",
    ],
    "masked_digits_named_again": [
        "Nummer: 070 174 06 xx där yy = 12",
        "Nummer: 070 174 06 xx, xx = 20 minus 8",
    ],
    "letter_in_group_with_hint": [
        "Ring 070-174 06 X2, Y = 1.",
    ],
    "every_digit_twice": [
        "Ring 00770011774400661122",
        "dubbla siffror: 00770011774400661123",
    ],
    "the_one_number_between_two": [
        "Ring 070-174 06 och ett tal mellan 10 och 20",
        "Vi har tjejer mellan 20 och 22 år",
    ],
    "whole_number_plus_amount_to_add": [
        "Ring 0701740650 + 1 extra timme, lägg till 500 kr",
        "Ring 0701740650 plus 2 vänner välkomna",
    ],
    "number_words_over_sentences_before_a_unit": [
        "Ring noll sju noll ett sju fyra noll sex ett timme",
    ],
    "number_words_without_the_trunk_zero": [
        "Mitt nummer: sjuttio ett sjuttiofyra noll sex tolv",
        "Sjuttio ett sjuttiofyra noll sex tolv kr, nolla först",
    ],
}


@pytest.mark.parametrize(("text", "e164"), [case for cases in _SET_QR_FAMILIES.values() for case in cases])
def test_find_phones_reads_set_qr_family(text: str, e164: str) -> None:
    assert phones(text) == [e164]


@pytest.mark.parametrize("text", [trap for traps in _SET_QR_TRAPS.values() for trap in traps])
def test_find_phones_takes_no_number_from_set_qr_trap(text: str) -> None:
    assert all(e == "+46701740650" for e in phones(text))  # no number but the one written whole


def test_set_qr_families_each_have_traps() -> None:
    assert _SET_QR_FAMILIES.keys() == _SET_QR_TRAPS.keys()


# Issue 17, sets T and U: a reference number with a check digit, every digit doubled in pairs, groups read backwards
# with each group turned, the last two digits as arithmetic after a cue; my own phrasings, and traps.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Sms: 00 77 00 11 77 44 00 66 11 22 — varje siffra är skriven två gånger", "+46701740612"),
        ("Ta varannan siffra: 00-77-00-11-77-44-00-66-11-22", "+46701740612"),
        ("Take every other digit: 0077 0011 7744 0066 1122", "+46701740612"),
        ("Bakifrån: 21 60 471 070. Läs grupperna baklänges och vänd varje grupp", P),
        ("Backwards: 21 60 471 070, read the groups from the end and reverse each group", P),
        ("Ring 070-174 06 och sen två siffror: tre gånger fyra", P),
        ("Call 070 174 06 followed by 2 times 6", P),
        ("Sms 07O174O6 följt av talet som är sex plus sex", P),
        ("Numret: 0701 7406 och sist 6 gånger 2", P),
        ("Numret: 0701 7406 och sist 10 plus 2", P),
        ("Ring 070-1XX 06 12 (XX = 74)", P),
        ("Sms 0701 74?? 12, där ?? är noll sex", P),
        ("Numret: 070 174 ## 12 där ## = 06", P),
        ("Mitt nummer: 0g0 agd 0f ab (a=1 b=2 c=3 d=4 e=5 f=6 g=7)", P),
        ("Koden B=7 C=4 D=6: 0B0 1BC 0D 12", P),
        ("Första siffran 0, sen 7, sen 0, sen 174, sen 06, sen 12", P),
        ("Digits: 0, then 70, then 174, then 06, then 12", P),
        ("Ring(0)mig(7)när(0)du(1)vill(7)så(4)svarar(0)jag(6)direkt(1)puss(2) – siffrorna inom parentes", P),
        ("Call[0]me[7]any[0]time[1]you[7]like[4]and[0]I[6]will[1]answer[2] (the digits in brackets)", P),
        ("[2] 174 / [3] 06 12 / [1] 070 — sätt ihop", P),
        ("(1) 070 (2) 174 (3) 06 12", P),
        ("Sms: sjuttio, ett sju fyra, noll sex, tolv – sätt en nolla framför", P),
        ("Call seventy one seventy four zero six twelve, put a zero in front", P),
        ("Ring seventy, one-seven-four, zero-six, twelve — with 0 at the start", P),
        ("Ring kontoret: åtta, fyra sex fem, noll noll fyra, tolv (riktnummer 08)", "+46846500412"),
        ("Ring: tre ett tre nio noll noll sex tolv, area code 031", "+46313900612"),
    ],
)
def test_find_phones_reads_set_t_u_family(text: str, e164: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [e164]


@pytest.mark.parametrize(
    "text",
    [
        "Ref.nr 0701-88-2231-7. Tack för din bokning",
        "Ref: 0736 55 12 90",
        "Fakturanr 0701 882 231, betalas på plats",
        "Invoice no. 0701882231",
        "Ärendenr: 0736-551290",
        "Ring 070-174 06 sen 2 gånger 3 timmar",  # a unit after: not the last digits
        "Ring 070-174 06 xx, sen 3 gånger 4 kr",
        "070-174 06 12 och sen 3 gånger 4",  # already whole, no eight-digit start
        "Tel 070-174 06, pris sen 10 gånger 200",  # the result is no two digits
        "Call 070 174 06 followed by 20 minus 8",  # only products and sums are worked out
        "Ring 070-174 XX 72, där XX = 20 minus 8",
        "Priser: 1 tim 1500, sen 2000, sen 2500, sen 3000",  # a chain that is no mobile
        "Tider (1) 10-12 (2) 14-16 (3) 18-20",  # numbered parts that are no mobile
        "Ring(0)mig(7)gärna(0)när(1)du(7)vill(4)jag(0)svarar(6)",  # too few bracketed digits, and no word for them
        "Bilder (1) (2) (3) (4) (5) (6) (7) (8) (9) (0) inom parentes",  # no mobile
        "Kod: BAD CAFE (a=1 b=2 c=3 d=4 e=5 f=6)",  # letters by a key, but no mobile
        "Ring: åtta, fyra sex fem, noll noll fyra, åtta sju",  # a landline in words needs its area code named
        "Ring tre timmar, ett tre nio, riktnummer 031",
        "Ring mig, sjuttio dagar om året, en nolla i början",  # a zero hint, but no number in words
    ],
)
def test_find_phones_set_t_u_traps(text: str) -> None:
    got = phones(f"Hej! {text} 💋")
    assert got in ([], [P]) and (got == [] or "070-174 06 12" in text)


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Mitt nummer = 0701740600 plus 12.", P),
        ("Nummer: 070-174 06 00 + 12", P),
        ("My number is 0701740602 plus 10!", P),
        ("Meine Nummer: 0701740610 + 2\nBis bald", P),
        ("Ring 070-174 06 1X där X är 1+1.", P),
        ("Ring 070-174 06 X2, X = 3 - 2", P),
        ("Call 070 174 06 1X, X is 1 plus 1", P),
        ("Sms 070-174 06 1X (X = 2 gånger 1)", P),
        ("Tjena\nNoll sju noll ett sju fyra noll sex ett två", P),
        ("Ring 070 174 06 och sen sista två = tolv", P),
        ("Sms 070-174-06, sista två siffrorna är ett två", P),
        ("Ring 070 174 06 och de sista två siffrorna är samma: sju sju", "+46701740677"),
        ("Call 070 174 06, last two are one two", P),
        ("Call 070 174 06 then the last two digits: twelve", P),
        ("Ring 070 174 06 ?? (?? är tolv)", P),
        ("Mitt nr: 070-174-06-XY där X = 1 och Y = 2.", P),
        ("Ring 070 174 06 AB, A = 1, B = 2", P),
        ("Sms 070.174.06.PQ (P är ett, Q är två)", P),
        ("Call 070 174 06 XY where X is 1 and Y is 2", P),
        ("Ring riktnumret för Göteborg 031, sedan 390 06 12.", "+46313900612"),
        ("Riktnumret 08, sen 465 004 12", "+46846500412"),
        ("Ring 90701740612 men ta bort första 9:an (spam-skydd).", P),
        ("Call 9-070-174-06-12, remove the first digit", P),
        ("Sms 07017406125 – stryk sista siffran", P),
        ("Ruf an: 07017406123, streiche die letzte Ziffer", P),
        ("Book: 0313900 + 6 + 12 (no spaces).", "+46313900612"),
        ("Ring 070174 + 06 + 12, skriv ihop", P),
        ("Ring 070 + 1740612 utan mellanslag", P),
        ("Ruf an: 08 + 465 + 00412 ohne Leerzeichen", "+46846500412"),
        ("Slutsiffror 0612, förvalet 070-174. Ring!", P),
        ("Prefixet 070 174, slutsiffror 06 12", P),
        ("Fyll i: 070-174 06 _ _ där luckorna är ett och två.", P),
        ("Ring 070 174 06 __, the blanks are 1 and 2", P),
        ("Ring 070-174 06 1_ (luckan = två)", P),
    ],
)
def test_find_phones_reads_set_v_w_family(text: str, e164: str) -> None:
    assert list(dict.fromkeys(phones(f"Hej! {text} 💋"))) == [e164]


def test_find_phones_prefers_the_mobile_that_starts_a_line() -> None:
    # the title's first words repeated at the start of the body: the body's own reading, not one across the join
    assert phones("Nolla sjua\nNolla sjua nolla etta sjua fyra nolla sexa etta tvåa. Pia 38") == [P]
    assert phones("noll sju\nnoll sju noll ett sju fyra noll sex ett två") == [P]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 0701740612 plus 2 timmar.",  # a unit after the amount: no sum
        "Ring 0701740612 + 1 extra timme.",
        "Ring 0701740612 plus 30 min.",
        "Ring 0701740612 plus 500 kr.",
        "Ring 070-174 06 1X, X = 7 + 5",  # a result above 9 is no digit
        "Ring 070 174 06 och sista siffran är 2",  # nine digits: no mobile
        "Öppet 10-22, sista två dagarna: 19 20",  # no start of a mobile before the cue
        "Ring 070 174 0 och sista två = tolv",  # too short a start
        "Ring 070 174 06, sista två = hej",  # no digits named
        "Ring 070-174-06-XYZ där X = 1 och Y = 2",  # a third sign left unexplained
        "Ring 070-174-06-XY där X = 1",  # one sign of two explained
        "Storlek XY = 2, X = 3 och Y = 4, 070 174",  # no signs after the digits
        "Ring 070 174 06 XY där X = 1 och X = 2",  # a sign given two digits
        "Riktnumret är inte viktigt. 390 06 12 är min kod",  # no area code given
        "Ring 90701740612. Ta bort första steget först.",  # the instruction in another sentence
        "Ring 90701740612",  # no instruction
        "Ring 90701740612, ta bort sista siffran",  # the other end: no mobile
        "Ring 0701 + 740612. Utan mellanslag? Nej",  # the cue in another sentence
        "Ring 070174 + 06 + 12",  # no word that says to write them together
        "Pris 0 + 1500 kr, no spaces",  # no number
        "Slutsiffror 0612, förvalet 070-17.",  # nine digits: no mobile
        "Ring 070-174 06 _ _ där luckorna är hemliga",  # no digits named
        "Ring 070-174 06 _ _. Luckorna är 1 2",  # the clause in another sentence
        "Fyll i 070-174 06 _ _ _ där luckorna är 1 och 2",  # three blanks, two digits
    ],
)
def test_find_phones_set_v_w_traps(text: str) -> None:
    got = phones(f"Hej! {text} 💋")
    assert got in ([], [P]) and (got == [] or "0701740612" in text)


# One arithmetic reader (normalize/identifiers/_arith.py) for brackets, clauses, the last digits after a cue and a
# sign's hint: sums and products everywhere, their terms digits or number words (teens and tens too); a difference
# or a quotient only where the ad marks the expression off as a value (brackets right after the digits, a sign's
# hint), never in running text, where its terms are no digits either ("20-8" was read as the digits 2 0).
@pytest.mark.parametrize(
    "text",
    [
        "Ring 070 174 06 ??, sista två siffrorna är tio plus två",  # "tio" was read as the digits 1 0
        "Nummer: 070 174 06 xx, xx = tio plus två",
        "070-174 06 _ _ där luckorna är tre gånger fyra",
        "Nummer 070 174 06 (tio plus två)",
        "sms 070-174 06 [sex gånger två]",
        "Nummer 070 174 06 (20 minus 8)",  # in brackets a difference is worked out
        "Ring 070-174 06 X2, X = 3 minus 2",  # and as a sign's value
        "Ring 070-174 ????, de sista fyra siffrorna är 06-12",  # a dash between groups that fill the mask
        "Ring 070 174 06 och sen tolv gånger en",
    ],
)
def test_find_phones_reads_arithmetic_by_one_rule(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == [P]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070 174 06 ??, sista två siffrorna är 20-8",  # a difference in running text: no value, no digits
        "Ring 070 174 06 ??, sista två siffrorna är 20 - 8",
        "Nummer: 070 174 06 xx, xx = 24/2",
        "070-174 06 _ _ där luckorna är 20 - 8",
        "Ring 070 174 06 ??, sista två siffrorna är 24 delat med 2",
        "Ring 070 174 06 ??, sista två siffrorna är 24 ÷ 2",
        "Sista siffrorna i mitt nummer = 20-8. Nummer: 070-174 06 ??",
        "Call 070 174 06 followed by 100 minus 9",
    ],
)
def test_find_phones_works_out_no_difference_in_running_text(text: str) -> None:
    assert phones(f"Hej! {text} 💋") == []


def test_one_arithmetic_reader_and_one_word_to_number_helper() -> None:
    from lagesbild.normalize.identifiers._arith import _arithmetic, _number

    assert [_number(w) for w in ("7", "sju", "seven", "tolv", "sjuttio", "trettiotre", "doce", "hundra", "hej")] == [
        7, 7, 7, 12, 70, 33, 12, None, None,
    ]  # fmt: skip
    for closed in (True, False):
        assert _arithmetic("sex gånger två", closed=closed) == 12
        assert _arithmetic("tio plus två", closed=closed) == 12
        assert _arithmetic("seven times nine", closed=closed) == 63
    assert _arithmetic("20-8", closed=True) == 12 and _arithmetic("20-8", closed=False) is None
    assert _arithmetic("20 minus 8", closed=True) == 12 and _arithmetic("100 minus 9", closed=False) is None
    assert _arithmetic("24 delat med 2", closed=True) == 12 and _arithmetic("24/2", closed=False) is None
    assert _arithmetic("8-20", closed=True) is None and _arithmetic("25/2", closed=True) is None


# Sets Z and AB (issue 17): signs explained after a group that holds one already ("0X YZ där X = 6, Y = 6, Z = 3"),
# a whole number as one word of an alphabet key, a key that gives a letter's two cases two digits ("G=6 ... g=9"),
# an ad's own id ("Ad ID", "Annons-ID") before a whole mobile. Traps: the same shapes that must give no number.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Nummer → 070-174 0X YZ där X = 6, Y = 6, Z = 3", "+46701740663"),
        ("Ring 070-174 0X YZ (X = 6, Y = 6, Z = 3)", "+46701740663"),
        ("Text: AHABHEAGHE (A=0, B=1, C=2 ... J=9)", "+46701740674"),
        ("Key: A=0, B=1, C=2 ... J=9. Text: AHABHEAGHE", "+46701740674"),
        ("Ph0ne: OTO lTA OGTg  (letters = digits, O=0 l=1 Z=2 E=3 A=4 S=5 G=6 T=7 B=8 g=9)", "+46701740679"),
        ("Ph0ne: OTO lTA OGTG  (O=0 l=1 Z=2 E=3 A=4 S=5 G=6 T=7 B=8)", "+46701740676"),
        ("Kik id 0701740612", "+46701740612"),  # a handle's id: still a phone
        ("Annons-ID 123. Ring 0701740612", "+46701740612"),
    ],
)
def test_find_phones_reads_set_z_ab_family(text: str, e164: str) -> None:
    assert phones(text) == [e164]


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070-174 0X YZ, gärna efter 18",  # signs nobody explains
        "Bad 0X YZ där X = 6, Y = 6, Z = 3",  # no number to complete
        "BEACHHEADS (A=0, B=1, C=2 ... J=9)",  # a word, not a mobile
        "Ad ID 070174-0655",
        "Annons-ID: 0701740655",
        "Ad-ID 0701 74 06 55. Boka via chatten",
    ],
)
def test_find_phones_set_z_ab_traps(text: str) -> None:
    assert phones(text) == []


# Sets Z and AB, round 2: digits parted by punctuation of three kinds or more, "+ N" before a list's bar, a shift
# instruction right after the digits, the start of the number in the title with a remark in the body, groups with
# whole clauses between them, counted part labels ("sista fyra", "de första sex"), every group on its own with some
# as arithmetic in brackets, every digit a roman numeral. Phrasings of my own, not the sets'.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Nummer → 0_7.0~1*7/4.0~6/1/2", "+46701740612"),
        ("Ring: 07~0.17*4/06_12", "+46701740612"),
        ("Ålder 40 år | Mitt nummer = 0701740610 + 2 | Diskretion", "+46701740612"),
        ("Kod: 1812851723  (dra av 1 från varje siffra; 0 blir 9)", "+46701740612"),
        ("Code 2923962834 (subtract 2 from every digit)", "+46701740612"),
        ("WhatsApp 070 och sedan, efter en liten paus, 174 — glöm inte 06 och till sist 12", "+46701740612"),
        ("Börja med 070, fortsätt med 174 – jag svarar alltid snabbt – och sluta med 06 12", "+46701740612"),
        ("Räkna ut: 0(7·10) – (100+74) – 0(2·3) – (6+6)", "+46701740612"),
        ("Ring 070 - (100+74) - 06 - (3*4)", "+46701740612"),
        ("Number in roman (0 = zero): 0 VII 0 I VII IV 0 VI I II", "+46701740612"),
        ("Romerska siffror: 0-VII-0 I-VII-IV 0-VI I-II", "+46701740612"),
        ("Daniela, 34år. SMS: 070 174 06 + sista två = min ålder plus 8", "+46701740642"),
    ],
)
def test_find_phones_reads_set_z_ab_round_2_family(text: str, e164: str) -> None:
    assert phones(text) == [e164]


def test_counted_part_labels_give_one_number() -> None:
    # each labelled part is a span of the number (as "sista delen 68, första 070, mitten 174 06")
    for text in ("WhatsApp sista fyra är 0612, de första sex är 070174", "Call: last four 0612, first six 070174"):
        assert set(phones(text)) == {P}


@pytest.mark.parametrize(
    "text",
    [
        "Datum 12.5/3-4, 1.2/3",  # punctuation of several kinds: no mobile
        "Priser 1/2~3.4_5*6",
        "Kod: 2923962835 (dra av 1 från varje siffra)",  # shifted: no mobile
        "Kod 1812851723. Dra av 1 från varje siffra",  # another sentence
        "Ring 070 om du vill, 1h 1500 kr, 2h 2500 kr",  # clauses between, but amounts
        "Ring 070 eller mejla. Pris 174 06 55",  # another sentence
        "Född 1970, 170 cm, 55 kg, 36 år",
        "Sista fyra dagarna 12-15 maj, de första sex timmarna 1500 kr",
        "Öppet (10-12) - (14-16) - (18-20)",  # hours in brackets
        "Mått (80+10) - (50+10) - (80+10)",
        "Room 0 VII 0 I VII IV 0 VI I II",  # roman numerals the ad does not name
        "Romersk massage: I II III IV V VI VII VIII IX X",
        "Lisa 34 år. Ring 070-174 06 + min ålder plus 70",  # the sum is no two digits: no number, not the age
        "Lisa 24 år. Ring 070-174 06 + min ålder minus 12",  # a difference stays text: no number, not the age
    ],
)
def test_find_phones_set_z_ab_round_2_traps(text: str) -> None:
    assert phones(text) == []


def test_the_start_of_a_number_in_the_title_with_a_remark_in_the_body() -> None:
    from lagesbild.normalize import normalize_ad

    for title, body in [
        ("Manuela – ny i stan 070-174…", "Hej! Jag är 41 år.\nSkriv till mig: …06 12 (början står i rubriken)"),
        (
            "Göteborg – Kristina tar emot noll sju noll",
            "2200:- /timme | …och resten: 174 06 12 (början står i rubriken)",
        ),
        ("Mia 070 174", "Call me: 06 12 (the start is in the title)"),
    ]:
        assert normalize_ad(title, body, None).phones == (P,)
    for title, body in [
        ("Anna 25", "Ring 174 06 12 (början står i rubriken)"),  # no start in the title
        ("Anna 070", "Mått 90-60-90. Början står i rubriken"),  # no rest in the body
        ("Ny i stan 070", "Hej älskling!\nPris 174 06 12 kr (början står i rubriken)"),  # an amount
    ]:
        assert normalize_ad(title, body, None).phones == ()


def test_a_price_after_a_title_cut_short_is_no_rest_of_a_number() -> None:
    """Issue 17: a title a listing page cut after the start of a number ("070-174…") is not continued by an amount in
    the body, nor by any digits unless the body says the rest follows."""
    from lagesbild.normalize import normalize_ad

    for title, body in [
        ("Ny i stan 070-174…", "Pris 1500 kr"),
        ("Ny i stan 070-174…", "Pris 1500 kr. Välkommen!"),
        ("Ny i stan 070-174…", "Pris 1500 kr, ring mig"),
        ("Ny i stan 070-174...", "Pris 1500 kr"),
        ("Ny i stan 070-174 …", "Pris 1500 kr"),
        ("Ny i stan 070 174…", "Kostar 1500 kr"),
        ("Ny i stan 070-174", "Pris 1500 kr"),  # no ellipsis: the price word and the currency say amount
        ("Ny i stan 070-174", "1500 kr"),
        ("Ny i stan 070-174", "1500:-"),
        ("Ny i stan 070-174", "1500 SEK"),
        ("Ny i stan 070-174", "Pris: 1500"),
        ("Ny i stan 070-174", "SEK 1500"),
        ("Ny i stan 070-174", "Pris 15 00 kr"),
        ("Ny i stan 070-174", "Pris 06 48"),  # a group after a price word is an amount, whatever its digits
        ("Ny i stan 070-174…", "1500 kr"),
        ("Ny i stan 070-174...", "1500 SEK"),
        ("Ny i stan 070-174…", "06 48"),  # cut, and nothing says the rest follows
        ("Ny i stan 070-174…", "Hej 06 48"),
        ("Ny i stan 070-174 06…", "Hej 06 48"),
        ("Ny i stan 070-174…", "Pris 1500 kr (början står i rubriken)"),  # the rest is an amount
    ]:
        assert normalize_ad(title, body, None).phones == (), (title, body)
    for title, body, e164 in [
        ("Ring 070-174…", "…06 05 📞 Tjej 27. Numret börjar i rubriken.", "+46701740605"),  # the body goes on
        ("Lisa 070-174…", "Fortsättning på numret: 06 65", "+46701740665"),  # a cue says the rest follows
        ("Lisa 070-174...", "sen 06 65", "+46701740665"),
        ("Manuela 070-174…", "Skriv till mig: …06 78 (början står i rubriken)", "+46701740678"),
        ("Ny i stan", "Ring 070-174 06 48\n1500 kr", "+46701740648"),  # a whole mobile, then a price
        ("Ny i stan", "Ring 070-174 06 48 1500 kr", "+46701740648"),
        ("Ny i stan", "1500 SEK 070-174 06 65", "+46701740665"),  # a price before a whole mobile
        ("Ny i stan", "Ring 0701740612kr", P),  # a number glued to a price
        ("Ny i stan 070-174 06 48…", "Pris 1500 kr", "+46701740648"),  # a whole number before the cut
        ("Ny", "Ring 070 … 174 … 06 12", P),  # an ellipsis between groups on one line cuts nothing
    ]:
        assert normalize_ad(title, body, None).phones == (e164,), (title, body)


def test_digits_in_bracketed_arithmetic_are_worked_out_not_read_raw() -> None:
    """Issue 17: "0(7*10)-174-06-48" is 070-174 06 48; the digits around and inside the brackets read as they stand
    ("0 7 10 174 ...") make no number."""
    from lagesbild.normalize import normalize_ad

    assert normalize_ad("Hej", "Ring 0(7*10)-174-06-48", None).phones == ("+46701740648",)
    for text in [
        "Ring 0(7*10)-174-06-48",
        "Ring 0(7·10)-174-06-48",
        "Ring 0(7×10)-174-06-48",
        "Ring 0(2*35)-174-06-48",
        "Ring 070-(100+74)-06-48",
        "Ring 070-174-06 (6*8)",
        "Ring 070 174 06 48 (10-22)",  # hours in brackets after the number
        "Ring 070-174 06 48 (1/2 tim 1500 kr)",
    ]:
        assert phones(text) == ["+46701740648"], text
    for text in [
        "Ring 070-174-(3*2)-48",  # the value is one digit where two belong: no number, not the digits 3 2
        "Ring 0[7*10] 174 06 48",  # no dashes between the groups: not read, and not 0 7 10 174 ...
        "Ring 0(7*10) 174 06 48",
        "Mått (80+10) 174 06 48",
    ]:
        assert phones(text) == [], text


# Set AC: parts numbered with a word ("Del 1 av numret: 070 • Del 2: 174 ..."), an article before "fyra"/"åtta" in a
# pair with a digit noun ("och sist en fyra och en tvåa"), number words with whole clauses between their groups in
# one sentence, Ukrainian digit words with an ASCII or typographic apostrophe ("п'ять"), a roman last group after a
# few words ("070-174 06 och sist romerska XII"). Phrasings of my own, not the set's.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Del 1 av numret: 070 • Del 2: 174 • Del 3: 06 • Del 4: 12", P),
        ("Del 2: 174 06, del 1: 070, del 3: 12. Puss", P),
        ("Part 1 - 070 | Part 2 - 174 | Part 3 - 0612", P),
        ("Mitt nummer: noll sju noll, sedan ett sju fyra, noll sex, och sist en etta och en tvåa.", P),
        ("Ring noll sju noll ett sju fyra noll sex, sist en åtta och en nia", "+46701740689"),
        ("Ring 070-174 06 en fyra", "+46701740614"),  # alone "en fyra" keeps its reading
        (
            "My number starts with zero seven zero like all of them, then one hundred seventy-four, after that "
            "zero six, and it ends with twelve.",
            P,
        ),
        ("Numret börjar med noll sju noll som alla mobiler, sedan etthundrasjuttiofyra och till sist noll sex tolv", P),
        ("Телефон: нуль сім нуль один сім чотири нуль шість один два", P),
        ("Дзвони: нуль сім нуль один сім чотири нуль шість п'ять дев’ять", "+46701740659"),
        ("Tel 070-174 06 och sist romerska XII", P),
        ("Ring 070 174 06, sist i romerska: XXVIII", "+46701740628"),
        ("Ring 070-174 06 12 och romerska bad VI", P),  # a whole number already: no roman group
    ],
)
def test_find_phones_reads_set_ac_family(text: str, e164: str) -> None:
    assert phones(text) == [e164]


@pytest.mark.parametrize(
    "text",
    [
        "Del 1: 1500 kr, del 2: 2000 kr, del 3: 06 12",  # amounts
        "Del 1: 070 • Del 2: 174 • Del 4: 12",  # a part missing
        "Del 1: 070 • Del 2: 174 • Del 3: 06 • Del 4: 25 år",  # an age
        "Part 1: 12 • Part 2: 174 • Part 3: 06 • Part 4: 12",  # no mobile
        "Storlek en fyra och en tvåa",  # nouns, no number
        "Zero stress, seven days a week, one hundred seventy-four reviews, zero six twelve",  # no zero first group
        "Jag är noll sju noll-tjej. Sedan etthundrasjuttiofyra cm lång, noll sex tolv",  # a sentence end, a unit
        "Starts with zero seven zero, then one hundred seventy-four cm, then zero six, and twelve",  # an amount
        "Ring 070-174 06. Romerska bad XX",  # another sentence
        "Tel 070-174 06 och sist XXIX",  # the ad does not say roman
    ],
)
def test_find_phones_set_ac_traps(text: str) -> None:
    assert phones(text) == []


@pytest.mark.parametrize(
    ("text", "emails"),
    [
        ("E-mail: julia @ example.com\nKyss", ["julia@example.com"]),
        ("Endast mejl: anna_x @example.com", ["anna_x@example.com"]),
        ("Mejla mig: lina.vip@ example.com", ["lina.vip@example.com"]),
        ("Mail: nora32 @ example.se eller ring", ["nora32@example.se"]),
        # traps: a handle, a time, an amount, no e-mail word on the line, no domain
        ("Insta: @yasmin_1993 · mejla gärna", []),
        ("Mejla mig, vi ses @ 20:00", []),
        ("Mail: priser @ 1500 kr", []),
        ("Insta: yasmin @ example.com", []),
        ("Mejl: följ mig @ twitter", []),
        ("E-post: se nedan\nTräffas @ example.com", []),
    ],
)
def test_find_emails_reads_spaces_around_the_at_sign_after_a_mail_word(text: str, emails: list[str]) -> None:
    assert [e for _, _, e in find_emails(text)] == emails


# Set AD: numbered parts labelled "of the number" spread across the whole ad ("Del 1 av numret: 070 Hej! ... Del 2 av
# numret: 174 Timme 1900 kr ..."), a key of symbols for digits ("🍩=0 🍒=1 ..."), the last two digits of the height the
# ad states ("070-174 06 + de två sista siffrorna i min längd"), a number the ad says it hides in its prices ("Mitt
# nummer står gömt som 'priser' ... A 070:- B 174:- ..."). Phrasings of my own, not the set's.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        (
            "Del 1 av numret: 070 Hej! Jag heter Sara, 25 år, bor i Umeå och gillar långa promenader i skogen. "
            "Del 2 av numret: 174 Puss! Vi ses snart i stan hos mig. Del 3 av numret: 06 12",
            P,
        ),
        (
            "Part 1 of my number: 070. I am Mia, 24, in Lund, with a lovely flat near the station and free parking "
            "outside. Part 2 of my number: 174 06. Part 3 of my number: 12",
            P,
        ),
        (
            "Teil 1 der Nummer: 070. Ich bin Lena, 26, in Malmö, diskret und sauber, mit eigener Wohnung nahe dem "
            "Bahnhof. Teil 2 der Nummer: 174 06 12",
            P,
        ),
        ("Nyckel: 🌸=0 🌼=1 🌻=4 🌷=6 🌹=7 🍀=2 Ring: 🌸🌹🌸 🌼🌹🌻 🌸🌷 🌼🍀", P),
        ("Key: ♠=0 ♥=1 ♦=2 ♣=4 ★=6 ☆=7 → ♠☆♠-♥☆♣-♠★-♥♦", P),
        ("Ring 070-174 06 + de två sista siffrorna i min längd. Jag är 168 cm.", "+46701740668"),
        ("Mia, 172 cm. Call 070-174 06 + the last two digits of my height", "+46701740672"),
        ("Mia, 1,72 m. Call 070-174 06 followed by my height", "+46701740672"),
        ("Mitt nummer står gömt som 'priser' – läs talen i ordning: A 070:- B 174:- C 06:- D 12:-", P),
        ("My number is hidden in the prices: 30 min 070 kr, 1h 1740 kr, 2h 612 kr", P),
    ],
)
def test_find_phones_reads_set_ad_family(text: str, e164: str) -> None:
    assert set(phones(text)) == {e164}  # (parts apart are one span each)


@pytest.mark.parametrize(
    "text",
    [
        # parts: one missing, an age or an amount for a part, a lower-case unit after it, no "of the number" label
        # over more than 100 characters
        "Del 1 av numret: 070 Hej! Jag heter Sara, 25 år, bor i Umeå och gillar långa promenader i skogen. "
        "Del 2 av numret: 174 Puss! Vi ses snart i stan hos mig. Del 4 av numret: 06 12",
        "Del 1 av numret: 070 Hej! Jag heter Sara, bor i Umeå och gillar långa promenader i skogen och havet. "
        "Del 2 av numret: 25 år. Vi ses snart i stan hos mig och dig. Del 3 av numret: 06 12",
        "Del 1 av numret: 1500 kr Hej! Jag heter Sara, bor i Umeå och gillar långa promenader i skogen och havet. "
        "Del 2 av numret: 174 Vi ses snart i stan hos mig och dig. Del 3 av numret: 06 12",
        "Del 1 av numret: 070 Hej! Jag heter Sara, bor i Umeå och gillar långa promenader i skogen och havet. "
        "Del 2 av numret: 174 timmar. Vi ses snart i stan hos mig och dig. Del 3 av numret: 06 12",
        "Del 1: 070 Hej! Jag heter Sara, 25 år, bor i Umeå och gillar långa promenader i skogen och havet. "
        "Del 2: 174 Puss! Vi ses snart i stan hos mig och dig. Del 3: 06 12",
        # symbol keys: ratings, one symbol given two digits, a run too short for a mobile
        "Betyg: ⭐=1 💖=5 🔥=9. Omdömen: ⭐⭐⭐⭐⭐ 💖💖 🔥🔥🔥",
        "Nyckel: 🌸=0 🌸=1 🌻=4 🌷=6 🌹=7 🍀=2 Ring: 🌸🌹🌸 🌸🌹🌻 🌸🌷 🌸🍀",
        "Nyckel: 🌸=0 🌼=1 🌻=4 🌷=6 🌹=7 🍀=2 Ring: 🌸🌹🌸 🌼🌹🌻 🌸🌷 🌼",
        # height: no possessive ("längd spelar ingen roll"), two heights, none stated, arithmetic on it
        "170 cm lång. Ring 070-174 06, längd spelar ingen roll",
        "Jag är 168 cm, han 182 cm. Ring 070-174 06 + min längd",
        "Ring 070-174 06 + min längd (fråga mig)",
        "Ring 070-174 06 + min längd minus 50. 168 cm",
        # prices: no cue that the number hides there, real prices, an amount left over inside the number
        "Mitt nummer är hemligt. Dolda priser: 30 min 070 kr, 1h 174 kr, 2h 0612 kr",
        "Numret gömt bland priserna: 30 min 1000 kr, 1h 1800 kr, 2h 3000 kr, natt 9000 kr",
        "My number is hidden in the prices: 30 min 070 kr, 1h 174 kr, 2h 06 kr, night 1 kr, extra 2000 kr",
    ],
)
def test_find_phones_set_ad_traps(text: str) -> None:
    assert phones(text) == []


# Set AE: the rest of the number after a remark that it follows the title ("Resten av numret efter rubriken: 06 45"), a
# number the ad says no longer works with its last digit replaced ("byt sista siffran 1 mot 2"), the digits of a user
# name and the groups to add after them, French compound tens ("soixante-douze", "quatre-vingt-dix-sept"), the room
# number the ad states as the last two digits, capital letters set to digit groups and named in order, English
# homophones of digits next to number words ("won seven for"). Phrasings of my own, not the set's.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Lisa Umeå – 070 174\nLisa 25 år. Timme 1800 kr.\nResten av numret efter rubriken: 06 12", P),
        ("Lisa – 070 174\nThe rest of my number after the title: 06 12", P),
        ("Mitt gamla nr 070-174 06 11 funkar inte längre. Nya numret: byt sista siffran 1 mot 2.", P),
        ("My old number 070-174 06 13 no longer works; replace the last digit 3 with 2.", P),
        ("Mitt gamla nr 070-174 06 11 funkar inte längre. Nytt nr: 070-174 06 12", P),
        ("Mitt användarnamn är lisa0701740 – ta siffrorna i det, lägg till 6 och sedan 12, så har du mitt nummer.", P),
        ("My username is anna0701 - take the digits and add 740 then 612.", P),
        ("Appelle-moi : zéro sept zéro un sept quatre zéro six douze", P),
        ("Appelle-moi : zéro sept zéro un sept quatre zéro six soixante-douze", "+46701740672"),
        ("Appelle-moi : zéro sept zéro un sept quatre zéro six soixante et onze", "+46701740671"),
        ("Appelle-moi : zéro sept zéro un sept quatre zéro six quatre-vingt-dix-sept", "+46701740697"),
        ("Appelle-moi : zéro sept zéro un sept quatre zéro six quatre-vingts", "+46701740680"),
        ("Appelle-moi : zéro sept zéro cent soixante-quatorze zéro six dix-sept", "+46701740617"),
        ("Hotell Scandic, rum 12 den här veckan. Ring 070-174 06 + rumsnumret", P),
        ("Hotel, room 12. Call 070-174 06 followed by my room number", P),
        ("X = 06, Y = 070, Z = 174, W = 12. Call Y+Z+X+W", P),
        ("A = 070, B = 174, C = 06, D = 12\nRing A B C D", P),
        ("Call: oh seven oh, won seven for, oh six, won too", P),
        ("Call me: zero seven zero one seven fore zero six one two", P),
    ],
)
def test_find_phones_reads_set_ae_family(text: str, e164: str) -> None:
    assert set(phones(text)) == {e164}


@pytest.mark.parametrize(
    "text",
    [
        # the rest after the title: an amount, no number in the title, the digits not right after the remark
        "Lisa – 070 174\nHej! Resten av numret efter rubriken: 1500 kr",
        "Lisa 2024\nResten av dagen efter rubriken: 06 12",
        "Lisa – 070 174\nResten av numret efter rubriken får du i chatten. 06 12",
        # an old number: the only number disowned; a replacement whose old digit is not the number's last, or with no
        # old digit named; a remark in brackets about another number
        "Mitt gamla nr 070-174 06 12 funkar inte längre.",
        "My old number 070-174 06 12 no longer works.",
        # user names: an amount to add, a group left over, no digits named to take
        "Mitt användarnamn är lisa0701740, ta siffrorna i det och lägg till 6 och sedan 12 kr",
        "Mitt användarnamn är lisa0701740 – ta siffrorna i det, lägg till 6 och sedan 12 och 15.",
        "Mitt användarnamn är lisa0701740. Lägg till 612 på notan.",
        # French tens in an ad without a whole number
        "Appelle-moi ! Soixante-dix minutes, quatre-vingts roses. Quatre-vingt-dix pour cent satisfaits.",
        # a room: two rooms, a room of three digits, none stated, arithmetic on it
        "Hotell, rum 18 eller rum 22. Ring 070-174 06 + rumsnumret",
        "Hotell, rum 118. Ring 070-174 06 + rumsnumret",
        "Ring 070-174 06 + rumsnumret (fråga i receptionen)",
        "Rum 18. Ring 070-174 06 + rumsnumret minus 5",
        # letters for groups: bra sizes, prices, a letter given twice, a run that leaves a group out
        "Storlekar: A = 70, B = 75, C = 80. Kupor A B C D",
        "Paket A = 1500 kr, B = 2500 kr, C = 3500 kr. Välj A B eller C",
        "A = 070, B = 174, C = 06, A = 12. Ring A B C A",
        "A = 070, B = 174, C = 06, D = 12. Ring A B C",
        # homophones away from number words
        "I won't answer calls. Text me for 1 hour 2000 kr, I ate dinner, too late to me",
        "Call me! I won seven prizes for you, ate six cakes, too many",
    ],
)
def test_find_phones_set_ae_traps(text: str) -> None:
    assert phones(text) == []


def test_find_phones_replaces_the_last_digit_only_when_it_is_the_one_named() -> None:
    # the old digit named is not the number's last: no instruction read, the number as written stands
    assert phones("Ring 070-174 06 12. Byt sista siffran 3 mot 4.") == [P]
    assert phones("Ring 070-174 06 12. Byt sista siffran mot 4 om du vill nå min kollega.") == [P]
    assert phones("Nytt nummer! 070-174 06 12 (gamla numret funkar inte längre)") == [P]


# Set AF: the rest of the number after a bracketed remark that names the title's digits ("Resten av numret (efter
# 070-174 i rubriken): 06 12", a capitalised unit word on the next line starting the next item); a mobile in Morse code
# when the ad says so (ten five-symbol codes, spaces or slashes between). Phrasings of my own, not the set's.
@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("Lisa 070-174…\nLisa, 28.\nResten av numret (efter 070-174 i rubriken): 06 12\nTimme 2000 kr", P),
        ("Lisa 070-174\nThe rest of my number (after 174 in the title): 06 12", P),
        ("Lisa – 070 174\nResten av numret efter rubriken: 06 12\nTimme 1800 kr", P),
        ("Lisa 30.\nMitt nummer i morse:\n----- --... ----- .---- --... ....- ----- -.... .---- ..---", P),
        ("My number in Morse code: ----- / --... / ----- / .---- / --... / ....- / ----- / -.... / .---- / ..---", P),
        ("Lisa 33.\nTimme 1700 kr.\nRing 070-174 06 _ _ där _ _ = 6 + 6", P),
        ("Ring 070 174 06 __ där __ är 6 x 2", P),
        ("Lisa 31.\nTimme 1200 kr.\nNummer: 070-174 06 och sedan de två första siffrorna i mitt timpris", P),
        ("30 min 800 kr, 1 hour 1200 kr. Call 070-174 06 + the first two digits of my hourly rate", P),
        ("Lisa 24.\nTimme 1600\nNumret i tre delar – sätt ihop C+A+B:\nA: 74 06\nB: 12\nC: 0701", P),
        ("Number: A B C\nA: 070\nB: 174\nC: 06 12", P),
    ],
)
def test_find_phones_reads_set_af_family(text: str, e164: str) -> None:
    assert set(phones(text)) == {e164}


@pytest.mark.parametrize(
    "text",
    [
        # the remark names digits the title does not end with; an amount or a unit after the rest; no title number
        "Lisa 070-174…\nResten av numret (efter 070-175 i rubriken): 06 12",
        "Lisa 070-174…\nResten av numret (efter 070-174 i rubriken): 1500 kr",
        "Lisa 070-174…\nResten av numret (efter 070-174 i rubriken): 06 12 timmar",
        "Lisa 2024\nResten av dagen (efter 070-174 i rubriken): 06 12",
        # Morse: no word for it, eleven or nine codes, a code that is no digit's, a long line of dashes
        "Mitt nummer: ----- --... ----- .---- --... ....- ----- -.... .---- ..---",
        "Morse: ----- --... ----- .---- --... ....- ----- -.... .---- ..--- .....",
        "Morse: ..--- ----- --... ----- .---- --... ....- ----- -.... .---- ..---",
        "Morse: ----- --... ----- .---- --... ....- ----- -.... .----",
        "Morse: ---- --... ----- .---- --... ....- ----- -.... .---- ..---",
        "Morse! ..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
        "Jag gillar morse. ----------------------------------------",
        # blanks named again: another count, an amount, a difference, a sum of three digits, across a sentence end
        "Ring 070-174 06 _ _ där _ = 4",
        "Ring 070-174 06 _ _ där _ _ = 1500 kr",
        "Ring 070-174 06 _ _ där _ _ = 30 - 18",
        "Ring 070-174 06 _ _ där _ _ = 100 + 12",
        "Ring 070-174 06 _ _ . _ _ = 12",
        # the hourly price: none stated, only another duration's, in another currency, two hours, arithmetic on it
        "Ring 070-174 06 + de två första siffrorna i mitt timpris",
        "30 min 1200 kr. Ring 070-174 06 + de två första siffrorna i mitt timpris",
        "Timme 150 EUR. Ring 070-174 06 + de två första siffrorna i mitt timpris",
        "Timme 1200 kr. Ring 070-174 06 + de två första siffrorna i mitt timpris plus 3",
        # letters on lines of their own: a line left out of the run, a letter twice, an amount, sizes, a run of two
        "Sätt ihop C+A+B:\nA: 74 06\nB: 12\nC: 0701\nD: 55",
        "Sätt ihop C+A+B:\nA: 74 06\nB: 12\nA: 0701",
        "Sätt ihop C+A+B:\nA: 74 06 kr\nB: 12\nC: 0701",
        "Storlekar:\nA: 70\nB: 75\nC: 80\nKupor A B C",
        "Paket:\nA: 1500\nB: 2500\nC: 3500\nVälj A B C",
        "Sätt ihop C+A:\nA: 74 06 12\nB: 19\nC: 0701",
    ],
)
def test_find_phones_set_af_traps(text: str) -> None:
    assert phones(text) == []
