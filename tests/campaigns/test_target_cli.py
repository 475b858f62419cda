"""``lagesbild campaigns target`` on a small imported store (Linköping and Jönköping ads)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lagesbild.settings import Settings

from .test_campaign_store import START, write_ads

runner = CliRunner()


def test_target_ranks_counties_with_reasons(settings: Settings, tmp_path: Path) -> None:
    from lagesbild.cli import app as main_app

    ads = write_ads(tmp_path / "ads.jsonl", effect=0.0, weeks=6)
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*base, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*base, "import", "--no-progress", str(ads)]).exit_code == 0
    year = str(START.year)
    res = runner.invoke(main_app, [*base, "campaigns", "target", "--year", year, "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    by = {r["code"]: r for r in rows}
    # the two monitored counties have activity; a county without ads has none ("inga data", not 0)
    assert {"05", "06"} <= set(by)
    for code in ("05", "06"):
        assert "activity" in by[code]["based_on"]
        assert any(s.startswith("aktivitet: ") and "%" in s for s in by[code]["reasons"])
    empty = by["01"]
    assert "activity" not in empty["based_on"] and "aktivitet: inga data" in empty["reasons"]
    assert empty["values"]["activity"] is None
    # only the two monitored counties are ranked on activity
    assert sorted(by[c]["ranks"]["activity"] for c in ("05", "06")) == [1, 2]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    # no county-level inflow at the national level
    assert all("inflöde: inga data" in r["reasons"] for r in rows)
    res = runner.invoke(main_app, [*base, "campaigns", "target", "--year", year, "--top", "2", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert len(res.output.strip().splitlines()) == 3
    res = runner.invoke(main_app, [*base, "campaigns", "target", "--year", year, "--lan", "05", "--format", "json"])
    assert res.exit_code == 0, res.output
    kommun = {r["code"]: r for r in json.loads(res.output)}
    # the county's municipalities; Linköping is the only one with monitored ads
    assert all(c.startswith("05") and len(c) == 4 for c in kommun)
    assert kommun["0580"]["ranks"]["activity"] == 1
    assert [c for c, r in kommun.items() if "activity" in r["based_on"]] == ["0580"]
    bad = runner.invoke(main_app, [*base, "campaigns", "target", "--year", year, "--lan", "0580"])
    assert bad.exit_code != 0 and "--lan" in bad.output
