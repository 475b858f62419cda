"""The atheris fuzzer runs in CI for a bounded time over every parser; any unexpected exception fails.

``tests/fuzz/fuzz_parsers.py all`` fuzzes all targets in one process (the first byte of an input
picks the target), starting from the seed corpus in ``tests/fuzz/corpus/all``. Crashes found are
kept in ``tests/fuzz/regressions/`` and replayed by ``test_regressions.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import atheris  # noqa: F401  (in the dev extra: CI always has it, so this test never skips)

HERE = Path(__file__).parent
FUZZ_SECONDS = int(os.environ.get("LAGESBILD_FUZZ_SECONDS", "15"))
PER_INPUT_TIMEOUT_S = 5  # libFuzzer's hang bound (whole seconds; the properties hold inputs to 2 s)


def test_the_coverage_guided_fuzzer_finds_no_crash_and_no_hang(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(HERE / "corpus" / "all", corpus)
    stats = tmp_path / "stats.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "fuzz_parsers.py"),
            "all",
            f"-max_total_time={FUZZ_SECONDS}",
            f"-timeout={PER_INPUT_TIMEOUT_S}",
            "-rss_limit_mb=1024",
            "-max_len=4096",
            f"-artifact_prefix={tmp_path}/",
            "-print_final_stats=1",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        timeout=FUZZ_SECONDS + 120,
        env={**os.environ, "LAGESBILD_FUZZ_STATS": str(stats)},
    )
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    assert proc.returncode == 0 and not crashes, (
        f"the fuzzer found {crashes} (inputs in {tmp_path}; add them to tests/fuzz/regressions/):\n"
        + proc.stderr[-6000:]
    )
    counts = json.loads(stats.read_text())
    assert counts["inputs"] > 100, counts  # it really ran
    assert counts["ok"] > 0 and counts["error"] > 0, counts  # and reached both outcomes
