"""normalize_store: stored observations get normalized facts, once per rules version, batch by batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from lagesbild.cli import app as main_app
from lagesbild.normalize import RULES_VERSION, normalize_ad
from lagesbild.normalize.run import fact_row, normalize_store
from lagesbild.observations import Observation
from lagesbild.store import Store
from lagesbild.store.normalized import NORMALIZED_COLUMNS, NormalizedStore

ADS = [
    ("Lisa 23", "Ny i stan! 1500kr/30min. Pratar svenska och engelska. Hon är 19 år, 24/7", "Gbg"),
    ("Anna", "Hej, jag är Anna, 30 år. Ring mig. 2000 kr/h", "Linköping"),
    (None, "Bor i Vara. Ålder: 41", None),
]


def _fill(store: Store, days: int = 4) -> None:
    """Three ads, each seen on ``days`` days (the same text every day)."""
    obs = [
        Observation("site", f"ad{i}", f"2025-03-0{d + 1}T12:00:00Z", title=t, body=b, location_text=loc)
        for d in range(days)
        for i, (t, b, loc) in enumerate(ADS)
    ]
    store.import_observations([obs], source="test", sha256="0" * 64)


def _facts(store: Store) -> dict[int, dict[str, object]]:
    ns = NormalizedStore(store)
    with store.engine.connect() as conn:
        ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM observations ORDER BY id"))]
    return {i: f for i in ids if (f := ns.get(i)) is not None}


def test_normalize_store_stores_facts_for_every_observation(store: Store) -> None:
    _fill(store)
    summary = normalize_store(store, batch_size=5)
    assert (summary.n_pending, summary.n_normalized, summary.n_distinct) == (12, 12, 3)
    assert summary.n_batches == 3
    facts = _facts(store)
    assert len(facts) == 12
    first = facts[min(facts)]
    assert (first["kommun_kod"], first["lan_kod"], first["place_source"]) == ("1480", "14", "location")
    # a half hour's price gives no hourly price; its amount and unit are kept as written
    assert (first["age"], first["price_sek_per_hour"]) == (23, None)
    assert (first["price_amount"], first["price_currency"], first["price_unit"]) == (1500, "SEK", "30min")
    assert first["languages_offered"] == "sv en"
    assert set(str(first["indicators"]).split()) == {"third_person", "always_available"}
    assert first["touring"] == "new_in_town"
    assert first["rules_version"] == RULES_VERSION
    assert {f["kommun_kod"] for f in facts.values()} == {"1480", "0580", "1470"}


def test_normalize_store_skips_what_is_done_and_redoes_older_rules(store: Store) -> None:
    _fill(store)
    normalize_store(store)
    assert normalize_store(store).n_normalized == 0
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE normalized_observations SET rules_version = 'old' WHERE observation_id <= 2"))
    again = normalize_store(store)
    assert again.n_normalized == 2
    assert NormalizedStore(store).rules_versions() == {RULES_VERSION: 12}


def test_normalize_store_after_an_import_does_only_the_new_observations(store: Store) -> None:
    _fill(store, days=2)
    normalize_store(store)
    assert NormalizedStore(store).done_up_to(rules_version=RULES_VERSION) == 6
    late = [Observation("site", "ad9", "2025-03-09T12:00:00Z", body="Ny tjej i Lund, 22 år")]
    store.import_observations([late], source="late", sha256="1" * 64)
    summary = normalize_store(store)
    assert (summary.n_pending, summary.n_normalized) == (1, 1)
    assert _facts(store)[7]["kommun_kod"] == "1281"


def test_normalize_store_all_redoes_every_observation(store: Store) -> None:
    _fill(store)
    normalize_store(store)
    assert normalize_store(store, all=True).n_normalized == 12


def test_normalize_store_resumes_after_an_interrupted_run(store: Store) -> None:
    _fill(store)

    def stop_after_first_batch(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        normalize_store(store, batch_size=5, progress=stop_after_first_batch)
    assert len(_facts(store)) == 5  # the first batch was committed
    assert normalize_store(store, batch_size=5).n_normalized == 7


def test_normalize_store_reports_progress_to_the_total(store: Store) -> None:
    _fill(store)
    seen: list[tuple[int, int]] = []
    normalize_store(store, batch_size=5, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 12), (5, 12), (10, 12), (12, 12)]


def test_normalized_store_save_replaces_a_row(store: Store) -> None:
    _fill(store, days=1)
    ns = NormalizedStore(store)
    ns.save([(1, "v1", *fact_row(normalize_ad(None, "Ring mig", "Sthlm")))])
    ns.save([(1, "v2", *fact_row(normalize_ad(None, "Ring mig", "Gbg")))])
    got = ns.get(1)
    assert got is not None and (got["rules_version"], got["kommun_kod"]) == ("v2", "1480")
    assert list(got) == list(NORMALIZED_COLUMNS)
    assert ns.get(999) is None


def test_normalize_store_in_worker_processes_matches_inline(tmp_path: Path) -> None:
    inline, workers = (Store.open(f"sqlite:///{tmp_path / n}.db") for n in ("a", "b"))
    for s in (inline, workers):
        _fill(s)
    normalize_store(inline, workers=0)
    summary = normalize_store(workers, workers=2, batch_size=5)
    assert summary.workers == 2
    assert _facts(inline) == _facts(workers)


def test_cli_normalize_all_and_run(tmp_path: Path, db_url: str) -> None:
    store = Store.open(db_url)
    _fill(store)
    store.close()
    base = ["--home", str(tmp_path / "home"), "--db", db_url]
    runner = CliRunner()
    assert runner.invoke(main_app, [*base, "init"]).exit_code == 0
    first = runner.invoke(main_app, [*base, "normalize", "run", "--no-progress"])
    assert first.exit_code == 0, first.output
    assert "normalized 12 observations (3 distinct texts)" in first.output
    nothing = runner.invoke(main_app, [*base, "normalize", "run", "--no-progress"])
    assert "nothing to normalize" in nothing.output
    again = runner.invoke(main_app, [*base, "normalize", "--all", "--no-progress"])
    assert again.exit_code == 0, again.output
    assert "normalized 12 observations" in again.output


def test_the_sites_own_price_field_is_read(store: Store) -> None:
    """A crawled site's price field ("Pris: 1500 kr / timme" in a fact list) fills the hourly price; it used
    to be stored and never read, so every ad of such a site had no price (found in an unseen-site trial)."""
    obs = [
        Observation("site", "p1", "2025-03-01T12:00:00Z", title="Mia", body="Ring mig!", price_text="1500 kr / timme"),
        # the field wins over a price in the text; a field with no price leaves the text's
        Observation("site", "p2", "2025-03-01T12:00:00Z", body="2000 kr/30 min", price_text="2 500 kr/h"),
        Observation("site", "p3", "2025-03-01T12:00:00Z", body="1200 kr/h", price_text="Enligt överenskommelse"),
    ]
    store.import_observations([obs], source="test", sha256="1" * 64)
    normalize_store(store)
    got = sorted((f["price_sek_per_hour"], f["price_unit"]) for f in _facts(store).values())
    assert got == [(1200, "h"), (1500, "timme"), (2500, "h")]


def test_normalize_ad_prefers_the_stated_price_field() -> None:
    ad = normalize_ad("Anna", "Ring! 2000 kr/30 min", "Linköping", price_text="1 800 kr / timme")
    assert ad.price_sek_per_hour == 1800 and ad.prices[0].raw.startswith("1 800")
    alone = normalize_ad("Anna", "Ring! 2000 kr/30 min", "Linköping")
    assert alone.price_sek_per_hour is None and (alone.prices[0].amount, alone.prices[0].minutes) == (2000, 30)
