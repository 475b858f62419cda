"""Privacy at the door: every field is scrubbed, errors mask input, bad text is refused cleanly.

The numbers are from the PTS fiction range (070-1740605..699); the e-mail domains are reserved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.errors import InputError, InputErrors
from lagesbild.ingest import FIELDS, import_file
from lagesbild.ingest.validate import RecordConverter, RecordError
from lagesbild.monitor.compile import AdRead
from lagesbild.monitor.crawl import ad_observation
from lagesbild.privacy import MASK, Pseudonymizer
from lagesbild.settings import Settings
from lagesbild.store import Store

# The issue's example record, with its numbers moved into the fiction range.
ISSUE_RECORD = {
    "site": "annonsportalen",
    "site_ad_id": "0701740611",
    "seen_at": "2024-03-01",
    "price": "ring 0701740612",
    "name": "Lisa 0701740613 lisa2@example.com",
}
RAW = ["0701740611", "0701740612", "0701740613", "lisa2@example.com"]


def _flat(values: Any) -> str:
    return " ".join(str(v) for v in values)


def test_every_text_field_is_scrubbed_and_its_identifiers_kept_as_pseudonyms(
    store: Store, pz: Pseudonymizer, write_jsonl: Callable[..., Path]
) -> None:
    rec = dict(
        ISSUE_RECORD,
        url="https://example.invalid/annons?tel=070%20174%2006%2014",
        location="Linköping, ring 070-174 06 15",
    )
    import_file(store, pz, write_jsonl([rec]))
    (obs,) = store.iter_observations()
    text = _flat(obs)
    for raw in [*RAW, "0701740614", "070 174 06 14", "070-174 06 15"]:
        assert raw not in text
    assert obs.price_text == "ring [telefon]"
    assert obs.name == "Lisa [telefon] [e-post]"
    assert obs.url == "https://example.invalid/annons?tel=[telefon]"
    assert obs.location_text == "Linköping, ring [telefon]"
    assert obs.kommun_kod == "0580"  # the place still resolves from the scrubbed text
    # The numbers still link the ad: found in price, name, url and location, in field order.
    assert set(obs.phones) == {pz.phone(n) for n in ("0701740612", "0701740613", "0701740614", "0701740615")}
    assert obs.emails == (pz.email("lisa2@example.com"),)
    # The ad id that is a phone number is keyed, the same way every time.
    assert obs.site_ad_id == pz.ad_id("0701740611") and obs.site_ad_id.startswith("id_")
    assert store.site_ad("annonsportalen", "0701740611") is None
    assert store.site_ad("annonsportalen", obs.site_ad_id) is not None


def test_a_keyed_ad_id_keeps_reimports_idempotent_and_sightings_together(
    store: Store, pz: Pseudonymizer, write_jsonl: Callable[..., Path]
) -> None:
    first = write_jsonl([ISSUE_RECORD, dict(ISSUE_RECORD, seen_at="2024-03-02")], "a.jsonl")
    assert import_file(store, pz, first).n_new == 2
    assert import_file(store, pz, first).n_new == 0
    again = write_jsonl([dict(ISSUE_RECORD, seen_at="2024-03-03")], "b.jsonl")
    assert import_file(store, pz, again).n_new == 1
    ad = store.site_ad("annonsportalen", pz.ad_id("0701740611"))
    assert ad is not None and ad["n_observations"] == 3


def test_ordinary_ad_ids_are_kept_as_given(pz: Pseudonymizer) -> None:
    convert = RecordConverter(pz)
    for ad_id in ["A-102934", "5512345", "1700000123", "annons_77"]:
        assert convert.parts({**ISSUE_RECORD, "site_ad_id": ad_id})[1] == ad_id


def test_ad_ids_holding_an_identifier_are_keyed(pz: Pseudonymizer) -> None:
    convert = RecordConverter(pz)
    for ad_id in ["070-174 06 16", "+46701740616", "lisa-0701740616", "lisa2@example.com"]:
        stored = convert.parts({**ISSUE_RECORD, "site_ad_id": ad_id})[1]
        assert stored.startswith("id_") and stored == pz.ad_id(ad_id)
    assert pz.ad_id("0701740616") != pz.ad_id("070-174 06 16")  # the site's exact id, not the number


def test_the_crawler_path_scrubs_every_field_too(pz: Pseudonymizer) -> None:
    """The crawler builds its observations through the same converter as a file import."""
    record = {k: v for k, v in ISSUE_RECORD.items() if k != "seen_at"}
    record["url"] = "https://example.invalid/annons/0701740611"
    read = AdRead(record=record, found=frozenset(record), missing_required=())
    obs, dropped = ad_observation(read, "2024-03-01T10:00:00Z", RecordConverter(pz))
    assert obs is not None and dropped == []
    text = _flat(obs)
    for raw in RAW:
        assert raw not in text
    assert obs.url == "https://example.invalid/annons/[telefon]"
    assert obs.site_ad_id == pz.ad_id("0701740611")


def test_a_site_name_that_is_a_phone_number_is_refused(pz: Pseudonymizer) -> None:
    with pytest.raises(RecordError) as info:
        RecordConverter(pz).parts({**ISSUE_RECORD, "site": "0701740617"})
    assert info.value.field == "site" and "0701740617" not in info.value.message


def test_an_all_digit_image_hash_is_a_hash_not_a_phone_number(
    store: Store, pz: Pseudonymizer, write_jsonl: Callable[..., Path]
) -> None:
    """A 64-bit hash (16 hex digits) that is all digits and would parse as a number is kept as a hash; a
    shorter all-digit "hash" that reads as a number is refused, so a number cannot be stored raw there."""
    digits = "0049424361789358"  # the national world's (seed 7) picture hash; read as a number it is German
    assert pz.phone(digits) is not None
    short = "0046701740618"  # 13 digits: read as a number it would be 070-174 06 18
    with pytest.raises(InputError, match=r"image_hashes\[0\].*is a phone number"):
        import_file(store, pz, write_jsonl([{**ISSUE_RECORD, "image_hashes": [short]}]))
    assert list(store.iter_observations()) == []
    import_file(store, pz, write_jsonl([{**ISSUE_RECORD, "image_hashes": [digits, "ACF5FA3B57405E2B"]}]))
    (obs,) = store.iter_observations()
    assert obs.image_hashes == (digits, "acf5fa3b57405e2b")
    assert pz.phone(digits) not in obs.phones
    assert set(obs.phones) == {pz.phone(n) for n in ("0701740612", "0701740613")}


def test_a_csv_whose_first_line_is_data_is_refused_without_repeating_it(
    store: Store, pz: Pseudonymizer, tmp_path: Path
) -> None:
    p = tmp_path / "ads.csv"
    p.write_text(
        "annonsportalen,0701740605,2024-03-01,lisa@example.com,Lisa\n"
        "annonsportalen,0701740606,2024-03-01,anna@example.com,Anna\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        import_file(store, pz, p)
    msg = str(info.value)
    assert info.value.line == 1 and "looks like data" in msg and "values withheld" in msg
    for raw in ["0701740605", "lisa@example.com", "Lisa", "2024-03-01"]:
        assert raw not in msg
    assert store.count_observations() == 0


def test_unknown_columns_are_named_with_identifiers_masked(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    p = tmp_path / "ads.csv"
    p.write_text("site,site_ad_id,seen_at,telefon,pris\nx,1,2025-01-01,0701740605,500\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown column\(s\) telefon, pris"):
        import_file(store, pz, p)


def test_a_json_key_that_is_an_identifier_is_masked_in_the_error(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    rec = record(1)
    rec["070-174 06 05"] = "x"
    rec["lisa@example.com"] = "y"
    with pytest.raises(InputError) as info:
        import_file(store, pz, write_jsonl([rec]))
    assert info.value.field == MASK
    assert "174" not in str(info.value) and "lisa" not in str(info.value)


def test_the_cli_masks_identifiers_in_error_messages(settings: Settings, tmp_path: Path) -> None:
    args = ["--home", str(settings.home), "--db", settings.db]
    assert CliRunner().invoke(app, [*args, "init"]).exit_code == 0
    p = tmp_path / "0701740605.csv"  # the file name is the user's own and is kept
    p.write_text("annonsportalen,0701740605,2024-03-01,lisa@example.com\n", encoding="utf-8")
    res = CliRunner().invoke(app, [*args, "import", "--no-progress", str(p)])
    assert res.exit_code == 2
    out = res.output.replace(str(p), "<file>")
    assert "<file>:1" in out and "looks like data" in out
    assert "0701740605" not in out and "lisa@example.com" not in out


def test_friendly_errors_mask_what_a_message_echoes(capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI's last line of defence: a message that slipped through unmasked is masked when shown."""
    import typer

    from lagesbild.cli._common import friendly_errors
    from lagesbild.errors import StoreError

    for exc, code in [
        (InputError("bad value 070-174 06 05 or lisa@example.com", path="/data/ads-2025-03-01.jsonl", line=3), 2),
        (StoreError("cannot store '0701740605'"), 1),
        (ValueError("unexpected +46 70 174 06 05"), 1),
    ]:
        with pytest.raises(typer.Exit) as info, friendly_errors():
            raise exc
        assert info.value.exit_code == code
        err = capsys.readouterr().err
        assert "[masked]" in err
        for raw in ["174 06 05", "0701740605", "lisa@example.com"]:
            assert raw not in err
    # The file and line are the user's own and stay readable, also on line 1,234,567 of a large file.
    errors = InputErrors(
        [
            InputError("bad 0701740605", path="/data/0701740699.jsonl", line=1234567, field="title"),
            InputError("bad", line=7654321),
        ]
    )
    with pytest.raises(typer.Exit), friendly_errors():
        raise errors
    err = capsys.readouterr().err
    assert "/data/0701740699.jsonl:1234567: field 'title': bad [masked]" in err and "line 7654321: bad" in err


