"""Campaigns from text fields and CSV files, with every bad row reported at once.

The :class:`~lagesbild.records.campaigns.Campaign` record itself (validated on construction)
lives in :mod:`lagesbild.records.campaigns`, below the store.

Example::

    campaigns = read_campaign_csv("kampanjer.csv")
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from lagesbild.errors import InputError, InputErrors
from lagesbild.records.campaigns import Campaign

__all__ = ["campaign_from_fields", "read_campaign_csv"]


def campaign_from_fields(fields: Mapping[str, str], *, source: str | None = None, line: int | None = None) -> Campaign:
    """A campaign from text fields ``name, counties, start, end[, note]`` (counties separated by ``,`` ``;`` or space).

    Raises:
        InputError / InputErrors: naming the field (and file and line when given).
    """
    errors: list[InputError] = []

    def day(key: str) -> date | None:
        raw = (fields.get(key) or "").strip()
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors.append(
                InputError(f"{key} must be an ISO date (2024-04-15), not {raw!r}", path=source, line=line, field=key)
            )
            return None

    start, end = day("start"), day("end")
    raw_c = (fields.get("counties") or fields.get("county") or "").replace(";", ",").replace(" ", ",")
    counties = tuple(c.strip().zfill(2) for c in raw_c.split(",") if c.strip())
    if start is None or end is None:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    try:
        return Campaign((fields.get("name") or "").strip(), counties, start, end, (fields.get("note") or "").strip())
    except InputErrors as exc:
        raise InputErrors([InputError(e.message, path=source, line=line, field=e.field) for e in exc.errors]) from None
    except InputError as exc:
        raise InputError(exc.message, path=source, line=line, field=exc.field) from None


def read_campaign_csv(path: str | Path) -> list[Campaign]:
    """Campaigns from a CSV with a header ``name, counties, start, end[, note]``.

    Rows with the same name, start and end are merged (the simulator's ``truth/campaigns.csv``
    has one row per county, in a ``county`` column). Every bad row is reported at once.

    Raises:
        InputErrors: one error per bad row, with file and line.
    """
    p = Path(path)
    errors: list[InputError] = []
    merged: dict[tuple[str, str, str], dict[str, str]] = {}
    try:
        fh = p.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {p}: {exc.strerror}", path=str(p)) from None
    with fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            key = ((row.get("name") or "").strip(), (row.get("start") or "").strip(), (row.get("end") or "").strip())
            cs = row.get("counties") or row.get("county") or ""
            if key in merged:
                merged[key]["counties"] += "," + cs
            else:
                merged[key] = {**{k: v or "" for k, v in row.items() if k}, "counties": cs, "_line": str(i)}
    out: list[Campaign] = []
    for fields in merged.values():
        try:
            out.append(campaign_from_fields(fields, source=str(p), line=int(fields["_line"])))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return out
