"""Backup and restore: portable between backends, compared table by table after the round trip."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import pytest

from lagesbild.errors import InputError, StoreError
from lagesbild.store import Store
from lagesbild.store.backup import backup, read_manifest, restore, sqlite_snapshot, table_digests
from lagesbild.workspace import Workspace


def _targets(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    return {"sqlite": f"sqlite:///{tmp_path / 'restored.db'}", "postgresql": request.getfixturevalue("other_pg_url")}


@pytest.mark.parametrize("target_backend", ["sqlite", "postgresql"])
def test_restore_into_an_empty_store_of_either_backend_reproduces_every_table(
    filled: Workspace, tmp_path: Path, request: pytest.FixtureRequest, target_backend: str
) -> None:
    before = table_digests(filled.store)
    counts = {d.table: d.rows for d in before}
    assert counts["observations"] == 36 and counts["link_site_ads"] == 12 and counts["raw_pages"] == 1
    info = backup(filled.store, tmp_path / "b.tar.gz")
    assert stat.S_IMODE((tmp_path / "b.tar.gz").stat().st_mode) == 0o600
    assert info.tables == before and read_manifest(tmp_path / "b.tar.gz").tables == before
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        # the key is never in a backup: no member is the key file, and no member holds its bytes
        key = Path(filled.settings.key_file).read_bytes()
        assert not any(Path(n).name == Path(filled.settings.key_file).name for n in tar.getnames())
        assert "link_keys.jsonl" in {Path(n).name for n in tar.getnames()}  # the blocking-key index is a table
        for m in tar.getmembers():
            f = tar.extractfile(m)
            assert f is None or key not in f.read(), m.name

    url = _targets(tmp_path, request)[target_backend]
    with Store.open(url, migrate=False) as target:
        restored = restore(target, tmp_path / "b.tar.gz")
        assert restored.tables == before
        assert table_digests(target) == before
        assert target.get_meta("key_fingerprint") == filled.pseudonymizer.fingerprint
        # new rows get fresh ids after the restored ones (sequences reset on PostgreSQL)
        target.set_meta("probe", "1")
        with target.engine.begin() as conn:
            import sqlalchemy as sa

            new_id = conn.execute(
                sa.text(
                    "INSERT INTO imports (source, sha256, started_at) VALUES ('x', 'y', 'z') RETURNING id"
                )
            ).scalar_one()
        assert new_id > max(r[0] for t, r in filled.store.dump_rows() if t == "imports")


def test_restore_refuses_a_store_that_holds_data_and_changes_nothing(filled: Workspace, tmp_path: Path) -> None:
    backup(filled.store, tmp_path / "b.tar.gz")
    before = table_digests(filled.store)
    with pytest.raises(StoreError, match="empty store"):
        restore(filled.store, tmp_path / "b.tar.gz")
    assert table_digests(filled.store) == before


def test_a_damaged_or_foreign_file_is_a_clear_error(filled: Workspace, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(InputError, match=r"junk\.tar\.gz: not a lagesbild backup"):
        restore(filled.store, junk)
    with pytest.raises(InputError, match="not found"):
        restore(filled.store, tmp_path / "missing.tar.gz")


def test_a_tampered_table_is_detected_and_nothing_is_restored(filled: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "b.tar.gz"
    backup(filled.store, src)
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(src) as tin, tarfile.open(bad, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read()  # type: ignore[union-attr]
            if m.name == "tables/campaigns.jsonl" or m.name == "tables/imports.jsonl":
                data = data.replace(b"ads.jsonl", b"other.jsonl")
            import io

            m.size = len(data)
            tout.addfile(m, io.BytesIO(data))
    with Store.open(f"sqlite:///{tmp_path / 'new.db'}", migrate=False) as target:
        with pytest.raises(StoreError, match="imports"):
            restore(target, bad)
        assert target.schema_version() == 0  # the whole restore was rolled back


def test_a_sqlite_store_snapshots_with_the_online_backup_api_and_restores_anywhere(
    filled: Workspace, tmp_path: Path
) -> None:
    if filled.store.backend != "sqlite":
        with pytest.raises(StoreError, match="needs a SQLite store"):
            sqlite_snapshot(filled.store, tmp_path / "snap.db")
        return
    snap = sqlite_snapshot(filled.store, tmp_path / "snap.db")
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600
    with Store.open(f"sqlite:///{tmp_path / 'again.db'}", migrate=False) as target:
        restore(target, snap)
        assert table_digests(target) == table_digests(filled.store)
