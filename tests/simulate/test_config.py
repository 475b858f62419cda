"""Loading and validating the simulator configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.errors import InputError, InputErrors
from lagesbild.simulate.config import PRESETS, WorldConfig, load_config


@pytest.mark.parametrize("preset", PRESETS)
def test_presets_load(preset: str) -> None:
    cfg = load_config(preset)
    assert cfg.world.name == preset
    assert len(cfg.sites.sites) >= 3


def test_resolved_config_round_trips(tmp_path: Path) -> None:
    cfg = load_config("ostergotland")
    p = tmp_path / "world.yaml"
    p.write_text(cfg.to_yaml(), encoding="utf-8")
    assert load_config(p) == cfg


def test_every_error_is_reported_with_file_and_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("world:\n  days: 3\n  counties: ['99']\nsellers:\n  spell_median_days: -1\n  nonsense: 1\n")
    with pytest.raises(InputErrors) as exc:
        load_config(p)
    fields = {e.field for e in exc.value.errors}
    assert {"world.days", "world.counties", "sellers.spell_median_days", "sellers.nonsense"} <= fields
    assert all(e.path == str(p) for e in exc.value.errors)


def test_missing_file_names_the_presets(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="preset"):
        load_config(tmp_path / "nope.yaml")


def test_every_supply_field_is_documented() -> None:
    for section in ("world", "sellers", "organizers", "identifiers", "sites", "text"):
        model = type(getattr(WorldConfig(), section))
        for name, f in model.model_fields.items():
            assert f.description, f"{section}.{name} has no description"


def test_every_supply_field_is_in_the_docs() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    for section in ("world", "sellers", "organizers", "identifiers", "sites", "text"):
        model = type(getattr(WorldConfig(), section))
        for name in model.model_fields:
            assert f"`{section}.{name}`" in docs, f"{section}.{name} is missing from docs/simulator.md"
