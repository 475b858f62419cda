"""Settings: one registry, the single source of truth for names, defaults and help.

A setting's value comes from, in order: an explicit argument (a CLI option), the
environment variable ``LAGESBILD_<NAME>``, the data folder's ``settings.toml``, the
default. ``docs/settings.md`` is generated from :data:`SETTINGS` and a test keeps it current.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lagesbild.errors import ConfigError

__all__ = ["SETTINGS", "Setting", "Settings", "load_settings"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its name, default (as text, ``{home}`` expanded), type and help."""

    name: str
    default: str
    type: type
    help: str

    @property
    def env(self) -> str:
        return "LAGESBILD_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("home", "./lagesbild-data", str, "The data folder: the SQLite database, the key, raw pages, reports."),
    Setting(
        "db",
        "sqlite:///{home}/lagesbild.db",
        str,
        "Database URL: `sqlite:///path.db` (default) or `postgresql://user@host/dbname` for a shared server.",
    ),
    Setting(
        "key_file",
        "{home}/secret.key",
        str,
        "The pseudonymization key (created by `lagesbild init`, mode 0600). Keep it outside the database "
        "and back it up: without it new identifiers cannot be matched to stored ones.",
    ),
    Setting("small_count_threshold", "5", int, "Published counts below this are shown as `<N`."),
    Setting("raw_page_retention_days", "90", int, "Raw crawled pages older than this are deleted."),
    Setting(
        "frontier_retention_days",
        "30",
        int,
        "The crawl frontier (URLs, extracted fields, errors) of runs finished longer ago than this is deleted "
        "by `lagesbild retention apply`; the runs' health records are kept.",
    ),
    Setting(
        "observation_retention_days",
        "0",
        int,
        "Observations (ad sightings with their scrubbed text) older than this are deleted by "
        "`lagesbild retention apply`, and the rest relinked; 0 keeps them (estimates of old periods need them).",
    ),
    Setting(
        "report_retention_days",
        "0",
        int,
        "Stored report contexts, and report files in the data folder's `reports/` and `web-reports/`, older "
        "than this are deleted by `lagesbild retention apply`; 0 keeps them (follow-ups compare with them).",
    ),
    Setting(
        "export_retention_days",
        "30",
        int,
        "Files in the data folder's `exports/` older than this are deleted by `lagesbild retention apply`.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings. Build with :func:`load_settings`."""

    home: Path
    db: str
    key_file: Path
    small_count_threshold: int
    raw_page_retention_days: int
    frontier_retention_days: int = 30
    observation_retention_days: int = 0
    report_retention_days: int = 0
    export_retention_days: int = 30


def _normalize_db_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_settings(**overrides: Any) -> Settings:
    """Resolve every setting (argument > environment > ``settings.toml`` > default).

    Args:
        **overrides: values given explicitly, e.g. ``home="/data"`` or ``db="postgresql://..."``;
            ``None`` means "not given".

    Raises:
        ConfigError: for an unknown setting or a value of the wrong type.
    """
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(_BY_NAME)}")

    def raw(name: str, file_values: dict[str, Any]) -> str:
        if overrides.get(name) is not None:
            return str(overrides[name])
        env = os.environ.get(_BY_NAME[name].env)
        if env:
            return env
        if name in file_values:
            return str(file_values[name])
        return _BY_NAME[name].default

    home = Path(raw("home", {})).expanduser()
    file_values: dict[str, Any] = {}
    toml_path = home / "settings.toml"
    if toml_path.is_file():
        try:
            file_values = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{toml_path}: {exc}") from exc
        bad = set(file_values) - set(_BY_NAME)
        if bad:
            raise ConfigError(f"{toml_path}: unknown setting(s) {', '.join(sorted(bad))}; known: {', '.join(_BY_NAME)}")

    values: dict[str, Any] = {}
    for s in SETTINGS:
        text = raw(s.name, file_values).replace("{home}", str(home))
        try:
            values[s.name] = s.type(text)
        except ValueError:
            raise ConfigError(f"setting {s.name!r} must be {s.type.__name__}, got {text!r}") from None
    return Settings(
        home=home,
        db=_normalize_db_url(values["db"]),
        key_file=Path(values["key_file"]),
        small_count_threshold=values["small_count_threshold"],
        raw_page_retention_days=values["raw_page_retention_days"],
        frontier_retention_days=values["frontier_retention_days"],
        observation_retention_days=values["observation_retention_days"],
        report_retention_days=values["report_retention_days"],
        export_retention_days=values["export_retention_days"],
    )
