"""The API says "no data" where there is none, never 0 (issue 14): ``GET /api/areas/{code}`` gives an area
or a year without data ``null`` coverage counts with ``shown`` "inga data" (in English "no data"), and
its months too; ``GET /api/map/{level}`` leaves such areas out. On both backends, also on an empty store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from tests.web.conftest import PASSWORD, LoggedIn, login

from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web import create_app, hash_password

YEAR = 2024
WORDS = [("sv", "inga data"), ("en", "no data")]


def _assert_no_data(a: dict[str, Any], word: str) -> None:
    cov = a["coverage"]
    assert cov["has_data"] is False
    assert cov["observations"] is None
    assert cov["ads"]["value"] is None and cov["ads"]["shown"] == word and cov["ads"]["mark"] is None
    assert cov["first_day"] is None and cov["last_day"] is None
    for p in a["series"]:  # the months the monitoring ran elsewhere: no data here, not 0
        assert p["ads"]["value"] is None and p["ads"]["shown"] == word, p
    assert a["children"] == {}  # sub-areas without data are left out, not listed as 0
    assert a["suite"]["figures"] == [] and a["suite"]["has_data"] is False


@pytest.mark.parametrize(("lang", "word"), WORDS)
def test_an_area_or_year_without_data_says_so(clients: dict[str, LoggedIn], lang: str, word: str) -> None:
    c = clients["admin"].client
    # a county and a municipality the tiny world has no ads in; a year before it
    for code, year in (("10", YEAR), ("0114", YEAR), ("05", YEAR - 1), ("0580", YEAR - 1)):
        r = c.get(f"/api/areas/{code}?year={year}&lang={lang}")
        assert r.status_code == 200, r.text[:300]
        _assert_no_data(r.json(), word)
    for level in ("lan", "kommun"):
        m = c.get(f"/api/map/{level}?year={YEAR - 1}&lang={lang}").json()
        assert m == {}
        m = c.get(f"/api/map/{level}?year={YEAR}&lang={lang}").json()
        assert "10" not in m and "0114" not in m
        assert m and all(x["value"] is None or x["value"] > 0 for x in m.values())
    # where there is data the counts stay numbers (or are suppressed), and its months count from 0
    a = c.get(f"/api/areas/05?year={YEAR}&lang={lang}").json()
    assert a["coverage"]["has_data"] is True
    assert a["coverage"]["observations"] > 0 and a["coverage"]["ads"]["value"] > 0
    assert a["series"] and all(p["ads"]["value"] is not None or p["ads"]["mark"] for p in a["series"])
    assert all(p["ads"]["shown"] != word for p in a["series"])


@pytest.fixture
def empty_app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    with Store.open(db_url) as store:
        WebStore(store).add_user("admin", hash_password(PASSWORD), role="admin", scope=("SE",))
        yield create_app(store, out_dir=tmp_path / "reports", start_worker=False, cache_seconds=0)


def test_an_empty_store_answers_no_data_not_zero(empty_app: FastAPI) -> None:
    c = login(empty_app, "admin").client
    for lang, word in WORDS:
        for code in ("SE", "05", "0580"):
            r = c.get(f"/api/areas/{code}?lang={lang}")
            assert r.status_code == 200, r.text[:300]
            a = r.json()
            _assert_no_data(a, word)
            assert a["series"] == []
        for level in ("lan", "kommun"):
            assert c.get(f"/api/map/{level}?lang={lang}").json() == {}
