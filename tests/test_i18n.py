"""The one message catalogue (lagesbild.i18n): the dashboard and the command line read the same words."""

from __future__ import annotations

from tests.link.test_template_networks import CIRCUIT, _ads, _background

from lagesbild import i18n
from lagesbild.link import link_observations
from lagesbild.link.cluster import KINDS
from lagesbild.link.explain import explain, term
from lagesbild.web import i18n as web_i18n


def test_the_dashboard_reads_the_one_catalogue() -> None:
    assert web_i18n.STRINGS is i18n.STRINGS
    assert web_i18n.t is i18n.t


def test_every_code_an_explanation_prints_has_words_in_both_languages_in_the_catalogue() -> None:
    o = _background() + _ads("c", "Cilla", 22, "ph_c", CIRCUIT) + _ads("d", "Doris", 30, "ph_d", CIRCUIT)
    ads, linked = link_observations(o)
    e = explain(ads, linked, ("s1", "c00"), ("s1", "d00"))
    codes = {g.name for g in e.signals} | {g.weight for g in e.signals} | set(e.same) | set(KINDS)
    assert {"phones", "template", "decisive", "network", "advertiser", "repost"} <= codes
    for code in codes:
        sv, en = i18n.STRINGS[f"term_{code}"]
        assert (term(code, "sv"), term(code, "en"), term(code)) == (sv, en, en)
        assert sv and en
    # a code without a word is said as it is
    assert term("no-such-code", "sv") == "no-such-code"
