"""External series for campaign evaluation: an analyst's own CSV (e.g. weekly calls to KAST).

The file has a header and one row per equally spaced period (day, week or month), oldest first:
``date;value[;control...]`` (``;`` or ``,`` separated). ``date`` is an ISO date (``2024-04-15``)
or a month (``2024-04``); ``value`` is the outcome; every further column is a control series
(not reached by the campaign) unless named as the exposure. Decimal commas are accepted with
``;`` as separator. Every error names the file, line and field.

Example::

    s = read_series_csv(Path("kast.csv"))
    eff = evaluate_series(s, date(2024, 4, 15), date(2024, 5, 19), method="sts")
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from lagesbild.campaigns.effect import CampaignEffect, Family, its_effect
from lagesbild.campaigns.evaluate import _did
from lagesbild.campaigns.sts import StsEffect, sts_effect
from lagesbild.errors import InputError

__all__ = ["ExternalSeries", "Method", "evaluate_series", "read_series_csv", "window"]

Method = Literal["glm", "sts"]


@dataclass(frozen=True, slots=True)
class ExternalSeries:
    """An outcome series with optional control series and exposure, read from a CSV."""

    path: str
    dates: tuple[date, ...]
    values: npt.NDArray[np.float64]
    control_names: tuple[str, ...]
    controls: npt.NDArray[np.float64]  # shape (n, len(control_names))
    exposure: npt.NDArray[np.float64] | None

    @property
    def period(self) -> float:
        """Points per year: 12 for months, 52.18 for weeks, 365.25 for days (from the median spacing)."""
        gaps = np.diff([d.toordinal() for d in self.dates])
        g = float(np.median(gaps)) if gaps.size else 7.0
        return 12.0 if 27 <= g <= 32 else 365.25 / g


def _parse_date(text: str, *, path: str, line: int, field: str) -> date:
    t = text.strip()
    try:
        return date.fromisoformat(t + "-01" if len(t) == 7 else t)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD or YYYY-MM): {t!r}", path=path, line=line, field=field) from None


def _parse_number(text: str, *, decimal_comma: bool, path: str, line: int, field: str) -> float:
    t = text.strip().replace(" ", "")
    if decimal_comma:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise InputError(f"not a number: {text.strip()!r}", path=path, line=line, field=field) from None
    if not math.isfinite(v):
        raise InputError(f"not a finite number: {text.strip()!r}", path=path, line=line, field=field)
    return v


def read_series_csv(path: Path, *, exposure: str | None = None) -> ExternalSeries:
    """Read ``date;value[;control...]`` from ``path``.

    Args:
        path: the CSV file.
        exposure: a column to use as exposure (population, opening hours): the outcome is
            modelled per unit of it (log offset in the GLM); it is not a control.

    Raises:
        InputError: naming file, line and field, for a missing or unreadable file, a missing
            column, an unparseable date or number, a negative outcome, dates not strictly
            increasing, or fewer than 4 rows.
    """
    p = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the series file: {exc}", path=p) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError("empty file: expected a header date;value[;control...]", path=p, line=1)
    delim = ";" if ";" in lines[0] else ","
    rows = list(csv.reader(lines, delimiter=delim))
    header = [h.strip() for h in rows[0]]
    if len(header) < 2 or header[0].lower() != "date":
        raise InputError(
            f"the header must start with date{delim}value, found {delim.join(header)!r}", path=p, line=1, field="date"
        )
    if len(set(header)) != len(header):
        raise InputError("duplicate column names in the header", path=p, line=1)
    if exposure is not None and exposure not in header[2:]:
        raise InputError(f"exposure column {exposure!r} is not among {header[2:]}", path=p, line=1, field=exposure)
    decimal_comma = delim == ";"
    dates: list[date] = []
    cols: list[list[float]] = [[] for _ in header[1:]]
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"expected {len(header)} fields, found {len(row)}", path=p, line=i)
        d = _parse_date(row[0], path=p, line=i, field=header[0])
        if dates and d <= dates[-1]:
            raise InputError(f"dates must increase; {d} follows {dates[-1]}", path=p, line=i, field=header[0])
        dates.append(d)
        for j, name in enumerate(header[1:], start=1):
            v = _parse_number(row[j], decimal_comma=decimal_comma, path=p, line=i, field=name)
            if j == 1 and v < 0:
                raise InputError(f"the outcome must not be negative: {v:g}", path=p, line=i, field=name)
            if name == exposure and v <= 0:
                raise InputError(f"the exposure must be positive: {v:g}", path=p, line=i, field=name)
            cols[j - 1].append(v)
    if len(dates) < 4:
        raise InputError(f"too few rows ({len(dates)}): need at least 4", path=p)
    names = tuple(h for h in header[2:] if h != exposure)
    by_name = dict(zip(header[1:], cols, strict=True))
    ctrl = np.array([by_name[nm] for nm in names], dtype=np.float64).T.reshape(len(dates), len(names))
    return ExternalSeries(
        path=p,
        dates=tuple(dates),
        values=np.asarray(cols[0], dtype=np.float64),
        control_names=names,
        controls=ctrl,
        exposure=None if exposure is None else np.asarray(by_name[exposure], dtype=np.float64),
    )


def window(s: ExternalSeries, start: date, end: date | None) -> tuple[int, int | None]:
    """Indices ``[first, stop)`` of the rows whose date lies in ``[start, end]`` (``stop`` None: to the end).

    Raises:
        InputError: if no row lies before ``start`` or none inside the window.
    """
    idx = [i for i, d in enumerate(s.dates) if d >= start and (end is None or d <= end)]
    if not idx:
        raise InputError(f"no row of the series falls between {start} and {end or 'the end'}", path=s.path)
    if idx[0] == 0:
        raise InputError(f"the series has no row before the campaign start {start}", path=s.path)
    stop = idx[-1] + 1
    return idx[0], (None if stop == len(s.dates) else stop)


def evaluate_series(
    s: ExternalSeries,
    start: date,
    end: date | None = None,
    *,
    method: Method = "glm",
    family: Family = "quasipoisson",
    seasonality: int = 0,
    slope_change: bool = False,
    level: float = 0.95,
    hac_lags: int = 0,
) -> CampaignEffect | StsEffect:
    """Evaluate a campaign running from ``start`` to ``end`` (``None``: to the end) on an external series.

    ``glm``: without controls an interrupted time series (:func:`its_effect`, log exposure as
    offset); with controls a (quasi-)Poisson difference-in-differences against their sum.
    ``sts``: a structural time-series counterfactual from the controls (:func:`sts_effect`).

    Raises:
        InputError: if the window is outside the series, or ``sts`` is asked without controls.
    """
    first, stop = window(s, start, end)
    if method == "sts":
        if not s.control_names:
            raise InputError("--method sts needs at least one control column after date;value", path=s.path)
        y, x = s.values, s.controls
        if s.exposure is not None:  # model rates per unit exposure
            y, x = y / s.exposure, x / s.exposure[:, None]
        return sts_effect(y, x, first, stop, level=level)
    if s.control_names:
        n = len(s.dates) if stop is None else stop
        inside = np.zeros(n, dtype=bool)
        inside[first:n] = True
        return _did(s.values[:n], s.controls[:n].sum(axis=1), inside, family=family, level=level, hac_lags=hac_lags)
    off = None if s.exposure is None else np.log(s.exposure)
    return its_effect(
        s.values,
        first,
        stop,
        seasonality=seasonality,
        period=s.period,
        family=family,
        offset=off,
        slope_change=slope_change,
        level=level,
        hac_lags=hac_lags,
    )
