"""The campaign spec and its CSV import: every error reported at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lagesbild.campaigns import Campaign, read_campaign_csv
from lagesbild.errors import InputError, InputErrors


def test_campaign_sorts_counties_and_reports_its_period() -> None:
    c = Campaign("Sluta köpa sex", ("06", "05", "06"), date(2024, 4, 15), date(2024, 5, 19))
    assert c.counties == ("05", "06")
    assert c.days == 35
    assert c.period == "2024-04-15 – 2024-05-19"


def test_campaign_rejects_bad_fields_all_at_once() -> None:
    with pytest.raises(InputErrors) as exc:
        Campaign(" ", ("99",), date(2024, 5, 1), date(2024, 4, 1))
    assert {e.field for e in exc.value.errors} == {"name", "counties", "end"}


def test_read_simulator_truth_merges_county_rows(tmp_path: Path) -> None:
    p = tmp_path / "campaigns.csv"
    p.write_text(
        "name,county,start,end,effect\n"
        "Du avgör,05,2024-04-15,2024-05-19,-0.15\n"
        "Du avgör,06,2024-04-15,2024-05-19,-0.15\n",
        encoding="utf-8",
    )
    (c,) = read_campaign_csv(p)
    assert (c.name, c.counties, c.start, c.end) == ("Du avgör", ("05", "06"), date(2024, 4, 15), date(2024, 5, 19))


def test_read_csv_names_file_and_line_of_each_bad_row(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("name,counties,start,end\nA,05,2024-13-01,2024-05-01\nB,42,2024-01-01,2024-02-01\n", encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        read_campaign_csv(p)
    assert [(e.line, e.field) for e in exc.value.errors] == [(2, "start"), (3, "counties")]
    assert all(isinstance(e, InputError) and e.path == str(p) for e in exc.value.errors)
