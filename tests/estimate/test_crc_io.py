"""Reading capture-recapture files, and located errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild.errors import InputError
from lagesbild.estimate.crc import CaptureHistories, FrequencyCounts
from lagesbild.estimate.crc_io import read_capture_file, read_capture_histories


def _write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_one_row_per_unit_with_semicolons(tmp_path: Path) -> None:
    data = read_capture_histories(_write(tmp_path, "polis;soc;vard\n1;0;1\n1;0;1\n0;1;0\n"))
    assert data.sources == ("polis", "soc", "vard")
    assert data.n_observed == 3
    assert dict(zip(data.patterns, data.counts, strict=True)) == {(1, 0, 1): 2, (0, 1, 0): 1}


def test_reads_freq_and_nbcap_layouts(tmp_path: Path) -> None:
    data = read_capture_file(_write(tmp_path, '"A","B","freq"\n1,0,200\n0,1,150\n1,1,50\n0,0,0\n'))
    assert isinstance(data, CaptureHistories) and data.n_observed == 400
    counts = read_capture_file(_write(tmp_path, "nbcap,freq\n1,6\n3,5\n", "f.csv"), n_occasions=4)
    assert counts == FrequencyCounts((6, 0, 5), n_occasions=4)


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("a,b\n1,0\n1,2\n", 3, "b", "0 or 1"),
        ("a,b,freq\n1,0,3\n0,1,x\n", 3, "freq", "count"),
        ("a,b,freq\n1,0,-1\n", 2, "freq", "count"),
        ("a,b\n1,0\n1\n", 3, None, "fields"),
        ("a,b\n1,0\n0,0\n", 3, None, "never captured"),
        ("a\n1\n", 1, None, "two 0/1 columns"),
        ("a,a\n1,0\n", 1, "a", "twice"),
        ("a,freq,b\n1,2,0\n", 1, "freq", "last column"),
        ("nbcap,freq\n0,3\n", 2, "nbcap", "at least 1"),
        ("nbcap,freq\n1,2.5\n", 2, "freq", "count"),
    ],
)
def test_bad_files_name_file_line_and_column(
    tmp_path: Path, text: str, line: int, field: str | None, reason: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_capture_file(path)
    err = info.value
    assert err.path == str(path)
    assert err.line == line
    assert err.field == field
    assert reason in str(err)
    assert str(path) in str(err)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_capture_file(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="empty"):
        read_capture_file(_write(tmp_path, "\n"))
    with pytest.raises(InputError, match="no captured unit"):
        read_capture_file(_write(tmp_path, "a,b,freq\n1,0,0\n"))


def test_reads_sparsemse_count_columns(tmp_path: Path) -> None:
    """SparseMSE's data name the count column ``count`` or ``frequency``; both are read like ``freq``."""
    uk = read_capture_histories(Path(__file__).resolve().parents[1] / "data" / "anchors" / "SparseMSE_UKdat.csv")
    assert uk.sources == ("LA", "NG", "PF", "GO", "GP", "NCA") and uk.n_observed == 2744
    data = read_capture_histories(_write(tmp_path, "A,B,C,Frequency\n1,0,0,4\n0,1,1,2\n"))
    assert data.sources == ("A", "B", "C") and data.n_observed == 6
    with pytest.raises(InputError, match="count column must be the last") as err:
        read_capture_file(_write(tmp_path, "a,count,b\n1,2,0\n", "bad.csv"))
    assert err.value.field == "count"
