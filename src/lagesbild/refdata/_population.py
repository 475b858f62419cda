"""Population by municipality, sex and single-year age.

The bundled table is SCB's 31 December 2019 population (the newest municipality x age x
sex table that could be obtained offline); :func:`projected_population` carries it forward to
2020-2025 with each municipality's change to 2025. Real newer years are imported from an SCB PX-Web
CSV export with :func:`parse_pxweb_population` and kept in the store.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lagesbild.errors import InputError
from lagesbild.refdata._areas import is_county_code, municipalities, municipality
from lagesbild.refdata._files import read_csv

AGES = 101
"""Single-year ages 0..99 and 100 (100 or older)."""

SEXES = ("m", "k")
"""``m`` men, ``k`` women (kvinnor)."""


@dataclass(frozen=True)
class PopulationTable:
    """Population of one year as an array ``[municipality, sex, age]``.

    Municipalities are in the order of :func:`lagesbild.refdata.municipalities`, sexes
    ``("m", "k")``, ages 0..100 (100 = 100 or older).
    """

    year: int
    counts: npt.NDArray[np.int64]
    source: str = "SCB"
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = list(municipalities())
        if self.counts.shape != (len(codes), 2, AGES):
            raise ValueError(f"population array must have shape {(len(codes), 2, AGES)}, got {self.counts.shape}")
        self._index.update({c: i for i, c in enumerate(codes)})

    def _rows(self, area: str) -> npt.NDArray[np.int64]:
        if area == "SE":
            return self.counts
        if len(area) == 2 and is_county_code(area):
            idx = [i for c, i in self._index.items() if municipality(c).county_code == area]
            return self.counts[idx]
        municipality(area)  # raises RefdataError for an unknown code
        return self.counts[[self._index[area]]]

    def count(self, area: str = "SE", *, sex: str = "all", age_min: int = 0, age_max: int | None = None) -> int:
        """Number of people in an area, sex and age band (both ends inclusive).

        Args:
            area: ``"SE"`` for Sweden, a county code (``"05"``) or a municipality code (``"0580"``).
            sex: ``"m"`` (men), ``"k"`` (women) or ``"all"``.
            age_min: lowest age included.
            age_max: highest age included; ``None`` for no upper limit.

        Raises:
            RefdataError: for an unknown area code.
            ValueError: for an unknown sex or an empty age band.
        """
        top = AGES - 1 if age_max is None else min(age_max, AGES - 1)
        if age_min < 0 or age_min > top:
            raise ValueError(f"empty age band {age_min}-{age_max}")
        rows = self._rows(area)
        if sex == "all":
            sel = rows[:, :, age_min : top + 1]
        elif sex in SEXES:
            sel = rows[:, SEXES.index(sex), age_min : top + 1]
        else:
            raise ValueError(f"sex must be 'm', 'k' or 'all', not {sex!r}")
        return int(sel.sum())

    def by_municipality(self, *, sex: str = "all", age_min: int = 0, age_max: int | None = None) -> dict[str, int]:
        """The same count for every municipality, keyed by code."""
        return {c: self.count(c, sex=sex, age_min=age_min, age_max=age_max) for c in self._index}

    def rows(self) -> Iterable[tuple[str, str, int, int]]:
        """Non-zero cells as ``(municipality_code, sex, age, count)``."""
        codes = list(self._index)
        for i, j, a in zip(*np.nonzero(self.counts), strict=True):
            yield codes[int(i)], SEXES[int(j)], int(a), int(self.counts[i, j, a])

    @classmethod
    def from_rows(cls, year: int, rows: Iterable[tuple[str, str, int, int]], source: str = "SCB") -> PopulationTable:
        """Build a table from ``(municipality_code, sex, age, count)`` cells (ages over 100 are added to 100)."""
        codes = {c: i for i, c in enumerate(municipalities())}
        arr = np.zeros((len(codes), 2, AGES), dtype=np.int64)
        for code, sex, age, n in rows:
            arr[codes[code], SEXES.index(sex), min(age, AGES - 1)] += n
        return cls(year=year, counts=arr, source=source)


@cache
def bundled_population() -> PopulationTable:
    """The bundled population table (SCB, 31 December 2019)."""
    rows = ((r["kommun_kod"], r["kon"], int(r["alder"]), int(r["antal"])) for r in read_csv("population_2019.csv.gz"))
    return PopulationTable.from_rows(2019, rows, source="SCB BE0101N1, 31 Dec 2019")


PROJECTION_END = 2025
"""The last year :func:`projected_population` reaches: SCB's total population per municipality, 2025."""


