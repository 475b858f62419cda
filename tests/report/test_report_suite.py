"""Every estimate a report shows is the stored estimate suite's; a period without data says so and never shows zero."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from lagesbild.cli.report import report as report_cmd
from lagesbild.estimate.suite import EstimateSuite, compute_suite, load_suite, residence
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.report.build import ReportOptions
from lagesbild.report.run import run_report
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.verdicts.importer import import_judgments
from lagesbild.workspace import init_workspace, open_workspace

OPTS = ReportOptions(n_draws=4000, generated_at=date(2025, 2, 1))
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    root = tmp_path_factory.mktemp("report-suite")
    simulate(load_config("ostergotland"), seed=5, out_dir=root / "world")
    settings = load_settings(home=str(root / "data"), db=f"sqlite:///{root / 'data' / 'lagesbild.db'}")
    init_workspace(settings)
    ws = open_workspace(settings)
    import_file(ws.store, ws.pseudonymizer, root / "world" / "observations.jsonl.gz", parallel=None)
    process_new(ws.store)
    import_judgments(ws.store, root / "world" / "truth" / "verdicts.jsonl")
    yield ws.store, root / "data"
    ws.close()


def _stored_triples(suite: EstimateSuite) -> set[tuple[float, float, float]]:
    """Every (estimate, low, high) the suite stores: figures, allocations and the details a report shows."""
    out: set[tuple[float, float, float]] = set()
    for figs in (suite.figures, *suite.by_kommun.values(), *suite.by_lan.values()):
        for f in figs.values():
            if f.estimate is not None and f.low is not None and f.high is not None:
                out.add((f.estimate, f.low, f.high))

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            if {"median", "low", "high"} <= set(x):
                out.add((float(x["median"]), float(x["low"]), float(x["high"])))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(dict(suite.details))
    return out


def _report_estimates(ctx: Any, path: str = "") -> Iterator[tuple[str, tuple[float, float, float]]]:
    """Every estimate in a report context (as JSON): Estimate objects and estimated key figures."""
    if isinstance(ctx, dict):
        if {"estimate", "low", "high", "display", "interval_display"} <= set(ctx) and "level" in ctx:
            yield path, (ctx["estimate"], ctx["low"], ctx["high"])
        elif ctx.get("kind") == "estimate" and ctx.get("value") is not None:
            yield path, (ctx["value"], ctx["low"], ctx["high"])
        for k, v in ctx.items():
            if k == "campaigns":  # campaign effects are evaluated on the weekly series, not suite figures
                continue
            yield from _report_estimates(v, f"{path}.{k}")
    elif isinstance(ctx, list):
        for i, v in enumerate(ctx):
            yield from _report_estimates(v, f"{path}[{i}]")


@pytest.mark.parametrize("area", ["05", "0581", "SE"])
def test_every_figure_in_the_report_equals_the_stored_estimate(
    linked: tuple[Store, Path], tmp_path: Path, area: str
) -> None:
    store, _ = linked
    res = run_report(store, area, *Y2024, tmp_path, options=OPTS, pdf=False, save=False)
    suite = load_suite(store, area, *Y2024)
    county = load_suite(store, "SE" if area == "SE" else area[:2], *Y2024)
    assert suite is not None and county is not None and res.context.suite_run_id == suite.run_id
    stored = _stored_triples(suite) | _stored_triples(county)
    published = json.loads(res.files.json.read_text(encoding="utf-8"))  # what the JSON beside the HTML says
    found = list(_report_estimates(published))
    assert len(found) >= 5, found
    for where, triple in found:
        assert any(all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(triple, s, strict=True)) for s in stored), (
            where,
            triple,
        )
    # the headline is the suite's, and the area table adds up to it (the allocation)
    p = suite.figure("purchases")
    k = res.context.key_figure("purchases")
    assert p is not None and k is not None and (k.value, k.low, k.high) == (p.estimate, p.low, p.high)
    if area != "0581":
        rows = [r.purchases.estimate for r in res.context.rows if r.purchases is not None]
        hidden = [r for r in res.context.rows if r.purchases is None and r.ad_days.value is None]
        if not hidden:
            assert math.isclose(sum(rows), p.estimate or 0, rel_tol=1e-9)
    html = res.files.html.read_text(encoding="utf-8")
    assert k.display in html and "/home/" not in html and "default.yaml" not in html


def test_county_report_has_residence_from_the_suite_and_no_internal_names(
    linked: tuple[Store, Path], tmp_path: Path
) -> None:
    store, _ = linked
    res = run_report(store, "05", *Y2024, tmp_path, options=OPTS, pdf=True, save=False)
    v = res.context.verdicts
    assert v is not None and v.residence, "judgments were imported: where buyers live is shown"
    suite = load_suite(store, "05", *Y2024)
    assert suite is not None
    linkoping = next(r for r in v.residence if r.name == "Linköping")
    assert linkoping.purchases_in.estimate == suite.by_kommun["0580"]["purchases"].estimate
    html = res.files.html.read_text(encoding="utf-8")
    for leak in ("support_services.yaml", "docs/methods", "beta(alpha", "share_genuine", "persona_return_share",
                 "active_day_prob", "clients_per_active_day", "new_persona_share", ".yaml"):  # fmt: skip
        assert leak not in html, leak
    assert "Andel äkta annonser" in html and "% av sannolikheten mellan" in html
    en = run_report(store, "05", *Y2024, tmp_path / "en", options=ReportOptions(n_draws=4000, lang="en"), pdf=False,
                    save=False)  # fmt: skip
    assert "Share of genuine ads" in en.files.html.read_text(encoding="utf-8")


def test_report_for_a_period_without_data_says_so_and_computes_no_change(
    linked: tuple[Store, Path], tmp_path: Path
) -> None:
    store, home = linked
    run_report(store, "05", *Y2024, tmp_path / "2024", options=OPTS, pdf=False)  # stored: a previous report
    app = typer.Typer()
    app.command()(report_cmd)
    res = CliRunner().invoke(
        app,
        ["--lan", "05", "--year", "2031", "--out", str(tmp_path / "2031"), "--no-pdf"],
        obj={"home": str(home), "db": f"sqlite:///{home / 'lagesbild.db'}", "key_file": None},
    )
    assert res.exit_code == 0, res.output
    ctx = json.loads(next((tmp_path / "2031").glob("*.json")).read_text(encoding="utf-8"))
    assert ctx["has_data"] is False and ctx["followup"] is None
    figs = {k["key"]: k for k in ctx["summary"]}
    for key in ("ads", "ad_days", "purchases"):
        assert figs[key]["value"] is None and figs[key]["display"] == "inga data", key
    for row in [*ctx["rows"], ctx["total"]]:  # the area table: no data, not zeros
        assert row["ads"]["value"] is None and row["ad_days"]["value"] is None and row["purchases"] is None
        assert row["ad_days"]["display"] == "inga data" and row["buyers_12m"]["estimate"] > 0
    html = next((tmp_path / "2031").glob("*.html")).read_text(encoding="utf-8")
    assert "Inga data" in html and "−100" not in html and "0–0" not in html and "tydlig förändring" not in html
    assert html.count("Inga data: ingenting bevakades") == 1 and "ingen tidigare lägesbild" not in html


def test_where_buyers_live_uses_the_suites_purchases(linked: tuple[Store, Path]) -> None:
    store, _ = linked
    suite = load_suite(store, "05", *Y2024) or compute_suite(store, "05", *Y2024)
    res = residence(store, "05", *Y2024, seed=suite.seed, level=suite.level)
    assert res.judgments > 0
    for row in res.rows:
        stored = suite.by_kommun[row.kommun]["purchases"]
        if stored.estimate is None:  # judgments of buyers from a municipality with no monitored ads
            assert row.purchases_in.median == 0 and stored.note is not None
        else:
            assert math.isclose(row.purchases_in.median, stored.estimate, rel_tol=1e-12)


def test_assumptions_read_for_an_analyst_in_both_languages() -> None:
    from lagesbild.estimate.assumptions import Assumption, Beta, default_assumptions
    from lagesbild.report.build import assumption_row

    a = Assumption("share_genuine", Beta(45.0, 5.0), "share", "Assumption: none.", "Share of genuine ads.")
    sv, en = assumption_row(a, "sv"), assumption_row(a, "en")
    assert sv.description == "Andel äkta annonser" and en.description == "Share of genuine ads"
    # the most likely value is the mode, (alpha - 1) / (alpha + beta - 2) = 44 / 48
    assert sv.display == "troligast 0,92 (90 % av sannolikheten mellan 0,82 och 0,96)"
    assert en.display == "most likely 0.92 (90% of the probability between 0.82 and 0.96)"
    assert "beta(" not in sv.display + sv.distribution + sv.source
    custom = Assumption("my_factor", Beta(2.0, 8.0), "share", "Convention: set by us.", "My own factor. More.")
    row = assumption_row(custom, "sv")
    assert row.description == "My own factor" and row.source.startswith("Konvention") and "param_" not in row.source
    for p in default_assumptions():  # every bundled parameter has words of its own in both languages
        assert not assumption_row(p, "sv").description.startswith("param_")
        assert assumption_row(p, "en").description != assumption_row(p, "sv").description


def test_report_reads_the_suite_estimate_run_printed(linked: tuple[Store, Path], tmp_path: Path) -> None:
    from lagesbild.cli import app as main_app

    _, home = linked
    args = ["--home", str(home), "--db", f"sqlite:///{home / 'lagesbild.db'}"]
    run = CliRunner().invoke(main_app, [*args, "estimate", "run", "--area", "0581", "--year", "2024", "-f", "json"])
    assert run.exit_code == 0, run.output
    printed = json.loads(run.stdout)
    rep = CliRunner().invoke(main_app, [*args, "report", "--kommun", "0581", "--year", "2024", "--no-pdf",
                                        "--out", str(tmp_path)])  # fmt: skip
    assert rep.exit_code == 0, rep.output
    ctx = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert ctx["suite_run_id"] == printed["run_id"]  # read, not recomputed: the same numbers
    k = next(f for f in ctx["summary"] if f["key"] == "purchases")
    p = printed["figures"]["purchases"]
    assert (k["value"], k["low"], k["high"]) == (p["estimate"], p["low"], p["high"])


def test_estimate_residence_json_says_no_data_where_nothing_is_monitored(linked: tuple[Store, Path]) -> None:
    from lagesbild.cli import app as main_app

    _, home = linked
    args = ["--home", str(home), "--db", f"sqlite:///{home / 'lagesbild.db'}"]
    res = CliRunner().invoke(main_app, [*args, "estimate", "residence", "--area", "05", "--year", "2024", "-f", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert rows and all((r["purchases_in"] is None) == (r["person_days"] <= 0) for r in rows)
    assert any(r["purchases_in"] is None for r in rows)  # buyers' homes where no ad was seen
