"""Per-field accuracy of the per-defendant judgment extractor on the fictional corpus.

    python bench/bench_verdicts.py [dev|heldout ...] [--json] [--errors]

Reads ``tests/verdicts/corpus/<set>/truth.jsonl`` and the judgment files next to it, runs
:func:`lagesbild.verdicts.defendants.extract_judgment` and scores each true defendant (matched by
his position in the party list) field by field. ``missed`` counts true defendants with no row,
``spurious`` rows with no true defendant (for example from a theft-only judgment), and
``acquitted_counted`` acquitted defendants read as convicted. The held-out set was never used while
writing the rules; score it once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lagesbild.verdicts.defendants import DefendantRow, extract_judgment

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "verdicts" / "corpus"
FIELDS = ("verdict", "offence", "age", "home_kommun", "offence_kommun", "offence_dates", "sanction", "website", "plea")


def _got(row: DefendantRow) -> dict[str, Any]:
    def v(f: Any) -> Any:
        return None if f is None else f.value

    return {
        "verdict": row.verdict.value,
        "offence": row.offence.value,
        "age": v(row.age),
        "home_kommun": v(row.home_kommun),
        "offence_kommun": v(row.offence_kommun),
        "offence_dates": list(v(row.offence_dates) or []),
        "sanction": {"day_fines": v(row.day_fines), "day_fine_amount": v(row.day_fine_amount),
                     "conditional": row.conditional_sentence.value, "prison_months": v(row.prison_months)},
        "website": v(row.website),
        "plea": v(row.plea),
    }


def score(set_name: str, show_errors: bool = False) -> dict[str, Any]:
    folder = CORPUS / set_name
    truths = [json.loads(x) for x in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    hits = dict.fromkeys(FIELDS, 0)
    n = missed = spurious = acquitted_counted = judgments_ok = 0
    for t in truths:
        j = extract_judgment((folder / t["file"]).read_text(encoding="utf-8"))
        rows = {r.index: r for r in j.defendants}
        judgments_ok += (j.case_number == t["case_number"]) and (j.date == t["date"])
        spurious += len(set(rows) - {d["index"] for d in t["defendants"]})
        for d in t["defendants"]:
            n += 1
            row = rows.get(d["index"])
            if row is None:
                missed += 1
                if show_errors:
                    print(f"{t['file']} #{d['index']}: MISSED")
                continue
            got = _got(row)
            if d["verdict"] == "acquitted" and got["verdict"] == "convicted":
                acquitted_counted += 1
            for f in FIELDS:
                ok = got[f] == d[f]
                hits[f] += ok
                if not ok and show_errors:
                    print(f"{t['file']} #{d['index']} {f}: got {got[f]!r} want {d[f]!r}")
    return {
        "set": set_name, "judgments": len(truths), "defendants": n, "missed": missed, "spurious": spurious,
        "acquitted_counted": acquitted_counted, "case_and_date": judgments_ok / max(len(truths), 1),
        "accuracy": {f: round(hits[f] / max(n, 1), 4) for f in FIELDS},
    }


def main(argv: list[str]) -> None:
    sets = [a for a in argv if not a.startswith("--")] or ["dev"]
    for s in sets:
        res = score(s, "--errors" in argv)
        if "--json" in argv:
            print(json.dumps(res, ensure_ascii=False))
            continue
        print(f"{s}: {res['judgments']} judgments, {res['defendants']} defendants; missed {res['missed']}, "
              f"spurious {res['spurious']}, acquitted counted {res['acquitted_counted']}, "
              f"case+date {res['case_and_date']:.0%}")
        for f, a in res["accuracy"].items():
            print(f"  {f:15s} {a:7.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
