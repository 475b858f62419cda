"""Coverage-guided fuzzing of lagesbild's parsers with atheris (libFuzzer for Python).

Usage::

    python tests/fuzz/fuzz_parsers.py TARGET [libFuzzer options] [CORPUS_DIR ...]
    python tests/fuzz/fuzz_parsers.py ingest_jsonl -max_total_time=60 -timeout=2 tests/fuzz/corpus/ingest_jsonl

TARGET is one of ``targets.TARGETS``, or ``all`` (the first byte of each input picks the target).
A crash is any exception other than a LagesbildError (the targets return "ok" or "error"
otherwise, and "known" for a defect listed in ``targets.KNOWN_DEFECTS``); libFuzzer writes the input to ``crash-<sha1>``
(see ``-artifact_prefix``). ``tests/fuzz/test_fuzz.py`` runs every target for a bounded time in CI.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).parent))

with atheris.instrument_imports(include=["lagesbild"]):
    import targets  # the parsers are imported, and instrumented, inside this block

    for _name in (
        "lagesbild.ingest",
        "lagesbild.ingest.readers",
        "lagesbild.ingest.validate",
        "lagesbild.monitor.spec",
        "lagesbild.monitor.compile",
        "lagesbild.normalize.ad",
        "lagesbild.normalize.identifiers",
        "lagesbild.normalize.places",
        "lagesbild.normalize.prices",
        "lagesbild.normalize.ages",
        "lagesbild.privacy",
    ):
        __import__(_name)


def main() -> None:
    names = (*targets.TARGETS, "all")
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        sys.exit(f"usage: {sys.argv[0]} TARGET [libFuzzer options]; targets: {', '.join(names)}")
    if sys.argv[1] == "all":
        target = targets.any_target
    else:
        prefix = bytes([targets.NAMES.index(sys.argv[1])])
        target = lambda data: targets.any_target(prefix + data)  # noqa: E731
    stats_file = os.environ.get("LAGESBILD_FUZZ_STATS")
    slowest_file = os.environ.get("LAGESBILD_FUZZ_SLOWEST")  # keep the slowest input there
    stats = {"inputs": 0, "ok": 0, "error": 0, "known": 0, "max_seconds": 0.0}

    def one_input(data: bytes) -> None:
        t0 = time.perf_counter()
        out = target(data)  # anything but a LagesbildError escapes: libFuzzer reports the crash
        stats[out] += 1
        stats["inputs"] += 1
        took = time.perf_counter() - t0
        if took > stats["max_seconds"]:
            stats["max_seconds"] = took
            if slowest_file:
                Path(slowest_file).write_bytes(data)
        if stats_file and stats["inputs"] % 200 == 0:
            Path(stats_file).write_text(json.dumps(stats))

    # Warm up: the parsers load their data (gazetteer, rules, profiles) lazily on first use; run the
    # seeds once so that the per-input times below measure parsing, not loading.
    for i, warm in enumerate(targets.NAMES):
        for seed in sorted((Path(__file__).parent / "corpus" / warm).iterdir()):
            targets.any_target(bytes([i]) + seed.read_bytes())
    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    try:
        atheris.Fuzz()
    finally:
        if stats_file:
            Path(stats_file).write_text(json.dumps(stats))


if __name__ == "__main__":
    main()
