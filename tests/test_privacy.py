"""Raw identifiers never reach the database, the logs or error messages."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from lagesbild.errors import ConfigError, KeyMismatchError
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer, create_key, key_fingerprint, load_key
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.workspace import init_workspace, open_workspace

# Fictional numbers (PTS reserves 070-1740605..699 for fiction) in the formats ads use.
PHONES_AS_WRITTEN = [
    "070-174 06 05",
    "+46701740606",
    "0701740607",
    "070 174 06 08",
    "(070) 1740609",
    "0046 70 174 06 10",
]
EMAILS = ["Testperson.Ett@Example.invalid", "annons-2@example.invalid"]
# Issue 13's example record (its numbers moved into the fiction range): identifiers in the ad id,
# the price, the name, the address and the location, not only in title and body.
ISSUE_RECORDS = [
    {
        "site": "annonsportalen",
        "site_ad_id": "0701740621",
        "seen_at": "2024-03-01",
        "price": "ring 0701740622",
        "name": "Lisa 0701740623 lisa2@example.com",
        "url": "https://example.invalid/annons/0701740621?mail=lisa2%40example.com",
        "location": "Linköping 070-174 06 24",
    },
    {
        "site": "annonsportalen",
        "site_ad_id": "0701740621",
        "seen_at": "2024-03-02",
        "price": "ring 0701740622",
        "name": "Lisa 0701740623 lisa2@example.com",
    },
]
ISSUE_CSV = (
    "site,site_ad_id,seen_at,price,name,location\n"
    "annonsportalen,070-174 06 25,2024-03-01,ring 0701740626,Lisa 0701740627 lisa3@example.com,Linköping\n"
    "annonsportalen,070-174 06 25,2024-03-03,ring 0701740626,Lisa 0701740627 lisa3@example.com,Linköping\n"
)


def _needles() -> list[str]:
    digits = ["0701740605", "0701740606", "0701740607", "0701740608", "0701740609", "0701740610"]
    digits += [f"07017406{n}" for n in range(21, 28)]
    needles = digits + ["+46" + d[1:] for d in digits] + ["46" + d[1:] for d in digits]
    needles += [e.lower() for e in EMAILS] + EMAILS + PHONES_AS_WRITTEN
    needles += ["lisa2@example.com", "lisa2%40example.com", "lisa3@example.com", "070-174 06 24", "070-174 06 25"]
    return needles


def _write_ads(path: Path) -> None:
    recs = []
    for i, phone in enumerate(PHONES_AS_WRITTEN):
        recs.append(
            {
                "site": "exempelsajten",
                "site_ad_id": str(i),
                "seen_at": "2025-03-01",
                "phones": [phone],
                "emails": [EMAILS[i % 2]],
                "title": f"Ring {phone}",
                "body": f"Hej! Nås på {phone} eller {EMAILS[(i + 1) % 2]}. Pris 1500kr/30min.",
                "location": "Linköping",
            }
        )
    recs += ISSUE_RECORDS
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")


def test_no_raw_identifier_in_database_or_logs(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Import (JSONL and CSV), normalize and link; then no table, column, file byte or log line holds one."""
    caplog.set_level(logging.DEBUG)
    ads = tmp_path / "ads.jsonl"
    _write_ads(ads)
    ads_csv = tmp_path / "ads.csv"
    ads_csv.write_text(ISSUE_CSV, encoding="utf-8")
    init_workspace(settings)
    with open_workspace(settings) as ws:
        summary = import_file(ws.store, ws.pseudonymizer, ads)
        assert summary.n_new == len(PHONES_AS_WRITTEN) + len(ISSUE_RECORDS)
        assert import_file(ws.store, ws.pseudonymizer, ads_csv).n_new == 2
        process_new(ws.store)
        tables = ws.store.table_names()
        dumped = [(t, row) for t, row in ws.store.dump_rows()]
        dump = "\n".join(repr(row) for _, row in dumped)
        obs = [o for o in ws.store.iter_observations() if o.site == "exempelsajten"]
        issue_obs = [o for o in ws.store.iter_observations() if o.site == "annonsportalen"]
    # Every table was read, and the linking tables (link_site_ads among them) were filled.
    filled = {t for t, _ in dumped}
    assert {"observations", "site_ads", "link_site_ads", "normalized_observations"} <= filled <= set(tables)
    haystacks = {"database rows": dump, "logs": caplog.text}
    if settings.db.startswith("sqlite"):
        db_file = Path(settings.db.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
        haystacks["database file"] = raw.decode("utf-8", "replace")
    for where, text in haystacks.items():
        flat = re.sub(r"[\s\-()]", "", text)
        for needle in _needles():
            assert needle not in text, f"raw identifier found in {where}"
            assert re.sub(r"[\s\-()]", "", needle) not in flat, f"raw identifier (spaced) found in {where}"
    # ... but the pseudonyms are there and link the ads: each ad has its field phone and its text phones.
    assert all(o.phones and all(p.startswith("ph_") for p in o.phones) for o in obs)
    assert all(o.emails and len(o.emails) == 2 for o in obs)
    assert "[telefon]" in (obs[0].body or "") and "[e-post]" in (obs[0].body or "")
    # The issue's ads: both sightings of each under one keyed ad id; price and name scrubbed; the numbers link.
    assert len({o.site_ad_id for o in issue_obs}) == 2 and all(o.site_ad_id.startswith("id_") for o in issue_obs)
    assert {o.price_text for o in issue_obs} == {"ring [telefon]"}
    assert {o.name for o in issue_obs} == {"Lisa [telefon] [e-post]"}
    assert all(len(o.phones) >= 2 and len(o.emails) == 1 for o in issue_obs)


def test_same_number_in_any_format_gets_the_same_pseudonym(pz: Pseudonymizer) -> None:
    forms = ["070-174 06 05", "+46701740605", "0046701740605", "070 174 06 05", "(070)1740605"]
    assert len({pz.phone(f) for f in forms}) == 1
    assert pz.email("A@Example.invalid") == pz.email(" a@example.invalid ")
    other = Pseudonymizer(bytes(32))
    assert other.phone(forms[0]) != pz.phone(forms[0])


def test_init_creates_key_with_mode_0600_and_never_overwrites_it(settings: Settings) -> None:
    res = init_workspace(settings)
    assert res.key_created
    mode = stat.S_IMODE(os.stat(settings.key_file).st_mode)
    assert mode == 0o600
    key = settings.key_file.read_bytes()
    again = init_workspace(settings)
    assert not again.key_created
    assert settings.key_file.read_bytes() == key


def test_the_database_records_only_a_fingerprint_of_the_key(settings: Settings) -> None:
    init_workspace(settings)
    key = load_key(settings.key_file)
    with Store.open(settings.db) as store:
        assert store.get_meta("key_fingerprint") == key_fingerprint(key)
        dump = repr(list(store.dump_rows()))
    assert key.hex() not in dump


def test_a_wrong_key_is_refused(settings: Settings) -> None:
    init_workspace(settings)
    settings.key_file.unlink()
    create_key(settings.key_file)  # a different key
    with pytest.raises(KeyMismatchError, match="does not match"):
        open_workspace(settings)


def test_a_missing_key_is_reported(settings: Settings) -> None:
    init_workspace(settings)
    settings.key_file.unlink()
    with pytest.raises(KeyMismatchError, match="not found"):
        open_workspace(settings)


def test_a_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    create_key(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key(path)


def test_error_messages_withhold_the_raw_number(store: Store, pz: Pseudonymizer, tmp_path: Path) -> None:
    p = tmp_path / "ads.jsonl"
    p.write_text(json.dumps({"site": "s", "site_ad_id": "1", "seen_at": "2025-01-01", "phones": ["070-174 0"]}) + "\n")
    with pytest.raises(Exception) as info:
        import_file(store, pz, p)
    assert "174" not in str(info.value)
    assert "value withheld" in str(info.value)


def test_scrub_replaces_numbers_but_not_prices_or_dates(pz: Pseudonymizer) -> None:
    s = pz.scrub("Pris 1500kr/30min, 2025-03-01 kl 18.00, ring 070-174 06 05!")
    assert s.text == "Pris 1500kr/30min, 2025-03-01 kl 18.00, ring [telefon]!"
    assert s.phones == (pz.phone("0701740605"),)


def test_sqlalchemy_logging_does_not_leak_parameters(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Even with SQL echo on, only pseudonyms are bound as parameters."""
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    init_workspace(settings)
    ads = tmp_path / "ads.jsonl"
    _write_ads(ads)
    with open_workspace(settings) as ws:
        ws.store.engine.echo = True
        import_file(ws.store, ws.pseudonymizer, ads)
        ws.store.engine.echo = False
    assert "INSERT INTO observations" in caplog.text
    for needle in _needles():
        assert needle not in caplog.text
    assert isinstance(ws.store.engine, sa.Engine)


def test_messaging_handles_are_scrubbed_and_pseudonymized(pz: Pseudonymizer) -> None:
    s = pz.scrub("Adda mig på Snap: testperson_99 eller telegram @testperson_tg")
    assert "testperson" not in s.text
    assert "[snapchat]" in s.text and "[telegram]" in s.text
    assert s.handles == (pz.handle("snapchat", "testperson_99"), pz.handle("telegram", "testperson_tg"))
    assert all(h.startswith("hd_") for h in s.handles)


def test_the_data_folder_and_everything_written_into_it_are_private(settings: Settings, tmp_path: Path) -> None:
    """After init, import, report and exports (permissive umask): folders 0700, files 0600, no raw identifier."""
    from typer.testing import CliRunner

    from lagesbild.cli import app

    old = os.umask(0o022)
    try:
        args = ["--home", str(settings.home), "--db", settings.db]
        ads = tmp_path / "ads.jsonl"
        _write_ads(ads)
        home = settings.home
        for cmd in (
            ["init"],
            ["import", "--no-progress", str(ads)],
            ["report", "--lan", "05", "--year", "2025", "--no-pdf", "--out", str(home / "reports")],
            ["export", "links", "--out", str(home / "exports" / "links.csv")],
            ["link", "overlap", "--out", str(home / "exports" / "overlap")],
        ):
            if cmd[0] == "export":
                (home / "exports").mkdir(mode=0o700)
            res = CliRunner().invoke(app, [*args, *cmd])
            assert res.exit_code == 0, (cmd, res.output)
    finally:
        os.umask(old)
    # every way data left the store is in the audit log (user "cli"), newest first
    from lagesbild.store.web import WebStore

    with Store.open(settings.db) as store:
        targets = [(e.username, e.target) for e in WebStore(store).audit_entries(action="export")]
    assert targets == [("cli", "capture histories"), ("cli", "links"), ("cli", "report")]
    found = {p.relative_to(home).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [home, *home.rglob("*")]}
    assert any(name.startswith("reports/") and name.endswith(".html") for name in found)
    assert "exports/links.csv" in found and any(n.startswith("exports/overlap/") for n in found)
    if settings.db.startswith("sqlite"):  # the fixture's database lies beside the data folder: check it too
        db_file = Path(settings.db.removeprefix("sqlite:///"))
        db_files = list(db_file.parent.glob(db_file.name + "*"))
        assert db_file in db_files
        found.update({p.name: stat.S_IMODE(p.stat().st_mode) for p in db_files})
    # ... and no file in the data folder (database, reports, exports) holds a raw identifier.
    for path in [p for p in home.rglob("*") if p.is_file()]:
        text = path.read_bytes().decode("utf-8", "replace")
        flat = re.sub(r"[\s\-()]", "", text)
        for needle in _needles():
            assert needle not in text and re.sub(r"[\s\-()]", "", needle) not in flat, f"raw identifier in {path.name}"
    loose = {name: oct(mode) for name, mode in found.items() if mode & 0o077}
    assert loose == {}, f"readable by others: {loose}"
    dirs = {name for name in found if (home / name).is_dir()}
    assert all(found[d] == 0o700 for d in dirs) and all(found[f] == 0o600 for f in set(found) - dirs)


def test_an_existing_database_readable_by_others_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with Store.open(f"sqlite:///{db}"):
        pass
    for p in tmp_path.glob("old.db*"):
        p.chmod(0o644)
    with Store.open(f"sqlite:///{db}") as store:
        assert store.count_observations() == 0
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("old.db*")} == dict.fromkeys(
        [p.name for p in tmp_path.glob("old.db*")], 0o600
    )


def test_private_writes_are_0600_even_over_an_existing_file(tmp_path: Path) -> None:
    from lagesbild.privacy import open_private, private_dir, write_private

    old = os.umask(0o022)
    try:
        d = private_dir(tmp_path / "a" / "b")
        f = d / "x.txt"
        f.write_text("old")
        f.chmod(0o644)
        write_private(f, "ny")
        with open_private(d / "y.bin", "wb") as out:
            out.write(b"\x00")
    finally:
        os.umask(old)
    assert f.read_text() == "ny"
    assert [stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "a", d, f, d / "y.bin")] == [0o700, 0o700, 0o600, 0o600]


def test_the_console_script_writes_with_umask_077(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by libraries the command calls (charts, say) are private too."""
    import sys

    from lagesbild.cli import main

    old = os.umask(0o022)
    try:
        monkeypatch.setattr(sys, "argv", ["lagesbild", "--help"])
        with pytest.raises(SystemExit):
            main()
        now = os.umask(0o022)
    finally:
        os.umask(old)
    assert now == 0o077


def test_sqlite_wal_and_shm_files_are_private_too(tmp_path: Path) -> None:
    """SQLite gives its -wal and -shm files the database file's mode: 0600 while the store is open."""
    old = os.umask(0o022)
    try:
        with Store.open(f"sqlite:///{tmp_path / 'data' / 'x.db'}") as store:
            store.set_meta("probe", "1")  # a write: the WAL exists now
            files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "data").iterdir()}
    finally:
        os.umask(old)
    assert {"x.db", "x.db-wal", "x.db-shm"} <= set(files)
    assert set(files.values()) == {0o600}
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
