"""The API's defendant schema is derived from the stored record: the two cannot drift apart."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lagesbild.records.verdicts import DefendantRecord
from lagesbild.web import api


def _record() -> DefendantRecord:
    return DefendantRecord(
        case_key="k", defendant_index=2, court="Linköpings tingsrätt", case_number="B 1740-24", date="2024-05-02",
        appeal=True, verdict="convicted", offence="kop", human_trafficking=False,
        offence_dates=("2024-03-05", "2024-03-07"), defendant_age=41, home_kommun="0580", offence_kommun="0581",
        website=None, ad_used=True, day_fines=50, day_fine_amount=100, conditional_sentence=False,
        prison_months=None, plea="erkänner", fines_only_after_reform=False, confidence={"verdict": 0.9},
        corrected=True, id=7,
    )  # fmt: skip


def test_defendant_out_has_every_field_of_the_record_but_the_hidden_ones() -> None:
    record = {f.name for f in dataclasses.fields(DefendantRecord)}
    assert set(api.DEFENDANT_HIDDEN) <= record  # a hidden field renamed in the record would show up
    assert set(api.DefendantOut.model_fields) == record - set(api.DEFENDANT_HIDDEN)
    # the order the API has always had: id first, then where the case was decided
    assert list(api.DefendantOut.model_fields)[:5] == ["id", "court", "case_number", "date", "defendant_index"]
    assert all(f.is_required() for f in api.DefendantOut.model_fields.values())


def test_a_field_added_to_the_record_reaches_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    @dataclasses.dataclass(frozen=True)
    class Wider(DefendantRecord):
        sentence_days: int | None = None

    monkeypatch.setattr(api, "DefendantRecord", Wider)
    fields = api.defendant_fields()
    assert "sentence_days" in fields and not set(api.DEFENDANT_HIDDEN) & set(fields)
    assert set(fields) - {"sentence_days"} == set(api.DefendantOut.model_fields)


def test_the_json_of_a_defendant_is_the_record_less_the_hidden_fields() -> None:
    rec = _record()
    out = json.loads(api._defendant_out(rec).model_dump_json())
    shown = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(rec).items()}
    for hidden in api.DEFENDANT_HIDDEN:
        shown.pop(hidden)
    assert out == shown
    schema = api.DefendantOut.model_json_schema()
    assert schema["properties"]["offence_dates"] == {
        "items": {"type": "string"},
        "title": "Offence Dates",
        "type": "array",
    }
    assert "re-import" in schema["properties"]["corrected"]["description"]
