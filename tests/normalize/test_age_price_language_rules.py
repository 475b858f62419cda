"""The rules for ages, hourly prices and languages offered written in ads from visitors (set L).

Constructed examples: each rule with the forms it reads and the near misses it must leave alone.
"""

from __future__ import annotations

import pytest

from lagesbild.normalize import find_age, find_prices, languages_offered, normalize_ad, price_per_hour


def _age(body: str, title: str | None = None) -> int | None:
    found = find_age(body, title=title)
    return found.value if found else None


@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Nora 28, bor och tar emot i Uddevalla.", 28),
        ("Besöker Lycksele på torsdag. Ronja 25. 1 h 2200.", 25),
        ("Stephanie, 33, American living in Danderyd.", 33),
        ("Annika 44 i Hudik. Dagtid.", 44),
        ("Söder i Hbg. Vanessa 25, 1 tim 2000.", 25),
        ("Trevlig tjej, 33, i Åkersberga.", 33),
        ("Diskret mogen dam, 45, Täby C.", 45),
        # near misses: the number is not an age
        ("Vecka 47 i Sundsvall!", None),
        ("Ring 18-22, annars sms.", None),
        ("Bor på Storgatan 28, Malmö.", None),
        ("Hotell, Rum 41 på plan 3.", None),
        ("Öppet Mån 10-22.", None),
        ("Ses Kl 19 vid stationen.", None),
        ("Nora 12 år gammal katt", None),  # below 18 for a bare number and not an age word context
        ("Lisa 25.5 poäng", None),
        ("Nora 28 & 31 erbjuder massage", None),
        ("Juni 25 till 30 i Umeå", None),
        # two people: no single advertiser's age
        ("Två tjejer, Lisa 25 och Nina 27, tar emot i Solna.", None),
        ("Par 28 & 31 erbjuder massage.", None),
    ],
)
def test_a_name_followed_by_a_bare_number_is_the_age(body: str, age: int | None) -> None:
    assert _age(body) == age


def test_a_name_and_number_rule_needs_18_or_more() -> None:
    assert _age("Mimmi 17, Luleå") is None
    assert _age("Mimmi 18, Luleå") == 18


def test_stated_forms_win_over_a_name_and_number() -> None:
    assert _age("Lisa 27 bor i Umeå, jag är 31 år") == 31


def test_a_title_word_numbers_follow_is_not_a_name() -> None:
    assert _age("Tilde 27. Hotellrum 412.", title="Vecka 47 i Sundsvall") == 27
    assert _age("Tar emot i Hässleholm. Wiktoria 31.", title="Ring 18-22") == 31


