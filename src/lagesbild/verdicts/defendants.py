"""One row per defendant from a Swedish court judgment (tingsrätt or hovrätt), as courts write them.

:func:`extract_judgment` reads the text of a judgment (page headers and footers are removed first
by :func:`strip_page_furniture`) and returns a :class:`Judgment`: the court, case number, date and one
:class:`DefendantRow` per defendant tried for a sex-purchase offence (köp av sexuell tjänst, the
attempt, köp av sexuell handling av barn 6 kap. 9 §, koppleri; människohandel is flagged). A
defendant tried for other crimes only (a theft) gives no row, so a theft judgment gives none.

Each field is an :class:`Extracted` value with a confidence and the character span of the text it was
read from (offsets into the cleaned text), never the phrase itself: the name, identity number and
street address are read to find the defendant's section, birth date and post code, then dropped.

* age: at the first offence date, from the birth date in the identity number (``19850312-0012``
  or ``850312-0012``; the century is the one that gives an adult age), else a stated age
  ("är 41 år"); an age stated about someone else ("under 18 år", "som var 16 år") is not read.
* home municipality: the post code in the address block through the reference post codes (a
  postal town may lie in another municipality), else "bor i X" / "bosatt i X"; ``None`` for
  "utan känd hemvist" without such a phrase.
* sanction: day-fines (count and amount), conditional sentence, prison (months); ``fines_only``
  after 1 August 2022 for köp av sexuell tjänst (fines alone were abolished then) is flagged.

>>> j = extract_judgment("LINKÖPINGS TINGSRÄTT\\nDOM 2024-05-03\\nMål nr B 123-24\\nPARTER\\nTilltalad\\n"
...     "Test Testsson, 19800101-0012\\nStorgatan 1, 582 22 Linköping\\nDOMSLUT\\nBrott som den tilltalade "
...     "döms för\\nKöp av sexuell tjänst, 6 kap. 11 § brottsbalken, 2023-03-04\\nPåföljd\\n"
...     "Villkorlig dom och 60 dagsböter à 100 kr\\nDOMSKÄL\\nTesttsson har den 4 mars 2023 i Motala köpt...")
>>> d = j.defendants[0]
>>> (d.verdict.value, d.age.value, d.home_kommun.value, d.offence_kommun.value, d.day_fines.value)
('convicted', 43, '0580', '0583', 60)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from lagesbild.records.verdicts import DefendantRecord
from lagesbild.refdata import SWEDISH_MONTHS, postcodes
from lagesbild.verdicts.extract import kommun_from_name

__all__ = ["FINES_ABOLISHED", "DefendantRow", "Extracted", "Judgment", "extract_judgment", "strip_page_furniture"]

T = TypeVar("T")

FINES_ABOLISHED = date(2022, 8, 1)
"""From this date fines alone are no longer on the scale for köp av sexuell tjänst (SFS 2022:1043)."""


@dataclass(frozen=True, slots=True)
class Extracted(Generic[T]):
    """A value, how sure the rule that read it is (0-1), and the span ``(start, end)`` it came from."""

    value: T
    confidence: float
    span: tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class DefendantRow:
    """One defendant's fields; ``None`` where the judgment does not state it.

    ``offence`` is ``"kop"``, ``"forsok"`` (attempt), ``"barn"`` (6 kap. 9 §) or ``"koppleri"``;
    ``verdict`` ``"convicted"`` or ``"acquitted"``; ``plea`` ``"erkänner"`` or ``"förnekar"``.
    """

    index: int
    verdict: Extracted[str]
    offence: Extracted[str]
    human_trafficking: bool
    offence_dates: Extracted[tuple[str, ...]] | None
    age: Extracted[int] | None
    home_kommun: Extracted[str] | None
    offence_kommun: Extracted[str] | None
    website: Extracted[str] | None
    ad_used: Extracted[bool]
    day_fines: Extracted[int] | None
    day_fine_amount: Extracted[int] | None
    conditional_sentence: Extracted[bool]
    prison_months: Extracted[int] | None
    plea: Extracted[str] | None
    fines_only_after_reform: bool


@dataclass(frozen=True, slots=True)
class Judgment:
    """The judgment's court, case number and date, and one row per sex-purchase defendant."""

    court: str | None
    case_number: str | None
    date: str | None
    appeal: bool
    defendants: tuple[DefendantRow, ...]
    n_parties: int = 0

    def case_key(self, text_sha256: str) -> str:
        """What makes two copies of one judgment the same case: court and case number (else the text)."""
        if self.case_number is None:
            return f"sha256:{text_sha256}"
        return f"{(self.court or '').lower()}|{self.case_number.replace(' ', '').upper()}"

    def records(self, text_sha256: str) -> list[DefendantRecord]:
        """The rows to store: plain values and confidences, no spans (they point into the text, not kept)."""
        key = self.case_key(text_sha256)
        out = []
        for d in self.defendants:
            conf = {
                name: f.confidence
                for name, f in (("verdict", d.verdict), ("offence", d.offence), ("offence_dates", d.offence_dates),
                                ("age", d.age), ("home_kommun", d.home_kommun), ("offence_kommun", d.offence_kommun),
                                ("website", d.website), ("day_fines", d.day_fines), ("prison_months", d.prison_months),
                                ("plea", d.plea))
                if f is not None
            }
            out.append(DefendantRecord(
                case_key=key, defendant_index=d.index, court=self.court, case_number=self.case_number,
                date=self.date, appeal=self.appeal, verdict=d.verdict.value, offence=d.offence.value,
                human_trafficking=d.human_trafficking, offence_dates=_val(d.offence_dates) or (),
                defendant_age=_val(d.age), home_kommun=_val(d.home_kommun), offence_kommun=_val(d.offence_kommun),
                website=_val(d.website), ad_used=d.ad_used.value, day_fines=_val(d.day_fines),
                day_fine_amount=_val(d.day_fine_amount),
                conditional_sentence=d.conditional_sentence.value, prison_months=_val(d.prison_months),
                plea=_val(d.plea), fines_only_after_reform=d.fines_only_after_reform, confidence=conf,
            ))
        return out


