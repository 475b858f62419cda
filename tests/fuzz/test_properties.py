"""Property-based tests: any input to a parser gives a result or a LagesbildError, within a time bound.

The targets (tests/fuzz/targets.py) are shared with the atheris fuzzer (tests/fuzz/fuzz_*.py).
Inputs are structure-aware: records of the import format with fields of every JSON type,
mutated copies of the shipped site profiles, HTML made of the profiles' own class names,
and ad-like text with numbers, prices, ages and places.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("lagesbild_fuzz_targets", Path(__file__).with_name("targets.py"))
assert _spec is not None and _spec.loader is not None
targets = importlib.util.module_from_spec(_spec)
sys.modules["lagesbild_fuzz_targets"] = targets
_spec.loader.exec_module(targets)

PROFILES = sorted((Path(__file__).parents[2] / "src/lagesbild/monitor/profiles").glob("*.yaml"))
FIELDS = [
    "site", "site_ad_id", "seen_at", "url", "title", "body", "location", "kommun", "age", "phones", "emails",
    "price", "language", "name", "image_hashes", "posted_at",
]  # fmt: skip
BOUND_MS = targets.TIME_BOUND_S * 1000
PROPS = settings(
    max_examples=120,
    deadline=BOUND_MS,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # CI runs the same inputs every time; the atheris run explores
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["2024-03-01", "2024-03-01T10:00:00+01:00", "1899-01-01", "2999-12-31", "0580", "070-174 06 05"]),
)
json_values = st.recursive(
    json_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4), max_leaves=12
)
ad_text = st.text(
    alphabet=st.sampled_from(list("0123456789 +-()./:@_åäöÅÄÖabcdefghijklmnopqrstuvwxyz\n\t€$kr")) | st.characters(),
    max_size=300,
) | st.lists(
    st.sampled_from(
        ["ring", "070-174 06 05", "0701740606", "+46 70 174 06 07", "noll sju noll", "lisa@example.invalid",
         "1500 kr", "30 min", "/h", "2000:-", "22 år", "ålder", "Linköping", "Norrköping", "city", "Göteborg",
         "telegram @fiktiv", "snapchat:", "www.", "2025-05-12", "€", "USD", "  ", "\n", "…", "🙂"]
    ),
    max_size=30,
).map(" ".join)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def targets_warmed_up() -> None:
    """Run every target once before the timed examples: first calls load models and import parsers
    (the language model alone takes 3-5 s on a loaded machine), and the per-call bound is about the
    work on an input, not about a first load."""
    warm = "Hej! Jag heter Lisa och talar svenska och engelska. Ring 070-174 06 05 eller lisa@example.invalid"
    samples = {
        "profile_yaml": PROFILES[0].read_bytes(),
        "profile_extract": f"<div class='ad-detail'><h1 class='ad-title'>{warm}</h1></div>".encode(),
        "ingest_jsonl": json.dumps({"site": "x", "site_ad_id": "1", "seen_at": "2024-03-01", "body": warm}).encode(),
        "ingest_csv": f"site,site_ad_id,seen_at,body\nx,1,2024-03-01,{warm}\n".encode(),
    }
    for name, target in targets.TARGETS.items():
        target(samples.get(name, warm.encode()))
    from lagesbild.normalize.languages import _identifier

    _identifier()  # the model behind written_language, loaded on its first use


def _check(name: str, data: bytes) -> str:
    t0 = time.perf_counter()
    out = targets.TARGETS[name](data)
    assert out in ("ok", "error")
    assert time.perf_counter() - t0 < targets.TIME_BOUND_S
    return out


_records = st.lists(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), json_values, max_size=8), max_size=4)


@PROPS
@given(records=_records)
def test_import_jsonl_of_any_records_gives_observations_or_a_clean_error(records: list[dict[str, Any]]) -> None:
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8", "surrogatepass")
    _check("ingest_jsonl", lines)


@PROPS
@given(data=st.binary(max_size=400))
def test_import_of_any_bytes_gives_observations_or_a_clean_error(data: bytes) -> None:
    _check("ingest_jsonl", data)
    _check("ingest_csv", data)


@PROPS
@given(
    header=st.lists(st.sampled_from(FIELDS) | st.text(max_size=6), min_size=1, max_size=8),
    rows=st.lists(st.lists(st.text(max_size=20) | json_scalars.map(str), max_size=9), max_size=4),
)
def test_import_csv_of_any_cells_gives_observations_or_a_clean_error(header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    _check("ingest_csv", buf.getvalue().encode("utf-8", "surrogatepass"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@PROPS
@given(data=st.data())
def test_a_mutated_profile_is_compiled_or_refused_cleanly(data: st.DataObject) -> None:
    doc = yaml.safe_load(data.draw(st.sampled_from(PROFILES)).read_text(encoding="utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        value = data.draw(
            json_values
            | st.sampled_from(["(", "[a-", "\\9", "//div[", "a::attr(", "$x", "*" * 3, "(a+)+$", "::text"])
            | st.builds(
                dict, regex_replace=st.lists(st.sampled_from(["a", "\\9", "(", "\\g<x>"]), min_size=2, max_size=2)
            )
        )
        parent[path[-1]] = value
    _check("profile_yaml", yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass"))


@PROPS
@given(data=st.binary(max_size=300))
def test_any_profile_bytes_are_refused_cleanly(data: bytes) -> None:
    _check("profile_yaml", data)


_CLASSES = ["ad", "ad-detail", "ad-title", "ad-text", "ad-name", "ad-location", "ad-age", "ad-price", "ad-date",
            "phone", "email", "gallery", "listing", "card", "title", "pager"]  # fmt: skip
ATTRS = ["", "href='/annons/x1'", "href='stad/x'", "rel=next href='?p=2'", "data-phash='zz'",
         "href='javascript:x'", "href='http://[::1'", "datetime='x'"]  # fmt: skip
_html = st.recursive(
    ad_text.map(lambda t: t.replace("<", "&lt;")),
    lambda inner: st.builds(
        lambda tag, cls, attr, kids: f"<{tag} class='{cls}' {attr}>{''.join(kids)}</{tag}>",
        st.sampled_from(["div", "span", "a", "h1", "p", "img", "li", "ul", "time", "script"]),
        st.sampled_from(_CLASSES),
        st.sampled_from(ATTRS),
        st.lists(inner, max_size=4),
    ),
    max_leaves=15,
)


@PROPS
@given(html=_html | st.text(max_size=300))
def test_profile_extraction_on_any_html_gives_fields_or_a_clean_error(html: str) -> None:
    _check("profile_extract", html.encode("utf-8", "surrogatepass"))


@PROPS
@given(text=ad_text)
def test_normalizers_never_raise_on_any_ad_text(text: str) -> None:
    assert _check("normalize_text", text.encode("utf-8", "surrogatepass")) == "ok"


@PROPS
@given(text=st.text(alphabet="0123456789 +-()./#*", max_size=40) | st.text(max_size=40))
def test_phone_normalization_gives_e164_or_none(text: str) -> None:
    assert _check("normalize_phone", text.encode("utf-8", "surrogatepass")) == "ok"