@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Sunt Andreea, 27 ani, în Norrköping", 27),
        ("Kasia, 33 lata, Sztokholm", 33),
        ("Soy Carmen, 35 años, colombiana", 35),
        ("je m'appelle Camille, 29 ans", 29),
        ("Оксана, 28 років, Уппсала", 28),
        ("أنا ليلى، 32 سنة، في مالمو", 32),
        ("Jag heter Elin och är 24. Karlskrona", 24),
        ("ani 27", None),  # the word before the number is not an age word
        ("Öppet 10 ani", None),  # 10 is outside the age range
    ],
)
def test_age_words_of_visitors_languages(body: str, age: int | None) -> None:
    assert _age(body) == age


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("Nora 28. 1h 1700", 1700),
        ("Ronja 25. 1 h 2200. Ring", 2200),
        ("30 min 1100, 60 min 1900", 1900),
        ("Timme 1500.", 1500),
        ("Pris 1600/h.", 1600),
        ("Solna. 1500 per timme.", 1500),
        ("halvtimme 1000, heltimme 1700", 1700),
        ("Timpris 1200:-. Halvtimme 700:-.", 1200),
        ("1 Stunde 2000 kr", 2000),
        ("1 Std. 1600 kr.", 1600),
        ("1 oră 1700 kr", 1700),
        ("1 godzina 1800 kr", 1800),
        ("1 godz. 1500 kr", 1500),
        ("1 hora 2000 coronas", 2000),
        ("1 heure 2500 SEK", 2500),
        ("1 час 1400 kr", 1400),
        ("60 phút 600 kr", 600),
        ("30 min 400 kr / 60 min 700 kr", 700),
        # near misses: no currency and the number is a time, a range, a distance or a count
        ("1 h 18:00-22", None),
        ("Öppet 10-19, drop-in", None),
        ("3 min från T-centralen 1800 meter", None),
        ("1h 1700-1900 beroende på", None),
        ("1 h 2000 m från stationen", None),
        # "kr." ends its sentence: 1500 kr has no duration, and 900 is a half hour's price (not doubled)
        ("Pris 1500 kr. 30 min 900", None),
        ("1 h 99", None),  # too small for a bare amount
    ],
)
def test_bare_amounts_and_hours_in_visitors_languages(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


def test_a_bare_amount_is_sek_with_its_duration_as_unit() -> None:
    (p,) = find_prices("Nora 28. 1 tim 1700")
    assert (p.amount, p.currency, p.minutes, p.unit, p.sek_per_hour) == (1700, "SEK", 60, "1 tim", 1700)


def test_an_amount_with_its_currency_is_not_read_twice() -> None:
    prices = find_prices("30 min 1 200:-, 1 h 2 000:-")
    assert [(p.amount, p.minutes) for p in prices] == [(1200, 30), (2000, 60)]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Vorbesc română și engleză.", ("ro", "en")),
        ("Mówię po polsku i trochę po angielsku.", ("pl", "en")),
        ("Hablo español e inglés.", ("es", "en")),
        ("Je parle français et anglais.", ("fr", "en")),
        ("Parlo italiano, inglese e francese.", ("it", "en", "fr")),
        ("Falo português, inglês e espanhol.", ("pt", "en", "es")),
        ("Puhun suomea ja ruotsia.", ("fi", "sv")),
        ("Говорю по-русски и по-английски.", ("ru", "en")),
        ("أتكلم العربية والسويدية.", ("ar", "sv")),
        ("Jeg taler dansk, svensk og engelsk.", ("da", "sv", "en")),
    ],
)
def test_speak_phrases_in_visitors_languages(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Hallo! Deutsch und Englisch. 1 Stunde 2000 kr", ("de", "en")),
        ("Ella, 24. English & Swedish. Call me", ("en", "sv")),
        ("Piteå. Svenska/English.", ("sv", "en")),
        ("Amira 30. Svenska, arabiska, turkiska. 1 timme", ("sv", "ar", "tr")),
        ("Hallsberg. Deutsch, Englisch, etwas Schwedisch. 1 Std.", ("de", "en", "sv")),
        ("Karlskoga. Tiếng Việt, English. 0701", ("vi", "en")),
        ("Helsingborg. ภาษาไทย, Svenska.", ("th", "sv")),
        ("American in Danderyd. English only. 1 hour", ("en",)),
        ("Täby C. English ok.", ("en",)),
        ("Visiting Lund. French & English spoken.", ("fr", "en")),
        # near misses: names inside a sentence, or one name alone
        ("Svenska tjejer i Malmö", ()),
        ("Vi välkomnar svenska och engelska kunder.", ()),
        ("Svenska och engelska kunder välkomna.", ()),
        ("Thai massage nära Liljeholmen.", ()),
        ("Svenska.", ()),
        ("English girl in Stockholm.", ()),
    ],
)
def test_a_sentence_that_lists_languages(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


def test_languages_keep_the_order_written_across_cues_and_lists() -> None:
    assert languages_offered("English only. Pratar svenska också") == ("en", "sv")


def test_normalize_ad_reads_the_new_forms_together() -> None:
    ad = normalize_ad(
        "Deutsche Frau in Malmö",
        "Hallo! Ich bin Heike, 41, Deutsche, wohne in Malmö. Deutsch und Englisch. 1 Stunde 2000 kr.",
        "Malmö",
    )
    assert (ad.age, ad.price_sek_per_hour, ad.languages_offered) == (41, 2000, ("de", "en"))


# Set S (issue 17): phrasings of my own for the families set S missed, with traps.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Megan ✨ 24 ✨ Borlänge ✨ 1h 2000", 24),  # emoji between a name and its number
        ("Mia | 26 | Malmö | 1h 1800", 26),
        ("Lina 💋 31 💋 Ring mig", 31),
        ("Меня зовут Алина, мне 29. Сейчас в Västerås", 29),  # "I am 29" in visitors' languages
        ("Hola, tengo 27, latina", 27),
        ("Bonjour, j'ai 33, française", 33),
        ("Cześć, mam 35, Polka", 35),
        # a range of ages is several people, no advertiser's age
        ("Flickor 20-30 år. Bokning via telefon.", None),
        ("VIP agency, models 20-28 y.o., outcall only", None),
        ("Tjejer 18 till 25 år välkomna", None),
        ("Chicas de 20 a 30 años", None),
        # traps: a price, a duration or a time after an emoji is no age
        ("Pris ✨ 25 min 900 kr", None),
        ("Ring ☎ 20 kr/min", None),
    ],
)
def test_set_s_age_families(body: str, age: int | None) -> None:
    found = find_age(body)
    assert (found.value if found else None) == age


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("Pris 2000 för 60 min. Skicka PM.", 2000),  # an amount before "för" and the duration it prices
        ("Pris 1500 för en timme per tjej.", 1500),
        ("1800 for 1 hour, incall", 1800),
        ("En timme kostar 1500.", 1500),  # a verb between the duration and its amount
        ("1 hour costs 1800", 1800),
        ("Una hora 2200 kr. Llámame", 2200),  # "one hour" in words, visitors' languages
        ("Eine Stunde 1900 kr", 1900),
        ("Godzina 1200 kr. Telefon", 1200),  # an hour word alone
        ("Pris 1 time 2000 kr (NOK 2100).", 2000),  # Norwegian and Danish "time"
        # traps: a half hour is no hour, another duration after "för" gives none
        ("halv timme 1000. ring mig", None),
        ("Media hora 1000 kr", None),
        ("Pris 1500 för 30 min", None),
        ("Bor 300 för 2 h", None),
        ("Jag har tid en timme, sen jobbar jag", None),
    ],
)
def test_set_s_price_families(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("💖 Tess 💖 24 år 📍 centralt 🗣 rumänska/polska/thai 💰 1h 2500", ("ro", "pl", "th")),  # the emoji cue
        ("🗣️ polska 💰 1h 1200 📲 070", ("pl",)),
        ("💰 1h 2000 💰 🗣 svenska/engelska 🗣", ("sv", "en")),
        ("Hablo español, inglés y catalán.", ("es", "en", "ca")),
        ("Vorbesc romana, engleza, italiana.", ("ro", "en", "it")),
        ("My number is on the site. English only please.", ("en",)),
        ("Ring mig. Svenska endast tack!", ("sv",)),
        # traps: no cue, or a name inside a sentence
        ("💖 Svenska tjejer 💖 i Malmö", ()),
        ("English only please call me after six", ()),
    ],
)
def test_set_s_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Sets Q and R (issue 17): "snackar" as a cue, lists after an emoji or a symbol, a list of two or more ending its
# sentence after a comma, a filler after the last name, a language's own name in its own script alone, "・" between
# names, more names (Swahili, Japanese, Türkçe, latviešu). Phrasings of my own, with traps.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Snackar svenska och lite tyska. Ring!", ("sv", "de")),
        ("💋 Ella 💋 Svenska / English 💋 1h 2000", ("sv", "en")),
        ("Ring 070 ☎️ Polish / English", ("pl", "en")),
        ("Mia, 24 y/o, Polish & English. Outcall only.", ("pl", "en")),
        ("Hej! Polska, engelska, svenska lite. 1h 1500", ("pl", "en", "sv")),
        ("English, Spanish, a little Swedish.", ("en", "es", "sv")),
        ("Massage 60 min 700 kr. 中文.", ("zh",)),
        ("โทร 070. ภาษาไทย", ("th",)),
        ("Bokning 070. 日本語・English", ("ja", "en")),
        ("🌸 60 min 750 kr 🌸 ไทย English", ("th", "en")),
        ("Massage. 中文 English", ("zh", "en")),
        ("Massage. 中文 massage", ()),
        ("Speak English and Kiswahili.", ("en", "sw")),
        ("Türkçe, English.", ("tr", "en")),
        # traps: names inside a sentence, a single Latin name alone, a list going on after a comma
        ("Jag gillar svenska och engelska kunder.", ()),
        ("Mia, 24 år, svenska. Ring", ()),
        ("Välkommen, svenska & engelska män, hör av er", ()),
        ("💋 Svenska tjejer 💋", ()),
    ],
)
def test_set_qr_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Sets Q and R (issue 17): a body without capitals opening with a name and the age, the digits of an age split by a
# sign ("2-4 år"), Russian "год" after 21, 31, ... Phrasings of my own, with traps.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("therese 22 bast eda timpris 1200 swish", 22),
        ("kim 26, ny i stan. ring mig", 26),
        ("J-o-h-a-n-n-a 2-5 år. Ring", 25),
        ("S-a-r-a 2-6 y/o, new here", 26),
        ("Привет! Оля, 21 год. Звони", 21),
        # traps: a first word that is no name, a number with a unit, capitals, a range of ages
        ("ring 22 eller sms", None),
        ("kim 26,5 cm lång", None),
        ("Rum 41 på hotellet", None),
        ("Öppet 1-2 timmar", None),
        ("Erfarenhet 2.5 years", None),
        ("Bott i Sverige 2-3 år", None),
        ("flickor 20-30 år välkomna", None),
    ],
)
def test_set_qr_age_families(body: str, age: int | None) -> None:
    found = find_age(body)
    assert (found.value if found else None) == age


