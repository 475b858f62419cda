"""Organised activity (aggregated from link results) and the verdicts' travel-flow map in the report."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from sqlalchemy import text

from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.report.build import ReportOptions, load_report_data
from lagesbild.report.organized import OrganizedAd, organized_ads, organized_section
from lagesbild.report.render import find_leaks, write_report
from lagesbild.report.run import context_for, run_report
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.verdicts import VerdictRecord
from lagesbild.workspace import init_workspace, open_workspace

from .conftest import World

OPTS = ReportOptions(n_draws=2000, generated_at=date(2025, 2, 1))
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A small simulated county, normalized and linked."""
    root = tmp_path_factory.mktemp("report-organized")
    simulate(load_config("ostergotland"), seed=5, out_dir=root / "world")
    settings = load_settings(home=str(root / "data"), db=f"sqlite:///{root / 'data' / 'lagesbild.db'}")
    init_workspace(settings)
    ws = open_workspace(settings)
    import_file(ws.store, ws.pseudonymizer, root / "world" / "observations.jsonl.gz", parallel=None)
    process_new(ws.store)
    yield ws.store
    ws.close()


def _verdict(age: int, home: str, offence: str) -> VerdictRecord:
    return VerdictRecord(None, None, "2024-05-01", None, age, home, offence, True, 50, 100, False)


VERDICTS = (
    [_verdict(30 + i, "0580", "0580") for i in range(7)]  # own municipality, 7
    + [_verdict(40 + i, "0583", "0580") for i in range(6)]  # Motala -> Linköping, 6
    + [_verdict(25, "0581", "0580"), _verdict(26, "0581", "0580")]  # Norrköping -> Linköping, 2: small
    + [_verdict(50, "0584", "0581")]  # Vadstena -> Norrköping, 1: small
)


def _ad(ad: str, person: str, net: str | None, kommun: str, days: tuple[str, ...], ind: str = "") -> OrganizedAd:
    return OrganizedAd(days, kommun, kommun[:2], ad, person, net, frozenset(ind.split()))


def test_organized_section_counts_networks_persons_ads_and_hides_small_counts() -> None:
    d = ("2024-03-01",)
    ads = [_ad(f"a{i}", f"p{i}", "n1", "0580", d, "hotel_only") for i in range(6)]  # network 1: Linköping only
    ads += [_ad(f"b{i}", f"q{i}", "n2", "0581", d, "hotel_only third_person") for i in range(4)]
    ads += [_ad("b9", "q0", "n2", "0180", d)]  # network 2 also in Stockholm: several counties
    ads += [_ad(f"c{i}", f"r{i}", None, "0580", d) for i in range(10)]  # independent
    ads += [_ad("z", "s", "n3", "0580", ("2023-05-01",))]  # outside the period
    # county 03 (6 ads) is the national table's complement of Stockholm's single ad (hidden, <5)
    ads += [_ad(f"u{i}", f"t{i}", "n4", "0380", d) for i in range(6)]
    sec = organized_section(ads, "05", *Y2024, threshold=5, lang="sv")
    assert sec is not None
    assert sec.ads.value == 20 and sec.persons.value == 20
    assert sec.networks.value is None and sec.networks.display == "<5"  # 2 networks
    assert sec.persons_in_networks.value == 10 and sec.persons_share.startswith("50,0")
    assert sec.ads_in_networks.value == 10
    assert sec.multi_municipality.display == "<5" and sec.multi_county.display == "<5"
    shares = {i.code: i for i in sec.indicators}
    assert shares["hotel_only"].ads.value == 10 and shares["hotel_only"].share.startswith("50,0")
    assert shares["third_person"].ads.value is None and shares["third_person"].ads.display == "<5"
    assert shares["third_person"].share == ".."  # a hidden numerator hides its share
    assert shares["hotel_only"].label == "Endast hotell/växlande lägenheter"
    # the municipality report counts only its own ads; a county with none has no section. Linköping's
    # 16 ads are hidden (..): Norrköping's 4 are, and the county's 20 minus 16 would give them back
    lkpg = organized_section(ads, "0580", *Y2024, threshold=5, lang="en")
    assert lkpg is not None and lkpg.ads.value is None and lkpg.ads.display == ".."
    assert organized_section(ads, "0581", *Y2024, threshold=5, lang="en").ads.display == "<5"  # type: ignore[union-attr]
    assert organized_section(ads, "03", *Y2024, threshold=5, lang="en").ads.display == ".."  # type: ignore[union-attr]
    assert organized_section(ads, "01", *Y2024, threshold=5, lang="en").ads.display == "<5"  # type: ignore[union-attr]
    assert organized_section(ads, "12", *Y2024, threshold=5, lang="sv") is None
    # persons and ads outside networks are total minus part: when few, the part is hidden as ".."
    most = [_ad(f"x{i}", f"y{i}", "n9", "0580", d) for i in range(12)] + [_ad("w", "v", None, "0580", d)]
    sec2 = organized_section(most, "05", *Y2024, threshold=5, lang="sv")
    assert sec2 is not None and sec2.persons.value == 13
    assert sec2.persons_in_networks.display == ".." and sec2.persons_share == ".."
    assert sec2.ads_in_networks.value is None
    # the threshold is a setting
    low = organized_section(ads, "05", *Y2024, threshold=1, lang="sv")
    assert low is not None and low.networks.value == 2 and low.multi_county.value == low.multi_municipality.value == 1


