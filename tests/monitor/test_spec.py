"""Profiles: validation reports every error at once; shipped profiles are valid; the reference is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.errors import InputError, InputErrors
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


# ----------------------------------------------------------------------------- what check must catch

GOOD = (PROFILES_DIR / "annonsportalen.yaml").read_text(encoding="utf-8")


def _with_title(tmp_path: Path, title: str) -> Path:
    p = tmp_path / "p.yaml"
    old = '    title: {css: ".ad-detail h1.ad-title::text", cleanup: [collapse_whitespace]}'
    assert old in GOOD
    p.write_text(GOOD.replace(old, f"    title: {title}"), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ('{css: "h1::text", cleanup: [{regex_replace: ["a", "\\\\9"]}]}', "invalid group reference 9"),
        ('{css: "h1::text", cleanup: [{regex_replace: ["(?P<n>a)", "\\\\g<m>"]}]}', "unknown group name"),
        ("{xpath: \"//div[@id=$var]/text()\"}", "XPath variables"),
        ('{xpath: "//div[foo(.)]/text()"}', "unknown function(s) foo()"),
        ('{jmespath: "title"}', "`jmespath` selectors need `format: json`"),  # a cross-section check, at its line
    ],
)
def test_check_catches_what_would_fail_on_the_first_matching_page(tmp_path: Path, title: str, message: str) -> None:
    with pytest.raises(InputErrors) as info:
        load_profile(_with_title(tmp_path, title))
    (err,) = info.value.errors
    assert err.field is not None and err.field.startswith("ad.fields.title"), err
    title_line = next(i for i, ln in enumerate(GOOD.splitlines(), 1) if ln.startswith("    title:"))
    assert message in err.message and err.line == title_line


@pytest.mark.parametrize(
    "title",
    [
        '{css: "h1::text", cleanup: [{regex_replace: ["(a)(b)?", "\\\\2-\\\\1"]}]}',
        '{css: "h1::text", cleanup: [{regex_replace: ["(?i)(a)", "\\\\1"]}]}',
        '{xpath: "//div[contains(@class, \\"$x(\\")]/text()"}',
        '{xpath: "//a[re:test(@href, \\"x\\")]/@href"}',
    ],
)
def test_check_accepts_valid_templates_and_xpaths(tmp_path: Path, title: str) -> None:
    assert load_profile(_with_title(tmp_path, title)).ad.fields["title"] is not None


BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
source: *i
"""


def test_a_billion_laughs_profile_is_refused_within_a_second(tmp_path: Path) -> None:
    import time

    p = tmp_path / "lol.yaml"
    p.write_text(BILLION_LAUGHS, encoding="utf-8")
    t0 = time.monotonic()
    with pytest.raises(InputError, match="expands to more than 100,000 values") as info:
        load_profile(p)
    assert time.monotonic() - t0 < 1.0
    assert info.value.path == str(p)


def test_a_self_referencing_alias_and_an_oversized_file_are_refused(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.write_text("source: x\na: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(InputError, match="alias refers to a value that contains it"):
        load_profile(loop)
    big = tmp_path / "big.yaml"
    big.write_text("description: " + "x" * 256_000, encoding="utf-8")
    with pytest.raises(InputError, match="larger than 256,000 bytes"):
        load_profile(big)


def test_modest_aliases_still_work(tmp_path: Path) -> None:
    p = tmp_path / "alias.yaml"
    text = GOOD.replace("  rate_per_second: 2\n", "  rate_per_second: &rate 2\n").replace(
        "  concurrency: 2\n", "  concurrency: *rate\n"
    )
    assert text != GOOD
    p.write_text(text, encoding="utf-8")
    assert load_profile(p).politeness.concurrency == 2


def test_deeply_nested_yaml_is_refused_quickly(tmp_path: Path) -> None:
    import time

    p = tmp_path / "deep.yaml"
    p.write_text("source: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")  # ~1 minute in PyYAML's scanner
    t0 = time.monotonic()
    with pytest.raises(InputError, match="nested more than 64 levels"):
        load_profile(p)
    assert time.monotonic() - t0 < 1.0
