"""The lägesbild report: context, numbers, follow-up, protection of small numbers and data, rendering."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import typer
from matplotlib.image import imread
from typer.testing import CliRunner

from lagesbild.cli.report import report as report_cmd
from lagesbild.estimate.suite import load_suite
from lagesbild.report.build import ReportOptions, load_report_data
from lagesbild.report.context import KeyFigure
from lagesbild.report.followup import compare
from lagesbild.report.render import find_leaks, write_report
from lagesbild.report.run import context_for, run_report
from lagesbild.report.strings import STRINGS

from .conftest import World

Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
OPTS = ReportOptions(n_draws=5_000, generated_at=date(2025, 2, 1))


def test_context_has_the_summary_sections_and_optional_stages(world: World) -> None:
    data = load_report_data(world.store, *Y2024, campaigns=world.campaigns)
    ctx = context_for(world.store, data, "05", OPTS)
    assert ctx.area_name == "Östergötlands län" and ctx.period_label == "2024" and ctx.lang == "sv"
    assert [k.key for k in ctx.summary] == ["ads", "ad_days", "purchases", "buyers_12m", "buyers_ever"]
    assert ctx.key_figure("ad_days") is not None and (ctx.key_figure("ad_days").value or 0) > 1000  # type: ignore[union-attr]
    assert {r.code for r in ctx.rows} >= {"0580", "0581"} and ctx.total.code == "05"
    assert [layer.key for layer in ctx.map.layers] == ["activity", "purchases", "demand"]
    assert ctx.series.campaigns and ctx.series.campaigns[0].name == "Sluta köpa sex"
    assert len(ctx.series.points) >= 52
    assert ctx.hidden_population is None and ctx.verdicts is None and ctx.organized is None
    assert ctx.campaigns is not None and ctx.campaigns.evaluations[0].name == "Sluta köpa sex"
    assert 0 < ctx.campaigns.evaluations[0].effect.low < ctx.campaigns.evaluations[0].effect.high
    assert any(s.name.startswith("KAST") for s in ctx.support)
    assert {p.name for p in ctx.methods.parameters} >= {"clients_per_working_day", "share_genuine"}
    assert ctx.purchases is not None and ctx.purchases.tornado
    json.dumps(ctx.to_dict())  # the context is JSON


def test_numbers_equal_the_stored_estimate_suite(world: World) -> None:
    # The report computes no estimate: its figures are the stored suite's (unlinked here: ad-days basis).
    data = load_report_data(world.store, *Y2024)
    ctx = context_for(world.store, data, "05", OPTS)
    suite = load_suite(world.store, "05", *Y2024)
    assert suite is not None and ctx.suite_run_id == suite.run_id and suite.basis == "ad_days"
    for key, quantity in (("purchases", "purchases"), ("buyers_12m", "demand_12m"), ("buyers_ever", "demand_ever")):
        k, f = ctx.key_figure(key), suite.figure(quantity)
        assert k is not None and f is not None and (k.value, k.low, k.high) == (f.estimate, f.low, f.high), key
    linkoping = next(r for r in ctx.rows if r.code == "0580")
    stored = suite.by_kommun["0580"]["purchases"]
    assert linkoping.purchases is not None and linkoping.purchases.estimate == stored.estimate


def test_small_counts_are_never_published(world: World) -> None:
    data = load_report_data(world.store, *Y2024, threshold=5)
    for area in ("05", "0586", "SE"):
        ctx = context_for(world.store, data, area, OPTS)
        cells = [c for r in (*ctx.rows, ctx.total) for c in (r.ads, r.ad_days)]
        values = [c.value for c in cells] + [p.value for p in ctx.series.points]
        for v in values:
            assert v is None or v == 0 or v >= 5
        for k in ctx.summary:
            assert k.kind != "count" or k.value is None or k.value == 0 or k.value >= 5
        hidden = [r for r in ctx.rows if r.ads.value is None]
        if hidden and ctx.total.ads.value is not None:
            assert len(hidden) >= 2, "a published total minus the other rows would give a hidden row back"


def test_followup_flags_a_real_change_and_not_noise() -> None:
    def figs(ads: int, days: int, purchases: float) -> tuple[KeyFigure, ...]:
        return (
            KeyFigure("ads", "Annonser", ads, None, None, str(ads), None, "", "count"),
            KeyFigure("ad_days", "Annonsdagar", days, None, None, str(days), None, "", "count"),
            KeyFigure("purchases", "Sexköp", purchases, purchases * 0.4, purchases * 2.5, "", None, "", "estimate"),
        )

    prev = {
        "period_label": "2023",
        "summary": [{"key": k.key, "value": k.value, "low": k.low, "high": k.high} for k in figs(300, 3000, 2000)],
        "purchases": {"assumptions_name": "default"},
    }
    noise = compare(figs(310, 3100, 2070), prev, "sv", assumptions_name="default")
    assert not any(c.significant for c in noise.changes)
    real = compare(figs(450, 4800, 3200), prev, "sv", assumptions_name="default")
    sig = {c.key: c for c in real.changes}
    assert sig["ads"].significant and sig["ad_days"].significant and sig["purchases"].significant
    assert sig["ad_days"].direction == "up" and sig["ad_days"].display == "+60\u00a0%"


def test_report_is_compared_with_the_stored_previous_year(world: World, tmp_path: Path) -> None:
    first = run_report(world.store, "05", date(2023, 1, 1), date(2023, 12, 31), tmp_path, options=OPTS, pdf=False)
    assert first.context.followup is None
    second = run_report(world.store, "05", *Y2024, tmp_path, options=OPTS, pdf=False)
    fu = second.context.followup
    assert fu is not None and fu.previous_period == "2023"
    days = next(c for c in fu.changes if c.key == "ad_days")
    assert days.previous == first.context.key_figure("ad_days").value  # type: ignore[union-attr]


def _pixels(png: Path) -> np.ndarray:
    img = imread(str(png))
    return np.asarray(img[..., :3], dtype=np.float64)


def _has_viridis(img: np.ndarray, min_pixels: int = 200) -> bool:
    """Pixels near viridis' dark purple or teal (the maps and bars), as a sign a chart rendered."""
    targets = np.array([[68, 1, 84], [33, 145, 140], [59, 82, 139], [253, 231, 37]]) / 255.0
    d = np.min(np.linalg.norm(img[:, :, None, :] - targets[None, None], axis=-1), axis=-1)
    return int((d < 0.12).sum()) >= min_pixels


