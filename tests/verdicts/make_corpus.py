# ruff: noqa: E501 (the judgment templates are long lines of Swedish text)
"""Write the fictional judgment corpus (``tests/verdicts/corpus/``) with its truth.

Every judgment is invented: names from a small list of obviously common first and family names,
identity numbers whose last four digits are ``00NN`` (no real person's), addresses on generic
street names. Post codes and municipalities come from the bundled reference data, and the home
municipality in the truth is the post code's municipality (the postal town may lie in another).

Two sets, from different seeds and template variants:

* ``dev`` (seed 15, layouts A-C, phrase variants 0-1): used while writing the extraction rules;
* ``heldout`` (seed 1515, layouts A-E including two layouts and phrase variants the rules were
  never developed on): scored once, for the benchmark figure.

Run ``python tests/verdicts/make_corpus.py`` to rewrite both (deterministic).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from lagesbild.refdata import SWEDISH_MONTHS, municipalities
from lagesbild.refdata._files import read_csv

ROOT = Path(__file__).parent / "corpus"
REFORM = date(2022, 8, 1)

COURTS = {
    "Linköpings tingsrätt": ["0580", "0586", "0583", "0561", "0513", "0512", "0509", "0560", "0584"],
    "Norrköpings tingsrätt": ["0581", "0582", "0562", "0563"],
    "Stockholms tingsrätt": ["0180"],
    "Solna tingsrätt": ["0184", "0186", "0180"],
    "Göteborgs tingsrätt": ["1480", "1401"],
    "Malmö tingsrätt": ["1280", "1281"],
    "Uppsala tingsrätt": ["0380"],
}
APPEAL = {"Linköpings tingsrätt": "Göta hovrätt", "Norrköpings tingsrätt": "Göta hovrätt",
          "Stockholms tingsrätt": "Svea hovrätt", "Solna tingsrätt": "Svea hovrätt",
          "Göteborgs tingsrätt": "Hovrätten för Västra Sverige", "Malmö tingsrätt": "Hovrätten över Skåne och Blekinge",
          "Uppsala tingsrätt": "Svea hovrätt"}
HOMES = ["0580", "0581", "0583", "0586", "0582", "0561", "0513", "0562", "0180", "0184", "0127",
         "1480", "1401", "1280", "1281", "1283", "0380", "0604"]
FIRST = ["Anders", "Johan", "Per", "Karl", "Erik", "Lars", "Mikael", "Jonas", "Daniel", "Fredrik", "Peter", "Stefan"]
LAST = ["Testsson", "Exempelberg", "Fiktivsson", "Påhittad", "Provström", "Dummelin", "Låtsasson", "Mallgren"]
STREETS = ["Storgatan", "Kungsgatan", "Drottninggatan", "Skolvägen", "Björkvägen", "Industrigatan", "Ringvägen"]
SITES = ["rosaannonser.example", "sexiga-möten.example", "escortguiden.example", "kontaktsidan.example"]
PLACES = ["i en lägenhet", "i en bil", "på ett hotell", "i en bostad"]


def _postcodes() -> dict[str, list[tuple[str, str]]]:
    by_code: dict[str, set[str]] = {}
    rows = read_csv("postnummer.csv.gz")
    for r in rows:
        by_code.setdefault(r["postnummer"], set()).add(r["kommun_kod"])
    out: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        if len(by_code[r["postnummer"]]) == 1 and r["kommun_kod"] in HOMES and r["ort"]:
            out.setdefault(r["kommun_kod"], []).append((r["postnummer"], r["ort"]))
    return out


@dataclass
class Defendant:
    name: str
    pnr: str
    birth: date
    offence: str  # kop | forsok | barn | koppleri | stold (not a sex-purchase defendant)
    convicted: bool
    dates: list[date]
    offence_kommun: str
    home_kommun: str | None
    address: str  # rendered address block
    home_phrase: str  # "" or "Han bor i X." in the reasons
    site: str | None
    plea: str
    sanction: dict[str, Any] = field(default_factory=dict)
    extra_theft: bool = False
    age_stated: bool = False


def _long(d: date) -> str:
    return f"{d.day} {SWEDISH_MONTHS[d.month - 1]} {d.year}"


def _pnr(rng: random.Random, birth: date, style: int) -> str:
    tail = f"00{rng.randint(0, 99):02d}"
    if style == 0:
        return f"{birth:%Y%m%d}-{tail}"
    return f"{birth:%y%m%d}-{tail}"


def _age(birth: date, at: date) -> int:
    return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))


def _sanction(rng: random.Random, d: Defendant) -> dict[str, Any]:
    s: dict[str, Any] = {"day_fines": None, "day_fine_amount": None, "conditional": False, "prison_months": None}
    if not d.convicted:
        return s
    if d.offence == "koppleri":
        s["prison_months"] = rng.choice([6, 8, 10, 12])
    elif d.offence == "barn":
        if rng.random() < 0.5:
            s["prison_months"] = rng.choice([2, 3, 4])
        else:
            s.update(conditional=True, day_fines=rng.choice([80, 100, 120]), day_fine_amount=rng.choice([100, 150, 200]))
    elif d.dates[0] < REFORM:
        s.update(day_fines=rng.choice([40, 50, 60, 70, 80]), day_fine_amount=rng.choice([50, 100, 150, 200, 250, 300]))
    elif rng.random() < 0.3:
        s["prison_months"] = rng.choice([1, 2, 3])
    else:
        s.update(conditional=True, day_fines=rng.choice([50, 60, 70, 80]), day_fine_amount=rng.choice([100, 150, 200, 280]))
    return s


def _sanction_text(s: dict[str, Any], v: int) -> str:
    parts = []
    if s["prison_months"]:
        m = s["prison_months"]
        parts.append(f"Fängelse {m} månad{'er' if m > 1 else ''}" if v == 0 else f"fängelse i {m} månad{'er' if m > 1 else ''}")
    if s["conditional"]:
        parts.append("Villkorlig dom" if v == 0 else "villkorlig dom")
    if s["day_fines"]:
        dfs = f"{s['day_fines']} dagsböter à {s['day_fine_amount']} kr"
        if v == 2:
            dfs = f"{s['day_fines']} dagsböter om vardera {s['day_fine_amount']} kronor"
        parts.append(dfs if parts else dfs[0].upper() + dfs[1:])
    if not parts:
        return ""
    text = " och ".join(parts)
    return text[0].upper() + text[1:]


OFFENCE_NAME = {
    "kop": "Köp av sexuell tjänst, 6 kap. 11 § brottsbalken",
    "forsok": "Försök till köp av sexuell tjänst, 6 kap. 11 § och 23 kap. 1 § brottsbalken",
    "barn": "Köp av sexuell handling av barn, 6 kap. 9 § brottsbalken",
    "koppleri": "Koppleri, 6 kap. 12 § första stycket brottsbalken",
}


def _make_defendant(rng: random.Random, court: str, posts: dict[str, list[tuple[str, str]]], heldout: bool,
                    offence: str, used: list[str]) -> Defendant:
    first = rng.choice(FIRST)
    name = f"{first} {rng.choice([x for x in LAST if all(x not in u for u in used)])}"
    used.append(name)
    start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1400))
    n_dates = rng.choice([1, 1, 1, 2, 3])
    dates = sorted({start + timedelta(days=rng.randint(0, 60)) for _ in range(n_dates)} | {start})
    age = rng.randint(19, 69)
    birth = dates[0].replace(year=dates[0].year - age) - timedelta(days=rng.randint(1, 364))
    birth = date(birth.year, birth.month, min(birth.day, 28))
    pnr = _pnr(rng, birth, rng.randint(0, 1))
    home_code = rng.choice(HOMES) if rng.random() < 0.35 else rng.choice(COURTS[court])
    if home_code not in posts:
        home_code = "0580"
    pc, ort = rng.choice(posts[home_code])
    street = f"{rng.choice(STREETS)} {rng.randint(1, 60)}"
    pcs = f"{pc[:3]} {pc[3:]}"
    r = rng.random()
    home: str | None = home_code
    home_phrase = ""
    if r < 0.08:
        address = "Utan känd hemvist"
        home = None
    elif r < 0.16:
        address = "Utan känd hemvist"
        home_phrase = f"{first} har uppgett att han bor i {municipalities()[home_code].name}."
    elif r < 0.3:
        address = f"c/o {rng.choice(LAST)}, {street}, {pcs} {ort.upper() if heldout else ort}"
    elif r < 0.65:
        address = f"{street}, {pcs} {ort}"
    else:
        address = f"{street}\n{pcs} {ort.upper()}"
    off_k = rng.choice(COURTS[court])
    convicted = rng.random() > 0.15
    d = Defendant(name=name, pnr=pnr, birth=birth, offence=offence, convicted=convicted, dates=dates,
                  offence_kommun=off_k, home_kommun=home, address=address, home_phrase=home_phrase,
                  site=rng.choice(SITES) if rng.random() < 0.75 else None,
                  plea=rng.choice(["erkänner", "förnekar"]) if convicted else "förnekar",
                  extra_theft=rng.random() < 0.15)
    d.sanction = _sanction(rng, d)
    return d


def _dates_text(ds: list[date], variant: int) -> str:
    if variant == 0:
        return ", ".join(x.isoformat() for x in ds)
    if len(ds) == 1:
        return f"den {_long(ds[0])}"
    return "den " + ", ".join(_long(x) for x in ds[:-1]) + f" och {_long(ds[-1])}"


def _reasons(d: Defendant, heldout: bool, rng: random.Random) -> str:
    surname = d.name.split()[1]
    place = municipalities()[d.offence_kommun].name
    if d.offence == "koppleri":
        act = f"främjat att en annan person haft tillfälliga sexuella förbindelser mot ersättning {_dates_text(d.dates, 1)} i {place}"
    elif d.offence == "barn":
        act = (f"{_dates_text(d.dates, 1)} i {place} {rng.choice(PLACES)} förmått en person under 18 år, "
               "som var 16 år, att mot ersättning företa en sexuell handling")
    elif d.offence == "forsok":
        act = (f"{_dates_text(d.dates, 1)} i {place} försökt skaffa sig en tillfällig sexuell förbindelse mot "
               "ersättning; brottet fullbordades inte")
    else:
        act = (f"{_dates_text(d.dates, 1)} i {place} {rng.choice(PLACES)} skaffat sig en tillfällig sexuell "
               "förbindelse mot ersättning")
    lines = [f"{d.name} har enligt åklagaren {act}."]
    if d.site:
        lines.append(f"Kontakten togs via en annons på {d.site}." if not heldout or rng.random() < 0.5
                     else f"Han hade hittat kvinnan genom en annons på webbplatsen {d.site}.")
    lines.append(f"{surname} {d.plea} gärningen." if d.plea == "erkänner" else f"{surname} förnekar brott.")
    if d.home_phrase:
        lines.append(d.home_phrase)
    if d.sanction.get("prison_months") is None and d.convicted and d.offence != "koppleri":
        lines.append(f"{surname} är {_age(d.birth, d.dates[0])} år gammal vid gärningen och har inte tidigare dömts.")
    lines.append("Åtalet är styrkt." if d.convicted else "Åtalet ska därför ogillas.")
    return " ".join(lines)


def _header(court: str, case: str, decided: date, page: int, total: int, layout: str) -> str:
    if layout in ("A", "D"):
        return f"{court.upper()}\nDOM\n{decided.isoformat()}\nMål nr {case}\nSida {page} ({total})"
    if layout == "B":
        return f"Sida {page} ({total})\n{court.upper()}   DOM {decided.isoformat()}   {case}"
    if layout == "C":
        return f"{court}\nDom {case}\nSida {page} av {total}"
    return f"{court.upper()}\t\tDom {case}\t\t{page} ({total})"


def _footer(court: str, layout: str) -> str:
    town = court.split()[0].removesuffix("s")
    if layout == "C":
        return f"Postadress\tBesöksadress\tTelefon\tE-post\nBox 0000\n000 00 {town}\tTingsvägen 1\t000-000 00 00\t{court.split()[0].lower()}.tingsratt@example.domstol.se"
    return f"Dok.Id 000{random.Random(court).randint(100, 999)}\nPostadress Box 0000, 000 00 {town} | Telefon 000-000 00 00"


def _party_block(i: int, d: Defendant, n: int, layout: str, rng: random.Random) -> str:
    label = f"Tilltalad {i}" if n > 1 or layout == "B" else "Tilltalad"
    if layout in ("A", "D"):
        return f"{label}\n{d.name}, {d.pnr}\n{d.address}"
    if layout == "B":
        return f"{label.upper()}\n{d.name}\nPersonnummer: {d.pnr}\nAdress: {d.address}"
    if layout == "C":
        return f"{label}:\n{d.name.upper()}, {d.pnr}\n{d.address}"
    return f"{label}: {d.name}, född {d.pnr}\nMedborgarskap: Sverige\n{d.address}"


def _domslut(i: int, d: Defendant, n: int, layout: str, rng: random.Random) -> str:
    label = f"Tilltalad {i}: {d.name}" if n > 1 else d.name
    out = [label]
    if d.offence == "stold":
        out.append(f"Brott som den tilltalade döms för\nStöld, 8 kap. 1 § brottsbalken, {_dates_text(d.dates, 0)}")
        out.append("Påföljd\nVillkorlig dom och 40 dagsböter à 100 kr")
        return "\n".join(out)
    crime = f"{OFFENCE_NAME[d.offence]}, {_dates_text(d.dates, 0)}"
    if d.convicted:
        out.append("Brott som den tilltalade döms för" if layout != "D" else "Brott")
        out.append(crime)
        if d.extra_theft:
            out.append(f"Stöld, 8 kap. 1 § brottsbalken, {d.dates[0].isoformat()}")
        st = _sanction_text(d.sanction, rng.randint(0, 2 if layout in ("D", "E") else 1))
        out.append(f"Påföljd\n{st}" if layout != "B" else f"Påföljd m.m.\n{st}")
    else:
        out.append("Åtal som ogillas" if layout != "D" else "Frikännande")
        out.append(crime)
        out.append("Åtalet ogillas." if layout != "E" else "Den tilltalade frikänns.")
    return "\n".join(out)


def make_judgment(rng: random.Random, no: int, heldout: bool) -> tuple[str, dict[str, Any]]:
    layouts = ["A", "B", "C", "D", "E"] if heldout else ["A", "B", "C"]
    layout = rng.choice(layouts)
    court = rng.choice(list(COURTS))
    posts = _postcodes()
    kind = rng.random()
    n = 1 if rng.random() < 0.6 else rng.choice([2, 2, 3])
    offences: list[str] = []
    for _ in range(n):
        offences.append(rng.choices(["kop", "forsok", "barn", "koppleri"], weights=[70, 10, 10, 10])[0])
    if kind < 0.1:  # unrelated: theft only
        offences = ["stold"] * n
    elif kind < 0.2 and n == 1:  # a co-defendant tried for theft only
        offences.append("stold")
        n = 2
    used: list[str] = []
    defs = [_make_defendant(rng, court, posts, heldout, o, used) for o in offences]
    decided = max(d.dates[-1] for d in defs) + timedelta(days=rng.randint(60, 300))
    case = f"B {rng.randint(100, 19999)}-{decided.year % 100:02d}"
    appeal = kind > 0.9
    pages = []
    title = court
    if appeal:
        title = APPEAL[court]
    head = [f"{title.upper()}", f"DOM {decided.isoformat()} Meddelad i {title.split()[0].removesuffix('s')}"
            if layout != "B" else f"DOM\nmeddelad {_long(decided)}", f"Mål nr {case}"]
    parties = [f"PARTER (antal tilltalade: {n})" if layout in ("C", "E") else "PARTER",
               "Åklagare\nKammaråklagare Test Åklagarsson\nÅklagarkammaren i exempelstaden"]
    parties += [_party_block(i, d, n, layout, rng) for i, d in enumerate(defs, 1)]
    if appeal:
        body = [f"ÖVERKLAGAD DOM\n{court}s dom {(decided - timedelta(days=120)).isoformat()} i mål {case.replace('B', 'B ' if False else 'B')}",
                "HOVRÄTTENS DOMSLUT"]
        for i, d in enumerate(defs, 1):
            if d.offence == "stold":
                body.append(f"{d.name}: Hovrätten fastställer tingsrättens domslut.")
            elif d.convicted:
                body.append(f"{d.name}\nHovrätten fastställer tingsrättens domslut i fråga om {d.name.split()[0]}."
                            f"\nTINGSRÄTTENS DOMSLUT\n" + _domslut(i, d, n, layout, rng))
            else:
                body.append(f"{d.name}\nHovrätten ändrar tingsrättens dom och ogillar åtalet för "
                            f"{OFFENCE_NAME[d.offence].split(',')[0].lower()}, {_dates_text(d.dates, 0)}.")
    else:
        body = ["DOMSLUT"] + [_domslut(i, d, n, layout, rng) for i, d in enumerate(defs, 1)]
    reasons = ["DOMSKÄL" if layout != "B" else "DOMSKÄL\nYrkanden och inställning"]
    for d in defs:
        if d.offence == "stold":
            reasons.append(f"{d.name} har tagit varor från en butik i {municipalities()[d.offence_kommun].name}. Åtalet är styrkt.")
        else:
            reasons.append((f"Tilltalad {defs.index(d) + 1} ({d.name})\n" if n > 1 else "") + _reasons(d, heldout, rng))
    reasons.append("HUR MAN ÖVERKLAGAR, se bilaga.\nFörsta rådmannen Testa Domarsson")
    blocks = ["\n".join(head), "\n\n".join(parties), "\n\n".join(body), "\n\n".join(reasons)]
    total = len(blocks)
    for p, b in enumerate(blocks, 1):
        pages.append((_header(title, case, decided, p, total, layout) + "\n\n" if p > 1 else "") + b
                     + "\n\n" + _footer(title, layout))
    text = "\n\f".join(pages) + "\n"
    truth_defs = []
    for i, d in enumerate(defs, 1):
        if d.offence == "stold":
            continue
        truth_defs.append({
            "index": i, "verdict": "convicted" if d.convicted else "acquitted", "offence": d.offence,
            "offence_dates": [x.isoformat() for x in d.dates], "age": _age(d.birth, d.dates[0]),
            "home_kommun": d.home_kommun, "offence_kommun": d.offence_kommun, "website": d.site,
            "plea": d.plea, "sanction": d.sanction, "other_crime": d.extra_theft,
        })
    truth = {"file": f"{'heldout' if heldout else 'dev'}_{no:03d}.txt", "court": title, "case_number": case,
             "date": decided.isoformat(), "appeal": appeal, "layout": layout, "defendants": truth_defs}
    return text, truth


def write(set_name: str, seed: int, n: int) -> None:
    rng = random.Random(seed)
    out = ROOT / set_name
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for no in range(1, n + 1):
        text, truth = make_judgment(rng, no, set_name == "heldout")
        (out / truth["file"]).write_text(text, encoding="utf-8")
        truths.append(truth)
    with (out / "truth.jsonl").open("w", encoding="utf-8") as fh:
        for t in truths:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write("dev", 15, 48)
    write("heldout", 1515, 20)