def _val(f: Extracted[T] | None) -> T | None:
    return None if f is None else f.value


# --- page furniture ----------------------------------------------------------------------------

_PAGE_LINE = re.compile(r"^\s*(?:Sida\s+)?\d+\s*(?:\(\s*\d+\s*\)|av\s+\d+)\s*$", re.IGNORECASE)
_SIDA = re.compile(r"\bSida\s+\d+\s*(?:\(\s*\d+\s*\)|av\s+\d+)", re.IGNORECASE)


_SUBSTANCE = re.compile(r"sexuell|koppleri|dagsböter|fängelse|villkorlig|tilltalad|ogill|frikän|stöld|brottsbalken",
                        re.IGNORECASE)
"""Words no running header or footer holds: a line with one is never dropped as page furniture."""


def _shape(line: str) -> str:
    return re.sub(r"\d", "#", " ".join(line.split()).lower())


def strip_page_furniture(text: str) -> str:
    """The text without running page headers and footers (lines repeated at the top or bottom of pages).

    Pages are split at form feeds; a line among the first 6 lines of pages after the first, or the
    last 4 lines of any page, is dropped when the same line (digits ignored) recurs there on
    another page, as is any "Sida 2 (5)" / "Sida 2 av 5" line.
    """
    pages = [p.split("\n") for p in text.split("\f")]
    counts: Counter[str] = Counter()
    for no, lines in enumerate(pages):
        body = [ln for ln in lines if ln.strip()]
        seen = set(body[-4:]) | (set(body[:6]) if no > 0 else set())
        counts.update({_shape(ln) for ln in seen})
    out = []
    for no, lines in enumerate(pages):
        nonblank = [i for i, ln in enumerate(lines) if ln.strip()]
        edge = set(nonblank[-4:]) | (set(nonblank[:6]) if no > 0 else set())
        keep = []
        for i, ln in enumerate(lines):
            repeated = len(pages) > 1 and i in edge and counts[_shape(ln)] >= 2 and not _SUBSTANCE.search(ln)
            if _PAGE_LINE.match(ln) or repeated:
                continue
            keep.append(_SIDA.sub("", ln) if _SIDA.search(ln) else ln)
        out.append("\n".join(keep))
    return "\n".join(out)


# --- patterns ----------------------------------------------------------------------------------