@pytest.mark.parametrize("field", ["title", "body", "name", "price", "location", "url", "site_ad_id", "seen_at"])
def test_nul_and_control_characters_are_refused_naming_line_and_field(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path], field: str
) -> None:
    good = record(1)
    value = "2025-03-01\x00" if field == "seen_at" else "Lisa\x00Ny"
    bad = record(2, **{field: value})
    with pytest.raises(InputError) as info:
        import_file(store, pz, write_jsonl([good, bad]))
    assert (info.value.line, info.value.field) == (2, field)
    assert "control character" in str(info.value)
    assert store.count_observations() == 0  # and PostgreSQL raised no DataError


def test_a_bell_character_is_named_too(pz: Pseudonymizer) -> None:
    with pytest.raises(RecordError, match=r"control character \(U\+0007\) at character 3"):
        RecordConverter(pz).parts({**ISSUE_RECORD, "title": "ab\x07c"})


def test_nul_in_a_csv_is_refused(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    p = tmp_path / "ads.csv"
    p.write_bytes(b"site,site_ad_id,seen_at,title\nx,1,2025-01-01,ok\nx,2,2025-01-01,a\x00b\n")
    with pytest.raises(InputError) as info:
        import_file(store, pz, p)
    assert (info.value.line, info.value.field) == (3, "title") and "NUL" in str(info.value)


def test_tabs_and_newlines_are_text(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    import_file(store, pz, write_jsonl([record(1, body="rad ett\nrad\ttvå\r\n")]))
    (obs,) = store.iter_observations()
    assert obs.body == "rad ett\nrad\ttvå\r\n"


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        (b'{"site":"x","site_ad_id":"1","seen_at":"2025-01-01","title":"a\xed\xa0\x80b"}\n', "jsonl"),
        (b'{"site":"x","site_ad_id":"1","seen_at":"2025-01-01","title":"a\\ud800b"}\n', "jsonl"),
        (b'{"site":"x","site_ad_id":"1","seen_at":"2025-01-01","title":"a\xffb"}\n', "jsonl"),
        (b"site,site_ad_id,seen_at,title\nx,1,2025-01-01,a\xed\xa0\x80b\n", "csv"),
        (b"site,site_ad_id,seen_at,title\nx,1,2025-01-01,a\xffb\n", "csv"),
    ],
)
def test_invalid_utf8_and_lone_surrogates_are_clear_errors(
    store: Store, pz: Pseudonymizer, tmp_path: Path, content: bytes, fmt: str
) -> None:
    p = tmp_path / f"ads.{fmt}"
    good_first = b"site,site_ad_id,seen_at,title\nx,0,2025-01-01,ok\n"
    p.write_bytes(good_first + content.split(b"\n", 1)[1] if fmt == "csv" else content)
    with pytest.raises(InputError) as info:
        import_file(store, pz, p)
    assert info.value.line == (3 if fmt == "csv" else 1)
    assert "UTF-8" in str(info.value) or "surrogate" in str(info.value)
    assert store.count_observations() == 0


