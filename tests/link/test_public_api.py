"""`lagesbild.link.__all__` is honest: every listed name exists and every public name is listed."""

from __future__ import annotations

import lagesbild.link as link


def test_all_names_exist_and_public_names_are_listed() -> None:
    for name in link.__all__:
        assert hasattr(link, name), name
    public = {
        n
        for n, v in vars(link).items()
        if not n.startswith("_")
        and not isinstance(v, type(link))
        and str(getattr(v, "__module__", "")).startswith("lagesbild")
    }
    assert public <= set(link.__all__), sorted(public - set(link.__all__))
