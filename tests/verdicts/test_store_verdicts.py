"""Stored judgments keep only extracted fields; re-import adds nothing; reads filter by area and period."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from lagesbild.errors import InputError
from lagesbild.records.verdicts import DefendantRecord
from lagesbild.store import Store
from lagesbild.store.verdicts import DefendantStore, VerdictStore
from lagesbild.verdicts import age_profile, travel_flows
from lagesbild.verdicts.importer import import_judgments

from .test_extract import simulated


def write_jsonl(path: Path, verdicts: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(v, ensure_ascii=False) for v in verdicts) + "\n", encoding="utf-8")
    return path


def test_import_stores_extracted_fields_once(store: Store, tmp_path: Path) -> None:
    verdicts = simulated(5, n=2000)
    src = write_jsonl(tmp_path / "verdicts.jsonl", verdicts)
    done = import_judgments(store, src)
    assert (done.n_read, done.n_new, done.n_incomplete) == (len(verdicts), len(verdicts), 0)
    again = import_judgments(store, src)
    assert again.n_new == 0
    vs = VerdictStore(store)
    assert vs.count() == len(verdicts)
    got = {(r.court, r.case_number): r for r in vs.records()}
    for v in verdicts:
        r = got[(v["court"], v["case_number"])]
        assert (r.defendant_age, r.defendant_kommun, r.offence_kommun, r.day_fines, r.ad_used) == (
            v["defendant_age"],
            v["defendant_kommun"],
            v["offence_kommun"],
            v["day_fines"],
            v["ad_used"],
        )


def test_no_name_identity_number_or_text_is_stored(store: Store, tmp_path: Path) -> None:
    verdicts = simulated(6, n=1000)
    import_judgments(store, write_jsonl(tmp_path / "v.jsonl", verdicts))
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM verdicts")).all()
    dump = " ".join(str(x) for r in rows for x in r)
    for word in ("Testsson", "Provsson", "XXXX", "född", "tingsrätten dömer", "skaffat"):
        assert word not in dump


def test_records_filter_by_county_and_period(store: Store, tmp_path: Path) -> None:
    verdicts = simulated(7, n=2000)
    import_judgments(store, write_jsonl(tmp_path / "v.jsonl", verdicts))
    got = VerdictStore(store).records(lan="05", start="2023-01-01", end="2023-12-31")
    want = [v for v in verdicts if v["offence_kommun"].startswith("05") and "2023-01-01" <= v["date"] <= "2023-12-31"]
    assert len(got) == len(want) > 0
    assert age_profile(got).n == len(want)
    assert travel_flows(got, lan="05").n == len(want)


def test_folder_of_text_files_imports(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "domar"
    folder.mkdir()
    for i, v in enumerate(simulated(8, n=400)[:5]):
        (folder / f"{i}.txt").write_text(str(v["text"]), encoding="utf-8")
    assert import_judgments(store, folder).n_new == 5


def test_a_line_without_text_is_an_input_error(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"court": "x"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:1"):
        import_judgments(store, bad)
    assert VerdictStore(store).count() == 0


def _defendant(case: str, kommun: str, day: str, verdict: str = "convicted", index: int = 1) -> DefendantRecord:
    return DefendantRecord(
        case_key=case, defendant_index=index, court="Linköpings tingsrätt", case_number=f"B {case}-24", date=day,
        appeal=False, verdict=verdict, offence="kop", human_trafficking=False, offence_dates=(day,),
        defendant_age=41, home_kommun=kommun, offence_kommun=kommun, website=None, ad_used=True, day_fines=50,
        day_fine_amount=100, conditional_sentence=False, prison_months=None, plea=None,
        fines_only_after_reform=False, confidence={},
    )  # fmt: skip


def test_defendants_filter_by_area_period_and_verdict_oldest_first(store: Store) -> None:
    recs = [
        _defendant("4", "0580", "2024-06-01"),
        _defendant("1", "0580", "2024-02-01", index=2),
        _defendant("1", "0580", "2024-02-01"),
        _defendant("2", "0680", "2024-03-01"),
        _defendant("3", "0581", "2024-04-01", verdict="acquitted"),
        _defendant("5", "0580", "2025-01-10"),
    ]
    DefendantStore(store).add((f"{i:064d}", r) for i, r in enumerate(recs))
    ds = DefendantStore(store)

    def keys(found: list[DefendantRecord]) -> list[tuple[str, int]]:
        return [(d.case_key, d.defendant_index) for d in found]

    assert keys(ds.defendants()) == [("1", 1), ("1", 2), ("2", 1), ("3", 1), ("4", 1), ("5", 1)]
    assert keys(ds.defendants(lan="05")) == [("1", 1), ("1", 2), ("3", 1), ("4", 1), ("5", 1)]
    assert keys(ds.defendants(lan="0581")) == [("3", 1)]
    assert keys(ds.defendants(start="2024-03-01", end="2024-06-01")) == [("2", 1), ("3", 1), ("4", 1)]
    assert keys(ds.defendants(lan="05", verdict="convicted", end="2024-12-31")) == [("1", 1), ("1", 2), ("4", 1)]
    assert keys(ds.defendants(verdict="acquitted")) == [("3", 1)]
    # the judgments the analyses read: convicted defendants, with the same filters
    got = VerdictStore(store).records(lan="05", start="2024-01-01", end="2024-12-31")
    assert [(r.case_number, r.date) for r in got] == [
        ("B 1-24", "2024-02-01"),
        ("B 1-24", "2024-02-01"),
        ("B 4-24", "2024-06-01"),
    ]
