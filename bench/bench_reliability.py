"""Parser reliability figures for docs/reliability.md; prints a Markdown table.

1. Coverage-guided fuzzing (atheris, ``tests/fuzz/fuzz_parsers.py``) of each parser target for a
   bounded time: inputs tried, results, clean errors (LagesbildError), tracebacks (any other
   exception: the run stops at the first, its input kept), known open defects (counted, not
   stopping the run), hangs (libFuzzer's per-input timeout) and the slowest input.
2. Silent acceptance: hand-written invalid inputs per parser that must be refused; an input
   accepted without an error is counted (and listed).

Usage::

    python bench/bench_reliability.py [--seconds 30] [--timeout 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "tests" / "fuzz"

spec = importlib.util.spec_from_file_location("lagesbild_fuzz_targets", FUZZ / "targets.py")
assert spec is not None and spec.loader is not None
targets = importlib.util.module_from_spec(spec)
sys.modules["lagesbild_fuzz_targets"] = targets
spec.loader.exec_module(targets)

GOOD = '{"site":"annonsportalen","site_ad_id":"A-1","seen_at":"2024-03-01"'
PROFILE = (ROOT / "src/lagesbild/monitor/profiles/annonsportalen.yaml").read_text(encoding="utf-8")


def _sub(old: str, new: str) -> bytes:
    assert old in PROFILE, old  # every invalid case really changes the valid profile
    return PROFILE.replace(old, new).encode()


INVALID: dict[str, list[tuple[str, bytes]]] = {
    "ingest_jsonl": [
        ("missing site", b'{"site_ad_id":"A-1","seen_at":"2024-03-01"}\n'),
        ("missing seen_at", b'{"site":"annonsportalen","site_ad_id":"A-1"}\n'),
        ("date before 1995", GOOD.replace("2024-03-01", "1899-03-01").encode() + b"}\n"),
        ("date in the future", GOOD.replace("2024-03-01", "2999-03-01").encode() + b"}\n"),
        ("not a date", GOOD.replace("2024-03-01", "igar").encode() + b"}\n"),
        ("unknown field", GOOD.encode() + b',"phone":"0701740605"}\n'),
        ("age 500", GOOD.encode() + b',"age":500}\n'),
        ("age as a list", GOOD.encode() + b',"age":[22]}\n'),
        ("site as a list", b'{"site":["x"],"site_ad_id":"A-1","seen_at":"2024-03-01"}\n'),
        ("kommun not a code", GOOD.encode() + b',"kommun":"9999"}\n'),
        ("language not a code", GOOD.encode() + b',"language":"svenska"}\n'),
        ("image hash not hex", GOOD.encode() + b',"image_hashes":["zz"]}\n'),
        ("NUL in a text", GOOD.encode() + b',"title":"a\\u0000b"}\n'),
        ("lone surrogate", GOOD.encode() + b',"title":"a\\ud800b"}\n'),
        ("invalid UTF-8", GOOD.encode() + b',"title":"a\xffb"}\n'),
        ("not JSON", b"{site: x}\n"),
        ("a JSON array", b'["annonsportalen","A-1","2024-03-01"]\n'),
        ("huge integer", GOOD.encode() + b',"age":' + b"9" * 5000 + b"}\n"),
        ("deep nesting", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    ],
    "ingest_csv": [
        ("header is data", b"0701740605,lisa@example.invalid\nx,y\n"),
        ("missing seen_at column", b"site,site_ad_id\nannonsportalen,A-1\n"),
        ("unknown column", b"site,site_ad_id,seen_at,phonez\nannonsportalen,A-1,2024-03-01,x\n"),
        ("bad date", b"site,site_ad_id,seen_at\nannonsportalen,A-1,31/13/2024\n"),
        ("too many cells", b"site,site_ad_id,seen_at\nannonsportalen,A-1,2024-03-01,extra\n"),
        ("invalid UTF-8", b"site,site_ad_id,seen_at\nannonsportalen,A-\xff,2024-03-01\n"),
        ("NUL", b"site,site_ad_id,seen_at\nannonsportalen,A-\x001,2024-03-01\n"),
        ("empty file", b""),
    ],
    "profile_yaml": [
        ("unknown key", (PROFILE + "\nextra_key: 1\n").encode()),
        ("bad regex", _sub('url_pattern: "/annons/[^/?#]+$"', 'url_pattern: "/annons/[^/?#+$"')),
        ("bad CSS", _sub('"a[rel=next]::attr(href)"', '"a[rel=next::attr(href)"')),
        ("XPath variable", _sub('{css: "a[rel=next]::attr(href)"}', '{xpath: "//a[@rel=$x]/@href"}')),
        ("bad group reference", _sub("cleanup: [digits]", 'cleanup: [{regex_replace: ["a", "\\\\9"]}]')),
        ("negative rate", _sub("rate_per_second: 2", "rate_per_second: -2")),
        ("not a mapping", b"- a\n- b\n"),
        ("not YAML", b"source: [unclosed\n"),
        ("alias bomb", b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
         + b"".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n".encode()
                    for p, c in zip("abcdefgh", "bcdefghi", strict=True))),
        ("NUL character", (PROFILE + "\x00").encode()),
        ("invalid UTF-8", PROFILE.encode() + b"\xff"),
        ("base_url not a URL", _sub("base_url: http://127.0.0.1:8700/annonsportalen/", "base_url: nowhere")),
    ],
    "normalize_phone": [
        ("too short", b"070-174"),
        ("a date", b"2025-05-12"),
        ("letters", b"ring mig"),
        ("too long", b"070174060507017406"),
        ("only zeros", b"0000000000"),
        ("a price", b"1500 kr"),
    ],
}


def fuzz(name: str, seconds: int, timeout: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        corpus = work / "corpus"
        shutil.copytree(FUZZ / "corpus" / name, corpus)
        stats = work / "stats.json"
        proc = subprocess.run(
            [sys.executable, str(FUZZ / "fuzz_parsers.py"), name, f"-max_total_time={seconds}",
             f"-timeout={timeout}", "-rss_limit_mb=1024", "-max_len=4096", f"-artifact_prefix={work}/", str(corpus)],
            capture_output=True, text=True, env={**os.environ, "LAGESBILD_FUZZ_STATS": str(stats)},
        )  # fmt: skip
        kinds = ("crash-", "timeout-", "oom-")
        found = sorted(p.name.split("-")[0] for p in work.iterdir() if p.name.startswith(kinds))
        counts = json.loads(stats.read_text()) if stats.exists() else {}
        counts["crashes"] = found.count("crash")
        counts["hangs"] = found.count("timeout") + found.count("oom")
        counts["rc"] = proc.returncode
        if found:
            counts["stderr"] = proc.stderr[-1500:]
        return counts


def accepted(name: str) -> tuple[int, list[str]]:
    bad = []
    for label, data in INVALID.get(name, []):
        if name == "normalize_phone":
            from lagesbild.normalize.identifiers import normalize_phone

            if normalize_phone(data.decode()) is not None:
                bad.append(label)
            continue
        try:
            out = targets.any_target(bytes([targets.NAMES.index(name)]) + data)
        except Exception as exc:  # reported as a traceback
            out = f"traceback {type(exc).__name__}"
        if out != "error":
            bad.append(f"{label} ({out})")
    return len(INVALID.get(name, [])), bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seconds", type=int, default=30, help="fuzzing time per target")
    ap.add_argument("--timeout", type=int, default=5, help="per-input hang bound (s)")
    args = ap.parse_args()
    print("| parser (target) | inputs fuzzed | results | clean errors | tracebacks | known defect hits | hangs "
          f"(>{args.timeout} s) | slowest input | invalid cases | silently accepted |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name in targets.NAMES:
        c = fuzz(name, args.seconds, args.timeout)
        n_invalid, bad = accepted(name)
        print(
            f"| {name} | {c.get('inputs', 0):,} | {c.get('ok', 0):,} | {c.get('error', 0):,} | {c['crashes']} | "
            f"{c.get('known', 0):,} | {c['hangs']} | {c.get('max_seconds', 0):.2f} s | {n_invalid} | "
            f"{len(bad)}{': ' + '; '.join(bad) if bad else ''} |"
        )
        if c.get("stderr"):
            print(f"<!-- {name}: {c['stderr']} -->", file=sys.stderr)


if __name__ == "__main__":
    main()