# Sets Q and R (issue 17): an hour and its price in separate parts of a sentence ("Minst 1 timme, 2000 kr"), a slash
# between a duration and its bare amount ("1h/1500"), minutes and hours in Chinese, Japanese and Thai, and a half
# hour before a bare amount that is that amount's ("1h 2000 SEK / 1/2h 1400"). Phrasings of my own, with traps.
@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("Minst 1 timme, 1800 kr + resa.", 1800),
        ("Priser: 1h/1600, 2h/3000, natt 9 000 kr.", 1600),
        ("按摩 60分 800kr", 800),
        ("นวด 1 ชั่วโมง 700 kr", 700),
        ("นวด 60 นาที 750 kr", 750),
        ("1 tim 2200 SEK / 30 min 1500", 2200),
        # traps: another duration, a half hour joined to its amount, an extra after the hour
        ("Min 1 timme, 30 min 1000 kr", None),
        ("1500kr/30min", None),
        ("1 timme, sen 2000 kr extra", None),
        ("Priser: 30min/1000", None),
    ],
)
def test_set_qr_price_families(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ("นวด โทร 070-174 06 12 ไทย English 1 ชั่วโมง 800 kr", ("th", "en")),
        ("Ring 070-174 06 12 Svenska/English", ("sv", "en")),
        # traps: names inside a sentence after the number
        ("Ring 070-174 06 12 svenska tjejer väntar", ()),
        ("Ring 070-174 06 12 svenska och engelska kunder", ()),
    ],
)
def test_a_list_of_languages_right_after_a_phone_number(body: str, codes: tuple[str, ...]) -> None:
    # the number is blanked before languages are read: the gap it leaves starts a sentence (set R)
    assert normalize_ad(None, body, None).languages_offered == codes


