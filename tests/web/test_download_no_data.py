"""An area or a year without data says so in the CSV and xlsx downloads ("inga data", in English
"no data"), as its page does, never 0; also on an empty store (issue 14 follow-up)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from tests.web.conftest import PASSWORD, LoggedIn, login

from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web import create_app, hash_password

YEAR = 2024


def _csv_rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return [line.split(";") for line in raw.decode("utf-8-sig").splitlines()]


def _xlsx_rows(raw: bytes) -> list[list[object]]:
    wb = load_workbook(io.BytesIO(raw))
    return [[cell.value for cell in r] for r in wb.active.iter_rows()]


def _observed(rows: list[list[object]], area_name: str) -> list[object]:
    return [r[3] for r in rows if r[0] == area_name and r[2] == "ads_observed"]


@pytest.mark.parametrize(("lang", "word"), [("sv", "inga data"), ("en", "no data")])
def test_a_download_without_data_says_so(clients: dict[str, LoggedIn], lang: str, word: str) -> None:
    c = clients["admin"].client
    cases = [("10", YEAR, "Blekinge län"), ("0114", YEAR, "Upplands Väsby"), ("05", YEAR - 1, "Östergötlands län")]
    for code, year, name in cases:  # a county and a municipality the tiny world has no ads in; a year before it
        page = c.get(f"/area/{code}?year={year}&lang={lang}").text
        assert re.search(r'class="nodata">' + word, page), code  # the page's coverage says no data
        for fmt, parse in (("csv", _csv_rows), ("xlsx", _xlsx_rows)):
            r = c.get(f"/area/{code}/download?year={year}&format={fmt}&lang={lang}")
            assert r.status_code == 200
            observed = _observed(parse(r.content), name)
            assert observed and all(x == word for x in observed), (code, year, fmt, observed)
    # where there is data the count stays a number, and months the monitoring ran count from 0
    rows = _csv_rows(c.get(f"/area/05/download?year={YEAR}&format=csv&lang={lang}").content)
    observed = _observed([list(r) for r in rows], "Östergötlands län")
    assert observed and all(x.replace("\u00a0", "").isdigit() or x.startswith("<") for x in observed)


@pytest.fixture
def empty_app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    with Store.open(db_url) as store:
        WebStore(store).add_user("admin", hash_password(PASSWORD), role="admin", scope=("SE",))
        yield create_app(store, out_dir=tmp_path / "reports", start_worker=False, cache_seconds=0)


def test_an_empty_store_downloads_no_data_not_zero(empty_app: FastAPI) -> None:
    c = login(empty_app, "admin").client
    for code, name in (("SE", "Sverige"), ("05", "Östergötlands län"), ("0580", "Linköping")):
        page = c.get(f"/area/{code}").text
        assert 'class="nodata">inga data' in page
        assert not re.search(r'data-cell="ads">\s*0\s*<', page)
        for fmt, parse in (("csv", _csv_rows), ("xlsx", _xlsx_rows)):
            for lang, word in (("sv", "inga data"), ("en", "no data")):
                r = c.get(f"/area/{code}/download?format={fmt}&lang={lang}")
                assert r.status_code == 200
                rows = parse(r.content)
                assert _observed(rows, name) == [word], (code, fmt, rows)
                assert all(row[3] in (word, "") or row[2] != "ads_observed" for row in rows[1:]), rows
