"""Forward-only, recorded migrations on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from lagesbild.errors import StoreError
from lagesbild.store import Store
from lagesbild.store.migrations import MIGRATIONS, Migration, migrate


def test_opening_a_new_database_applies_and_records_every_migration(store: Store) -> None:
    assert store.schema_version() == max(m.id for m in MIGRATIONS)
    rows = [r for t, r in store.dump_rows() if t == "schema_migrations"]
    assert [r[0] for r in rows] == [m.id for m in MIGRATIONS]
    assert {"observations", "site_ads", "imports", "meta", "population"} <= set(store.table_names())


def test_reopening_applies_nothing_twice(db_url: str) -> None:
    Store.open(db_url).close()
    with Store.open(db_url) as s, s.engine.begin() as conn:
        assert migrate(conn) == []


def test_a_new_migration_is_applied_once_and_recorded(db_url: str) -> None:
    Store.open(db_url).close()

    def add_column(conn):  # type: ignore[no-untyped-def]
        from sqlalchemy import text

        conn.execute(text("ALTER TABLE meta ADD COLUMN note TEXT"))

    extra = (*MIGRATIONS, Migration(999, "test: add a column", add_column))
    with Store.open(db_url, migrate=False) as s:
        with s.engine.begin() as conn:
            assert [m.id for m in migrate(conn, extra)] == [999]
        with s.engine.begin() as conn:
            assert migrate(conn, extra) == []
        cols = {c["name"] for c in inspect(s.engine).get_columns("meta")}
        assert "note" in cols


def test_a_database_from_a_newer_version_is_refused(db_url: str) -> None:
    Store.open(db_url).close()

    def noop(conn):  # type: ignore[no-untyped-def]
        return None

    with Store.open(db_url, migrate=False) as s, s.engine.begin() as conn:
        migrate(conn, (*MIGRATIONS, Migration(1000, "future", noop)))
    with pytest.raises(StoreError, match="upgrade lagesbild"):
        Store.open(db_url)


def test_migration_19_files_each_key_under_its_site_ads_advertiser(db_url: str) -> None:
    # a store linked before migration 19: its key index gets the advertisers from link_site_ads, no relink
    from sqlalchemy import text

    with Store.open(db_url, migrate=False) as s, s.engine.begin() as conn:
        migrate(conn, tuple(m for m in MIGRATIONS if m.id < 19))
        conn.execute(
            text(
                "INSERT INTO link_site_ads (site, site_ad_id, first_seen, last_seen, days, n_obs, signature, "
                "advertiser_id) VALUES ('a', '1', '2025-01-01', '2025-01-01', '2025-01-01', 1, :b, 'adv_1'), "
                "('a', '2', '2025-01-01', '2025-01-01', '2025-01-01', 1, :b, NULL)"
            ),
            {"b": b"\x00"},
        )
        conn.execute(
            text(
                "INSERT INTO link_keys (k, site, site_ad_id) VALUES (10, 'a', '1'), (11, 'a', '1'), "
                "(10, 'a', '2'), (7, '', 'shared')"
            )
        )
    with Store.open(db_url) as s, s.engine.connect() as conn:
        assert s.schema_version() == max(m.id for m in MIGRATIONS)
        rows = conn.execute(text("SELECT k, site, site_ad_id, advertiser_id FROM link_keys")).all()
        assert sorted(map(tuple, rows)) == [
            (7, "", "shared", None),
            (10, "a", "1", "adv_1"),
            (10, "a", "2", None),
            (11, "a", "1", "adv_1"),
        ]
        indexes = {i["name"] for i in inspect(conn).get_indexes("link_keys")}
        assert indexes == {"ix_link_keys_k_advertiser", "ix_link_keys_site_ad"}


def test_the_check_for_site_ads_without_a_template_key_reads_an_index(tmp_path: Path) -> None:
    # migration 20: LinkStore.lacks_templates reads a partial index (empty after a link run), not every site ad
    from sqlalchemy import text

    from lagesbild.store.links import LinkStore

    with Store.open(f"sqlite:///{tmp_path / 'x.db'}") as s, s.engine.connect() as conn:
        plan = " ".join(
            str(r[-1])
            for r in conn.execute(text("EXPLAIN QUERY PLAN SELECT 1 FROM link_site_ads WHERE template IS NULL LIMIT 1"))
        )
        assert "ix_link_site_ads_untemplated" in plan
        assert not LinkStore(s).lacks_templates()


def test_an_unreachable_server_gives_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_an_unsupported_url_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported database URL"):
        Store.open("mysql://x@y/z")


def test_observations_can_be_read_by_import_range(store: Store, tmp_path: object) -> None:
    from pathlib import Path

    from lagesbild.ingest import import_file
    from lagesbild.privacy import Pseudonymizer

    pz = Pseudonymizer(bytes(32))
    ids = []
    for k in range(3):
        p = Path(str(tmp_path)) / f"a{k}.jsonl"
        p.write_text(f'{{"site": "s", "site_ad_id": "{k}", "seen_at": "2025-01-0{k + 1}"}}\n')
        ids.append(import_file(store, pz, p).import_id)
    assert [o.site_ad_id for o in store.iter_observations()] == ["0", "1", "2"]
    assert [o.site_ad_id for o in store.iter_observations(after_import=ids[0])] == ["1", "2"]
    assert [o.site_ad_id for o in store.iter_observations(after_import=ids[0], up_to_import=ids[1])] == ["1"]