# Issue 17, sets T and U: "talk" is a cue; a Swedish compound of a language and "talande" that ends its clause;
# Kurdish; "un poco de" before a name in a list. Traps: the clients' language, a nationality, talk without a name.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Hej! Ny i stan. I talk Portuguese, Spanish, English", ("pt", "es", "en")),
        ("Timme 1400:- I talk English", ("en",)),
        ("She talks Russian and English.", ("ru", "en")),
        ("Trevlig tjej 28 år. Svensktalande.", ("sv",)),
        ("Bara svenska talande. 1 timme 1900:-", ("sv",)),
        ("Massös, engelsktalande, 60 min 800 kr", ("en",)),
        ("Arabisktalande och svensktalande.", ("ar", "sv")),
        ("Jag talar kurdiska och svenska.", ("ku", "sv")),
        ("Hola! Español, English, un poco de svenska. Contact", ("es", "en", "sv")),
        # traps
        ("Svensktalande kunder välkomna", ()),
        ("Vera 29, svensk/rysk. 1 tim 2800.", ()),
        ("Let's talk later, 1 h 2000 kr", ()),
    ],
)
def test_set_tu_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Issue 17, sets V and W: one of the "only" words before a single name or a list ("Bara svenska.", "Only English
# please."); Bulgarian, Czech, Slovak, Lithuanian and Hungarian cues and names. Traps: a nationality, "bara svenska"
# inside a sentence about clients, a word after the name.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Tanja 40. 30min 1200:-. Bara svenska. Inga dolda nummer.", ("sv",)),
        ("Endast engelska! 1 tim 1500", ("en",)),
        ("Only English please.", ("en",)),
        ("Hallo. Nur Deutsch.", ("de",)),
        ("Endast svenska och engelska.", ("sv", "en")),
        ("Говоря български и английски.", ("bg", "en")),
        ("Говоря руски и немски. 1 час", ("ru", "de")),
        ("Magyar, English, Deutsch.", ("hu", "en", "de")),
        ("Mluvím česky, německy a anglicky.", ("cs", "de", "en")),
        ("Hovorím slovensky a anglicky.", ("sk", "en")),
        ("Slovenčina, english.", ("sk", "en")),
        ("Kalbu lietuviškai, rusiškai ir angliškai.", ("lt", "ru", "en")),
        ("Lietuvių, русский, English.", ("lt", "ru", "en")),
        ("Kati 40, beszélek magyarul és angolul.", ("hu", "en")),
        # traps
        ("Bara svenska tjejer här.", ()),
        ("Jag tar bara svenska kunder.", ()),
        ("Hej. Bara svenska män.", ()),
        ("Only english, no russian men.", ()),
        ("Hi, Kasia 26. Polish. Huskvarna.", ()),
        ("Vera 40 från Tjeckien. Ystad.", ()),
    ],
)
def test_set_vw_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Sets X and Y: a list after "jag kan" / "vi kan" / "i know" wherever the lead stands. Traps: a list inside a
# sentence about clients, one name after the lead, no list.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Jag kan svenska, engelska och persiska.", ("sv", "en", "fa")),
        ("1h 3000kr Jag kan svenska, engelska och persiska. Jag är 45 år.", ("sv", "en", "fa")),
        ("Hej! Vi kan engelska och ryska.", ("en", "ru")),
        ("Jag kan även tyska och engelska.", ("de", "en")),
        ("Jag pratar svenska and English, 也说中文.", ("sv", "en", "zh")),
        ("Nuan 45. พูดไทย.", ("th",)),
        ("我说你好", ()),
        # traps
        ("Jag kan svenska tjejer.", ()),
        ("Jag kan ta svenska och engelska kunder.", ()),
        ("Jag kan komma till dig.", ()),
    ],
)
def test_set_xy_language_lead(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Issue 17, sets T and U: a terse header "Place. 32. 1700/h." gives the age; a dash between a duration and its amount
# in a list of prices ("60 min - 1700 SEK / 30 min - 1000 SEK"). Traps.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Falköping. 32. 1700/h. +46701740692", 32),
        ("Lilla Edet. 29. 1500/h", 29),
        ("Vellinge. 25. 1600/h. nr i rubriken", 25),
        ("Vecka. 47 i stan", None),  # no full stop after the number
        ("Norsjö. 12. Ring", None),  # below any age
        ("Hej. 10.30 ses vi", None),  # a time
        ("Stockholm. 24/7. Ring", None),
    ],
)
def test_set_tu_age_families(body: str, age: int | None) -> None:
    found = find_age(body)
    assert (found.value if found else None) == age


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("60 min - 1700 SEK / 30 min - 1000 SEK", 1700),
        ("30 min: 1000 kr / 60 min: 1700 kr", 1700),
        ("30 min – 1100 kr / 1 timme – 1900 kr", 1900),
        ("1500 kr / 30 min", None),  # the duration joined to the amount
        ("2000 kr / 60 min - ring", 2000),
        # an arrow from an old price to the new one
        ("20% rabatt! Ordinarie 2000 kr/timme → 1600 kr. Adress", 1600),
        ("Timme: 1800:- -> 1500:- denna vecka", 1500),
        ("1h 2000 kr => 1700 kr", 1700),
        ("30 min 1000 kr -> 1h 1800 kr", 1800),  # a list with an arrow: each amount keeps its own duration
        ("1h 2000 kr, 2h 3500 kr", 2000),
    ],
)
def test_set_tu_price_families(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


# Issue 17, set U: a number the ad takes back at once is no age ("Sexig 19-åring? Nej, 39"). Traps: "nej" before
# a duration or another sentence's words.
@pytest.mark.parametrize(
    ("title", "body", "age"),
    [
        ("Sexig 19-åring? Nej, 39 😂", "Hej, jag är 39 och bor i Gnesta.", 39),
        ("Lisa 22? No, 32", "Call me", 32),
        (None, "Jag är 25 år... nej förlåt, 35 år. Ring", 35),
        (None, "Jag är 24 år. Nej, 60 min 1500", 24),
        (None, "Jag är 24 år, no 18-åringar, ring", 24),
        ("Anna 25", "Ingen stress. Nej till oskydd, 1500 kr", 25),
    ],
)
def test_set_u_retracted_age(title: str | None, body: str, age: int) -> None:
    found = find_age(body, title=title)
    assert found is not None and found.value == age


# Issue 17, sets V and W: age words of more visitors' languages; mathematical bold or double-struck letters and digits
# are read as plain ones (age and price). Traps: a number of years that is no age.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Finsk nainen. Puhun suomea. 45 vuotta. 1 tunti 1500 kr.", 45),
        ("Ny i stan, tjej 30 metų. 1h 1800 kr", 30),
        ("Здравей, аз съм Мила, 25 години. 1 час 2000 kr", 25),
        ("𝐕𝐞𝐫𝐨𝐧𝐢𝐤𝐚 𝟐𝟔 𝐒𝐭𝐨𝐜𝐤𝐡𝐨𝐥𝐦 𝟏𝐡 𝟑𝟓𝟎𝟎", 26),
        ("𝕃𝕚𝕤𝕒 𝟛𝟚 å𝕣. 𝟙𝕙 𝟚𝟘𝟘𝟘 𝕜𝕣", 32),
        # traps
        ("Olen ollut täällä 2 vuotta. 1h 1500 kr", None),
        ("𝟏𝐡 𝟑𝟓𝟎𝟎 𝐤𝐫", None),
    ],
)
def test_set_vw_age_families(body: str, age: int | None) -> None:
    assert normalize_ad(None, body, None).age == age


