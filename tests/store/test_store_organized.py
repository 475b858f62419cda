"""``store.organized``: linked site ads with their indicator codes, read the same way on both backends."""

from __future__ import annotations

import json
from pathlib import Path

from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store
from lagesbild.store.organized import OrganizedStore


def test_nothing_linked_reads_as_empty(store: Store) -> None:
    assert OrganizedStore(store).linked_site_ads() == []


def test_linked_site_ads_carry_days_place_ids_and_indicators(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    recs = [
        {"site": "annonsportalen", "site_ad_id": f"a{i}", "seen_at": f"2024-03-0{1 + i}T12:00:00Z",
         "location": "Linköping", "title": "Ny i stan", "body": "Endast hotell. Ring 070-174 06 05",
         "phones": ["070-174 06 05"]}
        for i in range(3)
    ]  # fmt: skip
    src = tmp_path / "ads.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    import_file(store, pz, src, parallel=None)
    process_new(store)
    rows = OrganizedStore(store).linked_site_ads()
    assert len(rows) == 3
    assert {r.kommun_kod for r in rows} == {"0580"} and {r.lan_kod for r in rows} == {"05"}
    assert {d for r in rows for d in r.days} == {"2024-03-01", "2024-03-02", "2024-03-03"}
    assert len({r.person_id for r in rows}) == 1, "one phone number: one person"
    assert all(r.ad_id and r.person_id for r in rows)
    assert all(r.indicators == {"hotel_only"} for r in rows), "'Endast hotell' in every observation"
