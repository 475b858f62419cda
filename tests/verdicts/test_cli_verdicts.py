"""``lagesbild verdicts``: import, profile and flows in every output format (both backends)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from lagesbild.cli import _global, core
from lagesbild.cli import verdicts as verdicts_cmd
from lagesbild.settings import Settings

from .test_extract import simulated

runner = CliRunner()


def _app() -> typer.Typer:
    """The root app as the lead wires it: global options, ``init`` and the ``verdicts`` group."""
    root = typer.Typer()
    root.callback()(_global)
    root.command("init")(core.init)
    root.add_typer(verdicts_cmd.app, name="verdicts")
    return root


def test_import_profile_flows(settings: Settings, tmp_path: Path) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*base, "init"]).exit_code == 0
    verdicts = simulated(9, n=3000)
    src = tmp_path / "verdicts.jsonl"
    src.write_text("\n".join(json.dumps(v, ensure_ascii=False) for v in verdicts) + "\n", encoding="utf-8")
    res = runner.invoke(app, [*base, "verdicts", "import", str(src)])
    assert res.exit_code == 0, res.output
    assert f"{len(verdicts)} new" in res.output
    in05 = [v for v in verdicts if v["offence_kommun"].startswith("05")]

    res = runner.invoke(app, [*base, "verdicts", "profile", "--lan", "05", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["n"] == len(in05)
    res = runner.invoke(app, [*base, "verdicts", "profile", "--lan", "05"])
    assert res.exit_code == 0 and "Åldersprofil" in res.output and "domar" in res.output
    res = runner.invoke(app, ["--lang", "en", *base, "verdicts", "profile", "--lan", "05"])
    assert res.exit_code == 0 and "Age profile" in res.output and "verdicts" in res.output
    assert "Åldersprofil" not in res.output

    res = runner.invoke(app, [*base, "verdicts", "flows", "--lan", "05", "--format", "csv", "--raw"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert sum(int(r["verdicts"]) for r in rows) == len(in05)
    assert all(r["offence_kommun"].startswith("05") for r in rows)
    res = runner.invoke(app, [*base, "verdicts", "flows", "--lan", "05"])
    assert res.exit_code == 0 and "egen kommun" in res.output and "hemkommun" in res.output
    assert "brottskommun" in res.output


def test_missing_file_is_a_friendly_error(settings: Settings, tmp_path: Path) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    runner.invoke(app, [*base, "init"])
    res = runner.invoke(app, [*base, "verdicts", "import", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 2
    assert "no such file" in res.output


CORPUS = Path(__file__).parent / "corpus" / "dev"


def test_corpus_import_list_export_corrections(settings: Settings, tmp_path: Path) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*base, "init"]).exit_code == 0
    truth = [json.loads(x) for x in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    n_def = sum(len(t["defendants"]) for t in truth)
    n_acq = sum(d["verdict"] == "acquitted" for t in truth for d in t["defendants"])
    res = runner.invoke(app, [*base, "verdicts", "import", str(CORPUS)])
    assert res.exit_code == 0, res.output
    assert f"{n_def} defendants ({n_acq} acquitted" in res.output
    # the same judgment again, under another name: one case counts once
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "again.txt").write_text((CORPUS / "dev_001.txt").read_text(encoding="utf-8"), encoding="utf-8")
    res = runner.invoke(app, [*base, "verdicts", "import", str(tmp_path / "copy")])
    assert res.exit_code == 0 and "0 new" in res.output, res.output

    res = runner.invoke(app, [*base, "verdicts", "list", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert len(rows) == n_def
    assert sum(r["verdict"] == "acquitted" for r in rows) == n_acq
    for bad in ("Testsson", "Exempelberg", "Provström", "Dummelin", "Mallgren", "Storgatan", "Kungsgatan", "-00"):
        assert bad not in res.output

    # profile counts convicted defendants only, suppressed unless --raw
    res = runner.invoke(app, [*base, "verdicts", "profile", "--format", "json"])
    assert json.loads(res.output)["n"] == n_def - n_acq
    res = runner.invoke(app, [*base, "verdicts", "flows", "--format", "csv"])
    flows = list(csv.DictReader(io.StringIO(res.output)))
    assert all(r["verdicts"] in ("<5", "..") or int(r["verdicts"]) >= 5 for r in flows)
    assert any(r["verdicts"] == "<5" for r in flows)

    # export, correct one age in "Excel", re-import: the correction stays
    out = tmp_path / "review.csv"
    assert runner.invoke(app, [*base, "verdicts", "export", str(out)]).exit_code == 0
    from lagesbild.store import Store
    from lagesbild.store.web import WebStore

    with Store.open(settings.db) as store:  # the export is in the audit log
        (entry,) = WebStore(store).audit_entries(action="export")
    assert (entry.username, entry.target) == ("cli", "defendants") and entry.detail.endswith("rows, csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
    lines = raw.decode("utf-8-sig").splitlines()
    head = lines[0].split(";")
    first = lines[1].split(";")
    first[head.index("defendant_age")] = "77"
    (tmp_path / "edited.csv").write_text("\ufeff" + "\r\n".join([lines[0], ";".join(first)]) + "\r\n", encoding="utf-8")
    res = runner.invoke(app, [*base, "verdicts", "corrections", str(tmp_path / "edited.csv")])
    assert res.exit_code == 0 and "Corrected 1 " in res.output, res.output
    assert runner.invoke(app, [*base, "verdicts", "import", str(CORPUS)]).exit_code == 0
    res = runner.invoke(app, [*base, "verdicts", "list", "--format", "csv"])
    kept = [r for r in csv.DictReader(io.StringIO(res.output)) if r["id"] == first[0]]
    assert kept[0]["age"] == "77" and kept[0]["corrected"] == "ja"

    # a bad correction names the line and column and changes nothing
    first[head.index("home_kommun")] = "9999"
    (tmp_path / "bad.csv").write_text(lines[0] + "\n" + ";".join(first) + "\n", encoding="utf-8")
    res = runner.invoke(app, [*base, "verdicts", "corrections", str(tmp_path / "bad.csv")])
    assert res.exit_code != 0
    assert "bad.csv" in res.output and "home_kommun" in res.output


def test_bad_county_and_date_are_refused(settings: Settings) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    runner.invoke(app, [*base, "init"])
    res = runner.invoke(app, [*base, "verdicts", "profile", "--lan", "99"])
    assert res.exit_code == 2 and "unknown county or municipality" in res.output
    res = runner.invoke(app, [*base, "verdicts", "flows", "--from", "2022-13-01"])
    assert res.exit_code == 2 and "not a date" in res.output


def test_trends_per_year_counts_convicted_and_suppresses(settings: Settings) -> None:
    app = _app()
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*base, "init"]).exit_code == 0
    assert runner.invoke(app, [*base, "verdicts", "import", str(CORPUS)]).exit_code == 0
    truth = [json.loads(x) for x in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    want: dict[str, int] = {}
    for t in truth:
        for d in t["defendants"]:
            if d["verdict"] == "convicted":
                want[d["offence_dates"][0][:4]] = want.get(d["offence_dates"][0][:4], 0) + 1
    res = runner.invoke(app, [*base, "verdicts", "trends", "--format", "csv", "--raw"])
    assert res.exit_code == 0, res.output
    assert {r["year"]: int(r["verdicts"]) for r in csv.DictReader(io.StringIO(res.output))} == want
    res = runner.invoke(app, [*base, "verdicts", "trends", "--format", "csv"])
    shown = {r["year"]: r["verdicts"] for r in csv.DictReader(io.StringIO(res.output))}
    for year, n in want.items():
        assert shown[year] == str(n) if n >= 5 else shown[year] in ("<5", "..")
