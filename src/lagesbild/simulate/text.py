"""Ad text the way real Swedish sex-ad sites show it, kept neutral and non-explicit.

An :class:`AdWriter` renders one ad version at a time: title, body, the stated location,
price, name and the phones and e-mail address of the contact fields. Every seller (or
network) has a *style*: a fixed choice of templates and phrases, so that a seller's ads
look alike across reposts and sites, and a network's ads for different sellers share a
template with slot-filled variations (name, age, city). Locations are written as real
ads write them: slang ("Sthlm", "Gbg", "Norrkpg"), districts ("Södermalm", "Hisingen"),
landmarks ("nära Centralen"), "city"/"centrum" suffixes and occasional misspellings.
Phones appear in the text in many formats, some obfuscated ("O7O 1740612", digits as
words), and touring ads say so ("Ny i stan!", "Bara 3 dagar i Linköping").

Text is drawn from a :class:`random.Random` seeded from the run's seed: it is fast
(hundreds of thousands of versions) and deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lagesbild.refdata import municipalities
from lagesbild.simulate.config import TextConfig
from lagesbild.simulate.identifiers import BODY_PHONE_STYLES, FIELD_PHONE_STYLES, format_phone

__all__ = ["NAMES", "AdText", "AdWriter", "location_variants"]

NAMES = (
    "Lisa",
    "Anna",
    "Sara",
    "Emma",
    "Julia",
    "Elin",
    "Nora",
    "Mia",
    "Linda",
    "Sofia",
    "Bella",
    "Nina",
    "Jessica",
    "Angelica",
    "Camilla",
    "Diana",
    "Elena",
    "Maria",
    "Natalia",
    "Olga",
    "Irina",
    "Alina",
    "Bianca",
    "Ioana",
    "Andreea",
    "Carla",
    "Lucia",
    "Paula",
    "Valentina",
    "Gabriela",
    "Fernanda",
    "Juliana",
    "Kasia",
    "Agnieszka",
    "Zsofia",
    "Reka",
    "Petra",
    "Vanessa",
    "Nicole",
    "Lola",
    "Mimi",
    "Lana",
    "Candy",
    "Amber",
    "Jasmine",
    "Kim",
    "Nok",
    "Ploy",
    "Fon",
    "May",
    "Sandra",
    "Tina",
    "Vera",
    "Yasmin",
    "Lejla",
    "Amanda",
    "Klara",
    "Moa",
    "Tilda",
)

# Slang, districts and landmarks per municipality; other municipalities use their name with suffixes.
_SLANG: dict[str, tuple[str, ...]] = {
    "0180": (
        "Sthlm",
        "Stockholm city",
        "Södermalm",
        "Kungsholmen",
        "Östermalm",
        "Norrmalm",
        "Stockholm C",
        "Sthlm city",
    ),
    "1480": ("Gbg", "Göteborg centrum", "Hisingen", "Gothenburg city", "Göteborg C", "Götebrog"),
    "1280": ("Malmö C", "Malmö centrum", "Malmoe", "Möllevången"),
    "0581": ("Norrköping city", "Norrkpg", "Nkpg", "Norrköpping"),
    "0580": ("Lkpg", "Linköping city", "Linköping centrum", "Linkopping"),
    "0680": ("Jkpg", "Jönköping city", "Jönkoping"),
    "1283": ("Hbg", "Helsingborg C"),
    "0380": ("Uppsala C", "Upsala"),
    "1880": ("Örebro C", "Örebro city"),
    "1980": ("Västerås C", "Västerås city"),
    "2180": ("Gävle city",),
    "0780": ("Växjö city",),
}
_LANDMARK_SV = ("nära Centralen", "nära stationen", "centralt", "nära centrum", "lugnt läge nära city")
_LANDMARK_EN = ("near Central station", "city center", "central location")


def location_variants(kommun: str) -> tuple[str, ...]:
    """Ways an ad writes the place of municipality ``kommun`` (the plain name first)."""
    name = municipalities()[kommun].name
    return (name, *_SLANG.get(kommun, (f"{name} centrum", f"{name} city")))


@dataclass(frozen=True, slots=True)
class AdText:
    """One rendered ad version."""

    title: str
    body: str
    location: str
    price: str
    name: str
    language: str
    phones: list[str]
    emails: list[str]


_T_SV = (
    "{new}{name} {age} år i {loc}",
    "Söt tjej i {loc} – {name}, {age}",
    "{name} ({age}) {loc}{new_suffix}",
    "Massage och sällskap i {loc}",
    "Trevlig tjej {landmark} – {name}",
    "{name} {age} – {loc}",
)
_T_EN = (
    "{new}{name} {age} in {loc}",
    "Sweet girl in {loc} – {name}",
    "{name} ({age}) {loc}{new_suffix}",
    "Massage and company in {loc}",
)
_OPEN_SV = (
    "Hej! Jag heter {name} och är {age} år.",
    "Hej, {name} här, {age} år.",
    "Välkommen till mig! Jag är {name}, {age}.",
)
_ABOUT_SV = (
    "Jag är en glad och diskret tjej som gillar att träffa nya människor.",
    "Trevlig, ren och lugn. Jag pratar {langs}.",
    "Jag tar emot i egen lägenhet {landmark}.",
    "Avslappnad stämning, inget stress.",
    "Diskret och trevligt bemötande.",
)
_OPEN_EN = (
    "Hi! I am {name}, {age} years old.",
    "Hello gentlemen, {name} here, {age}.",
    "Welcome! My name is {name}, {age}.",
)
_ABOUT_EN = (
    "I am a friendly and discreet girl.",
    "Relaxed atmosphere, clean and private apartment {landmark}.",
    "I speak {langs}.",
    "Discreet and friendly.",
)
_NATIVE = {
    "ro": "Bună! Sunt {name}, {age} ani. Sunt în {city}.",
    "es": "¡Hola! Soy {name}, {age} años. Estoy en {city}.",
    "ru": "Привет! Меня зовут {name}, мне {age}. Я в городе {city}.",
    "pl": "Cześć! Jestem {name}, mam {age} lat. Jestem w {city}.",
    "pt": "Olá! Sou a {name}, {age} anos. Estou em {city}.",
    "hu": "Szia! {name} vagyok, {age} éves. {city} városban vagyok.",
    "bg": "Здравей! Аз съм {name}, на {age} години. В {city} съм.",
    "th": "สวัสดีค่ะ ฉันชื่อ {name} อายุ {age} ปี อยู่ที่ {city}",
}
_TOUR_SV = ("Ny i stan!", "Bara {n} dagar i {city}!", "På turné, i {city} {n} dagar.", "Besöker {city} en kort tid.")
_TOUR_EN = (
    "New in town!",
    "Only {n} days in {city}!",
    "On tour, in {city} for {n} days.",
    "Visiting {city} for a short time.",
)
_PHONE_SV = (
    "Ring eller sms: {phone}",
    "Endast sms {phone}",
    "Tel {phone}",
    "Ring {phone} (ej dolt nummer)",
    "SMS/WhatsApp {phone}",
)
_PHONE_EN = ("Call or SMS: {phone}", "SMS only {phone}", "Phone {phone}", "WhatsApp {phone}")
_LANG_NAMES_SV = {
    "sv": "svenska",
    "en": "engelska",
    "ro": "rumänska",
    "es": "spanska",
    "ru": "ryska",
    "pl": "polska",
    "pt": "portugisiska",
    "hu": "ungerska",
    "bg": "bulgariska",
    "th": "thai",
}
_LANG_NAMES_EN = {
    "sv": "Swedish",
    "en": "English",
    "ro": "Romanian",
    "es": "Spanish",
    "ru": "Russian",
    "pl": "Polish",
    "pt": "Portuguese",
    "hu": "Hungarian",
    "bg": "Bulgarian",
    "th": "Thai",
}
_PRICE = ("{p}kr/30min", "{p} kr 30 min", "30min {p}kr", "{p}:-/30 min", "1h {h}kr", "{p} kr/halvtimme, {h} kr/timme")


class AdWriter:
    """Renders ad versions for sellers and networks.

    Args:
        cfg: the ``text`` section of the configuration.
        seed: seed of the text stream (from the run's :class:`numpy.random.SeedSequence`).
    """

    def __init__(self, cfg: TextConfig, seed: int) -> None:
        self.cfg = cfg
        self.r = random.Random(seed)

    def reseed(self, seed: int) -> None:
        """Restart the text stream at ``seed`` (one stream per spell: common random numbers)."""
        self.r = random.Random(seed)

    def _typo(self, text: str) -> str:
        """Misspell a few words (swap two letters or drop one), never inside digits."""
        rate = self.cfg.misspelling_rate
        if rate <= 0:
            return text
        r = self.r
        words = text.split(" ")
        for i, w in enumerate(words):
            if len(w) > 4 and w.isalpha() and r.random() < rate:
                j = r.randrange(1, len(w) - 2)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if r.random() < 0.6 else w[:j] + w[j + 1 :]
        return " ".join(words)

    def render(
        self,
        *,
        style: int,
        language: str,
        name: str,
        age: int,
        kommun: str,
        touring_days: int,
        phones: list[str],
        emails: list[str],
        langs: list[str],
        price_base: int,
    ) -> AdText:
        """Render one ad version.

        Args:
            style: the seller's or network's style number; fixes templates and phrases.
            language: ISO 639-1 code the ad is written in (``sv``, ``en`` or a seller's own language).
            name: the name used in the ad.
            age: the stated age.
            kommun: where the seller is (the ad's true location).
            touring_days: length of the visit if the seller is touring there, else 0.
            phones: ten-digit phone numbers to show.
            emails: e-mail addresses to show in the contact field.
            langs: languages the seller speaks.
            price_base: price for 30 minutes in kronor.
        """
        r, cfg = self.r, self.cfg
        sr = random.Random(style)  # the style's fixed choices
        city = municipalities()[kommun].name
        variants = location_variants(kommun)
        loc = r.choice(variants[1:]) if r.random() < cfg.slang_location_share else city
        en = language == "en"
        landmark = r.choice(_LANDMARK_EN if en else _LANDMARK_SV)
        lang_names = ", ".join((_LANG_NAMES_EN if en else _LANG_NAMES_SV).get(x, x) for x in langs)
        tour = ""
        if touring_days:
            tour = sr.choice(_TOUR_EN if en else _TOUR_SV).format(n=touring_days, city=city)
        new = ("New! " if en else "Ny! ") if touring_days and r.random() < 0.5 else ""
        new_suffix = (" – new in town" if en else " – ny i stan") if touring_days and not new else ""
        titles = _T_EN if en else _T_SV
        # a style prefers one title template but varies it now and then
        t_idx = sr.randrange(len(titles)) if r.random() < 0.8 else r.randrange(len(titles))
        title = titles[t_idx].format(name=name, age=age, loc=loc, new=new, new_suffix=new_suffix, landmark=landmark)

        parts: list[str] = []
        opens: tuple[str, ...]
        abouts: tuple[str, ...]
        if language not in ("sv", "en") and language in _NATIVE:
            parts.append(_NATIVE[language].format(name=name, age=age, city=city))
            opens, abouts = _OPEN_EN, _ABOUT_EN
        else:
            opens, abouts = (_OPEN_EN, _ABOUT_EN) if en else (_OPEN_SV, _ABOUT_SV)
        parts.append(sr.choice(opens).format(name=name, age=age))
        if tour:
            parts.append(tour)
        for a in sr.sample(abouts, k=2):
            parts.append(a.format(langs=lang_names, landmark=landmark))
        p = price_base
        price = sr.choice(_PRICE).format(p=p, h=int(round(p * 1.7, -2)))
        parts.append(("Price " if en else "Pris ") + price)

        field_phones: list[str] = []
        if phones and r.random() < cfg.phone_in_body_share:
            style_name = (
                r.choice(BODY_PHONE_STYLES[len(FIELD_PHONE_STYLES) :])
                if r.random() < cfg.obfuscated_phone_share
                else r.choice(FIELD_PHONE_STYLES)
            )
            written = " / ".join(format_phone(ph, style_name) for ph in phones)
            parts.append(sr.choice(_PHONE_EN if en else _PHONE_SV).format(phone=written))
        if phones and r.random() < cfg.phone_field_share:
            fs = r.choice(FIELD_PHONE_STYLES)
            field_phones = [format_phone(ph, fs) for ph in phones]
        parts.append(r.choice(("Kisses!", "Welcome!", "") if en else ("Puss!", "Välkommen!", "Hör av dig!", "")))
        body = self._typo(" ".join(x for x in parts if x))
        return AdText(
            title=title,
            body=body,
            location=loc,
            price=price,
            name=name,
            language=language,
            phones=field_phones,
            emails=list(emails),
        )
