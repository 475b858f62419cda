"""Settings resolve argument > environment > settings.toml > default."""

from __future__ import annotations

import logging
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


@pytest.mark.parametrize("value", ["-5", "0", "1", "2"])
def test_a_small_count_threshold_below_3_is_refused_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("LAGESBILD_SMALL_COUNT_THRESHOLD", value)
    with pytest.raises(ConfigError) as info:
        load_settings(home=str(tmp_path))
    msg = str(info.value)
    assert "small_count_threshold" in msg and "LAGESBILD_SMALL_COUNT_THRESHOLD" in msg and "at least 3" in msg
    monkeypatch.delenv("LAGESBILD_SMALL_COUNT_THRESHOLD")
    (tmp_path / "settings.toml").write_text(f"small_count_threshold = {value}\n")
    with pytest.raises(ConfigError, match=r"settings\.toml"):
        load_settings(home=str(tmp_path))


@pytest.mark.parametrize(("value", "warns"), [("3", True), ("4", True), ("5", False), ("10", False)])
def test_a_small_count_threshold_below_5_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, value: str, warns: bool
) -> None:
    from lagesbild.settings import _warn_low_threshold

    _warn_low_threshold.cache_clear()
    monkeypatch.setenv("LAGESBILD_SMALL_COUNT_THRESHOLD", value)
    with caplog.at_level(logging.WARNING, logger="lagesbild.settings"):
        assert load_settings(home=str(tmp_path)).small_count_threshold == int(value)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "small_count_threshold" in r.message]
    assert bool(warnings) == warns
    if warns:
        assert f"counts from {value} to 4 will be published" in warnings[0].message


def test_the_cli_refuses_a_threshold_below_the_floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from lagesbild.cli import app

    monkeypatch.setenv("LAGESBILD_SMALL_COUNT_THRESHOLD", "1")
    res = CliRunner().invoke(app, ["--home", str(tmp_path), "report", "--lan", "05", "--year", "2025", "--no-pdf"])
    assert res.exit_code != 0
    assert "small_count_threshold" in res.output and "at least 3" in res.output
