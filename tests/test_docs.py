"""Generated reference docs stay in step with the code; every command has a teaching --help."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["import-format.md", "settings.md", "cli.md"])
def test_generated_doc_is_current(name: str) -> None:
    gen = _gen()
    expected = gen.DOCS_GENERATED[name]()
    actual = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert actual == expected, f"docs/{name} is out of date: run python scripts/gen_docs.py"


def test_every_import_field_and_setting_is_documented() -> None:
    from lagesbild.ingest.fields import FIELDS
    from lagesbild.settings import SETTINGS

    fmt = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    settings = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert all(f"`{f.name}`" in fmt for f in FIELDS)
    assert all(f"`{s.env}`" in settings for s in SETTINGS)


def test_the_documented_jsonl_example_imports(tmp_path: Path) -> None:
    """The example in docs/import-format.md is valid input."""
    from lagesbild.ingest import iter_observations
    from lagesbild.privacy import Pseudonymizer

    text = (ROOT / "docs" / "import-format.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    p = tmp_path / "example.jsonl"
    p.write_text(example + "\n", encoding="utf-8")
    (batch,) = list(iter_observations(p, Pseudonymizer(bytes(32))))
    assert batch[0].kommun_kod == "0581" and batch[0].phones[0].startswith("ph_")
