"""Settings: one registry, the single source of truth for names, defaults and help.

A setting's value comes from, in order: an explicit argument (a CLI option), the
environment variable ``LAGESBILD_<NAME>``, the data folder's ``settings.toml``, the
default. ``docs/settings.md`` is generated from :data:`SETTINGS` and a test keeps it current.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lagesbild.errors import ConfigError

__all__ = [
    "LANGUAGES",
    "SETTINGS",
    "SMALL_COUNT_ADVISED",
    "SMALL_COUNT_FLOOR",
    "Setting",
    "Settings",
    "check_small_count_threshold",
    "is_small",
    "load_settings",
]

log = logging.getLogger(__name__)

SMALL_COUNT_FLOOR = 3
"""The smallest accepted ``small_count_threshold``: counts of one or two are never published."""
SMALL_COUNT_ADVISED = 5
"""The default ``small_count_threshold``; a smaller one is accepted with a warning."""


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
    Setting(
        "small_count_threshold",
        "5",
        int,
        "Published counts below this are shown as `<N`. At least 3 (a smaller value is refused: counts of "
        "one or two can point at a person); values below 5 are allowed but log a warning.",
    ),
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
    Setting(
        "lang",
        "sv",
        str,
        "Language of command output: `sv` (Swedish labels, \"6 061\" and \"0,82\") or `en` (English labels, "
        "\"6,061\" and \"0.82\"). Help texts are in English. The CLI's `--lang` overrides it.",
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
    lang: str = "sv"


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

    def source(name: str) -> str:
        if overrides.get(name) is not None:
            return "given as an option"
        if os.environ.get(_BY_NAME[name].env):
            return f"from {_BY_NAME[name].env}"
        if name in file_values:
            return f"from {toml_path}"
        return "the default"

    values: dict[str, Any] = {}
    for s in SETTINGS:
        text = raw(s.name, file_values).replace("{home}", str(home))
        try:
            values[s.name] = s.type(text)
        except ValueError:
            raise ConfigError(f"setting {s.name!r} must be {s.type.__name__}, got {text!r}") from None
    check_small_count_threshold(values["small_count_threshold"], source("small_count_threshold"))
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
        lang=_check_lang(values["lang"], source("lang")),
    )


LANGUAGES = ("sv", "en")
"""The languages command output is offered in."""


def _check_lang(value: str, where: str) -> str:
    lang = value.strip().lower()
    if lang not in LANGUAGES:
        raise ConfigError(
            f"setting 'lang' (LAGESBILD_LANG) is {value!r} ({where}); choose one of: {', '.join(LANGUAGES)}"
        )
    return lang


def is_small(value: int, threshold: int) -> bool:
    """A count that must not be published: between 1 and ``threshold - 1`` (the one small-count rule).

    It lives beside the threshold setting so every stage that publishes counts (report, campaigns,
    verdicts, the dashboard) applies the same rule without importing another stage.
    """
    return 0 < value < threshold


def check_small_count_threshold(value: int, where: str = "given") -> int:
    """Check a small-count threshold: refuse one below 3, warn (once per value) about one below 5.

    Args:
        value: the threshold.
        where: where it came from, for the message (e.g. ``"from LAGESBILD_SMALL_COUNT_THRESHOLD"``).

    Returns:
        The value.

    Raises:
        ConfigError: if the value is below :data:`SMALL_COUNT_FLOOR`, naming the setting.
    """
    if value < SMALL_COUNT_FLOOR:
        raise ConfigError(
            f"setting 'small_count_threshold' (LAGESBILD_SMALL_COUNT_THRESHOLD) is {value} ({where}); it must be "
            f"at least {SMALL_COUNT_FLOOR}: published counts of one or two can point at a person. The default is "
            f"{SMALL_COUNT_ADVISED}."
        )
    if value < SMALL_COUNT_ADVISED:
        _warn_low_threshold(value, where)
    return value


@cache
def _warn_low_threshold(value: int, where: str) -> None:
    log.warning(
        "small_count_threshold is %d (%s): counts from %d to %d will be published; the advised minimum is %d",
        value,
        where,
        value,
        SMALL_COUNT_ADVISED - 1,
        SMALL_COUNT_ADVISED,
    )