WRONG_VALUES: list[Any] = [["x"], {"a": 1}, 12, 1.5, True, [["nested"]], [1, 2]]


@pytest.mark.parametrize("field", [f.name for f in FIELDS])
def test_wrong_json_types_are_clear_errors_naming_line_and_field(
    pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path], field: str
) -> None:
    """Every field with every JSON type: accepted, or an InputError naming line 2 and the field."""
    store = Store.open("sqlite://")
    try:
        for i, value in enumerate(WRONG_VALUES):
            path = write_jsonl([record(1), record(2, **{field: value})], f"ads{i}.jsonl")
            try:
                import_file(store, pz, path, dry_run=True)
            except InputErrors as exc:  # pragma: no cover - one bad record gives one error
                pytest.fail(f"{field}={value!r}: {exc}")
            except InputError as exc:
                assert exc.line == 2, (field, value, str(exc))
                assert (exc.field or "").split("[")[0] == field, (field, value, str(exc))
    finally:
        store.close()


def test_the_issue_example_with_a_list_as_site_is_an_error_not_a_traceback(
    store: Store, pz: Pseudonymizer, write_jsonl: Callable[..., Path]
) -> None:
    with pytest.raises(InputError) as info:
        import_file(store, pz, write_jsonl([dict(ISSUE_RECORD, site=["x"])]))
    assert (info.value.line, info.value.field) == (1, "site")