@cache
def projected_population(year: int) -> PopulationTable:
    """The bundled 2019 table carried forward to ``year`` (2020-2025), per municipality and sex.

    The bundle has single-year ages only for 2019, but each municipality's total population for
    2025 and SCB-scaled men 18-65 for 2025 (``befolkning_kommun_summering.csv``). Men are scaled by
    the municipality's change in men 18-65 and women by its change in total population, each
    interpolated linearly between 2019 and 2025; the age shape within a municipality stays 2019's.
    An estimate, not an SCB table: import the year from SCB (``refdata import-population``) for
    the real one. Years after 2025 get 2025's projection, years before 2019 the 2019 table.

    Example::

        >>> projected_population(2024).count("05", sex="m", age_min=18, age_max=65) > 0
        True
    """
    base = bundled_population()
    if year <= base.year:
        return base
    to = min(year, PROJECTION_END)
    t = (to - base.year) / (PROJECTION_END - base.year)
    rows = {r["kommun_kod"]: r for r in read_csv("befolkning_kommun_summering.csv")}
    codes = list(municipalities())
    men = np.ones(len(codes))
    women = np.ones(len(codes))
    for i, code in enumerate(codes):
        r = rows.get(code)
        if r is None:
            continue
        m19, m25 = float(r["man_18_65_2019"]), float(r["man_18_65_2025_est"])
        k19 = float(r["kvinnor_totalt_2019"])
        t19, t25 = float(r["totalt_2019"]), float(r["totalt_2025"])
        if m19 > 0:
            men[i] = (m19 + t * (m25 - m19)) / m19
        if t19 > 0 and k19 > 0:
            women[i] = (t19 + t * (t25 - t19)) / t19
    counts = base.counts.astype(np.float64)
    counts[:, 0, :] *= men[:, None]
    counts[:, 1, :] *= women[:, None]
    source = f"SCB 2019 framskriven till {to} (kommunernas förändring 2019-2025, linjär)"
    return PopulationTable(year=to, counts=np.rint(counts).astype(np.int64), source=source)


