"""Key rotation: every pseudonym re-keyed in one transaction, links kept, new data matching old."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from lagesbild.errors import KeyMismatchError, StoreError
from lagesbild.ingest import import_file
from lagesbild.link.runner import run as link_run
from lagesbild.privacy import Pseudonymizer, load_key, rekey_pseudonym
from lagesbild.privacy_rotate import pending_key_path, rotate_key
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.store.backup import table_digests
from lagesbild.store.rekey import PSEUDONYM_RE
from lagesbild.workspace import init_workspace, open_workspace

PHONES = ["070-174 06 21", "0701740622"]
EMAIL = "rotation.fiktiv@example.invalid"


def _records(day: str, ids: range) -> list[dict[str, object]]:
    return [
        {
            "site": "annonsportalen" if i % 2 else "kontaktsidan",
            "site_ad_id": f"R-{i}",
            "seen_at": day,
            "title": f"Ny {i}",
            "body": f"ring {PHONES[i % 2]} eller {EMAIL}",
            "location": "Linköping",
            "phones": [PHONES[i % 2]],
            "emails": [EMAIL],
        }
        for i in ids
    ]


def _import(settings: Settings, tmp: Path, name: str, records: list[dict[str, object]]) -> None:
    path = tmp / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, path)
        link_run(ws.store)


def _pseudonyms(store: Store) -> set[str]:
    return {m for _, row in store.dump_rows() for v in row if isinstance(v, str) for m in PSEUDONYM_RE.findall(v)}


def _persons(store: Store) -> list[tuple[str, str | None]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT site_ad_id, person_id FROM link_site_ads ORDER BY 1"))]


def test_rotation_rekeys_every_pseudonym_and_new_data_links_to_the_old(settings: Settings, tmp_path: Path) -> None:
    init_workspace(settings)
    _import(settings, tmp_path, "day1.jsonl", _records("2024-03-01", range(4)))
    old_key = load_key(settings.key_file)
    with Store.open(settings.db) as s:
        before = _pseudonyms(s)
        persons_before = _persons(s)
        n_tables = {d.table: d.rows for d in table_digests(s)}
    assert len(before) == 3  # two phones and one e-mail

    res = rotate_key(settings)

    chain = load_key(settings.key_file)
    assert chain[:32] == old_key and len(chain) == 64 and res.generations == 2
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    assert not pending_key_path(settings.key_file).exists()
    new_key = chain[32:]
    with Store.open(settings.db) as s:
        after = _pseudonyms(s)
        assert after == {rekey_pseudonym(p, new_key) for p in before} and not (after & before)
        assert s.get_meta("key_fingerprint") == res.new_fingerprint == Pseudonymizer(chain).fingerprint
        assert _persons(s) == persons_before  # links unchanged
        assert {d.table: d.rows for d in table_digests(s)} == n_tables  # nothing lost
    assert res.pseudonyms == 3 and res.values > 0

    # A number imported after the rotation gets the rotated pseudonym: new ads link to old ones.
    _import(settings, tmp_path, "day2.jsonl", _records("2024-03-02", range(4, 6)))
    with Store.open(settings.db) as s:
        assert _pseudonyms(s) == after
        persons = dict(_persons(s))
        assert persons["R-4"] == persons["R-0"] and persons["R-5"] == persons["R-1"]
    # The old key alone no longer opens the store.
    settings.key_file.write_text(old_key.hex() + "\n")
    with pytest.raises(KeyMismatchError):
        open_workspace(settings)


def test_a_failed_rotation_leaves_store_and_key_as_they_were(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init_workspace(settings)
    _import(settings, tmp_path, "day1.jsonl", _records("2024-03-01", range(3)))
    key_before = settings.key_file.read_bytes()
    with Store.open(settings.db) as s:
        digests = table_digests(s)

    def boom(p: str, key: bytes) -> str:
        raise StoreError("disk full (simulated)")

    monkeypatch.setattr("lagesbild.privacy_rotate.rekey_pseudonym", boom)
    with pytest.raises(StoreError, match="simulated"):
        rotate_key(settings)
    assert settings.key_file.read_bytes() == key_before
    assert not pending_key_path(settings.key_file).exists()
    with Store.open(settings.db) as s:
        assert table_digests(s) == digests


def test_an_interrupted_rotation_is_completed_by_running_it_again(settings: Settings, tmp_path: Path) -> None:
    init_workspace(settings)
    _import(settings, tmp_path, "day1.jsonl", _records("2024-03-01", range(3)))
    res = rotate_key(settings)
    # Simulate a kill after the store committed but before the key file was replaced.
    chain = settings.key_file.read_bytes()
    pending_key_path(settings.key_file).write_bytes(chain)
    pending_key_path(settings.key_file).chmod(0o600)
    settings.key_file.write_text(chain.decode().splitlines()[0] + "\n")
    with pytest.raises(KeyMismatchError):
        open_workspace(settings)
    again = rotate_key(settings)
    assert again.resumed and again.new_fingerprint == res.new_fingerprint
    open_workspace(settings).close()


def test_rotation_with_a_missing_key_says_where_it_is_expected(settings: Settings) -> None:
    init_workspace(settings)
    settings.key_file.unlink()
    with pytest.raises(KeyMismatchError, match=f"not found at {settings.key_file}.*restore it from backup"):
        rotate_key(settings)


def test_init_with_a_missing_key_refuses_to_create_a_new_one_for_a_keyed_store(settings: Settings) -> None:
    init_workspace(settings)
    fingerprint = Pseudonymizer(load_key(settings.key_file)).fingerprint
    settings.key_file.unlink()
    with pytest.raises(KeyMismatchError, match=f"fingerprint {fingerprint}.*no key file is at {settings.key_file}"):
        init_workspace(settings)
    assert not settings.key_file.exists()  # no new key was made behind the user's back