def test_a_keyed_ad_id_survives_key_rotation(settings: Settings, write_jsonl: Callable[..., Path]) -> None:
    """Rotation re-keys ``id_`` ad ids like other pseudonyms, so a later sighting joins the same ad."""
    from lagesbild.privacy_rotate import rotate_key
    from lagesbild.workspace import init_workspace, open_workspace

    init_workspace(settings)
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, write_jsonl([ISSUE_RECORD], "a.jsonl"))
    rotate_key(settings)
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, write_jsonl([dict(ISSUE_RECORD, seen_at="2024-03-02")], "b.jsonl"))
        ids = {o.site_ad_id for o in ws.store.iter_observations()}
        assert ids == {ws.pseudonymizer.ad_id("0701740611")}
        ad = ws.store.site_ad("annonsportalen", ids.pop())
        assert ad is not None and ad["n_observations"] == 2


@pytest.mark.parametrize("field", [f.name for f in FIELDS])
def test_no_error_about_a_bad_value_repeats_an_identifier_in_it(
    pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path], field: str
) -> None:
    """A value holding identifiers, made invalid (a NUL, a wrong form, too long): the error names the field only."""
    raw = "Ring 070-174 06 05 eller lisa@example.com"
    values: list[Any] = [raw + "\x00", raw * 100, [raw + "\x00"], "0701740605 lisa@example.com"]
    store = Store.open("sqlite://")
    try:
        for i, value in enumerate(values):
            path = write_jsonl([record(1, **{field: value})], f"ads{i}.jsonl")
            try:
                import_file(store, pz, path, dry_run=True)
            except InputError as exc:
                text = str(exc)
                for needle in ["174 06 05", "0701740605", "lisa@example.com"]:
                    assert needle not in text, (field, value, text)
    finally:
        store.close()


