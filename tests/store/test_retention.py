"""Retention per data kind and erasure of a source or period, leaving the store consistent (both backends)."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lagesbild.errors import ConfigError, InputError
from lagesbild.link.runner import run as link_run
from lagesbild.retention import apply_retention, erase
from lagesbild.store import Store
from lagesbild.store.backup import table_digests
from lagesbild.workspace import Workspace

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _one(store: Store, sql: str) -> object:
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def _link_tables(store: Store) -> dict[str, str]:
    return {d.table: d.sha256 for d in table_digests(store) if d.table.startswith("link_") and d.table != "link_runs"}


def _assert_consistent(store: Store) -> None:
    """Every derived row points at a stored observation or site ad, and the links equal a fresh full relink."""
    assert _one(store, "SELECT COUNT(*) FROM normalized_observations n WHERE NOT EXISTS "
                "(SELECT 1 FROM observations o WHERE o.id = n.observation_id)") == 0
    assert _one(store, "SELECT COUNT(*) FROM link_site_ads l WHERE NOT EXISTS (SELECT 1 FROM observations o "
                "WHERE o.site = l.site AND o.site_ad_id = l.site_ad_id)") == 0
    assert _one(store, "SELECT COUNT(*) FROM site_ads") == _one(
        store, "SELECT COUNT(*) FROM (SELECT DISTINCT site, site_ad_id FROM observations) x"
    )
    assert _one(store, "SELECT SUM(n_observations) FROM site_ads") == _one(store, "SELECT COUNT(*) FROM observations")
    links = _link_tables(store)
    link_run(store, full=True)
    assert _link_tables(store) == links


def test_erasing_a_site_removes_it_everywhere_and_relinks_the_rest(filled: Workspace) -> None:
    store = filled.store
    before = _one(store, "SELECT COUNT(*) FROM observations")
    res = erase(store, site="kontaktsidan")
    assert res.relinked and res.deleted.observations == before // 2
    for sql in (
        "SELECT COUNT(*) FROM observations WHERE site = 'kontaktsidan'",
        "SELECT COUNT(*) FROM site_ads WHERE site = 'kontaktsidan'",
        "SELECT COUNT(*) FROM link_site_ads WHERE site = 'kontaktsidan'",
        "SELECT COUNT(*) FROM link_ads WHERE site = 'kontaktsidan'",
    ):
        assert _one(store, sql) == 0, sql
    assert _one(store, "SELECT COUNT(*) FROM link_persons WHERE sites LIKE '%kontaktsidan%'") == 0
    assert _one(store, "SELECT COUNT(*) FROM observations WHERE site = 'annonsportalen'") == before // 2
    assert _one(store, "SELECT COUNT(*) FROM raw_pages") == 1  # annonsportalen's page stays
    _assert_consistent(store)


def test_erasing_a_period_keeps_later_sightings_and_their_lifecycle(filled: Workspace) -> None:
    store = filled.store
    res = erase(store, before=date(2024, 4, 1))
    assert res.deleted.observations == 24 and res.deleted.rows["raw_pages"] == 1
    assert _one(store, "SELECT MIN(seen_at) FROM observations") >= "2024-04-01"
    assert _one(store, "SELECT MIN(first_seen) FROM site_ads") >= "2024-04-01"
    assert _one(store, "SELECT MIN(first_seen) FROM link_site_ads") >= "2024-04-01"
    _assert_consistent(store)


def test_erasing_an_unknown_site_names_the_known_ones_and_deletes_nothing(filled: Workspace) -> None:
    digests = table_digests(filled.store)
    with pytest.raises(InputError, match="nothing of site 'okänd'; sites: annonsportalen, kontaktsidan"):
        erase(filled.store, site="okänd")
    with pytest.raises(InputError, match="say what to erase"):
        erase(filled.store)
    assert table_digests(filled.store) == digests


def test_an_erase_killed_before_the_relink_still_relinks_in_full_next_time(filled: Workspace) -> None:
    def killed(store: Store) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        erase(filled.store, site="kontaktsidan", relink=killed)
    assert link_run(filled.store).mode == "full"
    _assert_consistent(filled.store)


def test_retention_apply_deletes_each_kind_past_its_own_days(filled: Workspace) -> None:
    store, home = filled.store, filled.settings.home
    old = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    for folder in ("reports", "exports"):
        (home / folder).mkdir()
        for name, mtime in (("old.pdf", old), ("new.pdf", NOW.timestamp())):
            (home / folder / name).write_bytes(b"x")
            os.utime(home / folder / name, (mtime, mtime))
    # defaults: raw pages 90 days, exports 30 days; observations and reports kept
    res = apply_retention(store, filled.settings, now=NOW)
    assert res.deleted.rows == {"raw_pages": 1} and not res.relinked
    assert res.files == {"exports": 1}
    assert (home / "reports" / "old.pdf").exists() and not (home / "exports" / "old.pdf").exists()
    assert _one(store, "SELECT COUNT(*) FROM observations") == 36

    keep_may = dataclasses.replace(filled.settings, observation_retention_days=30, report_retention_days=30)
    res = apply_retention(store, keep_may, now=NOW)
    assert res.relinked and res.deleted.observations == 24 and res.deleted.rows["report_contexts"] == 1
    assert res.files == {"reports": 1, "web-reports": 0, "exports": 0}
    assert (home / "reports" / "new.pdf").exists()
    _assert_consistent(store)


def test_a_negative_retention_is_refused_naming_the_setting(filled: Workspace) -> None:
    bad = dataclasses.replace(filled.settings, export_retention_days=-1)
    with pytest.raises(ConfigError, match="export_retention_days"):
        apply_retention(filled.store, bad, now=NOW)