def test_organized_section_from_the_stored_links_publishes_only_aggregates(linked: Store, tmp_path: Path) -> None:
    res = run_report(linked, "05", *Y2024, tmp_path, options=OPTS, pdf=False, save=False)
    org = res.context.organized
    assert org is not None
    assert org.ads.value is not None and org.ads.value > 0
    assert org.persons.value is not None and org.persons.value > 0
    for c in (org.networks, org.persons_in_networks, org.ads_in_networks, org.multi_municipality, org.multi_county):
        assert c.value is None or c.value == 0 or c.value >= 5
        assert c.value is not None or c.display in ("<5", "..")
    assert (org.ads_in_networks.value or 0) <= org.ads.value
    for i in org.indicators:
        assert i.ads.value is None or i.ads.value >= 5
        assert (i.ads.value is None) == (i.share == "..")
    # no network or person id, name or pseudonym in any output
    with linked.engine.connect() as conn:
        ids = [str(r[0]) for r in conn.execute(text("SELECT network_id FROM link_networks"))]
        ids += [str(r[0]) for r in conn.execute(text("SELECT person_id FROM link_persons LIMIT 200"))]
        names = [str(r[0]) for r in conn.execute(text("SELECT DISTINCT name FROM link_persons WHERE name IS NOT NULL"))]
    html = res.files.html.read_text(encoding="utf-8")
    js = res.files.json.read_text(encoding="utf-8")
    assert 'id="organized-table"' in html
    for out in (html, js):
        assert not re.search(r"\b(ph|em|hd)_[0-9a-zA-Z]{4,}", out)
        assert find_leaks(out) == []
        for i in ids:
            assert i not in out
        for n in names:
            if len(n) >= 4:
                assert not re.search(rf"\b{re.escape(n)}\b", out), n


def test_stored_organized_ads_carry_networks_and_indicators(linked: Store) -> None:
    rows = organized_ads(linked)
    assert rows and any(r.network_id for r in rows)
    assert any(r.indicators for r in rows)


def test_verdicts_section_draws_only_flows_at_the_threshold(world: World, tmp_path: Path) -> None:
    data = load_report_data(world.store, *Y2024)
    ctx = context_for(world.store, data, "05", OPTS, verdicts=VERDICTS)
    v = ctx.verdicts
    assert v is not None and v.n_verdicts.value == 16
    # 2 + 1 judgments are hidden (<5); 16 - 7 - 6 would give their small sum back, so Motala's 6 is hidden
    # too (..) and drawn with them as "other" (9): only the 7 is drawn on its own
    assert {(f.home, f.offence, f.count) for f in v.flow_lines} == {("0580", "0580", 7)}
    assert [c.display for _, _, c in v.flows] == ["7", "..", "<5", "<5"]
    assert v.other_flows.value == 9
    assert all(c.value is None or c.value >= 5 for _, _, c in v.flows)
    # the age bands are parts of the 16 judgments as well: no hidden band is 16 minus the shown ones
    hidden = [n for _, n in v.age_bands if n.value is None]
    shown = sum(n.value or 0 for _, n in v.age_bands)
    assert len(hidden) != 1 and not 0 < 16 - shown < 5
    files = write_report(ctx, tmp_path / "out", ad_texts=world.ad_texts)
    html = files.html.read_text(encoding="utf-8")
    m = re.search(r'id="flow-map" src="data:image/png;base64,([^"]+)"', html)
    assert m, "the flow map is inline in the HTML"
    img = imread(io.BytesIO(base64.b64decode(m.group(1))))
    grey = np.asarray(img)[..., :3].mean(axis=2)
    assert grey.std() > 0.05 and (grey < 0.3).mean() > 0.002, "the map has dark arrows/circles on it"
    assert "Resor till köpen" in html
    assert files.pdf is not None and files.pdf.stat().st_size > 0
    en = context_for(world.store, data, "05", ReportOptions(n_draws=2000, lang="en"), verdicts=VERDICTS)
    assert "Travel to the purchases" in write_report(en, tmp_path / "en", pdf=False).html.read_text("utf-8")


def test_verdicts_section_works_for_the_national_report(world: World) -> None:
    """'SE' is two letters but not a county: the national report must not treat it as one."""
    data = load_report_data(world.store, *Y2024)
    ctx = context_for(world.store, data, "SE", OPTS, verdicts=VERDICTS)
    assert ctx.verdicts is not None and ctx.verdicts.n_verdicts.value == 16


def test_the_organized_section_reads_the_store_without_sql_of_its_own() -> None:
    """Only ``store/`` speaks SQL: the report module gets plain records from ``store.organized``."""
    import lagesbild.report.organized as mod

    source = Path(mod.__file__).read_text(encoding="utf-8")
    assert "sqlalchemy" not in source and "SELECT" not in source