_MONTHS = "|".join(SWEDISH_MONTHS)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_LONG = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(\d{{4}})\b", re.IGNORECASE)
_LONG_NO_YEAR = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})(?:,|\s+och)", re.IGNORECASE)
_COURT = re.compile(r"\b((?:[A-ZÅÄÖ][\wåäöÅÄÖ-]+ (?:TINGSRÄTT|tingsrätt|HOVRÄTT|hovrätt))"
                    r"|(?:Svea|Göta) (?:hovrätt|HOVRÄTT)"
                    r"|(?:Hovrätten|HOVRÄTTEN) (?:för|över|FÖR|ÖVER) [\wÅÄÖåäö ]+?(?=\n|$))")
_JUDGMENT_DATE = re.compile(rf"\b(?:DOM|[Mm]eddelad)\b[^\n]*?\s+(?:i [A-ZÅÄÖ]\w+\s+)?"
                            rf"(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}})", re.IGNORECASE)
_CASE = re.compile(r"\b(B\s?\d{1,6}-\d{2})\b")
_PNR = re.compile(r"(?<!\d)(\d{6}|\d{8})\s?([-+])\s?(\d{4})(?!\d)")
_POST = re.compile(r"(?<!\d)(\d{3})\s?(\d{2})\s+([A-ZÅÄÖ][A-Za-zÅÄÖåäöéü -]+?)\s*(?:$|,|\n)", re.MULTILINE)
_NO_HOME = re.compile(r"utan\s+känd\s+(?:hemvist|adress)", re.IGNORECASE)
_LIVES = re.compile(r"\b(?:[Bb]or|[Bb]osatt|[Ff]olkbokförd|[Hh]emmahörande|[Bb]oende|[Bb]ostadsort:|[Hh]emort:)"
                    r"\s+(?:numera\s+)?(?:i\s+)?"
                    r"(?P<place>[A-ZÅÄÖ][\wåäö-]*(?:\s[A-ZÅÄÖ][\wåäö-]*)?)")
_TILLTALAD = re.compile(r"^[ \t]*(?:(\d+)\.[ \t]*)?tilltalad(?:[ \t]+(?:nr[ \t]*)?(\d+))?\b",
                        re.IGNORECASE | re.MULTILINE)
