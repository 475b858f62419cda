"""Support services from ``data/support_services.yaml`` (national) or a county's own copy (local).

The file is documented in its header. :func:`load_services` validates every entry and reports
every problem at once; :func:`services_for` picks the services that apply to an area.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lagesbild.errors import InputError, InputErrors
from lagesbild.report.context import SupportService

__all__ = ["AUDIENCES", "bundled_services_path", "load_services", "services_for"]

AUDIENCES = ("buyers", "sellers", "all", "professionals")


def bundled_services_path() -> str:
    """Path of the bundled file (copy it to add local services)."""
    return str(resources.files("lagesbild.report") / "data" / "support_services.yaml")


def _entry(raw: Any, where: str, lang: str, errors: list[InputError], path: str) -> SupportService | None:
    if not isinstance(raw, dict):
        errors.append(InputError("must be a mapping", path=path, field=where))
        return None
    for key in ("name", "audience", "description", "area", "source"):
        if key not in raw:
            errors.append(InputError(f"missing '{key}'", path=path, field=where))
    audience = raw.get("audience", [])
    if not isinstance(audience, list) or any(a not in AUDIENCES for a in audience):
        errors.append(InputError(f"audience must be a list of {', '.join(AUDIENCES)}", path=path, field=where))
        return None
    desc = raw.get("description", {})
    if not isinstance(desc, dict) or "sv" not in desc or "en" not in desc:
        errors.append(InputError("description needs 'sv' and 'en'", path=path, field=f"{where}.description"))
        return None
    if any(k not in raw for k in ("name", "area", "source")):
        return None
    return SupportService(
        name=str(raw["name"]),
        audience=tuple(str(a) for a in audience),
        description=str(desc.get(lang, desc["en"])).strip(),
        contact=str(raw.get("contact") or ""),
        area=str(raw["area"]),
        source=" ".join(str(raw["source"]).split()),
    )


def load_services(path: str | Path | None = None, *, lang: str = "sv") -> list[SupportService]:
    """Every national and local service in the file (the bundled one by default).

    Raises:
        InputErrors: listing every invalid entry (file and field path).
    """
    p = str(path) if path is not None else bundled_services_path()
    try:
        data = yaml.safe_load(Path(p).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputErrors([InputError(f"cannot read support services: {exc}", path=p)]) from None
    errors: list[InputError] = []
    out: list[SupportService] = []
    for group in ("national", "local"):
        items = data.get(group) or []
        if not isinstance(items, list):
            errors.append(InputError("must be a list", path=p, field=group))
            continue
        for i, raw in enumerate(items):
            s = _entry(raw, f"{group}[{i}]", lang, errors, p)
            if s is not None:
                out.append(s)
    if errors:
        raise InputErrors(errors)
    return out


def services_for(services: list[SupportService], area: str) -> tuple[SupportService, ...]:
    """The services for ``area``: national ones, plus local ones of the area, its county or its municipalities."""

    def applies(s: SupportService) -> bool:
        if s.area == "SE" or area == "SE":
            return s.area == "SE"
        return area.startswith(s.area) or s.area.startswith(area)

    return tuple(s for s in services if applies(s))
