"""The example profiles in docs/examples pass `source check`, and the docs' XPath example reads a dt/dd list."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.monitor.compile import compile_profile
from lagesbild.monitor.spec import FieldSpec, load_profile, parse_profile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_profile_passes_source_check(path: Path) -> None:
    profile = load_profile(path)
    assert compile_profile(profile).field_names


def test_the_examples_include_an_html_and_a_json_profile() -> None:
    formats = {load_profile(p).format for p in EXAMPLES}
    assert formats == {"html", "json"}


def test_docs_dt_dd_xpath_reads_the_value_after_its_label() -> None:
    base = load_profile(ROOT / "docs" / "examples" / "my-site.yaml").model_dump()
    base["ad"]["fields"] = {
        "site_ad_id": {"from_url": "/annons/([^/?#]+)"},
        "age": {
            "xpath": "//dl[@class='facts']/dt[normalize-space()='Ålder']/following-sibling::dd[1]/text()",
            "cleanup": ["digits"],
        },
        "price": {"xpath": "//tr[th[normalize-space()='Pris']]/td[1]/text()"},
    }
    base["ad"]["images"] = None
    profile = parse_profile(base)
    html = (
        "<dl class='facts'><dt>Stad</dt><dd>Linköping</dd><dt> Ålder </dt><dd>25 år</dd><dd>extra</dd></dl>"
        "<table><tr><th>Pris</th><td>1500 kr</td></tr></table>"
    )
    read = compile_profile(profile).read_ad(html, "http://127.0.0.1:8700/annonsportalen/annons/A-1")
    assert read.record["age"] == "25" and read.record["price"] == "1500 kr"
    assert isinstance(profile.ad.fields["age"], FieldSpec)


def test_the_inline_example_reads_each_ad_of_a_listing_page() -> None:
    import json

    profile = load_profile(ROOT / "docs" / "examples" / "my-inline-api.yaml")
    page = {
        "items": [
            {"id": 12, "title": "Hej", "contact": {"phones": ["070-174 06 05"]},
             "photos": [{"url": "https://img.exempelsajten.invalid/12/1.jpg"}]},
            {"id": 13, "title": "Hallå", "prices": [{"minutes": 60, "text": "1500 kr"}]},
        ],
        "next": "/v2/search?city=stockholm&cursor=abc",
    }  # fmt: skip
    url = "https://api.exempelsajten.invalid/v2/search?city=stockholm"
    lr = compile_profile(profile).read_listing(json.dumps(page), url)
    assert [a.read.site_ad_id for a in lr.ads] == ["12", "13"]
    assert lr.ads[0].read.record["phones"] == ["070-174 06 05"] and lr.ads[1].read.record["price"] == "1500 kr"
    assert lr.ads[0].image_links == ("https://img.exempelsajten.invalid/12/1.jpg",)
    assert lr.next_pages == ("https://api.exempelsajten.invalid/v2/search?city=stockholm&cursor=abc",)
