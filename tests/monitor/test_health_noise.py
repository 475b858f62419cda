"""A field's extraction rate must collapse significantly, not by small-sample noise, to mark a run degraded."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lagesbild.monitor import RunHealth, compute_health, shipped_profiles


def _rows(n_ads: int, with_emails: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"kind": "listing", "status": "done", "depth": 0, "n_links": n_ads}]
    for i in range(n_ads):
        fields = "title body location phones" + (" emails" if i < with_emails else "")
        rows.append({"kind": "ad", "status": "done", "site_ad_id": str(i), "fields": fields})
    return rows


def _history(profile_fields: tuple[str, ...]) -> list[RunHealth]:
    base = compute_health(_rows(40, 20), shipped_profiles()["annonsportalen"])
    assert base.field_rates["emails"] == 0.5
    return [replace(base, degraded=False)] * 5


def test_a_small_run_with_a_noisy_rate_is_not_degraded() -> None:
    profile = shipped_profiles()["annonsportalen"]
    h = compute_health(_rows(10, 2), profile, _history(profile.ad.fields))  # 20% of 10 ads, usually 50%
    assert not any("emails" in r for r in h.reasons)


def test_a_field_that_vanishes_from_many_ads_is_degraded() -> None:
    profile = shipped_profiles()["annonsportalen"]
    h = compute_health(_rows(30, 0), profile, _history(profile.ad.fields))  # 0 of 30, usually 50%
    assert h.degraded and any("emails" in r and "layout" in r for r in h.reasons)


def test_a_collapsed_field_alert_carries_samples_of_the_ads_that_lack_it() -> None:
    # issue 17: phones written "O7O-..." were dropped, the pass was DEGRADED, and the alert had no samples
    profile = shipped_profiles()["annonsportalen"]
    base = compute_health(_rows(40, 20), profile)
    history = [replace(base, degraded=False)] * 5  # phones usually on every ad
    rows: list[dict[str, Any]] = [{"kind": "listing", "status": "done", "depth": 0, "n_links": 30}]
    for i in range(30):
        rows.append(
            {
                "kind": "ad",
                "status": "done",
                "site_ad_id": f"A-{i}",
                "url": f"http://site.test/annons/A-{i}",
                "fields": "title body location",
                "error": "dropped invalid field(s): phones[0]: not a phone number (value withheld)",
            }
        )
    h = compute_health(rows, profile, history)
    assert h.degraded and any("phones" in r for r in h.reasons)
    assert h.error_samples, "a degraded pass names pages to look at"
    phones = [s for s in h.error_samples if s.startswith("MissingField: phones not found on http://site.test/annons/A-")]
    assert len(phones) == 5 and all("not a phone number" in s for s in phones)
    assert all(s.startswith("MissingField: ") for s in h.error_samples)  # emails (usually 50%) collapsed too
    assert h.error_counts == {}  # no page failed


def test_a_degraded_alert_never_shows_a_raw_number_from_an_address() -> None:
    profile = shipped_profiles()["annonsportalen"]
    history = [replace(compute_health(_rows(40, 20), profile), degraded=False)] * 5
    rows: list[dict[str, Any]] = [{"kind": "listing", "status": "done", "depth": 0, "n_links": 30}]
    rows += [
        {"kind": "ad", "status": "done", "site_ad_id": "x", "url": "http://s.test/ring-0701740605", "fields": "title"}
        for _ in range(30)
    ]
    h = compute_health(rows, profile, history)
    assert h.error_samples and not any("0701740605" in s for s in h.error_samples)
