"""Importing ad observations: validation, atomicity, idempotency, formats."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lagesbild.errors import InputError, InputErrors
from lagesbild.ingest import import_file
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store


def test_import_stores_observations_and_counts_them(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    recs = [record(i, seen_at=f"2025-0{1 + i % 3}-10T12:00:00Z") for i in range(6)]
    recs.append(record(0, seen_at="2025-01-11T12:00:00Z", location="Norrköping city"))
    summary = import_file(store, pz, write_jsonl(recs))
    assert (summary.n_records, summary.n_new) == (7, 7)
    rows = store.observation_counts(lan="05")
    by_key = {(r.period, r.kommun_kod): (r.observations, r.ads) for r in rows}
    assert by_key[("2025-01", "0580")] == (2, 2)
    assert by_key[("2025-01", "0581")] == (1, 1)
    assert sum(r.observations for r in rows) == 7


def test_reimporting_the_same_file_changes_nothing(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl([record(i) for i in range(5)])
    import_file(store, pz, path)
    before = list(store.dump_rows())
    again = import_file(store, pz, path)
    assert (again.n_records, again.n_new, again.n_duplicates) == (5, 0, 5)
    after = [r for r in store.dump_rows() if r[0] != "imports"]
    assert after == [r for r in before if r[0] != "imports"]


def test_site_ad_lifecycle_tracks_first_and_last_seen(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    import_file(store, pz, write_jsonl([record(1, seen_at="2025-02-02"), record(1, seen_at="2025-02-05")], "a.jsonl"))
    import_file(store, pz, write_jsonl([record(1, seen_at="2025-01-30T10:00:00Z")], "b.jsonl"))
    ad = store.site_ad("exempelsajten", "A1")
    assert ad is not None
    assert ad["first_seen"] == "2025-01-30T10:00:00Z"
    assert ad["last_seen"] == "2025-02-04T23:00:00Z"  # 2025-02-05 00:00 Swedish time
    assert ad["n_observations"] == 3


def test_dry_run_validates_without_storing(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    summary = import_file(store, pz, write_jsonl([record(i) for i in range(3)]), dry_run=True)
    assert summary.n_records == 3
    assert store.count_observations() == 0


def test_csv_import_reads_lists_separated_by_semicolons(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    p = tmp_path / "ads.csv"
    p.write_text(
        "site,site_ad_id,seen_at,location,phones,age\n"
        "exempelsajten,1,2025-03-01,Motala,070-174 06 11;070-174 06 12,31\n"
        "exempelsajten,2,2025-03-01,,,\n",
        encoding="utf-8",
    )
    assert import_file(store, pz, p).n_new == 2
    obs = list(store.iter_observations())
    assert obs[0].kommun_kod == "0583" and len(obs[0].phones) == 2 and obs[0].age == 31
    assert obs[1].kommun_kod is None and obs[1].phones == ()


def test_gzipped_jsonl_is_read(store: Store, pz: Pseudonymizer, record: Callable[..., Any], tmp_path: Path) -> None:
    p = tmp_path / "ads.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as f:
        for i in range(3):
            f.write(json.dumps(record(i)) + "\n")
    assert import_file(store, pz, p).n_new == 3


def test_given_kommun_wins_over_location(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    import_file(store, pz, write_jsonl([record(kommun="0581", location="Linköping")]))
    (obs,) = store.iter_observations()
    assert (obs.kommun_kod, obs.lan_kod, obs.place_confidence) == ("0581", "05", 1.0)


BAD_CASES: list[tuple[str, Callable[[Callable[..., Any]], bytes], int, str | None, str]] = [
    ("malformed_json", lambda r: b'{"site": "x",\n', 3, None, "malformed JSON"),
    (
        "missing_required",
        lambda r: json.dumps({k: v for k, v in r(2).items() if k != "seen_at"}).encode() + b"\n",
        3,
        "seen_at",
        "required",
    ),
    ("unknown_kommun", lambda r: json.dumps(r(2, kommun="9999")).encode() + b"\n", 3, "kommun", "unknown municipality"),
    ("absurd_date", lambda r: json.dumps(r(2, seen_at="2199-01-01")).encode() + b"\n", 3, "seen_at", "out of range"),
    ("ancient_date", lambda r: json.dumps(r(2, seen_at="1901-05-01")).encode() + b"\n", 3, "seen_at", "out of range"),
    ("not_a_date", lambda r: json.dumps(r(2, seen_at="igår")).encode() + b"\n", 3, "seen_at", "ISO 8601"),
    ("invalid_utf8", lambda r: b'{"site": "x\xff\xfe"}\n', 3, None, "invalid UTF-8"),
    ("unknown_field", lambda r: json.dumps(r(2, phne="x")).encode() + b"\n", 3, "phne", "unknown field"),
    ("bad_age", lambda r: json.dumps(r(2, age=7)).encode() + b"\n", 3, "age", "10 to 99"),
    ("not_an_object", lambda r: b"[1, 2, 3]\n", 3, None, "JSON object"),
    ("bad_phone", lambda r: json.dumps(r(2, phones=["12"])).encode() + b"\n", 3, "phones[0]", "not a phone"),
    (
        "bad_second_phone",
        lambda r: json.dumps(r(2, phones=["070-174 06 20", "12"])).encode() + b"\n",
        3,
        "phones[1]",
        "is not a phone number (value withheld)",
    ),
    (
        "bad_email",
        lambda r: json.dumps(r(2, emails=["ingen-adress"])).encode() + b"\n",
        3,
        "emails[0]",
        "is not an e-mail address (value withheld)",
    ),
]


@pytest.mark.parametrize(("bad", "line", "field", "words"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_bad_line_names_its_place_and_stores_nothing(
    store: Store,
    pz: Pseudonymizer,
    record: Callable[..., Any],
    tmp_path: Path,
    bad: Callable[[Callable[..., Any]], bytes],
    line: int,
    field: str | None,
    words: str,
) -> None:
    p = tmp_path / "ads.jsonl"
    good = b"".join(json.dumps(record(i)).encode() + b"\n" for i in range(2))
    p.write_bytes(good + bad(record) + json.dumps(record(9)).encode() + b"\n")
    with pytest.raises(InputError) as info:
        import_file(store, pz, p)
    err = info.value
    assert (err.path, err.line, err.field) == (str(p), line, field)
    assert words in str(err)
    assert str(p) in str(err) and f":{line}:" in str(err)
    assert store.count_observations() == 0


def test_a_50mb_line_is_refused_without_storing(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], tmp_path: Path
) -> None:
    p = tmp_path / "big.jsonl"
    with p.open("wb") as f:
        f.write(json.dumps(record(1)).encode() + b"\n")
        f.write(b'{"site": "x", "body": "' + b"a" * 50_000_000 + b'"}\n')
    with pytest.raises(InputError, match=r"big.jsonl:2: line is 50.0 MB long"):
        import_file(store, pz, p)
    assert store.count_observations() == 0


def test_truncated_file_is_reported_as_such(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], tmp_path: Path
) -> None:
    p = tmp_path / "cut.jsonl"
    full = json.dumps(record(1)).encode() + b"\n" + json.dumps(record(2)).encode()
    p.write_bytes(full[:-10])
    with pytest.raises(InputError, match="truncated"):
        import_file(store, pz, p)
    assert store.count_observations() == 0


def test_csv_with_wrong_header_names_the_columns(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    p = tmp_path / "ads.csv"
    p.write_text("sajt,annons,tid\nx,1,2025-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_file(store, pz, p)
    assert info.value.line == 1
    assert "missing required column(s) site, site_ad_id, seen_at" in str(info.value)
    assert "unknown column(s) sajt, annons, tid" in str(info.value)


def test_several_bad_lines_are_all_reported(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    p = write_jsonl([record(1, age=3), record(2), record(3, kommun="0000")])
    with pytest.raises(InputErrors) as info:
        import_file(store, pz, p)
    assert [(e.line, e.field) for e in info.value.errors] == [(1, "age"), (3, "kommun")]


def test_a_failed_import_keeps_what_was_stored_before(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    import_file(store, pz, write_jsonl([record(i) for i in range(4)], "first.jsonl"))
    with pytest.raises(InputError):
        import_file(store, pz, write_jsonl([record(10), record(11, age="old")], "second.jsonl"))
    assert store.count_observations() == 4
