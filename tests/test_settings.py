"""Settings resolve argument > environment > settings.toml > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.errors import ConfigError
from lagesbild.settings import load_settings


def test_defaults_live_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LAGESBILD_HOME", "LAGESBILD_DB", "LAGESBILD_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    s = load_settings(home=str(tmp_path))
    assert s.db == f"sqlite:///{tmp_path}/lagesbild.db"
    assert s.key_file == tmp_path / "secret.key"
    assert s.small_count_threshold == 5


def test_precedence_argument_environment_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.toml").write_text('db = "postgresql://from-file@h/db"\nsmall_count_threshold = 3\n')
    s = load_settings(home=str(tmp_path))
    assert s.db == "postgresql+psycopg://from-file@h/db" and s.small_count_threshold == 3
    monkeypatch.setenv("LAGESBILD_DB", "postgres://from-env@h/db")
    assert load_settings(home=str(tmp_path)).db == "postgresql+psycopg://from-env@h/db"
    assert load_settings(home=str(tmp_path), db="sqlite:///x.db").db == "sqlite:///x.db"


def test_bad_settings_are_named(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("dbb = 1\n")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings(home=str(tmp_path))
    (tmp_path / "settings.toml").write_text('small_count_threshold = "many"\n')
    with pytest.raises(ConfigError, match="must be int"):
        load_settings(home=str(tmp_path))
