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