@pytest.mark.parametrize(
    ("body", "price"),
    [
        ("𝐕𝐞𝐫𝐨𝐧𝐢𝐤𝐚 𝟐𝟔 𝐒𝐭𝐨𝐜𝐤𝐡𝐨𝐥𝐦 𝟏𝐡 𝟑𝟓𝟎𝟎", 3500),
        ("𝕃𝕚𝕤𝕒 𝟛𝟚 å𝕣. 𝟙𝕙 𝟚𝟘𝟘𝟘 𝕜𝕣", 2000),
        ("𝟑𝟎 𝐦𝐢𝐧 𝟏𝟎𝟎𝟎 𝐤𝐫, 𝟏 𝐭𝐢𝐦𝐦𝐞 𝟏𝟖𝟎𝟎 𝐤𝐫", 1800),
        # a dash between a duration and its bare amount
        ("Nu i Växjö!! ❤️ 1h-2000 ❤️ 2h-3500 ❤️", 2000),
        ("Priser: 30 min-1000, 1 tim-1800.", 1800),
        ("1h – 1700 / 2h – 3000", 1700),
        # traps
        ("Öppet 1h-2h, 10-22", None),
        ("Ring 1h-20 min innan", None),
    ],
)
def test_set_vw_price_families(body: str, price: int | None) -> None:
    assert normalize_ad(None, body, None).price_sek_per_hour == price


