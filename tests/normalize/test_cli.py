"""``lagesbild normalize text`` renders what normalize_ad reads."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import lagesbild.normalize as normalize
from lagesbild.cli.normalize import app


def test_normalize_text_prints_json_with_place_phone_age_price() -> None:
    result = CliRunner().invoke(
        app,
        ["text", "Lisa 23 år, ring 070-174 06 12, 1500kr/30min, 2600 kr/h", "--location", "Gbg", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["place"]["kommun_kod"] == "1480"
    assert data["place"]["lan_namn"] == "Västra Götalands län"
    assert data["phones"] == ["+46701740612"]
    assert (data["age"], data["price_sek_per_hour"]) == (23, 2600)


def test_normalize_text_uses_site_city_when_ad_names_no_place() -> None:
    result = CliRunner().invoke(app, ["text", "Ring mig", "--site-city", "Uppsala", "--format", "json"])
    assert json.loads(result.output)["place"]["source"] == "site_city"


def test_normalize_text_renders_table() -> None:
    result = CliRunner().invoke(app, ["text", "Bor i Vara", "--format", "table"])
    assert result.exit_code == 0
    assert "kommun_kod" in result.output


def test_normalize_all_exports_exist() -> None:
    for name in normalize.__all__:
        assert hasattr(normalize, name), name
    public = {n for n in dir(normalize) if not n.startswith("_")} - {
        "ad",
        "ages",
        "evaluation",
        "gender",
        "identifiers",
        "indicators",
        "languages",
        "places",
        "prices",
        "run",
        "touring",
    }
    assert public <= set(normalize.__all__)
