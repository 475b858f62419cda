"""Court judgments (domar) for simulated sex purchases, written as Swedish court text.

A small share of simulated purchases becomes a court judgment for *köp av sexuell tjänst*
(6 kap. 11 § brottsbalken). Each judgment is written as text in the style of a Swedish
district court (tingsrätt) judgment, in one of several phrasing variants so that an
extractor cannot rely on a single template, and the true fields are stored beside the text::

    {"text": "...", "court": "Norrköpings tingsrätt", "case_number": "B 1234-24",
     "date": "2024-05-02", "defendant_age": 41, "defendant_kommun": "0562",
     "offence_kommun": "0581", "ad_used": true, "day_fines": 50, ...}

Everything that identifies a person is obviously fictional: defendants are called
"Test Testsson" and the like, personal identity numbers are masked (``XXXXXX-XXXX``) or
given as a birth year only, as in court documents released for research.

The court is the tingsrätt of the offence municipality's county whose seat is nearest to
the municipality: an approximation of the judicial districts (domsagor), good enough for
a court name that matches the area of the offence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from lagesbild.refdata import municipalities, swedish_date

__all__ = ["COURT_SEATS", "VerdictsConfig", "court_for", "sample_verdicts", "write_judgment"]


class VerdictsConfig(BaseModel):
    """How purchases become court judgments (section ``verdicts`` of the world config)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict_share: float = Field(
        default=0.005,
        ge=0.0,
        le=1.0,
        description=(
            "Share of purchases that end in a court judgment for köp av sexuell tjänst. Assumption: a small "
            "share, chosen so that a county of the Östergötland report's scale (about 1,500 purchases a year) "
            "yields a handful of judgments a year. A buyer is judged at most once in a run."
        ),
    )
    lag_days_min: int = Field(
        default=60,
        ge=0,
        description="Shortest time from offence to judgment, in days (assumption).",
    )
    lag_days_max: int = Field(
        default=365,
        ge=0,
        description=(
            "Longest time from offence to judgment, in days (assumption; uniform between min and max). "
            "Judgments that would fall after the simulated period are not written (not yet decided)."
        ),
    )
    day_fines: dict[int, float] = Field(
        default={30: 0.05, 40: 0.15, 50: 0.4, 60: 0.2, 70: 0.1, 80: 0.05, 100: 0.05},
        description=(
            "Number of day-fines (dagsböter) and their relative weights. The usual sanction for köp av sexuell "
            "tjänst is day-fines (the Östergötland report's review of verdicts); around 50 is typical. The "
            "distribution is an assumption."
        ),
    )
    day_fine_amount_median: float = Field(
        default=150.0,
        gt=0,
        description=(
            "Median amount of one day-fine in kronor (log-normal, rounded to 10 kr). The amount follows the "
            "defendant's income; brottsbalken 25 kap. 2 § bounds it to 50-1,000 kr. The median is an assumption."
        ),
    )
    day_fine_amount_sigma: float = Field(
        default=0.6,
        ge=0,
        description="Log-scale spread of the day-fine amount (assumption).",
    )
    conditional_sentence_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "Share of judgments for offences from 1 July 2022 whose sanction is a conditional sentence "
            "(villkorlig dom) together with day-fines rather than day-fines alone. Since the 2022 amendment "
            "the penalty scale of 6 kap. 11 § brottsbalken is imprisonment, which courts usually replace by "
            "a conditional sentence with day-fines. The share is an assumption."
        ),
    )
    ad_used_share: float = Field(
        default=0.85,
        ge=0.0,
        le=1.0,
        description=(
            "Share of judgments stating that contact was made through an ad on a website (assumption: in the "
            "simulated market every purchase starts from an ad, but a judgment does not always say so)."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> VerdictsConfig:
        errors = []
        if self.lag_days_min > self.lag_days_max:
            errors.append("lag_days_min must not exceed lag_days_max")
        if not self.day_fines or any(w < 0 for w in self.day_fines.values()) or sum(self.day_fines.values()) <= 0:
            errors.append("day_fines needs at least one count with a positive weight and no negative weights")
        if any(k < 1 for k in self.day_fines):
            errors.append("day_fines counts must be at least 1")
        if errors:
            raise ValueError("; ".join(errors))
        return self


COURT_SEATS: dict[str, tuple[str, ...]] = {
    "01": ("0180", "0184", "0163", "0182", "0126", "0181", "0188"),
    "03": ("0380",),
    "04": ("0480", "0484"),
    "05": ("0580", "0581"),
    "06": ("0680", "0686", "0683"),
    "07": ("0780",),
    "08": ("0880",),
    "09": ("0980",),
    "10": ("1080",),
    "12": ("1280", "1281", "1283", "1290", "1286", "1293"),
    "13": ("1380", "1383"),
    "14": ("1480", "1489", "1490", "1487", "1485", "1496", "1415"),
    "17": ("1780",),
    "18": ("1880",),
    "19": ("1980",),
    "20": ("2080", "2062"),
    "21": ("2180", "2184"),
    "22": ("2281", "2280"),
    "23": ("2380",),
    "24": ("2480", "2482", "2481"),
    "25": ("2580", "2583", "2523"),
}
"""Seats (municipality codes) of the district courts of each county."""

_COURT_NAMES: dict[str, str] = {
    "0126": "Södertörns tingsrätt",
    "0163": "Attunda tingsrätt",
    "0980": "Gotlands tingsrätt",
    "1080": "Blekinge tingsrätt",
    "1496": "Skaraborgs tingsrätt",
    "1780": "Värmlands tingsrätt",
    "1980": "Västmanlands tingsrätt",
    "2080": "Falu tingsrätt",
    "2280": "Ångermanlands tingsrätt",
}


def _genitive(name: str) -> str:
    """Swedish genitive of a place name: "Linköping" -> "Linköpings", "Borås" -> "Borås"."""
    return name if name[-1] in "sxz" else name + "s"


def _court_name(seat: str) -> str:
    return _COURT_NAMES.get(seat) or f"{_genitive(municipalities()[seat].name)} tingsrätt"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@cache
def _court_table() -> dict[str, tuple[str, str]]:
    """Municipality code -> (court name, seat municipality code)."""
    ms = municipalities()
    out: dict[str, tuple[str, str]] = {}
    for code, m in ms.items():
        seats = COURT_SEATS[m.county_code]
        seat = min(seats, key=lambda s: _km(m.lat, m.lon, ms[s].lat, ms[s].lon))
        out[code] = (_court_name(seat), seat)
    return out


def court_for(kommun: str) -> str:
    """The district court (tingsrätt) for an offence in this municipality.

    Example::

        >>> court_for("0562")
        'Norrköpings tingsrätt'
    """
    return _court_table()[kommun][0]


_FIRST = ("Test", "Prov", "Exempel", "Fiktiv", "Påhittad")
_LAST = ("Testsson", "Provsson", "Exempelsson", "Fiktivsson", "Påhittadsson")
_VENUES = ("i en lägenhet", "på ett hotell", "i en bil", "i en bostad", "på ett hotellrum")
_AD_YES = (
    "Kontakten hade tagits via en annons på en webbplats där sexuella tjänster erbjuds.",
    "Han hade hittat personen genom en annons på internet.",
    "Enligt den tilltalade tog han kontakt efter att ha sett en annons på en annonssida på nätet.",
)
_AD_NO = (
    "Hur kontakten hade etablerats har inte närmare utretts.",
    "Kontakten hade enligt den tilltalade tagits via en bekant.",
    "Han uppgav att han hade fått telefonnumret av en kamrat.",
)


def _long_date(d: date) -> str:
    return swedish_date(d)


def _place(kommun: str, rng: np.random.Generator) -> str:
    """A municipality as "Linköping" or "Linköpings kommun" (both occur in judgments)."""
    m = municipalities()[kommun]
    return m.long_name if rng.random() < 0.4 else m.name


def _sanction(day_fines: int, amount: int, conditional: bool, variant: int) -> str:
    if conditional:
        return (
            f"villkorlig dom jämte {day_fines} dagsböter à {amount} kr",
            f"villkorlig dom och {day_fines} dagsböter om {amount} kronor",
            f"Villkorlig dom. Dagsböter {day_fines} à {amount} kr",
        )[variant % 3]
    return (
        f"{day_fines} dagsböter à {amount} kr",
        f"{day_fines} dagsböter om {amount} kronor",
        f"Dagsböter {day_fines} à {amount} kr",
    )[variant % 3]


def write_judgment(fields: dict[str, Any], rng: np.random.Generator) -> str:
    """Write one judgment as Swedish court text.

    Args:
        fields: the true fields: ``court``, ``case_number``, ``date`` and ``offence_date`` (ISO),
            ``defendant_age``, ``defendant_kommun``, ``offence_kommun`` (codes), ``ad_used``,
            ``day_fines``, ``day_fine_amount``, ``conditional_sentence``.
        rng: chooses the phrasing variant, the fictional name and other wording.

    Returns:
        The judgment text. It always states the defendant's age as "NN år", the home and
        offence municipalities by name, the number of day-fines and the legal reference.
    """
    variant = int(rng.integers(4))
    name = f"{_FIRST[int(rng.integers(len(_FIRST)))]} {_LAST[int(rng.integers(len(_LAST)))]}"
    judged = date.fromisoformat(fields["date"])
    offence = date.fromisoformat(fields["offence_date"])
    age = int(fields["defendant_age"])
    birth_year = offence.year - age
    pnr = (f"{birth_year % 100:02d}XXXX-XXXX", "XXXXXX-XXXX", f"född {birth_year}")[int(rng.integers(3))]
    home = _place(fields["defendant_kommun"], rng)
    where = _place(fields["offence_kommun"], rng)
    venue = _VENUES[int(rng.integers(len(_VENUES)))]
    ads = _AD_YES if fields["ad_used"] else _AD_NO
    ad_sentence = ads[int(rng.integers(len(ads)))]
    court = fields["court"]
    seat = municipalities()[_court_table()[fields["offence_kommun"]][1]].name
    case = fields["case_number"]
    fines, amount, conditional = (
        int(fields["day_fines"]),
        int(fields["day_fine_amount"]),
        bool(fields["conditional_sentence"]),
    )
    sanction = _sanction(fines, amount, conditional, int(rng.integers(3)))
    inline = _sanction(fines, amount, conditional, int(rng.integers(2)))
    admitted = ("har erkänt gärningen", "har förnekat gärningen", "har vidgått de faktiska omständigheterna")[
        int(rng.integers(3))
    ]
    if variant == 0:
        return (
            f"{court.upper()}\nDOM\n{judged.isoformat()}\nMål nr {case}\nmeddelad i {seat}\n\n"
            f"PARTER\nÅklagare\nKammaråklagare Exempel Åklagarsson\n\n"
            f"Tilltalad\n{name}, {pnr}\nFolkbokförd i {home}\n\n"
            f"DOMSLUT\nDen tilltalade döms för\nKöp av sexuell tjänst, 6 kap. 11 § brottsbalken\n\n"
            f"Påföljd\n{sanction[0].upper()}{sanction[1:]}\n\n"
            f"DOMSKÄL\nÅtalet\n{name} har den {_long_date(offence)} {venue} i {where} skaffat sig en tillfällig "
            f"sexuell förbindelse mot ersättning.\n\n"
            f"Bedömning\n{name}, som är {age} år, {admitted}. {ad_sentence} Åtalet är styrkt.\n\n"
            f"Påföljd\nPåföljden bestäms till {inline}.\n"
        )
    if variant == 1:
        return (
            f"{court}, dom {_long_date(judged)}, mål {case}.\n"
            f"{name} ({pnr}), {age} år, bosatt i {home}, döms för köp av sexuell tjänst "
            f"(6 kap. 11 § brottsbalken) till {inline}.\n"
            f"Gärningen begicks den {_long_date(offence)} {venue} i {where}. {ad_sentence}\n"
        )
    if variant == 2:
        return (
            f"Dom meddelad av {court} den {judged.isoformat()} i mål {case}.\n\n"
            f"Tingsrätten dömer {name}, {age} år, hemmahörande i {home}, för köp av sexuell tjänst, "
            f"6 kap. 11 § brottsbalken, till {inline}.\n\n"
            f"Yrkanden m.m.\nÅklagaren har yrkat ansvar för köp av sexuell tjänst enligt följande gärningsbeskrivning: "
            f"{name} har i {where} den {_long_date(offence)} mot ersättning skaffat sig en tillfällig sexuell "
            f"förbindelse. Den tilltalade {admitted}.\n\n"
            f"Domskäl\n{ad_sentence} Genom den utredning som lagts fram är åtalet styrkt.\n"
        )
    return (
        f"{court.upper()} | DOM | {judged.isoformat()} | {case}\n"
        f"Tilltalad: {name}, {pnr}\n"
        f"Ålder vid gärningen: {age} år\n"
        f"Bostadsort: {home}\n"
        f"Brott: Köp av sexuell tjänst, 6 kap. 11 § brottsbalken\n"
        f"Brottsplats: {where} ({venue})\n"
        f"Gärningsdag: {offence.isoformat()}\n"
        f"Påföljd: {sanction}\n"
        f"Annons: {'ja' if fields['ad_used'] else 'nej'}. {ad_sentence}\n"
    )


def sample_verdicts(
    cfg: VerdictsConfig,
    *,
    start: date,
    days: int,
    purchase_day: npt.NDArray[np.int32],
    buyer_id: npt.NDArray[np.int64],
    buyer_kommun: Sequence[str] | npt.NDArray[np.str_],
    seller_kommun: Sequence[str] | npt.NDArray[np.str_],
    buyer_age: npt.NDArray[np.int16],
    draw: npt.NDArray[np.float64],
    seeds: npt.NDArray[np.uint64],
) -> list[dict[str, Any]]:
    """Pick purchases that become judgments and write each as text.

    A purchase becomes a judgment when its ``draw`` (a uniform number) is below
    ``cfg.verdict_share``; a buyer is judged at most once (for his first such purchase in
    the order given). Everything about a judgment (delay, sanction, wording) comes from a
    generator seeded with the purchase's ``seeds`` entry, so removing other purchases (a
    campaign) does not change it. Judgments dated after the simulated period are dropped.

    Args:
        cfg: the ``verdicts`` section.
        start, days: the simulated period (day 0 is ``start``).
        purchase_day, buyer_id, buyer_kommun, seller_kommun, buyer_age: one entry per purchase.
        draw: one uniform number in [0, 1) per purchase.
        seeds: one seed per purchase.

    Returns:
        One dict per judgment with ``text`` and the true fields ``court``, ``case_number``,
        ``date``, ``offence_date``, ``defendant_age``, ``defendant_kommun``, ``offence_kommun``,
        ``ad_used``, ``day_fines``, ``day_fine_amount``, ``conditional_sentence``, ``buyer_id``;
        sorted by date, court and case number.
    """
    picked = np.flatnonzero(draw < cfg.verdict_share)
    _, first = np.unique(buyer_id[picked], return_index=True)
    picked = picked[np.sort(first)]
    end = start + timedelta(days=days - 1)
    weights = np.array(list(cfg.day_fines.values()), dtype=float)
    counts = np.array(list(cfg.day_fines.keys()), dtype=np.int64)
    reform = date(2022, 7, 1)
    used_numbers: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for i in picked.tolist():
        rng = np.random.default_rng(int(seeds[i]))
        offence = start + timedelta(days=int(purchase_day[i]))
        judged = offence + timedelta(days=int(rng.integers(cfg.lag_days_min, cfg.lag_days_max + 1)))
        if judged > end:
            continue
        fines = int(rng.choice(counts, p=weights / weights.sum()))
        median, sigma = cfg.day_fine_amount_median, cfg.day_fine_amount_sigma
        amount = int(np.clip(round(median * math.exp(rng.normal(0, sigma)), -1), 50, 1000))
        conditional = bool(rng.random() < cfg.conditional_sentence_share) and offence >= reform
        ad_used = bool(rng.random() < cfg.ad_used_share)
        court = court_for(str(seller_kommun[i]))
        while True:
            case = f"B {int(rng.integers(100, 20000))}-{(judged - timedelta(days=30)).year % 100:02d}"
            if (court, case) not in used_numbers:
                used_numbers.add((court, case))
                break
        fields: dict[str, Any] = {
            "court": court,
            "case_number": case,
            "date": judged.isoformat(),
            "offence_date": offence.isoformat(),
            "defendant_age": int(buyer_age[i]),
            "defendant_kommun": str(buyer_kommun[i]),
            "offence_kommun": str(seller_kommun[i]),
            "ad_used": ad_used,
            "day_fines": fines,
            "day_fine_amount": amount,
            "conditional_sentence": conditional,
            "buyer_id": int(buyer_id[i]),
        }
        fields["text"] = write_judgment(fields, rng)
        out.append(fields)
    out.sort(key=lambda v: (v["date"], v["court"], v["case_number"]))
    return out
