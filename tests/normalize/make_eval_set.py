"""Generate the labelled evaluation set ``tests/normalize/data/eval_set.jsonl``.

Deterministic (fixed seed): run ``python tests/normalize/make_eval_set.py`` and the
file is byte-identical. Every ad is fictional. Phone numbers come only from ranges
reserved for fiction: PTS's 070-174 06 05..99, 031-390 06 00..99, 040-628 04 00..99,
08-465 004 00..99 and 0980-319 200..299, and France's 01 99 00 xx xx. E-mail domains
are example.com / example.se / example.org.

Labels are written by the generator from what it put into the text, never by running
the normalizer. The set mixes templated ads (locations in the location field, the
title or the body; many phone, age and price formats; distractors such as dates,
clock times, post codes and heights) with hand-written hard cases (ambiguous names,
misspellings, stop-list words, foreign ads, HTML remnants, emoji).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED = 20250305
OUT = Path(__file__).parent / "data" / "eval_set.jsonl"

# (surface form, municipality code or None). Aliases, slang, districts, misspellings.
PLACES: list[tuple[str, str | None]] = [
    ("Stockholm", "0180"),
    ("Sthlm", "0180"),
    ("sthlm city", "0180"),
    ("Stockholms city", "0180"),
    ("Södermalm", "0180"),
    ("Vasastan", "0180"),
    ("Kista", "0180"),
    ("Stokholm", "0180"),
    ("STOCKHOLM", "0180"),
    ("Göteborg", "1480"),
    ("Gbg", "1480"),
    ("Goteborg", "1480"),
    ("Götebrog", "1480"),
    ("Hisingen", "1480"),
    ("Majorna", "1480"),
    ("Gothenburg", "1480"),
    ("Malmö", "1280"),
    ("Malmo", "1280"),
    ("Limhamn", "1280"),
    ("Möllevången", "1280"),
    ("Uppsala", "0380"),
    ("Upsala", "0380"),
    ("Linköping", "0580"),
    ("Lkpg", "0580"),
    ("Norrköping", "0581"),
    ("Norrkpg", "0581"),
    ("Nkpg", "0581"),
    ("Jönköping", "0680"),
    ("Jkpg", "0680"),
    ("Örebro", "1880"),
    ("Orebro", "1880"),
    ("Västerås", "1980"),
    ("Vasteras", "1980"),
    ("Helsingborg", "1283"),
    ("Hbg", "1283"),
    ("Umeå", "2480"),
    ("Umea", "2480"),
    ("Luleå", "2580"),
    ("Gävle", "2180"),
    ("Sundsvall", "2281"),
    ("Örnsköldsvik", "2284"),
    ("Övik", "2284"),
    ("Eskilstuna", "0484"),
    ("Södertälje", "0181"),
    ("Solna", "0184"),
    ("Sundbyberg", "0183"),
    ("Nacka", "0182"),
    ("Täby", "0160"),
    ("Mölndal", "1481"),
    ("Borås", "1490"),
    ("Halmstad", "1380"),
    ("Växjö", "0780"),
    ("Kalmar", "0880"),
    ("Karlstad", "1780"),
    ("Lund", "1281"),
    ("Kristianstad", "1290"),
    ("Falun", "2080"),
    ("Borlänge", "2081"),
    ("Trollhättan", "1488"),
    ("Skövde", "1496"),
    ("Visby", "0980"),
    ("Kiruna", "2584"),
    ("Östersund", "2380"),
    ("Norrtälje", "0188"),
    ("Huddinge", "0126"),
    ("Haninge", "0136"),
    ("Botkyrka", "0127"),
    ("Järfälla", "0123"),
    ("Sollentuna", "0163"),
    ("Lidingö", "0186"),
    ("Karlskrona", "1080"),
    ("Ystad", "1286"),
    ("Trelleborg", "1287"),
    ("Landskrona", "1282"),
    ("Kungsbacka", "1384"),
    ("Varberg", "1383"),
    ("Alingsås", "1489"),
    ("Uddevalla", "1485"),
    ("Motala", "0583"),
    ("Nyköping", "0480"),
    ("Sandviken", "2181"),
    ("Hudiksvall", "2184"),
    ("Skellefteå", "2482"),
    ("Piteå", "2581"),
    ("Enköping", "0381"),
    ("Sigtuna", "0191"),
    ("Märsta", "0191"),
    ("Arlanda", "0191"),
    ("Katrineholm", "0483"),
    ("Vara", "1470"),
    ("Mark", "1463"),
]
# Places in body text: only forms that the body rules accept.
BODY_PLACES = [p for p in PLACES if p[0] not in ("Mark", "sthlm city", "STOCKHOLM")]

NAMES = [
    "Anna",
    "Lisa",
    "Sara",
    "Emma",
    "Julia",
    "Maja",
    "Nora",
    "Elin",
    "Ida",
    "Klara",
    "Mia",
    "Bella",
    "Nikki",
    "Jasmin",
    "Lola",
    "Sofia",
    "Vera",
    "Tilda",
    "Alva",
    "Ronja",
    "Lena",
    "Maria",
    "Tina",
    "Vicky",
]
HOOKS_SV = [
    "Hej älskling!",
    "Välkommen till mig",
    "Söt och snäll tjej",
    "Diskret och ren",
    "Längtar efter dig",
    "Avslappnad stund",
    "Jag tar hand om dig",
    "Mysig och glad",
    "Ring mig så ses vi",
    "Hej du!",
]
HOOKS_EN = [
    "Hi darling!",
    "Welcome to me",
    "Sweet and friendly girl",
    "Discreet and clean",
    "Call me for a good time",
    "Relaxing time",
    "I will take care of you",
    "Cosy and happy",
]
FILLERS = [
    "Kyss 💋",
    "🌹🌹🌹",
    "Träffas inomhus",
    "Ej sms",
    "Svarar ej dolt nummer",
    "Längd 168 cm",
    "Öppet kl 10-22",
    "Tider: 10.00-22.00",
    "Bilderna är äkta",
    "Uppdaterad 2025-03-01",
    "Ledig 12/3",
    "Incall & outcall",
    "Postnr 123 45",
    "Storlek 36",
    "Vikt 55 kg",
    "Ring mellan 12-20",
    "<br>",
    "&amp;",
    "Sms:a gärna först",
    "Nr 2 av 5",
    "❤️",
    "100% diskret",
]
LANGS = [
    ("svenska", "sv"),
    ("engelska", "en"),
    ("ryska", "ru"),
    ("spanska", "es"),
    ("rumänska", "ro"),
    ("polska", "pl"),
    ("tyska", "de"),
]
LANGS_EN = [("Swedish", "sv"), ("English", "en"), ("Russian", "ru"), ("Spanish", "es"), ("Romanian", "ro")]
NUMBER_WORDS_SV = ["noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio"]
NUMBER_WORDS_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def fictional_phone(rng: random.Random) -> tuple[str, str]:
    """(national digits, E.164) from a range reserved for fiction."""
    kind = rng.random()
    if kind < 0.7:
        nat = f"07017406{rng.randint(5, 99):02d}"
    elif kind < 0.8:
        nat = f"03139006{rng.randint(0, 99):02d}"
    elif kind < 0.87:
        nat = f"04062804{rng.randint(0, 99):02d}"
    elif kind < 0.94:
        nat = f"0846500{rng.randint(400, 499)}"
    else:
        nat = f"0980319{rng.randint(200, 299)}"
    return nat, "+46" + nat[1:]


def format_phone(nat: str, rng: random.Random) -> str:
    """Write a national number the way ads do."""
    if nat.startswith("07"):
        a, b, c, d = nat[:3], nat[3:6], nat[6:8], nat[8:]
        styles = [
            f"{a}-{b} {c} {d}",
            nat,
            f"{a} {b} {c} {d}",
            f"{a}-{nat[3:]}",
            f"+46 {a[1:]} {b} {c} {d}",
            "+46" + nat[1:],
            f"0046 {a[1:]} {b} {c} {d}",
            f"+46 (0){a[1:]}-{b} {c} {d}",
            " ".join(nat),
            f"{a}.{b}.{c}.{d}",
            f"{a} {nat[3:5]} {nat[5:7]} {nat[7:]}",
            f"{a}/{nat[3:]}",
            f"({a}) {b} {c} {d}",
            _letters(f"{a}-{b} {c} {d}", rng),
            " ".join(NUMBER_WORDS_SV[int(x)] for x in nat),
            " ".join(NUMBER_WORDS_EN[int(x)] for x in nat),
            f"46 {a[1:]} {b} {c} {d}",
        ]
        return rng.choice(styles)
    if nat.startswith("08"):
        return rng.choice([f"08-{nat[2:5]} {nat[5:8]} {nat[8:]}", nat, f"+46 8 {nat[2:5]} {nat[5:8]} {nat[8:]}"])
    if nat.startswith("0980"):
        return rng.choice([f"0980-{nat[4:7]} {nat[7:]}", nat, f"+46 980 {nat[4:]}"])
    area = nat[:3]
    return rng.choice(
        [f"{area}-{nat[3:6]} {nat[6:8]} {nat[8:]}", nat, f"+46 {area[1:]} {nat[3:6]} {nat[6:8]} {nat[8:]}"]
    )


def _letters(s: str, rng: random.Random) -> str:
    out = []
    for ch in s:
        if ch == "0" and rng.random() < 0.7:
            out.append("O")
        elif ch == "1" and rng.random() < 0.5:
            out.append("l")
        else:
            out.append(ch)
    return "".join(out)


def format_age(age: int, rng: random.Random, english: bool) -> str:
    if english:
        return rng.choice([f"{age} years old", f"I'm {age}", f"age {age}", f"{age}yo", f"{age} y/o", f"Age: {age}"])
    return rng.choice(
        [f"{age} år", f"{age}år", f"Ålder: {age}", f"jag är {age}", f"{age}-årig", f"({age})", f"{age} år gammal"]
    )


def format_price(rng: random.Random, english: bool) -> tuple[str, int | None]:
    """(text, SEK per hour) where the second is the stated price of one hour (a half hour's price gives none)."""
    hour = rng.choice([1200, 1500, 1800, 2000, 2200, 2500, 3000, 3500])
    half = rng.choice([800, 1000, 1200, 1500])
    cur = rng.choice(["kr", ":-", " kr", " SEK", "kr"])
    styles: list[tuple[str, int | None]] = [
        (f"{half}{cur}/30min", None),
        (f"30 min {half}{cur}, 1h {hour}{cur}", hour),
        (f"1h {hour}{cur}", hour),
        (f"{hour}{cur}/h", hour),
        (f"Pris: {hour:,}{cur} per timme".replace(",", " "), hour),
        (f"halvtimme {half} kr, timme {hour} kr", hour),
        (f"{hour} kr för 1 tim", hour),
        (f"{half}{cur} 30 min", None),
        (f"{hour // 10}€/h", round(hour // 10 * 11.5)),
        ("Pris i sms", None),
        (f"natt {hour * 5} kr", None),
    ]
    if english:
        styles += [
            (f"{hour} SEK per hour", hour),
            (f"30 min {half} SEK", None),
            (f"{hour // 10} euro/hour", round(hour // 10 * 11.5)),
        ]
    return rng.choice(styles)


def templated(rng: random.Random, i: int) -> dict[str, Any]:
    english = rng.random() < 0.25
    name = rng.choice(NAMES)
    labels: dict[str, Any] = {
        "kommun_kod": None,
        "phones": [],
        "emails": [],
        "age": None,
        "price_sek_per_hour": None,
        "languages_offered": [],
    }
    title_parts = [name]
    body: list[str] = [rng.choice(HOOKS_EN if english else HOOKS_SV)]
    location: str | None = None
    site_city: str | None = None
    # Place
    r = rng.random()
    if r < 0.45:
        location, code = rng.choice(PLACES)
        labels["kommun_kod"] = code
    elif r < 0.65:
        place, code = rng.choice(BODY_PLACES)
        title_parts.append(f"- {place}")
        labels["kommun_kod"] = code
    elif r < 0.85:
        place, code = rng.choice(BODY_PLACES)
        body.append(
            rng.choice([f"Incall i {place}.", f"Jag finns i {place}.", f"Träffas nära {place}."])
            if not english
            else rng.choice([f"Incall in {place}.", f"I am in {place}.", f"Meet me near {place}."])
        )
        labels["kommun_kod"] = code
    elif r < 0.93:
        site, code = rng.choice([("Stockholm", "0180"), ("Göteborg", "1480"), ("Malmö", "1280"), ("Uppsala", "0380")])
        site_city = site
        labels["kommun_kod"] = code
    # else: no place at all -> unknown
    # Age
    if rng.random() < 0.8:
        age = rng.randint(18, 45)
        if rng.random() < 0.3:
            title_parts[0] = f"{name} {age}"
        else:
            body.append(format_age(age, rng, english))
        labels["age"] = age
    # Phones
    n_phones = rng.choices([0, 1, 2], [0.15, 0.75, 0.10])[0]
    for _ in range(n_phones):
        nat, e164 = fictional_phone(rng)
        if e164 in labels["phones"]:
            continue
        cue = rng.choice(["Ring", "Tel:", "Sms", "Nr:", "📞", "Call", "WhatsApp:"])
        body.append(f"{cue} {format_phone(nat, rng)}")
        labels["phones"].append(e164)
    if rng.random() < 0.1:
        mail = f"{name.lower()}{i}@example.{rng.choice(['com', 'se', 'org'])}"
        body.append(f"Mail: {mail}")
        labels["emails"].append(mail)
    # Price
    if rng.random() < 0.7:
        text, per_hour = format_price(rng, english)
        body.append(text)
        labels["price_sek_per_hour"] = per_hour
    # Languages
    if rng.random() < 0.35:
        table = LANGS_EN if english else LANGS
        chosen = rng.sample(table, rng.randint(1, 3))
        joined = ", ".join(w for w, _ in chosen)
        body.append(f"I speak {joined}." if english else f"Pratar {joined}.")
        labels["languages_offered"] = [c for _, c in chosen]
    # Distractors
    for _ in range(rng.randint(0, 3)):
        body.insert(rng.randint(1, len(body)), rng.choice(FILLERS))
    rng.shuffle(body[1:])
    return {
        "title": " ".join(title_parts),
        "body": " ".join(body),
        "location": location,
        "site_city": site_city,
        "labels": labels,
    }


def _hard(
    title: str | None,
    body: str,
    location: str | None,
    site_city: str | None = None,
    *,
    kommun: str | None = None,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
    age: int | None = None,
    price: int | None = None,
    langs: tuple[str, ...] = (),
    note: str,
) -> dict[str, Any]:
    return {
        "title": title,
        "body": body,
        "location": location,
        "site_city": site_city,
        "note": note,
        "labels": {
            "kommun_kod": kommun,
            "phones": list(phones),
            "emails": list(emails),
            "age": age,
            "price_sek_per_hour": price,
            "languages_offered": list(langs),
        },
    }


P1, P2, P3 = "+46701740612", "+46701740655", "+46701740699"
HARD: list[dict[str, Any]] = [
    _hard("Bara idag!", "Bara för dig, ring 070-174 06 12", None, note="'Bara' is a word", phones=(P1,)),
    _hard("Ny tjej", "Jag bor i Vara, 23 år", None, kommun="1470", age=23, note="stop word with location word"),
    _hard("Mysig", "Vara med mig en stund, 25 år", None, age=25, note="'Vara' as a verb"),
    _hard("Hej", "Kom till mig i Mark, ring 0701740655", None, kommun="1463", phones=(P2,), note="'Mark' with i"),
    _hard("Hej", "Mark my words, 1500kr/30min", None, note="'Mark' English word; a half hour gives no hourly price"),
    _hard("Anna", "Bor i Ed, diskret", None, note="'Ed' with a location word: the seat of Dals-Ed", kommun="1438"),
    _hard("Sexig", "Har stora bröst och svarta trosor", None, note="'Stora', 'svarta', 'trosa' are places"),
    _hard("Sara 24", "Ring mig! 070 17 40 612", None, age=24, phones=(P1,), note="odd grouping"),
    _hard(
        "Sara",
        "1500 kr 30 min, datum 2025-05-12, ring 0701740612",
        None,
        phones=(P1,),
        note="date is not a phone",
    ),
    _hard("Lisa", "Öppet 08.00-20.00 varje dag, tel 0701740699", None, phones=(P3,), note="time range"),
    _hard("Lisa", "Priser: 1 500:- / 1 tim, 2 500:- / 2 tim", None, price=1500, note="price list, no phone"),
    _hard(
        "Lisa",
        "Postnummer 113 45 Stockholm, ring 0701740655",
        None,
        kommun="0180",
        phones=(P2,),
        note="post code in body",
    ),
    _hard(None, "Ring O7O-l74 O6 l2", "Malmö", kommun="1280", phones=(P1,), note="letters for digits"),
    _hard(
        None,
        "noll sju noll, ett sju fyra, noll sex, ett två",
        "Gbg",
        kommun="1480",
        phones=(P1,),
        note="spelled Swedish",
    ),
    _hard(
        None,
        "zero seven zero one seven four zero six five five",
        "Sthlm",
        kommun="0180",
        phones=(P2,),
        note="spelled English",
    ),
    _hard(None, "Ring 0 7 0 1 7 4 0 6 9 9 🌹", "Umeå", kommun="2480", phones=(P3,), note="spaced digits"),
    _hard(None, "Tel: +46 (0)70-174 06 12 / 0701740655", "Lund", kommun="1281", phones=(P1, P2), note="two numbers"),
    _hard(
        None,
        "Call +33 1 99 00 12 34 (French number)",
        "Malmö",
        kommun="1280",
        phones=("+33199001234",),
        note="international",
    ),
    _hard(
        None,
        "Mail: anna.fiktiv (at) example (dot) com",
        "Sthlm",
        kommun="0180",
        emails=("anna.fiktiv@example.com",),
        note="obfuscated e-mail",
    ),
    _hard(
        None,
        "<p>Hej &amp; välkommen!<br/>Ring 070-174 06 12</p>",
        "Göteborg",
        kommun="1480",
        phones=(P1,),
        note="HTML remnants",
    ),
    _hard(
        None,
        "💋💋💋 ÷÷÷ 📞 ⓪⑦⓪ Привет 你好 ring 0701740612",
        "Malmö",
        kommun="1280",
        phones=(P1,),
        note="emoji and mixed scripts",
    ),
    _hard(None, "", None, note="empty"),
    _hard(None, "Haga, diskret lägenhet", "Haga", "Göteborg", kommun="1480", note="ambiguous name, site city"),
    _hard(None, "Ny i stan", "Berga", "Kalmar", kommun="0821", note="ambiguous name decided by site county"),
    _hard(None, "Ny i stan", "Köpenhamn", None, note="foreign city"),
    _hard(
        None,
        "Visiting from Oslo, in Göteborg this week",
        "Oslo",
        None,
        kommun="1480",
        note="foreign stated location, Swedish city in the body",
    ),
    _hard("Maja 19", "Ny i stan", "Norrkoping", kommun="0581", age=19, note="no diacritics"),
    _hard("Maja", "Just arrived", "Jönkpöing", kommun="0680", note="misspelling"),
    _hard("Elin", "Stockholmsområdet, 26 år", None, kommun="0180", age=26, note="compound"),
    _hard("Elin", "Jag är 170 cm lång och väger 55 kg", None, note="height is not an age"),
    _hard("Elin", "Jag är 29, ring 0701740612", None, age=29, phones=(P1,), note="jag är N"),
    _hard("Elin", "Ålder 21. Tjejer 18+ only", None, age=21, note="18+ is not the age"),
    _hard("Elin", "Age: 34, I speak English and Russian", None, age=34, langs=("en", "ru"), note="English"),
    _hard(
        "Ioana",
        "Buna! Sunt noua in oras. Vorbesc romana si engleza. 0701740655",
        "Sthlm",
        kommun="0180",
        phones=(P2,),
        langs=("ro", "en"),
        note="Romanian",
    ),
    _hard(
        "Carla",
        "Hola, soy nueva en la ciudad. Hablo español. Tel 0701740612",
        "Malmo",
        kommun="1280",
        phones=(P1,),
        langs=("es",),
        note="Spanish",
    ),
    _hard("Lena", "Только сегодня! Звони 070-174 06 99", "Örebro", kommun="1880", phones=(P3,), note="Russian"),
    _hard("Tina", "Ring 070-174 06 12 eller 070-174 06 12", None, phones=(P1,), note="same number twice"),
    _hard(
        "Tina",
        "Tel 031-390 06 12, mobil 0701740655",
        "Gbg",
        kommun="1480",
        phones=("+46313900612", P2),
        note="landline and mobile",
    ),
    _hard(
        "Tina",
        "Pris 2000kr/h. Ring 08-465 004 12",
        "Stockholm",
        kommun="0180",
        phones=("+46846500412",),
        price=2000,
        note="Stockholm landline",
    ),
    _hard("Mia", "Diskret i Visby. 0980-319 212", None, kommun="0980", phones=("+46980319212",), note="Gotland"),
    _hard("Mia", "Bara tre dagar i Kalmar! 1200kr/30min", None, kommun="0880", note="touring"),
    _hard("Mia", "Ring 0701740612kr", None, note="a mobile number glued to 'kr' is still a phone", phones=(P1,)),
    _hard("Mia", "12/05/2025 - 15/05/2025 i Luleå", None, kommun="2580", note="dates"),
    _hard("Mia", "Order nr 07012345 är inte ett telefonnummer", None, note="short number"),
    _hard("Mia", "Ring 0701740612", "Södermalm, Stockholm", kommun="0180", phones=(P1,), note="two places agree"),
    _hard("Mia", "Träffas i Solna eller Sundbyberg", None, kommun="0184", note="two places, first wins"),
    _hard(
        "Vicky 22",
        "Ny i Malmö. Pratar svenska & engelska",
        None,
        kommun="1280",
        age=22,
        langs=("sv", "en"),
        note="languages with &",
    ),
    _hard("Vicky", "Hon är 21 år och pratar ryska", "Gbg", kommun="1480", age=21, langs=("ru",), note="third person"),
    _hard("Vicky", "Kontakt via telegram: vicky_fiktiv", "Gbg", kommun="1480", note="handle only"),
    _hard("Vicky", "x" * 5000 + " ring 0701740612", "Gbg", kommun="1480", phones=(P1,), note="long text"),
    _hard("Nora", "Hej, jag heter Nora och är 27 år gammal", "Övik", kommun="2284", age=27, note="slang Övik"),
    _hard("Nora", "I'm 31, new in town", "hbg", kommun="1283", age=31, note="lowercase slang"),
    _hard("Nora", "Tjugotvå år och ny i stan", "Eskilstuna", kommun="0484", age=22, note="spelled age"),
    _hard("Nora", "Träffas på hotell nära Arlanda", None, kommun="0191", note="airport"),
    _hard("Nora", "Incall i Kista centrum", None, kommun="0180", note="district"),
    _hard("Nora", "Jag finns på Hisingen", None, kommun="1480", note="district with 'på'"),
    _hard("Nora", "Mitt nummer: +46 70 174 06 55", None, phones=(P2,), note="+46"),
    _hard("Nora", "Mitt nummer: 0046 70 174 06 55", None, phones=(P2,), note="0046"),
    _hard("Nora", "Priser från 500 kr. 30min 1000kr, 60min 1800kr", None, price=1800, note="price list"),
    _hard("Nora", "Kl 10-22. 070 174 06 12", None, phones=(P1,), note="opening hours before phone"),
]


def main() -> None:
    rng = random.Random(SEED)
    rows: list[dict[str, Any]] = []
    for i, ad in enumerate(HARD):
        rows.append({"id": f"hard-{i:03d}", "kind": "hard", **ad})
    i = 0
    while len(rows) < 640:
        ad = templated(rng, i)
        rows.append({"id": f"tmpl-{i:04d}", "kind": "template", **ad})
        i += 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} ads to {OUT}")


if __name__ == "__main__":
    main()