def test_the_two_process_import_scrubs_and_keys_the_same_way(
    store: Store, pz: Pseudonymizer, write_jsonl: Callable[..., Path]
) -> None:
    import_file(store, pz, write_jsonl([ISSUE_RECORD]), parallel=True)
    (obs,) = store.iter_observations()
    assert obs.site_ad_id == pz.ad_id("0701740611")
    assert (obs.price_text, obs.name) == ("ring [telefon]", "Lisa [telefon] [e-post]")
    assert set(obs.phones) == {pz.phone("0701740612"), pz.phone("0701740613")}


def test_the_cli_log_handler_masks_identifiers_but_keeps_counts(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from lagesbild.cli._common import setup_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging(0)
        log = logging.getLogger("lagesbild.test")
        log.warning("cannot read %s (%d rows)", "https://example.invalid/ad/0701740605?m=lisa@example.com", 1234567)
        try:
            raise ValueError("bad 070-174 06 05")
        except ValueError:
            log.exception("failed on %s", "Telegram: testperson_tg")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert "1234567 rows" in err and "[masked]" in err and "ValueError" in err
    for raw in ["0701740605", "lisa@example.com", "174 06 05", "testperson_tg"]:
        assert raw not in err


def test_link_explain_finds_an_ad_by_its_raw_id_without_showing_it(
    settings: Settings, write_jsonl: Callable[..., Path]
) -> None:
    """The user may name an ad by the id the site shows; it is keyed the same way to find it."""
    from lagesbild.privacy import load_key

    args = ["--home", str(settings.home), "--db", settings.db]
    other = dict(ISSUE_RECORD, site_ad_id="A-2", name="Lisa 0701740613")  # the same number: one person
    path = write_jsonl([ISSUE_RECORD, other])
    runner = CliRunner()
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    assert runner.invoke(app, [*args, "import", "--no-progress", str(path)]).exit_code == 0
    pz_ad_id = Pseudonymizer(load_key(settings.key_file)).ad_id
    res = runner.invoke(app, [*args, "link", "explain", "annonsportalen:0701740611", "annonsportalen:A-2"])
    assert res.exit_code == 0, res.output
    assert "0701740611" not in res.output and f"annonsportalen:{pz_ad_id('0701740611')}" in res.output
    res = runner.invoke(
        app, [*args, "link", "explain", "annonsportalen:0701740611", "annonsportalen:A-2", "--format", "json"]
    )
    assert json.loads(res.output)["same"]["person"]


def test_the_crawler_drops_a_field_with_a_control_character_and_keeps_the_sighting(pz: Pseudonymizer) -> None:
    record = {"site": "annonsportalen", "site_ad_id": "A-9", "title": "Ny\x00 i stan 0701740605", "price": "500"}
    read = AdRead(record=record, found=frozenset(record), missing_required=())
    obs, dropped = ad_observation(read, "2024-03-01T10:00:00Z", RecordConverter(pz))
    assert obs is not None and obs.title is None and obs.price_text == "500"
    assert len(dropped) == 1 and dropped[0].startswith("title: contains a control character (NUL)")
    assert "0701740605" not in dropped[0]
