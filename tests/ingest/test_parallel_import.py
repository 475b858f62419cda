"""The two-process import stores exactly what the one-process import stores, and fails the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lagesbild.errors import InputError
from lagesbild.ingest import import_file
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store


def _rows(store: Store) -> list[tuple[Any, ...]]:
    return sorted(r[1][1:-1] for r in store.dump_rows() if r[0] == "observations")  # drop id and import_id


def test_parallel_import_equals_single_process(
    tmp_path: Path, pz: Pseudonymizer, record: Callable[..., Any], write_jsonl: Callable[..., Path]
) -> None:
    recs = [record(i % 7, seen_at=f"2025-02-{1 + i // 7:02d}", body=f"ring 070-174 06 {10 + i % 7}") for i in range(70)]
    path = write_jsonl(recs)
    single = Store.open(f"sqlite:///{tmp_path}/a.db")
    parallel = Store.open(f"sqlite:///{tmp_path}/b.db")
    seen: list[int] = []
    a = import_file(single, pz, path, parallel=False)
    b = import_file(parallel, pz, path, parallel=True, progress=seen.append)
    assert (a.n_records, a.n_new) == (b.n_records, b.n_new) == (70, 70)
    assert _rows(single) == _rows(parallel)
    assert sum(seen) == path.stat().st_size


def test_parallel_import_reports_bad_lines_and_stores_nothing(
    store: Store, pz: Pseudonymizer, record: Callable[..., Any], tmp_path: Path
) -> None:
    p = tmp_path / "ads.jsonl"
    p.write_text(json.dumps(record(1)) + "\n" + json.dumps(record(2, kommun="9999")) + "\n")
    with pytest.raises(InputError) as info:
        import_file(store, pz, p, parallel=True)
    assert (info.value.path, info.value.line, info.value.field) == (str(p), 2, "kommun")
    assert store.count_observations() == 0
