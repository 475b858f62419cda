"""Load the versioned normalization rules under ``normalize/rules/``.

Every vocabulary and pattern the normalizers use lives in a YAML file next to this
module, so analysts can review and change them without touching code.
:data:`RULES_VERSION` combines the declared major version with a hash of every rules
file: any edit changes it, which is how a re-run knows that stored observations were
normalized under older rules and must be reprocessed.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

import yaml

from lagesbild.errors import ConfigError

__all__ = ["RULES_VERSION", "rules"]

_FILES = (
    "version.yaml",
    "places.yaml",
    "identifiers.yaml",
    "ages.yaml",
    "prices.yaml",
    "languages.yaml",
    "touring.yaml",
    "indicators.yaml",
    "gender.yaml",
)


def _read(name: str) -> str:
    return resources.files("lagesbild.normalize").joinpath("rules", name).read_text(encoding="utf-8")


@cache
def rules(name: str) -> dict[str, Any]:
    """The parsed rules file ``name`` (without ``.yaml``), e.g. ``rules("places")``.

    Raises:
        ConfigError: the file is missing or is not a YAML mapping.
    """
    file = f"{name}.yaml"
    if file not in _FILES:
        raise ConfigError(f"unknown rules file {file!r}; known: {', '.join(_FILES)}")
    try:
        data = yaml.safe_load(_read(file))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"normalize/rules/{file}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"normalize/rules/{file}: expected a mapping at top level")
    return data


def _version() -> str:
    digest = hashlib.sha256()
    for file in _FILES:
        digest.update(file.encode())
        digest.update(_read(file).encode("utf-8"))
    major = rules("version").get("major", 0)
    return f"{major}.{digest.hexdigest()[:10]}"


RULES_VERSION: str = _version()
"""``"<major>.<hash of all rules files>"``; changes whenever any rule changes."""
