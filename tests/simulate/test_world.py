"""The compiled world frame: weights, city pages, campaigns."""

from __future__ import annotations

from lagesbild.simulate.config import load_config
from lagesbild.simulate.world import World, slugify


def test_home_weights_concentrate_in_large_cities() -> None:
    w = World.build(load_config("ostergotland"))
    assert set(w.county_of) == {"05"}
    top2 = sorted(w.home_weight, reverse=True)[:2]
    assert sum(top2) > 0.8
    assert abs(w.home_weight.sum() - 1) < 1e-9


def test_campaign_lowers_supply_only_in_its_county_and_weeks() -> None:
    cfg = load_config("tiny")
    w = World.build(cfg)
    c = cfg.campaigns[0]
    d0 = (c.start - cfg.world.start).days
    i = w.county_codes.index(c.counties[0])
    expected = 1 + c.effect * cfg.sellers.campaign_supply_elasticity
    assert w.campaign_factor[i, d0] == expected
    assert w.campaign_factor[i, d0 + 7 * c.weeks] == 1.0
    assert (w.campaign_factor[1 - i] == 1.0).all()


def test_city_pages_follow_site_granularity() -> None:
    cfg = load_config("ostergotland")
    w = World.build(cfg)
    by_name = {s.name: s for s in cfg.sites.sites}
    assert w.city_page(by_name["annonsportalen"], "0580") == ("linkoping", "Linköping")
    assert w.city_page(by_name["annonsportalen"], "0512")[0] == "ovriga-ostergotlands-lan"
    assert w.city_page(by_name["nattkontakt"], "0580")[0] == "ostergotlands-lan"
    assert len(w.city_pages(by_name["kontaktlistan"])) == 13
    assert slugify("Östergötlands län") == "ostergotlands-lan"
