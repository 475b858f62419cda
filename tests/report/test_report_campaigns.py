"""The report's campaign section: one row per measure, the same evaluation as ``lagesbild campaigns evaluate``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from lagesbild.campaigns.measures import SERIES, evaluate_all_series
from lagesbild.records.campaigns import Campaign
from lagesbild.report.build import ReportOptions, load_report_data
from lagesbild.report.render import render_html
from lagesbild.report.run import context_for

from .conftest import World

Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
OPTS = ReportOptions(n_draws=2_000, generated_at=date(2025, 2, 1))


def test_campaign_section_lists_every_measure_with_the_cli_numbers_and_verdicts(world: World) -> None:
    data = load_report_data(world.store, *Y2024, campaigns=world.campaigns)
    assert data.campaign_data is not None
    ctx = context_for(world.store, data, "05", OPTS)
    assert ctx.campaigns is not None
    ev = ctx.campaigns.evaluations[0]
    assert ev.name == "Sluta köpa sex"
    assert [m.key for m in ev.measures] == list(SERIES)
    by = {m.key: m for m in ev.measures}
    # the CLI's evaluation of the same campaign on the same stored data
    c = world.campaigns[0]
    cli = {
        r.series: r
        for r in evaluate_all_series(
            data.campaign_data, Campaign(c.name, c.areas, date.fromisoformat(c.start), date.fromisoformat(c.end))
        )
    }
    ad = by["ad_days"].effect
    assert ad is not None and cli["ad_days"].effect is not None
    assert ad.estimate == cli["ad_days"].effect.rate_ratio and ad.low < ad.estimate < ad.high
    assert ev.effect == ad  # the campaign's headline effect is the ad-days row
    assert by["ad_days"].label == "annonsdagar" and by["ad_days"].verdict == cli["ad_days"].verdict_sv
    # the world is not linked: persons and purchases say why, in Swedish, with no number
    for key in ("active_persons", "purchases"):
        assert by[key].effect is None
        assert by[key].verdict == "Kan inte utvärderas: inga länkade personer (kör lagesbild link)."
    html = render_html(ctx)
    assert html.count('data-measure="') == len(SERIES)
    assert by["ad_days"].verdict in html and "Bedömning" in html
    en = context_for(world.store, data, "05", replace(OPTS, lang="en"))
    assert en.campaigns is not None
    assert [m.label for m in en.campaigns.evaluations[0].measures] == [
        "ad-days",
        "new ads",
        "active persons",
        "estimated purchases",
    ]
    assert en.campaigns.evaluations[0].measures[2].verdict.startswith("Cannot be evaluated")


def test_report_without_campaigns_reads_no_campaign_data(world: World) -> None:
    data = load_report_data(world.store, *Y2024)
    assert data.campaign_data is None