# Sets X and Y: "t" for an hour ("1t 2000 kr"), an amount in thousands with "k" before a rate or after an hour
# ("2k/timme", "1h 2,5k"). Traps: "4k video", a night, "2k från stan".
@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("Thea 28. 1t 2000 kr.", 2000),
        ("1 t 1800 kr, 2 t 3400 kr", 1800),
        ("Stina 29. 2k/timme.", 2000),
        ("2,5k per h", 2500),
        ("30 min 1k, 1h 2k", 2000),
        ("Timme 2k", 2000),
        # traps
        ("Kolla 4k video", None),
        ("Hotell 2k från stan", None),
        ("2k för natt", None),
    ],
)
def test_set_xy_price_families(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


# Sets Z and AB (issue 17): "26å", "år" cut to its first letter, glued to the number (as written: folded it would be
# "26a", a street or flat number); a compound that ends in a size or number word before a number is no name
# ("Klänningsstorlek 36"). Traps.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Hej!\n26å\nRing mig", 26),
        ("• Talar italienska • 28å • Jag tar emot i Luleå", 28),
        ("Besöker Ängelholm v.23 · 44å · 1500 SEK/h", 44),
        ("Storgatan 26a, lgh 12A", None),  # a street and a flat
        ("Bor på Storgatan 26 å ...", None),  # not glued
        ("Pris 1500 kr, 2å i rad", None),  # below any age
        ("Klänningsstorlek 36, skostorlek 38.", None),
        ("Anna 36, klänningsstorlek 38", 36),
    ],
)
def test_set_z_ab_age_families(body: str, age: int | None) -> None:
    assert _age(body) == age


# Sets Z and AB: a negation right before a language name denies it ("tyvärr ingen svenska", "no Swedish sorry").
# Traps: "inte bara svenska utan även engelska" keeps both; "no" before another word.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Pratar spanska (tyvärr ingen svenska)", ("es",)),
        ("I speak French, English, no Swedish sorry", ("fr", "en")),
        ("Pratar engelska, inte svenska.", ("en",)),
        ("Pratar inte bara svenska utan även engelska.", ("sv", "en")),
        ("Pratar svenska och engelska. No problem.", ("sv", "en")),
        ("Jag pratar svenska, no stress", ("sv",)),
    ],
)
def test_set_z_ab_language_negations(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Set AC: an amount right after a plus is a surcharge, no duration's price ("Hotel outcall +300 SEK taxi fee · 1h
# 1500 SEK" gave 300). Traps: the hour's price itself stays, with or without a surcharge before or after it.
@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("Utcall +400 kr resa · 1 timme 1800 kr", 1800),
        ("Incall 1h 1700 SEK, outcall + 500 SEK taxi", 1700),
        ("Extra: +200 kr per timme för hotell. Pris: 60 min 2200 kr", 2200),
        ("+500 kr per extra timme", None),  # a surcharge alone: no hourly price
        ("1 timme 2000 kr", 2000),
        ("Minst 1 timme, 2000 kr + resa", 2000),
        ("Tel +46 70 174 06 12. 1h 1500 kr", 1500),
    ],
)
def test_set_ac_a_surcharge_is_no_hourly_price(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


# Set AD: bare lists of language names standing as a part of their own ("Hindi, English, Swedish", "English & Yoruba",
# "Spanish • English • Swedish"), names and cues of more languages (Bosnian "Govorim bosanski", Turkish "Türkçe ve
# İngilizce konuşuyorum", Dutch "Ik spreek Nederlands en Engels"). Traps: a nationality ("Indian/Swedish"), names
# inside a sentence (food, films, a park), a bullet list of other words, a Turkish sentence that goes on.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Hej\nHindi, English, Swedish\nRing", ("hi", "en", "sv")),
        ("Priya, 30, Indian\nHindi & English\n", ("hi", "en")),
        ("English & Yoruba\n", ("en", "yo")),
        ("Korean & English\n", ("ko", "en")),
        ("Hej!\nSpanish • English • Swedish\n", ("es", "en", "sv")),
        ("Govorim bosanski, svenska, English", ("bs", "sv", "en")),
        ("Türkçe ve İngilizce konuşuyorum.", ("tr", "en")),
        ("Ik spreek Nederlands en Engels.", ("nl", "en")),
        ("Maya, 28, Indian/Swedish\nNorrköping", ()),
        ("Hindi filmer och engelska böcker", ()),
        ("Korean BBQ • English breakfast", ()),
        ("Vi har korean & english tea", ()),
        ("Massage • Tantra • Nuru\n", ()),
        ("Türkçe ve İngilizce biliyorum ama konuşmuyorum", ()),
        ("Bosanski lonac och svensk mat", ()),
        ("Nederlands hus, Engels trädgård", ()),
    ],
)
def test_set_ad_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Set AD: a number with a plus in the title is an age class ("Kvinna 50+ i Falun"), no age; the body's stated age
# wins. Traps: a name and an age in the title stay ("Anna 52 i Falun"); no age stated: none.
@pytest.mark.parametrize(
    ("title", "body", "age"),
    [
        ("Kvinna 50+ i Falun", "Mogen kvinna, 54 år, i Falun", 54),
        ("Mogen 40 + i Umeå", "Erfaren dam, 47 år", 47),
        ("Kvinna 50+ i Falun", "Mogen kvinna i Falun", None),
        ("Anna 52 i Falun", "Mogen kvinna i Falun", 52),
    ],
)
def test_set_ad_an_age_class_in_the_title_is_no_age(title: str, body: str, age: int | None) -> None:
    assert _age(body, title=title) == age


