"""The operations commands: backup, restore, key check/rotate, with their messages."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from lagesbild.cli import app

runner = CliRunner()


def _run(home: Path, *args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["--home", str(home), *args])
    return res.exit_code, res.output


def test_backup_restore_and_rotate_through_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ads = tmp_path / "ads.jsonl"
    ads.write_text(
        json.dumps({"site": "annonsportalen", "site_ad_id": "C-1", "seen_at": "2024-03-01", "phones": ["0701740631"]})
        + "\n",
        encoding="utf-8",
    )
    assert _run(home, "init")[0] == 0
    assert _run(home, "import", str(ads), "--no-progress")[0] == 0
    code, out = _run(home, "key", "check")
    assert code == 0 and "matches the store" in out
    code, out = _run(home, "key", "rotate")
    assert code == 0 and "1 pseudonyms re-keyed" in out and "2 key generations" in out
    code, out = _run(home, "backup", str(tmp_path / "b.tar.gz"))
    assert code == 0 and "key is not in it" in out
    assert stat.S_IMODE((tmp_path / "b.tar.gz").stat().st_mode) == 0o600

    # Restore into a new data folder: the key is not in the backup, and the warning says so.
    new = tmp_path / "new"
    code, out = _run(new, "restore", str(tmp_path / "b.tar.gz"))
    assert code == 0 and "Restored" in out and f"key not found at {new / 'secret.key'}" in " ".join(out.split())
    code, out = _run(new, "restore", str(tmp_path / "b.tar.gz"))
    assert code == 1 and "empty store" in out
    # With the key file restored as well, the new folder is a working installation.
    (new / "secret.key").write_bytes((home / "secret.key").read_bytes())
    (new / "secret.key").chmod(0o600)
    assert _run(new, "key", "check")[0] == 0
    code, out = _run(new, "stats")
    assert code == 0


def test_a_missing_key_is_a_clear_error_naming_where_it_is_expected(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _run(home, "init")[0] == 0
    (home / "secret.key").unlink()
    code, out = _run(home, "stats")
    assert code == 1 and "not found at" in out and "restore it from backup" in " ".join(out.split())
    code, out = _run(home, "init")
    assert code == 1 and "no key file is at" in " ".join(out.split())
    assert not (home / "secret.key").exists()


def test_retention_commands_erase_a_site_and_apply_the_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ads = tmp_path / "ads.jsonl"
    ads.write_text(
        "".join(
            json.dumps({"site": site, "site_ad_id": f"E-{i}", "seen_at": "2024-03-01", "phones": ["0701740641"]}) + "\n"
            for i, site in enumerate(["annonsportalen", "kontaktsidan"])
        ),
        encoding="utf-8",
    )
    assert _run(home, "init")[0] == 0
    assert _run(home, "import", str(ads), "--no-progress")[0] == 0
    code, out = _run(home, "retention", "erase", "--before", "1.3.2024", "--yes")
    assert code == 2 and "--before" in out and "YYYY-MM-DD" in out
    code, out = _run(home, "retention", "erase", "--site", "nowhere", "--yes")
    assert code == 2 and "sites: annonsportalen, kontaktsidan" in out
    code, out = _run(home, "retention", "erase", "--site", "kontaktsidan")  # asks; "no" on empty input
    assert code == 1
    code, out = _run(home, "retention", "erase", "--site", "kontaktsidan", "--yes")
    assert code == 0 and "1 observations" in out and "Relinked in full" in out
    code, out = _run(home, "retention", "apply")
    assert code == 0 and "Deleted no rows; no files." in out
    code, out = _run(home, "stats", "--format", "csv")
    assert code == 0 and out.count("\n") == 2  # header and one row: the other site is gone
