"""Inputs the fuzzers found, replayed, and the defects they found, fixed and pinned."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from lagesbild.errors import InputError
from lagesbild.monitor.spec import load_profile

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("lagesbild_fuzz_targets", HERE / "targets.py")
assert _spec is not None and _spec.loader is not None
targets = sys.modules.get("lagesbild_fuzz_targets") or importlib.util.module_from_spec(_spec)
if "lagesbild_fuzz_targets" not in sys.modules:
    sys.modules["lagesbild_fuzz_targets"] = targets
    _spec.loader.exec_module(targets)

REGRESSIONS = sorted((HERE / "regressions").glob("*.bin"))


@pytest.mark.parametrize("case", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_a_found_input_gives_a_result_or_a_clean_error(case: Path) -> None:
    assert targets.any_target(case.read_bytes()) in ("ok", "error", "known")


def test_a_profile_with_a_control_character_is_refused_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"source: x\x00\n")
    with pytest.raises(InputError, match=r"p\.yaml"):
        load_profile(path)


def test_an_unknown_key_with_a_bracket_is_named_not_a_crash(tmp_path: Path) -> None:
    # pydantic's own location parts hold "[" (union members); the user's unknown key may too, and was dropped,
    # leaving no key to name (IndexError)
    path = tmp_path / "p.yaml"
    path.write_text("base_url: http://127.0.0.1:8700/x/\nallow_private[network: true\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert "allow_private[network" in str(info.value) and "did you mean 'allow_private_network'" in str(info.value)
    assert "p.yaml:2" in str(info.value)
