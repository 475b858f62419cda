"""The report's verdict section comes from the judgments stored for the area and period (simulated Östergötland)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

from lagesbild.ingest import import_file
from lagesbild.refdata import area_name
from lagesbild.report.build import ReportOptions
from lagesbild.report.run import run_report
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.verdicts import extract_verdict
from lagesbild.verdicts.importer import import_judgments
from lagesbild.workspace import init_workspace, open_workspace

OPTS = ReportOptions(n_draws=2_000, generated_at=date(2025, 2, 1))


def test_simulated_county_verdicts_are_extracted_exactly(tmp_path: Path) -> None:
    for seed in (7, 11):
        out = tmp_path / str(seed)
        simulate(load_config("ostergotland"), seed=seed, out_dir=out)
        lines = (out / "truth" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
        truth = [json.loads(line) for line in lines]
        assert truth
        for v in truth:
            r = extract_verdict(v["text"]).record()
            assert (r.defendant_age, r.defendant_kommun, r.offence_kommun, r.day_fines) == (
                v["defendant_age"],
                v["defendant_kommun"],
                v["offence_kommun"],
                v["day_fines"],
            )


def test_report_fills_the_verdict_section_from_stored_judgments(tmp_path: Path) -> None:
    simulate(load_config("ostergotland"), seed=7, out_dir=tmp_path / "world")
    settings = load_settings(home=str(tmp_path / "data"), db=f"sqlite:///{tmp_path / 'data' / 'lagesbild.db'}")
    init_workspace(settings)
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, tmp_path / "world" / "observations.jsonl.gz", parallel=None)
        truth = [
            json.loads(line)
            for line in (tmp_path / "world" / "truth" / "verdicts.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        without = run_report(ws.store, "05", date(2024, 1, 1), date(2024, 12, 31), tmp_path / "r0", options=OPTS,
                             pdf=False, save=False)  # fmt: skip
        assert without.context.verdicts is None
        import_judgments(ws.store, tmp_path / "world" / "truth" / "verdicts.jsonl")
        res = run_report(ws.store, "05", date(2024, 1, 1), date(2024, 12, 31), tmp_path / "r1", options=OPTS,
                         pdf=False, save=False)  # fmt: skip
    in_period = [v for v in truth if v["offence_kommun"].startswith("05") and v["date"].startswith("2024")]
    section = res.context.verdicts
    assert section is not None
    n = len(in_period)
    assert section.n_verdicts.value == (n if n >= 5 else None)
    assert sum(c.value or 0 for _, c in section.age_bands) <= n
    assert all(c.value is None or c.value == 0 or c.value >= 5 for _, c in section.age_bands)
    assert all(c.value is None or c.value == 0 or c.value >= 5 for _, _, c in section.flows)
    # where purchases happen versus where the buyers live, in the county report
    names = [r.name for r in section.residence]
    assert {"Linköping", "Norrköping"} <= set(names)
    assert section.outside is not None
    for r in section.residence:
        # a municipality without monitored ads has no purchases figure (shown as no data, never 0)
        if r.name in {"Linköping", "Norrköping"}:
            assert r.purchases_in is not None
        if r.purchases_in is not None:
            assert r.purchases_in.low <= r.purchases_in.estimate <= r.purchases_in.high
        assert r.by_residents.low <= r.by_residents.estimate <= r.by_residents.high
    judged = Counter(area_name(v["offence_kommun"]) for v in in_period)
    for r in section.residence:  # a visitors' share rests on at least the threshold of judgments, or is hidden
        assert (r.visitor_share != "–") == (judged[r.name] >= 5), (r.name, judged[r.name], r.visitor_share)
    html = (tmp_path / "r1").glob("*.html")
    page = next(html).read_text(encoding="utf-8")
    assert 'id="residence"' in page and "Var köpen sker och var köparna bor" in page
    if any(r.purchases_in is None for r in section.residence):
        assert "inga data" in page