# Set AD: the Dutch hour word ("1 uur: 2000 kr"). Traps: "24 uur per dag" is opening hours, not a price's duration.
@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("1 uur: 2000 kr", 2000),
        ("30 min 1200 kr, 1 uur 2000 kr", 2000),
        ("Ring 24 uur per dag. 1500 kr", None),
    ],
)
def test_set_ad_dutch_hour_word(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


# Set AE: a list of names with "OK" after it ("日本語, English OK"), names in parts between bars ("Русский | English"),
# Somali, Estonian names and cue ("Räägin eesti, vene ja inglise keelt"), Ukrainian names in the instrumental after
# "Розмовляю". Traps: a list with a word after "OK", bars around other words, Estonian names without a cue or a list.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Mei, 24\n中文, English OK\n1h 2000 kr", ("zh", "en")),
        ("Svenska, engelska ok.", ("sv", "en")),
        ("Anna 26\nРусский | English\n1h 2000 kr", ("ru", "en")),
        ("Sara 24 | svenska | english | 1h 2000 kr", ("sv", "en")),
        ("Språk: somaliska, svenska, engelska.", ("so", "sv", "en")),
        ("Räägin eesti, vene ja inglise keelt.", ("et", "ru", "en")),
        ("Розмовляю українською та англійською.", ("uk", "en")),
        ("Розмовляю російською і шведською.", ("ru", "sv")),
        ("Svenska och engelska ok kunder", ()),
        ("Anna | Svenska | 1h 2000", ()),
        ("Svenska tjejer | English girls", ()),
        ("Eesti tüdruk Vene tänaval", ()),
        ("Somali tjej i Rinkeby", ()),
    ],
)
def test_set_ae_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Set AE: the Ukrainian "рік" (year) after an age ("Оксана, 31 рік"). Trap: a year ("у 2023 рік") is no age.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Оксана, 31 рік, Мальме.", 31),
        ("Мені 29 рік", 29),
        ("Переїхала у 2023 рік", None),
    ],
)
def test_set_ae_ukrainian_year_word(body: str, age: int | None) -> None:
    assert _age(body) == age