@pytest.fixture(scope="module")
def written(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("written")
    data = load_report_data(world.store, *Y2024, campaigns=world.campaigns)
    files: dict[str, Path] = {}
    for area, lang in (("05", "sv"), ("0580", "en"), ("SE", "sv")):
        f = write_report(context_for(world.store, data, area, replace(OPTS, lang=lang)), out, ad_texts=world.ad_texts)
        assert f.pdf is not None
        files.update({f"{area}.html": f.html, f"{area}.pdf": f.pdf, f"{area}.json": f.json})
    return files


def test_no_output_contains_pseudonyms_phones_or_ad_text(world: World, written: dict[str, Path]) -> None:
    for name, path in written.items():
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
            assert "Östergötland" in text or "Sverige" in text or "Sweden" in text  # åäö survive
        else:
            text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(ph|em|hd)_[0-9a-zA-Z]{4,}", text), name
        assert find_leaks(text, world.ad_texts) == [], name
        digits = re.sub(r"\s", "", text)
        for phone in world.raw_phones[:500]:
            assert re.sub(r"\D", "", phone) not in digits or len(re.sub(r"\D", "", phone)) < 8, name


def test_html_is_self_contained_and_english_on_request(written: dict[str, Path]) -> None:
    html = written["0580.html"].read_text(encoding="utf-8")
    assert "Situation picture" in html and "Linköping" in html
    assert not re.search(r"""(src|href)=["']https?:""", html) and "@import" not in html
    sv = written["05.html"].read_text(encoding="utf-8")
    assert "Lägesbild" in sv and "Ännu inte tillgängligt" in sv


@pytest.mark.slow
def test_chromium_screenshot_shows_maps_and_charts(written: dict[str, Path], tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    shot = tmp_path / "shot.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=1000,2400",
         f"--screenshot={shot}", written["05.html"].as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    img = _pixels(shot)
    assert img.std() > 0.05
    h = img.shape[0]
    assert _has_viridis(img[: h // 2]), "the maps on the summary page"
    assert _has_viridis(img[h // 2 :]), "the weekly chart below them"


def test_pdf_pages_show_maps_and_charts(written: dict[str, Path], tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(written["05.pdf"]), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 3
    first, second = _pixels(pages[0]), _pixels(pages[1])
    assert _has_viridis(first), "choropleth on page 1"
    assert _has_viridis(second), "time series on page 2"
    assert all(_pixels(p).std() > 0.02 for p in pages), "no blank page"


def test_cli_writes_the_report(world: World, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(report_cmd)
    res = CliRunner().invoke(
        app,
        ["--lan", "05", "--year", "2024", "--lang", "en", "--out", str(tmp_path), "--no-pdf"],
        obj={"home": str(world.home), "db": f"sqlite:///{world.home / 'lagesbild.db'}", "key_file": None},
    )
    assert res.exit_code == 0, res.output
    assert list(tmp_path.glob("*.html")) and list(tmp_path.glob("*.json"))
    bad = CliRunner().invoke(app, ["--lan", "05"], obj={"home": str(world.home), "db": None, "key_file": None})
    assert bad.exit_code == 2


def test_both_languages_have_the_same_strings() -> None:
    assert set(STRINGS["sv"]) == set(STRINGS["en"])