_REGION = re.compile(r"^\s*(\d{4})\b")
_AGE = re.compile(r"^\s*(\d{1,3})\s*\+?\s*(år|years?)?\s*\+?\s*$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MEN = {"män", "man", "men", "male", "males", "1"}
_WOMEN = {"kvinnor", "kvinna", "women", "female", "females", "2"}


def _sex(word: str) -> str | None:
    w = word.strip().lower()
    if w in _MEN:
        return "m"
    if w in _WOMEN:
        return "k"
    return None


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise AssertionError("cp1252 decodes every byte")  # pragma: no cover


def parse_pxweb_population(path: str | Path) -> dict[int, PopulationTable]:
    """Parse an SCB PX-Web CSV export of population by region, age and sex.

    Accepts the layouts that Statistikdatabasen writes ("comma/semicolon/tab separated,
    with or without heading"): a title line is skipped; columns ``region``, ``ålder``,
    optionally ``kön`` and ``civilstånd`` (summed over); one value column per year
    (``"2024"``) or per sex and year (``"män 2024"``). Regions are read as
    ``"0114 Upplands Väsby"``; county and national rows are ignored. Ages are
    ``"0 år" .. "100+ år"``; total rows (``"totalt ålder"``, ``"totalt"``) are ignored.
    UTF-8 and Windows-1252 files are both accepted.

    Returns:
        One table per year found in the file.

    Raises:
        InputError: naming the file, line and column, for a file that is not such an export,
            a value that is not a count, or a year that lacks municipalities.
    """
    p = Path(path)
    try:
        text = _decode(p.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(p)) from exc
    lines = text.splitlines()
    header_at = None
    delim = ","
    for i, line in enumerate(lines[:20]):
        for d in (",", ";", "\t"):
            names = {c.strip().lower() for c in next(csv.reader([line], delimiter=d), [])}
            if "region" in names and names & {"ålder", "alder", "age"}:
                header_at, delim = i, d
                break
        if header_at is not None:
            break
    if header_at is None:
        raise InputError(
            "not an SCB PX-Web population export: no header line with 'region' and 'ålder' in the first 20 lines",
            path=str(p),
        )
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delim)
    header = [h.strip() for h in next(reader)]
    low = [h.lower() for h in header]

    def col(*names: str) -> int | None:
        for n in names:
            if n in low:
                return low.index(n)
        return None

    c_region = col("region")
    c_age = col("ålder", "alder", "age")
    c_sex = col("kön", "kon", "sex")
    if c_region is None or c_age is None:
        raise InputError("header must name 'region' and 'ålder' columns", path=str(p), line=header_at + 1)
    value_cols: list[tuple[int, int, str | None]] = []  # (column, year, sex or None)
    for j, h in enumerate(header):
        if j in (c_region, c_age, c_sex) or low[j] in ("civilstånd", "civilstand", "marital status"):
            continue
        m = _YEAR.search(h)
        if not m:
            raise InputError(
                f"column {h!r} is neither a known variable nor a year", path=str(p), line=header_at + 1, field=h
            )
        rest = (h[: m.start()] + h[m.end() :]).strip()
        sex = _sex(rest) if rest else None
        if rest and sex is None:
            raise InputError(f"cannot read the sex in column {h!r}", path=str(p), line=header_at + 1, field=h)
        value_cols.append((j, int(m.group(1)), sex))
    if not value_cols:
        raise InputError("no year columns found", path=str(p), line=header_at + 1)
    if c_sex is None and any(s is None for _, _, s in value_cols):
        raise InputError(
            "the sex is neither a 'kön' column nor part of the year columns", path=str(p), line=header_at + 1
        )

    cells: dict[int, list[tuple[str, str, int, int]]] = {y: [] for _, y, _ in value_cols}
    known = municipalities()
    for lineno, row in enumerate(reader, start=header_at + 2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"expected {len(header)} columns, found {len(row)}", path=str(p), line=lineno)
        rm = _REGION.match(row[c_region])
        if not rm:
            continue  # county or national rows ("01 Stockholms län", "00 Riket")
        code = rm.group(1)
        if code not in known:
            raise InputError(f"unknown municipality code {code!r}", path=str(p), line=lineno, field=header[c_region])
        am = _AGE.match(row[c_age])
        if not am:
            if "tot" in row[c_age].lower():
                continue
            raise InputError(f"cannot read age {row[c_age]!r}", path=str(p), line=lineno, field=header[c_age])
        age = int(am.group(1))
        row_sex = None
        if c_sex is not None:
            if "tot" in row[c_sex].lower():
                continue
            row_sex = _sex(row[c_sex])
            if row_sex is None:
                raise InputError(f"cannot read sex {row[c_sex]!r}", path=str(p), line=lineno, field=header[c_sex])
        for j, year, col_sex in value_cols:
            raw = row[j].strip().replace(" ", "").replace("\u00a0", "")
            if raw in ("", "..", "-", "."):
                raw = "0"
            if not raw.isdigit():
                raise InputError(f"not a count: {row[j]!r}", path=str(p), line=lineno, field=header[j])
            sex = col_sex or row_sex
            assert sex is not None
            cells[year].append((code, sex, age, int(raw)))

    out: dict[int, PopulationTable] = {}
    for year, rows in cells.items():
        seen = {c for c, _, _, _ in rows}
        missing = sorted(set(known) - seen)
        if missing:
            raise InputError(
                f"year {year} lacks {len(missing)} municipalities (first: {', '.join(missing[:5])}); "
                "export all 290 kommuner",
                path=str(p),
            )
        out[year] = PopulationTable.from_rows(year, rows, source=f"SCB PX-Web export {p.name}")
    return out
