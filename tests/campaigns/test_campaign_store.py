"""The campaign register and evaluation on stored ad-days, on both backends."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from lagesbild.campaigns import Campaign, evaluate_stored
from lagesbild.errors import InputError
from lagesbild.ingest import import_file
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore

START = date(2024, 1, 1)
CAMPAIGN = Campaign("Du avgör", ("06",), date(2024, 3, 4), date(2024, 4, 14), "busshållplatser")


def test_register_round_trip(store: Store) -> None:
    cs = CampaignStore(store)
    cs.add(CAMPAIGN)
    cs.add(Campaign("Sluta köpa sex", ("05", "06"), date(2024, 4, 15), date(2024, 5, 19)))
    assert [c.name for c in cs.list()] == ["Du avgör", "Sluta köpa sex"]
    assert cs.get("Du avgör") == CAMPAIGN
    assert cs.get("Sluta köpa sex").counties == ("05", "06")


def test_register_refuses_duplicate_name_unless_replace(store: Store) -> None:
    cs = CampaignStore(store)
    cs.add(CAMPAIGN)
    with pytest.raises(InputError, match="already registered"):
        cs.add(CAMPAIGN)
    cs.add(Campaign("Du avgör", ("05",), CAMPAIGN.start, CAMPAIGN.end), replace=True)
    assert cs.get("Du avgör").counties == ("05",)
    assert cs.remove("Du avgör") and not cs.remove("Du avgör")
    with pytest.raises(InputError, match="no campaign"):
        cs.get("Du avgör")


def write_ads(path: Path, *, effect: float = -0.3, weeks: int = 20, per_day: float = 25.0, seed: int = 3) -> Path:
    """Ads seen per day in Linköping (05, control) and Jönköping (06, campaign); 06 lowered during the campaign."""
    rng = np.random.default_rng(seed)
    recs = []
    for d in range(7 * weeks):
        day = START + timedelta(days=d)
        for place, code in (("Linköping", "05"), ("Jönköping", "06")):
            mean = per_day * (1 + effect if code == "06" and CAMPAIGN.start <= day <= CAMPAIGN.end else 1.0)
            for i in range(int(rng.poisson(mean))):
                recs.append(
                    {"site": "s", "site_ad_id": f"{code}-{d}-{i}", "seen_at": day.isoformat(), "location": place}
                )
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return path


def test_evaluate_stored_campaign_recovers_effect(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    import_file(store, pz, write_ads(tmp_path / "ads.jsonl"))
    cs = CampaignStore(store)
    cs.add(CAMPAIGN)
    area = cs.daily_ad_days(("06",))
    assert sum(area.values()) > 0 and set(cs.daily_ad_days(None, exclude=("06",))) == set(area)
    with_control = evaluate_stored(store, "Du avgör")
    assert with_control.method.startswith("difference-in-differences")
    alone = evaluate_stored(store, "Du avgör", control=False)
    assert alone.method.startswith("interrupted time series")
    for eff in (with_control, alone):
        assert eff.n_intervention == 6
        assert eff.low <= 0.7 <= eff.high < 1.0
        assert eff.rate_ratio == pytest.approx(0.7, abs=0.07)


def test_daily_by_county_counts_distinct_ads_and_first_days(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    """Ad-days count an ad once per county and day (however often it was seen); an ad is new on its first
    day in each county; counted in the database, so checked against a hand count."""
    seen = [  # (ad, day, place, time)
        ("a", 0, "Linköping", "08:00"), ("a", 0, "Linköping", "20:00"), ("a", 1, "Linköping", "08:00"),
        ("a", 2, "Jönköping", "08:00"), ("b", 1, "Linköping", "09:00"), ("b", 1, "Jönköping", "18:00"),
        ("c", 2, "Jönköping", "10:00"), ("c", 3, "Jönköping", "10:00"), ("c", 3, "Jönköping", "11:00"),
    ]  # fmt: skip
    recs = [
        {"site": "s", "site_ad_id": ad, "seen_at": f"{(START + timedelta(days=d)).isoformat()}T{hm}:00Z",
         "location": place}
        for ad, d, place, hm in seen
    ]  # fmt: skip
    path = tmp_path / "few.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    import_file(store, pz, path)
    ad_days, new_ads = CampaignStore(store).daily_by_county()
    day = [START + timedelta(days=d) for d in range(4)]
    assert ad_days == {"05": {day[0]: 1, day[1]: 2}, "06": {day[1]: 1, day[2]: 2, day[3]: 1}}
    assert new_ads == {"05": {day[0]: 1, day[1]: 1}, "06": {day[1]: 1, day[2]: 2}}


def test_daily_persons_matches_the_linked_ads_and_leaves_out_fakes(
    store: Store, pz: Pseudonymizer, tmp_path: Path
) -> None:
    """The narrow query gives the same persons per county and day as the full link state, without fakes."""
    from sqlalchemy import text

    from lagesbild.link.runner import run
    from lagesbild.store.estimates import linked_ads

    import_file(store, pz, write_ads(tmp_path / "ads.jsonl", weeks=3, per_day=4.0))
    cs = CampaignStore(store)
    assert cs.daily_persons() is None  # not linked yet
    run(store)
    rows = linked_ads(store)
    fake = rows[0].person_id
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE link_persons SET suspected_fake = 1 WHERE person_id = :p"), {"p": fake})
    expected: dict[str, dict[date, set[str]]] = {}
    for r in rows:
        if r.lan_kod is not None and r.person_id != fake:
            for d in r.days:
                expected.setdefault(r.lan_kod, {}).setdefault(date.fromisoformat(d), set()).add(r.person_id)
    got = cs.daily_persons()
    assert got == expected and set(got) == {"05", "06"}
    assert all(fake not in ids for per in got.values() for ids in per.values())