_SECTION_END = re.compile(r"^\s*(?:DOMSLUT|HOVRÄTTENS DOMSLUT|ÖVERKLAGAD DOM|SAKEN|YRKANDEN)\b", re.MULTILINE)
_OFFENCES = (
    ("barn", re.compile(r"köp av sexuell handling av barn|6\s*kap\.?\s*9\s*§", re.IGNORECASE)),
    ("forsok", re.compile(r"försök till köp av sexuell tjänst", re.IGNORECASE)),
    ("koppleri", re.compile(r"\bkoppleri\b", re.IGNORECASE)),
    ("kop", re.compile(r"köp av sexuell tjänst|6\s*kap\.?\s*11\s*§", re.IGNORECASE)),
)
_TRAFFICKING = re.compile(r"människohandel", re.IGNORECASE)
_ACQUIT = re.compile(r"\b(?:ogillas|ogillar\s+åtalet|ogillar\s+han|frikänn\w*|Frikännande)\b", re.IGNORECASE)
_CONVICT = re.compile(r"\b(?:döms\s+för|Påföljd|fastställer\s+tingsrättens)\b", re.IGNORECASE)
_PRISON = re.compile(r"fängelse\s+(?:i\s+)?(\d{1,2}|en|ett|två|tre|fyra|sex)\s+(månad(?:er)?|år)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"villkorlig\s+dom", re.IGNORECASE)
_FINES = re.compile(r"(?:(\d{1,3})\s+dagsböter|dagsböter:?\s+(\d{1,3}))"
                    r"(?:\s+(?:à|á|å|a|om|på)(?:\s+vardera)?\s+(?P<amount>\d{2,5})\s*(?:kr|kronor|:-))?", re.IGNORECASE)
_SITE = re.compile(r"\b((?:www\.)?[a-zåäö0-9][a-zåäö0-9-]*\.(?:se|com|nu|net|org|eu|example))\b", re.IGNORECASE)
_AD = re.compile(r"\bannons(?!\s*:\s*nej)", re.IGNORECASE)
_PLEA = re.compile(r"\b(erkänner|erkänt|medger|förnekar|bestrider|förnekat)\b", re.IGNORECASE)
_STATED_AGE = re.compile(r"\b(?:är|var|[Åå]lder(?:\s+vid\s+gärningen)?:)\s+(\d{2})\s+år(?:\s+gammal)?"
                         r"(?!\S*\s*(?:gammal\s+)?(?:flicka|pojke|barn))")
_NOT_BUYER = re.compile(r"\b(?:under|flick\w*|pojk\w*|barn\w*|målsägande\w*|kvinna\w*|personen|hon)\b",
                        re.IGNORECASE)
_ACT = re.compile(r"[^.\n]*(?:åklagare|skaffat|köpt|försökt|främjat|förmått|begick|gärning|ersättning)[^.]*\.?",
                  re.IGNORECASE)
_CRIME_SCENE = re.compile(r"\b[Bb]rottsplats(?:en)?:?\s+(?P<place>[A-ZÅÄÖ][\wåäö-]*(?:\s[A-ZÅÄÖ][\wåäö-]*)?)")
_PLACE_IN = re.compile(r"\bi\s+(?P<place>[A-ZÅÄÖ][\wåäö-]*(?:\s[A-ZÅÄÖ][\wåäö-]*)?)")
_NUMBERS = {"en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "sex": 6}


def _mk_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _dates_in(text: str, base: int) -> list[tuple[date, tuple[int, int]]]:
    out = []
    for m in _ISO.finditer(text):
        d = _mk_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            out.append((d, (base + m.start(), base + m.end())))
    months = [x.lower() for x in SWEDISH_MONTHS]
    longs = list(_LONG.finditer(text))
    for m in longs:
        d = _mk_date(int(m.group(3)), months.index(m.group(2).lower()) + 1, int(m.group(1)))
        if d:
            out.append((d, (base + m.start(), base + m.end())))
    # "den 3, 5 mars och 7 april 2023" style lists: a day and month without a year takes the next year given
    for m in _LONG_NO_YEAR.finditer(text):
        nxt = next((x for x in longs if x.start() > m.start()), None)
        if nxt is not None and nxt.start() - m.end() < 80:
            d = _mk_date(int(nxt.group(3)), months.index(m.group(2).lower()) + 1, int(m.group(1)))
            if d:
                out.append((d, (base + m.start(), base + m.end())))
    return out


def _birth(digits: str, sign: str, at: date) -> date | None:
    if len(digits) == 8:
        return _mk_date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if dd > 60:  # samordningsnummer
        dd -= 60
    for century in (2000, 1900, 1800):
        b = _mk_date(century + yy, mm, dd)
        if b is None:
            return None
        age = _age(b, at)
        if (sign == "+" and age >= 100) or (sign == "-" and 0 <= age < 100):
            return b
    return None


def _age(b: date, at: date) -> int:
    return at.year - b.year - ((at.month, at.day) < (b.month, b.day))


def _kommun_from_post(code: str, town: str) -> tuple[str, float] | None:
    kommuner = postcodes().get(code)
    if not kommuner:
        return None
    if len(kommuner) == 1:
        return kommuner[0], 0.95
    by_town = kommun_from_name(town.strip().title())
    if by_town in kommuner:
        return by_town, 0.8
    return kommuner[0], 0.5


@dataclass
class _Party:
    index: int
    names: list[str]
    start: int
    end: int
    pnr: tuple[str, str] | None
    home: Extracted[str] | None
    no_home: bool


def _parties(text: str) -> list[_Party]:
    """The defendants in the PARTER section (or, failing a section, every "Tilltalad" entry)."""
    m = re.search(r"^\s*PARTER\b.*$", text, re.MULTILINE)
    start = m.end() if m else 0
    end_m = _SECTION_END.search(text, start)
    end = end_m.start() if end_m else len(text)
    heads = list(_TILLTALAD.finditer(text, start, end))
    out = []
    for i, h in enumerate(heads):
        e = heads[i + 1].start() if i + 1 < len(heads) else end
        entry = text[h.end():e]
        # the entry ends at the next party label (Försvarare, Målsägande, ...)
        stop = re.search(r"^\s*(?:Offentlig försvarare|Försvarare|Målsägande|Åklagare|Målsägandebiträde)\b", entry,
                         re.MULTILINE | re.IGNORECASE)
        if stop:
            entry = entry[: stop.start()]
        base = h.end()
        pnr_m = _PNR.search(entry)
        name_src = entry[: pnr_m.start()] if pnr_m else entry.split("\n", 2)[1] if "\n" in entry else entry
        name_src = re.sub(r"(?i)\b(?:personnummer|person­nummer|pnr|född|namn)\b:?", " ", name_src)
        words = re.findall(r"[A-Za-zÅÄÖåäöÉéÜü-]+", name_src)
        words = [w for w in words if w[0].isupper() and w.lower() not in {"tilltalad", "tilltalade"}]
        names = [" ".join(words).lower()] if words else []
        if len(words) >= 2:
            names.append(words[-1].lower())
            names.append(words[0].lower() + " " + words[-1].lower())
        home: Extracted[str] | None = None
        after = entry[pnr_m.end():] if pnr_m else entry
        off = base + (pnr_m.end() if pnr_m else 0)
        for pm in _POST.finditer(after):
            found = _kommun_from_post(pm.group(1) + pm.group(2), pm.group(3))
            if found:
                home = Extracted(found[0], found[1], (off + pm.start(), off + pm.end()))
                break
        out.append(_Party(index=int(h.group(1) or h.group(2) or i + 1), names=names, start=h.start(),
                          end=base + len(entry),
                          pnr=(pnr_m.group(1), pnr_m.group(2)) if pnr_m else None, home=home,
                          no_home=bool(_NO_HOME.search(entry))))
    return out


def _segments(text: str, parties: list[_Party], body_start: int) -> dict[int, list[tuple[int, int]]]:
    """The stretches of the text after the parties that concern each defendant."""
    if len(parties) == 1:
        return {parties[0].index: [(parties[0].start, len(text))]}
    anchors: list[tuple[int, int]] = []  # (position, party index)
    for p in parties:
        pats = [rf"tilltalad\s+(?:nr\s*)?{p.index}\b"] + [re.escape(n) for n in p.names[:1] + p.names[2:3] if n]
        rx = re.compile(rf"^[ \t]*(?:{'|'.join(pats)})", re.IGNORECASE | re.MULTILINE)
        anchors += [(m.start(), p.index) for m in rx.finditer(text, body_start)]
        # a short heading line naming him in another order or case ("1. JOHAN TESTSSON", "EXEMPELBERG, Per")
        own = {w for w in (p.names[0].split() if p.names else []) if len(w) >= 3}
        others = {w for q in parties if q is not p for w in (q.names[0].split() if q.names else [])}
        keys = sorted(own - others - {"tilltalad"})
        if keys:
            short = re.compile(rf"^[ \t]*(?:\d+\.\s*)?(?:[^\W\d]+,?\s+){{0,2}}(?:{'|'.join(map(re.escape, keys))})\b"
                               r"[^\n]{0,50}$", re.IGNORECASE | re.MULTILINE)
            anchors += [(m.start(), p.index) for m in short.finditer(text, body_start)]
    heads = [(m.start(), -1) for m in re.finditer(r"^\s*(?:DOMSKÄL|HOVRÄTTENS DOMSKÄL|HUR MAN ÖVERKLAGAR|DOMSLUT|"
                                                  r"HOVRÄTTENS DOMSLUT|TINGSRÄTTENS DOMSLUT)\b", text[body_start:],
                                                  re.MULTILINE)]
    heads = [(pos + body_start, i) for pos, i in heads]
    marks = sorted(set(anchors + heads))
    out: dict[int, list[tuple[int, int]]] = {p.index: [] for p in parties}
    for k, (pos, idx) in enumerate(marks):
        if idx < 0:
            continue
        end = next((q for q, _ in marks[k + 1:] if q > pos), len(text))
        out[idx].append((pos, end))
    return out


def _first(rx: re.Pattern[str], text: str, segs: list[tuple[int, int]]) -> re.Match[str] | None:
    for s, e in segs:
        m = rx.search(text, s, e)
        if m:
            return m
    return None


def _all(rx: re.Pattern[str], text: str, segs: list[tuple[int, int]]) -> list[re.Match[str]]:
    return [m for s, e in segs for m in rx.finditer(text, s, e)]


_SANCTION_HEAD = re.compile(r"^[ \t]*Påföljd(?:[ \t]+m\.m\.)?:?", re.IGNORECASE | re.MULTILINE)
_SANCTION_CHANGED = re.compile(r"ändrar[^.]*?påföljd[^.]*", re.IGNORECASE)
_NO_CONDITIONAL = re.compile(r"\b(?:inte|ej|saknas|inte\s+heller|kan\s+inte)\b[^.]*$", re.IGNORECASE)


def _sanction_region(text: str, segs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where the sanction is read: an appeal court's changed sanction, else the first "Påföljd" block
    that names one (the operative part, before the reasons discuss alternatives), else everything."""
    changed = _first(_SANCTION_CHANGED, text, segs)
    if changed:
        return [changed.span()]
    for m in _all(_SANCTION_HEAD, text, segs):
        end = text.find("\n\n", m.end())
        region = (m.start(), end if end >= 0 else len(text))
        body = text[region[0]:region[1]]
        if _FINES.search(body) or _PRISON.search(body) or _CONDITIONAL.search(body):
            return [region]
    return segs


def _place_code(m: re.Match[str]) -> str | None:
    words = m.group("place").split()
    for n in range(len(words), 0, -1):
        code = kommun_from_name(" ".join(words[:n]))
        if code is None and n == len(words) and m.string[m.end("place"):m.end("place") + 7] == " kommun":
            code = kommun_from_name(" ".join(words[:n]) + " kommun")
        if code is not None:
            return code
    return None


def _row(text: str, party: _Party, segs: list[tuple[int, int]]) -> DefendantRow | None:
    offence = None
    for name, rx in _OFFENCES:
        m = _first(rx, text, segs)
        if m:
            offence = Extracted(name, 0.9, m.span())
            break
    if offence is None:
        return None
    acq = _first(_ACQUIT, text, segs)
    conv = _first(_CONVICT, text, segs)
    verdict = (Extracted("acquitted", 0.9 if conv is None else 0.6, acq.span()) if acq is not None
               else Extracted("convicted", 0.9 if conv else 0.5, conv.span() if conv else None))
    # offence dates: lines naming the offence (domslut) and sentences describing the act (domskäl)
    dates: dict[date, tuple[int, int]] = {}
    for s, e in segs:
        # a line naming the offence, with its continuation lines when a long list of dates wrapped
        for ln in re.finditer(r"[^\n]+(?:,|\boch)[ \t]*(?:\n[ \t]*(?:\d|den\b|och\b)[^\n]*)+|[^\n]+", text[s:e]):
            line = ln.group(0)
            if re.search(r"stöld|8 kap", line, re.IGNORECASE) or not any(rx.search(line) for _, rx in _OFFENCES):
                continue
            for d, sp in _dates_in(line, s + ln.start()):
                dates.setdefault(d, sp)
    acts = _all(_ACT, text, segs)
    if not dates:
        for a in acts:
            for d, sp in _dates_in(a.group(0), a.start()):
                dates.setdefault(d, sp)
    offence_dates = (Extracted(tuple(d.isoformat() for d in sorted(dates)), 0.9, min(dates.values()))
                     if dates else None)
    first_date = min(dates) if dates else None
    age: Extracted[int] | None = None
    if party.pnr and first_date:
        b = _birth(party.pnr[0], party.pnr[1], first_date)
        if b:
            age = Extracted(_age(b, first_date), 0.95, None)
    if age is None:
        for m in _all(_STATED_AGE, text, segs):
            if not _NOT_BUYER.search(text[max(0, m.start() - 40):m.start()]):
                age = Extracted(int(m.group(1)), 0.7, m.span())
                break
    home = party.home
    if home is None:
        lm = _first(_LIVES, text, [(party.start, party.end), *segs])
        code = _place_code(lm) if lm else None
        if lm and code:
            home = Extracted(code, 0.7, lm.span())
    off_k: Extracted[str] | None = None
    bp = _first(_CRIME_SCENE, text, segs)
    if bp and (code := _place_code(bp)):
        off_k = Extracted(code, 0.9, bp.span())
    for a in acts if off_k is None else ():
        for pm in _PLACE_IN.finditer(text, a.start(), a.end()):
            if re.search(r"(?:bor|bosatt|folkbokförd)\s+$", text[max(0, pm.start() - 12):pm.start()]):
                continue
            code = _place_code(pm)
            if code:
                off_k = Extracted(code, 0.85, pm.span())
                break
        if off_k:
            break
    site_m = _first(_SITE, text, segs)
    site = Extracted(site_m.group(1).lower(), 0.8, site_m.span()) if site_m else None
    ad_m = _first(_AD, text, segs)
    ad_used = Extracted(bool(site or ad_m), 0.8 if site or ad_m else 0.5, ad_m.span() if ad_m else None)
    fines = amount = prison = None
    cond = Extracted(False, 0.6, None)
    if verdict.value == "convicted":
        where = _sanction_region(text, segs)
        fm = _first(_FINES, text, where)
        if fm:
            fines = Extracted(int(fm.group(1) or fm.group(2)), 0.9, fm.span())
            if fm.group("amount"):
                amount = Extracted(int(fm.group("amount")), 0.9, fm.span())
        pm2 = _first(_PRISON, text, where)
        if pm2:
            n = int(pm2.group(1)) if pm2.group(1).isdigit() else _NUMBERS[pm2.group(1).lower()]
            prison = Extracted(n * (12 if pm2.group(2).lower() == "år" else 1), 0.9, pm2.span())
        cm = _first(_CONDITIONAL, text, where)
        if cm and not _NO_CONDITIONAL.search(text, max(0, cm.start() - 60), cm.start()):
            cond = Extracted(True, 0.9, cm.span())
    plea_m = _first(_PLEA, text, segs)
    plea = None
    if plea_m:
        w = plea_m.group(1).lower()
        plea = Extracted("erkänner" if w.startswith(("erkän", "medg")) else "förnekar", 0.8, plea_m.span())
    fines_only = bool(fines and not prison and not cond.value and offence.value in ("kop", "forsok")
                      and first_date and first_date >= FINES_ABOLISHED)
    return DefendantRow(
        index=party.index, verdict=verdict, offence=offence,
        human_trafficking=bool(_first(_TRAFFICKING, text, segs)), offence_dates=offence_dates, age=age,
        home_kommun=home, offence_kommun=off_k, website=site, ad_used=ad_used, day_fines=fines, day_fine_amount=amount,
        conditional_sentence=cond, prison_months=prison, plea=plea, fines_only_after_reform=fines_only,
    )


def extract_judgment(text: str) -> Judgment:
    """Read a judgment into one row per sex-purchase defendant (see the module docstring)."""
    raw = text
    text = strip_page_furniture(text)
    court_m = _COURT.search(raw)
    court = None
    if court_m:
        c = " ".join(court_m.group(1).split())
        court = c[0] + c[1:].lower() if c.isupper() else c
        if court.startswith("Hovrätten"):
            court = re.sub(r"\b(skåne|blekinge|västra sverige|nedre norrland|övre norrland)\b",
                           lambda m: m.group(1).title(), court)
    case_m = _CASE.search(raw)
    judgment_date = None
    date_m = _JUDGMENT_DATE.search(raw)
    if date_m:
        found = _dates_in(date_m.group(1), 0)
        judgment_date = found[0][0].isoformat() if found else None
    else:  # the date in a column of the title block ("DOM ... Mål nr" above, the date below)
        head = _dates_in(raw[: raw.find("PARTER") if "PARTER" in raw else 600], 0)
        judgment_date = head[0][0].isoformat() if head else None
    parties = _parties(text)
    body_start = max((p.end for p in parties), default=0)
    segs = _segments(text, parties, body_start)
    rows = []
    for p in parties:
        row = _row(text, p, segs.get(p.index, []))
        if row is not None:
            rows.append(row)
    appeal = bool(re.search(r"HOVRÄTTENS DOMSLUT|ÖVERKLAGAD DOM", text)) or bool(court and "ovrätt" in court)
    return Judgment(court=court, case_number=" ".join(case_m.group(1).split()) if case_m else None,
                    date=judgment_date, appeal=appeal, defendants=tuple(rows), n_parties=len(parties))
