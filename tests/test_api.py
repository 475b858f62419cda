"""The public API is small and `__all__` is honest."""

from __future__ import annotations

import lagesbild
from lagesbild import errors, refdata


def test_all_names_exist_and_public_names_are_listed() -> None:
    for mod in (lagesbild, errors, refdata):
        for name in mod.__all__:
            assert hasattr(mod, name), f"{mod.__name__}.__all__ lists missing {name}"
        public = {
            n
            for n, v in vars(mod).items()
            if not n.startswith("_")
            and not isinstance(v, type(lagesbild))
            and str(getattr(v, "__module__", "")).startswith("lagesbild")
        }
        assert public <= set(mod.__all__), f"{mod.__name__} exports unlisted {sorted(public - set(mod.__all__))}"


def test_every_error_derives_from_the_base() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.LagesbildError)


def test_input_error_names_file_line_and_field() -> None:
    e = errors.InputError("not a date", path="ads.jsonl", line=12, field="seen_at")
    assert str(e) == "ads.jsonl:12: field 'seen_at': not a date"
