"""Profiles: validation reports every error at once; shipped profiles are valid; the reference is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.errors import InputErrors
from lagesbild.monitor import PROFILES_DIR, load_profile, render_profile_reference, shipped_profiles
from lagesbild.monitor.compile import compile_field, make_selector
from lagesbild.monitor.spec import FieldSpec

ROOT = Path(__file__).resolve().parents[2]

BAD = """\
source: bad site!
base_url: ftp://x
politness: {}
politeness:
  rate_per_second: -1
  concurency: 3
start: {}
listing:
  ad_links: {css: "a["}
ad:
  fields:
    titel: {css: "h1::text"}
    age: {css: "x", cleanup: [strp]}
    body: {xpath: "//p["}
"""


def test_shipped_profiles_are_valid() -> None:
    profiles = shipped_profiles()
    assert set(profiles) == {"annonsportalen", "nattkontakt", "kontaktlistan"}
    assert len(list(PROFILES_DIR.glob("*.yaml"))) == 3


def test_check_reports_every_error_with_file_line_field_and_allowed_values(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(BAD, encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_profile(p)
    errs = {e.field: e for e in info.value.errors}
    assert len(errs) >= 9
    assert all(e.path == str(p) for e in errs.values())
    assert errs["politeness.concurency"].line == 6 and "did you mean 'concurrency'" in str(
        errs["politeness.concurency"]
    )
    assert "did you mean 'politeness'" in errs["politness"].message
    assert "'title'" in errs["ad.fields.titel"].message and "'site_ad_id'" in errs["ad.fields.titel"].message
    assert "did you mean 'strip'" in errs["ad.fields.age.cleanup"].message
    assert "invalid CSS" in errs["listing.ad_links.css"].message
    assert "invalid XPath" in errs["ad.fields.body.xpath"].message
    assert {"source", "base_url", "politeness.rate_per_second", "start"} <= set(errs)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "broken.yaml"
    p.write_text("source: x\nbase_url: [unclosed\n", encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_profile(p)
    assert "broken.yaml:" in str(info.value) and "YAML" in str(info.value)


def test_profile_reference_is_current() -> None:
    doc = (ROOT / "docs" / "profile-reference.md").read_text(encoding="utf-8")
    assert doc == render_profile_reference(), "run: python -m lagesbild.monitor.spec > docs/profile-reference.md"


@pytest.mark.parametrize(
    ("spec", "html", "expected"),
    [
        ({"css": "span.a::text", "cleanup": ["digits"]}, "<span class=a>25 år</span>", "25"),
        ({"css": "p ::text", "join": "\n", "cleanup": ["lines"]}, "<p> Hej<br>\n  du </p>", "Hej\ndu"),
        (
            {"css": "t::text", "cleanup": [{"date": "swedish"}]},
            "<t>3 januari 2023 kl. 14:05</t>",
            "2023-01-03T14:05:00",
        ),
        (
            {"css": "a::attr(href)", "regex": "^mailto:(.+)$"},
            "<a href='mailto:x@example.invalid'>",
            "x@example.invalid",
        ),
        ({"css": "nothing::text"}, "<p>x</p>", None),
        ({"xpath": "//b/text()", "cleanup": [{"replace": ["#", ""]}]}, "<b>#12</b>", "12"),
        ({"css": "p::text"}, "<p>unclosed <div><<<>>> \x00 broken", "unclosed"),
    ],
)
def test_field_extraction(spec: dict[str, object], html: str, expected: str | None) -> None:
    f = compile_field(FieldSpec.model_validate(spec))
    assert f(make_selector(html), "http://x.test/annons/1") == expected


def test_list_fields_keep_every_match_once() -> None:
    f = compile_field(FieldSpec.model_validate({"css": "a::text"}), many=True)
    assert f(make_selector("<a>1</a><a>2</a><a>1</a>"), "http://x.test/") == ["1", "2"]
