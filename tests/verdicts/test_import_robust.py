"""``verdicts import`` on bad bytes: a clear error naming the file and line, and nothing half-stored.

Before these checks, invalid UTF-8 raised ``UnicodeDecodeError`` and a lone surrogate escape
(``"\\ud800"``) ``UnicodeEncodeError`` out of the importer (448 of 2000 fuzzed inputs tracebacked).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lagesbild.errors import InputError, LagesbildError
from lagesbild.store import Store
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts.extract import extract_verdict
from lagesbild.verdicts.importer import import_judgments, read_judgments

from .test_cli_verdicts import _app

TEXT = (
    "Tingsrätten. Dom 2024-03-01. Den tilltalade, 45 år, boende i Linköping, har i Motala köpt en sexuell "
    "tjänst. Påföljd: 50 dagsböter à 100 kr."
)
GOOD = json.dumps({"text": TEXT}, ensure_ascii=False).encode("utf-8")

BAD_LINES = {
    "invalid UTF-8": (b'{"text": "dom \xff\xfe i Link\xc3"}', r"not valid UTF-8 \(byte 0xff"),
    "lone surrogate": (b'{"text": "dom \\ud800 i Link"}', r"unpaired surrogate \(\\ud800\)"),
    "NUL character": (b'{"text": "dom \\u0000 i Link"}', "NUL character"),
    "huge integer": (b'{"text": "x", "n": ' + b"9" * 5000 + b"}", "not JSON"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    "not an object": (b'["text"]', "'text' field"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_line_names_file_and_line_and_stores_nothing(store: Store, tmp_path: Path, case: str) -> None:
    raw, message = BAD_LINES[case]
    src = tmp_path / "domar.jsonl"
    src.write_bytes(GOOD + b"\n" + raw + b"\n")
    with pytest.raises(InputError, match=message) as info:
        import_judgments(store, src)
    assert info.value.path == str(src) and info.value.line == 2
    assert str(info.value).startswith(f"{src}:2: ")
    assert VerdictStore(store).count() == 0, "the good first line must not be stored alone"
    src.write_bytes(GOOD + b"\n")
    assert import_judgments(store, src).n_new == 1


def test_a_bad_text_file_in_a_folder_is_named(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "domar"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b.txt").write_bytes(b"Dom i Link\xf6ping")  # Latin-1, not UTF-8
    with pytest.raises(InputError, match=r"b\.txt: not valid UTF-8 \(byte 0xf6 at column 11\)"):
        import_judgments(store, folder)
    assert VerdictStore(store).count() == 0


def test_a_byte_order_mark_is_accepted(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "bom.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + GOOD + b"\n")
    assert import_judgments(store, src).n_new == 1


def test_the_cli_reports_bad_bytes_without_a_traceback(tmp_path: Path) -> None:
    base = ["--home", str(tmp_path / "home"), "--db", f"sqlite:///{tmp_path / 'l.db'}"]
    app = _app()
    assert CliRunner().invoke(app, [*base, "init"]).exit_code == 0
    src = tmp_path / "domar.jsonl"
    src.write_bytes(GOOD + b"\n" + b'{"text": "\\udfff"}\n')
    res = CliRunner().invoke(app, [*base, "verdicts", "import", str(src)])
    assert res.exit_code == 2, res.output
    assert "domar.jsonl:2" in res.output.replace("\n", "") and "surrogate" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


# -- property tests: any bytes give judgments or a LagesbildError, quickly ----------------------------

PER_INPUT_SECONDS = 2.0


def _parse_all(path: Path) -> int:
    n = 0
    for text in read_judgments(path):
        extract_verdict(text).record()
        n += 1
    return n


def _mutations() -> st.SearchStrategy[bytes]:
    pieces = st.sampled_from(
        [GOOD, b"\n", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\\ud800", b"\\u0000", b"\x00", b'"text"', b"{", b"}",
         b'{"text": ', b'"', b"[", b"\r\n", b"\xef\xbb\xbf"]
    )  # fmt: skip
    return st.lists(st.one_of(pieces, st.binary(max_size=12)), max_size=12).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), _mutations()))
def test_any_bytes_give_judgments_or_a_clear_error(tmp_path: Path, data: bytes) -> None:
    src = tmp_path / "fuzz.jsonl"
    src.write_bytes(data)
    t0 = time.perf_counter()
    try:
        _parse_all(src)
    except LagesbildError as exc:
        assert str(exc).startswith(str(src)), "the error names the file"
    assert time.perf_counter() - t0 < PER_INPUT_SECONDS


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_any_json_text_gives_judgments_or_a_clear_error(tmp_path: Path, texts: list[str]) -> None:
    """Arbitrary code points (lone surrogates and NUL included) as ``\\u`` escapes in valid JSON."""
    src = tmp_path / "fuzz.jsonl"
    src.write_text("\n".join(json.dumps({"text": t}) for t in texts) + "\n", encoding="ascii")
    t0 = time.perf_counter()
    try:
        n = _parse_all(src)
    except InputError as exc:
        assert exc.path == str(src) and exc.line is not None and exc.field == "text"
        bad = texts[exc.line - 1]
        assert "\x00" in bad or any(0xD800 <= ord(c) <= 0xDFFF for c in bad), "only a bad text is refused"
    else:
        assert n == len(texts)
    assert time.perf_counter() - t0 < PER_INPUT_SECONDS