# Set AE: a genitive hour before the service it measures prices an hour ("1 timmes helkroppsmassage 900 kr"). Traps: a
# wait, a trip, a notice ("1 timmes väntan 500 kr", "1 timmes resa", "1 timmes varsel") and two hours.
@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("1 timmes helkroppsmassage 900 kr", 900),
        ("Massage\n1 timmes massage 1100 kr\n2 timmars massage 2000 kr", 1100),
        ("1 timmes väntan 500 kr", None),
        ("Efter 1 timmes resa: 300 kr extra", None),
        ("1 timmes varsel. 30 min 900 kr", None),
        ("2 timmes massage 1800 kr", None),
    ],
)
def test_set_ae_a_genitive_hour_before_a_service(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour


# Set AF: a name and its number as a part of their own, between line breaks or bars, with the next part's number or
# unit after it ("Jennie 41\nTimme 1500", "| Elsa 34 | 1 tim 2000 kr |"), and a person word with a place and a
# comma before the age ending its sentence ("Student in Umeå (Ålidhem), 22."). Traps: the words numbers follow, a
# street, a duration across a line break ("Massage 60\nmin 800 kr"), a unit after the place's number.
@pytest.mark.parametrize(
    ("body", "age"),
    [
        ("Endast lördagar\nJennie 41\nTimme 1500\nTel 070-174 06 12", 41),
        ("| Jennie 41 | Timme 1500 |", 41),
        ("Linnéa 34 | Timme 1800", 34),
        ("Vintersäsong ⛷️\nLinnea 28\n1 tim 2500 kr", 28),
        ("Elsa 34\n1 time/1 timme 2000 kr", 34),
        ("Student in Umeå (Ålidhem), 22. I speak English.", 22),
        ("Tjej i Malmö, 25.", 25),
        ("Info\n| Timme 1800 |\n| Rum 18 |\n| Vecka 47 | 1 tim 2000 kr", None),
        ("| Storlek 38 | Timme 1500", None),
        ("Incall\nStorgatan 12\nTimme 1500", None),
        ("Massage 60\nmin 800 kr", None),
        ("Lisa 25\nNina 27\nTimme 1500", None),
        ("Tjej i Umeå (centrum), 25 kvadrat", None),
        ("Tjej i Malmö (centrum), 25 min från stationen", None),
    ],
)
def test_set_af_age_families(body: str, age: int | None) -> None:
    assert _age(body) == age


# Set AF: the Vietnamese cue "Nói tiếng", names joined after a glued cue's name ("พูดไทย, svenska lite", "说中文, lite
# svenska"), a list as a part of its own between "·", "only" with a polite word after a comma ("English only, sorry!"),
# the Hungarian join "és" and "beszélek" after a list, Persian in its own script with "صحبت می‌کنم" and more names
# after it. Traps: the Thai name "Noi", names joined after a glued cue that go on into a sentence, a nationality
# between "·", "sorry" that goes on, a list that goes on after "beszélek" or after the Persian cue.
@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Lan 41 – massage 60 min 800 kr. Nói tiếng Việt, lite svenska. Tel", ("vi", "sv")),
        ("Noi 45 ปี\nพูดไทย, svenska lite\nTimme 900 kr", ("th", "sv")),
        ("Nok 35. พูดไทย, engelska.", ("th", "en")),
        ("Li, 38 岁. 说中文, lite svenska.\nMassage 60 min 1200 kr", ("zh", "sv")),
        ("Olivia · 24 · Swedish/English · Linnéstaden · 1 hour 2200 SEK", ("sv", "en")),
        ("Charlotte, 34. English only, sorry!\n1 hour 2200 SEK", ("en",)),
        ("Svenska endast, tack.", ("sv",)),
        ("Réka, 26 éves. Magyarul és angolul beszélek.\n1 óra 1900 kr", ("hu", "en")),
        ("Nilufar 33. فارسی صحبت می‌کنم och svenska.\nTimme 1800 kr", ("fa", "sv")),
        ("Noi 45, thai massage och svenska tjejer", ()),
        ("Noi, svenska killar", ()),
        ("พูดไทย, svenska tjejer", ("th",)),
        ("说中文, English breakfast", ("zh",)),
        ("Olivia · 24 · Swedish/Thai girl · Malmö", ()),
        ("Maya · 28 · Indian/Swedish · Norrköping", ()),
        ("English only, sorry for the mess", ()),
        ("Customers English only, sorry!", ()),
        ("Magyarul és angolul beszélek kicsit", ()),
        ("فارسی صحبت می‌کنم och svenska tjejer", ()),
    ],
)
def test_set_af_language_families(text: str, codes: tuple[str, ...]) -> None:
    assert languages_offered(text) == codes


# Set AF: the Ukrainian hour word without a number ("Година – 1800 kr") and the Estonian hour words after a number
# ("Hind 1 tund 1800 kr"), through rules/prices.yaml; the Cyrillic "мин" is minutes. Traps: "година" as a year before
# a price of another duration, two hours, an Estonian hour with no price after it.
@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("Оксана, 29 років.\nГодина – 1800 kr\nНомер: ...", 1800),
        ("Година: 1800 kr", 1800),
        ("Kadri, 31.\nHind 1 tund 1800 kr\nKontakt", 1800),
        ("В Швеция от година. 30 мин 1000 kr", None),
        ("Живея в Швеция от една година, 1000 kr за 30 мин", None),
        ("Час. 30 мин 1000 kr", None),
        ("Hind 2 tundi 3400 kr", None),
        ("1 tund tagasi. 30 min 900 kr", None),
    ],
)
def test_set_af_hour_words(text: str, per_hour: int | None) -> None:
    assert price_per_hour(find_prices(text)) == per_hour
